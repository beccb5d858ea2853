/* test_certfetch.c - certfetch loads libcurl only at the first network fetch, and a missing libcurl is a clear error, never a crash. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/loop.h"
#include "ua/certfetch.h"

#define NO_CURL "libsiptty-test-no-such-curl.so.4"

struct got {
	int calls;
	int err;
	char msg[256];
};

static void on_fetch(int err, const char *msg, const uint8_t *data, size_t len,
		     void *arg)
{
	struct got *g = arg;

	g->calls++;
	g->err = err;
	snprintf(g->msg, sizeof(g->msg), "%s", msg ? msg : "");
	if (!err)
		assert_non_null(data);
	else
		assert_int_equal(len, 0);
}

static void spin(struct loop *loop, const struct got *g, int calls)
{
	for (int i = 0; i < 50 && g->calls < calls; i++)
		assert_int_equal(loop_once(loop, 10), 0);
}

static void make(struct loop **loop, struct certfetch **cf)
{
	struct certfetch_opts o = {
		.timeout_ms = 500, .max_bytes = 4096, .cache_max = 2,
	};

	assert_int_equal(loop_alloc(loop), 0);
	assert_int_equal(certfetch_alloc(cf, *loop, &o), 0);
}

static int curl_in_process(void)
{
	void *h = dlopen("libcurl-gnutls.so.4", RTLD_LAZY | RTLD_NOLOAD);

	if (!h)
		h = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	return h != NULL;
}

/* Runs first: nothing before a fetch loads libcurl, nor does a refused URL. */
static void test_not_loaded_at_start(void **state)
{
	struct certfetch *cf;
	struct loop *loop;
	struct got g = {0};
	struct certfetch_stats st;

	(void)state;
	make(&loop, &cf);
	assert_false(curl_in_process());
	assert_int_equal(certfetch_get(cf, NULL, "http://127.0.0.1/c.pem", on_fetch, &g), 0);
	assert_int_equal(g.calls, 0);  /* never inside the call */
	spin(loop, &g, 1);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.err, EPROTONOSUPPORT);
	assert_false(curl_in_process());
	certfetch_stats(cf, &st);
	assert_int_equal(st.refused, 1);
	assert_int_equal(st.fetches, 0);
	certfetch_free(cf);
	loop_free(loop);
}

static void test_missing_library(void **state)
{
	struct certfetch *cf;
	struct loop *loop;
	struct got g = {0}, g2 = {0};
	struct certfetch_stats st;

	(void)state;
	certfetch_set_library(NO_CURL);
	make(&loop, &cf);
	assert_int_equal(certfetch_get(cf, NULL, "https://127.0.0.1:9/c.pem", on_fetch, &g), 0);
	assert_int_equal(g.calls, 0);
	spin(loop, &g, 1);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.err, ELIBACC);
	assert_non_null(strstr(g.msg, NO_CURL));
	/* Tried again at the next fetch; the same answer, once. */
	assert_int_equal(certfetch_get(cf, NULL, "https://127.0.0.1:9/c.pem", on_fetch, &g2), 0);
	spin(loop, &g2, 1);
	assert_int_equal(g2.calls, 1);
	assert_int_equal(g2.err, ELIBACC);
	assert_int_equal(g.calls, 1);
	certfetch_stats(cf, &st);
	assert_int_equal(st.fetches, 0);
	certfetch_free(cf);
	loop_free(loop);
	certfetch_set_library(NULL);
}

static void test_missing_library_cancelled(void **state)
{
	struct certfetch *cf;
	struct certfetch_req *r = NULL;
	struct loop *loop;
	struct got g = {0};

	(void)state;
	certfetch_set_library(NO_CURL);
	make(&loop, &cf);
	assert_int_equal(certfetch_get(cf, &r, "https://127.0.0.1:9/c.pem", on_fetch, &g), 0);
	assert_non_null(r);
	certfetch_cancel(r);
	for (int i = 0; i < 5; i++)
		assert_int_equal(loop_once(loop, 5), 0);
	assert_int_equal(g.calls, 0);
	/* Freed with a request pending: no handler runs either. */
	assert_int_equal(certfetch_get(cf, NULL, "https://127.0.0.1:9/d.pem", on_fetch, &g), 0);
	certfetch_free(cf);
	loop_free(loop);
	assert_int_equal(g.calls, 0);
	certfetch_set_library(NULL);
}

/* The real library, found by its soname: loaded by the first fetch. */
static void test_loaded_at_first_fetch(void **state)
{
	struct certfetch *cf;
	struct loop *loop;
	struct got g = {0};
	struct certfetch_stats st;

	(void)state;
	make(&loop, &cf);
	assert_false(curl_in_process());
	/* Port 9 on loopback: refused at once, or times out after 500 ms. */
	assert_int_equal(certfetch_get(cf, NULL, "https://127.0.0.1:9/c.pem", on_fetch, &g), 0);
	assert_true(curl_in_process());
	for (int i = 0; i < 200 && !g.calls; i++)
		assert_int_equal(loop_once(loop, 10), 0);
	assert_int_equal(g.calls, 1);
	assert_true(g.err == ECONNREFUSED || g.err == ETIMEDOUT);
	certfetch_stats(cf, &st);
	assert_int_equal(st.fetches, 1);
	certfetch_free(cf);
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_loaded_at_start),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_library_cancelled),
		cmocka_unit_test(test_loaded_at_first_fetch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
