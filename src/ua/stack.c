/* stack.c - receive path (decode, validate, stateless errors, rport, transactions) and send path (scrub, trace, transport). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/conf.h"
#include "core/events.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/ratelimit.h"
#include "core/rand.h"
#include "sip/msg.h"
#include "sip/resolve.h"
#include "sip/tlsid.h"
#include "ua/scrub.h"
#include "ua/stack.h"
#include "ua/trace.h"

#define STACK_LOG "stack"
#define STACK_SWEEP_MS 5000
/* An incoming connection that no dialog may use, quiet this long, is
 * closed ([sip] tcp_idle_s). */
#define STACK_IN_IDLE_MS 300000

/* One limiter per call site a remote peer reaches: N lines a second. */
#define RX_LIMIT(name) \
	static struct ratelimit name = RATELIMIT_INIT(RATELIMIT_RX_BURST, \
						      RATELIMIT_RX_PERIOD_MS)

struct stack_conn {
	struct stack_conn *next;
	struct stack *st;
	struct sip_flow *flow;      /* a reference, or NULL */
	char *tls_domain;
	bool tls_only;
	bool incoming;
	bool pinned;            /* incoming: carried a request that may start a
	                         * dialog or a binding the UA keeps using */
	bool released;
	uint64_t released_at;
	stack_conn_h *h;
	void *arg;
};

struct stack {
	struct loop *loop;
	struct sip_transport *tp;
	struct sip_tsx_layer *tsx;
	struct resolver *res;
	struct stack_conn *conns;
	struct tmr sweep;
	uint64_t linger_ms;
	uint64_t in_idle_ms;    /* quiet bound of unpinned incoming conns */
	char ua[128];
	stack_req_h *reqh;
	void *reqarg;
	size_t rejected;
	bool registrar;         /* REGISTER goes to the handler (the demo) */
};

/* ------------------------------------------------------------------ */
/* Conns                                                               */
/* ------------------------------------------------------------------ */

static void conn_free(struct stack_conn *c)
{
	if (!c)
		return;
	sip_flow_unref(c->flow);
	free(c->tls_domain);
	free(c);
}

int stack_conn_alloc(struct stack_conn **cp, struct stack *st,
		     const char *tls_domain, bool tls_only, stack_conn_h *h,
		     void *arg)
{
	struct stack_conn *c;

	if (!cp || !st)
		return EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	if (tls_domain && !(c->tls_domain = strdup(tls_domain))) {
		free(c);
		return ENOMEM;
	}
	c->st = st;
	c->tls_only = tls_only;
	c->h = h;
	c->arg = arg;
	c->next = st->conns;
	st->conns = c;
	*cp = c;
	return 0;
}

void stack_conn_release(struct stack_conn *c)
{
	if (!c)
		return;
	c->h = NULL;
	c->arg = NULL;
	c->released = true;
	c->released_at = loop_now_ms();
}

struct sip_flow *stack_conn_flow(const struct stack_conn *c)
{
	return c ? c->flow : NULL;
}

void stack_conn_reset(struct stack_conn *c)
{
	if (!c || !c->flow)
		return;
	sip_flow_close(c->flow);
	c->flow = sip_flow_unref(c->flow);
}

/*
 * Closes incoming connections no one uses: quiet (no SIP message either
 * way) for in_idle_ms, at least 64*T1, after which every non-INVITE
 * transaction on them is over (Timer F; J and I are 0 on streams), and
 * never one that carried an INVITE, REFER or REGISTER: a dialog or a
 * registration may send on it at any time (RFC 5923 section 4 keeps such
 * connections open), and only the peer closes those.
 */
static void close_quiet(struct stack *st, uint64_t now)
{
	RX_LIMIT(rl);

	for (struct stack_conn *c = st->conns; c; c = c->next) {
		uint64_t last;

		if (!c->incoming || c->released || c->pinned || !c->flow ||
		    !sip_flow_is_open(c->flow))
			continue;
		last = sip_flow_last_msg_ms(c->flow);
		if (now < last || now - last < st->in_idle_ms)
			continue;
		log_limited(&rl, LOG_INFO, STACK_LOG, "flow %llu: closing an "
			    "incoming connection unused for %llu s",
			    (unsigned long long)sip_flow_id(c->flow),
			    (unsigned long long)((now - last) / 1000));
		/* The CLOSED event releases c; the list does not change. */
		sip_flow_close(c->flow);
	}
}

