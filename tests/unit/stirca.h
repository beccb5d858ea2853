/* stirca.h - test helper: keys, certificates and signed PASSporTs made with GnuTLS at test time. */
#ifndef SIPTTY_TESTS_STIRCA_H
#define SIPTTY_TESTS_STIRCA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "core/buf.h"

struct stirca_cert {
	gnutls_x509_privkey_t key;
	gnutls_x509_crt_t crt;
};

/* A key: ECDSA P-256 (ec) or RSA 2048. */
void stirca_key(gnutls_x509_privkey_t *k, bool ec);
/* A certificate for cn (also a dNSName when dns is set); issuer NULL:
 * self-signed CA.  tnauth: DER of a TNAuthList extension or NULL. */
void stirca_make(struct stirca_cert *c, const struct stirca_cert *issuer,
		 const char *cn, bool ca, bool ec, time_t nb, time_t na,
		 const uint8_t *tnauth, size_t tnlen, const char *dns,
		 const char *ip);
void stirca_free(struct stirca_cert *c);
/* Appends the certificate (and key) in PEM. */
void stirca_pem(struct buf *out, const struct stirca_cert *c);
void stirca_key_pem(struct buf *out, const struct stirca_cert *c);
/* b64u(hdr) "." b64u(payload) "." b64u(R||S) with c's EC key. */
void stirca_passport(struct buf *out, const struct stirca_cert *c,
		     const char *hdr, const char *payload);
/* base64 of an RSA-SHA1 signature over data (RFC 4474). */
void stirca_rsa_sha1(struct buf *out, const struct stirca_cert *c,
		     const char *data, size_t len);
/* TNAuthList DER: entries "one:NUMBER", "spc:CODE", "range:START:COUNT". */
size_t stirca_tnauth(uint8_t *out, size_t max, const char *const *entries,
		     size_t n);
void stirca_write(const char *path, const void *data, size_t len);

#endif
