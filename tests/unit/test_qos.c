/* test_qos.c - a qos_session against an in-process UDP "edge router" on the same loop: Resv, PathErr, refresh, PathTear, bad tokens. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "audio/qos.h"
#include "audio/rsvp.h"
#include "core/events.h"
#include "core/loop.h"

/* Tokens: AUTH_SESSION with AUTH_ENT_ID FQDN "pdp.peerlab.test" and a
 * SESSION_ID; GOOD is the one the router "issued". */
#define GOOD "00240004001401037064702e706565726c61622e74657374000c02000011223344556677"
#define FORGED "00240004001401037064702e706565726c61622e74657374000c0200deadbeefdeadbeef"
#define OTHER "0008000300000000"

struct router {
	struct loop *loop;
	int fd;
	uint16_t port;
	int npath, ntear, nother;
	uint8_t last_pe[1024];
	size_t last_pelen;
	size_t last_npolicy;
	uint16_t last_sport;
	bool answer;          /* answer PATHs at all */
	bool garbage_first;   /* send junk and a foreign-session Resv first */
	struct rsvp_msg last;
};

struct rec {
	enum qos_state states[32];
	char reasons[32][200];
	int n;
	struct loop *loop;
	enum qos_state stop_at;
	int events;
	char last_event_state[16];
	int last_event_tokens;
};

static uint8_t good_pe[64];
static size_t good_pelen;

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

/* Resv or PathErr for the session in m, built by hand (IPv4). */
static size_t answer(uint8_t *b, const struct rsvp_msg *m, uint8_t type,
		     uint8_t code, uint16_t value)
{
	size_t off = 8;

	memset(b, 0, 64);
	b[0] = 0x10;
	b[1] = type;
	b[4] = 64;
	put16(b + off, 12); b[off + 2] = 1; b[off + 3] = 1;
	memcpy(b + off + 4, m->sess_addr.a, 4);
	b[off + 8] = 17;
	put16(b + off + 10, m->sess_port);
	off += 12;
	if (type == RSVP_PATHERR) {
		put16(b + off, 12); b[off + 2] = 6; b[off + 3] = 1;
		b[off + 4] = 127; b[off + 7] = 1;
		b[off + 9] = code;
		put16(b + off + 10, value);
		off += 12;
	}
	put16(b + 6, (unsigned)off);
	put16(b + 2, rsvp_checksum(b, off));
	return off;
}

static void router_h(int fd, short revents, void *arg)
{
	struct router *r = arg;
	uint8_t buf[RSVP_MAX_MSG], out[64];
	struct sockaddr_in from;
	socklen_t fl = sizeof(from);
	struct rsvp_msg m;
	ssize_t n;
	size_t ol;

	(void)revents;
	n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
	if (n <= 0 || rsvp_parse(&m, buf, (size_t)n))
		return;
	r->last = m;
	if (m.type == RSVP_PATHTEAR) {
		r->ntear++;
		return;
	}
	if (m.type != RSVP_PATH) {
		r->nother++;
		return;
	}
	r->npath++;
	r->last_sport = ntohs(from.sin_port);
	r->last_npolicy = m.npolicy;
	r->last_pelen = 0;
	if (m.npolicy && m.policylen[0] <= sizeof(r->last_pe)) {
		memcpy(r->last_pe, m.policy[0], m.policylen[0]);
		r->last_pelen = m.policylen[0];
	}
	if (!r->answer)
		return;
	if (r->garbage_first) {
		struct rsvp_msg other = m;

		(void)sendto(fd, "junk", 4, 0, (struct sockaddr *)&from, fl);
		other.sess_port = (uint16_t)(m.sess_port + 1);
		ol = answer(out, &other, RSVP_RESV, 0, 0);
		(void)sendto(fd, out, ol, 0, (struct sockaddr *)&from, fl);
		r->garbage_first = false;
		return;
	}
	if (r->last_pelen == good_pelen && !memcmp(r->last_pe, good_pe, good_pelen))
		ol = answer(out, &m, RSVP_RESV, 0, 0);
	else
		ol = answer(out, &m, RSVP_PATHERR, 2, 5);
	(void)sendto(fd, out, ol, 0, (struct sockaddr *)&from, fl);
}

static void router_open(struct router *r, struct loop *loop)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);

	memset(r, 0, sizeof(*r));
	r->loop = loop;
	r->answer = true;
	r->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(r->fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(r->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(r->fd, (struct sockaddr *)&a, &al), 0);
	r->port = ntohs(a.sin_port);
	assert_int_equal(loop_fd_add(loop, r->fd, POLLIN, router_h, r), 0);
}

static void router_close(struct router *r)
{
	loop_fd_del(r->loop, r->fd);
	close(r->fd);
}

