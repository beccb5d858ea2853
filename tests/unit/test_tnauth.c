/* test_tnauth.c - RFC 8226 TNAuthList DER: decoding, bounds, truncations, number cover. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ua/tnauth.h"

/* SHAKEN's usual SPC extension value: SEQUENCE { [0] { IA5String "709J" } }. */
static const uint8_t spc_der[] = {0x30, 0x08, 0xa0, 0x06, 0x16, 0x04, '7', '0', '9', 'J'};
/* one + range (explicit tags). */
static const uint8_t mix_der[] = {
	0x30, 0x27,
	0xa2, 0x0d, 0x16, 0x0b, '1', '2', '1', '5', '5', '5', '5', '0', '1', '2', '1',
	0xa1, 0x16, 0x30, 0x14,
	0x16, 0x0b, '1', '2', '1', '5', '5', '5', '5', '0', '1', '0', '0',
	0x02, 0x01, 0x32,
	0x02, 0x02, 0x00, 0x01,  /* an extension after count: skipped */
};
/* The IMPLICIT form some issuers write. */
static const uint8_t impl_der[] = {
	0x30, 0x14,
	0x82, 0x03, '1', '2', '3',
	0xa1, 0x0d, 0x16, 0x08, '4', '4', '2', '0', '0', '0', '0', '0', 0x02, 0x01, 0x0a,
};

static void test_spc(void **state)
{
	struct tnauth_list *l = malloc(sizeof(*l));

	(void)state;
	assert_int_equal(tnauth_decode(l, spc_der, sizeof(spc_der)), 0);
	assert_int_equal(l->n, 1);
	assert_int_equal(l->v[0].type, TNAUTH_SPC);
	assert_string_equal(l->v[0].val, "709J");
	assert_false(tnauth_has_numbers(l));
	assert_false(tnauth_covers(l, "12155550121"));
	free(l);
}

static void test_mix(void **state)
{
	struct tnauth_list *l = malloc(sizeof(*l));

	(void)state;
	assert_int_equal(tnauth_decode(l, mix_der, sizeof(mix_der)), 0);
	assert_int_equal(l->n, 2);
	assert_int_equal(l->v[0].type, TNAUTH_ONE);
	assert_int_equal(l->v[1].type, TNAUTH_RANGE);
	assert_int_equal(l->v[1].count, 50);
	assert_true(tnauth_has_numbers(l));
	assert_true(tnauth_covers(l, "12155550121"));
	assert_true(tnauth_covers(l, "12155550100"));
	assert_true(tnauth_covers(l, "12155550149"));
	assert_false(tnauth_covers(l, "12155550150"));
	assert_false(tnauth_covers(l, "12155550099"));
	assert_false(tnauth_covers(l, "112155550121"));  /* other length */
	assert_false(tnauth_covers(l, "1215555012"));
	assert_false(tnauth_covers(l, ""));
	free(l);
}

static void test_implicit(void **state)
{
	struct tnauth_list *l = malloc(sizeof(*l));

	(void)state;
	assert_int_equal(tnauth_decode(l, impl_der, sizeof(impl_der)), 0);
	assert_int_equal(l->n, 2);
	assert_true(tnauth_covers(l, "123"));
	assert_true(tnauth_covers(l, "44200009"));
	assert_false(tnauth_covers(l, "44200010"));
	free(l);
}

/* Every truncation and every single-byte change either decodes or fails
 * cleanly (ASan watches the reads). */
static void test_truncated_and_mutated(void **state)
{
	struct tnauth_list *l = malloc(sizeof(*l));
	uint8_t buf[sizeof(mix_der)];
	unsigned ok = 0;

	(void)state;
	for (size_t n = 0; n < sizeof(mix_der); n++) {
		uint8_t *p = malloc(n ? n : 1);

		memcpy(p, mix_der, n);
		assert_int_not_equal(tnauth_decode(l, p, n), 0);
		free(p);
	}
	for (size_t i = 0; i < sizeof(mix_der); i++) {
		for (int v = 0; v < 256; v += 17) {
			memcpy(buf, mix_der, sizeof(buf));
			buf[i] = (uint8_t)v;
			if (tnauth_decode(l, buf, sizeof(buf)) == 0)
				ok++;
		}
	}
	assert_true(ok > 0);
	free(l);
}

static void test_bad(void **state)
{
	static const uint8_t letters[] = {0x30, 0x07, 0xa2, 0x05, 0x16, 0x03, '1', 'a', '3'};
	static const uint8_t long_tn[] = {0x30, 0x14, 0xa2, 0x12, 0x16, 0x10,
		'1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1', '2', '3', '4', '5', '6'};
	static const uint8_t count1[] = {0x30, 0x0b, 0xa1, 0x09, 0x30, 0x07, 0x16, 0x02, '1', '2',
		0x02, 0x01, 0x01};
	static const uint8_t neg[] = {0x30, 0x0b, 0xa1, 0x09, 0x30, 0x07, 0x16, 0x02, '1', '2',
		0x02, 0x01, 0x80};
	static const uint8_t empty[] = {0x30, 0x00};
	static const uint8_t trailing[] = {0x30, 0x08, 0xa0, 0x06, 0x16, 0x04, '7', '0', '9', 'J', 0};
	static const uint8_t tag[] = {0x30, 0x08, 0xa3, 0x06, 0x16, 0x04, '7', '0', '9', 'J'};
	static const uint8_t hugelen[] = {0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0xa0};
	struct tnauth_list *l = malloc(sizeof(*l));

	(void)state;
	assert_int_equal(tnauth_decode(l, letters, sizeof(letters)), EBADMSG);
	assert_int_equal(tnauth_decode(l, long_tn, sizeof(long_tn)), E2BIG);
	assert_int_equal(tnauth_decode(l, count1, sizeof(count1)), EBADMSG);
	assert_int_equal(tnauth_decode(l, neg, sizeof(neg)), EBADMSG);
	assert_int_equal(tnauth_decode(l, empty, sizeof(empty)), EBADMSG);
	assert_int_equal(tnauth_decode(l, trailing, sizeof(trailing)), EBADMSG);
	assert_int_equal(tnauth_decode(l, tag, sizeof(tag)), EBADMSG);
	assert_int_equal(tnauth_decode(l, hugelen, sizeof(hugelen)), EBADMSG);
	assert_int_equal(tnauth_decode(l, NULL, 0), E2BIG);
	free(l);
}

static void test_too_many(void **state)
{
	size_t n = TNAUTH_MAX_ENTRIES + 1, len = 4 + n * 5;
	uint8_t *d = malloc(len);
	struct tnauth_list *l = malloc(sizeof(*l));

	(void)state;
	d[0] = 0x30;
	d[1] = 0x82;
	d[2] = (uint8_t)((n * 5) >> 8);
	d[3] = (uint8_t)(n * 5);
	for (size_t i = 0; i < n; i++)
		memcpy(d + 4 + i * 5, "\xa2\x03\x16\x01\x37", 5);
	assert_int_equal(tnauth_decode(l, d, len), E2BIG);
	/* One fewer fits. */
	d[3] = (uint8_t)((n - 1) * 5);
	d[2] = (uint8_t)(((n - 1) * 5) >> 8);
	assert_int_equal(tnauth_decode(l, d, len - 5), 0);
	assert_int_equal(l->n, TNAUTH_MAX_ENTRIES);
	free(d);
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spc),
		cmocka_unit_test(test_mix),
		cmocka_unit_test(test_implicit),
		cmocka_unit_test(test_truncated_and_mutated),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_too_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
