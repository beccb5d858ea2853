/* msg_int.h - private to src/sip: the message struct, its arena, and the scanner the decoders share. */
#ifndef SIPTTY_SIP_MSG_INT_H
#define SIPTTY_SIP_MSG_INT_H

#include <errno.h>
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sip/msg.h"

/* How a header's value decodes (typed.c dispatches on it). */
enum sip_kind {
	K_NONE = 0,
	K_VIA,
	K_ADDR,        /* one name-addr / addr-spec */
	K_ADDRS,       /* list of them */
	K_CONTACT,     /* list, or "*" */
	K_INFO,        /* list of <absoluteURI> *(;param) */
	K_CSEQ,
	K_CALLID,
	K_CALLIDS,
	K_UINT,
	K_TOKENS,      /* 1*token list */
	K_TOKENS0,     /* token list that may be empty */
	K_PRIVACY,
	K_PMA,
	K_CTYPE,
	K_ACCEPT,
	K_TPARAM,
	K_TPARAMS,
	K_DELTA,
	K_REPLACES,
	K_AUTH,
	K_AINFO,
	K_SECMECH,
	K_IDENTITY,
	K_IDINFO,
	K_DATE,
	K_WARNING,
	K_RETRY,
	K_EVENT,
	K_SUBSTATE,
	K_RACK,
};

#define F_SINGLE 0x01

/* struct sip_hdr marks: set by the line splitter, which sees every byte
 * of a value anyway, so that a list decoder need not look for a comma in
 * a line that has none. */
enum {
	SIP_HM_SCANNED = 1 << 0,   /* the other bits are known */
	SIP_HM_COMMA   = 1 << 1,   /* val holds a ',' */
};

struct sip_hdr_info {
	const char *name;
	char compact;
	uint8_t kind;
	uint8_t flags;
	const char *bad;        /* "Bad Via" */
	const char *missing;    /* "Missing Via" */
	const char *dup;        /* "Duplicate Via" */
};

const struct sip_hdr_info *sip_hdr_info(enum sip_hdr_id id);
/* The table behind sip_hdr_info(), for hot paths that hold a valid id. */
extern const struct sip_hdr_info sip_hdr_tab[SIP_HDR_NUM];

/* Arena chunks past the one inside the message allocation. */
struct sip_chunk {
	struct sip_chunk *next;
	size_t cap;
	size_t used;
	alignas(max_align_t) char data[];
};

/* A cached typed form: val points into the arena, or err says why not. */
struct sip_tc {
	const void *val;
	int err;
};

_Static_assert(SIP_HDR_NUM <= 128, "typed cache bitmap holds 128 ids");

struct sip_msg {
	bool req;
	struct pl method;
	enum sip_method mid;
	struct pl ruri;
	uint16_t status;
	struct pl reason;
	struct pl body;

	struct sip_hdr *hdrs;
	size_t nhdr;
	size_t hdrcap;
	bool hdrs_heap;         /* hdrs was malloc'd by an edit */
	/* Bytes of the allocation that holds this struct, when it came
	 * from sip_msg_decode() (so it may be kept for the next one);
	 * 0 for a message built by build.c. */
	size_t blk_cap;

	char *ar;               /* first arena chunk, in this allocation */
	size_t ar_used;
	size_t ar_cap;
	struct sip_chunk *chunks;

	bool ruri_done;
	int ruri_err;
	struct sip_uri ruri_u;
	uint64_t tdone[2];      /* tc[id] valid */
	uint16_t hnum[SIP_HDR_NUM];  /* header lines per id */
	/* Last, so that a new message zeroes everything before it only. */
	struct sip_tc tc[SIP_HDR_NUM];
};

/* Memory that lives as long as the message; NULL when out of memory. */
void *sip_msg_mem(struct sip_msg *msg, size_t n);
/* The same, with the common case (room left in the first chunk) inline:
 * each typed header takes one or two of these. */
static inline void *sip_msg_mem_fast(struct sip_msg *msg, size_t n)
{
	size_t a = (n + alignof(max_align_t) - 1) &
		~(alignof(max_align_t) - 1);

	if (n && msg->ar_cap - msg->ar_used >= a) {
		void *p = msg->ar + msg->ar_used;

		msg->ar_used += a;
		return p;
	}
	return sip_msg_mem(msg, n);
}
/* A copy of the bytes in the arena. */
int sip_msg_memdup(struct sip_msg *msg, struct pl *dst, const void *p,
		   size_t n);
/* Forgets the typed form of id (after an edit). */
void sip_msg_tc_drop(struct sip_msg *msg, enum sip_hdr_id id);

