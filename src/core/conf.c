/* conf.c - INI loading through inih, with a schema that names file and line. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <ini.h>

#include "core/conf.h"
#include "core/i18n.h"

enum ctype {
	C_STR,
	C_BOOL,
	C_INT,
	C_ENUM,
	C_PATH,      /* a file that must exist */
	C_SECRET_PATH, /* ... and must not be readable by others */
};

struct ckey {
	const char *section;  /* "account" matches "account NAME" */
	const char *key;
	enum ctype type;
	long min, max;        /* C_INT */
	const char *values;   /* C_ENUM: "a|b|c" */
};

/* The schema: one row per key siptty understands (siptty.conf(5)). */
static const struct ckey schema[] = {
	{"general", "log_file", C_STR, 0, 0, NULL},
	{"general", "log_level", C_ENUM, 0, 0, "debug|info|warn|error"},
	{"general", "events_file", C_STR, 0, 0, NULL},
	{"sip", "t1_ms", C_INT, 50, 10000, NULL},
	{"sip", "t2_ms", C_INT, 500, 60000, NULL},
	{"sip", "t4_ms", C_INT, 500, 60000, NULL},
	{"sip", "listen", C_STR, 0, 0, NULL},
	{"sip", "user_agent", C_STR, 0, 0, NULL},
	{"sip", "dns_servers", C_STR, 0, 0, NULL},
	{"sip", "tcp_first_message_s", C_INT, 1, 600, NULL},
	{"sip", "tcp_idle_s", C_INT, 1, 86400, NULL},
	{"sip", "tcp_max_connections", C_INT, 1, 4096, NULL},
	{"sip", "tcp_max_per_address", C_INT, 1, 4096, NULL},
	{"account", "aor", C_STR, 0, 0, NULL},
	{"account", "display_name", C_STR, 0, 0, NULL},
	{"account", "registrar", C_STR, 0, 0, NULL},
	{"account", "outbound_proxy", C_STR, 0, 0, NULL},
	{"account", "username", C_STR, 0, 0, NULL},
	{"account", "password", C_STR, 0, 0, NULL},
	{"account", "password_file", C_SECRET_PATH, 0, 0, NULL},
	{"account", "transport", C_ENUM, 0, 0, "udp|tcp|tls"},
	{"account", "require_tls", C_BOOL, 0, 0, NULL},
	{"account", "register", C_BOOL, 0, 0, NULL},
	{"account", "expires", C_INT, 60, 86400, NULL},
	{"account", "sec_agree", C_BOOL, 0, 0, NULL},
	{"account", "options_ping", C_INT, 0, 86400, NULL},
	{"account", "privacy", C_STR, 0, 0, NULL},
	{"account", "srtp", C_ENUM, 0, 0, "mandatory|optional|off"},
	{"account", "qos", C_BOOL, 0, 0, NULL},
	{"account", "qos_edge_router", C_STR, 0, 0, NULL},
	{"account", "trusted_hosts", C_STR, 0, 0, NULL},
	{"account", "preferred_identity", C_STR, 0, 0, NULL},
	{"account", "keep_headers", C_STR, 0, 0, NULL},
	{"tls", "ca_file", C_PATH, 0, 0, NULL},
	{"tls", "cert_file", C_PATH, 0, 0, NULL},
	{"tls", "key_file", C_SECRET_PATH, 0, 0, NULL},
	{"identity", "trust_anchors", C_PATH, 0, 0, NULL},
	{"identity", "iat_window", C_INT, 1, 3600, NULL},
	{"identity", "reject_invalid_identity", C_BOOL, 0, 0, NULL},
	{"identity", "require_identity", C_BOOL, 0, 0, NULL},
	{"identity", "fetch_timeout_ms", C_INT, 100, 60000, NULL},
	{"identity", "max_cert_bytes", C_INT, 1024, 1048576, NULL},
	{"identity", "fetch_ca_file", C_PATH, 0, 0, NULL},
	{"audio", "driver", C_ENUM, 0, 0, "portaudio|pulse|wav|null"},
	{"audio", "input_device", C_STR, 0, 0, NULL},
	{"audio", "output_device", C_STR, 0, 0, NULL},
	{"audio", "codecs", C_STR, 0, 0, NULL},
	{"audio", "ptime", C_INT, 10, 60, NULL},
	{"audio", "rtp_ports", C_STR, 0, 0, NULL},
	{"audio", "opus_bitrate", C_INT, 6000, 510000, NULL},
	{"audio", "opus_complexity", C_INT, 0, 10, NULL},
	{"audio", "opus_fec", C_BOOL, 0, 0, NULL},
	{"audio", "opus_dtx", C_BOOL, 0, 0, NULL},
	{"audio", "jitter_min_ms", C_INT, 0, 1000, NULL},
	{"audio", "jitter_max_ms", C_INT, 20, 5000, NULL},
	{"ui", "color", C_BOOL, 0, 0, NULL},
	{"keys", "*", C_STR, 0, 0, NULL},
};

