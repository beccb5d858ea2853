/* call_xfer.c - blind transfer (RFC 3515, RFC 5589): REFER and NOTIFY, as transferor and as transferee. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "sip/msg.h"
#include "sip/tsx.h"
#include "ua/account.h"
#include "ua/auth.h"
#include "ua/call_int.h"
#include "ua/refer.h"
#include "ua/stack.h"

/* Transferee: a NOTIFY in c's dialog with the sipfrag for code. */
static void send_notify(struct call *c, uint16_t code, bool final)
{
	struct sip_msg *req = NULL;
	struct buf frag;
	char hp[128];
	int err;

	buf_init(&frag, REFER_SIPFRAG_MAX);
	err = refer_sipfrag_build(&frag, code, NULL);
	if (!err)
		err = frag.err;
	if (!err)
		err = call_dialog_request(c, "NOTIFY", &req, hp, sizeof(hp));
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_EVENT, "refer;id=%u",
				       c->xfer_id);
	if (!err && final)
		err = sip_msg_hdr_add(req, SIP_HDR_SUBSCRIPTION_STATE,
				      "terminated;reason=noresource");
	else if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_SUBSCRIPTION_STATE,
				       "active;expires=%u", REFER_EXPIRES_S);
	if (!err)
		err = call_contact_add(c, req, hp);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_CONTENT_TYPE,
				      "message/sipfrag;version=2.0");
	if (!err)
		err = sip_msg_set_body(req, frag.data, frag.len);
	buf_free(&frag);
	/* No handler: nothing follows from the answer (a 481 means the
	 * transferor has gone, which its BYE says as well). */
	if (!err) {
		log_info(CALL_LOG, "call %u: NOTIFY %u of the transfer", c->id,
			 code);
		err = sip_ctsx_alloc(NULL, stack_tsx(c->cm->st), req, &c->tgt,
				     c->conn, NULL, NULL);
		req = NULL;
	}
	sip_msg_free(req);
	if (err)
		log_warn(CALL_LOG, "call %u: cannot send the NOTIFY: %s",
			 c->id, strerror(err));
}

/* Transferee: the new call nc changed; the transferor hears of it. */
void call_refer_progress(struct call *nc)
{
	struct call *c = call_find_id(nc->cm, nc->referrer);
	uint16_t code;

	if (!c || c->xfer_child != nc->id)
		return;   /* reported already */
	switch (nc->state) {
	case CALL_RINGING:
	case CALL_EARLY:
		if (call_is_live(c) && c->dlg)
			send_notify(c, nc->code >= 180 ? nc->code : 180, false);
		return;
	case CALL_ANSWERED:
	case CALL_HELD:
	case CALL_REMOTE_HELD:
		code = 200;
		c->xfer_done = true;
		break;
	case CALL_ENDED:
	case CALL_FAILED:
	case CALL_TRANSFERRED:
		code = nc->code >= 300 ? nc->code : nc->state == CALL_ENDED ?
		       487 : 503;
		break;
	default:
		return;
	}
	c->xfer_child = 0;
	if (call_is_live(c) && c->dlg)
		send_notify(c, code, true);
}

/* Transferee: a REFER in an established dialog. */
void call_refer_recv(struct call *c, struct sip_stsx *st,
		     struct sip_msg *req)
{
	struct sip_msg *resp = NULL;
	const struct sip_cseq *cs;
	struct call *nc;
	char target[256], hp[128];
	int err;

	if (!call_is_up(c)) {
		(void)sip_stsx_respond(st, 603, NULL);
		return;
	}
	if (c->xfer_child) {
		(void)sip_stsx_respond(st, 491, NULL);
		return;
	}
	err = refer_target(req, target, sizeof(target));
	if (err) {
		log_info(CALL_LOG, "call %u: REFER refused: %s", c->id,
			 strerror(err));
		(void)sip_stsx_respond(st, err == EPROTONOSUPPORT ? 416 :
				       err == ENOTSUP ? 501 :
				       err == E2BIG ? 414 : 400, NULL);
		return;
	}
	err = stack_hostport(c->cm->st, &c->tgt, hp, sizeof(hp));
	if (!err)
		err = sip_tsx_response_alloc(&resp, req, 202, NULL,
					     sip_stsx_tag(st));
	if (!err)
		err = call_contact_add(c, resp, hp);
	if (!err)
		err = sip_stsx_send(st, resp);
	else
		sip_msg_free(resp);
	if (err) {
		(void)sip_stsx_respond(st, 500, NULL);
		return;
	}
	c->xfer_id = !sip_msg_cseq(req, &cs) ? cs->num : 0;
	c->xfer_done = false;
	log_info(CALL_LOG, "call %u: transferred to %s by the far end",
		 c->id, target);
	send_notify(c, 100, false);
	/* Set before the call exists so its first states are reported. */
	c->xfer_child = c->cm->next_id + 1;
	err = call_dial_from(c->cm, c->ca, target, c->id, &nc);
	if (err) {
		c->xfer_child = 0;
		log_warn(CALL_LOG, "call %u: cannot call %s for the transfer: "
			 "%s", c->id, target, strerror(err));
		send_notify(c, 503, true);
	}
}

