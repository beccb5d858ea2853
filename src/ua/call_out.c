/* call_out.c - the requests a call sends: SDP, ACK, BYE, re-INVITE, the INVITE and its responses, its first hop. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/rand.h"
#include "sip/dialog.h"
#include "sip/msg.h"
#include "sip/resolve.h"
#include "sip/tsx.h"
#include "ua/account.h"
#include "ua/auth.h"
#include "audio/media.h"
#include "ua/call_int.h"
#include "ua/offer.h"
#include "ua/stack.h"

static void send_invite(struct call *c);

/* ------------------------------------------------------------------ */
/* Building requests and responses                                     */
/* ------------------------------------------------------------------ */

/* "sip:alice@192.0.2.7:5062;transport=tcp" for our side of the hop. */
int call_contact_add(struct call *c, struct sip_msg *m, const char *hp)
{
	const struct account *acc = c->ca->acc;
	/* RFC 3261 12.1.1 and 12.1.2: in a dialog the Contact is sips:
	 * exactly when the dialog is secure. */
	bool sips = c->dlg ? sip_dialog_secure(c->dlg) : acc->sips;

	return sip_msg_hdr_addf(m, SIP_HDR_CONTACT, "<%s:%s@%s%s>",
				sips ? "sips" : "sip", acc->username, hp,
				c->tgt.tp == SIP_TP_UDP || sips ? "" :
				";transport=tcp");
}

/* Our address for SDP: the host of hostport, without port or []. */
static void sdp_addr(char *out, size_t sz, const char *hp)
{
	const char *p = hp, *e;

	if (*p == '[') {
		p++;
		e = strchr(p, ']');
	} else {
		e = strrchr(p, ':');
	}
	if (!e)
		e = p + strlen(p);
	snprintf(out, sz, "%.*s", (int)(e - p), p);
}

int call_common_hdrs(struct call *c, struct sip_msg *m)
{
	int err = sip_msg_hdr_add(m, SIP_HDR_ALLOW, STACK_ALLOW);

	if (!err)
		err = sip_msg_hdr_add(m, SIP_HDR_USER_AGENT,
				      stack_user_agent(c->cm->st));
	return err;
}

/* The SDP we send: an offer, or the answer to offer (len bytes). */
int call_make_sdp(struct call *c, struct buf *b, const char *hp,
		  const char *offer, size_t len)
{
	char addr[64];
	struct offer_result res;
	int err;

	sdp_addr(addr, sizeof(addr), hp);
	c->lo.addr = addr;
	if (!c->ms && c->cm->me && !c->preview) {
		uint16_t port = 0;

		if (media_session_alloc(&c->ms, c->cm->me, addr,
					c->cm->port_min, c->cm->port_max,
					&port))
			log_warn(CALL_LOG, "call %u: no RTP port free in "
				 "%u-%u: the call has no audio", c->id,
				 c->cm->port_min, c->cm->port_max);
		else
			c->lo.port = port;
	}
	snprintf(c->maddr, sizeof(c->maddr), "%s", addr);
	/* Keys in SDP only over TLS: the hop we send it on.  A proxy that
	 * relays it onwards over anything else is beyond our reach, but a
	 * sips: target promises TLS all the way (RFC 3261 26.2.2). */
	c->lo.secure = c->have_tgt && c->tgt.tp == SIP_TP_TLS;
	c->lo.dir = c->want_hold ? offer_hold_dir(c->remote_hold) :
		    SDP_DIR_SENDRECV;
	c->lo.sess_version++;
	if (!offer)
		err = offer_build(b, &c->lo);
	else
		err = offer_answer(b, &res, offer, len, &c->lo);
	c->lo.addr = NULL;
	if (!err && offer) {
		c->media = res;
		c->have_media = true;
		c->remote_hold = offer_remote_holds(res.remote_dir);
	}
	return err ? err : b->err;
}

int call_set_sdp(struct sip_msg *m, const struct buf *b)
{
	int err = sip_msg_hdr_add(m, SIP_HDR_CONTENT_TYPE, "application/sdp");

	return err ? err : sip_msg_set_body(m, b->data, b->len);
}

