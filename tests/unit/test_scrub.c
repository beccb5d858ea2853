/* test_scrub.c - the privacy scrubber: every kind of message siptty sends, at every level, leaves with only what the level allows; the level grammar; the stack's send path goes through it. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/conf.h"
#include "core/loop.h"
#include "core/rand.h"
#include "sip/msg.h"
#include "sip/tsx.h"
#include "ua/account.h"
#include "ua/call.h"
#include "ua/privacy.h"
#include "ua/scrub.h"
#include "ua/stack.h"

/* The configured identity: distinctive strings that appear nowhere
 * else, so a leak cannot hide behind a coincidence. */
#define DNAME "Zyxwv Secretname"
#define USER "zsecretuser"
#define DOMAIN "zsecretdomain.example"
#define LADDR "192.0.2.77"        /* "our" address in Via/Contact/SDP */
#define PEER "sip:bob@peer.example"

static const char sdp[] =
	"v=0\r\n"
	"o=" USER " 123456 1 IN IP4 " LADDR "\r\n"
	"s=" DNAME "\r\n"
	"c=IN IP4 " LADDR "\r\n"
	"t=0 0\r\n"
	"m=audio 40000 RTP/AVP 0\r\n";

/* ------------------------------------------------------------------ */
/* The level grammar                                                   */
/* ------------------------------------------------------------------ */

static void parse_good(void **state)
{
	static const struct {
		const char *in;
		unsigned level;
		const char *canon;
	} v[] = {
		{"none", PRIV_NONE, "none"},
		{"user", PRIV_USER, "user"},
		{"header", PRIV_HEADER, "header"},
		{"session", PRIV_SESSION, "session"},
		{"id", PRIV_ID, "id"},
		{"id;header", PRIV_ID | PRIV_HEADER, "header;id"},
		{"User, Header , ID", PRIV_USER | PRIV_HEADER | PRIV_ID,
		 "user;header;id"},
		{"user;critical", PRIV_USER | PRIV_CRITICAL, "user;critical"},
		{"critical;header;session;user;id",
		 PRIV_USER | PRIV_HEADER | PRIV_SESSION | PRIV_ID |
		 PRIV_CRITICAL, "user;header;session;id;critical"},
	};
	char s[PRIVACY_STR_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned lv = 0;

		assert_int_equal(privacy_parse(&lv, v[i].in, NULL), 0);
		assert_int_equal(lv, v[i].level);
		privacy_str(s, sizeof(s), lv);
		assert_string_equal(s, v[i].canon);
	}
	privacy_str(s, sizeof(s), 0);
	assert_string_equal(s, "");
}

