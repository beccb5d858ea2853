/* tls.c - GnuTLS for the transport: credentials, non-blocking sessions, the user's refusal sentences. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include <gnutls/gnutls.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "sip/transport_int.h"

int tls_creds_load(struct sip_transport *tp, const struct sip_transport_conf *conf)
{
	const char *prio = conf->priority ? conf->priority : SIP_TLS_PRIORITY;
	const char *errpos = NULL;
	int r, err = 0;

	if (gnutls_certificate_allocate_credentials(&tp->cred) < 0) {
		tp->cred = NULL;
		return ENOMEM;
	}
	/*
	 * The system store (~150 certificates, ~4 MB once parsed) is loaded
	 * by the first verification that needs it (tls_verify), so a server
	 * that ca_file vouches for, or no TLS at all, never costs it.
	 */
	tp->system_ca_pending = !conf->no_system_ca;
	if (conf->ca_file) {
		r = gnutls_certificate_set_x509_trust_file(tp->cred, conf->ca_file,
							   GNUTLS_X509_FMT_PEM);
		if (r <= 0) {
			log_error(TP_LOG, "ca_file %s: %s", conf->ca_file,
				  r < 0 ? gnutls_strerror(r) : "no certificate");
			err = r == GNUTLS_E_FILE_ERROR ? ENOENT : EINVAL;
			goto out;
		}
	}
	if (conf->cert_file || conf->key_file) {
		if (!conf->cert_file || !conf->key_file) {
			err = EINVAL;
			goto out;
		}
		r = gnutls_certificate_set_x509_key_file(tp->cred, conf->cert_file,
							 conf->key_file,
							 GNUTLS_X509_FMT_PEM);
		if (r < 0) {
			/* The key's path may be logged, never its content. */
			log_error(TP_LOG, "cert_file %s / key_file %s: %s",
				  conf->cert_file, conf->key_file, gnutls_strerror(r));
			err = r == GNUTLS_E_FILE_ERROR ? ENOENT : EINVAL;
			goto out;
		}
		tp->have_cert = true;
	}
	r = gnutls_priority_init(&tp->prio, prio, &errpos);
	if (r < 0) {
		tp->prio = NULL;
		log_error(TP_LOG, "TLS priority \"%s\" refused at \"%s\"", prio,
			  errpos ? errpos : "");
		err = EINVAL;
	}
 out:
	if (err)
		tls_creds_free(tp);
	return err;
}

void tls_creds_free(struct sip_transport *tp)
{
	if (tp->prio)
		gnutls_priority_deinit(tp->prio);
	if (tp->cred)
		gnutls_certificate_free_credentials(tp->cred);
	tp->prio = NULL;
	tp->cred = NULL;
}

static bool is_ip_literal(const char *s)
{
	unsigned char a[16];
	char b[64];
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof(b)) {
		memcpy(b, s + 1, n - 2);
		b[n - 2] = '\0';
		return inet_pton(AF_INET6, b, a) == 1;
	}
	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int tls_session_start(struct sip_flow *flow, bool server)
{
	struct sip_transport *tp = flow->tp;
	unsigned flags = (server ? GNUTLS_SERVER : GNUTLS_CLIENT) |
			 GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL;
	gnutls_session_t s;
	int err = EINVAL;

	if (gnutls_init(&s, flags) < 0)
		return ENOMEM;
	if (gnutls_priority_set(s, tp->prio) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, tp->cred) < 0)
		goto out;
	if (server) {
		/* A UA's listener does not authenticate callers by certificate. */
		gnutls_certificate_server_set_request(s, GNUTLS_CERT_IGNORE);
	} else if (!is_ip_literal(flow->domain) &&
		   gnutls_server_name_set(s, GNUTLS_NAME_DNS, flow->domain,
					  strlen(flow->domain)) < 0) {
		goto out;
	}
	gnutls_transport_set_int(s, flow->fd);
	gnutls_handshake_set_timeout(s, 0);   /* our own timer bounds it */
	flow->tls = s;
	s = NULL;
	err = 0;
 out:
	if (s)
		gnutls_deinit(s);
	return err;
}

void tls_session_end(struct sip_flow *flow)
{
	if (!flow->tls)
		return;
	gnutls_deinit(flow->tls);
	flow->tls = NULL;
	flow->tls_wpending = false;
}

static const char *host_of(const struct sip_flow *flow)
{
	return flow->domain ? flow->domain : flow->peername;
}

