/* test_digest.c - digest computations against every vector in SPECS.md 3.3. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sip/digest.h"

/* RFC 2617 3.5 and the SIP vectors derived from it share nonce and cnonce. */
#define N2617 "dcd98b7102dd2f0e8b11d0f600bfb0c093"
#define C2617 "0a4f113b"
/* RFC 7616 3.9.1 */
#define N7616 "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define C7616 "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
/* RFC 7616 3.9.2; the user is "Jäsøn Doe" in UTF-8 */
#define USER_392 "J\xc3\xa4s\xc3\xb8n Doe"

static struct digest_params mufasa_7616(enum digest_alg alg, const char *pw)
{
	struct digest_params p = {
		.alg = alg,
		.user = PL("Mufasa"),
		.realm = PL("http-auth@example.org"),
		.nonce = PL(N7616),
		.cnonce = PL(C7616),
		.nc = 1,
		.qop = DIGEST_QOP_AUTH,
		.method = PL("GET"),
		.uri = PL("/dir/index.html"),
	};

	pl_set_str(&p.password, pw);
	return p;
}

static struct digest_params bob(enum digest_alg alg, enum digest_qop qop)
{
	struct digest_params p = {
		.alg = alg,
		.user = PL("bob"),
		.realm = PL("biloxi.com"),
		.password = PL("zanzibar"),
		.nonce = PL(N2617),
		.cnonce = PL(C2617),
		.nc = 1,
		.qop = qop,
		.method = PL("REGISTER"),
		.uri = PL("sip:biloxi.com"),
	};

	return p;
}

static void expect_response(const struct digest_params *p, const char *want)
{
	char hex[DIGEST_HEX_SIZE];

	assert_int_equal(digest_response(hex, sizeof(hex), p), 0);
	assert_string_equal(hex, want);
}

static void test_alg_parse(void **state)
{
	struct pl name;

	(void)state;
	name = (struct pl)PL("MD5");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_MD5);
	name = (struct pl)PL("md5-SESS");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_MD5_SESS);
	name = (struct pl)PL("SHA-256");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_SHA256);
	name = (struct pl)PL("SHA-256-sess");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_SHA256_SESS);
	name = (struct pl)PL("SHA-512-256");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_SHA512_256);
	name = (struct pl)PL("SHA-512-256-sess");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_SHA512_256_SESS);
	name = (struct pl)PL("SHA-512");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_UNKNOWN);
	name = (struct pl)PL("AKAv1-MD5");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_UNKNOWN);
	name = (struct pl)PL("");
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_UNKNOWN);
	/* No algorithm parameter at all means MD5 (RFC 7616 3.3). */
	name = (struct pl)PL_INIT;
	assert_int_equal(digest_alg_parse(&name), DIGEST_ALG_MD5);
	assert_int_equal(digest_alg_parse(NULL), DIGEST_ALG_MD5);

	assert_string_equal(digest_alg_name(DIGEST_ALG_SHA512_256_SESS), "SHA-512-256-sess");
	assert_string_equal(digest_alg_name(DIGEST_ALG_MD5), "MD5");
	assert_int_equal(digest_hex_len(DIGEST_ALG_MD5_SESS), 32);
	assert_int_equal(digest_hex_len(DIGEST_ALG_SHA256), 64);
	assert_int_equal(digest_hex_len(DIGEST_ALG_SHA512_256), 64);
	assert_int_equal(digest_hex_len(DIGEST_ALG_UNKNOWN), 0);
	assert_true(digest_alg_is_sess(DIGEST_ALG_SHA256_SESS));
	assert_false(digest_alg_is_sess(DIGEST_ALG_SHA256));
}

static void test_strength(void **state)
{
	(void)state;
	assert_int_equal(digest_strength(DIGEST_ALG_UNKNOWN), 0);
	assert_true(digest_strength(DIGEST_ALG_MD5) > 0);
	assert_true(digest_strength(DIGEST_ALG_SHA256) > digest_strength(DIGEST_ALG_MD5));
	assert_true(digest_strength(DIGEST_ALG_SHA256) > digest_strength(DIGEST_ALG_MD5_SESS));
	assert_true(digest_strength(DIGEST_ALG_SHA512_256) > digest_strength(DIGEST_ALG_SHA256));
	assert_int_equal(digest_strength(DIGEST_ALG_SHA256_SESS),
			 digest_strength(DIGEST_ALG_SHA256));
}

