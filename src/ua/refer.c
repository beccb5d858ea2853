/* refer.c - blind transfer (RFC 3515): the Refer-To target and the message/sipfrag progress of a refer subscription. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "core/buf.h"
#include "core/pl.h"
#include "sip/msg.h"
#include "sip/tsx.h"
#include "sip/uri.h"
#include "ua/refer.h"

int refer_target(struct sip_msg *req, char *out, size_t sz)
{
	const struct sip_addr *a;
	struct pl v, raw;
	int err;

	if (!req || !out || !sz)
		return EINVAL;
	err = sip_msg_addr(req, SIP_HDR_REFER_TO, &a);
	if (err)
		return err == ENOENT ? ENOENT : EBADMSG;
	if (!a->uri_ok)
		return pl_caseeq_str(&a->scheme, "sip") ||
		       pl_caseeq_str(&a->scheme, "sips") ||
		       pl_caseeq_str(&a->scheme, "tel") ? EBADMSG :
		       EPROTONOSUPPORT;
	/* RFC 3515 2.1: a method parameter asks for something else than a
	 * call; only INVITE is a transfer. */
	if (!sip_uri_param(&a->uri, "method", &v) &&
	    !pl_caseeq_str(&v, "INVITE"))
		return ENOTSUP;
	/* RFC 5589 7: Replaces makes it an attended transfer. */
	if (!sip_uri_header(&a->uri, "Replaces", &v))
		return ENOTSUP;
	raw = a->uri.raw;
	if (pl_isset(&a->uri.headers) && a->uri.headers.p > raw.p)
		raw.l = (size_t)(a->uri.headers.p - 1 - raw.p);
	if (raw.l >= sz)
		return E2BIG;
	pl_strcpy(out, sz, &raw);
	return 0;
}

int refer_sipfrag_build(struct buf *b, uint16_t code, const char *reason)
{
	if (!b || code < 100 || code > 699)
		return EINVAL;
	if (!reason || !*reason)
		reason = sip_tsx_reason(code);
	if (strpbrk(reason, "\r\n"))
		return EINVAL;
	return buf_printf(b, "SIP/2.0 %u %s\r\n", code, reason);
}

int refer_sipfrag_status(const struct pl *body, uint16_t *codep)
{
	static const char ver[] = "SIP/2.0 ";
	struct pl num;
	uint32_t v;

	if (!body || !codep)
		return EINVAL;
	if (body->l < sizeof(ver) - 1 + 3 || body->l > REFER_SIPFRAG_MAX ||
	    strncmp(body->p, ver, sizeof(ver) - 1))
		return EBADMSG;
	num.p = body->p + sizeof(ver) - 1;
	num.l = 3;
	/* Three digits, then the reason after a space, or the line end. */
	if (body->l > sizeof(ver) - 1 + 3 && num.p[3] != ' ' &&
	    num.p[3] != '\r' && num.p[3] != '\n')
		return EBADMSG;
	if (pl_u32(&num, &v) || v < 100 || v > 699)
		return EBADMSG;
	*codep = (uint16_t)v;
	return 0;
}

int refer_notify_parse(struct sip_msg *notify, struct refer_notify *rn)
{
	const struct sip_event *ev;
	const struct sip_substate *ss;
	const struct sip_ctype *ct;
	struct pl body;
	int err;

	if (!notify || !rn)
		return EINVAL;
	err = sip_msg_event(notify, &ev);
	if (err)
		return err == ENOENT ? ENOENT : EBADMSG;
	if (!pl_caseeq_str(&ev->package, "refer"))
		return ENOENT;
	if (sip_msg_substate(notify, &ss) || sip_msg_ctype(notify, &ct) ||
	    !pl_caseeq_str(&ct->type, "message") ||
	    !pl_caseeq_str(&ct->subtype, "sipfrag"))
		return EBADMSG;
	body = sip_msg_body(notify);
	err = refer_sipfrag_status(&body, &rn->code);
	if (err)
		return err;
	rn->terminated = pl_caseeq_str(&ss->state, "terminated");
	return 0;
}
