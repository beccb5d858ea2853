/* test_ident.c - ident_check end to end: certificates fetched from a local HTTPS server, verdicts, PAI trust. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <gnutls/gnutls.h>

#include "core/conf.h"
#include "core/loop.h"
#include "sip/msg.h"
#include "sip/target.h"
#include "stirca.h"
#include "ua/certfetch.h"
#include "ua/ident.h"
#include "ua/stir.h"

/* ------------------------------------------------------------------ */
/* a tiny HTTPS server on 127.0.0.1, one thread per connection         */

struct route {
	const char *path;
	const char *redirect;   /* a Location to answer 302 with */
	char *body;
	size_t len;
	int delay_ms;
};

static struct {
	int lfd;
	uint16_t port;
	pthread_t th;
	atomic_int stop;
	atomic_int accepted;
	atomic_int active;
	gnutls_certificate_credentials_t cred;
	struct route routes[16];
	size_t nroutes;
} srv;

static void *conn_main(void *arg)
{
	int fd = (int)(intptr_t)arg;
	gnutls_session_t s;
	char req[4096], path[256] = "";
	size_t n = 0;
	const struct route *rt = NULL;

	gnutls_init(&s, GNUTLS_SERVER);
	gnutls_set_default_priority(s);
	gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, srv.cred);
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 3000);
	if (gnutls_handshake(s) < 0)
		goto out;
	while (n < sizeof(req) - 1) {
		ssize_t r = gnutls_record_recv(s, req + n, sizeof(req) - 1 - n);

		if (r <= 0)
			goto out;
		n += (size_t)r;
		req[n] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	if (sscanf(req, "GET %255s ", path) != 1)
		goto out;
	path[strcspn(path, "?")] = '\0';
	for (size_t i = 0; i < srv.nroutes; i++)
		if (strcmp(srv.routes[i].path, path) == 0)
			rt = &srv.routes[i];
	if (rt && rt->delay_ms) {
		for (int t = 0; t < rt->delay_ms && !atomic_load(&srv.stop); t += 20)
			usleep(20000);
	}
	{
		char head[256];
		int hl;

		if (rt && rt->redirect)
			hl = snprintf(head, sizeof(head),
				      "HTTP/1.1 302 Found\r\nLocation: %s\r\nContent-Length: 0\r\n"
				      "Connection: close\r\n\r\n", rt->redirect);
		else if (rt)
			hl = snprintf(head, sizeof(head),
				      "HTTP/1.1 200 OK\r\nContent-Type: application/pem-certificate-chain\r\n"
				      "Content-Length: %zu\r\nConnection: close\r\n\r\n", rt->len);
		else
			hl = snprintf(head, sizeof(head),
				      "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
		if (gnutls_record_send(s, head, (size_t)hl) < 0)
			goto out;
		for (size_t off = 0; rt && !rt->redirect && off < rt->len;) {
			ssize_t w = gnutls_record_send(s, rt->body + off, rt->len - off);

			if (w <= 0)
				goto out;
			off += (size_t)w;
		}
	}
	gnutls_bye(s, GNUTLS_SHUT_WR);
 out:
	gnutls_deinit(s);
	close(fd);
	atomic_fetch_sub(&srv.active, 1);
	return NULL;
}

static void *accept_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&srv.stop)) {
		struct pollfd p = {.fd = srv.lfd, .events = POLLIN};
		pthread_t t;
		int fd;

		if (poll(&p, 1, 50) <= 0)
			continue;
		fd = accept(srv.lfd, NULL, NULL);
		if (fd < 0)
			continue;
		atomic_fetch_add(&srv.accepted, 1);
		atomic_fetch_add(&srv.active, 1);
		if (pthread_create(&t, NULL, conn_main, (void *)(intptr_t)fd) != 0) {
			close(fd);
			atomic_fetch_sub(&srv.active, 1);
			continue;
		}
		pthread_detach(t);
	}
	return NULL;
}

static uint16_t free_port(int *fdp)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	*fdp = fd;
	return ntohs(a.sin_port);
}

static void route_add(const char *path, const struct buf *body, int delay_ms)
{
	struct route *r = &srv.routes[srv.nroutes++];

	r->path = path;
	r->body = malloc(body->len ? body->len : 1);
	if (body->len)
		memcpy(r->body, body->data, body->len);
	r->len = body->len;
	r->delay_ms = delay_ms;
}

