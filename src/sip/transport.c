/* transport.c - the transport: listeners, UDP datagrams, choosing or opening the flow a message leaves on. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "core/log.h"
#include "core/ratelimit.h"
#include "sip/msg.h"
#include "sip/transport_int.h"

/* Connections accepted per wake-up of a listener. */
#define ACCEPT_BUDGET 16
/* Datagrams read per wake-up of a UDP socket. */
#define UDP_BUDGET 64

const char *sip_sa_str(const struct sockaddr *sa, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	if (!sa || !buf || !size)
		return "";
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(in->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(in6->sin6_port));
	} else {
		snprintf(buf, size, "?");
	}
	return buf;
}

static bool sa_eq(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (b->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr));
	}
	return false;
}

static socklen_t sa_len(int family)
{
	return family == AF_INET ? sizeof(struct sockaddr_in) :
	       family == AF_INET6 ? sizeof(struct sockaddr_in6) : 0;
}

int sip_transport_alloc(struct sip_transport **tpp, struct loop *loop,
			const struct sip_transport_conf *conf,
			sip_transport_recv_h *recvh, sip_flow_event_h *eventh,
			void *arg)
{
	static const struct sip_transport_conf none;
	struct sip_transport *tp;
	int err;

	if (!tpp || !loop)
		return EINVAL;
	if (!conf)
		conf = &none;
	tp = calloc(1, sizeof(*tp));
	if (!tp)
		return ENOMEM;
	tp->loop = loop;
	tp->recvh = recvh;
	tp->eventh = eventh;
	tp->arg = arg;
	tp->keepalive_ms = conf->keepalive_ms;
	tp->pong_ms = conf->pong_ms ? conf->pong_ms : SIP_TRANSPORT_PONG_MS;
	tp->idle_ms = conf->idle_ms ? conf->idle_ms : SIP_TRANSPORT_IDLE_MS;
	tp->connect_ms = conf->connect_ms ? conf->connect_ms : SIP_TRANSPORT_CONNECT_MS;
	tp->udp_max = conf->udp_max ? conf->udp_max : SIP_TRANSPORT_UDP_MAX;
	tp->first_ms = conf->first_ms ? conf->first_ms : SIP_TRANSPORT_FIRST_MS;
	tp->in_max = conf->in_max ? conf->in_max : SIP_TRANSPORT_IN_MAX;
	tp->in_per_ip = conf->in_per_ip ? conf->in_per_ip : SIP_TRANSPORT_IN_PER_IP;
	tp->udp_buf = malloc(tp->udp_max + 1);
	if (!tp->udp_buf) {
		err = ENOMEM;
		goto out;
	}
	err = tls_creds_load(tp, conf);
 out:
	if (err)
		sip_transport_free(tp);
	else
		*tpp = tp;
	return err;
}

void sip_transport_free(struct sip_transport *tp)
{
	struct sip_listener *l, *next;

	if (!tp)
		return;
	while (tp->flows)
		flow_detach(tp->flows);
	for (l = tp->listeners; l; l = next) {
		next = l->next;
		tmr_cancel(&l->tmr_pause);
		loop_fd_del(tp->loop, l->fd);
		close(l->fd);
		free(l);
	}
	tls_creds_free(tp);
	free(tp->udp_buf);
	free(tp);
}

/* ---- UDP ---- */

