/* hdr.c - header names: lookup by name (any case, compact forms), the per-header table. */
#include <config.h>

#include <stdint.h>
#include <string.h>

#include "sip/hdr_int.h"
#include "sip/msg_int.h"

#define HDR(id, nm, cmp, kind, flags) \
	[SIP_HDR_##id] = {nm, cmp, kind, flags, "Bad " nm, "Missing " nm, \
			  "Duplicate " nm}

const struct sip_hdr_info sip_hdr_tab[SIP_HDR_NUM] = {
	[SIP_HDR_NONE] = {NULL, 0, K_NONE, 0, "Bad Request", "Bad Request",
			  "Bad Request"},
	[SIP_HDR_OTHER] = {NULL, 0, K_NONE, 0, "Bad Header", "Bad Header",
			   "Bad Header"},
	HDR(ACCEPT, "Accept", 0, K_ACCEPT, 0),
	HDR(ACCEPT_CONTACT, "Accept-Contact", 'a', K_NONE, 0),
	HDR(ACCEPT_ENCODING, "Accept-Encoding", 0, K_TPARAMS, 0),
	HDR(ACCEPT_LANGUAGE, "Accept-Language", 0, K_TPARAMS, 0),
	HDR(ALERT_INFO, "Alert-Info", 0, K_INFO, 0),
	HDR(ALLOW, "Allow", 0, K_TOKENS0, 0),
	HDR(ALLOW_EVENTS, "Allow-Events", 'u', K_TOKENS, 0),
	HDR(AUTHENTICATION_INFO, "Authentication-Info", 0, K_AINFO, F_SINGLE),
	HDR(AUTHORIZATION, "Authorization", 0, K_AUTH, 0),
	HDR(CALL_ID, "Call-ID", 'i', K_CALLID, F_SINGLE),
	HDR(CALL_INFO, "Call-Info", 0, K_INFO, 0),
	HDR(CONTACT, "Contact", 'm', K_CONTACT, 0),
	HDR(CONTENT_DISPOSITION, "Content-Disposition", 0, K_TPARAM, F_SINGLE),
	HDR(CONTENT_ENCODING, "Content-Encoding", 'e', K_TOKENS, 0),
	HDR(CONTENT_LANGUAGE, "Content-Language", 0, K_TOKENS, 0),
	HDR(CONTENT_LENGTH, "Content-Length", 'l', K_UINT, F_SINGLE),
	HDR(CONTENT_TYPE, "Content-Type", 'c', K_CTYPE, F_SINGLE),
	HDR(CSEQ, "CSeq", 0, K_CSEQ, F_SINGLE),
	HDR(DATE, "Date", 0, K_DATE, F_SINGLE),
	HDR(ERROR_INFO, "Error-Info", 0, K_INFO, 0),
	HDR(EVENT, "Event", 'o', K_EVENT, F_SINGLE),
	HDR(EXPIRES, "Expires", 0, K_UINT, F_SINGLE),
	HDR(FROM, "From", 'f', K_ADDR, F_SINGLE),
	HDR(HISTORY_INFO, "History-Info", 0, K_NONE, 0),
	HDR(IDENTITY, "Identity", 'y', K_IDENTITY, 0),
	HDR(IDENTITY_INFO, "Identity-Info", 'n', K_IDINFO, F_SINGLE),
	HDR(IN_REPLY_TO, "In-Reply-To", 0, K_CALLIDS, 0),
	HDR(MAX_FORWARDS, "Max-Forwards", 0, K_UINT, F_SINGLE),
	HDR(MIME_VERSION, "MIME-Version", 0, K_NONE, F_SINGLE),
	HDR(MIN_EXPIRES, "Min-Expires", 0, K_UINT, F_SINGLE),
	HDR(MIN_SE, "Min-SE", 0, K_DELTA, F_SINGLE),
	HDR(ORGANIZATION, "Organization", 0, K_NONE, F_SINGLE),
	HDR(P_ASSERTED_IDENTITY, "P-Asserted-Identity", 0, K_ADDRS, 0),
	HDR(P_MEDIA_AUTHORIZATION, "P-Media-Authorization", 0, K_PMA, 0),
	HDR(P_PREFERRED_IDENTITY, "P-Preferred-Identity", 0, K_ADDRS, 0),
	HDR(PATH, "Path", 0, K_ADDRS, 0),
	HDR(PRIORITY, "Priority", 0, K_TPARAM, F_SINGLE),
	HDR(PRIVACY, "Privacy", 0, K_PRIVACY, 0),
	HDR(PROXY_AUTHENTICATE, "Proxy-Authenticate", 0, K_AUTH, 0),
	HDR(PROXY_AUTHORIZATION, "Proxy-Authorization", 0, K_AUTH, 0),
	HDR(PROXY_REQUIRE, "Proxy-Require", 0, K_TOKENS, 0),
	HDR(RACK, "RAck", 0, K_RACK, F_SINGLE),
	HDR(REASON, "Reason", 0, K_TPARAMS, 0),
	HDR(RECORD_ROUTE, "Record-Route", 0, K_ADDRS, 0),
	HDR(REFER_TO, "Refer-To", 'r', K_ADDR, F_SINGLE),
	HDR(REFERRED_BY, "Referred-By", 'b', K_ADDR, F_SINGLE),
	HDR(REJECT_CONTACT, "Reject-Contact", 'j', K_NONE, 0),
	HDR(REPLACES, "Replaces", 0, K_REPLACES, F_SINGLE),
	HDR(REPLY_TO, "Reply-To", 0, K_ADDR, F_SINGLE),
	HDR(REQUEST_DISPOSITION, "Request-Disposition", 'd', K_TOKENS, 0),
	HDR(REQUIRE, "Require", 0, K_TOKENS, 0),
	HDR(RETRY_AFTER, "Retry-After", 0, K_RETRY, F_SINGLE),
	HDR(ROUTE, "Route", 0, K_ADDRS, 0),
	HDR(RSEQ, "RSeq", 0, K_UINT, F_SINGLE),
	HDR(SECURITY_CLIENT, "Security-Client", 0, K_SECMECH, 0),
	HDR(SECURITY_SERVER, "Security-Server", 0, K_SECMECH, 0),
	HDR(SECURITY_VERIFY, "Security-Verify", 0, K_SECMECH, 0),
	HDR(SERVER, "Server", 0, K_NONE, F_SINGLE),
	HDR(SERVICE_ROUTE, "Service-Route", 0, K_ADDRS, 0),
	HDR(SESSION_EXPIRES, "Session-Expires", 'x', K_DELTA, F_SINGLE),
	HDR(SUBJECT, "Subject", 's', K_NONE, F_SINGLE),
	HDR(SUBSCRIPTION_STATE, "Subscription-State", 0, K_SUBSTATE, F_SINGLE),
	HDR(SUPPORTED, "Supported", 'k', K_TOKENS0, 0),
	HDR(TIMESTAMP, "Timestamp", 0, K_NONE, F_SINGLE),
	HDR(TO, "To", 't', K_ADDR, F_SINGLE),
	HDR(UNSUPPORTED, "Unsupported", 0, K_TOKENS, 0),
	HDR(USER_AGENT, "User-Agent", 0, K_NONE, F_SINGLE),
	HDR(VIA, "Via", 'v', K_VIA, 0),
	HDR(WARNING, "Warning", 0, K_WARNING, 0),
	HDR(WWW_AUTHENTICATE, "WWW-Authenticate", 0, K_AUTH, 0),
};

