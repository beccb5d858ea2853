/* rand.h - secure random values for tags, branches, Call-IDs, nonces. */
#ifndef SIPTTY_RAND_H
#define SIPTTY_RAND_H

#include <stddef.h>

#define RAND_BRANCH_MAGIC "z9hG4bK"

int rand_bytes(void *p, size_t n);
/* n random characters from [A-Za-z0-9] plus a NUL; sz must exceed n. */
int rand_token(char *out, size_t sz, size_t n);
/* "z9hG4bK" followed by 22 random characters (about 131 bits). */
int rand_branch(char *out, size_t sz);
/* A From/To tag: 16 random characters (about 95 bits). */
int rand_tag(char *out, size_t sz);
/* A Call-ID with no host name, address or time in it: 32 characters. */
int rand_callid(char *out, size_t sz);

#endif
