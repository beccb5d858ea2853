/* cseq.c - the small scalar headers: CSeq, Call-ID, RAck (RFC 3261 20.16, 20.8; RFC 3262 7.2). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

static int number(struct pl *s, uint32_t *v)
{
	struct pl d;
	int err;

	err = sip_scan(s, CT_DIGIT, &d);
	if (err)
		return err;
	/* scalar02: a sequence number past 2^32-1 is an error, not a
	 * wrap-around. */
	return sip_num(&d, UINT32_MAX, v);
}

static int need_lws(struct pl *s)
{
	if (!s->l || !sip_is(*s->p, CT_LWS))
		return EBADMSG;
	sip_lws(s);
	return 0;
}

int sip_cseq_decode(struct sip_cseq *c, const struct pl *s0)
{
	const char *p = s0->p, *e = s0->p + s0->l, *t;
	struct pl s = *s0;
	uint64_t num = 0;
	int err;

	/* "1*10DIGIT SP token", what the general path below takes apart
	 * to the same fields; any other shape goes there. */
	for (t = p; t < e && sip_is(*t, CT_DIGIT) && t - p < 10; t++)
		num = num * 10 + (unsigned)(*t - '0');
	if (t > p && num <= UINT32_MAX && e - t >= 2 && *t == ' ' &&
	    sip_is(t[1], CT_TOKEN)) {
		c->num = (uint32_t)num;
		c->method.p = t + 1;
		c->method.l = (size_t)(e - t - 1);
		if (sip_run(c->method.p, e, CT_TOKEN) == e) {
			c->mid = sip_method_lookup(&c->method);
			return 0;
		}
	}
	memset(c, 0, sizeof(*c));
	sip_lws(&s);
	err = number(&s, &c->num);
	if (err)
		return err;
	if (need_lws(&s) || sip_scan(&s, CT_TOKEN, &c->method))
		return EBADMSG;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	c->mid = sip_method_lookup(&c->method);
	return 0;
}

/* callid = word [ "@" word ] */
int sip_callid_check(const struct pl *s0)
{
	const char *p = s0->p, *e = s0->p + s0->l, *w;

	w = sip_run_long(p, e, CT_WORD);
	if (w == p)
		return EBADMSG;
	if (w < e && *w == '@') {
		p = w + 1;
		w = sip_run_long(p, e, CT_WORD);
		if (w == p)
			return EBADMSG;
	}
	return w != e ? EBADMSG : 0;
}

int sip_rack_decode(struct sip_rack *r, const struct pl *s0)
{
	struct pl s = *s0;
	int err;

	memset(r, 0, sizeof(*r));
	sip_lws(&s);
	err = number(&s, &r->rseq);
	if (err)
		return err;
	if (need_lws(&s))
		return EBADMSG;
	err = number(&s, &r->cseq);
	if (err)
		return err;
	if (need_lws(&s) || sip_scan(&s, CT_TOKEN, &r->method))
		return EBADMSG;
	sip_lws(&s);
	return s.l ? EBADMSG : 0;
}
