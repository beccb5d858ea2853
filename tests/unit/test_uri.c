/* test_uri.c - sip:, sips: and tel: URI decoding, equality, canonical forms. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sip/uri.h"

static int decode(struct sip_uri *u, const char *s)
{
	struct pl pl;

	pl_set_str(&pl, s);
	return sip_uri_decode(u, &pl);
}

static int dec_err(const char *s)
{
	struct sip_uri u;

	return decode(&u, s);
}

#define assert_pl(slice, str) do { \
	const struct pl *pl_ = &(slice); \
	const char *s_ = (str); \
	if (pl_->l != strlen(s_) || (pl_->l && memcmp(pl_->p, s_, pl_->l))) \
		fail_msg("%s: got \"%.*s\", want \"%s\"", #slice, \
			 (int)pl_->l, pl_->p ? pl_->p : "", s_); \
} while (0)

/* Equality both ways round, so a one-sided bug cannot hide. */
static bool uri_eq(const char *a, const char *b)
{
	struct sip_uri ua, ub;
	bool ab, ba;

	assert_int_equal(decode(&ua, a), 0);
	assert_int_equal(decode(&ub, b), 0);
	ab = sip_uri_equal(&ua, &ub);
	ba = sip_uri_equal(&ub, &ua);
	if (ab != ba)
		fail_msg("equality not symmetric: %s / %s", a, b);
	assert_true(sip_uri_equal(&ua, &ua));
	return ab;
}

static void check_canon(const char *in, const char *want, bool want_tn)
{
	struct sip_uri u;
	struct buf b;
	bool tn = !want_tn;

	buf_init(&b, 0);
	assert_int_equal(decode(&u, in), 0);
	assert_int_equal(sip_uri_canon(&b, &u, &tn), 0);
	if (b.len != strlen(want) || memcmp(b.data, want, b.len))
		fail_msg("canon(%s) = \"%.*s\", want \"%s\"", in, (int)b.len,
			 b.data ? b.data : "", want);
	assert_int_equal(tn, want_tn);
	buf_free(&b);
}

static void test_decode_fields(void **state)
{
	struct sip_uri u;

	(void)state;
	assert_int_equal(decode(&u, "sip:alice@atlanta.com"), 0);
	assert_int_equal(u.scheme, SIP_URI_SIP);
	assert_pl(u.user, "alice");
	assert_false(pl_isset(&u.password));
	assert_pl(u.host, "atlanta.com");
	assert_int_equal(u.host_type, SIP_HOST_NAME);
	assert_int_equal(u.port, 0);
	assert_false(u.port_set);
	assert_int_equal(u.params.l, 0);
	assert_int_equal(u.headers.l, 0);
	assert_pl(u.raw, "sip:alice@atlanta.com");

	assert_int_equal(decode(&u, "SIPS:bob:secret@Biloxi.COM:5061"
				";transport=tcp;lr?subject=hi%20there&x="), 0);
	assert_int_equal(u.scheme, SIP_URI_SIPS);
	assert_pl(u.user, "bob");
	assert_pl(u.password, "secret");
	assert_pl(u.host, "Biloxi.COM");
	assert_int_equal(u.port, 5061);
	assert_true(u.port_set);
	assert_pl(u.params, ";transport=tcp;lr");
	assert_pl(u.headers, "subject=hi%20there&x=");

	/* an empty password is present, not absent */
	assert_int_equal(decode(&u, "sip:carol:@chicago.com"), 0);
	assert_true(pl_isset(&u.password));
	assert_int_equal(u.password.l, 0);

	/* no userinfo at all */
	assert_int_equal(decode(&u, "sip:registrar.example.com."), 0);
	assert_int_equal(u.user.l, 0);
	assert_pl(u.host, "registrar.example.com.");
}

static void test_decode_hosts(void **state)
{
	static const char *const good[] = {
		"sip:a@x", "sip:a@x.y", "sip:a@123.example.com",
		"sip:a@e-x.c0m", "sip:a@example.com.", "sip:a@192.0.2.1",
		"sip:a@255.255.255.255", "sip:a@0.0.0.0", "sip:a@A1-b.C",
	};
	static const char *const bad[] = {
		"sip:a@", "sip:a@-x.com", "sip:a@x-.com", "sip:a@x..com",
		"sip:a@.x.com", "sip:a@example.123", "sip:a@1.2.3",
		"sip:a@256.1.1.1", "sip:a@1.2.3.4.5", "sip:a@1.2.3.4.",
		"sip:a@1234.1.1.1", "sip:a@x_y.com", "sip:a@x.com..",
		"sip:a@ex ample.com", "sip:a@0001.0.0.1",
	};
	struct sip_uri u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (dec_err(good[i]))
			fail_msg("rejected %s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dec_err(bad[i]) != EBADMSG)
			fail_msg("accepted %s", bad[i]);
	}
	assert_int_equal(decode(&u, "sip:a@192.0.2.1:5060"), 0);
	assert_int_equal(u.host_type, SIP_HOST_IPV4);
	assert_pl(u.host, "192.0.2.1");
	assert_int_equal(decode(&u, "sip:a@192.0.2.com"), 0);
	assert_int_equal(u.host_type, SIP_HOST_NAME);
}

