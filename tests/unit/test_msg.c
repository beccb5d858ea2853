/* test_msg.c - the message core in C: framing at every split point, bounds, builder, edits, round trips. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sip/msg.h"
#include "test_msg_check.h"

static const char invite[] =
	"INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
	"Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
	"Max-Forwards: 70\r\n"
	"To: Bob <sip:bob@biloxi.example.com>\r\n"
	"From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
	"Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
	"CSeq: 314159 INVITE\r\n"
	"Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
	"Content-Type: application/sdp\r\n"
	"Content-Length: 4\r\n"
	"\r\n"
	"v=0\n";

static struct sip_msg *parse_ok(const char *p, size_t len, unsigned flags)
{
	struct sip_msg *msg = NULL;
	struct sip_err e = {0};
	int err;

	err = sip_msg_decode(&msg, p, len, flags, &e);
	if (err)
		fail_msg("decode: %s %u %s", errname(err), e.status, e.reason);
	return msg;
}

static char *load(const char *dir, const char *name, size_t *len)
{
	char path[512];
	char *d;

	snprintf(path, sizeof(path), "%s/%s/%s", testdata(), dir, name);
	d = read_file(path, len);
	if (!d)
		fail_msg("cannot read %s", path);
	return d;
}

/* ---- parsing ---------------------------------------------------- */

static void parse_request(void **state)
{
	struct sip_msg *msg = parse_ok(invite, sizeof(invite) - 1, 0);
	const struct sip_addr *to;
	struct pl m = sip_msg_method(msg), b = sip_msg_body(msg);

	(void)state;
	assert_true(sip_msg_is_request(msg));
	assert_true(pl_eq_str(&m, "INVITE"));
	assert_int_equal(sip_msg_method_id(msg), SIP_M_INVITE);
	assert_int_equal(sip_msg_hdr_count(msg), 9);
	assert_int_equal(sip_msg_hdr_at(msg, 2)->id, SIP_HDR_TO);
	assert_null(sip_msg_hdr_at(msg, 9));
	assert_true(pl_eq_str(&b, "v=0\n"));
	assert_int_equal(sip_msg_addr(msg, SIP_HDR_TO, &to), 0);
	assert_true(pl_eq_str(&to->dname, "Bob"));
	assert_int_equal(sip_msg_validate(msg, NULL), 0);
	sip_msg_free(msg);
}

/* The typed form is decoded once and then served from the cache. */
static void typed_cached(void **state)
{
	struct sip_msg *msg = parse_ok(invite, sizeof(invite) - 1, 0);
	const struct sip_vias *a, *b;
	const struct sip_addrs *l;
	uint32_t mf;

	(void)state;
	assert_int_equal(sip_msg_vias(msg, &a), 0);
	assert_int_equal(sip_msg_vias(msg, &b), 0);
	assert_ptr_equal(a, b);
	assert_int_equal(sip_msg_uint(msg, SIP_HDR_MAX_FORWARDS, &mf), 0);
	assert_int_equal(mf, 70);
	assert_int_equal(sip_msg_addrs(msg, SIP_HDR_ROUTE, &l), ENOENT);
	assert_int_equal(sip_msg_addrs(msg, SIP_HDR_FROM, &l), EINVAL);
	assert_int_equal(sip_msg_uint(msg, SIP_HDR_VIA, &mf), EINVAL);
	sip_msg_free(msg);
}

/* Without a copy, the slices point into the caller's buffer. */
static void parse_nocopy(void **state)
{
	struct sip_msg *msg;
	struct pl b;

	(void)state;
	msg = parse_ok(invite, sizeof(invite) - 1, SIP_MSG_NOCOPY);
	b = sip_msg_body(msg);
	assert_ptr_equal(b.p, invite + sizeof(invite) - 5);
	sip_msg_free(msg);
	msg = parse_ok(invite, sizeof(invite) - 1, 0);
	b = sip_msg_body(msg);
	assert_ptr_not_equal(b.p, invite + sizeof(invite) - 5);
	sip_msg_free(msg);
}

