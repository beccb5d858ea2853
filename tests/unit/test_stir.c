/* test_stir.c - STIR verification: RFC 8225 vectors, claims against From/To, compact form, certificates, DER. */
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
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "sip/msg.h"
#include "sip/msg_int.h"
#include "stirca.h"
#include "ua/stir.h"

#define V_HDR "eyJhbGciOiJFUzI1NiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cHM6Ly9jZXJ0LmV4YW1wbGUub3JnL3Bhc3Nwb3J0LmNlciJ9"
#define V1_PAY "eyJkZXN0Ijp7InVyaSI6WyJzaXA6YWxpY2VAZXhhbXBsZS5jb20iXX0sImlhdCI6MTQ3MTM3NTQxOCwib3JpZyI6eyJ0biI6IjEyMTU1NTUxMjEyIn19"
#define V1_SIG "VLBCIVDCaeK6M4hLJb6SHQvacAQVvoiiEOWQ_iUkqk79UD81fHQ0E1b3_GluIkba7UWYRM47ZbNFdOJquE35cw"
#define V2_PAY "eyJkZXN0Ijp7InVyaSI6WyJzaXA6YWxpY2VAZXhhbXBsZS5jb20iXX0sImlhdCI6IjE0NDMyMDgzNDUiLCJvcmlnIjp7InRuIjoiMTIxNTU1NTEyMTIifX0"
#define V2_SIG "rq3pjT1hoRwakEGjHCnWSwUnshd0-zJ6F1VOgFWSjHBr8Qjpjlk-cpFYpFYsojNCpTzO3QfPOlckGaS6hEck7w"
#define A2_KEY "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8HNbQd/TmvCKwPKHkMF9fScavGeH78YTU8qLS8I5HLHSSmlATLcslQMhNC/OhlWBYC626nIlo7XeebYS7Sb37g=="
#define V_INFO "https://cert.example.org/passport.cer"
#define V2_IAT 1443208345
#define V1_IAT 1471375418

static gnutls_pubkey_t a2_key(void)
{
	gnutls_pubkey_t pk;
	uint8_t der[128];
	size_t n;
	gnutls_datum_t d;

	assert_int_equal(stir_b64_decode(der, sizeof(der), &n, A2_KEY, strlen(A2_KEY)), 0);
	d.data = der;
	d.size = (unsigned)n;
	assert_int_equal(gnutls_pubkey_init(&pk), 0);
	assert_int_equal(gnutls_pubkey_import(pk, &d, GNUTLS_X509_FMT_DER), 0);
	return pk;
}

static void sip_v(struct stir_sip *s)
{
	struct stir_fail f;

	assert_int_equal(stir_sip_set(s, "sip:+12155551212@example.com;user=phone",
				      "sip:alice@example.com", -1, &f), 0);
}

static void test_vector2_verifies(void **state)
{
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f = {0, ""};
	gnutls_pubkey_t pk = a2_key();
	const char *jws = V_HDR "." V2_PAY "." V2_SIG;

	(void)state;
	sip_v(&s);
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws), V_INFO, NULL, &s, &f), 0);
	assert_int_equal(t.iat, V2_IAT);
	assert_int_equal(stir_check_iat(&t, V2_IAT + 30, 60, &f), 0);
	assert_int_equal(stir_verify_sig(&t, pk, &f), 0);
	/* One bit off in the signature: fails. */
	t.sig[10] ^= 1;
	assert_int_equal(stir_verify_sig(&t, pk, &f), EBADMSG);
	assert_int_equal(f.code, 438);
	gnutls_pubkey_deinit(pk);
}

/* Through the Identity header decoder, as a request carries it. */
static void test_vector2_header(void **state)
{
	static const char hv[] = V_HDR "." V2_PAY "." V2_SIG ";info=<" V_INFO ">;alg=ES256";
	struct sip_identity id;
	struct pl p = {hv, sizeof(hv) - 1};
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f = {0, ""};
	gnutls_pubkey_t pk = a2_key();

	(void)state;
	sip_v(&s);
	assert_int_equal(sip_identity_decode(&id, &p), 0);
	assert_int_equal(stir_parse(&t, &id, &s, &f), 0);
	assert_false(t.compact);
	assert_int_equal(stir_verify_sig(&t, pk, &f), 0);
	gnutls_pubkey_deinit(pk);
}