/* Sends an ACK for a 2xx to our INVITE with CSeq number cseq. */
static void send_ack(struct call *c, uint32_t cseq)
{
	struct sip_msg *ack = NULL;
	char hp[128];
	int err;

	err = stack_hostport(c->cm->st, &c->tgt, hp, sizeof(hp));
	if (!err)
		err = sip_dialog_ack_alloc(&ack, c->dlg, cseq);
	if (!err)
		err = sip_tsx_via_add(ack, c->tgt.tp, hp);
	if (!err)
		err = sip_msg_hdr_add(ack, SIP_HDR_USER_AGENT,
				      stack_user_agent(c->cm->st));
	if (!err)
		err = sip_tsx_layer_send(stack_tsx(c->cm->st), ack, &c->tgt,
					 c->conn);
	if (err)
		log_warn(CALL_LOG, "call %u: cannot send the ACK: %s", c->id,
			 strerror(err));
	sip_msg_free(ack);
}

/* ------------------------------------------------------------------ */
/* In-dialog requests: BYE and re-INVITE                               */
/* ------------------------------------------------------------------ */

int call_dialog_request(struct call *c, const char *method,
			struct sip_msg **reqp, char *hp, size_t hpsz)
{
	struct sip_msg *req = NULL;
	int err;

	err = stack_hostport(c->cm->st, &c->tgt, hp, hpsz);
	if (!err)
		err = sip_dialog_request_alloc(&req, c->dlg, method);
	if (!err)
		err = sip_tsx_via_add(req, c->tgt.tp, hp);
	if (!err)
		err = call_common_hdrs(c, req);
	if (!err)
		err = auth_authorize(c->ca->auth, req);
	if (err)
		sip_msg_free(req);
	else
		*reqp = req;
	return err;
}

static void on_bye_resp(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
			struct sip_msg *resp, void *arg)
{
	struct call *c = arg;
	uint16_t code;

	if (ev == SIP_CTSX_EV_TERMINATED) {
		if (c->bye == ct)
			c->bye = NULL;
		return;
	}
	if (ev != SIP_CTSX_EV_RESPONSE || (code = sip_msg_status(resp)) < 200)
		return;
	sip_ctsx_set_handler(ct, NULL, NULL);
	c->bye = NULL;
	if ((code == 401 || code == 407) && ++c->rounds <= CALL_AUTH_ROUNDS &&
	    !auth_challenge(c->ca->auth, resp, NULL)) {
		(void)call_send_bye(c);
		return;
	}
	log_info(CALL_LOG, "call %u: BYE answered %u", c->id, code);
}

int call_send_bye(struct call *c)
{
	struct sip_msg *req = NULL;
	char hp[128];
	int err;

	if (!c->dlg)
		return ENOENT;
	err = call_dialog_request(c, "BYE", &req, hp, sizeof(hp));
	if (!err) {
		err = sip_ctsx_alloc(&c->bye, stack_tsx(c->cm->st), req,
				     &c->tgt, c->conn, on_bye_resp, c);
		if (err)
			c->bye = NULL;
	}
	if (err)
		log_warn(CALL_LOG, "call %u: cannot send the BYE: %s", c->id,
			 strerror(err));
	return err;
}

static void on_glare(void *arg)
{
	struct call *c = arg;

	c->glare_wait = false;
	if (call_is_up(c) && !c->reinv_pending)
		call_send_reinvite(c);
}

/* A response to our re-INVITE. */
static void reinvite_final(struct call *c, struct sip_msg *resp)
{
	uint16_t code = sip_msg_status(resp);
	const struct sip_cseq *cs;
	struct offer_result res;
	struct pl body = sip_msg_body(resp);
	uint64_t ms;
	uint32_t r = 0;

	if (code >= 200 && code < 300) {
		(void)sip_dialog_recv_response(c->dlg, resp);
		pma_take(c, resp);
		if (!sip_msg_cseq(resp, &cs))
			send_ack(c, cs->num);
		auth_accepted(c->ca->auth);
		c->rounds = 0;
		if (body.l && !offer_accept(&res, body.p, body.l, &c->lo)) {
			c->media = res;
			c->have_media = true;
			c->remote_hold = offer_remote_holds(res.remote_dir) &&
					 res.remote_dir == SDP_DIR_INACTIVE &&
					 !c->want_hold;
		}
		c->local_hold = c->want_hold;
		call_settle(c, code);
		return;
	}
	if ((code == 401 || code == 407) && ++c->rounds <= CALL_AUTH_ROUNDS &&
	    !auth_challenge(c->ca->auth, resp, NULL)) {
		call_send_reinvite(c);
		return;
	}
	if (code == 491) {
		/* RFC 3261 14.1: the Call-ID's owner waits 2.1-4 s, the
		 * other side 0-2 s, in units of 10 ms. */
		(void)rand_bytes(&r, sizeof(r));
		ms = c->out ? 2100 + (r % 191) * 10 : (r % 201) * 10;
		log_info(CALL_LOG, "call %u: glare (491): trying again in "
			 "%llu ms", c->id, (unsigned long long)ms);
		c->glare_wait = true;
		tmr_start(stack_loop(c->cm->st), &c->tmr, ms, on_glare, c);
		return;
	}
	if (code == 481 || code == 408) {
		/* RFC 3261 14.1: the dialog is gone. */
		if (code == 408)
			(void)call_send_bye(c);
		call_set_state(c, CALL_ENDED, code, _("the far end lost the call"));
		return;
	}
	/* Any other failure leaves the session as it was. */
	c->want_hold = c->local_hold;
	log_info(CALL_LOG, "call %u: re-INVITE refused with %u", c->id, code);
	call_changed(c->cm);
}

