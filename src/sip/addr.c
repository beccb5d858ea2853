/* addr.c - name-addr and addr-spec with header parameters (From, To, Contact, Route, ...). */
#include <config.h>

#include <errno.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sip/msg_int.h"

/*
 * scheme ":" ... : sip, sips and tel are decoded by the URI module; any
 * other scheme (isbn:, http:, soap.beep:) is accepted as an absoluteURI
 * of visible characters, which is all a UA needs to refuse it (416).
 */
int sip_anyuri_check(const struct pl *u, struct pl *scheme, bool *known)
{
	size_t i = 0;

	*known = false;
	/* Nearly every URI is sip: or sips: (scheme characters fold with
	 * OR 0x20 without aliasing a letter, see sip_ieq). */
	if (u->l > 5 && (u->p[0] | 0x20) == 's' && (u->p[1] | 0x20) == 'i' &&
	    (u->p[2] | 0x20) == 'p' &&
	    (u->p[3] == ':' || ((u->p[3] | 0x20) == 's' && u->p[4] == ':'))) {
		scheme->p = u->p;
		scheme->l = u->p[3] == ':' ? 3 : 4;
		*known = true;
		return 0;
	}
	if (!u->l || !sip_is(u->p[0], CT_ALPHA))
		return EBADMSG;
	while (i < u->l && sip_is(u->p[i], CT_SCHEME))
		i++;
	if (i == u->l || u->p[i] != ':')
		return EBADMSG;
	scheme->p = u->p;
	scheme->l = i;
	if (SIP_IEQ(scheme, "sip") || SIP_IEQ(scheme, "sips") ||
	    SIP_IEQ(scheme, "tel")) {
		*known = true;
		return 0;
	}
	if (i + 1 == u->l)
		return EBADMSG;
	for (i++; i < u->l; i++) {
		if (!sip_is(u->p[i], CT_URIC))
			return EBADMSG;
	}
	return 0;
}

/* Where an addr-spec ends (LWS, ';') or turns out to be one that needed
 * <> (the rest): one look-up a byte. */
static const bool aspec_stop[256] = {
	[' '] = 1, ['\t'] = 1, ['\r'] = 1, ['\n'] = 1, [';'] = 1,
	['?'] = 1, [','] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1,
};

/* The first aspec_stop byte in [c, e), or e; 16 bytes a round where
 * SSE2 is there, since the whole URI lies before it. */
static const char *aspec_end(const char *c, const char *e)
{
#ifdef __SSE2__
	while (e - c >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)c);
		__m128i m = _mm_or_si128(
			_mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(' ')),
					     _mm_cmpeq_epi8(x, _mm_set1_epi8('\t'))),
				_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')),
					     _mm_cmpeq_epi8(x, _mm_set1_epi8('\n')))),
			_mm_or_si128(
				_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(';')),
					     _mm_cmpeq_epi8(x, _mm_set1_epi8('?'))),
				_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(',')),
					     _mm_cmpeq_epi8(x, _mm_set1_epi8('"')))));
		unsigned b = (unsigned)_mm_movemask_epi8(_mm_or_si128(m,
			_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('<')),
				     _mm_cmpeq_epi8(x, _mm_set1_epi8('>')))));

		if (b)
			return c + __builtin_ctz(b);
		c += 16;
	}
#endif
	while (c < e && !aspec_stop[(unsigned char)*c])
		c++;
	return c;
}

/* display-name = *(token LWS) / quoted-string, then LAQUOT. */
static bool display_name(struct pl *s, struct pl *dname)
{
	struct pl t = *s, tok;
	const char *end = t.p;

	while (sip_scan(&t, CT_TOKEN, &tok) == 0) {
		end = t.p;
		sip_lws(&t);
	}
	if (!sip_at(&t, '<'))
		return false;
	dname->p = s->p;
	dname->l = (size_t)(end - s->p);
	*s = t;
	return true;
}

