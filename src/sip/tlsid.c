/* tlsid.c - RFC 5922 server identity matcher and peer chain check. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/i18n.h"
#include "core/pl.h"
#include "sip/tlsid.h"

/* DNS names are at most 253 characters; SAN URIs get some room for params. */
#define NAME_MAX_LEN 253
#define SAN_BUF 512

#define OID_SERVER_AUTH "1.3.6.1.5.5.7.3.1"
#define OID_SIP_DOMAIN "1.3.6.1.5.5.7.3.20"    /* RFC 5924 */
#define OID_ANY_EKU "2.5.29.37.0"

/* The configured domain, normalised once. */
struct target {
	struct pl name;          /* without brackets or one trailing dot */
	bool is_ip;
	unsigned char addr[16];
	size_t addr_len;
};

/* What the walk over the subjectAltName found. */
struct san_scan {
	bool any;                /* the certificate has a subjectAltName */
	bool uri_match;
	bool dns_match;
	bool ip_match;
	bool uri_user;           /* sip:user@domain seen */
	bool wildcard;           /* a wildcard would have matched */
};

static const char *const reason_str[] = {
	[TLSID_MATCH] = N_("certificate accepted"),
	[TLSID_NO_SAN_MATCH] = N_("certificate is for another host"),
	[TLSID_CN_MISMATCH] = N_("certificate common name is another host"),
	[TLSID_WILDCARD_REFUSED] = N_("certificate has only a wildcard name, which SIP does not accept"),
	[TLSID_URI_USERPART] = N_("certificate names a SIP user, not the domain"),
	[TLSID_NO_IDENTITY] = N_("certificate names no host"),
	[TLSID_BAD_PURPOSE] = N_("certificate is not meant for servers"),
	[TLSID_EXPIRED] = N_("certificate expired"),
	[TLSID_NOT_YET_VALID] = N_("certificate is not valid yet"),
	[TLSID_UNKNOWN_ISSUER] = N_("certificate issuer is not trusted"),
	[TLSID_SELF_SIGNED] = N_("certificate is self-signed and not trusted"),
	[TLSID_REVOKED] = N_("certificate was revoked"),
	[TLSID_INSECURE_ALG] = N_("certificate uses an insecure algorithm"),
	[TLSID_INVALID] = N_("certificate chain is invalid"),
	[TLSID_NO_CERT] = N_("server sent no certificate"),
};

const char *tlsid_reason_str(enum tlsid_reason reason)
{
	if ((size_t)reason >= sizeof(reason_str) / sizeof(reason_str[0]) ||
	    !reason_str[reason])
		return N_("certificate check failed");
	return reason_str[reason];
}

static void strip_dot(struct pl *pl)
{
	if (pl->l > 1 && pl->p[pl->l - 1] == '.')
		pl->l--;
}

static int target_init(struct target *t, const char *domain)
{
	char tmp[64];

	memset(t, 0, sizeof(*t));
	pl_set_str(&t->name, domain);
	if (t->name.l >= 2 && t->name.p[0] == '[' && t->name.p[t->name.l - 1] == ']') {
		t->name.p++;
		t->name.l -= 2;
	}
	strip_dot(&t->name);
	if (!t->name.l || t->name.l > NAME_MAX_LEN)
		return EINVAL;
	/* Only a certificate may hold a wildcard; the configured name never does. */
	if (pl_chr(&t->name, '*'))
		return EINVAL;
	if (t->name.l < sizeof(tmp)) {
		pl_strcpy(tmp, sizeof(tmp), &t->name);
		if (inet_pton(AF_INET, tmp, t->addr) == 1) {
			t->is_ip = true;
			t->addr_len = 4;
		}
		else if (inet_pton(AF_INET6, tmp, t->addr) == 1) {
			t->is_ip = true;
			t->addr_len = 16;
		}
	}
	return 0;
}

/* Whole-name, case-insensitive equality, one trailing dot ignored. */
static bool name_eq(const struct target *t, struct pl name)
{
	strip_dot(&name);
	return pl_caseeq(&t->name, &name);
}

/*
 * True when a wildcard name ("*.example.com", "s*.example.com") would
 * have matched under the web's rules: reported so the user learns why a
 * certificate that works in a browser is refused here.
 */
static bool wildcard_would_match(const struct target *t, struct pl name)
{
	const char *ndot, *tdot;
	struct pl nrest, trest, first;

	strip_dot(&name);
	if (!pl_chr(&name, '*'))
		return false;
	ndot = pl_chr(&name, '.');
	tdot = pl_chr(&t->name, '.');
	if (!ndot || !tdot)
		return false;
	first.p = name.p;
	first.l = (size_t)(ndot - name.p);
	if (!pl_chr(&first, '*'))
		return false;
	nrest.p = ndot;
	nrest.l = name.l - (size_t)(ndot - name.p);
	trest.p = tdot;
	trest.l = t->name.l - (size_t)(tdot - t->name.p);
	return pl_caseeq(&nrest, &trest);
}

