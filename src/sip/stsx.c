/* stsx.c - server transactions, matching, CANCEL and merged requests (RFC 3261 17.2, 9.2, 8.2.2.2). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rand.h"
#include "sip/tsx_int.h"

static const char *state_names[] = {
	[SIP_STSX_TRYING] = "TRYING",
	[SIP_STSX_PROCEEDING] = "PROCEEDING",
	[SIP_STSX_COMPLETED] = "COMPLETED",
	[SIP_STSX_CONFIRMED] = "CONFIRMED",
	[SIP_STSX_ACCEPTED] = "ACCEPTED",
	[SIP_STSX_TERMINATED] = "TERMINATED",
};

const char *sip_stsx_state_name(enum sip_stsx_state s)
{
	if ((size_t)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "?";
	return state_names[s];
}

static void timer_rtx(void *arg);
static void timer_to(void *arg);
static void timer_end(void *arg);
static void timer_trying(void *arg);

static void report(struct sip_stsx *st, enum sip_stsx_ev ev)
{
	if (st->h)
		st->h(st, ev, st->arg);
}

void stsx_destroy(struct sip_stsx *st)
{
	if (!st)
		return;
	tmr_cancel(&st->t_rtx);
	tmr_cancel(&st->t_to);
	tmr_cancel(&st->t_end);
	tmr_cancel(&st->t_trying);
	if (st->prev)
		st->prev->next = st->next;
	else
		st->l->stsx = st->next;
	if (st->next)
		st->next->prev = st->prev;
	st->l->n--;
	sip_msg_free(st->req);
	sip_msg_free(st->resp);
	free(st);
}

/* The one place the state changes; Terminated reports and frees. */
static void stsx_set_state(struct sip_stsx *st, enum sip_stsx_state s)
{
	struct sip_tsx_layer *l = st->l;
	uint64_t now = loop_now_ms();
	struct pl m = sip_msg_method(st->req);

	log_debug("tsx", "%.*s server %.*s -> [%s]", PL_FMT(&m),
		  PL_FMT(&st->branch), sip_stsx_state_name(s));
	st->state = s;
	switch (s) {
	case SIP_STSX_TRYING:
		break;
	case SIP_STSX_PROCEEDING:
		/* 17.2.1: 100 Trying unless the TU answers within 200 ms. */
		if (st->invite && !st->resp)
			tsx_arm(l, &st->t_trying, now + l->cfg.trying,
				timer_trying, st);
		break;
	case SIP_STSX_COMPLETED:
		tmr_cancel(&st->t_trying);
		if (!st->invite) {
			tsx_arm(l, &st->t_to, now + (st->reliable ? 0 :
				64ull * l->cfg.t1), timer_end, st);
			break;
		}
		if (!st->reliable) {
			st->rtx_ival = l->cfg.t1;
			st->rtx_at = now + st->rtx_ival;
			tsx_arm(l, &st->t_rtx, st->rtx_at, timer_rtx, st);
		}
		tsx_arm(l, &st->t_to, now + 64ull * l->cfg.t1, timer_to, st);
		break;
	case SIP_STSX_CONFIRMED:
		tmr_cancel(&st->t_rtx);
		tmr_cancel(&st->t_to);
		tsx_arm(l, &st->t_end, now + (st->reliable ? 0 : l->cfg.t4),
			timer_end, st);
		break;
	case SIP_STSX_ACCEPTED:
		/* RFC 6026 Timer L: INVITE repeats are absorbed meanwhile. */
		tmr_cancel(&st->t_trying);
		tsx_arm(l, &st->t_to, now + 64ull * l->cfg.t1, timer_end, st);
		break;
	case SIP_STSX_TERMINATED:
		report(st, SIP_STSX_EV_TERMINATED);
		stsx_destroy(st);
		break;
	}
}

static int resend(struct sip_stsx *st)
{
	if (!st->resp)
		return 0;
	if (tsx_send(st->l, st->resp, &st->src, st->flow)) {
		report(st, SIP_STSX_EV_ERROR);
		stsx_set_state(st, SIP_STSX_TERMINATED);
		return EIO;
	}
	return 0;
}

static void timer_rtx(void *arg)
{
	struct sip_stsx *st = arg;
	uint32_t t2 = st->l->cfg.t2;

	if (resend(st))
		return;
	st->rtx_ival = st->rtx_ival * 2 < t2 ? st->rtx_ival * 2 : t2;
	st->rtx_at += st->rtx_ival;
	tsx_arm(st->l, &st->t_rtx, st->rtx_at, timer_rtx, st);
}