static void test_vector1_fails(void **state)
{
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f = {0, ""};
	gnutls_pubkey_t pk = a2_key();
	const char *jws = V_HDR "." V1_PAY "." V1_SIG;

	(void)state;
	sip_v(&s);
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws), V_INFO, NULL, &s, &f), 0);
	assert_int_equal(t.iat, V1_IAT);
	assert_int_equal(stir_verify_sig(&t, pk, &f), EBADMSG);
	assert_int_equal(f.code, 438);
	printf("# vector 1: %u %s\n", f.code, f.reason);
	gnutls_pubkey_deinit(pk);
}

static void test_x5u_not_info(void **state)
{
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f = {0, ""};
	const char *jws = V_HDR "." V2_PAY "." V2_SIG;

	(void)state;
	sip_v(&s);
	/* RFC 8224 4.1.1 pairs vector 2 with this info: must be refused. */
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws),
					     "https://biloxi.example.org/biloxi.cert",
					     NULL, &s, &f), EBADMSG);
	assert_int_equal(f.code, 438);
	assert_non_null(strstr(f.reason, "x5u"));
}

static void test_iat_window(void **state)
{
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f = {0, ""};
	const char *jws = V_HDR "." V2_PAY "." V2_SIG;

	(void)state;
	sip_v(&s);
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws), V_INFO, NULL, &s, &f), 0);
	assert_int_equal(stir_check_iat(&t, V2_IAT + 60, 60, &f), 0);
	assert_int_equal(stir_check_iat(&t, V2_IAT - 60, 60, &f), 0);
	assert_int_equal(stir_check_iat(&t, V2_IAT + 61, 60, &f), EBADMSG);
	assert_int_equal(f.code, 403);
	assert_non_null(strstr(f.reason, "stale"));
	assert_int_equal(stir_check_iat(&t, V2_IAT - 61, 60, &f), EBADMSG);
	assert_int_equal(f.code, 403);
	assert_non_null(strstr(f.reason, "future"));
}

static void test_orig_dest_mismatch(void **state)
{
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f = {0, ""};
	const char *jws = V_HDR "." V2_PAY "." V2_SIG;

	(void)state;
	assert_int_equal(stir_sip_set(&s, "tel:+1-215-555-1213", "sip:alice@example.com",
				      -1, &f), 0);
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws), V_INFO, NULL, &s, &f), EBADMSG);
	assert_int_equal(f.code, 438);
	assert_non_null(strstr(f.reason, "From"));
	/* Same number written as a tel: URI with separators: matches. */
	assert_int_equal(stir_sip_set(&s, "tel:+1-215-555-1212", "sip:alice@example.com",
				      -1, &f), 0);
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws), V_INFO, NULL, &s, &f), 0);
	assert_int_equal(stir_sip_set(&s, "tel:+1-215-555-1212", "sip:bob@example.com",
				      -1, &f), 0);
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws), V_INFO, NULL, &s, &f), EBADMSG);
	assert_int_equal(f.code, 438);
	assert_non_null(strstr(f.reason, "To"));
	/* To's case, port and parameters do not matter in canonical form. */
	assert_int_equal(stir_sip_set(&s, "tel:+1-215-555-1212",
				      "sips:ALICE@Example.COM:5061;transport=tls", -1, &f), 0);
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws), V_INFO, NULL, &s, &f), EBADMSG);
	assert_int_equal(stir_sip_set(&s, "tel:+1-215-555-1212",
				      "sip:alice@Example.COM:5061;transport=tls", -1, &f), 0);
	assert_int_equal(stir_passport_parse(&t, jws, strlen(jws), V_INFO, NULL, &s, &f), 0);
}