static void parse_bad(void **state)
{
	static const struct {
		const char *in;
		const char *why;
	} v[] = {
		{"none;user", "none alone"},
		{"user;user", "given twice"},
		{"critical", "needs another level"},
		{"", "no level"},
		{";;", "no level"},
		{"anonymous", "\"anonymous\" is not a privacy level"},
		{"header;nonsense", "\"nonsense\" is not"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned lv = 77;
		struct buf why;

		buf_init(&why, 0);
		assert_int_equal(privacy_parse(&lv, v[i].in, &why), EINVAL);
		assert_int_equal(lv, 77);
		assert_int_equal(buf_putc(&why, '\0'), 0);
		if (!strstr(why.data, v[i].why))
			fail_msg("\"%s\": %s", v[i].in, why.data);
		buf_free(&why);
	}
}

static void cycle(void **state)
{
	unsigned lv = 0, seen = 0;

	(void)state;
	for (int i = 0; i < 6; i++) {
		lv = privacy_next(lv);
		seen |= lv;
	}
	assert_int_equal(lv, 0);
	assert_true(seen & PRIV_NONE);
	assert_true(seen & PRIV_USER);
	assert_true(seen & PRIV_HEADER);
	assert_true(seen & PRIV_ID);
}

/* ------------------------------------------------------------------ */
/* Every kind of message, every level                                  */
/* ------------------------------------------------------------------ */

enum kind { K_REQ, K_RESP };

struct sample {
	const char *name;
	enum kind kind;
	const char *method;         /* request */
	uint16_t status;            /* response */
	bool body;
};

/* What siptty sends (RFC 3261 and RFC 3515 as src/ua uses them). */
static const struct sample samples[] = {
	{"REGISTER", K_REQ, "REGISTER", 0, false},
	{"INVITE", K_REQ, "INVITE", 0, true},
	{"re-INVITE", K_REQ, "INVITE", 0, true},
	{"ACK", K_REQ, "ACK", 0, false},
	{"BYE", K_REQ, "BYE", 0, false},
	{"CANCEL", K_REQ, "CANCEL", 0, false},
	{"OPTIONS", K_REQ, "OPTIONS", 0, false},
	{"REFER", K_REQ, "REFER", 0, false},
	{"NOTIFY", K_REQ, "NOTIFY", 0, false},
	{"INFO", K_REQ, "INFO", 0, false},
	{"100", K_RESP, NULL, 100, false},
	{"180", K_RESP, NULL, 180, false},
	{"200", K_RESP, NULL, 200, true},
	{"486", K_RESP, NULL, 486, false},
	{"603", K_RESP, NULL, 603, false},
};

/* A request as the UA builds it: the same builder calls (Via from the
 * transaction layer, identity headers, the extras the UA adds). */
static struct sip_msg *build_req(const struct sample *s, bool reinvite)
{
	struct sip_msg *m = NULL;
	const char *ruri = !strcmp(s->method, "REGISTER") ?
			   "sip:" DOMAIN : PEER;
	bool reg = !strcmp(s->method, "REGISTER");

	assert_int_equal(sip_msg_request_alloc(&m, s->method, ruri), 0);
	assert_int_equal(sip_tsx_via_add(m, SIP_TP_UDP, LADDR ":5062"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_MAX_FORWARDS, "70"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_FROM,
		"\"" DNAME "\" <sip:" USER "@" DOMAIN ">;tag=t0k3nABC"), 0);
	if (reg)
		assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_TO,
			"\"" DNAME "\" <sip:" USER "@" DOMAIN ">"), 0);
	else
		assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_TO, reinvite ?
			"\"Bob\" <" PEER ">;tag=peer1" : "\"Bob\" <" PEER ">"),
			0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_CALL_ID,
					 "a84b4c76e66710zzqq"), 0);
	assert_int_equal(sip_msg_hdr_addf(m, SIP_HDR_CSEQ, "7 %s", s->method),
			 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_CONTACT,
		"\"" DNAME "\" <sip:" USER "@" LADDR ":5062>"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_USER_AGENT,
					 "siptty/0.1 (host " LADDR ")"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_SUBJECT, DNAME " calls"),
			 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_ORGANIZATION,
					 "Zsecret Org"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_CALL_INFO,
		"<http://" DOMAIN "/" USER ".png>;purpose=icon"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_REPLY_TO,
		"<sip:" USER "@" DOMAIN ">"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_IN_REPLY_TO,
					 "old@" DOMAIN), 0);
	if (!strcmp(s->method, "REFER")) {
		assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_REFER_TO,
						 "<sip:carol@peer.example>"), 0);
		assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_REFERRED_BY,
			"\"" DNAME "\" <sip:" USER "@" DOMAIN ">"), 0);
	}
	if (s->body) {
		assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_CONTENT_TYPE,
						 "application/sdp"), 0);
		assert_int_equal(sip_msg_set_body(m, sdp, strlen(sdp)), 0);
	}
	return m;
}

/* A response as the UA builds it: from the peer's request, with the
 * UA's Contact, Server, Warning, User-Agent. */
static struct sip_msg *build_resp(const struct sample *s)
{
	static const char peer_invite[] =
		"INVITE sip:" USER "@" LADDR ":5062 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 198.51.100.9:5060;branch=z9hG4bKpeer1\r\n"
		"Max-Forwards: 70\r\n"
		"From: \"Bob\" <" PEER ">;tag=peer1\r\n"
		"To: <sip:" USER "@" DOMAIN ">\r\n"
		"Call-ID: peercall1\r\n"
		"CSeq: 1 INVITE\r\n"
		"Contact: <sip:bob@198.51.100.9>\r\n"
		"Content-Length: 0\r\n\r\n";
	struct sip_msg *req = NULL, *m = NULL;

