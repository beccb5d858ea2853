/* dialog.h - SIP dialogs (RFC 3261 12, RFC 5630 SIPS) and the UAS 2xx retransmission (13.3.1.4). */
#ifndef SIPTTY_SIP_DIALOG_H
#define SIPTTY_SIP_DIALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sip/msg.h"
#include "sip/tsx.h"

#define SIP_DIALOG_ROUTE_MAX 16     /* route set entries */

struct sip_dialog;
struct sip_dialogs;

enum sip_dialog_state {
	SIP_DIALOG_EARLY = 0,
	SIP_DIALOG_CONFIRMED,
};

/*
 * UAC side, from the request we sent and a 2xx, or a 1xx with a To tag
 * (early dialog) (12.1.2): the route set is Record-Route reversed, the
 * remote target the Contact.  EINVAL for a response without a To tag
 * that is not a 2xx.
 */
int sip_dialog_alloc_uac(struct sip_dialog **dp, struct sip_msg *req,
			 struct sip_msg *resp);
/* UAS side, from a dialog-creating request and our To tag (12.1.1): the
 * route set is Record-Route in order. */
int sip_dialog_alloc_uas(struct sip_dialog **dp, struct sip_msg *req,
			 const char *local_tag);
void sip_dialog_free(struct sip_dialog *d);
/* Early to confirmed: a UAS calls it when its 2xx goes out. */
void sip_dialog_confirm(struct sip_dialog *d);

enum sip_dialog_state sip_dialog_state(const struct sip_dialog *d);
const char *sip_dialog_callid(const struct sip_dialog *d);
const char *sip_dialog_local_tag(const struct sip_dialog *d);
const char *sip_dialog_remote_tag(const struct sip_dialog *d);
const char *sip_dialog_remote_target(const struct sip_dialog *d);
bool sip_dialog_secure(const struct sip_dialog *d);
size_t sip_dialog_route_count(const struct sip_dialog *d);
/* The i-th route set entry as a name-addr ("<sip:p1.example.com;lr>"). */
const char *sip_dialog_route(const struct sip_dialog *d, size_t i);
uint32_t sip_dialog_local_cseq(const struct sip_dialog *d);

/* Does msg belong to this dialog (Call-ID and both tags, 12.2)? */
bool sip_dialog_match(const struct sip_dialog *d, struct sip_msg *msg);

/*
 * A request inside the dialog (12.2.1.1): Request-URI and Route from the
 * remote target and the route set (loose routing when the first entry
 * has lr, strict routing otherwise), From, To, Call-ID, a CSeq one above
 * the last, Max-Forwards.  The caller adds Via (sip_tsx_via_add()),
 * Contact and the body.  sip_dialog_ack_alloc() reuses the INVITE's
 * CSeq number for the ACK of a 2xx.
 */
int sip_dialog_request_alloc(struct sip_msg **reqp, struct sip_dialog *d,
			     const char *method);
int sip_dialog_ack_alloc(struct sip_msg **ackp, struct sip_dialog *d,
			 uint32_t cseq);

/*
 * A request that matched the dialog (12.2.2): its CSeq must not be below
 * the last one (else 500, returned in *statusp with EPROTO); a target
 * refresh (INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER) with a Contact
 * replaces the remote target.  ACK and CANCEL are not checked.
 */
int sip_dialog_recv_request(struct sip_dialog *d, struct sip_msg *req,
			    uint16_t *statusp);
/* A response to a request of ours inside (or creating) the dialog: a
 * 2xx confirms an early dialog and recomputes its route set; a 2xx to a
 * target refresh replaces the remote target (12.2.1.2). */
int sip_dialog_recv_response(struct sip_dialog *d, struct sip_msg *resp);

/* ------------------------------------------------------------------ */
/* The UA's dialogs, bounded                                           */
/* ------------------------------------------------------------------ */

int sip_dialogs_alloc(struct sip_dialogs **dsp, size_t max);
/* Frees the set and every dialog still in it. */
void sip_dialogs_free(struct sip_dialogs *ds);
/* Takes d over (freed with the set or by sip_dialogs_remove()).  E2BIG
 * when full, EEXIST when a dialog with the same id is in. */
int sip_dialogs_add(struct sip_dialogs *ds, struct sip_dialog *d);
/* Takes d out and frees it. */
void sip_dialogs_remove(struct sip_dialogs *ds, struct sip_dialog *d);
size_t sip_dialogs_count(const struct sip_dialogs *ds);
struct sip_dialog *sip_dialogs_find(const struct sip_dialogs *ds,
				    struct sip_msg *msg);

/*
 * The UAS core's first look at a request (12.2.2, 8.2): 0 with *dp the
 * dialog it belongs to (CSeq checked, target refreshed), 0 with *dp NULL
 * for a request outside any dialog (no To tag), or an errno value with
 * *statusp the response to send: 481 for a To tag that names no dialog,
 * 500 for a CSeq out of order.  Never answer an ACK.
 */
int sip_dialogs_request(struct sip_dialogs *ds, struct sip_msg *req,
			struct sip_dialog **dp, uint16_t *statusp);

/* ------------------------------------------------------------------ */
/* UAS 2xx retransmission (13.3.1.4)                                   */
/* ------------------------------------------------------------------ */

struct sip_uas2xx;
typedef void (sip_uas2xx_noack_h)(void *arg);

/*
 * Sends the 2xx through st, then again at T1, 2*T1, ... capped at T2,
 * on every transport (a proxy on the way may use UDP), until
 * sip_uas2xx_ack() sees the ACK.  With no ACK after 64*T1, h is called:
 * the UA confirms the dialog and sends BYE.  resp is taken over.
 */
int sip_uas2xx_start(struct sip_uas2xx **up, struct sip_tsx_layer *l,
		     struct sip_stsx *st, struct sip_msg *resp,
		     sip_uas2xx_noack_h *h, void *arg);
/* true (and retransmission stops) when ack acknowledges this 2xx. */
bool sip_uas2xx_ack(struct sip_uas2xx *u, struct sip_msg *ack);
void sip_uas2xx_free(struct sip_uas2xx *u);

#endif
