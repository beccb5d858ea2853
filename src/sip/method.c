/* method.c - the request methods siptty knows by name (case-sensitive, RFC 3261 7.1). */
#include <config.h>

#include <stdbool.h>
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

static bool is(const struct pl *n, const char *lit)
{
	return memcmp(n->p, lit, n->l) == 0;
}

/* A switch on the length, then whole-name compares of a constant size
 * (the compiler turns them into a load or two each): every request line
 * and every CSeq come through here. */
enum sip_method sip_method_lookup(const struct pl *name)
{
	switch (name->l) {
	case 3:
		if (is(name, "ACK"))
			return SIP_M_ACK;
		if (is(name, "BYE"))
			return SIP_M_BYE;
		break;
	case 4:
		if (is(name, "INFO"))
			return SIP_M_INFO;
		break;
	case 5:
		if (is(name, "PRACK"))
			return SIP_M_PRACK;
		if (is(name, "REFER"))
			return SIP_M_REFER;
		break;
	case 6:
		if (is(name, "INVITE"))
			return SIP_M_INVITE;
		if (is(name, "CANCEL"))
			return SIP_M_CANCEL;
		if (is(name, "NOTIFY"))
			return SIP_M_NOTIFY;
		if (is(name, "UPDATE"))
			return SIP_M_UPDATE;
		break;
	case 7:
		if (is(name, "MESSAGE"))
			return SIP_M_MESSAGE;
		if (is(name, "OPTIONS"))
			return SIP_M_OPTIONS;
		if (is(name, "PUBLISH"))
			return SIP_M_PUBLISH;
		break;
	case 8:
		if (is(name, "REGISTER"))
			return SIP_M_REGISTER;
		break;
	case 9:
		if (is(name, "SUBSCRIBE"))
			return SIP_M_SUBSCRIBE;
		break;
	}
	return SIP_M_OTHER;
}

const char *sip_method_str(enum sip_method m)
{
	if ((unsigned)m >= sizeof(names) / sizeof(names[0]))
		return NULL;
	return names[m];
}