static void test_unknown_ppt(void **state)
{
	static const char hv[] = V_HDR "." V2_PAY "." V2_SIG ";info=<" V_INFO ">;ppt=div";
	struct sip_identity id;
	struct pl p = {hv, sizeof(hv) - 1};
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f = {0, ""};
	struct buf b;
	struct stirca_cert c;

	(void)state;
	sip_v(&s);
	assert_int_equal(sip_identity_decode(&id, &p), 0);
	assert_int_equal(stir_parse(&t, &id, &s, &f), ENOTSUP);
	/* A JOSE header naming an unknown ppt: ignored as well. */
	stirca_key(&c.key, true);
	c.crt = NULL;
	buf_init(&b, 0);
	stirca_passport(&b, &c, "{\"alg\":\"ES256\",\"ppt\":\"foo\",\"typ\":\"passport\",\"x5u\":\"" V_INFO "\"}",
			"{\"dest\":{\"uri\":[\"sip:alice@example.com\"]},\"iat\":1,\"orig\":{\"tn\":\"12155551212\"}}");
	assert_int_equal(stir_passport_parse(&t, b.data, b.len, V_INFO, NULL, &s, &f), ENOTSUP);
	/* shaken in the JOSE header but no ppt on the Identity header. */
	buf_reset(&b);
	stirca_passport(&b, &c, "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" V_INFO "\"}",
			"{\"attest\":\"B\",\"dest\":{\"uri\":[\"sip:alice@example.com\"]},\"iat\":1,\"orig\":{\"tn\":\"12155551212\"}}");
	assert_int_equal(stir_passport_parse(&t, b.data, b.len, V_INFO, NULL, &s, &f), EBADMSG);
	assert_int_equal(f.code, 438);
	assert_int_equal(stir_passport_parse(&t, b.data, b.len, V_INFO, "shaken", &s, &f), 0);
	assert_true(t.shaken);
	assert_int_equal(t.attest, 'B');
	buf_free(&b);
	gnutls_x509_privkey_deinit(c.key);
}

static void test_compact_form(void **state)
{
	struct stirca_cert c;
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f = {0, ""};
	struct buf b, hv;
	struct sip_identity id;
	struct pl p;
	gnutls_pubkey_t pk;
	const char *sig;

	(void)state;
	stirca_key(&c.key, true);
	c.crt = NULL;
	assert_int_equal(stir_sip_set(&s, "sip:+1-215-555-0121@example.net;user=phone",
				      "tel:+12155550131", 1700000000, &f), 0);
	buf_init(&b, 0);
	/* The signer's view: the canonical claims from the SIP fields. */
	stirca_passport(&b, &c, "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.net/c.pem\"}",
			"{\"dest\":{\"tn\":[\"12155550131\"]},\"iat\":1700000000,\"orig\":{\"tn\":\"12155550121\"}}");
	sig = strrchr(b.data, '.') + 1;
	buf_init(&hv, 0);
	(void)buf_printf(&hv, "..%s;info=<https://cert.example.net/c.pem>;alg=ES256", sig);
	p.p = hv.data;
	p.l = hv.len;
	assert_int_equal(sip_identity_decode(&id, &p), 0);
	assert_int_equal(stir_parse(&t, &id, &s, &f), 0);
	assert_true(t.compact);
	assert_int_equal(t.iat, 1700000000);
	assert_int_equal(gnutls_pubkey_init(&pk), 0);
	{
		gnutls_privkey_t pv;

		assert_int_equal(gnutls_privkey_init(&pv), 0);
		assert_int_equal(gnutls_privkey_import_x509(pv, c.key, 0), 0);
		assert_int_equal(gnutls_pubkey_import_privkey(pk, pv, 0, 0), 0);
		gnutls_privkey_deinit(pv);
	}
	assert_int_equal(stir_verify_sig(&t, pk, &f), 0);
	/* Another Date: the rebuilt claims differ and the signature fails. */
	s.date++;
	assert_int_equal(stir_parse(&t, &id, &s, &f), 0);
	assert_int_equal(stir_verify_sig(&t, pk, &f), EBADMSG);
	/* No Date at all: a compact form cannot be rebuilt. */
	s.has_date = false;
	assert_int_equal(stir_parse(&t, &id, &s, &f), EBADMSG);
	assert_int_equal(f.code, 438);
	gnutls_pubkey_deinit(pk);
	gnutls_x509_privkey_deinit(c.key);
	buf_free(&b);
	buf_free(&hv);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"abc",
		"a.b",
		"a.b.c.d",
		".x.y",
		V_HDR ".!!!." V2_SIG,
		V_HDR "." V2_PAY ".short",
		"bm90IGpzb24." V2_PAY "." V2_SIG,            /* "not json" */
		"WzEsMl0." V2_PAY "." V2_SIG,                 /* [1,2] */
		V_HDR ".e30." V2_SIG,                         /* {} */
		"eyJhbGciOiJFUzI1NiIsImFsZyI6IkVTMjU2In0." V2_PAY "." V2_SIG, /* duplicate key */
	};
	struct stir_token t;
	struct stir_sip s;
	struct stir_fail f;

	(void)state;
	sip_v(&s);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		f.code = 0;
		assert_int_equal(stir_passport_parse(&t, bad[i], strlen(bad[i]), V_INFO,
						     NULL, &s, &f), EBADMSG);
		assert_true(f.code == 438 || f.code == 437);
		assert_true(f.reason[0] != '\0');
	}
	/* Over the bound: refused with a sentence, never truncated. */
	{
		char *big = malloc(STIR_TOKEN_MAX + 10);

		memset(big, 'A', STIR_TOKEN_MAX + 9);
		big[10] = '.';
		big[20] = '.';
		f.code = 0;
		assert_int_equal(stir_passport_parse(&t, big, STIR_TOKEN_MAX + 9, V_INFO, NULL,
						     &s, &f), EBADMSG);
		assert_int_equal(f.code, 438);
		free(big);
	}
}