static void state_h(enum qos_state s, const char *reason, void *arg)
{
	struct rec *rc = arg;

	if (rc->n < 32) {
		rc->states[rc->n] = s;
		snprintf(rc->reasons[rc->n], sizeof(rc->reasons[0]), "%s", reason);
		rc->n++;
	}
	if (s == rc->stop_at)
		loop_stop(rc->loop, 0);
}

static void ev_h(const json_t *ev, void *arg)
{
	struct rec *rc = arg;

	if (strcmp(json_string_value(json_object_get(ev, "type")), "qos"))
		return;
	rc->events++;
	snprintf(rc->last_event_state, sizeof(rc->last_event_state), "%s",
		 json_string_value(json_object_get(ev, "state")));
	rc->last_event_tokens = (int)json_integer_value(json_object_get(ev, "tokens"));
}

static void timeout_h(void *arg)
{
	loop_stop(arg, ETIMEDOUT);
}

/* Runs the loop until the callback stops it or ms pass. */
static int run_for(struct loop *loop, uint64_t ms)
{
	struct tmr t;
	int st;

	tmr_init(&t);
	tmr_start(loop, &t, ms, timeout_h, loop);
	st = loop_run(loop);
	tmr_cancel(&t);
	return st;
}

static void params(struct qos_params *p, uint16_t rport, const char *tok)
{
	memset(p, 0, sizeof(*p));
	p->call_id = 7;
	p->tokens[0] = tok;
	p->ntokens = tok ? 1 : 0;
	snprintf(p->saddr, sizeof(p->saddr), "127.0.0.1");
	p->sport = 6100;
	snprintf(p->daddr, sizeof(p->daddr), "127.0.0.1");
	p->dport = 6000;
	qos_tspec_for(&p->tspec, "PCMU", 20, 0);
	snprintf(p->edge_router, sizeof(p->edge_router), "127.0.0.1:%u", rport);
	p->refresh_ms = 60000;
}

static int setup(void **state)
{
	size_t n;

	(void)state;
	assert_int_equal(rsvp_hex_decode(GOOD, strlen(GOOD), good_pe, sizeof(good_pe), &n), 0);
	good_pelen = n;
	return 0;
}

static void test_reserved(void **state)
{
	struct loop *loop;
	struct router r;
	struct rec rc = {0};
	struct qos_params p;
	struct qos_session *q = NULL;

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	router_open(&r, loop);
	rc.loop = loop;
	rc.stop_at = QOS_RESERVED;
	assert_int_equal(events_subscribe(ev_h, &rc), 0);
	params(&p, r.port, GOOD);
	assert_int_equal(qos_session_start(&q, loop, &p, state_h, &rc), 0);
	assert_non_null(q);
	assert_int_equal(rc.n, 0);          /* never inside start */
	assert_int_equal(run_for(loop, 3000), 0);
	assert_int_equal(rc.n, 2);
	assert_int_equal(rc.states[0], QOS_PRESENTED);
	assert_int_equal(rc.states[1], QOS_RESERVED);
	assert_string_equal(rc.reasons[1], "");
	assert_int_equal(r.npath, 1);
	assert_int_equal(r.last_npolicy, 1);
	assert_int_equal(r.last_pelen, good_pelen);
	assert_memory_equal(r.last_pe, good_pe, good_pelen);
	assert_true(r.last.has_sender && r.last.sender_port == 6100);
	assert_int_equal(r.last.sess_port, 6000);
	assert_true(r.last.has_tspec && r.last.tspec.M == 200);
	assert_int_equal(rc.events, 2);
	assert_string_equal(rc.last_event_state, "reserved");
	assert_int_equal(rc.last_event_tokens, 1);
	/* Stop sends a PathTear. */
	qos_session_stop(q);
	(void)run_for(loop, 100);
	assert_int_equal(r.ntear, 1);
	assert_int_equal(r.last.type, RSVP_PATHTEAR);
	assert_int_equal(r.last.npolicy, 0);
	events_unsubscribe(ev_h, &rc);
	router_close(&r);
	loop_free(loop);
}

static void test_denied(void **state)
{
	struct loop *loop;
	struct router r;
	struct rec rc = {0};
	struct qos_params p;
	struct qos_session *q = NULL;

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	router_open(&r, loop);
	r.garbage_first = true;
	rc.loop = loop;
	rc.stop_at = QOS_DENIED;
	params(&p, r.port, FORGED);
	p.refresh_ms = 50;
	assert_int_equal(qos_session_start(&q, loop, &p, state_h, &rc), 0);
	assert_int_equal(run_for(loop, 3000), 0);
	/* Junk and a Resv for another session were ignored; the second
	 * PATH (a refresh) got the PathErr. */
	assert_true(r.npath >= 2);
	assert_int_equal(rc.n, 2);
	assert_int_equal(rc.states[0], QOS_PRESENTED);
	assert_int_equal(rc.states[1], QOS_DENIED);
	assert_non_null(strstr(rc.reasons[1], "policy control failure"));
	assert_non_null(strstr(rc.reasons[1], "code 2, value 5"));
	/* New tokens (a re-INVITE): the next PATH carries them: reserved. */
	params(&p, r.port, GOOD);
	p.refresh_ms = 50;
	rc.stop_at = QOS_RESERVED;
	assert_int_equal(qos_session_update(q, &p), 0);
	assert_int_equal(run_for(loop, 3000), 0);
	assert_int_equal(rc.states[rc.n - 1], QOS_RESERVED);
	assert_int_equal(rc.states[rc.n - 2], QOS_PRESENTED);
	assert_memory_equal(r.last_pe, good_pe, good_pelen);
	qos_session_stop(q);
	router_close(&r);
	loop_free(loop);
}

