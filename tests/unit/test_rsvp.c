/* test_rsvp.c - token checks, PATH encoding read back by an independent reader, checksum, tspec sizes. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "audio/qos.h"
#include "audio/rsvp.h"

/* ---- RFC 3520 elements built here, independently of audio/rsvp.c ---- */

struct el {
	uint8_t b[2048];
	size_t len;
};

static void el_start(struct el *e, uint16_t ptype)
{
	memset(e, 0, sizeof(*e));
	e->b[2] = (uint8_t)(ptype >> 8);
	e->b[3] = (uint8_t)ptype;
	e->len = 4;
}

/* Attribute: Length counts header and value, not the padding. */
static void el_attr(struct el *e, uint8_t xtype, uint8_t sub,
		    const void *val, size_t vlen)
{
	size_t al = 4 + vlen;

	e->b[e->len] = (uint8_t)(al >> 8);
	e->b[e->len + 1] = (uint8_t)al;
	e->b[e->len + 2] = xtype;
	e->b[e->len + 3] = sub;
	memcpy(e->b + e->len + 4, val, vlen);
	e->len += (al + 3) & ~(size_t)3;
}

static void el_end(struct el *e)
{
	e->b[0] = (uint8_t)(e->len >> 8);
	e->b[1] = (uint8_t)e->len;
}

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
	out[2 * n] = '\0';
}

