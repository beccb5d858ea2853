/* test_transport.c - UDP, TCP and TLS transports on loopback, every wait bounded by the loop's timers. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <cmocka.h>
#include <gnutls/gnutls.h>

#include "core/loop.h"
#include "sip/transport.h"

#define MAX_MSGS 8
#define MAX_EVS 8

static const char options_msg[] =
	"OPTIONS sip:bob@example.com SIP/2.0\r\n"
	"Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
	"Max-Forwards: 70\r\n"
	"To: <sip:bob@example.com>\r\n"
	"From: <sip:alice@example.com>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710\r\n"
	"CSeq: 63104 OPTIONS\r\n"
	"Content-Length: 0\r\n\r\n";

static const char ok_msg[] =
	"SIP/2.0 200 OK\r\n"
	"Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
	"To: <sip:bob@example.com>;tag=a6c85cf\r\n"
	"From: <sip:alice@example.com>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710\r\n"
	"CSeq: 63104 OPTIONS\r\n"
	"Content-Length: 4\r\n\r\nbody";

struct rxmsg {
	char *data;
	size_t len;
	struct sockaddr_storage src;
	socklen_t srclen;
	struct sip_flow *flow;   /* referenced */
};

struct evrec {
	enum sip_flow_ev type;
	int err;
	char text[512];
	size_t dropped;
	int tls_reason;
	uint64_t flow_id;
};

struct ctx {
	struct loop *loop;
	struct sip_transport *tp, *tp2;
	struct rxmsg msgs[MAX_MSGS];
	size_t nmsgs;
	struct evrec evs[MAX_EVS];
	size_t nevs;
	const char *reply;        /* sent back on the flow of each message */
	unsigned ticks;
	struct tmr tick;
};

static const char *datadir(void)
{
	const char *d = getenv("SIPTTY_TESTDATA");

	return d && *d ? d : "tests/data";
}

static char *tlsfile(const char *name)
{
	static char buf[4][512];
	static unsigned i;
	char *b = buf[i++ % 4];

	snprintf(b, sizeof(buf[0]), "%s/tls/%s", datadir(), name);
	return b;
}

static void on_recv(const struct sip_rx *rx, void *arg)
{
	struct ctx *c = arg;
	struct rxmsg *m;

	assert_true(c->nmsgs < MAX_MSGS);
	m = &c->msgs[c->nmsgs++];
	m->data = malloc(rx->len + 1);
	assert_non_null(m->data);
	memcpy(m->data, rx->p, rx->len);
	m->data[rx->len] = '\0';
	m->len = rx->len;
	memcpy(&m->src, rx->src, rx->srclen);
	m->srclen = rx->srclen;
	m->flow = sip_flow_ref(rx->flow);
	if (c->reply)
		assert_int_equal(sip_flow_send(rx->flow, c->reply,
					       strlen(c->reply)), 0);
}

static void on_event(struct sip_flow *flow, const struct sip_flow_event *ev,
		     void *arg)
{
	struct ctx *c = arg;
	struct evrec *e;

	assert_true(c->nevs < MAX_EVS);
	e = &c->evs[c->nevs++];
	e->type = ev->type;
	e->err = ev->err;
	e->dropped = ev->dropped;
	e->tls_reason = ev->tls ? (int)ev->tls->reason : -1;
	e->flow_id = sip_flow_id(flow);
	snprintf(e->text, sizeof(e->text), "%s", ev->text ? ev->text : "");
}

static void tick(void *arg)
{
	struct ctx *c = arg;

	c->ticks++;
	tmr_start(c->loop, &c->tick, 20, tick, c);
}

static struct ctx *ctx_new(const struct sip_transport_conf *conf)
{
	struct ctx *c = calloc(1, sizeof(*c));

	assert_non_null(c);
	assert_int_equal(loop_alloc(&c->loop), 0);
	assert_int_equal(sip_transport_alloc(&c->tp, c->loop, conf, on_recv,
					     on_event, c), 0);
	tmr_init(&c->tick);
	return c;
}

static void ctx_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nmsgs; i++) {
		free(c->msgs[i].data);
		sip_flow_unref(c->msgs[i].flow);
	}
	tmr_cancel(&c->tick);
	sip_transport_free(c->tp2);
	sip_transport_free(c->tp);
	loop_free(c->loop);
	free(c);
}

/* Runs the loop until cond() holds or max_ms passed. */
static bool run_until(struct ctx *c, bool (*cond)(struct ctx *, void *),
		      void *arg, unsigned max_ms)
{
	uint64_t end = loop_now_ms() + max_ms;

	while (!cond(c, arg)) {
		if (loop_now_ms() >= end)
			return false;
		assert_int_equal(loop_once(c->loop, 20), 0);
	}
	return true;
}

static bool have_msgs(struct ctx *c, void *arg)
{
	return c->nmsgs >= (size_t)(uintptr_t)arg;
}

static const struct evrec *find_ev(struct ctx *c, enum sip_flow_ev type)
{
	for (size_t i = 0; i < c->nevs; i++)
		if (c->evs[i].type == type)
			return &c->evs[i];
	return NULL;
}

