/* test_loop.c - timers fire in order, fds dispatch, posts cross threads. */
#include <config.h>

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/loop.h"

struct rec {
	struct loop *loop;
	char order[16];
	int n;
};

static void mark(struct rec *r, char c)
{
	if (r->n < 15)
		r->order[r->n++] = c;
}

static void fire_a(void *arg) { mark(arg, 'a'); }
static void fire_b(void *arg) { mark(arg, 'b'); }
static void fire_c(void *arg) { mark(arg, 'c'); }
static void fire_stop(void *arg)
{
	struct rec *r = arg;

	mark(r, 's');
	loop_stop(r->loop, 7);
}

static void test_timers(void **state)
{
	struct tmr ta, tb, tc, td, ts;
	struct rec r = {0};
	uint64_t t0;

	(void)state;
	assert_int_equal(loop_alloc(&r.loop), 0);
	tmr_init(&ta); tmr_init(&tb); tmr_init(&tc); tmr_init(&td);
	tmr_init(&ts);
	tmr_start(r.loop, &tc, 30, fire_c, &r);
	tmr_start(r.loop, &ta, 10, fire_a, &r);
	tmr_start(r.loop, &tb, 20, fire_b, &r);
	tmr_start(r.loop, &td, 15, fire_a, &r);
	tmr_cancel(&td);              /* cancelled: never fires */
	tmr_cancel(&td);              /* twice is harmless */
	tmr_start(r.loop, &ts, 40, fire_stop, &r);
	assert_true(tmr_running(&ta));
	assert_false(tmr_running(&td));
	t0 = loop_now_ms();
	assert_int_equal(loop_run(r.loop), 7);
	assert_true(loop_now_ms() - t0 >= 40);
	assert_string_equal(r.order, "abcs");
	assert_false(tmr_running(&ta));
	loop_free(r.loop);
}

static void test_restart(void **state)
{
	struct rec r = {0};
	struct tmr t, ts;

	(void)state;
	assert_int_equal(loop_alloc(&r.loop), 0);
	tmr_init(&t);
	tmr_init(&ts);
	tmr_start(r.loop, &t, 10, fire_a, &r);
	tmr_start(r.loop, &t, 50, fire_b, &r);  /* re-arming replaces */
	tmr_start(r.loop, &ts, 30, fire_stop, &r);
	assert_int_equal(loop_run(r.loop), 7);
	assert_string_equal(r.order, "s");
	assert_true(tmr_running(&t));
	loop_free(r.loop);  /* frees with a timer still armed */
}

static void on_readable(int fd, short revents, void *arg)
{
	struct rec *r = arg;
	char c;

	assert_true(revents & POLLIN);
	assert_int_equal(read(fd, &c, 1), 1);
	mark(r, c);
	if (c == 'z')
		loop_stop(r->loop, 0);
}

static void test_fds(void **state)
{
	struct rec r = {0};
	int p[2];

	(void)state;
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_alloc(&r.loop), 0);
	assert_int_equal(loop_fd_add(r.loop, p[0], POLLIN, on_readable, &r), 0);
	assert_int_equal(loop_fd_add(r.loop, p[0], POLLIN, on_readable, &r),
			 EALREADY);
	assert_int_equal(write(p[1], "xyz", 3), 3);
	assert_int_equal(loop_run(r.loop), 0);
	assert_string_equal(r.order, "xyz");
	loop_fd_del(r.loop, p[0]);
	assert_int_equal(write(p[1], "q", 1), 1);
	assert_int_equal(loop_once(r.loop, 20), 0);  /* no longer watched */
	assert_string_equal(r.order, "xyz");
	loop_free(r.loop);
	close(p[0]);
	close(p[1]);
}

static void posted(void *arg)
{
	struct rec *r = arg;

	mark(r, 'p');
	if (r->n == 3)
		loop_stop(r->loop, 0);
}

static void *poster(void *arg)
{
	struct rec *r = arg;

	for (int i = 0; i < 3; i++)
		assert_int_equal(loop_post(r->loop, posted, r), 0);
	return NULL;
}

static void test_post(void **state)
{
	struct rec r = {0};
	struct tmr guard;
	pthread_t th;

	(void)state;
	assert_int_equal(loop_alloc(&r.loop), 0);
	tmr_init(&guard);
	/* a hang would fail the test, not block the suite */
	tmr_start(r.loop, &guard, 5000, fire_stop, &r);
	assert_int_equal(pthread_create(&th, NULL, poster, &r), 0);
	assert_int_equal(loop_run(r.loop), 0);
	pthread_join(th, NULL);
	assert_string_equal(r.order, "ppp");
	loop_free(r.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_fds),
		cmocka_unit_test(test_post),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