	assert_int_equal(sip_msg_decode(&req, peer_invite,
					sizeof(peer_invite) - 1, 0, NULL), 0);
	assert_int_equal(sip_tsx_response_alloc(&m, req, s->status, NULL,
		s->status > 100 ? "l0c4lTAG" : NULL), 0);
	sip_msg_free(req);
	if (s->status > 100 && s->status < 300)
		assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_CONTACT,
			"\"" DNAME "\" <sip:" USER "@" LADDR ":5062>"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_SERVER,
					 "siptty/0.1 (host " LADDR ")"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_USER_AGENT,
					 "siptty/0.1"), 0);
	assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_ORGANIZATION,
					 "Zsecret Org"), 0);
	if (s->status >= 400)
		assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_WARNING,
			"399 " DOMAIN " \"" DNAME " is busy\""), 0);
	if (s->body) {
		assert_int_equal(sip_msg_hdr_add(m, SIP_HDR_CONTENT_TYPE,
						 "application/sdp"), 0);
		assert_int_equal(sip_msg_set_body(m, sdp, strlen(sdp)), 0);
	}
	return m;
}

static const char *hidden[] = {
	"Subject", "Call-Info", "Organization", "User-Agent", "Server",
	"Reply-To", "In-Reply-To", "Warning",
};

/* The header line "Name: ..." (the value up to CRLF) or NULL. */
static const char *line_of(const char *wire, const char *name, char *out,
			   size_t sz)
{
	char pat[64];
	const char *p, *e;

	snprintf(pat, sizeof(pat), "\r\n%s:", name);
	p = strstr(wire, pat);
	if (!p)
		return NULL;
	p += 2;
	e = strstr(p, "\r\n");
	snprintf(out, sz, "%.*s", (int)(e - p), p);
	return out;
}

/* The headers only (no SDP), for checks that concern them. */
static void head_of(const char *wire, char *out, size_t sz)
{
	const char *e = strstr(wire, "\r\n\r\n");

	snprintf(out, sz, "%.*s", (int)(e ? e - wire + 2 : (long)strlen(wire)),
		 wire);
}