static bool have_ev(struct ctx *c, void *arg)
{
	return find_ev(c, (enum sip_flow_ev)(uintptr_t)arg) != NULL;
}

static socklen_t loopback(struct sockaddr_storage *ss, int af, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		return sizeof(*in);
	}
	((struct sockaddr_in6 *)ss)->sin6_family = AF_INET6;
	((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	((struct sockaddr_in6 *)ss)->sin6_addr = in6addr_loopback;
	return sizeof(struct sockaddr_in6);
}

static uint16_t port_of(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ?
		     ((const struct sockaddr_in *)ss)->sin_port :
		     ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static bool ipv6_ok(void)
{
	struct sockaddr_storage ss;
	socklen_t l = loopback(&ss, AF_INET6, 0);
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&ss, l) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* A target for our listener of kind on the loopback of af. */
static void target_of(struct ctx *c, struct sip_transport *tp, enum sip_tp kind,
		      int af, struct sip_target *t)
{
	memset(t, 0, sizeof(*t));
	t->tp = kind;
	assert_int_equal(sip_transport_laddr(tp, kind, af, &t->addr,
					     &t->addrlen), 0);
	snprintf(t->host, sizeof(t->host), "%s", af == AF_INET ? "127.0.0.1" : "::1");
	(void)c;
}

static void listen_on(struct sip_transport *tp, enum sip_tp kind, int af)
{
	struct sockaddr_storage ss;
	socklen_t l = loopback(&ss, af, 0);

	assert_int_equal(sip_transport_listen(tp, kind, (struct sockaddr *)&ss, l), 0);
}

/* ---- UDP ---- */

static void udp_roundtrip(int af)
{
	struct ctx *c = ctx_new(NULL);
	struct sip_transport *b;
	struct sip_target t;
	struct sip_flow *bf = NULL;
	struct sockaddr_storage bl;
	socklen_t bll;

	listen_on(c->tp, SIP_TP_UDP, af);
	target_of(c, c->tp, SIP_TP_UDP, af, &t);
	/* b shares the context: what it receives lands in c->msgs too. */
	assert_int_equal(sip_transport_alloc(&b, c->loop, NULL, on_recv,
					     on_event, c), 0);
	c->tp2 = b;
	c->reply = ok_msg;
	assert_int_equal(sip_transport_send(b, &t, NULL, options_msg,
					    strlen(options_msg), &bf), 0);
	assert_true(run_until(c, have_msgs, (void *)2, 3000));
	assert_string_equal(c->msgs[0].data, options_msg);
	assert_int_equal(sip_flow_tp(c->msgs[0].flow), SIP_TP_UDP);
	/* The source is b's ephemeral socket: what rport/received report. */
	assert_int_equal(sip_flow_laddr(bf, &bl, &bll), 0);
	assert_int_equal(c->msgs[0].src.ss_family, af);
	assert_int_equal(port_of(&c->msgs[0].src), port_of(&bl));
	assert_int_not_equal(port_of(&bl), 0);
	if (af == AF_INET)
		assert_int_equal(((struct sockaddr_in *)&c->msgs[0].src)->sin_addr.s_addr,
				 htonl(INADDR_LOOPBACK));
	else
		assert_true(IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)&c->msgs[0].src)->sin6_addr));
	/* The reply went back on the flow it belonged to. */
	assert_string_equal(c->msgs[1].data, ok_msg);
	assert_int_equal(port_of(&c->msgs[1].src), port_of(&t.addr));
	sip_flow_unref(bf);
	ctx_free(c);
}

static void test_udp_v4(void **state)
{
	(void)state;
	udp_roundtrip(AF_INET);
}

static void test_udp_v6(void **state)
{
	(void)state;
	if (!ipv6_ok())
		skip();
	udp_roundtrip(AF_INET6);
}

static int raw_udp(int af)
{
	int fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	return fd;
}

/* Bytes after Content-Length are not a second message; a datagram over
 * the bound is dropped; a CRLF datagram is a keep-alive. */
static void test_udp_framing_and_bound(void **state)
{
	struct sip_transport_conf conf = {.udp_max = 1000};
	struct ctx *c = ctx_new(&conf);
	struct sip_target t;
	char big[1400], dbl[1024];
	int fd;

	(void)state;
	listen_on(c->tp, SIP_TP_UDP, AF_INET);
	target_of(c, c->tp, SIP_TP_UDP, AF_INET, &t);
	fd = raw_udp(AF_INET);
	memset(big, 'x', sizeof(big));
	memcpy(big, options_msg, strlen(options_msg));
	assert_int_equal(sendto(fd, big, sizeof(big), 0,
				(struct sockaddr *)&t.addr, t.addrlen),
			 (ssize_t)sizeof(big));
	assert_int_equal(sendto(fd, "\r\n\r\n", 4, 0, (struct sockaddr *)&t.addr,
				t.addrlen), 4);
	snprintf(dbl, sizeof(dbl), "%s%s", ok_msg, options_msg);
	assert_int_equal(sendto(fd, dbl, strlen(dbl), 0,
				(struct sockaddr *)&t.addr, t.addrlen),
			 (ssize_t)strlen(dbl));
	assert_true(run_until(c, have_msgs, (void *)1, 3000));
	/* Let anything else arrive: nothing must. */
	assert_false(run_until(c, have_msgs, (void *)2, 200));
	assert_int_equal(c->nmsgs, 1);
	assert_int_equal(c->msgs[0].len, strlen(ok_msg));
	assert_memory_equal(c->msgs[0].data, ok_msg, strlen(ok_msg));
	close(fd);
	ctx_free(c);
}

