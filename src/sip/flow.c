/* flow.c - one flow: a TCP or TLS connection (framing, queue, CRLF keep-alive) or a UDP peer. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/ratelimit.h"
#include "sip/msg.h"
#include "sip/transport_int.h"

#define RBUF_MIN 4096
/* A whole message at its bounds, with room for keep-alive CRLFs before it. */
#define RBUF_MAX (SIP_MSG_MAX + 64)
/* Bytes read per wake-up, so one busy peer cannot starve the others. */
#define READ_BUDGET 65536

static const char *const state_name[] = {
	[FLOW_CONNECTING] = "CONNECTING",
	[FLOW_HANDSHAKE] = "HANDSHAKE",
	[FLOW_OPEN] = "OPEN",
	[FLOW_CLOSED] = "CLOSED",
};

static void stream_io(int fd, short revents, void *arg);

static void flow_set_state(struct sip_flow *flow, enum flow_state state)
{
	if (flow->state == state)
		return;
	log_debug(TP_LOG, "flow %llu (%s %s): -> [%s]",
		  (unsigned long long)flow->id, sip_tp_name(flow->kind),
		  flow->peername, state_name[state]);
	flow->state = state;
}

int flow_alloc(struct sip_flow **flowp, struct sip_transport *tp,
	       enum sip_tp kind, const struct sockaddr *peer, socklen_t peerlen)
{
	struct sip_flow *flow;

	if (peerlen > sizeof(flow->peer))
		return EINVAL;
	flow = calloc(1, sizeof(*flow));
	if (!flow)
		return ENOMEM;
	flow->tp = tp;
	flow->refs = 1;
	flow->id = ++tp->next_id;
	flow->kind = kind;
	flow->fd = -1;
	memcpy(&flow->peer, peer, peerlen);
	flow->peerlen = peerlen;
	sip_sa_str(peer, flow->peername, sizeof(flow->peername));
	tmr_init(&flow->tmr_io);
	tmr_init(&flow->tmr_ka);
	tmr_init(&flow->tmr_pong);
	tmr_init(&flow->tmr_first);
	flow->last_msg_ms = loop_now_ms();
	flow->next = tp->flows;
	if (tp->flows)
		tp->flows->prev = flow;
	tp->flows = flow;
	*flowp = flow;
	return 0;
}

static void flow_release(struct sip_flow *flow)
{
	tmr_cancel(&flow->tmr_io);
	tmr_cancel(&flow->tmr_ka);
	tmr_cancel(&flow->tmr_pong);
	tmr_cancel(&flow->tmr_first);
	if (flow->counted) {
		flow->counted = false;
		if (flow->tp && flow->tp->n_in)
			flow->tp->n_in--;
	}
	if (flow->kind != SIP_TP_UDP && flow->fd >= 0) {
		if (flow->tp)
			loop_fd_del(flow->tp->loop, flow->fd);
		tls_session_end(flow);
		close(flow->fd);
	}
	flow->fd = -1;
	flow->lsn = NULL;
	free(flow->rbuf);
	free(flow->wbuf);
	flow->rbuf = flow->wbuf = NULL;
	flow->rlen = flow->rcap = flow->woff = flow->wlen = flow->wcap = 0;
}

void flow_free(struct sip_flow *flow)
{
	if (!flow)
		return;
	flow_release(flow);
	if (flow->tp) {
		if (flow->prev)
			flow->prev->next = flow->next;
		else
			flow->tp->flows = flow->next;
		if (flow->next)
			flow->next->prev = flow->prev;
	}
	free(flow->domain);
	free(flow);
}

struct sip_flow *sip_flow_ref(struct sip_flow *flow)
{
	if (flow)
		flow->refs++;
	return flow;
}

struct sip_flow *sip_flow_unref(struct sip_flow *flow)
{
	if (flow && --flow->refs == 0)
		flow_free(flow);
	return NULL;
}

/* The transport is going away: no events, no more sends. */
void flow_detach(struct sip_flow *flow)
{
	struct sip_transport *tp = flow->tp;

	flow->state = FLOW_CLOSED;
	flow_release(flow);
	if (flow->prev)
		flow->prev->next = flow->next;
	else
		tp->flows = flow->next;
	if (flow->next)
		flow->next->prev = flow->prev;
	flow->prev = flow->next = NULL;
	flow->tp = NULL;
	if (flow->held) {
		flow->held = false;
		sip_flow_unref(flow);
	}
}

