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

int sip_via_decode(struct sip_via *v, const struct pl *s0)
{
	struct sip_params ps;
	struct pl s = *s0;
	int err;

	memset(v, 0, sizeof(*v));
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
