/* test_media_pulse.c - the pulse audio driver when there is no usable
 * server: no libpulse, no server at all, and one that accepts and never
 * answers; each falls back to the paced null device, with a reason, in
 * bounded time. */
#include <config.h>

#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "audio/media_int.h"

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Opens a pulse device on PULSE_SERVER=server; checks the fallback. */
static void open_fallback(const char *server, const char *why,
			  double max_s)
{
	struct mdev_cfg cfg;
	struct mdev *d = NULL;
	char reason[256];
	double t0;
	int i;

	setenv("PULSE_SERVER", server, 1);
	memset(&cfg, 0, sizeof(cfg));
	cfg.driver = MEDIA_DRV_PULSE;
	cfg.in_dev = "siptty-no-such-source";
	cfg.out_dev = "siptty-no-such-sink";
	cfg.rate = 48000;
	cfg.ptime_ms = 20;
	t0 = now_s();
	assert_int_equal(mdev_open(&d, &cfg, reason, sizeof(reason)), 0);
	assert_true(now_s() - t0 < max_s);
	assert_int_equal(mdev_driver(d), MEDIA_DRV_NULL);
	assert_non_null(strstr(reason, why));
	/* the null device is paced like the pulse one: 5 ms periods */
	assert_int_equal(mdev_period_ms(d), 5);
	assert_int_equal(mdev_period(d), 240);
	for (i = 0; i < 100 && !mdev_tick_ns(d); i++)
		usleep(5000);
	assert_true(mdev_tick_ns(d) != 0);
	mdev_close(d);
	unsetenv("PULSE_SERVER");
}

/* First: libpulse is loaded once, at the first pulse device. */
static void test_no_library(void **state)
{
	(void)state;
	mdev_pulse_library("libsiptty-no-such-pulse.so.0");
	open_fallback("unix:/nonexistent/siptty-no-pulse",
		      "libsiptty-no-such-pulse.so.0 cannot be loaded "
		      "(install libpulse0)", 1.0);
	mdev_pulse_library("libpulse-simple.so.0");
}

static void test_no_server(void **state)
{
	(void)state;
	open_fallback("unix:/nonexistent/siptty-no-pulse",
		      "the microphone (source siptty-no-such-source) cannot "
		      "be opened", 1.0);
}

/* A server that takes the connection and says nothing holds libpulse
 * for up to 30 s: the device gives up after 3. */
static void test_silent_server(void **state)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	char server[64];
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	snprintf(server, sizeof(server), "tcp:127.0.0.1:%u",
		 (unsigned)ntohs(sa.sin_port));
	open_fallback(server, "did not answer within 3 s", 5.0);
	/* the connection goes away: libpulse returns, and the opener
	 * frees what it opened (LSan would see it otherwise) */
	close(fd);
	usleep(300000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_library),
		cmocka_unit_test(test_no_server),
		cmocka_unit_test(test_silent_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
