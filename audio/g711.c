/* g711.c - ITU-T G.711 mu-law and A-law, by formula (no tables). */
#include <config.h>

#include "audio/media_int.h"

#define ULAW_BIAS 0x84
#define ULAW_CLIP 32635

uint8_t g711_ulaw_enc(int16_t s)
{
	int v = s, sign = 0, exp, mant;

	if (v < 0) {
		v = -v;
		sign = 0x80;
	}
	if (v > ULAW_CLIP)
		v = ULAW_CLIP;
	v += ULAW_BIAS;
	for (exp = 7; exp > 0 && !(v & (0x4000 >> (7 - exp))); exp--)
		;
	mant = (v >> (exp + 3)) & 0x0f;
	return (uint8_t)~(sign | (exp << 4) | mant);
}

int16_t g711_ulaw_dec(uint8_t u)
{
	int v, exp, mant;

	u = (uint8_t)~u;
	exp = (u >> 4) & 0x07;
	mant = u & 0x0f;
	v = (((mant << 3) + ULAW_BIAS) << exp) - ULAW_BIAS;
	return (int16_t)((u & 0x80) ? -v : v);
}

uint8_t g711_alaw_enc(int16_t s)
{
	int v = s, sign, exp, mant;
	uint8_t a;

	if (v >= 0) {
		sign = 0x80;
	} else {
		sign = 0;
		v = -v - 1;
	}
	v >>= 3;             /* 13-bit magnitude */
	if (v > 0xfff)
		v = 0xfff;
	if (v < 32) {
		exp = 0;
		mant = v >> 1;
	} else {
		for (exp = 1; v >= (32 << exp); exp++)
			;
		mant = (v >> exp) & 0x0f;
	}
	a = (uint8_t)(sign | (exp << 4) | mant);
	return a ^ 0x55;
}

int16_t g711_alaw_dec(uint8_t a)
{
	int v, exp, mant;

	a ^= 0x55;
	exp = (a >> 4) & 0x07;
	mant = a & 0x0f;
	if (exp == 0)
		v = (mant << 4) + 8;
	else
		v = ((mant << 4) + 0x108) << (exp - 1);
	return (int16_t)((a & 0x80) ? v : -v);
}
