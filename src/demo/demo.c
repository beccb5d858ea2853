/* demo.c - the built-in demo service: registrar with digest, a STIR-signed call to the user, echo, RSVP edge router. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <srtp2/srtp.h>

#include "audio/media.h"
#include "audio/rsvp.h"
#include "core/buf.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/pl.h"
#include "core/rand.h"
#include "demo/creds.h"
#include "demo/demo.h"
#include "sip/dialog.h"
#include "sip/digest.h"
#include "sip/msg.h"
#include "sip/transport.h"
#include "sip/tsx.h"
#include "ua/offer.h"
#include "ua/stack.h"

#define DEMO_LOG "demo"
#define DEMO_TN "15550100"          /* the demo's number: it signs for it */
#define USER_TN "15550123"          /* the user's demo number */
#define DEMO_REALM "siptty-demo"
#define CALL_DELAY_MS 1500          /* after the first registration */
#define CALL_MAX_MS (10 * 60 * 1000)
#define HTTPS_MAX_REQ 4096
#define ECHO_BURST 32               /* datagrams per wake-up */
#define PKT_MAX 2048

struct echo {
	int rtp, rtcp;
	uint16_t port;
	bool srtp;
	srtp_t in, out;
	uint32_t ssrc;
	uint64_t packets;
};

struct demo {
	struct loop *loop;
	struct demo_creds cr;
	struct conf *sconf;
	struct stack *st;
	uint16_t sip_port;
	char password[40];
	char nonce[40];
	char token[256];            /* P-Media-Authorization, hex */
	struct buf conf_text;
	/* The certificate server (a thread: libcurl in the loop is its client). */
	pthread_t th;
	bool th_on;
	int https_fd;
	int stop_pipe[2];
	uint16_t https_port;
	char *stir_pem;
	size_t stir_len;
	/* The RSVP edge router. */
	int rsvp_fd;
	uint16_t rsvp_port;
	/* The user, once registered. */
	bool registered;
	bool called;
	struct sip_target utgt;
	void *uconn;
	char ucontact[256];
	struct tmr call_tmr;
	/* The one call at a time. */
	struct sip_dialog *dlg;
	struct sip_ctsx *inv;
	struct sip_uas2xx *u2xx;
	char callid[64];
	char ltag[32];
	uint32_t cseq;
	struct tmr end_tmr;
	struct offer_local lo;
	struct echo echo;
	bool lib_up;
};

/* ------------------------------------------------------------------ */
/* Echo                                                                */
/* ------------------------------------------------------------------ */

static void echo_stop(struct demo *d)
{
	struct echo *e = &d->echo;

	if (e->srtp) {
		srtp_dealloc(e->in);
		srtp_dealloc(e->out);
		e->srtp = false;
	}
	if (e->packets)
		log_info(DEMO_LOG, "echoed %llu packets",
			 (unsigned long long)e->packets);
	e->packets = 0;
}

static int srtp_session(srtp_t *sp, const char *suite, const uint8_t *key,
			bool inbound)
{
	srtp_policy_t p;

	memset(&p, 0, sizeof(p));
	if (!strcmp(suite, "AES_CM_128_HMAC_SHA1_32"))
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
	else
		srtp_crypto_policy_set_rtp_default(&p.rtp);
	srtp_crypto_policy_set_rtcp_default(&p.rtcp);
	p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p.key = (unsigned char *)key;
	p.window_size = 128;
	if (media_srtp_lib())
		return EIO;
	return srtp_create(sp, &p) == srtp_err_status_ok ? 0 : EIO;
}

/* Starts echoing with the keys offer/answer agreed. */
static void echo_start(struct demo *d, const struct offer_result *res)
{
	struct echo *e = &d->echo;

	echo_stop(d);
	if (res->srtp_suite[0]) {
		if (srtp_session(&e->in, res->srtp_suite, res->srtp_rx_key,
				 true) ||
		    srtp_session(&e->out, res->srtp_suite, d->lo.key, false)) {
			log_warn(DEMO_LOG, "cannot set up SRTP for the echo");
			return;
		}
		e->srtp = true;
	}
	log_info(DEMO_LOG, "echo: %s %s", res->codec,
		 e->srtp ? res->srtp_suite : "plain RTP");
}

/*
 * An SR from the user is answered with an RR about its stream (RFC 3550
 * 6.4.2), LSR from the SR and DLSR 0: the user's RTCP gets a round-trip
 * time.  Everything else in RTCP is dropped.
 */
