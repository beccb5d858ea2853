/* idview.c - the identity verdict in words that need no colour to be read. */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/idview.h"

const char *idview_word(enum ident_kind k)
{
	switch (k) {
	case IDENT_VERIFIED: return _("VERIFIED");
	case IDENT_ASSERTED: return _("ASSERTED");
	case IDENT_FAILED: return _("FAILED");
	case IDENT_UNSUPPORTED: return _("UNSUPPORTED");
	case IDENT_CHECKING: return _("CHECKING...");
	case IDENT_UNVERIFIED: break;
	}
	return _("UNVERIFIED");
}

enum idview_tone idview_tone(enum ident_kind k)
{
	return k == IDENT_VERIFIED ? IDVIEW_GOOD :
	       k == IDENT_FAILED ? IDVIEW_BAD : IDVIEW_PLAIN;
}

/* A verified number is shown as E.164 ("+15550100"); a URI as it is. */
static void orig_text(const char *orig, char *out, size_t sz)
{
	bool digits = orig[0] != '\0';

	for (const char *p = orig; *p; p++)
		digits = digits && *p >= '0' && *p <= '9';
	snprintf(out, sz, "%s%s", digits ? "+" : "", orig);
}

const char *idview_who(const struct ident_verdict *v, char *buf, size_t sz)
{
	if (v->kind == IDENT_VERIFIED) {
		orig_text(v->orig, buf, sz);
		return buf;
	}
	if (v->kind == IDENT_ASSERTED)
		return v->pai;
	return "";
}

void idview_verdict(const struct ident_verdict *v, char *out, size_t sz)
{
	const char *word = idview_word(v->kind);
	char att[4] = "", orig[sizeof(v->orig) + 1];

	if (v->attest)
		snprintf(att, sizeof(att), " %c", v->attest);
	switch (v->kind) {
	case IDENT_VERIFIED:
		orig_text(v->orig, orig, sizeof(orig));
		if (v->signer[0])
			snprintf(out, sz, _("%s%s %s (signed by %s)"), word,
				 att, orig, v->signer);
		else
			snprintf(out, sz, "%s%s %s", word, att, orig);
		break;
	case IDENT_ASSERTED:
		snprintf(out, sz, _("%s by network: %s"), word, v->pai);
		break;
	case IDENT_FAILED:
	case IDENT_UNSUPPORTED:
		snprintf(out, sz, "%s: %s", word, v->reason[0] ? v->reason :
			 _("no reason given"));
		break;
	case IDENT_CHECKING:
	case IDENT_UNVERIFIED:
		snprintf(out, sz, "%s", word);
		break;
	}
}

void idview_claim(const struct ident_verdict *v, char *out, size_t sz)
{
	if (v->display[0] && v->from[0])
		snprintf(out, sz, _("claims to be \"%s\" <%s> (unverified)"),
			 v->display, v->from);
	else if (v->from[0])
		snprintf(out, sz, _("claims to be <%s> (unverified)"),
			 v->from);
	else if (v->display[0])
		snprintf(out, sz, _("claims to be \"%s\" (unverified)"),
			 v->display);
	else
		out[0] = '\0';
}