/* ------------------------------------------------------------------ */
/* fixture                                                             */

static struct {
	char dir[64];
	struct stirca_cert ca, other, leaf, oleaf, exp, rsa, https_ca, https;
	struct loop *loop;
	struct conf *conf;
	struct ident_ctx *ic;
	int64_t now;
	bool fixed;
	time_t t0;
	char *redir[2];
} fx;

static int64_t clock_h(void *arg)
{
	(void)arg;
	return fx.fixed ? fx.now : (int64_t)time(NULL);
}

static void url(char *out, size_t sz, const char *path)
{
	snprintf(out, sz, "https://127.0.0.1:%u%s", srv.port, path);
}

static int setup(void **state)
{
	static const char *const one[] = {"one:12155550121"};
	uint8_t ext[64];
	size_t el;
	struct buf b, cfg;
	char path[128];
	time_t now = time(NULL);
	int lfd;

	(void)state;
	/* The server writes to fetchers that gave up (too big, timed out). */
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	gnutls_global_init();
	fx.t0 = now;
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/test_ident.XXXXXX");
	assert_non_null(mkdtemp(fx.dir));
	el = stirca_tnauth(ext, sizeof(ext), one, 1);
	stirca_make(&fx.ca, NULL, "STIR Test CA", true, true, now - 86400, now + 86400 * 30,
		    NULL, 0, NULL, NULL);
	stirca_make(&fx.other, NULL, "Other CA", true, true, now - 86400, now + 86400 * 30,
		    NULL, 0, NULL, NULL);
	stirca_make(&fx.leaf, &fx.ca, "SHAKEN Test Signer", false, true, now - 3600,
		    now + 86400, ext, el, NULL, NULL);
	stirca_make(&fx.oleaf, &fx.other, "Stranger", false, true, now - 3600, now + 86400,
		    ext, el, NULL, NULL);
	stirca_make(&fx.exp, &fx.ca, "Expired Signer", false, true, now - 86400 * 2,
		    now - 86400, ext, el, NULL, NULL);
	stirca_make(&fx.rsa, &fx.ca, "atlanta.example.com", false, false, now - 3600,
		    now + 86400, NULL, 0, "atlanta.example.com", NULL);
	stirca_make(&fx.https_ca, NULL, "HTTPS Test CA", true, true, now - 86400,
		    now + 86400 * 30, NULL, 0, NULL, NULL);
	stirca_make(&fx.https, &fx.https_ca, "127.0.0.1", false, true, now - 3600,
		    now + 86400, NULL, 0, "localhost", "127.0.0.1");

	buf_init(&b, 0);
	stirca_pem(&b, &fx.ca);
	snprintf(path, sizeof(path), "%s/anchors.pem", fx.dir);
	stirca_write(path, b.data, b.len);
	buf_reset(&b);
	stirca_pem(&b, &fx.https_ca);
	snprintf(path, sizeof(path), "%s/https-ca.pem", fx.dir);
	stirca_write(path, b.data, b.len);
	buf_reset(&b);
	stirca_pem(&b, &fx.https);
	snprintf(path, sizeof(path), "%s/srv.pem", fx.dir);
	stirca_write(path, b.data, b.len);
	buf_reset(&b);
	stirca_key_pem(&b, &fx.https);
	snprintf(path, sizeof(path), "%s/srv.key", fx.dir);
	stirca_write(path, b.data, b.len);

	assert_int_equal(gnutls_certificate_allocate_credentials(&srv.cred), 0);
	{
		char c[128], k[128];

		snprintf(c, sizeof(c), "%s/srv.pem", fx.dir);
		snprintf(k, sizeof(k), "%s/srv.key", fx.dir);
		assert_int_equal(gnutls_certificate_set_x509_key_file(srv.cred, c, k,
								      GNUTLS_X509_FMT_PEM), 0);
	}
	buf_reset(&b);
	stirca_pem(&b, &fx.leaf);
	stirca_pem(&b, &fx.ca);  /* leaf first, then the chain */
	route_add("/leaf.pem", &b, 0);
	buf_reset(&b);
	stirca_pem(&b, &fx.oleaf);
	route_add("/stranger.pem", &b, 0);
	buf_reset(&b);
	stirca_pem(&b, &fx.exp);
	route_add("/expired.pem", &b, 0);
	buf_reset(&b);
	stirca_pem(&b, &fx.rsa);
	route_add("/rsa.pem", &b, 0);
	buf_reset(&b);
	stirca_pem(&b, &fx.leaf);
	route_add("/slow.pem", &b, 3000);
	buf_reset(&b);
	for (int i = 0; i < 40; i++)
		stirca_pem(&b, &fx.leaf);
	route_add("/big.pem", &b, 0);
	buf_free(&b);
	{
		static char to_http[128], to_https[128];
		struct buf e;

		buf_init(&e, 0);
		route_add("/to-http.pem", &e, 0);
		route_add("/to-https.pem", &e, 0);
		buf_free(&e);
		srv.routes[srv.nroutes - 2].redirect = to_http;
		srv.routes[srv.nroutes - 1].redirect = to_https;
		/* filled in once the port is known */
		fx.redir[0] = to_http;
		fx.redir[1] = to_https;
	}

	srv.port = free_port(&lfd);
	srv.lfd = lfd;
	assert_int_equal(listen(lfd, 16), 0);
	snprintf(fx.redir[0], 128, "http://127.0.0.1:%u/leaf.pem", srv.port);
	snprintf(fx.redir[1], 128, "https://127.0.0.1:%u/leaf.pem", srv.port);
	assert_int_equal(pthread_create(&srv.th, NULL, accept_main, NULL), 0);

	buf_init(&cfg, 0);
	(void)buf_printf(&cfg, "[identity]\ntrust_anchors = %s/anchors.pem\n"
			 "fetch_ca_file = %s/https-ca.pem\nfetch_timeout_ms = 700\n"
			 "max_cert_bytes = 16384\niat_window = 60\n", fx.dir, fx.dir);
	assert_int_equal(conf_load_string(&fx.conf, "test", cfg.data), 0);
	buf_free(&cfg);
	assert_int_equal(loop_alloc(&fx.loop), 0);
	assert_int_equal(ident_alloc(&fx.ic, fx.loop, fx.conf), 0);
	ident_set_clock(fx.ic, clock_h, NULL);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	ident_free(fx.ic);
	loop_free(fx.loop);
	conf_free(fx.conf);
	atomic_store(&srv.stop, 1);
	pthread_join(srv.th, NULL);
	for (int i = 0; i < 200 && atomic_load(&srv.active) > 0; i++)
		usleep(20000);
	close(srv.lfd);
	gnutls_certificate_free_credentials(srv.cred);
	for (size_t i = 0; i < srv.nroutes; i++)
		free(srv.routes[i].body);
	stirca_free(&fx.ca);
	stirca_free(&fx.other);
	stirca_free(&fx.leaf);
	stirca_free(&fx.oleaf);
	stirca_free(&fx.exp);
	stirca_free(&fx.rsa);
	stirca_free(&fx.https_ca);
	stirca_free(&fx.https);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx.dir);
	if (system(cmd) != 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* helpers                                                             */

static void date_str(char *out, size_t sz, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, sz, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

/* An INVITE from +12155550121 to +12155550131 with extra header lines. */
static struct sip_msg *mkreq(const char *from, const char *extra, int64_t date)
{
	struct sip_msg *m = NULL;
	struct buf b;
	char d[64];
	struct sip_err e;

	date_str(d, sizeof(d), date);
	buf_init(&b, 0);
	(void)buf_printf(&b,
		"INVITE sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-ident1\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Alice\" <%s>;tag=1928301774\r\n"
		"To: <tel:+1-215-555-0131>\r\n"
		"Call-ID: a84b4c76e66710@pc33.example.net\r\n"
		"CSeq: 314159 INVITE\r\n"
		"Date: %s\r\n"
		"Contact: <sip:alice@127.0.0.1:5061;transport=tls>\r\n"
		"%s"
		"Content-Length: 0\r\n\r\n",
		from ? from : "sip:+12155550121@example.net;user=phone", d, extra ? extra : "");
	assert_int_equal(sip_msg_decode(&m, b.data, b.len, 0, &e), 0);
	buf_free(&b);
	return m;
}

/* "Identity: <passport>;info=<url>;alg=ES256;ppt=shaken\r\n" */
static void identity(struct buf *out, const struct stirca_cert *c, const char *path,
		     const char *x5u_path, int64_t iat, const char *orig)
{
	char u[128], x[128], hdr[256], pay[512];

	url(u, sizeof(u), path);
	url(x, sizeof(x), x5u_path ? x5u_path : path);
	snprintf(hdr, sizeof(hdr),
		 "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", x);
	snprintf(pay, sizeof(pay),
		 "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155550131\"]},\"iat\":%lld,"
		 "\"orig\":{\"tn\":\"%s\"},\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}",
		 (long long)iat, orig ? orig : "12155550121");
	(void)buf_puts(out, "Identity: ");
	stirca_passport(out, c, hdr, pay);
	(void)buf_printf(out, ";info=<%s>;alg=ES256;ppt=shaken\r\n", u);
}

struct result {
	int calls;
	bool in_check;
	struct ident_verdict v;
};

static void done_h(const struct ident_verdict *v, void *arg)
{
	struct result *r = arg;

	assert_false(r->in_check);  /* never inside ident_check() */
	r->calls++;
	r->v = *v;
}

static unsigned ticks;

static void tick_h(void *arg)
{
	struct tmr *t = arg;

	ticks++;
	tmr_start(fx.loop, t, 50, tick_h, t);
}

/* Runs one check to its verdict; returns the elapsed ms. */
static uint64_t check_tp(struct sip_msg *m, int tp, const char *dom, const char *trusted,
			 struct result *r)
{
	struct ident_req *req = NULL;
	uint64_t t0 = loop_now_ms(), deadline = t0 + 10000;

	memset(r, 0, sizeof(*r));
	r->in_check = true;
	assert_int_equal(ident_check_on(fx.ic, &req, m, tp, dom, "192.0.2.7", trusted,
					done_h, r), 0);
	r->in_check = false;
	assert_int_equal(r->calls, 0);
	while (!r->calls && loop_now_ms() < deadline)
		(void)loop_once(fx.loop, 50);
	for (int i = 0; i < 3; i++)
		(void)loop_once(fx.loop, 5);
	assert_int_equal(r->calls, 1);
	printf("# -> %s %s %u %s%s%s\n", ident_kind_name(r->v.kind), r->v.method, r->v.code,
	       r->v.reason, r->v.pai_note[0] ? " / " : "", r->v.pai_note);
	return loop_now_ms() - t0;
}

static uint64_t check(struct sip_msg *m, struct result *r)
{
	return check_tp(m, SIP_TP_UDP, NULL, NULL, r);
}

/* ------------------------------------------------------------------ */
/* cases                                                               */

static void test_verified_cached_replayed(void **state)
{
	struct certfetch_stats st0, st1;
	struct result r;
	struct buf h;
	struct sip_msg *m;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	ident_fetch_stats(fx.ic, &st0);
	buf_init(&h, 0);
	identity(&h, &fx.leaf, "/leaf.pem", NULL, now, NULL);
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_VERIFIED);
	assert_string_equal(r.v.method, "stir");
	assert_int_equal(r.v.attest, 'A');
	assert_string_equal(r.v.orig, "12155550121");
	assert_non_null(strstr(r.v.signer, "CN=SHAKEN Test Signer"));
	assert_string_equal(r.v.display, "Alice");
	assert_int_equal(r.v.code, 0);
	ident_fetch_stats(fx.ic, &st1);
	assert_int_equal(st1.fetches, st0.fetches + 1);

	/* The very same request again: the certificate comes from the
	 * cache, and the signature is a replay. */
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 438);
	assert_non_null(strstr(r.v.reason, "replayed"));
	ident_fetch_stats(fx.ic, &st0);
	assert_int_equal(st0.fetches, st1.fetches);
	assert_int_equal(st0.cache_hits, st1.cache_hits + 1);
	sip_msg_free(m);

	/* A new signature (ECDSA is randomized) for the same call: fine. */
	buf_reset(&h);
	identity(&h, &fx.leaf, "/leaf.pem", NULL, now, NULL);
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_VERIFIED);
	sip_msg_free(m);
	buf_free(&h);
}