struct centry {
	char *section;
	char *key;
	char *value;
	unsigned line;
};

struct conf {
	char *file;
	struct centry *ent;
	size_t nent, capent;
	struct conf_err err[CONF_MAX_ERRORS];
	size_t nerr;
	size_t nerr_dropped;
	unsigned line;        /* the line inih is on, counted by our reader */
};

static void conf_fail(struct conf *conf, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void conf_fail(struct conf *conf, unsigned line, const char *fmt, ...)
{
	struct conf_err *e;
	va_list ap;

	if (conf->nerr == CONF_MAX_ERRORS) {
		conf->nerr_dropped++;
		return;
	}
	e = &conf->err[conf->nerr++];
	e->file = conf->file;
	e->line = line;
	va_start(ap, fmt);
	(void)vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

static bool section_matches(const char *pattern, const char *section)
{
	size_t n = strlen(pattern);

	if (!strcmp(pattern, "account"))
		return !strncmp(section, pattern, n) && section[n] == ' ' &&
		       section[n + 1] != '\0' && section[n + 1] != ' ';
	return !strcmp(pattern, section);
}

static bool section_known(const char *section)
{
	for (size_t i = 0; i < sizeof(schema) / sizeof(schema[0]); i++)
		if (section_matches(schema[i].section, section))
			return true;
	return false;
}

static const struct ckey *schema_find(const char *section, const char *key)
{
	for (size_t i = 0; i < sizeof(schema) / sizeof(schema[0]); i++) {
		const struct ckey *k = &schema[i];

		if (!section_matches(k->section, section))
			continue;
		if (!strcmp(k->key, "*") || !strcmp(k->key, key))
			return k;
	}
	return NULL;
}

static bool parse_bool(const char *v, bool *b)
{
	static const char *yes[] = {"yes", "true", "on", "1"};
	static const char *no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*b = true;
			return true;
		}
		if (!strcasecmp(v, no[i])) {
			*b = false;
			return true;
		}
	}
	return false;
}

static bool parse_long(const char *v, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end)
		return false;
	*out = n;
	return true;
}

static bool enum_has(const char *values, const char *v)
{
	size_t n = strlen(v);

	for (const char *p = values; p && *p;) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);

		if (len == n && !strncmp(p, v, n))
			return true;
		p = bar ? bar + 1 : NULL;
	}
	return false;
}

static void check_value(struct conf *conf, const struct ckey *k,
			const char *section, const char *key, const char *v)
{
	struct stat st;
	bool b;
	long n;

	switch (k->type) {
	case C_STR:
		break;
	case C_BOOL:
		if (!parse_bool(v, &b))
			conf_fail(conf, conf->line,
				  _("[%s] %s: \"%s\" is not yes or no"),
				  section, key, v);
		break;
	case C_INT:
		if (!parse_long(v, &n))
			conf_fail(conf, conf->line,
				  _("[%s] %s: \"%s\" is not a whole number"),
				  section, key, v);
		else if (n < k->min || n > k->max)
			conf_fail(conf, conf->line,
				  _("[%s] %s: %ld is out of range (%ld to %ld)"),
				  section, key, n, k->min, k->max);
		break;
	case C_ENUM:
		if (!enum_has(k->values, v))
			conf_fail(conf, conf->line,
				  _("[%s] %s: \"%s\" is not one of %s"),
				  section, key, v, k->values);
		break;
	case C_PATH:
	case C_SECRET_PATH:
		if (stat(v, &st) < 0) {
			conf_fail(conf, conf->line, _("[%s] %s: cannot use %s: %s"),
				  section, key, v, strerror(errno));
		} else if (k->type == C_SECRET_PATH && (st.st_mode & 077)) {
			conf_fail(conf, conf->line,
				  _("[%s] %s: %s can be read by other users; "
				    "run chmod 600 %s"),
				  section, key, v, v);
		}
		break;
	}
}