void flow_emit(struct sip_flow *flow, enum sip_flow_ev type, int err,
	       const char *text, const struct tlsid_result *tls, size_t dropped)
{
	struct sip_flow_event ev = {
		.type = type, .err = err, .text = text, .tls = tls,
		.dropped = dropped,
	};

	if (flow->tp && flow->tp->eventh)
		flow->tp->eventh(flow, &ev, flow->tp->arg);
}

static const char *host_of(const struct sip_flow *flow)
{
	return flow->domain ? flow->domain : flow->peername;
}

/* Tears the flow down, then tells the owner (tls: the identity check
 * that refused the server). */
static void flow_end(struct sip_flow *flow, int err, const char *text,
		     const struct tlsid_result *tls)
{
	char buf[512];
	size_t dropped;

	if (flow->state == FLOW_CLOSED)
		return;
	sip_flow_ref(flow);
	dropped = flow->state == FLOW_OPEN ? 0 : flow->queued_msgs;
	if (!text) {
		if (!err)
			snprintf(buf, sizeof(buf), _("%s: the connection to %s "
						     "was closed"),
				 sip_tp_name(flow->kind), host_of(flow));
		else if (err == ECONNRESET)
			snprintf(buf, sizeof(buf), _("%s: %s reset the "
						     "connection"),
				 sip_tp_name(flow->kind), host_of(flow));
		else
			snprintf(buf, sizeof(buf), _("%s: the connection to %s "
						     "failed (%s); check the "
						     "server's address and "
						     "port"),
				 sip_tp_name(flow->kind), host_of(flow),
				 strerror(err));
		text = buf;
	}
	if (err == EACCES && flow->tls) {
		/* Nothing queued may leave now; the server learns why from
		 * an alert, which is not a SIP byte.  Best effort: the socket
		 * is non-blocking. */
		flow->wlen = flow->woff = 0;
		(void)gnutls_alert_send(flow->tls, GNUTLS_AL_FATAL,
					GNUTLS_A_BAD_CERTIFICATE);
	}
	flow_set_state(flow, FLOW_CLOSED);
	if (flow->outgoing) {
		log_info(TP_LOG, "flow %llu: to %s %s closed: %s%s",
			 (unsigned long long)flow->id, sip_tp_name(flow->kind),
			 flow->peername, err ? strerror(err) : "normally",
			 dropped ? " (queued messages dropped)" : "");
	} else {
		/* Peers open and close incoming flows at their pace. */
		static struct ratelimit rl = RATELIMIT_INIT(RATELIMIT_RX_BURST,
							    RATELIMIT_RX_PERIOD_MS);

		log_limited(&rl, LOG_INFO, TP_LOG, "flow %llu: from %s %s "
			    "closed: %s", (unsigned long long)flow->id,
			    sip_tp_name(flow->kind), flow->peername,
			    err ? strerror(err) : "normally");
	}
	flow_release(flow);
	flow_emit(flow, SIP_FLOW_CLOSED, err, text, tls, dropped);
	if (flow->held) {
		flow->held = false;
		sip_flow_unref(flow);
	}
	sip_flow_unref(flow);
}

void flow_fail(struct sip_flow *flow, int err, const char *text)
{
	flow_end(flow, err, text, NULL);
}

void sip_flow_close(struct sip_flow *flow)
{
	if (!flow || flow->kind == SIP_TP_UDP)
		return;
	flow_fail(flow, 0, NULL);
}

static void update_events(struct sip_flow *flow)
{
	short ev = POLLIN;

	if (flow->state == FLOW_CLOSED || !flow->tp)
		return;
	if (flow->state == FLOW_CONNECTING)
		ev = POLLOUT;
	else if (flow->state == FLOW_HANDSHAKE)
		ev = gnutls_record_get_direction(flow->tls) ? POLLOUT : POLLIN;
	else if (flow->woff < flow->wlen)
		ev |= POLLOUT;
	(void)loop_fd_events(flow->tp->loop, flow->fd, ev);
}

/* ---- the write queue ---- */