static void test_certificate_failures(void **state)
{
	static const struct {
		const char *path;
		const char *x5u;
		const char *orig;
		uint16_t code;
		const char *words;
	} v[] = {
		{"/stranger.pem", NULL, NULL, 437, "trust anchor"},
		{"/expired.pem", NULL, NULL, 437, "expired"},
		{"/leaf.pem", NULL, "12155550199", 438, "From"},      /* orig != From */
		{"/leaf.pem", "/other.pem", NULL, 438, "x5u"},
		{"/missing.pem", NULL, NULL, 436, "404"},
		{"/big.pem", NULL, NULL, 436, "larger"},
		{"/to-http.pem", NULL, NULL, 436, "not https"},   /* 302 to http: */
	};
	struct result r;
	struct buf h;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	buf_init(&h, 0);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct sip_msg *m;

		buf_reset(&h);
		identity(&h, &fx.leaf, v[i].path, v[i].x5u, now, v[i].orig);
		m = mkreq(NULL, h.data, now);
		check(m, &r);
		assert_int_equal(r.v.kind, IDENT_FAILED);
		assert_int_equal(r.v.code, v[i].code);
		assert_non_null(strstr(r.v.reason, v[i].words));
		sip_msg_free(m);
	}
	/* A redirect to another https: URL is followed. */
	{
		struct sip_msg *m;

		buf_reset(&h);
		identity(&h, &fx.leaf, "/to-https.pem", NULL, now, NULL);
		m = mkreq(NULL, h.data, now);
		check(m, &r);
		assert_int_equal(r.v.kind, IDENT_VERIFIED);
		sip_msg_free(m);
	}
	/* The leaf signed by our CA, but the token signed by another key. */
	{
		struct sip_msg *m;

		buf_reset(&h);
		identity(&h, &fx.oleaf, "/leaf.pem", NULL, now, NULL);
		m = mkreq(NULL, h.data, now);
		check(m, &r);
		assert_int_equal(r.v.kind, IDENT_FAILED);
		assert_int_equal(r.v.code, 438);
		assert_non_null(strstr(r.v.reason, "signature"));
		sip_msg_free(m);
	}
	buf_free(&h);
}

