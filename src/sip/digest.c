/* digest.c - digest request-digest, rspauth, userhash and d-ver computations. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <nettle/md5.h>
#include <nettle/memops.h>
#include <nettle/nettle-meta.h>
#include <nettle/sha2.h>

#include "core/rand.h"
#include "sip/digest.h"

#define DIGEST_RAW_MAX 32

/* Large enough for any of the three hashes' state. */
union hash_ctx {
	struct md5_ctx md5;
	struct sha256_ctx sha256;
	struct sha512_ctx sha512;
};

/*
 * One running hash. Inputs that carry the password pass through the
 * context, so it is wiped on every exit path (hash_final/hash_wipe).
 */
struct hash {
	const struct nettle_hash *h;
	union hash_ctx ctx;
};

static const struct {
	const char *name;
	enum digest_alg alg;
} alg_names[] = {
	{"MD5", DIGEST_ALG_MD5},
	{"MD5-sess", DIGEST_ALG_MD5_SESS},
	{"SHA-256", DIGEST_ALG_SHA256},
	{"SHA-256-sess", DIGEST_ALG_SHA256_SESS},
	{"SHA-512-256", DIGEST_ALG_SHA512_256},
	{"SHA-512-256-sess", DIGEST_ALG_SHA512_256_SESS},
};

enum digest_alg digest_alg_parse(const struct pl *name)
{
	size_t i;

	if (!name || !name->p)
		return DIGEST_ALG_MD5;
	for (i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++) {
		if (pl_caseeq_str(name, alg_names[i].name))
			return alg_names[i].alg;
	}
	return DIGEST_ALG_UNKNOWN;
}

const char *digest_alg_name(enum digest_alg alg)
{
	size_t i;

	for (i = 0; i < sizeof(alg_names) / sizeof(alg_names[0]); i++) {
		if (alg_names[i].alg == alg)
			return alg_names[i].name;
	}
	return "unknown";
}

bool digest_alg_is_sess(enum digest_alg alg)
{
	return alg == DIGEST_ALG_MD5_SESS || alg == DIGEST_ALG_SHA256_SESS ||
	       alg == DIGEST_ALG_SHA512_256_SESS;
}

static const struct nettle_hash *alg_hash(enum digest_alg alg)
{
	switch (alg) {
	case DIGEST_ALG_MD5:
	case DIGEST_ALG_MD5_SESS:
		return &nettle_md5;
	case DIGEST_ALG_SHA256:
	case DIGEST_ALG_SHA256_SESS:
		return &nettle_sha256;
	case DIGEST_ALG_SHA512_256:
	case DIGEST_ALG_SHA512_256_SESS:
		/* The real SHA-512/256 (own IV), not a truncated SHA-512. */
		return &nettle_sha512_256;
	default:
		return NULL;
	}
}

size_t digest_hex_len(enum digest_alg alg)
{
	const struct nettle_hash *h = alg_hash(alg);

	return h ? 2 * (size_t)h->digest_size : 0;
}

int digest_strength(enum digest_alg alg)
{
	switch (alg) {
	case DIGEST_ALG_MD5:
	case DIGEST_ALG_MD5_SESS:
		return 1;
	case DIGEST_ALG_SHA256:
	case DIGEST_ALG_SHA256_SESS:
		return 2;
	case DIGEST_ALG_SHA512_256:
	case DIGEST_ALG_SHA512_256_SESS:
		return 3;
	default:
		return 0;
	}
}

static bool is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int digest_qop_choose(const struct pl *options, enum digest_qop *qopp)
{
	bool auth = false, auth_int = false;
	struct pl rest, item;
	const char *comma;

	if (!qopp)
		return EINVAL;
	if (!options || !options->p) {
		*qopp = DIGEST_QOP_NONE;
		return 0;
	}
	rest = *options;
	for (;;) {
		comma = pl_chr(&rest, ',');
		item.p = rest.p;
		item.l = comma ? (size_t)(comma - rest.p) : rest.l;
		pl_trim(&item);
		if (pl_caseeq_str(&item, "auth"))
			auth = true;
		else if (pl_caseeq_str(&item, "auth-int"))
			auth_int = true;
		if (!comma)
			break;
		rest.l -= (size_t)(comma + 1 - rest.p);
		rest.p = comma + 1;
	}
	if (auth)
		*qopp = DIGEST_QOP_AUTH;
	else if (auth_int)
		*qopp = DIGEST_QOP_AUTH_INT;
	else
		return ENOTSUP;
	return 0;
}

const char *digest_qop_name(enum digest_qop qop)
{
	switch (qop) {
	case DIGEST_QOP_AUTH:
		return "auth";
	case DIGEST_QOP_AUTH_INT:
		return "auth-int";
	default:
		return "";
	}
}

int digest_nc_format(char *out, size_t sz, uint32_t nc)
{
	if (!out || sz < DIGEST_NC_SIZE)
		return EINVAL;
	(void)snprintf(out, sz, "%08x", (unsigned)nc);
	return 0;
}

