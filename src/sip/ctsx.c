/* ctsx.c - client transactions, INVITE and non-INVITE (RFC 3261 17.1, RFC 6026). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rand.h"
#include "sip/tsx_int.h"

static const char *state_names[] = {
	[SIP_CTSX_CALLING] = "CALLING",
	[SIP_CTSX_TRYING] = "TRYING",
	[SIP_CTSX_PROCEEDING] = "PROCEEDING",
	[SIP_CTSX_COMPLETED] = "COMPLETED",
	[SIP_CTSX_ACCEPTED] = "ACCEPTED",
	[SIP_CTSX_TERMINATED] = "TERMINATED",
};

const char *sip_ctsx_state_name(enum sip_ctsx_state s)
{
	if ((size_t)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "?";
	return state_names[s];
}

static void timer_rtx(void *arg);
static void timer_to(void *arg);
static void timer_end(void *arg);

static void report(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
		   struct sip_msg *resp)
{
	if (ct->h)
		ct->h(ct, ev, resp, ct->arg);
}

void ctsx_destroy(struct sip_ctsx *ct)
{
	if (!ct)
		return;
	tmr_cancel(&ct->t_rtx);
	tmr_cancel(&ct->t_to);
	tmr_cancel(&ct->t_end);
	if (ct->prev)
		ct->prev->next = ct->next;
	else
		ct->l->ctsx = ct->next;
	if (ct->next)
		ct->next->prev = ct->prev;
	ct->l->n--;
	sip_msg_free(ct->req);
	sip_msg_free(ct->ack);
	free(ct);
}

/*
 * The one place the state changes.  On-enter actions: the timers each
 * state needs, and, for Terminated, the last report and the free (so
 * the caller must not touch ct afterwards).
 */
static void ctsx_set_state(struct sip_ctsx *ct, enum sip_ctsx_state s)
{
	struct sip_tsx_layer *l = ct->l;
	uint64_t now = loop_now_ms();

	log_debug("tsx", "%.*s client %s -> [%s]", PL_FMT(&ct->method_name),
		  ct->branch, sip_ctsx_state_name(s));
	ct->state = s;
	switch (s) {
	case SIP_CTSX_CALLING:
	case SIP_CTSX_TRYING:
		if (!ct->reliable) {
			ct->rtx_ival = l->cfg.t1;
			ct->rtx_at = now + ct->rtx_ival;
			tsx_arm(l, &ct->t_rtx, ct->rtx_at, timer_rtx, ct);
		}
		tsx_arm(l, &ct->t_to, now + 64ull * l->cfg.t1, timer_to, ct);
		break;
	case SIP_CTSX_PROCEEDING:
		/* Timer B belongs to Calling only (figure 5); Timer F and E
		 * go on for non-INVITE (figure 6). */
		if (ct->invite) {
			tmr_cancel(&ct->t_rtx);
			tmr_cancel(&ct->t_to);
		}
		break;
	case SIP_CTSX_COMPLETED:
		tmr_cancel(&ct->t_rtx);
		tmr_cancel(&ct->t_to);
		if (ct->invite)
			tsx_arm(l, &ct->t_end, now + (ct->reliable ? 0 :
						     l->cfg.td), timer_end, ct);
		else
			tsx_arm(l, &ct->t_end, now + (ct->reliable ? 0 :
						     l->cfg.t4), timer_end, ct);
		break;
	case SIP_CTSX_ACCEPTED:
		tmr_cancel(&ct->t_rtx);
		tmr_cancel(&ct->t_to);
		tsx_arm(l, &ct->t_end, now + 64ull * l->cfg.t1, timer_end, ct);
		break;
	case SIP_CTSX_TERMINATED:
		report(ct, SIP_CTSX_EV_TERMINATED, NULL);
		ctsx_destroy(ct);
		break;
	}
}

static void transport_error(struct sip_ctsx *ct)
{
	report(ct, SIP_CTSX_EV_ERROR, NULL);
	ctsx_set_state(ct, SIP_CTSX_TERMINATED);
}

static void timer_rtx(void *arg)
{
	struct sip_ctsx *ct = arg;
	struct sip_tsx_layer *l = ct->l;

	if (tsx_send(l, ct->req, &ct->dst, ct->flow)) {
		transport_error(ct);
		return;
	}
	/* A doubles without a cap; E doubles up to T2, and is T2 once
	 * Proceeding (17.1.2.2). */
	if (ct->invite)
		ct->rtx_ival *= 2;
	else if (ct->state == SIP_CTSX_PROCEEDING)
		ct->rtx_ival = l->cfg.t2;
	else
		ct->rtx_ival = ct->rtx_ival * 2 < l->cfg.t2 ?
			       ct->rtx_ival * 2 : l->cfg.t2;
	ct->rtx_at += ct->rtx_ival;
	tsx_arm(l, &ct->t_rtx, ct->rtx_at, timer_rtx, ct);
}