static void test_stale_and_future(void **state)
{
	struct result r;
	struct buf h;
	struct sip_msg *m;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	buf_init(&h, 0);
	identity(&h, &fx.leaf, "/leaf.pem", NULL, now - 120, NULL);
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 403);
	sip_msg_free(m);
	/* The injected clock moves "now" instead of the token. */
	buf_reset(&h);
	identity(&h, &fx.leaf, "/leaf.pem", NULL, now, NULL);
	m = mkreq(NULL, h.data, now);
	fx.fixed = true;
	fx.now = now - 61;
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 403);
	assert_non_null(strstr(r.v.reason, "future"));
	fx.now = now + 59;
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_VERIFIED);
	fx.fixed = false;
	sip_msg_free(m);
	buf_free(&h);
}

static void test_not_https(void **state)
{
	struct certfetch_stats st0, st1;
	struct result r;
	struct sip_msg *m;
	struct buf h;
	int acc = atomic_load(&srv.accepted);
	int64_t now = (int64_t)time(NULL);
	char hv[256];

	(void)state;
	/* Signed with x5u == info == an http: URL of the live server. */
	buf_init(&h, 0);
	{
		char x[128], hdr[256], pay[256];

		snprintf(x, sizeof(x), "http://127.0.0.1:%u/leaf.pem", srv.port);
		snprintf(hdr, sizeof(hdr),
			 "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"%s\"}", x);
		snprintf(pay, sizeof(pay),
			 "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155550131\"]},\"iat\":%lld,"
			 "\"orig\":{\"tn\":\"12155550121\"}}", (long long)now);
		(void)buf_puts(&h, "Identity: ");
		stirca_passport(&h, &fx.leaf, hdr, pay);
		snprintf(hv, sizeof(hv), ";info=<%s>;ppt=shaken\r\n", x);
		(void)buf_puts(&h, hv);
	}
	ident_fetch_stats(fx.ic, &st0);
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 436);
	assert_non_null(strstr(r.v.reason, "https"));
	ident_fetch_stats(fx.ic, &st1);
	assert_int_equal(st1.fetches, st0.fetches);
	usleep(100000);
	assert_int_equal(atomic_load(&srv.accepted), acc);  /* no connection */
	sip_msg_free(m);
	buf_free(&h);
}

