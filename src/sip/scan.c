/* scan.c - the lexical pieces of RFC 3261 25.1 that every header decoder shares. */
#include <config.h>

#include <errno.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#include "sip/msg_int.h"

/* Letters and digits belong to most classes at once. */
#define A_ (CT_TOKEN | CT_WORD | CT_SCHEME | CT_URIC | CT_PVAL | CT_HOST | \
	    CT_B64 | CT_ALPHA)
#define D_ (CT_TOKEN | CT_WORD | CT_SCHEME | CT_URIC | CT_PVAL | CT_HOST | \
	    CT_B64 | CT_DIGIT)
#define T_ (CT_TOKEN | CT_WORD | CT_URIC | CT_PVAL)   /* token marks */

const uint16_t sip_ctab[256] = {
	['0' ... '9'] = D_ | CT_HEX,
	['A' ... 'F'] = A_ | CT_HEX,
	['G' ... 'Z'] = A_,
	['a' ... 'f'] = A_ | CT_HEX,
	['g' ... 'z'] = A_,
	['-'] = T_ | CT_SCHEME | CT_HOST | CT_B64,
	['.'] = T_ | CT_SCHEME | CT_HOST | CT_B64,
	['!'] = T_,
	['%'] = T_,
	['*'] = T_,
	['_'] = T_ | CT_HOST | CT_B64,
	['+'] = T_ | CT_SCHEME | CT_B64,
	['`'] = T_,
	['\''] = T_,
	['~'] = T_,
	['('] = CT_WORD | CT_URIC,
	[')'] = CT_WORD | CT_URIC,
	['<'] = CT_WORD,
	['>'] = CT_WORD,
	[':'] = CT_WORD | CT_URIC | CT_PVAL,
	['\\'] = CT_WORD,
	['"'] = CT_WORD,
	['/'] = CT_WORD | CT_URIC | CT_B64,
	['['] = CT_WORD | CT_URIC | CT_PVAL,
	[']'] = CT_WORD | CT_URIC | CT_PVAL,
	['?'] = CT_WORD | CT_URIC,
	['{'] = CT_WORD,
	['}'] = CT_WORD,
	['='] = CT_URIC | CT_B64,
	['@'] = CT_URIC,
	['&'] = CT_URIC,
	['$'] = CT_URIC,
	[','] = CT_URIC,
	[';'] = CT_URIC,
	['#'] = CT_URIC,
	[' '] = CT_WSP | CT_LWS,
	['\t'] = CT_WSP | CT_LWS,
	['\r'] = CT_LWS,
	['\n'] = CT_LWS,
};

#ifdef __SSE2__
#include <emmintrin.h>
#endif

bool sip_simd_on = true;

#ifdef SIP_RUN16
static bool run16_cpu;   /* the CPU has SSSE3 */
static bool avx2_cpu;    /* and AVX2, BMI1 and BMI2 */
bool sip_avx2_ok;
#endif

void sip_simd_enable(bool on)
{
	sip_simd_on = on;
#ifdef SIP_RUN16
	sip_run16_ok = on && run16_cpu;
	sip_avx2_ok = on && avx2_cpu;
#endif
}

#ifdef SIP_RUN16
#include <tmmintrin.h>

bool sip_run16_ok;

_Static_assert(CT_ALPHA == 1 << 11, "nib_lo holds 12 classes");

/* sip_ctab as two 16-entry look-ups that SSSE3 does 16 at a time: byte
 * c is in class b when nib_lo[b][c & 15] has bit c >> 4 set (no byte
 * above 0x7f is in any class). */
static alignas(16) uint8_t nib_lo[12][16];

static void run16_init(void)
{
	for (unsigned c = 0; c < 128; c++) {
		for (unsigned b = 0; b < 12; b++) {
			if (sip_ctab[c] & (1u << b))
				nib_lo[b][c & 15] |= (uint8_t)(1u << (c >> 4));
		}
	}
	__builtin_cpu_init();
	run16_cpu = __builtin_cpu_supports("ssse3");
	sip_run16_ok = run16_cpu;
	avx2_cpu = __builtin_cpu_supports("avx2") &&
		__builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
	sip_avx2_ok = avx2_cpu;
}
#endif

__attribute__((constructor)) static void simd_init(void)
{
	const char *v = getenv("SIPTTY_SIP_SCALAR");

#ifdef SIP_RUN16
	run16_init();
#endif
	if (v && *v)
		sip_simd_enable(false);
}

#ifdef SIP_RUN16

