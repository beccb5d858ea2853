/* qos.h - QoS reservation for a call's outgoing stream: RSVP PATH
 * (RFC 2205) carrying every RFC 3313 P-Media-Authorization token as an
 * RFC 2750 policy element in POLICY_DATA; Resv, PathErr, PathTear. */
#ifndef SIPTTY_AUDIO_QOS_H
#define SIPTTY_AUDIO_QOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct loop;
struct qos_session;

#define QOS_MAX_TOKENS 8
#define QOS_TOKEN_MAX_HEX 2048    /* hex digits in one token */

enum qos_state {
	QOS_NONE = 0,      /* no token: no RSVP is sent */
	QOS_PRESENTED,     /* PATH with the tokens sent, nothing back yet */
	QOS_RESERVED,      /* Resv came back */
	QOS_DENIED,        /* PathErr (policy failure, code 2, or another) */
	QOS_ERROR,         /* a token was malformed, or sending failed */
};
const char *qos_state_name(enum qos_state s);   /* "none", "presented", ... */

/*
 * Checks one P-Media-Authorization token (hex text, len bytes): an even
 * number of hex digits, at most QOS_TOKEN_MAX_HEX, and a policy element
 * whose lengths add up (RFC 3520 attributes inside an AUTH_SESSION
 * element).  0, or EBADMSG with one sentence in why.
 */
int qos_token_check(const char *hex, size_t len, char *why, size_t whysz);

/* The IntServ SENDER_TSPEC of a stream, sized from the codec. */
struct qos_tspec {
	float r, b, p;     /* token rate and peak (bytes/s), bucket (bytes) */
	uint32_t m, M;     /* min policed unit, max packet size (bytes) */
};
void qos_tspec_for(struct qos_tspec *t, const char *codec, uint32_t ptime,
		   uint32_t bitrate);

struct qos_params {
	unsigned call_id;
	const char *tokens[QOS_MAX_TOKENS];   /* hex, copied */
	size_t ntokens;
	char saddr[64];    /* our RTP address and port (SENDER_TEMPLATE) */
	uint16_t sport;
	char daddr[64];    /* the far end's (SESSION) */
	uint16_t dport;
	struct qos_tspec tspec;
	char edge_router[64];  /* "addr" or "addr:port" for UDP encapsulation
	                        * (port 1698 by default); "" = raw IP only */
	uint32_t refresh_ms;   /* R; 0 = 30000 */
};

/* state runs on the loop thread for every change; reason is "" or one
 * sentence (a PathErr's error code and value, a malformed token). */
typedef void (qos_state_h)(enum qos_state state, const char *reason,
			   void *arg);

/*
 * Starts the reservation: with no token, *qp = NULL and h is not called
 * (state none).  A malformed token: state error, nothing sent.  Else a
 * PATH by UDP to the edge router (RFC 2205 appendix C) when edge_router
 * is set, else by raw IP (protocol 46, Router Alert) towards daddr; when
 * the raw socket cannot be opened, state error.  Refreshed every R;
 * Resv -> reserved, PathErr -> denied.  Emits
 * {"type":"qos","call":N,"state":"...","reason":"...","tokens":N}.
 */
int qos_session_start(struct qos_session **qp, struct loop *loop,
		      const struct qos_params *p, qos_state_h *h, void *arg);
/* New tokens or addresses (a re-INVITE): the next PATH carries them. */
int qos_session_update(struct qos_session *q, const struct qos_params *p);
/* PathTear, then frees. */
void qos_session_stop(struct qos_session *q);

#endif
