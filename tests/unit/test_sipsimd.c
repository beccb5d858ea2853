/* test_sipsimd.c - the SIP parser's vector paths (AVX2 line splitter, SSSE3 runs) against its plain ones: the same fields from every message file and from random messages. */
#include <config.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "core/buf.h"
#include "sip/msg.h"
#include "sip/msg_int.h"

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

/* 0 when both paths agree on p; prints the two texts when not. */
static int same_both_ways(const char *what, const char *p, size_t n)
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
		assert_int_equal(fast.err, 0);
		assert_int_equal(plain.err, 0);
		if (fast.len != plain.len ||
		    memcmp(fast.data, plain.data, fast.len) != 0) {
			print_error("%s (mode %u): vector paths\n%.*s\n"
				    "plain paths\n%.*s\n", what, modes[m],
				    (int)fast.len, fast.data,
				    (int)plain.len, plain.data);
			bad = 1;
		}
		buf_free(&fast);
		buf_free(&plain);
	}
	return bad;
}

static char *read_file(const char *path, size_t *np)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		/* exactly n bytes, so that a read past them trips ASan */
		d = malloc(n ? (size_t)n : 1);
		if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
			free(d);
			d = NULL;
		}
		*np = (size_t)n;
	}
	fclose(f);
	return d;
}

/* Every file of a test data directory; returns how many were read. */
static size_t each_file(const char *sub, int *bad)
{
	const char *top = getenv("SIPTTY_TESTDATA");
	char dir[1024], path[2048];
	struct dirent *de;
	size_t count = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", top ? top : "tests/data", sub);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t n = 0;
		char *p;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".expect"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		p = read_file(path, &n);
		if (!p)
			continue;
		*bad |= same_both_ways(de->d_name, p, n);
		free(p);
		count++;
	}
	closedir(d);
	return count;
}

static void test_files(void **state)
{
	int bad = 0;

	(void)state;
	/* the RFC 4475 torture set (valid and invalid) and siptty's own */
	assert_true(each_file("rfc4475", &bad) > 40);
	assert_true(each_file("msg", &bad) > 5);
	assert_int_equal(bad, 0);
}

/* xorshift64*: the same random messages on every run. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 0x2545f4914f6cdd1dull) >> 32) % n;
}

/*
 * Messages built from the pieces that steer the splitter and the runs
 * (names known and not, colons, commas, CR, LF, folds, spaces, quotes,
 * long values that cross 16- and 32-byte blocks, bytes above 0x7f),
 * each into a buffer of exactly its size.
 */
static void test_random(void **state)
{
	static const char *const names[] = {
		"Via", "v", "From", "To", "Call-ID", "CSeq", "Contact",
		"Record-Route", "Content-Length", "X-Long-Unknown-Header-Name",
		"Max-Forwards", "Subject", "Route", "ViA ", "Bad Name", ""};
	static const char *const vals[] = {
		"SIP/2.0/UDP host.example.com;branch=z9hG4bK776asdhds",
		"SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKnashds8;rport",
		"\"Bob, Jr\" <sip:bob@example.com>;tag=1928301774",
		"<sips:carol@chicago.example.com:5061;transport=tcp>",
		"sip:alice@atlanta.example.com;tag=abc,<sip:x@y>",
		"a84b4c76e66710@pc33.atlanta.example.com", "314159 INVITE",
		"0", "70", "  spaced  ", "a,b,c", "\xc3\xa9t\xc3\xa9", ":::",
		"x\r\n y", "x\r\n\tz,w", "x\ry", "\r", ",", ""};
	int bad = 0;

	(void)state;
	for (int round = 0; round < 3000 && !bad; round++) {
		struct buf m;
		char *p;
		size_t nl = 1 + rnd(14);

		buf_init(&m, 0);
		buf_puts(&m, rnd(2) ? "INVITE sip:bob@example.com SIP/2.0\r\n" :
			 "SIP/2.0 200 OK\r\n");
		for (size_t i = 0; i < nl; i++) {
			const char *v = vals[rnd(sizeof(vals) / sizeof(vals[0]))];
			size_t pad = rnd(4) == 0 ? rnd(80) : 0;

			buf_puts(&m, names[rnd(sizeof(names) / sizeof(names[0]))]);
			buf_puts(&m, rnd(8) ? ": " : ":");
			buf_puts(&m, v);
			for (size_t k = 0; k < pad; k++)
				buf_putc(&m, "ab.-,;=\" \t"[rnd(10)]);
			buf_puts(&m, rnd(10) ? "\r\n" : "\n");
		}
		if (rnd(4))
			buf_puts(&m, "\r\n");
		if (rnd(3) == 0)
			buf_puts(&m, "v=0\r\n");
		assert_int_equal(m.err, 0);
		/* every prefix of some messages: data that ends anywhere */
		for (size_t cut = rnd(6) == 0 ? 0 : m.len; cut <= m.len; cut++) {
			p = malloc(cut ? cut : 1);
			assert_non_null(p);
			memcpy(p, m.data, cut);
			bad |= same_both_ways("random", p, cut);
			free(p);
		}
		buf_free(&m);
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