static void udp_recv(int fd, short revents, void *arg)
{
	struct sip_listener *l = arg;
	struct sip_transport *tp = l->tp;

	(void)revents;
	for (unsigned i = 0; i < UDP_BUDGET; i++) {
		struct sockaddr_storage src;
		socklen_t srclen = sizeof(src);
		struct sip_flow *flow;
		size_t skip, mlen, len;
		char sa[80];
		ssize_t n;

		/* MSG_TRUNC: the real length, so an oversized datagram is
		 * recognised rather than silently cut. */
		n = recvfrom(fd, tp->udp_buf, tp->udp_max + 1, MSG_TRUNC,
			     (struct sockaddr *)&src, &srclen);
		if (n < 0) {
			/* ICMP errors come back here, as many as we sent. */
			static struct ratelimit rl_err = RATELIMIT_INIT(RATELIMIT_RX_BURST,
									RATELIMIT_RX_PERIOD_MS);

			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_limited(&rl_err, LOG_DEBUG, TP_LOG,
					    "UDP receive: %s", strerror(errno));
			return;
		}
		if ((size_t)n > tp->udp_max) {
			static struct ratelimit rl_big = RATELIMIT_INIT(RATELIMIT_RX_BURST,
									RATELIMIT_RX_PERIOD_MS);

			log_limited(&rl_big, LOG_WARN, TP_LOG, "UDP: dropped a "
				    "datagram of %zd bytes from %s (over %zu)", n,
				    sip_sa_str((struct sockaddr *)&src, sa, sizeof(sa)),
				    tp->udp_max);
			continue;
		}
		len = (size_t)n;
		/* A datagram of CRLFs only is a keep-alive: nothing to hand up. */
		skip = sip_msg_skip_crlf(tp->udp_buf, len);
		if (skip == len)
			continue;
		/* One message per datagram: what follows Content-Length is
		 * not another message (RFC 4475 3.3.8); without a usable
		 * Content-Length the decoder judges the whole datagram. */
		if (sip_msg_frame(tp->udp_buf, len, &mlen) == 0)
			len = mlen;
		if (flow_alloc(&flow, tp, SIP_TP_UDP, (struct sockaddr *)&src,
			       srclen))
			continue;
		flow->lsn = l;
		flow->fd = l->fd;
		flow->state = FLOW_OPEN;
		{
			struct sip_rx rx = {
				.flow = flow, .tp = SIP_TP_UDP,
				.src = (const struct sockaddr *)&src,
				.srclen = srclen,
				.p = tp->udp_buf + skip, .len = len - skip,
			};

			if (tp->recvh)
				tp->recvh(&rx, tp->arg);
		}
		sip_flow_unref(flow);
	}
}

/* ---- listeners ---- */

static bool ip_eq(const struct sockaddr_storage *a, const struct sockaddr *b)
{
	if (a->ss_family != b->sa_family)
		return false;
	if (b->sa_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)(const void *)b)->sin_addr.s_addr;
	if (b->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)(const void *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return false;
}

/*
 * Whether one more incoming connection from peer fits the caps; when not,
 * one line per burst says so (the limiter counts the rest).  Past the
 * caps a connection costs an accept and a close, and no memory.
 */
static bool in_fits(struct sip_transport *tp, enum sip_tp kind,
		    const struct sockaddr *peer)
{
	static struct ratelimit rl = RATELIMIT_INIT(1, 10000);
	const struct sip_flow *f;
	unsigned same = 0;
	char sa[80];

	if (tp->n_in >= tp->in_max) {
		log_limited(&rl, LOG_WARN, TP_LOG, "%s connection from %s "
			    "refused: %u incoming connections open, the most "
			    "allowed", sip_tp_name(kind),
			    sip_sa_str(peer, sa, sizeof(sa)), tp->n_in);
		return false;
	}
	for (f = tp->flows; f; f = f->next)
		if (f->counted && ip_eq(&f->peer, peer))
			same++;
	if (same >= tp->in_per_ip) {
		log_limited(&rl, LOG_WARN, TP_LOG, "%s connection from %s "
			    "refused: %u incoming connections open from that "
			    "address, the most allowed", sip_tp_name(kind),
			    sip_sa_str(peer, sa, sizeof(sa)), same);
		return false;
	}
	return true;
}

static void accept_resume(void *arg)
{
	struct sip_listener *l = arg;

	(void)loop_fd_events(l->tp->loop, l->fd, POLLIN);
}