static void test_server_down_and_slow(void **state)
{
	struct result r;
	struct sip_msg *m;
	struct buf h;
	struct tmr t;
	int64_t now = (int64_t)time(NULL);
	uint64_t ms;
	uint16_t saved = srv.port;
	int fd;

	(void)state;
	/* Down: a port nobody listens on. */
	srv.port = free_port(&fd);
	close(fd);
	buf_init(&h, 0);
	identity(&h, &fx.leaf, "/leaf.pem", NULL, now, NULL);
	srv.port = saved;
	m = mkreq(NULL, h.data, now);
	ms = check(m, &r);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 436);
	assert_true(ms < 700 + 300);
	printf("# down server: verdict after %llu ms\n", (unsigned long long)ms);
	sip_msg_free(m);

	/* Slow: the server holds the answer for 3 s; the fetch gives up at
	 * 700 ms while the loop keeps turning (a 50 ms timer ticks). */
	buf_reset(&h);
	identity(&h, &fx.leaf, "/slow.pem", NULL, now, NULL);
	m = mkreq(NULL, h.data, now);
	tmr_init(&t);
	ticks = 0;
	tmr_start(fx.loop, &t, 50, tick_h, &t);
	ms = check(m, &r);
	tmr_cancel(&t);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 436);
	assert_non_null(strstr(r.v.reason, "timed out"));
	assert_true(ms >= 650 && ms < 2500);
	assert_true(ticks >= 8);
	printf("# slow server: verdict after %llu ms, %u timer ticks meanwhile\n",
	       (unsigned long long)ms, ticks);
	sip_msg_free(m);
	buf_free(&h);
}