static void timer_to(void *arg)
{
	struct sip_stsx *st = arg;

	report(st, SIP_STSX_EV_TIMEOUT);
	stsx_set_state(st, SIP_STSX_TERMINATED);
}

static void timer_end(void *arg)
{
	stsx_set_state(arg, SIP_STSX_TERMINATED);
}

static void timer_trying(void *arg)
{
	struct sip_stsx *st = arg;

	if (st->state == SIP_STSX_PROCEEDING && !st->resp)
		(void)sip_stsx_respond(st, 100, NULL);
}

void sip_stsx_set_handler(struct sip_stsx *st, sip_stsx_h *h, void *arg)
{
	if (!st)
		return;
	st->h = h;
	st->arg = arg;
}

enum sip_stsx_state sip_stsx_state(const struct sip_stsx *st)
{
	return st ? st->state : SIP_STSX_TERMINATED;
}

struct sip_msg *sip_stsx_request(const struct sip_stsx *st)
{
	return st ? st->req : NULL;
}

void sip_stsx_peer(const struct sip_stsx *st, struct sip_target *dst,
		   void **flowp)
{
	if (dst)
		*dst = st->src;
	if (flowp)
		*flowp = st->flow;
}

const char *sip_stsx_tag(struct sip_stsx *st)
{
	const struct sip_addr *to;

	if (!st)
		return NULL;
	if (st->tag[0])
		return st->tag;
	if (!sip_msg_addr(st->req, SIP_HDR_TO, &to) && pl_isset(&to->tag) &&
	    to->tag.l < sizeof(st->tag)) {
		pl_strcpy(st->tag, sizeof(st->tag), &to->tag);
		return st->tag;
	}
	if (rand_tag(st->tag, sizeof(st->tag)))
		st->tag[0] = '\0';
	return st->tag;
}

int sip_stsx_send(struct sip_stsx *st, struct sip_msg *resp)
{
	uint16_t status;
	enum sip_stsx_state next;
	int err = 0;

	if (!st || !resp || sip_msg_is_request(resp)) {
		err = EINVAL;
		goto out;
	}
	status = sip_msg_status(resp);
	switch (st->state) {
	case SIP_STSX_TRYING:
	case SIP_STSX_PROCEEDING:
		break;
	case SIP_STSX_ACCEPTED:
		/* The UAS core re-sends its 2xx through here (RFC 6026). */
		if (status >= 200 && status < 300)
			break;
		/* fall through */
	default:
		err = EALREADY;
		goto out;
	}
	if (status == 100 && st->invite && st->resp) {
		err = 0;        /* a 100 after a real provisional adds nothing */
		goto out;
	}
	tmr_cancel(&st->t_trying);
	sip_msg_free(st->resp);
	st->resp = resp;
	resp = NULL;
	if (tsx_send(st->l, st->resp, &st->src, st->flow)) {
		report(st, SIP_STSX_EV_ERROR);
		stsx_set_state(st, SIP_STSX_TERMINATED);
		err = EIO;
		goto out;
	}
	if (status < 200)
		next = SIP_STSX_PROCEEDING;
	else if (st->invite && status < 300)
		next = SIP_STSX_ACCEPTED;
	else
		next = SIP_STSX_COMPLETED;
	if (next != st->state)
		stsx_set_state(st, next);
 out:
	sip_msg_free(resp);
	return err;
}

int sip_stsx_respond(struct sip_stsx *st, uint16_t status, const char *reason)
{
	struct sip_msg *resp;
	int err;

	if (!st)
		return EINVAL;
	err = sip_tsx_response_alloc(&resp, st->req, status, reason,
				     status > 100 ? sip_stsx_tag(st) : NULL);
	if (err)
		return err;
	return sip_stsx_send(st, resp);
}

/* ------------------------------------------------------------------ */
/* Matching (17.2.3)                                                   */
/* ------------------------------------------------------------------ */

static bool has_cookie(const struct pl *branch)
{
	return pl_isset(branch) && branch->l > 7 &&
	       !memcmp(branch->p, RAND_BRANCH_MAGIC, 7);
}

static bool tag_eq(const struct pl *a, const struct pl *b)
{
	if (!pl_isset(a) || !pl_isset(b))
		return pl_isset(a) == pl_isset(b);
	return pl_caseeq(a, b);
}

static struct pl resp_to_tag(struct sip_stsx *st)
{
	const struct sip_addr *to;
	struct pl none = PL_INIT;

	if (!st->resp || sip_msg_addr(st->resp, SIP_HDR_TO, &to))
		return none;
	return to->tag;
}

/*
 * RFC 2543 requests (no magic cookie): Request-URI, To tag, From tag,
 * Call-ID, CSeq number and top Via must all match; an ACK compares its
 * To tag with the one of our response instead.
 */