static void test_qop_choose(void **state)
{
	enum digest_qop q = DIGEST_QOP_AUTH;
	struct pl o = PL_INIT;

	(void)state;
	assert_int_equal(digest_qop_choose(&o, &q), 0);
	assert_int_equal(q, DIGEST_QOP_NONE);
	o = (struct pl)PL("auth-int, auth");
	assert_int_equal(digest_qop_choose(&o, &q), 0);
	assert_int_equal(q, DIGEST_QOP_AUTH);
	o = (struct pl)PL(" auth-int ");
	assert_int_equal(digest_qop_choose(&o, &q), 0);
	assert_int_equal(q, DIGEST_QOP_AUTH_INT);
	o = (struct pl)PL("token,AUTH");
	assert_int_equal(digest_qop_choose(&o, &q), 0);
	assert_int_equal(q, DIGEST_QOP_AUTH);
	o = (struct pl)PL("authx,auth-intx");
	assert_int_equal(digest_qop_choose(&o, &q), ENOTSUP);
	o = (struct pl)PL("");
	assert_int_equal(digest_qop_choose(&o, &q), ENOTSUP);
	assert_string_equal(digest_qop_name(DIGEST_QOP_AUTH_INT), "auth-int");
}

static void test_nc_format(void **state)
{
	char nc[DIGEST_NC_SIZE];

	(void)state;
	assert_int_equal(digest_nc_format(nc, sizeof(nc), 1), 0);
	assert_string_equal(nc, "00000001");
	assert_int_equal(digest_nc_format(nc, sizeof(nc), 0xab), 0);
	assert_string_equal(nc, "000000ab");
	assert_int_equal(digest_nc_format(nc, sizeof(nc), UINT32_MAX), 0);
	assert_string_equal(nc, "ffffffff");
	assert_int_equal(digest_nc_format(nc, 8, 1), EINVAL);
}

static void test_cnonce(void **state)
{
	char a[40], b[40];
	size_t i;

	(void)state;
	assert_int_equal(digest_cnonce(a, sizeof(a)), 0);
	assert_int_equal(digest_cnonce(b, sizeof(b)), 0);
	assert_int_equal(strlen(a), 32);
	for (i = 0; i < 32; i++)
		assert_true(isalnum((unsigned char)a[i]));
	assert_string_not_equal(a, b);
	assert_int_equal(digest_cnonce(a, 32), EINVAL);
}

