/* test_msg_expect.c - runs an expect file: message files against their expected outcome, one cmocka case each. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_msg_check.h"

/*
 * One line per message file: NAME valid|invalid, then checks.
 * For invalid ones the special keys stage=decode|validate, status=NNN|drop
 * and reason="..." say how the message must be refused; every other key
 * is a field check (test_msg_check.c).  Valid ones must also decode every
 * header, validate, and come back unchanged through print and parse.
 */

static const char *special(const struct case_line *c, const char *key)
{
	for (size_t i = 0; i < c->nchecks; i++) {
		if (!strcmp(c->checks[i].key, key))
			return c->checks[i].val;
	}
	return NULL;
}

static void expect_refusal(const struct case_line *c, const char *stage,
			   int err, const struct sip_err *e)
{
	const char *status = special(c, "status");
	const char *reason = special(c, "reason");
	char got[16];

	if (!err)
		fail_msg("%s: %s accepted it", c->name, stage);
	snprintf(got, sizeof(got), "%u", e->status);
	if (status && strcmp(status, e->status ? got : "drop") != 0)
		fail_msg("%s: %s status %s, expected %s (%s)", c->name, stage,
			 e->status ? got : "drop", status, e->reason);
	if (reason && (!e->reason || strcmp(reason, e->reason) != 0))
		fail_msg("%s: reason \"%s\", expected \"%s\"", c->name,
			 e->reason ? e->reason : "", reason);
}

static void round_trip(const struct case_line *c, struct sip_msg *msg)
{
	struct sip_msg *again = NULL;
	struct sip_err e = {0};
	struct buf out;
	int err;

	buf_init(&out, 0);
	assert_int_equal(sip_msg_print(&out, msg), 0);
	err = sip_msg_decode(&again, out.data, out.len, SIP_MSG_STREAM, &e);
	if (err)
		fail_msg("%s: printed form does not parse: %s", c->name,
			 e.reason);
	if (!sip_msg_same(msg, again))
		fail_msg("%s: print and parse changed the model:\n%s", c->name,
			 out.data);
	err = sip_msg_validate(again, &e);
	if (err)
		fail_msg("%s: printed form does not validate: %s", c->name,
			 e.reason);
	sip_msg_free(again);
	buf_free(&out);
}

static const char *expect_dir;

static void run_case(void **state)
{
	const struct case_line *c = *state;
	const char *stage = special(c, "stage");
	struct sip_msg *msg = NULL;
	struct sip_err e = {0};
	char path[512];
	struct buf why;
	size_t len;
	char *raw;
	bool valid;
	int err;

	assert_non_null(c->nwords ? c->words[0] : NULL);
	valid = !strcmp(c->words[0], "valid");
	if (!valid && strcmp(c->words[0], "invalid"))
		fail_msg("%s: outcome must be valid or invalid", c->name);
	if (!valid && !stage)
		fail_msg("%s: an invalid case needs stage=", c->name);
	snprintf(path, sizeof(path), "%s/%s/%s", testdata(), expect_dir, c->name);
	raw = read_file(path, &len);
	if (!raw)
		fail_msg("cannot read %s", path);

	err = sip_msg_decode(&msg, raw, len, 0, &e);
	if (!valid && !strcmp(stage, "decode")) {
		expect_refusal(c, "decode", err, &e);
	} else {
		if (err)
			fail_msg("%s: decode refused it: %s (%u %s)", c->name,
				 errname(err), e.status, e.reason);
		err = sip_msg_validate(msg, &e);
		if (valid) {
			if (err)
				fail_msg("%s: validate refused it: %u %s",
					 c->name, e.status, e.reason);
			assert_int_equal(sip_msg_decode_all(msg, NULL), 0);
			round_trip(c, msg);
		} else {
			expect_refusal(c, "validate", err, &e);
		}
	}

	buf_init(&why, 0);
	for (size_t i = 0; i < c->nchecks; i++) {
		const struct check *k = &c->checks[i];

		if (!strcmp(k->key, "stage") || !strcmp(k->key, "status") ||
		    !strcmp(k->key, "reason"))
			continue;
		if (!check_run(msg, raw, len, k, &why))
			buf_puts(&why, "\n");
	}
	sip_msg_free(msg);
	free(raw);
	if (why.len) {
		static char text[4096];

		snprintf(text, sizeof(text), "%s", why.data);
		buf_free(&why);
		fail_msg("%s (line %u):\n%s", c->name, c->lineno, text);
	}
	buf_free(&why);
}

int expect_main(const char *group, const char *file, const char *dir)
{
	struct case_line *lines;
	struct CMUnitTest *tests;
	char path[512];
	size_t n;
	int rc;

	expect_dir = dir;
	snprintf(path, sizeof(path), "%s/%s", testdata(), file);
	if (case_file_load(path, NULL, &lines, &n)) {
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
	/* The array is built at run time from the data file, so the group
	 * runner is called directly rather than through the macro that
	 * takes sizeof of a static array. */
	rc = _cmocka_run_group_tests(group, tests, n, NULL, NULL);
	free(tests);
	case_file_free(lines, n);
	return rc;
}
