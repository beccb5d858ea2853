/* digest.h - HTTP digest computations for SIP (RFC 7616, RFC 8760, RFC 3261 section 22). */
#ifndef SIPTTY_DIGEST_H
#define SIPTTY_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pl.h"

enum digest_alg {
	DIGEST_ALG_UNKNOWN = 0,
	DIGEST_ALG_MD5,
	DIGEST_ALG_MD5_SESS,
	DIGEST_ALG_SHA256,
	DIGEST_ALG_SHA256_SESS,
	DIGEST_ALG_SHA512_256,
	DIGEST_ALG_SHA512_256_SESS,
};

enum digest_qop {
	DIGEST_QOP_NONE = 0,   /* legacy RFC 2069 form: no qop, cnonce or nc */
	DIGEST_QOP_AUTH,
	DIGEST_QOP_AUTH_INT,
};

/* Room for the longest hex digest (SHA-256, SHA-512/256) and its NUL. */
#define DIGEST_HEX_SIZE 65
/* Room for an nc-value (8 lower-case hex digits) and its NUL. */
#define DIGEST_NC_SIZE 9

/*
 * The inputs of one computation. The password (or a stored HA1) is a
 * secret: the functions below wipe every intermediate that holds it.
 * Slices need not be NUL-terminated.
 */
struct digest_params {
	enum digest_alg alg;
	struct pl user;       /* the real user name, even when userhash is sent */
	struct pl realm;
	struct pl password;   /* ignored when ha1 is set */
	struct pl ha1;        /* optional stored H(user:realm:password), hex */
	struct pl nonce;
	struct pl cnonce;     /* needed for qop and for -sess */
	uint32_t nc;          /* nonce count, 1 for the first use of a nonce */
	enum digest_qop qop;
	struct pl method;     /* request method; unused for rspauth */
	struct pl uri;        /* digest-uri, the Request-URI as sent */
	const void *body;     /* auth-int only: the message body */
	size_t body_len;
};

/* An absent name (p == NULL) is MD5 (RFC 7616 3.3); an unknown one is DIGEST_ALG_UNKNOWN. */
enum digest_alg digest_alg_parse(const struct pl *name);
const char *digest_alg_name(enum digest_alg alg);
bool digest_alg_is_sess(enum digest_alg alg);
/* Hex length of the algorithm's digests (32 or 64), 0 for unknown. */
size_t digest_hex_len(enum digest_alg alg);
/*
 * Rank for choosing among challenges of one realm: higher is stronger,
 * 0 is unusable. -sess variants rank with their hash; on a tie keep the
 * topmost challenge (RFC 8760 section 2.4).
 */
int digest_strength(enum digest_alg alg);

/*
 * Picks the qop for a qop-options list ("auth,auth-int"): auth when
 * offered (no body hashing), else auth-int. An unset list is
 * DIGEST_QOP_NONE; a list with neither value is ENOTSUP.
 */
int digest_qop_choose(const struct pl *options, enum digest_qop *qopp);
const char *digest_qop_name(enum digest_qop qop);

/* Formats nc as 8 lower-case hex digits; sz >= DIGEST_NC_SIZE. */
int digest_nc_format(char *out, size_t sz, uint32_t nc);
/* A fresh cnonce: 32 characters from the CSPRNG; sz > 32. */
int digest_cnonce(char *out, size_t sz);

/* H(data) in hex, e.g. H(entity-body) for auth-int. */
int digest_hash(char *hex, size_t sz, enum digest_alg alg, const void *data, size_t len);
/* H(A1) in hex (with the -sess step applied). Secret: wipe it after use. */
int digest_ha1(char *hex, size_t sz, const struct digest_params *p);
/* request-digest with A2 = Method ":" uri [":" H(body)]. */
int digest_response(char *hex, size_t sz, const struct digest_params *p);
/* The rspauth the server should send: A2 = ":" uri [":" H(body)]. */
int digest_rspauth(char *hex, size_t sz, const struct digest_params *p);
/* 0 when rspauth (hex, any case) is right, EACCES when it is not. */
int digest_rspauth_verify(const struct digest_params *p, const struct pl *rspauth);
/* userhash = H(user ":" realm) (RFC 7616 3.4.4). */
int digest_userhash(char *hex, size_t sz, enum digest_alg alg,
		    const struct pl *user, const struct pl *realm);
/*
 * RFC 3329 d-ver: request-digest with
 * A2 = Method ":" uri [":" H(body)] ":" security-server, where the
 * Security-Server value has its LWS collapsed to one SP and trimmed.
 */
int digest_dver(char *hex, size_t sz, const struct digest_params *p,
		const struct pl *security_server);

#endif