int digest_cnonce(char *out, size_t sz)
{
	/* 32 alphanumerics carry about 190 bits: unguessable, and needs no quoting. */
	return rand_token(out, sz, 32);
}

static int hash_init(struct hash *hs, enum digest_alg alg)
{
	hs->h = alg_hash(alg);
	if (!hs->h)
		return EINVAL;
	hs->h->init(&hs->ctx);
	return 0;
}

static void hash_put(struct hash *hs, const void *p, size_t n)
{
	if (n)
		hs->h->update(&hs->ctx, n, p);
}

static void hash_putpl(struct hash *hs, const struct pl *pl)
{
	hash_put(hs, pl->p, pl->l);
}

static void hash_colon(struct hash *hs)
{
	hash_put(hs, ":", 1);
}

static void hash_wipe(struct hash *hs)
{
	explicit_bzero(&hs->ctx, sizeof(hs->ctx));
}

/* Ends the hash into raw (digest_size bytes) and wipes the state. */
static size_t hash_final(struct hash *hs, uint8_t *raw)
{
	size_t n = hs->h->digest_size;

	hs->h->digest(&hs->ctx, n, raw);
	hash_wipe(hs);
	return n;
}

static void to_hex(char *hex, const uint8_t *raw, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 0xf];
	}
	hex[2 * n] = '\0';
}

/* Ends the hash as lower-case hex into a buffer of DIGEST_HEX_SIZE. */
static void hash_final_hex(struct hash *hs, char *hex)
{
	uint8_t raw[DIGEST_RAW_MAX];
	size_t n;

	n = hash_final(hs, raw);
	to_hex(hex, raw, n);
	explicit_bzero(raw, sizeof(raw));
}

static int check_out(const struct digest_params *p, char *hex, size_t sz)
{
	if (!p || !hex)
		return EINVAL;
	if (!alg_hash(p->alg))
		return EINVAL;
	if (sz < digest_hex_len(p->alg) + 1)
		return EINVAL;
	return 0;
}

