/* call_int.h - the call layer's structs and the functions its files share (not installed). */
#ifndef SIPTTY_UA_CALL_INT_H
#define SIPTTY_UA_CALL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/loop.h"
#include "sip/target.h"
#include "audio/media.h"
#include "audio/qos.h"
#include "ua/call.h"
#include "ua/ident.h"
#include "ua/offer.h"

struct account;
struct buf;
struct sip_msg;
struct sip_stsx;

#define CALL_LOG "call"
#define MAX_ACCOUNTS 16

struct call_acct {
	struct account *acc;
	struct auth *auth;     /* the account's credentials for calls */
};

struct call {
	struct call *next;
	struct call_mgr *cm;
	struct call_acct *ca;
	unsigned id;
	enum call_state state;
	bool out;
	char peer[256];
	char ruri[256];
	char callid[256];
	char ltag[32];
	/* The call's privacy level (ua/privacy.h); 0: the account's. */
	unsigned privacy;
	uint32_t cseq;              /* of the last INVITE outside the dialog */
	/* The next hop: fixed for the call (the proxy that Record-Routes,
	 * or the far end itself). */
	struct sip_target tgt;
	bool have_tgt;
	struct stack_conn *conn;    /* ours (outgoing), or the stack's */
	bool own_conn;
	struct resolver_query *q;
	struct sip_dialog *dlg;
	/* Our INVITE and our last re-INVITE, each kept until its
	 * transaction ends: later 2xx (retransmissions, forks) get ACKs. */
	struct sip_ctsx *inv;
	struct sip_ctsx *reinv;
	bool inv_final;             /* the INVITE got its final response */
	bool reinv_pending;         /* the re-INVITE awaits its final one */
	struct sip_ctsx *bye;       /* our BYE under way */
	struct sip_stsx *st;        /* the incoming INVITE, while it rings */
	struct sip_msg *offer_req;  /* its copy (sip_stsx_request) */
	struct sip_uas2xx *u2xx;
	struct offer_local lo;
	struct offer_result media;
	bool have_media;
	bool local_hold, remote_hold;
	bool want_hold;             /* what the re-INVITE under way asks */
	bool cancelling;            /* hung up before the answer */
	bool glare_wait;
	unsigned rounds;
	struct tmr tmr;             /* auto-answer, glare back-off, linger */
	/* Blind transfer (RFC 3515).  Transferor: our REFER, then its
	 * subscription until a final NOTIFY or xfer_tmr. */
	struct sip_ctsx *refer;
	char xfer_to[256];
	bool xfer_pending;          /* REFER sent or accepted, no outcome */
	struct tmr xfer_tmr;
	/* Transferee: the call the REFER made (0: none), the REFER's CSeq
	 * for the NOTIFYs' Event id, and whether that call was answered. */
	unsigned xfer_child;
	uint32_t xfer_id;
	bool xfer_done;
	unsigned referrer;          /* the new call: the call it replaces */
	uint64_t start_ms, end_ms;
	uint16_t code;
	bool muted;
	struct ident_verdict ident;
	/* RFC 3313: the P-Media-Authorization tokens of the most recent
	 * message that carried any (hex, owned); pma_bad when that header
	 * could not be decoded (nothing will be sent). */
	char *pma[QOS_MAX_TOKENS];
	size_t npma;
	bool pma_bad;
	char pma_why[96];
	/* Media (audio/media.h) and its QoS reservation (audio/qos.h). */
	char maddr[64];             /* our media address, as in our SDP */
	struct media_session *ms;
	struct media_params mp;     /* what it runs with (keys wiped) */
	bool media_running;
	struct qos_session *qos;
	enum qos_state qos_state;
	char qos_reason[160];
	bool qos_told;              /* the "none"/"error" event went out */
	char dtmf_rx[32];
	/* Incoming: the identity check under way. */
	struct ident_req *ireq;
	bool preview;               /* never placed: no media, no sockets */
};

struct call_mgr {
	struct stack *st;
	struct call_acct acct[MAX_ACCOUNTS];
	size_t nacct;
	struct call *calls;
	unsigned next_id;
	unsigned selected;
	uint16_t port_min, port_max;
	bool auto_answer;
	unsigned auto_answer_s;
	unsigned next_privacy;      /* for the next call placed; 0: account's */
	call_change_h *change_h;
	void *change_arg;
	struct media_engine *me;    /* NULL: calls without audio (tests) */
	struct ident_ctx *ident;    /* NULL: every caller unverified */
	char *codecs;               /* [audio] codecs, NULL: the default */
	uint32_t ptime;             /* [audio] ptime, 0: the default */
	uint32_t opus_bitrate;      /* for the QoS reservation's size */
};

/* call.c: the state machine, calls and their lookups. */
bool call_is_live(const struct call *c);
bool call_is_up(const struct call *c);
void call_changed(struct call_mgr *cm);
void call_unlink_free(struct call *c);
void call_set_state(struct call *c, enum call_state s, uint16_t code,
		    const char *reason);
void call_settle(struct call *c, uint16_t code);
struct call *call_find_id(const struct call_mgr *cm, unsigned id);
struct call *call_selected(const struct call_mgr *cm);
int call_privacy_bind(struct call *c);
int call_new(struct call **cp, struct call_mgr *cm, struct call_acct *ca,
	     bool out);
int call_target_uri(char *out, size_t sz, const struct account *acc,
		    const char *target);
int call_dial_from(struct call_mgr *cm, struct call_acct *ca,
		   const char *target, unsigned referrer, struct call **cp);

/* call_media.c: media and QoS. */
void pma_clear(struct call *c);
void pma_take(struct call *c, struct sip_msg *msg);
void call_media_stop(struct call *c);
void call_media_sync(struct call *c);
void call_on_event(const json_t *ev, void *arg);

/* call_out.c: the requests we build and send, and their answers. */
int call_contact_add(struct call *c, struct sip_msg *m, const char *hp);
int call_common_hdrs(struct call *c, struct sip_msg *m);
int call_make_sdp(struct call *c, struct buf *b, const char *hp,
		  const char *offer, size_t len);
int call_set_sdp(struct sip_msg *m, const struct buf *b);
int call_dialog_request(struct call *c, const char *method,
			struct sip_msg **reqp, char *hp, size_t hpsz);
int call_send_bye(struct call *c);
int call_build_invite(struct call *c, const char *hp, struct sip_msg **reqp);
void call_send_reinvite(struct call *c);
int call_route(struct call *c);

/* call_in.c: incoming requests. */
int call_answer_2xx(struct call *c, struct sip_stsx *st, struct sip_msg *req);
bool call_on_request(struct sip_stsx *st, struct sip_msg *req, void *arg);

/* call_xfer.c: blind transfer, both roles. */
void call_refer_progress(struct call *nc);
void call_refer_recv(struct call *c, struct sip_stsx *st,
		     struct sip_msg *req);
void call_notify_recv(struct call *c, struct sip_stsx *st,
		      struct sip_msg *req);

#endif