int tls_handshake_step(struct sip_flow *flow, char *buf, size_t size,
		       const char **textp)
{
	int r = gnutls_handshake(flow->tls);

	if (r == GNUTLS_E_SUCCESS)
		return 0;
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED ||
	    !gnutls_error_is_fatal(r))
		return EAGAIN;
	{
		/* anyone can open connections and fail handshakes */
		static struct ratelimit rl =
			RATELIMIT_INIT(RATELIMIT_RX_BURST, RATELIMIT_RX_PERIOD_MS);

		log_limited(&rl, LOG_WARN, TP_LOG,
			    "flow %llu: TLS handshake with %s (%s) failed: %s%s%s",
			    (unsigned long long)flow->id, host_of(flow),
			    flow->peername, gnutls_strerror(r),
			    r == GNUTLS_E_FATAL_ALERT_RECEIVED ? ": " : "",
			    r == GNUTLS_E_FATAL_ALERT_RECEIVED ?
			    gnutls_alert_get_name(gnutls_alert_get(flow->tls)) :
			    "");
	}
	if (r == GNUTLS_E_UNSUPPORTED_VERSION_PACKET ||
	    r == GNUTLS_E_INSUFFICIENT_SECURITY ||
	    (r == GNUTLS_E_FATAL_ALERT_RECEIVED &&
	     (gnutls_alert_get(flow->tls) == GNUTLS_A_PROTOCOL_VERSION ||
	      gnutls_alert_get(flow->tls) == GNUTLS_A_INSUFFICIENT_SECURITY))) {
		snprintf(buf, size, _("TLS: %s offers only an old TLS version, "
				      "and TLS 1.2 or later is required; check "
				      "the server's TLS settings"),
			 host_of(flow));
	} else if (r == GNUTLS_E_PREMATURE_TERMINATION ||
		   r == GNUTLS_E_PULL_ERROR || r == GNUTLS_E_PUSH_ERROR) {
		snprintf(buf, size, _("TLS: %s closed the connection during the "
				      "handshake; check the server's TLS settings, "
				      "or cert_file in siptty.conf if it wants a "
				      "client certificate"), host_of(flow));
	} else {
		snprintf(buf, size, _("TLS: the handshake with %s failed (%s); "
				      "check the server's TLS settings"),
			 host_of(flow), gnutls_strerror(r));
	}
	*textp = buf;
	return r == GNUTLS_E_PUSH_ERROR || r == GNUTLS_E_PULL_ERROR ||
	       r == GNUTLS_E_PREMATURE_TERMINATION ? ECONNRESET : EPROTO;
}

static void date_str(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == (time_t)-1 || !gmtime_r(&t, &tm) ||
	    !strftime(buf, size, "%Y-%m-%d", &tm))
		snprintf(buf, size, "?");
}

/* One sentence per reason: what failed for which host, and what to check. */
static void refusal(char *buf, size_t size, const char *host,
		    const struct tlsid_result *res)
{
	char date[32];

	switch (res->reason) {
	case TLSID_EXPIRED:
		date_str(res->not_after, date, sizeof(date));
		snprintf(buf, size, _("TLS: the certificate of %s expired on %s; "
				      "check the server, or ca_file in siptty.conf"),
			 host, date);
		return;
	case TLSID_NOT_YET_VALID:
		date_str(res->not_before, date, sizeof(date));
		snprintf(buf, size, _("TLS: the certificate of %s is not valid "
				      "before %s; check the server, or this "
				      "computer's clock"), host, date);
		return;
	case TLSID_NO_SAN_MATCH:
		snprintf(buf, size, _("TLS: the certificate presented for %s names "
				      "another host; check the server's "
				      "certificate, or the domain in your "
				      "account's aor"), host);
		return;
	case TLSID_CN_MISMATCH:
		snprintf(buf, size, _("TLS: the certificate presented for %s has no "
				      "subjectAltName and its common name is "
				      "another host; check the server's "
				      "certificate, or the domain in your "
				      "account's aor"), host);
		return;
	case TLSID_WILDCARD_REFUSED:
		snprintf(buf, size, _("TLS: the certificate presented for %s names "
				      "it only by a wildcard, which SIP does not "
				      "accept (RFC 5922); check the server's "
				      "certificate"), host);
		return;
	case TLSID_URI_USERPART:
		snprintf(buf, size, _("TLS: the certificate presented for %s names "
				      "a SIP user, not the domain; check the "
				      "server's certificate"), host);
		return;
	case TLSID_NO_IDENTITY:
		snprintf(buf, size, _("TLS: the certificate presented for %s names "
				      "no host; check the server's certificate"),
			 host);
		return;
	case TLSID_BAD_PURPOSE:
		snprintf(buf, size, _("TLS: the certificate presented for %s is not "
				      "meant for servers; check the server's "
				      "certificate"), host);
		return;
	case TLSID_UNKNOWN_ISSUER:
		snprintf(buf, size, _("TLS: the certificate of %s was issued by an "
				      "authority this computer does not trust; "
				      "check ca_file in siptty.conf, or the "
				      "server's certificate chain"), host);
		return;
	case TLSID_SELF_SIGNED:
		snprintf(buf, size, _("TLS: the certificate of %s is self-signed "
				      "and not trusted; check the server, or "
				      "ca_file in siptty.conf"), host);
		return;
	case TLSID_REVOKED:
		snprintf(buf, size, _("TLS: the certificate of %s was revoked; "
				      "check the server"), host);
		return;
	case TLSID_INSECURE_ALG:
		snprintf(buf, size, _("TLS: the certificate of %s uses an insecure "
				      "algorithm; check the server's certificate"),
			 host);
		return;
	case TLSID_NO_CERT:
		snprintf(buf, size, _("TLS: %s sent no certificate; check the "
				      "server"), host);
		return;
	case TLSID_INVALID:
	case TLSID_MATCH:
		break;
	}
	snprintf(buf, size, _("TLS: the certificate of %s is invalid (%s); check "
			      "the server, or ca_file in siptty.conf"),
		 host, _(tlsid_reason_str(res->reason)));
}

