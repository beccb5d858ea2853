/* test_ui.c - key names, the command table and dispatcher, the prompt, dial targets. */
#include <config.h>

#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/conf.h"
#include "core/events.h"
#include "core/loop.h"
#include "ui/cmd.h"
#include "ui/keys.h"
#include "ui/target.h"
#include "ui/ui.h"
#include "ui/ui_priv.h"

static void test_keys_parse(void **state)
{
	int k;

	(void)state;
	assert_int_equal(keys_parse("Enter", &k), 0);
	assert_int_equal(k, KEYS_ENTER);
	assert_int_equal(keys_parse("esc", &k), 0);
	assert_int_equal(k, KEYS_ESC);
	assert_int_equal(keys_parse("F1", &k), 0);
	assert_int_equal(k, KEYS_F1);
	assert_int_equal(keys_parse("F12", &k), 0);
	assert_int_equal(k, KEYS_F12);
	assert_int_equal(keys_parse("F13", &k), EINVAL);
	assert_int_equal(keys_parse("F0", &k), EINVAL);
	assert_int_equal(keys_parse("F", &k), 0);
	assert_int_equal(k, 'F');
	assert_int_equal(keys_parse("C-x", &k), 0);
	assert_int_equal(k, 24);
	assert_int_equal(keys_parse("C-a", &k), 0);
	assert_int_equal(k, 1);
	assert_int_equal(keys_parse("C-i", &k), 0);
	assert_int_equal(k, KEYS_TAB);
	assert_int_equal(keys_parse("C-1", &k), EINVAL);
	assert_int_equal(keys_parse("Up", &k), 0);
	assert_int_equal(k, KEYS_UP);
	assert_int_equal(keys_parse("q", &k), 0);
	assert_int_equal(k, 'q');
	assert_int_equal(keys_parse("\xc3\xa4", &k), 0);  /* ä */
	assert_int_equal(k, 0xe4);
	assert_int_equal(keys_parse("ab", &k), EINVAL);
	assert_int_equal(keys_parse("", &k), EINVAL);
	assert_int_equal(keys_parse("\x01", &k), EINVAL);
	assert_int_equal(keys_parse("\xff", &k), EINVAL);
}

static void test_keys_name_roundtrip(void **state)
{
	const char *names[] = {"Enter", "Esc", "Tab", "F1", "F10", "F12", "Up",
			       "Down", "Left", "Right", "C-x", "?", ":", "q",
			       "\xc3\xa4", "Backspace"};
	char out[KEYS_NAME_MAX];
	int k;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(keys_parse(names[i], &k), 0);
		keys_name(k, out, sizeof(out));
		assert_string_equal(out, names[i]);
	}
}

struct fx {
	struct loop *loop;
	struct ui *ui;
	int quits;
	json_t *last_ui;
};

static void on_quit(void *arg)
{
	((struct fx *)arg)->quits++;
}

static void on_ev(const json_t *ev, void *arg)
{
	struct fx *f = arg;

	if (strcmp(json_string_value(json_object_get(ev, "type")), "ui"))
		return;
	json_decref(f->last_ui);
	f->last_ui = json_deep_copy(ev);
}