static void test_multiple_and_ignored(void **state)
{
	struct certfetch_stats st0, st1;
	struct result r;
	struct sip_msg *m;
	struct buf h;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	/* One bad (untrusted signer), one good: verified. */
	buf_init(&h, 0);
	identity(&h, &fx.oleaf, "/stranger.pem", NULL, now, NULL);
	identity(&h, &fx.leaf, "/leaf.pem", NULL, now, NULL);
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_VERIFIED);
	sip_msg_free(m);
	/* Two bad: failed, with the first one's reason. */
	buf_reset(&h);
	identity(&h, &fx.oleaf, "/stranger.pem", NULL, now, NULL);
	identity(&h, &fx.leaf, "/expired.pem", NULL, now, NULL);
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 437);
	sip_msg_free(m);
	/* Two headers on one new URL: one transfer, the second joins it. */
	buf_reset(&h);
	identity(&h, &fx.leaf, "/leaf.pem?x=1", NULL, now, NULL);
	identity(&h, &fx.leaf, "/leaf.pem?x=1", NULL, now, NULL);
	ident_fetch_stats(fx.ic, &st0);
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_VERIFIED);
	ident_fetch_stats(fx.ic, &st1);
	assert_int_equal(st1.fetches, st0.fetches + 1);
	assert_int_equal(st1.joined, st0.joined + 1);
	sip_msg_free(m);
	/* Only an unknown ppt: ignored, so unverified. */
	buf_reset(&h);
	(void)buf_puts(&h, "Identity: e30.e30.AAAA;info=<https://x.example/c.pem>;ppt=div\r\n");
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_UNVERIFIED);
	assert_string_equal(r.v.from, "sip:+12155550121@example.net;user=phone");
	sip_msg_free(m);
	/* Garbage: failed 438 without any fetch. */
	buf_reset(&h);
	(void)buf_puts(&h, "Identity: !!!;info=<https://x.example/c.pem>\r\n");
	ident_fetch_stats(fx.ic, &st0);
	m = mkreq(NULL, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 438);
	ident_fetch_stats(fx.ic, &st1);
	assert_int_equal(st1.fetches, st0.fetches);
	sip_msg_free(m);
	buf_free(&h);
}