static void flush(struct sip_flow *flow)
{
	while (flow->state == FLOW_OPEN && flow->woff < flow->wlen) {
		size_t n = flow->wlen - flow->woff;
		ssize_t r;

		if (flow->tls)
			r = tls_send(flow, flow->wbuf + flow->woff,
				     n > 16384 ? 16384 : n);
		else
			r = send(flow->fd, flow->wbuf + flow->woff, n,
				 MSG_NOSIGNAL);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			flow_fail(flow, errno == EPIPE ? ECONNRESET : errno,
				  NULL);
			return;
		}
		flow->woff += (size_t)r;
		flow->tx_bytes += (uint64_t)r;
	}
	if (flow->woff == flow->wlen)
		flow->woff = flow->wlen = 0;
	update_events(flow);
}

static int enqueue(struct sip_flow *flow, const char *data, size_t len)
{
	if (flow->wlen - flow->woff + len > SIP_TRANSPORT_WQ_MAX)
		return ENOBUFS;
	/* The front is still owed to GnuTLS after AGAIN: only append. */
	if (flow->woff && !flow->tls_wpending) {
		memmove(flow->wbuf, flow->wbuf + flow->woff,
			flow->wlen - flow->woff);
		flow->wlen -= flow->woff;
		flow->woff = 0;
	}
	if (flow->wlen + len > flow->wcap) {
		size_t cap = flow->wcap ? flow->wcap : 4096;
		char *b;

		while (cap < flow->wlen + len)
			cap *= 2;
		b = realloc(flow->wbuf, cap);
		if (!b)
			return ENOMEM;
		flow->wbuf = b;
		flow->wcap = cap;
	}
	memcpy(flow->wbuf + flow->wlen, data, len);
	flow->wlen += len;
	return 0;
}

static int udp_send(struct sip_flow *flow, const char *data, size_t len)
{
	char buf[256];
	ssize_t r;

	r = sendto(flow->fd, data, len, MSG_NOSIGNAL,
		   (const struct sockaddr *)&flow->peer, flow->peerlen);
	if (r >= 0) {
		flow->tx_bytes += (uint64_t)r;
		return 0;
	}
	r = errno;
	log_warn(TP_LOG, "UDP to %s: %s", flow->peername, strerror((int)r));
	snprintf(buf, sizeof(buf), _("UDP: a message to %s could not be sent "
				     "(%s); check the network"),
		 flow->peername, strerror((int)r));
	flow_emit(flow, SIP_FLOW_ERROR, (int)r, buf, NULL, 0);
	return (int)r;
}

int sip_flow_send(struct sip_flow *flow, const char *data, size_t len)
{
	int err;

	if (!flow || !data || !len)
		return EINVAL;
	if (!flow->tp || flow->state == FLOW_CLOSED)
		return ENOTCONN;
	if (flow->kind == SIP_TP_UDP)
		return udp_send(flow, data, len);
	err = enqueue(flow, data, len);
	if (err)
		return err;
	flow->last_msg_ms = loop_now_ms();
	if (flow->state == FLOW_OPEN)
		flush(flow);
	else
		flow->queued_msgs++;
	return 0;
}

/* ---- keep-alive (RFC 5626 4.4.1) ---- */

static void ka_ping(void *arg);

static void pong_late(void *arg)
{
	struct sip_flow *flow = arg;
	char buf[256];

	snprintf(buf, sizeof(buf), _("%s: %s stopped answering keep-alives; the "
				     "connection is considered lost"),
		 sip_tp_name(flow->kind), host_of(flow));
	flow_fail(flow, ETIMEDOUT, buf);
}

static void ka_arm(struct sip_flow *flow)
{
	if (flow->outgoing && flow->tp->keepalive_ms && !tmr_running(&flow->tmr_pong))
		tmr_start(flow->tp->loop, &flow->tmr_ka, flow->tp->keepalive_ms,
			  ka_ping, flow);
}

static void ka_ping(void *arg)
{
	struct sip_flow *flow = arg;
	int err;

	err = enqueue(flow, "\r\n\r\n", 4);
	if (err) {
		flow_fail(flow, err, NULL);
		return;
	}
	tmr_start(flow->tp->loop, &flow->tmr_pong, flow->tp->pong_ms,
		  pong_late, flow);
	flush(flow);
}

static void alive(struct sip_flow *flow)
{
	if (!tmr_running(&flow->tmr_pong))
		return;
	tmr_cancel(&flow->tmr_pong);
	ka_arm(flow);
}

