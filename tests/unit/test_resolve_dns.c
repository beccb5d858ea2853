/* test_resolve_dns.c - RFC 3263 lookups against dnsmasq (run by tests/tiers/dns.sh). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/loop.h"
#include "sip/resolve.h"
#include "sip/uri.h"

#define WAIT_MS 15000   /* longest any lookup here may take */

struct got {
	int calls;
	int err;
	size_t n;
	struct sip_target t[RESOLVE_MAX_TARGETS];
	uint64_t at;                  /* when the callback ran */
};

static char warnings[4096];       /* LOG_WARN lines, for the messages */

static void log_h_(enum log_level level, const char *line, void *arg)
{
	(void)arg;
	if (level >= LOG_WARN && strlen(warnings) + strlen(line) + 2 < sizeof(warnings)) {
		strcat(warnings, line);
		strcat(warnings, "\n");
	}
}

/* The dnsmasq the tier started; without it every test fails. */
static const char *server(void)
{
	const char *s = getenv("SIPTTY_DNS");

	if (!s || !*s)
		fail_msg("SIPTTY_DNS is not set: run this through tests/tiers/dns.sh (make check), which starts dnsmasq");
	return s;
}

static void got_h(int err, const struct sip_target *t, size_t n, void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->err = err;
	g->n = n;
	g->at = loop_now_ms();
	if (n)
		memcpy(g->t, t, n * sizeof(*t));
}

static void run_until(struct loop *loop, const int *flag, uint64_t max_ms)
{
	uint64_t end = loop_now_ms() + max_ms;

	while (!*flag && loop_now_ms() < end)
		assert_int_equal(loop_once(loop, 50), 0);
}

static void lookup_with(struct got *g, const char *servers, const char *uri,
			unsigned flags)
{
	struct loop *loop;
	struct resolver *r;
	struct sip_uri u;
	struct pl pl;

	memset(g, 0, sizeof(*g));
	pl_set_str(&pl, uri);
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(resolver_alloc(&r, loop, servers), 0);
	assert_int_equal(resolver_lookup(NULL, r, &u, flags, got_h, g), 0);
	run_until(loop, &g->calls, WAIT_MS);
	assert_int_equal(g->calls, 1);
	resolver_free(r);
	loop_free(loop);
}

static void lookup(struct got *g, const char *uri, unsigned flags)
{
	lookup_with(g, server(), uri, flags);
}

static const char *addr_str(const struct sip_target *t, char *buf, size_t sz)
{
	const void *a = t->addr.ss_family == AF_INET ?
		(const void *)&((const struct sockaddr_in *)&t->addr)->sin_addr :
		(const void *)&((const struct sockaddr_in6 *)&t->addr)->sin6_addr;

	assert_non_null(inet_ntop(t->addr.ss_family, a, buf, (socklen_t)sz));
	return buf;
}

static unsigned port_of(const struct sip_target *t)
{
	return ntohs(t->addr.ss_family == AF_INET ?
		     ((const struct sockaddr_in *)&t->addr)->sin_port :
		     ((const struct sockaddr_in6 *)&t->addr)->sin6_port);
}

static void target_is(const struct sip_target *t, enum sip_tp tp,
		      const char *addr, unsigned port, const char *host)
{
	char a[INET6_ADDRSTRLEN];

	assert_string_equal(sip_tp_name(t->tp), sip_tp_name(tp));
	assert_string_equal(addr_str(t, a, sizeof(a)), addr);
	assert_int_equal(port_of(t), port);
	assert_string_equal(t->host, host);
}

/* Is (tp, addr, port) among t[from..to-1]? */
static bool has_target(const struct got *g, size_t from, size_t to,
		       enum sip_tp tp, const char *addr, unsigned port)
{
	char a[INET6_ADDRSTRLEN];

	for (size_t i = from; i < to && i < g->n; i++)
		if (g->t[i].tp == tp && port_of(&g->t[i]) == port &&
		    !strcmp(addr_str(&g->t[i], a, sizeof(a)), addr))
			return true;
	return false;
}

static void no_udp_tcp(const struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		assert_int_equal(g->t[i].tp, SIP_TP_TLS);
}

/* The RFC 3263 4.1 example: SIPS+D2T first, then TCP, then UDP; the SCTP
 * record (order 95) is discarded. */
