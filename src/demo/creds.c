/* creds.c - the demo's throwaway TLS and STIR credentials, and PASSporT signing. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <gnutls/x509.h>

#include "core/buf.h"
#include "core/rand.h"
#include "demo/creds.h"
#include "ua/stir.h"

#define DAY 86400

struct pair {
	gnutls_x509_crt_t crt;
	gnutls_x509_privkey_t key;
};

static void pair_free(struct pair *p)
{
	if (p->crt)
		gnutls_x509_crt_deinit(p->crt);
	if (p->key)
		gnutls_x509_privkey_deinit(p->key);
	p->crt = NULL;
	p->key = NULL;
}

static int gerr(int e)
{
	return e < 0 ? EIO : 0;
}

/* A new P-256 key and a certificate for it, not yet signed. */
static int pair_new(struct pair *p, const char *dn, unsigned serial)
{
	time_t now = time(NULL);
	unsigned char id[64];
	size_t idlen = sizeof(id);
	const char *pos;
	int e;

	memset(p, 0, sizeof(*p));
	e = gnutls_x509_privkey_init(&p->key);
	if (!e)
		e = gnutls_x509_privkey_generate(p->key, GNUTLS_PK_ECDSA,
			GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0);
	if (!e)
		e = gnutls_x509_crt_init(&p->crt);
	if (!e)
		e = gnutls_x509_crt_set_version(p->crt, 3);
	if (!e) {
		unsigned char sn[4] = {0x10, (unsigned char)(serial >> 16),
				       (unsigned char)(serial >> 8),
				       (unsigned char)serial};

		e = gnutls_x509_crt_set_serial(p->crt, sn, sizeof(sn));
	}
	if (!e)
		e = gnutls_x509_crt_set_activation_time(p->crt, now - DAY);
	if (!e)
		e = gnutls_x509_crt_set_expiration_time(p->crt, now + 7 * DAY);
	if (!e)
		e = gnutls_x509_crt_set_dn(p->crt, dn, &pos);
	if (!e)
		e = gnutls_x509_crt_set_key(p->crt, p->key);
	if (!e)
		e = gnutls_x509_crt_get_key_id(p->crt, 0, id, &idlen);
	if (!e)
		e = gnutls_x509_crt_set_subject_key_id(p->crt, id, idlen);
	if (e)
		pair_free(p);
	return gerr(e);
}

static int pair_sign(struct pair *p, const struct pair *issuer)
{
	unsigned char id[64];
	size_t idlen = sizeof(id);
	int e;

	e = gnutls_x509_crt_get_key_id(issuer->crt, 0, id, &idlen);
	if (!e && p != issuer)
		e = gnutls_x509_crt_set_authority_key_id(p->crt, id, idlen);
	if (!e)
		e = gnutls_x509_crt_sign2(p->crt, issuer->crt, issuer->key,
					  GNUTLS_DIG_SHA256, 0);
	return gerr(e);
}

static int make_ca(struct pair *p, const char *dn, unsigned serial)
{
	int e = pair_new(p, dn, serial);

	if (!e)
		e = gerr(gnutls_x509_crt_set_basic_constraints(p->crt, 1, 0));
	if (!e)
		e = gerr(gnutls_x509_crt_set_key_usage(p->crt,
			GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN));
	if (!e)
		e = pair_sign(p, p);
	if (e)
		pair_free(p);
	return e;
}

static int write_file(const char *path, const gnutls_datum_t *d, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	ssize_t n;

	if (fd < 0)
		return errno;
	n = write(fd, d->data, d->size);
	if (close(fd) < 0 || n != (ssize_t)d->size)
		return EIO;
	return 0;
}

static int save_crt(const struct pair *p, const char *path)
{
	gnutls_datum_t d = {NULL, 0};
	int err;

	if (gnutls_x509_crt_export2(p->crt, GNUTLS_X509_FMT_PEM, &d) < 0)
		return EIO;
	err = write_file(path, &d, 0644);
	gnutls_free(d.data);
	return err;
}

static int save_key(const struct pair *p, const char *path)
{
	gnutls_datum_t d = {NULL, 0};
	int err;

	if (gnutls_x509_privkey_export2(p->key, GNUTLS_X509_FMT_PEM, &d) < 0)
		return EIO;
	err = write_file(path, &d, 0600);
	gnutls_memset(d.data, 0, d.size);
	gnutls_free(d.data);
	return err;
}

