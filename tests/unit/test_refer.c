/* test_refer.c - blind transfer helpers: Refer-To targets, sipfrag bodies, refer NOTIFYs (RFC 3515, RFC 3420). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/pl.h"
#include "sip/msg.h"
#include "ua/refer.h"

/* A REFER (or NOTIFY) with the extra header lines hdrs and body. */
static struct sip_msg *msg_with(const char *method, const char *hdrs,
				const char *body)
{
	char text[2048];
	struct sip_msg *m = NULL;
	int n;

	n = snprintf(text, sizeof(text),
		     "%s sip:alice@192.0.2.7:5062 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bK776\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:bob@example.com>;tag=a1\r\n"
		     "To: <sip:alice@example.com>;tag=b2\r\n"
		     "Call-ID: refer-test@192.0.2.9\r\n"
		     "CSeq: 7 %s\r\n"
		     "%s"
		     "Content-Length: %zu\r\n\r\n%s",
		     method, method, hdrs, strlen(body), body);
	assert_true(n > 0 && (size_t)n < sizeof(text));
	assert_int_equal(sip_msg_decode(&m, text, (size_t)n, 0, NULL), 0);
	return m;
}

struct target_case {
	const char *refer_to;   /* header line, or "" for none */
	int err;
	const char *want;
};

static void test_target_cases(void **state)
{
	static const struct target_case cases[] = {
		{"Refer-To: <sip:carol@example.com>\r\n", 0,
		 "sip:carol@example.com"},
		{"Refer-To: sips:carol@example.com\r\n", 0,
		 "sips:carol@example.com"},
		/* compact form, display name, parameters kept */
		{"r: \"Carol\" <sip:carol@192.0.2.4:5070;transport=tcp>\r\n",
		 0, "sip:carol@192.0.2.4:5070;transport=tcp"},
		{"Refer-To: <tel:+15551234567>\r\n", 0, "tel:+15551234567"},
		/* URI headers other than Replaces are dropped */
		{"Refer-To: <sip:carol@example.com?Subject=hi>\r\n", 0,
		 "sip:carol@example.com"},
		{"Refer-To: <sip:carol@example.com;method=INVITE>\r\n", 0,
		 "sip:carol@example.com;method=INVITE"},
		{"Refer-To: <sip:carol@example.com;method=BYE>\r\n", ENOTSUP,
		 NULL},
		{"Refer-To: <sip:carol@example.com?Replaces=abc%40h%3Bto-tag"
		 "%3D1%3Bfrom-tag%3D2>\r\n", ENOTSUP, NULL},
		{"Refer-To: <http://example.com/x>\r\n", EPROTONOSUPPORT,
		 NULL},
		{"", ENOENT, NULL},
	};
	char out[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct sip_msg *m = msg_with("REFER", cases[i].refer_to, "");
		int err = refer_target(m, out, sizeof(out));

		/* every line ends, or the TAP line after it is lost */
		print_message("# case %zu: %s%s", i, cases[i].refer_to,
			      strchr(cases[i].refer_to, '\n') ? "" : "\n");
		assert_int_equal(err, cases[i].err);
		if (cases[i].want)
			assert_string_equal(out, cases[i].want);
		sip_msg_free(m);
	}
}

static void test_target_small_buffer(void **state)
{
	struct sip_msg *m = msg_with("REFER",
				     "Refer-To: <sip:carol@example.com>\r\n",
				     "");
	char out[10];

	(void)state;
	assert_int_equal(refer_target(m, out, sizeof(out)), E2BIG);
	assert_int_equal(refer_target(m, out, 0), EINVAL);
	assert_int_equal(refer_target(NULL, out, sizeof(out)), EINVAL);
	sip_msg_free(m);
}

static void test_sipfrag_build(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, REFER_SIPFRAG_MAX);
	assert_int_equal(refer_sipfrag_build(&b, 100, NULL), 0);
	assert_string_equal(b.data, "SIP/2.0 100 Trying\r\n");
	buf_reset(&b);
	assert_int_equal(refer_sipfrag_build(&b, 200, NULL), 0);
	assert_string_equal(b.data, "SIP/2.0 200 OK\r\n");
	buf_reset(&b);
	assert_int_equal(refer_sipfrag_build(&b, 486, "Busy Here"), 0);
	assert_string_equal(b.data, "SIP/2.0 486 Busy Here\r\n");
	buf_reset(&b);
	assert_int_equal(refer_sipfrag_build(&b, 603, ""), 0);
	assert_string_equal(b.data, "SIP/2.0 603 Decline\r\n");
	assert_int_equal(refer_sipfrag_build(&b, 99, NULL), EINVAL);
	assert_int_equal(refer_sipfrag_build(&b, 700, NULL), EINVAL);
	assert_int_equal(refer_sipfrag_build(&b, 200, "OK\r\nX: y"), EINVAL);
	buf_free(&b);
}

