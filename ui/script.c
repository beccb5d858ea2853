/* script.c - keystroke scripts: a strict parser and a timer-driven runner. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "ui/keys.h"
#include "ui/script.h"
#include "ui/ui.h"
#include "ui/utf8.h"

#define SCRIPT_BACKLOG 1024

struct step {
	enum script_op op;
	unsigned line;
	int *keys;          /* key, type */
	size_t nkeys;
	char *text;         /* expect: the regex; wait: the event; dump: file */
	char **fields;      /* wait: "name=value" */
	size_t nfields;
	regex_t re;
	bool re_ok;
	uint64_t ms;        /* sleep: the pause; wait, expect: the timeout */
};

struct script {
	char *name;
	struct step *steps;
	size_t n, cap;

	/* Running. */
	struct loop *loop;
	struct ui *ui;
	script_done_h *done_h;
	void *done_arg;
	size_t pc;
	struct tmr next, timeout;
	bool in_expect, in_wait, subscribed, finished;
	json_t *backlog[SCRIPT_BACKLOG];
	size_t nback;
	int status;
	struct buf failure;

	/* SIPTTY_SCRIPT_TIMING=FILE: keystroke-to-screen latencies. */
	FILE *timing;
	uint64_t key_us;        /* the last key step's keys went in */
	unsigned key_line;
	bool key_pending;       /* no expect has matched since */
	uint64_t redraw_us;     /* the last redraw (terminal or headless) */
};

/* --- parsing --------------------------------------------------------- */

struct parser {
	struct script *s;
	struct buf *err;
	unsigned line;
	int nerr;
};

static void perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	(void)buf_printf(p->err, "%s:%u: ", p->s->name, p->line);
	va_start(ap, fmt);
	(void)buf_vprintf(p->err, fmt, ap);
	va_end(ap);
	(void)buf_putc(p->err, '\n');
	p->nerr++;
}

/*
 * Splits a line into words.  A word in double quotes may hold spaces; in
 * it \" is a quote and \\ a backslash, and any other backslash is kept as
 * it is, so regex escapes need no doubling.  Returns the count, or -1.
 */
static int split(struct parser *p, char *s, char **w, int max)
{
	int n = 0;

	for (;;) {
		char *out;

		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max) {
			perr(p, _("too many words on one line (at most %d)"),
			     max);
			return -1;
		}
		if (*s != '"') {
			w[n++] = s;
			while (*s && *s != ' ' && *s != '\t')
				s++;
			if (*s)
				*s++ = '\0';
			continue;
		}
		w[n++] = out = ++s;
		for (;;) {
			if (!*s) {
				perr(p, _("a quoted word is not closed with "
					  "\""));
				return -1;
			}
			if (*s == '\\' && (s[1] == '"' || s[1] == '\\')) {
				*out++ = s[1];
				s += 2;
			} else if (*s == '"') {
				s++;
				break;
			} else {
				*out++ = *s++;
			}
		}
		if (*s && *s != ' ' && *s != '\t') {
			perr(p, _("a quoted word must be followed by a space"));
			return -1;
		}
		*out = '\0';
	}
}

/* "5", "0.25": strict, with '.' whatever the locale says. */
static int parse_seconds(const char *s, uint64_t *ms)
{
	uint64_t whole = 0, frac = 0, scale = 1000;
	const char *p = s;

	if (!(*p >= '0' && *p <= '9'))
		return EINVAL;
	while (*p >= '0' && *p <= '9') {
		whole = whole * 10 + (uint64_t)(*p++ - '0');
		if (whole > SCRIPT_MAX_SECONDS)
			return ERANGE;
	}
	if (*p == '.') {
		p++;
		if (!(*p >= '0' && *p <= '9'))
			return EINVAL;
		while (*p >= '0' && *p <= '9') {
			if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
			p++;
		}
	}
	if (*p)
		return EINVAL;
	*ms = whole * 1000 + frac;
	if (*ms > SCRIPT_MAX_SECONDS * 1000u)
		return ERANGE;
	return 0;
}

static bool looks_numeric(const char *s)
{
	uint64_t ms;

	return !parse_seconds(s, &ms) || (*s >= '0' && *s <= '9' &&
					  !strchr(s, '='));
}

