/* sipsimd.c - the SIP parser's vector paths against its plain ones: one
 * input decoded both ways into texts that must be equal (used by
 * tests/unit/test_sipsimd.c and tests/fuzz/fuzz_sipsimd.c). */
#include <config.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "sip/msg.h"
#include "sip/msg_int.h"
#include "tests/sipsimd.h"

/*
 * Each input is decoded twice, with the vector paths on (whatever this
 * CPU has) and off (sip_simd_enable(false): the SSE2 or plain splitter,
 * the scalar runs), in SIP_MSG_NOCOPY mode so that every slice is an
 * offset into the same input.  Everything the splitter and the typed
 * decoders that use the vector runs produce is written into a text,
 * and the two texts must be equal.
 */

static const char *in_base;

static void put_pl(struct buf *b, const char *k, const struct pl *pl)
{
	if (!pl->p)
		buf_printf(b, " %s=unset", k);
	else
		buf_printf(b, " %s=%td+%zu", k, pl->p - in_base, pl->l);
}

static void put_err(struct buf *b, const char *what, int err,
		    const struct sip_err *e)
{
	buf_printf(b, "%s=%d", what, err);
	if (err)
		buf_printf(b, "/%d/%u/%s/%d", e->err, e->status,
			   e->reason ? e->reason : "-", (int)e->hdr);
	buf_putc(b, '\n');
}

static void put_addr(struct buf *b, const struct sip_addr *a)
{
	buf_printf(b, " addr angle=%d ok=%d", a->angle, a->uri_ok);
	put_pl(b, "dname", &a->dname);
	put_pl(b, "uri", &a->uri_raw);
	put_pl(b, "user", &a->uri.user);
	put_pl(b, "host", &a->uri.host);
	buf_printf(b, " port=%u/%d", a->uri.port, a->uri.port_set);
	put_pl(b, "uparams", &a->uri.params);
	put_pl(b, "params", &a->params);
	put_pl(b, "tag", &a->tag);
	buf_putc(b, '\n');
}

/* The text of one decode, with the vector paths as they are set. */
static void snapshot(struct buf *b, const char *p, size_t n, unsigned flags)
{
	struct sip_msg *msg = NULL;
	struct sip_err e = {0};
	const struct sip_vias *vias;
	const struct sip_addr *a;
	const struct sip_addrs *as;
	const struct sip_cseq *cs;
	struct pl pl;
	int err;

	in_base = p;
	err = sip_msg_decode(&msg, p, n, flags | SIP_MSG_NOCOPY, &e);
	put_err(b, "decode", err, &e);
	if (err)
		return;
	for (size_t i = 0; i < sip_msg_hdr_count(msg); i++) {
		const struct sip_hdr *h = sip_msg_hdr_at(msg, i);

		buf_printf(b, "hdr %d marks=%u", (int)h->id, h->marks);
		put_pl(b, "name", &h->name);
		put_pl(b, "val", &h->val);
		buf_putc(b, '\n');
	}
	pl = sip_msg_body(msg);
	put_pl(b, "body", &pl);
	buf_putc(b, '\n');
	memset(&e, 0, sizeof(e));
	err = sip_msg_decode_all(msg, &e);
	put_err(b, "all", err, &e);
	if (sip_msg_vias(msg, &vias) == 0) {
		for (size_t i = 0; i < vias->n; i++) {
			const struct sip_via *v = &vias->v[i];

			put_pl(b, "transport", &v->transport);
			put_pl(b, "host", &v->host);
			buf_printf(b, " port=%u", v->port);
			put_pl(b, "branch", &v->branch);
			put_pl(b, "received", &v->received);
			put_pl(b, "rport", &v->rport);
			put_pl(b, "params", &v->params);
			buf_putc(b, '\n');
		}
	}
	if (sip_msg_addr(msg, SIP_HDR_FROM, &a) == 0)
		put_addr(b, a);
	if (sip_msg_addr(msg, SIP_HDR_TO, &a) == 0)
		put_addr(b, a);
	if (sip_msg_addrs(msg, SIP_HDR_CONTACT, &as) == 0) {
		for (size_t i = 0; i < as->n; i++)
			put_addr(b, &as->v[i]);
	}
	if (sip_msg_addrs(msg, SIP_HDR_RECORD_ROUTE, &as) == 0) {
		for (size_t i = 0; i < as->n; i++)
			put_addr(b, &as->v[i]);
	}
	if (sip_msg_callid(msg, &pl) == 0)
		put_pl(b, "callid", &pl);
	if (sip_msg_cseq(msg, &cs) == 0) {
		buf_printf(b, " cseq=%u", cs->num);
		put_pl(b, "method", &cs->method);
	}
	buf_putc(b, '\n');
	sip_msg_free(msg);
}

int sipsimd_differ(const char *p, size_t n, FILE *report,
		   const char *what)
{
	static const unsigned modes[] = {0, SIP_MSG_STREAM};
	int bad = 0;

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct buf fast, plain;

		buf_init(&fast, 0);
		buf_init(&plain, 0);
		sip_simd_enable(true);
		snapshot(&fast, p, n, modes[m]);
		sip_simd_enable(false);
		snapshot(&plain, p, n, modes[m]);
		sip_simd_enable(true);
		if (fast.err || plain.err) {
			fprintf(report, "%s (mode %u): out of memory\n", what,
				modes[m]);
			bad = 1;
		} else if (fast.len != plain.len ||
			   memcmp(fast.data, plain.data, fast.len) != 0) {
			fprintf(report, "%s (mode %u): vector paths\n%.*s\n"
				"plain paths\n%.*s\n", what, modes[m],
				(int)fast.len, fast.data ? fast.data : "",
				(int)plain.len, plain.data ? plain.data : "");
			bad = 1;
		}
		buf_free(&fast);
		buf_free(&plain);
	}
	return bad;
}
