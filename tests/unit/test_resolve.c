/* test_resolve.c - RFC 3263 plans, numeric targets and SRV ordering, no DNS. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/loop.h"
#include "sip/resolve.h"
#include "sip/uri.h"

/* A server nobody answers on: a numeric lookup must never reach it. */
#define NO_DNS "127.0.0.1:9"

struct got {
	int calls;
	int err;
	size_t n;
	struct sip_target t[RESOLVE_MAX_TARGETS];
};

static void got_h(int err, const struct sip_target *t, size_t n, void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->err = err;
	g->n = n;
	if (n)
		memcpy(g->t, t, n * sizeof(*t));
}

static void decode(struct sip_uri *u, const char *s)
{
	struct pl pl;

	pl_set_str(&pl, s);
	assert_int_equal(sip_uri_decode(u, &pl), 0);
}

static int plan_of(struct resolve_plan *p, const char *uri, unsigned flags)
{
	struct sip_uri u;

	decode(&u, uri);
	memset(p, 0xa5, sizeof(*p));
	return resolve_plan(p, &u, flags);
}

static void target_is(const struct sip_target *t, enum sip_tp tp,
		      const char *addr, unsigned port)
{
	char a[INET6_ADDRSTRLEN];

	assert_int_equal(t->tp, tp);
	if (t->addr.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)&t->addr;

		assert_int_equal(t->addrlen, sizeof(*s));
		assert_non_null(inet_ntop(AF_INET, &s->sin_addr, a, sizeof(a)));
		assert_int_equal(ntohs(s->sin_port), port);
	} else {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)&t->addr;

		assert_int_equal(t->addr.ss_family, AF_INET6);
		assert_int_equal(t->addrlen, sizeof(*s));
		assert_non_null(inet_ntop(AF_INET6, &s->sin6_addr, a, sizeof(a)));
		assert_int_equal(ntohs(s->sin6_port), port);
	}
	assert_string_equal(a, addr);
}

/* Looks a numeric URI up through the real resolver and loop. */
static int lookup(struct got *g, const char *uri, unsigned flags)
{
	struct loop *loop;
	struct resolver *r;
	struct resolver_query *q = NULL;
	struct sip_uri u;
	int err;

	memset(g, 0, sizeof(*g));
	decode(&u, uri);
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(resolver_alloc(&r, loop, NO_DNS), 0);
	err = resolver_lookup(&q, r, &u, flags, got_h, g);
	if (!err) {
		assert_non_null(q);
		/* Never from inside resolver_lookup(). */
		assert_int_equal(g->calls, 0);
		for (int i = 0; i < 5 && !g->calls; i++)
			assert_int_equal(loop_once(loop, 100), 0);
		assert_int_equal(g->calls, 1);
	}
	resolver_free(r);
	loop_free(loop);
	return err;
}

static void test_tp_names(void **state)
{
	(void)state;
	assert_string_equal(sip_tp_name(SIP_TP_UDP), "UDP");
	assert_string_equal(sip_tp_name(SIP_TP_TCP), "TCP");
	assert_string_equal(sip_tp_name(SIP_TP_TLS), "TLS");
	assert_int_equal(sip_tp_default_port(SIP_TP_UDP), 5060);
	assert_int_equal(sip_tp_default_port(SIP_TP_TCP), 5060);
	assert_int_equal(sip_tp_default_port(SIP_TP_TLS), 5061);
}