/*
 * memset(p, 0, n) for the structs the decoders fill (n a constant of a
 * few hundred bytes at most): plain 16-byte stores.  A memset() that
 * size becomes "rep stos", whose start-up costs more than the stores;
 * the empty asm keeps the compiler from turning the loop back into one.
 */
static inline void sip_zero(void *p, size_t n)
{
#ifdef __SSE2__
	char *c = p;

	if (n >= 16) {
		/* Unrolled: n is a constant, and a loop costs a compare and
		 * a branch per store. */
#pragma GCC unroll 32
		for (size_t i = 0; i + 16 <= n; i += 16) {
			_mm_storeu_si128((__m128i *)(void *)(c + i),
					 _mm_setzero_si128());
			__asm__("" : "+r"(c));
		}
		if (n % 16)
			_mm_storeu_si128((__m128i *)(void *)(c + n - 16),
					 _mm_setzero_si128());
		return;
	}
#endif
	memset(p, 0, n);
}

/* ------------------------------------------------------------------ */
/* Scanner: every decoder reads a struct pl from the front.            */
/* ------------------------------------------------------------------ */

enum {
	CT_TOKEN  = 1 << 0,   /* token (RFC 3261 25.1) */
	CT_WORD   = 1 << 1,   /* word, for Call-ID */
	CT_WSP    = 1 << 2,   /* SP HTAB */
	CT_LWS    = 1 << 3,   /* SP HTAB CR LF: inside a value CR/LF are folds */
	CT_DIGIT  = 1 << 4,
	CT_HEX    = 1 << 5,
	CT_SCHEME = 1 << 6,   /* ALPHA DIGIT + - . */
	CT_URIC   = 1 << 7,   /* bytes of an absoluteURI we accept */
	CT_PVAL   = 1 << 8,   /* gen-value without quotes: token / host */
	CT_HOST   = 1 << 9,   /* hostname chars */
	CT_B64    = 1 << 10,  /* base64 and base64url, '.' and '=' */
	CT_ALPHA  = 1 << 11,
};

extern const uint16_t sip_ctab[256];

static inline bool sip_is(char c, unsigned cls)
{
	return (sip_ctab[(unsigned char)c] & cls) != 0;
}

static inline void sip_adv(struct pl *s, size_t n)
{
	s->p += n;
	s->l -= n;
}

static inline void sip_lws(struct pl *s)
{
	while (s->l && sip_is(*s->p, CT_LWS))
		sip_adv(s, 1);
}

static inline bool sip_at(const struct pl *s, char c)
{
	return s->l && *s->p == c;
}

/* a equals the lower-case literal lc in any case.  Only for tokens and
 * schemes: OR-ing 0x20 folds their letters and leaves their other
 * characters alone. */
static inline bool sip_ieq(const struct pl *a, const char *lc, size_t n)
{
	/* n is a constant at most calls: a few 2-, 4- or 8-byte compares,
	 * the last one overlapping, each within the n bytes of a. */
	const char *p = a->p;
	uint64_t x8, y8;
	uint32_t x4, y4;
	uint16_t x2, y2;

	if (a->l != n)
		return false;
	if (n >= 8) {
		for (size_t i = 0; i + 8 < n; i += 8) {
			memcpy(&x8, p + i, 8);
			memcpy(&y8, lc + i, 8);
			if ((x8 | 0x2020202020202020ull) != y8)
				return false;
		}
		memcpy(&x8, p + n - 8, 8);
		memcpy(&y8, lc + n - 8, 8);
		return (x8 | 0x2020202020202020ull) == y8;
	}
	if (n >= 4) {
		memcpy(&x4, p, 4);
		memcpy(&y4, lc, 4);
		if ((x4 | 0x20202020u) != y4)
			return false;
		memcpy(&x4, p + n - 4, 4);
		memcpy(&y4, lc + n - 4, 4);
		return (x4 | 0x20202020u) == y4;
	}
	if (n >= 2) {
		memcpy(&x2, p, 2);
		memcpy(&y2, lc, 2);
		if ((uint16_t)(x2 | 0x2020u) != y2)
			return false;
		memcpy(&x2, p + n - 2, 2);
		memcpy(&y2, lc + n - 2, 2);
		return (uint16_t)(x2 | 0x2020u) == y2;
	}
	return !n || ((unsigned char)p[0] | 0x20) == (unsigned char)lc[0];
}
#define SIP_IEQ(pl, lit) sip_ieq((pl), (lit), sizeof(lit) - 1)

/* SWS c SWS: consumes and returns true, or leaves s alone.  Inline:
 * every decoder calls these two for each token. */