const enum sip_hdr_id sip_hdr_compact_tab[128] = {
	['a'] = SIP_HDR_ACCEPT_CONTACT,
	['b'] = SIP_HDR_REFERRED_BY,
	['c'] = SIP_HDR_CONTENT_TYPE,
	['d'] = SIP_HDR_REQUEST_DISPOSITION,
	['e'] = SIP_HDR_CONTENT_ENCODING,
	['f'] = SIP_HDR_FROM,
	['i'] = SIP_HDR_CALL_ID,
	['j'] = SIP_HDR_REJECT_CONTACT,
	['k'] = SIP_HDR_SUPPORTED,
	['l'] = SIP_HDR_CONTENT_LENGTH,
	['m'] = SIP_HDR_CONTACT,
	['n'] = SIP_HDR_IDENTITY_INFO,
	['o'] = SIP_HDR_EVENT,
	['r'] = SIP_HDR_REFER_TO,
	['s'] = SIP_HDR_SUBJECT,
	['t'] = SIP_HDR_TO,
	['u'] = SIP_HDR_ALLOW_EVENTS,
	['v'] = SIP_HDR_VIA,
	['x'] = SIP_HDR_SESSION_EXPIRES,
	['y'] = SIP_HDR_IDENTITY,
};

const struct sip_hdr_info *sip_hdr_info(enum sip_hdr_id id)
{
	if ((unsigned)id >= SIP_HDR_NUM)
		id = SIP_HDR_OTHER;
	return &sip_hdr_tab[id];
}

const char *sip_hdr_name(enum sip_hdr_id id)
{
	return sip_hdr_info(id)->name;
}

char sip_hdr_compact(enum sip_hdr_id id)
{
	return sip_hdr_info(id)->compact;
}

bool sip_hdr_single(enum sip_hdr_id id)
{
	return (sip_hdr_info(id)->flags & F_SINGLE) != 0;
}

enum sip_hdr_id sip_hdr_lookup(const struct pl *n)
{
	return sip_hdr_lookup_inline(n);
}