/* A SAN URI: only "sip:" URIs are SIP domain identities (RFC 5922 7.1). */
static void scan_uri(struct san_scan *sc, const struct target *t, struct pl uri)
{
	const char *at;
	struct pl host;
	size_t i;

	/* An IP target matches iPAddress entries only, as addresses. */
	if (t->is_ip || uri.l < 4 || strncasecmp(uri.p, "sip:", 4) != 0)
		return;
	host.p = uri.p + 4;
	host.l = uri.l - 4;
	at = pl_chr(&host, '@');
	if (at) {
		host.l -= (size_t)(at + 1 - host.p);
		host.p = at + 1;
	}
	/* The domain ends at a port, parameter or header part. */
	if (host.l && host.p[0] == '[') {
		const char *close = pl_chr(&host, ']');

		if (!close)
			return;
		host.p++;
		host.l = (size_t)(close - host.p);
	}
	else {
		for (i = 0; i < host.l; i++) {
			if (host.p[i] == ':' || host.p[i] == ';' || host.p[i] == '?')
				break;
		}
		host.l = i;
	}
	if (name_eq(t, host)) {
		if (at)
			sc->uri_user = true;
		else
			sc->uri_match = true;
	}
	else if (!at && wildcard_would_match(t, host)) {
		sc->wildcard = true;
	}
}