static inline bool sip_sep(struct pl *s, char c)
{
	struct pl t = *s;

	sip_lws(&t);
	if (!sip_at(&t, c))
		return false;
	sip_adv(&t, 1);
	sip_lws(&t);
	*s = t;
	return true;
}

/*
 * The vector paths of the scanners that have a plain twin: sip_run16()
 * (SSSE3, when the CPU has it) and those added since.  On by
 * default; off when SIPTTY_SIP_SCALAR is set in the environment at
 * start-up, or after sip_simd_enable(false), which the tests use to run
 * the same inputs through the plain code as well.
 */
extern bool sip_simd_on;
void sip_simd_enable(bool on);

#if defined(__x86_64__) && defined(__GNUC__)
#define SIP_RUN16 1
/* Set at start-up when the CPU has SSSE3 (nearly every x86-64). */
extern bool sip_run16_ok;
/* The line splitter's AVX2 copy (msg_split.h): set at start-up when
 * the CPU (and the OS) have AVX2, BMI1 and BMI2. */
#define SIP_AVX2 1
extern bool sip_avx2_ok;
/* sip_run() for e - p >= 16: 16 bytes a round (scan.c). */
const char *sip_run16(const char *p, const char *e, unsigned cls);
#endif

/* The first byte in [p, e) not in cls, or e.  Four bytes a round with
 * one bounds check: tokens, hosts and words are most of what a decoder
 * reads, and this loop is where it reads them. */
static inline const char *sip_run(const char *p, const char *e, unsigned cls)
{
	while (e - p >= 4) {
		if (!sip_is(p[0], cls))
			return p;
		if (!sip_is(p[1], cls))
			return p + 1;
		if (!sip_is(p[2], cls))
			return p + 2;
		if (!sip_is(p[3], cls))
			return p + 3;
		p += 4;
	}
	while (p < e && sip_is(*p, cls))
		p++;
	return p;
}

/* sip_run() for the runs that are mostly long (Call-ID words, Via
 * hosts, branch and tag values): 16 bytes a round where the CPU can classify them so;
 * for a short run the call costs more than it saves. */
static inline const char *sip_run_long(const char *p, const char *e,
				       unsigned cls)
{
#ifdef SIP_RUN16
	if (e - p >= 16 && sip_run16_ok)
		return sip_run16(p, e, cls);
#endif
	return sip_run(p, e, cls);
}

/* Scans 1*cls into out: EBADMSG when there is none. */
static inline int sip_scan(struct pl *s, unsigned cls, struct pl *out)
{
	size_t i = (size_t)(sip_run(s->p, s->p + s->l, cls) - s->p);

	if (!i)
		return EBADMSG;
	out->p = s->p;
	out->l = i;
	sip_adv(s, i);
	return 0;
}
/* A quoted-string at the front of s: out is the inside (escapes kept). */
int sip_qstr(struct pl *s, struct pl *out);
/* A comment "( ... )" with nesting: out is the inside. */
int sip_comment(struct pl *s, struct pl *out);
/* The next item of a sep-separated list, honouring quotes and <>.
 * 0 with the trimmed item, ENOENT at the end, EBADMSG when an item is
 * empty or a quote or bracket is left open. */
int sip_split(struct pl *rest, char sep, struct pl *item);
/* Upper bound on the items sip_split() yields for v. */
size_t sip_split_max(const struct pl *v, char sep);
/* host [":" port] (sent-by, hostport). */
int sip_hostport(struct pl *s, struct pl *host, bool *v6, uint16_t *port);
/* 1*DIGIT into a uint32: EBADMSG, or ERANGE above max.  Inline and
 * without a detour through 64-bit division: every CSeq, Content-Length,
 * Max-Forwards and port goes through it.  The 64-bit accumulator keeps
 * the order of checks of pl_u32(): ERANGE as soon as 2^64 overflows,
 * EBADMSG for any other non-digit. */
static inline int sip_num(const struct pl *s, uint32_t max, uint32_t *v)
{
	uint64_t x = 0;

	if (!s->l)
		return EBADMSG;
	if (s->l <= 19) {
		/* 19 digits stay below 2^64: no overflow test a digit */
		for (size_t i = 0; i < s->l; i++) {
			unsigned d = (unsigned)((unsigned char)s->p[i] - '0');

			if (d > 9)
				return EBADMSG;
			x = x * 10 + d;
		}
		if (x > max)
			return ERANGE;
		*v = (uint32_t)x;
		return 0;
	}
	for (size_t i = 0; i < s->l; i++) {
		unsigned d = (unsigned)((unsigned char)s->p[i] - '0');

		if (d > 9)
			return EBADMSG;
		if (x > UINT64_MAX / 10 ||
		    (x == UINT64_MAX / 10 && d > UINT64_MAX % 10))
			return ERANGE;
		x = x * 10 + d;
	}
	if (x > max)
		return ERANGE;
	*v = (uint32_t)x;
	return 0;
}
/* The slice from a to the current front of s. */
static inline struct pl sip_span(const char *a, const struct pl *s)
{
	struct pl r = {a, (size_t)(s->p - a)};

	return r;
}

