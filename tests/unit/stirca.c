/* stirca.c - test helper: keys, certificates and signed PASSporTs made with GnuTLS at test time. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "stirca.h"
#include "ua/stir.h"

void stirca_key(gnutls_x509_privkey_t *k, bool ec)
{
	assert_int_equal(gnutls_x509_privkey_init(k), 0);
	assert_int_equal(gnutls_x509_privkey_generate(*k, ec ? GNUTLS_PK_ECDSA : GNUTLS_PK_RSA,
						      ec ? GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1) : 2048,
						      0), 0);
}

void stirca_make(struct stirca_cert *c, const struct stirca_cert *issuer,
		 const char *cn, bool ca, bool ec, time_t nb, time_t na,
		 const uint8_t *tnauth, size_t tnlen, const char *dns,
		 const char *ip)
{
	static unsigned serial = 1;
	unsigned char ser[4];
	gnutls_datum_t ext;

	stirca_key(&c->key, ec);
	assert_int_equal(gnutls_x509_crt_init(&c->crt), 0);
	assert_int_equal(gnutls_x509_crt_set_version(c->crt, 3), 0);
	serial++;
	ser[0] = 0x10;
	ser[1] = (unsigned char)(serial >> 16);
	ser[2] = (unsigned char)(serial >> 8);
	ser[3] = (unsigned char)serial;
	assert_int_equal(gnutls_x509_crt_set_serial(c->crt, ser, sizeof(ser)), 0);
	assert_int_equal(gnutls_x509_crt_set_activation_time(c->crt, nb), 0);
	assert_int_equal(gnutls_x509_crt_set_expiration_time(c->crt, na), 0);
	assert_int_equal(gnutls_x509_crt_set_dn_by_oid(c->crt, GNUTLS_OID_X520_COMMON_NAME,
						       0, cn, (unsigned)strlen(cn)), 0);
	assert_int_equal(gnutls_x509_crt_set_key(c->crt, c->key), 0);
	assert_int_equal(gnutls_x509_crt_set_basic_constraints(c->crt, ca ? 1 : 0, -1), 0);
	if (ca)
		assert_int_equal(gnutls_x509_crt_set_key_usage(c->crt,
			GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN | GNUTLS_KEY_DIGITAL_SIGNATURE), 0);
	else
		assert_int_equal(gnutls_x509_crt_set_key_usage(c->crt,
			GNUTLS_KEY_DIGITAL_SIGNATURE | (ec ? 0 : GNUTLS_KEY_KEY_ENCIPHERMENT)), 0);
	if (dns)
		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(c->crt, GNUTLS_SAN_DNSNAME,
								      dns, (unsigned)strlen(dns),
								      GNUTLS_FSAN_APPEND), 0);
	if (ip) {
		unsigned char a[4] = {127, 0, 0, 1};

		assert_int_equal(gnutls_x509_crt_set_subject_alt_name(c->crt, GNUTLS_SAN_IPADDRESS,
								      a, 4, GNUTLS_FSAN_APPEND), 0);
	}
	if (tnauth) {
		ext.data = (unsigned char *)tnauth;
		ext.size = (unsigned)tnlen;
		assert_int_equal(gnutls_x509_crt_set_extension_by_oid(c->crt, "1.3.6.1.5.5.7.1.26",
								      ext.data, ext.size, 0), 0);
	}
	{
		unsigned char kid[20];
		size_t kl = sizeof(kid);

		assert_int_equal(gnutls_x509_crt_get_key_id(c->crt, 0, kid, &kl), 0);
		assert_int_equal(gnutls_x509_crt_set_subject_key_id(c->crt, kid, kl), 0);
		if (issuer) {
			kl = sizeof(kid);
			assert_int_equal(gnutls_x509_crt_get_subject_key_id(issuer->crt, kid, &kl, NULL), 0);
			assert_int_equal(gnutls_x509_crt_set_authority_key_id(c->crt, kid, kl), 0);
		}
	}
	if (issuer)
		assert_int_equal(gnutls_x509_crt_sign2(c->crt, issuer->crt, issuer->key,
						       GNUTLS_DIG_SHA256, 0), 0);
	else
		assert_int_equal(gnutls_x509_crt_sign2(c->crt, c->crt, c->key,
						       GNUTLS_DIG_SHA256, 0), 0);
}

void stirca_free(struct stirca_cert *c)
{
	gnutls_x509_crt_deinit(c->crt);
	gnutls_x509_privkey_deinit(c->key);
	memset(c, 0, sizeof(*c));
}

void stirca_pem(struct buf *out, const struct stirca_cert *c)
{
	gnutls_datum_t d;

	assert_int_equal(gnutls_x509_crt_export2(c->crt, GNUTLS_X509_FMT_PEM, &d), 0);
	(void)buf_write(out, d.data, d.size);
	gnutls_free(d.data);
}

void stirca_key_pem(struct buf *out, const struct stirca_cert *c)
{
	gnutls_datum_t d;

	assert_int_equal(gnutls_x509_privkey_export2(c->key, GNUTLS_X509_FMT_PEM, &d), 0);
	(void)buf_write(out, d.data, d.size);
	gnutls_free(d.data);
}

static void sign(gnutls_datum_t *sig, const struct stirca_cert *c,
		 gnutls_digest_algorithm_t dig, const void *data, size_t len)
{
	gnutls_privkey_t pk;
	gnutls_datum_t d = {(unsigned char *)data, (unsigned)len};

	assert_int_equal(gnutls_privkey_init(&pk), 0);
	assert_int_equal(gnutls_privkey_import_x509(pk, c->key, 0), 0);
	assert_int_equal(gnutls_privkey_sign_data(pk, dig, 0, &d, sig), 0);
	gnutls_privkey_deinit(pk);
}

void stirca_passport(struct buf *out, const struct stirca_cert *c,
		     const char *hdr, const char *payload)
{
	gnutls_datum_t sig, r, s;
	uint8_t rs[64];
	size_t start = out->len;

	(void)stir_b64u_encode(out, (const uint8_t *)hdr, strlen(hdr));
	(void)buf_putc(out, '.');
	(void)stir_b64u_encode(out, (const uint8_t *)payload, strlen(payload));
	sign(&sig, c, GNUTLS_DIG_SHA256, out->data + start, out->len - start);
	assert_int_equal(gnutls_decode_rs_value(&sig, &r, &s), 0);
	/* DER integers: strip a sign byte, left-pad to 32. */
	memset(rs, 0, sizeof(rs));
	{
		const gnutls_datum_t *v[2] = {&r, &s};

		for (int i = 0; i < 2; i++) {
			const unsigned char *p = v[i]->data;
			size_t n = v[i]->size;

			while (n > 32 && *p == 0) {
				p++;
				n--;
			}
			assert_true(n <= 32);
			memcpy(rs + 32 * i + (32 - n), p, n);
		}
	}
	(void)buf_putc(out, '.');
	(void)stir_b64u_encode(out, rs, 64);
	gnutls_free(sig.data);
	gnutls_free(r.data);
	gnutls_free(s.data);
	assert_int_equal(out->err, 0);
}

