/* test_tsx.c - client and server transactions: schedules, ACK, CANCEL, matching. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/loop.h"
#include "sip/tsx.h"

#define T1 20u                  /* small so the 64*T1 schedules run fast */
#define LATE (T1 * 3 / 4)       /* how late a send may be on a busy host */
#define MAX_SENT 256

struct sent {
	uint64_t t;             /* ms since the fixture's t0 */
	struct sip_msg *m;
	enum sip_tp tp;
};

struct fx {
	struct loop *loop;
	struct sip_tsx_layer *l;
	uint64_t t0;
	struct sent sent[MAX_SENT];
	size_t nsent;           /* recorded */
	size_t nsend;           /* all calls */
	int send_err;
	/* client events */
	int n_resp, n_timeout, n_error, n_term;
	uint16_t last_status;
	uint64_t t_timeout;
	/* server side */
	int n_req, n_ack2xx;
	struct sip_stsx *st;
	int st_cancelled, st_acked, st_timeout, st_term;
	uint64_t t_st_timeout;
	uint16_t auto_status;   /* respond in the request handler if set */
};

static uint64_t now_rel(struct fx *f)
{
	return loop_now_ms() - f->t0;
}

static int rec_send(void *arg, const struct sip_msg *msg,
		    const struct sip_target *dst, void *flow)
{
	struct fx *f = arg;
	struct buf b;
	int err;

	(void)flow;
	f->nsend++;
	if (f->send_err)
		return f->send_err;
	if (f->nsent == MAX_SENT)
		return 0;
	buf_init(&b, 0);
	err = sip_msg_print(&b, msg);
	assert_int_equal(err, 0);
	err = sip_msg_decode(&f->sent[f->nsent].m, b.data, b.len, 0, NULL);
	assert_int_equal(err, 0);
	buf_free(&b);
	f->sent[f->nsent].t = now_rel(f);
	f->sent[f->nsent].tp = dst->tp;
	f->nsent++;
	return 0;
}

static void st_h(struct sip_stsx *st, enum sip_stsx_ev ev, void *arg)
{
	struct fx *f = arg;

	switch (ev) {
	case SIP_STSX_EV_CANCELLED:
		f->st_cancelled++;
		break;
	case SIP_STSX_EV_ACKED:
		f->st_acked++;
		break;
	case SIP_STSX_EV_TIMEOUT:
		f->st_timeout++;
		f->t_st_timeout = now_rel(f);
		break;
	case SIP_STSX_EV_ERROR:
		break;
	case SIP_STSX_EV_TERMINATED:
		f->st_term++;
		if (f->st == st)
			f->st = NULL;
		break;
	}
}

static void req_h(struct sip_stsx *st, struct sip_msg *req,
		  const struct sip_target *src, void *flow, void *arg)
{
	struct fx *f = arg;

	(void)req;
	(void)src;
	(void)flow;
	if (!st) {
		f->n_ack2xx++;
		return;
	}
	f->n_req++;
	f->st = st;
	sip_stsx_set_handler(st, st_h, f);
	if (f->auto_status)
		assert_int_equal(sip_stsx_respond(st, f->auto_status, NULL), 0);
}

static void ct_h(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
		 struct sip_msg *resp, void *arg)
{
	struct fx *f = arg;

	(void)ct;
	switch (ev) {
	case SIP_CTSX_EV_RESPONSE:
		f->n_resp++;
		f->last_status = sip_msg_status(resp);
		break;
	case SIP_CTSX_EV_TIMEOUT:
		f->n_timeout++;
		f->t_timeout = now_rel(f);
		break;
	case SIP_CTSX_EV_ERROR:
		f->n_error++;
		break;
	case SIP_CTSX_EV_TERMINATED:
		f->n_term++;
		break;
	}
}

static struct fx *fx_new(uint32_t t2, size_t max)
{
	struct sip_tsx_cfg cfg = {
		.t1 = T1, .t2 = t2, .t4 = 5 * T1, .td = 10 * T1,
		.max_tsx = max,
	};
	struct sip_tsx_io io;
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	io.send = rec_send;
	io.arg = f;
	assert_int_equal(loop_alloc(&f->loop), 0);
	assert_int_equal(sip_tsx_layer_alloc(&f->l, f->loop, &cfg, &io,
					     req_h, f), 0);
	f->t0 = loop_now_ms();
	return f;
}

static void fx_free(struct fx *f)
{
	sip_tsx_layer_free(f->l);
	loop_free(f->loop);
	for (size_t i = 0; i < f->nsent; i++)
		sip_msg_free(f->sent[i].m);
	free(f);
}

/* Runs the loop until ms after t0 (bounded: timers only). */
static void run_to(struct fx *f, uint64_t ms)
{
	uint64_t now;

	while ((now = now_rel(f)) < ms)
		assert_int_equal(loop_once(f->loop, (int)(ms - now)), 0);
}

static struct sip_target target(enum sip_tp tp)
{
	struct sip_target t;

	memset(&t, 0, sizeof(t));
	t.tp = tp;
	strcpy(t.host, "192.0.2.1");
	return t;
}

static struct sip_msg *parse(const char *s)
{
	struct sip_msg *m = NULL;

	assert_int_equal(sip_msg_decode(&m, s, strlen(s), 0, NULL), 0);
	return m;
}