/* Frees released conns no transaction can still hold (Timer F, H, D or
 * J end every transaction within 64*T1 plus Timer D). */
static void sweep(void *arg)
{
	struct stack *st = arg;
	uint64_t now = loop_now_ms();

	close_quiet(st, now);
	for (struct stack_conn **cp = &st->conns; *cp;) {
		struct stack_conn *c = *cp;

		if (c->released && now - c->released_at > st->linger_ms) {
			*cp = c->next;
			conn_free(c);
		} else {
			cp = &c->next;
		}
	}
	tmr_start(st->loop, &st->sweep, STACK_SWEEP_MS, sweep, st);
}

static struct stack_conn *conn_incoming(struct stack *st,
					struct sip_flow *flow)
{
	struct stack_conn *c;

	for (c = st->conns; c; c = c->next) {
		if (c->flow == flow && (c->incoming || !c->released))
			return c;
	}
	if (stack_conn_alloc(&c, st, sip_flow_tls_domain(flow), false, NULL,
			     NULL))
		return NULL;
	c->incoming = true;
	c->flow = sip_flow_ref(flow);
	return c;
}

/* ------------------------------------------------------------------ */
/* Send path: every message leaves through here                        */
/* ------------------------------------------------------------------ */

static void peer_name(char *out, size_t sz, enum sip_tp tp,
		      const struct sockaddr *sa)
{
	char a[80];

	snprintf(out, sz, "%s %s", sip_tp_name(tp),
		 sa ? sip_sa_str(sa, a, sizeof(a)) : "?");
}

static int io_send(void *arg, const struct sip_msg *msg,
		   const struct sip_target *dst, void *flow)
{
	struct stack *st = arg;
	struct stack_conn *c = flow;
	struct sip_flow *nf = NULL;
	char peer[128];
	struct buf b;
	int err;

	if (!dst)
		return EINVAL;
	/* The promise of sips: and require_tls, kept at the last door. */
	if (c && c->tls_only && dst->tp != SIP_TP_TLS) {
		log_error(STACK_LOG, "refused to send over %s on a TLS-only "
			  "account", sip_tp_name(dst->tp));
		return EPERM;
	}
	buf_init(&b, SIP_MSG_MAX);
	err = scrub_print(&b, msg, NULL);
	if (!err)
		err = b.err;
	if (err)
		goto out;
	peer_name(peer, sizeof(peer), dst->tp,
		  (const struct sockaddr *)&dst->addr);
	trace_msg(true, peer, b.data, b.len);
	if (c && c->flow && sip_flow_is_open(c->flow)) {
		err = sip_flow_send(c->flow, b.data, b.len);
	} else if (c && c->incoming) {
		err = ENOTCONN;
	} else {
		err = sip_transport_send(st->tp, dst, c ? c->tls_domain : NULL,
					 b.data, b.len, &nf);
		if (!err && c && dst->tp != SIP_TP_UDP) {
			sip_flow_unref(c->flow);
			c->flow = nf;
			nf = NULL;
		}
		sip_flow_unref(nf);
	}
	if (err) {
		/* Answers to spoofed sources fail as often as they come. */
		RX_LIMIT(rl);

		log_limited(&rl, LOG_WARN, STACK_LOG, "cannot send to %s: %s",
			    peer, strerror(err));
	}
 out:
	buf_free(&b);
	return err;
}

/* ------------------------------------------------------------------ */
/* Stateless answers to requests we cannot or will not take            */
/* ------------------------------------------------------------------ */

static bool hname_is(const char *p, size_t n, const char *full,
		     const char *compact)
{
	return (strlen(full) == n && !strncasecmp(p, full, n)) ||
	       (compact && strlen(compact) == n && !strncasecmp(p, compact, n));
}

/*
 * Builds the response from the raw request, copying the Via, From, To,
 * Call-ID and CSeq lines as they came: it works for messages whose
 * headers do not decode, which are exactly the ones answered here.
 */
