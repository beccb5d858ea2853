/* test_auth.c - the digest client: challenge choice, credentials, nc, stale, refusal, rspauth, trace masking. */
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

#include "core/buf.h"
#include "sip/digest.h"
#include "sip/msg.h"
#include "ua/auth.h"
#include "ua/secagree.h"
#include "ua/trace.h"

#define NONCE "dcd98b7102dd2f0e8b11d0f600bfb0c093"

static struct sip_msg *parse(const char *text)
{
	struct sip_msg *m = NULL;

	assert_int_equal(sip_msg_decode(&m, text, strlen(text), 0, NULL), 0);
	return m;
}

/* A response to REGISTER with the given challenge header lines. */
static struct sip_msg *challenge(unsigned code, const char *lines)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "SIP/2.0 %u Challenge\r\n"
		 "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKabc\r\n"
		 "From: <sip:bob@biloxi.com>;tag=1\r\n"
		 "To: <sip:bob@biloxi.com>;tag=2\r\n"
		 "Call-ID: c1\r\nCSeq: 1 REGISTER\r\n%s"
		 "Content-Length: 0\r\n\r\n", code, lines);
	return parse(text);
}

static struct sip_msg *request(void)
{
	struct sip_msg *m = NULL;

	assert_int_equal(sip_msg_request_alloc(&m, "REGISTER",
					       "sip:biloxi.com"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_CSEQ, "2 REGISTER"), 0);
	return m;
}

static struct sip_msg *keep;   /* the last parsed copy, see creds() */

static void creds_free(void)
{
	sip_msg_free(keep);
	keep = NULL;
}

/* The auth-params of the first header with this id, through the parser. */
static const struct sip_auth *creds(struct sip_msg *req, enum sip_hdr_id id)
{
	const struct sip_auths *l;
	struct buf b;
	struct sip_msg *again;

	/* Printed and parsed again: what the wire carries. */
	buf_init(&b, 0);
	assert_int_equal(sip_msg_print(&b, req), 0);
	sip_msg_free(keep);
	keep = NULL;
	assert_int_equal(sip_msg_decode(&again, b.data, b.len, 0, NULL), 0);
	buf_free(&b);
	keep = again;
	assert_int_equal(sip_msg_auths(again, id, &l), 0);
	assert_int_equal(l->n, 1);
	return &l->v[0];
}

static void param_eq(const struct sip_auth *a, const char *name,
		     const char *want)
{
	struct pl v;

	assert_int_equal(sip_auth_param(a, name, &v), 0);
	assert_int_equal(v.l, strlen(want));
	assert_memory_equal(v.p, want, v.l);
}

/* Recomputes the response from what was sent and the password. */
static void response_ok(const struct sip_auth *a, const char *pw,
			enum digest_alg alg, const char *user)
{
	struct digest_params p = {0};
	struct pl v, resp;
	char hex[DIGEST_HEX_SIZE];
	uint32_t nc = 0;

	p.alg = alg;
	pl_set_str(&p.user, user);
	pl_set_str(&p.password, pw);
	assert_int_equal(sip_auth_param(a, "realm", &p.realm), 0);
	assert_int_equal(sip_auth_param(a, "nonce", &p.nonce), 0);
	assert_int_equal(sip_auth_param(a, "uri", &p.uri), 0);
	if (!sip_auth_param(a, "qop", &v)) {
		p.qop = DIGEST_QOP_AUTH;
		assert_int_equal(sip_auth_param(a, "cnonce", &p.cnonce), 0);
		assert_int_equal(sip_auth_param(a, "nc", &v), 0);
		nc = (uint32_t)strtoul(v.p, NULL, 16);
		p.nc = nc;
	}
	p.method = PL("REGISTER");
	assert_int_equal(digest_response(hex, sizeof(hex), &p), 0);
	assert_int_equal(sip_auth_param(a, "response", &resp), 0);
	assert_int_equal(resp.l, strlen(hex));
	assert_memory_equal(resp.p, hex, resp.l);
}

