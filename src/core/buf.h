/* buf.h - a growable byte buffer for building messages and lines. */
#ifndef SIPTTY_BUF_H
#define SIPTTY_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "core/pl.h"

/*
 * Writes never fail half-way silently: the first allocation failure or
 * bound overrun sticks in err, later writes are no-ops, and the caller
 * checks err once at the end.
 */
struct buf {
	char *data;   /* always NUL-terminated when len > 0 */
	size_t len;
	size_t cap;
	size_t max;   /* 0 = unbounded */
	int err;
};

void buf_init(struct buf *b, size_t max);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
int buf_write(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putpl(struct buf *b, const struct pl *pl);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

#endif
