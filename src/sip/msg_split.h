/* msg_split.h - the header line splitter of msg.c, included there twice: SSE2 (or plain), and AVX2. */

/*
 * Not a header of its own: msg.c defines, before each inclusion,
 *   SPLIT_FN(name)  the name of each function in this copy;
 *   SPLIT_ATTR      its attributes (the AVX2 target, or nothing);
 *   SPLIT_AVX2      1 to look at 32 bytes in one register, else 0.
 * Both copies find the same lines, names, values and marks; the AVX2
 * one runs when the CPU has AVX2 (sip_split_avx2, see msg_int.h).
 */

/*
 * The first CR or LF in [p, e), or e; *comma is set when a ',' comes
 * before it.  One pass finds the line end, a stray CR and the commas the
 * list decoders split at; 16 bytes at a time where SSE2 is there (every
 * x86-64), since this loop sees every byte of every header.
 */
static inline SPLIT_ATTR const char *SPLIT_FN(find_eol)(const char *p,
							const char *e,
							bool *comma)
{
#if SPLIT_AVX2
	{
		const __m256i cr = _mm256_set1_epi8('\r'),
			lf = _mm256_set1_epi8('\n'), cm = _mm256_set1_epi8(',');
		unsigned seen32 = 0;

		/* 32 bytes a round in one register; the SSE2 rounds below
		 * take what is left. */
		while (e - p >= 32) {
			__m256i x = _mm256_loadu_si256(
				(const __m256i *)(const void *)p);
			unsigned m = (unsigned)_mm256_movemask_epi8(
				_mm256_or_si256(_mm256_cmpeq_epi8(x, cr),
						_mm256_cmpeq_epi8(x, lf)));
			unsigned c = (unsigned)_mm256_movemask_epi8(
				_mm256_cmpeq_epi8(x, cm));

			if (m) {
				if ((c & (m - 1)) | seen32)
					*comma = true;
				return p + __builtin_ctz(m);
			}
			seen32 |= c;
			p += 32;
		}
		if (seen32)
			*comma = true;
	}
#endif
#ifdef __SSE2__
	const __m128i cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n'),
		cm = _mm_set1_epi8(',');
	__m128i seen = _mm_setzero_si128();

	/* Commas of whole blocks gather in seen; of the last block only
	 * those before the line end count.  32 bytes a round first: most
	 * lines end within one or two of them. */
#if !SPLIT_AVX2
	while (e - p >= 32) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i y = _mm_loadu_si128((const __m128i *)(const void *)
					    (p + 16));
		__m128i cx = _mm_cmpeq_epi8(x, cm), cy = _mm_cmpeq_epi8(y, cm);
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(x, cr),
				     _mm_cmpeq_epi8(x, lf))) |
			(unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(y, cr),
				     _mm_cmpeq_epi8(y, lf))) << 16;

		if (m) {
			unsigned c = (unsigned)_mm_movemask_epi8(cx) |
				(unsigned)_mm_movemask_epi8(cy) << 16;

			if ((c & (m - 1)) | (unsigned)_mm_movemask_epi8(seen))
				*comma = true;
			return p + __builtin_ctz(m);
		}
		seen = _mm_or_si128(seen, _mm_or_si128(cx, cy));
		p += 32;
	}
#endif
	while (e - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i c = _mm_cmpeq_epi8(x, cm);
		unsigned m = (unsigned)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(x, cr),
				     _mm_cmpeq_epi8(x, lf)));

		if (m) {
			if (((unsigned)_mm_movemask_epi8(c) & (m - 1)) |
			    (unsigned)_mm_movemask_epi8(seen))
				*comma = true;
			return p + __builtin_ctz(m);
		}
		seen = _mm_or_si128(seen, c);
		p += 16;
	}
	if (_mm_movemask_epi8(seen))
		*comma = true;