/* AUTH_ENT_ID (FQDN, 13 bytes: padded), SESSION_ID, AUTHENTICATION_DATA. */
static void good_element(struct el *e)
{
	static const uint8_t sid[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t mac[20] = {0xaa, 0xbb, 0xcc};

	el_start(e, 4);
	el_attr(e, 1, 3, "pdp.example.t", 13);
	el_attr(e, 2, 0, sid, sizeof(sid));
	el_attr(e, 8, 0, mac, sizeof(mac));
	el_end(e);
}

static int check_hex(const char *hex, char *why, size_t whysz)
{
	return qos_token_check(hex, strlen(hex), why, whysz);
}

static void test_token_good(void **state)
{
	struct el e;
	char hex[4200], why[200] = "";

	(void)state;
	good_element(&e);
	assert_int_equal(e.len, 4 + 20 + 12 + 24);
	to_hex(e.b, e.len, hex);
	assert_int_equal(check_hex(hex, why, sizeof(why)), 0);
	/* Upper case hex is hex too (RFC 3313: 1*HEXDIG). */
	for (char *c = hex; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	assert_int_equal(check_hex(hex, why, sizeof(why)), 0);
	/* The PeerLab token (FQDN pdp.peerlab.test, SESSION_ID). */
	assert_int_equal(check_hex("00240004001401037064702e706565726c61622e74657374000c02010011223344556677",
				   why, sizeof(why)), 0);
	/* Another P-Type: only the element framing is checked. */
	assert_int_equal(check_hex("0008000300000000", why, sizeof(why)), 0);
}

static void test_token_odd_and_nonhex(void **state)
{
	char why[200];
	struct el e;
	char hex[4200];

	(void)state;
	good_element(&e);
	to_hex(e.b, e.len, hex);
	hex[2 * e.len - 1] = '\0';
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	assert_non_null(strstr(why, "odd"));
	to_hex(e.b, e.len, hex);
	hex[10] = 'g';
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	assert_non_null(strstr(why, "position 11"));
	assert_int_equal(check_hex("", why, sizeof(why)), EBADMSG);
	assert_int_equal(qos_token_check("00 8000300000000", 16, why, sizeof(why)), EBADMSG);
}

static void test_token_bad_attr_len(void **state)
{
	char hex[4200], why[200];
	struct el e;

	(void)state;
	/* Second attribute says 40 bytes: past the element's end. */
	good_element(&e);
	e.b[24] = 0;
	e.b[25] = 40;
	to_hex(e.b, e.len, hex);
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	assert_non_null(strstr(why, "offset 24"));
	/* An attribute of length 4 (no value): RFC 3520 wants > 4. */
	good_element(&e);
	e.b[24] = 0;
	e.b[25] = 4;
	to_hex(e.b, e.len, hex);
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	/* Shorter attribute: the lengths no longer add up to the element. */
	good_element(&e);
	e.b[25] = 8;            /* was 12 */
	to_hex(e.b, e.len, hex);
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	/* AUTHENTICATION_DATA must be the last attribute. */
	{
		static const uint8_t mac[4] = {1, 2, 3, 4};
		static const uint8_t sid[4] = {9, 9, 9, 9};

		el_start(&e, 4);
		el_attr(&e, 8, 0, mac, 4);
		el_attr(&e, 2, 0, sid, 4);
		el_end(&e);
		to_hex(e.b, e.len, hex);
		assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
		assert_non_null(strstr(why, "AUTHENTICATION_DATA"));
	}
	/* AUTH_SESSION without attributes. */
	assert_int_equal(check_hex("00040004", why, sizeof(why)), EBADMSG);
}

static void test_token_bad_element_len(void **state)
{
	char hex[4200], why[200];
	struct el e;

	(void)state;
	good_element(&e);
	e.b[1] = (uint8_t)(e.len + 4);      /* says more than there is */
	to_hex(e.b, e.len, hex);
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	assert_non_null(strstr(why, "length"));
	good_element(&e);
	e.b[1] = (uint8_t)(e.len - 4);      /* says less */
	to_hex(e.b, e.len, hex);
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	/* Length not a multiple of 4 (6 bytes, consistent otherwise). */
	assert_int_equal(check_hex("000600030000", why, sizeof(why)), EBADMSG);
	assert_non_null(strstr(why, "multiple of 4"));
	/* A token that is only the P-Type is an element with no attribute. */
	assert_int_equal(check_hex("0004", why, sizeof(why)), EBADMSG);
	assert_non_null(strstr(why, "no attribute"));
}

/* SPECS 7.1: a token may be the element without its Length (P-Type and
 * attributes); the Length is put in front.  Its attributes are checked
 * just the same. */
static void test_token_without_length(void **state)
{
	struct el e;
	char hex[4200], why[200] = "";

	(void)state;
	good_element(&e);
	to_hex(e.b + 2, e.len - 2, hex);
	assert_int_equal(check_hex(hex, why, sizeof(why)), 0);
	/* A broken attribute length is still found. */
	e.b[5] = 0x40;
	to_hex(e.b + 2, e.len - 2, hex);
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	/* Neither form: not its own length, not P-Type 4. */
	assert_int_equal(check_hex("00090003aabbccdd", why, sizeof(why)), EBADMSG);
}

static void test_token_too_long(void **state)
{
	char *hex = malloc(QOS_TOKEN_MAX_HEX + 3);
	char why[200];
	struct el e;
	size_t i;

	(void)state;
	assert_non_null(hex);
	for (i = 0; i < QOS_TOKEN_MAX_HEX + 2; i++)
		hex[i] = '0';
	hex[QOS_TOKEN_MAX_HEX + 2] = '\0';
	assert_int_equal(check_hex(hex, why, sizeof(why)), EBADMSG);
	assert_non_null(strstr(why, "more than"));
	/* Exactly at the bound is fine when it frames right: a 1024-byte
	 * element of another P-Type. */
	el_start(&e, 3);
	e.len = QOS_TOKEN_MAX_HEX / 2;
	el_end(&e);
	to_hex(e.b, e.len, hex);
	assert_int_equal(strlen(hex), QOS_TOKEN_MAX_HEX);
	assert_int_equal(check_hex(hex, why, sizeof(why)), 0);
	free(hex);
}

/* ---- an independent minimal RSVP reader ---- */

static unsigned rd16(const uint8_t *p) { return (unsigned)(p[0] << 8 | p[1]); }
static unsigned long rd32(const uint8_t *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	       (unsigned long)p[2] << 8 | p[3];
}
static float rdf(const uint8_t *p)
{
	uint32_t v = (uint32_t)rd32(p);
	float f;

	memcpy(&f, &v, 4);
	return f;
}

struct robj {
	unsigned cls, ctype, len;
	const uint8_t *body;
};

static size_t read_objs(const uint8_t *m, size_t len, struct robj *o, size_t max)
{
	size_t off = 8, n = 0;

	while (off + 4 <= len && n < max) {
		o[n].len = rd16(m + off);
		o[n].cls = m[off + 2];
		o[n].ctype = m[off + 3];
		o[n].body = m + off + 4;
		assert_true(o[n].len >= 4 && o[n].len % 4 == 0);
		assert_true(off + o[n].len <= len);
		off += o[n].len;
		n++;
	}
	assert_int_equal(off, len);
	return n;
}

static unsigned sum16(const uint8_t *p, size_t len)
{
	unsigned long s = 0;
	size_t i;

	for (i = 0; i < len; i += 2)
		s += rd16(p + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (unsigned)s;
}

static void v4(struct rsvp_addr *a, const char *s)
{
	a->af = AF_INET;
	assert_int_equal(inet_pton(AF_INET, s, a->a), 1);
}

static void test_path_encoding(void **state)
{
	struct el e1, e2;
	struct rsvp_path p;
	uint8_t m[4096];
	struct robj o[16];
	size_t len, n;
	static const unsigned want[] = {1, 3, 5, 14, 14, 11, 12};

	(void)state;
	good_element(&e1);
	el_start(&e2, 3);
	e2.len = 8;
	el_end(&e2);
	memset(&p, 0, sizeof(p));
	v4(&p.dst, "192.0.2.7");
	p.dport = 6000;
	v4(&p.src, "198.51.100.9");
	p.sport = 6100;
	p.refresh_ms = 30000;
	p.ttl = 63;
	p.pe[0] = e1.b; p.pelen[0] = e1.len;
	p.pe[1] = e2.b; p.pelen[1] = e2.len;
	p.npe = 2;
	qos_tspec_for(&p.tspec, "PCMU", 20, 0);
	assert_int_equal(rsvp_build(RSVP_PATH, &p, m, sizeof(m), &len), 0);

	/* Common header. */
	assert_int_equal(m[0], 0x10);
	assert_int_equal(m[1], 1);
	assert_int_equal(m[4], 63);
	assert_int_equal(rd16(m + 6), len);
	/* Checksum: the one's complement sum of the whole message is -0. */
	assert_int_not_equal(rd16(m + 2), 0);
	assert_int_equal(sum16(m, len), 0xffff);

	n = read_objs(m, len, o, 16);
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(o[i].cls, want[i]);
		assert_int_equal(o[i].ctype, o[i].cls == 12 ? 2 : 1);
	}
	/* SESSION: 192.0.2.7, UDP, flags 0, port 6000. */
	assert_int_equal(o[0].len, 12);
	assert_memory_equal(o[0].body, "\xc0\x00\x02\x07", 4);
	assert_int_equal(o[0].body[4], 17);
	assert_int_equal(o[0].body[5], 0);
	assert_int_equal(rd16(o[0].body + 6), 6000);
	/* RSVP_HOP: our address, LIH 0. */
	assert_int_equal(o[1].len, 12);
	assert_memory_equal(o[1].body, "\xc6\x33\x64\x09", 4);
	assert_int_equal(rd32(o[1].body + 4), 0);
	/* TIME_VALUES. */
	assert_int_equal(o[2].len, 8);
	assert_int_equal(rd32(o[2].body), 30000);
	/* POLICY_DATA: DataOffset 8, then the element unmodified. */
	assert_int_equal(o[3].len, 8 + e1.len);
	assert_int_equal(rd16(o[3].body), 8);
	assert_int_equal(rd16(o[3].body + 2), 0);
	assert_memory_equal(o[3].body + 4, e1.b, e1.len);
	assert_int_equal(o[4].len, 8 + e2.len);
	assert_memory_equal(o[4].body + 4, e2.b, e2.len);
	/* SENDER_TEMPLATE. */
	assert_int_equal(o[5].len, 12);
	assert_memory_equal(o[5].body, "\xc6\x33\x64\x09", 4);
	assert_int_equal(rd16(o[5].body + 4), 0);
	assert_int_equal(rd16(o[5].body + 6), 6100);
	/* SENDER_TSPEC (RFC 2210 3.1). */
	assert_int_equal(o[6].len, 36);
	assert_int_equal(o[6].body[0], 0);
	assert_int_equal(rd16(o[6].body + 2), 7);
	assert_int_equal(o[6].body[4], 1);
	assert_int_equal(rd16(o[6].body + 6), 6);
	assert_int_equal(o[6].body[8], 127);
	assert_int_equal(o[6].body[9], 0);
	assert_int_equal(rd16(o[6].body + 10), 5);
	assert_true(rdf(o[6].body + 12) == 10000.0f);
	assert_true(rdf(o[6].body + 16) == 200.0f);
	assert_true(rdf(o[6].body + 20) == 10000.0f);
	assert_int_equal(rd32(o[6].body + 24), 200);
	assert_int_equal(rd32(o[6].body + 28), 200);
}

static void test_pathtear_and_v6(void **state)
{
	struct rsvp_path p;
	uint8_t m[1024];
	struct robj o[8];
	size_t len, n;
	struct el e;

	(void)state;
	good_element(&e);
	memset(&p, 0, sizeof(p));
	p.dst.af = p.src.af = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", p.dst.a), 1);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", p.src.a), 1);
	p.dport = 4000;
	p.sport = 4002;
	p.pe[0] = e.b; p.pelen[0] = e.len; p.npe = 1;
	assert_int_equal(rsvp_build(RSVP_PATHTEAR, &p, m, sizeof(m), &len), 0);
	assert_int_equal(m[1], 5);
	n = read_objs(m, len, o, 8);
	assert_int_equal(n, 4);       /* SESSION, HOP, TEMPLATE, TSPEC: no policy */
	assert_int_equal(o[0].cls, 1);
	assert_int_equal(o[0].ctype, 2);
	assert_int_equal(o[0].len, 24);
	assert_int_equal(rd16(o[0].body + 18), 4000);
	assert_int_equal(o[1].cls, 3);
	assert_int_equal(o[1].len, 24);
	assert_int_equal(o[2].cls, 11);
	assert_int_equal(o[2].ctype, 2);
	assert_int_equal(rd16(o[2].body + 18), 4002);
	assert_int_equal(sum16(m, len), 0xffff);
	/* Mixed families, a bad element, no room. */
	p.src.af = AF_INET;
	assert_int_equal(rsvp_build(RSVP_PATH, &p, m, sizeof(m), &len), EINVAL);
	p.src.af = AF_INET6;
	e.b[1] ^= 4;
	assert_int_equal(rsvp_build(RSVP_PATH, &p, m, sizeof(m), &len), EINVAL);
	e.b[1] ^= 4;
	assert_int_equal(rsvp_build(RSVP_PATH, &p, m, 40, &len), ENOSPC);
	assert_int_equal(rsvp_build(RSVP_RESV, &p, m, sizeof(m), &len), EINVAL);
}

