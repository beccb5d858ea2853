/* test_g711.c - G.711 mu-law and A-law against known code words. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "audio/media_int.h"

/* linear, mu-law, its decoded value, A-law, its decoded value: the same
 * as the classic Sun/CCITT reference code (Python's audioop). */
static const struct { int16_t lin; uint8_t u; int16_t du; uint8_t a;
		      int16_t da; } vec[] = {
	{0, 0xFF, 0, 0xD5, 8},
	{1, 0xFF, 0, 0xD5, 8},
	{8, 0xFE, 8, 0xD5, 8},
	{100, 0xF2, 104, 0xD3, 104},
	{-100, 0x72, -104, 0x53, -104},
	{1000, 0xCE, 988, 0xFA, 1008},
	{-1000, 0x4E, -988, 0x7A, -1008},
	{5000, 0xAB, 5116, 0x86, 4992},
	{-5000, 0x2B, -5116, 0x06, -4992},
	{32767, 0x80, 32124, 0xAA, 32256},
	{-32768, 0x00, -32124, 0x2A, -32256},
	{12345, 0x97, 12412, 0xBD, 12544},
	{-23456, 0x08, -23932, 0x23, -23040},
};

static void test_vectors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		assert_int_equal(g711_ulaw_enc(vec[i].lin), vec[i].u);
		assert_int_equal(g711_ulaw_dec(vec[i].u), vec[i].du);
		assert_int_equal(g711_alaw_enc(vec[i].lin), vec[i].a);
		assert_int_equal(g711_alaw_dec(vec[i].a), vec[i].da);
	}
}

/* Every code word decodes to a value that encodes back to itself (but
 * mu-law's two zeros), and decoded values grow with the code. */
static void test_roundtrip(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0; c < 256; c++) {
		int16_t u = g711_ulaw_dec((uint8_t)c), a = g711_alaw_dec((uint8_t)c);

		if (c != 0x7F)
			assert_int_equal(g711_ulaw_enc(u), c);
		assert_int_equal(g711_alaw_enc(a), c);
	}
	for (c = 0x80; c < 0xFF; c++)   /* positive mu-law: falling codes */
		assert_true(g711_ulaw_dec((uint8_t)c) >
			    g711_ulaw_dec((uint8_t)(c + 1)));
}

/* Quantisation error stays within half a step of each segment. */
static void test_error_bound(void **state)
{
	int v;

	(void)state;
	for (v = -32768; v <= 32767; v += 7) {
		int eu = abs(g711_ulaw_dec(g711_ulaw_enc((int16_t)v)) - v);
		int ea = abs(g711_alaw_dec(g711_alaw_enc((int16_t)v)) - v);
		int bound = abs(v) / 16 + 16;

		if (abs(v) < 32000) {
			assert_true(eu <= bound);
			assert_true(ea <= bound);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_error_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