/* RFC 2617 3.5: the classic MD5 vector (not a valid SIP vector). */
static void test_rfc2617(void **state)
{
	struct digest_params p = {
		.alg = DIGEST_ALG_MD5,
		.user = PL("Mufasa"),
		.realm = PL("testrealm@host.com"),
		.password = PL("Circle Of Life"),
		.nonce = PL(N2617),
		.cnonce = PL(C2617),
		.nc = 1,
		.qop = DIGEST_QOP_AUTH,
		.method = PL("GET"),
		.uri = PL("/dir/index.html"),
	};
	char hex[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(digest_ha1(hex, sizeof(hex), &p), 0);
	assert_string_equal(hex, "939e7578ed9e3c518a452acee763bce9");
	/* HA2 = MD5("GET:/dir/index.html") */
	assert_int_equal(digest_hash(hex, sizeof(hex), DIGEST_ALG_MD5,
				     "GET:/dir/index.html", 19), 0);
	assert_string_equal(hex, "39aff3a2bab6126f332b942af96d3366");
	expect_response(&p, "6629fae49393a05397450978507c4ef1");
}

static void test_rfc7616_md5(void **state)
{
	struct digest_params p = mufasa_7616(DIGEST_ALG_MD5, "Circle of Life");
	char hex[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(digest_ha1(hex, sizeof(hex), &p), 0);
	assert_string_equal(hex, "3d78807defe7de2157e2b0b6573a855f");
	expect_response(&p, "8ca523f5e9506fed4657c9700eebdbec");
}

static void test_rfc7616_sha256(void **state)
{
	struct digest_params p = mufasa_7616(DIGEST_ALG_SHA256, "Circle of Life");
	char hex[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(digest_ha1(hex, sizeof(hex), &p), 0);
	assert_string_equal(hex, "7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232");
	assert_int_equal(digest_hash(hex, sizeof(hex), DIGEST_ALG_SHA256,
				     "GET:/dir/index.html", 19), 0);
	assert_string_equal(hex, "9a3fdae9a622fe8de177c24fa9c070f2b181ec85e15dcbdc32e10c82ad450b04");
	expect_response(&p, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

/* The RFC 2617 password spelling against the RFC 7616 inputs. */
static void test_rfc7616_negative(void **state)
{
	struct digest_params p;

	(void)state;
	p = mufasa_7616(DIGEST_ALG_MD5, "Circle Of Life");
	expect_response(&p, "d142103549841c8d7adb7716345048f2");
	p = mufasa_7616(DIGEST_ALG_SHA256, "Circle Of Life");
	expect_response(&p, "198e71303755fa1444057314d9507022e1ce1f0b69ca7a509eeb3db6ea11943b");
}

static void test_rspauth(void **state)
{
	struct digest_params p;
	char hex[DIGEST_HEX_SIZE];
	struct pl r;

	(void)state;
	p = mufasa_7616(DIGEST_ALG_MD5, "Circle of Life");
	assert_int_equal(digest_rspauth(hex, sizeof(hex), &p), 0);
	assert_string_equal(hex, "9b712497bc9f91499fbcca1dfc5f09a5");
	r = (struct pl)PL("9b712497bc9f91499fbcca1dfc5f09a5");
	assert_int_equal(digest_rspauth_verify(&p, &r), 0);
	r = (struct pl)PL("9B712497BC9F91499FBCCA1DFC5F09A5");
	assert_int_equal(digest_rspauth_verify(&p, &r), 0);
	r = (struct pl)PL("9b712497bc9f91499fbcca1dfc5f09a6");
	assert_int_equal(digest_rspauth_verify(&p, &r), EACCES);
	r = (struct pl)PL("9b712497bc9f91499fbcca1dfc5f09a");
	assert_int_equal(digest_rspauth_verify(&p, &r), EACCES);
	/* The request digest is not a valid rspauth (A2 differs). */
	r = (struct pl)PL("8ca523f5e9506fed4657c9700eebdbec");
	assert_int_equal(digest_rspauth_verify(&p, &r), EACCES);

	p = mufasa_7616(DIGEST_ALG_SHA256, "Circle of Life");
	assert_int_equal(digest_rspauth(hex, sizeof(hex), &p), 0);
	assert_string_equal(hex, "86d3b25618d41854ca5039a5d7e53ff6355d5134a9b1fb088a78ac3c462195a0");
	r = (struct pl)PL("86d3b25618d41854ca5039a5d7e53ff6355d5134a9b1fb088a78ac3c462195a0");
	assert_int_equal(digest_rspauth_verify(&p, &r), 0);
	p.password = (struct pl)PL("Circle Of Life");
	assert_int_equal(digest_rspauth_verify(&p, &r), EACCES);
}

/* RFC 7616 3.9.2 with the corrected values (erratum 4897). */
static void test_rfc7616_sha512_256_userhash(void **state)
{
	struct digest_params p = {
		.alg = DIGEST_ALG_SHA512_256,
		.user = PL(USER_392),
		.realm = PL("api@example.org"),
		.password = PL("Secret, or not?"),
		.nonce = PL("5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK"),
		.cnonce = PL("NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v"),
		.nc = 1,
		.qop = DIGEST_QOP_AUTH,
		.method = PL("GET"),
		.uri = PL("/doe.json"),
	};
	char hex[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(sizeof(USER_392) - 1, 11);
	assert_int_equal(digest_userhash(hex, sizeof(hex), p.alg, &p.user, &p.realm), 0);
	assert_string_equal(hex, "793263caabb707a56211940d90411ea4a575adeccb7e360aeb624ed06ece9b0b");
	/* The RFC's printed userhash is SHA-512 cut to 256 bits: we must differ. */
	assert_string_not_equal(hex, "488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec");
	expect_response(&p, "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5");
	assert_int_equal(digest_response(hex, sizeof(hex), &p), 0);
	assert_string_not_equal(hex, "ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd");

	/* Other algorithms: userhash has the algorithm's length. */
	assert_int_equal(digest_userhash(hex, sizeof(hex), DIGEST_ALG_MD5_SESS,
					 &p.user, &p.realm), 0);
	assert_int_equal(strlen(hex), 32);
	assert_int_equal(digest_userhash(hex, 32, DIGEST_ALG_MD5, &p.user, &p.realm), EINVAL);
}

static void test_empty_body_hash(void **state)
{
	char hex[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(digest_hash(hex, sizeof(hex), DIGEST_ALG_MD5, NULL, 0), 0);
	assert_string_equal(hex, "d41d8cd98f00b204e9800998ecf8427e");
	assert_int_equal(digest_hash(hex, sizeof(hex), DIGEST_ALG_SHA256_SESS, "", 0), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* True SHA-512/256, whose IV differs from SHA-512's. */
	assert_int_equal(digest_hash(hex, sizeof(hex), DIGEST_ALG_SHA512_256, NULL, 0), 0);
	assert_string_equal(hex, "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a");
	assert_int_equal(digest_hash(hex, sizeof(hex), DIGEST_ALG_UNKNOWN, NULL, 0), EINVAL);
}

static void test_sip_register(void **state)
{
	struct digest_params p;

	(void)state;
	p = bob(DIGEST_ALG_MD5, DIGEST_QOP_AUTH);
	expect_response(&p, "9e2d1006810044fd79f39476209ae31a");
	p = bob(DIGEST_ALG_SHA256, DIGEST_QOP_AUTH);
	expect_response(&p, "93e0e23c30bf2e3b139a3410a7edc9a5b15b1cfd8fd557ca8ee303e4372339a1");
	p = bob(DIGEST_ALG_SHA512_256, DIGEST_QOP_AUTH);
	expect_response(&p, "4bf969d821d66b375c5b96ab92a04ea44a9f7a2a259b9351753b177ccd0cd062");
	/* nc is part of the digest: the tenth use of the nonce differs. */
	p = bob(DIGEST_ALG_SHA256, DIGEST_QOP_AUTH);
	p.nc = 10;
	expect_response(&p, "575fa61105b63eb2b40b6e7a839428ef944bf0244b15f9db3341571488748c1b");
}

static void test_sip_sess(void **state)
{
	struct digest_params p;
	char hex[DIGEST_HEX_SIZE];

	(void)state;
	p = bob(DIGEST_ALG_MD5_SESS, DIGEST_QOP_AUTH);
	assert_int_equal(digest_ha1(hex, sizeof(hex), &p), 0);
	assert_string_equal(hex, "4f36886771c77832be5c5a8de5a7ec82");
	expect_response(&p, "d20652dbd76d31d860900c50052719f5");
	/* Derived with an independent implementation (Python hashlib). */
	p = bob(DIGEST_ALG_SHA256_SESS, DIGEST_QOP_AUTH);
	expect_response(&p, "c7a3482824c9edb1f43c541a2b65b28ac79600c0718ae1c33ad53facdeb09577");
	p = bob(DIGEST_ALG_SHA512_256_SESS, DIGEST_QOP_AUTH);
	expect_response(&p, "d4d982175dbbf48bfe8ada69e6a51f82c872e88fe8ff37627b13b15108fba843");
}

static void test_sip_no_qop(void **state)
{
	struct digest_params p = bob(DIGEST_ALG_MD5, DIGEST_QOP_NONE);

	(void)state;
	expect_response(&p, "4441045a8075db3ead543693997e2a0e");
	/* Without qop, cnonce and nc play no part. */
	p.cnonce = (struct pl)PL("other");
	p.nc = 7;
	expect_response(&p, "4441045a8075db3ead543693997e2a0e");
}

static void test_sip_auth_int(void **state)
{
	static const char sdp[] = "v=0\r\no=bob 2890844526 2890844526 IN IP4 192.0.2.4\r\n";
	struct digest_params p = bob(DIGEST_ALG_SHA256, DIGEST_QOP_AUTH_INT);

	(void)state;
	p.method = (struct pl)PL("INVITE");
	p.uri = (struct pl)PL("sip:bob@biloxi.com");
	expect_response(&p, "3985ceb21e3aee19764bf4d9659738c507c12293dd692d31387928ccc2159763");
	p.body = "";
	expect_response(&p, "3985ceb21e3aee19764bf4d9659738c507c12293dd692d31387928ccc2159763");
	p.body = sdp;
	p.body_len = sizeof(sdp) - 1;
	p.nc = 2;
	expect_response(&p, "6cef19fba848a1bc5b0e85b93bdeefb50bc5b06226287a7e6b0a5d57f0e45c67");
}

static void test_stored_ha1(void **state)
{
	struct digest_params p = bob(DIGEST_ALG_MD5, DIGEST_QOP_AUTH);
	char ha1[DIGEST_HEX_SIZE], hex[DIGEST_HEX_SIZE];
	size_t i;

	(void)state;
	assert_int_equal(digest_ha1(ha1, sizeof(ha1), &p), 0);
	for (i = 0; ha1[i]; i++)
		ha1[i] = (char)toupper((unsigned char)ha1[i]);
	p.password = (struct pl)PL("wrong, ignored when ha1 is set");
	pl_set_str(&p.ha1, ha1);
	expect_response(&p, "9e2d1006810044fd79f39476209ae31a");
	/* A stored MD5 HA1 also drives MD5-sess. */
	p.alg = DIGEST_ALG_MD5_SESS;
	expect_response(&p, "d20652dbd76d31d860900c50052719f5");
	/* An HA1 of another hash's length is refused, not misused. */
	p.alg = DIGEST_ALG_SHA256;
	assert_int_equal(digest_response(hex, sizeof(hex), &p), EINVAL);
	p.alg = DIGEST_ALG_MD5;
	ha1[3] = 'g';
	assert_int_equal(digest_response(hex, sizeof(hex), &p), EINVAL);
}

/* RFC 3329 d-ver: A2 = Method ":" uri ":" security-server, LWS collapsed. */
static void test_dver(void **state)
{
	struct digest_params p = bob(DIGEST_ALG_SHA256, DIGEST_QOP_AUTH);
	char hex[DIGEST_HEX_SIZE];
	struct pl ss;

	(void)state;
	p.method = (struct pl)PL("INVITE");
	p.uri = (struct pl)PL("sip:bob@biloxi.com");
	ss = (struct pl)PL("ipsec-ike;q=0.1, tls;q=0.2");
	assert_int_equal(digest_dver(hex, sizeof(hex), &p, &ss), 0);
	assert_string_equal(hex, "ee98801fd43f608b996adb2246973034c7d51fd6b6c2ba1f8286dca4a07199bc");
	ss = (struct pl)PL("  ipsec-ike;q=0.1,\r\n \t tls;q=0.2 \t");
	assert_int_equal(digest_dver(hex, sizeof(hex), &p, &ss), 0);
	assert_string_equal(hex, "ee98801fd43f608b996adb2246973034c7d51fd6b6c2ba1f8286dca4a07199bc");
	/* A bid-down (tls removed) changes d-ver. */
	ss = (struct pl)PL("ipsec-ike;q=0.1");
	assert_int_equal(digest_dver(hex, sizeof(hex), &p, &ss), 0);
	assert_string_not_equal(hex, "ee98801fd43f608b996adb2246973034c7d51fd6b6c2ba1f8286dca4a07199bc");

	p = bob(DIGEST_ALG_MD5, DIGEST_QOP_NONE);
	p.method = (struct pl)PL("INVITE");
	p.uri = (struct pl)PL("sip:bob@biloxi.com");
	ss = (struct pl)PL("digest;d-alg=MD5;q=0.1");
	assert_int_equal(digest_dver(hex, sizeof(hex), &p, &ss), 0);
	assert_string_equal(hex, "8e337d1f2297b0f0ee6301263926640f");
	assert_int_equal(digest_dver(hex, sizeof(hex), &p, NULL), EINVAL);
}

static void test_bad_args(void **state)
{
	struct digest_params p = bob(DIGEST_ALG_UNKNOWN, DIGEST_QOP_AUTH);
	char hex[DIGEST_HEX_SIZE];

	(void)state;
	assert_int_equal(digest_response(hex, sizeof(hex), &p), EINVAL);
	assert_int_equal(digest_ha1(hex, sizeof(hex), &p), EINVAL);
	p.alg = DIGEST_ALG_SHA256;
	assert_int_equal(digest_response(hex, 64, &p), EINVAL);
	assert_int_equal(digest_response(NULL, 65, &p), EINVAL);
	assert_int_equal(digest_response(hex, sizeof(hex), NULL), EINVAL);
	p.alg = DIGEST_ALG_MD5;
	assert_int_equal(digest_response(hex, 33, &p), 0);
	assert_int_equal(strlen(hex), 32);
	p.qop = (enum digest_qop)7;
	assert_int_equal(digest_response(hex, sizeof(hex), &p), EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alg_parse),
		cmocka_unit_test(test_strength),
		cmocka_unit_test(test_qop_choose),
		cmocka_unit_test(test_nc_format),
		cmocka_unit_test(test_cnonce),
		cmocka_unit_test(test_rfc2617),
		cmocka_unit_test(test_rfc7616_md5),
		cmocka_unit_test(test_rfc7616_sha256),
		cmocka_unit_test(test_rfc7616_negative),
		cmocka_unit_test(test_rspauth),
		cmocka_unit_test(test_rfc7616_sha512_256_userhash),
		cmocka_unit_test(test_empty_body_hash),
		cmocka_unit_test(test_sip_register),
		cmocka_unit_test(test_sip_sess),
		cmocka_unit_test(test_sip_no_qop),
		cmocka_unit_test(test_sip_auth_int),
		cmocka_unit_test(test_stored_ha1),
		cmocka_unit_test(test_dver),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