static void test_checksum(void **state)
{
	/* RFC 1071 section 3 example: sum 0xddf2, checksum 0x220d. */
	static const uint8_t ex[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	static const uint8_t odd[3] = {0x12, 0x34, 0x56};
	static const uint8_t ones[2] = {0x00, 0x00};
	struct rsvp_path p;
	struct rsvp_msg msg;
	uint8_t m[512];
	size_t len;

	(void)state;
	assert_int_equal(rsvp_checksum(ex, 8), 0x220d);
	/* Odd length: pad with a zero byte: 0x1234 + 0x5600 = 0x6834. */
	assert_int_equal(rsvp_checksum(odd, 3), (uint16_t)~0x6834);
	/* All zero sums to 0: complement 0xffff. */
	assert_int_equal(rsvp_checksum(ones, 2), 0xffff);

	memset(&p, 0, sizeof(p));
	v4(&p.dst, "127.0.0.1");
	v4(&p.src, "127.0.0.1");
	p.dport = 1; p.sport = 2;
	assert_int_equal(rsvp_build(RSVP_PATH, &p, m, sizeof(m), &len), 0);
	assert_int_equal(rsvp_parse(&msg, m, len), 0);
	assert_true(msg.has_checksum);
	m[9] ^= 0x40;                 /* flip a bit: checksum fails */
	assert_int_equal(rsvp_parse(&msg, m, len), EBADMSG);
	m[9] ^= 0x40;
	m[2] = m[3] = 0;              /* no checksum: accepted */
	assert_int_equal(rsvp_parse(&msg, m, len), 0);
	assert_false(msg.has_checksum);
}

static void test_tspec(void **state)
{
	struct qos_tspec t;

	(void)state;
	qos_tspec_for(&t, "PCMU", 20, 0);     /* 160 + 40 bytes, 50/s */
	assert_true(t.r == 10000.0f && t.p == 10000.0f && t.b == 200.0f);
	assert_int_equal(t.m, 200);
	assert_int_equal(t.M, 200);
	qos_tspec_for(&t, "pcma", 30, 0);     /* 240 + 40 bytes, 33.3/s */
	assert_int_equal(t.M, 280);
	assert_true(t.r > 9333.0f && t.r < 9334.0f);
	qos_tspec_for(&t, "opus", 20, 32000); /* 80 + 40 bytes, 50/s */
	assert_int_equal(t.M, 120);
	assert_true(t.r == 6000.0f);
	qos_tspec_for(&t, "opus", 20, 64000); /* 160 + 40 */
	assert_int_equal(t.M, 200);
	qos_tspec_for(&t, "opus", 60, 24000); /* 180 + 40, 16.7/s */
	assert_int_equal(t.M, 220);
	assert_true(t.r > 3666.0f && t.r < 3667.0f);
	qos_tspec_for(&t, "opus", 20, 0);     /* default 32 kbit/s */
	assert_int_equal(t.M, 120);
	qos_tspec_for(&t, "PCMU", 0, 0);      /* ptime 0: 20 ms */
	assert_int_equal(t.M, 200);
}

static size_t put_obj(uint8_t *m, size_t off, unsigned cls, unsigned ct,
		      const void *body, size_t blen)
{
	m[off] = (uint8_t)((4 + blen) >> 8);
	m[off + 1] = (uint8_t)(4 + blen);
	m[off + 2] = (uint8_t)cls;
	m[off + 3] = (uint8_t)ct;
	memcpy(m + off + 4, body, blen);
	return off + 4 + blen;
}

static size_t mk_patherr(uint8_t *m, uint8_t code, uint16_t value)
{
	static const uint8_t sess[8] = {127, 0, 0, 1, 17, 0, 0x17, 0x70};
	uint8_t err[8] = {127, 0, 0, 1, 0, code, (uint8_t)(value >> 8), (uint8_t)value};
	size_t off;

	memset(m, 0, 64);
	m[0] = 0x10;
	m[1] = 3;
	m[4] = 64;
	off = put_obj(m, 8, 1, 1, sess, 8);
	off = put_obj(m, off, 6, 1, err, 8);
	m[6] = 0;
	m[7] = (uint8_t)off;
	return off;
}

static void test_parse(void **state)
{
	struct rsvp_msg msg;
	uint8_t m[64];
	size_t len;

	(void)state;
	len = mk_patherr(m, 2, 5);    /* no checksum */
	assert_int_equal(rsvp_parse(&msg, m, len), 0);
	assert_int_equal(msg.type, RSVP_PATHERR);
	assert_true(msg.has_session && msg.has_error);
	assert_int_equal(msg.sess_port, 6000);
	assert_int_equal(msg.err_code, 2);
	assert_int_equal(msg.err_value, 5);
	assert_string_equal(rsvp_error_name(2), "policy control failure");
	assert_string_equal(rsvp_error_name(1), "admission control failure");
	/* Short: header says more than we have. */
	assert_int_equal(rsvp_parse(&msg, m, len - 4), ENODATA);
	assert_int_equal(rsvp_parse(&msg, m, 5), ENODATA);
	/* Bad version. */
	m[0] = 0x20;
	assert_int_equal(rsvp_parse(&msg, m, len), EBADMSG);
	/* An object length running past the end. */
	len = mk_patherr(m, 2, 5);
	m[9] = 40;
	assert_int_equal(rsvp_parse(&msg, m, len), EBADMSG);
	/* An object length of 0 (would loop forever). */
	len = mk_patherr(m, 2, 5);
	m[9] = 0;
	assert_int_equal(rsvp_parse(&msg, m, len), EBADMSG);
	/* Unknown message type. */
	len = mk_patherr(m, 2, 5);
	m[1] = 99;
	assert_int_equal(rsvp_parse(&msg, m, len), EBADMSG);
	/* ERROR_SPEC too short for its C-Type. */
	len = mk_patherr(m, 2, 5);
	m[20] = 0;
	m[21] = 4;                    /* object now 4 bytes: then garbage */
	assert_int_equal(rsvp_parse(&msg, m, len), EBADMSG);
}

static void test_hex(void **state)
{
	uint8_t out[4];
	size_t n;

	(void)state;
	assert_int_equal(rsvp_hex_decode("0aFf", 4, out, sizeof(out), &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(out[0], 0x0a);
	assert_int_equal(out[1], 0xff);
	assert_int_equal(rsvp_hex_decode("0a0b0c0d0e", 10, out, sizeof(out), &n), E2BIG);
	assert_int_equal(rsvp_hex_decode("0x", 2, out, sizeof(out), &n), EBADMSG);
	assert_int_equal(rsvp_hex_decode("abc", 3, out, sizeof(out), &n), EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_good),
		cmocka_unit_test(test_token_odd_and_nonhex),
		cmocka_unit_test(test_token_bad_attr_len),
		cmocka_unit_test(test_token_bad_element_len),
		cmocka_unit_test(test_token_without_length),
		cmocka_unit_test(test_token_too_long),
		cmocka_unit_test(test_path_encoding),
		cmocka_unit_test(test_pathtear_and_v6),
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_tspec),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_hex),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