static int conf_ini_entry(void *user, const char *section, const char *name,
		       const char *value)
{
	struct conf *conf = user;
	const struct ckey *k;
	struct centry *e;

	if (!name)  /* a bare [section] line: checked at the first key */
		return 1;
	if (!section_known(section)) {
		conf_fail(conf, conf->line, _("unknown section [%s]"), section);
		return 1;
	}
	k = schema_find(section, name);
	if (!k) {
		conf_fail(conf, conf->line, _("[%s]: unknown setting \"%s\""),
			  section, name);
		return 1;
	}
	for (size_t i = 0; i < conf->nent; i++) {
		if (!strcmp(conf->ent[i].section, section) &&
		    !strcmp(conf->ent[i].key, name)) {
			conf_fail(conf, conf->line,
				  _("[%s] %s is set twice (first on line %u)"),
				  section, name, conf->ent[i].line);
			return 1;
		}
	}
	check_value(conf, k, section, name, value);
	if (conf->nent == CONF_MAX_ENTRIES) {
		conf_fail(conf, conf->line, _("too many settings (at most %d)"),
			  CONF_MAX_ENTRIES);
		return 1;
	}
	if (conf->nent == conf->capent) {
		size_t cap = conf->capent ? conf->capent * 2 : 32;
		struct centry *ent = realloc(conf->ent, cap * sizeof(*ent));

		if (!ent)
			return 0;
		conf->ent = ent;
		conf->capent = cap;
	}
	e = &conf->ent[conf->nent];
	e->section = strdup(section);
	e->key = strdup(name);
	e->value = strdup(value);
	e->line = conf->line;
	if (!e->section || !e->key || !e->value) {
		free(e->section);
		free(e->key);
		free(e->value);
		return 0;
	}
	conf->nent++;
	return 1;
}

/* inih's handler is not told the line: our reader counts them. */
struct reader {
	struct conf *conf;
	FILE *fp;
	const char *text;
};

/* What inih accepts, checked here so that every bad line is reported
 * with its number (inih itself stops at the first). */
static bool line_syntax_ok(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s || *s == '\n' || *s == '\r' || *s == ';' || *s == '#')
		return true;
	if (*s == '[')
		return strchr(s, ']') != NULL;
	return strchr(s, '=') != NULL || strchr(s, ':') != NULL;
}

static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	bool whole;
	char *s;

	if (r->fp) {
		s = fgets(str, num, r->fp);
		whole = !s || strchr(s, '\n') || feof(r->fp);
	} else {
		size_t n = 0;

		if (!*r->text)
			return NULL;
		while (r->text[n] && r->text[n] != '\n' && n + 2 < (size_t)num)
			n++;
		if (r->text[n] == '\n')
			n++;
		memcpy(str, r->text, n);
		str[n] = '\0';
		r->text += n;
		s = str;
		whole = strchr(s, '\n') || !*r->text;
	}
	if (!s)
		return NULL;
	r->conf->line++;
	if (!whole) {
		/* inih would read the rest as a line of its own: refuse instead
		 * of guessing, and skip to the end of the line. */
		int c;

		conf_fail(r->conf, r->conf->line,
			  _("line is longer than %d characters"), num - 2);
		if (r->fp) {
			while ((c = fgetc(r->fp)) != EOF && c != '\n')
				;
		} else {
			while (*r->text && *r->text != '\n')
				r->text++;
			if (*r->text)
				r->text++;
		}
		str[0] = '\0';  /* inih sees an empty line */
	} else if (!line_syntax_ok(s)) {
		conf_fail(r->conf, r->conf->line,
			  _("syntax error: expected [section] or "
			    "key = value"));
		str[0] = '\0';
	}
	return s;
}

static int conf_new(struct conf **confp, const char *name)
{
	struct conf *conf = calloc(1, sizeof(*conf));

	if (!conf)
		return ENOMEM;
	conf->file = strdup(name);
	if (!conf->file) {
		free(conf);
		return ENOMEM;
	}
	*confp = conf;
	return 0;
}

static int conf_parse(struct conf *conf, struct reader *r)
{
	int line;

	line = ini_parse_stream(read_line, r, conf_ini_entry, conf);
	if (line < 0)
		return ENOMEM;
	if (line > 0) {
		/* inih reports the first line it could not read as INI (or a
		 * handler failure, which here only means memory). */
		bool known = false;

		for (size_t i = 0; i < conf->nerr; i++)
			known |= conf->err[i].line == (unsigned)line;
		if (!known)
			conf_fail(conf, (unsigned)line,
				  _("syntax error: expected [section] or "
				    "key = value"));
	}
	return conf->nerr ? EBADMSG : 0;
}