static int timeout_arg(struct parser *p, const char *s, uint64_t *ms)
{
	int err = parse_seconds(s, ms);

	if (err || !*ms) {
		perr(p, _("\"%s\" is not a timeout: give seconds from 0.001 "
			  "to %u, such as 5 or 0.5"), s, SCRIPT_MAX_SECONDS);
		return EINVAL;
	}
	return 0;
}

static struct step *step_new(struct parser *p, enum script_op op)
{
	struct script *s = p->s;
	struct step *st;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct step *ns = realloc(s->steps, cap * sizeof(*ns));

		if (!ns)
			return NULL;
		s->steps = ns;
		s->cap = cap;
	}
	st = &s->steps[s->n++];
	memset(st, 0, sizeof(*st));
	st->op = op;
	st->line = p->line;
	return st;
}

static int add_keys(struct step *st, const int *keys, size_t n)
{
	st->keys = malloc((n ? n : 1) * sizeof(int));
	if (!st->keys)
		return ENOMEM;
	memcpy(st->keys, keys, n * sizeof(int));
	st->nkeys = n;
	return 0;
}

static int parse_key(struct parser *p, char **w, int n)
{
	int keys[64];
	struct step *st;

	if (n < 2) {
		perr(p, _("key needs a key name, such as Enter, Esc, Tab, F1, "
			  "Up, C-x or a character"));
		return EINVAL;
	}
	if (n - 1 > 64) {
		perr(p, _("at most 64 keys on one key line"));
		return EINVAL;
	}
	for (int i = 1; i < n; i++) {
		if (keys_parse(w[i], &keys[i - 1])) {
			perr(p, _("\"%s\" is not a key name: use Enter, Esc, "
				  "Tab, Backspace, F1 to F12, Up, Down, Left, "
				  "Right, C-x or one character"), w[i]);
			return EINVAL;
		}
	}
	st = step_new(p, SCRIPT_KEY);
	if (!st)
		return ENOMEM;
	return add_keys(st, keys, (size_t)(n - 1));
}

static int parse_type(struct parser *p, char *rest)
{
	int keys[SCRIPT_MAX_LINE];
	size_t n = 0, off = 0, len;
	char *w[2];
	struct step *st;
	bool quoted = false;

	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (*rest == '"') {
		int nw = split(p, rest, w, 2);

		if (nw < 0)
			return EINVAL;
		if (nw != 1) {
			perr(p, _("type takes one quoted text, or the rest "
				  "of the line unquoted"));
			return EINVAL;
		}
		rest = w[0];
		quoted = true;
	}
	len = strlen(rest);
	while (!quoted && len && (rest[len - 1] == ' ' || rest[len - 1] == '\t'))
		len--;  /* invisible at the end of a line: quote them instead */
	if (!len) {
		perr(p, _("type needs the text to type"));
		return EINVAL;
	}
	while (off < len) {
		int cp;

		off += utf8_decode(rest + off, len - off, &cp);
		keys[n++] = cp;
	}
	st = step_new(p, SCRIPT_TYPE);
	if (!st)
		return ENOMEM;
	return add_keys(st, keys, n);
}

static int parse_wait(struct parser *p, char **w, int n)
{
	struct step *st;
	uint64_t ms = SCRIPT_TIMEOUT_MS;
	int last = n;

	if (n < 2 || strchr(w[1], '=')) {
		perr(p, _("wait needs an event type, such as: wait ui "
			  "view=help"));
		return EINVAL;
	}
	if (n > 2 && !strchr(w[n - 1], '=') && looks_numeric(w[n - 1])) {
		if (timeout_arg(p, w[n - 1], &ms))
			return EINVAL;
		last = n - 1;
	}
	for (int i = 2; i < last; i++) {
		char *eq = strchr(w[i], '=');

		if (!eq || eq == w[i]) {
			perr(p, _("\"%s\" is not FIELD=VALUE"), w[i]);
			return EINVAL;
		}
	}
	st = step_new(p, SCRIPT_WAIT);
	if (!st)
		return ENOMEM;
	st->ms = ms;
	st->text = strdup(w[1]);
	st->fields = calloc((size_t)(last > 2 ? last - 2 : 1), sizeof(char *));
	if (!st->text || !st->fields)
		return ENOMEM;
	for (int i = 2; i < last; i++) {
		st->fields[st->nfields] = strdup(w[i]);
		if (!st->fields[st->nfields])
			return ENOMEM;
		st->nfields++;
	}
	return 0;
}

