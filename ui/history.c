/* history.c - the call history file: parse, format, append with a cap. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/history.h"

/*
 * The file: a version line "# siptty history 1", then per call
 *   WHEN TAB DIR TAB RESULT TAB CODE TAB SECONDS TAB VERDICT TAB WHO TAB PEER
 * WHEN is "2026-01-31T12:00:00Z", DIR "in" or "out", VERDICT a
 * hist_verdict_name() or "-" for an outgoing call, WHO "" or the
 * identity the verdict vouches for.
 */
#define HISTORY_MAGIC "# siptty history 1"
#define NFIELDS 8

/* N_(): the file keeps the English word, the screen translates it. */
static const char *const results[] = {
	N_("answered"), N_("missed"), N_("cancelled"), N_("failed"),
	N_("transferred"), N_("rejected"),
};

static const char *const verdicts[] = {
	[IDENT_UNVERIFIED] = "unverified",
	[IDENT_CHECKING] = "checking",
	[IDENT_VERIFIED] = "verified",
	[IDENT_ASSERTED] = "asserted",
	[IDENT_FAILED] = "failed",
	[IDENT_UNSUPPORTED] = "unsupported",
};

#define NRESULTS (sizeof(results) / sizeof(results[0]))
#define NVERDICTS (sizeof(verdicts) / sizeof(verdicts[0]))

const char *hist_result_name(enum hist_result r)
{
	return (size_t)r < NRESULTS ? results[r] : "?";
}

const char *hist_verdict_name(enum ident_kind k)
{
	return (size_t)k < NVERDICTS ? verdicts[k] : "?";
}

int history_alloc(struct history **hp)
{
	struct history *h = calloc(1, sizeof(*h));

	if (!h)
		return ENOMEM;
	h->v = calloc(HISTORY_MAX, sizeof(*h->v));
	if (!h->v) {
		free(h);
		return ENOMEM;
	}
	*hp = h;
	return 0;
}

void history_free(struct history *h)
{
	if (!h)
		return;
	free(h->v);
	free(h);
}

static void clean_copy(char *dst, size_t sz, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < sz; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
			 ' ' : src[i];
	dst[i] = '\0';
}

void history_add(struct history *h, const struct hist_entry *e)
{
	struct hist_entry *d;

	if (h->n == HISTORY_MAX) {
		memmove(h->v, h->v + 1, (HISTORY_MAX - 1) * sizeof(*h->v));
		h->n--;
	}
	d = &h->v[h->n++];
	*d = *e;
	clean_copy(d->who, sizeof(d->who), e->who);
	clean_copy(d->peer, sizeof(d->peer), e->peer);
}

static int parse_uint(const char *s, size_t n, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!n || n > 10)
		return EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return EINVAL;
	*out = (unsigned)v;
	return 0;
}