/* The last round loads the 16 bytes that end at e and skips those the
 * round before has seen: no byte outside [p, e) is ever read. */
__attribute__((target("ssse3")))
const char *sip_run16(const char *p, const char *e, unsigned cls)
{
	const __m128i m0f = _mm_set1_epi8(0x0f), zero = _mm_setzero_si128();
	const __m128i hi = _mm_setr_epi8(1, 2, 4, 8, 16, 32, 64, -128,
					 0, 0, 0, 0, 0, 0, 0, 0);
	__m128i lo = zero;

	for (; cls; cls &= cls - 1)
		lo = _mm_or_si128(lo, _mm_load_si128(
			(const __m128i *)(const void *)
			nib_lo[__builtin_ctz(cls)]));
	for (;;) {
		const char *q = e - p >= 16 ? p : e - 16;
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)q);
		__m128i in = _mm_and_si128(
			_mm_shuffle_epi8(lo, _mm_and_si128(x, m0f)),
			_mm_shuffle_epi8(hi, _mm_and_si128(
				_mm_srli_epi16(x, 4), m0f)));
		unsigned bad = (unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(in, zero)) >> (p - q);

		if (bad)
			return p + __builtin_ctz(bad);
		if (e - p <= 16)
			return e;
		p += 16;
	}
}
#endif

/* qdtext bytes that need no second look: LWS, 0x20-0x7e but '"' and
 * '\\', and UTF8-NONASCII. */
static const bool qd_plain[256] = {
	['\t'] = 1, ['\r'] = 1, ['\n'] = 1,
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7e] = 1,
	[0x80 ... 0xff] = 1,
};

/*
 * quoted-string = SWS DQUOTE *(qdtext / quoted-pair) DQUOTE; qdtext is
 * LWS or any byte but CTLs, '"' and '\'; quoted-pair escapes any byte up
 * to 0x7f except CR and LF.
 */
int sip_qstr(struct pl *s, struct pl *out)
{
	size_t i;

#ifdef __SSE2__
	const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'),
		del = _mm_set1_epi8(0x7f), ctl = _mm_set1_epi8(0x1f);
#endif

	if (!sip_at(s, '"'))
		return EBADMSG;
	for (i = 1; i < s->l; i++) {
		unsigned char c;

#ifdef __SSE2__
		/* Long values (nonces, digests) 16 bytes a round: any byte
		 * that may end plain qdtext (CTLs, '"', '\\', DEL) stops the
		 * round, and the look-ups below judge it. */
		while (s->l - i >= 16) {
			__m128i x = _mm_loadu_si128(
				(const __m128i *)(const void *)(s->p + i));
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(x, dq),
					     _mm_cmpeq_epi8(x, bs)),
				_mm_or_si128(_mm_cmpeq_epi8(x, del),
					     _mm_cmpeq_epi8(
						     _mm_min_epu8(x, ctl), x))));

			if (m) {
				i += (size_t)__builtin_ctz(m);
				break;
			}
			i += 16;
		}
#endif
		/* Plain qdtext, four bytes a round with one bounds check. */
		while (s->l - i >= 4 && qd_plain[(unsigned char)s->p[i]] &&
		       qd_plain[(unsigned char)s->p[i + 1]] &&
		       qd_plain[(unsigned char)s->p[i + 2]] &&
		       qd_plain[(unsigned char)s->p[i + 3]])
			i += 4;
		if (i == s->l)
			break;
		c = (unsigned char)s->p[i];
		if (qd_plain[c])
			continue;
		if (c == '"') {
			out->p = s->p + 1;
			out->l = i - 1;
			sip_adv(s, i + 1);
			return 0;
		}
		if (c == '\\') {
			if (++i >= s->l)
				return EBADMSG;
			c = (unsigned char)s->p[i];
			if (c > 0x7f || c == '\r' || c == '\n')
				return EBADMSG;
			continue;
		}
		if ((c < 0x20 && !sip_is((char)c, CT_LWS)) || c == 0x7f)
			return EBADMSG;
	}
	return EBADMSG;
}

/* comment = LPAREN *(ctext / quoted-pair / comment) RPAREN; nesting is
 * bounded so that a hostile value cannot make us recurse deeply. */