static void xfer_failed(struct call *c, uint16_t code, const char *why)
{
	c->xfer_pending = false;
	tmr_cancel(&c->xfer_tmr);
	log_warn(CALL_LOG, "call %u: the transfer to %s failed (%u): %s",
		 c->id, c->xfer_to, code, why);
	call_changed(c->cm);
}

static void on_xfer_timeout(void *arg)
{
	struct call *c = arg;

	if (c->xfer_pending)
		xfer_failed(c, 408, "no final NOTIFY");
}

static int send_refer(struct call *c);

static void on_refer_resp(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
			  struct sip_msg *resp, void *arg)
{
	struct call *c = arg;
	uint16_t code;

	if (ev == SIP_CTSX_EV_TERMINATED) {
		if (c->refer == ct)
			c->refer = NULL;
		return;
	}
	if (ev == SIP_CTSX_EV_TIMEOUT || ev == SIP_CTSX_EV_ERROR) {
		sip_ctsx_set_handler(ct, NULL, NULL);
		c->refer = NULL;
		if (c->xfer_pending)
			xfer_failed(c, 408, "no answer to the REFER");
		return;
	}
	if (ev != SIP_CTSX_EV_RESPONSE || (code = sip_msg_status(resp)) < 200)
		return;
	sip_ctsx_set_handler(ct, NULL, NULL);
	c->refer = NULL;
	if (!c->xfer_pending)
		return;   /* the final NOTIFY came first */
	if (code < 300) {
		auth_accepted(c->ca->auth);
		log_info(CALL_LOG, "call %u: REFER accepted (%u)", c->id,
			 code);
		return;
	}
	if ((code == 401 || code == 407) && ++c->rounds <= CALL_AUTH_ROUNDS &&
	    !auth_challenge(c->ca->auth, resp, NULL)) {
		if (!send_refer(c))
			return;
	}
	xfer_failed(c, code, "the far end refused the REFER");
}

static int send_refer(struct call *c)
{
	const struct account *acc = c->ca->acc;
	struct sip_msg *req = NULL;
	char hp[128];
	int err;

	err = call_dialog_request(c, "REFER", &req, hp, sizeof(hp));
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_REFER_TO, "<%s>",
				       c->xfer_to);
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_REFERRED_BY, "<%s>",
				       acc->aor);
	if (!err)
		err = call_contact_add(c, req, hp);
	if (!err) {
		log_info(CALL_LOG, "call %u: REFER to %s", c->id, c->xfer_to);
		err = sip_ctsx_alloc(&c->refer, stack_tsx(c->cm->st), req,
				     &c->tgt, c->conn, on_refer_resp, c);
		if (err)
			c->refer = NULL;
		req = NULL;
	}
	sip_msg_free(req);
	return err;
}

int call_transfer(struct call_mgr *cm, const char *target)
{
	struct call *c;
	int err;

	if (!cm || !target || !*target)
		return EINVAL;
	c = call_selected(cm);
	if (!c || !call_is_up(c) || !c->dlg)
		return ENOENT;
	if (c->xfer_pending || c->refer)
		return EALREADY;
	err = call_target_uri(c->xfer_to, sizeof(c->xfer_to), c->ca->acc,
			      target);
	if (err)
		return err == E2BIG ? E2BIG : EINVAL;
	c->rounds = 0;
	c->xfer_pending = true;
	err = send_refer(c);
	if (err) {
		c->xfer_pending = false;
		return err;
	}
	tmr_start(stack_loop(cm->st), &c->xfer_tmr,
		  (uint64_t)REFER_EXPIRES_S * 1000, on_xfer_timeout, c);
	call_changed(cm);
	return 0;
}

/* Transferor: a NOTIFY in c's dialog with the transfer's progress. */
void call_notify_recv(struct call *c, struct sip_stsx *st,
		      struct sip_msg *req)
{
	struct refer_notify rn;
	char reason[300];
	int err = refer_notify_parse(req, &rn);

	if (err) {
		(void)sip_stsx_respond(st, err == ENOENT ? 489 : 400, NULL);
		return;
	}
	if (!c->xfer_pending) {
		/* RFC 6665 4.1.3: no such subscription. */
		(void)sip_stsx_respond(st, 481, NULL);
		return;
	}
	(void)sip_stsx_respond(st, 200, NULL);
	log_info(CALL_LOG, "call %u: transfer progress %u%s", c->id, rn.code,
		 rn.terminated ? " (final)" : "");
	if (rn.code >= 200 && rn.code < 300) {
		/* RFC 5589 6.1: the transfer worked; we leave. */
		c->xfer_pending = false;
		tmr_cancel(&c->xfer_tmr);
		(void)call_send_bye(c);
		snprintf(reason, sizeof(reason), _("transferred to %s"),
			 c->xfer_to);
		call_set_state(c, CALL_TRANSFERRED, rn.code, reason);
		return;
	}
	if (rn.code >= 300)
		xfer_failed(c, rn.code, "the new call failed");
	else if (rn.terminated)
		xfer_failed(c, rn.code, "the subscription ended early");
}