static void test_pai(void **state)
{
	static const char pai[] =
		"P-Asserted-Identity: <sip:+12155550121@proxy.example.net;user=phone;verstat=TN-Validation-Passed>\r\n";
	struct result r;
	struct sip_msg *m;
	int64_t now = (int64_t)time(NULL);
	char note[160];

	(void)state;
	m = mkreq(NULL, pai, now);
	check_tp(m, SIP_TP_UDP, NULL, "proxy.example.net", &r);
	assert_int_equal(r.v.kind, IDENT_UNVERIFIED);
	assert_non_null(strstr(r.v.pai_note, "not over TLS"));
	assert_string_equal(r.v.pai, "");
	assert_string_equal(r.v.verstat, "");
	check_tp(m, SIP_TP_TLS, "evil.example.org", "proxy.example.net", &r);
	assert_int_equal(r.v.kind, IDENT_UNVERIFIED);
	assert_non_null(strstr(r.v.pai_note, "not a trusted host"));
	check_tp(m, SIP_TP_TLS, NULL, "proxy.example.net", &r);
	assert_int_equal(r.v.kind, IDENT_UNVERIFIED);
	check_tp(m, -1, NULL, "proxy.example.net", &r);
	assert_int_equal(r.v.kind, IDENT_UNVERIFIED);
	assert_true(r.v.pai_note[0] != '\0');
	check_tp(m, SIP_TP_TLS, "Proxy.Example.NET", "other.example, proxy.example.net", &r);
	assert_int_equal(r.v.kind, IDENT_ASSERTED);
	assert_string_equal(r.v.method, "pai");
	assert_string_equal(r.v.verstat, "TN-Validation-Passed");
	assert_non_null(strstr(r.v.pai, "+12155550121@proxy.example.net"));
	assert_string_equal(r.v.pai_note, "");
	sip_msg_free(m);
	/* A verified STIR token wins over a trusted PAI. */
	{
		struct buf h;

		buf_init(&h, 0);
		identity(&h, &fx.leaf, "/leaf.pem", NULL, now, NULL);
		(void)buf_puts(&h, pai);
		m = mkreq(NULL, h.data, now);
		check_tp(m, SIP_TP_TLS, "proxy.example.net", "proxy.example.net", &r);
		assert_int_equal(r.v.kind, IDENT_VERIFIED);
		assert_string_equal(r.v.verstat, "TN-Validation-Passed");
		sip_msg_free(m);
		buf_free(&h);
	}
	/* verstat in From counts only from a trusted host. */
	m = mkreq("sip:+12155550121@example.net;user=phone;verstat=TN-Validation-Failed",
		  "P-Asserted-Identity: <sip:+12155550121@proxy.example.net;user=phone>\r\n", now);
	check_tp(m, SIP_TP_TLS, "proxy.example.net", "proxy.example.net", &r);
	assert_string_equal(r.v.verstat, "TN-Validation-Failed");
	check_tp(m, SIP_TP_UDP, NULL, "proxy.example.net", &r);
	assert_string_equal(r.v.verstat, "");
	sip_msg_free(m);
	/* The decision alone. */
	assert_false(ident_pai_trusted(SIP_TP_TCP, "proxy.example.net", "127.0.0.1",
				       "proxy.example.net", note, sizeof(note)));
	assert_non_null(strstr(note, "not over TLS"));
	assert_false(ident_pai_trusted(SIP_TP_TLS, "proxy.example.net.evil", "127.0.0.1",
				       "proxy.example.net", note, sizeof(note)));
	assert_non_null(strstr(note, "127.0.0.1"));
	assert_false(ident_pai_trusted(SIP_TP_TLS, "proxy.example.net", "127.0.0.1", "",
				       note, sizeof(note)));
	assert_true(ident_pai_trusted(SIP_TP_TLS, "proxy.example.net", "127.0.0.1",
				      "a.example,proxy.example.net", note, sizeof(note)));
}

static void test_rfc4474(void **state)
{
	struct result r;
	struct sip_msg *m;
	struct buf h, ds;
	int64_t now = (int64_t)time(NULL);
	char u[128];
	const char *from = "sip:alice@atlanta.example.com";

	(void)state;
	buf_init(&h, 0);
	buf_init(&ds, 0);
	/* Sign the digest-string of the request as it will be sent. */
	m = mkreq(from, NULL, now);
	assert_int_equal(stir_4474_digest_string(&ds, m), 0);
	sip_msg_free(m);
	(void)buf_puts(&h, "Identity: \"");
	stirca_rsa_sha1(&h, &fx.rsa, ds.data, ds.len);
	url(u, sizeof(u), "/rsa.pem");
	(void)buf_printf(&h, "\"\r\nIdentity-Info: <%s>;alg=rsa-sha1\r\n", u);
	m = mkreq(from, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_VERIFIED);
	assert_string_equal(r.v.method, "rfc4474");
	assert_non_null(strstr(r.v.signer, "atlanta.example.com"));
	sip_msg_free(m);
	/* A different Date: the signature no longer matches. */
	m = mkreq(from, h.data, now - 5);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 438);
	sip_msg_free(m);
	/* Certificate not to be had over https: unsupported, no fetch. */
	buf_reset(&h);
	(void)buf_puts(&h, "Identity: \"");
	stirca_rsa_sha1(&h, &fx.rsa, ds.data, ds.len);
	(void)buf_puts(&h, "\"\r\nIdentity-Info: <http://atlanta.example.com/cert>;alg=rsa-sha1\r\n");
	m = mkreq(from, h.data, now);
	check(m, &r);
	assert_int_equal(r.v.kind, IDENT_UNSUPPORTED);
	assert_string_equal(r.v.method, "rfc4474");
	assert_true(r.v.reason[0] != '\0');
	sip_msg_free(m);
	buf_free(&h);
	buf_free(&ds);
}