static int parse_expect(struct parser *p, char **w, int n)
{
	uint64_t ms = SCRIPT_TIMEOUT_MS;
	struct step *st;
	regex_t re;
	int rc;

	if (n < 2 || n > 3) {
		perr(p, _("expect takes a regular expression and an optional "
			  "timeout; put a regular expression with spaces in "
			  "double quotes"));
		return EINVAL;
	}
	if (n == 3 && timeout_arg(p, w[2], &ms))
		return EINVAL;
	rc = regcomp(&re, w[1], REG_EXTENDED | REG_NEWLINE | REG_NOSUB);
	if (rc) {
		char why[256];

		regerror(rc, &re, why, sizeof(why));
		perr(p, _("bad regular expression \"%s\": %s"), w[1], why);
		return EINVAL;
	}
	st = step_new(p, SCRIPT_EXPECT);
	if (!st) {
		regfree(&re);
		return ENOMEM;
	}
	st->re = re;
	st->re_ok = true;
	st->ms = ms;
	st->text = strdup(w[1]);
	return st->text ? 0 : ENOMEM;
}

static int parse_line(struct parser *p, char *line)
{
	char *w[66], *rest;
	char cmd[16];
	size_t cl;
	int n;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#')
		return 0;
	if (p->s->n >= SCRIPT_MAX_STEPS) {
		perr(p, _("more than %d steps"), SCRIPT_MAX_STEPS);
		return E2BIG;
	}
	cl = strcspn(line, " \t");
	snprintf(cmd, sizeof(cmd), "%.*s", (int)(cl < 15 ? cl : 15), line);
	rest = line + cl;
	if (!strcmp(cmd, "type") && cl == 4)
		return parse_type(p, rest);
	n = split(p, line, w, 66);
	if (n < 0)
		return EINVAL;
	if (!strcmp(w[0], "key"))
		return parse_key(p, w, n);
	if (!strcmp(w[0], "wait"))
		return parse_wait(p, w, n);
	if (!strcmp(w[0], "expect"))
		return parse_expect(p, w, n);
	if (!strcmp(w[0], "sleep")) {
		struct step *st;
		uint64_t ms;

		if (n != 2 || parse_seconds(w[1], &ms)) {
			perr(p, _("sleep takes one number of seconds from 0 "
				  "to %u, such as 1 or 0.2"),
			     SCRIPT_MAX_SECONDS);
			return EINVAL;
		}
		st = step_new(p, SCRIPT_SLEEP);
		if (!st)
			return ENOMEM;
		st->ms = ms;
		return 0;
	}
	if (!strcmp(w[0], "dump")) {
		struct step *st;

		if (n > 2) {
			perr(p, _("dump takes at most one file name"));
			return EINVAL;
		}
		st = step_new(p, SCRIPT_DUMP);
		if (!st)
			return ENOMEM;
		if (n == 2 && !(st->text = strdup(w[1])))
			return ENOMEM;
		return 0;
	}
	if (!strcmp(w[0], "quit")) {
		if (n != 1) {
			perr(p, _("quit takes no argument"));
			return EINVAL;
		}
		return step_new(p, SCRIPT_QUIT) ? 0 : ENOMEM;
	}
	perr(p, _("unknown command \"%s\": use key, type, sleep, wait, "
		  "expect, dump or quit"), w[0]);
	return EINVAL;
}

int script_parse(struct script **sp, const char *name, const char *text,
		 struct buf *err)
{
	struct parser p = {.err = err};
	struct script *s;
	const char *line = text;
	char *copy = NULL;
	int ret = 0;

	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	buf_init(&s->failure, 0);
	tmr_init(&s->next);
	tmr_init(&s->timeout);
	s->name = strdup(name);
	copy = malloc(SCRIPT_MAX_LINE + 1);
	if (!s->name || !copy) {
		ret = ENOMEM;
		goto out;
	}
	p.s = s;
	while (*line) {
		size_t len = strcspn(line, "\n");
		int e;

		p.line++;
		if (len && line[len - 1] == '\r')
			len--;
		if (len > SCRIPT_MAX_LINE) {
			perr(&p, _("the line is longer than %d bytes"),
			     SCRIPT_MAX_LINE);
		} else if (memchr(line, '\0', len)) {
			perr(&p, _("the line contains a NUL byte"));
		} else {
			memcpy(copy, line, len);
			copy[len] = '\0';
			e = parse_line(&p, copy);
			if (e == ENOMEM) {
				ret = ENOMEM;
				goto out;
			}
		}
		line += strcspn(line, "\n");
		if (*line)
			line++;
	}
	if (p.nerr)
		ret = EBADMSG;
 out:
	free(copy);
	if (ret)
		script_free(s);
	else
		*sp = s;
	return ret;
}

