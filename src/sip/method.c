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

enum sip_method sip_method_lookup(const struct pl *name)
{
	size_t i;

	if (!name->l || name->l > 9)
		return SIP_M_OTHER;
	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++) {
		if (names[i][0] == name->p[0] && strlen(names[i]) == name->l &&
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
