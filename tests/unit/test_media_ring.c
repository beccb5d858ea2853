/* test_media_ring.c - the SPSC sample ring: wrap-around, bounds, and two
 * threads moving a counting sequence with nothing lost or reordered. */
#include <config.h>

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "audio/media_int.h"

static void test_basic(void **state)
{
	struct ring r;
	int16_t in[100], out[100];
	size_t i;

	(void)state;
	assert_int_equal(ring_init(&r, 100), 0);
	assert_int_equal(r.cap, 128);
	for (i = 0; i < 100; i++)
		in[i] = (int16_t)i;
	assert_int_equal(ring_write(&r, in, 100), 100);
	assert_int_equal(ring_write(&r, in, 100), 28);   /* full */
	assert_int_equal(ring_avail(&r), 128);
	assert_int_equal(ring_space(&r), 0);
	assert_int_equal(ring_read(&r, out, 90), 90);
	for (i = 0; i < 90; i++)
		assert_int_equal(out[i], (int16_t)i);
	assert_int_equal(ring_skip(&r, 5), 5);
	/* wraps around the end of the buffer */
	assert_int_equal(ring_write(&r, in, 60), 60);
	assert_int_equal(ring_read(&r, out, 100), 93);
	assert_int_equal(out[0], 95);
	assert_int_equal(out[4], 99);
	assert_int_equal(out[5], 0);
	assert_int_equal(out[32], 27);
	assert_int_equal(out[33], 0);
	assert_int_equal(out[92], 59);
	assert_int_equal(ring_read(&r, out, 10), 0);
	ring_free(&r);
}

#define RING_TOTAL 2000000

static void *producer(void *arg)
{
	struct ring *r = arg;
	int16_t blk[37];
	uint32_t n = 0;
	size_t i, w;

	while (n < RING_TOTAL) {
		for (i = 0; i < 37; i++)
			blk[i] = (int16_t)(n + i);
		w = ring_write(r, blk, RING_TOTAL - n < 37 ? RING_TOTAL - n : 37);
		n += (uint32_t)w;
		if (!w)
			sched_yield();
	}
	return NULL;
}

static void test_threads(void **state)
{
	struct ring r;
	pthread_t t;
	int16_t blk[53];
	uint32_t n = 0, bad = 0;
	size_t i, got;

	(void)state;
	assert_int_equal(ring_init(&r, 256), 0);
	assert_int_equal(pthread_create(&t, NULL, producer, &r), 0);
	while (n < RING_TOTAL) {
		got = ring_read(&r, blk, 53);
		for (i = 0; i < got; i++)
			if (blk[i] != (int16_t)(n + i))
				bad++;
		n += (uint32_t)got;
		if (!got)
			sched_yield();
	}
	pthread_join(t, NULL);
	assert_int_equal(bad, 0);
	assert_int_equal(n, RING_TOTAL);
	assert_int_equal(ring_avail(&r), 0);
	ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
