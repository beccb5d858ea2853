/* tsx.h - SIP client and server transactions (RFC 3261 17, RFC 6026). */
#ifndef SIPTTY_SIP_TSX_H
#define SIPTTY_SIP_TSX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "sip/msg.h"
#include "sip/target.h"

/*
 * Timer values in milliseconds; 0 takes the RFC 3261 Table 4 default.
 * Retransmission timers (A, E, G) run only when the transaction's
 * transport is UDP; D, I, J and K are 0 on TCP and TLS.
 */
struct sip_tsx_cfg {
	uint32_t t1;            /* 500 */
	uint32_t t2;            /* 4000 */
	uint32_t t4;            /* 5000 */
	uint32_t td;            /* Timer D: max(32 s, 64*T1) */
	uint32_t trying;        /* INVITE server: 100 Trying after 200 */
	size_t max_tsx;         /* client + server transactions: 1024 */
};

/*
 * How transactions reach the wire.  The transaction layer never opens a
 * socket: the UA wires this to the transport, tests to a recorder.  flow
 * is the transport's opaque connection handle (may be NULL): a server
 * transaction answers over the flow its request came in on.  Whether a
 * transport is reliable is read from dst->tp (UDP is not).
 */
typedef int (sip_tsx_send_h)(void *arg, const struct sip_msg *msg,
			     const struct sip_target *dst, void *flow);
struct sip_tsx_io {
	sip_tsx_send_h *send;
	void *arg;
};

struct sip_tsx_layer;
struct sip_ctsx;
struct sip_stsx;

/*
 * A request that starts a new server transaction (st set; answer it with
 * sip_stsx_respond() or sip_stsx_send(), now or later), or an ACK that
 * matches no INVITE server transaction (st NULL: the ACK for a 2xx,
 * which belongs to the dialog, RFC 3261 17.2.3, 13.3.1.4).  req is
 * valid during the call; for a new transaction sip_stsx_request() keeps
 * a copy for as long as the transaction lives.
 */
typedef void (sip_tsx_req_h)(struct sip_stsx *st, struct sip_msg *req,
			     const struct sip_target *src, void *flow,
			     void *arg);

int sip_tsx_layer_alloc(struct sip_tsx_layer **lp, struct loop *loop,
			const struct sip_tsx_cfg *cfg,
			const struct sip_tsx_io *io, sip_tsx_req_h *reqh,
			void *arg);
/* Frees every transaction without reporting anything.  Never call it
 * from inside a transaction handler. */
void sip_tsx_layer_free(struct sip_tsx_layer *l);
/* The effective timer values (defaults filled in). */
const struct sip_tsx_cfg *sip_tsx_layer_cfg(const struct sip_tsx_layer *l);
/* Live transactions, client and server. */
size_t sip_tsx_layer_count(const struct sip_tsx_layer *l);
/* Sends outside any transaction (ACK for 2xx, stateless answers). */
int sip_tsx_layer_send(struct sip_tsx_layer *l, const struct sip_msg *msg,
		       const struct sip_target *dst, void *flow);

/*
 * Everything the transport receives, after sip_msg_validate() passed.
 * msg is borrowed (the caller frees it).  0 when a transaction took it
 * or the request was answered here; ENOENT for a response that matches
 * no client transaction (a stray 2xx: the UA re-sends its ACK); other
 * errno values when the message could not be handled.
 */
int sip_tsx_recv(struct sip_tsx_layer *l, struct sip_msg *msg,
		 const struct sip_target *src, void *flow);

/*
 * A response skeleton for req (RFC 3261 8.2.6.2): every Via, From, To,
 * Call-ID and CSeq copied; to_tag is added to a To without a tag unless
 * the status is 100.  reason NULL takes the RFC 3261 phrase.
 */
int sip_tsx_response_alloc(struct sip_msg **respp, struct sip_msg *req,
			   uint16_t status, const char *reason,
			   const char *to_tag);
/* The reason phrase of RFC 3261 21 ("" when unknown). */
const char *sip_tsx_reason(uint16_t status);
/* Puts a new top Via "SIP/2.0/<tp> <sent_by>;branch=z9hG4bK...;rport". */
int sip_tsx_via_add(struct sip_msg *req, enum sip_tp tp, const char *sent_by);

/* ------------------------------------------------------------------ */
/* Client transactions (RFC 3261 17.1)                                 */
/* ------------------------------------------------------------------ */

enum sip_ctsx_state {
	SIP_CTSX_CALLING = 0,   /* INVITE */
	SIP_CTSX_TRYING,        /* non-INVITE */
	SIP_CTSX_PROCEEDING,
	SIP_CTSX_COMPLETED,
	SIP_CTSX_ACCEPTED,      /* INVITE after a 2xx (RFC 6026) */
	SIP_CTSX_TERMINATED,
};