/* A request as a UAC would build it. */
static struct sip_msg *mk_req(const char *method, const char *branch,
			      uint32_t cseq, const char *to_tag)
{
	char s[2048];

	snprintf(s, sizeof(s),
		 "%s sip:bob@biloxi.com SIP/2.0\r\n"
		 "Via: SIP/2.0/UDP pc33.atlanta.com%s%s\r\n"
		 "Max-Forwards: 70\r\n"
		 "Route: <sip:p1.example.com;lr>\r\n"
		 "Route: <sip:p2.example.com;lr>\r\n"
		 "To: Bob <sip:bob@biloxi.com>%s%s\r\n"
		 "From: Alice <sip:alice@atlanta.com>;tag=1928301774\r\n"
		 "Call-ID: a84b4c76e66710\r\n"
		 "CSeq: %u %s\r\n"
		 "Contact: <sip:alice@pc33.atlanta.com>\r\n"
		 "Content-Length: 0\r\n\r\n",
		 method, branch ? ";branch=" : "", branch ? branch : "",
		 to_tag ? ";tag=" : "", to_tag ? to_tag : "", cseq,
		 method);
	return parse(s);
}

/* The response a peer sends to req, as it arrives (printed, parsed). */
static struct sip_msg *mk_resp(struct sip_msg *req, uint16_t status,
			       const char *tag)
{
	struct sip_msg *r, *wire;
	struct buf b;

	assert_int_equal(sip_tsx_response_alloc(&r, req, status, NULL, tag), 0);
	buf_init(&b, 0);
	assert_int_equal(sip_msg_print(&b, r), 0);
	wire = parse(b.data);
	buf_free(&b);
	sip_msg_free(r);
	return wire;
}

static struct sip_msg *reparse(const struct sip_msg *m)
{
	struct sip_msg *wire;
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(sip_msg_print(&b, m), 0);
	wire = parse(b.data);
	buf_free(&b);
	return wire;
}

static void hdr_is(struct sip_msg *m, enum sip_hdr_id id, const char *want)
{
	size_t i = 0;
	const struct sip_hdr *h = sip_msg_hdr_next(m, id, &i);

	assert_non_null(h);
	assert_true(pl_eq_str(&h->val, want));
}

static void assert_times(struct fx *f, const unsigned *k, size_t n)
{
	assert_int_equal(f->nsent, n);
	for (size_t i = 0; i < n; i++) {
		uint64_t want = (uint64_t)k[i] * T1;

		if (f->sent[i].t + 1 < want || f->sent[i].t > want + LATE)
			fail_msg("send %zu at %llu ms, want %llu ms", i,
				 (unsigned long long)f->sent[i].t,
				 (unsigned long long)want);
	}
}

static bool is_method(struct sip_msg *m, const char *method)
{
	struct pl p = sip_msg_method(m);

	return sip_msg_is_request(m) && pl_eq_str(&p, method);
}

static void deliver_resp(struct fx *f, struct sip_msg *r)
{
	struct sip_target src = target(SIP_TP_UDP);

	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
}

static struct sip_ctsx *start(struct fx *f, const char *method,
			      enum sip_tp tp)
{
	struct sip_target dst = target(tp);
	struct sip_ctsx *ct = NULL;

	assert_int_equal(sip_ctsx_alloc(&ct, f->l,
					mk_req(method, "z9hG4bKnashds8",
					       314159, NULL),
					&dst, NULL, ct_h, f), 0);
	return ct;
}

/* ------------------------------------------------------------------ */
/* Client transactions                                                 */
/* ------------------------------------------------------------------ */

/* SPECS 1.3 derived schedule, in units of T1: 0,1,3,7,15,31,63, B at 64. */
static void test_ict_udp_schedule(void **state)
{
	static const unsigned k[] = {0, 1, 3, 7, 15, 31, 63};
	struct fx *f = fx_new(8 * T1, 0);

	(void)state;
	f->t0 = loop_now_ms();
	start(f, "INVITE", SIP_TP_UDP);
	run_to(f, 64 * T1 + LATE + 5);
	assert_times(f, k, 7);
	for (size_t i = 0; i < f->nsent; i++)
		assert_true(is_method(f->sent[i].m, "INVITE"));
	assert_int_equal(f->n_timeout, 1);
	assert_true(f->t_timeout + 1 >= 64 * T1);
	assert_true(f->t_timeout <= 64 * T1 + LATE);
	assert_int_equal(f->n_term, 1);
	assert_int_equal(sip_tsx_layer_count(f->l), 0);
	fx_free(f);
}

/* Non-INVITE with T2 = 8*T1: 0,1,3,7,15,23,31,...,63, F at 64 (the
 * SPECS example with T1 = 500 ms, T2 = 4 s, scaled). */
static void test_nict_udp_schedule(void **state)
{
	static const unsigned k[] = {0, 1, 3, 7, 15, 23, 31, 39, 47, 55, 63};
	struct fx *f = fx_new(8 * T1, 0);

	(void)state;
	f->t0 = loop_now_ms();
	start(f, "OPTIONS", SIP_TP_UDP);
	run_to(f, 64 * T1 + LATE + 5);
	assert_times(f, k, 11);
	assert_int_equal(f->n_timeout, 1);
	assert_true(f->t_timeout + 1 >= 64 * T1);
	assert_int_equal(sip_tsx_layer_count(f->l), 0);
	fx_free(f);
}