/* ---- TCP, with a raw socket as the peer ---- */

static int raw_tcp_connect(struct sip_target *t)
{
	int fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&t->addr, t->addrlen), 0);
	return fd;
}

static void write_all(int fd, const char *p, size_t len)
{
	assert_int_equal(send(fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

/* Reads what is there within max_ms; returns the count (0 on EOF). */
static ssize_t read_wait(struct ctx *c, int fd, char *buf, size_t size,
			 unsigned max_ms)
{
	uint64_t end = loop_now_ms() + max_ms;

	for (;;) {
		ssize_t r = recv(fd, buf, size, MSG_DONTWAIT);

		if (r >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK))
			return r;
		if (loop_now_ms() >= end)
			return -1;
		assert_int_equal(loop_once(c->loop, 10), 0);
	}
}

static void test_tcp_two_in_one_write(void **state)
{
	struct ctx *c = ctx_new(NULL);
	struct sip_target t;
	char both[2048], buf[2048];
	size_t got = 0;
	int fd;

	(void)state;
	listen_on(c->tp, SIP_TP_TCP, AF_INET);
	target_of(c, c->tp, SIP_TP_TCP, AF_INET, &t);
	c->reply = ok_msg;
	fd = raw_tcp_connect(&t);
	snprintf(both, sizeof(both), "%s%s", options_msg, ok_msg);
	write_all(fd, both, strlen(both));
	assert_true(run_until(c, have_msgs, (void *)2, 3000));
	assert_string_equal(c->msgs[0].data, options_msg);
	assert_string_equal(c->msgs[1].data, ok_msg);
	assert_true(c->msgs[0].flow == c->msgs[1].flow);
	assert_true(find_ev(c, SIP_FLOW_CONNECTED) != NULL);
	/* Both replies came back on the connection. */
	while (got < 2 * strlen(ok_msg)) {
		ssize_t r = read_wait(c, fd, buf + got, sizeof(buf) - got, 3000);

		assert_true(r > 0);
		got += (size_t)r;
	}
	assert_int_equal(got, 2 * strlen(ok_msg));
	assert_memory_equal(buf, ok_msg, strlen(ok_msg));
	close(fd);
	ctx_free(c);
}

static void test_tcp_one_byte_writes(void **state)
{
	struct ctx *c = ctx_new(NULL);
	struct sip_target t;
	size_t n = strlen(options_msg);
	int af = ipv6_ok() ? AF_INET6 : AF_INET;
	int fd;

	(void)state;
	/* Over IPv6 where the machine has it. */
	listen_on(c->tp, SIP_TP_TCP, af);
	target_of(c, c->tp, SIP_TP_TCP, af, &t);
	fd = raw_tcp_connect(&t);
	/* Leading CRLFs (keep-alive pongs) first, then byte by byte. */
	write_all(fd, "\r\n", 2);
	for (size_t i = 0; i < n; i++) {
		write_all(fd, options_msg + i, 1);
		assert_int_equal(loop_once(c->loop, 2), 0);
		if (i + 1 < n)
			assert_int_equal(c->nmsgs, 0);
	}
	assert_true(run_until(c, have_msgs, (void *)1, 3000));
	assert_int_equal(c->nmsgs, 1);
	assert_string_equal(c->msgs[0].data, options_msg);
	assert_true(sip_flow_is_open(c->msgs[0].flow));
	close(fd);
	assert_true(run_until(c, have_ev, (void *)SIP_FLOW_CLOSED, 3000));
	assert_int_equal(find_ev(c, SIP_FLOW_CLOSED)->err, 0);
	assert_false(sip_flow_is_open(c->msgs[0].flow));
	assert_int_equal(sip_flow_send(c->msgs[0].flow, "x", 1), ENOTCONN);
	ctx_free(c);
}

static void test_tcp_half_then_stall(void **state)
{
	struct sip_transport_conf conf = {.idle_ms = 300};
	struct ctx *c = ctx_new(&conf);
	struct sip_target t;
	const struct evrec *e;
	char buf[64];
	uint64_t t0;
	int fd;

	(void)state;
	listen_on(c->tp, SIP_TP_TCP, AF_INET);
	target_of(c, c->tp, SIP_TP_TCP, AF_INET, &t);
	fd = raw_tcp_connect(&t);
	write_all(fd, options_msg, strlen(options_msg) / 2);
	t0 = loop_now_ms();
	tmr_start(c->loop, &c->tick, 20, tick, c);
	assert_true(run_until(c, have_ev, (void *)SIP_FLOW_CLOSED, 3000));
	e = find_ev(c, SIP_FLOW_CLOSED);
	assert_int_equal(e->err, ETIMEDOUT);
	assert_non_null(strstr(e->text, "incomplete message"));
	/* Closed after the bound, not before; timers kept running meanwhile. */
	assert_true(loop_now_ms() - t0 >= 250);
	assert_true(c->ticks >= 8);
	assert_int_equal(c->nmsgs, 0);
	assert_int_equal(read_wait(c, fd, buf, sizeof(buf), 2000), 0);
	close(fd);
	ctx_free(c);
}

static void test_tcp_garbage_closes(void **state)
{
	static const char garbage[] = "\x01\x02 not SIP at all\r\nFoo: bar\r\n\r\n";
	struct ctx *c = ctx_new(NULL);
	struct sip_target t;
	const struct evrec *e;
	char buf[64];
	int fd;

	(void)state;
	listen_on(c->tp, SIP_TP_TCP, AF_INET);
	target_of(c, c->tp, SIP_TP_TCP, AF_INET, &t);
	fd = raw_tcp_connect(&t);
	write_all(fd, garbage, sizeof(garbage) - 1);
	assert_true(run_until(c, have_ev, (void *)SIP_FLOW_CLOSED, 3000));
	e = find_ev(c, SIP_FLOW_CLOSED);
	assert_int_equal(e->err, EBADMSG);
	assert_non_null(strstr(e->text, "cannot be read"));
	assert_int_equal(c->nmsgs, 0);
	assert_int_equal(read_wait(c, fd, buf, sizeof(buf), 2000), 0);
	close(fd);
	ctx_free(c);
}

/* A ping from the peer is answered with a pong (RFC 5626 4.4.1). */
static void test_tcp_ping_answered(void **state)
{
	struct ctx *c = ctx_new(NULL);
	struct sip_target t;
	char buf[16];
	int fd;

	(void)state;
	listen_on(c->tp, SIP_TP_TCP, AF_INET);
	target_of(c, c->tp, SIP_TP_TCP, AF_INET, &t);
	fd = raw_tcp_connect(&t);
	write_all(fd, "\r\n\r\n", 4);
	assert_int_equal(read_wait(c, fd, buf, sizeof(buf), 3000), 2);
	assert_memory_equal(buf, "\r\n", 2);
	/* A ping split over two writes is still one ping. */
	write_all(fd, "\r\n", 2);
	assert_int_equal(read_wait(c, fd, buf, sizeof(buf), 100), -1);
	write_all(fd, "\r\n", 2);
	assert_int_equal(read_wait(c, fd, buf, sizeof(buf), 3000), 2);
	assert_int_equal(c->nmsgs, 0);
	assert_null(find_ev(c, SIP_FLOW_CLOSED));
	close(fd);
	ctx_free(c);
}

/* ---- incoming connections: the first-message bound and the caps ---- */

static bool incoming_is(struct ctx *c, void *arg)
{
	return sip_transport_incoming(c->tp) == (unsigned)(uintptr_t)arg;
}

static size_t count_ev(struct ctx *c, enum sip_flow_ev type)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nevs; i++)
		n += c->evs[i].type == type;
	return n;
}