static void timer_to(void *arg)
{
	struct sip_ctsx *ct = arg;

	/* No ACK when B fires: nothing answered. */
	report(ct, SIP_CTSX_EV_TIMEOUT, NULL);
	ctsx_set_state(ct, SIP_CTSX_TERMINATED);
}

static void timer_end(void *arg)
{
	ctsx_set_state(arg, SIP_CTSX_TERMINATED);
}

int sip_ctsx_alloc(struct sip_ctsx **ctp, struct sip_tsx_layer *l,
		   struct sip_msg *req, const struct sip_target *dst,
		   void *flow, sip_ctsx_h *h, void *arg)
{
	struct sip_ctsx *ct = NULL;
	const struct sip_via *via;
	const struct sip_cseq *cs;
	int err;

	if (!l || !req || !dst || !sip_msg_is_request(req)) {
		err = EINVAL;
		goto out;
	}
	if (sip_msg_method_id(req) == SIP_M_ACK) {
		err = EINVAL;   /* ACK has no transaction of its own */
		goto out;
	}
	if (l->n >= l->cfg.max_tsx) {
		err = E2BIG;
		goto out;
	}
	err = tsx_top_via(req, &via);
	if (!err)
		err = sip_msg_cseq(req, &cs);
	if (err)
		goto out;
	if (!pl_isset(&via->branch) || via->branch.l < 8 ||
	    strncmp(via->branch.p, RAND_BRANCH_MAGIC, 7)) {
		err = EINVAL;
		goto out;
	}
	if (via->branch.l >= TSX_BRANCH_MAX) {
		err = E2BIG;
		goto out;
	}
	ct = calloc(1, sizeof(*ct));
	if (!ct) {
		err = ENOMEM;
		goto out;
	}
	pl_strcpy(ct->branch, sizeof(ct->branch), &via->branch);
	ct->l = l;
	ct->req = req;
	req = NULL;
	ct->method = sip_msg_method_id(ct->req);
	ct->method_name = sip_msg_method(ct->req);
	ct->invite = ct->method == SIP_M_INVITE;
	ct->dst = *dst;
	ct->reliable = dst->tp != SIP_TP_UDP;
	ct->flow = flow;
	ct->h = h;
	ct->arg = arg;
	tmr_init(&ct->t_rtx);
	tmr_init(&ct->t_to);
	tmr_init(&ct->t_end);

	err = tsx_send(l, ct->req, &ct->dst, ct->flow);
	if (err) {
		sip_msg_free(ct->req);
		free(ct);
		ct = NULL;
		goto out;
	}
	ct->next = l->ctsx;
	if (l->ctsx)
		l->ctsx->prev = ct;
	l->ctsx = ct;
	l->n++;
	ctsx_set_state(ct, ct->invite ? SIP_CTSX_CALLING : SIP_CTSX_TRYING);
	if (ctp)
		*ctp = ct;
 out:
	sip_msg_free(req);
	return err;
}

void sip_ctsx_set_handler(struct sip_ctsx *ct, sip_ctsx_h *h, void *arg)
{
	if (!ct)
		return;
	ct->h = h;
	ct->arg = arg;
}

enum sip_ctsx_state sip_ctsx_state(const struct sip_ctsx *ct)
{
	return ct ? ct->state : SIP_CTSX_TERMINATED;
}

struct sip_msg *sip_ctsx_request(const struct sip_ctsx *ct)
{
	return ct ? ct->req : NULL;
}

/*
 * Builds a request that reuses the INVITE's branch (ACK for a non-2xx,
 * CANCEL): same Request-URI, the top Via only, From, Call-ID, the CSeq
 * number with the new method, and the INVITE's Route (17.1.1.3, 9.1).
 * To comes from the response for the ACK, from the INVITE for CANCEL.
 */
static int sibling_alloc(struct sip_msg **mp, struct sip_ctsx *ct,
			 const char *method, struct sip_msg *resp)
{
	struct sip_msg *m = NULL, *req = ct->req;
	const struct sip_via *via;
	const struct sip_cseq *cs;
	char ruri[SIP_URI_MAX + 1];
	struct pl r = sip_msg_ruri_raw(req);
	int err;

	pl_strcpy(ruri, sizeof(ruri), &r);
	err = tsx_top_via(req, &via);
	if (!err)
		err = sip_msg_cseq(req, &cs);
	if (!err)
		err = sip_msg_request_alloc(&m, method, ruri);
	if (err)
		return err;
	err = sip_msg_hdr_insert(m, 0, SIP_HDR_VIA, NULL, &via->raw);
	if (!err)
		err = sip_msg_hdr_copy(m, req, SIP_HDR_FROM);
	if (!err)
		err = sip_msg_hdr_copy(m, resp ? resp : req, SIP_HDR_TO);
	if (!err)
		err = sip_msg_hdr_copy(m, req, SIP_HDR_CALL_ID);
	if (!err)
		err = sip_msg_hdr_addf(m, SIP_HDR_CSEQ, "%u %s", cs->num,
				       method);
	if (!err)
		err = sip_msg_hdr_add(m, SIP_HDR_MAX_FORWARDS, "70");
	if (!err)
		err = sip_msg_hdr_copy(m, req, SIP_HDR_ROUTE);
	if (err)
		sip_msg_free(m);
	else
		*mp = m;
	return err;
}

