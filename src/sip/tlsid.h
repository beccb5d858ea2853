/* tlsid.h - RFC 5922 SIP server identity check of a peer certificate. */
#ifndef SIPTTY_TLSID_H
#define SIPTTY_TLSID_H

#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

enum tlsid_reason {
	TLSID_MATCH = 0,         /* chain (if checked) and identity are fine */
	TLSID_NO_SAN_MATCH,      /* subjectAltName present, no entry names the domain */
	TLSID_CN_MISMATCH,       /* no subjectAltName, and the CN names another host */
	TLSID_WILDCARD_REFUSED,  /* only a wildcard name would have matched */
	TLSID_URI_USERPART,      /* a SAN sip: URI names a user at the domain */
	TLSID_NO_IDENTITY,       /* neither subjectAltName nor CN */
	TLSID_BAD_PURPOSE,       /* extendedKeyUsage excludes TLS servers */
	TLSID_EXPIRED,
	TLSID_NOT_YET_VALID,
	TLSID_UNKNOWN_ISSUER,    /* no trusted CA issued it (see ca_file) */
	TLSID_SELF_SIGNED,       /* self-signed and not trusted */
	TLSID_REVOKED,
	TLSID_INSECURE_ALG,
	TLSID_INVALID,           /* any other chain failure (e.g. bad signature) */
	TLSID_NO_CERT,           /* the server sent no X.509 certificate */
};

/* Which certificate entry matched, for the log. */
enum tlsid_via {
	TLSID_VIA_NONE = 0,
	TLSID_VIA_URI,
	TLSID_VIA_DNS,
	TLSID_VIA_IP,
	TLSID_VIA_CN,
};

struct tlsid_result {
	enum tlsid_reason reason;
	enum tlsid_via via;
	unsigned int status;   /* GnuTLS verification bits; 0 when the chain passed */
	time_t not_before;     /* of the peer certificate; (time_t)-1 when unknown */
	time_t not_after;
};

/*
 * A short English phrase for a reason ("certificate expired"), marked
 * with N_() so the caller can translate it; the transport builds the
 * user's sentence with the host name and the setting to check.
 */
const char *tlsid_reason_str(enum tlsid_reason reason);

/*
 * Decides whether crt identifies the SIP domain the user configured
 * (never the SRV target): SAN sip: URIs without a user part, then
 * dNSNames, the CN only when there is no subjectAltName at all; whole
 * names compared without case, no wildcards; an IP literal (IPv6 may be
 * bracketed) matches iPAddress entries only. Also refuses an
 * extendedKeyUsage that allows neither serverAuth nor sipDomain.
 * Returns 0 on a match, EACCES with res->reason otherwise, EINVAL for a
 * bad argument (such as a domain containing '*').
 */
int tlsid_match(gnutls_x509_crt_t crt, const char *domain, struct tlsid_result *res);

/*
 * Maps GnuTLS verification status bits to one reason, the most basic
 * failure first; peer (may be NULL) tells self-signed from unknown issuer.
 */
enum tlsid_reason tlsid_reason_from_status(unsigned int status, gnutls_x509_crt_t peer);

/*
 * After a handshake: verifies the peer's chain against the session's
 * trust store without GnuTLS's hostname check, then runs tlsid_match.
 * Returns 0 when the server is authenticated, EACCES with res->reason
 * when the connection must be closed, EINVAL for a bad argument.
 */
int tlsid_verify_peer(gnutls_session_t s, const char *domain, struct tlsid_result *res);

#endif
