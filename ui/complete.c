/* complete.c - dialler completion from contacts and recent calls. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ui/complete.h"
#include "ui/contacts.h"
#include "ui/history.h"
#include "ui/target.h"

static bool starts(const char *s, const char *prefix, size_t n)
{
	return !strncasecmp(s, prefix, n);
}

static bool addr_matches(const char *uri, const char *t, size_t n)
{
	const char *colon = strchr(uri, ':');

	return starts(uri, t, n) || (colon && starts(colon + 1, t, n));
}

static bool name_matches(const char *name, const char *t, size_t n)
{
	for (const char *w = name; *w; ) {
		if (starts(w, t, n))
			return true;
		w += strcspn(w, " ");
		w += strspn(w, " ");
	}
	return false;
}

static size_t add(const char **out, size_t k, size_t max, const char *uri)
{
	for (size_t i = 0; i < k; i++)
		if (!strcasecmp(out[i], uri))
			return k;
	if (k < max)
		out[k++] = uri;
	return k;
}

size_t complete_find(const struct contacts *cs, const struct history *h,
		     const char *text, const char **out, size_t max)
{
	size_t n = strlen(text), k = 0;

	if (!n)
		return 0;
	for (size_t i = 0; cs && i < cs->n; i++)
		if (name_matches(cs->v[i].name, text, n) ||
		    addr_matches(cs->v[i].uri, text, n))
			k = add(out, k, max, cs->v[i].uri);
	for (size_t i = h ? h->n : 0; i-- > 0;)
		if (addr_matches(h->v[i].peer, text, n) ||
		    (h->v[i].who[0] && starts(h->v[i].who, text, n)))
			k = add(out, k, max, h->v[i].peer);
	return k;
}

int complete_user(const char *text, const char *aor, char *out, size_t sz)
{
	enum target_kind kind;
	const char *why, *at, *host;
	bool sips = !strncasecmp(aor, "sips:", 5);
	size_t hl;
	int n;

	if (target_check(text, &kind, &why) || kind != TARGET_USER ||
	    strchr(text, '@'))
		return EINVAL;
	at = strchr(aor, '@');
	host = at ? at + 1 : strchr(aor, ':');
	if (!host || (!at && !*++host))
		return EINVAL;
	hl = strcspn(host, ";?>");
	if (!hl)
		return EINVAL;
	n = snprintf(out, sz, "%s:%s@%.*s", sips ? "sips" : "sip", text,
		     (int)hl, host);
	return n < 0 || (size_t)n >= sz ? ENAMETOOLONG : 0;
}