/* SPECS.md 2, derived examples and the 4.1/4.2 rules. */
static void test_plan(void **state)
{
	struct resolve_plan p;

	(void)state;
	assert_int_equal(plan_of(&p, "sips:a@192.0.2.1", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_NUMERIC);
	assert_int_equal(p.tp, SIP_TP_TLS);
	assert_int_equal(p.port, 5061);
	assert_int_equal(p.flags, RESOLVE_TLS_ONLY);

	assert_int_equal(plan_of(&p, "sip:a@192.0.2.1", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_NUMERIC);
	assert_int_equal(p.tp, SIP_TP_UDP);
	assert_int_equal(p.port, 5060);

	/* Explicit port on a name: A/AAAA only, even for 5060. */
	assert_int_equal(plan_of(&p, "sip:a@example.com:5060", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_ADDR);
	assert_int_equal(p.tp, SIP_TP_UDP);
	assert_int_equal(p.port, 5060);
	assert_int_equal(plan_of(&p, "sips:a@example.com:5071", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_ADDR);
	assert_int_equal(p.tp, SIP_TP_TLS);
	assert_int_equal(p.port, 5071);

	/* No port, no transport: NAPTR; the last resort is TLS for sips:. */
	assert_int_equal(plan_of(&p, "sips:a@example.com", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_NAPTR);
	assert_int_equal(p.tp, SIP_TP_TLS);
	assert_int_equal(plan_of(&p, "sip:example.com", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_NAPTR);
	assert_int_equal(p.tp, SIP_TP_UDP);

	/* A transport parameter without a port: SRV for that transport. */
	assert_int_equal(plan_of(&p, "sip:a@example.com;transport=TCP", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_SRV);
	assert_int_equal(p.tp, SIP_TP_TCP);
	assert_int_equal(p.port, 5060);
	assert_int_equal(plan_of(&p, "sips:a@example.com;transport=tcp", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_SRV);
	assert_int_equal(p.tp, SIP_TP_TLS);
	assert_int_equal(p.port, 5061);
	assert_int_equal(plan_of(&p, "sip:a@example.com;transport=tls", 0), 0);
	assert_int_equal(p.tp, SIP_TP_TLS);
	assert_int_equal(p.port, 5061);
	/* A final dot is the same name. */
	assert_int_equal(plan_of(&p, "sip:a@example.com.", 0), 0);
	assert_int_equal(p.step, RESOLVE_STEP_NAPTR);
}

static void test_plan_flags(void **state)
{
	struct resolve_plan p;
	char uri[400];

	(void)state;
	/* require_tls on a sip: URI: TLS even where UDP would be the rule. */
	assert_int_equal(plan_of(&p, "sip:a@192.0.2.1", RESOLVE_TLS_ONLY), 0);
	assert_int_equal(p.tp, SIP_TP_TLS);
	assert_int_equal(p.port, 5061);
	assert_int_equal(plan_of(&p, "sip:a@example.com", RESOLVE_TLS_ONLY), 0);
	assert_int_equal(p.tp, SIP_TP_TLS);
	assert_int_equal(plan_of(&p, "sip:a@192.0.2.1", RESOLVE_NO_UDP), 0);
	assert_int_equal(p.tp, SIP_TP_TCP);
	assert_int_equal(p.port, 5060);

	/* Transport parameters that cannot or must not be used. */
	assert_int_equal(plan_of(&p, "sips:a@192.0.2.1;transport=udp", 0), EPROTONOSUPPORT);
	assert_int_equal(plan_of(&p, "sip:a@192.0.2.1;transport=sctp", 0), EPROTONOSUPPORT);
	assert_int_equal(plan_of(&p, "sip:a@example.com;transport=ws", 0), EPROTONOSUPPORT);
	assert_int_equal(plan_of(&p, "sip:a@example.com;transport=tcp", RESOLVE_TLS_ONLY),
			 EPROTONOSUPPORT);
	assert_int_equal(plan_of(&p, "sip:a@example.com;transport=udp", RESOLVE_NO_UDP),
			 EPROTONOSUPPORT);
	assert_int_equal(plan_of(&p, "sips:a@example.com", RESOLVE_NO_TLS), EPROTONOSUPPORT);

	/* Nothing left to use, or nothing to look up. */
	assert_int_equal(plan_of(&p, "sip:a@example.com",
				 RESOLVE_TLS_ONLY | RESOLVE_NO_TLS), EINVAL);
	assert_int_equal(plan_of(&p, "sip:a@example.com",
				 RESOLVE_NO_IPV4 | RESOLVE_NO_IPV6), EINVAL);
	assert_int_equal(plan_of(&p, "sip:a@192.0.2.1", RESOLVE_NO_IPV4), EAFNOSUPPORT);
	assert_int_equal(plan_of(&p, "sip:a@[2001:db8::1]", RESOLVE_NO_IPV6), EAFNOSUPPORT);
	assert_int_equal(plan_of(&p, "sip:a@192.0.2.1:0", 0), EINVAL);
	assert_int_equal(plan_of(&p, "tel:+358401234567", 0), EINVAL);
	assert_int_equal(resolve_plan(&p, NULL, 0), EINVAL);

	/* 254 characters is one more than a DNS name holds. */
	strcpy(uri, "sip:");
	for (int i = 0; i < 50; i++)
		strcat(uri, "abcd.");
	strcat(uri, "abcd");
	assert_int_equal(strlen(uri) - 4, 254);
	assert_int_equal(plan_of(&p, uri, 0), E2BIG);
	uri[strlen(uri) - 1] = '\0';      /* 253: fine */
	assert_int_equal(plan_of(&p, uri, 0), 0);
}

static void test_naptr_service(void **state)
{
	enum sip_tp tp = SIP_TP_UDP;

	(void)state;
	assert_int_equal(resolve_naptr_service("SIPS+D2T", 0, &tp), 0);
	assert_int_equal(tp, SIP_TP_TLS);
	assert_int_equal(resolve_naptr_service("sip+d2t", 0, &tp), 0);
	assert_int_equal(tp, SIP_TP_TCP);
	assert_int_equal(resolve_naptr_service("SIP+D2U", 0, &tp), 0);
	assert_int_equal(tp, SIP_TP_UDP);
	/* SCTP is not supported; E2U is not SIP. */
	assert_int_equal(resolve_naptr_service("SIP+D2S", 0, &tp), ENOTSUP);
	assert_int_equal(resolve_naptr_service("SIPS+D2S", 0, &tp), ENOTSUP);
	assert_int_equal(resolve_naptr_service("E2U+sip", 0, &tp), ENOTSUP);
	assert_int_equal(resolve_naptr_service("SIPS+D2U", 0, &tp), ENOTSUP);
	/* sips: (TLS only) keeps only SIPS+D2T. */
	assert_int_equal(resolve_naptr_service("SIP+D2T", RESOLVE_TLS_ONLY, &tp), ENOTSUP);
	assert_int_equal(resolve_naptr_service("SIP+D2U", RESOLVE_TLS_ONLY, &tp), ENOTSUP);
	assert_int_equal(resolve_naptr_service("SIPS+D2T", RESOLVE_TLS_ONLY, &tp), 0);
	/* A sip: client without TLS drops SIPS records. */
	assert_int_equal(resolve_naptr_service("SIPS+D2T", RESOLVE_NO_TLS, &tp), ENOTSUP);
	assert_int_equal(resolve_naptr_service("SIP+D2U", RESOLVE_NO_UDP, &tp), ENOTSUP);
}

static void test_numeric(void **state)
{
	struct got g;

	(void)state;
	assert_int_equal(lookup(&g, "sip:a@192.0.2.1", 0), 0);
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_UDP, "192.0.2.1", 5060);
	assert_string_equal(g.t[0].host, "192.0.2.1");

	assert_int_equal(lookup(&g, "sips:a@192.0.2.1", 0), 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_TLS, "192.0.2.1", 5061);

	assert_int_equal(lookup(&g, "sip:a@192.0.2.7:5080;transport=tcp", 0), 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_TCP, "192.0.2.7", 5080);

	assert_int_equal(lookup(&g, "sip:a@[2001:DB8::1]:5070;transport=tcp", 0), 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_TCP, "2001:db8::1", 5070);

	assert_int_equal(lookup(&g, "sips:[2001:db8::2]", 0), 0);
	target_is(&g.t[0], SIP_TP_TLS, "2001:db8::2", 5061);

	assert_int_equal(lookup(&g, "sip:a@192.0.2.1;transport=tls", 0), 0);
	target_is(&g.t[0], SIP_TP_TLS, "192.0.2.1", 5061);

	assert_int_equal(lookup(&g, "sips:a@192.0.2.1:5999;transport=tcp", 0), 0);
	target_is(&g.t[0], SIP_TP_TLS, "192.0.2.1", 5999);

	assert_int_equal(lookup(&g, "sip:a@192.0.2.1", RESOLVE_TLS_ONLY), 0);
	target_is(&g.t[0], SIP_TP_TLS, "192.0.2.1", 5061);

	/* Refused at once, and the callback never runs. */
	assert_int_equal(lookup(&g, "sips:a@192.0.2.1;transport=udp", 0), EPROTONOSUPPORT);
	assert_int_equal(g.calls, 0);
	assert_int_equal(lookup(&g, "sip:a@192.0.2.1;transport=tcp", RESOLVE_TLS_ONLY),
			 EPROTONOSUPPORT);
	assert_int_equal(g.calls, 0);
}

static void test_cancel(void **state)
{
	struct loop *loop;
	struct resolver *r;
	struct resolver_query *q1 = NULL, *q2 = NULL;
	struct sip_uri u;
	struct got g1 = {0}, g2 = {0};

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(resolver_alloc(&r, loop, NO_DNS), 0);
	decode(&u, "sip:a@192.0.2.1");
	assert_int_equal(resolver_lookup(&q1, r, &u, 0, got_h, &g1), 0);
	assert_int_equal(resolver_lookup(&q2, r, &u, 0, got_h, &g2), 0);
	resolver_cancel(q1);
	resolver_cancel(NULL);
	for (int i = 0; i < 3; i++)
		assert_int_equal(loop_once(loop, 50), 0);
	assert_int_equal(g1.calls, 0);
	assert_int_equal(g2.calls, 1);
	/* Outstanding at resolver_free(): dropped silently, nothing leaks. */
	assert_int_equal(resolver_lookup(&q1, r, &u, 0, got_h, &g1), 0);
	resolver_free(r);
	assert_int_equal(loop_once(loop, 10), 0);
	assert_int_equal(g1.calls, 0);
	loop_free(loop);
}

static void test_bad_servers(void **state)
{
	struct loop *loop;
	struct resolver *r = NULL;

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(resolver_alloc(&r, loop, "not an address"), EINVAL);
	assert_null(r);
	assert_int_equal(resolver_alloc(&r, NULL, NULL), EINVAL);
	assert_int_equal(resolver_alloc(&r, loop, "127.0.0.1:5353,[::1]:5353"), 0);
	resolver_free(r);
	resolver_free(NULL);
	loop_free(loop);
}

/* ---- RFC 2782 ordering ---- */

static uint32_t fixed_rnd(void *arg)
{
	return *(uint32_t *)arg;
}

static void srv_set(struct resolve_srv *v, uint16_t prio, uint16_t weight,
		    const char *host)
{
	memset(v, 0, sizeof(*v));
	v->priority = prio;
	v->weight = weight;
	v->port = 5060;
	snprintf(v->host, sizeof(v->host), "%s", host);
}

static void test_srv_priority(void **state)
{
	struct resolve_srv v[5];
	uint32_t r = 0;

	(void)state;
	srv_set(&v[0], 20, 0, "c");
	srv_set(&v[1], 10, 0, "a");
	srv_set(&v[2], 30, 0, "e");
	srv_set(&v[3], 10, 0, "b");
	srv_set(&v[4], 20, 0, "d");
	resolve_srv_order(v, 5, fixed_rnd, &r);
	/* Priority ascending; all weights 0 keep the server's order. */
	assert_string_equal(v[0].host, "a");
	assert_string_equal(v[1].host, "b");
	assert_string_equal(v[2].host, "c");
	assert_string_equal(v[3].host, "d");
	assert_string_equal(v[4].host, "e");
	/* Even with a draw that is not 0. */
	r = 12345;
	srv_set(&v[0], 5, 0, "x");
	srv_set(&v[1], 5, 0, "y");
	resolve_srv_order(v, 2, fixed_rnd, &r);
	assert_string_equal(v[0].host, "x");
	assert_string_equal(v[1].host, "y");
}

static void test_srv_weight(void **state)
{
	struct resolve_srv v[3];
	uint32_t r;

	(void)state;
	/* Sum 100: a draw of 50 lands in the second record's 90. */
	srv_set(&v[0], 1, 10, "light");
	srv_set(&v[1], 1, 90, "heavy");
	r = 50;
	resolve_srv_order(v, 2, fixed_rnd, &r);
	assert_string_equal(v[0].host, "heavy");
	assert_string_equal(v[1].host, "light");
	/* A draw of 5 lands in the first's 10. */
	srv_set(&v[0], 1, 10, "light");
	srv_set(&v[1], 1, 90, "heavy");
	r = 5;
	resolve_srv_order(v, 2, fixed_rnd, &r);
	assert_string_equal(v[0].host, "light");
	/* Weight 0 goes to the front and wins only a draw of 0. */
	srv_set(&v[0], 1, 60, "w60");
	srv_set(&v[1], 1, 0, "w0");
	srv_set(&v[2], 1, 40, "w40");
	r = 0;
	resolve_srv_order(v, 3, fixed_rnd, &r);
	assert_string_equal(v[0].host, "w0");
	assert_string_equal(v[1].host, "w60");
	assert_string_equal(v[2].host, "w40");
	srv_set(&v[0], 1, 60, "w60");
	srv_set(&v[1], 1, 0, "w0");
	srv_set(&v[2], 1, 40, "w40");
	r = 100;             /* 100 % 101: the last of the running sums */
	resolve_srv_order(v, 3, fixed_rnd, &r);
	assert_string_equal(v[0].host, "w40");
	/* Then 100 % 61 = 39: past w0 (0), inside w60. */
	assert_string_equal(v[1].host, "w60");
	assert_string_equal(v[2].host, "w0");
	/* Weight never crosses priority. */
	srv_set(&v[0], 2, 1000, "late");
	srv_set(&v[1], 1, 0, "early");
	r = 999;
	resolve_srv_order(v, 2, fixed_rnd, &r);
	assert_string_equal(v[0].host, "early");
}

/* With the real CSPRNG, over many draws, a 90/10 split favours heavy. */
static void test_srv_weight_random(void **state)
{
	struct resolve_srv v[2];
	int heavy = 0;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		srv_set(&v[0], 1, 10, "light");
		srv_set(&v[1], 1, 90, "heavy");
		resolve_srv_order(v, 2, NULL, NULL);
		heavy += !strcmp(v[0].host, "heavy");
	}
	/* Expected 1782 (90/101 with draws 11..100); 6 sigma is about 85. */
	assert_in_range(heavy, 1650, 1900);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tp_names),
		cmocka_unit_test(test_plan),
		cmocka_unit_test(test_plan_flags),
		cmocka_unit_test(test_naptr_service),
		cmocka_unit_test(test_numeric),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_bad_servers),
		cmocka_unit_test(test_srv_priority),
		cmocka_unit_test(test_srv_weight),
		cmocka_unit_test(test_srv_weight_random),
	};

	return cmocka_run_group_tests_name("resolve", tests, NULL, NULL);
}