static void rtcp_answer(struct echo *e, unsigned char *pkt, int len,
			const struct sockaddr_storage *to, socklen_t tolen)
{
	unsigned char rr[32 + SRTP_MAX_TRAILER_LEN];
	int rl = 32;

	if (e->srtp && srtp_unprotect_rtcp(e->in, pkt, &len) !=
	    srtp_err_status_ok)
		return;
	if (len < 28 || pkt[1] != 200)
		return;
	memset(rr, 0, sizeof(rr));
	rr[0] = 0x81;                           /* V=2, RC=1 */
	rr[1] = 201;                            /* RR */
	rr[3] = 7;                              /* 8 words - 1 */
	rr[4] = (unsigned char)(e->ssrc >> 24);
	rr[5] = (unsigned char)(e->ssrc >> 16);
	rr[6] = (unsigned char)(e->ssrc >> 8);
	rr[7] = (unsigned char)e->ssrc;
	memcpy(rr + 8, pkt + 4, 4);             /* SSRC_1: the sender */
	memcpy(rr + 24, pkt + 10, 4);           /* LSR: middle of the NTP time */
	if (e->srtp && srtp_protect_rtcp(e->out, rr, &rl) != srtp_err_status_ok)
		return;
	(void)sendto(e->rtcp, rr, (size_t)rl, 0, (const struct sockaddr *)to,
		     tolen);
}

static void on_rtp(int fd, short revents, void *arg)
{
	struct demo *d = arg;
	struct echo *e = &d->echo;
	unsigned char pkt[PKT_MAX + SRTP_MAX_TRAILER_LEN];

	(void)revents;
	for (int i = 0; i < ECHO_BURST; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, pkt, PKT_MAX, 0,
				     (struct sockaddr *)&from, &flen);
		int len;

		if (n < 0)
			return;
		if (n < 8 || (pkt[0] >> 6) != 2)
			continue;
		len = (int)n;
		if (fd == e->rtcp) {
			rtcp_answer(e, pkt, len, &from, flen);
			continue;
		}
		if (n < 12)
			continue;
		if (e->srtp && srtp_unprotect(e->in, pkt, &len) !=
		    srtp_err_status_ok)
			continue;
		pkt[8] = (unsigned char)(e->ssrc >> 24);
		pkt[9] = (unsigned char)(e->ssrc >> 16);
		pkt[10] = (unsigned char)(e->ssrc >> 8);
		pkt[11] = (unsigned char)e->ssrc;
		if (e->srtp && srtp_protect(e->out, pkt, &len) !=
		    srtp_err_status_ok)
			continue;
		if (sendto(e->rtp, pkt, (size_t)len, 0,
			   (struct sockaddr *)&from, flen) == len)
			e->packets++;
	}
}

static int bind_udp(uint16_t port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static uint16_t bound_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		return 0;
	return ntohs(sin.sin_port);
}

static int echo_open(struct demo *d)
{
	struct echo *e = &d->echo;

	for (int i = 0; i < 64; i++) {
		uint16_t p = offer_port_pick(40000, 59998);

		e->rtp = bind_udp(p);
		if (e->rtp < 0)
			continue;
		e->rtcp = bind_udp((uint16_t)(p + 1));
		if (e->rtcp >= 0) {
			e->port = p;
			break;
		}
		close(e->rtp);
		e->rtp = -1;
	}
	if (e->rtp < 0)
		return EADDRINUSE;
	if (rand_bytes(&e->ssrc, sizeof(e->ssrc)))
		return EIO;
	if (loop_fd_add(d->loop, e->rtp, POLLIN, on_rtp, d) ||
	    loop_fd_add(d->loop, e->rtcp, POLLIN, on_rtp, d))
		return ENOMEM;
	return 0;
}

/* ------------------------------------------------------------------ */
/* RSVP edge router: every PATH that carries our token is reserved     */
/* ------------------------------------------------------------------ */

/* Does a PATH's POLICY_DATA carry our token?  The token is the element
 * without its Length (SPECS 7.1): the element is Length, then the token. */
static bool has_token(const struct rsvp_msg *m, const char *hex)
{
	uint8_t tok[128];
	size_t tl = 0;

	if (rsvp_hex_decode(hex, strlen(hex), tok, sizeof(tok), &tl))
		return false;
	for (size_t i = 0; i < m->npolicy && i < RSVP_MAX_POLICY; i++) {
		if (m->policylen[i] >= tl + 2 &&
		    !memcmp(m->policy[i] + 2, tok, tl))
			return true;
	}
	return false;
}

/*
 * A PATH (RFC 2205 type 1) is answered with a Resv (type 2) carrying its
 * SESSION object, or a PathErr (type 3) with error code 2 (policy control
 * failure) when our token is not in it; other messages are ignored.
 */