static void test_md5_qop(void **state)
{
	struct auth *a;
	struct sip_msg *r, *req;
	const struct sip_auth *c;
	struct pl cn1, cn2;
	char first[64];

	(void)state;
	assert_int_equal(auth_alloc(&a, "bob", "zanzibar"), 0);
	r = challenge(401, "WWW-Authenticate: Digest realm=\"biloxi.com\", "
		      "nonce=\"" NONCE "\", qop=\"auth,auth-int\", "
		      "opaque=\"op1\"\r\n");
	assert_int_equal(auth_challenge(a, r, NULL), 0);
	assert_int_equal(auth_nrealms(a), 1);
	assert_string_equal(auth_realm_alg(a, 0), "MD5");
	req = request();
	assert_int_equal(auth_authorize(a, req), 0);
	c = creds(req, SIP_HDR_AUTHORIZATION);
	param_eq(c, "username", "bob");
	param_eq(c, "realm", "biloxi.com");
	param_eq(c, "uri", "sip:biloxi.com");
	param_eq(c, "nc", "00000001");
	param_eq(c, "qop", "auth");
	param_eq(c, "opaque", "op1");
	response_ok(c, "zanzibar", DIGEST_ALG_MD5, "bob");
	assert_int_equal(sip_auth_param(c, "cnonce", &cn1), 0);
	snprintf(first, sizeof(first), "%.*s", PL_FMT(&cn1));
	sip_msg_free(req);

	/* The same nonce again: nc counts, a fresh cnonce. */
	req = request();
	assert_int_equal(auth_authorize(a, req), 0);
	c = creds(req, SIP_HDR_AUTHORIZATION);
	param_eq(c, "nc", "00000002");
	assert_int_equal(sip_auth_param(c, "cnonce", &cn2), 0);
	assert_false(pl_eq_str(&cn2, first));
	response_ok(c, "zanzibar", DIGEST_ALG_MD5, "bob");
	sip_msg_free(req);
	sip_msg_free(r);
	creds_free();
	auth_free(a);
}

static void test_strongest(void **state)
{
	struct auth *a;
	struct sip_msg *r, *req;
	const struct sip_auth *c;

	(void)state;
	assert_int_equal(auth_alloc(&a, "bob", "zanzibar"), 0);
	/* Unknown algorithm ignored, MD5 then SHA-256 then SHA-512-256 then
	 * a second SHA-512-256: the topmost strongest wins. */
	r = challenge(401,
		"WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n0\", algorithm=SHA3-999\r\n"
		"WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n1\", algorithm=MD5\r\n"
		"WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"\r\n"
		"WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n3\", algorithm=SHA-512-256, qop=\"auth\"\r\n"
		"WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n4\", algorithm=SHA-512-256, qop=\"auth\"\r\n");
	assert_int_equal(auth_challenge(a, r, NULL), 0);
	assert_int_equal(auth_nrealms(a), 1);
	assert_string_equal(auth_realm_alg(a, 0), "SHA-512-256");
	req = request();
	assert_int_equal(auth_authorize(a, req), 0);
	c = creds(req, SIP_HDR_AUTHORIZATION);
	param_eq(c, "nonce", "n3");
	param_eq(c, "algorithm", "SHA-512-256");
	response_ok(c, "zanzibar", DIGEST_ALG_SHA512_256, "bob");
	sip_msg_free(req);
	sip_msg_free(r);
	creds_free();
	auth_free(a);
}

static void test_unusable(void **state)
{
	struct auth *a;
	struct sip_msg *r;
	const char *why = NULL;

	(void)state;
	assert_int_equal(auth_alloc(&a, "bob", "zanzibar"), 0);
	r = challenge(401, "WWW-Authenticate: Digest realm=\"x\", nonce=\"n\", algorithm=SHA3-999\r\n"
		      "WWW-Authenticate: Basic realm=\"x\"\r\n"
		      "WWW-Authenticate: Digest realm=\"y\", nonce=\"n\", qop=\"weird\"\r\n");
	assert_int_equal(auth_challenge(a, r, &why), ENOTSUP);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
	assert_int_equal(auth_nrealms(a), 0);
	sip_msg_free(r);
	r = challenge(401, "");
	assert_int_equal(auth_challenge(a, r, NULL), EBADMSG);
	sip_msg_free(r);
	auth_free(a);
}

static void test_refusal_and_stale(void **state)
{
	struct auth *a;
	struct sip_msg *r, *req;
	const struct sip_auth *c;

	(void)state;
	assert_int_equal(auth_alloc(&a, "bob", "wrong"), 0);
	r = challenge(401, "WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n1\"\r\n");
	assert_int_equal(auth_challenge(a, r, NULL), 0);
	req = request();
	assert_int_equal(auth_authorize(a, req), 0);
	sip_msg_free(req);
	sip_msg_free(r);

	/* stale=true: retried silently with the new nonce, nc from 1. */
	r = challenge(401, "WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n2\", stale=true, qop=\"auth\"\r\n");
	assert_int_equal(auth_challenge(a, r, NULL), 0);
	sip_msg_free(r);
	req = request();
	assert_int_equal(auth_authorize(a, req), 0);
	c = creds(req, SIP_HDR_AUTHORIZATION);
	param_eq(c, "nonce", "n2");
	param_eq(c, "nc", "00000001");
	sip_msg_free(req);

	/* The same credentials challenged again, not stale: refused. */
	r = challenge(401, "WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n3\"\r\n");
	assert_int_equal(auth_challenge(a, r, NULL), EACCES);
	sip_msg_free(r);

	/* After a success a new challenge is a new one (nonce expired). */
	auth_accepted(a);
	r = challenge(401, "WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n4\"\r\n");
	assert_int_equal(auth_challenge(a, r, NULL), 0);
	sip_msg_free(r);

	/* Stale forever is bounded. */
	for (int i = 0; i <= AUTH_MAX_STALE; i++) {
		req = request();
		assert_int_equal(auth_authorize(a, req), 0);
		sip_msg_free(req);
		r = challenge(401, "WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n5\", stale=true\r\n");
		assert_int_equal(auth_challenge(a, r, NULL),
				 i < AUTH_MAX_STALE ? 0 : EACCES);
		sip_msg_free(r);
	}
	creds_free();
	auth_free(a);
}

