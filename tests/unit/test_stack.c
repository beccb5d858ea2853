/* test_stack.c - the receive path over real UDP: RFC 4475 messages get the answers rfc4475.expect names, OPTIONS gets 200, Via gets received/rport, every answer passes the scrubber. */
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

#include "core/loop.h"
#include "sip/msg.h"
#include "ua/scrub.h"
#include "ua/stack.h"

struct ctx {
	struct loop *loop;
	struct stack *st;
	int fd;                        /* the test's UDP peer */
	struct sockaddr_in to;         /* the stack's listener */
};

static const char *datadir(void)
{
	const char *d = getenv("SIPTTY_TESTDATA");

	return d && *d ? d : "tests/data";
}

static int setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	assert_non_null(c);
	assert_int_equal(loop_alloc(&c->loop), 0);
	assert_int_equal(stack_alloc(&c->st, c->loop, NULL), 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(stack_listen(c->st, (struct sockaddr *)&sin,
				      sizeof(sin)), 0);
	assert_int_equal(sip_transport_laddr(stack_transport(c->st),
					     SIP_TP_UDP, AF_INET, &ss, &len), 0);
	memcpy(&c->to, &ss, sizeof(c->to));
	c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(bind(c->fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct ctx *c = *state;

	close(c->fd);
	stack_free(c->st);
	loop_free(c->loop);
	free(c);
	return 0;
}

/* Sends one datagram and runs the loop until an answer comes back or
 * about a second passed; returns the answer's length (0: none). */
static size_t exchange(struct ctx *c, const char *p, size_t len, char *ans,
		       size_t sz)
{
	ssize_t n;

	assert_int_equal(sendto(c->fd, p, len, 0, (struct sockaddr *)&c->to,
				sizeof(c->to)), (ssize_t)len);
	for (int i = 0; i < 50; i++) {
		struct pollfd pfd = {.fd = c->fd, .events = POLLIN};

		(void)loop_once(c->loop, 20);
		if (poll(&pfd, 1, 0) == 1) {
			n = recv(c->fd, ans, sz - 1, 0);
			assert_true(n > 0);
			ans[n] = '\0';
			return (size_t)n;
		}
	}
	ans[0] = '\0';
	return 0;
}

static char *slurp(const char *name, size_t *lenp)
{
	char path[1024];
	FILE *f;
	char *p;
	long n;

	snprintf(path, sizeof(path), "%s/rfc4475/%s", datadir(), name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*lenp = (size_t)n;
	return p;
}

/* Every invalid request in rfc4475.expect that names a status gets it,
 * through the scrubber; the ones to drop get nothing. */
static void test_rfc4475_expect(void **state)
{
	struct ctx *c = *state;
	char path[1024], line[1024], ans[70000];
	unsigned checked = 0, dropped = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/rfc4475.expect", datadir());
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char file[128], *st;
		unsigned want = 0;
		bool drop;
		size_t len, n;
		char *msg;
		uint64_t before;

		if (sscanf(line, "%127s invalid", file) != 1 ||
		    !strstr(line, " invalid ") || line[0] == '#')
			continue;
		st = strstr(line, "status=");
		if (!st)
			continue;
		drop = !strncmp(st + 7, "drop", 4);
		if (!drop)
			want = (unsigned)strtoul(st + 7, NULL, 10);
		msg = slurp(file, &len);
		assert_non_null(msg);
		before = scrub_count();
		n = exchange(c, msg, len, ans, sizeof(ans));
		free(msg);
		if (drop) {
			if (n)
				fail_msg("%s: want no answer, got %.40s", file,
					 ans);
			dropped++;
			continue;
		}
		if (!n)
			fail_msg("%s: no answer, want %u", file, want);
		if (strncmp(ans, "SIP/2.0 ", 8) ||
		    strtoul(ans + 8, NULL, 10) != want)
			fail_msg("%s: got \"%.40s\", want %u", file, ans, want);
		assert_true(scrub_count() > before);
		if (want == 501)
			assert_non_null(memmem(ans, n, "\r\nAllow: ", 9));
		checked++;
	}
	fclose(f);
	/* The expectations name about twenty answers and a few drops. */
	assert_true(checked >= 15);
	assert_true(dropped >= 2);
}

/* The UA's own refusals for valid messages (SPECS 9). */
static void test_ua_answers(void **state)
{
	static const struct {
		const char *file;
		unsigned status;
		const char *hdr;
	} cases[] = {
		{"intmeth.dat", 501, "\r\nAllow: "},
		{"bext01.dat", 420, "\r\nUnsupported: nothingSupportsThis, nothingSupportsThisEither\r\n"},
		{"invut.dat", 415, "\r\nAccept: application/sdp"},
		{"regaut01.dat", 405, "\r\nAllow: "},
	};
	struct ctx *c = *state;
	char ans[70000];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len, n;
		char *msg = slurp(cases[i].file, &len);

		assert_non_null(msg);
		n = exchange(c, msg, len, ans, sizeof(ans));
		assert_true(n > 0);
		free(msg);
		/* memmem: intmeth's To holds a NUL byte, copied as is. */
		if (strtoul(ans + 8, NULL, 10) != cases[i].status ||
		    !memmem(ans, n, cases[i].hdr, strlen(cases[i].hdr)))
			fail_msg("%s: got \"%.60s\"", cases[i].file, ans);
	}
}

/* A broadcast Via is dropped, not answered (RFC 4475 3.3.10). */
static void test_bcast_dropped(void **state)
{
	struct ctx *c = *state;
	char ans[70000];
	size_t len;
	char *msg = slurp("bcast.dat", &len);

	assert_non_null(msg);
	assert_int_equal(exchange(c, msg, len, ans, sizeof(ans)), 0);
	free(msg);
}

/* OPTIONS outside a dialog: 200 with Allow, Accept, Supported, and our
 * Via back with received and rport filled in (RFC 3581). */
static void test_options(void **state)
{
	struct ctx *c = *state;
	struct sockaddr_in me;
	socklen_t ml = sizeof(me);
	char req[1024], ans[8192], want[128];
	int n;

	assert_int_equal(getsockname(c->fd, (struct sockaddr *)&me, &ml), 0);
	n = snprintf(req, sizeof(req),
		     "OPTIONS sip:siptty@127.0.0.1 SIP/2.0\r\n"
		     "Via: SIP/2.0/UDP 192.0.2.9:5099;branch=z9hG4bKopt1;rport\r\n"
		     "Max-Forwards: 70\r\n"
		     "From: <sip:probe@example.com>;tag=p1\r\n"
		     "To: <sip:siptty@127.0.0.1>\r\n"
		     "Call-ID: opt1@example.com\r\n"
		     "CSeq: 7 OPTIONS\r\n"
		     "Content-Length: 0\r\n\r\n");
	assert_true(exchange(c, req, (size_t)n, ans, sizeof(ans)) > 0);
	assert_true(!strncmp(ans, "SIP/2.0 200 ", 12));
	assert_non_null(strstr(ans, "\r\nAllow: " STACK_ALLOW "\r\n"));
	assert_non_null(strstr(ans, "\r\nAccept: application/sdp\r\n"));
	assert_non_null(strstr(ans, "\r\nSupported: "));
	snprintf(want, sizeof(want), ";received=127.0.0.1;rport=%u",
		 ntohs(me.sin_port));
	if (!strstr(ans, want))
		fail_msg("no \"%s\" in %s", want, ans);
	assert_non_null(strstr(ans, "branch=z9hG4bKopt1"));
	assert_non_null(strstr(ans, "\r\nTo: <sip:siptty@127.0.0.1>;tag="));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rfc4475_expect, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ua_answers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bcast_dropped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_options, setup, teardown),
	};

	return cmocka_run_group_tests_name("stack", tests, NULL, NULL);
}