static void test_decode_ipv6(void **state)
{
	/* RFC 4291 2.2 forms and the RFC 5118 torture addresses */
	static const char *const good[] = {
		"sip:[2001:db8::10]", "sip:[::1]", "sip:[::]",
		"sip:[::ffff:192.0.2.10]", "sip:[2001:db8:0:0:0:0:0:10]",
		"sip:[1:2:3:4:5:6:7::]", "sip:[::2:3:4:5:6:7:8]",
		"sip:[1:2:3:4:5:6:1.2.3.4]", "sip:[1::2:3:4:5:6:7]",
		"sip:[FFFF:ffff:AbCd:0:0:0:0:1]", "sip:u@[::1]:5060;lr",
		"sip:[::1.2.3.4]",
	};
	static const char *const bad[] = {
		"sip:[2001:db8:::10]", "sip:[1:2:3:4:5:6:7:8:9]",
		"sip:[1:2:3:4:5:6:7]", "sip:[12345::]", "sip:[::1.2.3]",
		"sip:[::256.1.1.1]", "sip:[1::2::3]", "sip:[]", "sip:[:1]",
		"sip:[1:]", "sip:[1:2:3:4:5:6:7:1.2.3.4]", "sip:[::1%25eth0]",
		"sip:[1.2.3.4]", "sip:[::1", "sip:::1", "sip:[::1]x",
		"sip:[::g]", "sip:[1:2:3:4:5:6:7:8::]", "sip:[::1.2.3.4:5]",
		"sip:[::1]:", "sip:[0000000000000000000000000000000000000000001]",
	};
	struct sip_uri u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (dec_err(good[i]))
			fail_msg("rejected %s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dec_err(bad[i]) != EBADMSG)
			fail_msg("accepted %s", bad[i]);
	}
	/* RFC 5118 4.10: the port-looking group is part of the address */
	assert_int_equal(decode(&u, "sip:user@[2001:db8::10:5070]"), 0);
	assert_int_equal(u.host_type, SIP_HOST_IPV6);
	assert_pl(u.host, "2001:db8::10:5070");
	assert_false(u.port_set);
	assert_int_equal(decode(&u, "sip:user@[2001:db8::10]:5070"), 0);
	assert_pl(u.host, "2001:db8::10");
	assert_int_equal(u.port, 5070);
}

static void test_decode_ports(void **state)
{
	struct sip_uri u;

	(void)state;
	assert_int_equal(decode(&u, "sip:h:0"), 0);
	assert_int_equal(u.port, 0);
	assert_true(u.port_set);
	assert_int_equal(decode(&u, "sip:h:65535"), 0);
	assert_int_equal(u.port, 65535);
	assert_int_equal(decode(&u, "sip:h:0005060"), 0);
	assert_int_equal(u.port, 5060);
	assert_int_equal(dec_err("sip:h:65536"), EBADMSG);
	assert_int_equal(dec_err("sip:h:99999"), EBADMSG);
	assert_int_equal(dec_err("sip:h:4294967297"), EBADMSG);
	assert_int_equal(dec_err("sip:h:"), EBADMSG);
	assert_int_equal(dec_err("sip:h:50a"), EBADMSG);
	assert_int_equal(dec_err("sip:h:-1"), EBADMSG);
	assert_int_equal(dec_err("sip:h:5060:5061"), EBADMSG);
}

static void test_decode_escapes(void **state)
{
	struct sip_uri u, v;

	(void)state;
	assert_int_equal(dec_err("sip:%zz@h"), EBADMSG);
	assert_int_equal(dec_err("sip:a%4@h"), EBADMSG);
	assert_int_equal(dec_err("sip:a%@h"), EBADMSG);
	assert_int_equal(dec_err("sip:a@h;p=%"), EBADMSG);
	assert_int_equal(dec_err("sip:a@h;p=%4"), EBADMSG);
	assert_int_equal(dec_err("sip:a@h?x=%g0"), EBADMSG);
	assert_int_equal(dec_err("sip:a:%x1@h"), EBADMSG);
	/* hostnames take no escapes at all */
	assert_int_equal(dec_err("sip:a@ex%61mple.com"), EBADMSG);

	/* RFC 4475 3.1.1.4 escnull: %00 is data, and one NUL != two */
	assert_int_equal(decode(&u, "sip:%00@host5.example.com"), 0);
	assert_int_equal(decode(&v, "sip:%00%00@host5.example.com"), 0);
	assert_pl(u.user, "%00");
	assert_pl(v.user, "%00%00");
	assert_false(sip_uri_equal(&u, &v));
	assert_true(uri_eq("sip:null-%00-null@example.com",
			   "sip:null-%00-null@EXAMPLE.com"));
}