/* ------------------------------------------------------------------ */
/* The INVITE we sent                                                  */
/* ------------------------------------------------------------------ */

static void invite_2xx(struct call *c, struct sip_ctsx *ct,
		       struct sip_msg *resp)
{
	struct offer_result res;
	const struct sip_cseq *cs;
	struct pl body = sip_msg_body(resp);
	uint16_t code = sip_msg_status(resp);
	int err;

	if (sip_msg_cseq(resp, &cs))
		return;
	if (!c->dlg) {
		err = sip_dialog_alloc_uac(&c->dlg, sip_ctsx_request(ct), resp);
		if (err) {
			log_warn(CALL_LOG, "call %u: cannot make the dialog: %s",
				 c->id, strerror(err));
			return;
		}
	} else if (!sip_dialog_match(c->dlg, resp)) {
		/* A second fork answered: RFC 3261 13.2.2.4, ACK and BYE
		 * it; kept simple here: only the ACK, logged. */
		log_info(CALL_LOG, "call %u: a 2xx from another fork ignored",
			 c->id);
		return;
	} else {
		(void)sip_dialog_recv_response(c->dlg, resp);
	}
	send_ack(c, cs->num);
	if (!call_is_live(c) || call_is_up(c))
		return;   /* a retransmission of the 2xx */
	auth_accepted(c->ca->auth);
	c->rounds = 0;
	if (c->cancelling) {
		/* The 200 crossed our CANCEL: ACK it (done), then BYE. */
		(void)call_send_bye(c);
		call_set_state(c, CALL_ENDED, code,
			       _("answered as we hung up"));
		return;
	}
	res.why = NULL;
	err = body.l ? offer_accept(&res, body.p, body.l, &c->lo) : EBADMSG;
	if (err) {
		(void)call_send_bye(c);
		call_set_state(c, CALL_FAILED, 488, res.why ? _(res.why) :
			       _("the answer has no codec we offered"));
		return;
	}
	c->media = res;
	c->have_media = true;
	c->remote_hold = offer_remote_holds(res.remote_dir);
	call_settle(c, code);
}

/* Whether a Warning header carries code 380 (SIPS Not Allowed, RFC 5630
 * 3.3). */
static bool warning_380(const struct sip_msg *resp)
{
	const struct sip_hdr *h;
	size_t i = 0;

	while ((h = sip_msg_hdr_next(resp, SIP_HDR_WARNING, &i))) {
		struct pl v = h->val;

		/* warning-value = warn-code SP warn-agent SP warn-text,
		 * comma-separated. */
		for (size_t k = 0; k + 3 <= v.l; k++) {
			if ((k == 0 || v.p[k - 1] == ',' || v.p[k - 1] == ' ') &&
			    !memcmp(v.p + k, "380", 3) &&
			    (k + 3 == v.l || v.p[k + 3] == ' '))
				return true;
		}
	}
	return false;
}

/*
 * The sentence a failed INVITE ends with.  SPECS 1.4 (RFC 5630): a sips:
 * call, or any call of a TLS-only account, is never retried to a sip:
 * or non-TLS target, whatever a 3xx, a 416 or a 480 with Warning 380
 * suggests; siptty follows no redirect at all, and says why.
 */
