/* ring.c - lock-free single-producer/single-consumer sample ring. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "audio/media_int.h"

int ring_init(struct ring *r, size_t min_cap)
{
	size_t cap = 64;

	while (cap < min_cap)
		cap <<= 1;
	r->buf = calloc(cap, sizeof(*r->buf));
	if (!r->buf)
		return ENOMEM;
	r->cap = cap;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void ring_free(struct ring *r)
{
	if (!r)
		return;
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

size_t ring_avail(struct ring *r)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);

	return h - t;
}

size_t ring_space(struct ring *r)
{
	return r->cap - ring_avail(r);
}

size_t ring_write(struct ring *r, const int16_t *s, size_t n)
{
	size_t h = atomic_load_explicit(&r->head, memory_order_relaxed);
	size_t t = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t space = r->cap - (h - t), i, first;

	if (n > space)
		n = space;
	i = h & (r->cap - 1);
	first = r->cap - i < n ? r->cap - i : n;
	memcpy(r->buf + i, s, first * sizeof(*s));
	memcpy(r->buf, s + first, (n - first) * sizeof(*s));
	atomic_store_explicit(&r->head, h + n, memory_order_release);
	return n;
}

size_t ring_read(struct ring *r, int16_t *s, size_t n)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t h = atomic_load_explicit(&r->head, memory_order_acquire);
	size_t avail = h - t, i, first;

	if (n > avail)
		n = avail;
	i = t & (r->cap - 1);
	first = r->cap - i < n ? r->cap - i : n;
	memcpy(s, r->buf + i, first * sizeof(*s));
	memcpy(s + first, r->buf, (n - first) * sizeof(*s));
	atomic_store_explicit(&r->tail, t + n, memory_order_release);
	return n;
}

size_t ring_skip(struct ring *r, size_t n)
{
	size_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t h = atomic_load_explicit(&r->head, memory_order_acquire);

	if (n > h - t)
		n = h - t;
	atomic_store_explicit(&r->tail, t + n, memory_order_release);
	return n;
}