static int raw_response(struct sip_msg **respp, const char *p, size_t len,
			uint16_t status, const char *reason,
			const char *extra)
{
	const char *end = p + len, *line;
	char tag[32];
	struct buf b;
	bool head = true;
	int err;

	buf_init(&b, SIP_HEAD_MAX);
	buf_printf(&b, "SIP/2.0 %u %s\r\n", status,
		   reason && *reason ? reason : sip_tsx_reason(status));
	line = memchr(p, '\n', len);
	line = line ? line + 1 : end;
	while (head && line < end) {
		const char *nl = memchr(line, '\n', end - line);
		const char *le = nl ? nl : end, *colon, *ne;
		size_t vl;

		if (le - line <= 1 && (line == le || *line == '\r'))
			break;
		if (*line == ' ' || *line == '\t') {
			line = nl ? nl + 1 : end;
			continue;
		}
		colon = memchr(line, ':', le - line);
		if (colon) {
			ne = colon;
			while (ne > line && (ne[-1] == ' ' || ne[-1] == '\t'))
				ne--;
			vl = le - line;
			if (vl && line[vl - 1] == '\r')
				vl--;
			if (hname_is(line, ne - line, "Via", "v") ||
			    hname_is(line, ne - line, "From", "f") ||
			    hname_is(line, ne - line, "Call-ID", "i") ||
			    hname_is(line, ne - line, "CSeq", NULL)) {
				buf_write(&b, line, vl);
				buf_puts(&b, "\r\n");
			} else if (hname_is(line, ne - line, "To", "t")) {
				bool has_tag = false;

				for (const char *q = colon; q + 4 <= line + vl;
				     q++) {
					if (!strncasecmp(q, "tag=", 4))
						has_tag = true;
				}
				buf_write(&b, line, vl);
				if (!has_tag && status > 100 &&
				    !rand_tag(tag, sizeof(tag)))
					buf_printf(&b, ";tag=%s", tag);
				buf_puts(&b, "\r\n");
			}
		}
		line = nl ? nl + 1 : end;
	}
	if (extra)
		buf_puts(&b, extra);
	buf_puts(&b, "Content-Length: 0\r\n\r\n");
	err = b.err;
	if (!err)
		err = sip_msg_decode(respp, b.data, b.len, 0, NULL);
	buf_free(&b);
	return err;
}

static void target_from_rx(struct sip_target *t, const struct sip_rx *rx)
{
	memset(t, 0, sizeof(*t));
	t->tp = rx->tp;
	if (rx->src && rx->srclen <= sizeof(t->addr)) {
		memcpy(&t->addr, rx->src, rx->srclen);
		t->addrlen = rx->srclen;
	}
}

static void reject(struct stack *st, const struct sip_rx *rx,
		   uint16_t status, const char *reason, const char *extra)
{
	struct sip_msg *resp = NULL;
	struct sip_target dst;
	struct stack_conn *c = NULL;

	RX_LIMIT(rl);

	st->rejected++;
	log_limited(&rl, LOG_INFO, STACK_LOG, "answering %u %s statelessly",
		    status, reason ? reason : "");
	if (raw_response(&resp, rx->p, rx->len, status, reason, extra))
		return;
	target_from_rx(&dst, rx);
	if (rx->tp != SIP_TP_UDP && rx->flow)
		c = conn_incoming(st, rx->flow);
	(void)sip_tsx_layer_send(st->tsx, resp, &dst, c);
	sip_msg_free(resp);
}

/* ------------------------------------------------------------------ */
/* Receive path                                                        */
/* ------------------------------------------------------------------ */

/* RFC 3261 18.2.1 and RFC 3581: received= always (cheap, and right behind
 * NAT), rport filled in when the client asked for it. */