static void test_ict_tcp_no_rtx(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);

	(void)state;
	f->t0 = loop_now_ms();
	start(f, "INVITE", SIP_TP_TLS);
	run_to(f, 64 * T1 + LATE + 5);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(f->sent[0].tp, SIP_TP_TLS);
	assert_int_equal(f->n_timeout, 1);
	assert_true(f->t_timeout + 1 >= 64 * T1);
	fx_free(f);
}

static void test_nict_tcp_no_rtx(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);

	(void)state;
	f->t0 = loop_now_ms();
	start(f, "REGISTER", SIP_TP_TCP);
	run_to(f, 64 * T1 + LATE + 5);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(f->n_timeout, 1);
	fx_free(f);
}

/* Once Proceeding, E fires at T2 intervals. */
static void test_nict_proceeding_t2(void **state)
{
	static const unsigned k[] = {0, 1, 9, 17};
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_ctsx *ct;
	struct sip_msg *r;

	(void)state;
	f->t0 = loop_now_ms();
	ct = start(f, "OPTIONS", SIP_TP_UDP);
	r = mk_resp(sip_ctsx_request(ct), 100, NULL);
	deliver_resp(f, r);
	assert_int_equal(sip_ctsx_state(ct), SIP_CTSX_PROCEEDING);
	run_to(f, 17 * T1 + LATE);
	assert_times(f, k, 4);
	r = mk_resp(sip_ctsx_request(ct), 200, "x");
	deliver_resp(f, r);
	assert_int_equal(sip_ctsx_state(ct), SIP_CTSX_COMPLETED);
	assert_int_equal(f->last_status, 200);
	/* Timer K (T4 = 5*T1) ends it, with no more sends. */
	run_to(f, 17 * T1 + 6 * T1 + LATE);
	assert_int_equal(f->nsent, 4);
	assert_int_equal(f->n_term, 1);
	assert_int_equal(f->n_timeout, 0);
	fx_free(f);
}

static void test_ict_486_ack(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_target src = target(SIP_TP_TCP);
	struct sip_ctsx *ct;
	struct sip_msg *r, *ack;
	size_t i = 0;
	const struct sip_hdr *h;

	(void)state;
	ct = start(f, "INVITE", SIP_TP_TCP);
	r = mk_resp(sip_ctsx_request(ct), 180, "as83kd9bs");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
	assert_int_equal(sip_ctsx_state(ct), SIP_CTSX_PROCEEDING);
	r = mk_resp(sip_ctsx_request(ct), 486, "as83kd9bs");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
	assert_int_equal(f->n_resp, 2);
	assert_int_equal(f->last_status, 486);
	/* The ACK went even over TCP, built by the transaction. */
	assert_int_equal(f->nsent, 2);
	ack = f->sent[1].m;
	assert_true(is_method(ack, "ACK"));
	{
		struct pl ruri = sip_msg_ruri_raw(ack);

		assert_true(pl_eq_str(&ruri, "sip:bob@biloxi.com"));
	}
	assert_int_equal(sip_msg_hdr_num(ack, SIP_HDR_VIA), 1);
	hdr_is(ack, SIP_HDR_VIA, "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8");
	hdr_is(ack, SIP_HDR_TO, "Bob <sip:bob@biloxi.com>;tag=as83kd9bs");
	hdr_is(ack, SIP_HDR_FROM, "Alice <sip:alice@atlanta.com>;tag=1928301774");
	hdr_is(ack, SIP_HDR_CALL_ID, "a84b4c76e66710");
	hdr_is(ack, SIP_HDR_CSEQ, "314159 ACK");
	hdr_is(ack, SIP_HDR_MAX_FORWARDS, "70");
	assert_int_equal(sip_msg_hdr_num(ack, SIP_HDR_ROUTE), 2);
	h = sip_msg_hdr_next(ack, SIP_HDR_ROUTE, &i);
	assert_true(pl_eq_str(&h->val, "<sip:p1.example.com;lr>"));
	h = sip_msg_hdr_next(ack, SIP_HDR_ROUTE, &i);
	assert_true(pl_eq_str(&h->val, "<sip:p2.example.com;lr>"));
	assert_int_equal(sip_msg_hdr_num(ack, SIP_HDR_CONTACT), 0);
	assert_int_equal(sip_msg_body(ack).l, 0);
	/* Timer D is 0 on TCP. */
	run_to(f, 3);
	run_to(f, now_rel(f) + 2);
	assert_int_equal(f->n_term, 1);
	assert_int_equal(sip_tsx_layer_count(f->l), 0);
	fx_free(f);
}

/* A repeated 486 over UDP is ACKed again and not passed up. */
static void test_ict_486_repeat(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_target src = target(SIP_TP_UDP);
	struct sip_ctsx *ct;
	struct sip_msg *r;

	(void)state;
	f->t0 = loop_now_ms();
	ct = start(f, "INVITE", SIP_TP_UDP);
	r = mk_resp(sip_ctsx_request(ct), 486, "t1");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
	assert_int_equal(f->n_resp, 1);
	assert_int_equal(f->nsent, 4);
	for (size_t i = 1; i < 4; i++)
		assert_true(is_method(f->sent[i].m, "ACK"));
	assert_int_equal(sip_ctsx_state(ct), SIP_CTSX_COMPLETED);
	/* No INVITE retransmission after the final response; D = 10*T1. */
	run_to(f, 12 * T1);
	assert_int_equal(f->nsent, 4);
	assert_int_equal(f->n_term, 1);
	fx_free(f);
}