/* ------------------------------------------------------------------ */
/* Parameters (param.c)                                                */
/* ------------------------------------------------------------------ */

struct sip_param {
	struct pl name;
	struct pl val;          /* unset when no '='; no quotes */
	bool quoted;
};

enum {
	SIP_P_ANGLE = 1 << 0,   /* a value may be <URI> (Identity info) */
};

/* The parameters of one value, as scanned once. */
struct sip_params {
	size_t n;
	struct sip_param v[SIP_PARAM_MAX];
};

/* Scans *( SEMI generic-param ) at the front of s; params is the slice
 * from the first ';' to the end of the last value.  Names must be unique
 * (any case).  EBADMSG, or E2BIG past SIP_PARAM_MAX.  With out set, the
 * parameters are also handed back, so that a decoder picks the ones it
 * knows without scanning again. */
int sip_params(struct pl *s, struct pl *params, unsigned flags,
	       struct sip_params *out);
/* sip_params() over all of [p, e) when that is ";name[=value]"... with
 * no whitespace and no quotes: 0, or -1 (nothing decided) for any other
 * input, which then goes to sip_params().  Same fields on success, and
 * *tag (left alone when there is none) is the "tag" parameter, whose
 * value is then a token (-1 for any other tag). */
int sip_params_plain(const char *p, const char *e, struct pl *params,
		     struct sip_params *out, const struct sip_param **tag);
/* The parameter called lc (lower case) in out, or NULL. */
const struct sip_param *sip_params_find(const struct sip_params *ps,
					const char *lc, size_t n);
#define SIP_PFIND(ps, lit) sip_params_find((ps), (lit), sizeof(lit) - 1)
/* The next parameter of a slice from sip_params() (sep ';'), or of a
 * comma-separated auth-param list (sep ','): 0, ENOENT at the end. */
int sip_param_next(struct pl *rest, char sep, struct sip_param *p);
/* Checks a whole comma-separated auth-param list: unique names. */
int sip_aparams(const struct pl *s);

/* ------------------------------------------------------------------ */
/* Decoders of one value (an item of a list, or a whole header value)  */
/* ------------------------------------------------------------------ */

enum {
	SIP_ADDR_ANGLE = 1 << 0,  /* <URI> only, no display name (Call-Info) */
};

int sip_via_decode(struct sip_via *v, const struct pl *s);
int sip_addr_decode(struct sip_addr *a, const struct pl *s, unsigned flags);
/* sip_uri_decode() into a zeroed u, which holds garbage after an error:
 * for a decoder whose output is thrown away on error anyway. */
int sip_uri_decode_zeroed(struct sip_uri *u, const struct pl *s);
/* The same for s known to start "sip:" (sips false) or "sips:" (true),
 * in any case, and to be longer than 5 bytes. */
int sip_uri_decode_sip(struct sip_uri *u, const struct pl *s, bool sips);
int sip_anyuri_check(const struct pl *u, struct pl *scheme, bool *known);
int sip_cseq_decode(struct sip_cseq *c, const struct pl *s);
int sip_callid_check(const struct pl *s);
int sip_rack_decode(struct sip_rack *r, const struct pl *s);
int sip_ctype_decode(struct sip_ctype *c, const struct pl *s);
int sip_tparam_decode(struct sip_tparam *t, const struct pl *s,
		      unsigned tokcls);
int sip_auth_decode(struct sip_auth *a, const struct pl *s, bool scheme);
int sip_secmech_decode(struct sip_secmech *m, const struct pl *s);
int sip_identity_decode(struct sip_identity *id, const struct pl *s);
int sip_idinfo_decode(struct sip_identity_info *ii, const struct pl *s);
int sip_date_decode(const struct pl *s, int64_t *t);
int sip_warning_decode(struct sip_warning *w, const struct pl *s);
int sip_retry_decode(struct sip_retry_after *r, const struct pl *s);
int sip_event_decode(struct sip_event *e, const struct pl *s);
int sip_substate_decode(struct sip_substate *st, const struct pl *s);

#endif
