/* utf8.h - UTF-8 decoding and encoding that does not depend on the locale. */
#ifndef SIPTTY_UI_UTF8_H
#define SIPTTY_UI_UTF8_H

#include <stddef.h>

/*
 * Decodes one code point from s (n bytes available).  Returns the bytes
 * used (1..4), or 0 when n is 0.  A malformed sequence yields U+FFFD and
 * consumes one byte, so a caller always makes progress.
 */
size_t utf8_decode(const char *s, size_t n, int *cp);
/* Writes cp (1..4 bytes) to out; an invalid cp is written as U+FFFD. */
size_t utf8_encode(int cp, char out[4]);
/* Columns cp takes on a terminal: 0, 1 or 2; -1 for a control character. */
int utf8_width(int cp);

#endif