static void scan_san(struct san_scan *sc, gnutls_x509_crt_t crt, const struct target *t)
{
	char buf[SAN_BUF];
	unsigned int seq, critical;
	struct pl v;

	memset(sc, 0, sizeof(*sc));
	for (seq = 0; seq < 1024; seq++) {
		size_t size = sizeof(buf);
		int type;

		type = gnutls_x509_crt_get_subject_alt_name(crt, seq, buf, &size, &critical);
		if (type == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		/* An entry we cannot read still means the SAN exists, so the
		 * CN stays out of play; the entry just cannot match. */
		sc->any = true;
		if (type < 0 || size >= sizeof(buf))
			continue;
		v.p = buf;
		v.l = size;
		switch (type) {
		case GNUTLS_SAN_URI:
			if (!memchr(buf, '\0', size))
				scan_uri(sc, t, v);
			break;
		case GNUTLS_SAN_DNSNAME:
			if (t->is_ip || memchr(buf, '\0', size))
				break;
			if (name_eq(t, v))
				sc->dns_match = true;
			else if (wildcard_would_match(t, v))
				sc->wildcard = true;
			break;
		case GNUTLS_SAN_IPADDRESS:
			if (t->is_ip && size == t->addr_len && memcmp(buf, t->addr, size) == 0)
				sc->ip_match = true;
			break;
		default:
			break;
		}
	}
}

/* The most specific (last) CN, used only when there is no SAN at all. */
static enum tlsid_reason check_cn(gnutls_x509_crt_t crt, const struct target *t,
				  enum tlsid_via *via)
{
	char buf[SAN_BUF], last[SAN_BUF];
	unsigned int idx;
	size_t last_len = 0;
	bool found = false;
	struct pl cn;

	for (idx = 0; idx < 64; idx++) {
		size_t size = sizeof(buf);
		int err;

		err = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
						    idx, 0, buf, &size);
		if (err == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		if (err < 0 || size >= sizeof(buf) || memchr(buf, '\0', size)) {
			/* An unreadable last CN must not let an earlier one speak. */
			found = true;
			last_len = 0;
			continue;
		}
		memcpy(last, buf, size);
		last_len = size;
		found = true;
	}
	if (!found)
		return TLSID_NO_IDENTITY;
	cn.p = last;
	cn.l = last_len;
	if (!cn.l)
		return TLSID_CN_MISMATCH;
	if (t->is_ip) {
		struct target cnt;
		char tmp[64];

		/* Compare an IP written in the CN as an address, not as text. */
		if (cn.l >= sizeof(tmp))
			return TLSID_CN_MISMATCH;
		pl_strcpy(tmp, sizeof(tmp), &cn);
		if (target_init(&cnt, tmp) || !cnt.is_ip || cnt.addr_len != t->addr_len ||
		    memcmp(cnt.addr, t->addr, t->addr_len) != 0)
			return TLSID_CN_MISMATCH;
		*via = TLSID_VIA_CN;
		return TLSID_MATCH;
	}
	if (name_eq(t, cn)) {
		*via = TLSID_VIA_CN;
		return TLSID_MATCH;
	}
	if (wildcard_would_match(t, cn))
		return TLSID_WILDCARD_REFUSED;
	return TLSID_CN_MISMATCH;
}

/*
 * RFC 5924: a SIP server certificate with an extendedKeyUsage must allow
 * serverAuth or sipDomain (or anyExtendedKeyUsage).
 */
static bool purpose_ok(gnutls_x509_crt_t crt)
{
	char oid[128];
	unsigned int idx, critical;
	bool any = false;

	for (idx = 0; idx < 64; idx++) {
		size_t size = sizeof(oid);
		int err;

		err = gnutls_x509_crt_get_key_purpose_oid(crt, idx, oid, &size, &critical);
		if (err == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE)
			break;
		any = true;
		if (err < 0)
			continue;
		if (!strcmp(oid, OID_SERVER_AUTH) || !strcmp(oid, OID_SIP_DOMAIN) ||
		    !strcmp(oid, OID_ANY_EKU))
			return true;
	}
	return !any;
}

static void result_init(struct tlsid_result *res, gnutls_x509_crt_t crt)
{
	memset(res, 0, sizeof(*res));
	res->not_before = crt ? gnutls_x509_crt_get_activation_time(crt) : (time_t)-1;
	res->not_after = crt ? gnutls_x509_crt_get_expiration_time(crt) : (time_t)-1;
}

static int match(gnutls_x509_crt_t crt, const char *domain, struct tlsid_result *res)
{
	struct san_scan sc;
	struct target t;
	int err;

	err = target_init(&t, domain);
	if (err)
		return err;
	scan_san(&sc, crt, &t);

	if (t.is_ip && sc.ip_match)
		res->via = TLSID_VIA_IP;
	else if (sc.uri_match)
		res->via = TLSID_VIA_URI;
	else if (sc.dns_match)
		res->via = TLSID_VIA_DNS;
	else if (sc.any && sc.wildcard)
		res->reason = TLSID_WILDCARD_REFUSED;
	else if (sc.any && sc.uri_user)
		res->reason = TLSID_URI_USERPART;
	else if (sc.any)
		res->reason = TLSID_NO_SAN_MATCH;
	else
		res->reason = check_cn(crt, &t, &res->via);

	if (res->reason == TLSID_MATCH && !purpose_ok(crt)) {
		res->reason = TLSID_BAD_PURPOSE;
		res->via = TLSID_VIA_NONE;
	}
	return res->reason == TLSID_MATCH ? 0 : EACCES;
}

int tlsid_match(gnutls_x509_crt_t crt, const char *domain, struct tlsid_result *res)
{
	if (!crt || !domain || !res)
		return EINVAL;
	result_init(res, crt);
	return match(crt, domain, res);
}

enum tlsid_reason tlsid_reason_from_status(unsigned int status, gnutls_x509_crt_t peer)
{
	if (!status)
		return TLSID_MATCH;
	if (status & GNUTLS_CERT_REVOKED)
		return TLSID_REVOKED;
	if (status & (GNUTLS_CERT_SIGNER_NOT_FOUND | GNUTLS_CERT_SIGNER_NOT_CA)) {
		if (peer && gnutls_x509_crt_check_issuer(peer, peer))
			return TLSID_SELF_SIGNED;
		return TLSID_UNKNOWN_ISSUER;
	}
	if (status & GNUTLS_CERT_INSECURE_ALGORITHM)
		return TLSID_INSECURE_ALG;
	if (status & GNUTLS_CERT_EXPIRED)
		return TLSID_EXPIRED;
	if (status & GNUTLS_CERT_NOT_ACTIVATED)
		return TLSID_NOT_YET_VALID;
	if (status & GNUTLS_CERT_PURPOSE_MISMATCH)
		return TLSID_BAD_PURPOSE;
	return TLSID_INVALID;
}

int tlsid_verify_peer(gnutls_session_t s, const char *domain, struct tlsid_result *res)
{
	const gnutls_datum_t *list;
	gnutls_x509_crt_t crt = NULL;
	unsigned int n = 0, status = 0;
	int err;

	if (!s || !domain || !res)
		return EINVAL;
	result_init(res, NULL);
	res->reason = TLSID_NO_CERT;
	if (gnutls_certificate_type_get(s) != GNUTLS_CRT_X509)
		return EACCES;
	list = gnutls_certificate_get_peers(s, &n);
	if (!list || !n)
		return EACCES;
	if (gnutls_x509_crt_init(&crt) < 0)
		return ENOMEM;
	if (gnutls_x509_crt_import(crt, &list[0], GNUTLS_X509_FMT_DER) < 0) {
		res->reason = TLSID_INVALID;
		err = EACCES;
		goto out;
	}
	result_init(res, crt);

	/* No hostname: GnuTLS's own check ignores SAN URIs and allows
	 * wildcards, so the identity is decided by match() below. */
	if (gnutls_certificate_verify_peers3(s, NULL, &status) < 0) {
		res->reason = TLSID_INVALID;
		err = EACCES;
		goto out;
	}
	res->status = status;
	if (status) {
		res->reason = tlsid_reason_from_status(status, crt);
		err = EACCES;
		goto out;
	}
	err = match(crt, domain, res);
 out:
	gnutls_x509_crt_deinit(crt);
	return err;
}
