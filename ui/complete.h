/* complete.h - Tab in the dialler: addresses from contacts and history. */
#ifndef SIPTTY_UI_COMPLETE_H
#define SIPTTY_UI_COMPLETE_H

#include <stddef.h>

struct contacts;
struct history;

#define COMPLETE_MAX 32

/*
 * The addresses whose contact name (any word of it), address, or
 * address without its scheme starts with text, case-insensitively:
 * contacts first, then recent calls newest first, each address once.
 * Returns how many went into out (pointers into cs and h).
 */
size_t complete_find(const struct contacts *cs, const struct history *h,
		     const char *text, const char **out, size_t max);
/* A bare user name as an address at the account's domain:
 * "bob" with aor "sips:alice@example.com" gives "sips:bob@example.com".
 * 0, or EINVAL when text is not a bare user name or aor has no host. */
int complete_user(const char *text, const char *aor, char *out, size_t sz);

#endif