static void on_rsvp(int fd, short revents, void *arg)
{
	struct demo *d = arg;
	uint8_t in[2048], out[512];

	(void)revents;
	for (int i = 0; i < ECHO_BURST; i++) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(fd, in, sizeof(in), 0,
				     (struct sockaddr *)&from, &flen);
		struct rsvp_msg m;
		size_t o = 8, off = 8, len;
		bool ok;
		uint16_t sum;

		if (n < 0)
			return;
		if (rsvp_parse(&m, in, (size_t)n) || m.type != 1)
			continue;
		ok = has_token(&m, d->token);
		memset(out, 0, sizeof(out));
		out[0] = 0x10;
		out[1] = ok ? 2 : 3;
		out[4] = 64;
		/* Copy the SESSION object (class 1); rsvp_parse checked the
		 * object lengths. */
		while (off + 4 <= (size_t)n) {
			size_t ol = (size_t)in[off] << 8 | in[off + 1];

			if (in[off + 2] == 1 && o + ol <= sizeof(out)) {
				memcpy(out + o, in + off, ol);
				o += ol;
			}
			off += ol;
		}
		if (!ok && o + 12 <= sizeof(out)) {
			/* ERROR_SPEC (class 6, C-Type 1): node 127.0.0.1,
			 * flags 0, code 2, value 0. */
			static const uint8_t es[12] = {0, 12, 6, 1, 127, 0, 0, 1,
						       0, 2, 0, 0};

			memcpy(out + o, es, sizeof(es));
			o += sizeof(es);
		}
		len = o;
		out[6] = (uint8_t)(len >> 8);
		out[7] = (uint8_t)len;
		sum = rsvp_checksum(out, len);
		out[2] = (uint8_t)(sum >> 8);
		out[3] = (uint8_t)sum;
		(void)sendto(fd, out, len, 0, (struct sockaddr *)&from, flen);
		log_info(DEMO_LOG, "RSVP PATH %s", ok ? "reserved" :
			 "refused: no valid token");
	}
}

/* AUTH_SESSION (RFC 3520): P-Type 4, AUTH_ENT_ID FQDN, SESSION_ID,
 * AUTHENTICATION_DATA; hex of the element without its Length. */
static int make_token(struct demo *d)
{
	static const char ent[] = "demo.siptty.invalid";
	unsigned char el[64], sid[8], mac[8];
	size_t n = 0;
	size_t el_len = strlen(ent);

	if (rand_bytes(sid, sizeof(sid)) || rand_bytes(mac, sizeof(mac)))
		return EIO;
	el[n++] = 0;
	el[n++] = 4;                                    /* P-Type */
	el[n++] = 0;
	el[n++] = (unsigned char)(4 + el_len);          /* AUTH_ENT_ID */
	el[n++] = 1;
	el[n++] = 3;
	memcpy(el + n, ent, el_len);
	n += el_len;
	while ((n - 2) % 4)
		el[n++] = 0;
	el[n++] = 0;
	el[n++] = 4 + sizeof(sid);                      /* SESSION_ID */
	el[n++] = 2;
	el[n++] = 0;
	memcpy(el + n, sid, sizeof(sid));
	n += sizeof(sid);
	el[n++] = 0;
	el[n++] = 4 + sizeof(mac);                      /* AUTHENTICATION_DATA */
	el[n++] = 8;
	el[n++] = 0;
	memcpy(el + n, mac, sizeof(mac));
	n += sizeof(mac);
	for (size_t i = 0; i < n; i++)
		snprintf(d->token + 2 * i, 3, "%02X", el[i]);
	return 0;
}

/* ------------------------------------------------------------------ */
/* HTTPS certificate server (its own thread, blocking, bounded)        */
/* ------------------------------------------------------------------ */