static bool match_2543(struct sip_stsx *st, struct sip_msg *req,
		       enum sip_method mid)
{
	const struct sip_uri *u1, *u2;
	const struct sip_addr *f1, *f2, *t1, *t2;
	const struct sip_cseq *c1, *c2;
	const struct sip_via *v1, *v2;
	struct pl id1, id2, ttag;

	if (sip_msg_ruri(req, &u1) || sip_msg_ruri(st->req, &u2) ||
	    sip_msg_addr(req, SIP_HDR_FROM, &f1) ||
	    sip_msg_addr(st->req, SIP_HDR_FROM, &f2) ||
	    sip_msg_addr(req, SIP_HDR_TO, &t1) ||
	    sip_msg_addr(st->req, SIP_HDR_TO, &t2) ||
	    sip_msg_cseq(req, &c1) || sip_msg_cseq(st->req, &c2) ||
	    sip_msg_callid(req, &id1) || sip_msg_callid(st->req, &id2) ||
	    tsx_top_via(req, &v1) || tsx_top_via(st->req, &v2))
		return false;
	if (!sip_uri_equal(u1, u2) || !pl_eq(&id1, &id2) ||
	    c1->num != c2->num || !tag_eq(&f1->tag, &f2->tag))
		return false;
	if (!pl_caseeq(&v1->host, &v2->host) || v1->port != v2->port ||
	    !pl_caseeq(&v1->transport, &v2->transport) ||
	    !tag_eq(&v1->branch, &v2->branch))
		return false;
	if (mid == SIP_M_ACK) {
		ttag = resp_to_tag(st);
		return tag_eq(&t1->tag, &ttag);
	}
	return tag_eq(&t1->tag, &t2->tag);
}

/*
 * The server transaction req belongs to, taking it as a request of
 * method want (INVITE for an ACK or for the CANCEL's target).
 */
static struct sip_stsx *stsx_find(struct sip_tsx_layer *l,
				  struct sip_msg *req, enum sip_method mid,
				  enum sip_method want)
{
	const struct sip_via *via;
	struct pl m = sip_msg_method(req);
	bool cookie;

	if (tsx_top_via(req, &via))
		return NULL;
	cookie = has_cookie(&via->branch);
	for (struct sip_stsx *st = l->stsx; st; st = st->next) {
		if (st->method != want)
			continue;
		if (want == SIP_M_OTHER) {
			struct pl sm = sip_msg_method(st->req);

			if (!pl_eq(&sm, &m))
				continue;
		}
		if (cookie != !st->rfc2543)
			continue;
		if (!cookie) {
			if (match_2543(st, req, mid))
				return st;
			continue;
		}
		if (pl_eq(&via->branch, &st->branch) &&
		    pl_caseeq(&via->host, &st->sent_host) &&
		    via->port == st->sent_port)
			return st;
	}
	return NULL;
}

/* 8.2.2.2: no To tag, and From tag, Call-ID and CSeq of a transaction
 * in progress, under another branch: the request forked back to us. */
static bool merged(struct sip_tsx_layer *l, struct sip_msg *req)
{
	const struct sip_addr *f1, *f2, *t1;
	const struct sip_cseq *c1, *c2;
	struct pl id1, id2;

	if (sip_msg_addr(req, SIP_HDR_TO, &t1) || pl_isset(&t1->tag))
		return false;
	if (sip_msg_addr(req, SIP_HDR_FROM, &f1) || sip_msg_cseq(req, &c1) ||
	    sip_msg_callid(req, &id1))
		return false;
	for (struct sip_stsx *st = l->stsx; st; st = st->next) {
		if (sip_msg_addr(st->req, SIP_HDR_FROM, &f2) ||
		    sip_msg_cseq(st->req, &c2) ||
		    sip_msg_callid(st->req, &id2))
			continue;
		if (c1->num == c2->num && pl_eq(&c1->method, &c2->method) &&
		    pl_eq(&id1, &id2) && tag_eq(&f1->tag, &f2->tag))
			return true;
	}
	return false;
}

static int stateless(struct sip_tsx_layer *l, struct sip_msg *req,
		     uint16_t status, const struct sip_target *src, void *flow)
{
	struct sip_msg *resp;
	char tag[TSX_TAG_MAX];
	int err;

	err = rand_tag(tag, sizeof(tag));
	if (!err)
		err = sip_tsx_response_alloc(&resp, req, status, NULL, tag);
	if (err)
		return err;
	if (status == 503)
		err = sip_msg_hdr_add(resp, SIP_HDR_RETRY_AFTER, "5");
	if (!err)
		err = tsx_send(l, resp, src, flow);
	sip_msg_free(resp);
	return err;
}