static int parse_when(const char *s, size_t n, time_t *out)
{
	struct tm tm;
	char tmp[32];
	char *end;

	if (n != 20)
		return EINVAL;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	memset(&tm, 0, sizeof(tm));
	end = strptime(tmp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return EINVAL;
	*out = timegm(&tm);
	return *out == (time_t)-1 ? EINVAL : 0;
}

static int lookup(const char *const *names, size_t nn, const char *s,
		  size_t n)
{
	for (size_t i = 0; i < nn; i++)
		if (names[i] && strlen(names[i]) == n &&
		    !memcmp(names[i], s, n))
			return (int)i;
	return -1;
}

static int parse_entry(const char *s, size_t n, struct hist_entry *e,
		       const char **why)
{
	const char *f[NFIELDS];
	size_t fl[NFIELDS], k = 0;
	const char *p = s, *end = s + n, *tab = NULL;
	int i;

	memset(e, 0, sizeof(*e));
	while (k < NFIELDS) {
		tab = memchr(p, '\t', (size_t)(end - p));
		f[k] = p;
		fl[k] = tab ? (size_t)(tab - p) : (size_t)(end - p);
		k++;
		if (!tab)
			break;
		p = tab + 1;
	}
	if (k != NFIELDS || tab) {
		*why = N_("a call needs 8 fields separated by tabs");
		return EBADMSG;
	}
	for (size_t j = 0; j < n; j++) {
		if (((unsigned char)s[j] < 0x20 && s[j] != '\t') ||
		    s[j] == 0x7f) {
			*why = N_("the line holds a control character");
			return EBADMSG;
		}
	}
	if (parse_when(f[0], fl[0], &e->when)) {
		*why = N_("the time is not like 2026-01-31T12:00:00Z");
		return EBADMSG;
	}
	if (fl[1] == 2 && !memcmp(f[1], "in", 2)) {
		e->out = false;
	} else if (fl[1] == 3 && !memcmp(f[1], "out", 3)) {
		e->out = true;
	} else {
		*why = N_("the direction is neither in nor out");
		return EBADMSG;
	}
	i = lookup(results, NRESULTS, f[2], fl[2]);
	if (i < 0) {
		*why = N_("the result is not answered, missed, cancelled, "
			  "failed, transferred or rejected");
		return EBADMSG;
	}
	e->result = (enum hist_result)i;
	if (parse_uint(f[3], fl[3], 699, &e->code) ||
	    parse_uint(f[4], fl[4], 100u * 24 * 3600, &e->duration_s)) {
		*why = N_("the code or the duration is not a number in range");
		return EBADMSG;
	}
	if (fl[5] == 1 && f[5][0] == '-') {
		e->have_verdict = false;
	} else {
		i = lookup(verdicts, NVERDICTS, f[5], fl[5]);
		if (i < 0) {
			*why = N_("the identity verdict is not known");
			return EBADMSG;
		}
		e->have_verdict = true;
		e->verdict = (enum ident_kind)i;
	}
	if (fl[6] >= sizeof(e->who) || !fl[7] || fl[7] >= sizeof(e->peer)) {
		*why = N_("the identity or the address is too long, or the "
			  "address is missing");
		return EBADMSG;
	}
	memcpy(e->who, f[6], fl[6]);
	e->who[fl[6]] = '\0';
	memcpy(e->peer, f[7], fl[7]);
	e->peer[fl[7]] = '\0';
	return 0;
}

int history_parse(struct history *h, const char *text, unsigned *line,
		  const char **why)
{
	unsigned ln = 0;
	struct hist_entry e;

	h->n = 0;
	while (*text) {
		size_t n = strcspn(text, "\n");
		int err = 0;

		ln++;
		if (n && text[n - 1] == '\r') {
			*why = N_("the line ends in CR LF");
			err = EBADMSG;
		} else if (ln == 1) {
			if (n != strlen(HISTORY_MAGIC) ||
			    memcmp(text, HISTORY_MAGIC, n)) {
				*why = N_("the first line is not "
					  "\"# siptty history 1\"");
				err = EBADMSG;
			}
		} else if (n > HISTORY_LINE_MAX) {
			*why = N_("the line is longer than 1024 bytes");
			err = EBADMSG;
		} else if (!text[n]) {
			/* A writer never leaves a line without its end. */
			*why = N_("the last line is cut short");
			err = EBADMSG;
		} else {
			err = parse_entry(text, n, &e, why);
			if (!err)
				history_add(h, &e);
		}
		if (err) {
			*line = ln;
			h->n = 0;
			return err;
		}
		text += n;
		if (*text)
			text++;
	}
	return 0;
}

int history_format(const struct history *h, struct buf *out)
{
	(void)buf_puts(out, HISTORY_MAGIC "\n");
	for (size_t i = 0; i < h->n; i++) {
		const struct hist_entry *e = &h->v[i];
		char when[32] = "1970-01-01T00:00:00Z";
		struct tm tm;

		if (gmtime_r(&e->when, &tm))
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ",
				 &tm);
		(void)buf_printf(out, "%s\t%s\t%s\t%u\t%u\t%s\t%s\t%s\n",
				 when, e->out ? "out" : "in",
				 hist_result_name(e->result), e->code,
				 e->duration_s, e->have_verdict ?
				 hist_verdict_name(e->verdict) : "-",
				 e->who, e->peer);
	}
	return out->err;
}