static void check(const struct sample *s, const char *wire, unsigned lv,
		  const struct scrub_policy *pol)
{
	bool req = s->kind == K_REQ;
	bool reg = req && !strcmp(s->method, "REGISTER");
	bool hide = lv & (PRIV_HEADER | PRIV_USER);
	bool anon = (lv & PRIV_USER) && req && !reg;
	char l[512], head[8192], want[PRIVACY_STR_MAX];

	head_of(wire, head, sizeof(head));
	/* The Privacy header says exactly the level. */
	privacy_str(want, sizeof(want), lv);
	if (*want) {
		assert_non_null(line_of(head, "Privacy", l, sizeof(l)));
		assert_string_equal(l + strlen("Privacy: "), want);
	} else {
		assert_null(strstr(head, "\r\nPrivacy:"));
	}
	for (size_t i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		char pat[64];

		snprintf(pat, sizeof(pat), "\r\n%s:", hidden[i]);
		if (hide && !(pol->keep_headers &&
			      strstr(pol->keep_headers, hidden[i])))
			assert_null(strstr(head, pat));
	}
	if (hide) {
		/* Organization and Warning were the only carriers of these. */
		assert_null(strstr(head, "Zsecret Org"));
		if (line_of(head, "Contact", l, sizeof(l))) {
			assert_null(strstr(l, DNAME));
			if (!reg)
				assert_null(strstr(l, USER));
			assert_non_null(strstr(l, LADDR ":5062"));
		}
		if (s->body) {
			assert_non_null(strstr(wire, "\r\no=- 123456 1 IN IP4 "
					       LADDR "\r\n"));
			assert_non_null(strstr(wire, "\r\ns=-\r\n"));
			assert_null(strstr(strstr(wire, "\r\n\r\n"), USER));
			assert_null(strstr(strstr(wire, "\r\n\r\n"), DNAME));
		}
	}
	if (anon) {
		assert_non_null(line_of(head, "From", l, sizeof(l)));
		assert_string_equal(l, "From: \"Anonymous\" "
			"<sip:anonymous@anonymous.invalid>;tag=t0k3nABC");
		/* Nothing of the identity anywhere in the headers. */
		assert_null(strstr(head, DNAME));
		assert_null(strstr(head, "Bob"));
		if (hide) {
			assert_null(strstr(head, USER));
			assert_null(strstr(head, DOMAIN));
		}
	}
	if (!lv || lv == PRIV_NONE) {
		/* Nothing hidden: the configured identity is there. */
		if (req) {
			assert_non_null(line_of(head, "From", l, sizeof(l)));
			assert_non_null(strstr(l, "\"" DNAME "\" <sip:" USER
					       "@" DOMAIN ">"));
		}
		assert_non_null(strstr(head, "\r\nUser-Agent:"));
		assert_non_null(strstr(head, "Zsecret Org"));
	}
	if (reg) {
		/* The AOR being registered stays in From and To. */
		assert_non_null(line_of(head, "From", l, sizeof(l)));
		assert_non_null(strstr(l, USER "@" DOMAIN));
	}
	/* P-Preferred-Identity only toward a trusted proxy. */
	if (pol->ppi_trusted && pol->preferred_identity && req && !reg &&
	    strcmp(s->method, "ACK") && strcmp(s->method, "CANCEL"))
		assert_non_null(strstr(head, "\r\nP-Preferred-Identity: "));
	else
		assert_null(strstr(head, "P-Preferred-Identity"));
	if ((lv & PRIV_CRITICAL) && req && strcmp(s->method, "ACK") &&
	    strcmp(s->method, "CANCEL"))
		assert_non_null(strstr(head, "\r\nProxy-Require: privacy\r\n"));
	else
		assert_null(strstr(head, "Proxy-Require"));
}

static const char *const levels[] = {
	NULL, "none", "header", "session", "user", "id", "id;header",
	"user;header;id", "user;critical", "user;header;session;id;critical",
};

static void scrub_one(const struct sample *s, const struct scrub_policy *pol)
{
	struct sip_msg *m, *again;
	struct buf before, out;
	uint64_t n = scrub_count();

	m = s->kind == K_REQ ? build_req(s, !strcmp(s->name, "re-INVITE")) :
	    build_resp(s);
	buf_init(&before, 0);
	assert_int_equal(sip_msg_print(&before, m), 0);
	buf_init(&out, 0);
	assert_int_equal(scrub_print(&out, m, pol), 0);
	assert_int_equal(scrub_count(), n + 1);
	assert_int_equal(buf_putc(&out, '\0'), 0);
	check(s, out.data, pol->level, pol);
	/* What leaves still parses and passes a UAS's checks. */
	assert_int_equal(sip_msg_decode(&again, out.data, out.len - 1,
					SIP_MSG_STREAM, NULL), 0);
	{
		struct sip_err e = {0};

		if (sip_msg_validate(again, &e))
			fail_msg("%s at level %u: %s (%d)\n%s", s->name,
				 pol->level, e.reason ? e.reason : "?", e.hdr,
				 out.data);
	}
	sip_msg_free(again);
	/* The caller's model is never touched (it is retransmitted). */
	buf_reset(&out);
	assert_int_equal(sip_msg_print(&out, m), 0);
	assert_int_equal(out.len, before.len);
	assert_memory_equal(out.data, before.data, out.len);
	buf_free(&out);
	buf_free(&before);
	sip_msg_free(m);
}

static void every_message_every_level(void **state)
{
	size_t runs = 0;

	(void)state;
	for (size_t l = 0; l < sizeof(levels) / sizeof(levels[0]); l++) {
		struct scrub_policy pol = {0};

		if (levels[l])
			assert_int_equal(privacy_parse(&pol.level, levels[l],
						       NULL), 0);
		for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]);
		     i++) {
			scrub_one(&samples[i], &pol);
			runs++;
		}
	}
	assert_int_equal(runs, 150);
}