static int via_fix(struct sip_msg *msg, const struct sip_rx *rx)
{
	const struct sip_vias *vias;
	const struct sip_hdr *h;
	struct sockaddr_storage ss;
	char ip[INET6_ADDRSTRLEN] = "";
	uint16_t port = 0;
	size_t i = 0, at;
	struct buf b;
	struct pl v, rest;
	const struct sip_via *top;
	int err;

	if (!rx->src || rx->srclen > sizeof(ss))
		return 0;
	memcpy(&ss, rx->src, rx->srclen);
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
		port = ntohs(sin->sin_port);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
		port = ntohs(sin6->sin6_port);
	} else {
		return 0;
	}
	err = sip_msg_vias(msg, &vias);
	if (err || !vias->n)
		return err ? err : EBADMSG;
	h = sip_msg_hdr_next(msg, SIP_HDR_VIA, &i);
	if (!h)
		return EBADMSG;
	at = i - 1;
	top = &vias->v[0];
	buf_init(&b, SIP_HDR_LEN_MAX);
	buf_printf(&b, "%.*s/%.*s/%.*s %s%.*s%s", PL_FMT(&top->proto),
		   PL_FMT(&top->version), PL_FMT(&top->transport),
		   top->ipv6 ? "[" : "", PL_FMT(&top->host),
		   top->ipv6 ? "]" : "");
	if (top->port)
		buf_printf(&b, ":%u", top->port);
	/* Parameters again, without received and rport: ours replace them. */
	v = top->params;
	while (v.l) {
		const char *s = v.p + 1, *e = v.p + v.l, *q;
		struct pl name;

		for (q = s; q < e && *q != ';'; q++)
			;
		name.p = s;
		for (name.l = 0; s + name.l < q && s[name.l] != '='; name.l++)
			;
		pl_trim(&name);
		if (!pl_caseeq_str(&name, "received") &&
		    !pl_caseeq_str(&name, "rport"))
			buf_write(&b, v.p, q - v.p);
		v.p = q;
		v.l = e - q;
	}
	buf_printf(&b, ";received=%s", ip);
	if (top->rport.p)
		buf_printf(&b, ";rport=%u", port);
	/* The other Vias of the same header line follow unchanged. */
	rest.p = top->raw.p + top->raw.l;
	rest.l = (size_t)(h->val.p + h->val.l - rest.p);
	if (rest.p >= h->val.p && rest.p <= h->val.p + h->val.l)
		buf_putpl(&b, &rest);
	err = b.err;
	if (!err) {
		struct pl nv = {b.data, b.len};

		err = sip_msg_hdr_remove_at(msg, at);
		if (!err)
			err = sip_msg_hdr_insert(msg, at, SIP_HDR_VIA, NULL, &nv);
	}
	buf_free(&b);
	return err;
}

static bool method_allowed(enum sip_method m)
{
	switch (m) {
	case SIP_M_INVITE:
	case SIP_M_ACK:
	case SIP_M_CANCEL:
	case SIP_M_BYE:
	case SIP_M_OPTIONS:
	case SIP_M_REFER:
	case SIP_M_NOTIFY:
		return true;
	default:
		return false;
	}
}

/* The UA's own checks (RFC 3261 8.2.1-8.2.3); true when answered. */
static bool ua_checks(struct stack *st, struct sip_msg *msg,
		      const struct sip_rx *rx)
{
	enum sip_method m = sip_msg_method_id(msg);
	const struct sip_tokens *req;
	const struct sip_vias *vias;
	struct buf b;

	/* A broadcast sent-by is an amplification attempt (RFC 4475 bcast). */
	if (!sip_msg_vias(msg, &vias) && vias->n &&
	    pl_eq_str(&vias->v[0].host, "255.255.255.255")) {
		RX_LIMIT(rl);

		log_limited(&rl, LOG_INFO, STACK_LOG, "dropped a request with "
			    "a broadcast Via");
		return true;
	}
	if (m == SIP_M_ACK)
		return false;
	if (!method_allowed(m) && !(m == SIP_M_REGISTER && st->registrar)) {
		if (m == SIP_M_OTHER)
			reject(st, rx, 501, "Not Implemented",
			       "Allow: " STACK_ALLOW "\r\n");
		else
			reject(st, rx, 405, "Method Not Allowed",
			       "Allow: " STACK_ALLOW "\r\n");
		return true;
	}
	if (m != SIP_M_CANCEL &&
	    !sip_msg_tokens(msg, SIP_HDR_REQUIRE, &req) && req->n) {
		/* No extension is required-capable yet: each is unknown. */
		buf_init(&b, SIP_HDR_LEN_MAX);
		buf_puts(&b, "Unsupported: ");
		for (size_t i = 0; i < req->n; i++)
			buf_printf(&b, "%s%.*s", i ? ", " : "",
				   PL_FMT(&req->v[i]));
		buf_puts(&b, "\r\n");
		if (!b.err)
			reject(st, rx, 420, "Bad Extension", b.data);
		buf_free(&b);
		return true;
	}
	if (m == SIP_M_INVITE && sip_msg_body(msg).l) {
		const struct sip_ctype *ct;

		if (sip_msg_ctype(msg, &ct) ||
		    !pl_caseeq_str(&ct->type, "application") ||
		    !pl_caseeq_str(&ct->subtype, "sdp")) {
			reject(st, rx, 415, "Unsupported Media Type",
			       "Accept: " STACK_ACCEPT "\r\n");
			return true;
		}
	}
	return false;
}

