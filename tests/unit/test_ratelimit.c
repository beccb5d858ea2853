/* test_ratelimit.c - the log rate limiter: token bucket arithmetic with injected time, and log_limited() through the log handler. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/log.h"
#include "core/ratelimit.h"

/* n calls at time t: how many were let through. */
static unsigned allow_n(struct ratelimit *rl, uint64_t t, unsigned n,
			uint64_t *last_suppressed)
{
	unsigned ok = 0;

	for (unsigned i = 0; i < n; i++) {
		uint64_t s;

		if (ratelimit_allow(rl, t, &s)) {
			ok++;
			if (last_suppressed)
				*last_suppressed = s;
		}
	}
	return ok;
}

static void test_burst_then_refuse(void **state)
{
	struct ratelimit rl = RATELIMIT_INIT(10, 1000);
	uint64_t s = 99;

	(void)state;
	/* 100k calls in the same millisecond: the burst and nothing more. */
	assert_int_equal(allow_n(&rl, 5000, 100000, &s), 10);
	assert_int_equal(s, 0);
	assert_int_equal(rl.suppressed, 100000 - 10);
	/* One token back after a tenth of the period; it reports the rest. */
	assert_false(ratelimit_allow(&rl, 5099, NULL));
	assert_true(ratelimit_allow(&rl, 5100, &s));
	assert_int_equal(s, 100000 - 10 + 1);
	assert_int_equal(rl.suppressed, 0);
	assert_false(ratelimit_allow(&rl, 5100, &s));
	assert_int_equal(s, 0);
}

static void test_refill_rate(void **state)
{
	struct ratelimit rl = RATELIMIT_INIT(10, 1000);
	unsigned total = 0;

	(void)state;
	/* A flood for 60 s, 1000 calls every 10 ms: the burst plus 10/s. */
	for (uint64_t t = 0; t <= 60000; t += 10)
		total += allow_n(&rl, t, 1000, NULL);
	assert_int_equal(total, 10 + 600);
	/* A quiet period longer than the period refills the whole burst,
	 * never more. */
	assert_int_equal(allow_n(&rl, 60000 + 3600000, 50, NULL), 10);
}

static void test_clock_back_and_far(void **state)
{
	struct ratelimit rl = RATELIMIT_INIT(2, 1000);

	(void)state;
	assert_int_equal(allow_n(&rl, UINT64_MAX - 10, 5, NULL), 2);
	/* Time going back refills nothing. */
	assert_int_equal(allow_n(&rl, 0, 5, NULL), 0);
	assert_int_equal(allow_n(&rl, UINT64_MAX - 10, 5, NULL), 0);
	assert_int_equal(allow_n(&rl, UINT64_MAX, 5, NULL), 0);
	assert_int_equal(rl.suppressed, 5 + 5 + 5 + 3);
}

static void test_unlimited(void **state)
{
	struct ratelimit rl = RATELIMIT_INIT(0, 1000);
	uint64_t s = 7;

	(void)state;
	assert_int_equal(allow_n(&rl, 1, 1000, &s), 1000);
	assert_int_equal(s, 0);
	assert_true(ratelimit_allow(NULL, 1, &s));
}

static unsigned nlines;
static char lastline[1024];

static void on_log(enum log_level level, const char *line, void *arg)
{
	(void)level;
	(void)arg;
	nlines++;
	snprintf(lastline, sizeof(lastline), "%s", line);
}

static void test_log_limited(void **state)
{
	static struct ratelimit rl = RATELIMIT_INIT(3, 3600000);

	(void)state;
	log_set_level(LOG_INFO);
	log_set_handler(on_log, NULL);
	nlines = 0;
	/* log_limited() reads the real monotonic clock: an hour-long period
	 * refills one line per 20 minutes, none within this test. */
	for (unsigned i = 0; i < 20000; i++)
		log_limited(&rl, LOG_INFO, "test", "answering %u statelessly", i);
	assert_int_equal(nlines, 3);
	assert_non_null(strstr(lastline, "answering 2 statelessly"));
	assert_null(strstr(lastline, "suppressed"));
	assert_int_equal(rl.suppressed, 20000 - 3);
	/* The next line let through says how many were dropped. */
	rl.credit = rl.period_ms;
	log_limited(&rl, LOG_INFO, "test", "answering %u statelessly", 7u);
	assert_int_equal(nlines, 4);
	assert_non_null(strstr(lastline, "answering 7 statelessly "
			       "(19997 similar messages suppressed)"));
	log_set_handler(NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_burst_then_refuse),
		cmocka_unit_test(test_refill_rate),
		cmocka_unit_test(test_clock_back_and_far),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_log_limited),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