static void test_decode_grammar(void **state)
{
	static const char *const good[] = {
		"sip:&=+$,;?/@h",                 /* every user-unreserved */
		"sip:u:&=+$,-_.!~*'()@h",         /* password characters */
		"sip:h;[]/:&+$=[]/:&+$",          /* param-unreserved */
		"sip:h?[]/?:+$=[]/?:+$",          /* hnv-unreserved */
		"sip:h;maddr=[::1];ttl=255;method=INVITE;user=ip;lr",
		"sip:+1-212-555-1212:1234@gateway.com;user=phone",
		"sip:*67%23@h;user=phone", "sip:*67#@h",
		"sip:h?a=b&c=d&e=", "sip:u@h;a=%41?b=%42",
	};
	static const char *const bad[] = {
		"", "sip", "sip:", "sip:@h", "sip:a@h;", "sip:a@h;=x",
		"sip:a@h;a=", "sip:a@h;a==b", "sip:a@h?", "sip:a@h?a",
		"sip:a@h?=b", "sip:a@h?a=b&", "sip:a@h?a=b=c", "sip:a b@h",
		"sip:a@h ", " sip:a@h", "sip:a@b@c", "sip:a@h\r\n",
		"sip:a\"@h", "sip:a@h;a=b c", "sip:a:b:c@h", "1sip:a@h",
		"sip:a@h;a=\"b\"", "sip:a@h#frag", "sip:a@h?a=b;c",
		"sip:a@h;p=<x>", "sip :a@h", "sip:a@h\t", "sip:a{@h",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (dec_err(good[i]))
			fail_msg("rejected %s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dec_err(bad[i]) != EBADMSG)
			fail_msg("accepted \"%s\"", bad[i]);
	}
	/* another scheme is not a syntax error but unsupported (416) */
	assert_int_equal(dec_err("http://www.example.com"), EPROTONOSUPPORT);
	assert_int_equal(dec_err("isbn:2983792873"), EPROTONOSUPPORT);
	assert_int_equal(dec_err("name:John_Smith"), EPROTONOSUPPORT);
	assert_int_equal(dec_err("sipx:a@h"), EPROTONOSUPPORT);
}

/* RFC 4475: URIs as they appear in the torture messages. */
static void test_rfc4475_uris(void **state)
{
	struct sip_uri u;
	struct pl v;

	(void)state;
	/* esc01 */
	assert_int_equal(decode(&u, "sip:sips%3Auser%40example.com@example.net"), 0);
	assert_int_equal(u.scheme, SIP_URI_SIP);
	assert_pl(u.user, "sips%3Auser%40example.com");
	assert_pl(u.host, "example.net");
	assert_true(uri_eq("sip:%75se%72@example.com", "sip:user@example.com"));
	assert_int_equal(decode(&u, "sip:I%20have%20spaces@example.net"), 0);
	assert_pl(u.user, "I%20have%20spaces");
	assert_int_equal(decode(&u, "sip:cal%6Cer@host5.example.net;%6C%72;"
				"n%61me=v%61lue%25%34%31"), 0);
	assert_int_equal(sip_uri_param(&u, "lr", &v), 0);
	assert_int_equal(v.l, 0);
	assert_int_equal(sip_uri_param(&u, "name", &v), 0);
	assert_pl(v, "v%61lue%25%34%31");
	/* semiuri: the ';' belongs to the user part */
	assert_int_equal(decode(&u, "sip:user;par=u%40example.net@example.com"), 0);
	assert_pl(u.user, "user;par=u%40example.net");
	assert_pl(u.host, "example.com");
	assert_int_equal(u.params.l, 0);
	assert_int_equal(sip_uri_param(&u, "par", &v), ENOENT);
	/* intmeth: every legal oddity of user and password */
	assert_int_equal(decode(&u, "sip:1_unusual.URI~(to-be!sure)&isn't+it$"
				"/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too."
				"(doesn't-it)@example.com"), 0);
	assert_pl(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
	assert_pl(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
	/* escruri, regescrt: escaped header values are grammatical */
	assert_int_equal(decode(&u, "sip:user@example.com?Route=%3Csip:example.com%3E"), 0);
	assert_int_equal(sip_uri_header(&u, "route", &v), 0);
	assert_pl(v, "%3Csip:example.com%3E");
	/* cparam01/02 */
	assert_int_equal(decode(&u, "sip:+19725552222@gw1.example.net;unknownparam"), 0);
	assert_int_equal(sip_uri_param(&u, "unknownparam", &v), 0);
	/* ltgtruri, lwsruri */
	assert_int_equal(dec_err("<sip:user@example.com>"), EBADMSG);
	assert_int_equal(dec_err("sip:user@example.com; lr"), EBADMSG);
	/* unkscm, novelsc */
	assert_int_equal(dec_err("nobodyKnowsThisScheme:totallyopaquecontent"),
			 EPROTONOSUPPORT);
	assert_int_equal(dec_err("soap.beep://192.0.2.103:3002"), EPROTONOSUPPORT);
}

/* Reads the Request-URI of a torture message: between the first SP and
 * " SIP/2.0" at the end of the first line. */
static int request_uri(const char *name, char *out, size_t sz)
{
	const char *dir = getenv("SIPTTY_TESTDATA");
	char path[512], line[1024], *sp, *end;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/rfc4475/%s.dat", dir ? dir : "tests/data", name);
	fp = fopen(path, "rb");
	if (!fp)
		return -1;
	if (!fgets(line, sizeof(line), fp)) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	line[strcspn(line, "\r\n")] = '\0';
	sp = strchr(line, ' ');
	end = strstr(line, " SIP/2.0");
	if (!sp || !end || end <= sp)
		return -1;
	*end = '\0';
	snprintf(out, sz, "%s", sp + 1);
	return 0;
}

static void test_rfc4475_request_lines(void **state)
{
	static const struct {
		const char *file;
		int err;
		const char *user;
	} cases[] = {
		{"esc01", 0, "sips%3Auser%40example.com"},
		{"semiuri", 0, "user;par=u%40example.net"},
		{"escruri", 0, "user"},
		{"intmeth", 0, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"},
		{"wsinv", 0, "vivekg"},
		{"escnull", 0, ""},
		{"inv2543", 0, "UserB"},
		{"ltgtruri", EBADMSG, NULL},
		{"lwsruri", EBADMSG, NULL},
		{"unkscm", EPROTONOSUPPORT, NULL},
		{"novelsc", EPROTONOSUPPORT, NULL},
	};
	char uri[1024];
	struct sip_uri u;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int err;

		if (request_uri(cases[i].file, uri, sizeof(uri)))
			fail_msg("cannot read %s (set SIPTTY_TESTDATA)", cases[i].file);
		err = decode(&u, uri);
		if (err != cases[i].err)
			fail_msg("%s: \"%s\" gave %d, want %d", cases[i].file,
				 uri, err, cases[i].err);
		if (cases[i].user)
			assert_pl(u.user, cases[i].user);
	}
}

/* RFC 3261 19.1.4: every pair the RFC lists as equivalent. */
static void test_equal_rfc3261(void **state)
{
	(void)state;
	assert_true(uri_eq("sip:%61lice@atlanta.com;transport=TCP",
			   "sip:alice@AtLanTa.CoM;Transport=tcp"));
	assert_true(uri_eq("sip:carol@chicago.com",
			   "sip:carol@chicago.com;newparam=5"));
	assert_true(uri_eq("sip:carol@chicago.com",
			   "sip:carol@chicago.com;security=on"));
	assert_true(uri_eq("sip:carol@chicago.com;newparam=5",
			   "sip:carol@chicago.com;security=on"));
	assert_true(uri_eq("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
			   "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"));
	assert_true(uri_eq("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
			   "sip:alice@atlanta.com?priority=urgent&subject=project%20x"));
}

/* RFC 3261 19.1.4: every pair the RFC lists as not equivalent. */
static void test_not_equal_rfc3261(void **state)
{
	(void)state;
	assert_false(uri_eq("SIP:ALICE@AtLanTa.CoM;Transport=udp",
			    "sip:alice@AtLanTa.CoM;Transport=UDP"));
	assert_false(uri_eq("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"));
	assert_false(uri_eq("sip:bob@biloxi.com",
			    "sip:bob@biloxi.com;transport=udp"));
	assert_false(uri_eq("sip:bob@biloxi.com",
			    "sip:bob@biloxi.com:6000;transport=tcp"));
	assert_false(uri_eq("sip:carol@chicago.com",
			    "sip:carol@chicago.com?Subject=next%20meeting"));
	assert_false(uri_eq("sip:bob@phone21.boxesbybob.com",
			    "sip:bob@192.0.2.4"));
}

static void test_equal_rules(void **state)
{
	(void)state;
	/* sip and sips never match */
	assert_false(uri_eq("sip:a@h", "sips:a@h"));
	/* reserved characters stay distinct from their escapes */
	assert_false(uri_eq("sip:a%3Bb@h", "sip:a;b@h"));
	assert_true(uri_eq("sip:a%3bb@h", "sip:a%3Bb@h"));
	assert_true(uri_eq("sip:%7Ealice@h", "sip:~alice@h"));
	/* userinfo is case-sensitive, also in escapes' values */
	assert_false(uri_eq("sip:%41@h", "sip:a@h"));
	assert_false(uri_eq("sip:a:pw@h", "sip:a:PW@h"));
	assert_false(uri_eq("sip:a:@h", "sip:a@h"));
	assert_true(uri_eq("sip:a:p%77@h", "sip:a:pw@h"));
	/* user, ttl, method, maddr present in one only */
	assert_false(uri_eq("sip:a@h;user=phone", "sip:a@h"));
	assert_false(uri_eq("sip:a@h;ttl=1", "sip:a@h"));
	assert_false(uri_eq("sip:a@h;method=INVITE", "sip:a@h"));
	assert_false(uri_eq("sip:a@h;maddr=239.255.255.1", "sip:a@h"));
	assert_true(uri_eq("sip:a@h;method=INVITE", "sip:a@h;METHOD=invite"));
	/* other parameters: compared only when both have them */
	assert_true(uri_eq("sip:a@h;lr", "sip:a@h"));
	assert_false(uri_eq("sip:a@h;foo=1", "sip:a@h;foo=2"));
	assert_false(uri_eq("sip:a@h;foo", "sip:a@h;foo=1"));
	assert_true(uri_eq("sip:a@h;f%6Fo=%31", "sip:a@h;FOO=1"));
	/* headers: a multiset, names and values unescaped */
	assert_true(uri_eq("sip:a@h?x=1&x=2", "sip:a@h?x=2&X=1"));
	assert_false(uri_eq("sip:a@h?x=1&x=1&y=2", "sip:a@h?x=1&y=2&y=2"));
	assert_false(uri_eq("sip:a@h?x=1", "sip:a@h?x=1&x=1"));
	assert_true(uri_eq("sip:a@h?%78=%31", "sip:a@h?x=1"));
	/* ports: :0 is a port */
	assert_false(uri_eq("sip:a@h:0", "sip:a@h"));
	assert_true(uri_eq("sip:a@h:05060", "sip:a@h:5060"));
	/* a parameter twice: its first value counts, on both sides */
	assert_true(uri_eq("sip:a@h;x=1;x=2", "sip:a@h;x=1"));
}

static void test_equal_ip(void **state)
{
	(void)state;
	assert_true(uri_eq("sip:a@[::1]", "sip:a@[0:0:0:0:0:0:0:1]"));
	assert_true(uri_eq("sip:a@[2001:DB8::9:1]", "sip:a@[2001:db8::9:01]"));
	assert_true(uri_eq("sip:a@[::ffff:192.0.2.1]", "sip:a@[::ffff:c000:201]"));
	assert_false(uri_eq("sip:a@[::1]", "sip:a@[::2]"));
	assert_false(uri_eq("sip:a@[::1]", "sip:a@[1::]"));
	assert_true(uri_eq("sip:a@192.0.2.4", "sip:a@192.000.002.004"));
	assert_false(uri_eq("sip:a@192.0.2.4", "sip:a@192.0.2.5"));
	assert_false(uri_eq("sip:a@[::ffff:192.0.2.4]", "sip:a@192.0.2.4"));
	assert_true(uri_eq("sip:a@EXAMPLE.com", "sip:a@example.COM"));
}

static void test_param_lookup(void **state)
{
	struct sip_uri u;
	struct pl v;

	(void)state;
	assert_int_equal(decode(&u, "sip:a@h;Transport=TCP;lr;maddr=[::1];x=1;x=2"
				"?Subject=hi&To=sip:b%40h"), 0);
	assert_int_equal(sip_uri_param(&u, "transport", &v), 0);
	assert_pl(v, "TCP");
	assert_int_equal(sip_uri_param(&u, "LR", &v), 0);
	assert_int_equal(v.l, 0);
	assert_int_equal(sip_uri_param(&u, "maddr", &v), 0);
	assert_pl(v, "[::1]");
	assert_int_equal(sip_uri_param(&u, "x", &v), 0);
	assert_pl(v, "1");
	assert_int_equal(sip_uri_param(&u, "trans", &v), ENOENT);
	assert_int_equal(sip_uri_param(&u, "subject", &v), ENOENT);
	assert_int_equal(sip_uri_header(&u, "SUBJECT", &v), 0);
	assert_pl(v, "hi");
	assert_int_equal(sip_uri_header(&u, "to", &v), 0);
	assert_pl(v, "sip:b%40h");
	assert_int_equal(sip_uri_header(&u, "lr", &v), ENOENT);
	assert_int_equal(sip_uri_param(NULL, "x", &v), EINVAL);
	assert_int_equal(decode(&u, "sip:a@h"), 0);
	assert_int_equal(sip_uri_param(&u, "lr", &v), ENOENT);
}

/* RFC 3966 3 and its examples. */
static void test_tel_decode(void **state)
{
	static const char *const good[] = {
		"tel:+1-201-555-0123", "tel:7042;phone-context=example.com",
		"tel:863-1234;phone-context=+1-914-555", "tel:+1(201)555.0123",
		"tel:+358-555-1234567;postd=pp22", "tel:+1-212-555-1234;isub=1:2/3",
		"tel:+1-212-555-1234;ext=22", "tel:*67#;phone-context=+1",
		"tel:ABCdef;phone-context=x.example.com", "TEL:+1;foo",
		"tel:+1-201-555-0123;a=b;phone-context=+1",
	};
	static const char *const bad[] = {
		"tel:", "tel:+", "tel:+-.()", "tel:7042", "tel:12g4;phone-context=+1",
		"tel:+1;ext=", "tel:+1;ext=a", "tel:+1 555", "tel:+1;isub",
		"tel:1;phone-context=a.com;phone-context=b.com",
		"tel:1;phone-context=-bad.com", "tel:1;phone-context=+",
		"tel:1;phone-context=", "tel:+1;;a", "tel:+1;a=", "tel:+1;a_b=c",
		"tel:+1?x=y", "tel:+1@h", "tel:+1+2", "tel:+1;phone-context=1.2.3.4",
	};
	struct sip_uri u;
	struct pl v;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (dec_err(good[i]))
			fail_msg("rejected %s", good[i]);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (dec_err(bad[i]) != EBADMSG)
			fail_msg("accepted %s", bad[i]);
	}
	assert_int_equal(decode(&u, "tel:863-1234;phone-context=+1-914-555"), 0);
	assert_int_equal(u.scheme, SIP_URI_TEL);
	assert_pl(u.user, "863-1234");
	assert_int_equal(u.host_type, SIP_HOST_NONE);
	assert_int_equal(u.host.l, 0);
	assert_pl(u.params, ";phone-context=+1-914-555");
	assert_int_equal(sip_uri_param(&u, "Phone-Context", &v), 0);
	assert_pl(v, "+1-914-555");
}

/* RFC 3966 4. */
static void test_tel_equal(void **state)
{
	(void)state;
	assert_true(uri_eq("tel:+1-201-555-0123", "tel:+1(201)555.0123"));
	assert_true(uri_eq("tel:+12015550123;a=1;b=2", "tel:+1-201-555-0123;B=2;a=1"));
	assert_false(uri_eq("tel:+12015550123;a=1", "tel:+12015550123"));
	assert_false(uri_eq("tel:+12015550123;a=1", "tel:+12015550123;a=2"));
	assert_false(uri_eq("tel:+12015550123", "tel:+12015550124"));
	assert_false(uri_eq("tel:+12015550123", "tel:+1201555012"));
	assert_true(uri_eq("tel:863-1234;phone-context=+1-914-555",
			   "tel:8631234;phone-context=+1914555"));
	assert_false(uri_eq("tel:8631234;phone-context=+1914555",
			    "tel:8631234;phone-context=+1914556"));
	assert_true(uri_eq("tel:7042;phone-context=Example.COM",
			   "tel:7042;phone-context=example.com"));
	assert_false(uri_eq("tel:+7042;phone-context=example.com",
			    "tel:7042;phone-context=example.com"));
	assert_true(uri_eq("tel:ab-CD;phone-context=x.com", "tel:ABcd;phone-context=x.com"));
	assert_true(uri_eq("tel:+1;ext=1-2", "tel:+1;ext=12"));
	assert_true(uri_eq("tel:+1;isub=%61b", "tel:+1;isub=AB"));
	assert_false(uri_eq("tel:+12015550123", "sip:+12015550123@h;user=phone"));
}

static void test_canon_tn(void **state)
{
	struct sip_uri u;
	struct buf b;
	bool tn;

	(void)state;
	check_canon("tel:+1-201-555-0123", "12015550123", true);
	check_canon("tel:+1(201)555.0123;ext=9", "12015550123", true);
	check_canon("tel:863-1234;phone-context=+1-914-555", "19145558631234", true);
	check_canon("tel:7042;phone-context=example.com", "7042", true);
	check_canon("tel:*67#;phone-context=+1", "1*67#", true);
	check_canon("sip:+1-201-555-0123@example.com;user=phone", "12015550123", true);
	check_canon("sip:+12155551212@example.com", "12155551212", true);
	check_canon("sips:+1.215.555.1212:pw@example.com:5061", "12155551212", true);
	check_canon("sip:%2B12155551212@example.com", "12155551212", true);
	check_canon("sip:+1-212-555-1212;isub=77@gw.com;user=phone",
		    "12125551212", true);
	check_canon("sip:555-1212;phone-context=+1-212@gw.com;user=phone",
		    "12125551212", true);
	check_canon("sip:*67%23@gw.com;user=phone", "*67#", true);
	check_canon("sip:5551212@gw.com;USER=Phone", "5551212", true);
	/* not telephone numbers: the URI form */
	check_canon("sip:+1abc@Example.com", "sip:+1abc@example.com", false);
	check_canon("sip:5551212@gw.com", "sip:5551212@gw.com", false);
	check_canon("sip:+@gw.com", "sip:+@gw.com", false);
	check_canon("sip:alice@gw.com;user=phone", "sip:alice@gw.com", false);
	check_canon("sip:+1*2@gw.com", "sip:+1*2@gw.com", false);
	/* a tel: number with letters has no TN form */
	buf_init(&b, 0);
	assert_int_equal(decode(&u, "tel:abc;phone-context=example.com"), 0);
	assert_int_equal(sip_uri_canon(&b, &u, &tn), EINVAL);
	buf_free(&b);
}

static void test_canon_uri(void **state)
{
	(void)state;
	check_canon("sip:alice@example.com", "sip:alice@example.com", false);
	check_canon("SIP:Alice:Secret@Example.COM:5060;transport=tcp?x=y",
		    "sip:alice@example.com", false);
	check_canon("SIPS:bob@Biloxi.com", "sips:bob@biloxi.com", false);
	check_canon("sip:%61lice%7e%2D@h", "sip:alice~-@h", false);
	check_canon("sip:a%3ab%3B%20c%00@h", "sip:a%3Ab%3B%20c%00@h", false);
	check_canon("sip:Example.COM;lr", "sip:example.com", false);
	check_canon("sip:U@[2001:DB8::1]:5061", "sip:u@[2001:db8::1]", false);
	check_canon("sip:user;par=u%40example.net@example.com",
		    "sip:user;par=u%40example.net@example.com", false);
}

static void test_unescape(void **state)
{
	struct buf b;
	struct pl in;

	(void)state;
	buf_init(&b, 0);
	in = (struct pl)PL("%61%62c%2a");
	assert_int_equal(sip_uri_unescape(&b, &in), 0);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "abc*", 4);

	buf_reset(&b);
	in = (struct pl)PL("x%00y");
	assert_int_equal(sip_uri_unescape(&b, &in), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "x\0y", 3);

	buf_reset(&b);
	in = (struct pl)PL("");
	assert_int_equal(sip_uri_unescape(&b, &in), 0);
	assert_int_equal(b.len, 0);

	/* no recursion: %2541 is "%41", not "A" (RFC 4475 3.1.1.3) */
	buf_reset(&b);
	in = (struct pl)PL("%2541");
	assert_int_equal(sip_uri_unescape(&b, &in), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "%41", 3);

	buf_reset(&b);
	in = (struct pl)PL("ab%4");
	assert_int_equal(sip_uri_unescape(&b, &in), EBADMSG);
	buf_reset(&b);
	in = (struct pl)PL("%G1");
	assert_int_equal(sip_uri_unescape(&b, &in), EBADMSG);
	buf_reset(&b);
	in = (struct pl)PL("%");
	assert_int_equal(sip_uri_unescape(&b, &in), EBADMSG);
	buf_free(&b);
}

static void test_print(void **state)
{
	static const char *const uris[] = {
		"sip:alice@atlanta.com",
		"sips:bob:@biloxi.com:0;transport=tcp?a=b&c=",
		"sip:u:p@[2001:db8::1]:5061;lr",
		"sip:192.0.2.1",
		"sip:user;par=u%40example.net@example.com",
		"tel:863-1234;phone-context=+1-914-555",
		"tel:+1-201-555-0123",
	};
	struct sip_uri u, v;
	struct buf b;
	size_t i;

	(void)state;
	buf_init(&b, 0);
	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
		buf_reset(&b);
		assert_int_equal(decode(&u, uris[i]), 0);
		assert_int_equal(sip_uri_print(&b, &u), 0);
		assert_string_equal(b.data, uris[i]);
		assert_int_equal(decode(&v, b.data), 0);
		assert_true(sip_uri_equal(&u, &v));
	}
	/* the scheme prints lower-case */
	buf_reset(&b);
	assert_int_equal(decode(&u, "SIPS:a@h"), 0);
	assert_int_equal(sip_uri_print(&b, &u), 0);
	assert_string_equal(b.data, "sips:a@h");

	/* a URI built field by field */
	buf_reset(&b);
	memset(&u, 0, sizeof(u));
	u.scheme = SIP_URI_SIP;
	pl_set_str(&u.user, "carol");
	pl_set_str(&u.host, "chicago.com");
	u.host_type = SIP_HOST_NAME;
	u.port = 5070;
	pl_set_str(&u.params, ";lr");
	assert_int_equal(sip_uri_print(&b, &u), 0);
	assert_string_equal(b.data, "sip:carol@chicago.com:5070;lr");

	/* a bounded buffer reports its overflow */
	buf_free(&b);
	buf_init(&b, 8);
	assert_int_equal(decode(&u, "sip:alice@atlanta.com"), 0);
	assert_int_equal(sip_uri_print(&b, &u), E2BIG);
	buf_free(&b);
}