/* ---- reading and framing ---- */

static void partial_late(void *arg)
{
	struct sip_flow *flow = arg;
	char buf[256];

	snprintf(buf, sizeof(buf), _("%s: %s sent an incomplete message and "
				     "stopped; the connection was closed"),
		 sip_tp_name(flow->kind), host_of(flow));
	flow_fail(flow, ETIMEDOUT, buf);
}

static void consume(struct sip_flow *flow, size_t n)
{
	memmove(flow->rbuf, flow->rbuf + n, flow->rlen - n);
	flow->rlen -= n;
}

/* Hands up every complete message; false when the flow was closed. */
static bool process(struct sip_flow *flow)
{
	while (flow->state == FLOW_OPEN && flow->rlen) {
		const char *p = flow->rbuf;
		size_t skip = sip_msg_skip_crlf(p, flow->rlen), mlen;
		int err;

		/* A ping (CRLFCRLF) is answered with one CRLF, a pong. */
		if (skip >= 4 && !memcmp(p, "\r\n\r\n", 4)) {
			consume(flow, 4);
			err = enqueue(flow, "\r\n", 2);
			if (err) {
				flow_fail(flow, err, NULL);
				return false;
			}
			flush(flow);
			if (flow->state != FLOW_OPEN)
				return false;
			continue;
		}
		if (skip == flow->rlen) {
			/* A lone CRLF is a pong; a ping split across reads
			 * waits for its second half, unless a pong is due. */
			if (skip >= 2 && !memcmp(p, "\r\n", 2) &&
			    (skip != 2 || tmr_running(&flow->tmr_pong))) {
				consume(flow, 2);
				continue;
			}
			if (p[0] != '\r') {
				consume(flow, 1);   /* a bare LF: noise */
				continue;
			}
			break;
		}
		err = sip_msg_frame(p, flow->rlen, &mlen);
		if (err == ENODATA) {
			if (!tmr_running(&flow->tmr_io))
				tmr_start(flow->tp->loop, &flow->tmr_io,
					  flow->tp->idle_ms, partial_late, flow);
			break;
		}
		if (err) {
			static struct ratelimit rl = RATELIMIT_INIT(RATELIMIT_RX_BURST,
								    RATELIMIT_RX_PERIOD_MS);
			char buf[256];

			log_limited(&rl, LOG_WARN, TP_LOG, "flow %llu: unframeable "
				    "stream from %s: %s",
				    (unsigned long long)flow->id, flow->peername,
				    strerror(err));
			snprintf(buf, sizeof(buf), _("%s: %s sent a message that "
						     "cannot be read (%s); the "
						     "connection was closed"),
				 sip_tp_name(flow->kind), host_of(flow),
				 err == E2BIG ? _("too large") : _("malformed"));
			flow_fail(flow, err, buf);
			return false;
		}
		tmr_cancel(&flow->tmr_io);
		tmr_cancel(&flow->tmr_first);
		flow->got_msg = true;
		flow->last_msg_ms = loop_now_ms();
		{
			struct sip_rx rx = {
				.flow = flow, .tp = flow->kind,
				.src = (const struct sockaddr *)&flow->peer,
				.srclen = flow->peerlen,
				.p = p + skip, .len = mlen - skip,
			};

			if (flow->tp->recvh)
				flow->tp->recvh(&rx, flow->tp->arg);
		}
		/* The callback may have closed the flow (buffers freed). */
		if (flow->state != FLOW_OPEN)
			return false;
		consume(flow, mlen);
	}
	if (!flow->rlen || sip_msg_skip_crlf(flow->rbuf, flow->rlen) == flow->rlen)
		tmr_cancel(&flow->tmr_io);
	return flow->state == FLOW_OPEN;
}

