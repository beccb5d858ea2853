/* call_in.c - incoming requests: a new INVITE (its identity, ringing, answering), and requests inside a call's dialog. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "sip/dialog.h"
#include "sip/msg.h"
#include "sip/tsx.h"
#include "ua/account.h"
#include "ua/call_int.h"
#include "ua/ident.h"
#include "ua/offer.h"
#include "ua/stack.h"

static void ring(struct call *c, struct sip_stsx *st, struct sip_msg *req);

static void on_noack(void *arg)
{
	struct call *c = arg;

	/* RFC 3261 13.3.1.4: confirm the dialog, then end it. */
	log_warn(CALL_LOG, "call %u: no ACK for our 2xx; hanging up", c->id);
	sip_uas2xx_free(c->u2xx);
	c->u2xx = NULL;
	if (call_is_live(c)) {
		(void)call_send_bye(c);
		call_set_state(c, CALL_ENDED, 408, _("the far end never "
						     "confirmed the answer"));
	}
}

/* 200 with our answer (or offer, for an INVITE without one) through st. */
int call_answer_2xx(struct call *c, struct sip_stsx *st,
		    struct sip_msg *req)
{
	struct sip_msg *resp = NULL;
	struct pl body = sip_msg_body(req);
	struct buf sdp;
	char hp[128];
	int err;

	buf_init(&sdp, 2048);
	err = stack_hostport(c->cm->st, &c->tgt, hp, sizeof(hp));
	if (!err)
		err = call_make_sdp(c, &sdp, hp, body.l ? body.p : NULL,
				    body.l);
	if (!err)
		err = sip_tsx_response_alloc(&resp, req, 200, NULL,
					     sip_stsx_tag(st));
	/* RFC 3261 12.1.1: the route set goes back in the 2xx. */
	if (!err && sip_msg_hdr_num(req, SIP_HDR_RECORD_ROUTE))
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_RECORD_ROUTE);
	if (!err)
		err = call_contact_add(c, resp, hp);
	if (!err)
		err = sip_msg_hdr_add(resp, SIP_HDR_SUPPORTED, STACK_SUPPORTED);
	if (!err)
		err = call_common_hdrs(c, resp);
	if (!err)
		err = call_set_sdp(resp, &sdp);
	buf_free(&sdp);
	if (err) {
		sip_msg_free(resp);
		return err;
	}
	sip_uas2xx_free(c->u2xx);
	c->u2xx = NULL;
	return sip_uas2xx_start(&c->u2xx, stack_tsx(c->cm->st), st, resp,
				on_noack, c);
}

static void on_incoming_tsx(struct sip_stsx *st, enum sip_stsx_ev ev,
			    void *arg)
{
	struct call *c = arg;

	switch (ev) {
	case SIP_STSX_EV_CANCELLED:
		(void)sip_stsx_respond(st, 487, NULL);
		if (c->state == CALL_INCOMING)
			call_set_state(c, CALL_ENDED, 487,
				       _("the caller hung up"));
		break;
	case SIP_STSX_EV_TERMINATED:
		if (c->st == st)
			c->st = NULL;
		break;
	case SIP_STSX_EV_ERROR:
	case SIP_STSX_EV_TIMEOUT:
		if (c->st == st)
			c->st = NULL;
		if (c->state == CALL_INCOMING)
			call_set_state(c, CALL_FAILED, 0,
				       _("the caller cannot be reached"));
		break;
	default:
		break;
	}
}

static void on_auto_answer(void *arg)
{
	struct call *c = arg;

	if (c->state != CALL_INCOMING)
		return;
	c->cm->selected = c->id;
	(void)call_answer(c->cm);
}

/* The unverified From: what the caller claims, shown as such. */
static void from_text(struct call *c, struct sip_msg *req)
{
	const struct sip_addr *from;

	if (sip_msg_addr(req, SIP_HDR_FROM, &from))
		return;
	pl_strcpy(c->ident.from, sizeof(c->ident.from), &from->uri_raw);
	if (from->dname.l) {
		struct pl dn = from->dname;

		if (dn.l >= 2 && dn.p[0] == '"' && dn.p[dn.l - 1] == '"') {
			dn.p++;
			dn.l -= 2;
		}
		pl_strcpy(c->ident.display, sizeof(c->ident.display), &dn);
	}
}

