/* test_hdr.c - typed header decoding, one cmocka case per line of tests/data/msg/headers.cases. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_msg_check.h"

/* The header line of a case, with \r \n \t \\ \0 and \xHH resolved. */
static void unescape(struct buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			buf_putc(out, *s);
			continue;
		}
		switch (*++s) {
		case 'r': buf_putc(out, '\r'); break;
		case 'n': buf_putc(out, '\n'); break;
		case 't': buf_putc(out, '\t'); break;
		case '0': buf_putc(out, '\0'); break;
		case 'x': {
			char hex[3] = {s[1], s[1] ? s[2] : 0, 0};

			buf_putc(out, (char)strtol(hex, NULL, 16));
			s += 2;
			break;
		}
		default: buf_putc(out, *s); break;
		}
	}
}

static void run_case(void **state)
{
	const struct case_line *c = *state;
	struct sip_msg *msg = NULL;
	struct sip_err e = {0};
	struct buf raw, why;
	static char text[4096];
	int err;

	buf_init(&raw, 0);
	buf_init(&why, 0);
	buf_puts(&raw, "OPTIONS sip:bob@example.com SIP/2.0\r\n");
	unescape(&raw, c->name);
	buf_puts(&raw, "\r\n\r\n");
	assert_int_equal(raw.err, 0);
	assert_true(c->nchecks > 0);

	err = sip_msg_decode(&msg, raw.data, raw.len, 0, &e);
	for (size_t i = 0; i < c->nchecks; i++) {
		const struct check *k = &c->checks[i];

		if (!strcmp(k->key, "decode")) {
			const char *got = err ? e.reason : "ok";

			if (strcmp(got, k->val))
				buf_printf(&why, "decode = \"%s\" but got "
					   "\"%s\"\n", k->val, got);
			continue;
		}
		if (err) {
			buf_printf(&why, "decode failed: %s\n", e.reason);
			break;
		}
		if (!check_run(msg, raw.data, raw.len, k, &why))
			buf_puts(&why, "\n");
	}
	sip_msg_free(msg);
	buf_free(&raw);
	if (why.len) {
		snprintf(text, sizeof(text), "%s", why.data);
		buf_free(&why);
		fail_msg("line %u: %s", c->lineno, text);
	}
	buf_free(&why);
}

int main(void)
{
	struct case_line *lines;
	struct CMUnitTest *tests;
	char path[512];
	size_t n;
	int rc;

	snprintf(path, sizeof(path), "%s/msg/headers.cases", testdata());
	if (case_file_load(path, " => ", &lines, &n)) {
		fprintf(stderr, "cannot read %s\n", path);
		return 1;
	}
	tests = calloc(n, sizeof(*tests));
	if (!tests)
		return 1;
	for (size_t i = 0; i < n; i++) {
		tests[i].name = lines[i].name;
		tests[i].test_func = run_case;
		tests[i].initial_state = &lines[i];
	}
	/* Built at run time from the data file: see test_rfc4475.c. */
	rc = _cmocka_run_group_tests("hdr", tests, n, NULL, NULL);
	free(tests);
	case_file_free(lines, n);
	return rc;
}