void stirca_rsa_sha1(struct buf *out, const struct stirca_cert *c,
		     const char *data, size_t len)
{
	gnutls_datum_t sig, b64;

	sign(&sig, c, GNUTLS_DIG_SHA1, data, len);
	assert_int_equal(gnutls_base64_encode2(&sig, &b64), 0);
	(void)buf_write(out, b64.data, b64.size);
	gnutls_free(sig.data);
	gnutls_free(b64.data);
}

static size_t tlv(uint8_t *o, uint8_t tag, const uint8_t *v, size_t n)
{
	assert_true(n < 128);
	o[0] = tag;
	o[1] = (uint8_t)n;
	memcpy(o + 2, v, n);
	return n + 2;
}

size_t stirca_tnauth(uint8_t *out, size_t max, const char *const *entries,
		     size_t n)
{
	uint8_t body[512], a[128], b[128];
	size_t bl = 0;

	for (size_t i = 0; i < n; i++) {
		const char *e = entries[i];

		if (strncmp(e, "one:", 4) == 0) {
			size_t l = tlv(a, 0x16, (const uint8_t *)e + 4, strlen(e + 4));

			bl += tlv(body + bl, 0xa2, a, l);
		} else if (strncmp(e, "spc:", 4) == 0) {
			size_t l = tlv(a, 0x16, (const uint8_t *)e + 4, strlen(e + 4));

			bl += tlv(body + bl, 0xa0, a, l);
		} else {
			const char *colon = strchr(e + 6, ':');
			unsigned long cnt = strtoul(colon + 1, NULL, 10);
			uint8_t c[4] = {(uint8_t)(cnt >> 16), (uint8_t)(cnt >> 8), (uint8_t)cnt, 0};
			size_t l, cl;

			assert_true(cnt < 0x800000);
			l = tlv(a, 0x16, (const uint8_t *)e + 6, (size_t)(colon - e - 6));
			cl = tlv(a + l, 0x02, c, 3);
			l = tlv(b, 0x30, a, l + cl);
			bl += tlv(body + bl, 0xa1, b, l);
		}
	}
	assert_true(bl + 2 <= max);
	return tlv(out, 0x30, body, bl);
}

void stirca_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}