static int stsx_new(struct sip_stsx **stp, struct sip_tsx_layer *l,
		    struct sip_msg *req, const struct sip_target *src,
		    void *flow)
{
	struct sip_stsx *st;
	const struct sip_via *via;
	int err;

	st = calloc(1, sizeof(*st));
	if (!st)
		return ENOMEM;
	err = tsx_msg_dup(&st->req, req);
	if (!err)
		err = tsx_top_via(st->req, &via);
	if (err) {
		sip_msg_free(st->req);
		free(st);
		return err;
	}
	st->l = l;
	st->method = sip_msg_method_id(st->req);
	st->invite = st->method == SIP_M_INVITE;
	st->branch = via->branch;
	st->rfc2543 = !has_cookie(&via->branch);
	st->sent_host = via->host;
	st->sent_port = via->port;
	st->src = *src;
	st->flow = flow;
	st->reliable = src->tp != SIP_TP_UDP;
	tmr_init(&st->t_rtx);
	tmr_init(&st->t_to);
	tmr_init(&st->t_end);
	tmr_init(&st->t_trying);
	st->next = l->stsx;
	if (l->stsx)
		l->stsx->prev = st;
	l->stsx = st;
	l->n++;
	st->state = SIP_STSX_TRYING;
	stsx_set_state(st, st->invite ? SIP_STSX_PROCEEDING :
			   SIP_STSX_TRYING);
	*stp = st;
	return 0;
}

static void stsx_repeat(struct sip_stsx *st)
{
	switch (st->state) {
	case SIP_STSX_PROCEEDING:
	case SIP_STSX_COMPLETED:
		(void)resend(st);
		break;
	default:
		/* Trying: the TU is on it; Confirmed and Accepted absorb. */
		break;
	}
}

static void stsx_ack(struct sip_stsx *st, struct sip_msg *ack,
		     const struct sip_target *src, void *flow)
{
	struct sip_tsx_layer *l = st->l;

	if (st->state == SIP_STSX_COMPLETED) {
		stsx_set_state(st, SIP_STSX_CONFIRMED);
		report(st, SIP_STSX_EV_ACKED);
	} else if (st->state == SIP_STSX_ACCEPTED && l->reqh) {
		/* An RFC 2543 ACK for our 2xx: the dialog's business. */
		l->reqh(NULL, ack, src, flow, l->arg);
	}
}

static int cancel_recv(struct sip_tsx_layer *l, struct sip_msg *req,
		       const struct sip_target *src, void *flow)
{
	struct sip_stsx *inv, *st;
	int err;

	inv = stsx_find(l, req, SIP_M_CANCEL, SIP_M_INVITE);
	if (l->n >= l->cfg.max_tsx)
		return stateless(l, req, 503, src, flow);
	err = stsx_new(&st, l, req, src, flow);
	if (err)
		return err;
	if (!inv)
		return sip_stsx_respond(st, 481, NULL);
	/* 9.2: the CANCEL itself always gets its 200; the INVITE gets 487
	 * from the TU if it has not answered finally yet. */
	err = sip_stsx_respond(st, 200, NULL);
	if (inv->state == SIP_STSX_PROCEEDING)
		report(inv, SIP_STSX_EV_CANCELLED);
	return err;
}

int stsx_recv(struct sip_tsx_layer *l, struct sip_msg *req,
	      const struct sip_target *src, void *flow)
{
	enum sip_method mid = sip_msg_method_id(req);
	struct sip_stsx *st;
	int err;

	if (mid == SIP_M_ACK) {
		st = stsx_find(l, req, mid, SIP_M_INVITE);
		if (st)
			stsx_ack(st, req, src, flow);
		else if (l->reqh)
			l->reqh(NULL, req, src, flow, l->arg);
		return 0;
	}
	st = stsx_find(l, req, mid, mid);
	if (st) {
		stsx_repeat(st);
		return 0;
	}
	if (mid == SIP_M_CANCEL)
		return cancel_recv(l, req, src, flow);
	if (l->n >= l->cfg.max_tsx)
		return stateless(l, req, 503, src, flow);
	if (merged(l, req)) {
		/* Answered through a transaction of its own, so its
		 * retransmissions are absorbed too. */
		err = stsx_new(&st, l, req, src, flow);
		return err ? err : sip_stsx_respond(st, 482, NULL);
	}
	err = stsx_new(&st, l, req, src, flow);
	if (err)
		return err;
	if (!l->reqh)
		return sip_stsx_respond(st, 501, NULL);
	l->reqh(st, st->req, src, flow, l->arg);
	return 0;
}