static void expect_err(const char *p, size_t len, unsigned flags, int err,
		       unsigned status, const char *reason)
{
	struct sip_msg *msg = NULL;
	struct sip_err e = {0};

	assert_int_equal(sip_msg_decode(&msg, p, len, flags, &e), err);
	assert_null(msg);
	assert_int_equal(e.err, err);
	assert_int_equal(e.status, status);
	assert_string_equal(e.reason, reason);
}

static void start_lines(void **state)
{
	static const struct {
		const char *msg;
		unsigned status;
		const char *reason;
	} bad[] = {
		{"INVITE\r\n\r\n", 400, "Bad Request Line"},
		{"INVITE sip:a@b\r\n\r\n", 400, "Bad Request Line"},
		{"INVITE sip:a@b HTTP/1.1\r\n\r\n", 400, "Bad Request Line"},
		{"INVITE sip:a@b SIP/2.1\r\n\r\n", 505, "Version Not Supported"},
		{"INV ITE sip:a@b SIP/2.0\r\n\r\n", 400, "Bad Request Line"},
		{"INVITE sip:a\x01@b SIP/2.0\r\n\r\n", 400, "Bad Request Line"},
		{"INVITE sip:a@b SIP/2.0\rX\r\n\r\n", 400, "Bad Request Line"},
		{"SIP/2.0 2000 OK\r\n\r\n", 0, "Bad Status Code"},
		{"SIP/2.0 20 OK\r\n\r\n", 0, "Bad Status Code"},
		{"SIP/2.0 700 Way Off\r\n\r\n", 0, "Bad Status Code"},
		{"SIP/3.0 200 OK\r\n\r\n", 0, "Version Not Supported"},
		{"SIP/2.0\r\n\r\n", 0, "Bad Status Line"},
		{"\r\n\r\n", 0, "Empty Message"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_err(bad[i].msg, strlen(bad[i].msg), 0, EBADMSG,
			   bad[i].status, bad[i].reason);
}

/* "sip/2.0" is accepted in any case; a response may lack its phrase. */
static void start_line_forms(void **state)
{
	static const char r[] = "SIP/2.0 180\r\nVia: SIP/2.0/UDP h\r\n\r\n";
	static const char q[] = "OPTIONS sip:a@b sip/2.0\r\n\r\n";
	struct sip_msg *msg;
	struct pl reason;

	(void)state;
	msg = parse_ok(r, sizeof(r) - 1, 0);
	assert_int_equal(sip_msg_status(msg), 180);
	reason = sip_msg_reason(msg);
	assert_int_equal(reason.l, 0);
	sip_msg_free(msg);
	msg = parse_ok(q, sizeof(q) - 1, 0);
	assert_int_equal(sip_msg_method_id(msg), SIP_M_OPTIONS);
	sip_msg_free(msg);
}

static void stream_needs_length(void **state)
{
	static const char m[] = "OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n";

	(void)state;
	expect_err(m, sizeof(m) - 1, SIP_MSG_STREAM, EBADMSG, 400,
		   "Missing Content-Length");
	expect_err(m, sizeof(m) - 3, SIP_MSG_STREAM, EBADMSG, 400,
		   "Bad Request");
}

/* ---- bounds ----------------------------------------------------- */

static void bounds(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "INVITE sip:");
	for (int i = 0; i < SIP_URI_MAX; i++)
		buf_putc(&b, 'a');
	buf_puts(&b, "@b SIP/2.0\r\n\r\n");
	expect_err(b.data, b.len, 0, E2BIG, 414, "Request-URI Too Long");

	buf_reset(&b);
	buf_puts(&b, "OPTIONS sip:a@b SIP/2.0\r\n");
	for (int i = 0; i <= SIP_HDR_MAX; i++)
		buf_puts(&b, "X: y\r\n");
	buf_puts(&b, "\r\n");
	expect_err(b.data, b.len, 0, E2BIG, 513, "Too Many Headers");

	buf_reset(&b);
	buf_puts(&b, "OPTIONS sip:a@b SIP/2.0\r\nX: ");
	for (int i = 0; i < SIP_HDR_LEN_MAX; i++)
		buf_putc(&b, 'y');
	buf_puts(&b, "\r\n\r\n");
	expect_err(b.data, b.len, 0, E2BIG, 513, "Header Too Long");

	buf_reset(&b);
	buf_printf(&b, "OPTIONS sip:a@b SIP/2.0\r\nl: %d\r\n\r\n",
		   SIP_BODY_MAX + 1);
	expect_err(b.data, b.len, 0, E2BIG, 413, "Request Entity Too Large");
	buf_reset(&b);
	buf_puts(&b, "OPTIONS sip:a@b SIP/2.0\r\nl: 99999999999\r\n\r\n");
	expect_err(b.data, b.len, 0, E2BIG, 413, "Request Entity Too Large");

	buf_reset(&b);
	buf_puts(&b, "OPTIONS sip:a@b SIP/2.0\r\n\r\n");
	for (int i = 0; i <= SIP_BODY_MAX; i++)
		buf_putc(&b, 'z');
	expect_err(b.data, b.len, 0, E2BIG, 413, "Request Entity Too Large");

	expect_err(b.data, SIP_MSG_MAX + 1, 0, E2BIG, 513,
		   "Message Too Large");
	buf_free(&b);
}

/* Over SIP_PARAM_MAX parameters or SIP_LIST_MAX values: E2BIG, never a
 * silently shortened list. */
static void bounds_typed(void **state)
{
	const struct sip_vias *v;
	const struct sip_addrs *r;
	struct sip_msg *msg;
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h");
	for (int i = 0; i <= SIP_PARAM_MAX; i++)
		buf_printf(&b, ";p%d", i);
	buf_puts(&b, "\r\nRoute: <sip:r0>");
	for (int i = 1; i <= SIP_LIST_MAX; i++)
		buf_printf(&b, ",<sip:r%d>", i);
	buf_puts(&b, "\r\n\r\n");
	msg = parse_ok(b.data, b.len, 0);
	assert_int_equal(sip_msg_vias(msg, &v), E2BIG);
	assert_int_equal(sip_msg_addrs(msg, SIP_HDR_ROUTE, &r), E2BIG);
	sip_msg_free(msg);
	buf_free(&b);
}

/* ---- framing ---------------------------------------------------- */

/* A complete message frames to its length; every shorter prefix needs
 * more bytes, never reports it malformed. */
static void frame_prefixes(const char *p, size_t len, size_t full)
{
	size_t n;

	for (size_t i = 0; i < full; i++) {
		int err = sip_msg_frame(p, i, &n);

		if (err != ENODATA)
			fail_msg("prefix %zu of %zu: %s", i, full,
				 errname(err));
	}
	assert_int_equal(sip_msg_frame(p, len, &n), 0);
	assert_int_equal(n, full);
}

static void frame_split_points(void **state)
{
	static const char *const files[] = {
		"wsinv.dat", "esc01.dat", "mpart01.dat", "longreq.dat",
		"unreason.dat", "bcast.dat",
	};
	size_t len;

	(void)state;
	frame_prefixes(invite, sizeof(invite) - 1, sizeof(invite) - 1);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *d = load("rfc4475", files[i], &len);

		frame_prefixes(d, len, len);
		free(d);
	}
}