/* 2xx goes to the TU (no ACK from the transaction); repeats too. */
static void test_ict_2xx_passed_up(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_target src = target(SIP_TP_UDP);
	struct sip_ctsx *ct;
	struct sip_msg *r;

	(void)state;
	f->t0 = loop_now_ms();
	ct = start(f, "INVITE", SIP_TP_UDP);
	r = mk_resp(sip_ctsx_request(ct), 200, "t2");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	assert_int_equal(f->n_resp, 1);
	assert_int_equal(f->last_status, 200);
	assert_int_equal(sip_ctsx_state(ct), SIP_CTSX_ACCEPTED);
	assert_int_equal(f->nsent, 1);          /* no ACK */
	/* The retransmitted 2xx reaches the TU, which re-sends its ACK. */
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	assert_int_equal(f->n_resp, 2);
	assert_int_equal(f->nsent, 1);
	/* Timer M (64*T1) ends the transaction; a late 2xx is stray. */
	run_to(f, 64 * T1 + LATE);
	assert_int_equal(f->n_term, 1);
	assert_int_equal(f->n_timeout, 0);
	assert_int_equal(f->nsent, 1);          /* A stopped */
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), ENOENT);
	sip_msg_free(r);
	fx_free(f);
}

/* A provisional response stops A and B (figure 5). */
static void test_ict_1xx_stops_timers(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_target src = target(SIP_TP_UDP);
	struct sip_ctsx *ct;
	struct sip_msg *r;

	(void)state;
	f->t0 = loop_now_ms();
	ct = start(f, "INVITE", SIP_TP_UDP);
	run_to(f, T1 + LATE);
	assert_int_equal(f->nsent, 2);
	r = mk_resp(sip_ctsx_request(ct), 180, "t3");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
	run_to(f, 66 * T1);
	assert_int_equal(f->nsent, 2);
	assert_int_equal(f->n_timeout, 0);
	assert_int_equal(sip_ctsx_state(ct), SIP_CTSX_PROCEEDING);
	fx_free(f);
}

static void test_cancel_built(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_target src = target(SIP_TP_UDP);
	struct sip_ctsx *ct;
	struct sip_msg *r, *c = NULL;
	struct pl ruri;

	(void)state;
	ct = start(f, "INVITE", SIP_TP_UDP);
	assert_int_equal(sip_ctsx_cancel_alloc(&c, ct), EAGAIN);
	r = mk_resp(sip_ctsx_request(ct), 180, "t4");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
	assert_int_equal(sip_ctsx_cancel_alloc(&c, ct), 0);
	r = reparse(c);
	sip_msg_free(c);
	assert_true(is_method(r, "CANCEL"));
	ruri = sip_msg_ruri_raw(r);
	assert_true(pl_eq_str(&ruri, "sip:bob@biloxi.com"));
	assert_int_equal(sip_msg_hdr_num(r, SIP_HDR_VIA), 1);
	hdr_is(r, SIP_HDR_VIA, "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKnashds8");
	hdr_is(r, SIP_HDR_TO, "Bob <sip:bob@biloxi.com>");
	hdr_is(r, SIP_HDR_FROM, "Alice <sip:alice@atlanta.com>;tag=1928301774");
	hdr_is(r, SIP_HDR_CALL_ID, "a84b4c76e66710");
	hdr_is(r, SIP_HDR_CSEQ, "314159 CANCEL");
	assert_int_equal(sip_msg_hdr_num(r, SIP_HDR_ROUTE), 2);
	hdr_is(r, SIP_HDR_ROUTE, "<sip:p1.example.com;lr>");
	sip_msg_free(r);
	fx_free(f);
}

/* sip_ctsx_cancel() before any 1xx waits for one (RFC 3261 9.1); the
 * CANCEL's 200 goes to its own transaction, the 487 to the INVITE's. */
static void test_cancel_waits_for_1xx(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_target src = target(SIP_TP_TCP);
	struct sip_ctsx *ct;
	struct sip_msg *r, *cancel;

	(void)state;
	ct = start(f, "INVITE", SIP_TP_TCP);
	assert_int_equal(sip_ctsx_cancel(ct), 0);
	assert_int_equal(f->nsent, 1);
	r = mk_resp(sip_ctsx_request(ct), 183, "t5");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
	assert_int_equal(f->nsent, 2);
	cancel = f->sent[1].m;
	assert_true(is_method(cancel, "CANCEL"));
	assert_int_equal(sip_tsx_layer_count(f->l), 2);
	/* 200 to CANCEL matches the CANCEL transaction only. */
	r = mk_resp(cancel, 200, "t5");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
	assert_int_equal(f->last_status, 183);
	assert_int_equal(sip_ctsx_state(ct), SIP_CTSX_PROCEEDING);
	r = mk_resp(sip_ctsx_request(ct), 487, "t5");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), 0);
	sip_msg_free(r);
	assert_int_equal(f->last_status, 487);
	assert_true(is_method(f->sent[2].m, "ACK"));
	assert_int_equal(sip_ctsx_cancel(ct), EALREADY);
	fx_free(f);
}

static void test_cancel_non_invite(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_ctsx *ct;
	struct sip_msg *c;

	(void)state;
	ct = start(f, "OPTIONS", SIP_TP_UDP);
	assert_int_equal(sip_ctsx_cancel_alloc(&c, ct), EINVAL);
	assert_int_equal(sip_ctsx_cancel(ct), EINVAL);
	fx_free(f);
}

