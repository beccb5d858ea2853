/* method.c - the request methods siptty knows by name (case-sensitive, RFC 3261 7.1). */
#include <config.h>

#include <string.h>

#include "sip/msg.h"

static const char *const names[] = {
	[SIP_M_OTHER] = NULL,
	[SIP_M_ACK] = "ACK",
	[SIP_M_BYE] = "BYE",
	[SIP_M_CANCEL] = "CANCEL",
	[SIP_M_INFO] = "INFO",
	[SIP_M_INVITE] = "INVITE",
	[SIP_M_MESSAGE] = "MESSAGE",
	[SIP_M_NOTIFY] = "NOTIFY",
	[SIP_M_OPTIONS] = "OPTIONS",
	[SIP_M_PRACK] = "PRACK",
	[SIP_M_PUBLISH] = "PUBLISH",
	[SIP_M_REFER] = "REFER",
	[SIP_M_REGISTER] = "REGISTER",
	[SIP_M_SUBSCRIBE] = "SUBSCRIBE",
	[SIP_M_UPDATE] = "UPDATE",
};

/* strlen(names[i]), so that a candidate costs a byte compare, not a
 * strlen() (every request line and every CSeq come through here). */
static const unsigned char lens[] = {
	0, 3, 3, 6, 4, 6, 7, 6, 7, 5, 7, 5, 8, 9, 6,
};

_Static_assert(sizeof(lens) == sizeof(names) / sizeof(names[0]),
	       "one length per method name");

enum sip_method sip_method_lookup(const struct pl *name)
{
	size_t i;

	if (!name->l || name->l > 9)
		return SIP_M_OTHER;
	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++) {
		if (lens[i] == name->l && names[i][0] == name->p[0] &&
		    memcmp(names[i], name->p, name->l) == 0)
			return (enum sip_method)i;
	}
	return SIP_M_OTHER;
}

const char *sip_method_str(enum sip_method m)
{
	if ((unsigned)m >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[m];
}