static void test_bounds(void **state)
{
	struct sip_uri u;
	struct pl s;
	char *p;

	(void)state;
	/* exactly SIP_URI_MAX bytes, in a heap block of that size so that
	 * ASan catches any read past the slice */
	p = malloc(SIP_URI_MAX + 1);
	assert_non_null(p);
	memcpy(p, "sip:a@h;x=", 10);
	memset(p + 10, 'v', SIP_URI_MAX - 10);
	s.p = p;
	s.l = SIP_URI_MAX;
	assert_int_equal(sip_uri_decode(&u, &s), 0);
	assert_int_equal(u.params.l, SIP_URI_MAX - 7);
	p[SIP_URI_MAX] = 'v';
	s.l = SIP_URI_MAX + 1;
	assert_int_equal(sip_uri_decode(&u, &s), E2BIG);
	free(p);

	/* slices that end mid-token: nothing past the length is read */
	{
		static const char *const cut[] = {
			"sip:a@h:5", "sip:a%4", "sip:a@[::1", "sip:a@h;p=%6",
			"sip:a@h?x", "tel:+1;ext", "sip:a@h;",
		};
		size_t i;

		for (i = 0; i < sizeof(cut) / sizeof(cut[0]); i++) {
			size_t n = strlen(cut[i]);
			char *q = malloc(n);

			assert_non_null(q);
			memcpy(q, cut[i], n);
			s.p = q;
			s.l = n;
			(void)sip_uri_decode(&u, &s);
			free(q);
		}
	}
	s.p = "sip:a@h:5060";
	s.l = 9;                 /* "sip:a@h:5" */
	assert_int_equal(sip_uri_decode(&u, &s), 0);
	assert_int_equal(u.port, 5);
	s.l = 7;                 /* "sip:a@h" */
	assert_int_equal(sip_uri_decode(&u, &s), 0);
	assert_false(u.port_set);

	/* bad arguments; a failed decode leaves *uri alone */
	assert_int_equal(sip_uri_decode(NULL, &s), EINVAL);
	assert_int_equal(sip_uri_decode(&u, NULL), EINVAL);
	s.p = NULL;
	s.l = 3;
	assert_int_equal(sip_uri_decode(&u, &s), EINVAL);
	assert_int_equal(decode(&u, "sip:keep@h"), 0);
	assert_int_equal(decode(&u, "sip:x@h:99999"), EBADMSG);
	assert_pl(u.user, "keep");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_fields),
		cmocka_unit_test(test_decode_hosts),
		cmocka_unit_test(test_decode_ipv6),
		cmocka_unit_test(test_decode_ports),
		cmocka_unit_test(test_decode_escapes),
		cmocka_unit_test(test_decode_grammar),
		cmocka_unit_test(test_rfc4475_uris),
		cmocka_unit_test(test_rfc4475_request_lines),
		cmocka_unit_test(test_equal_rfc3261),
		cmocka_unit_test(test_not_equal_rfc3261),
		cmocka_unit_test(test_equal_rules),
		cmocka_unit_test(test_equal_ip),
		cmocka_unit_test(test_param_lookup),
		cmocka_unit_test(test_tel_decode),
		cmocka_unit_test(test_tel_equal),
		cmocka_unit_test(test_canon_tn),
		cmocka_unit_test(test_canon_uri),
		cmocka_unit_test(test_unescape),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests_name("uri", tests, NULL, NULL);
}
