/* test_sipsimd.c - the SIP parser's vector paths (AVX2 line splitter, SSSE3 runs) against its plain ones: the same fields from every message file and from random messages. */
#include <config.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <cmocka.h>

#include "core/buf.h"
#include "sip/msg.h"
#include "sip/msg_int.h"
#include "tests/sipsimd.h"

/* The comparison itself is tests/sipsimd.c, shared with fuzz_sipsimd. */

static char *read_file(const char *path, size_t *np)
{
	FILE *f = fopen(path, "rb");
	char *d = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		/* exactly n bytes, so that a read past them trips ASan */
		d = malloc(n ? (size_t)n : 1);
		if (d && fread(d, 1, (size_t)n, f) != (size_t)n) {
			free(d);
			d = NULL;
		}
		*np = (size_t)n;
	}
	fclose(f);
	return d;
}

/* Every file of a test data directory; returns how many were read. */
static size_t each_file(const char *sub, int *bad)
{
	const char *top = getenv("SIPTTY_TESTDATA");
	char dir[1024], path[2048];
	struct dirent *de;
	size_t count = 0;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/%s", top ? top : "tests/data", sub);
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		size_t n = 0;
		char *p;

		if (de->d_name[0] == '.' || strstr(de->d_name, ".expect"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		p = read_file(path, &n);
		if (!p)
			continue;
		*bad |= sipsimd_differ(p, n, stderr, de->d_name);
		free(p);
		count++;
	}
	closedir(d);
	return count;
}

static void test_files(void **state)
{
	int bad = 0;

	(void)state;
	/* the RFC 4475 torture set (valid and invalid) and siptty's own */
	assert_true(each_file("rfc4475", &bad) > 40);
	assert_true(each_file("msg", &bad) > 5);
	assert_int_equal(bad, 0);
}

/* xorshift64*: the same random messages on every run. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(uint32_t n)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (uint32_t)((rnd_state * 0x2545f4914f6cdd1dull) >> 32) % n;
}

/*
 * Messages built from the pieces that steer the splitter and the runs
 * (names known and not, colons, commas, CR, LF, folds, spaces, quotes,
 * long values that cross 16- and 32-byte blocks, bytes above 0x7f),
 * each into a buffer of exactly its size.
 */
static void test_random(void **state)
{
	static const char *const names[] = {
		"Via", "v", "From", "To", "Call-ID", "CSeq", "Contact",
		"Record-Route", "Content-Length", "X-Long-Unknown-Header-Name",
		"Max-Forwards", "Subject", "Route", "ViA ", "Bad Name", ""};
	static const char *const vals[] = {
		"SIP/2.0/UDP host.example.com;branch=z9hG4bK776asdhds",
		"SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKnashds8;rport",
		"\"Bob, Jr\" <sip:bob@example.com>;tag=1928301774",
		"<sips:carol@chicago.example.com:5061;transport=tcp>",
		"sip:alice@atlanta.example.com;tag=abc,<sip:x@y>",
		"a84b4c76e66710@pc33.atlanta.example.com", "314159 INVITE",
		"0", "70", "  spaced  ", "a,b,c", "\xc3\xa9t\xc3\xa9", ":::",
		"x\r\n y", "x\r\n\tz,w", "x\ry", "\r", ",", ""};
	int bad = 0;

	(void)state;
	for (int round = 0; round < 3000 && !bad; round++) {
		struct buf m;
		char *p;
		size_t nl = 1 + rnd(14);

		buf_init(&m, 0);
		buf_puts(&m, rnd(2) ? "INVITE sip:bob@example.com SIP/2.0\r\n" :
			 "SIP/2.0 200 OK\r\n");
		for (size_t i = 0; i < nl; i++) {
			const char *v = vals[rnd(sizeof(vals) / sizeof(vals[0]))];
			size_t pad = rnd(4) == 0 ? rnd(80) : 0;

			buf_puts(&m, names[rnd(sizeof(names) / sizeof(names[0]))]);
			buf_puts(&m, rnd(8) ? ": " : ":");
			buf_puts(&m, v);
			for (size_t k = 0; k < pad; k++)
				buf_putc(&m, "ab.-,;=\" \t"[rnd(10)]);
			buf_puts(&m, rnd(10) ? "\r\n" : "\n");
		}
		if (rnd(4))
			buf_puts(&m, "\r\n");
		if (rnd(3) == 0)
			buf_puts(&m, "v=0\r\n");
		assert_int_equal(m.err, 0);
		/* every prefix of some messages: data that ends anywhere */
		for (size_t cut = rnd(6) == 0 ? 0 : m.len; cut <= m.len; cut++) {
			p = malloc(cut ? cut : 1);
			assert_non_null(p);
			memcpy(p, m.data, cut);
			bad |= sipsimd_differ(p, cut, stderr, "random");
			free(p);
		}
		buf_free(&m);
	}
	assert_int_equal(bad, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