/* Pings do not keep a connection that never brings a SIP message. */
static void test_tcp_first_message_bound(void **state)
{
	struct sip_transport_conf conf = {.first_ms = 400};
	struct ctx *c = ctx_new(&conf);
	struct sip_target t;
	const struct evrec *e;
	char buf[64];
	uint64_t t0;
	int quiet, talker;

	(void)state;
	listen_on(c->tp, SIP_TP_TCP, AF_INET);
	target_of(c, c->tp, SIP_TP_TCP, AF_INET, &t);
	t0 = loop_now_ms();
	quiet = raw_tcp_connect(&t);
	talker = raw_tcp_connect(&t);
	write_all(talker, options_msg, strlen(options_msg));
	assert_true(run_until(c, have_msgs, (void *)1, 3000));
	assert_int_equal(sip_transport_incoming(c->tp), 2);
	/* A ping is answered, and does not count as a message. */
	write_all(quiet, "\r\n\r\n", 4);
	assert_int_equal(read_wait(c, quiet, buf, sizeof(buf), 300), 2);
	assert_true(run_until(c, have_ev, (void *)SIP_FLOW_CLOSED, 3000));
	assert_true(loop_now_ms() - t0 >= 350);
	e = find_ev(c, SIP_FLOW_CLOSED);
	assert_int_equal(e->err, ETIMEDOUT);
	assert_non_null(strstr(e->text, "sent no SIP message within 1 s"));
	assert_int_equal(read_wait(c, quiet, buf, sizeof(buf), 2000), 0);
	assert_int_equal(sip_transport_incoming(c->tp), 1);
	/* The one that talked in time outlives the bound and still works. */
	while (loop_now_ms() - t0 < 900)
		assert_int_equal(loop_once(c->loop, 20), 0);
	assert_int_equal(count_ev(c, SIP_FLOW_CLOSED), 1);
	assert_true(sip_flow_is_open(c->msgs[0].flow));
	write_all(talker, options_msg, strlen(options_msg));
	assert_true(run_until(c, have_msgs, (void *)2, 3000));
	assert_true(c->msgs[1].flow == c->msgs[0].flow);
	close(quiet);
	close(talker);
	ctx_free(c);
}