static void https_one(struct demo *d, gnutls_certificate_credentials_t cred,
		      int fd)
{
	gnutls_session_t s;
	char req[HTTPS_MAX_REQ + 1], hdr[256];
	size_t got = 0;
	struct timeval tv = {5, 0};
	bool found;

	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (gnutls_init(&s, GNUTLS_SERVER) < 0)
		return;
	if (gnutls_set_default_priority(s) < 0 ||
	    gnutls_credentials_set(s, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		goto out;
	gnutls_transport_set_int(s, fd);
	gnutls_handshake_set_timeout(s, 5000);
	if (gnutls_handshake(s) < 0)
		goto out;
	while (got < HTTPS_MAX_REQ) {
		ssize_t n = gnutls_record_recv(s, req + got, HTTPS_MAX_REQ - got);

		if (n <= 0)
			goto out;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	found = !strncmp(req, "GET /stir.pem ", 14);
	snprintf(hdr, sizeof(hdr), "HTTP/1.1 %s\r\nContent-Type: "
		 "application/pem-certificate-chain\r\nContent-Length: %zu\r\n"
		 "Cache-Control: max-age=3600\r\nConnection: close\r\n\r\n",
		 found ? "200 OK" : "404 Not Found", found ? d->stir_len : 0);
	if (gnutls_record_send(s, hdr, strlen(hdr)) > 0 && found)
		(void)gnutls_record_send(s, d->stir_pem, d->stir_len);
	(void)gnutls_bye(s, GNUTLS_SHUT_WR);
 out:
	gnutls_deinit(s);
}

static void *https_main(void *arg)
{
	struct demo *d = arg;
	gnutls_certificate_credentials_t cred;

	if (gnutls_certificate_allocate_credentials(&cred) < 0)
		return NULL;
	if (gnutls_certificate_set_x509_key_file(cred, d->cr.server_cert,
						 d->cr.server_key,
						 GNUTLS_X509_FMT_PEM) < 0) {
		gnutls_certificate_free_credentials(cred);
		return NULL;
	}
	for (;;) {
		struct pollfd p[2] = {{d->https_fd, POLLIN, 0},
				      {d->stop_pipe[0], POLLIN, 0}};
		int fd;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents)
			break;
		fd = accept4(d->https_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		/* accept4 inherits no O_NONBLOCK: the session blocks, bounded
		 * by the socket timeouts. */
		https_one(d, cred, fd);
		close(fd);
	}
	gnutls_certificate_free_credentials(cred);
	return NULL;
}

static int read_all(const char *path, char **outp, size_t *lenp)
{
	FILE *f = fopen(path, "re");
	char *p;
	size_t n;

	if (!f)
		return errno;
	p = malloc(16384);
	n = p ? fread(p, 1, 16383, f) : 0;
	fclose(f);
	if (!p)
		return ENOMEM;
	p[n] = '\0';
	*outp = p;
	*lenp = n;
	return 0;
}

static int https_start(struct demo *d)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	int one = 1, err;

	err = read_all(d->cr.stir_cert, &d->stir_pem, &d->stir_len);
	if (err)
		return err;
	d->https_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->https_fd < 0)
		return errno;
	(void)setsockopt(d->https_fd, SOL_SOCKET, SO_REUSEADDR, &one,
			 sizeof(one));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(d->https_fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    listen(d->https_fd, 8) < 0)
		return errno;
	d->https_port = bound_port(d->https_fd);
	if (pipe2(d->stop_pipe, O_CLOEXEC) < 0)
		return errno;
	err = pthread_create(&d->th, NULL, https_main, d);
	if (err)
		return err;
	d->th_on = true;
	return 0;
}

/* ------------------------------------------------------------------ */
/* SIP                                                                 */
/* ------------------------------------------------------------------ */

static int respond(struct sip_stsx *st, struct sip_msg *req, uint16_t code,
		   struct sip_msg **respp)
{
	int err = sip_tsx_response_alloc(respp, req, code, NULL,
					 sip_stsx_tag(st));

	if (err)
		(void)sip_stsx_respond(st, code, NULL);
	return err;
}

/* Does the request carry a digest answer to our challenge? */
static bool auth_ok(struct demo *d, struct sip_msg *req, enum sip_hdr_id id)
{
	const struct sip_auths *as;
	struct digest_params p;
	struct pl user, realm, nonce, uri, resp, qop, nc, cnonce, alg;
	char want[DIGEST_HEX_SIZE];

	if (sip_msg_auths(req, id, &as))
		return false;
	for (size_t i = 0; i < as->n; i++) {
		const struct sip_auth *a = &as->v[i];

		memset(&p, 0, sizeof(p));
		if (!pl_caseeq_str(&a->scheme, "Digest") ||
		    sip_auth_param(a, "username", &user) ||
		    sip_auth_param(a, "realm", &realm) ||
		    sip_auth_param(a, "nonce", &nonce) ||
		    sip_auth_param(a, "uri", &uri) ||
		    sip_auth_param(a, "response", &resp) ||
		    !pl_eq_str(&realm, DEMO_REALM) ||
		    !pl_eq_str(&nonce, d->nonce))
			continue;
		p.alg = sip_auth_param(a, "algorithm", &alg) ? DIGEST_ALG_MD5 :
			digest_alg_parse(&alg);
		if (p.alg != DIGEST_ALG_SHA256 && p.alg != DIGEST_ALG_MD5)
			continue;
		if (!sip_auth_param(a, "qop", &qop)) {
			char ncs[DIGEST_NC_SIZE];

			if (!pl_eq_str(&qop, "auth") ||
			    sip_auth_param(a, "nc", &nc) ||
			    sip_auth_param(a, "cnonce", &cnonce) ||
			    nc.l >= sizeof(ncs))
				continue;
			pl_strcpy(ncs, sizeof(ncs), &nc);
			p.qop = DIGEST_QOP_AUTH;
			p.nc = (uint32_t)strtoul(ncs, NULL, 16);
			p.cnonce = cnonce;
		}
		p.user = user;
		p.realm = realm;
		pl_set_str(&p.password, d->password);
		p.nonce = nonce;
		p.method = sip_msg_method(req);
		p.uri = uri;
		if (!digest_response(want, sizeof(want), &p) &&
		    pl_caseeq_str(&resp, want))
			return true;
	}
	return false;
}

static void challenge(struct demo *d, struct sip_stsx *st,
		      struct sip_msg *req, bool proxy)
{
	struct sip_msg *resp = NULL;

	if (respond(st, req, proxy ? 407 : 401, &resp))
		return;
	if (sip_msg_hdr_addf(resp, proxy ? SIP_HDR_PROXY_AUTHENTICATE :
			     SIP_HDR_WWW_AUTHENTICATE, "Digest realm=\""
			     DEMO_REALM "\", nonce=\"%s\", qop=\"auth\", "
			     "algorithm=SHA-256", d->nonce)) {
		sip_msg_free(resp);
		(void)sip_stsx_respond(st, 500, NULL);
		return;
	}
	(void)sip_stsx_send(st, resp);
}

static void call_end(struct demo *d, const char *why)
{
	if (!d->dlg && !d->inv)
		return;
	log_info(DEMO_LOG, "call ends: %s", why);
	tmr_cancel(&d->end_tmr);
	echo_stop(d);
	if (d->inv)
		sip_ctsx_set_handler(d->inv, NULL, NULL);
	d->inv = NULL;
	sip_uas2xx_free(d->u2xx);
	d->u2xx = NULL;
	sip_dialog_free(d->dlg);
	d->dlg = NULL;
	d->callid[0] = '\0';
}

static void send_in_dialog(struct demo *d, const char *method)
{
	struct sip_msg *req = NULL;
	char hp[128];
	int err;

	err = stack_hostport(d->st, &d->utgt, hp, sizeof(hp));
	if (!err)
		err = sip_dialog_request_alloc(&req, d->dlg, method);
	if (!err)
		err = sip_tsx_via_add(req, SIP_TP_TLS, hp);
	if (!err)
		err = sip_ctsx_alloc(NULL, stack_tsx(d->st), req, &d->utgt,
				     d->uconn, NULL, NULL);
	if (err)
		log_warn(DEMO_LOG, "cannot send %s: %s", method, strerror(err));
}

static void on_end_tmr(void *arg)
{
	struct demo *d = arg;

	if (d->dlg)
		send_in_dialog(d, "BYE");
	call_end(d, "the demo call lasted its ten minutes");
}

static int add_contact(struct demo *d, struct sip_msg *m, const char *hp)
{
	(void)d;
	return sip_msg_hdr_addf(m, SIP_HDR_CONTACT, "<sips:echo@%s;transport=tls>", hp);
}

static int make_body(struct demo *d, struct buf *b, const char *offer,
		     size_t len, struct offer_result *res)
{
	int err;

	d->lo.addr = "127.0.0.1";
	d->lo.port = d->echo.port;
	d->lo.dir = SDP_DIR_SENDRECV;
	d->lo.srtp = OFFER_SRTP_OPTIONAL;
	d->lo.secure = true;
	d->lo.sess_version++;
	err = offer ? offer_answer(b, res, offer, len, &d->lo) :
		      offer_build(b, &d->lo);
	return err ? err : b->err;
}

/* An INVITE: the user calls the echo, or re-INVITEs (hold, resume). */
static void on_invite(struct demo *d, struct sip_stsx *st,
		      struct sip_msg *req, bool in_dialog)
{
	struct sip_msg *resp = NULL;
	struct offer_result res;
	struct pl body = sip_msg_body(req), cid;
	struct sip_target tgt;
	void *conn = NULL;
	struct buf sdp;
	char hp[128];
	int err;

	if (!in_dialog && !auth_ok(d, req, SIP_HDR_PROXY_AUTHORIZATION)) {
		challenge(d, st, req, true);
		return;
	}
	if (!in_dialog && (d->dlg || d->inv)) {
		(void)sip_stsx_respond(st, 486, NULL);
		return;
	}
	if (!body.l) {
		(void)sip_stsx_respond(st, 488, NULL);
		return;
	}
	sip_stsx_peer(st, &tgt, &conn);
	buf_init(&sdp, 4096);
	err = stack_hostport(d->st, &tgt, hp, sizeof(hp));
	if (!err)
		err = make_body(d, &sdp, body.p, body.l, &res);
	if (err) {
		buf_free(&sdp);
		(void)sip_stsx_respond(st, 488, NULL);
		return;
	}
	if (!in_dialog) {
		d->utgt = tgt;
		d->uconn = conn;
		if (sip_msg_callid(req, &cid) ||
		    !pl_strcpy(d->callid, sizeof(d->callid), &cid) ||
		    sip_dialog_alloc_uas(&d->dlg, req, sip_stsx_tag(st))) {
			buf_free(&sdp);
			(void)sip_stsx_respond(st, 500, NULL);
			return;
		}
	}
	err = respond(st, req, 200, &resp);
	if (!err && sip_msg_hdr_num(req, SIP_HDR_RECORD_ROUTE))
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_RECORD_ROUTE);
	if (!err)
		err = add_contact(d, resp, hp);
	if (!err)
		err = sip_msg_hdr_add(resp, SIP_HDR_P_MEDIA_AUTHORIZATION,
				      d->token);
	if (!err)
		err = sip_msg_hdr_add(resp, SIP_HDR_CONTENT_TYPE,
				      "application/sdp");
	if (!err)
		err = sip_msg_set_body(resp, sdp.data, sdp.len);
	buf_free(&sdp);
	if (err) {
		sip_msg_free(resp);
		call_end(d, "cannot answer");
		return;
	}
	sip_dialog_confirm(d->dlg);
	sip_uas2xx_free(d->u2xx);
	d->u2xx = NULL;
	if (sip_uas2xx_start(&d->u2xx, stack_tsx(d->st), st, resp, NULL, NULL))
		log_warn(DEMO_LOG, "cannot send the 200");
	echo_start(d, &res);
	explicit_bzero(res.srtp_rx_key, sizeof(res.srtp_rx_key));
	if (!in_dialog)
		tmr_start(d->loop, &d->end_tmr, CALL_MAX_MS, on_end_tmr, d);
}

