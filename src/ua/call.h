/* call.h - calls: INVITE with SDP offer/answer, CANCEL, BYE, hold by re-INVITE, incoming calls (RFC 3261, RFC 3264). */
#ifndef SIPTTY_UA_CALL_H
#define SIPTTY_UA_CALL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ua/ident.h"

struct account;
struct conf;
struct stack;
struct call_mgr;

enum call_state {
	CALL_CALLING = 0,       /* INVITE sent, nothing back but 100 */
	CALL_RINGING,           /* 180 */
	CALL_EARLY,             /* 183 with SDP: early media */
	CALL_INCOMING,          /* an INVITE came, we sent 180 */
	CALL_ANSWERED,
	CALL_HELD,              /* we hold (whatever the far end does) */
	CALL_REMOTE_HELD,       /* the far end holds */
	CALL_ENDED,
	CALL_FAILED,
	CALL_TRANSFERRED,       /* ended: a blind transfer (REFER) succeeded */
};

/* An ended state: ended, failed or transferred. */
bool call_state_final(enum call_state s);

/* Bounds. */
#define CALL_MAX 8              /* live calls at once; more get 486 */
#define CALL_AUTH_ROUNDS 3      /* challenges answered per request */
#define CALL_LINGER_MS 3000     /* an ended call stays on screen this long */

/* What the screen shows of one call. */
struct call_info {
	unsigned id;
	char account[64];
	bool out;
	char peer[256];
	enum call_state state;
	bool local_hold, remote_hold;
	char codec[16];         /* "" before the answer */
	uint64_t start_ms;      /* loop_now_ms() of the answer, 0 before */
	uint64_t end_ms;        /* of the end, 0 while live */
	uint16_t code;
	bool selected;
	/* Incoming: who is calling (ua/ident.h); outgoing: kind unverified
	 * with method "".  display and from are the unverified From. */
	struct ident_verdict ident;
	char srtp[32];          /* the SRTP suite in use, "" for none */
	char qos[16];           /* audio/qos.h state name, "" when qos is off */
	char qos_reason[160];
	bool muted;
	double loss_pct;        /* RTCP: -1 while unknown */
	double jitter_ms;
	double rtt_ms;          /* -1 while unknown */
	char dtmf_rx[32];       /* digits received, the latest last */
};

typedef void (call_change_h)(void *arg);

/*
 * The call manager takes the stack's request handler.  conf may be NULL;
 * it reads [audio] rtp_ports ("16384-32766").  Every state change of
 * every call is a `call` event:
 * {"type":"call","call":ID,"account":NAME,"dir":"out|in","peer":URI,
 *  "state":"calling|ringing|early|incoming|answered|held|remote-held|
 *  ended|failed|transferred","code":N,"reason":"...","codec":"..."}
 * "transferred" ends a call that a blind transfer replaced: the
 * transferor's, when the NOTIFY said 2xx (code: the sipfrag's), and the
 * transferee's, when the transferor's BYE came after the new call was up.
 * A call placed because of a REFER has "referred_by":ID (the old call).
 */
int call_mgr_alloc(struct call_mgr **cmp, struct stack *st,
		   const struct conf *conf);
void call_mgr_free(struct call_mgr *cm);
struct media_engine;
struct ident_ctx;
/* Calls get audio from me (audio/media.h); without one they have none. */
void call_mgr_set_media(struct call_mgr *cm, struct media_engine *me);
/* Incoming calls are checked by ic (ua/ident.h) before they ring; without
 * one every caller is unverified. */
void call_mgr_set_ident(struct call_mgr *cm, struct ident_ctx *ic);
/* acc must outlive the manager.  A call leaves from the first account
 * whose domain is the target's host, else from the first account. */
int call_mgr_add_account(struct call_mgr *cm, struct account *acc);
/* Incoming calls are answered after seconds (0: at once); off with false. */
void call_mgr_set_auto_answer(struct call_mgr *cm, bool on, unsigned seconds);
/* h runs after any change the screen shows. */
void call_mgr_set_change_handler(struct call_mgr *cm, call_change_h *h,
				 void *arg);

/* Places a call to a sip:, sips: or tel: URI (or user@host, user: the
 * first account's domain), from the account call_mgr_add_account says.  *idp (may be NULL) gets the call's id. */
int call_dial(struct call_mgr *cm, const char *target, unsigned *idp);
/* The selected incoming call, or the first one: 200 with our answer.
 * Calls that are up are put on hold first.  ENOENT when none rings,
 * EAGAIN while the caller's identity is still being checked. */
int call_answer(struct call_mgr *cm);
/* The selected call: CANCEL, BYE, or reject (486, or 603 with decline). */
int call_hangup(struct call_mgr *cm, bool decline);
/* The selected call: hold or resume by re-INVITE.  EAGAIN while a
 * re-INVITE is under way; ENOENT with no call up. */
int call_hold_toggle(struct call_mgr *cm);
/* Blind transfer of the selected call (RFC 3515): REFER with Refer-To
 * target (as for call_dial); the call ends as "transferred" when the
 * far end's NOTIFY says its new call was answered.  ENOENT with no call
 * up, EALREADY while a transfer is under way, EINVAL for a bad target. */
int call_transfer(struct call_mgr *cm, const char *target);
/* Mutes or unmutes the selected call's microphone.  ENOENT with no
 * call up. */
int call_mute_toggle(struct call_mgr *cm);
/* Sends one DTMF digit (RFC 4733) in the selected call: '0'-'9', '*',
 * '#', 'A'-'D'.  ENOENT with no call up, EINVAL for another character,
 * ENOTSUP when the far end agreed no telephone-event. */
int call_dtmf(struct call_mgr *cm, char digit);
/* Selects the next call (Tab).  ENOENT when there is none. */
int call_select_next(struct call_mgr *cm);

/* Calls not yet ended. */
size_t call_mgr_live(const struct call_mgr *cm);
/* Calls on the list (ended ones linger a while). */
size_t call_mgr_count(const struct call_mgr *cm);
int call_mgr_info(const struct call_mgr *cm, size_t i, struct call_info *ci);
/* Ends every call (exit): CANCEL, BYE, 486 as fits. */
void call_mgr_hangup_all(struct call_mgr *cm);
/* Requests still under way (the exit waits for them, bounded). */
bool call_mgr_busy(const struct call_mgr *cm);

const char *call_state_name(enum call_state s);

/* The privacy level (ua/privacy.h) of the next call the user places;
 * 0 gives it the account's.  Used once, by the next call_dial(). */
void call_mgr_set_next_privacy(struct call_mgr *cm, unsigned level);
/* The level the next call will have; *from_acc (may be NULL): it is the
 * (first) account's. */
unsigned call_mgr_next_privacy(const struct call_mgr *cm, bool *from_acc);

struct buf;
/* The wire preview: the INVITE the next call to target (NULL or "": a
 * made-up user at the account's domain) would send, after the
 * scrubber, printed into out.  Not sent; credentials are not added.
 * Addresses are the first hop's when it is written as an address, else
 * the loopback's (no DNS is waited for). */
int call_preview(struct call_mgr *cm, const char *target, struct buf *out);

#endif