static void ident_event(const struct call *c)
{
	const struct ident_verdict *v = &c->ident;
	char attest[2] = {v->attest, '\0'};

	(void)events_emit("identity", json_pack(
		"{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s}",
		"call", (int)c->id, "verdict", ident_kind_name(v->kind),
		"method", v->method, "attest", attest, "orig", v->orig,
		"signer", v->signer, "reason", v->reason, "code", (int)v->code,
		"pai", v->pai, "pai_note", v->pai_note, "verstat", v->verstat,
		"display", v->display, "from", v->from));
}

/* The verdict is in: ring (180), or refuse an invalid identity. */
static void incoming_ring(struct call *c)
{
	struct call_mgr *cm = c->cm;
	const struct ident_verdict *v = &c->ident;

	log_info(CALL_LOG, "call %u: caller %s%s%s%s", c->id,
		 ident_kind_name(v->kind), v->orig[0] ? " " : "", v->orig,
		 v->reason[0] ? " - " : "");
	if (v->reason[0])
		log_info(CALL_LOG, "call %u: %s", c->id, v->reason);
	ident_event(c);
	if (v->kind == IDENT_FAILED && v->code && cm->ident &&
	    ident_reject_invalid(cm->ident) && c->st) {
		/* RFC 8224 6.2.2: an iat out of its window is 403 "Stale
		 * Date"; the others have their own reason phrases. */
		(void)sip_stsx_respond(c->st, v->code, v->code == 403 ?
				       "Stale Date" : NULL);
		call_set_state(c, CALL_FAILED, v->code, v->reason);
		return;
	}
	if (!c->st || !c->offer_req) {
		call_set_state(c, CALL_ENDED, 487, _("the caller hung up"));
		return;
	}
	ring(c, c->st, c->offer_req);
	call_set_state(c, CALL_INCOMING, 0, "");
	if (cm->auto_answer)
		tmr_start(stack_loop(cm->st), &c->tmr,
			  (uint64_t)cm->auto_answer_s * 1000, on_auto_answer,
			  c);
}

static void on_ident(const struct ident_verdict *v, void *arg)
{
	struct call *c = arg;
	char display[sizeof(c->ident.display)], from[sizeof(c->ident.from)];

	c->ireq = NULL;
	memcpy(display, c->ident.display, sizeof(display));
	memcpy(from, c->ident.from, sizeof(from));
	c->ident = *v;
	if (!c->ident.from[0])
		memcpy(c->ident.from, from, sizeof(from));
	if (!c->ident.display[0])
		memcpy(c->ident.display, display, sizeof(display));
	if (c->state == CALL_INCOMING && !c->st) {
		call_set_state(c, CALL_ENDED, 487, _("the caller hung up"));
		return;
	}
	if (c->state != CALL_INCOMING)
		return;
	incoming_ring(c);
}

static struct call_acct *account_for(struct call_mgr *cm, struct sip_msg *req)
{
	const struct sip_uri *ru;

	if (!sip_msg_ruri(req, &ru)) {
		for (size_t i = 0; i < cm->nacct; i++)
			if (pl_eq_str(&ru->user, cm->acct[i].acc->username))
				return &cm->acct[i];
	}
	return &cm->acct[0];
}

/* 180 with the route set and our Contact: an early dialog (12.1.1). */
static void ring(struct call *c, struct sip_stsx *st, struct sip_msg *req)
{
	struct sip_msg *resp = NULL;
	char hp[128];
	int err;

	err = stack_hostport(c->cm->st, &c->tgt, hp, sizeof(hp));
	if (!err)
		err = sip_tsx_response_alloc(&resp, req, 180, NULL,
					     sip_stsx_tag(st));
	if (!err && sip_msg_hdr_num(req, SIP_HDR_RECORD_ROUTE))
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_RECORD_ROUTE);
	if (!err)
		err = call_contact_add(c, resp, hp);
	if (err) {
		sip_msg_free(resp);
		(void)sip_stsx_respond(st, 180, NULL);
		return;
	}
	(void)sip_stsx_send(st, resp);
}

