/* privacy.c - privacy levels (RFC 3323 Privacy values plus RFC 3325 id): parsing, printing, cycling. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"
#include "ua/privacy.h"

static const struct {
	const char *name;
	unsigned bit;
} words[] = {
	{"user", PRIV_USER},
	{"header", PRIV_HEADER},
	{"session", PRIV_SESSION},
	{"id", PRIV_ID},
	{"critical", PRIV_CRITICAL},
	{"none", PRIV_NONE},
};

#define NWORDS (sizeof(words) / sizeof(words[0]))

static int refuse(struct buf *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int refuse(struct buf *why, const char *fmt, ...)
{
	va_list ap;

	if (why) {
		va_start(ap, fmt);
		(void)buf_vprintf(why, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

int privacy_parse(unsigned *levelp, const char *s, struct buf *why)
{
	unsigned level = 0;
	const char *p = s;

	if (!levelp || !s)
		return EINVAL;
	for (;;) {
		size_t n, i;

		p += strspn(p, " \t;,");
		if (!*p)
			break;
		n = strcspn(p, " \t;,");
		for (i = 0; i < NWORDS; i++)
			if (strlen(words[i].name) == n &&
			    !strncasecmp(p, words[i].name, n))
				break;
		if (i == NWORDS) {
			char w[32];

			snprintf(w, sizeof(w), "%.*s", (int)(n < 24 ? n : 24),
				 p);
			return refuse(why, _("privacy: \"%s\" is not a privacy "
					     "level; use none, or any of user, "
					     "header, session, id, with "
					     "critical"), w);
		}
		if (level & words[i].bit)
			return refuse(why, _("privacy: \"%s\" is given twice; "
					     "name each level once"),
				      words[i].name);
		level |= words[i].bit;
		p += n;
	}
	if (!level)
		return refuse(why, _("privacy: no level is given; use none, "
				     "or any of user, header, session, id"));
	/* RFC 3323 4.2: "none" stands alone. */
	if ((level & PRIV_NONE) && level != PRIV_NONE)
		return refuse(why, _("privacy: \"%s\" cannot be combined with "
				     "other levels; use none alone"), "none");
	/* critical qualifies the others; on its own it asks for nothing. */
	if (level == PRIV_CRITICAL)
		return refuse(why, _("privacy: \"%s\" needs another level "
				     "with it, such as user;critical"),
			      "critical");
	*levelp = level;
	return 0;
}

void privacy_str(char *out, size_t sz, unsigned level)
{
	size_t len = 0;

	if (!sz)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < NWORDS; i++) {
		int n;

		if (!(level & words[i].bit))
			continue;
		n = snprintf(out + len, sz - len, "%s%s", len ? ";" : "",
			     words[i].name);
		if (n < 0 || (size_t)n >= sz - len)
			break;
		len += (size_t)n;
	}
}

unsigned privacy_next(unsigned level)
{
	static const unsigned cycle[] = {
		0, PRIV_NONE, PRIV_USER, PRIV_HEADER, PRIV_ID,
		PRIV_USER | PRIV_HEADER | PRIV_ID,
	};
	size_t n = sizeof(cycle) / sizeof(cycle[0]);

	for (size_t i = 0; i < n; i++)
		if (cycle[i] == level)
			return cycle[(i + 1) % n];
	return 0;
}