static void test_rfc3263_example(void **state)
{
	struct got g;

	(void)state;
	lookup(&g, "sip:example.test", 0);
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 4);
	/* tls.example.test has an A and an AAAA: both, in either order. */
	assert_true(has_target(&g, 0, 2, SIP_TP_TLS, "127.0.0.11", 5061));
	assert_true(has_target(&g, 0, 2, SIP_TP_TLS, "fd00::11", 5061));
	assert_string_equal(g.t[0].host, "tls.example.test");
	assert_string_equal(g.t[1].host, "tls.example.test");
	target_is(&g.t[2], SIP_TP_TCP, "127.0.0.12", 5060, "tcp.example.test");
	target_is(&g.t[3], SIP_TP_UDP, "127.0.0.13", 5060, "udp.example.test");
	assert_false(has_target(&g, 0, g.n, SIP_TP_UDP, "127.0.0.14", 5060));
	assert_false(has_target(&g, 0, g.n, SIP_TP_TCP, "127.0.0.14", 5060));

	/* Without TLS the SIPS record goes; without IPv6 the AAAA. */
	lookup(&g, "sip:a@example.test", RESOLVE_NO_TLS);
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 2);
	target_is(&g.t[0], SIP_TP_TCP, "127.0.0.12", 5060, "tcp.example.test");
	target_is(&g.t[1], SIP_TP_UDP, "127.0.0.13", 5060, "udp.example.test");
	lookup(&g, "sip:a@example.test", RESOLVE_NO_IPV6 | RESOLVE_NO_UDP);
	assert_int_equal(g.n, 2);
	target_is(&g.t[0], SIP_TP_TLS, "127.0.0.11", 5061, "tls.example.test");
	target_is(&g.t[1], SIP_TP_TCP, "127.0.0.12", 5060, "tcp.example.test");
}

/* sips: keeps only SIPS+D2T; so does an account that requires TLS. */
static void test_sips_only_tls(void **state)
{
	struct got g;

	(void)state;
	lookup(&g, "sips:alice@example.test", 0);
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 2);
	no_udp_tcp(&g);
	assert_true(has_target(&g, 0, 2, SIP_TP_TLS, "127.0.0.11", 5061));
	assert_true(has_target(&g, 0, 2, SIP_TP_TLS, "fd00::11", 5061));

	lookup(&g, "sip:alice@example.test", RESOLVE_TLS_ONLY);
	assert_int_equal(g.n, 2);
	no_udp_tcp(&g);

	/* udponly.test offers only SIP+D2U: sips: must not follow it, and
	 * with no _sips._tcp SRV lands on the domain's A record, TLS 5061. */
	lookup(&g, "sips:udponly.test", 0);
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_TLS, "127.0.0.40", 5061, "udponly.test");
	/* sip: follows the NAPTR, and only it. */
	lookup(&g, "sip:udponly.test", 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_UDP, "127.0.0.41", 5090, "u.udponly.test");
}

/* No NAPTR: _sips._tcp, _sip._tcp, _sip._udp, in that order. */
static void test_srv_fallback(void **state)
{
	struct got g;

	(void)state;
	lookup(&g, "sip:bob@srv.test", 0);
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 3);
	target_is(&g.t[0], SIP_TP_TLS, "127.0.0.21", 5071, "s1.srv.test");
	target_is(&g.t[1], SIP_TP_UDP, "127.0.0.22", 5081, "u1.srv.test");
	target_is(&g.t[2], SIP_TP_UDP, "127.0.0.23", 5082, "u2.srv.test");

	lookup(&g, "sips:bob@srv.test", 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_TLS, "127.0.0.21", 5071, "s1.srv.test");

	/* A transport parameter: SRV for that transport only. */
	lookup(&g, "sip:bob@srv.test;transport=udp", 0);
	assert_int_equal(g.n, 2);
	target_is(&g.t[0], SIP_TP_UDP, "127.0.0.22", 5081, "u1.srv.test");
	target_is(&g.t[1], SIP_TP_UDP, "127.0.0.23", 5082, "u2.srv.test");
	/* ... and no SRV for it: the domain's address, default port. */
	lookup(&g, "sip:bob@srv.test;transport=tcp", 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_TCP, "127.0.0.20", 5060, "srv.test");
}

/* Neither NAPTR nor SRV: A/AAAA, UDP 5060 for sip:, TLS 5061 for sips:. */
static void test_addr_fallback(void **state)
{
	struct got g;

	(void)state;
	lookup(&g, "sip:plain.test", 0);
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 2);
	assert_true(has_target(&g, 0, 2, SIP_TP_UDP, "127.0.0.30", 5060));
	assert_true(has_target(&g, 0, 2, SIP_TP_UDP, "fd00::30", 5060));
	assert_string_equal(g.t[0].host, "plain.test");

	lookup(&g, "sips:plain.test", 0);
	assert_int_equal(g.n, 2);
	assert_true(has_target(&g, 0, 2, SIP_TP_TLS, "127.0.0.30", 5061));
	assert_true(has_target(&g, 0, 2, SIP_TP_TLS, "fd00::30", 5061));

	lookup(&g, "sips:plain.test", RESOLVE_NO_IPV6);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_TLS, "127.0.0.30", 5061, "plain.test");
	lookup(&g, "sip:plain.test", RESOLVE_NO_IPV4);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_UDP, "fd00::30", 5060, "plain.test");
}