/* P-Preferred-Identity: added toward a trusted proxy, removed (even
 * when the UA put one in) toward anyone else. */
static void preferred_identity(void **state)
{
	struct scrub_policy pol = {
		.level = PRIV_ID,
		.preferred_identity = "<sip:+15551230000@" DOMAIN ">",
		.ppi_trusted = true,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		scrub_one(&samples[i], &pol);
	pol.ppi_trusted = false;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++)
		scrub_one(&samples[i], &pol);
	{
		struct sip_msg *m = build_req(&samples[1], false);
		struct buf out;

		assert_int_equal(sip_msg_hdr_add(m,
			SIP_HDR_P_PREFERRED_IDENTITY, "<sip:" USER "@" DOMAIN
			">"), 0);
		pol.level = 0;
		buf_init(&out, 0);
		assert_int_equal(scrub_print(&out, m, &pol), 0);
		assert_int_equal(buf_putc(&out, '\0'), 0);
		assert_null(strstr(out.data, "P-Preferred-Identity"));
		assert_non_null(strstr(out.data, DNAME));
		buf_free(&out);
		sip_msg_free(m);
	}
}

/* keep_headers: the user turned some back on. */
static void keep_headers(void **state)
{
	struct scrub_policy pol = {.level = PRIV_HEADER,
				   .keep_headers = "User-Agent, Subject"};
	struct sip_msg *m = build_req(&samples[1], false);
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	assert_int_equal(scrub_print(&out, m, &pol), 0);
	assert_int_equal(buf_putc(&out, '\0'), 0);
	assert_non_null(strstr(out.data, "\r\nUser-Agent: siptty/0.1"));
	assert_non_null(strstr(out.data, "\r\nSubject: "));
	assert_null(strstr(out.data, "\r\nOrganization:"));
	assert_null(strstr(out.data, "\r\nCall-Info:"));
	buf_free(&out);
	sip_msg_free(m);
}

/* A policy bound to a Call-ID reaches messages printed without one
 * (what the stack does); others get the default, then nothing. */
static void bindings(void **state)
{
	struct scrub_policy user = {.level = PRIV_USER};
	struct scrub_policy hdr = {.level = PRIV_HEADER};
	struct sip_msg *m = build_req(&samples[4], false);   /* BYE */
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	assert_int_equal(scrub_bind("a84b4c76e66710zzqq", &user), 0);
	assert_int_equal(scrub_print(&out, m, NULL), 0);
	assert_int_equal(buf_putc(&out, '\0'), 0);
	assert_non_null(strstr(out.data, "\r\nFrom: \"Anonymous\" "));
	assert_non_null(strstr(out.data, "\r\nPrivacy: user\r\n"));
	scrub_unbind("a84b4c76e66710zzqq");
	buf_reset(&out);
	assert_int_equal(scrub_set_default(&hdr), 0);
	assert_int_equal(scrub_print(&out, m, NULL), 0);
	assert_int_equal(buf_putc(&out, '\0'), 0);
	assert_non_null(strstr(out.data, "\r\nPrivacy: header\r\n"));
	assert_non_null(strstr(out.data, DNAME));
	scrub_reset();
	buf_reset(&out);
	assert_int_equal(scrub_print(&out, m, NULL), 0);
	assert_int_equal(buf_putc(&out, '\0'), 0);
	assert_null(strstr(out.data, "Privacy"));
	assert_non_null(strstr(out.data, "\r\nUser-Agent:"));
	assert_int_equal(scrub_bind("", &user), EINVAL);
	buf_free(&out);
	sip_msg_free(m);
}

