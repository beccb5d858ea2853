/* test_msg_check.h - the small check language of tests/data/rfc4475.expect and the tests/data/msg case files. */
#ifndef SIPTTY_TEST_MSG_CHECK_H
#define SIPTTY_TEST_MSG_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "sip/msg.h"

/*
 * A check is KEY OP VALUE with OP one of "=", "!=", "^=" (starts with);
 * VALUE is a word or a "quoted string" with C escapes (\" \\ \r \n \t
 * \0 \xHH).  Keys name parts of a message: see resolve() in
 * test_msg_check.c and the comment at the top of rfc4475.expect.
 */
struct check {
	char *key;
	char op[3];
	char *val;
	size_t vlen;
};

/* One logical line: words and checks. */
struct case_line {
	char *name;             /* first word */
	char **words;           /* further words that are not checks */
	size_t nwords;
	struct check *checks;
	size_t nchecks;
	unsigned lineno;
};

/* Reads a whole file; NULL (and errno) on failure. */
char *read_file(const char *path, size_t *lenp);
/* SIPTTY_TESTDATA, or "tests/data". */
const char *testdata(void);

/* Splits a case file into logical lines: '#' comments, blank lines
 * skipped, lines that start with whitespace continue the previous one.
 * With sep non-NULL, the first part of each line up to sep is kept
 * whole as the name (header lines of a .cases file). */
int case_file_load(const char *path, const char *sep,
		   struct case_line **linesp, size_t *np);
void case_file_free(struct case_line *lines, size_t n);

/* The value of key for a message (raw is the bytes it came from, for
 * the frame keys); 0, or -1 for an unknown key with the reason in out. */
int resolve(struct sip_msg *msg, const char *raw, size_t rawlen,
	    const char *key, struct buf *out);

/* Runs one check: true when it holds; else why says what was seen. */
bool check_run(struct sip_msg *msg, const char *raw, size_t rawlen,
	       const struct check *c, struct buf *why);

const char *errname(int err);

/* Runs every entry of an expect file (under SIPTTY_TESTDATA) as one
 * cmocka case; message files are in dir. */
int expect_main(const char *group, const char *file, const char *dir);

#endif