void stack_recv(struct stack *st, const struct sip_rx *rx)
{
	struct sip_msg *msg = NULL;
	struct sip_err serr = {0};
	struct sip_target src;
	struct stack_conn *c = NULL;
	char peer[128];
	int err;

	if (!st || !rx || !rx->p || !rx->len)
		return;
	peer_name(peer, sizeof(peer), rx->tp, rx->src);
	trace_msg(false, peer, rx->p, rx->len);
	err = sip_msg_decode(&msg, rx->p, rx->len,
			     rx->tp == SIP_TP_UDP ? 0 : SIP_MSG_STREAM, &serr);
	if (err) {
		RX_LIMIT(rl);

		/* Only a request line earns an answer; a response is dropped. */
		if (serr.status && rx->len > 4 && strncmp(rx->p, "SIP/", 4))
			reject(st, rx, serr.status, serr.reason, NULL);
		else
			log_limited(&rl, LOG_DEBUG, STACK_LOG, "dropped from "
				    "%s: %s", peer, serr.reason ? serr.reason :
				    strerror(err));
		return;
	}
	err = sip_msg_validate(msg, &serr);
	if (err) {
		if (sip_msg_is_request(msg) && serr.status &&
		    sip_msg_method_id(msg) != SIP_M_ACK) {
			char extra[128] = "";

			if (serr.status == 501 || serr.status == 405)
				snprintf(extra, sizeof(extra),
					 "Allow: %s\r\n", STACK_ALLOW);
			reject(st, rx, serr.status, serr.reason, extra);
		} else {
			RX_LIMIT(rl);

			log_limited(&rl, LOG_DEBUG, STACK_LOG, "dropped from "
				    "%s: %s", peer, serr.reason ? serr.reason :
				    strerror(err));
		}
		goto out;
	}
	if (sip_msg_is_request(msg)) {
		if (ua_checks(st, msg, rx))
			goto out;
		if (via_fix(msg, rx)) {
			reject(st, rx, 400, "Bad Via", NULL);
			goto out;
		}
	}
	target_from_rx(&src, rx);
	if (rx->tp != SIP_TP_UDP && rx->flow) {
		c = conn_incoming(st, rx->flow);
		if (c && c->incoming && sip_msg_is_request(msg)) {
			enum sip_method m = sip_msg_method_id(msg);

			if (m == SIP_M_INVITE || m == SIP_M_REFER ||
			    m == SIP_M_REGISTER)
				c->pinned = true;
		}
	}
	err = sip_tsx_recv(st->tsx, msg, &src, c);
	if (err == ENOENT) {
		RX_LIMIT(rl);

		log_limited(&rl, LOG_DEBUG, STACK_LOG, "a response from %s "
			    "matched no transaction", peer);
	} else if (err) {
		RX_LIMIT(rl);

		log_limited(&rl, LOG_DEBUG, STACK_LOG, "not handled (%s)",
			    strerror(err));
	}
 out:
	sip_msg_free(msg);
}

size_t stack_rejected(const struct stack *st)
{
	return st ? st->rejected : 0;
}

static bool has_to_tag(struct sip_msg *req)
{
	const struct sip_addr *to;

	return !sip_msg_addr(req, SIP_HDR_TO, &to) && pl_isset(&to->tag);
}

