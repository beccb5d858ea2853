/* msg.c - parses a SIP message into its model in one pass and one allocation; accessors. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sip/hdr_int.h"
#include "sip/msg_int.h"
#ifdef SIP_AVX2
#include <immintrin.h>
#endif

#define ALIGN_UP(n) (((n) + alignof(max_align_t) - 1) & \
		     ~(alignof(max_align_t) - 1))

/* Typed forms take about this much arena per header line. */
#define ARENA_PER_HDR 256
#define ARENA_MIN 512

/*
 * One freed message block kept for the next decode: a UA parses and
 * frees a message per packet, and a block this size is past malloc's
 * small-object caches, so each one costs a trip through its bins.  The
 * block is rounded up so that messages of one size class share it.  Not
 * under AddressSanitizer, which would lose sight of a use after free.
 */
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SIP_NO_SPARE 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define SIP_NO_SPARE 1
#endif
#define BLK_ROUND 2048

#ifndef SIP_NO_SPARE
/* Per thread, so that taking and putting it back need no locked
 * instruction; a thread that exits keeps at most this one block. */
static _Thread_local struct sip_msg *spare;
#endif

static struct sip_msg *blk_get(size_t *total)
{
	struct sip_msg *m;

	*total = (*total + BLK_ROUND - 1) & ~(size_t)(BLK_ROUND - 1);
#ifndef SIP_NO_SPARE
	m = spare;
	spare = NULL;
	if (m) {
		if (m->blk_cap >= *total) {
			*total = m->blk_cap;
			return m;
		}
		free(m);
	}
#endif
	m = malloc(*total);
	return m;
}

static void blk_put(struct sip_msg *m)
{
#ifndef SIP_NO_SPARE
	if (m->blk_cap) {
		struct sip_msg *old = spare;

		/* keep the larger of the two */
		if (!old || old->blk_cap <= m->blk_cap) {
			spare = m;
			m = old;
		}
	}
#endif
	free(m);
}

static int fail(struct sip_err *errp, int err, bool req, uint16_t status,
		const char *reason, enum sip_hdr_id hdr)
{
	if (errp) {
		errp->err = err;
		errp->status = req ? status : 0;
		errp->reason = reason;
		errp->hdr = hdr;
	}
	return err;
}

size_t sip_msg_skip_crlf(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && (p[i] == '\r' || p[i] == '\n'))
		i++;
	return i;
}

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, "SIP" in any case.
 * 0 for 2.0, EPROTO for another well-formed version, EBADMSG else. */
static int version_check(const char *p, size_t l)
{
	size_t i = 4, d;

	if (l == 7 && memcmp(p, "SIP/2.0", 7) == 0)
		return 0;   /* nearly always */
	if (l < 7 || (p[0] | 0x20) != 's' || (p[1] | 0x20) != 'i' ||
	    (p[2] | 0x20) != 'p' || p[3] != '/')
		return EBADMSG;
	for (d = i; i < l && sip_is(p[i], CT_DIGIT); i++)
		;
	if (i == d || i >= l || p[i] != '.')
		return EBADMSG;
	for (d = ++i; i < l && sip_is(p[i], CT_DIGIT); i++)
		;
	if (i == d || i != l)
		return EBADMSG;
	return (l == 7 && memcmp(p + 4, "2.0", 3) == 0) ? 0 : EPROTO;
}

/* The start line, parsed before the message is allocated. */
struct start {
	bool req;
	struct pl method;
	enum sip_method mid;
	struct pl ruri;
	uint16_t status;
	struct pl reason;
};

static int parse_status_line(struct start *m, const char *p, size_t l,
			     struct sip_err *errp)
{
	const char *sp = memchr(p, ' ', l);
	size_t rest;
	int err;

	if (!sp)
		return fail(errp, EBADMSG, false, 0, "Bad Status Line",
			    SIP_HDR_NONE);
	err = version_check(p, (size_t)(sp - p));
	if (err)
		return fail(errp, EBADMSG, false, 0, "Version Not Supported",
			    SIP_HDR_NONE);
	sp++;
	rest = l - (size_t)(sp - p);
	if (rest < 3 || !sip_is(sp[0], CT_DIGIT) || !sip_is(sp[1], CT_DIGIT) ||
	    !sip_is(sp[2], CT_DIGIT) || (rest > 3 && sp[3] != ' '))
		return fail(errp, EBADMSG, false, 0, "Bad Status Code",
			    SIP_HDR_NONE);
	m->status = (uint16_t)((sp[0] - '0') * 100 + (sp[1] - '0') * 10 +
			       (sp[2] - '0'));
	if (m->status < 100 || m->status > 699)
		return fail(errp, EBADMSG, false, 0, "Bad Status Code",
			    SIP_HDR_NONE);
	/* The reason phrase may be empty and may hold UTF-8 (RFC 4475
	 * noreason, unreason); only CR and LF are excluded, by the caller. */
	m->reason.p = rest > 3 ? sp + 4 : sp + 3;
	m->reason.l = rest > 3 ? rest - 4 : 0;
	m->req = false;
	return 0;
}