static void test_require_and_cancel(void **state)
{
	struct ident_ctx *ic;
	struct conf *conf;
	struct ident_req *req;
	struct result r;
	struct sip_msg *m;
	struct buf h;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	assert_int_equal(conf_load_string(&conf, "t2", "[identity]\nrequire_identity = yes\n"
					  "reject_invalid_identity = yes\n"), 0);
	assert_int_equal(ident_alloc(&ic, fx.loop, conf), 0);
	assert_true(ident_reject_invalid(ic));
	assert_false(ident_reject_invalid(fx.ic));
	m = mkreq(NULL, NULL, now);
	memset(&r, 0, sizeof(r));
	assert_int_equal(ident_check(ic, &req, m, NULL, NULL, done_h, &r), 0);
	for (int i = 0; i < 20 && !r.calls; i++)
		(void)loop_once(fx.loop, 10);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 428);
	ident_free(ic);
	conf_free(conf);
	/* No trust anchors configured: a good token fails, 437. */
	buf_init(&h, 0);
	identity(&h, &fx.leaf, "/leaf.pem?no-anchors", NULL, now, NULL);
	sip_msg_free(m);
	m = mkreq(NULL, h.data, now);
	{
		char cfg[256];

		snprintf(cfg, sizeof(cfg), "[identity]\nfetch_ca_file = %s/https-ca.pem\n", fx.dir);
		assert_int_equal(conf_load_string(&conf, "t3", cfg), 0);
	}
	assert_int_equal(ident_alloc(&ic, fx.loop, conf), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(ident_check(ic, &req, m, NULL, NULL, done_h, &r), 0);
	for (int i = 0; i < 200 && !r.calls; i++)
		(void)loop_once(fx.loop, 10);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 437);
	assert_non_null(strstr(r.v.reason, "trust anchors"));
	ident_free(ic);
	conf_free(conf);
	/* fetch_ca_file unset: the system store does not know the test
	 * server, so the certificate cannot be had: 436. */
	assert_int_equal(conf_load_string(&conf, "t4", "[identity]\nfetch_timeout_ms = 700\n"), 0);
	assert_int_equal(ident_alloc(&ic, fx.loop, conf), 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(ident_check(ic, &req, m, NULL, NULL, done_h, &r), 0);
	for (int i = 0; i < 200 && !r.calls; i++)
		(void)loop_once(fx.loop, 10);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.v.kind, IDENT_FAILED);
	assert_int_equal(r.v.code, 436);
	printf("# system store: %s\n", r.v.reason);
	/* Cancelled: the handler never runs, nothing leaks. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(ident_check(fx.ic, &req, m, NULL, NULL, done_h, &r), 0);
	ident_cancel(req);
	for (int i = 0; i < 50; i++)
		(void)loop_once(fx.loop, 10);
	assert_int_equal(r.calls, 0);
	/* Freed with a check in flight: no handler either. */
	assert_int_equal(ident_check(ic, &req, m, NULL, NULL, done_h, &r), 0);
	ident_free(ic);
	for (int i = 0; i < 10; i++)
		(void)loop_once(fx.loop, 10);
	assert_int_equal(r.calls, 0);
	sip_msg_free(m);
	buf_free(&h);
	conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verified_cached_replayed),
		cmocka_unit_test(test_certificate_failures),
		cmocka_unit_test(test_stale_and_future),
		cmocka_unit_test(test_not_https),
		cmocka_unit_test(test_server_down_and_slow),
		cmocka_unit_test(test_multiple_and_ignored),
		cmocka_unit_test(test_pai),
		cmocka_unit_test(test_rfc4474),
		cmocka_unit_test(test_require_and_cancel),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
