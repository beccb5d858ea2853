/* param.c - generic parameters: ";name=value" lists and comma-separated auth-params. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* name [ EQUAL ( token / host / quoted-string [/ <URI>] ) ] */
static int scan_param(struct pl *s, struct sip_param *p, unsigned vcls,
		      unsigned flags)
{
	int err;

	err = sip_scan(s, CT_TOKEN, &p->name);
	if (err)
		return err;
	p->val.p = NULL;
	p->val.l = 0;
	p->quoted = false;
	if (!sip_sep(s, '='))
		return 0;
	if (sip_at(s, '"')) {
		p->quoted = true;
		return sip_qstr(s, &p->val);
	}
	if ((flags & SIP_P_ANGLE) && sip_at(s, '<')) {
		const char *gt = memchr(s->p, '>', s->l);

		if (!gt)
			return EBADMSG;
		p->val.p = s->p + 1;
		p->val.l = (size_t)(gt - s->p - 1);
		for (size_t i = 0; i < p->val.l; i++) {
			if (!sip_is(p->val.p[i], CT_URIC))
				return EBADMSG;
		}
		if (!p->val.l)
			return EBADMSG;
		sip_adv(s, (size_t)(gt - s->p) + 1);
		return 0;
	}
	return sip_scan(s, vcls, &p->val);
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

static int check_unique(const struct pl *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (name_eq(&names[i], &names[n]))
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

int sip_params(struct pl *s, struct pl *params, unsigned flags,
	       struct sip_params *out)
{
	struct pl names[SIP_PARAM_MAX];
	struct sip_param p;
	const char *first = NULL;
	size_t n = 0;
	struct pl t;
	int err;

	if (out)
		out->n = 0;
	params->p = s->p;
	params->l = 0;
	for (;;) {
		t = *s;
		sip_lws(&t);
		if (!sip_at(&t, ';'))
			break;
		if (!first)
			first = t.p;
		sip_adv(&t, 1);
		sip_lws(&t);
		err = scan_param(&t, &p, CT_PVAL, flags);
		if (err)
			return err;
		if (n == SIP_PARAM_MAX)
			return E2BIG;
		names[n] = p.name;
		/* A second tag or branch would let two readers disagree. */
		err = check_unique(names, n);
		if (err)
			return err;
		if (out)
			out->v[out->n++] = p;
		n++;
		*s = t;
	}
	if (first) {
		params->p = first;
		params->l = (size_t)(s->p - first);
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

/* auth-param *(COMMA auth-param), each one name=value, names unique. */
int sip_aparams(const struct pl *s)
{
	struct pl names[SIP_PARAM_MAX];
	struct sip_param p;
	struct pl t = *s;
	size_t n = 0;
	int err;

	sip_lws(&t);
	while (t.l) {
		if (n && !sip_sep(&t, ','))
			return EBADMSG;
		err = scan_param(&t, &p, CT_PVAL | CT_B64, 0);
		if (err)
			return err;
		if (!p.val.p)
			return EBADMSG;
		if (n == SIP_PARAM_MAX)
			return E2BIG;
		names[n] = p.name;
		err = check_unique(names, n);
		if (err)
			return err;
		n++;
		sip_lws(&t);
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
