/* validate.c - the checks a UAS makes before acting on a parsed message (RFC 3261 8.2, RFC 4475 3.1.2, 3.3). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

static int refuse(struct sip_msg *msg, struct sip_err *errp, int err,
		  uint16_t status, const char *reason, enum sip_hdr_id hdr)
{
	if (errp) {
		errp->err = err;
		errp->status = msg->req ? status : 0;
		errp->reason = reason;
		errp->hdr = hdr;
	}
	return err;
}

/* multi01: two To or two CSeq leave the message ambiguous; the first
 * repeat in message order is reported. */
static int check_dups(struct sip_msg *msg, struct sip_err *errp)
{
	uint64_t seen[2] = {0, 0};

	for (size_t i = 0; i < msg->nhdr; i++) {
		enum sip_hdr_id id = msg->hdrs[i].id;
		uint64_t bit = 1ull << (id & 63);

		if (!sip_hdr_single(id))
			continue;
		if (seen[id >> 6] & bit)
			return refuse(msg, errp, EBADMSG, 400,
				      sip_hdr_info(id)->dup, id);
		seen[id >> 6] |= bit;
	}
	return 0;
}

static int check_mandatory(struct sip_msg *msg, struct sip_err *errp)
{
	static const enum sip_hdr_id need[] = {
		SIP_HDR_TO, SIP_HDR_FROM, SIP_HDR_CALL_ID, SIP_HDR_CSEQ,
		SIP_HDR_VIA,
	};
	size_t i, j;

	/* Max-Forwards is left out: RFC 2543 peers do not send it and
	 * RFC 4475 inv2543 is to be accepted. */
	for (j = 0; j < sizeof(need) / sizeof(need[0]); j++) {
		i = 0;
		if (!sip_msg_hdr_next(msg, need[j], &i))
			return refuse(msg, errp, EBADMSG, 400,
				      sip_hdr_info(need[j])->missing, need[j]);
	}
	return 0;
}

static int check_ruri(struct sip_msg *msg, struct sip_err *errp)
{
	const struct sip_uri *u;
	int err;

	err = sip_msg_ruri(msg, &u);
	/* unkscm, novelsc: a scheme we cannot act on (RFC 3261 8.2.2.1). */
	if (err == EPROTONOSUPPORT)
		return refuse(msg, errp, err, 416, "Unsupported URI Scheme",
			      SIP_HDR_NONE);
	if (err)
		return refuse(msg, errp, err, err == E2BIG ? 414 : 400,
			      "Bad Request-URI", SIP_HDR_NONE);
	/* escruri: headers are not allowed in a Request-URI (19.1.5). */
	if (u->headers.l)
		return refuse(msg, errp, EBADMSG, 400, "Bad Request-URI",
			      SIP_HDR_NONE);
	return 0;
}

int sip_msg_validate(struct sip_msg *msg, struct sip_err *errp)
{
	const struct sip_cseq *cseq;
	const struct sip_vias *vias;
	int err;

	if (!msg)
		return EINVAL;
	err = check_dups(msg, errp);
	if (err)
		return err;
	err = check_mandatory(msg, errp);
	if (err)
		return err;
	if (msg->req) {
		err = check_ruri(msg, errp);
		if (err)
			return err;
	}
	err = sip_msg_decode_all(msg, errp);
	if (err)
		return err;

	(void)sip_msg_cseq(msg, &cseq);
	if (msg->req && !pl_eq(&cseq->method, &msg->method)) {
		/* mismatch02: a method nobody knows is refused as such
		 * before its CSeq is looked at. */
		if (msg->mid == SIP_M_OTHER)
			return refuse(msg, errp, EBADMSG, 501,
				      "Not Implemented", SIP_HDR_NONE);
		return refuse(msg, errp, EBADMSG, 400,
			      "CSeq Method Mismatch", SIP_HDR_CSEQ);
	}
	(void)sip_msg_vias(msg, &vias);
	/* badbranch: a branch that is only the magic cookie is neither an
	 * RFC 3261 branch nor an RFC 2543 one (RFC 4475 3.2.1). */
	if (msg->req && vias->n && pl_eq_str(&vias->v[0].branch, "z9hG4bK"))
		return refuse(msg, errp, EBADMSG, 400, "Bad Via Branch",
			      SIP_HDR_VIA);
	if (msg->body.l && !sip_msg_hdr_num(msg, SIP_HDR_CONTENT_TYPE))
		return refuse(msg, errp, EBADMSG, 400, "Missing Content-Type",
			      SIP_HDR_CONTENT_TYPE);
	return 0;
}
