/* privacy.h - privacy levels (RFC 3323 Privacy values plus RFC 3325 id): parsing, printing, cycling. */
#ifndef SIPTTY_UA_PRIVACY_H
#define SIPTTY_UA_PRIVACY_H

#include <stddef.h>

#include "core/buf.h"

/* A level is a set of these bits; 0 means "not set" (no Privacy header,
 * nothing hidden), PRIV_NONE the explicit "none". */
enum {
	PRIV_NONE = 1u << 0,
	PRIV_HEADER = 1u << 1,
	PRIV_SESSION = 1u << 2,
	PRIV_USER = 1u << 3,
	PRIV_ID = 1u << 4,
	PRIV_CRITICAL = 1u << 5,
};

#define PRIVACY_STR_MAX 48

/*
 * Parses "none", or any of user, header, session, id (each at most once)
 * optionally with critical, separated by ';', ',' or blanks, any case.
 * EINVAL with one translated sentence in why (may be NULL) for anything
 * else: none combined, a repeat, critical alone, an unknown word.
 */
int privacy_parse(unsigned *levelp, const char *s, struct buf *why);

/* The level as a Privacy header value in the order RFC 3323 writes it:
 * "user;header;session;id;critical", "none", "" for 0. */
void privacy_str(char *out, size_t sz, unsigned level);

/* The level the `p` key moves to from level: not set (the account's),
 * none, user, header, id, user;header;id, and round again. */
unsigned privacy_next(unsigned level);

#endif