/* Two messages back to back, after keep-alive CRLFs: the first one. */
static void frame_pipeline(void **state)
{
	struct buf b;
	size_t n;

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "\r\n\r\n");
	buf_puts(&b, invite);
	buf_puts(&b, invite);
	assert_int_equal(sip_msg_frame(b.data, b.len, &n), 0);
	assert_int_equal(n, 4 + sizeof(invite) - 1);
	assert_int_equal(sip_msg_skip_crlf(b.data, b.len), 4);
	assert_int_equal(sip_msg_frame(b.data + n, b.len - n, &n), 0);
	assert_int_equal(n, sizeof(invite) - 1);
	assert_int_equal(sip_msg_frame("\r\n\r\n", 4, &n), ENODATA);
	buf_free(&b);
}

/* A malformed length shows once its header line is complete, never
 * before, and at the latest when the head is. */
static void frame_malformed(void **state)
{
	static const char *const bad[] = {
		"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: -1\r\n\r\n",
		"OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 1x\r\n\r\n",
		"OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nl: 1\r\n\r\nx",
		"OPTIONS sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n",
	};
	size_t n;

	(void)state;
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		size_t len = strlen(bad[k]);
		const char *end = strstr(bad[k], "\r\n\r\n") + 4;
		const char *line = strchr(bad[k], '\n') + 1;

		for (size_t i = 0; i < len; i++) {
			int err = sip_msg_frame(bad[k], i, &n);

			if (bad[k] + i <= line)
				assert_int_equal(err, ENODATA);
			else if (bad[k] + i >= end)
				assert_int_equal(err, EBADMSG);
			else
				assert_true(err == ENODATA || err == EBADMSG);
		}
		assert_int_equal(sip_msg_frame(bad[k], len, &n), EBADMSG);
	}
}