/* Tags, branches and Call-IDs carry no host name, address or time. */
static void random_ids(void **state)
{
	char host[256] = "", a[64], b[64], cid[64], cid2[64];

	(void)state;
	(void)gethostname(host, sizeof(host) - 1);
	assert_int_equal(rand_callid(cid, sizeof(cid)), 0);
	assert_int_equal(rand_callid(cid2, sizeof(cid2)), 0);
	assert_int_equal(rand_tag(a, sizeof(a)), 0);
	assert_int_equal(rand_branch(b, sizeof(b)), 0);
	assert_string_not_equal(cid, cid2);
	assert_true(strlen(cid) >= 32);
	for (const char *p = cid; *p; p++)
		assert_true((*p >= 'a' && *p <= 'z') || (*p >= 'A' &&
			    *p <= 'Z') || (*p >= '0' && *p <= '9'));
	for (const char *p = a; *p; p++)
		assert_true(*p != '.' && *p != '@' && *p != ':');
	assert_int_equal(strncmp(b, "z9hG4bK", 7), 0);
	for (const char *p = b; *p; p++)
		assert_true(*p != '.' && *p != '@' && *p != ':');
	if (*host && strlen(host) > 3) {
		assert_null(strstr(cid, host));
		assert_null(strstr(a, host));
		assert_null(strstr(b, host));
	}
}

/* ------------------------------------------------------------------ */
/* The real send path                                                  */
/* ------------------------------------------------------------------ */

/* The stack's own answer (OPTIONS 200) comes back scrubbed by the
 * Call-ID's policy, and every datagram that left was counted. */
static void stack_send_path(void **state)
{
	struct sockaddr_in sin = {.sin_family = AF_INET}, to;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct scrub_policy pol = {.level = PRIV_USER | PRIV_HEADER};
	struct loop *loop;
	struct stack *st;
	char ans[4096];
	int fd, got = 0;
	uint64_t before;
	static const char opt[] =
		"OPTIONS sip:" USER "@127.0.0.1 SIP/2.0\r\n"
		"Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKscrubopt%d\r\n"
		"Max-Forwards: 70\r\n"
		"From: <sip:probe@peer.example>;tag=p1\r\n"
		"To: <sip:" USER "@127.0.0.1>\r\n"
		"Call-ID: scrubopt%d\r\n"
		"CSeq: 1 OPTIONS\r\n"
		"Content-Length: 0\r\n\r\n";

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(stack_alloc(&st, loop, NULL), 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(stack_listen(st, (struct sockaddr *)&sin,
				      sizeof(sin)), 0);
	assert_int_equal(sip_transport_laddr(stack_transport(st), SIP_TP_UDP,
					     AF_INET, &ss, &len), 0);
	memcpy(&to, &ss, sizeof(to));
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(scrub_bind("scrubopt1", &pol), 0);
	before = scrub_count();
	for (int k = 0; k < 2; k++) {
		char req[1024];
		int n = snprintf(req, sizeof(req), opt, k, k);
		ssize_t r;

		/* The Via must lead back to fd. */
		len = sizeof(ss);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&ss, &len),
				 0);
		{
			char fixed[1024], port[16];
			char *p = strstr(req, "127.0.0.1:9;");

			snprintf(port, sizeof(port), "%u",
				 ntohs(((struct sockaddr_in *)&ss)->sin_port));
			snprintf(fixed, sizeof(fixed), "%.*s127.0.0.1:%s;%s",
				 (int)(p - req), req, port,
				 p + strlen("127.0.0.1:9;"));
			n = snprintf(req, sizeof(req), "%s", fixed);
		}
		assert_int_equal(sendto(fd, req, (size_t)n, 0,
					(struct sockaddr *)&to, sizeof(to)), n);
		ans[0] = '\0';
		for (int i = 0; i < 50; i++) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};

			(void)loop_once(loop, 20);
			if (poll(&pfd, 1, 0) == 1) {
				r = recv(fd, ans, sizeof(ans) - 1, 0);
				assert_true(r > 0);
				ans[r] = '\0';
				got++;
				break;
			}
		}
		assert_non_null(strstr(ans, "SIP/2.0 200 "));
		if (k == 1) {
			/* Bound: the level applied on the real path. */
			assert_non_null(strstr(ans, "\r\nPrivacy: user;header\r\n"));
			assert_null(strstr(ans, "\r\nServer:"));
			assert_null(strstr(ans, "\r\nUser-Agent:"));
		} else {
			assert_null(strstr(ans, "\r\nPrivacy:"));
		}
	}
	/* Every datagram that left went through scrub_print(). */
	assert_int_equal(scrub_count() - before, (uint64_t)got);
	scrub_reset();
	close(fd);
	stack_free(st);
	loop_free(loop);
}