static int setup(void **state)
{
	struct ui_params p = {.headless = true, .headline = "HEAD",
			      .hint = "HINT"};
	struct fx *f = calloc(1, sizeof(*f));

	if (!f || loop_alloc(&f->loop) || ui_alloc(&f->ui, f->loop, &p))
		return -1;
	ui_set_quit_handler(f->ui, on_quit, f);
	(void)events_subscribe(on_ev, f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	events_unsubscribe(on_ev, f);
	json_decref(f->last_ui);
	ui_free(f->ui);
	loop_free(f->loop);
	free(f);
	return 0;
}

static bool screen_has(struct ui *ui, const char *needle)
{
	struct buf b;
	bool found;

	buf_init(&b, 0);
	assert_int_equal(ui_screen(ui, &b), 0);
	found = b.len && strstr(b.data, needle);
	buf_free(&b);
	return found;
}

static void test_help_overlay(void **state)
{
	struct fx *f = *state;

	assert_false(screen_has(f->ui, "show or hide this list of keys"));
	assert_int_equal(cmd_dispatch_key(f->ui, '?'), 0);
	assert_true(f->ui->model.show_help);
	assert_non_null(f->last_ui);
	assert_string_equal(json_string_value(json_object_get(f->last_ui,
							      "view")), "help");
	assert_true(json_is_true(json_object_get(f->last_ui, "open")));
	/* Every command of the table, with its keys. */
	for (size_t i = 0; i < cmd_count(); i++)
		assert_true(screen_has(f->ui, cmd_get(i)->name));
	assert_true(screen_has(f->ui, "?, F1"));
	/* ? again closes it; F1 opens it too. */
	ui_key(f->ui, '?');
	assert_false(f->ui->model.show_help);
	ui_key(f->ui, KEYS_F1);
	assert_true(f->ui->model.show_help);
	ui_key(f->ui, KEYS_ESC);
	assert_false(f->ui->model.show_help);
	assert_false(screen_has(f->ui, "show or hide this list of keys"));
}

static void test_unbound_key(void **state)
{
	struct fx *f = *state;

	assert_int_equal(cmd_dispatch_key(f->ui, 'Z'), ENOENT);
	assert_true(f->ui->model.status_err);
	assert_non_null(strstr(f->ui->model.status, "Z"));
	ui_key(f->ui, KEYS_ESC);
	assert_string_equal(f->ui->model.status, "");
}

static void test_toggles_and_quit(void **state)
{
	struct fx *f = *state;

	assert_true(f->ui->model.show_log);
	ui_key(f->ui, 'l');
	assert_false(f->ui->model.show_log);
	assert_false(f->ui->model.show_trace);
	ui_key(f->ui, 's');
	assert_true(f->ui->model.show_trace);
	assert_true(screen_has(f->ui, "SIP trace"));
	assert_int_equal(f->quits, 0);
	ui_key(f->ui, 'q');
	assert_int_equal(f->quits, 1);
	assert_int_equal(ui_command(f->ui, "quit"), 0);
	assert_int_equal(f->quits, 2);
}

static void test_dispatch_line(void **state)
{
	struct fx *f = *state;

	assert_int_equal(ui_command(f->ui, ""), 0);
	assert_int_equal(ui_command(f->ui, "   "), 0);
	assert_int_equal(ui_command(f->ui, "nosuch"), ENOENT);
	assert_non_null(strstr(f->ui->model.status, "nosuch"));
	assert_int_equal(ui_command(f->ui, "log now"), EINVAL);
	assert_true(f->ui->model.show_log);
	assert_int_equal(ui_command(f->ui, "  log  "), 0);
	assert_false(f->ui->model.show_log);
	assert_int_equal(ui_command(f->ui, "dial foo bar"), EINVAL);
	assert_non_null(strstr(f->ui->model.status, "Cannot dial \"foo bar\""));
	/* a valid target with no account to call from */
	assert_int_equal(ui_command(f->ui, "dial sip:alice@example.com"),
			 ENOENT);
	assert_non_null(strstr(f->ui->model.status,
			       "no account is configured"));
	assert_int_equal(f->ui->model.prompt.kind, PROMPT_NONE);
	assert_int_equal(ui_command(f->ui, "dial"), 0);
	assert_int_equal(f->ui->model.prompt.kind, PROMPT_DIAL);
}

static void type(struct ui *ui, const char *s)
{
	for (; *s; s++)
		ui_key(ui, (unsigned char)*s);
}

static void test_prompts(void **state)
{
	struct fx *f = *state;

	ui_key(f->ui, 'd');
	assert_int_equal(f->ui->model.prompt.kind, PROMPT_DIAL);
	assert_true(screen_has(f->ui, "Dial:"));
	/* Keys go to the line now, not to the table: q does not quit. */
	type(f->ui, "qbc");
	assert_int_equal(f->quits, 0);
	ui_key(f->ui, KEYS_LEFT);
	ui_key(f->ui, KEYS_BACKSPACE);
	assert_string_equal(f->ui->model.prompt.text, "qc");
	ui_key(f->ui, 0xe4);
	assert_string_equal(f->ui->model.prompt.text, "q\xc3\xa4" "c");
	ui_key(f->ui, KEYS_BACKSPACE);
	ui_key(f->ui, KEYS_END);
	ui_key(f->ui, KEYS_BACKSPACE);
	assert_string_equal(f->ui->model.prompt.text, "q");
	ui_key(f->ui, KEYS_ESC);
	assert_int_equal(f->ui->model.prompt.kind, PROMPT_NONE);
	assert_int_equal(f->quits, 0);

	ui_key(f->ui, 'd');
	type(f->ui, "not a target");
	ui_key(f->ui, KEYS_ENTER);
	assert_int_equal(f->ui->model.prompt.kind, PROMPT_NONE);
	assert_true(f->ui->model.status_err);
	assert_non_null(strstr(f->ui->model.status, "not a target"));

	ui_key(f->ui, ':');
	assert_int_equal(f->ui->model.prompt.kind, PROMPT_COMMAND);
	type(f->ui, "help");
	ui_key(f->ui, KEYS_ENTER);
	assert_true(f->ui->model.show_help);
}

static void test_keymap_bind(void **state)
{
	struct keymap km;
	char why[256], keys[64];

	(void)state;
	keymap_defaults(&km);
	assert_ptr_equal(keymap_lookup(&km, 'd'), cmd_find("dial"));
	assert_int_equal(keymap_bind(&km, "dial", "x F5", why, sizeof(why)),
			 0);
	assert_null(keymap_lookup(&km, 'd'));
	assert_ptr_equal(keymap_lookup(&km, 'x'), cmd_find("dial"));
	assert_ptr_equal(keymap_lookup(&km, KEYS_F1 + 4), cmd_find("dial"));
	keymap_keys(&km, cmd_find("dial"), keys, sizeof(keys));
	assert_string_equal(keys, "x, F5");
	/* Taking q from quit leaves quit without a key. */
	assert_int_equal(keymap_bind(&km, "log", "q", why, sizeof(why)), 0);
	assert_ptr_equal(keymap_lookup(&km, 'q'), cmd_find("log"));
	keymap_keys(&km, cmd_find("quit"), keys, sizeof(keys));
	assert_string_equal(keys, "");
	assert_int_equal(keymap_bind(&km, "nosuch", "z", why, sizeof(why)),
			 ENOENT);
	assert_int_equal(keymap_bind(&km, "help", "Fx1", why, sizeof(why)),
			 EINVAL);
	assert_non_null(strstr(why, "Fx1"));
	/* A bad list keeps the old binding whole. */
	assert_ptr_equal(keymap_lookup(&km, '?'), cmd_find("help"));
	assert_int_equal(keymap_bind(&km, "help", "", why, sizeof(why)),
			 EINVAL);
}

static void test_keymap_conf(void **state)
{
	struct conf *conf = NULL;
	struct keymap km;
	struct buf errs;

	(void)state;
	assert_int_equal(conf_load_string(&conf, "t.conf",
					  "[keys]\n"
					  "dial = D\n"
					  "help = NotAKey\n"
					  "dail = x\n"), 0);
	keymap_defaults(&km);
	buf_init(&errs, 0);
	assert_int_equal(keymap_load_conf(&km, conf, &errs), EINVAL);
	assert_ptr_equal(keymap_lookup(&km, 'D'), cmd_find("dial"));
	assert_ptr_equal(keymap_lookup(&km, '?'), cmd_find("help"));
	assert_non_null(errs.data);
	/* main prefixes "FILE:" to give FILE:LINE: message */
	assert_non_null(strstr(errs.data, "3: [keys] help:"));
	assert_non_null(strstr(errs.data, "NotAKey"));
	assert_non_null(strstr(errs.data, "4: [keys] dail:"));
	buf_reset(&errs);
	assert_int_equal(ui_check_keys(conf, &errs), EINVAL);
	buf_free(&errs);
	conf_free(conf);
}

static void test_targets(void **state)
{
	static const struct {
		const char *s;
		int err;
		enum target_kind kind;
	} cases[] = {
		{"sip:alice@example.com", 0, TARGET_SIP},
		{"SIP:alice@example.com:5061;transport=tls", 0, TARGET_SIP},
		{"sips:bob@[2001:db8::1]:5061", 0, TARGET_SIPS},
		{"sip:example.com", 0, TARGET_SIP},
		{"tel:+358-40-123-4567", 0, TARGET_TEL},
		{"tel:1234;phone-context=example.com", 0, TARGET_TEL},
		{"+358 40 123 4567", 0, TARGET_NUMBER},
		{"*98#", 0, TARGET_NUMBER},
		{"alice", 0, TARGET_USER},
		{"alice@example.com", 0, TARGET_USER},
		{"", EINVAL, 0},
		{"sip:", EINVAL, 0},
		{"sip:alice@", EINVAL, 0},
		{"sip:@example.com", EINVAL, 0},
		{"sip:alice@exa mple.com", EINVAL, 0},
		{"sip:alice@example.com:99999", EINVAL, 0},
		{"sip:alice@example.com:0", EINVAL, 0},
		{"sip:a@-bad.example", EINVAL, 0},
		{"sips:bob@[2001:db8::1", EINVAL, 0},
		{"tel:1234", EINVAL, 0},
		{"tel:+", EINVAL, 0},
		{"tel:+12x", EINVAL, 0},
		{"http://example.com", EINVAL, 0},
		{"foo bar", EINVAL, 0},
		{"alice@", EINVAL, 0},
		{"a\tb", EINVAL, 0},
	};
	char longer[TARGET_MAX + 10];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum target_kind kind = 99;
		const char *why = NULL;
		int err = target_check(cases[i].s, &kind, &why);

		if (err != cases[i].err)
			fail_msg("%s: got %d, want %d", cases[i].s, err,
				 cases[i].err);
		if (err)
			assert_non_null(why);
		else
			assert_int_equal(kind, cases[i].kind);
	}
	memset(longer, '1', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	{
		enum target_kind kind;
		const char *why = NULL;

		assert_int_equal(target_check(longer, &kind, &why), EINVAL);
		assert_non_null(strstr(why, "256"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_parse),
		cmocka_unit_test(test_keys_name_roundtrip),
		cmocka_unit_test_setup_teardown(test_help_overlay, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unbound_key, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_toggles_and_quit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dispatch_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_prompts, setup, teardown),
		cmocka_unit_test(test_keymap_bind),
		cmocka_unit_test(test_keymap_conf),
		cmocka_unit_test(test_targets),
	};

	setlocale(LC_ALL, "C.UTF-8");
	/* ui_alloc() reads the contacts and history: never the user's. */
	setenv("XDG_DATA_HOME", "/nonexistent/siptty-unit-test", 1);
	setenv("XDG_STATE_HOME", "/nonexistent/siptty-unit-test", 1);
	return cmocka_run_group_tests_name("ui", tests, NULL, NULL);
}
