/* stir.h - STIR verification without I/O: Identity header -> PASSporT
 * (RFC 8225, SHAKEN RFC 8588) -> checks against the SIP request -> ES256;
 * RFC 8226 certificate checks; the RFC 4474 digest-string. */
#ifndef SIPTTY_UA_STIR_H
#define SIPTTY_UA_STIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "core/buf.h"

struct sip_msg;
struct sip_identity;

/* Bounds: over one is a failure with a sentence, never a truncation. */
#define STIR_HDR_MAX    4096   /* an Identity header value, bytes */
#define STIR_TOKEN_MAX  3072   /* a PASSporT in compact serialization */
#define STIR_JSON_MAX   2048   /* a decoded JOSE header or claims set */
#define STIR_ID_MAX     128    /* a canonical identity (orig, dest) */
#define STIR_URL_MAX    512    /* info / x5u */
#define STIR_DEST_MAX   16     /* entries of dest */
#define STIR_CHAIN_MAX  8      /* certificates in one fetched file */

/* One failure: the RFC 8224 response code and one sentence (English;
 * ident.c logs it). */
struct stir_fail {
	uint16_t code;
	char reason[160];
};

/* What the request itself says, in RFC 8224 8.1 canonical form. */
struct stir_sip {
	char orig[STIR_ID_MAX];   /* from From */
	bool orig_tn;
	char dest[STIR_ID_MAX];   /* from To */
	bool dest_tn;
	int64_t date;             /* Date, seconds since 1970 */
	bool has_date;
};

/* A parsed PASSporT whose claims match the request. */
struct stir_token {
	bool compact;
	bool shaken;
	char x5u[STIR_URL_MAX];
	int64_t iat;
	char attest;              /* 'A', 'B', 'C' or 0 */
	char sinput[2 * STIR_TOKEN_MAX];  /* b64u(header) "." b64u(payload) */
	size_t sinput_len;
	uint8_t sig[64];          /* R || S */
};

/* Canonical form of a URI given as text (From/To or a token's "uri"). */
int stir_canon_uri(char *out, size_t sz, const char *uri, size_t len,
		   bool *is_tn);
/* A token's "tn": digits, '#', '*' kept; '+' and the visual separators
 * '-', '.', '(', ')', ' ' dropped; anything else is EBADMSG. */
int stir_canon_tn(char *out, size_t sz, const char *tn, size_t len);

/* Fills s from the From, To and Date of msg. */
int stir_sip_from_msg(struct stir_sip *s, struct sip_msg *msg,
		      struct stir_fail *f);
/* Same from text (tests, fuzzers); date < 0: no Date. */
int stir_sip_set(struct stir_sip *s, const char *from_uri,
		 const char *to_uri, int64_t date, struct stir_fail *f);

/*
 * One Identity header: ENOTSUP when its ppt is one we do not know (the
 * header is ignored, RFC 8224 6.2.1), EBADMSG with f filled when it is
 * invalid, 0 with t filled when the token is well formed, x5u equals
 * info, and orig/dest match From/To.  The signature, time and
 * certificate are checked by the functions below.
 */
int stir_parse(struct stir_token *t, const struct sip_identity *id,
	       const struct stir_sip *s, struct stir_fail *f);
/* The full-form part of stir_parse: jws is "hdr.payload.sig"; ppt is the
 * Identity header's ppt parameter or NULL. */
int stir_passport_parse(struct stir_token *t, const char *jws, size_t len,
			const char *info, const char *ppt,
			const struct stir_sip *s, struct stir_fail *f);

/* iat within window seconds of now, past or future: else 403. */
int stir_check_iat(const struct stir_token *t, int64_t now,
		   unsigned window, struct stir_fail *f);
/* ES256 over sinput with pk: else 438. */
int stir_verify_sig(const struct stir_token *t, gnutls_pubkey_t pk,
		    struct stir_fail *f);

/*
 * The certificate file fetched from x5u (PEM with the leaf first and any
 * intermediates, or one DER certificate): chain to a trust anchor of tl,
 * every certificate valid at `at`, the leaf an ECDSA P-256 key, and its
 * TNAuthList (when present) covering orig.  SPC-only lists: accepted for
 * SHAKEN (the service provider attests with its attest level), refused
 * for other PASSporTs (a code names no number).  On 0, *pkp is the
 * leaf's key (gnutls_pubkey_deinit it) and signer its subject DN.
 */
int stir_cert_check(const uint8_t *data, size_t len,
		    gnutls_x509_trust_list_t tl, int64_t at,
		    const struct stir_sip *s, bool shaken, bool want_ec,
		    gnutls_pubkey_t *pkp, char *signer, size_t ssz,
		    struct stir_fail *f);
/* notAfter of the first certificate in data, for caches: 0 or EBADMSG. */
int stir_cert_expiry(const uint8_t *data, size_t len, int64_t *tp);

/* base64url (or base64) without padding; '=' padding tolerated. */
int stir_b64_decode(uint8_t *out, size_t max, size_t *outlen,
		    const char *in, size_t len);
int stir_b64u_encode(struct buf *out, const uint8_t *in, size_t len);
/* Raw R||S (2 x 32 bytes) -> DER ECDSA-Sig-Value; *outlen <= 72. */
int stir_rs_to_der(uint8_t *out, size_t max, size_t *outlen,
		   const uint8_t rs[64]);

/* RFC 4474 9: the digest-string the legacy signature covers. */
int stir_4474_digest_string(struct buf *out, struct sip_msg *msg);
/* RFC 4474 check: rsa-sha1 of the digest-string ds with the
 * certificate's key, the certificate chaining to tl and valid at date
 * (the Date header), its subject naming from_host, date within 3600 s
 * of now.  0, or EBADMSG with f. */
int stir_4474_verify(const uint8_t *cert, size_t certlen,
		     gnutls_x509_trust_list_t tl, const char *ds, size_t dslen,
		     int64_t date, const char *from_host,
		     const char *sig_b64, size_t siglen, int64_t now,
		     char *signer, size_t ssz, struct stir_fail *f);

#endif