/* A TCP client from a given loopback address; -1 if it cannot bind it. */
static int raw_tcp_connect_from(struct sip_target *t, const char *ip)
{
	struct sockaddr_in src = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(inet_pton(AF_INET, ip, &src.sin_addr), 1);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		close(fd);
		return -1;
	}
	assert_int_equal(connect(fd, (struct sockaddr *)&t->addr, t->addrlen), 0);
	return fd;
}

static void test_tcp_caps(void **state)
{
	struct sip_transport_conf conf = {.in_max = 3, .in_per_ip = 2};
	struct ctx *c = ctx_new(&conf);
	struct sip_target t;
	char buf[64];
	int a, b, over_ip, d, over_all, f;

	(void)state;
	listen_on(c->tp, SIP_TP_TCP, AF_INET);
	target_of(c, c->tp, SIP_TP_TCP, AF_INET, &t);
	a = raw_tcp_connect_from(&t, "127.0.0.1");
	b = raw_tcp_connect_from(&t, "127.0.0.1");
	assert_true(a >= 0 && b >= 0);
	assert_true(run_until(c, incoming_is, (void *)2, 3000));
	/* A third from the same address: accepted and closed at once. */
	over_ip = raw_tcp_connect_from(&t, "127.0.0.1");
	assert_int_equal(read_wait(c, over_ip, buf, sizeof(buf), 2000), 0);
	assert_int_equal(sip_transport_incoming(c->tp), 2);
	d = raw_tcp_connect_from(&t, "127.0.0.2");
	if (d < 0) {
		/* Only 127.0.0.1 on this loopback: the per-address cap was
		 * checked, the total needs a second address. */
		close(over_ip);
		close(a);
		close(b);
		ctx_free(c);
		skip();
	}
	assert_true(run_until(c, incoming_is, (void *)3, 3000));
	/* One more from anywhere: over the total. */
	over_all = raw_tcp_connect_from(&t, "127.0.0.3");
	assert_true(over_all >= 0);
	assert_int_equal(read_wait(c, over_all, buf, sizeof(buf), 2000), 0);
	assert_int_equal(sip_transport_incoming(c->tp), 3);
	/* Those kept work as before. */
	write_all(a, options_msg, strlen(options_msg));
	write_all(d, options_msg, strlen(options_msg));
	assert_true(run_until(c, have_msgs, (void *)2, 3000));
	assert_int_equal(count_ev(c, SIP_FLOW_CLOSED), 0);
	/* One leaves: room for the next. */
	close(a);
	assert_true(run_until(c, incoming_is, (void *)2, 3000));
	f = raw_tcp_connect_from(&t, "127.0.0.1");
	assert_true(run_until(c, incoming_is, (void *)3, 3000));
	write_all(f, options_msg, strlen(options_msg));
	assert_true(run_until(c, have_msgs, (void *)3, 3000));
	assert_int_equal(read_wait(c, b, buf, sizeof(buf), 50), -1);
	close(b);
	close(over_ip);
	close(d);
	close(over_all);
	close(f);
	ctx_free(c);
}

/* Out of descriptors, accept() fails and the connection stays queued: the
 * listener pauses instead of waking the loop on every pass. */
static void test_tcp_accept_emfile_pauses(void **state)
{
	struct ctx *c = ctx_new(NULL);
	struct sip_target t;
	struct rlimit old, low;
	unsigned passes = 0;
	uint64_t t0;
	int fd, probe;

	(void)state;
	listen_on(c->tp, SIP_TP_TCP, AF_INET);
	target_of(c, c->tp, SIP_TP_TCP, AF_INET, &t);
	fd = raw_tcp_connect(&t);
	/* The lowest free descriptor: the limit at it leaves none. */
	probe = dup(0);
	assert_true(probe >= 0);
	close(probe);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)probe;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	t0 = loop_now_ms();
	while (loop_now_ms() - t0 < 400) {
		assert_int_equal(loop_once(c->loop, 100), 0);
		passes++;
	}
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(sip_transport_incoming(c->tp), 0);
	assert_true(passes < 50);
	/* Descriptors back: the queued connection is taken within a second. */
	assert_true(run_until(c, incoming_is, (void *)1, 3000));
	write_all(fd, options_msg, strlen(options_msg));
	assert_true(run_until(c, have_msgs, (void *)1, 3000));
	close(fd);
	ctx_free(c);
}

