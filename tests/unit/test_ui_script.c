/* test_ui_script.c - script parsing with line-numbered errors, and runs on a loop. */
#include <config.h>

#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/events.h"
#include "core/loop.h"
#include "ui/keys.h"
#include "ui/script.h"
#include "ui/ui.h"

static void test_parse_ok(void **state)
{
	struct script *s = NULL;
	struct buf err;
	const int *keys;

	(void)state;
	buf_init(&err, 0);
	assert_int_equal(script_parse(&s, "ok.script",
		"# a comment\n"
		"\n"
		"key ? Esc  F1 C-x\r\n"
		"type sip:alice@example.com  \n"
		"type \"  two  \"\n"
		"sleep 0.25\n"
		"expect \"No calls\\. Press\" 2\n"
		"expect ^Log\n"
		"wait ui view=help open=true 1.5\n"
		"wait start\n"
		"dump out.txt\n"
		"dump\n"
		"quit\n", &err), 0);
	assert_int_equal(err.len, 0);
	assert_int_equal(script_nsteps(s), 11);
	assert_int_equal(script_step_op(s, 0), SCRIPT_KEY);
	assert_int_equal(script_step_line(s, 0), 3);
	assert_int_equal(script_step_keys(s, 0, &keys), 4);
	assert_int_equal(keys[0], '?');
	assert_int_equal(keys[1], KEYS_ESC);
	assert_int_equal(keys[2], KEYS_F1);
	assert_int_equal(keys[3], 24);
	assert_int_equal(script_step_op(s, 1), SCRIPT_TYPE);
	assert_int_equal(script_step_keys(s, 1, &keys), 21);
	assert_int_equal(keys[0], 's');
	assert_int_equal(script_step_keys(s, 2, &keys), 7);
	assert_int_equal(keys[0], ' ');
	assert_int_equal(script_step_op(s, 3), SCRIPT_SLEEP);
	assert_int_equal(script_step_ms(s, 3), 250);
	assert_int_equal(script_step_op(s, 4), SCRIPT_EXPECT);
	assert_int_equal(script_step_ms(s, 4), 2000);
	assert_int_equal(script_step_ms(s, 5), SCRIPT_TIMEOUT_MS);
	assert_int_equal(script_step_op(s, 6), SCRIPT_WAIT);
	assert_int_equal(script_step_ms(s, 6), 1500);
	assert_int_equal(script_step_line(s, 6), 9);
	assert_int_equal(script_step_ms(s, 7), SCRIPT_TIMEOUT_MS);
	assert_int_equal(script_step_op(s, 8), SCRIPT_DUMP);
	assert_int_equal(script_step_op(s, 10), SCRIPT_QUIT);
	script_free(s);
	buf_free(&err);
}

static void expect_error(const char *text, const char *where,
			 const char *what)
{
	struct script *s = NULL;
	struct buf err;

	buf_init(&err, 0);
	assert_int_equal(script_parse(&s, "bad.script", text, &err), EBADMSG);
	assert_null(s);
	assert_non_null(err.data);
	if (!strstr(err.data, where) || !strstr(err.data, what))
		fail_msg("want \"%s\" and \"%s\" in: %s", where, what,
			 err.data);
	buf_free(&err);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("key Enter\nkeyy q\n", "bad.script:2:", "keyy");
	expect_error("\n\nkey Entr\n", "bad.script:3:", "Entr");
	expect_error("key\n", "bad.script:1:", "key name");
	expect_error("expect \"(unclosed\n", "bad.script:1:", "quoted");
	expect_error("expect \"(a\" 2\n", "bad.script:1:",
		     "bad regular expression");
	expect_error("expect a b c\n", "bad.script:1:", "double quotes");
	expect_error("expect ok 0\n", "bad.script:1:", "timeout");
	expect_error("expect ok 5s\n", "bad.script:1:", "timeout");
	expect_error("expect ok 99999\n", "bad.script:1:", "timeout");
	expect_error("sleep -1\n", "bad.script:1:", "sleep");
	expect_error("sleep 1,5\n", "bad.script:1:", "sleep");
	expect_error("wait\n", "bad.script:1:", "event type");
	expect_error("wait ui view\n", "bad.script:1:", "FIELD=VALUE");
	expect_error("type\n", "bad.script:1:", "text to type");
	expect_error("type \"a\" b\n", "bad.script:1:", "quoted");
	expect_error("dump a b\n", "bad.script:1:", "dump");
	expect_error("quit now\n", "bad.script:1:", "quit");
	/* All problems are reported, not only the first. */
	expect_error("bogus\nkey Enter\nbogus2\n", "bad.script:1:",
		     "bad.script:3:");
}

