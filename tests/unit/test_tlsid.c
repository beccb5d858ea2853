/* test_tlsid.c - RFC 5922 identity matcher and chain reasons on generated certificates. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
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
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "sip/tlsid.h"

static void data_path(char *out, size_t sz, const char *name)
{
	const char *dir = getenv("SIPTTY_TESTDATA");
	int n;

	if (!dir || !*dir)
		dir = "tests/data";
	n = snprintf(out, sz, "%s/tls/%s", dir, name);
	assert_true(n > 0 && (size_t)n < sz);
}

static gnutls_x509_crt_t load(const char *name)
{
	gnutls_x509_crt_t crt;
	gnutls_datum_t d = {NULL, 0};
	char path[1024];

	data_path(path, sizeof(path), name);
	assert_int_equal(gnutls_load_file(path, &d), 0);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &d, GNUTLS_X509_FMT_PEM), 0);
	gnutls_free(d.data);
	return crt;
}

/* Runs the matcher on one certificate file and checks reason and route. */
static void expect_match(const char *file, const char *domain,
			 enum tlsid_reason reason, enum tlsid_via via)
{
	gnutls_x509_crt_t crt = load(file);
	struct tlsid_result res;
	int err;

	err = tlsid_match(crt, domain, &res);
	if (res.reason != reason || res.via != via)
		print_error("%s vs %s: reason %d via %d\n", file, domain, res.reason, res.via);
	assert_int_equal(res.reason, reason);
	assert_int_equal(res.via, via);
	assert_int_equal(err, reason == TLSID_MATCH ? 0 : EACCES);
	gnutls_x509_crt_deinit(crt);
}

