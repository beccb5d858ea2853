/* hdr.c - header names: lookup by name (any case, compact forms), the per-header table. */
#include <config.h>

#include <stdint.h>
#include <string.h>

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

static const enum sip_hdr_id compact[128] = {
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

/*
 * lc is lower case; OR-ing 0x20 folds the letters of s and leaves the
 * other characters a header name may hold ('-', '.', digits) unchanged,
 * while anything that would alias ('\r' to '-') never reaches a name.
 * n is a constant at every call, so this unrolls into a few 4- or 8-byte
 * compares (the last one overlapping) instead of a loop over bytes.
 */
static inline uint64_t ld8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t ld4(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline bool ieq(const char *s, const char *lc, size_t n)
{
	const uint64_t f8 = 0x2020202020202020ull;
	const uint32_t f4 = 0x20202020u;
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8) {
			if ((ld8(s + i) | f8) != ld8(lc + i))
				return false;
		}
		return (ld8(s + n - 8) | f8) == ld8(lc + n - 8);
	}
	if (n >= 4)
		return (ld4(s) | f4) == ld4(lc) &&
			(ld4(s + n - 4) | f4) == ld4(lc + n - 4);
	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] | 0x20) != (unsigned char)lc[i])
			return false;
	}
	return true;
}

/* A switch on the length, then a handful of compares: no hashing and no
 * table to build at start-up. */