static const char *final_reason(struct call *c, struct sip_msg *resp,
				uint16_t code, char *buf, size_t sz)
{
	const struct account *acc = c->ca->acc;
	bool secure = !strncmp(c->ruri, "sips:", 5) || acc->sips ||
		      acc->require_tls;

	if (code >= 300 && code < 400) {
		const struct sip_addrs *cl;
		const struct sip_addr *a = NULL;
		struct pl tpv;
		bool plain;

		if (!sip_msg_addrs(resp, SIP_HDR_CONTACT, &cl) && cl->n)
			a = &cl->v[0];
		if (!a) {
			snprintf(buf, sz, _("redirected (%u) without a new "
					    "address"), code);
			return buf;
		}
		plain = !a->uri_ok || a->uri.scheme != SIP_URI_SIPS;
		if (plain && a->uri_ok && a->uri.scheme == SIP_URI_SIP &&
		    !strncmp(c->ruri, "sip:", 4) &&
		    !sip_param_get(&a->uri.params, "transport", &tpv) &&
		    pl_caseeq_str(&tpv, "tls"))
			plain = false;
		if (secure && plain)
			snprintf(buf, sz, _("redirected to %.*s, which is not "
					    "a sips: or TLS address: the call "
					    "was not retried, since a secure "
					    "call is never downgraded"),
				 PL_FMT(&a->uri_raw));
		else
			snprintf(buf, sz, _("redirected to %.*s: siptty does "
					    "not follow redirects; dial that "
					    "address if you trust it"),
				 PL_FMT(&a->uri_raw));
		return buf;
	}
	if (code == 416 && !strncmp(c->ruri, "sips:", 5)) {
		snprintf(buf, sz, _("the far end does not take sips: "
				    "addresses (416): the call was not retried "
				    "with sip:, since a sips: call is never "
				    "downgraded"));
		return buf;
	}
	if (code == 480 && warning_380(resp)) {
		snprintf(buf, sz, _("the far end does not allow SIPS (480 with "
				    "Warning 380): the call was not retried "
				    "with sip:, since a sips: call is never "
				    "downgraded"));
		return buf;
	}
	return buf;
}

static void on_invite_resp(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
			   struct sip_msg *resp, void *arg)
{
	struct call *c = arg;
	struct offer_result res;
	struct pl body, rphrase;
	char reason[320];
	uint16_t code;

	bool re = ct == c->reinv;

	if (ev == SIP_CTSX_EV_TERMINATED) {
		if (c->inv == ct)
			c->inv = NULL;
		if (c->reinv == ct)
			c->reinv = NULL;
		return;
	}
	if (ev == SIP_CTSX_EV_TIMEOUT || ev == SIP_CTSX_EV_ERROR) {
		sip_ctsx_set_handler(ct, NULL, NULL);
		if (re) {
			c->reinv = NULL;
			c->reinv_pending = false;
		} else {
			c->inv = NULL;
			c->inv_final = true;
		}
		if (re) {
			c->want_hold = c->local_hold;
			(void)call_send_bye(c);
			call_set_state(c, CALL_ENDED, 408,
				       _("the far end did not answer the "
					 "re-INVITE"));
		} else if (call_is_live(c)) {
			call_set_state(c, CALL_FAILED,
				       ev == SIP_CTSX_EV_TIMEOUT ? 408 : 503,
				       ev == SIP_CTSX_EV_TIMEOUT ?
				       _("no answer from the network") :
				       _("cannot reach the next hop"));
		}
		return;
	}
	code = sip_msg_status(resp);
	if (re) {
		if (code < 200)
			return;
		if (code >= 300) {
			sip_ctsx_set_handler(ct, NULL, NULL);
			c->reinv = NULL;
		} else if (!c->reinv_pending) {
			/* A retransmitted 2xx: ACK it again. */
			const struct sip_cseq *cs;

			if (!sip_msg_cseq(resp, &cs))
				send_ack(c, cs->num);
			return;
		}
		c->reinv_pending = false;
		reinvite_final(c, resp);
		return;
	}
	if (code >= 200 && code < 300) {
		c->inv_final = true;
		if (call_is_live(c) && !call_is_up(c))
			pma_take(c, resp);
		/* The transaction stays Accepted for more 2xx (forks,
		 * retransmissions): each is ACKed. */
		invite_2xx(c, ct, resp);
		return;
	}
	if (code < 200) {
		if (!call_is_live(c) || c->cancelling)
			return;
		if (code > 100)
			pma_take(c, resp);
		body = sip_msg_body(resp);
		if (code == 183 && body.l &&
		    !offer_accept(&res, body.p, body.l, &c->lo)) {
			c->media = res;
			c->have_media = true;
			log_info(CALL_LOG, "call %u: early media %s from %s:%u",
				 c->id, res.codec, res.raddr, res.rport);
			if (c->state != CALL_EARLY)
				call_set_state(c, CALL_EARLY, code, "");
		} else if (code == 180 || code == 183) {
			if (c->state == CALL_CALLING)
				call_set_state(c, CALL_RINGING, code, "");
		}
		return;
	}
	sip_ctsx_set_handler(ct, NULL, NULL);
	c->inv = NULL;
	c->inv_final = true;
	if ((code == 401 || code == 407) && !c->cancelling) {
		const char *why = "";
		int err = ++c->rounds > CALL_AUTH_ROUNDS ? EACCES :
			  auth_challenge(c->ca->auth, resp, &why);

		if (!err) {
			send_invite(c);
			return;
		}
		call_set_state(c, CALL_FAILED, code,
			       err == EACCES ? _("wrong username or password; "
						 "check username and "
						 "password_file") :
			       _("cannot answer the proxy's challenge"));
		return;
	}
	rphrase = sip_msg_reason(resp);
	snprintf(reason, sizeof(reason), "%.*s", PL_FMT(&rphrase));
	if (code == 487 || c->cancelling)
		call_set_state(c, CALL_ENDED, code, _("cancelled"));
	else
		call_set_state(c, CALL_FAILED, code,
			       final_reason(c, resp, code, reason,
					    sizeof(reason)));
}

