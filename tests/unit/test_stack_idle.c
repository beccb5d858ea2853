/* test_stack_idle.c - the stack closes incoming TCP connections left quiet and unused, never one an INVITE came on. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
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
#include "ua/stack.h"

/* t1_ms 50: the quiet bound is at least 64*T1 + 1 s = 4.2 s. */
static const char conf_text[] =
	"[sip]\n"
	"t1_ms = 50\n"
	"tcp_idle_s = 1\n";

#define REQ_FMT \
	"%s sip:alice@127.0.0.1 SIP/2.0\r\n" \
	"Via: SIP/2.0/TCP 127.0.0.1:9;branch=z9hG4bK%s\r\n" \
	"Max-Forwards: 70\r\n" \
	"From: <sip:probe@127.0.0.1>;tag=%s\r\n" \
	"To: <sip:alice@127.0.0.1>\r\n" \
	"Call-ID: %s@idle\r\n" \
	"CSeq: 1 %s\r\n" \
	"Contact: <sip:probe@127.0.0.1:9;transport=tcp>\r\n" \
	"Content-Length: 0\r\n\r\n"

static int tcp_to(const struct sockaddr_storage *ss, socklen_t len)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (const struct sockaddr *)ss, len), 0);
	return fd;
}

static void send_req(int fd, const char *method, const char *id)
{
	char buf[1024];
	int n = snprintf(buf, sizeof(buf), REQ_FMT, method, id, id, id, method);

	assert_int_equal(send(fd, buf, (size_t)n, MSG_NOSIGNAL), n);
}

/* Drains fd; true once the stack closed it. */
static bool closed(int fd)
{
	char buf[4096];

	for (;;) {
		ssize_t r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (r == 0)
			return true;
		if (r < 0)
			return errno != EAGAIN && errno != EWOULDBLOCK;
	}
}

static void test_quiet_closed_invite_kept(void **state)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	struct loop *loop;
	struct conf *conf;
	struct stack *st;
	uint64_t t0, gone = 0;
	int quiet, invited;

	(void)state;
	assert_int_equal(conf_load_string(&conf, "test", conf_text), 0);
	assert_int_equal(loop_alloc(&loop), 0);
	assert_int_equal(stack_alloc(&st, loop, conf), 0);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(stack_listen(st, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(sip_transport_laddr(stack_transport(st), SIP_TP_TCP,
					     AF_INET, &ss, &len), 0);
	quiet = tcp_to(&ss, len);
	invited = tcp_to(&ss, len);
	send_req(quiet, "OPTIONS", "q1");
	send_req(invited, "INVITE", "i1");
	t0 = loop_now_ms();
	/* Sweeps come every 5 s: closed after 4.2 s, within 10.5 s. */
	while (loop_now_ms() - t0 < 12000) {
		assert_int_equal(loop_once(loop, 50), 0);
		if (closed(quiet)) {
			gone = loop_now_ms() - t0;
			break;
		}
	}
	assert_true(gone >= 4000);
	assert_true(gone <= 11000);
	/* As quiet, but an INVITE came on it: a dialog may use it. */
	for (int i = 0; i < 10; i++)
		assert_int_equal(loop_once(loop, 20), 0);
	assert_false(closed(invited));
	assert_int_equal(sip_transport_incoming(stack_transport(st)), 1);
	close(quiet);
	close(invited);
	stack_free(st);
	loop_free(loop);
	conf_free(conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_closed_invite_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