static void test_canon(void **state)
{
	static const struct {
		const char *in;
		const char *out;
		bool tn;
	} v[] = {
		{"tel:+1-215-555-0121", "12155550121", true},
		{"tel:+1.215.555.0121;foo=bar", "12155550121", true},
		{"tel:+1(215)555-0121", "12155550121", true},
		{"sip:+1-215-555-0121@example.com;user=phone", "12155550121", true},
		{"sip:+12155550121@example.com", "12155550121", true},
		{"sip:+12155550121;isub=1@example.com;user=phone", "12155550121", true},
		{"sip:Alice@Example.COM:5061;transport=tls", "sip:alice@example.com", false},
		{"sips:bob:secret@[2001:db8::1]:5061?x=y", "sips:bob@[2001:db8::1]", false},
		{"sip:%61lice@example.com", "sip:alice@example.com", false},
	};
	static const struct {
		const char *in;
		const char *out;
	} tn[] = {
		{"+1 215-555-0121", "12155550121"},
		{"12155550121", "12155550121"},
		{"(215) 555.0121", "2155550121"},
		{"*67#", "*67#"},
	};
	char out[STIR_ID_MAX];
	bool is_tn;

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(stir_canon_uri(out, sizeof(out), v[i].in, strlen(v[i].in),
						&is_tn), 0);
		assert_string_equal(out, v[i].out);
		assert_int_equal(is_tn, v[i].tn);
	}
	for (size_t i = 0; i < sizeof(tn) / sizeof(tn[0]); i++) {
		assert_int_equal(stir_canon_tn(out, sizeof(out), tn[i].in, strlen(tn[i].in)), 0);
		assert_string_equal(out, tn[i].out);
	}
	assert_int_equal(stir_canon_tn(out, sizeof(out), "12a", 3), EBADMSG);
	assert_int_equal(stir_canon_tn(out, sizeof(out), "1+2", 3), EBADMSG);
	assert_int_equal(stir_canon_tn(out, sizeof(out), "--", 2), EBADMSG);
	assert_int_equal(stir_canon_tn(out, 4, "12345", 5), E2BIG);
	assert_int_not_equal(stir_canon_uri(out, sizeof(out), "tel:+1-800-FLOWERS", 18, &is_tn), 0);
}

/* Our DER must equal GnuTLS's own encoding, for values with leading zero
 * bytes and with the high bit set. */
static void check_der(const uint8_t rs[64])
{
	uint8_t der[72];
	size_t n;
	gnutls_datum_t r = {(unsigned char *)rs, 32}, s = {(unsigned char *)rs + 32, 32};
	gnutls_datum_t ref;

	assert_int_equal(stir_rs_to_der(der, sizeof(der), &n, rs), 0);
	assert_int_equal(gnutls_encode_rs_value(&ref, &r, &s), 0);
	assert_int_equal(ref.size, n);
	assert_memory_equal(ref.data, der, n);
	gnutls_free(ref.data);
}