enum sip_ctsx_ev {
	SIP_CTSX_EV_RESPONSE,      /* resp set: a 1xx, the final response, or
	                            * a further 2xx while Accepted (forks and
	                            * retransmissions: ACK each one) */
	SIP_CTSX_EV_TIMEOUT,       /* Timer B or F: answer as 408 */
	SIP_CTSX_EV_ERROR,         /* the transport refused to send */
	SIP_CTSX_EV_TERMINATED,    /* last event: the pointer dies after it */
};

typedef void (sip_ctsx_h)(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
			  struct sip_msg *resp, void *arg);

/*
 * Starts a client transaction and sends req (which must carry a top Via
 * with a z9hG4bK branch and a CSeq).  req is taken over in every case.
 * E2BIG when the layer is full.  *ctp (may be NULL) stays valid until
 * the SIP_CTSX_EV_TERMINATED event.
 */
int sip_ctsx_alloc(struct sip_ctsx **ctp, struct sip_tsx_layer *l,
		   struct sip_msg *req, const struct sip_target *dst,
		   void *flow, sip_ctsx_h *h, void *arg);
/* A new handler; NULL detaches the TU (timers and the ACK go on). */
void sip_ctsx_set_handler(struct sip_ctsx *ct, sip_ctsx_h *h, void *arg);
enum sip_ctsx_state sip_ctsx_state(const struct sip_ctsx *ct);
const char *sip_ctsx_state_name(enum sip_ctsx_state s);
struct sip_msg *sip_ctsx_request(const struct sip_ctsx *ct);

/* The CANCEL for an INVITE client transaction (RFC 3261 9.1): EINVAL
 * for another method, EAGAIN before a provisional response arrived,
 * EALREADY once a final one did. */
int sip_ctsx_cancel_alloc(struct sip_msg **cancelp, struct sip_ctsx *ct);
/* Sends that CANCEL in its own transaction, or, before any provisional
 * response, as soon as one arrives.  The INVITE ends with 487 through
 * its own handler. */
int sip_ctsx_cancel(struct sip_ctsx *ct);

/* ------------------------------------------------------------------ */
/* Server transactions (RFC 3261 17.2)                                 */
/* ------------------------------------------------------------------ */

enum sip_stsx_state {
	SIP_STSX_TRYING = 0,    /* non-INVITE */
	SIP_STSX_PROCEEDING,
	SIP_STSX_COMPLETED,
	SIP_STSX_CONFIRMED,     /* INVITE: ACK for the non-2xx came */
	SIP_STSX_ACCEPTED,      /* INVITE after a 2xx (RFC 6026) */
	SIP_STSX_TERMINATED,
};

enum sip_stsx_ev {
	SIP_STSX_EV_CANCELLED,     /* a CANCEL matched (it got its 200):
	                            * send 487 if no final response went */
	SIP_STSX_EV_ACKED,         /* ACK for the non-2xx final response */
	SIP_STSX_EV_TIMEOUT,       /* Timer H: no ACK came */
	SIP_STSX_EV_ERROR,         /* the transport refused to send */
	SIP_STSX_EV_TERMINATED,    /* last event: the pointer dies after it */
};

typedef void (sip_stsx_h)(struct sip_stsx *st, enum sip_stsx_ev ev,
			  void *arg);

void sip_stsx_set_handler(struct sip_stsx *st, sip_stsx_h *h, void *arg);
enum sip_stsx_state sip_stsx_state(const struct sip_stsx *st);
const char *sip_stsx_state_name(enum sip_stsx_state s);
struct sip_msg *sip_stsx_request(const struct sip_stsx *st);
/* The To tag this transaction puts on its responses (made on first use
 * when the request had none; the request's own tag otherwise). */
const char *sip_stsx_tag(struct sip_stsx *st);
/* Where responses go: the request's source and flow. */
void sip_stsx_peer(const struct sip_stsx *st, struct sip_target *dst,
		   void **flowp);
/* Sends a response (taken over in every case) and moves the state on.
 * EALREADY after a final response, except a 2xx again while Accepted
 * (the UAS core's retransmission); EIO when the transport refused it,
 * and then the transaction is gone (SIP_STSX_EV_TERMINATED came). */
int sip_stsx_send(struct sip_stsx *st, struct sip_msg *resp);
/* Builds the response with sip_tsx_response_alloc() and the tag of
 * sip_stsx_tag(), then sends it. */
int sip_stsx_respond(struct sip_stsx *st, uint16_t status, const char *reason);

#endif
