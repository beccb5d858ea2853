/* hdr_int.h - private to src/sip: header name look-up, inline for the line splitter. */
#ifndef SIPTTY_SIP_HDR_INT_H
#define SIPTTY_SIP_HDR_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "sip/hdr.h"

/* Compact forms by lower-case letter (hdr.c). */
extern const enum sip_hdr_id sip_hdr_compact_tab[128];

/*
 * lc is lower case; OR-ing 0x20 folds the letters of s and leaves the
 * other characters a header name may hold ('-', '.', digits) unchanged,
 * while anything that would alias ('\r' to '-') never reaches a name.
 * n is a constant at every call, so this unrolls into a few 2-, 4- or
 * 8-byte compares (the last one overlapping) instead of a loop over bytes.
 */
static inline uint64_t sip_ld8(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t sip_ld4(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline bool sip_hdr_ieq(const char *s, const char *lc, size_t n)
{
	const uint64_t f8 = 0x2020202020202020ull;
	const uint32_t f4 = 0x20202020u;
	size_t i;

	if (n >= 8) {
		for (i = 0; i + 8 < n; i += 8) {
			if ((sip_ld8(s + i) | f8) != sip_ld8(lc + i))
				return false;
		}
		return (sip_ld8(s + n - 8) | f8) == sip_ld8(lc + n - 8);
	}
	if (n >= 4)
		return (sip_ld4(s) | f4) == sip_ld4(lc) &&
			(sip_ld4(s + n - 4) | f4) == sip_ld4(lc + n - 4);
	if (n >= 2) {
		uint16_t a, b, c, d;

		memcpy(&a, s, 2);
		memcpy(&b, lc, 2);
		memcpy(&c, s + n - 2, 2);
		memcpy(&d, lc + n - 2, 2);
		return (uint16_t)(a | 0x2020u) == b &&
			(uint16_t)(c | 0x2020u) == d;
	}
	for (i = 0; i < n; i++) {
		if (((unsigned char)s[i] | 0x20) != (unsigned char)lc[i])
			return false;
	}
	return true;
}

/* A switch on the length, then a handful of compares, the names most
 * messages carry first: no hashing and no table to build at start-up. */
static inline __attribute__((always_inline)) enum sip_hdr_id
sip_hdr_lookup_inline(const struct pl *n)
{
	if (n->l == 1) {
		unsigned char c = (unsigned char)n->p[0] | 0x20;

		if (c < 128 && sip_hdr_compact_tab[c])
			return sip_hdr_compact_tab[c];
		return SIP_HDR_OTHER;
	}
	switch (n->l) {
	case 2:
		if (sip_hdr_ieq(n->p, "to", 2))
			return SIP_HDR_TO;
		break;
	case 3:
		if (sip_hdr_ieq(n->p, "via", 3))
			return SIP_HDR_VIA;
		break;
	case 4:
		if (sip_hdr_ieq(n->p, "cseq", 4))
			return SIP_HDR_CSEQ;
		if (sip_hdr_ieq(n->p, "from", 4))
			return SIP_HDR_FROM;
		if (sip_hdr_ieq(n->p, "date", 4))
			return SIP_HDR_DATE;
		if (sip_hdr_ieq(n->p, "rack", 4))
			return SIP_HDR_RACK;
		if (sip_hdr_ieq(n->p, "rseq", 4))
			return SIP_HDR_RSEQ;
		if (sip_hdr_ieq(n->p, "path", 4))
			return SIP_HDR_PATH;
		break;
	case 5:
		if (sip_hdr_ieq(n->p, "route", 5))
			return SIP_HDR_ROUTE;
		if (sip_hdr_ieq(n->p, "allow", 5))
			return SIP_HDR_ALLOW;
		if (sip_hdr_ieq(n->p, "event", 5))
			return SIP_HDR_EVENT;
		break;
	case 6:
		if (sip_hdr_ieq(n->p, "server", 6))
			return SIP_HDR_SERVER;
		if (sip_hdr_ieq(n->p, "accept", 6))
			return SIP_HDR_ACCEPT;
		if (sip_hdr_ieq(n->p, "min-se", 6))
			return SIP_HDR_MIN_SE;
		if (sip_hdr_ieq(n->p, "reason", 6))
			return SIP_HDR_REASON;
		break;
	case 7:
		if (sip_hdr_ieq(n->p, "call-id", 7))
			return SIP_HDR_CALL_ID;
		if (sip_hdr_ieq(n->p, "contact", 7))
			return SIP_HDR_CONTACT;
		if (sip_hdr_ieq(n->p, "expires", 7))
			return SIP_HDR_EXPIRES;
		if (sip_hdr_ieq(n->p, "require", 7))
			return SIP_HDR_REQUIRE;
		if (sip_hdr_ieq(n->p, "subject", 7))
			return SIP_HDR_SUBJECT;
		if (sip_hdr_ieq(n->p, "privacy", 7))
			return SIP_HDR_PRIVACY;
		if (sip_hdr_ieq(n->p, "warning", 7))
			return SIP_HDR_WARNING;
		break;
	case 8:
		if (sip_hdr_ieq(n->p, "identity", 8))
			return SIP_HDR_IDENTITY;
		if (sip_hdr_ieq(n->p, "refer-to", 8))
			return SIP_HDR_REFER_TO;
		if (sip_hdr_ieq(n->p, "replaces", 8))
			return SIP_HDR_REPLACES;
		if (sip_hdr_ieq(n->p, "priority", 8))
			return SIP_HDR_PRIORITY;
		if (sip_hdr_ieq(n->p, "reply-to", 8))
			return SIP_HDR_REPLY_TO;
		break;
	case 9:
		if (sip_hdr_ieq(n->p, "supported", 9))
			return SIP_HDR_SUPPORTED;
		if (sip_hdr_ieq(n->p, "call-info", 9))
			return SIP_HDR_CALL_INFO;
		if (sip_hdr_ieq(n->p, "timestamp", 9))
			return SIP_HDR_TIMESTAMP;
		break;
	case 10:
		if (sip_hdr_ieq(n->p, "user-agent", 10))
			return SIP_HDR_USER_AGENT;
		if (sip_hdr_ieq(n->p, "alert-info", 10))
			return SIP_HDR_ALERT_INFO;
		if (sip_hdr_ieq(n->p, "error-info", 10))
			return SIP_HDR_ERROR_INFO;
		break;
	case 11:
		if (sip_hdr_ieq(n->p, "in-reply-to", 11))
			return SIP_HDR_IN_REPLY_TO;
		if (sip_hdr_ieq(n->p, "min-expires", 11))
			return SIP_HDR_MIN_EXPIRES;
		if (sip_hdr_ieq(n->p, "referred-by", 11))
			return SIP_HDR_REFERRED_BY;
		if (sip_hdr_ieq(n->p, "retry-after", 11))
			return SIP_HDR_RETRY_AFTER;
		if (sip_hdr_ieq(n->p, "unsupported", 11))
			return SIP_HDR_UNSUPPORTED;
		break;
	case 12:
		if (sip_hdr_ieq(n->p, "max-forwards", 12))
			return SIP_HDR_MAX_FORWARDS;
		if (sip_hdr_ieq(n->p, "content-type", 12))
			return SIP_HDR_CONTENT_TYPE;
		if (sip_hdr_ieq(n->p, "record-route", 12))
			return SIP_HDR_RECORD_ROUTE;
		if (sip_hdr_ieq(n->p, "allow-events", 12))
			return SIP_HDR_ALLOW_EVENTS;
		if (sip_hdr_ieq(n->p, "history-info", 12))
			return SIP_HDR_HISTORY_INFO;
		if (sip_hdr_ieq(n->p, "mime-version", 12))
			return SIP_HDR_MIME_VERSION;
		if (sip_hdr_ieq(n->p, "organization", 12))
			return SIP_HDR_ORGANIZATION;
		break;
	case 13:
		if (sip_hdr_ieq(n->p, "authorization", 13))
			return SIP_HDR_AUTHORIZATION;
		if (sip_hdr_ieq(n->p, "identity-info", 13))
			return SIP_HDR_IDENTITY_INFO;
		if (sip_hdr_ieq(n->p, "proxy-require", 13))
			return SIP_HDR_PROXY_REQUIRE;
		if (sip_hdr_ieq(n->p, "service-route", 13))
			return SIP_HDR_SERVICE_ROUTE;
		break;
	case 14:
		if (sip_hdr_ieq(n->p, "content-length", 14))
			return SIP_HDR_CONTENT_LENGTH;
		if (sip_hdr_ieq(n->p, "accept-contact", 14))
			return SIP_HDR_ACCEPT_CONTACT;
		if (sip_hdr_ieq(n->p, "reject-contact", 14))
			return SIP_HDR_REJECT_CONTACT;
		break;
	case 15:
		if (sip_hdr_ieq(n->p, "session-expires", 15))
			return SIP_HDR_SESSION_EXPIRES;
		if (sip_hdr_ieq(n->p, "accept-encoding", 15))
			return SIP_HDR_ACCEPT_ENCODING;
		if (sip_hdr_ieq(n->p, "accept-language", 15))
			return SIP_HDR_ACCEPT_LANGUAGE;
		if (sip_hdr_ieq(n->p, "security-client", 15))
			return SIP_HDR_SECURITY_CLIENT;
		if (sip_hdr_ieq(n->p, "security-server", 15))
			return SIP_HDR_SECURITY_SERVER;
		if (sip_hdr_ieq(n->p, "security-verify", 15))
			return SIP_HDR_SECURITY_VERIFY;
		break;
	case 16:
		if (sip_hdr_ieq(n->p, "www-authenticate", 16))
			return SIP_HDR_WWW_AUTHENTICATE;
		if (sip_hdr_ieq(n->p, "content-encoding", 16))
			return SIP_HDR_CONTENT_ENCODING;
		if (sip_hdr_ieq(n->p, "content-language", 16))
			return SIP_HDR_CONTENT_LANGUAGE;
		break;
	case 18:
		if (sip_hdr_ieq(n->p, "proxy-authenticate", 18))
			return SIP_HDR_PROXY_AUTHENTICATE;
		if (sip_hdr_ieq(n->p, "subscription-state", 18))
			return SIP_HDR_SUBSCRIPTION_STATE;
		break;
	case 19:
		if (sip_hdr_ieq(n->p, "proxy-authorization", 19))
			return SIP_HDR_PROXY_AUTHORIZATION;
		if (sip_hdr_ieq(n->p, "authentication-info", 19))
			return SIP_HDR_AUTHENTICATION_INFO;
		if (sip_hdr_ieq(n->p, "content-disposition", 19))
			return SIP_HDR_CONTENT_DISPOSITION;
		if (sip_hdr_ieq(n->p, "p-asserted-identity", 19))
			return SIP_HDR_P_ASSERTED_IDENTITY;
		if (sip_hdr_ieq(n->p, "request-disposition", 19))
			return SIP_HDR_REQUEST_DISPOSITION;
		break;
	case 20:
		if (sip_hdr_ieq(n->p, "p-preferred-identity", 20))
			return SIP_HDR_P_PREFERRED_IDENTITY;
		break;
	case 21:
		if (sip_hdr_ieq(n->p, "p-media-authorization", 21))
			return SIP_HDR_P_MEDIA_AUTHORIZATION;
		break;
	}
	return SIP_HDR_OTHER;
}

#endif