static void test_sipfrag_status(void **state)
{
	static const struct {
		const char *body;
		int err;
		uint16_t code;
	} cases[] = {
		{"SIP/2.0 100 Trying\r\n", 0, 100},
		{"SIP/2.0 200 OK\r\n", 0, 200},
		{"SIP/2.0 180 Ringing\r\nContact: <sip:c@h>\r\n\r\n", 0, 180},
		{"SIP/2.0 503\r\n", 0, 503},
		{"SIP/2.0 200", 0, 200},
		{"SIP/2.0 2000 OK\r\n", EBADMSG, 0},
		{"SIP/2.0 099 Low\r\n", EBADMSG, 0},
		{"SIP/2.0 2x0 OK\r\n", EBADMSG, 0},
		{"SIP/1.0 200 OK\r\n", EBADMSG, 0},
		{"INVITE sip:a@b SIP/2.0\r\n", EBADMSG, 0},
		{"", EBADMSG, 0},
	};
	struct pl body;
	uint16_t code;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		code = 0;
		pl_set_str(&body, cases[i].body);
		print_message("# case %zu\n", i);
		assert_int_equal(refer_sipfrag_status(&body, &code),
				 cases[i].err);
		if (!cases[i].err)
			assert_int_equal(code, cases[i].code);
	}
}

static void test_notify_parse(void **state)
{
	struct refer_notify rn;
	struct sip_msg *m;

	(void)state;
	m = msg_with("NOTIFY", "Event: refer;id=7\r\n"
		     "Subscription-State: active;expires=60\r\n"
		     "Content-Type: message/sipfrag;version=2.0\r\n",
		     "SIP/2.0 100 Trying\r\n");
	assert_int_equal(refer_notify_parse(m, &rn), 0);
	assert_int_equal(rn.code, 100);
	assert_false(rn.terminated);
	sip_msg_free(m);

	m = msg_with("NOTIFY", "o: refer\r\n"
		     "Subscription-State: terminated;reason=noresource\r\n"
		     "c: message/sipfrag\r\n",
		     "SIP/2.0 200 OK\r\n");
	assert_int_equal(refer_notify_parse(m, &rn), 0);
	assert_int_equal(rn.code, 200);
	assert_true(rn.terminated);
	sip_msg_free(m);

	m = msg_with("NOTIFY", "Event: presence\r\n"
		     "Subscription-State: active\r\n"
		     "Content-Type: message/sipfrag\r\n",
		     "SIP/2.0 200 OK\r\n");
	assert_int_equal(refer_notify_parse(m, &rn), ENOENT);
	sip_msg_free(m);

	m = msg_with("NOTIFY", "Subscription-State: active\r\n", "");
	assert_int_equal(refer_notify_parse(m, &rn), ENOENT);
	sip_msg_free(m);

	/* Wrong body type, missing Subscription-State, bad sipfrag. */
	m = msg_with("NOTIFY", "Event: refer\r\n"
		     "Subscription-State: active\r\n"
		     "Content-Type: text/plain\r\n", "SIP/2.0 200 OK\r\n");
	assert_int_equal(refer_notify_parse(m, &rn), EBADMSG);
	sip_msg_free(m);
	m = msg_with("NOTIFY", "Event: refer\r\n"
		     "Content-Type: message/sipfrag\r\n", "SIP/2.0 200 OK\r\n");
	assert_int_equal(refer_notify_parse(m, &rn), EBADMSG);
	sip_msg_free(m);
	m = msg_with("NOTIFY", "Event: refer\r\n"
		     "Subscription-State: active\r\n"
		     "Content-Type: message/sipfrag\r\n", "hello\r\n");
	assert_int_equal(refer_notify_parse(m, &rn), EBADMSG);
	sip_msg_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_target_cases),
		cmocka_unit_test(test_target_small_buffer),
		cmocka_unit_test(test_sipfrag_build),
		cmocka_unit_test(test_sipfrag_status),
		cmocka_unit_test(test_notify_parse),
	};

	return cmocka_run_group_tests_name("refer", tests, NULL, NULL);
}