/* No Accept means application/sdp (RFC 3261 20.1). */
static bool accepts_sdp(struct sip_msg *req)
{
	const struct sip_ctypes *acc;

	if (sip_msg_accept(req, &acc))
		return true;
	for (size_t i = 0; i < acc->n; i++) {
		const struct sip_ctype *t = &acc->v[i];

		if ((pl_eq_str(&t->type, "*") || pl_caseeq_str(&t->type,
							       "application")) &&
		    (pl_eq_str(&t->subtype, "*") ||
		     pl_caseeq_str(&t->subtype, "sdp")))
			return true;
	}
	return false;
}

static bool new_call(struct call_mgr *cm, struct sip_stsx *st,
		     struct sip_msg *req)
{
	const struct sip_addr *from;
	struct offer_result res;
	struct pl body = sip_msg_body(req);
	struct buf probe;
	struct call *c;
	void *flow = NULL;
	int err;

	if (!cm->nacct)
		return false;
	/* Our answer is SDP: a caller that accepts no SDP cannot take it
	 * (RFC 3261 21.4.7; RFC 4475 sdp01). */
	if (!accepts_sdp(req)) {
		struct sip_msg *resp = NULL;

		log_info(CALL_LOG, "incoming INVITE refused with 406: its "
			 "Accept header leaves out application/sdp");
		if (sip_tsx_response_alloc(&resp, req, 406, NULL,
					   sip_stsx_tag(st)) ||
		    sip_msg_hdr_add(resp, SIP_HDR_WARNING,
				    "399 siptty \"Incompatible Accept: "
				    "the answer can only be application/sdp\"")) {
			sip_msg_free(resp);
			(void)sip_stsx_respond(st, 406, NULL);
			return true;
		}
		(void)sip_stsx_send(st, resp);  /* it owns resp now */
		return true;
	}
	/* 488 before anything rings: nothing in the offer we can take. */
	if (body.l) {
		struct offer_local l = {.addr = "127.0.0.1", .port = 9};
		struct sip_target rx;
		void *rxc = NULL;
		struct call_acct *rca = account_for(cm, req);

		sip_stsx_peer(st, &rx, &rxc);
		l.secure = rx.tp == SIP_TP_TLS;
		l.srtp = rca ? (enum offer_srtp)rca->acc->srtp : OFFER_SRTP_OFF;
		l.codecs = cm->codecs;
		l.ptime = cm->ptime;

		buf_init(&probe, 2048);
		err = offer_answer(&probe, &res, body.p, body.l, &l);
		buf_free(&probe);
		if (err) {
			log_info(CALL_LOG, "incoming INVITE refused with 488: "
				 "%s", res.why ? _(res.why) : err == ENOTSUP ?
				 "no common codec" : "the offer is malformed");
			(void)sip_stsx_respond(st, 488, NULL);
			return true;
		}
	}
	err = call_new(&c, cm, account_for(cm, req), false);
	if (err) {
		(void)sip_stsx_respond(st, err == E2BIG ? 486 : 500, NULL);
		return true;
	}
	if (!sip_msg_addr(req, SIP_HDR_FROM, &from))
		pl_strcpy(c->peer, sizeof(c->peer), &from->uri_raw);
	{
		struct pl cid;

		if (sip_msg_callid(req, &cid) || cid.l >= sizeof(c->callid) ||
		    !pl_strcpy(c->callid, sizeof(c->callid), &cid) ||
		    call_privacy_bind(c)) {
			*c->callid = '\0';
			(void)sip_stsx_respond(st, 500, NULL);
			call_unlink_free(c);
			return true;
		}
	}
	sip_stsx_peer(st, &c->tgt, &flow);
	c->have_tgt = true;
	c->conn = flow;          /* the stack's own conn for that flow */
	err = sip_dialog_alloc_uas(&c->dlg, req, sip_stsx_tag(st));
	if (err) {
		(void)sip_stsx_respond(st, 500, NULL);
		call_unlink_free(c);
		return true;
	}
	c->st = st;
	c->offer_req = sip_stsx_request(st);
	pma_take(c, req);
	sip_stsx_set_handler(st, on_incoming_tsx, c);
	from_text(c, req);
	/* Who is calling is known before the phone rings: until then the
	 * call shows as incoming, checking, and cannot be answered. */
	c->state = CALL_INCOMING;
	if (cm->ident) {
		c->ident.kind = IDENT_CHECKING;
		err = ident_check(cm->ident, &c->ireq, req,
				  flow ? stack_conn_flow(flow) : NULL,
				  c->ca->acc->trusted_hosts, on_ident, c);
		if (!err) {
			call_changed(cm);
			return true;
		}
		log_warn(CALL_LOG, "call %u: cannot check the caller's "
			 "identity: %s", c->id, strerror(err));
		c->ident.kind = IDENT_UNVERIFIED;
	}
	incoming_ring(c);
	return true;
}