static void test_proxy_and_userhash(void **state)
{
	struct auth *a;
	struct sip_msg *r, *req;
	const struct sip_auth *c;
	char uh[DIGEST_HEX_SIZE];
	struct pl user = PL("bob"), realm = PL("proxy.biloxi.com");

	(void)state;
	assert_int_equal(auth_alloc(&a, "bob", "zanzibar"), 0);
	r = challenge(407, "Proxy-Authenticate: Digest realm=\"proxy.biloxi.com\", nonce=\"p1\", algorithm=SHA-256, qop=\"auth\", userhash=true\r\n");
	assert_int_equal(auth_challenge(a, r, NULL), 0);
	req = request();
	assert_int_equal(auth_authorize(a, req), 0);
	assert_int_equal(sip_msg_hdr_num(req, SIP_HDR_AUTHORIZATION), 0);
	c = creds(req, SIP_HDR_PROXY_AUTHORIZATION);
	assert_int_equal(digest_userhash(uh, sizeof(uh), DIGEST_ALG_SHA256,
					 &user, &realm), 0);
	param_eq(c, "username", uh);
	param_eq(c, "userhash", "true");
	response_ok(c, "zanzibar", DIGEST_ALG_SHA256, "bob");
	sip_msg_free(req);
	sip_msg_free(r);
	creds_free();
	auth_free(a);
}

static void test_rspauth(void **state)
{
	struct auth *a;
	struct sip_msg *r, *req, *ok;
	const struct sip_auth *c;
	struct digest_params p = {0};
	char hex[DIGEST_HEX_SIZE], lines[512];
	struct pl v;
	int present = 0;

	(void)state;
	assert_int_equal(auth_alloc(&a, "bob", "zanzibar"), 0);
	r = challenge(401, "WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"" NONCE "\", qop=\"auth\"\r\n");
	assert_int_equal(auth_challenge(a, r, NULL), 0);
	req = request();
	assert_int_equal(auth_authorize(a, req), 0);
	c = creds(req, SIP_HDR_AUTHORIZATION);
	p.alg = DIGEST_ALG_MD5;
	p.user = PL("bob");
	p.realm = PL("biloxi.com");
	p.password = PL("zanzibar");
	p.nonce = PL(NONCE);
	p.qop = DIGEST_QOP_AUTH;
	p.nc = 1;
	p.uri = PL("sip:biloxi.com");
	assert_int_equal(sip_auth_param(c, "cnonce", &v), 0);
	p.cnonce = v;
	assert_int_equal(digest_rspauth(hex, sizeof(hex), &p), 0);

	snprintf(lines, sizeof(lines), "Authentication-Info: rspauth=\"%s\", "
		 "qop=auth, nc=00000001\r\n", hex);
	ok = challenge(200, lines);
	assert_int_equal(auth_verify_info(a, ok, &present), 0);
	assert_int_equal(present, 1);
	sip_msg_free(ok);

	hex[0] = hex[0] == '0' ? '1' : '0';
	snprintf(lines, sizeof(lines), "Authentication-Info: rspauth=\"%s\"\r\n", hex);
	ok = challenge(200, lines);
	assert_int_equal(auth_verify_info(a, ok, &present), EACCES);
	sip_msg_free(ok);

	ok = challenge(200, "");
	assert_int_equal(auth_verify_info(a, ok, &present), 0);
	assert_int_equal(present, 0);
	sip_msg_free(ok);
	sip_msg_free(req);
	sip_msg_free(r);
	creds_free();
	auth_free(a);
}