#endif
	while (p < e && *p != '\r' && *p != '\n') {
		if (*p == ',')
			*comma = true;
		p++;
	}
	return p;
}

static SPLIT_ATTR int SPLIT_FN(parse_headers)(struct head *h, const char *q,
					     const char *e, bool stream,
					     struct sip_err *errp)
{
	struct sip_hdr *hd = h->hv;
	bool req = h->m.req;
	size_t nh = h->nh;   /* kept in a register, stored on the way out */

	while (q < e) {
		const char *n = q, *c = NULL, *le, *next, *nl, *vs, *from;
		enum sip_hdr_id id;
		bool comma, fast;
		size_t nlen;

		if (*q == '\n') {
			h->body = q + 1;
			h->nh = nh;
			return 0;
		}
		if (*q == '\r') {
			if (q + 1 < e && q[1] == '\n') {
				h->body = q + 2;
				h->nh = nh;
				return 0;
			}
			return fail(errp, EBADMSG, req, 400, "Bad Header",
				    SIP_HDR_OTHER);
		}
		if (nh == SIP_HDR_MAX)
			return fail(errp, E2BIG, req, 513, "Too Many Headers",
				    SIP_HDR_OTHER);
		hd = &h->hv[nh];
		fast = false;
#if SPLIT_AVX2
		/* What the SSE2 block below does, on one 32-byte register. */
		if (e - q >= 32) {
			__m256i x = _mm256_loadu_si256(
				(const __m256i *)(const void *)q);
			unsigned col = (unsigned)_mm256_movemask_epi8(
				_mm256_cmpeq_epi8(x, _mm256_set1_epi8(':')));
			unsigned eol = (unsigned)_mm256_movemask_epi8(
				_mm256_or_si256(
					_mm256_cmpeq_epi8(x, _mm256_set1_epi8('\r')),
					_mm256_cmpeq_epi8(x, _mm256_set1_epi8('\n'))));
			/* below: the bytes before the first line end, all
			 * 32 when there is none; m: the colons among them */
			unsigned below = (eol & -eol) - 1, m = col & below;

			if (m && !(m & 1)) {
				unsigned cms = (unsigned)_mm256_movemask_epi8(
					_mm256_cmpeq_epi8(x,
							  _mm256_set1_epi8(',')));

				fast = true;
				nlen = (size_t)__builtin_ctz(m);
				vs = n + nlen + 1;
				if (eol) {
					comma = (cms & below) != 0;
					c = q + __builtin_ctz(eol);
					from = NULL;
				} else {
					comma = cms != 0;
					from = q + 32;
				}
			}
		}
#elif defined(__SSE2__)
		/* The usual "Name:value" with the colon in the first 32
		 * bytes: one look at them finds the colon, the line end
		 * and the commas between.  A name that matches a known one
		 * holds only letters and '-' (OR 0x20 aliases nothing else
		 * but CR, and no CR comes before this colon), so only an
		 * unknown name needs its token check.  Anything else
		 * ("Name :", a bad name) takes the general path below. */
		if (e - q >= 32) {
			const __m128i colon = _mm_set1_epi8(':'),
				cr = _mm_set1_epi8('\r'),
				lf = _mm_set1_epi8('\n'),
				cm = _mm_set1_epi8(',');
			__m128i x = _mm_loadu_si128(
				(const __m128i *)(const void *)q);
			__m128i y = _mm_loadu_si128(
				(const __m128i *)(const void *)(q + 16));
			unsigned col = (unsigned)_mm_movemask_epi8(
				_mm_cmpeq_epi8(x, colon)) |
				(unsigned)_mm_movemask_epi8(
				_mm_cmpeq_epi8(y, colon)) << 16;
			unsigned eol = (unsigned)_mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(x, cr),
					     _mm_cmpeq_epi8(x, lf))) |
				(unsigned)_mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(y, cr),
					     _mm_cmpeq_epi8(y, lf))) << 16;
			unsigned cb = col & -col, eb = eol & -eol;

			if (cb > 1 && (!eb || cb < eb)) {
				/* No comma sits in a name. */
				unsigned cms = (unsigned)_mm_movemask_epi8(
					_mm_cmpeq_epi8(x, cm)) |
					(unsigned)_mm_movemask_epi8(
					_mm_cmpeq_epi8(y, cm)) << 16;

				fast = true;
				nlen = (size_t)__builtin_ctz(col);
				vs = n + nlen + 1;
				if (eb) {
					comma = (cms & (eb - 1)) != 0;
					c = q + __builtin_ctz(eol);
					from = NULL;
				} else {
					comma = cms != 0;
					from = q + 32;
				}
			}
		}