static void on_call_tmr(void *arg);

static void on_register(struct demo *d, struct sip_stsx *st,
			struct sip_msg *req)
{
	const struct sip_addrs *ct;
	struct sip_msg *resp = NULL;
	uint32_t exp = 600;
	int err;

	if (!auth_ok(d, req, SIP_HDR_AUTHORIZATION)) {
		challenge(d, st, req, false);
		return;
	}
	(void)sip_msg_uint(req, SIP_HDR_EXPIRES, &exp);
	if (!sip_msg_addrs(req, SIP_HDR_CONTACT, &ct) && ct->n) {
		struct pl v;

		if (!sip_param_get(&ct->v[0].params, "expires", &v)) {
			char s[12];

			pl_strcpy(s, sizeof(s), &v);
			exp = (uint32_t)strtoul(s, NULL, 10);
		}
		pl_strcpy(d->ucontact, sizeof(d->ucontact), &ct->v[0].uri_raw);
	}
	err = respond(st, req, 200, &resp);
	if (!err && ct)
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_CONTACT);
	if (!err)
		err = sip_msg_hdr_addf(resp, SIP_HDR_EXPIRES, "%u", exp);
	if (err) {
		sip_msg_free(resp);
		return;
	}
	(void)sip_stsx_send(st, resp);
	d->registered = exp > 0 && d->ucontact[0];
	sip_stsx_peer(st, &d->utgt, &d->uconn);
	if (d->registered && !d->called) {
		d->called = true;
		tmr_start(d->loop, &d->call_tmr, CALL_DELAY_MS, on_call_tmr, d);
	}
}