static void test_refresh(void **state)
{
	struct loop *loop;
	struct router r;
	struct rec rc = {0};
	struct qos_params p;
	struct qos_session *q = NULL;
	uint64_t t0;

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	router_open(&r, loop);
	r.answer = false;
	rc.loop = loop;
	rc.stop_at = QOS_ERROR;
	params(&p, r.port, GOOD);
	p.refresh_ms = 40;
	t0 = loop_now_ms();
	assert_int_equal(qos_session_start(&q, loop, &p, state_h, &rc), 0);
	assert_int_equal(run_for(loop, 300), ETIMEDOUT);
	/* 0, 40, 80, ... 280 ms: about 8 PATHs; at least 5 allowing for a
	 * slow machine, and not one per loop pass. */
	assert_true(r.npath >= 5);
	assert_true((uint64_t)r.npath <= (loop_now_ms() - t0) / 40 + 1);
	assert_int_equal(rc.n, 1);
	assert_int_equal(rc.states[0], QOS_PRESENTED);
	qos_session_stop(q);
	router_close(&r);
	loop_free(loop);
}

static void test_malformed_never_sent(void **state)
{
	static const char *bad[] = {
		"0024000",                              /* odd */
		"00240004001401037064702e706565726c61622e74657374000c0200001122334455667g",
		"00280004001401037064702e706565726c61622e74657374000c02000011223344556677", /* element length */
		"00240004001801037064702e706565726c61622e74657374000c02000011223344556677", /* attribute length */
	};
	struct loop *loop;
	struct router r;
	struct qos_params p;
	size_t i;

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	router_open(&r, loop);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct rec rc = {0};
		struct qos_session *q = NULL;

		rc.loop = loop;
		rc.stop_at = QOS_ERROR;
		params(&p, r.port, GOOD);
		p.tokens[1] = bad[i];      /* one bad token spoils the message */
		p.ntokens = 2;
		assert_int_equal(qos_session_start(&q, loop, &p, state_h, &rc), 0);
		assert_int_equal(run_for(loop, 2000), 0);
		assert_int_equal(rc.n, 1);
		assert_int_equal(rc.states[0], QOS_ERROR);
		assert_non_null(strstr(rc.reasons[0], "token 2 is malformed"));
		(void)run_for(loop, 50);
		qos_session_stop(q);      /* no PATH went out: no PathTear */
		(void)run_for(loop, 50);
		assert_int_equal(r.npath + r.ntear + r.nother, 0);
	}
	router_close(&r);
	loop_free(loop);
}

static void test_no_token_and_bad_params(void **state)
{
	struct loop *loop;
	struct qos_params p;
	struct qos_session *q = (struct qos_session *)&p;

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	params(&p, 9, NULL);
	assert_int_equal(qos_session_start(&q, loop, &p, state_h, NULL), 0);
	assert_null(q);
	qos_session_stop(NULL);
	params(&p, 9, GOOD);
	snprintf(p.daddr, sizeof(p.daddr), "not-an-address");
	assert_int_equal(qos_session_start(&q, loop, &p, state_h, NULL), EINVAL);
	assert_null(q);
	params(&p, 9, GOOD);
	snprintf(p.edge_router, sizeof(p.edge_router), "127.0.0.1:99999");
	assert_int_equal(qos_session_start(&q, loop, &p, state_h, NULL), EINVAL);
	snprintf(p.edge_router, sizeof(p.edge_router), "edge.example.com");
	assert_int_equal(qos_session_start(&q, loop, &p, state_h, NULL), EINVAL);
	params(&p, 9, GOOD);
	snprintf(p.daddr, sizeof(p.daddr), "::1");  /* mixed families */
	assert_int_equal(qos_session_start(&q, loop, &p, state_h, NULL), EINVAL);
	assert_string_equal(qos_state_name(QOS_PRESENTED), "presented");
	assert_string_equal(qos_state_name(QOS_DENIED), "denied");
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_denied),
		cmocka_unit_test(test_refresh),
		cmocka_unit_test(test_malformed_never_sent),
		cmocka_unit_test(test_no_token_and_bad_params),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