#endif
		if (!fast) {
 slow:
			q = sip_run(q, e, CT_TOKEN);
			nlen = (size_t)(q - n);
			/* "Name:" nearly always; "Name :" is allowed */
			if (q < e && *q != ':') {
				while (q < e && sip_is(*q, CT_WSP))
					q++;
			}
			if (!nlen || q == e || *q != ':')
				return fail(errp, EBADMSG, req, 400,
					    "Bad Header", SIP_HDR_OTHER);
			vs = q + 1;
			from = vs;
			comma = false;
		}
		hd->name.p = n;
		hd->name.l = nlen;
		id = sip_hdr_lookup_inline(&hd->name);
		if (fast && id == SIP_HDR_OTHER &&
		    sip_run(n, n + nlen, CT_TOKEN) != n + nlen) {
			fast = false;
			goto slow;
		}
		hd->id = id;
		/* The header ends at the first line end not followed by
		 * whitespace; folded lines stay inside the value.  A CR is
		 * allowed only as the first half of a line end. */
		for (;;) {
			if (from)
				c = SPLIT_FN(find_eol)(from, e, &comma);
			/* CRLF and no fold, nearly always */
			if (e - c >= 3 && c[0] == '\r' && c[1] == '\n' &&
			    c[2] != ' ' && c[2] != '\t') {
				le = c;
				next = c + 2;
				break;
			}
			if (c == e) {
				le = next = e;
				break;
			}
			nl = c;
			if (*c == '\r') {
				if (c + 1 == e || c[1] != '\n')
					return fail(errp, EBADMSG, req, 400,
						    sip_hdr_info(id)->bad,
						    id);
				nl = c + 1;
			}
			if (nl + 1 < e && (nl[1] == ' ' || nl[1] == '\t')) {
				from = nl + 1;
				continue;
			}
			le = c;
			next = nl + 1;
			break;
		}
		if ((size_t)(le - n) > SIP_HDR_LEN_MAX)
			return fail(errp, E2BIG, req, 513, "Header Too Long",
				    id);
		/* The value without the LWS around it: most have one SP
		 * before and nothing after. */
		while (vs < le && sip_is(*vs, CT_LWS))
			vs++;
		while (le > vs && sip_is(le[-1], CT_LWS))
			le--;
		hd->val.p = vs;
		hd->val.l = (size_t)(le - vs);
		hd->marks = (uint8_t)(SIP_HM_SCANNED |
				      (unsigned)comma * SIP_HM_COMMA);
		if (id == SIP_HDR_CONTENT_LENGTH) {
			/* mcl01: two lengths leave the body undefined. */
			if (h->clen_at)
				return fail(errp, EBADMSG, req, 400,
					    "Duplicate Content-Length",
					    id);
			h->clen_at = nh + 1;
		}
		nh++;
		q = next;
	}
	/* The data ended without the blank line.  A datagram ends there
	 * anyway (RFC 4475 baddn is written so); a framed stream message
	 * always has it. */
	h->nh = nh;
	if (stream)
		return fail(errp, EBADMSG, req, 400, "Bad Request",
			    SIP_HDR_NONE);
	h->body = e;
	return 0;
}