/* 17.1.3: branch and CSeq method; anything else is not ours. */
static void test_client_matching(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_target src = target(SIP_TP_UDP);
	struct sip_ctsx *ct;
	struct sip_msg *other, *r;

	(void)state;
	ct = start(f, "INVITE", SIP_TP_UDP);
	other = mk_req("INVITE", "z9hG4bKother", 314159, NULL);
	r = mk_resp(other, 180, "x");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), ENOENT);
	sip_msg_free(r);
	sip_msg_free(other);
	other = mk_req("OPTIONS", "z9hG4bKnashds8", 314159, NULL);
	r = mk_resp(other, 200, "x");
	assert_int_equal(sip_tsx_recv(f->l, r, &src, NULL), ENOENT);
	sip_msg_free(r);
	sip_msg_free(other);
	assert_int_equal(f->n_resp, 0);
	assert_int_equal(sip_ctsx_state(ct), SIP_CTSX_CALLING);
	fx_free(f);
}

static void test_client_bad_args(void **state)
{
	struct fx *f = fx_new(8 * T1, 2);
	struct sip_target dst = target(SIP_TP_UDP);

	(void)state;
	/* No magic cookie: not a request we could match responses to. */
	assert_int_equal(sip_ctsx_alloc(NULL, f->l,
					mk_req("OPTIONS", "1234", 1, NULL),
					&dst, NULL, NULL, NULL), EINVAL);
	assert_int_equal(sip_ctsx_alloc(NULL, f->l,
					mk_req("ACK", "z9hG4bKa", 1, NULL),
					&dst, NULL, NULL, NULL), EINVAL);
	assert_int_equal(sip_ctsx_alloc(NULL, f->l,
					mk_req("OPTIONS", "z9hG4bKa", 1, NULL),
					&dst, NULL, NULL, NULL), 0);
	assert_int_equal(sip_ctsx_alloc(NULL, f->l,
					mk_req("OPTIONS", "z9hG4bKb", 1, NULL),
					&dst, NULL, NULL, NULL), 0);
	/* The bound. */
	assert_int_equal(sip_ctsx_alloc(NULL, f->l,
					mk_req("OPTIONS", "z9hG4bKc", 1, NULL),
					&dst, NULL, NULL, NULL), E2BIG);
	assert_int_equal(sip_tsx_layer_count(f->l), 2);
	fx_free(f);
}

/* A send that fails at once fails the alloc; one that fails later is an
 * error event and the end of the transaction. */
static void test_client_transport_error(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_target dst = target(SIP_TP_UDP);

	(void)state;
	f->send_err = ENETUNREACH;
	assert_int_equal(sip_ctsx_alloc(NULL, f->l,
					mk_req("OPTIONS", "z9hG4bKa", 1, NULL),
					&dst, NULL, ct_h, f), ENETUNREACH);
	assert_int_equal(sip_tsx_layer_count(f->l), 0);
	f->send_err = 0;
	f->t0 = loop_now_ms();
	start(f, "INVITE", SIP_TP_UDP);
	f->send_err = EPIPE;
	run_to(f, T1 + LATE);
	assert_int_equal(f->n_error, 1);
	assert_int_equal(f->n_term, 1);
	assert_int_equal(sip_tsx_layer_count(f->l), 0);
	fx_free(f);
}

/* ------------------------------------------------------------------ */
/* Server transactions                                                 */
/* ------------------------------------------------------------------ */

static void deliver(struct fx *f, struct sip_msg *m, enum sip_tp tp)
{
	struct sip_target src = target(tp);

	assert_int_equal(sip_tsx_recv(f->l, m, &src, NULL), 0);
	sip_msg_free(m);
}

static void test_stsx_absorbs_invite_repeat(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_msg *req;

	(void)state;
	req = mk_req("INVITE", "z9hG4bK776asdhds", 1, NULL);
	deliver(f, req, SIP_TP_UDP);
	assert_int_equal(f->n_req, 1);
	assert_non_null(f->st);
	assert_int_equal(sip_stsx_respond(f->st, 180, NULL), 0);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(sip_msg_status(f->sent[0].m), 180);
	deliver(f, mk_req("INVITE", "z9hG4bK776asdhds", 1, NULL), SIP_TP_UDP);
	assert_int_equal(f->n_req, 1);
	assert_int_equal(f->nsent, 2);
	assert_int_equal(sip_msg_status(f->sent[1].m), 180);
	assert_true(sip_msg_same(f->sent[0].m, f->sent[1].m));
	assert_int_equal(sip_tsx_layer_count(f->l), 1);
	/* The To tag stays the same in each response of the transaction. */
	{
		const struct sip_addr *to;

		assert_int_equal(sip_msg_addr(f->sent[1].m, SIP_HDR_TO, &to), 0);
		assert_true(pl_eq_str(&to->tag, sip_stsx_tag(f->st)));
		assert_int_equal(to->tag.l, 16);
	}
	fx_free(f);
}

static void test_stsx_100_trying(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	const struct sip_addr *to;

	(void)state;
	f->t0 = loop_now_ms();
	deliver(f, mk_req("INVITE", "z9hG4bKtry", 1, NULL), SIP_TP_UDP);
	run_to(f, 150);
	assert_int_equal(f->nsent, 0);
	run_to(f, 200 + LATE);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(sip_msg_status(f->sent[0].m), 100);
	assert_true(f->sent[0].t + 1 >= 200);
	assert_int_equal(sip_msg_addr(f->sent[0].m, SIP_HDR_TO, &to), 0);
	assert_false(pl_isset(&to->tag));
	/* A TU that answers at once sends no 100. */
	f->auto_status = 180;
	f->t0 = loop_now_ms();
	deliver(f, mk_req("INVITE", "z9hG4bKtry2", 2, NULL), SIP_TP_UDP);
	run_to(f, 200 + LATE);
	assert_int_equal(f->nsent, 2);
	assert_int_equal(sip_msg_status(f->sent[1].m), 180);
	fx_free(f);
}

