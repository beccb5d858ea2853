/* sipsimd.h - decode one input with the parser's vector paths and with
 * its plain ones, and compare everything decoded. */
#ifndef SIPTTY_TESTS_SIPSIMD_H
#define SIPTTY_TESTS_SIPSIMD_H

#include <stddef.h>
#include <stdio.h>

/* 0 when both paths decode p[0..n) to the same fields, in datagram and
 * in stream mode; else 1, with both texts written to report. */
int sipsimd_differ(const char *p, size_t n, FILE *report, const char *what);

#endif