/* A byte up to 0x20 (controls and SP) or DEL in [p, e); 16 at a time
 * where SSE2 is there, as find_eol() does. */
static bool has_space_or_ctl(const char *p, const char *e)
{
#ifdef __SSE2__
	const __m128i sp = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
	bool whole = e - p >= 16;

	while (e - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i lo = _mm_cmpeq_epi8(_mm_min_epu8(x, sp), x);

		if (_mm_movemask_epi8(_mm_or_si128(lo, _mm_cmpeq_epi8(x, del))))
			return true;
		p += 16;
	}
	/* The last few bytes: the 16 that end at e, some seen twice. */
	if (whole && p < e) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)
					    (e - 16));
		__m128i lo = _mm_cmpeq_epi8(_mm_min_epu8(x, sp), x);

		return _mm_movemask_epi8(_mm_or_si128(
			lo, _mm_cmpeq_epi8(x, del))) != 0;
	}
#endif
	for (; p < e; p++) {
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return true;
	}
	return false;
}

static int parse_request_line(struct start *m, const char *p, size_t l,
			      struct sip_err *errp)
{
	struct pl s = {p, l}, method;
	const char *last, *u, *ue;
	int err;

	if (sip_scan(&s, CT_TOKEN, &method) || !sip_at(&s, ' '))
		return fail(errp, EBADMSG, true, 400, "Bad Request Line",
			    SIP_HDR_NONE);
	for (last = p + l - 1; *last != ' '; last--)
		;
	if (last == s.p)
		return fail(errp, EBADMSG, true, 400, "Bad Request Line",
			    SIP_HDR_NONE);
	err = version_check(last + 1, l - (size_t)(last + 1 - p));
	if (err == EPROTO)
		return fail(errp, EBADMSG, true, 505, "Version Not Supported",
			    SIP_HDR_NONE);
	if (err)
		return fail(errp, EBADMSG, true, 400, "Bad Request Line",
			    SIP_HDR_NONE);
	u = s.p + 1;
	ue = last;
	if (u == ue)
		return fail(errp, EBADMSG, true, 400, "Bad Request Line",
			    SIP_HDR_NONE);
	if ((size_t)(ue - u) > SIP_URI_MAX)
		return fail(errp, E2BIG, true, 414, "Request-URI Too Long",
			    SIP_HDR_NONE);
	/* lwsruri, lwsstart: whitespace is never part of a URI. */
	if (has_space_or_ctl(u, ue))
		return fail(errp, EBADMSG, true, 400, "Bad Request Line",
			    SIP_HDR_NONE);
	m->req = true;
	m->method = method;
	m->mid = sip_method_lookup(&method);
	m->ruri.p = u;
	m->ruri.l = (size_t)(ue - u);
	return 0;
}