/* G doubles to T2 until Timer H gives up at 64*T1. */
static void test_stsx_timer_g_h(void **state)
{
	static const unsigned k[] = {0, 1, 3, 7, 15, 23, 31, 39, 47, 55, 63};
	struct fx *f = fx_new(8 * T1, 0);

	(void)state;
	deliver(f, mk_req("INVITE", "z9hG4bKgh", 1, NULL), SIP_TP_UDP);
	f->t0 = loop_now_ms();
	assert_int_equal(sip_stsx_respond(f->st, 486, NULL), 0);
	run_to(f, 64 * T1 + LATE);
	assert_times(f, k, 11);
	for (size_t i = 0; i < f->nsent; i++)
		assert_int_equal(sip_msg_status(f->sent[i].m), 486);
	assert_int_equal(f->st_timeout, 1);
	assert_true(f->t_st_timeout + 1 >= 64 * T1);
	assert_int_equal(f->st_term, 1);
	assert_int_equal(sip_tsx_layer_count(f->l), 0);
	fx_free(f);
}

/* The ACK (same branch) stops G and H; Timer I ends it. */
static void test_stsx_ack_matches(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_stsx *st;

	(void)state;
	deliver(f, mk_req("INVITE", "z9hG4bKack", 1, NULL), SIP_TP_UDP);
	st = f->st;
	f->t0 = loop_now_ms();
	assert_int_equal(sip_stsx_respond(st, 486, NULL), 0);
	run_to(f, T1 + LATE);
	assert_int_equal(f->nsent, 2);
	/* An ACK from another branch is not this transaction's. */
	deliver(f, mk_req("ACK", "z9hG4bKzzz", 1, sip_stsx_tag(st)), SIP_TP_UDP);
	assert_int_equal(f->st_acked, 0);
	assert_int_equal(f->n_ack2xx, 1);
	deliver(f, mk_req("ACK", "z9hG4bKack", 1, sip_stsx_tag(st)), SIP_TP_UDP);
	assert_int_equal(f->st_acked, 1);
	assert_int_equal(sip_stsx_state(st), SIP_STSX_CONFIRMED);
	/* Repeated ACKs are absorbed. */
	deliver(f, mk_req("ACK", "z9hG4bKack", 1, sip_stsx_tag(st)), SIP_TP_UDP);
	assert_int_equal(f->st_acked, 1);
	run_to(f, T1 + 5 * T1 + LATE + 5);      /* T4 = 5*T1 */
	assert_int_equal(f->nsent, 2);
	assert_int_equal(f->st_timeout, 0);
	assert_int_equal(f->st_term, 1);
	fx_free(f);
}

/* 2xx: Accepted absorbs repeats without re-sending (the core does). */
static void test_stsx_accepted(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_stsx *st;

	(void)state;
	deliver(f, mk_req("INVITE", "z9hG4bKacc", 1, NULL), SIP_TP_TCP);
	st = f->st;
	assert_int_equal(sip_stsx_respond(st, 200, NULL), 0);
	assert_int_equal(sip_stsx_state(st), SIP_STSX_ACCEPTED);
	deliver(f, mk_req("INVITE", "z9hG4bKacc", 1, NULL), SIP_TP_TCP);
	assert_int_equal(f->n_req, 1);
	assert_int_equal(f->nsent, 1);
	/* The core's 2xx retransmission goes through; a 486 does not. */
	assert_int_equal(sip_stsx_respond(st, 200, NULL), 0);
	assert_int_equal(sip_stsx_respond(st, 486, NULL), EALREADY);
	assert_int_equal(f->nsent, 2);
	fx_free(f);
}

static void test_stsx_non_invite(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);

	(void)state;
	deliver(f, mk_req("OPTIONS", "z9hG4bKopt", 5, NULL), SIP_TP_UDP);
	assert_int_equal(sip_stsx_state(f->st), SIP_STSX_TRYING);
	/* Trying: a repeat is dropped, nothing to re-send yet. */
	deliver(f, mk_req("OPTIONS", "z9hG4bKopt", 5, NULL), SIP_TP_UDP);
	assert_int_equal(f->nsent, 0);
	assert_int_equal(f->n_req, 1);
	f->t0 = loop_now_ms();
	assert_int_equal(sip_stsx_respond(f->st, 200, NULL), 0);
	deliver(f, mk_req("OPTIONS", "z9hG4bKopt", 5, NULL), SIP_TP_UDP);
	assert_int_equal(f->nsent, 2);
	assert_int_equal(sip_msg_status(f->sent[1].m), 200);
	/* Timer J: 64*T1 on UDP. */
	run_to(f, 60 * T1);
	assert_int_equal(f->st_term, 0);
	run_to(f, 64 * T1 + LATE);
	assert_int_equal(f->st_term, 1);
	/* On TCP J is 0. */
	deliver(f, mk_req("OPTIONS", "z9hG4bKopt2", 6, NULL), SIP_TP_TCP);
	assert_int_equal(sip_stsx_respond(f->st, 200, NULL), 0);
	run_to(f, now_rel(f) + 2);
	assert_int_equal(f->st_term, 2);
	fx_free(f);
}