enum sip_hdr_id sip_hdr_lookup(const struct pl *n)
{
	if (n->l == 1) {
		unsigned char c = (unsigned char)n->p[0] | 0x20;

		if (c < 128 && compact[c])
			return compact[c];
		return SIP_HDR_OTHER;
	}
	switch (n->l) {
	case 2:
		if (ieq(n->p, "to", 2))
			return SIP_HDR_TO;
		break;
	case 3:
		if (ieq(n->p, "via", 3))
			return SIP_HDR_VIA;
		break;
	case 4:
		if (ieq(n->p, "cseq", 4))
			return SIP_HDR_CSEQ;
		if (ieq(n->p, "date", 4))
			return SIP_HDR_DATE;
		if (ieq(n->p, "from", 4))
			return SIP_HDR_FROM;
		if (ieq(n->p, "path", 4))
			return SIP_HDR_PATH;
		if (ieq(n->p, "rack", 4))
			return SIP_HDR_RACK;
		if (ieq(n->p, "rseq", 4))
			return SIP_HDR_RSEQ;
		break;
	case 5:
		if (ieq(n->p, "allow", 5))
			return SIP_HDR_ALLOW;
		if (ieq(n->p, "event", 5))
			return SIP_HDR_EVENT;
		if (ieq(n->p, "route", 5))
			return SIP_HDR_ROUTE;
		break;
	case 6:
		if (ieq(n->p, "accept", 6))
			return SIP_HDR_ACCEPT;
		if (ieq(n->p, "min-se", 6))
			return SIP_HDR_MIN_SE;
		if (ieq(n->p, "reason", 6))
			return SIP_HDR_REASON;
		if (ieq(n->p, "server", 6))
			return SIP_HDR_SERVER;
		break;
	case 7:
		if (ieq(n->p, "call-id", 7))
			return SIP_HDR_CALL_ID;
		if (ieq(n->p, "contact", 7))
			return SIP_HDR_CONTACT;
		if (ieq(n->p, "expires", 7))
			return SIP_HDR_EXPIRES;
		if (ieq(n->p, "privacy", 7))
			return SIP_HDR_PRIVACY;
		if (ieq(n->p, "require", 7))
			return SIP_HDR_REQUIRE;
		if (ieq(n->p, "subject", 7))
			return SIP_HDR_SUBJECT;
		if (ieq(n->p, "warning", 7))
			return SIP_HDR_WARNING;
		break;
	case 8:
		if (ieq(n->p, "identity", 8))
			return SIP_HDR_IDENTITY;
		if (ieq(n->p, "priority", 8))
			return SIP_HDR_PRIORITY;
		if (ieq(n->p, "refer-to", 8))
			return SIP_HDR_REFER_TO;
		if (ieq(n->p, "replaces", 8))
			return SIP_HDR_REPLACES;
		if (ieq(n->p, "reply-to", 8))
			return SIP_HDR_REPLY_TO;
		break;
	case 9:
		if (ieq(n->p, "call-info", 9))
			return SIP_HDR_CALL_INFO;
		if (ieq(n->p, "supported", 9))
			return SIP_HDR_SUPPORTED;
		if (ieq(n->p, "timestamp", 9))
			return SIP_HDR_TIMESTAMP;
		break;
	case 10:
		if (ieq(n->p, "alert-info", 10))
			return SIP_HDR_ALERT_INFO;
		if (ieq(n->p, "error-info", 10))
			return SIP_HDR_ERROR_INFO;
		if (ieq(n->p, "user-agent", 10))
			return SIP_HDR_USER_AGENT;
		break;
	case 11:
		if (ieq(n->p, "in-reply-to", 11))
			return SIP_HDR_IN_REPLY_TO;
		if (ieq(n->p, "min-expires", 11))
			return SIP_HDR_MIN_EXPIRES;
		if (ieq(n->p, "referred-by", 11))
			return SIP_HDR_REFERRED_BY;
		if (ieq(n->p, "retry-after", 11))
			return SIP_HDR_RETRY_AFTER;
		if (ieq(n->p, "unsupported", 11))
			return SIP_HDR_UNSUPPORTED;
		break;
	case 12:
		if (ieq(n->p, "allow-events", 12))
			return SIP_HDR_ALLOW_EVENTS;
		if (ieq(n->p, "content-type", 12))
			return SIP_HDR_CONTENT_TYPE;
		if (ieq(n->p, "history-info", 12))
			return SIP_HDR_HISTORY_INFO;
		if (ieq(n->p, "max-forwards", 12))
			return SIP_HDR_MAX_FORWARDS;
		if (ieq(n->p, "mime-version", 12))
			return SIP_HDR_MIME_VERSION;
		if (ieq(n->p, "organization", 12))
			return SIP_HDR_ORGANIZATION;
		if (ieq(n->p, "record-route", 12))
			return SIP_HDR_RECORD_ROUTE;
		break;
	case 13:
		if (ieq(n->p, "authorization", 13))
			return SIP_HDR_AUTHORIZATION;
		if (ieq(n->p, "identity-info", 13))
			return SIP_HDR_IDENTITY_INFO;
		if (ieq(n->p, "proxy-require", 13))
			return SIP_HDR_PROXY_REQUIRE;
		if (ieq(n->p, "service-route", 13))
			return SIP_HDR_SERVICE_ROUTE;
		break;
	case 14:
		if (ieq(n->p, "accept-contact", 14))
			return SIP_HDR_ACCEPT_CONTACT;
		if (ieq(n->p, "content-length", 14))
			return SIP_HDR_CONTENT_LENGTH;
		if (ieq(n->p, "reject-contact", 14))
			return SIP_HDR_REJECT_CONTACT;
		break;
	case 15:
		if (ieq(n->p, "accept-encoding", 15))
			return SIP_HDR_ACCEPT_ENCODING;
		if (ieq(n->p, "accept-language", 15))
			return SIP_HDR_ACCEPT_LANGUAGE;
		if (ieq(n->p, "security-client", 15))
			return SIP_HDR_SECURITY_CLIENT;
		if (ieq(n->p, "security-server", 15))
			return SIP_HDR_SECURITY_SERVER;
		if (ieq(n->p, "security-verify", 15))
			return SIP_HDR_SECURITY_VERIFY;
		if (ieq(n->p, "session-expires", 15))
			return SIP_HDR_SESSION_EXPIRES;
		break;
	case 16:
		if (ieq(n->p, "content-encoding", 16))
			return SIP_HDR_CONTENT_ENCODING;
		if (ieq(n->p, "content-language", 16))
			return SIP_HDR_CONTENT_LANGUAGE;
		if (ieq(n->p, "www-authenticate", 16))
			return SIP_HDR_WWW_AUTHENTICATE;
		break;
	case 18:
		if (ieq(n->p, "proxy-authenticate", 18))
			return SIP_HDR_PROXY_AUTHENTICATE;
		if (ieq(n->p, "subscription-state", 18))
			return SIP_HDR_SUBSCRIPTION_STATE;
		break;
	case 19:
		if (ieq(n->p, "authentication-info", 19))
			return SIP_HDR_AUTHENTICATION_INFO;
		if (ieq(n->p, "content-disposition", 19))
			return SIP_HDR_CONTENT_DISPOSITION;
		if (ieq(n->p, "p-asserted-identity", 19))
			return SIP_HDR_P_ASSERTED_IDENTITY;
		if (ieq(n->p, "proxy-authorization", 19))
			return SIP_HDR_PROXY_AUTHORIZATION;
		if (ieq(n->p, "request-disposition", 19))
			return SIP_HDR_REQUEST_DISPOSITION;
		break;
	case 20:
		if (ieq(n->p, "p-preferred-identity", 20))
			return SIP_HDR_P_PREFERRED_IDENTITY;
		break;
	case 21:
		if (ieq(n->p, "p-media-authorization", 21))
			return SIP_HDR_P_MEDIA_AUTHORIZATION;
		break;
	}
	return SIP_HDR_OTHER;
}