static int parse_start(struct start *m, const char *p, size_t l,
		       struct sip_err *errp)
{
	bool resp = l >= 4 && (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'i' &&
		    (p[2] | 0x20) == 'p' && p[3] == '/';

	if (l > SIP_START_MAX)
		return fail(errp, E2BIG, !resp, 414, "Request-URI Too Long",
			    SIP_HDR_NONE);
	if (memchr(p, '\r', l))
		return fail(errp, EBADMSG, !resp, 400, "Bad Request Line",
			    SIP_HDR_NONE);
	if (resp)
		return parse_status_line(m, p, l, errp);
	return parse_request_line(m, p, l, errp);
}

struct head {
	struct start m;
	struct sip_hdr *hv;
	size_t nh;
	const char *body;       /* first body byte */
	size_t clen_at;         /* index of Content-Length + 1, 0 if none */
};

/* The line splitter (msg_split.h): an SSE2 (or plain) copy, and on
 * x86-64 one for CPUs with AVX2, chosen at run time. */
#define SPLIT_FN(name) name
#define SPLIT_ATTR
#define SPLIT_AVX2 0
#include "sip/msg_split.h"
#undef SPLIT_FN
#undef SPLIT_ATTR
#undef SPLIT_AVX2

#ifdef SIP_AVX2
#define SPLIT_FN(name) name##_avx2
#define SPLIT_ATTR __attribute__((target("avx2,bmi,bmi2")))
#define SPLIT_AVX2 1
#include "sip/msg_split.h"
#undef SPLIT_FN
#undef SPLIT_ATTR
#undef SPLIT_AVX2
#endif

static void rebase(struct pl *pl, const char *from, const char *to)
{
	if (pl->p)
		pl->p = to + (pl->p - from);
}

int sip_msg_decode(struct sip_msg **msgp, const char *p, size_t len,
		   unsigned flags, struct sip_err *errp)
{
	struct sip_hdr hv[SIP_HDR_MAX];
	struct head h;
	const char *e, *nl;
	size_t l, avail, blen, nhsz, arsz, copy, total;
	struct sip_msg *msg;
	char *base;
	uint32_t cl;
	int err;

	if (!msgp || (!p && len))
		return fail(errp, EINVAL, false, 0, "Bad Request",
			    SIP_HDR_NONE);
	if (len > SIP_MSG_MAX)
		return fail(errp, E2BIG, true, 513, "Message Too Large",
			    SIP_HDR_NONE);
	l = sip_msg_skip_crlf(p, len);
	p += l;
	len -= l;
	if (!len)
		return fail(errp, EBADMSG, false, 0, "Empty Message",
			    SIP_HDR_NONE);
	e = p + len;

	sip_zero(&h, sizeof(h));       /* small: hv is not in it */
	h.hv = hv;
	nl = memchr(p, '\n', len);
	l = (size_t)((nl ? nl : e) - p);
	if (l && p[l - 1] == '\r')
		l--;
	err = parse_start(&h.m, p, l, errp);
	if (err)
		return err;
#ifdef SIP_AVX2
	if (sip_avx2_ok)
		err = parse_headers_avx2(&h, nl ? nl + 1 : e, e,
					 flags & SIP_MSG_STREAM, errp);
	else
#endif
		err = parse_headers(&h, nl ? nl + 1 : e, e,
				    flags & SIP_MSG_STREAM, errp);
	if (err)
		return err;
	if ((size_t)(h.body - p) > SIP_HEAD_MAX)
		return fail(errp, E2BIG, h.m.req, 513, "Message Too Large",
			    SIP_HDR_NONE);

	avail = (size_t)(e - h.body);
	if (h.clen_at) {
		const struct sip_hdr *c = &hv[h.clen_at - 1];

		err = sip_num(&c->val, UINT32_MAX, &cl);
		if (err == ERANGE || (!err && cl > SIP_BODY_MAX))
			return fail(errp, E2BIG, h.m.req, 413,
				    "Request Entity Too Large", c->id);
		/* ncl (negative), clerr (longer than what came) */
		if (err || cl > avail)
			return fail(errp, EBADMSG, h.m.req, 400,
				    "Bad Content-Length", c->id);
		blen = cl;
	} else {
		if (flags & SIP_MSG_STREAM)
			return fail(errp, EBADMSG, h.m.req, 400,
				    "Missing Content-Length",
				    SIP_HDR_CONTENT_LENGTH);
		if (avail > SIP_BODY_MAX)
			return fail(errp, E2BIG, h.m.req, 413,
				    "Request Entity Too Large", SIP_HDR_NONE);
		blen = avail;
	}

	nhsz = ALIGN_UP(h.nh * sizeof(struct sip_hdr));
	arsz = ALIGN_UP(ARENA_MIN + h.nh * ARENA_PER_HDR);
	copy = (flags & SIP_MSG_NOCOPY) ? 0 : (size_t)(h.body - p) + blen;
	total = ALIGN_UP(sizeof(struct sip_msg)) + nhsz + arsz + copy;
	msg = blk_get(&total);
	if (!msg)
		return fail(errp, ENOMEM, h.m.req, 500, "Out Of Memory",
			    SIP_HDR_NONE);
	sip_zero(msg, offsetof(struct sip_msg, tc));
	msg->blk_cap = total;
	msg->hdrs = (struct sip_hdr *)((char *)msg +
				       ALIGN_UP(sizeof(struct sip_msg)));
	msg->ar = (char *)msg->hdrs + nhsz;
	msg->ar_cap = arsz;
	if (copy) {
		base = msg->ar + arsz;
		memcpy(base, p, copy);
	} else {
		base = (char *)(uintptr_t)p;
	}

	msg->req = h.m.req;
	msg->method = h.m.method;
	msg->mid = h.m.mid;
	msg->ruri = h.m.ruri;
	msg->status = h.m.status;
	msg->reason = h.m.reason;
	msg->body.p = h.body;
	msg->body.l = blen;
	rebase(&msg->method, p, base);
	rebase(&msg->ruri, p, base);
	rebase(&msg->reason, p, base);
	rebase(&msg->body, p, base);
	/* Every name and value is set: one block copy, then each pointer
	 * moved without rebase()'s test. */
	memcpy(msg->hdrs, hv, h.nh * sizeof(*hv));
	{
		/* one addition a pointer */
		uintptr_t delta = (uintptr_t)base - (uintptr_t)p;

		for (size_t i = 0; i < h.nh; i++) {
			struct sip_hdr *d = &msg->hdrs[i];

			d->name.p = (const char *)((uintptr_t)d->name.p +
						   delta);
			d->val.p = (const char *)((uintptr_t)d->val.p + delta);
			msg->hnum[d->id]++;
		}
	}
	msg->nhdr = msg->hdrcap = h.nh;
	*msgp = msg;
	return 0;
}

void sip_msg_free(struct sip_msg *msg)
{
	struct sip_chunk *c, *n;

	if (!msg)
		return;
	for (c = msg->chunks; c; c = n) {
		n = c->next;
		free(c);
	}
	if (msg->hdrs_heap)
		free(msg->hdrs);
	blk_put(msg);
}

void *sip_msg_mem(struct sip_msg *msg, size_t n)
{
	struct sip_chunk *c = msg->chunks;
	void *p;

	n = ALIGN_UP(n ? n : 1);
	if (msg->ar_cap - msg->ar_used >= n) {
		p = msg->ar + msg->ar_used;
		msg->ar_used += n;
		return p;
	}
	if (!c || c->cap - c->used < n) {
		size_t cap = c ? c->cap * 2 : 4096;

		if (cap < n)
			cap = n;
		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = msg->chunks;
		msg->chunks = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

int sip_msg_memdup(struct sip_msg *msg, struct pl *dst, const void *p,
		   size_t n)
{
	char *d = sip_msg_mem(msg, n);

	if (!d)
		return ENOMEM;
	if (n)
		memcpy(d, p, n);
	dst->p = d;
	dst->l = n;
	return 0;
}

bool sip_msg_is_request(const struct sip_msg *msg)
{
	return msg->req;
}

struct pl sip_msg_method(const struct sip_msg *msg)
{
	return msg->method;
}

enum sip_method sip_msg_method_id(const struct sip_msg *msg)
{
	return msg->mid;
}

struct pl sip_msg_ruri_raw(const struct sip_msg *msg)
{
	return msg->ruri;
}

uint16_t sip_msg_status(const struct sip_msg *msg)
{
	return msg->status;
}

struct pl sip_msg_reason(const struct sip_msg *msg)
{
	return msg->reason;
}

struct pl sip_msg_body(const struct sip_msg *msg)
{
	return msg->body;
}

size_t sip_msg_hdr_count(const struct sip_msg *msg)
{
	return msg->nhdr;
}

const struct sip_hdr *sip_msg_hdr_at(const struct sip_msg *msg, size_t i)
{
	return i < msg->nhdr ? &msg->hdrs[i] : NULL;
}

const struct sip_hdr *sip_msg_hdr_next(const struct sip_msg *msg,
				       enum sip_hdr_id id, size_t *ip)
{
	for (size_t i = *ip; i < msg->nhdr; i++) {
		if (msg->hdrs[i].id == id) {
			*ip = i + 1;
			return &msg->hdrs[i];
		}
	}
	*ip = msg->nhdr;
	return NULL;
}

const struct sip_hdr *sip_msg_hdr_next_name(const struct sip_msg *msg,
					    const struct pl *name, size_t *ip)
{
	enum sip_hdr_id id = sip_hdr_lookup(name);

	if (id != SIP_HDR_OTHER)
		return sip_msg_hdr_next(msg, id, ip);
	for (size_t i = *ip; i < msg->nhdr; i++) {
		if (msg->hdrs[i].id == SIP_HDR_OTHER &&
		    pl_caseeq(&msg->hdrs[i].name, name)) {
			*ip = i + 1;
			return &msg->hdrs[i];
		}
	}
	*ip = msg->nhdr;
	return NULL;
}

size_t sip_msg_hdr_num(const struct sip_msg *msg, enum sip_hdr_id id)
{
	return (unsigned)id < SIP_HDR_NUM ? msg->hnum[id] : 0;
}