static struct call *find_dialog(struct call_mgr *cm, struct sip_msg *msg)
{
	for (struct call *c = cm->calls; c; c = c->next)
		if (c->dlg && sip_dialog_match(c->dlg, msg))
			return c;
	return NULL;
}

static void in_dialog(struct call *c, struct sip_stsx *st,
		      struct sip_msg *req)
{
	enum sip_method m = sip_msg_method_id(req);
	uint16_t status = 0;
	int err;

	if (sip_dialog_recv_request(c->dlg, req, &status)) {
		(void)sip_stsx_respond(st, status ? status : 500, NULL);
		return;
	}
	switch (m) {
	case SIP_M_BYE:
		(void)sip_stsx_respond(st, 200, NULL);
		if (call_is_live(c)) {
			if (c->state == CALL_INCOMING && c->st)
				(void)sip_stsx_respond(c->st, 487, NULL);
			if (c->xfer_done)
				call_set_state(c, CALL_TRANSFERRED, 0,
					       _("transferred by the far end"));
			else
				call_set_state(c, CALL_ENDED, 0,
					       _("the far end hung up"));
		}
		break;
	case SIP_M_REFER:
		call_refer_recv(c, st, req);
		break;
	case SIP_M_NOTIFY:
		call_notify_recv(c, st, req);
		break;
	case SIP_M_INVITE:
		if (!call_is_up(c)) {
			(void)sip_stsx_respond(st, 491, NULL);
			break;
		}
		if (c->reinv_pending) {
			/* Glare (RFC 3261 14.2): ours is under way. */
			(void)sip_stsx_respond(st, 491, NULL);
			break;
		}
		pma_take(c, req);
		err = call_answer_2xx(c, st, req);
		if (err == ENOTSUP || err == EBADMSG || err == E2BIG) {
			(void)sip_stsx_respond(st, 488, NULL);
			break;
		}
		if (err) {
			(void)sip_stsx_respond(st, 500, NULL);
			break;
		}
		call_settle(c, 200);
		call_changed(c->cm);
		break;
	default:
		(void)sip_stsx_respond(st, 501, NULL);
		break;
	}
}

bool call_on_request(struct sip_stsx *st, struct sip_msg *req, void *arg)
{
	struct call_mgr *cm = arg;
	enum sip_method m = sip_msg_method_id(req);
	const struct sip_addr *to;
	struct call *c;

	if (m == SIP_M_ACK) {
		c = find_dialog(cm, req);
		if (c && c->u2xx && sip_uas2xx_ack(c->u2xx, req)) {
			sip_uas2xx_free(c->u2xx);
			c->u2xx = NULL;
		}
		return true;
	}
	if (!st)
		return false;
	if (sip_msg_addr(req, SIP_HDR_TO, &to))
		return false;
	if (to->tag.p) {
		c = find_dialog(cm, req);
		if (!c)
			return false;     /* the stack answers 481 */
		if (m == SIP_M_OPTIONS)
			return false;
		in_dialog(c, st, req);
		return true;
	}
	if (m == SIP_M_INVITE)
		return new_call(cm, st, req);
	return false;
}
