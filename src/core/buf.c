/* buf.c - growable byte buffer with a sticky error. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

static int buf_grow(struct buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->err)
		return b->err;
	if (b->max && need > b->max) {
		b->err = E2BIG;
		return b->err;
	}
	if (need + 1 <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need + 1)
		cap *= 2;
	p = realloc(b->data, cap);
	if (!p) {
		b->err = ENOMEM;
		return b->err;
	}
	b->data = p;
	b->cap = cap;
	return 0;
}

int buf_write(struct buf *b, const void *p, size_t n)
{
	if (buf_grow(b, b->len + n))
		return b->err;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int buf_puts(struct buf *b, const char *s)
{
	return buf_write(b, s, strlen(s));
}

int buf_putpl(struct buf *b, const struct pl *pl)
{
	return buf_write(b, pl->p, pl->l);
}

int buf_putc(struct buf *b, char c)
{
	return buf_write(b, &c, 1);
}

int buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	if (b->err)
		return b->err;
	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0) {
		b->err = EINVAL;
		return b->err;
	}
	if (buf_grow(b, b->len + (size_t)n))
		return b->err;
	(void)vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return err;
}