static void test_der(void **state)
{
	uint8_t rs[64], der[72];
	size_t n;

	(void)state;
	memset(rs, 0x11, sizeof(rs));
	check_der(rs);
	/* High bit: a 0x00 byte keeps the INTEGER positive (33 bytes). */
	rs[0] = 0x80;
	rs[32] = 0xff;
	assert_int_equal(stir_rs_to_der(der, sizeof(der), &n, rs), 0);
	assert_int_equal(der[2], 0x02);
	assert_int_equal(der[3], 33);
	assert_int_equal(der[4], 0x00);
	assert_int_equal(n, 2 + 35 + 35);
	check_der(rs);
	/* Leading zero bytes dropped, then a high bit after them. */
	memset(rs, 0, 3);
	rs[3] = 0x7f;
	memset(rs + 32, 0, 2);
	rs[34] = 0x80;
	assert_int_equal(stir_rs_to_der(der, sizeof(der), &n, rs), 0);
	assert_int_equal(der[3], 29);
	check_der(rs);
	/* All zero: one 0x00 byte. */
	memset(rs, 0, 32);
	check_der(rs);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(gnutls_rnd(GNUTLS_RND_NONCE, rs, sizeof(rs)), 0);
		if (i % 3 == 0)
			rs[0] = 0;
		check_der(rs);
	}
	assert_int_equal(stir_rs_to_der(der, 60, &n, rs), E2BIG);
}

/* Certificates: chain, validity at iat, TNAuthList, key type. */
static void test_cert_check(void **state)
{
	static const char *const one[] = {"one:12155550121"};
	static const char *const rng[] = {"range:12155550100:50"};
	static const char *const spc[] = {"spc:709J"};
	struct stirca_cert ca, other, leaf, far, exp, sleaf, rleaf, rsa;
	gnutls_x509_trust_list_t tl;
	gnutls_pubkey_t pk;
	struct stir_sip s, su;
	struct stir_fail f;
	uint8_t ext[128];
	size_t el;
	struct buf pem;
	char signer[256];
	time_t now = 1700000000;
	int64_t t;

	(void)state;
	stirca_make(&ca, NULL, "STIR Test CA", true, true, now - 86400, now + 86400 * 30,
		    NULL, 0, NULL, NULL);
	stirca_make(&other, NULL, "Other CA", true, true, now - 86400, now + 86400 * 30,
		    NULL, 0, NULL, NULL);
	el = stirca_tnauth(ext, sizeof(ext), one, 1);
	stirca_make(&leaf, &ca, "SHAKEN 1", false, true, now - 3600, now + 86400, ext, el, NULL, NULL);
	stirca_make(&far, &other, "SHAKEN 2", false, true, now - 3600, now + 86400, ext, el, NULL, NULL);
	stirca_make(&exp, &ca, "SHAKEN old", false, true, now - 86400, now - 3600, ext, el, NULL, NULL);
	el = stirca_tnauth(ext, sizeof(ext), spc, 1);
	stirca_make(&sleaf, &ca, "SHAKEN SPC", false, true, now - 3600, now + 86400, ext, el, NULL, NULL);
	el = stirca_tnauth(ext, sizeof(ext), rng, 1);
	stirca_make(&rleaf, &ca, "SHAKEN range", false, true, now - 3600, now + 86400, ext, el, NULL, NULL);
	stirca_make(&rsa, &ca, "RSA leaf", false, false, now - 3600, now + 86400, NULL, 0, NULL, NULL);
	assert_int_equal(gnutls_x509_trust_list_init(&tl, 0), 0);
	buf_init(&pem, 0);
	stirca_pem(&pem, &ca);
	{
		gnutls_datum_t d = {(unsigned char *)pem.data, (unsigned)pem.len};

		assert_int_equal(gnutls_x509_trust_list_add_trust_mem(tl, &d, NULL,
								      GNUTLS_X509_FMT_PEM, 0, 0), 1);
	}
	buf_free(&pem);
	assert_int_equal(stir_sip_set(&s, "tel:+12155550121", "tel:+12155550131", -1, &f), 0);
	assert_int_equal(stir_sip_set(&su, "sip:alice@example.com", "tel:+12155550131", -1, &f), 0);

#define CHECK(c, sip, shaken, want, code_) do { \
		buf_init(&pem, 0); \
		stirca_pem(&pem, &(c)); \
		f.code = 0; \
		int r_ = stir_cert_check((const uint8_t *)pem.data, pem.len, tl, now, \
					 (sip), (shaken), true, &pk, signer, \
					 sizeof(signer), &f); \
		printf("# %s: %d %u %s\n", #c, r_, f.code, r_ ? f.reason : signer); \
		assert_int_equal(r_, (want)); \
		if (want == 0) \
			gnutls_pubkey_deinit(pk); \
		assert_int_equal(f.code, (code_)); \
		buf_free(&pem); \
	} while (0)

	CHECK(leaf, &s, true, 0, 0);
	assert_non_null(strstr(signer, "CN=SHAKEN 1"));
	CHECK(far, &s, true, EBADMSG, 437);
	CHECK(exp, &s, true, EBADMSG, 437);
	assert_non_null(strstr(f.reason, "expired"));
	CHECK(rsa, &s, false, EBADMSG, 437);
	CHECK(sleaf, &s, true, 0, 0);          /* SHAKEN: an SPC certificate */
	CHECK(sleaf, &s, false, EBADMSG, 437); /* plain PASSporT: no number covered */
	CHECK(rleaf, &s, false, 0, 0);         /* 12155550100 + 50 covers ..0121 */
	CHECK(leaf, &su, false, EBADMSG, 437); /* numbers, but From is a URI */
	assert_int_equal(stir_sip_set(&s, "tel:+12155550122", "tel:+12155550131", -1, &f), 0);
	CHECK(leaf, &s, true, EBADMSG, 437);
	assert_int_equal(stir_sip_set(&s, "tel:+12155550150", "tel:+12155550131", -1, &f), 0);
	CHECK(rleaf, &s, false, EBADMSG, 437); /* one past the range */
	assert_int_equal(stir_sip_set(&s, "tel:+12155550149", "tel:+12155550131", -1, &f), 0);
	CHECK(rleaf, &s, false, 0, 0);
#undef CHECK
	/* Not a certificate; no trust anchors. */
	f.code = 0;
	assert_int_equal(stir_cert_check((const uint8_t *)"hello", 5, tl, now, &s, true, true,
					 &pk, signer, sizeof(signer), &f), EBADMSG);
	assert_int_equal(f.code, 437);
	buf_init(&pem, 0);
	stirca_pem(&pem, &leaf);
	assert_int_equal(stir_cert_check((const uint8_t *)pem.data, pem.len, NULL, now, &s, true,
					 true, &pk, signer, sizeof(signer), &f), EBADMSG);
	assert_int_equal(f.code, 437);
	assert_int_equal(stir_cert_expiry((const uint8_t *)pem.data, pem.len, &t), 0);
	assert_int_equal(t, now + 86400);
	buf_free(&pem);

	gnutls_x509_trust_list_deinit(tl, 1);
	stirca_free(&ca);
	stirca_free(&other);
	stirca_free(&leaf);
	stirca_free(&far);
	stirca_free(&exp);
	stirca_free(&sleaf);
	stirca_free(&rleaf);
	stirca_free(&rsa);
}