/* The wire preview through the call manager: the INVITE the next call
 * would send, scrubbed at the next call's level. */
static void preview(void **state)
{
	static const char cfg[] =
		"[account z]\n"
		"aor = sip:" USER "@127.0.0.1\n"
		"display_name = " DNAME "\n"
		"register = no\n"
		"require_tls = no\n"
		"transport = udp\n";
	struct conf *conf = NULL;
	struct account *acc = NULL;
	struct loop *loop;
	struct stack *st;
	struct call_mgr *cm;
	struct buf why, out;
	bool from_acc = false;

	(void)state;
	assert_int_equal(conf_load_string(&conf, "test", cfg), 0);
	buf_init(&why, 0);
	assert_int_equal(account_alloc(&acc, conf, "z", &why), 0);
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(stack_alloc(&st, loop, NULL), 0);
	assert_int_equal(call_mgr_alloc(&cm, st, NULL), 0);
	assert_int_equal(call_mgr_add_account(cm, acc), 0);
	assert_int_equal(call_mgr_next_privacy(cm, &from_acc), 0);
	assert_true(from_acc);

	buf_init(&out, 0);
	assert_int_equal(call_preview(cm, "bob@127.0.0.1", &out), 0);
	assert_int_equal(buf_putc(&out, '\0'), 0);
	assert_true(!strncmp(out.data, "INVITE sip:bob@127.0.0.1 SIP/2.0\r\n",
			     34));
	assert_non_null(strstr(out.data, "\"" DNAME "\" <sip:" USER));
	assert_null(strstr(out.data, "Privacy"));

	call_mgr_set_next_privacy(cm, PRIV_USER);
	assert_int_equal(call_mgr_next_privacy(cm, &from_acc), PRIV_USER);
	assert_false(from_acc);
	buf_reset(&out);
	assert_int_equal(call_preview(cm, "bob@127.0.0.1", &out), 0);
	assert_int_equal(buf_putc(&out, '\0'), 0);
	assert_non_null(strstr(out.data, "\r\nFrom: \"Anonymous\" "
			       "<sip:anonymous@anonymous.invalid>;tag="));
	assert_non_null(strstr(out.data, "\r\nPrivacy: user\r\n"));
	assert_null(strstr(out.data, DNAME));
	assert_null(strstr(out.data, USER));
	assert_non_null(strstr(out.data, "\r\no=- "));
	assert_non_null(strstr(out.data, "\r\ns=-\r\n"));
	assert_non_null(strstr(out.data, "\r\nContact: <sip:127.0.0.1:"));

	call_mgr_free(cm);
	scrub_reset();
	stack_free(st);
	loop_free(loop);
	account_free(acc);
	conf_free(conf);
	buf_free(&out);
	buf_free(&why);
}

/* An account with an invalid level is refused with a sentence. */
static void account_level(void **state)
{
	static const char cfg[] =
		"[account z]\n"
		"aor = sip:" USER "@" DOMAIN "\n"
		"privacy = none;user\n";
	struct conf *conf = NULL;
	struct account *acc = NULL;
	struct buf why;

	(void)state;
	assert_int_equal(conf_load_string(&conf, "test", cfg), 0);
	buf_init(&why, 0);
	assert_int_equal(account_alloc(&acc, conf, "z", &why), EINVAL);
	assert_int_equal(buf_putc(&why, '\0'), 0);
	assert_non_null(strstr(why.data, "Account z: privacy: \"none\""));
	assert_non_null(strstr(why.data, "fix privacy"));
	buf_free(&why);
	conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_good),
		cmocka_unit_test(parse_bad),
		cmocka_unit_test(cycle),
		cmocka_unit_test(every_message_every_level),
		cmocka_unit_test(preferred_identity),
		cmocka_unit_test(keep_headers),
		cmocka_unit_test(bindings),
		cmocka_unit_test(random_ids),
		cmocka_unit_test(stack_send_path),
		cmocka_unit_test(preview),
		cmocka_unit_test(account_level),
	};

	return cmocka_run_group_tests_name("scrub", tests, NULL, NULL);
}
