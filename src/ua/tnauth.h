/* tnauth.h - RFC 8226 TNAuthList (id-pe 26) certificate extension. */
#ifndef SIPTTY_UA_TNAUTH_H
#define SIPTTY_UA_TNAUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TNAUTH_OID "1.3.6.1.5.5.7.1.26"
#define TNAUTH_MAX_ENTRIES 64     /* entries kept from one extension */
#define TNAUTH_MAX_DER 16384      /* the extension's value, bytes */
#define TNAUTH_TN_MAX 15          /* TelephoneNumber SIZE (1..15) */
#define TNAUTH_SPC_MAX 32

enum tnauth_type {
	TNAUTH_SPC = 0,
	TNAUTH_RANGE,
	TNAUTH_ONE,
};

struct tnauth_entry {
	enum tnauth_type type;
	char val[TNAUTH_SPC_MAX + 1];  /* the SPC, or the (start) number */
	uint64_t count;                 /* TNAUTH_RANGE only, >= 2 */
};

struct tnauth_list {
	size_t n;
	struct tnauth_entry v[TNAUTH_MAX_ENTRIES];
};

/*
 * Decodes the DER of TNAuthorizationList (EXPLICIT tags as in RFC 8226's
 * module; the IMPLICIT form some issuers write is accepted too).  0, or
 * EBADMSG for anything malformed, E2BIG over a bound.  Never reads past
 * len.
 */
int tnauth_decode(struct tnauth_list *l, const uint8_t *der, size_t len);

/* Does an entry cover the number tn (digits, '#', '*')? */
bool tnauth_covers(const struct tnauth_list *l, const char *tn);
/* Does the list name any telephone number (not only SPCs)? */
bool tnauth_has_numbers(const struct tnauth_list *l);

#endif