/* Requests outside any transaction: the UA's, or a default answer. */
static void on_request(struct sip_stsx *sx, struct sip_msg *req,
		       const struct sip_target *src, void *flow, void *arg)
{
	struct stack *st = arg;
	struct sip_msg *resp = NULL;
	enum sip_method m;

	(void)src;
	(void)flow;
	if (!sx) {
		/* An ACK for a 2xx: the UA's dialogs stop retransmitting on it
		 * (stack.h promises the handler sees it with st NULL). */
		if (st->reqh)
			(void)st->reqh(NULL, req, st->reqarg);
		return;
	}
	if (st->reqh && st->reqh(sx, req, st->reqarg))
		return;
	m = sip_msg_method_id(req);
	if (m == SIP_M_OPTIONS) {
		if (sip_tsx_response_alloc(&resp, req, 200, NULL,
					   sip_stsx_tag(sx)) ||
		    sip_msg_hdr_add(resp, SIP_HDR_ALLOW, STACK_ALLOW) ||
		    sip_msg_hdr_add(resp, SIP_HDR_ACCEPT, STACK_ACCEPT) ||
		    sip_msg_hdr_add(resp, SIP_HDR_SUPPORTED, STACK_SUPPORTED) ||
		    sip_msg_hdr_add(resp, SIP_HDR_USER_AGENT, st->ua)) {
			sip_msg_free(resp);
			(void)sip_stsx_respond(sx, 500, NULL);
			return;
		}
		(void)sip_stsx_send(sx, resp);
		return;
	}
	/* A To tag names a dialog: none of ours took it, so it does not
	 * exist (RFC 3261 12.2.2); a new INVITE or REFER the UA did not take
	 * finds nobody here. */
	if ((m == SIP_M_INVITE || m == SIP_M_REFER) && !has_to_tag(req))
		(void)sip_stsx_respond(sx, 480, NULL);
	else
		(void)sip_stsx_respond(sx, 481, NULL);
}

/* ------------------------------------------------------------------ */
/* Transport callbacks                                                 */
/* ------------------------------------------------------------------ */

static void on_rx(const struct sip_rx *rx, void *arg)
{
	stack_recv(arg, rx);
}

/*
 * A `tls` event for every TLS server check: verified for a domain, or
 * refused and why (the identity check's reason, or the sentence).
 */
static void tls_event(struct sip_flow *flow, const struct sip_flow_event *ev)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	const char *dom = sip_flow_tls_domain(flow);
	char peer[64] = "";
	bool ok = ev->type == SIP_FLOW_TLS_VERIFIED;

	if (sip_flow_tp(flow) != SIP_TP_TLS || (!ok &&
	    !(ev->type == SIP_FLOW_CLOSED && (ev->err == EACCES ||
					      ev->err == EPROTO))))
		return;
	if (!sip_flow_raddr(flow, &ss, &sl))
		(void)sip_sa_str((struct sockaddr *)&ss, peer, sizeof(peer));
	(void)events_emit("tls", json_pack("{s:I, s:s, s:s, s:s, s:s}",
		"flow", (json_int_t)sip_flow_id(flow), "peer", peer,
		"domain", dom ? dom : "",
		"state", ok ? "verified" : "failed",
		"reason", ok ? "" : ev->tls ? tlsid_reason_str(ev->tls->reason) :
			  ev->text ? ev->text : strerror(ev->err)));
}