/* Adds the system store to the credentials once; true if it did. */
static bool system_ca_load(struct sip_transport *tp)
{
	int r;

	if (!tp->system_ca_pending)
		return false;
	tp->system_ca_pending = false;
	/* A machine without a CA bundle can still trust ca_file. */
	r = gnutls_certificate_set_x509_system_trust(tp->cred);
	if (r < 0) {
		log_warn(TP_LOG, "no system CA store: %s", gnutls_strerror(r));
		return false;
	}
	log_debug(TP_LOG, "%d certificates from the system CA store", r);
	return r > 0;
}

int tls_verify(struct sip_flow *flow, struct tlsid_result *res, char *buf,
	       size_t size)
{
	int err = tlsid_verify_peer(flow->tls, flow->domain, res);

	if (err == EACCES && (res->status & GNUTLS_CERT_SIGNER_NOT_FOUND) &&
	    flow->tp && system_ca_load(flow->tp))
		err = tlsid_verify_peer(flow->tls, flow->domain, res);

	if (!err) {
		log_info(TP_LOG, "flow %llu: TLS %s with %s (%s), server "
			 "verified for %s",
			 (unsigned long long)flow->id,
			 gnutls_protocol_get_name(gnutls_protocol_get_version(flow->tls)),
			 flow->peername,
			 gnutls_cipher_get_name(gnutls_cipher_get(flow->tls)),
			 flow->domain);
		return 0;
	}
	if (err != EACCES) {
		memset(res, 0, sizeof(*res));
		res->reason = TLSID_INVALID;
	}
	refusal(buf, size, flow->domain, res);
	log_warn(TP_LOG, "flow %llu: TLS server %s refused for %s: %s "
		 "(status 0x%x)", (unsigned long long)flow->id, flow->peername,
		 flow->domain, tlsid_reason_str(res->reason), res->status);
	return EACCES;
}

ssize_t tls_send(struct sip_flow *flow, const char *p, size_t len)
{
	ssize_t r;

	/* After AGAIN GnuTLS wants the same call again; NULL, 0 says so. */
	if (flow->tls_wpending)
		r = gnutls_record_send(flow->tls, NULL, 0);
	else
		r = gnutls_record_send(flow->tls, p, len);
	if (r >= 0) {
		flow->tls_wpending = false;
		return r;
	}
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED) {
		flow->tls_wpending = true;
		errno = EAGAIN;
		return -1;
	}
	log_warn(TP_LOG, "flow %llu: TLS send: %s", (unsigned long long)flow->id,
		 gnutls_strerror((int)r));
	errno = r == GNUTLS_E_PUSH_ERROR ? ECONNRESET : EPROTO;
	return -1;
}

ssize_t tls_recv(struct sip_flow *flow, char *p, size_t len)
{
	ssize_t r = gnutls_record_recv(flow->tls, p, len);

	if (r >= 0)
		return r;
	if (r == GNUTLS_E_AGAIN || r == GNUTLS_E_INTERRUPTED ||
	    r == GNUTLS_E_REHANDSHAKE || !gnutls_error_is_fatal((int)r)) {
		errno = EAGAIN;
		return -1;
	}
	if (r == GNUTLS_E_PREMATURE_TERMINATION || r == GNUTLS_E_PULL_ERROR) {
		errno = ECONNRESET;
		return -1;
	}
	log_warn(TP_LOG, "flow %llu: TLS receive: %s",
		 (unsigned long long)flow->id, gnutls_strerror((int)r));
	errno = EPROTO;
	return -1;
}