static void tcp_accept(int fd, short revents, void *arg)
{
	struct sip_listener *l = arg;
	struct sip_transport *tp = l->tp;

	(void)revents;
	for (unsigned i = 0; i < ACCEPT_BUDGET; i++) {
		static struct ratelimit rl = RATELIMIT_INIT(1, 10000);
		struct sockaddr_storage peer;
		socklen_t peerlen = sizeof(peer);
		struct sip_flow *flow;
		int cfd, err;

		cfd = accept4(fd, (struct sockaddr *)&peer, &peerlen,
			      SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (cfd < 0) {
			/* EMFILE and ENFILE leave the connection in the
			 * backlog and the listener readable: without a pause
			 * every loop pass would come back here. */
			int e = errno;

			if (e != EAGAIN && e != EWOULDBLOCK && e != EINTR)
				log_limited(&rl, LOG_WARN, TP_LOG, "accept on %s: %s",
					    sip_tp_name(l->kind), strerror(e));
			if (e == EMFILE || e == ENFILE || e == ENOBUFS || e == ENOMEM) {
				(void)loop_fd_events(tp->loop, fd, 0);
				tmr_start(tp->loop, &l->tmr_pause, 1000,
					  accept_resume, l);
			}
			return;
		}
		if (!in_fits(tp, l->kind, (struct sockaddr *)&peer)) {
			close(cfd);
			continue;
		}
		err = flow_alloc(&flow, tp, l->kind, (struct sockaddr *)&peer,
				 peerlen);
		if (err) {
			close(cfd);
			continue;
		}
		flow->held = true;
		err = flow_stream_accepted(flow, cfd);
		if (err) {
			log_limited(&rl, LOG_WARN, TP_LOG, "%s connection from "
				    "%s refused: %s", sip_tp_name(l->kind),
				    flow->peername, strerror(err));
			flow->held = false;
			sip_flow_unref(flow);   /* closes cfd */
			continue;
		}
		if (l->kind == SIP_TP_TCP)
			flow_emit(flow, SIP_FLOW_CONNECTED, 0, NULL, NULL, 0);
	}
}

static int listener_open(struct sip_listener **lp, struct sip_transport *tp,
			 enum sip_tp kind, const struct sockaddr *addr,
			 socklen_t addrlen, bool ephemeral)
{
	struct sip_listener *l;
	int one = 1, err = 0;
	char sa[80];

	l = calloc(1, sizeof(*l));
	if (!l)
		return ENOMEM;
	l->tp = tp;
	l->kind = kind;
	l->ephemeral = ephemeral;
	tmr_init(&l->tmr_pause);
	l->fd = socket(addr->sa_family, (kind == SIP_TP_UDP ? SOCK_DGRAM :
			SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		err = errno;
		goto out;
	}
	if (kind != SIP_TP_UDP)
		(void)setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* [::] means IPv6 only: IPv4 gets its own listener, so the two
	 * families report their own addresses for Via. */
	if (addr->sa_family == AF_INET6)
		(void)setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(l->fd, addr, addrlen) < 0 ||
	    (kind != SIP_TP_UDP && listen(l->fd, 64) < 0)) {
		err = errno;
		goto out;
	}
	l->addrlen = sizeof(l->addr);
	if (getsockname(l->fd, (struct sockaddr *)&l->addr, &l->addrlen) < 0) {
		err = errno;
		goto out;
	}
	err = loop_fd_add(tp->loop, l->fd, POLLIN,
			  kind == SIP_TP_UDP ? udp_recv : tcp_accept, l);
	if (err)
		goto out;
	log_info(TP_LOG, "%s %s on %s", ephemeral ? "sending" : "listening",
		 sip_tp_name(kind), sip_sa_str((struct sockaddr *)&l->addr, sa,
					       sizeof(sa)));
	l->next = tp->listeners;
	tp->listeners = l;
	*lp = l;
 out:
	if (err) {
		if (l->fd >= 0)
			close(l->fd);
		free(l);
	}
	return err;
}

int sip_transport_listen(struct sip_transport *tp, enum sip_tp kind,
			 const struct sockaddr *addr, socklen_t addrlen)
{
	struct sip_listener *l;

	if (!tp || !addr || kind > SIP_TP_TLS || !sa_len(addr->sa_family) ||
	    addrlen < sa_len(addr->sa_family))
		return EINVAL;
	if (kind == SIP_TP_TLS && !tp->have_cert)
		return EINVAL;
	return listener_open(&l, tp, kind, addr, addrlen, false);
}

int sip_transport_laddr(const struct sip_transport *tp, enum sip_tp kind,
			int af, struct sockaddr_storage *ss, socklen_t *lenp)
{
	const struct sip_listener *l, *found = NULL;

	if (!tp || !ss || !lenp)
		return EINVAL;
	for (l = tp->listeners; l; l = l->next) {
		if (l->kind != kind || l->addr.ss_family != af)
			continue;
		/* The oldest real listener: the list is newest first. */
		if (!l->ephemeral || !found || found->ephemeral)
			found = l;
	}
	if (!found)
		return ENOENT;
	memcpy(ss, &found->addr, found->addrlen);
	*lenp = found->addrlen;
	return 0;
}

/* ---- sending ---- */

static int udp_socket_for(struct sip_listener **lp, struct sip_transport *tp,
			  int af)
{
	struct sip_listener *l, *found = NULL;
	struct sockaddr_storage any;

	/* The list is newest first: this ends on the oldest real listener,
	 * the one sip_transport_laddr() reports. */
	for (l = tp->listeners; l; l = l->next)
		if (l->kind == SIP_TP_UDP && l->addr.ss_family == af &&
		    (!found || !l->ephemeral || found->ephemeral))
			found = l;
	if (found) {
		*lp = found;
		return 0;
	}
	/* No listener of that family: an ephemeral socket, read too, so
	 * responses to what leaves it arrive. */
	memset(&any, 0, sizeof(any));
	any.ss_family = (sa_family_t)af;
	return listener_open(lp, tp, SIP_TP_UDP, (struct sockaddr *)&any,
			     sa_len(af), true);
}

static struct sip_flow *flow_find(struct sip_transport *tp,
				  const struct sip_target *dst,
				  const char *tls_domain)
{
	struct sip_flow *f;

	for (f = tp->flows; f; f = f->next) {
		if (f->kind != dst->tp || !f->held || f->state == FLOW_CLOSED ||
		    !sa_eq(&f->peer, (const struct sockaddr *)&dst->addr))
			continue;
		/* A TLS flow is only as good as the identity it was
		 * verified for: never reuse it for another domain, nor an
		 * incoming one whose peer was never authenticated. */
		if (f->kind == SIP_TP_TLS &&
		    (!f->outgoing || strcasecmp(f->domain, tls_domain) != 0))
			continue;
		return f;
	}
	return NULL;
}

int sip_transport_send(struct sip_transport *tp, const struct sip_target *dst,
		       const char *tls_domain, const char *data, size_t len,
		       struct sip_flow **flowp)
{
	const struct sockaddr *sa;
	struct sip_flow *flow = NULL;
	int err;

	if (!tp || !dst || !data || !len || dst->tp > SIP_TP_TLS)
		return EINVAL;
	sa = (const struct sockaddr *)&dst->addr;
	if (!sa_len(sa->sa_family))
		return EAFNOSUPPORT;
	if (dst->addrlen < sa_len(sa->sa_family))
		return EINVAL;
	if (dst->tp == SIP_TP_TLS && (!tls_domain || !*tls_domain))
		return EINVAL;

	if (dst->tp == SIP_TP_UDP) {
		struct sip_listener *l;

		err = udp_socket_for(&l, tp, sa->sa_family);
		if (err)
			return err;
		err = flow_alloc(&flow, tp, SIP_TP_UDP, sa, sa_len(sa->sa_family));
		if (err)
			return err;
		flow->lsn = l;
		flow->fd = l->fd;
		flow->state = FLOW_OPEN;
		flow->outgoing = true;
		err = sip_flow_send(flow, data, len);
		if (!err && flowp)
			*flowp = flow;
		else
			sip_flow_unref(flow);
		return err;
	}

	flow = flow_find(tp, dst, tls_domain);
	if (!flow) {
		err = flow_alloc(&flow, tp, dst->tp, sa, sa_len(sa->sa_family));
		if (err)
			return err;
		if (dst->tp == SIP_TP_TLS) {
			flow->domain = strdup(tls_domain);
			if (!flow->domain) {
				sip_flow_unref(flow);
				return ENOMEM;
			}
		}
		err = flow_stream_connect(flow);
		if (err) {
			char a[80];

			log_warn(TP_LOG, "%s to %s: %s", sip_tp_name(dst->tp),
				 sip_sa_str(sa, a, sizeof(a)), strerror(err));
			sip_flow_unref(flow);
			return err;
		}
		flow->held = true;   /* the allocation's reference */
	}
	err = sip_flow_send(flow, data, len);
	if (!err && flowp)
		*flowp = sip_flow_ref(flow);
	return err;
}

/* ---- what a flow is ---- */

enum sip_tp sip_flow_tp(const struct sip_flow *flow)
{
	return flow ? flow->kind : SIP_TP_UDP;
}

uint64_t sip_flow_id(const struct sip_flow *flow)
{
	return flow ? flow->id : 0;
}

bool sip_flow_is_open(const struct sip_flow *flow)
{
	return flow && flow->tp && flow->state == FLOW_OPEN;
}

bool sip_flow_is_outgoing(const struct sip_flow *flow)
{
	return flow && flow->outgoing;
}

const char *sip_flow_tls_domain(const struct sip_flow *flow)
{
	return flow ? flow->domain : NULL;
}

uint64_t sip_flow_last_msg_ms(const struct sip_flow *flow)
{
	return flow ? flow->last_msg_ms : 0;
}

unsigned sip_transport_incoming(const struct sip_transport *tp)
{
	return tp ? tp->n_in : 0;
}

uint64_t sip_flow_tx_bytes(const struct sip_flow *flow)
{
	return flow ? flow->tx_bytes : 0;
}

int sip_flow_raddr(const struct sip_flow *flow, struct sockaddr_storage *ss,
		   socklen_t *lenp)
{
	if (!flow || !ss || !lenp)
		return EINVAL;
	memcpy(ss, &flow->peer, flow->peerlen);
	*lenp = flow->peerlen;
	return 0;
}

/* The source address routing picks for the peer: connect() on a UDP
 * socket sends nothing. */
static int route_source(const struct sip_flow *flow, struct sockaddr_storage *ss,
			socklen_t *lenp)
{
	int fd, err = 0;

	fd = socket(flow->peer.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return errno;
	*lenp = sizeof(*ss);
	if (connect(fd, (const struct sockaddr *)&flow->peer, flow->peerlen) < 0 ||
	    getsockname(fd, (struct sockaddr *)ss, lenp) < 0)
		err = errno;
	close(fd);
	return err;
}

int sip_flow_laddr(struct sip_flow *flow, struct sockaddr_storage *ss,
		   socklen_t *lenp)
{
	struct sockaddr_storage src;
	socklen_t srclen;
	int err;

	if (!flow || !ss || !lenp)
		return EINVAL;
	if (flow->kind != SIP_TP_UDP) {
		if (!flow->locallen)
			return ENOTCONN;
		memcpy(ss, &flow->local, flow->locallen);
		*lenp = flow->locallen;
		return 0;
	}
	if (!flow->lsn)
		return ENOTCONN;
	if (!flow->locallen) {
		memcpy(&flow->local, &flow->lsn->addr, flow->lsn->addrlen);
		flow->locallen = flow->lsn->addrlen;
		if (flow->local.ss_family == AF_INET ?
		    ((struct sockaddr_in *)&flow->local)->sin_addr.s_addr == htonl(INADDR_ANY) :
		    IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6 *)&flow->local)->sin6_addr)) {
			err = route_source(flow, &src, &srclen);
			if (err)
				return err;
			/* The address routing picks, the port we listen on. */
			if (src.ss_family == AF_INET)
				((struct sockaddr_in *)&src)->sin_port =
					((struct sockaddr_in *)&flow->local)->sin_port;
			else
				((struct sockaddr_in6 *)&src)->sin6_port =
					((struct sockaddr_in6 *)&flow->local)->sin6_port;
			memcpy(&flow->local, &src, srclen);
			flow->locallen = srclen;
		}
	}
	memcpy(ss, &flow->local, flow->locallen);
	*lenp = flow->locallen;
	return 0;
}
