/* pl.c - helpers for pointer-length slices. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/pl.h"

void pl_set_str(struct pl *pl, const char *s)
{
	pl->p = s;
	pl->l = s ? strlen(s) : 0;
}

bool pl_isset(const struct pl *pl)
{
	return pl && pl->p != NULL;
}

bool pl_eq(const struct pl *a, const struct pl *b)
{
	return a->l == b->l && (a->l == 0 || memcmp(a->p, b->p, a->l) == 0);
}

bool pl_caseeq(const struct pl *a, const struct pl *b)
{
	return a->l == b->l && (a->l == 0 || strncasecmp(a->p, b->p, a->l) == 0);
}

bool pl_eq_str(const struct pl *pl, const char *s)
{
	struct pl b;

	pl_set_str(&b, s);
	return pl_eq(pl, &b);
}

bool pl_caseeq_str(const struct pl *pl, const char *s)
{
	struct pl b;

	pl_set_str(&b, s);
	return pl_caseeq(pl, &b);
}

static bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void pl_trim(struct pl *pl)
{
	while (pl->l && is_lws(pl->p[0])) {
		pl->p++;
		pl->l--;
	}
	while (pl->l && is_lws(pl->p[pl->l - 1]))
		pl->l--;
}

const char *pl_chr(const struct pl *pl, char c)
{
	if (!pl->l)
		return NULL;
	return memchr(pl->p, c, pl->l);
}

/* Strict decimal: digits only, no sign, no blanks, overflow is ERANGE. */
int pl_u64(const struct pl *pl, uint64_t *vp)
{
	uint64_t v = 0;
	size_t i;

	if (!pl || !pl->l)
		return EINVAL;
	for (i = 0; i < pl->l; i++) {
		unsigned d;

		if (pl->p[i] < '0' || pl->p[i] > '9')
			return EINVAL;
		d = (unsigned)(pl->p[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return ERANGE;
		v = v * 10 + d;
	}
	*vp = v;
	return 0;
}

int pl_u32(const struct pl *pl, uint32_t *vp)
{
	uint64_t v;
	int err;

	err = pl_u64(pl, &v);
	if (err)
		return err;
	if (v > UINT32_MAX)
		return ERANGE;
	*vp = (uint32_t)v;
	return 0;
}

int pl_strdup(char **dstp, const struct pl *pl)
{
	char *s;

	s = malloc(pl->l + 1);
	if (!s)
		return ENOMEM;
	if (pl->l)
		memcpy(s, pl->p, pl->l);
	s[pl->l] = '\0';
	*dstp = s;
	return 0;
}

/* Copies and NUL-terminates; returns the length a full copy needs. */
size_t pl_strcpy(char *dst, size_t sz, const struct pl *pl)
{
	size_t n;

	if (sz) {
		n = pl->l < sz - 1 ? pl->l : sz - 1;
		if (n)
			memcpy(dst, pl->p, n);
		dst[n] = '\0';
	}
	return pl->l;
}