int sip_addr_decode(struct sip_addr *a, const struct pl *s0, unsigned flags)
{
	const struct sip_param *tag;
	struct sip_params ps;
	struct pl s = *s0, uri, inner;
	bool known;
	int err;

	sip_zero(a, sizeof(*a));
	a->raw = *s0;
	sip_lws(&s);
	if (sip_at(&s, '"')) {
		const char *q = s.p;

		if (flags & SIP_ADDR_ANGLE)
			return EBADMSG;
		err = sip_qstr(&s, &inner);
		if (err)
			return err;
		a->dname = sip_span(q, &s);
		sip_lws(&s);
		if (!sip_at(&s, '<'))
			return EBADMSG;
	} else if (!sip_at(&s, '<') && !(flags & SIP_ADDR_ANGLE)) {
		(void)display_name(&s, &a->dname);
	}

	if (sip_at(&s, '<')) {
		const char *gt = memchr(s.p, '>', s.l);

		if (!gt)
			return EBADMSG;
		/* badaspec: whitespace inside the brackets is refused by the
		 * URI checks below. */
		uri.p = s.p + 1;
		uri.l = (size_t)(gt - uri.p);
		a->angle = true;
		sip_adv(&s, (size_t)(gt - s.p) + 1);
	} else {
		if (flags & SIP_ADDR_ANGLE)
			return EBADMSG;
		/* addr-spec: its parameters are the header's, and a URI with
		 * ',', '?' or ';' must be in <> (RFC 3261 20.10, regbadct). */
		const char *c = s.p, *e = s.p + s.l;

		uri.p = s.p;
		c = aspec_end(c, e);
		if (c < e && !sip_is(*c, CT_LWS) && *c != ';')
			return EBADMSG;
		sip_adv(&s, (size_t)(c - s.p));
		uri.l = (size_t)(s.p - uri.p);
	}
	a->uri_raw = uri;
	/* sip: and sips:, as sip_anyuri_check() sees them first */
	if (uri.l > 5 && (uri.p[0] | 0x20) == 's' &&
	    (uri.p[1] | 0x20) == 'i' && (uri.p[2] | 0x20) == 'p' &&
	    (uri.p[3] == ':' ||
	     ((uri.p[3] | 0x20) == 's' && uri.p[4] == ':'))) {
		a->scheme.p = uri.p;
		a->scheme.l = uri.p[3] == ':' ? 3 : 4;
		err = sip_uri_decode_sip(&a->uri, &uri, a->scheme.l == 4);
		if (err)
			return err == E2BIG ? E2BIG : EBADMSG;
		a->uri_ok = true;
		known = false;   /* decoded */
	} else {
		err = sip_anyuri_check(&uri, &a->scheme, &known);
		if (err)
			return err;
	}
	if (known) {
		err = sip_uri_decode_zeroed(&a->uri, &uri);
		if (err)
			return err == E2BIG ? E2BIG : EBADMSG;
		a->uri_ok = true;
	}
	/* nothing after the URI: what sip_params_plain() makes of it */
	if (!s.l) {
		a->params.p = s.p;
		return 0;
	}
	/* ";tag=..;lr" to the end, or the general scan */
	tag = NULL;
	if (sip_params_plain(s.p, s.p + s.l, &a->params, &ps, &tag) == 0) {
		/* its tag is a token already */
		if (tag)
			a->tag = tag->val;
		return 0;
	}
	err = sip_params(&s, &a->params, 0, &ps);
	if (err)
		return err;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	tag = SIP_PFIND(&ps, "tag");
	if (tag) {
		/* tag = token: never quoted, never empty. */
		if (tag->quoted || !tag->val.l ||
		    sip_run(tag->val.p, tag->val.p + tag->val.l, CT_TOKEN) !=
		    tag->val.p + tag->val.l)
			return EBADMSG;
		a->tag = tag->val;
	}
	return 0;
}