int sip_comment(struct pl *s, struct pl *out)
{
	unsigned depth = 0;
	size_t i;

	if (!sip_at(s, '('))
		return EBADMSG;
	for (i = 0; i < s->l; i++) {
		unsigned char c = (unsigned char)s->p[i];

		if (c == '(') {
			if (++depth > 8)
				return E2BIG;
		} else if (c == ')') {
			if (--depth == 0) {
				out->p = s->p + 1;
				out->l = i - 1;
				sip_adv(s, i + 1);
				return 0;
			}
		} else if (c == '\\') {
			if (++i >= s->l || (unsigned char)s->p[i] > 0x7f ||
			    s->p[i] == '\r' || s->p[i] == '\n')
				return EBADMSG;
		} else if ((c < 0x20 && !sip_is((char)c, CT_LWS)) || c == 0x7f) {
			return EBADMSG;
		}
	}
	return EBADMSG;
}

static void trim(struct pl *pl)
{
	sip_lws(pl);
	while (pl->l && sip_is(pl->p[pl->l - 1], CT_LWS))
		pl->l--;
}

/* The bytes sip_split() stops at: quotes, brackets, both separators. */
static const bool split_stop[256] = {
	['"'] = 1, ['<'] = 1, [','] = 1, [';'] = 1,
};

/*
 * Commas inside a quoted display name, inside <URI> or escaped in a
 * quoted-string do not split; nothing else protects one.
 */
int sip_split(struct pl *rest, char sep, struct pl *item)
{
	const char *p = rest->p, *e;

	/* rest->p becomes NULL after the last item. */
	if (!p)
		return ENOENT;
	for (e = p + rest->l; p < e; p++) {
		/* Most bytes are none of the four; skip those in one loop,
		 * 16 a round where SSE2 is there. */
#ifdef __SSE2__
		while (e - p >= 16) {
			__m128i x = _mm_loadu_si128(
				(const __m128i *)(const void *)p);
			unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
				_mm_or_si128(
					_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
					_mm_cmpeq_epi8(x, _mm_set1_epi8('<'))),
				_mm_or_si128(
					_mm_cmpeq_epi8(x, _mm_set1_epi8(',')),
					_mm_cmpeq_epi8(x, _mm_set1_epi8(';')))));

			if (m) {
				p += __builtin_ctz(m);
				break;
			}
			p += 16;
		}
#endif
		while (p < e && !split_stop[(unsigned char)*p])
			p++;
		if (p == e)
			break;
		if (*p == '"') {
			for (p++; p < e && *p != '"'; p++) {
				if (*p == '\\' && ++p == e)
					return EBADMSG;
			}
			if (p == e)
				return EBADMSG;
		} else if (*p == '<') {
			p = memchr(p, '>', (size_t)(e - p));
			if (!p)
				return EBADMSG;
		} else if (*p == sep) {
			break;
		}
	}
	item->p = rest->p;
	item->l = (size_t)(p - rest->p);
	trim(item);
	if (p < e) {
		rest->p = p + 1;
		rest->l = (size_t)(e - p - 1);
	} else {
		rest->p = NULL;
		rest->l = 0;
	}
	return item->l ? 0 : EBADMSG;
}

size_t sip_split_max(const struct pl *v, char sep)
{
	const char *p = v->p;
	const char *e = v->p + v->l;
	size_t n = 1;

	while (p < e && (p = memchr(p, sep, (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* host = hostname / IPv4address / IPv6reference; the strict checks of
 * the address forms are the URI module's, here the shape is enough. */
int sip_hostport(struct pl *s, struct pl *host, bool *v6, uint16_t *port)
{
	struct pl num;
	uint32_t v;
	int err;

	*v6 = false;
	*port = 0;
	if (sip_at(s, '[')) {
		size_t i = 1;

		while (i < s->l && (sip_is(s->p[i], CT_HEX) || s->p[i] == ':' ||
				    s->p[i] == '.'))
			i++;
		if (i >= s->l || s->p[i] != ']' || i < 3)
			return EBADMSG;
		host->p = s->p + 1;
		host->l = i - 1;
		*v6 = true;
		sip_adv(s, i + 1);
	} else {
		const char *h = sip_run_long(s->p, s->p + s->l, CT_HOST);

		if (h == s->p)
			return EBADMSG;
		host->p = s->p;
		host->l = (size_t)(h - s->p);
		sip_adv(s, host->l);
		if (host->p[0] == '.' || host->p[0] == '-')
			return EBADMSG;
	}
	if (!sip_sep(s, ':'))
		return 0;
	err = sip_scan(s, CT_DIGIT, &num);
	if (err)
		return err;
	err = sip_num(&num, 65535, &v);
	if (err)
		return err == ERANGE ? EBADMSG : err;
	*port = (uint16_t)v;
	return 0;
}