int script_load(struct script **sp, const char *path, struct buf *err)
{
	struct stat st;
	char *text = NULL;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0) {
		ret = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) && !S_ISFIFO(st.st_mode)) {
		ret = EISDIR;
		goto out;
	}
	text = malloc(SCRIPT_MAX_BYTES + 1);
	if (!text) {
		ret = ENOMEM;
		goto out;
	}
	while ((n = read(fd, text + got, SCRIPT_MAX_BYTES + 1 - got)) > 0) {
		got += (size_t)n;
		if (got > SCRIPT_MAX_BYTES)
			break;
	}
	if (n < 0) {
		ret = errno;
		goto out;
	}
	if (got > SCRIPT_MAX_BYTES) {
		ret = E2BIG;
		goto out;
	}
	if (memchr(text, '\0', got)) {
		(void)buf_printf(err, _("%s: this is not a text file\n"),
				 path);
		ret = EBADMSG;
		goto out;
	}
	text[got] = '\0';
	ret = script_parse(sp, path, text, err);
 out:
	free(text);
	close(fd);
	return ret;
}

static void step_free(struct step *st)
{
	free(st->keys);
	free(st->text);
	for (size_t i = 0; i < st->nfields; i++)
		free(st->fields[i]);
	free(st->fields);
	if (st->re_ok)
		regfree(&st->re);
}

static void on_event(const json_t *ev, void *arg);
static void detach(struct script *s);

void script_free(struct script *s)
{
	if (!s)
		return;
	detach(s);
	for (size_t i = 0; i < s->nback; i++)
		json_decref(s->backlog[i]);
	for (size_t i = 0; i < s->n; i++)
		step_free(&s->steps[i]);
	free(s->steps);
	free(s->name);
	buf_free(&s->failure);
	if (s->timing)
		fclose(s->timing);
	free(s);
}

size_t script_nsteps(const struct script *s)
{
	return s->n;
}

enum script_op script_step_op(const struct script *s, size_t i)
{
	return s->steps[i].op;
}

unsigned script_step_line(const struct script *s, size_t i)
{
	return s->steps[i].line;
}

uint64_t script_step_ms(const struct script *s, size_t i)
{
	return s->steps[i].ms;
}

size_t script_step_keys(const struct script *s, size_t i, const int **keys)
{
	*keys = s->steps[i].keys;
	return s->steps[i].nkeys;
}

/* --- running --------------------------------------------------------- */

static void run_step(void *arg);