int conf_load(struct conf **confp, const char *path)
{
	struct conf *conf = NULL;
	struct reader r = {0};
	int err;

	r.fp = fopen(path, "re");
	if (!r.fp)
		return errno;
	err = conf_new(&conf, path);
	if (err)
		goto out;
	r.conf = conf;
	err = conf_parse(conf, &r);
 out:
	fclose(r.fp);
	if (err && err != EBADMSG) {
		conf_free(conf);
		return err;
	}
	*confp = conf;
	return err;
}

int conf_load_string(struct conf **confp, const char *name, const char *text)
{
	struct conf *conf = NULL;
	struct reader r = {0};
	int err;

	err = conf_new(&conf, name);
	if (err)
		return err;
	r.conf = conf;
	r.text = text;
	err = conf_parse(conf, &r);
	if (err && err != EBADMSG) {
		conf_free(conf);
		return err;
	}
	*confp = conf;
	return err;
}

void conf_free(struct conf *conf)
{
	if (!conf)
		return;
	for (size_t i = 0; i < conf->nent; i++) {
		free(conf->ent[i].section);
		free(conf->ent[i].key);
		/* passwords may sit here: wipe before freeing */
		explicit_bzero(conf->ent[i].value, strlen(conf->ent[i].value));
		free(conf->ent[i].value);
	}
	free(conf->ent);
	free(conf->file);
	free(conf);
}

size_t conf_nerrors(const struct conf *conf)
{
	return conf ? conf->nerr : 0;
}

const struct conf_err *conf_error(const struct conf *conf, size_t i)
{
	return i < conf->nerr ? &conf->err[i] : NULL;
}

void conf_error_print(struct buf *out, const struct conf_err *e)
{
	if (e->line)
		buf_printf(out, "%s:%u: %s", e->file, e->line, e->msg);
	else
		buf_printf(out, "%s: %s", e->file, e->msg);
}

static const struct centry *find(const struct conf *conf, const char *section,
				 const char *key)
{
	for (size_t i = 0; conf && i < conf->nent; i++)
		if (!strcmp(conf->ent[i].section, section) &&
		    !strcmp(conf->ent[i].key, key))
			return &conf->ent[i];
	return NULL;
}

const char *conf_get(const struct conf *conf, const char *section,
		     const char *key)
{
	const struct centry *e = find(conf, section, key);

	return e ? e->value : NULL;
}

unsigned conf_line(const struct conf *conf, const char *section,
		   const char *key)
{
	const struct centry *e = find(conf, section, key);

	return e ? e->line : 0;
}

bool conf_get_bool(const struct conf *conf, const char *section,
		   const char *key, bool dflt)
{
	const char *v = conf_get(conf, section, key);
	bool b;

	return v && parse_bool(v, &b) ? b : dflt;
}

long conf_get_int(const struct conf *conf, const char *section,
		  const char *key, long dflt)
{
	const char *v = conf_get(conf, section, key);
	long n;

	return v && parse_long(v, &n) ? n : dflt;
}

int conf_entry(const struct conf *conf, const char *section, size_t i,
	       const char **key, const char **value, unsigned *line)
{
	for (size_t k = 0; conf && k < conf->nent; k++) {
		if (strcmp(conf->ent[k].section, section) || i--)
			continue;
		*key = conf->ent[k].key;
		*value = conf->ent[k].value;
		*line = conf->ent[k].line;
		return 0;
	}
	return ENOENT;
}

const char *conf_section_name(const struct conf *conf, const char *prefix,
			      size_t i)
{
	size_t n = strlen(prefix), seen = 0;

	for (size_t k = 0; conf && k < conf->nent; k++) {
		const char *s = conf->ent[k].section;
		bool first = true;

		if (strncmp(s, prefix, n) || s[n] != ' ')
			continue;
		for (size_t j = 0; j < k; j++)
			if (!strcmp(conf->ent[j].section, s))
				first = false;
		if (first && seen++ == i)
			return s + n + 1;
	}
	return NULL;
}

int conf_default_path(char *out, size_t sz)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	int n;

	if (xdg && *xdg)
		n = snprintf(out, sz, "%s/siptty/siptty.conf", xdg);
	else if (home && *home)
		n = snprintf(out, sz, "%s/.config/siptty/siptty.conf", home);
	else
		return ENOENT;
	return n < 0 || (size_t)n >= sz ? ENAMETOOLONG : 0;
}
