/* pl.h - pointer-length slices into a buffer we do not own (zero-copy). */
#ifndef SIPTTY_PL_H
#define SIPTTY_PL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/*
 * A pl is a view on bytes that live elsewhere (usually a receive buffer);
 * it is never NUL-terminated and never owns its memory.
 */
struct pl {
	const char *p;
	size_t l;
};

#define PL(s) ((struct pl){(s), sizeof(s) - 1})
#define PL_INIT {NULL, 0}
#define PL_FMT(pl) (int)(pl)->l, (pl)->p  /* for "%.*s" */

void pl_set_str(struct pl *pl, const char *s);
bool pl_isset(const struct pl *pl);
bool pl_eq(const struct pl *a, const struct pl *b);
bool pl_caseeq(const struct pl *a, const struct pl *b);
bool pl_eq_str(const struct pl *pl, const char *s);
bool pl_caseeq_str(const struct pl *pl, const char *s);
void pl_trim(struct pl *pl);
const char *pl_chr(const struct pl *pl, char c);
int pl_u32(const struct pl *pl, uint32_t *vp);
int pl_u64(const struct pl *pl, uint64_t *vp);
int pl_strdup(char **dstp, const struct pl *pl);
size_t pl_strcpy(char *dst, size_t sz, const struct pl *pl);

#endif