static void finish(struct script *s, int status)
{
	if (s->finished)
		return;
	s->finished = true;
	s->status = status;
	s->in_expect = s->in_wait = false;
	tmr_cancel(&s->next);
	tmr_cancel(&s->timeout);
	if (s->done_h)
		s->done_h(status, s->done_arg);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * An expect matched: the screen it read was drawn by the last redraw
 * (when that came after the keys), else just now by the expect itself.
 * One line "EXPECT_LINE KEY_LINE MICROSECONDS" per expect after keys.
 */
static void timing_note(struct script *s, const struct step *st)
{
	uint64_t at;

	if (!s->timing || !s->key_pending || st->op != SCRIPT_EXPECT)
		return;
	at = s->redraw_us >= s->key_us ? s->redraw_us : mono_us();
	fprintf(s->timing, "%u %u %llu\n", st->line, s->key_line,
		(unsigned long long)(at - s->key_us));
	s->key_pending = false;
}

static void advance(struct script *s)
{
	if (s->pc < s->n)
		timing_note(s, &s->steps[s->pc]);
	s->in_expect = s->in_wait = false;
	tmr_cancel(&s->timeout);
	s->pc++;
	/*
	 * One step per loop pass, so the screen is redrawn in between and a
	 * quit stops the rest: a 0 ms timer would run in this very pass.
	 */
	tmr_start(s->loop, &s->next, 1, run_step, s);
}

static void fail_screen(struct script *s)
{
	struct buf scr;

	buf_init(&scr, 0);
	if (!ui_screen(s->ui, &scr) && scr.len)
		(void)buf_printf(&s->failure, "%s\n%s%s\n",
				 _("--- the screen was:"), scr.data,
				 _("--- end of screen"));
	buf_free(&scr);
}

static bool expect_holds(struct script *s, const struct step *st)
{
	struct buf scr;
	bool ok;

	buf_init(&scr, 0);
	ok = !ui_screen(s->ui, &scr) && scr.len &&
	     regexec(&st->re, scr.data, 0, NULL, 0) == 0;
	buf_free(&scr);
	return ok;
}

static void on_redraw(void *arg)
{
	struct script *s = arg;

	s->redraw_us = mono_us();
	if (s->in_expect && expect_holds(s, &s->steps[s->pc]))
		advance(s);
}

static void on_timeout(void *arg)
{
	struct script *s = arg;
	const struct step *st = &s->steps[s->pc];

	if (st->op == SCRIPT_EXPECT) {
		/* A last look: the final redraw may not have happened yet. */
		if (expect_holds(s, st)) {
			advance(s);
			return;
		}
		(void)buf_printf(&s->failure,
				 _("%s:%u: expect \"%s\": the screen did not "
				   "match within %.3g s\n"),
				 s->name, st->line, st->text,
				 (double)st->ms / 1000.0);
	} else {
		(void)buf_printf(&s->failure,
				 _("%s:%u: wait %s: no such event within "
				   "%.3g s\n"),
				 s->name, st->line, st->text,
				 (double)st->ms / 1000.0);
		for (size_t i = 0; i < st->nfields; i++)
			(void)buf_printf(&s->failure, "  %s\n",
					 st->fields[i]);
	}
	fail_screen(s);
	log_info("script", "%s:%u failed", s->name, st->line);
	finish(s, 1);
}

static void json_text(const json_t *v, char *out, size_t sz)
{
	if (json_is_string(v))
		snprintf(out, sz, "%s", json_string_value(v));
	else if (json_is_integer(v))
		snprintf(out, sz, "%lld", (long long)json_integer_value(v));
	else if (json_is_true(v))
		snprintf(out, sz, "true");
	else if (json_is_false(v))
		snprintf(out, sz, "false");
	else if (json_is_null(v))
		snprintf(out, sz, "null");
	else if (json_is_real(v))
		snprintf(out, sz, "%g", json_real_value(v));
	else
		out[0] = '\0';
}

/* FIELD may be a path "a.b" into nested objects. */
static bool field_matches(const json_t *ev, const char *fv)
{
	const char *eq = strchr(fv, '=');
	char path[256], val[1024], *part, *save = NULL;
	const json_t *v = ev;

	snprintf(path, sizeof(path), "%.*s", (int)(eq - fv), fv);
	for (part = strtok_r(path, ".", &save); part && v;
	     part = strtok_r(NULL, ".", &save))
		v = json_object_get(v, part);
	if (!v)
		return false;
	json_text(v, val, sizeof(val));
	return !strcmp(val, eq + 1);
}

static bool event_matches(const struct step *st, const json_t *ev)
{
	const json_t *type = json_object_get(ev, "type");

	if (!json_is_string(type) || strcmp(json_string_value(type), st->text))
		return false;
	for (size_t i = 0; i < st->nfields; i++)
		if (!field_matches(ev, st->fields[i]))
			return false;
	return true;
}

/* Events since the last matched wait: one may come before its wait runs. */
static bool backlog_take(struct script *s, const struct step *st)
{
	for (size_t i = 0; i < s->nback; i++) {
		if (!event_matches(st, s->backlog[i]))
			continue;
		for (size_t j = 0; j <= i; j++)
			json_decref(s->backlog[j]);
		memmove(s->backlog, s->backlog + i + 1,
			(s->nback - i - 1) * sizeof(s->backlog[0]));
		s->nback -= i + 1;
		return true;
	}
	return false;
}

static void on_event(const json_t *ev, void *arg)
{
	struct script *s = arg;

	if (s->finished)
		return;
	if (s->nback == SCRIPT_BACKLOG) {
		json_decref(s->backlog[0]);
		memmove(s->backlog, s->backlog + 1,
			(SCRIPT_BACKLOG - 1) * sizeof(s->backlog[0]));
		s->nback--;
	}
	s->backlog[s->nback++] = json_deep_copy(ev);
	if (!s->backlog[s->nback - 1]) {
		s->nback--;
		return;
	}
	if (s->in_wait && backlog_take(s, &s->steps[s->pc]))
		advance(s);
}

static void do_dump(struct script *s, const struct step *st)
{
	struct buf scr;
	int err;

	if (st->text) {
		err = ui_dump(s->ui, st->text);
		if (err)
			log_warn("script", "%s:%u: cannot write %s: %s",
				 s->name, st->line, st->text, strerror(err));
		return;
	}
	buf_init(&scr, 0);
	if (!ui_screen(s->ui, &scr) && scr.len) {
		/* stdout belongs to curses on a terminal: the log gets it. */
		if (ui_is_terminal(s->ui))
			log_info("script", "%s:%u: screen:\n%s", s->name,
				 st->line, scr.data);
		else if (fwrite(scr.data, 1, scr.len, stdout) != scr.len ||
			 fflush(stdout))
			log_warn("script", "cannot write the screen to "
				 "standard output");
	}
	buf_free(&scr);
}

static void run_step(void *arg)
{
	struct script *s = arg;
	struct step *st;

	if (s->finished)
		return;
	if (s->pc >= s->n) {
		finish(s, 0);
		return;
	}
	st = &s->steps[s->pc];
	switch (st->op) {
	case SCRIPT_KEY:
	case SCRIPT_TYPE:
		s->key_us = mono_us();
		s->key_line = st->line;
		s->key_pending = true;
		for (size_t i = 0; i < st->nkeys && !s->finished; i++)
			ui_key(s->ui, st->keys[i]);
		if (!s->finished)
			advance(s);
		break;
	case SCRIPT_SLEEP:
		s->pc++;
		tmr_start(s->loop, &s->next, st->ms, run_step, s);
		break;
	case SCRIPT_EXPECT:
		if (expect_holds(s, st)) {
			advance(s);
			break;
		}
		s->in_expect = true;
		tmr_start(s->loop, &s->timeout, st->ms, on_timeout, s);
		break;
	case SCRIPT_WAIT:
		if (backlog_take(s, st)) {
			advance(s);
			break;
		}
		s->in_wait = true;
		tmr_start(s->loop, &s->timeout, st->ms, on_timeout, s);
		break;
	case SCRIPT_DUMP:
		do_dump(s, st);
		advance(s);
		break;
	case SCRIPT_QUIT:
		s->pc++;
		finish(s, 0);
		break;
	}
}

int script_start(struct script *s, struct loop *loop, struct ui *ui,
		 script_done_h *h, void *arg)
{
	int err;

	s->loop = loop;
	s->ui = ui;
	s->done_h = h;
	s->done_arg = arg;
	s->pc = 0;
	if (getenv("SIPTTY_SCRIPT_TIMING") && *getenv("SIPTTY_SCRIPT_TIMING")) {
		s->timing = fopen(getenv("SIPTTY_SCRIPT_TIMING"), "we");
		if (!s->timing)
			return errno;
		setvbuf(s->timing, NULL, _IOLBF, 0);
	}
	err = events_subscribe(on_event, s);
	if (err)
		return err;
	s->subscribed = true;
	ui_set_redraw_handler(ui, on_redraw, s);
	tmr_start(loop, &s->next, 0, run_step, s);
	return 0;
}

static void detach(struct script *s)
{
	tmr_cancel(&s->next);
	tmr_cancel(&s->timeout);
	if (s->subscribed)
		events_unsubscribe(on_event, s);
	s->subscribed = false;
	if (s->ui)
		ui_set_redraw_handler(s->ui, NULL, NULL);
	s->ui = NULL;
}

int script_finish(struct script *s)
{
	s->done_h = NULL;
	/* Stopped from outside: fail only if a check was still to come. */
	for (size_t i = s->pc; !s->finished && i < s->n; i++) {
		if (s->steps[i].op != SCRIPT_WAIT &&
		    s->steps[i].op != SCRIPT_EXPECT)
			continue;
		(void)buf_printf(&s->failure,
				 _("%s:%u: siptty stopped before this %s "
				   "ran\n"), s->name, s->steps[i].line,
				 s->steps[i].op == SCRIPT_WAIT ? "wait" :
				 "expect");
		if (s->ui)
			fail_screen(s);
		finish(s, 1);
	}
	finish(s, 0);  /* a no-op when already finished */
	detach(s);
	return s->status;
}

const char *script_failure(const struct script *s)
{
	return s->failure.len ? s->failure.data : "";
}
