/* print.c - serialises the model (Content-Length computed) and compares two models. */
#include <config.h>

#include <string.h>

#include "sip/msg_int.h"

/*
 * Folds are kept, each with a CRLF line end whatever it came with.
 * Joining the lines would be prettier but not always the same value: a
 * backslash before a fold inside a quoted string is an error (quoted-pair
 * excludes CR), before a space it is an escape.
 */
static void put_value(struct buf *b, const struct pl *v)
{
	const char *p = v->p, *e = v->p + v->l;

	while (p < e) {
		const char *q = p;

		while (q < e && *q != '\r' && *q != '\n')
			q++;
		buf_write(b, p, (size_t)(q - p));
		if (q == e)
			break;
		buf_write(b, "\r\n", 2);
		while (q < e && (*q == '\r' || *q == '\n'))
			q++;
		p = q;
	}
}

int sip_msg_print(struct buf *out, const struct sip_msg *msg)
{
	bool cl = false;

	/* Written as bytes, not through "%.*s": a reason phrase may hold
	 * a NUL that printf would stop at. */
	if (msg->req) {
		buf_putpl(out, &msg->method);
		buf_putc(out, ' ');
		buf_putpl(out, &msg->ruri);
		buf_puts(out, " SIP/2.0\r\n");
	} else {
		buf_printf(out, "SIP/2.0 %03u ", msg->status);
		buf_putpl(out, &msg->reason);
		buf_puts(out, "\r\n");
	}
	for (size_t i = 0; i < msg->nhdr; i++) {
		const struct sip_hdr *h = &msg->hdrs[i];

		if (h->id == SIP_HDR_CONTENT_LENGTH) {
			if (!cl) {
				buf_putpl(out, &h->name);
				buf_printf(out, ": %zu\r\n", msg->body.l);
			}
			cl = true;
			continue;
		}
		buf_putpl(out, &h->name);
		buf_write(out, ": ", 2);
		put_value(out, &h->val);
		buf_write(out, "\r\n", 2);
	}
	if (!cl)
		buf_printf(out, "Content-Length: %zu\r\n", msg->body.l);
	buf_write(out, "\r\n", 2);
	if (msg->body.l)
		buf_putpl(out, &msg->body);
	return out->err;
}

static bool same_unfolded(const struct pl *a, const struct pl *b)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->l && (a->p[i] == '\r' || a->p[i] == '\n'))
			i++;
		while (j < b->l && (b->p[j] == '\r' || b->p[j] == '\n'))
			j++;
		if (i == a->l || j == b->l)
			return i == a->l && j == b->l;
		if (a->p[i++] != b->p[j++])
			return false;
	}
}

static const struct sip_hdr *next_hdr(const struct sip_msg *m, size_t *i)
{
	while (*i < m->nhdr && m->hdrs[*i].id == SIP_HDR_CONTENT_LENGTH)
		(*i)++;
	return *i < m->nhdr ? &m->hdrs[(*i)++] : NULL;
}

bool sip_msg_same(const struct sip_msg *a, const struct sip_msg *b)
{
	const struct sip_hdr *ha, *hb;
	size_t i = 0, j = 0;

	if (a->req != b->req || !pl_eq(&a->body, &b->body))
		return false;
	if (a->req && (!pl_eq(&a->method, &b->method) ||
		       !pl_eq(&a->ruri, &b->ruri)))
		return false;
	if (!a->req && (a->status != b->status ||
			!pl_eq(&a->reason, &b->reason)))
		return false;
	for (;;) {
		ha = next_hdr(a, &i);
		hb = next_hdr(b, &j);
		if (!ha || !hb)
			return !ha && !hb;
		if (ha->id != hb->id || !pl_eq(&ha->name, &hb->name) ||
		    !same_unfolded(&ha->val, &hb->val))
			return false;
	}
}