static void stream_read(struct sip_flow *flow)
{
	size_t budget = READ_BUDGET;

	while (flow->state == FLOW_OPEN && budget) {
		ssize_t r;
		size_t room;

		if (flow->rlen == flow->rcap) {
			size_t cap = flow->rcap ? flow->rcap * 2 : RBUF_MIN;
			char *b;

			if (flow->rcap >= RBUF_MAX) {
				flow_fail(flow, E2BIG, NULL);
				return;
			}
			if (cap > RBUF_MAX)
				cap = RBUF_MAX;
			b = realloc(flow->rbuf, cap);
			if (!b) {
				flow_fail(flow, ENOMEM, NULL);
				return;
			}
			flow->rbuf = b;
			flow->rcap = cap;
		}
		room = flow->rcap - flow->rlen;
		if (room > budget)
			room = budget;
		if (flow->tls)
			r = tls_recv(flow, flow->rbuf + flow->rlen, room);
		else
			r = recv(flow->fd, flow->rbuf + flow->rlen, room, 0);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				break;
			flow_fail(flow, errno, NULL);
			return;
		}
		if (r == 0) {
			flow_fail(flow, 0, NULL);
			return;
		}
		budget -= (size_t)r;
		flow->rlen += (size_t)r;
		/* process() first: it tells a pong from half a ping by
		 * whether one is due. */
		if (!process(flow))
			return;
		alive(flow);
	}
}

/* ---- connecting and the handshake ---- */

static void ready(struct sip_flow *flow)
{
	tmr_cancel(&flow->tmr_io);
	flow_set_state(flow, FLOW_OPEN);
	flow->queued_msgs = 0;
	ka_arm(flow);
	flush(flow);
}

static void handshake(struct sip_flow *flow)
{
	struct tlsid_result res;
	const char *text = NULL;
	char buf[512];
	int err;

	err = tls_handshake_step(flow, buf, sizeof(buf), &text);
	if (err == EAGAIN) {
		update_events(flow);
		return;
	}
	if (err) {
		flow_fail(flow, err, text);
		return;
	}
	if (!flow->outgoing) {
		static struct ratelimit rl = RATELIMIT_INIT(RATELIMIT_RX_BURST,
							    RATELIMIT_RX_PERIOD_MS);

		log_limited(&rl, LOG_INFO, TP_LOG, "flow %llu: TLS %s from %s "
			    "accepted", (unsigned long long)flow->id,
			    gnutls_protocol_get_name(gnutls_protocol_get_version(flow->tls)),
			    flow->peername);
		ready(flow);
		if (flow->state == FLOW_OPEN)
			flow_emit(flow, SIP_FLOW_CONNECTED, 0, NULL, NULL, 0);
		return;
	}
	/* Nothing queued leaves before the server is authenticated. */
	err = tls_verify(flow, &res, buf, sizeof(buf));
	if (err) {
		flow_end(flow, EACCES, buf, &res);
		return;
	}
	flow_emit(flow, SIP_FLOW_TLS_VERIFIED, 0, NULL, &res, 0);
	if (flow->state == FLOW_HANDSHAKE)
		ready(flow);
}

static void connect_late(void *arg)
{
	struct sip_flow *flow = arg;
	char buf[256];

	snprintf(buf, sizeof(buf), _("%s: no connection to %s in time; check the "
				     "server's address and port, and the network"),
		 sip_tp_name(flow->kind), host_of(flow));
	flow_fail(flow, ETIMEDOUT, buf);
}

/* An incoming connection that brought no SIP message in time: a port
 * scan, a stalled handshake, or a peer holding sockets open. */
static void first_late(void *arg)
{
	struct sip_flow *flow = arg;
	char buf[256];

	/* Half a message came: that says more than "nothing came". */
	if (flow->state == FLOW_OPEN && tmr_running(&flow->tmr_io)) {
		partial_late(flow);
		return;
	}
	snprintf(buf, sizeof(buf), _("%s: %s sent no SIP message within %u s; "
				     "the connection was closed"),
		 sip_tp_name(flow->kind), host_of(flow),
		 (unsigned)((flow->tp->first_ms + 999) / 1000));
	flow_fail(flow, ETIMEDOUT, buf);
}

