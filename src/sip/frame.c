/* frame.c - finds where one message ends in a stream (RFC 3261 18.3): head, then Content-Length bytes. */
#include <config.h>

#include <errno.h>
#include <string.h>
#include <strings.h>

#include "sip/msg_int.h"

/* Content-Length or its compact form l, any case, then HCOLON. */
static const char *clen_value(const char *q, const char *le)
{
	static const char name[] = "content-length";
	const char *c = q;
	size_t n;

	while (c < le && sip_is(*c, CT_TOKEN))
		c++;
	n = (size_t)(c - q);
	if (n == 1) {
		if ((*q | 0x20) != 'l')
			return NULL;
	} else if (n != sizeof(name) - 1 || strncasecmp(q, name, n) != 0) {
		return NULL;
	}
	while (c < le && sip_is(*c, CT_WSP))
		c++;
	return c < le && *c == ':' ? c + 1 : NULL;
}

int sip_msg_frame(const char *p, size_t len, size_t *msglen)
{
	const char *s, *e, *q, *nl, *v, *body = NULL;
	bool have_cl = false;
	uint32_t cl = 0;
	size_t skip, head;

	if (!p || !msglen)
		return EINVAL;
	skip = sip_msg_skip_crlf(p, len);
	s = p + skip;
	e = p + len;
	if (s == e)
		return ENODATA;
	/* Nothing past SIP_HEAD_MAX is looked at: a head that has not ended
	 * by then never will within the bounds. */
	if ((size_t)(e - s) > SIP_HEAD_MAX)
		e = s + SIP_HEAD_MAX;
	nl = memchr(s, '\n', (size_t)(e - s));
	if (!nl)
		goto more;
	for (q = nl + 1; q < e; q = nl + 1) {
		if (*q == '\n' || (*q == '\r' && q + 1 < e && q[1] == '\n')) {
			body = q + (*q == '\r' ? 2 : 1);
			break;
		}
		if (*q == '\r' && q + 1 == e)
			goto more;
		/* One header with its folded lines; whether a line is folded
		 * shows only once the next byte is here. */
		nl = q;
		for (;;) {
			nl = memchr(nl, '\n', (size_t)(e - nl));
			if (!nl || nl + 1 == e)
				goto more;
			if (nl[1] != ' ' && nl[1] != '\t')
				break;
			nl++;
		}
		v = clen_value(q, nl);
		if (v) {
			struct pl val = {v, (size_t)(nl - v)};
			int err;

			if (have_cl)
				return EBADMSG;
			sip_lws(&val);
			while (val.l && sip_is(val.p[val.l - 1], CT_LWS))
				val.l--;
			err = sip_num(&val, UINT32_MAX, &cl);
			if (err == ERANGE || (!err && cl > SIP_BODY_MAX))
				return E2BIG;
			if (err)
				return EBADMSG;
			have_cl = true;
		}
	}
	if (!body)
		goto more;
	if (!have_cl)
		return EBADMSG;
	head = (size_t)(body - p);
	if (len - head < cl)
		return ENODATA;
	*msglen = head + cl;
	return 0;
more:
	return (size_t)(p + len - s) > SIP_HEAD_MAX ? E2BIG : ENODATA;
}
