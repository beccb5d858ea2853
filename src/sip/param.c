/* param.c - generic parameters: ";name=value" lists and comma-separated auth-params. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

static inline const char *skip_lws(const char *p, const char *e)
{
	while (p < e && sip_is(*p, CT_LWS))
		p++;
	return p;
}

/*
 * name [ EQUAL ( token / host / quoted-string [/ <URI>] ) ] at *pp, on
 * bare pointers: this runs for every parameter of every Via and address.
 * *pp moves past the parameter only when it is well formed.
 */
static inline __attribute__((always_inline)) int
scan_param_p(const char **pp, const char *e, struct sip_param *p,
	     unsigned vcls, unsigned flags)
{
	const char *a = *pp, *t;

	t = sip_run(a, e, CT_TOKEN);
	if (t == a)
		return EBADMSG;
	p->name.p = a;
	p->name.l = (size_t)(t - a);
	p->val.p = NULL;
	p->val.l = 0;
	p->quoted = false;
	/* EQUAL = SWS "=" SWS; without one the parameter ends at its name */
	a = skip_lws(t, e);
	if (a == e || *a != '=') {
		*pp = t;
		return 0;
	}
	a = skip_lws(a + 1, e);
	if (a < e && *a == '"') {
		struct pl q = {a, (size_t)(e - a)};
		int err;

		p->quoted = true;
		err = sip_qstr(&q, &p->val);
		if (err)
			return err;
		*pp = q.p;
		return 0;
	}
	if ((flags & SIP_P_ANGLE) && a < e && *a == '<') {
		const char *gt = memchr(a, '>', (size_t)(e - a));

		if (!gt)
			return EBADMSG;
		p->val.p = a + 1;
		p->val.l = (size_t)(gt - a - 1);
		for (size_t i = 0; i < p->val.l; i++) {
			if (!sip_is(p->val.p[i], CT_URIC))
				return EBADMSG;
		}
		if (!p->val.l)
			return EBADMSG;
		*pp = gt + 1;
		return 0;
	}
	t = sip_run_long(a, e, vcls);
	if (t == a)
		return EBADMSG;
	p->val.p = a;
	p->val.l = (size_t)(t - a);
	*pp = t;
	return 0;
}

static int scan_param(struct pl *s, struct sip_param *p, unsigned vcls,
		      unsigned flags)
{
	const char *a = s->p;
	int err;

	err = scan_param_p(&a, s->p + s->l, p, vcls, flags);
	if (!err)
		sip_adv(s, (size_t)(a - s->p));
	return err;
}

/* One bit per (length, first letter in any case): names that differ in
 * either cannot be equal, so the pairwise check runs only on a hit. */
static inline uint64_t name_bit(const struct pl *n)
{
	return 1ull << ((n->l + ((unsigned char)n->p[0] | 0x20) * 7u) & 63);
}

/* Names compare in any case; tokens fold with OR 0x20 (see sip_ieq). */
static bool name_eq(const struct pl *a, const struct pl *b)
{
	if (a->l != b->l)
		return false;
	for (size_t i = 0; i < a->l; i++) {
		if ((a->p[i] | 0x20) != (b->p[i] | 0x20))
			return false;
	}
	return true;
}

/* ps[n] against the names before it. */
static int check_unique(const struct sip_param *ps, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (name_eq(&ps[i].name, &ps[n].name))
			return EBADMSG;
	}
	return 0;
}

const struct sip_param *sip_params_find(const struct sip_params *ps,
					const char *lc, size_t n)
{
	for (size_t i = 0; i < ps->n; i++) {
		if (sip_ieq(&ps->v[i].name, lc, n))
			return &ps->v[i];
	}
	return NULL;
}

int sip_params_plain(const char *p, const char *e, struct pl *params,
		     struct sip_params *out, const struct sip_param **tag)
{
	const char *first = p, *t;
	uint64_t seen = 0, bit;
	size_t n = 0;

	while (p < e) {
		struct sip_param *x;

		if (*p != ';' || n == SIP_PARAM_MAX)
			return -1;
		x = &out->v[n];
		t = sip_run(++p, e, CT_TOKEN);
		if (t == p)
			return -1;
		x->name.p = p;
		x->name.l = (size_t)(t - p);
		x->val.p = NULL;
		x->val.l = 0;
		x->quoted = false;
		bit = name_bit(&x->name);
		if (seen & bit)
			return -1;   /* maybe a duplicate: sip_params() decides */
		seen |= bit;
		p = t;
		if (x->name.l == 3 && SIP_IEQ(&x->name, "tag")) {
			/* tag = token, never empty: scanned as one here, so
			 * that the caller need not look at it again. */
			if (p == e || *p != '=')
				return -1;
			t = sip_run_long(++p, e, CT_TOKEN);
			if (t == p || (t < e && *t != ';'))
				return -1;
			x->val.p = p;
			x->val.l = (size_t)(t - p);
			p = t;
			*tag = x;
		} else if (p < e && *p == '=') {
			t = sip_run_long(++p, e, CT_PVAL);
			if (t == p)
				return -1;
			x->val.p = p;
			x->val.l = (size_t)(t - p);
			p = t;
		}
		n++;
	}
	out->n = n;
	params->p = first;
	params->l = (size_t)(e - first);
	return 0;
}