static void test_stsx_merged_482(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);

	(void)state;
	deliver(f, mk_req("INVITE", "z9hG4bKfork1", 7, NULL), SIP_TP_UDP);
	assert_int_equal(f->n_req, 1);
	deliver(f, mk_req("INVITE", "z9hG4bKfork2", 7, NULL), SIP_TP_UDP);
	assert_int_equal(f->n_req, 1);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(sip_msg_status(f->sent[0].m), 482);
	{
		struct pl r = sip_msg_reason(f->sent[0].m);

		assert_true(pl_eq_str(&r, "Loop Detected"));
	}
	hdr_is(f->sent[0].m, SIP_HDR_VIA,
	       "SIP/2.0/UDP pc33.atlanta.com;branch=z9hG4bKfork2");
	/* Its repeat gets the same 482 again, through its transaction. */
	deliver(f, mk_req("INVITE", "z9hG4bKfork2", 7, NULL), SIP_TP_UDP);
	assert_int_equal(f->nsent, 2);
	assert_int_equal(sip_msg_status(f->sent[1].m), 482);
	/* Another CSeq is a new request, not a merge. */
	deliver(f, mk_req("INVITE", "z9hG4bKfork3", 8, NULL), SIP_TP_UDP);
	assert_int_equal(f->n_req, 2);
	fx_free(f);
}

/* RFC 2543 peers (no cookie, RFC 4475 inv2543 / badbranch): matched on
 * Request-URI, tags, Call-ID, CSeq and top Via. */
static void test_stsx_rfc2543(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_stsx *st;
	char tag[64];

	(void)state;
	deliver(f, mk_req("INVITE", NULL, 1, NULL), SIP_TP_UDP);
	st = f->st;
	assert_int_equal(sip_stsx_respond(st, 180, NULL), 0);
	deliver(f, mk_req("INVITE", NULL, 1, NULL), SIP_TP_UDP);
	assert_int_equal(f->n_req, 1);
	assert_int_equal(f->nsent, 2);
	/* A branch without the cookie (badbranch): 2543 rules, where the
	 * branch is part of the top Via compared. */
	deliver(f, mk_req("INVITE", "a-2543-branch", 2, NULL), SIP_TP_UDP);
	assert_int_equal(f->n_req, 2);
	deliver(f, mk_req("INVITE", "a-2543-branch", 2, NULL), SIP_TP_UDP);
	assert_int_equal(f->n_req, 2);
	assert_int_equal(sip_tsx_layer_count(f->l), 2);
	/* ACK: To tag of our response, CSeq number, the rest the same. */
	assert_int_equal(sip_stsx_respond(st, 603, NULL), 0);
	snprintf(tag, sizeof(tag), "%s", sip_stsx_tag(st));
	deliver(f, mk_req("ACK", NULL, 1, "not-our-tag"), SIP_TP_UDP);
	assert_int_equal(sip_stsx_state(st), SIP_STSX_COMPLETED);
	deliver(f, mk_req("ACK", NULL, 1, tag), SIP_TP_UDP);
	assert_int_equal(sip_stsx_state(st), SIP_STSX_CONFIRMED);
	fx_free(f);
}

static void test_stsx_cancel(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_stsx *inv;

	(void)state;
	deliver(f, mk_req("INVITE", "z9hG4bKcan", 9, NULL), SIP_TP_UDP);
	inv = f->st;
	assert_int_equal(sip_stsx_respond(inv, 180, NULL), 0);
	deliver(f, mk_req("CANCEL", "z9hG4bKcan", 9, NULL), SIP_TP_UDP);
	/* The CANCEL did not reach the TU as a request; it got its 200. */
	assert_int_equal(f->n_req, 1);
	assert_int_equal(f->st_cancelled, 1);
	assert_int_equal(f->nsent, 2);
	assert_int_equal(sip_msg_status(f->sent[1].m), 200);
	hdr_is(f->sent[1].m, SIP_HDR_CSEQ, "9 CANCEL");
	/* The TU ends the INVITE with 487. */
	assert_int_equal(sip_stsx_respond(inv, 487, NULL), 0);
	assert_int_equal(sip_msg_status(f->sent[2].m), 487);
	hdr_is(f->sent[2].m, SIP_HDR_CSEQ, "9 INVITE");
	/* A repeated CANCEL gets the same 200 again. */
	deliver(f, mk_req("CANCEL", "z9hG4bKcan", 9, NULL), SIP_TP_UDP);
	assert_int_equal(f->nsent, 4);
	assert_int_equal(sip_msg_status(f->sent[3].m), 200);
	assert_int_equal(f->st_cancelled, 1);
	/* A CANCEL for nothing: 481. */
	deliver(f, mk_req("CANCEL", "z9hG4bKnone", 9, NULL), SIP_TP_UDP);
	assert_int_equal(f->nsent, 5);
	assert_int_equal(sip_msg_status(f->sent[4].m), 481);
	fx_free(f);
}