static void on_inv_resp(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
			struct sip_msg *resp, void *arg)
{
	struct demo *d = arg;
	struct offer_result res;
	struct sip_msg *ack = NULL;
	struct pl body;
	uint16_t code;
	char hp[128];
	int err;

	if (ev == SIP_CTSX_EV_TERMINATED) {
		d->inv = NULL;
		return;
	}
	if (ev != SIP_CTSX_EV_RESPONSE) {
		call_end(d, "the user's phone did not answer");
		return;
	}
	code = sip_msg_status(resp);
	if (code < 200)
		return;
	if (code >= 300) {
		call_end(d, "declined");
		return;
	}
	if (!d->dlg && sip_dialog_alloc_uac(&d->dlg, sip_ctsx_request(ct),
					    resp)) {
		call_end(d, "cannot make the dialog");
		return;
	}
	(void)sip_dialog_recv_response(d->dlg, resp);
	err = stack_hostport(d->st, &d->utgt, hp, sizeof(hp));
	if (!err)
		err = sip_dialog_ack_alloc(&ack, d->dlg, d->cseq);
	if (!err)
		err = sip_tsx_via_add(ack, SIP_TP_TLS, hp);
	if (!err)
		err = sip_tsx_layer_send(stack_tsx(d->st), ack, &d->utgt,
					 d->uconn);
	sip_msg_free(ack);
	if (tmr_running(&d->end_tmr))
		return;      /* a retransmitted 2xx: ACKed again */
	body = sip_msg_body(resp);
	if (!body.l || offer_accept(&res, body.p, body.l, &d->lo)) {
		send_in_dialog(d, "BYE");
		call_end(d, "the answer has nothing we offered");
		return;
	}
	echo_start(d, &res);
	explicit_bzero(res.srtp_rx_key, sizeof(res.srtp_rx_key));
	tmr_start(d->loop, &d->end_tmr, CALL_MAX_MS, on_end_tmr, d);
}

