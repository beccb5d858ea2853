/* idview.h - who is calling, in words: the verdict line, the claim, the panel. */
#ifndef SIPTTY_UI_IDVIEW_H
#define SIPTTY_UI_IDVIEW_H

#include <stddef.h>

#include "ua/ident.h"

/* How a verdict looks: good (verified), bad (failed) or plain. */
enum idview_tone {
	IDVIEW_PLAIN = 0,
	IDVIEW_GOOD,
	IDVIEW_BAD,
};

/* The word that leads: "VERIFIED", "FAILED", ... (translated). */
const char *idview_word(enum ident_kind k);
/*
 * The verdict as one line, e.g. "VERIFIED A +12155550121 (signed by
 * CN=...)", "ASSERTED by network: sip:+1...", "FAILED: signature does
 * not match", "UNVERIFIED", "CHECKING...".
 */
void idview_verdict(const struct ident_verdict *v, char *out, size_t sz);
/* The From header as a claim: "claims to be "Alice" <sip:...>
 * (unverified)"; "" when From was empty. */
void idview_claim(const struct ident_verdict *v, char *out, size_t sz);
/* The identity the verdict vouches for ("" when none): the number for
 * verified (as "+15550100", written into buf), the PAI for asserted. */
const char *idview_who(const struct ident_verdict *v, char *buf, size_t sz);
enum idview_tone idview_tone(enum ident_kind k);

#endif