/*
 * RFC 8226 TNAuthList with one TelephoneNumber: SEQUENCE { [2] EXPLICIT
 * IA5String tn } (the module's tags are explicit).
 */
static int tnauth_der(unsigned char *out, size_t sz, size_t *lenp,
		      const char *tn)
{
	size_t n = strlen(tn);

	if (n < 1 || n > 15 || sz < n + 6)
		return EINVAL;
	out[0] = 0x30;
	out[1] = (unsigned char)(n + 4);
	out[2] = 0xa2;
	out[3] = (unsigned char)(n + 2);
	out[4] = 0x16;
	out[5] = (unsigned char)n;
	memcpy(out + 6, tn, n);
	*lenp = n + 6;
	return 0;
}

static void path_of(char *out, size_t sz, const char *dir, const char *name)
{
	snprintf(out, sz, "%s/%s", dir, name);
}

int demo_creds_make(struct demo_creds *c, const char *tn)
{
	struct pair ca = {0}, srv = {0}, sca = {0}, leaf = {0};
	const char *base = getenv("XDG_RUNTIME_DIR");
	unsigned char ext[32];
	unsigned char ip4[4] = {127, 0, 0, 1};
	unsigned char ip6[16] = {0};
	size_t extlen = 0;
	size_t dnlen;
	int err;

	memset(c, 0, sizeof(*c));
	ip6[15] = 1;
	if (!base || !*base || access(base, W_OK))
		base = "/tmp";
	snprintf(c->dir, sizeof(c->dir), "%s/siptty-demo-XXXXXX", base);
	if (!mkdtemp(c->dir))
		return errno;
	path_of(c->ca, sizeof(c->ca), c->dir, "ca.pem");
	path_of(c->server_cert, sizeof(c->server_cert), c->dir, "server.pem");
	path_of(c->server_key, sizeof(c->server_key), c->dir, "server-key.pem");
	path_of(c->stir_ca, sizeof(c->stir_ca), c->dir, "stir-ca.pem");
	path_of(c->stir_cert, sizeof(c->stir_cert), c->dir, "stir.pem");

	err = make_ca(&ca, "CN=siptty demo TLS CA,O=siptty demo", 1);
	if (!err)
		err = pair_new(&srv, "CN=localhost,O=siptty demo", 2);
	if (!err)
		err = gerr(gnutls_x509_crt_set_subject_alt_name(srv.crt,
			GNUTLS_SAN_DNSNAME, "localhost", 9, GNUTLS_FSAN_APPEND));
	if (!err)
		err = gerr(gnutls_x509_crt_set_subject_alt_name(srv.crt,
			GNUTLS_SAN_IPADDRESS, ip4, 4, GNUTLS_FSAN_APPEND));
	if (!err)
		err = gerr(gnutls_x509_crt_set_subject_alt_name(srv.crt,
			GNUTLS_SAN_IPADDRESS, ip6, 16, GNUTLS_FSAN_APPEND));
	if (!err)
		err = gerr(gnutls_x509_crt_set_key_purpose_oid(srv.crt,
			GNUTLS_KP_TLS_WWW_SERVER, 0));
	if (!err)
		err = gerr(gnutls_x509_crt_set_key_usage(srv.crt,
			GNUTLS_KEY_DIGITAL_SIGNATURE));
	if (!err)
		err = pair_sign(&srv, &ca);

	if (!err)
		err = make_ca(&sca, "CN=siptty demo STIR CA,O=siptty demo", 3);
	if (!err)
		err = pair_new(&leaf, "CN=siptty demo signer,O=siptty demo", 4);
	if (!err)
		err = gerr(gnutls_x509_crt_set_key_usage(leaf.crt,
			GNUTLS_KEY_DIGITAL_SIGNATURE));
	if (!err)
		err = tnauth_der(ext, sizeof(ext), &extlen, tn);
	if (!err)
		err = gerr(gnutls_x509_crt_set_extension_by_oid(leaf.crt,
			"1.3.6.1.5.5.7.1.26", ext, extlen, 0));
	if (!err)
		err = pair_sign(&leaf, &sca);

	if (!err)
		err = save_crt(&ca, c->ca);
	if (!err)
		err = save_crt(&srv, c->server_cert);
	if (!err)
		err = save_key(&srv, c->server_key);
	if (!err)
		err = save_crt(&sca, c->stir_ca);
	if (!err)
		err = save_crt(&leaf, c->stir_cert);
	if (!err) {
		dnlen = sizeof(c->signer_dn);
		if (gnutls_x509_crt_get_dn(leaf.crt, c->signer_dn, &dnlen) < 0)
			c->signer_dn[0] = '\0';
	}
	if (!err)
		err = gerr(gnutls_privkey_init(&c->stir_key));
	if (!err)
		err = gerr(gnutls_privkey_import_x509(c->stir_key, leaf.key,
			GNUTLS_PRIVKEY_IMPORT_COPY));
	pair_free(&ca);
	pair_free(&srv);
	pair_free(&sca);
	pair_free(&leaf);
	if (err)
		demo_creds_free(c);
	return err;
}