static void test_san_uri(void **state)
{
	(void)state;
	expect_match("uri.pem", "example.com", TLSID_MATCH, TLSID_VIA_URI);
	expect_match("uri.pem", "EXAMPLE.Com", TLSID_MATCH, TLSID_VIA_URI);
	expect_match("uri.pem", "example.com.", TLSID_MATCH, TLSID_VIA_URI);
	/* Whole names only: no suffix, prefix or sub-domain matching. */
	expect_match("uri.pem", "sip.example.com", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	expect_match("uri.pem", "ample.com", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	expect_match("uri.pem", "example.co", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	expect_match("uri.pem", "example.com.evil", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	/* The dNSName is tried when no SAN URI matches. */
	expect_match("uri.pem", "proxy.example.net", TLSID_MATCH, TLSID_VIA_DNS);
}

static void test_dns_only(void **state)
{
	(void)state;
	expect_match("dnsonly.pem", "example.com", TLSID_MATCH, TLSID_VIA_DNS);
	/* The CN is ignored once a subjectAltName exists. */
	expect_match("dnsonly.pem", "cn.example.org", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	expect_match("urimixed.pem", "example.com", TLSID_MATCH, TLSID_VIA_DNS);
	expect_match("urimixed.pem", "other.example.net", TLSID_MATCH, TLSID_VIA_URI);
}

static void test_cn_only(void **state)
{
	(void)state;
	expect_match("cnonly.pem", "example.com", TLSID_MATCH, TLSID_VIA_CN);
	expect_match("cnonly.pem", "Example.COM", TLSID_MATCH, TLSID_VIA_CN);
	expect_match("cnonly.pem", "www.example.com", TLSID_CN_MISMATCH, TLSID_VIA_NONE);
	expect_match("cnonly.pem", "192.0.2.10", TLSID_CN_MISMATCH, TLSID_VIA_NONE);
}

static void test_wildcard(void **state)
{
	(void)state;
	expect_match("wildcard.pem", "sip.example.com", TLSID_WILDCARD_REFUSED, TLSID_VIA_NONE);
	expect_match("wildcard.pem", "SIP.EXAMPLE.COM", TLSID_WILDCARD_REFUSED, TLSID_VIA_NONE);
	/* The wildcard would not have matched these anyway. */
	expect_match("wildcard.pem", "example.com", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	expect_match("wildcard.pem", "a.b.example.com", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
}

static void test_uri_userpart(void **state)
{
	(void)state;
	expect_match("uriuser.pem", "example.com", TLSID_URI_USERPART, TLSID_VIA_NONE);
	expect_match("uriuser.pem", "other.example.com", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
}

static void test_other_host(void **state)
{
	(void)state;
	expect_match("otherhost.pem", "example.com", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	expect_match("otherhost.pem", "other.example.net", TLSID_MATCH, TLSID_VIA_URI);
}

static void test_ip_literal(void **state)
{
	(void)state;
	expect_match("ip.pem", "192.0.2.10", TLSID_MATCH, TLSID_VIA_IP);
	expect_match("ip.pem", "2001:db8::10", TLSID_MATCH, TLSID_VIA_IP);
	expect_match("ip.pem", "[2001:DB8:0::10]", TLSID_MATCH, TLSID_VIA_IP);
	expect_match("ip.pem", "192.0.2.11", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	expect_match("ip.pem", "2001:db8::11", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
	expect_match("ip.pem", "example.com", TLSID_MATCH, TLSID_VIA_DNS);
	/* A name certificate never matches an address. */
	expect_match("dnsonly.pem", "192.0.2.10", TLSID_NO_SAN_MATCH, TLSID_VIA_NONE);
}

static void test_purpose(void **state)
{
	(void)state;
	expect_match("clientonly.pem", "example.com", TLSID_BAD_PURPOSE, TLSID_VIA_NONE);
}

static void test_bad_args(void **state)
{
	gnutls_x509_crt_t crt = load("wildcard.pem");
	struct tlsid_result res;

	(void)state;
	assert_int_equal(tlsid_match(crt, "*.example.com", &res), EINVAL);
	assert_int_equal(tlsid_match(crt, "", &res), EINVAL);
	assert_int_equal(tlsid_match(crt, "[]", &res), EINVAL);
	assert_int_equal(tlsid_match(crt, NULL, &res), EINVAL);
	assert_int_equal(tlsid_match(NULL, "example.com", &res), EINVAL);
	assert_int_equal(tlsid_match(crt, "example.com", NULL), EINVAL);
	gnutls_x509_crt_deinit(crt);
}

static void test_validity_times(void **state)
{
	gnutls_x509_crt_t crt = load("expired.pem");
	struct tlsid_result res;

	(void)state;
	/* The identity is fine; the dates are reported for the sentence. */
	assert_int_equal(tlsid_match(crt, "example.com", &res), 0);
	assert_int_equal(res.not_before, 1420070400);   /* 2015-01-01 */
	assert_int_equal(res.not_after, 1577836800);    /* 2020-01-01 */
	gnutls_x509_crt_deinit(crt);
}

/* Verifies file against the test CA (or trust, if given) and maps the status. */
static enum tlsid_reason chain_reason(const char *file, const char *trust)
{
	gnutls_x509_crt_t crt = load(file), ca = load(trust);
	unsigned int status = 0;
	enum tlsid_reason r;

	assert_int_equal(gnutls_x509_crt_verify(crt, &ca, 1, 0, &status), 0);
	r = tlsid_reason_from_status(status, crt);
	gnutls_x509_crt_deinit(crt);
	gnutls_x509_crt_deinit(ca);
	return r;
}

static void test_chain_reasons(void **state)
{
	(void)state;
	assert_int_equal(chain_reason("uri.pem", "ca.pem"), TLSID_MATCH);
	assert_int_equal(chain_reason("expired.pem", "ca.pem"), TLSID_EXPIRED);
	assert_int_equal(chain_reason("notyet.pem", "ca.pem"), TLSID_NOT_YET_VALID);
	assert_int_equal(chain_reason("selfsigned.pem", "ca.pem"), TLSID_SELF_SIGNED);
	/* Issued by a CA the user does not trust. */
	assert_int_equal(chain_reason("uri.pem", "selfsigned.pem"), TLSID_UNKNOWN_ISSUER);

	assert_int_equal(tlsid_reason_from_status(GNUTLS_CERT_INVALID | GNUTLS_CERT_REVOKED |
						  GNUTLS_CERT_EXPIRED, NULL), TLSID_REVOKED);
	assert_int_equal(tlsid_reason_from_status(GNUTLS_CERT_INVALID |
						  GNUTLS_CERT_INSECURE_ALGORITHM, NULL),
			 TLSID_INSECURE_ALG);
	assert_int_equal(tlsid_reason_from_status(GNUTLS_CERT_INVALID |
						  GNUTLS_CERT_PURPOSE_MISMATCH, NULL),
			 TLSID_BAD_PURPOSE);
	assert_int_equal(tlsid_reason_from_status(GNUTLS_CERT_INVALID |
						  GNUTLS_CERT_SIGNATURE_FAILURE, NULL),
			 TLSID_INVALID);
	assert_int_equal(tlsid_reason_from_status(GNUTLS_CERT_INVALID |
						  GNUTLS_CERT_SIGNER_NOT_FOUND, NULL),
			 TLSID_UNKNOWN_ISSUER);
}

static void test_reason_strings(void **state)
{
	int i, j;

	(void)state;
	for (i = TLSID_MATCH; i <= TLSID_NO_CERT; i++) {
		const char *s = tlsid_reason_str((enum tlsid_reason)i);

		assert_non_null(s);
		assert_true(strlen(s) > 5);
		for (j = TLSID_MATCH; j < i; j++)
			assert_string_not_equal(s, tlsid_reason_str((enum tlsid_reason)j));
	}
	assert_string_equal(tlsid_reason_str(TLSID_EXPIRED), "certificate expired");
	assert_string_equal(tlsid_reason_str((enum tlsid_reason)99), "certificate check failed");
}

/*
 * A real handshake over a socketpair, both ends driven from this thread
 * with non-blocking sockets; then tlsid_verify_peer on the client side.
 */
static enum tlsid_reason handshake_reason(const char *certfile, const char *keyfile,
					  const char *domain, int *errp)
{
	gnutls_certificate_credentials_t scred, ccred;
	gnutls_session_t srv, cli;
	char cert[1024], key[1024], ca[1024];
	struct tlsid_result res;
	int sv[2], i, rs = GNUTLS_E_AGAIN, rc = GNUTLS_E_AGAIN;

	data_path(cert, sizeof(cert), certfile);
	data_path(key, sizeof(key), keyfile);
	data_path(ca, sizeof(ca), "ca.pem");
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);

	assert_int_equal(gnutls_certificate_allocate_credentials(&scred), 0);
	assert_int_equal(gnutls_certificate_set_x509_key_file(scred, cert, key,
							      GNUTLS_X509_FMT_PEM), 0);
	assert_int_equal(gnutls_certificate_allocate_credentials(&ccred), 0);
	assert_int_equal(gnutls_certificate_set_x509_trust_file(ccred, ca, GNUTLS_X509_FMT_PEM), 1);

	assert_int_equal(gnutls_init(&srv, GNUTLS_SERVER | GNUTLS_NONBLOCK), 0);
	assert_int_equal(gnutls_init(&cli, GNUTLS_CLIENT | GNUTLS_NONBLOCK), 0);
	assert_int_equal(gnutls_set_default_priority(srv), 0);
	assert_int_equal(gnutls_set_default_priority(cli), 0);
	assert_int_equal(gnutls_credentials_set(srv, GNUTLS_CRD_CERTIFICATE, scred), 0);
	assert_int_equal(gnutls_credentials_set(cli, GNUTLS_CRD_CERTIFICATE, ccred), 0);
	gnutls_transport_set_int(srv, sv[0]);
	gnutls_transport_set_int(cli, sv[1]);

	for (i = 0; i < 200 && (rs < 0 || rc < 0); i++) {
		if (rc < 0)
			rc = gnutls_handshake(cli);
		if (rs < 0)
			rs = gnutls_handshake(srv);
		if ((rc < 0 && gnutls_error_is_fatal(rc)) || (rs < 0 && gnutls_error_is_fatal(rs)))
			break;
	}
	assert_int_equal(rc, 0);
	assert_int_equal(rs, 0);

	*errp = tlsid_verify_peer(cli, domain, &res);

	gnutls_deinit(cli);
	gnutls_deinit(srv);
	gnutls_certificate_free_credentials(ccred);
	gnutls_certificate_free_credentials(scred);
	close(sv[0]);
	close(sv[1]);
	return res.reason;
}

static void test_verify_peer(void **state)
{
	int err;

	(void)state;
	assert_int_equal(handshake_reason("uri.pem", "server-key.pem", "example.com", &err),
			 TLSID_MATCH);
	assert_int_equal(err, 0);
	assert_int_equal(handshake_reason("uri.pem", "server-key.pem", "sip.example.com", &err),
			 TLSID_NO_SAN_MATCH);
	assert_int_equal(err, EACCES);
	assert_int_equal(handshake_reason("expired.pem", "server-key.pem", "example.com", &err),
			 TLSID_EXPIRED);
	assert_int_equal(err, EACCES);
	assert_int_equal(handshake_reason("selfsigned.pem", "selfsigned-key.pem", "example.com", &err),
			 TLSID_SELF_SIGNED);
	assert_int_equal(err, EACCES);
	assert_int_equal(handshake_reason("wildcard.pem", "server-key.pem", "sip.example.com", &err),
			 TLSID_WILDCARD_REFUSED);
	assert_int_equal(err, EACCES);
	assert_int_equal(handshake_reason("cnonly.pem", "server-key.pem", "example.com", &err),
			 TLSID_MATCH);
	assert_int_equal(err, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_san_uri),
		cmocka_unit_test(test_dns_only),
		cmocka_unit_test(test_cn_only),
		cmocka_unit_test(test_wildcard),
		cmocka_unit_test(test_uri_userpart),
		cmocka_unit_test(test_other_host),
		cmocka_unit_test(test_ip_literal),
		cmocka_unit_test(test_purpose),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_validity_times),
		cmocka_unit_test(test_chain_reasons),
		cmocka_unit_test(test_reason_strings),
		cmocka_unit_test(test_verify_peer),
	};
	int rc;

	if (gnutls_global_init() < 0)
		return 1;
	rc = cmocka_run_group_tests_name("tlsid", tests, NULL, NULL);
	gnutls_global_deinit();
	return rc;
}