static void on_flow(struct sip_flow *flow, const struct sip_flow_event *ev,
		    void *arg)
{
	struct stack *st = arg;

	tls_event(flow, ev);
	if (ev->type == SIP_FLOW_CLOSED || ev->type == SIP_FLOW_ERROR) {
		RX_LIMIT(rl);

		/* Incoming flows come and go at the peers' pace. */
		if (sip_flow_is_outgoing(flow))
			log_info(STACK_LOG, "flow %llu: %s",
				 (unsigned long long)sip_flow_id(flow),
				 ev->text ? ev->text : strerror(ev->err));
		else
			log_limited(&rl, LOG_INFO, STACK_LOG, "flow %llu: %s",
				    (unsigned long long)sip_flow_id(flow),
				    ev->text ? ev->text : strerror(ev->err));
	}
	for (struct stack_conn *c = st->conns; c; c = c->next) {
		if (c->flow != flow)
			continue;
		if (c->h)
			c->h(c, ev, c->arg);
		if (ev->type == SIP_FLOW_CLOSED && c->incoming &&
		    !c->released)
			stack_conn_release(c);
	}
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

static int parse_hostport(const char *s, struct sockaddr_storage *ss,
			  socklen_t *lenp)
{
	char host[128];
	const char *port = NULL;
	unsigned long pn = 5060;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *e = strchr(s, ']');

		if (!e || (size_t)(e - s - 1) >= sizeof(host))
			return EINVAL;
		memcpy(host, s + 1, e - s - 1);
		host[e - s - 1] = '\0';
		if (e[1] == ':')
			port = e + 2;
	} else {
		const char *colon = strrchr(s, ':');
		size_t n = colon ? (size_t)(colon - s) : strlen(s);

		if (n >= sizeof(host))
			return EINVAL;
		memcpy(host, s, n);
		host[n] = '\0';
		if (colon)
			port = colon + 1;
	}
	if (port) {
		char *end;

		pn = strtoul(port, &end, 10);
		if (*end || pn > 65535)
			return EINVAL;
	}
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)pn);
		*lenp = sizeof(*sin);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)pn);
		*lenp = sizeof(*sin6);
		return 0;
	}
	return EINVAL;
}

int stack_listen(struct stack *st, const struct sockaddr *addr,
		 socklen_t len)
{
	int err;

	err = sip_transport_listen(st->tp, SIP_TP_UDP, addr, len);
	if (!err)
		err = sip_transport_listen(st->tp, SIP_TP_TCP, addr, len);
	return err;
}

int stack_alloc(struct stack **stp, struct loop *loop,
		const struct conf *conf)
{
	struct sip_transport_conf tc = {0};
	struct sip_tsx_cfg cfg = {0};
	struct sip_tsx_io io;
	struct stack *st;
	const char *v;
	int err;

	if (!stp || !loop)
		return EINVAL;
	st = calloc(1, sizeof(*st));
	if (!st)
		return ENOMEM;
	st->loop = loop;
	tmr_init(&st->sweep);
	v = conf ? conf_get(conf, "sip", "user_agent") : NULL;
	snprintf(st->ua, sizeof(st->ua), "%s",
		 v && *v ? v : PACKAGE_NAME "/" PACKAGE_VERSION);
	if (conf) {
		cfg.t1 = (uint32_t)conf_get_int(conf, "sip", "t1_ms", 0);
		cfg.t2 = (uint32_t)conf_get_int(conf, "sip", "t2_ms", 0);
		cfg.t4 = (uint32_t)conf_get_int(conf, "sip", "t4_ms", 0);
		tc.ca_file = conf_get(conf, "tls", "ca_file");
		tc.cert_file = conf_get(conf, "tls", "cert_file");
		tc.key_file = conf_get(conf, "tls", "key_file");
		tc.first_ms = 1000u * (uint32_t)conf_get_int(conf, "sip",
							    "tcp_first_message_s", 0);
		tc.in_max = (unsigned)conf_get_int(conf, "sip",
						   "tcp_max_connections", 0);
		tc.in_per_ip = (unsigned)conf_get_int(conf, "sip",
						      "tcp_max_per_address", 0);
		st->in_idle_ms = 1000u * (uint64_t)conf_get_int(conf, "sip",
								"tcp_idle_s", 0);
	}
	if (!st->in_idle_ms)
		st->in_idle_ms = STACK_IN_IDLE_MS;
	tc.keepalive_ms = 0;
	err = sip_transport_alloc(&st->tp, loop, &tc, on_rx, on_flow, st);
	if (err) {
		log_error(STACK_LOG, "cannot set up the transports: %s",
			  strerror(err));
		goto out;
	}
	io.send = io_send;
	io.arg = st;
	err = sip_tsx_layer_alloc(&st->tsx, loop, &cfg, &io, on_request, st);
	if (err)
		goto out;
	{
		const struct sip_tsx_cfg *eff = sip_tsx_layer_cfg(st->tsx);

		st->linger_ms = 64ull * eff->t1 + eff->td + 1000;
		/* Not before Timer F has ended what came last. */
		if (st->in_idle_ms < 64ull * eff->t1 + 1000)
			st->in_idle_ms = 64ull * eff->t1 + 1000;
	}
	err = resolver_alloc(&st->res, loop,
			     conf ? conf_get(conf, "sip", "dns_servers") : NULL);
	if (err)
		goto out;
	v = conf ? conf_get(conf, "sip", "listen") : NULL;
	if (v && *v) {
		struct sockaddr_storage ss;
		socklen_t len;

		err = parse_hostport(v, &ss, &len);
		if (!err)
			err = stack_listen(st, (struct sockaddr *)&ss, len);
		if (err) {
			log_error(STACK_LOG, "cannot listen on %s: %s", v,
				  strerror(err));
			goto out;
		}
	}
	tmr_start(loop, &st->sweep, STACK_SWEEP_MS, sweep, st);
 out:
	if (err)
		stack_free(st);
	else
		*stp = st;
	return err;
}