/* The demo calls the user: signed, asserted, with a token. */
static void on_call_tmr(void *arg)
{
	struct demo *d = arg;
	struct sip_msg *req = NULL;
	char hp[128], ident[1500], x5u[96];
	struct buf sdp;
	int err;

	if (!d->registered || d->dlg || d->inv)
		return;
	buf_init(&sdp, 4096);
	snprintf(x5u, sizeof(x5u), "https://localhost:%u/stir.pem",
		 d->https_port);
	err = demo_passport(ident, sizeof(ident), &d->cr, x5u, DEMO_TN,
			    USER_TN, (int64_t)time(NULL));
	if (!err && (rand_bytes(&d->cseq, sizeof(d->cseq)) ||
		     rand_token(d->callid, sizeof(d->callid), 24) ||
		     rand_token(d->ltag, sizeof(d->ltag), 12)))
		err = EIO;
	d->cseq = (d->cseq & 0xffff) + 1;
	if (!err)
		err = stack_hostport(d->st, &d->utgt, hp, sizeof(hp));
	if (!err)
		err = sip_msg_request_alloc(&req, "INVITE", d->ucontact);
	if (!err)
		err = sip_tsx_via_add(req, SIP_TP_TLS, hp);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_MAX_FORWARDS, "70");
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_FROM, "\"Demo Echo\" "
				       "<sips:+" DEMO_TN "@localhost;user=phone>;tag=%s",
				       d->ltag);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_TO, "<sips:+" USER_TN
				      "@localhost;user=phone>");
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_CALL_ID, d->callid);
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_CSEQ, "%u INVITE", d->cseq);
	if (!err)
		err = add_contact(d, req, hp);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_P_ASSERTED_IDENTITY,
				      "\"Demo Echo\" <sips:+" DEMO_TN
				      "@localhost;user=phone;verstat=TN-Validation-Passed>");
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_IDENTITY, ident);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_P_MEDIA_AUTHORIZATION,
				      d->token);
	if (!err)
		err = make_body(d, &sdp, NULL, 0, NULL);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_CONTENT_TYPE,
				      "application/sdp");
	if (!err)
		err = sip_msg_set_body(req, sdp.data, sdp.len);
	buf_free(&sdp);
	if (err) {
		sip_msg_free(req);
		log_warn(DEMO_LOG, "cannot build the demo call: %s",
			 strerror(err));
		return;
	}
	log_info(DEMO_LOG, "calling %s", d->ucontact);
	err = sip_ctsx_alloc(&d->inv, stack_tsx(d->st), req, &d->utgt,
			     d->uconn, on_inv_resp, d);
	if (err)
		call_end(d, "cannot send the INVITE");
}

static bool same_call(struct demo *d, struct sip_msg *req)
{
	struct pl cid;

	return d->callid[0] && !sip_msg_callid(req, &cid) &&
	       pl_eq_str(&cid, d->callid);
}

static bool on_request(struct sip_stsx *st, struct sip_msg *req, void *arg)
{
	struct demo *d = arg;
	enum sip_method m = sip_msg_method_id(req);
	bool mine = same_call(d, req);
	struct sip_msg *resp = NULL;

	if (m == SIP_M_ACK) {
		if (mine && d->u2xx)
			(void)sip_uas2xx_ack(d->u2xx, req);
		return true;
	}
	if (!st)
		return true;
	switch (m) {
	case SIP_M_REGISTER:
		on_register(d, st, req);
		return true;
	case SIP_M_INVITE:
		on_invite(d, st, req, mine && d->dlg);
		return true;
	case SIP_M_BYE:
		if (!mine) {
			(void)sip_stsx_respond(st, 481, NULL);
			return true;
		}
		(void)sip_stsx_respond(st, 200, NULL);
		call_end(d, "the user hung up");
		return true;
	case SIP_M_OPTIONS:
		if (!respond(st, req, 200, &resp))
			(void)sip_stsx_send(st, resp);
		return true;
	default:
		return false;
	}
}

/* ------------------------------------------------------------------ */
/* Set-up                                                              */
/* ------------------------------------------------------------------ */