static void test_b64(void **state)
{
	uint8_t out[16];
	size_t n;
	struct buf b;

	(void)state;
	assert_int_equal(stir_b64_decode(out, sizeof(out), &n, "aGk", 3), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "hi", 2);
	assert_int_equal(stir_b64_decode(out, sizeof(out), &n, "aGk=", 4), 0);
	assert_int_equal(stir_b64_decode(out, sizeof(out), &n, "aGl", 3), EBADMSG); /* stray bits */
	assert_int_equal(stir_b64_decode(out, sizeof(out), &n, "a", 1), EBADMSG);
	assert_int_equal(stir_b64_decode(out, sizeof(out), &n, "a$bc", 4), EBADMSG);
	assert_int_equal(stir_b64_decode(out, 1, &n, "aGk", 3), E2BIG);
	assert_int_equal(stir_b64_decode(out, sizeof(out), &n, "-_-_", 4), 0);
	assert_int_equal(out[0], 0xfb);
	buf_init(&b, 0);
	assert_int_equal(stir_b64u_encode(&b, (const uint8_t *)"\xfb\xff\xbf", 3), 0);
	assert_string_equal(b.data, "-_-_");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector2_verifies),
		cmocka_unit_test(test_vector2_header),
		cmocka_unit_test(test_vector1_fails),
		cmocka_unit_test(test_x5u_not_info),
		cmocka_unit_test(test_iat_window),
		cmocka_unit_test(test_orig_dest_mismatch),
		cmocka_unit_test(test_unknown_ppt),
		cmocka_unit_test(test_compact_form),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_canon),
		cmocka_unit_test(test_der),
		cmocka_unit_test(test_cert_check),
		cmocka_unit_test(test_b64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