/* The INVITE of c as the model holds it (before credentials and the
 * scrubber): send_invite() and the wire preview build it alike. */
int call_build_invite(struct call *c, const char *hp,
		      struct sip_msg **reqp)
{
	const struct account *acc = c->ca->acc;
	struct sip_msg *req = NULL;
	struct buf sdp;
	int err;

	buf_init(&sdp, 2048);
	err = sip_msg_request_alloc(&req, "INVITE", c->ruri);
	if (!err)
		err = sip_tsx_via_add(req, c->tgt.tp, hp);
	if (!err && acc->outbound_proxy)
		err = sip_msg_hdr_addf(req, SIP_HDR_ROUTE,
				       strstr(acc->outbound_proxy, ";lr") ?
				       "<%s>" : "<%s;lr>", acc->outbound_proxy);
	/* RFC 3608: the registrar's Service-Route, after the outbound
	 * proxy. */
	if (!err && acc->service_route)
		err = sip_msg_hdr_add(req, SIP_HDR_ROUTE, acc->service_route);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_MAX_FORWARDS, "70");
	if (!err && acc->display_name)
		err = sip_msg_hdr_addf(req, SIP_HDR_FROM, "\"%s\" <%s>;tag=%s",
				       acc->display_name, acc->aor, c->ltag);
	else if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_FROM, "<%s>;tag=%s",
				       acc->aor, c->ltag);
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_TO, "<%s>", c->ruri);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_CALL_ID, c->callid);
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_CSEQ, "%u INVITE", c->cseq);
	if (!err)
		err = call_contact_add(c, req, hp);
	if (!err)
		err = call_common_hdrs(c, req);
	if (!err)
		err = call_make_sdp(c, &sdp, hp, NULL, 0);
	if (!err)
		err = call_set_sdp(req, &sdp);
	buf_free(&sdp);
	if (err) {
		sip_msg_free(req);
		return err;
	}
	*reqp = req;
	return 0;
}

static void send_invite(struct call *c)
{
	struct sip_msg *req = NULL;
	char hp[128];
	int err;

	err = stack_hostport(c->cm->st, &c->tgt, hp, sizeof(hp));
	c->cseq++;
	if (!err)
		err = call_build_invite(c, hp, &req);
	if (!err)
		err = auth_authorize(c->ca->auth, req);
	if (err == EPERM) {
		sip_msg_free(req);
		call_set_state(c, CALL_FAILED, 0,
			       _("SRTP is mandatory for this account, but the "
				 "first hop is not TLS: no call was placed"));
		return;
	}
	if (err) {
		sip_msg_free(req);
		call_set_state(c, CALL_FAILED, 0, _("cannot build the INVITE"));
		return;
	}
	log_info(CALL_LOG, "call %u: INVITE %s over %s (CSeq %u)", c->id,
		 c->ruri, sip_tp_name(c->tgt.tp), c->cseq);
	c->inv_final = false;
	err = sip_ctsx_alloc(&c->inv, stack_tsx(c->cm->st), req, &c->tgt,
			     c->conn, on_invite_resp, c);
	if (err) {
		c->inv = NULL;
		call_set_state(c, CALL_FAILED, 503,
			       _("cannot send the INVITE"));
	}
}