static int raw_tcp_listen(struct sip_target *t, int af)
{
	int fd = socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(t, 0, sizeof(*t));
	t->tp = SIP_TP_TCP;
	t->addrlen = loopback(&t->addr, af, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&t->addr, t->addrlen), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&t->addr, &t->addrlen), 0);
	return fd;
}

/* Our outgoing flow pings; a pong keeps it; silence kills it. */
static void test_tcp_keepalive_dead_flow(void **state)
{
	struct sip_transport_conf conf = {.keepalive_ms = 100, .pong_ms = 200};
	struct ctx *c = ctx_new(&conf);
	struct sip_target t;
	struct sip_flow *f = NULL;
	const struct evrec *e;
	size_t n = strlen(options_msg);
	char buf[2048];
	size_t got = 0;
	int lfd, fd;

	(void)state;
	lfd = raw_tcp_listen(&t, AF_INET);
	assert_int_equal(sip_transport_send(c->tp, &t, NULL, options_msg, n, &f), 0);
	assert_true(sip_flow_is_outgoing(f));
	fd = accept(lfd, NULL, NULL);
	assert_true(fd >= 0);
	while (got < n) {
		ssize_t r = read_wait(c, fd, buf + got, sizeof(buf) - got, 3000);

		assert_true(r > 0);
		got += (size_t)r;
	}
	assert_memory_equal(buf, options_msg, n);
	/* Two rounds of ping and pong. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(read_wait(c, fd, buf, sizeof(buf), 3000), 4);
		assert_memory_equal(buf, "\r\n\r\n", 4);
		write_all(fd, "\r\n", 2);
	}
	assert_null(find_ev(c, SIP_FLOW_CLOSED));
	assert_true(sip_flow_is_open(f));
	/* Then silence: a ping, no pong, the flow is declared dead. */
	assert_int_equal(read_wait(c, fd, buf, sizeof(buf), 3000), 4);
	assert_true(run_until(c, have_ev, (void *)SIP_FLOW_CLOSED, 3000));
	e = find_ev(c, SIP_FLOW_CLOSED);
	assert_int_equal(e->err, ETIMEDOUT);
	assert_int_equal(e->flow_id, sip_flow_id(f));
	assert_non_null(strstr(e->text, "keep-alives"));
	assert_false(sip_flow_is_open(f));
	sip_flow_unref(f);
	close(fd);
	close(lfd);
	ctx_free(c);
}

static void test_tcp_connect_refused(void **state)
{
	struct ctx *c = ctx_new(NULL);
	struct sip_target t;
	const struct evrec *e;
	int lfd;

	(void)state;
	lfd = raw_tcp_listen(&t, AF_INET);
	close(lfd);   /* nobody listens on that port now */
	assert_int_equal(sip_transport_send(c->tp, &t, NULL, options_msg,
					    strlen(options_msg), NULL), 0);
	assert_true(run_until(c, have_ev, (void *)SIP_FLOW_CLOSED, 3000));
	e = find_ev(c, SIP_FLOW_CLOSED);
	assert_int_equal(e->err, ECONNREFUSED);
	assert_int_equal(e->dropped, 1);
	assert_non_null(strstr(e->text, "could not connect"));
	ctx_free(c);
}

/* ---- TLS: an in-process GnuTLS server driven by the same loop ---- */

struct tsrv {
	struct loop *loop;
	gnutls_certificate_credentials_t cred;
	gnutls_session_t s;
	int lfd, fd;
	bool done;           /* handshake finished */
	int hs_err;          /* fatal handshake error, or 0 */
	bool eof;
	char rx[4096];
	size_t rxlen;
};

static void tsrv_io(int fd, short revents, void *arg)
{
	struct tsrv *s = arg;

	(void)revents;
	if (!s->done && !s->hs_err) {
		int r = gnutls_handshake(s->s);

		if (r == 0)
			s->done = true;
		else if (gnutls_error_is_fatal(r))
			s->hs_err = r;
		if (!s->done && !s->hs_err) {
			(void)loop_fd_events(s->loop, fd,
					     gnutls_record_get_direction(s->s) ?
					     POLLOUT : POLLIN);
			return;
		}
		(void)loop_fd_events(s->loop, fd, POLLIN);
		if (s->hs_err)
			return;
	}
	for (;;) {
		ssize_t r;

		if (s->hs_err || s->eof || s->rxlen == sizeof(s->rx))
			return;
		r = gnutls_record_recv(s->s, s->rx + s->rxlen,
				       sizeof(s->rx) - s->rxlen);
		if (r > 0) {
			s->rxlen += (size_t)r;
			continue;
		}
		if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED)
			return;
		s->eof = true;
		(void)loop_fd_events(s->loop, fd, 0);
		return;
	}
}

static void tsrv_accept(int fd, short revents, void *arg)
{
	struct tsrv *s = arg;

	(void)revents;
	if (s->fd >= 0)
		return;
	s->fd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s->fd < 0)
		return;
	gnutls_transport_set_int(s->s, s->fd);
	assert_int_equal(loop_fd_add(s->loop, s->fd, POLLIN, tsrv_io, s), 0);
}

