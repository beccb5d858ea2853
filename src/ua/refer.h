/* refer.h - blind transfer (RFC 3515): the Refer-To target and the message/sipfrag progress of a refer subscription. */
#ifndef SIPTTY_UA_REFER_H
#define SIPTTY_UA_REFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct pl;
struct sip_msg;

/* The subscription a REFER makes lasts this long (RFC 3515 2.4.4): the
 * transfer is given up when no final NOTIFY came by then. */
#define REFER_EXPIRES_S 60
#define REFER_SIPFRAG_MAX 256   /* the sipfrag bodies we read and build */

/*
 * The URI a REFER asks us to call: Refer-To's sip:, sips: or tel: URI,
 * without its header part.  ENOENT without a Refer-To, EBADMSG when it
 * is malformed, EPROTONOSUPPORT for another scheme, ENOTSUP for a method
 * other than INVITE or an embedded Replaces (attended transfer, RFC 3891,
 * not done), E2BIG when it does not fit in sz bytes.
 */
int refer_target(struct sip_msg *req, char *out, size_t sz);

/* Appends the sipfrag "SIP/2.0 <code> <reason>\r\n" (reason NULL: the
 * RFC 3261 phrase).  EINVAL for a code outside 100..699. */
int refer_sipfrag_build(struct buf *b, uint16_t code, const char *reason);

/* The status code of a sipfrag's status line (RFC 3420; more lines may
 * follow).  EBADMSG when it does not start with one. */
int refer_sipfrag_status(const struct pl *body, uint16_t *codep);

/* What a NOTIFY of a refer subscription says. */
struct refer_notify {
	uint16_t code;          /* of the sipfrag */
	bool terminated;        /* Subscription-State: terminated */
};

/* ENOENT when the NOTIFY is for another event package, EBADMSG when it
 * has no Subscription-State, no message/sipfrag body, or a bad one. */
int refer_notify_parse(struct sip_msg *notify, struct refer_notify *rn);

#endif