static void test_load_missing(void **state)
{
	struct script *s = NULL;
	struct buf err;

	(void)state;
	buf_init(&err, 0);
	assert_int_equal(script_load(&s, "/nonexistent/x.script", &err),
			 ENOENT);
	assert_null(s);
	buf_free(&err);
}

struct run {
	struct loop *loop;
	struct ui *ui;
	struct script *s;
	int status, done;
};

static void on_done(int status, void *arg)
{
	struct run *r = arg;

	r->status = status;
	r->done++;
	loop_stop(r->loop, 0);
}

static void on_quit(void *arg)
{
	struct run *r = arg;

	loop_stop(r->loop, 0);
}

/* Runs text headless; returns the status, with the failure text in *fail. */
static int run_script(const char *text, char **fail)
{
	struct ui_params p = {.headless = true, .headline = "HEAD",
			      .hint = "HINT"};
	struct run r = {0};
	struct buf err;
	uint64_t t0 = loop_now_ms();
	int status;

	buf_init(&err, 0);
	assert_int_equal(script_parse(&r.s, "run.script", text, &err), 0);
	assert_int_equal(loop_alloc(&r.loop), 0);
	assert_int_equal(ui_alloc(&r.ui, r.loop, &p), 0);
	ui_set_quit_handler(r.ui, on_quit, &r);
	assert_int_equal(script_start(r.s, r.loop, r.ui, on_done, &r), 0);
	(void)events_emit("start", NULL);
	while (loop_now_ms() - t0 < 20000) {
		if (loop_run(r.loop) || r.done)
			break;
		break;
	}
	status = script_finish(r.s);
	*fail = strdup(script_failure(r.s));
	script_free(r.s);
	ui_free(r.ui);
	loop_free(r.loop);
	buf_free(&err);
	return status;
}

static void test_run_pass(void **state)
{
	char *fail = NULL;

	(void)state;
	assert_int_equal(run_script(
		"wait start 1\n"
		"expect HEAD 1\n"
		"key ?\n"
		"wait ui view=help open=true 1\n"
		"expect \"show or hide this list\" 1\n"
		"key Esc\n"
		"key d\n"
		"type bad target\n"
		"key Enter\n"
		"expect \"Cannot dial \\\"bad target\\\"\" 1\n", &fail), 0);
	assert_string_equal(fail, "");
	free(fail);
}

static void test_run_expect_fails(void **state)
{
	char *fail = NULL;
	uint64_t t0 = loop_now_ms();

	(void)state;
	assert_int_equal(run_script("key l\n"
				    "expect \"never on screen\" 0.2\n"
				    "key q\n", &fail), 1);
	assert_true(loop_now_ms() - t0 >= 200);
	assert_true(loop_now_ms() - t0 < 3000);
	assert_non_null(strstr(fail, "run.script:2:"));
	assert_non_null(strstr(fail, "never on screen"));
	assert_non_null(strstr(fail, "HEAD"));  /* the screen as it was */
	free(fail);
}

static void test_run_wait_fails(void **state)
{
	char *fail = NULL;

	(void)state;
	assert_int_equal(run_script("wait ui view=trace 0.1\n", &fail), 1);
	assert_non_null(strstr(fail, "run.script:1:"));
	assert_non_null(strstr(fail, "view=trace"));
	free(fail);
}

static void test_run_quit_early(void **state)
{
	char *fail = NULL;

	(void)state;
	/* q quits siptty: the expect after it never ran, which fails. */
	assert_int_equal(run_script("key q\nexpect HEAD\n", &fail), 1);
	assert_non_null(strstr(fail, "run.script:2:"));
	free(fail);
	assert_int_equal(run_script("key q\n", &fail), 0);
	free(fail);
	assert_int_equal(run_script("quit\nexpect nothing\n", &fail), 0);
	free(fail);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_run_pass),
		cmocka_unit_test(test_run_expect_fails),
		cmocka_unit_test(test_run_wait_fails),
		cmocka_unit_test(test_run_quit_early),
	};

	setlocale(LC_ALL, "C.UTF-8");
	/* ui_alloc() reads the contacts and history: never the user's. */
	setenv("XDG_DATA_HOME", "/nonexistent/siptty-unit-test", 1);
	setenv("XDG_STATE_HOME", "/nonexistent/siptty-unit-test", 1);
	return cmocka_run_group_tests_name("ui_script", tests, NULL, NULL);
}