static void frame_folded_length(void **state)
{
	static const char m[] =
		"OPTIONS sip:a@b SIP/2.0\r\ncontent-LENGTH :\r\n 3\r\n\r\nabc";
	size_t n;

	(void)state;
	frame_prefixes(m, sizeof(m) - 1, sizeof(m) - 1);
	(void)n;
}

static void frame_bounds(void **state)
{
	struct buf b;
	size_t n;

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "OPTIONS sip:a@b SIP/2.0\r\n");
	while (b.len <= SIP_HEAD_MAX)
		buf_puts(&b, "X-Filler: 0123456789abcdef\r\n");
	assert_int_equal(sip_msg_frame(b.data, b.len, &n), E2BIG);
	buf_reset(&b);
	buf_printf(&b, "OPTIONS sip:a@b SIP/2.0\r\nl: %d\r\n\r\n",
		   SIP_BODY_MAX + 1);
	assert_int_equal(sip_msg_frame(b.data, b.len, &n), E2BIG);
	buf_free(&b);
}

/* ---- builder and edits ------------------------------------------ */

static void build_request(void **state)
{
	static const char want[] =
		"MESSAGE sip:bob@example.com SIP/2.0\r\n"
		"Via: SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:alice@example.com>;tag=a1\r\n"
		"To: <sip:bob@example.com>\r\n"
		"Call-ID: c1@192.0.2.1\r\n"
		"CSeq: 1 MESSAGE\r\n"
		"X-Note: built\r\n"
		"Content-Type: text/plain\r\n"
		"Content-Length: 5\r\n"
		"\r\n"
		"hello";
	struct sip_msg *msg, *again;
	const struct sip_cseq *c;
	struct buf out;

	(void)state;
	assert_int_equal(sip_msg_request_alloc(&msg, "MESSAGE",
					       "sip:bob@example.com"), 0);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_VIA,
		"SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bK1"), 0);
	assert_int_equal(sip_msg_hdr_addf(msg, SIP_HDR_MAX_FORWARDS, "%d", 70),
			 0);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_FROM,
					 "<sip:alice@example.com>;tag=a1"), 0);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_TO,
					 "<sip:bob@example.com>"), 0);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_CALL_ID, "c1@192.0.2.1"),
			 0);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_CSEQ, "1 MESSAGE"), 0);
	assert_int_equal(sip_msg_hdr_add_named(msg, "X-Note", "built"), 0);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_CONTENT_TYPE,
					 "text/plain"), 0);
	assert_int_equal(sip_msg_set_body(msg, "hello", 5), 0);
	assert_int_equal(sip_msg_cseq(msg, &c), 0);
	assert_int_equal(c->num, 1);
	assert_int_equal(sip_msg_validate(msg, NULL), 0);

	buf_init(&out, 0);
	assert_int_equal(sip_msg_print(&out, msg), 0);
	assert_string_equal(out.data, want);
	again = parse_ok(out.data, out.len, SIP_MSG_STREAM);
	assert_true(sip_msg_same(msg, again));
	sip_msg_free(again);
	sip_msg_free(msg);
	buf_free(&out);
}