void stack_free(struct stack *st)
{
	if (!st)
		return;
	tmr_cancel(&st->sweep);
	/* Transactions first: they may hold conns as their flows. */
	sip_tsx_layer_free(st->tsx);
	resolver_free(st->res);
	while (st->conns) {
		struct stack_conn *c = st->conns;

		st->conns = c->next;
		conn_free(c);
	}
	sip_transport_free(st->tp);
	free(st);
}

struct sip_tsx_layer *stack_tsx(struct stack *st)
{
	return st ? st->tsx : NULL;
}

struct resolver *stack_resolver(struct stack *st)
{
	return st ? st->res : NULL;
}

struct sip_transport *stack_transport(struct stack *st)
{
	return st ? st->tp : NULL;
}

struct loop *stack_loop(struct stack *st)
{
	return st ? st->loop : NULL;
}

const char *stack_user_agent(const struct stack *st)
{
	return st ? st->ua : "";
}

void stack_set_registrar(struct stack *st, bool on)
{
	st->registrar = on;
}

void stack_set_request_handler(struct stack *st, stack_req_h *h, void *arg)
{
	st->reqh = h;
	st->reqarg = arg;
}

int stack_hostport(struct stack *st, const struct sip_target *dst,
		   char *out, size_t sz)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];
	int af = dst->addr.ss_family, fd, err = 0;
	uint16_t port = 0;

	/* Which source address routing picks for dst: a connected UDP
	 * socket tells without sending anything. */
	fd = socket(af, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	if (connect(fd, (const struct sockaddr *)&dst->addr, dst->addrlen) ||
	    getsockname(fd, (struct sockaddr *)&ss, &len))
		err = errno;
	close(fd);
	if (err)
		return err;
	if (af == AF_INET)
		inet_ntop(af, &((struct sockaddr_in *)&ss)->sin_addr, ip,
			  sizeof(ip));
	else
		inet_ntop(af, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip,
			  sizeof(ip));
	if (dst->tp == SIP_TP_UDP) {
		struct sockaddr_storage l;
		socklen_t ll = sizeof(l);

		if (sip_transport_laddr(st->tp, SIP_TP_UDP, af, &l, &ll)) {
			memset(&l, 0, sizeof(l));
			l.ss_family = (sa_family_t)af;
			ll = af == AF_INET ? sizeof(struct sockaddr_in) :
			     sizeof(struct sockaddr_in6);
			err = sip_transport_listen(st->tp, SIP_TP_UDP,
						   (struct sockaddr *)&l, ll);
			if (!err)
				err = sip_transport_laddr(st->tp, SIP_TP_UDP,
							  af, &l, &ll);
			if (err)
				return err;
		}
		port = ntohs(af == AF_INET ?
			     ((struct sockaddr_in *)&l)->sin_port :
			     ((struct sockaddr_in6 *)&l)->sin6_port);
	} else {
		struct sockaddr_storage l;
		socklen_t ll = sizeof(l);

		if (!sip_transport_laddr(st->tp, dst->tp, af, &l, &ll))
			port = ntohs(af == AF_INET ?
				     ((struct sockaddr_in *)&l)->sin_port :
				     ((struct sockaddr_in6 *)&l)->sin6_port);
	}
	if (port)
		snprintf(out, sz, af == AF_INET6 ? "[%s]:%u" : "%s:%u", ip,
			 port);
	else
		snprintf(out, sz, af == AF_INET6 ? "[%s]" : "%s", ip);
	return 0;
}
