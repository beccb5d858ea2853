/* contacts.h - the address book: a plain text file, "Name <address>" a line. */
#ifndef SIPTTY_UI_CONTACTS_H
#define SIPTTY_UI_CONTACTS_H

#include <stddef.h>

#include "core/buf.h"
#include "ui/target.h"

#define CONTACTS_MAX 1000
#define CONTACT_NAME_MAX 128
#define CONTACTS_LINE_MAX 1024
#define VCARD_MAX_ADDRS 16     /* addresses taken from one card */

struct contact {
	char name[CONTACT_NAME_MAX];
	char uri[TARGET_MAX + 1];
};

struct contacts {
	struct contact *v;
	size_t n;
};

int contacts_alloc(struct contacts **csp);
void contacts_free(struct contacts *cs);

/*
 * Replaces the list with text: "Name <address>", "<address>" or
 * "address" per line; '#' starts a comment line.  EBADMSG with *line
 * and *why (an N_() string) on the first line that is wrong; the list
 * is then left empty.  E2BIG past CONTACTS_MAX.
 */
int contacts_parse(struct contacts *cs, const char *text, unsigned *line,
		   const char **why);
/* The file text contacts_parse() reads back. */
int contacts_format(const struct contacts *cs, struct buf *out);
/* Adds one; EEXIST when the address is listed already, E2BIG when full,
 * EINVAL with *why when name or address cannot be stored. */
int contacts_add(struct contacts *cs, const char *name, const char *uri,
		 const char **why);

/*
 * Adds the cards of a vCard file (RFC 6350, 2.1 and 3.0 too): FN (or N)
 * and each TEL, IMPP and X-SIP address siptty can dial.  *added counts
 * the new entries, *skipped the addresses not used (listed already, or
 * not sip:, sips:, tel: or a number).  EBADMSG with *line and *why when
 * the file is not a vCard file; nothing is added then.
 */
int contacts_import_vcard(struct contacts *cs, const char *text,
			  size_t *added, size_t *skipped, unsigned *line,
			  const char **why);

#endif