static void build_response(void **state)
{
	struct sip_msg *req, *rsp;
	struct buf out;

	(void)state;
	req = parse_ok(invite, sizeof(invite) - 1, 0);
	assert_int_equal(sip_msg_response_alloc(&rsp, 180, "Ringing"), 0);
	assert_int_equal(sip_msg_hdr_copy(rsp, req, SIP_HDR_VIA), 0);
	assert_int_equal(sip_msg_hdr_copy(rsp, req, SIP_HDR_FROM), 0);
	assert_int_equal(sip_msg_hdr_copy(rsp, req, SIP_HDR_TO), 0);
	assert_int_equal(sip_msg_hdr_copy(rsp, req, SIP_HDR_CALL_ID), 0);
	assert_int_equal(sip_msg_hdr_copy(rsp, req, SIP_HDR_CSEQ), 0);
	assert_int_equal(sip_msg_validate(rsp, NULL), 0);
	buf_init(&out, 0);
	assert_int_equal(sip_msg_print(&out, rsp), 0);
	assert_non_null(strstr(out.data, "SIP/2.0 180 Ringing\r\nVia: "));
	assert_non_null(strstr(out.data, "\r\nContent-Length: 0\r\n\r\n"));
	sip_msg_free(rsp);
	sip_msg_free(req);
	buf_free(&out);
}

/* What the privacy scrubber does: swap From, drop Contact's user, remove
 * headers; the typed forms follow the edits. */
static void edit_scrub(void **state)
{
	struct sip_msg *msg, *again;
	const struct sip_addr *from;
	struct buf out;

	(void)state;
	msg = parse_ok(invite, sizeof(invite) - 1, 0);
	assert_int_equal(sip_msg_addr(msg, SIP_HDR_FROM, &from), 0);
	assert_true(pl_eq_str(&from->tag, "1928301774"));
	assert_int_equal(sip_msg_hdr_replace(msg, SIP_HDR_FROM,
		"\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=1928301774"),
		0);
	assert_int_equal(sip_msg_hdr_at(msg, 3)->id, SIP_HDR_FROM);
	assert_int_equal(sip_msg_hdr_num(msg, SIP_HDR_FROM), 1);
	assert_int_equal(sip_msg_addr(msg, SIP_HDR_FROM, &from), 0);
	assert_true(pl_eq_str(&from->uri.host, "anonymous.invalid"));
	assert_int_equal(sip_msg_hdr_remove(msg, SIP_HDR_CONTACT), 0);
	assert_int_equal(sip_msg_hdr_remove(msg, SIP_HDR_CONTACT), ENOENT);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_PRIVACY, "id"), 0);
	assert_int_equal(sip_msg_hdr_remove_at(msg, 0), 0);
	assert_int_equal(sip_msg_hdr_insert(msg, 0, SIP_HDR_VIA, "v",
		&PL("SIP/2.0/TLS h;branch=z9hG4bKnew")), 0);
	buf_init(&out, 0);
	assert_int_equal(sip_msg_print(&out, msg), 0);
	assert_non_null(strstr(out.data, "INVITE sip:bob@biloxi.example.com "
				       "SIP/2.0\r\nv: SIP/2.0/TLS h;"));
	assert_null(strstr(out.data, "Contact"));
	assert_null(strstr(out.data, "Alice"));
	again = parse_ok(out.data, out.len, SIP_MSG_STREAM);
	assert_true(sip_msg_same(msg, again));
	assert_int_equal(sip_msg_validate(again, NULL), 0);
	sip_msg_free(again);
	sip_msg_free(msg);
	buf_free(&out);
}

/* A value can never smuggle a second header or a broken start line. */
static void edit_refusals(void **state)
{
	struct sip_msg *msg;

	(void)state;
	assert_int_equal(sip_msg_request_alloc(&msg, "IN VITE", "sip:a@b"),
			 EINVAL);
	assert_int_equal(sip_msg_request_alloc(&msg, "INVITE", "sip:a b"),
			 EINVAL);
	assert_int_equal(sip_msg_request_alloc(&msg, "", "sip:a@b"), EINVAL);
	assert_int_equal(sip_msg_response_alloc(&msg, 99, "x"), EINVAL);
	assert_int_equal(sip_msg_response_alloc(&msg, 700, "x"), EINVAL);
	assert_int_equal(sip_msg_response_alloc(&msg, 200, "O\r\nK"), EINVAL);
	assert_int_equal(sip_msg_request_alloc(&msg, "OPTIONS", "sip:a@b"), 0);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_TO,
					 "<sip:a@b>\r\nContact: <sip:evil@x>"),
			 EINVAL);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_TO, "<sip:a@b>\n"),
			 EINVAL);
	assert_int_equal(sip_msg_hdr_add_named(msg, "Bad Name", "x"), EINVAL);
	assert_int_equal(sip_msg_hdr_add_named(msg, "X:Y", "x"), EINVAL);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_OTHER, "x"), EINVAL);
	assert_int_equal(sip_msg_hdr_insert(msg, 5, SIP_HDR_TO, NULL,
					    &PL("<sip:a@b>")), EINVAL);
	assert_int_equal(sip_msg_hdr_insert(msg, 0, SIP_HDR_TO, "From",
					    &PL("<sip:a@b>")), EINVAL);
	assert_int_equal(sip_msg_hdr_count(msg), 0);
	/* A known name given as text gets its id. */
	assert_int_equal(sip_msg_hdr_add_named(msg, "t", "<sip:a@b>"), 0);
	assert_int_equal(sip_msg_hdr_at(msg, 0)->id, SIP_HDR_TO);
	sip_msg_free(msg);
}