/* An explicit port: A/AAAA of the host itself, even though example.test
 * has NAPTR and SRV records. */
static void test_explicit_port(void **state)
{
	struct got g;

	(void)state;
	lookup(&g, "sip:a@example.test:5090", 0);
	assert_int_equal(g.err, 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_UDP, "127.0.0.10", 5090, "example.test");
	lookup(&g, "sip:a@example.test:5060", 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_UDP, "127.0.0.10", 5060, "example.test");
	lookup(&g, "sips:a@example.test:5062", 0);
	assert_int_equal(g.n, 1);
	target_is(&g.t[0], SIP_TP_TLS, "127.0.0.10", 5062, "example.test");
}

static void test_nxdomain(void **state)
{
	struct got g;

	(void)state;
	warnings[0] = '\0';
	lookup(&g, "sip:carol@nope.test", 0);
	assert_int_equal(g.err, ENOENT);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(warnings, "nope.test: no such domain"));

	/* An SRV whose target has no address: no target, a clear line. */
	warnings[0] = '\0';
	lookup(&g, "sip:dead.test", 0);
	assert_int_equal(g.err, ENOENT);
	assert_int_equal(g.n, 0);
	assert_non_null(strstr(warnings, "dead.test"));
}

struct ticker {
	struct loop *loop;
	struct tmr tmr;
	int ticks;
};

static void tick_h(void *arg)
{
	struct ticker *tk = arg;

	tk->ticks++;
	tmr_start(tk->loop, &tk->tmr, 100, tick_h, tk);
}

/* A UDP socket that never answers; servers gets its address. */
static int silent_socket(char *servers, size_t sz)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	snprintf(servers, sz, "127.0.0.1:%u", ntohs(sin.sin_port));
	return fd;
}

/* A server that never answers: an error within the bound, and the loop
 * keeps running meanwhile (a 100 ms timer keeps firing). */
static void silent_server(uint32_t timeout_ms, uint64_t min_ms, uint64_t max_ms)
{
	struct ticker tk = {0};
	struct resolver *r;
	struct got g = {0};
	struct sip_uri u;
	struct pl pl;
	char servers[64];
	uint64_t t0;
	int fd;

	fd = silent_socket(servers, sizeof(servers));
	assert_int_equal(loop_alloc(&tk.loop), 0);
	tmr_init(&tk.tmr);
	assert_int_equal(resolver_alloc(&r, tk.loop, servers), 0);
	resolver_set_timeout(r, timeout_ms);
	pl_set_str(&pl, "sip:example.test");
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	warnings[0] = '\0';
	t0 = loop_now_ms();
	tmr_start(tk.loop, &tk.tmr, 100, tick_h, &tk);
	assert_int_equal(resolver_lookup(NULL, r, &u, 0, got_h, &g), 0);
	run_until(tk.loop, &g.calls, WAIT_MS);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.err, ETIMEDOUT);
	assert_int_equal(g.n, 0);
	assert_in_range(g.at - t0, min_ms, max_ms);
	/* One tick per 100 ms, less scheduling slack: never blocked. */
	assert_true((uint64_t)tk.ticks * 100 + 300 >= g.at - t0);
	assert_non_null(strstr(warnings, "example.test: the DNS server did not answer in time"));
	tmr_cancel(&tk.tmr);
	resolver_free(r);
	loop_free(tk.loop);
	close(fd);
}

static void test_no_answer_deadline(void **state)
{
	(void)state;
	(void)server();
	silent_server(1500, 1400, 2500);
}

/* c-ares's own tries (1.5 s, then 3 s) end the lookup before the
 * default 12 s bound does. */
static void test_no_answer_tries(void **state)
{
	(void)state;
	(void)server();
	silent_server(0, 4000, 6000);
}