/* A flood of repeats costs no transaction and no memory. */
static void test_stsx_flood(void **state)
{
	struct fx *f = fx_new(8 * T1, 0);
	struct sip_msg *req = mk_req("INVITE", "z9hG4bKflood", 1, NULL);
	struct sip_target src = target(SIP_TP_UDP);

	(void)state;
	f->auto_status = 180;
	for (int i = 0; i < 5000; i++)
		assert_int_equal(sip_tsx_recv(f->l, req, &src, NULL), 0);
	sip_msg_free(req);
	assert_int_equal(f->n_req, 1);
	assert_int_equal(sip_tsx_layer_count(f->l), 1);
	assert_int_equal(f->nsend, 5000);       /* the 180, then re-sent */
	fx_free(f);
}

static void test_stsx_bound_503(void **state)
{
	struct fx *f = fx_new(8 * T1, 2);
	const struct sip_retry_after *ra;

	(void)state;
	deliver(f, mk_req("OPTIONS", "z9hG4bKb1", 1, NULL), SIP_TP_UDP);
	deliver(f, mk_req("OPTIONS", "z9hG4bKb2", 2, NULL), SIP_TP_UDP);
	deliver(f, mk_req("OPTIONS", "z9hG4bKb3", 3, NULL), SIP_TP_UDP);
	assert_int_equal(f->n_req, 2);
	assert_int_equal(sip_tsx_layer_count(f->l), 2);
	assert_int_equal(f->nsent, 1);
	assert_int_equal(sip_msg_status(f->sent[0].m), 503);
	assert_int_equal(sip_msg_retry_after(f->sent[0].m, &ra), 0);
	fx_free(f);
}

static void test_response_alloc(void **state)
{
	struct sip_msg *req = mk_req("INVITE", "z9hG4bKr", 1, NULL);
	struct sip_msg *r;

	(void)state;
	assert_int_equal(sip_tsx_response_alloc(&r, req, 180, NULL, "abc"), 0);
	hdr_is(r, SIP_HDR_TO, "Bob <sip:bob@biloxi.com>;tag=abc");
	hdr_is(r, SIP_HDR_CSEQ, "1 INVITE");
	assert_int_equal(sip_msg_hdr_num(r, SIP_HDR_ROUTE), 0);
	assert_int_equal(sip_msg_hdr_num(r, SIP_HDR_VIA), 1);
	{
		struct pl rs = sip_msg_reason(r);

		assert_true(pl_eq_str(&rs, "Ringing"));
	}
	sip_msg_free(r);
	assert_int_equal(sip_tsx_response_alloc(&r, req, 100, NULL, "abc"), 0);
	hdr_is(r, SIP_HDR_TO, "Bob <sip:bob@biloxi.com>");
	sip_msg_free(r);
	sip_msg_free(req);
	req = mk_req("BYE", "z9hG4bKr", 2, "theirs");
	assert_int_equal(sip_tsx_response_alloc(&r, req, 200, "Fine", "abc"), 0);
	hdr_is(r, SIP_HDR_TO, "Bob <sip:bob@biloxi.com>;tag=theirs");
	sip_msg_free(r);
	sip_msg_free(req);
}

static void test_via_add(void **state)
{
	struct sip_msg *req = mk_req("OPTIONS", "z9hG4bKold", 1, NULL), *w;
	const struct sip_vias *v;

	(void)state;
	assert_int_equal(sip_tsx_via_add(req, SIP_TP_TLS, "192.0.2.9:5061"), 0);
	w = reparse(req);
	assert_int_equal(sip_msg_vias(w, &v), 0);
	assert_int_equal(v->n, 2);
	assert_true(pl_eq_str(&v->v[0].transport, "TLS"));
	assert_int_equal(v->v[0].port, 5061);
	assert_true(v->v[0].branch.l == 29);
	assert_int_equal(memcmp(v->v[0].branch.p, "z9hG4bK", 7), 0);
	assert_true(pl_isset(&v->v[0].rport));
	sip_msg_free(w);
	sip_msg_free(req);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ict_udp_schedule),
		cmocka_unit_test(test_nict_udp_schedule),
		cmocka_unit_test(test_ict_tcp_no_rtx),
		cmocka_unit_test(test_nict_tcp_no_rtx),
		cmocka_unit_test(test_nict_proceeding_t2),
		cmocka_unit_test(test_ict_486_ack),
		cmocka_unit_test(test_ict_486_repeat),
		cmocka_unit_test(test_ict_2xx_passed_up),
		cmocka_unit_test(test_ict_1xx_stops_timers),
		cmocka_unit_test(test_cancel_built),
		cmocka_unit_test(test_cancel_waits_for_1xx),
		cmocka_unit_test(test_cancel_non_invite),
		cmocka_unit_test(test_client_matching),
		cmocka_unit_test(test_client_bad_args),
		cmocka_unit_test(test_client_transport_error),
		cmocka_unit_test(test_stsx_absorbs_invite_repeat),
		cmocka_unit_test(test_stsx_100_trying),
		cmocka_unit_test(test_stsx_timer_g_h),
		cmocka_unit_test(test_stsx_ack_matches),
		cmocka_unit_test(test_stsx_accepted),
		cmocka_unit_test(test_stsx_non_invite),
		cmocka_unit_test(test_stsx_merged_482),
		cmocka_unit_test(test_stsx_rfc2543),
		cmocka_unit_test(test_stsx_cancel),
		cmocka_unit_test(test_stsx_flood),
		cmocka_unit_test(test_stsx_bound_503),
		cmocka_unit_test(test_response_alloc),
		cmocka_unit_test(test_via_add),
	};

	return cmocka_run_group_tests_name("tsx", tests, NULL, NULL);
}
