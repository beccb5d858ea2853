/* via.c - one via-parm: sent-protocol, sent-by and the parameters a transaction uses (RFC 3261 20.42). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* These are tokens or addresses, never quoted; only rport may come
 * without a value (RFC 3581).  One pass over the parameters, by name.
 * An unquoted value has already been scanned as 1*(token / host
 * characters) by sip_params(), so what is left to check is its presence. */
static int pick_params(struct sip_via *v, const struct sip_params *ps)
{
	uint32_t x;

	for (size_t i = 0; i < ps->n; i++) {
		const struct sip_param *p = &ps->v[i];
		struct pl *dst = NULL;

		switch (p->name.l) {
		case 3:
			if (SIP_IEQ(&p->name, "ttl"))
				dst = &v->ttl;
			break;
		case 5:
			if (SIP_IEQ(&p->name, "rport"))
				dst = &v->rport;
			else if (SIP_IEQ(&p->name, "maddr"))
				dst = &v->maddr;
			break;
		case 6:
			if (SIP_IEQ(&p->name, "branch"))
				dst = &v->branch;
			break;
		case 8:
			if (SIP_IEQ(&p->name, "received"))
				dst = &v->received;
			break;
		}
		if (!dst)
			continue;
		if (p->quoted || (!p->val.l && dst != &v->rport))
			return EBADMSG;
		if (p->val.p) {
			*dst = p->val;
		} else {
			dst->p = p->name.p + p->name.l;
			dst->l = 0;
		}
	}
	if (v->rport.l && sip_num(&v->rport, 65535, &x))
		return EBADMSG;
	if (v->ttl.p && sip_num(&v->ttl, 255, &x))
		return EBADMSG;
	return 0;
}

/* sip_params()' duplicate screen: one bit per (length, first letter). */
static inline uint64_t name_bit(const char *p, size_t l)
{
	return 1ull << ((l + ((unsigned char)p[0] | 0x20) * 7u) & 63);
}

/*
 * The shape nearly every Via has, "SIP/2.0/TLS host[:port]" then
 * ";name[=value]" parameters with no whitespace, no quotes and no IPv6
 * reference, in one pass over bare pointers.  It only ever succeeds on
 * input that the general path below decodes to the very same fields; on
 * anything else (or anything wrong) it returns -1 and the general path
 * decides, so every error still comes from there.
 */
static int via_fast(struct sip_via *v, const struct pl *s0)
{
	const char *p = s0->p, *e = s0->p + s0->l, *t, *first = NULL;
	uint64_t seen = 0, bit;
	uint32_t port = 0;
	size_t n = 0;

	if (e - p <= 8 || memcmp(p, "SIP/2.0/", 8) != 0)
		return -1;
	t = sip_run(p + 8, e, CT_TOKEN);
	if (t == p + 8 || e - t < 2 || t[0] != ' ' || !sip_is(t[1], CT_HOST) ||
	    t[1] == '.' || t[1] == '-')
		return -1;
	v->proto.p = p;
	v->proto.l = 3;
	v->version.p = p + 4;
	v->version.l = 3;
	v->transport.p = p + 8;
	v->transport.l = (size_t)(t - (p + 8));
	p = t + 1;
	t = sip_run(p, e, CT_HOST);
	v->host.p = p;
	v->host.l = (size_t)(t - p);
	p = t;
	if (p < e && *p == ':') {
		for (t = ++p; t < e && sip_is(*t, CT_DIGIT) && t - p < 5; t++)
			port = port * 10 + (unsigned)(*t - '0');
		if (t == p || port > 65535 || (t < e && sip_is(*t, CT_DIGIT)))
			return -1;
		v->port = (uint16_t)port;
		p = t;
	}
	while (p < e) {
		struct pl name, *dst = NULL;

		if (*p != ';' || n == SIP_PARAM_MAX)
			return -1;
		if (!first)
			first = p;
		t = sip_run(++p, e, CT_TOKEN);
		if (t == p)
			return -1;
		name.p = p;
		name.l = (size_t)(t - p);
		bit = name_bit(p, name.l);
		if (seen & bit)
			return -1;   /* maybe a duplicate: let sip_params() see */
		seen |= bit;
		/* what pick_params() picks */
		switch (name.l) {
		case 3:
			if (SIP_IEQ(&name, "ttl"))
				dst = &v->ttl;
			break;
		case 5:
			if (SIP_IEQ(&name, "rport"))
				dst = &v->rport;
			else if (SIP_IEQ(&name, "maddr"))
				dst = &v->maddr;
			break;
		case 6:
			if (SIP_IEQ(&name, "branch"))
				dst = &v->branch;
			break;
		case 8:
			if (SIP_IEQ(&name, "received"))
				dst = &v->received;
			break;
		}
		p = t;
		if (p < e && *p == '=') {
			t = sip_run_long(++p, e, CT_PVAL);
			if (t == p)
				return -1;
			if (dst) {
				dst->p = p;
				dst->l = (size_t)(t - p);
			}
			p = t;
		} else if (dst == &v->rport) {
			dst->p = p;
			dst->l = 0;
		} else if (dst) {
			return -1;
		}
		n++;
	}
	if (first) {
		v->params.p = first;
		v->params.l = (size_t)(e - first);
	} else {
		v->params.p = e;
	}
	if (v->rport.l && sip_num(&v->rport, 65535, &port))
		return -1;
	if (v->ttl.p && sip_num(&v->ttl, 255, &port))
		return -1;
	return 0;
}

int sip_via_decode(struct sip_via *v, const struct pl *s0)
{
	struct sip_params ps;
	struct pl s = *s0;
	int err;

	sip_zero(v, sizeof(*v));
	v->raw = *s0;
	if (via_fast(v, s0) == 0)
		return 0;
	sip_zero(v, sizeof(*v));
	v->raw = *s0;
	sip_lws(&s);
	/* sent-protocol = protocol-name SLASH protocol-version SLASH
	 * transport, where SLASH = SWS "/" SWS (RFC 4475 wsinv); nearly
	 * every Via starts with the plain form. */
	if (s.l > 8 && memcmp(s.p, "SIP/2.0/", 8) == 0) {
		v->proto.p = s.p;
		v->proto.l = 3;
		v->version.p = s.p + 4;
		v->version.l = 3;
		sip_adv(&s, 8);
	} else {
		err = sip_scan(&s, CT_TOKEN, &v->proto);
		if (err || !sip_sep(&s, '/'))
			return EBADMSG;
		err = sip_scan(&s, CT_TOKEN, &v->version);
		if (err || !sip_sep(&s, '/'))
			return EBADMSG;
	}
	err = sip_scan(&s, CT_TOKEN, &v->transport);
	if (err || !s.l || !sip_is(*s.p, CT_LWS))
		return EBADMSG;
	sip_lws(&s);
	err = sip_hostport(&s, &v->host, &v->ipv6, &v->port);
	if (err)
		return err;
	err = sip_params(&s, &v->params, 0, &ps);
	if (err)
		return err;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	return pick_params(v, &ps);
}