/* Many headers move the array to the heap; the bound still holds. */
static void edit_grow(void **state)
{
	struct sip_msg *msg;
	size_t i;

	(void)state;
	msg = parse_ok(invite, sizeof(invite) - 1, 0);
	for (i = sip_msg_hdr_count(msg); i < SIP_HDR_MAX; i++)
		assert_int_equal(sip_msg_hdr_addf(msg, SIP_HDR_SUBJECT, "s%zu",
						  i), 0);
	assert_int_equal(sip_msg_hdr_add(msg, SIP_HDR_SUBJECT, "one more"),
			 E2BIG);
	assert_int_equal(sip_msg_hdr_num(msg, SIP_HDR_SUBJECT),
			 SIP_HDR_MAX - 9);
	sip_msg_free(msg);
}

/* ---- names and methods ------------------------------------------ */

static void header_names(void **state)
{
	static const struct {
		const char *name;
		enum sip_hdr_id id;
	} t[] = {
		{"v", SIP_HDR_VIA}, {"VIA", SIP_HDR_VIA}, {"i", SIP_HDR_CALL_ID},
		{"call-id", SIP_HDR_CALL_ID}, {"m", SIP_HDR_CONTACT},
		{"l", SIP_HDR_CONTENT_LENGTH}, {"c", SIP_HDR_CONTENT_TYPE},
		{"e", SIP_HDR_CONTENT_ENCODING}, {"f", SIP_HDR_FROM},
		{"t", SIP_HDR_TO}, {"k", SIP_HDR_SUPPORTED},
		{"s", SIP_HDR_SUBJECT}, {"o", SIP_HDR_EVENT},
		{"u", SIP_HDR_ALLOW_EVENTS}, {"r", SIP_HDR_REFER_TO},
		{"b", SIP_HDR_REFERRED_BY}, {"x", SIP_HDR_SESSION_EXPIRES},
		{"y", SIP_HDR_IDENTITY}, {"n", SIP_HDR_IDENTITY_INFO},
		{"a", SIP_HDR_ACCEPT_CONTACT}, {"j", SIP_HDR_REJECT_CONTACT},
		{"d", SIP_HDR_REQUEST_DISPOSITION},
		{"www-AUTHENTICATE", SIP_HDR_WWW_AUTHENTICATE},
		{"p-media-authorization", SIP_HDR_P_MEDIA_AUTHORIZATION},
		{"Security-Verify", SIP_HDR_SECURITY_VERIFY},
		{"q", SIP_HDR_OTHER}, {"Vias", SIP_HDR_OTHER},
		{"Vi", SIP_HDR_OTHER}, {"X-Via", SIP_HDR_OTHER},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct pl n;

		pl_set_str(&n, t[i].name);
		if (sip_hdr_lookup(&n) != t[i].id)
			fail_msg("%s -> %d", t[i].name, sip_hdr_lookup(&n));
	}
	/* Every full name and compact form maps back to its own id. */
	for (int id = SIP_HDR_OTHER + 1; id < SIP_HDR_NUM; id++) {
		const char *name = sip_hdr_name(id);
		char c[2] = {sip_hdr_compact(id), 0};
		struct pl n;

		assert_non_null(name);
		pl_set_str(&n, name);
		assert_int_equal(sip_hdr_lookup(&n), id);
		if (c[0]) {
			pl_set_str(&n, c);
			assert_int_equal(sip_hdr_lookup(&n), id);
		}
	}
	assert_null(sip_hdr_name(SIP_HDR_OTHER));
	assert_true(sip_hdr_single(SIP_HDR_CSEQ));
	assert_false(sip_hdr_single(SIP_HDR_VIA));
}