int demo_start(struct demo **dp, struct loop *loop, const char **conf_text)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	struct demo *d;
	char text[1024];
	int err;

	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->loop = loop;
	d->https_fd = d->rsvp_fd = d->echo.rtp = d->echo.rtcp = -1;
	d->stop_pipe[0] = d->stop_pipe[1] = -1;
	tmr_init(&d->call_tmr);
	tmr_init(&d->end_tmr);
	buf_init(&d->conf_text, 0);
	err = media_lib_up();
	if (err) {
		free(d);
		return err;
	}
	d->lib_up = true;
	err = demo_creds_make(&d->cr, DEMO_TN);
	if (!err && (rand_token(d->password, sizeof(d->password), 24) ||
		     rand_token(d->nonce, sizeof(d->nonce), 24) ||
		     rand_bytes(d->lo.key, sizeof(d->lo.key)) ||
		     rand_bytes(&d->lo.sess_id, sizeof(d->lo.sess_id))))
		err = EIO;
	d->lo.sess_id &= 0x7fffffffffffull;
	if (!err)
		err = make_token(d);
	if (!err) {
		snprintf(text, sizeof(text), "[tls]\ncert_file = %s\n"
			 "key_file = %s\n", d->cr.server_cert,
			 d->cr.server_key);
		err = conf_load_string(&d->sconf, "demo-server", text);
	}
	if (!err)
		err = stack_alloc(&d->st, loop, d->sconf);
	if (!err) {
		stack_set_request_handler(d->st, on_request, d);
		stack_set_registrar(d->st, true);
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		err = sip_transport_listen(stack_transport(d->st), SIP_TP_TLS,
					   (struct sockaddr *)&sin,
					   sizeof(sin));
	}
	if (!err)
		err = sip_transport_laddr(stack_transport(d->st), SIP_TP_TLS,
					  AF_INET, &ss, &sl);
	if (!err)
		d->sip_port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	if (!err)
		err = https_start(d);
	if (!err)
		err = echo_open(d);
	if (!err) {
		d->rsvp_fd = bind_udp(0);
		if (d->rsvp_fd < 0)
			err = errno;
	}
	if (!err) {
		d->rsvp_port = bound_port(d->rsvp_fd);
		err = loop_fd_add(loop, d->rsvp_fd, POLLIN, on_rsvp, d);
	}
	if (err) {
		log_error(DEMO_LOG, "cannot start the demo service: %s",
			  strerror(err));
		demo_stop(d);
		return err;
	}
	buf_printf(&d->conf_text,
		   "[account demo]\n"
		   "aor = sips:+" USER_TN "@localhost\n"
		   "display_name = siptty demo user\n"
		   "registrar = sips:localhost:%u\n"
		   "password = %s\n"
		   "expires = 600\n"
		   "srtp = optional\n"
		   "qos = yes\n"
		   "qos_edge_router = 127.0.0.1:%u\n"
		   "trusted_hosts = localhost\n"
		   "[tls]\n"
		   "ca_file = %s\n"
		   "[identity]\n"
		   "trust_anchors = %s\n"
		   "fetch_ca_file = %s\n",
		   d->sip_port, d->password, d->rsvp_port, d->cr.ca,
		   d->cr.stir_ca, d->cr.ca);
	if (d->conf_text.err) {
		err = d->conf_text.err;
		demo_stop(d);
		return err;
	}
	log_info(DEMO_LOG, "demo service on sips:localhost:%u (certificates "
		 "on https://localhost:%u, RSVP on 127.0.0.1:%u, echo on "
		 "127.0.0.1:%u)", d->sip_port, d->https_port, d->rsvp_port,
		 d->echo.port);
	*conf_text = d->conf_text.data;
	*dp = d;
	return 0;
}

void demo_stop(struct demo *d)
{
	if (!d)
		return;
	call_end(d, "siptty exits");
	tmr_cancel(&d->call_tmr);
	if (d->th_on) {
		(void)!write(d->stop_pipe[1], "x", 1);
		pthread_join(d->th, NULL);
	}
	for (int i = 0; i < 2; i++) {
		if (d->stop_pipe[i] >= 0)
			close(d->stop_pipe[i]);
	}
	if (d->https_fd >= 0)
		close(d->https_fd);
	if (d->echo.rtp >= 0) {
		loop_fd_del(d->loop, d->echo.rtp);
		close(d->echo.rtp);
	}
	if (d->echo.rtcp >= 0) {
		loop_fd_del(d->loop, d->echo.rtcp);
		close(d->echo.rtcp);
	}
	if (d->rsvp_fd >= 0) {
		loop_fd_del(d->loop, d->rsvp_fd);
		close(d->rsvp_fd);
	}
	stack_free(d->st);
	if (d->lib_up)
		media_lib_down();
	conf_free(d->sconf);
	free(d->stir_pem);
	demo_creds_free(&d->cr);
	explicit_bzero(d->password, sizeof(d->password));
	explicit_bzero(d->lo.key, sizeof(d->lo.key));
	if (d->conf_text.data)
		explicit_bzero(d->conf_text.data, d->conf_text.len);
	buf_free(&d->conf_text);
	free(d);
}
