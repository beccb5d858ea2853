/* test_ui_grid.c - UTF-8, wide characters and clipping in the grid; the layout. */
#include <config.h>

#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/conf.h"
#include "ui/cmd.h"
#include "ui/grid.h"
#include "ui/model.h"
#include "ui/render.h"
#include "ui/utf8.h"

/* Row r of the grid as text (trailing blanks trimmed). */
static char *row_text(const struct grid *g, int r)
{
	struct buf b;
	char *line, *p;

	buf_init(&b, 0);
	assert_int_equal(grid_text(g, &b), 0);
	p = b.data;
	for (int i = 0; i < r; i++)
		p = strchr(p, '\n') + 1;
	line = strndup(p, strcspn(p, "\n"));
	buf_free(&b);
	return line;
}

static void test_utf8(void **state)
{
	char out[4];
	int cp;

	(void)state;
	assert_int_equal(utf8_decode("\xe6\x97\xa5", 3, &cp), 3);
	assert_int_equal(cp, 0x65e5);
	assert_int_equal(utf8_decode("\xe6\x97", 2, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(utf8_decode("\xc0\xaf", 2, &cp), 1);  /* overlong */
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(utf8_decode("\xed\xa0\x80", 3, &cp), 1); /* D800 */
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	assert_int_equal(cp, 0x1f600);
	assert_int_equal(utf8_encode(0x1f600, out), 4);
	assert_memory_equal(out, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(utf8_encode(0xe4, out), 2);
	assert_int_equal(utf8_width('a'), 1);
	assert_int_equal(utf8_width(0x65e5), 2);
	assert_int_equal(utf8_width(0x1b), -1);
}

static void test_put_ascii_and_clip(void **state)
{
	struct grid *g = NULL;
	char long_line[200], *r;

	(void)state;
	assert_int_equal(grid_alloc(&g, 80, 24), 0);
	memset(long_line, 'x', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = '\0';
	assert_int_equal(grid_put(g, 0, 0, -1, long_line, GRID_NORMAL), 80);
	assert_int_equal(grid_put(g, 1, 75, -1, "abcdefghij", GRID_NORMAL), 5);
	assert_int_equal(grid_put(g, 2, 0, 3, "abcdef", GRID_NORMAL), 3);
	assert_int_equal(grid_put(g, 24, 0, -1, "off", GRID_NORMAL), 0);
	assert_int_equal(grid_put(g, 0, 80, -1, "off", GRID_NORMAL), 0);
	r = row_text(g, 0);
	assert_int_equal(strlen(r), 80);
	free(r);
	r = row_text(g, 1);
	assert_int_equal(strlen(r), 80);
	assert_string_equal(r + 75, "abcde");
	free(r);
	r = row_text(g, 2);
	assert_string_equal(r, "abc");
	free(r);
	grid_free(g);
}

static void test_wide_chars(void **state)
{
	struct grid *g = NULL;
	char *r;

	(void)state;
	assert_int_equal(grid_alloc(&g, 80, 3), 0);
	/* 日本 takes four cells. */
	assert_int_equal(grid_put(g, 0, 0, -1, "\xe6\x97\xa5\xe6\x9c\xac!",
				  GRID_NORMAL), 5);
	assert_int_equal(g->cells[1].ch, GRID_CONT);
	assert_int_equal(g->cells[4].ch, '!');
	/* At column 79 a wide character does not fit: it is left out. */
	assert_int_equal(grid_put(g, 1, 79, -1, "\xe6\x97\xa5", GRID_NORMAL),
			 0);
	assert_int_equal(grid_put(g, 1, 78, -1, "\xe6\x97\xa5", GRID_NORMAL),
			 2);
	r = row_text(g, 0);
	assert_string_equal(r, "\xe6\x97\xa5\xe6\x9c\xac!");
	free(r);
	/* Overwriting the second half blanks the first. */
	assert_int_equal(grid_put(g, 0, 1, 1, "a", GRID_NORMAL), 1);
	r = row_text(g, 0);
	assert_string_equal(r, " a\xe6\x9c\xac!");
	free(r);
	/* 81 columns of wide characters clip at 80 exactly. */
	{
		char wide[3 * 41 + 1];

		for (int i = 0; i < 41; i++)
			memcpy(wide + 3 * i, "\xe6\x97\xa5", 3);
		wide[3 * 41] = '\0';
		assert_int_equal(grid_put(g, 2, 0, -1, wide, GRID_NORMAL), 80);
		assert_int_equal(grid_text_width(wide), 82);
	}
	grid_free(g);
}

static void test_controls_replaced(void **state)
{
	struct grid *g = NULL;
	char *r;

	(void)state;
	assert_int_equal(grid_alloc(&g, 20, 2), 0);
	assert_int_equal(grid_put(g, 0, 0, -1, "a\x1b[2Jb\xff", GRID_NORMAL),
			 7);
	r = row_text(g, 0);
	assert_string_equal(r, "a\xef\xbf\xbd[2Jb\xef\xbf\xbd");
	free(r);
	assert_int_equal(grid_resize(g, 0, 5), EINVAL);
	assert_int_equal(g->w, 20);
	grid_free(g);
	grid_free(NULL);
}

static void render_text(const struct model *m, int w, int h, struct buf *b)
{
	struct keymap km;
	struct grid *g = NULL;

	keymap_defaults(&km);
	assert_int_equal(grid_alloc(&g, w, h), 0);
	render(m, &km, g, 0);
	buf_init(b, 0);
	assert_int_equal(grid_text(g, b), 0);
	/* Every row exists and none is wider than the grid. */
	{
		int rows = 0;

		for (char *p = b->data; *p; p++)
			rows += *p == '\n';
		assert_int_equal(rows, h);
	}
	grid_free(g);
}

static void test_render_first_start(void **state)
{
	static struct model m;
	struct buf b;

	(void)state;
	model_init(&m, NULL, "No account is configured (x does not exist).",
		   "Add an [account NAME] section with aor, registrar and "
		   "password_file; see siptty.conf(5).");
	render_text(&m, 80, 24, &b);
	assert_non_null(strstr(b.data, "No account is configured"));
	/* The 87-column hint is wrapped, not cut. */
	assert_non_null(strstr(b.data, "siptty.conf(5)."));
	assert_non_null(strstr(b.data, "? help"));
	buf_free(&b);
	m.show_help = true;
	render_text(&m, 80, 24, &b);
	for (size_t i = 0; i < cmd_count(); i++)
		assert_non_null(strstr(b.data, cmd_get(i)->name));
	buf_free(&b);
	/* Small and large screens draw without overflow. */
	render_text(&m, 20, 6, &b);
	buf_free(&b);
	render_text(&m, 1, 1, &b);
	buf_free(&b);
	render_text(&m, 200, 50, &b);
	assert_non_null(strstr(b.data, "show or hide this list of keys"));
	buf_free(&b);
}

static void test_render_accounts(void **state)
{
	static struct model m;
	struct conf *conf = NULL;
	struct buf b;
	char *nl;

	(void)state;
	assert_int_equal(conf_load_string(&conf, "t.conf",
		"[account alice]\naor = sips:alice@example.com\n"
		"transport = tls\n"
		"[account \xe6\x97\xa5\xe6\x9c\xac-very-long-account-name-"
		"that-cannot-fit]\naor = sip:x@example.com\n"), 0);
	model_init(&m, conf, "h", "hint");
	assert_int_equal(m.nacc, 2);
	model_log(&m, "first line");
	model_log(&m, "second\x1bline");
	render_text(&m, 80, 24, &b);
	nl = strchr(b.data, '\n');
	*nl = '\0';
	assert_non_null(strstr(b.data, "alice: not registered (tls)"));
	assert_non_null(strstr(b.data, "\xe6\x97\xa5\xe6\x9c\xac-very"));
	assert_null(strstr(b.data, "cannot-fit"));  /* clipped at 80 */
	*nl = '\n';
	assert_non_null(strstr(b.data, "No calls. Press d to dial."));
	assert_non_null(strstr(b.data, "second line"));
	assert_true(strstr(b.data, "first line") < strstr(b.data, "second"));
	buf_free(&b);
	conf_free(conf);
}

static void test_model_log_ring(void **state)
{
	static struct model m;
	char line[32];

	(void)state;
	model_init(&m, NULL, "", "");
	assert_null(model_log_line(&m, 0));
	for (int i = 0; i < MODEL_LOG_LINES + 5; i++) {
		snprintf(line, sizeof(line), "line %d", i);
		model_log(&m, line);
	}
	snprintf(line, sizeof(line), "line %d", MODEL_LOG_LINES + 4);
	assert_string_equal(model_log_line(&m, 0), line);
	assert_string_equal(model_log_line(&m, MODEL_LOG_LINES - 1),
			    "line 5");
	assert_null(model_log_line(&m, MODEL_LOG_LINES));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_put_ascii_and_clip),
		cmocka_unit_test(test_wide_chars),
		cmocka_unit_test(test_controls_replaced),
		cmocka_unit_test(test_render_first_start),
		cmocka_unit_test(test_render_accounts),
		cmocka_unit_test(test_model_log_ring),
	};

	/* wcwidth needs a UTF-8 locale; C.UTF-8 is always there on glibc. */
	setlocale(LC_ALL, "C.UTF-8");
	return cmocka_run_group_tests_name("ui_grid", tests, NULL, NULL);
}