void demo_creds_free(struct demo_creds *c)
{
	const char *files[] = {c->ca, c->server_cert, c->server_key,
			       c->stir_ca, c->stir_cert};

	if (c->stir_key)
		gnutls_privkey_deinit(c->stir_key);
	c->stir_key = NULL;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (files[i][0])
			(void)unlink(files[i]);
	}
	if (c->dir[0])
		(void)rmdir(c->dir);
	memset(c, 0, sizeof(*c));
}

/* A 32-byte big-endian integer from a DER INTEGER's value. */
static int fixed32(unsigned char *out, const gnutls_datum_t *v)
{
	const unsigned char *p = v->data;
	size_t n = v->size;

	while (n > 32 && *p == 0) {
		p++;
		n--;
	}
	if (n > 32)
		return EINVAL;
	memset(out, 0, 32 - n);
	memcpy(out + 32 - n, p, n);
	return 0;
}

int demo_passport(char *out, size_t sz, const struct demo_creds *c,
		  const char *x5u, const char *orig_tn, const char *dest_tn,
		  int64_t iat)
{
	char hdr[512], pay[512];
	unsigned char uuid[16], rs[64];
	struct buf jws;
	gnutls_datum_t data, sig = {NULL, 0}, r = {NULL, 0}, s = {NULL, 0};
	int n, err;

	if (rand_bytes(uuid, sizeof(uuid)))
		return EIO;
	uuid[6] = (uuid[6] & 0x0f) | 0x40;
	uuid[8] = (uuid[8] & 0x3f) | 0x80;
	/* Canonical JSON (RFC 8225 9): no spaces, keys in order. */
	n = snprintf(hdr, sizeof(hdr),
		     "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
		     "\"x5u\":\"%s\"}", x5u);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		return E2BIG;
	n = snprintf(pay, sizeof(pay),
		     "{\"attest\":\"A\",\"dest\":{\"tn\":[\"%s\"]},\"iat\":%lld,"
		     "\"orig\":{\"tn\":\"%s\"},\"origid\":\"%02x%02x%02x%02x-"
		     "%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\"}",
		     dest_tn, (long long)iat, orig_tn, uuid[0], uuid[1],
		     uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7],
		     uuid[8], uuid[9], uuid[10], uuid[11], uuid[12], uuid[13],
		     uuid[14], uuid[15]);
	if (n < 0 || (size_t)n >= sizeof(pay))
		return E2BIG;
	/* b64u(header) "." b64u(payload) is what is signed. */
	buf_init(&jws, sz);
	(void)stir_b64u_encode(&jws, (const uint8_t *)hdr, strlen(hdr));
	(void)buf_putc(&jws, '.');
	(void)stir_b64u_encode(&jws, (const uint8_t *)pay, strlen(pay));
	if (jws.err) {
		buf_free(&jws);
		return E2BIG;
	}
	data.data = (unsigned char *)jws.data;
	data.size = (unsigned)jws.len;
	err = gnutls_privkey_sign_data(c->stir_key, GNUTLS_DIG_SHA256, 0,
				       &data, &sig) < 0 ? EIO : 0;
	if (!err && gnutls_decode_rs_value(&sig, &r, &s) < 0)
		err = EIO;
	if (!err)
		err = fixed32(rs, &r);
	if (!err)
		err = fixed32(rs + 32, &s);
	if (!err) {
		(void)buf_putc(&jws, '.');
		(void)stir_b64u_encode(&jws, rs, sizeof(rs));
		(void)buf_printf(&jws, ";info=<%s>;alg=ES256;ppt=shaken", x5u);
		err = jws.err ? E2BIG : 0;
	}
	if (!err) {
		n = snprintf(out, sz, "%s", jws.data);
		err = n < 0 || (size_t)n >= sz ? E2BIG : 0;
	}
	gnutls_free(sig.data);
	gnutls_free(r.data);
	gnutls_free(s.data);
	buf_free(&jws);
	return err;
}