void call_send_reinvite(struct call *c)
{
	struct sip_msg *req = NULL;
	struct buf sdp;
	char hp[128];
	int err;

	buf_init(&sdp, 2048);
	err = call_dialog_request(c, "INVITE", &req, hp, sizeof(hp));
	if (!err)
		err = call_contact_add(c, req, hp);
	if (!err)
		err = call_make_sdp(c, &sdp, hp, NULL, 0);
	if (!err)
		err = call_set_sdp(req, &sdp);
	buf_free(&sdp);
	if (!err) {
		log_info(CALL_LOG, "call %u: re-INVITE (%s)", c->id,
			 c->want_hold ? "hold" : "resume");
		if (c->reinv)
			sip_ctsx_set_handler(c->reinv, NULL, NULL);
		err = sip_ctsx_alloc(&c->reinv, stack_tsx(c->cm->st), req,
				     &c->tgt, c->conn, on_invite_resp, c);
		req = NULL;
		c->reinv_pending = !err;
		if (err)
			c->reinv = NULL;
	}
	sip_msg_free(req);
	if (err) {
		log_warn(CALL_LOG, "call %u: cannot send the re-INVITE: %s",
			 c->id, strerror(err));
		c->want_hold = c->local_hold;
		call_changed(c->cm);
	}
}

static void on_resolved(int err, const struct sip_target *t, size_t n,
			void *arg)
{
	struct call *c = arg;
	char reason[256];

	c->q = NULL;
	if (err || !n) {
		snprintf(reason, sizeof(reason),
			 _("cannot find where to send the call: %s"),
			 strerror(err ? err : ENOENT));
		call_set_state(c, CALL_FAILED, 0, reason);
		return;
	}
	c->tgt = t[0];
	c->have_tgt = true;
	send_invite(c);
}

/* The URI of the first entry of a Service-Route value ("<uri;lr>, ...":
 * RFC 3608 allows only name-addr there), in out; ENOENT when there is
 * none, E2BIG when it does not fit. */
static int first_route_uri(const char *sr, char *out, size_t n)
{
	const char *lt = strchr(sr, '<');
	const char *gt = lt ? strchr(lt, '>') : NULL;

	if (!gt || gt == lt + 1)
		return ENOENT;
	if ((size_t)(gt - lt - 1) >= n)
		return E2BIG;
	memcpy(out, lt + 1, (size_t)(gt - lt - 1));
	out[gt - lt - 1] = '\0';
	return 0;
}

/* The first hop: the outbound proxy, else the first Service-Route entry
 * (RFC 3608), else the registrar (the proxy of a registering account),
 * else the target itself (RFC 3263). */
int call_route(struct call *c)
{
	const struct account *acc = c->ca->acc;
	char sr_hop[256];
	const char *hop = acc->outbound_proxy ? acc->outbound_proxy :
			  acc->service_route &&
			  !first_route_uri(acc->service_route, sr_hop,
					   sizeof(sr_hop)) ? sr_hop :
			  acc->do_register ? acc->registrar : c->ruri;
	bool tls_only = acc->sips || acc->require_tls;
	char domain[SIP_TARGET_HOST_MAX];
	unsigned flags = 0;
	struct sip_uri uri;
	struct pl s;
	int err;

	pl_set_str(&s, hop);
	err = sip_uri_decode(&uri, &s);
	if (err)
		return err;
	if (tls_only || !strncmp(c->ruri, "sips:", 5))
		flags |= RESOLVE_TLS_ONLY;
	else if (acc->has_tp)
		flags |= (acc->tp == SIP_TP_UDP ? 0 : RESOLVE_NO_UDP) |
			 (acc->tp == SIP_TP_TCP ? 0 : RESOLVE_NO_TCP) |
			 (acc->tp == SIP_TP_TLS ? 0 : RESOLVE_NO_TLS);
	/* RFC 5922: the name the user configured, as registration does. */
	if (uri.host_type == SIP_HOST_NAME)
		pl_strcpy(domain, sizeof(domain), &uri.host);
	else
		snprintf(domain, sizeof(domain), "%s", acc->domain);
	err = stack_conn_alloc(&c->conn, c->cm->st, domain,
			       tls_only || (flags & RESOLVE_TLS_ONLY) ==
			       RESOLVE_TLS_ONLY, NULL, NULL);
	if (err)
		return err;
	c->own_conn = true;
	return resolver_lookup(&c->q, stack_resolver(c->cm->st), &uri, flags,
			       on_resolved, c);
}
