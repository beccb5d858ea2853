/* test_conf.c - the INI loader: values, schema errors with file and line. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/conf.h"

static void test_values(void **state)
{
	struct conf *c = NULL;
	const char *text =
		"; a comment\n"
		"[general]\n"
		"log_level = debug\n"
		"\n"
		"[account alice]\n"
		"aor = sips:alice@example.com\n"
		"require_tls = yes\n"
		"expires = 600\n"
		"[account bob]\n"
		"aor = sip:bob@example.com\n";

	(void)state;
	assert_int_equal(conf_load_string(&c, "t.conf", text), 0);
	assert_int_equal(conf_nerrors(c), 0);
	assert_string_equal(conf_get(c, "account alice", "aor"),
			    "sips:alice@example.com");
	assert_int_equal(conf_line(c, "account alice", "aor"), 6);
	assert_true(conf_get_bool(c, "account alice", "require_tls", false));
	assert_int_equal(conf_get_int(c, "account alice", "expires", 0), 600);
	assert_int_equal(conf_get_int(c, "account bob", "expires", 3600), 3600);
	assert_string_equal(conf_section_name(c, "account", 0), "alice");
	assert_string_equal(conf_section_name(c, "account", 1), "bob");
	assert_null(conf_section_name(c, "account", 2));
	assert_null(conf_get(c, "tls", "ca_file"));
	conf_free(c);
}

static void expect_error(const char *text, unsigned line, const char *needle)
{
	struct conf *c = NULL;
	const struct conf_err *e;
	struct buf b;

	assert_int_equal(conf_load_string(&c, "bad.conf", text), EBADMSG);
	assert_non_null(c);
	assert_true(conf_nerrors(c) >= 1);
	e = conf_error(c, 0);
	assert_int_equal(e->line, line);
	buf_init(&b, 0);
	conf_error_print(&b, e);
	assert_non_null(strstr(b.data, "bad.conf:"));
	if (!strstr(b.data, needle))
		fail_msg("\"%s\" does not mention \"%s\"", b.data, needle);
	buf_free(&b);
	conf_free(c);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("[account a]\naor = x\nfoo = 1\n", 3, "foo");
	expect_error("[nosuch]\nx = 1\n", 2, "nosuch");
	expect_error("[account a]\nrequire_tls = maybe\n", 2, "maybe");
	expect_error("[account a]\nexpires = 5\n", 2, "out of range");
	expect_error("[account a]\nexpires = 5x\n", 2, "whole number");
	expect_error("[account a]\ntransport = sctp\n", 2, "sctp");
	expect_error("[account a]\naor = x\naor = y\n", 3, "twice");
	expect_error("[account a]\njust words\n", 2, "syntax");
	expect_error("[tls]\nca_file = /nonexistent/ca.pem\n", 2,
		     "/nonexistent/ca.pem");
}

static void test_all_errors_collected(void **state)
{
	struct conf *c = NULL;

	(void)state;
	assert_int_equal(conf_load_string(&c, "x.conf",
					  "[account a]\nfoo = 1\nbar = 2\n"
					  "expires = 1\n"), EBADMSG);
	assert_int_equal(conf_nerrors(c), 3);
	assert_int_equal(conf_error(c, 0)->line, 2);
	assert_int_equal(conf_error(c, 1)->line, 3);
	assert_int_equal(conf_error(c, 2)->line, 4);
	conf_free(c);
}

static void test_every_syntax_error(void **state)
{
	struct conf *c = NULL;

	(void)state;
	assert_int_equal(conf_load_string(&c, "s.conf",
					  "[account a]\nwords\naor = x\n"
					  "[broken\nmore words\n[account]\n"
					  "aor = y\n"), EBADMSG);
	assert_int_equal(conf_nerrors(c), 4);
	assert_int_equal(conf_error(c, 0)->line, 2);
	assert_int_equal(conf_error(c, 1)->line, 4);
	assert_int_equal(conf_error(c, 2)->line, 5);
	/* a bare [account] has no name: not an account section */
	assert_int_equal(conf_error(c, 3)->line, 7);
	assert_string_equal(conf_get(c, "account a", "aor"), "x");
	conf_free(c);
}

static void test_long_line(void **state)
{
	char text[600];
	struct conf *c = NULL;

	(void)state;
	snprintf(text, sizeof(text), "[account a]\naor = sip:%0400d@x\n"
		 "username = u\n", 0);
	assert_int_equal(conf_load_string(&c, "l.conf", text), EBADMSG);
	assert_int_equal(conf_error(c, 0)->line, 2);
	assert_non_null(strstr(conf_error(c, 0)->msg, "longer"));
	/* the line after it is still read, as itself */
	assert_string_equal(conf_get(c, "account a", "username"), "u");
	assert_null(conf_get(c, "account a", "aor"));
	conf_free(c);
}

static void test_secret_file_mode(void **state)
{
	char path[] = "/tmp/siptty-pw-XXXXXX", text[256];
	struct conf *c = NULL;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "pw\n", 3), 3);
	close(fd);
	snprintf(text, sizeof(text), "[account a]\npassword_file = %s\n", path);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(conf_load_string(&c, "p.conf", text), 0);
	conf_free(c);
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(conf_load_string(&c, "p.conf", text), EBADMSG);
	assert_non_null(strstr(conf_error(c, 0)->msg, "chmod 600"));
	conf_free(c);
	unlink(path);
}

static void test_file(void **state)
{
	struct conf *c = NULL;

	(void)state;
	assert_int_equal(conf_load(&c, "/nonexistent/siptty.conf"), ENOENT);
	assert_null(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_all_errors_collected),
		cmocka_unit_test(test_every_syntax_error),
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_secret_file_mode),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests_name("conf", tests, NULL, NULL);
}