static void test_cancel(void **state)
{
	struct loop *loop;
	struct resolver *r;
	struct resolver_query *q1, *q2;
	struct got g1 = {0}, g2 = {0}, g3 = {0};
	struct sip_uri u;
	struct pl pl;
	char servers[64];
	const char *dns = server();
	int fd;

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(resolver_alloc(&r, loop, dns), 0);
	pl_set_str(&pl, "sip:example.test");
	assert_int_equal(sip_uri_decode(&u, &pl), 0);
	/* Cancelled before anything came back; the other one completes. */
	assert_int_equal(resolver_lookup(&q1, r, &u, 0, got_h, &g1), 0);
	assert_int_equal(resolver_lookup(NULL, r, &u, 0, got_h, &g2), 0);
	resolver_cancel(q1);
	run_until(loop, &g2.calls, WAIT_MS);
	assert_int_equal(g2.calls, 1);
	assert_int_equal(g2.n, 4);
	for (int i = 0; i < 10; i++)
		assert_int_equal(loop_once(loop, 20), 0);
	assert_int_equal(g1.calls, 0);
	resolver_free(r);

	/* In flight for sure: a server that never answers.  The cancelled
	 * query's requests time out inside c-ares later and are dropped;
	 * the other query's timeout shows that moment has passed. */
	fd = silent_socket(servers, sizeof(servers));
	assert_int_equal(resolver_alloc(&r, loop, servers), 0);
	resolver_set_timeout(r, 30000);
	memset(&g1, 0, sizeof(g1));
	memset(&g2, 0, sizeof(g2));
	assert_int_equal(resolver_lookup(&q1, r, &u, 0, got_h, &g1), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(loop_once(loop, 20), 0);
	assert_int_equal(g1.calls, 0);
	resolver_cancel(q1);
	assert_int_equal(resolver_lookup(&q2, r, &u, 0, got_h, &g2), 0);
	run_until(loop, &g2.calls, WAIT_MS);
	assert_int_equal(g2.calls, 1);
	assert_int_equal(g2.err, ETIMEDOUT);
	for (int i = 0; i < 10; i++)
		assert_int_equal(loop_once(loop, 20), 0);
	assert_int_equal(g1.calls, 0);

	/* In flight at resolver_free(): dropped, no callback, no leak. */
	assert_int_equal(resolver_lookup(NULL, r, &u, 0, got_h, &g3), 0);
	assert_int_equal(loop_once(loop, 20), 0);
	resolver_free(r);
	for (int i = 0; i < 5; i++)
		assert_int_equal(loop_once(loop, 20), 0);
	assert_int_equal(g3.calls, 0);
	loop_free(loop);
	close(fd);
}

/* Several lookups on one resolver at once each get their own answer. */
static void test_concurrent(void **state)
{
	static const char *const uris[] = {
		"sip:example.test", "sips:srv.test", "sip:plain.test;transport=tcp",
		"sip:a@nope.test", "sip:udponly.test", "sip:a@example.test:5090",
	};
	static const size_t want_n[] = {4, 1, 2, 0, 1, 1};
	struct got g[6];
	struct loop *loop;
	struct resolver *r;
	int done;

	const char *dns = server();

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(resolver_alloc(&r, loop, dns), 0);
	memset(g, 0, sizeof(g));
	for (size_t i = 0; i < 6; i++) {
		struct sip_uri u;
		struct pl pl;

		pl_set_str(&pl, uris[i]);
		assert_int_equal(sip_uri_decode(&u, &pl), 0);
		assert_int_equal(resolver_lookup(NULL, r, &u, 0, got_h, &g[i]), 0);
	}
	done = 0;
	for (uint64_t end = loop_now_ms() + WAIT_MS; !done && loop_now_ms() < end;) {
		assert_int_equal(loop_once(loop, 50), 0);
		done = 1;
		for (size_t i = 0; i < 6; i++)
			done &= g[i].calls == 1;
	}
	assert_true(done);
	for (size_t i = 0; i < 6; i++) {
		assert_int_equal(g[i].n, want_n[i]);
		assert_int_equal(g[i].err, want_n[i] ? 0 : ENOENT);
	}
	assert_true(has_target(&g[2], 0, 2, SIP_TP_TCP, "127.0.0.30", 5060));
	resolver_free(r);
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3263_example),
		cmocka_unit_test(test_sips_only_tls),
		cmocka_unit_test(test_srv_fallback),
		cmocka_unit_test(test_addr_fallback),
		cmocka_unit_test(test_explicit_port),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_no_answer_deadline),
		cmocka_unit_test(test_no_answer_tries),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_concurrent),
	};

	log_set_level(LOG_DEBUG);
	log_set_handler(log_h_, NULL);
	if (getenv("SIPTTY_DNS_LOG"))
		(void)log_open(getenv("SIPTTY_DNS_LOG"));
	return cmocka_run_group_tests_name("resolve_dns", tests, NULL, NULL);
}