/* The trace shows the message, never the secret or replayable values. */
static void test_trace_mask(void **state)
{
	static const char msg[] =
		"REGISTER sip:biloxi.com SIP/2.0\r\n"
		"Authorization: Digest username=\"bob\", realm=\"biloxi.com\",\r\n"
		" nonce=\"SECRETNONCE\", uri=\"sip:biloxi.com\",\r\n"
		"   response=\"SECRETRESPONSE\", cnonce=\"SECRETCNONCE\", nc=00000001\r\n"
		"proxy-authorization : Digest username=\"bob\", response=SECRETTOKEN\r\n"
		"Authentication-Info: rspauth=\"SECRETRSPAUTH\", nextnonce=\"SECRETNEXT\"\r\n"
		"Security-Verify: digest;d-ver=\"SECRETDVER\";q=0.1\r\n"
		"Subject: response=\"visible\"\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: 60\r\n"
		"\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:SECRETKEY|2^20\r\n";
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(trace_mask(&b, msg, sizeof(msg) - 1), 0);
	assert_null(strstr(b.data, "SECRET"));
	assert_non_null(strstr(b.data, "username=\"bob\""));
	assert_non_null(strstr(b.data, "response=\"" TRACE_MASK "\""));
	assert_non_null(strstr(b.data, "response=" TRACE_MASK));
	assert_non_null(strstr(b.data, "nc=00000001"));
	assert_non_null(strstr(b.data, "Subject: response=\"visible\""));
	assert_non_null(strstr(b.data, "inline:" TRACE_MASK "\r\n"));
	buf_free(&b);
}

/* RFC 3329: Security-Client first, then Security-Verify mirroring the
 * 494's list in order, and a changed list afterwards is a bid-down. */
static void test_secagree(void **state)
{
	struct secagree *s;
	struct auth *a;
	struct sip_msg *req, *r;
	const struct sip_hdr *h;
	const char *why;
	size_t i = 0;

	(void)state;
	assert_int_equal(secagree_alloc(&s), 0);
	assert_int_equal(auth_alloc(&a, "bob", "zanzibar"), 0);
	req = request();
	assert_int_equal(secagree_decorate(s, req, a), 0);
	h = sip_msg_hdr_next(req, SIP_HDR_SECURITY_CLIENT, &i);
	assert_non_null(h);
	assert_true(pl_eq_str(&h->val, "tls, digest"));
	assert_int_equal(sip_msg_hdr_num(req, SIP_HDR_REQUIRE), 1);
	assert_int_equal(sip_msg_hdr_num(req, SIP_HDR_PROXY_REQUIRE), 1);
	sip_msg_free(req);

	r = challenge(494, "Security-Server: tls;q=0.2\r\n"
		      "Security-Server: digest;q=0.1;d-alg=md5\r\n"
		      "WWW-Authenticate: Digest realm=\"biloxi.com\", nonce=\"n1\", qop=\"auth\"\r\n");
	assert_int_equal(secagree_on_494(s, r, &why), 0);
	assert_int_equal(secagree_mech(s), SECAGREE_TLS);
	assert_int_equal(auth_challenge(a, r, NULL), 0);
	sip_msg_free(r);

	req = request();
	assert_int_equal(auth_authorize(a, req), 0);
	assert_int_equal(secagree_decorate(s, req, a), 0);
	i = 0;
	h = sip_msg_hdr_next(req, SIP_HDR_SECURITY_VERIFY, &i);
	assert_non_null(h);
	assert_true(pl_eq_str(&h->val, "tls;q=0.2, digest;q=0.1;d-alg=md5"));
	assert_int_equal(sip_msg_hdr_num(req, SIP_HDR_SECURITY_CLIENT), 0);
	sip_msg_free(req);

	r = challenge(200, "Security-Server: tls;q=0.2, digest;q=0.1;d-alg=md5\r\n");
	assert_int_equal(secagree_check(s, r, &why), 0);
	sip_msg_free(r);
	r = challenge(200, "Security-Server: digest;q=0.1;d-alg=md5\r\n");
	assert_int_equal(secagree_check(s, r, &why), EACCES);
	assert_true(strlen(why) > 0);
	sip_msg_free(r);
	/* A 494 answering our Security-Verify: the lists differed. */
	r = challenge(494, "Security-Server: digest;q=0.1\r\n");
	assert_int_equal(secagree_on_494(s, r, &why), EACCES);
	sip_msg_free(r);
	secagree_free(s);

	/* Equal preferences, or nothing we know, abort the agreement. */
	assert_int_equal(secagree_alloc(&s), 0);
	r = challenge(494, "Security-Server: tls;q=0.1, digest;q=0.1\r\n");
	assert_int_equal(secagree_on_494(s, r, &why), EPROTO);
	sip_msg_free(r);
	r = challenge(494, "Security-Server: ipsec-ike;q=0.1\r\n");
	assert_int_equal(secagree_on_494(s, r, &why), EPROTO);
	sip_msg_free(r);
	secagree_free(s);
	auth_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md5_qop),
		cmocka_unit_test(test_strongest),
		cmocka_unit_test(test_unusable),
		cmocka_unit_test(test_refusal_and_stale),
		cmocka_unit_test(test_proxy_and_userhash),
		cmocka_unit_test(test_rspauth),
		cmocka_unit_test(test_trace_mask),
		cmocka_unit_test(test_secagree),
	};

	return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