int sip_params(struct pl *s, struct pl *params, unsigned flags,
	       struct sip_params *out)
{
	struct sip_params local;
	struct sip_param *p;
	const char *first = NULL, *a = s->p, *e = s->p + s->l, *t;
	uint64_t seen = 0, bit;
	size_t n = 0;
	int err;

	/* The parameters are scanned straight into out (or a local list):
	 * their names are what the uniqueness check reads back. */
	if (!out)
		out = &local;
	params->p = s->p;
	params->l = 0;
	for (;;) {
		t = skip_lws(a, e);
		if (t == e || *t != ';')
			break;
		if (!first)
			first = t;
		t = skip_lws(t + 1, e);
		if (n == SIP_PARAM_MAX) {
			/* over the bound, unless this one is bad anyway */
			struct sip_param x;

			err = scan_param_p(&t, e, &x, CT_PVAL, flags);
			out->n = n;
			return err ? err : E2BIG;
		}
		p = &out->v[n];
		err = scan_param_p(&t, e, p, CT_PVAL, flags);
		if (err) {
			out->n = n;
			return err;
		}
		/* A second tag or branch would let two readers disagree. */
		bit = name_bit(&p->name);
		if (seen & bit) {
			err = check_unique(out->v, n);
			if (err) {
				out->n = n;
				return err;
			}
		}
		seen |= bit;
		n++;
		a = t;
	}
	out->n = n;
	sip_adv(s, (size_t)(a - s->p));
	if (first) {
		params->p = first;
		params->l = (size_t)(a - first);
	}
	return 0;
}

int sip_param_next(struct pl *rest, char sep, struct sip_param *p)
{
	sip_lws(rest);
	if (sep == ',' && sip_at(rest, ','))
		sip_adv(rest, 1);
	else if (sep == ';' && sip_at(rest, ';'))
		sip_adv(rest, 1);
	else if (sep == ';' || !rest->l)
		return ENOENT;
	sip_lws(rest);
	if (!rest->l)
		return ENOENT;
	return scan_param(rest, p, CT_PVAL | CT_B64, SIP_P_ANGLE) ? ENOENT : 0;
}

/* auth-param *(COMMA auth-param), each one name=value, names unique; on
 * bare pointers, since a challenge or credentials line holds a dozen. */
int sip_aparams(const struct pl *s)
{
	struct sip_param ps[SIP_PARAM_MAX], x;
	const char *p = s->p, *e = s->p + s->l, *t;
	uint64_t seen = 0, bit;
	size_t n = 0;
	int err;

	p = skip_lws(p, e);
	while (p < e) {
		struct sip_param *q = n < SIP_PARAM_MAX ? &ps[n] : &x;

		if (n) {
			/* COMMA = SWS "," SWS; the first SWS is behind p
			 * already (the end of the loop) */
			t = p;
			if (t == e || *t != ',')
				return EBADMSG;
			p = skip_lws(t + 1, e);
		}
		err = scan_param_p(&p, e, q, CT_PVAL | CT_B64, 0);
		if (err)
			return err;
		if (!q->val.p)
			return EBADMSG;
		if (n == SIP_PARAM_MAX)
			return E2BIG;
		bit = name_bit(&q->name);
		if (seen & bit) {
			err = check_unique(ps, n);
			if (err)
				return err;
		}
		seen |= bit;
		n++;
		p = skip_lws(p, e);
	}
	return 0;
}

int sip_param_get(const struct pl *params, const char *name, struct pl *val)
{
	struct pl rest = *params;
	struct sip_param p;

	if (!rest.p)
		return ENOENT;
	while (sip_param_next(&rest, ';', &p) == 0) {
		if (pl_caseeq_str(&p.name, name)) {
			if (p.val.p) {
				*val = p.val;
			} else {
				val->p = p.name.p + p.name.l;
				val->l = 0;
			}
			return 0;
		}
	}
	return ENOENT;
}

int sip_auth_param(const struct sip_auth *a, const char *name,
		   struct pl *val)
{
	struct pl rest = a->params;
	struct sip_param p;

	if (!rest.p)
		return ENOENT;
	while (sip_param_next(&rest, ',', &p) == 0) {
		if (pl_caseeq_str(&p.name, name)) {
			*val = p.val;
			return 0;
		}
	}
	return ENOENT;
}

/* Used for display names and warn-text: both quoted and token forms. */
int sip_qstr_text(struct buf *out, const struct pl *s)
{
	struct pl t = *s;
	size_t i;

	sip_lws(&t);
	while (t.l && sip_is(t.p[t.l - 1], CT_LWS))
		t.l--;
	if (t.l >= 2 && t.p[0] == '"' && t.p[t.l - 1] == '"') {
		t.p++;
		t.l -= 2;
		for (i = 0; i < t.l; i++) {
			char c = t.p[i];

			if (c == '\\' && i + 1 < t.l)
				c = t.p[++i];
			else if (c == '\r' || c == '\n')
				continue;
			buf_putc(out, c);
		}
		return out->err;
	}
	for (i = 0; i < t.l; i++) {
		if (t.p[i] != '\r' && t.p[i] != '\n')
			buf_putc(out, t.p[i]);
	}
	return out->err;
}
