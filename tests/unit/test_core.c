/* test_core.c - pl, buf, rand, opts and events. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/buf.h"
#include "core/events.h"
#include "core/opts.h"
#include "core/pl.h"
#include "core/rand.h"

static void test_pl_numbers(void **state)
{
	uint32_t v;
	uint64_t w;
	struct pl pl;

	(void)state;
	pl = PL("4294967295");
	assert_int_equal(pl_u32(&pl, &v), 0);
	assert_int_equal(v, 4294967295u);
	pl = PL("4294967296");
	assert_int_equal(pl_u32(&pl, &v), ERANGE);
	pl = PL("18446744073709551615");
	assert_int_equal(pl_u64(&pl, &w), 0);
	assert_true(w == UINT64_MAX);
	pl = PL("18446744073709551616");
	assert_int_equal(pl_u64(&pl, &w), ERANGE);
	pl = PL("-1");
	assert_int_equal(pl_u32(&pl, &v), EINVAL);
	pl = PL(" 1");
	assert_int_equal(pl_u32(&pl, &v), EINVAL);
	pl = PL("");
	assert_int_equal(pl_u32(&pl, &v), EINVAL);
}

static void test_pl_compare(void **state)
{
	struct pl a = PL("Via"), b = PL("vIA"), t = PL(" \t x y \r\n");
	char small[3];

	(void)state;
	assert_true(pl_caseeq(&a, &b));
	assert_false(pl_eq(&a, &b));
	assert_true(pl_caseeq_str(&a, "VIA"));
	assert_false(pl_caseeq_str(&a, "Vi"));
	pl_trim(&t);
	assert_int_equal(t.l, 3);
	assert_memory_equal(t.p, "x y", 3);
	assert_ptr_equal(pl_chr(&t, 'y'), t.p + 2);
	assert_null(pl_chr(&t, 'z'));
	assert_int_equal(pl_strcpy(small, sizeof(small), &a), 3);
	assert_string_equal(small, "Vi");
}

static void test_buf(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(buf_printf(&b, "%s/%d", "SIP", 2), 0);
	assert_int_equal(buf_puts(&b, ".0"), 0);
	assert_string_equal(b.data, "SIP/2.0");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(buf_putc(&b, 'x'), 0);
	assert_int_equal(b.len, 1007);
	buf_free(&b);

	/* A bound is an error that sticks, never a silent truncation. */
	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "12345678"), 0);
	assert_int_equal(buf_putc(&b, '9'), E2BIG);
	assert_int_equal(buf_puts(&b, ""), E2BIG);
	assert_int_equal(b.len, 8);
	buf_free(&b);
}

static void test_rand(void **state)
{
	char a[64], b[64];

	(void)state;
	assert_int_equal(rand_branch(a, sizeof(a)), 0);
	assert_int_equal(strncmp(a, "z9hG4bK", 7), 0);
	assert_int_equal(strlen(a), 29);
	assert_int_equal(rand_branch(b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(rand_callid(a, sizeof(a)), 0);
	assert_int_equal(strlen(a), 32);
	for (size_t i = 0; a[i]; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       "abcdefghijklmnopqrstuvwxyz0123456789",
				       a[i]));
	assert_int_equal(rand_tag(a, 16), EINVAL);  /* no room for NUL */
	assert_int_equal(rand_tag(a, 17), 0);
}

static int parse(struct opts *o, int argc, const char **argv)
{
	FILE *devnull = fopen("/dev/null", "w");
	int err;

	err = opts_parse(o, argc, (char *const *)argv, devnull);
	fclose(devnull);
	return err;
}

static void test_opts(void **state)
{
	const char *ok[] = {"siptty", "-c", "x.conf", "--headless",
			    "--events", "ev.json", "--auto-answer=3", "--demo"};
	const char *bad1[] = {"siptty", "--nope"};
	const char *bad2[] = {"siptty", "--auto-answer=-1"};
	const char *bad3[] = {"siptty", "--events"};
	const char *bad4[] = {"siptty", "stray"};
	const char *cc[] = {"siptty", "--check-config"};
	struct opts o;

	(void)state;
	assert_int_equal(parse(&o, 8, ok), 0);
	assert_string_equal(o.config, "x.conf");
	assert_string_equal(o.events, "ev.json");
	assert_true(o.headless);
	assert_true(o.demo);
	assert_true(o.auto_answer);
	assert_int_equal(o.auto_answer_s, 3);
	assert_int_equal(o.action, OPTS_RUN);
	assert_int_equal(parse(&o, 2, bad1), EINVAL);
	assert_int_equal(parse(&o, 2, bad2), EINVAL);
	assert_int_equal(parse(&o, 2, bad3), EINVAL);
	assert_int_equal(parse(&o, 2, bad4), EINVAL);
	assert_int_equal(parse(&o, 2, cc), 0);
	assert_int_equal(o.action, OPTS_CHECK_CONFIG);
}

static int seen;
static void on_event(const json_t *ev, void *arg)
{
	(void)arg;
	if (!strcmp(json_string_value(json_object_get(ev, "type")), "reg"))
		seen++;
}

static void test_events(void **state)
{
	char path[] = "/tmp/siptty-events-XXXXXX", line[512];
	json_error_t jerr;
	json_t *ev;
	FILE *fp;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(events_open(path), 0);
	assert_int_equal(events_subscribe(on_event, NULL), 0);
	assert_int_equal(events_emit("reg", json_pack("{s:s,s:s}", "account",
						     "alice", "state",
						     "registered")), 0);
	assert_int_equal(events_emit("call", NULL), 0);
	events_unsubscribe(on_event, NULL);
	assert_int_equal(events_emit("reg", NULL), 0);
	events_close();
	assert_int_equal(seen, 1);

	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	ev = json_loads(line, 0, &jerr);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "type")), "reg");
	assert_string_equal(json_string_value(json_object_get(ev, "state")),
			    "registered");
	assert_non_null(json_object_get(ev, "ts"));
	assert_true(json_is_integer(json_object_get(ev, "mono_ms")));
	json_decref(ev);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_non_null(strstr(line, "\"type\":\"call\""));
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_null(fgets(line, sizeof(line), fp));
	fclose(fp);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pl_numbers),
		cmocka_unit_test(test_pl_compare),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_rand),
		cmocka_unit_test(test_opts),
		cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
