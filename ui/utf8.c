/* utf8.c - strict UTF-8 (no overlongs, no surrogates) and cell widths. */
#include <config.h>

#include <wchar.h>

#include "ui/utf8.h"

size_t utf8_decode(const char *s, size_t n, int *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;
	int c, min;

	if (!n)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		len = 2; c = u[0] & 0x1f; min = 0x80;
	} else if ((u[0] & 0xf0) == 0xe0) {
		len = 3; c = u[0] & 0x0f; min = 0x800;
	} else if ((u[0] & 0xf8) == 0xf0) {
		len = 4; c = u[0] & 0x07; min = 0x10000;
	} else {
		goto bad;
	}
	if (len > n)
		goto bad;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (u[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c < 0xe000))
		goto bad;
	*cp = c;
	return len;
 bad:
	*cp = 0xfffd;
	return 1;
}

size_t utf8_encode(int cp, char out[4])
{
	if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000))
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

int utf8_width(int cp)
{
	int w;

	if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0))
		return -1;
	if (cp < 0x7f)
		return 1;
	w = wcwidth((wchar_t)cp);
	/*
	 * wcwidth knows nothing outside a UTF-8 locale: count such a
	 * character as one cell, which is what curses will draw for it.
	 */
	return w < 0 ? 1 : w;
}