static void methods(void **state)
{
	struct pl m;

	(void)state;
	for (int i = SIP_M_ACK; i <= SIP_M_UPDATE; i++) {
		pl_set_str(&m, sip_method_str(i));
		assert_int_equal(sip_method_lookup(&m), i);
	}
	pl_set_str(&m, "invite");
	assert_int_equal(sip_method_lookup(&m), SIP_M_OTHER);
	pl_set_str(&m, "INVITEX");
	assert_int_equal(sip_method_lookup(&m), SIP_M_OTHER);
	assert_null(sip_method_str(SIP_M_OTHER));
}

/* ---- data files -------------------------------------------------- */

/* Every file in rfc4475/ has an entry in rfc4475.expect, and back. */
static void expect_covers_all(void **state)
{
	struct case_line *lines;
	struct dirent *de;
	char path[512];
	size_t n, files = 0;
	DIR *d;

	(void)state;
	snprintf(path, sizeof(path), "%s/rfc4475.expect", testdata());
	assert_int_equal(case_file_load(path, NULL, &lines, &n), 0);
	snprintf(path, sizeof(path), "%s/rfc4475", testdata());
	d = opendir(path);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		size_t i, l = strlen(de->d_name);

		if (l < 5 || strcmp(de->d_name + l - 4, ".dat"))
			continue;
		files++;
		for (i = 0; i < n && strcmp(lines[i].name, de->d_name); i++)
			;
		if (i == n)
			fail_msg("%s has no entry in rfc4475.expect",
				 de->d_name);
	}
	closedir(d);
	assert_int_equal(files, 49);
	assert_int_equal(n, 49);
	case_file_free(lines, n);
}

/* Decoding is all or nothing: a failed decode leaves no message, and
 * decode_all reports the first bad header in message order. */
static void decode_all_order(void **state)
{
	static const char m[] =
		"OPTIONS sip:a@b SIP/2.0\r\nMax-Forwards: 999\r\n"
		"CSeq: x OPTIONS\r\n\r\n";
	struct sip_msg *msg;
	struct sip_err e = {0};

	(void)state;
	msg = parse_ok(m, sizeof(m) - 1, 0);
	assert_int_equal(sip_msg_decode_all(msg, &e), ERANGE);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.reason, "Bad Max-Forwards");
	assert_int_equal(e.hdr, SIP_HDR_MAX_FORWARDS);
	assert_int_equal(sip_msg_decode_all(msg, &e), ERANGE);
	sip_msg_free(msg);
}

static void qstr_text(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(sip_qstr_text(&b, &PL("\"a \\\"b\\\\\"")), 0);
	assert_string_equal(b.data, "a \"b\\");
	buf_reset(&b);
	assert_int_equal(sip_qstr_text(&b, &PL(" John\r\n  Doe ")), 0);
	assert_string_equal(b.data, "John  Doe");
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_request),
		cmocka_unit_test(typed_cached),
		cmocka_unit_test(parse_nocopy),
		cmocka_unit_test(start_lines),
		cmocka_unit_test(start_line_forms),
		cmocka_unit_test(stream_needs_length),
		cmocka_unit_test(bounds),
		cmocka_unit_test(bounds_typed),
		cmocka_unit_test(frame_split_points),
		cmocka_unit_test(frame_pipeline),
		cmocka_unit_test(frame_malformed),
		cmocka_unit_test(frame_folded_length),
		cmocka_unit_test(frame_bounds),
		cmocka_unit_test(build_request),
		cmocka_unit_test(build_response),
		cmocka_unit_test(edit_scrub),
		cmocka_unit_test(edit_refusals),
		cmocka_unit_test(edit_grow),
		cmocka_unit_test(header_names),
		cmocka_unit_test(methods),
		cmocka_unit_test(expect_covers_all),
		cmocka_unit_test(decode_all_order),
		cmocka_unit_test(qstr_text),
	};

	return cmocka_run_group_tests_name("msg", tests, NULL, NULL);
}