int sip_ctsx_cancel_alloc(struct sip_msg **cancelp, struct sip_ctsx *ct)
{
	if (!cancelp || !ct)
		return EINVAL;
	if (!ct->invite)
		return EINVAL;
	if (ct->state != SIP_CTSX_CALLING && ct->state != SIP_CTSX_PROCEEDING)
		return EALREADY;
	if (!ct->got_1xx)
		return EAGAIN;
	return sibling_alloc(cancelp, ct, "CANCEL", NULL);
}

static int cancel_send(struct sip_ctsx *ct)
{
	struct sip_msg *cancel;
	int err;

	ct->cancel_pending = false;
	err = sip_ctsx_cancel_alloc(&cancel, ct);
	if (err)
		return err;
	/* Same destination and flow as the INVITE (RFC 3263 4). */
	return sip_ctsx_alloc(NULL, ct->l, cancel, &ct->dst, ct->flow,
			      NULL, NULL);
}

int sip_ctsx_cancel(struct sip_ctsx *ct)
{
	if (!ct || !ct->invite)
		return EINVAL;
	if (ct->state != SIP_CTSX_CALLING && ct->state != SIP_CTSX_PROCEEDING)
		return EALREADY;
	if (!ct->got_1xx) {
		/* 9.1: wait for a provisional response before sending it. */
		ct->cancel_pending = true;
		return 0;
	}
	return cancel_send(ct);
}

static struct sip_ctsx *ctsx_find(struct sip_tsx_layer *l, struct sip_msg *resp)
{
	const struct sip_via *via;
	const struct sip_cseq *cs;

	if (tsx_top_via(resp, &via) || sip_msg_cseq(resp, &cs))
		return NULL;
	if (!pl_isset(&via->branch))
		return NULL;
	for (struct sip_ctsx *ct = l->ctsx; ct; ct = ct->next) {
		/* 17.1.3: branch and CSeq method; CANCEL shares the branch. */
		if (pl_eq_str(&via->branch, ct->branch) &&
		    pl_eq(&cs->method, &ct->method_name))
			return ct;
	}
	return NULL;
}

static void invite_final(struct sip_ctsx *ct, struct sip_msg *resp)
{
	uint16_t status = sip_msg_status(resp);

	if (status < 300) {
		if (ct->state == SIP_CTSX_ACCEPTED) {
			/* Another fork or a retransmission: the UA ACKs it. */
			report(ct, SIP_CTSX_EV_RESPONSE, resp);
			return;
		}
		if (ct->state == SIP_CTSX_COMPLETED)
			return;
		ctsx_set_state(ct, SIP_CTSX_ACCEPTED);
		report(ct, SIP_CTSX_EV_RESPONSE, resp);
		return;
	}
	if (ct->state == SIP_CTSX_ACCEPTED)
		return;
	if (ct->state == SIP_CTSX_COMPLETED) {
		/* A repeated final response: our ACK was lost. */
		if (ct->ack && tsx_send(ct->l, ct->ack, &ct->dst, ct->flow))
			transport_error(ct);
		return;
	}
	/* 17.1.1.3: the transaction ACKs 300-699 itself, on every
	 * transport. */
	if (sibling_alloc(&ct->ack, ct, "ACK", resp) ||
	    tsx_send(ct->l, ct->ack, &ct->dst, ct->flow)) {
		transport_error(ct);
		return;
	}
	ctsx_set_state(ct, SIP_CTSX_COMPLETED);
	report(ct, SIP_CTSX_EV_RESPONSE, resp);
}

int ctsx_recv(struct sip_tsx_layer *l, struct sip_msg *resp)
{
	struct sip_ctsx *ct = ctsx_find(l, resp);
	uint16_t status = sip_msg_status(resp);

	if (!ct)
		return ENOENT;
	if (status < 200) {
		if (ct->state != SIP_CTSX_CALLING &&
		    ct->state != SIP_CTSX_TRYING &&
		    ct->state != SIP_CTSX_PROCEEDING)
			return 0;
		ct->got_1xx = true;
		if (ct->state != SIP_CTSX_PROCEEDING)
			ctsx_set_state(ct, SIP_CTSX_PROCEEDING);
		report(ct, SIP_CTSX_EV_RESPONSE, resp);
		if (ct->cancel_pending && ct->state == SIP_CTSX_PROCEEDING)
			(void)cancel_send(ct);
		return 0;
	}
	if (ct->invite) {
		invite_final(ct, resp);
		return 0;
	}
	if (ct->state == SIP_CTSX_COMPLETED)
		return 0;       /* retransmission: absorbed */
	ctsx_set_state(ct, SIP_CTSX_COMPLETED);
	report(ct, SIP_CTSX_EV_RESPONSE, resp);
	return 0;
}