static void connected(struct sip_flow *flow)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (getsockopt(flow->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		soerr = errno;
	if (soerr) {
		char buf[256];

		snprintf(buf, sizeof(buf), _("%s: could not connect to %s (%s); "
					     "check the server's address and "
					     "port"),
			 sip_tp_name(flow->kind), host_of(flow), strerror(soerr));
		flow_fail(flow, soerr, buf);
		return;
	}
	flow->locallen = sizeof(flow->local);
	if (getsockname(flow->fd, (struct sockaddr *)&flow->local,
			&flow->locallen) < 0)
		flow->locallen = 0;
	log_info(TP_LOG, "flow %llu: %s connected to %s", (unsigned long long)flow->id,
		 sip_tp_name(flow->kind), flow->peername);
	if (flow->kind == SIP_TP_TLS) {
		int err = tls_session_start(flow, false);

		if (err) {
			flow_fail(flow, err, NULL);
			return;
		}
		flow_set_state(flow, FLOW_HANDSHAKE);
		flow_emit(flow, SIP_FLOW_CONNECTED, 0, NULL, NULL, 0);
		if (flow->state == FLOW_HANDSHAKE)
			handshake(flow);
		return;
	}
	flow_emit(flow, SIP_FLOW_CONNECTED, 0, NULL, NULL, 0);
	if (flow->state == FLOW_CONNECTING)
		ready(flow);
}

static void stream_io(int fd, short revents, void *arg)
{
	struct sip_flow *flow = arg;

	(void)fd;
	sip_flow_ref(flow);
	switch (flow->state) {
	case FLOW_CONNECTING:
		connected(flow);
		break;
	case FLOW_HANDSHAKE:
		handshake(flow);
		if (flow->state != FLOW_OPEN)
			break;
		/* Records that came with the last flight wait in GnuTLS,
		 * and the socket may never show them again. */
		revents |= POLLIN;
		/* fall through */
	case FLOW_OPEN:
		if (revents & (POLLIN | POLLHUP | POLLERR))
			stream_read(flow);
		/* GnuTLS may hold decrypted bytes the socket no longer shows. */
		while (flow->state == FLOW_OPEN && flow->tls &&
		       gnutls_record_check_pending(flow->tls))
			stream_read(flow);
		if (flow->state == FLOW_OPEN)
			flush(flow);
		break;
	case FLOW_CLOSED:
		break;
	}
	sip_flow_unref(flow);
}

static int stream_socket(int family)
{
	int fd, one = 1;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A request waiting for a delayed ACK costs tens of milliseconds. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

int flow_stream_connect(struct sip_flow *flow)
{
	struct sip_transport *tp = flow->tp;
	int err;

	flow->fd = stream_socket(flow->peer.ss_family);
	if (flow->fd < 0)
		return errno;
	flow->outgoing = true;
	if (connect(flow->fd, (struct sockaddr *)&flow->peer, flow->peerlen) < 0 &&
	    errno != EINPROGRESS) {
		err = errno;
		goto out;
	}
	/* Even an immediate connect is reported through the loop. */
	err = loop_fd_add(tp->loop, flow->fd, POLLOUT, stream_io, flow);
	if (err)
		goto out;
	flow->state = FLOW_CONNECTING;
	tmr_start(tp->loop, &flow->tmr_io, tp->connect_ms, connect_late, flow);
	log_info(TP_LOG, "flow %llu: %s connecting to %s%s%s", (unsigned long long)flow->id,
		 sip_tp_name(flow->kind), flow->peername,
		 flow->domain ? " for " : "", flow->domain ? flow->domain : "");
 out:
	if (err) {
		close(flow->fd);
		flow->fd = -1;
	}
	return err;
}

int flow_stream_accepted(struct sip_flow *flow, int fd)
{
	static struct ratelimit rl = RATELIMIT_INIT(RATELIMIT_RX_BURST,
						    RATELIMIT_RX_PERIOD_MS);
	struct sip_transport *tp = flow->tp;
	int one = 1, err;

	flow->fd = fd;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	flow->locallen = sizeof(flow->local);
	if (getsockname(fd, (struct sockaddr *)&flow->local, &flow->locallen) < 0)
		flow->locallen = 0;
	if (flow->kind == SIP_TP_TLS) {
		err = tls_session_start(flow, true);
		if (err)
			return err;
		flow->state = FLOW_HANDSHAKE;
		tmr_start(tp->loop, &flow->tmr_io, tp->connect_ms, connect_late,
			  flow);
	} else {
		flow->state = FLOW_OPEN;
	}
	err = loop_fd_add(tp->loop, fd, POLLIN, stream_io, flow);
	if (err)
		return err;
	tmr_start(tp->loop, &flow->tmr_first, tp->first_ms, first_late, flow);
	flow->counted = true;
	tp->n_in++;
	log_limited(&rl, LOG_INFO, TP_LOG, "flow %llu: %s connection from %s "
		    "accepted", (unsigned long long)flow->id,
		    sip_tp_name(flow->kind), flow->peername);
	return 0;
}