static bool is_hex(const struct pl *pl, size_t len)
{
	size_t i;

	if (pl->l != len)
		return false;
	for (i = 0; i < len; i++) {
		char c = pl->p[i];

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* H(A1) into hex[DIGEST_HEX_SIZE]; every temporary is wiped. */
static int ha1_hex(char *hex, const struct digest_params *p)
{
	char inner[DIGEST_HEX_SIZE];
	struct hash hs;
	size_t hl = digest_hex_len(p->alg);
	int err = 0;

	if (p->ha1.p) {
		/* A stored HA1 must be the right hash's length, else the
		 * configuration names another algorithm. */
		if (!is_hex(&p->ha1, hl))
			return EINVAL;
		for (size_t i = 0; i < hl; i++) {
			char c = p->ha1.p[i];

			inner[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
		}
		inner[hl] = '\0';
	}
	else {
		err = hash_init(&hs, p->alg);
		if (err)
			return err;
		hash_putpl(&hs, &p->user);
		hash_colon(&hs);
		hash_putpl(&hs, &p->realm);
		hash_colon(&hs);
		hash_putpl(&hs, &p->password);
		hash_final_hex(&hs, inner);
	}

	if (!digest_alg_is_sess(p->alg)) {
		memcpy(hex, inner, hl + 1);
		goto out;
	}
	err = hash_init(&hs, p->alg);
	if (err)
		goto out;
	hash_put(&hs, inner, hl);
	hash_colon(&hs);
	hash_putpl(&hs, &p->nonce);
	hash_colon(&hs);
	hash_putpl(&hs, &p->cnonce);
	hash_final_hex(&hs, hex);
	err = 0;
 out:
	explicit_bzero(inner, sizeof(inner));
	return err;
}

int digest_ha1(char *hex, size_t sz, const struct digest_params *p)
{
	char tmp[DIGEST_HEX_SIZE];
	int err;

	err = check_out(p, hex, sz);
	if (err)
		return err;
	err = ha1_hex(tmp, p);
	if (!err)
		memcpy(hex, tmp, digest_hex_len(p->alg) + 1);
	explicit_bzero(tmp, sizeof(tmp));
	return err;
}

int digest_hash(char *hex, size_t sz, enum digest_alg alg, const void *data, size_t len)
{
	struct hash hs;
	int err;

	if (!hex || (!data && len) || !alg_hash(alg) || sz < digest_hex_len(alg) + 1)
		return EINVAL;
	err = hash_init(&hs, alg);
	if (err)
		return err;
	if (len)
		hash_put(&hs, data, len);
	hash_final_hex(&hs, hex);
	return 0;
}

/* H(body) as hex; an absent body hashes as the empty string. */
static int body_hex(char *hex, const struct digest_params *p)
{
	struct hash hs;
	int err;

	err = hash_init(&hs, p->alg);
	if (err)
		return err;
	if (p->body && p->body_len)
		hash_put(&hs, p->body, p->body_len);
	hash_final_hex(&hs, hex);
	return 0;
}

/* Feeds a header value with each LWS run as one SP, trimmed at both ends. */
static void hash_put_collapsed(struct hash *hs, const struct pl *v)
{
	bool space = false, started = false;
	size_t i;

	for (i = 0; i < v->l; i++) {
		char c = v->p[i];

		if (is_lws(c)) {
			space = started;
			continue;
		}
		if (space)
			hash_put(hs, " ", 1);
		hash_put(hs, &c, 1);
		space = false;
		started = true;
	}
}

enum a2_kind {
	A2_REQUEST,   /* Method ":" uri */
	A2_RSPAUTH,   /* ":" uri */
	A2_DVER,      /* Method ":" uri ":" security-server */
};

/*
 * The common shape of every digest the UA computes:
 * KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)), or without qop
 * KD(H(A1), nonce ":" H(A2)).
 */
static int request_digest(char *hex, size_t sz, const struct digest_params *p,
			  enum a2_kind kind, const struct pl *secsrv)
{
	char ha1[DIGEST_HEX_SIZE], ha2[DIGEST_HEX_SIZE], hbody[DIGEST_HEX_SIZE];
	char nc[DIGEST_NC_SIZE];
	const char *qop;
	struct hash hs;
	size_t hl;
	int err;

	err = check_out(p, hex, sz);
	if (err)
		return err;
	if (p->qop != DIGEST_QOP_NONE && p->qop != DIGEST_QOP_AUTH &&
	    p->qop != DIGEST_QOP_AUTH_INT)
		return EINVAL;
	hl = digest_hex_len(p->alg);

	/* H(A2) */
	err = hash_init(&hs, p->alg);
	if (err)
		return err;
	if (kind != A2_RSPAUTH)
		hash_putpl(&hs, &p->method);
	hash_colon(&hs);
	hash_putpl(&hs, &p->uri);
	if (p->qop == DIGEST_QOP_AUTH_INT) {
		err = body_hex(hbody, p);
		if (err) {
			hash_wipe(&hs);
			return err;
		}
		hash_colon(&hs);
		hash_put(&hs, hbody, hl);
	}
	if (kind == A2_DVER) {
		hash_colon(&hs);
		hash_put_collapsed(&hs, secsrv);
	}
	hash_final_hex(&hs, ha2);

	err = ha1_hex(ha1, p);
	if (err)
		goto out;

	err = hash_init(&hs, p->alg);
	if (err)
		goto out;
	hash_put(&hs, ha1, hl);
	hash_colon(&hs);
	hash_putpl(&hs, &p->nonce);
	hash_colon(&hs);
	if (p->qop != DIGEST_QOP_NONE) {
		(void)digest_nc_format(nc, sizeof(nc), p->nc);
		qop = digest_qop_name(p->qop);
		hash_put(&hs, nc, 8);
		hash_colon(&hs);
		hash_putpl(&hs, &p->cnonce);
		hash_colon(&hs);
		hash_put(&hs, qop, strlen(qop));
		hash_colon(&hs);
	}
	hash_put(&hs, ha2, hl);
	hash_final_hex(&hs, hex);
 out:
	explicit_bzero(ha1, sizeof(ha1));
	return err;
}

int digest_response(char *hex, size_t sz, const struct digest_params *p)
{
	return request_digest(hex, sz, p, A2_REQUEST, NULL);
}

int digest_rspauth(char *hex, size_t sz, const struct digest_params *p)
{
	return request_digest(hex, sz, p, A2_RSPAUTH, NULL);
}

int digest_dver(char *hex, size_t sz, const struct digest_params *p,
		const struct pl *security_server)
{
	if (!security_server)
		return EINVAL;
	return request_digest(hex, sz, p, A2_DVER, security_server);
}

int digest_rspauth_verify(const struct digest_params *p, const struct pl *rspauth)
{
	char want[DIGEST_HEX_SIZE], got[DIGEST_HEX_SIZE];
	size_t hl, i;
	int err;

	if (!p || !rspauth)
		return EINVAL;
	hl = digest_hex_len(p->alg);
	if (!hl)
		return EINVAL;
	if (rspauth->l != hl)
		return EACCES;
	err = digest_rspauth(want, sizeof(want), p);
	if (err)
		return err;
	for (i = 0; i < hl; i++) {
		char c = rspauth->p[i];

		got[i] = (c >= 'A' && c <= 'F') ? (char)(c - 'A' + 'a') : c;
	}
	/* A timing leak here would let an active attacker forge rspauth
	 * byte by byte; compare in constant time. */
	err = memeql_sec(want, got, hl) ? 0 : EACCES;
	explicit_bzero(want, sizeof(want));
	return err;
}

int digest_userhash(char *hex, size_t sz, enum digest_alg alg,
		    const struct pl *user, const struct pl *realm)
{
	struct hash hs;
	int err;

	if (!hex || !user || !realm)
		return EINVAL;
	if (!alg_hash(alg) || sz < digest_hex_len(alg) + 1)
		return EINVAL;
	err = hash_init(&hs, alg);
	if (err)
		return err;
	hash_putpl(&hs, user);
	hash_colon(&hs);
	hash_putpl(&hs, realm);
	hash_final_hex(&hs, hex);
	return 0;
}