static void tsrv_start(struct tsrv *s, struct loop *loop, const char *cert,
		       const char *key, const char *prio, struct sip_target *t)
{
	memset(s, 0, sizeof(*s));
	s->loop = loop;
	s->fd = -1;
	assert_int_equal(gnutls_certificate_allocate_credentials(&s->cred), 0);
	assert_int_equal(gnutls_certificate_set_x509_key_file(s->cred, tlsfile(cert),
							      tlsfile(key),
							      GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(gnutls_init(&s->s, GNUTLS_SERVER | GNUTLS_NONBLOCK |
				     GNUTLS_NO_SIGNAL), 0);
	assert_int_equal(gnutls_priority_set_direct(s->s, prio, NULL), 0);
	assert_int_equal(gnutls_credentials_set(s->s, GNUTLS_CRD_CERTIFICATE,
						s->cred), 0);
	s->lfd = raw_tcp_listen(t, AF_INET);
	t->tp = SIP_TP_TLS;
	assert_int_equal(loop_fd_add(loop, s->lfd, POLLIN, tsrv_accept, s), 0);
}

static void tsrv_stop(struct tsrv *s)
{
	loop_fd_del(s->loop, s->lfd);
	close(s->lfd);
	if (s->fd >= 0) {
		loop_fd_del(s->loop, s->fd);
		close(s->fd);
	}
	gnutls_deinit(s->s);
	gnutls_certificate_free_credentials(s->cred);
}

static struct sip_transport_conf tls_conf(void)
{
	struct sip_transport_conf conf = {
		.ca_file = tlsfile("ca.pem"),
		.no_system_ca = true,
	};

	return conf;
}

static bool tsrv_got(struct ctx *c, void *arg)
{
	struct tsrv *s = arg;

	(void)c;
	return s->rxlen >= strlen(options_msg) || s->hs_err || s->eof;
}

static void test_tls_client_verified(void **state)
{
	struct sip_transport_conf conf = tls_conf();
	struct ctx *c = ctx_new(&conf);
	struct sip_target t;
	struct sip_flow *f = NULL, *f2 = NULL;
	const struct evrec *e;
	struct tsrv s;

	(void)state;
	tsrv_start(&s, c->loop, "uri.pem", "server-key.pem", SIP_TLS_PRIORITY, &t);
	assert_int_equal(sip_transport_send(c->tp, &t, "example.com", options_msg,
					    strlen(options_msg), &f), 0);
	assert_true(run_until(c, tsrv_got, &s, 5000));
	assert_int_equal(s.hs_err, 0);
	assert_int_equal(s.rxlen, strlen(options_msg));
	assert_memory_equal(s.rx, options_msg, s.rxlen);
	e = find_ev(c, SIP_FLOW_TLS_VERIFIED);
	assert_non_null(e);
	assert_int_equal(e->tls_reason, TLSID_MATCH);
	assert_non_null(find_ev(c, SIP_FLOW_CONNECTED));
	assert_true(find_ev(c, SIP_FLOW_CONNECTED) < e);
	/* TLS 1.3 preferred. */
	assert_int_equal(gnutls_protocol_get_version(s.s), GNUTLS_TLS1_3);
	assert_string_equal(sip_flow_tls_domain(f), "example.com");
	/* The server answers; the message comes up on the same flow. */
	assert_int_equal(gnutls_record_send(s.s, ok_msg, strlen(ok_msg)),
			 (ssize_t)strlen(ok_msg));
	assert_true(run_until(c, have_msgs, (void *)1, 3000));
	assert_string_equal(c->msgs[0].data, ok_msg);
	assert_true(c->msgs[0].flow == f);
	/* Sending again to the same domain reuses the verified flow. */
	assert_int_equal(sip_transport_send(c->tp, &t, "EXAMPLE.com", options_msg,
					    strlen(options_msg), &f2), 0);
	assert_true(f2 == f);
	assert_int_equal(sip_flow_tx_bytes(f), 2 * strlen(options_msg));
	sip_flow_unref(f2);
	sip_flow_unref(f);
	tsrv_stop(&s);
	ctx_free(c);
}

static void tls_refused(const char *cert, const char *key, const char *prio,
			int err, int reason, const char *text)
{
	struct sip_transport_conf conf = tls_conf();
	struct ctx *c = ctx_new(&conf);
	struct sip_target t;
	struct sip_flow *f = NULL;
	const struct evrec *e;
	struct tsrv s;

	tsrv_start(&s, c->loop, cert, key, prio, &t);
	assert_int_equal(sip_transport_send(c->tp, &t, "example.com", options_msg,
					    strlen(options_msg), &f), 0);
	assert_true(run_until(c, have_ev, (void *)SIP_FLOW_CLOSED, 5000));
	e = find_ev(c, SIP_FLOW_CLOSED);
	assert_int_equal(e->err, err);
	assert_int_equal(e->tls_reason, reason);
	assert_int_equal(e->dropped, 1);
	assert_non_null(strstr(e->text, "example.com"));
	assert_non_null(strstr(e->text, text));
	assert_null(find_ev(c, SIP_FLOW_TLS_VERIFIED));
	/* Let the server read whatever there is: no SIP byte. */
	(void)run_until(c, tsrv_got, &s, 300);
	assert_int_equal(s.rxlen, 0);
	assert_int_equal(sip_flow_tx_bytes(f), 0);
	assert_int_equal(sip_flow_send(f, "x", 1), ENOTCONN);
	sip_flow_unref(f);
	tsrv_stop(&s);
	ctx_free(c);
}

static void test_tls_other_host_refused(void **state)
{
	(void)state;
	tls_refused("otherhost.pem", "server-key.pem", SIP_TLS_PRIORITY, EACCES,
		    TLSID_NO_SAN_MATCH, "names another host");
}

static void test_tls_expired_refused(void **state)
{
	(void)state;
	tls_refused("expired.pem", "server-key.pem", SIP_TLS_PRIORITY, EACCES,
		    TLSID_EXPIRED, "expired on 2020-01-01");
}

static void test_tls10_server_refused(void **state)
{
	(void)state;
	tls_refused("uri.pem", "server-key.pem", "NORMAL:-VERS-ALL:+VERS-TLS1.0",
		    EPROTO, -1, "TLS 1.2 or later");
}

/* Our TLS listener accepts our own client: both ends of siptty's code. */
static void test_tls_listener(void **state)
{
	struct sip_transport_conf sconf = tls_conf();
	struct sip_transport_conf cconf = tls_conf();
	struct ctx *c;
	struct sip_target t;
	struct sip_flow *f = NULL;
	const struct evrec *e;
	int af = ipv6_ok() ? AF_INET6 : AF_INET;

	(void)state;
	sconf.cert_file = tlsfile("dnsonly.pem");
	sconf.key_file = tlsfile("server-key.pem");
	c = ctx_new(&sconf);
	listen_on(c->tp, SIP_TP_TLS, af);
	target_of(c, c->tp, SIP_TP_TLS, af, &t);
	assert_int_equal(sip_transport_alloc(&c->tp2, c->loop, &cconf, on_recv,
					     on_event, c), 0);
	c->reply = ok_msg;
	assert_int_equal(sip_transport_send(c->tp2, &t, "example.com", options_msg,
					    strlen(options_msg), &f), 0);
	assert_true(run_until(c, have_msgs, (void *)2, 5000));
	assert_string_equal(c->msgs[0].data, options_msg);
	assert_int_equal(sip_flow_tp(c->msgs[0].flow), SIP_TP_TLS);
	assert_false(sip_flow_is_outgoing(c->msgs[0].flow));
	assert_string_equal(c->msgs[1].data, ok_msg);
	assert_true(c->msgs[1].flow == f);
	e = find_ev(c, SIP_FLOW_TLS_VERIFIED);
	assert_non_null(e);
	assert_int_equal(e->flow_id, sip_flow_id(f));
	sip_flow_unref(f);
	ctx_free(c);
}

/* A TLS listener needs a certificate; TLS needs the configured domain. */
static void test_bad_args(void **state)
{
	struct ctx *c = ctx_new(NULL);
	struct sockaddr_storage ss;
	struct sip_target t;
	socklen_t l = loopback(&ss, AF_INET, 0);

	(void)state;
	assert_int_equal(sip_transport_listen(c->tp, SIP_TP_TLS,
					      (struct sockaddr *)&ss, l), EINVAL);
	memset(&t, 0, sizeof(t));
	t.tp = SIP_TP_TLS;
	t.addrlen = loopback(&t.addr, AF_INET, 5061);
	assert_int_equal(sip_transport_send(c->tp, &t, NULL, "x", 1, NULL), EINVAL);
	assert_int_equal(sip_transport_laddr(c->tp, SIP_TP_TCP, AF_INET, &ss, &l),
			 ENOENT);
	ctx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_v4),
		cmocka_unit_test(test_udp_v6),
		cmocka_unit_test(test_udp_framing_and_bound),
		cmocka_unit_test(test_tcp_two_in_one_write),
		cmocka_unit_test(test_tcp_one_byte_writes),
		cmocka_unit_test(test_tcp_half_then_stall),
		cmocka_unit_test(test_tcp_garbage_closes),
		cmocka_unit_test(test_tcp_ping_answered),
		cmocka_unit_test(test_tcp_first_message_bound),
		cmocka_unit_test(test_tcp_caps),
		cmocka_unit_test(test_tcp_accept_emfile_pauses),
		cmocka_unit_test(test_tcp_keepalive_dead_flow),
		cmocka_unit_test(test_tcp_connect_refused),
		cmocka_unit_test(test_tls_client_verified),
		cmocka_unit_test(test_tls_other_host_refused),
		cmocka_unit_test(test_tls_expired_refused),
		cmocka_unit_test(test_tls10_server_refused),
		cmocka_unit_test(test_tls_listener),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests_name("transport", tests, NULL, NULL);
}
