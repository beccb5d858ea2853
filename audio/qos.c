/* qos.c - a call's QoS reservation: RSVP PATH with the media-authorization tokens, refreshed; Resv, PathErr, PathTear. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include <jansson.h>

#include "audio/qos.h"
#include "audio/rsvp.h"
#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"

#define QOS_LOG "qos"
#define QOS_DEFAULT_R 30000
#define QOS_RECV_BURST 16

/*
 * Transport rule.  With an edge router configured (qos_edge_router), the
 * host is a UDP-only RSVP host (RFC 2205 appendix C): every message goes
 * to UDP(edge router, 1698 or the port given) from a socket bound to our
 * address and port 1698 when that port is free, an ephemeral port
 * otherwise; the router answers to where the PATH came from.  Without
 * one, PATH goes by raw IP protocol 46 with the Router Alert option
 * towards the far end, and Resv/PathErr come back on the same raw
 * socket; a process that may not open raw sockets (no CAP_NET_RAW) gets
 * state error, asking for qos_edge_router.
 */
struct qos_session {
	struct loop *loop;
	unsigned call_id;
	enum qos_state state;
	char reason[200];
	qos_state_h *h;
	void *arg;

	uint8_t pe[QOS_MAX_TOKENS][RSVP_MAX_ELEMENT];
	struct rsvp_path path;
	bool bad;                  /* a token is malformed: send nothing */
	char bad_why[200];
	bool sent;                 /* a PATH went out: PathTear at stop */

	bool udp;
	struct sockaddr_storage router;
	socklen_t routerlen;
	int fd;
	struct tmr kick, refresh;
};

const char *qos_state_name(enum qos_state s)
{
	switch (s) {
	case QOS_NONE: return "none";
	case QOS_PRESENTED: return "presented";
	case QOS_RESERVED: return "reserved";
	case QOS_DENIED: return "denied";
	case QOS_ERROR: return "error";
	}
	return "?";
}

/*
 * The policy element a token stands for.  RFC 3313 tokens are the
 * element's P-Type and data (SPECS 7.1): the 16-bit Length, 2 + token
 * bytes, goes in front.  Deployed issuers (and the RFC 3520 examples)
 * also send the whole element, Length included: a token whose first two
 * bytes give its own length is taken as it is.  Either way the element
 * goes into POLICY_DATA unmodified.
 */
static int token_element(const char *hex, size_t len, uint8_t *pe, size_t sz,
			 size_t *np)
{
	size_t n = 0;

	if (sz < 2 || rsvp_hex_decode(hex, len, pe + 2, sz - 2, &n))
		return EBADMSG;
	if (n >= 4 && ((size_t)pe[2] << 8 | pe[3]) == n) {
		memmove(pe, pe + 2, n);
		*np = n;
		return 0;
	}
	/* Without its Length, a token starts with the AUTH_SESSION P-Type. */
	if (n < 2 || ((size_t)pe[2] << 8 | pe[3]) != RSVP_PE_AUTH_SESSION)
		return EDOM;
	pe[0] = (uint8_t)((n + 2) >> 8);
	pe[1] = (uint8_t)(n + 2);
	*np = n + 2;
	return 0;
}

int qos_token_check(const char *hex, size_t len, char *why, size_t whysz)
{
	uint8_t pe[RSVP_MAX_ELEMENT];
	size_t n, i;

	if (len == 0) {
		(void)snprintf(why, whysz, "%s", _("the token is empty"));
		return EBADMSG;
	}
	if (len > QOS_TOKEN_MAX_HEX) {
		(void)snprintf(why, whysz, _("the token has %zu hex digits, more than %d"),
			       len, QOS_TOKEN_MAX_HEX);
		return EBADMSG;
	}
	if (len & 1) {
		(void)snprintf(why, whysz, _("the token has an odd number of hex digits (%zu)"), len);
		return EBADMSG;
	}
	i = 0;
	if (rsvp_hex_decode(hex, len, pe, sizeof(pe), &n) == 0 &&
	    token_element(hex, len, pe, sizeof(pe), &n) == EDOM) {
		(void)snprintf(why, whysz, "%s", _("the token is neither a policy "
			"element whose length matches it nor an AUTH_SESSION "
			"element (P-Type 4) without its length"));
		return EBADMSG;
	}
	if (token_element(hex, len, pe, sizeof(pe), &n)) {
		for (i = 0; i < len && hex[i] && strchr("0123456789abcdefABCDEF", hex[i]); i++)
			;
		(void)snprintf(why, whysz, _("the token has a character that is not a hex digit at position %zu"), i + 1);
		return EBADMSG;
	}
	return rsvp_element_check(pe, n, why, whysz);
}

void qos_tspec_for(struct qos_tspec *t, const char *codec, uint32_t ptime,
		   uint32_t bitrate)
{
	/* RTP 12 + UDP 8 + IPv4 20 bytes a packet. */
	const uint32_t overhead = 40;
	uint32_t payload, pkt;

	if (!ptime || ptime > 200)
		ptime = 20;
	if (codec && !strcasecmp(codec, "opus")) {
		if (!bitrate)
			bitrate = 32000;
		if (bitrate > 510000)
			bitrate = 510000;
		payload = (uint32_t)(((uint64_t)bitrate * ptime + 7999) / 8000);
	} else {
		/* PCMU, PCMA and anything unknown: 64 kbit/s. */
		payload = 8 * ptime;
	}
	pkt = payload + overhead;
	t->r = (float)pkt * 1000.0f / (float)ptime;
	t->p = t->r;
	t->b = (float)pkt;
	t->m = pkt;
	t->M = pkt;
}

static void set_state(struct qos_session *q, enum qos_state s,
		      const char *reason)
{
	json_t *ev;

	if (!reason)
		reason = "";
	if (q->state == s && !strcmp(q->reason, reason))
		return;
	log_info(QOS_LOG, "call %u: -> [%s] %s", q->call_id,
		 qos_state_name(s), reason);
	q->state = s;
	(void)snprintf(q->reason, sizeof(q->reason), "%s", reason);
	ev = json_pack("{s:i, s:s, s:s, s:i}", "call", (int)q->call_id,
		       "state", qos_state_name(s), "reason", q->reason,
		       "tokens", (int)q->path.npe);
	(void)events_emit("qos", ev);
	if (q->h)
		q->h(s, q->reason, q->arg);
}

static int parse_ip(struct rsvp_addr *a, const char *s)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, a->a) == 1) {
		a->af = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, a->a) == 1) {
		a->af = AF_INET6;
		return 0;
	}
	return EINVAL;
}

/* "addr", "addr:port", "[v6]" or "[v6]:port"; numeric only (no DNS here). */
static int parse_router(struct sockaddr_storage *ss, socklen_t *lenp,
			const char *s)
{
	char host[64];
	const char *colon, *end;
	unsigned long port = RSVP_UDP_PORT;
	struct rsvp_addr a;
	char *ep;
	size_t hl;

	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end)
			return EINVAL;
		hl = (size_t)(end - s - 1);
		s++;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return EINVAL;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':'))
			colon = NULL;            /* bare IPv6 */
		hl = colon ? (size_t)(colon - s) : strlen(s);
	}
	if (!hl || hl >= sizeof(host))
		return EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (colon) {
		errno = 0;
		port = strtoul(colon + 1, &ep, 10);
		if (errno || ep == colon + 1 || *ep || !port || port > 65535)
			return EINVAL;
	}
	if (parse_ip(&a, host))
		return EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (a.af == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		memcpy(&in->sin_addr, a.a, 4);
		*lenp = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		memcpy(&in6->sin6_addr, a.a, 16);
		*lenp = sizeof(*in6);
	}
	return 0;
}

static void set_sockaddr(struct sockaddr_storage *ss, socklen_t *lenp,
			 const struct rsvp_addr *a, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (a->af == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		memcpy(&in->sin_addr, a->a, 4);
		*lenp = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		memcpy(&in6->sin6_addr, a->a, 16);
		*lenp = sizeof(*in6);
	}
}

/* Tokens and addresses from p into q->path; bad tokens mark q->bad. */
static int take_params(struct qos_session *q, const struct qos_params *p)
{
	struct rsvp_path np;
	size_t i;

	if (p->ntokens > QOS_MAX_TOKENS)
		return EINVAL;
	memset(&np, 0, sizeof(np));
	if (parse_ip(&np.dst, p->daddr) || parse_ip(&np.src, p->saddr) ||
	    np.dst.af != np.src.af || !p->dport || !p->sport)
		return EINVAL;
	np.dport = p->dport;
	np.sport = p->sport;
	np.refresh_ms = p->refresh_ms ? p->refresh_ms : QOS_DEFAULT_R;
	np.ttl = 64;
	np.tspec = p->tspec;
	q->bad = false;
	q->bad_why[0] = '\0';
	for (i = 0; i < p->ntokens; i++) {
		const char *t = p->tokens[i] ? p->tokens[i] : "";
		size_t tl = strnlen(t, QOS_TOKEN_MAX_HEX + 1);
		char why[160];

		if (qos_token_check(t, tl, why, sizeof(why))) {
			q->bad = true;
			(void)snprintf(q->bad_why, sizeof(q->bad_why),
				       _("P-Media-Authorization token %zu is malformed: %s"),
				       i + 1, why);
			break;
		}
		(void)token_element(t, tl, q->pe[i], RSVP_MAX_ELEMENT, &np.pelen[i]);
		np.pe[i] = q->pe[i];
	}
	np.npe = q->bad ? 0 : p->ntokens;
	if (q->bad)
		explicit_bzero(q->pe, sizeof(q->pe));
	q->path = np;
	return 0;
}

static int send_msg(struct qos_session *q, uint8_t type)
{
	uint8_t buf[RSVP_MAX_MSG];
	struct sockaddr_storage to;
	socklen_t tolen;
	size_t len;
	ssize_t n;
	int err;

	err = rsvp_build(type, &q->path, buf, sizeof(buf), &len);
	if (err)
		return err;
	if (q->udp) {
		to = q->router;
		tolen = q->routerlen;
	} else {
		/* Raw: towards the far end; the port field is unused. */
		set_sockaddr(&to, &tolen, &q->path.dst, 0);
	}
	n = sendto(q->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&to, tolen);
	explicit_bzero(buf, len);
	if (n < 0)
		return errno;
	if ((size_t)n != len)
		return EMSGSIZE;
	log_debug(QOS_LOG, "call %u: sent %s (%zu bytes, %zu tokens) by %s",
		  q->call_id, rsvp_type_name(type), len, q->path.npe,
		  q->udp ? "UDP" : "raw IP");
	return 0;
}

static void refresh_h(void *arg);

static void send_path(struct qos_session *q)
{
	int err;

	if (q->bad) {
		set_state(q, QOS_ERROR, q->bad_why);
		return;
	}
	err = send_msg(q, RSVP_PATH);
	if (err == EAGAIN || err == EWOULDBLOCK) {
		log_warn(QOS_LOG, _("call %u: the RSVP socket is full; the PATH goes with the next refresh"),
			 q->call_id);
	} else if (err) {
		char why[200];

		(void)snprintf(why, sizeof(why), _("cannot send the RSVP PATH: %s"),
			       strerror(err));
		set_state(q, QOS_ERROR, why);
		return;
	} else {
		q->sent = true;
		if (q->state == QOS_NONE || q->state == QOS_ERROR)
			set_state(q, QOS_PRESENTED, "");
	}
	tmr_start(q->loop, &q->refresh, q->path.refresh_ms, refresh_h, q);
}

static void refresh_h(void *arg)
{
	send_path(arg);
}

static void kick_h(void *arg)
{
	struct qos_session *q = arg;

	tmr_cancel(&q->refresh);
	send_path(q);
}

static bool same_addr(const struct rsvp_addr *a, const struct rsvp_addr *b)
{
	return a->af == b->af && !memcmp(a->a, b->a, a->af == AF_INET6 ? 16 : 4);
}

static void handle(struct qos_session *q, const uint8_t *p, size_t len,
		   const char *from)
{
	struct rsvp_msg m;
	char why[200];
	int err;

	err = rsvp_parse(&m, p, len);
	if (err) {
		log_warn(QOS_LOG, _("call %u: ignored a malformed RSVP message (%zu bytes) from %s"),
			 q->call_id, len, from);
		return;
	}
	if (!m.has_session || m.sess_port != q->path.dport ||
	    !same_addr(&m.sess_addr, &q->path.dst)) {
		log_debug(QOS_LOG, "call %u: ignored an RSVP %s for another session from %s",
			  q->call_id, rsvp_type_name(m.type), from);
		return;
	}
	switch (m.type) {
	case RSVP_RESV:
		set_state(q, QOS_RESERVED, "");
		break;
	case RSVP_PATHERR:
		if (!m.has_error) {
			log_warn(QOS_LOG, _("call %u: ignored an RSVP PathErr without ERROR_SPEC from %s"),
				 q->call_id, from);
			break;
		}
		(void)snprintf(why, sizeof(why), _("the network refused the reservation: %s (RSVP error code %u, value %u)"),
			       rsvp_error_name(m.err_code), m.err_code, m.err_value);
		set_state(q, QOS_DENIED, why);
		break;
	default:
		/* Our own PATH looped back on a raw socket, and the like. */
		log_debug(QOS_LOG, "call %u: ignored an RSVP %s from %s",
			  q->call_id, rsvp_type_name(m.type), from);
		break;
	}
}

static bool from_router(const struct qos_session *q,
			const struct sockaddr_storage *ss)
{
	if (ss->ss_family != q->router.ss_family)
		return false;
	if (ss->ss_family == AF_INET)
		return !memcmp(&((const struct sockaddr_in *)ss)->sin_addr,
			       &((const struct sockaddr_in *)&q->router)->sin_addr, 4);
	return !memcmp(&((const struct sockaddr_in6 *)ss)->sin6_addr,
		       &((const struct sockaddr_in6 *)&q->router)->sin6_addr, 16);
}

static void recv_h(int fd, short revents, void *arg)
{
	struct qos_session *q = arg;
	uint8_t buf[RSVP_MAX_MSG + 64];
	struct sockaddr_storage ss;
	char from[INET6_ADDRSTRLEN];
	socklen_t sl;
	ssize_t n;
	int i;

	(void)revents;
	for (i = 0; i < QOS_RECV_BURST; i++) {
		const uint8_t *p = buf;
		size_t len;

		sl = sizeof(ss);
		n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&ss, &sl);
		if (n < 0)
			return;
		len = (size_t)n;
		if (len > sizeof(buf))
			len = sizeof(buf) + 1;   /* truncated: too long */
		if (!inet_ntop(ss.ss_family, ss.ss_family == AF_INET ?
			       (const void *)&((struct sockaddr_in *)&ss)->sin_addr :
			       (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr,
			       from, sizeof(from)))
			(void)snprintf(from, sizeof(from), "?");
		if (q->udp && !from_router(q, &ss)) {
			log_debug(QOS_LOG, "call %u: ignored a datagram from %s, not the edge router",
				  q->call_id, from);
			continue;
		}
		if (len > sizeof(buf)) {
			log_warn(QOS_LOG, _("call %u: ignored an RSVP message from %s longer than %d bytes"),
				 q->call_id, from, RSVP_MAX_MSG);
			continue;
		}
		if (!q->udp && ss.ss_family == AF_INET) {
			/* IPv4 raw sockets hand over the IP header too. */
			size_t ihl;

			if (len < 20)
				continue;
			ihl = (size_t)(buf[0] & 0x0f) * 4;
			if (ihl < 20 || ihl > len)
				continue;
			p += ihl;
			len -= ihl;
		}
		handle(q, p, len, from);
	}
}

static int open_udp(struct qos_session *q, const char *router)
{
	struct sockaddr_storage local;
	struct rsvp_addr any;
	socklen_t ll;

	if (parse_router(&q->router, &q->routerlen, router))
		return EINVAL;
	q->fd = socket(q->router.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (q->fd < 0)
		return errno;
	/* No SO_REUSEADDR: two sessions sharing 1698 would split the
	 * router's answers between them; the second takes a free port. */
	memset(&any, 0, sizeof(any));
	any.af = q->router.ss_family;
	/* Our address when it is of the router's family, else any. */
	set_sockaddr(&local, &ll, q->path.src.af == any.af ? &q->path.src : &any,
		     RSVP_UDP_PORT);
	if (bind(q->fd, (struct sockaddr *)&local, ll) == 0)
		return 0;
	set_sockaddr(&local, &ll, q->path.src.af == any.af ? &q->path.src : &any, 0);
	if (bind(q->fd, (struct sockaddr *)&local, ll) == 0)
		return 0;
	return errno;
}

static int open_raw(struct qos_session *q)
{
	/* Router Alert: IPv4 option 148 (RFC 2113); IPv6 hop-by-hop
	 * option 5 with value 1 (RSVP, RFC 2711) and PadN. */
	static const uint8_t ra4[4] = {0x94, 0x04, 0x00, 0x00};
	static const uint8_t ra6[8] = {0, 0, 0x05, 0x02, 0x00, 0x01, 0x01, 0x00};
	int af = q->path.dst.af;

	q->fd = socket(af, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, RSVP_IPPROTO);
	if (q->fd < 0)
		return errno;
	if (af == AF_INET) {
		if (setsockopt(q->fd, IPPROTO_IP, IP_OPTIONS, ra4, sizeof(ra4)))
			return errno;
	} else {
		if (setsockopt(q->fd, IPPROTO_IPV6, IPV6_HOPOPTS, ra6, sizeof(ra6)))
			return errno;
	}
	return 0;
}

int qos_session_start(struct qos_session **qp, struct loop *loop,
		      const struct qos_params *p, qos_state_h *h, void *arg)
{
	struct qos_session *q;
	int err;

	if (!qp || !loop || !p)
		return EINVAL;
	*qp = NULL;
	if (p->ntokens == 0)
		return 0;
	q = calloc(1, sizeof(*q));
	if (!q)
		return ENOMEM;
	q->loop = loop;
	q->call_id = p->call_id;
	q->h = h;
	q->arg = arg;
	q->fd = -1;
	tmr_init(&q->kick);
	tmr_init(&q->refresh);
	err = take_params(q, p);
	if (err)
		goto out;
	q->udp = p->edge_router[0] != '\0';
	if (q->udp) {
		err = open_udp(q, p->edge_router);
		if (err == EINVAL) {
			log_error(QOS_LOG, _("qos_edge_router \"%s\" is not an address or address:port; fix it in siptty.conf"),
				  p->edge_router);
			goto out;
		}
	} else {
		err = open_raw(q);
	}
	if (err) {
		char why[200];

		if (q->fd >= 0)
			(void)close(q->fd);
		q->fd = -1;
		if (q->udp)
			(void)snprintf(why, sizeof(why), _("cannot open the RSVP socket to the edge router: %s"),
				       strerror(err));
		else
			(void)snprintf(why, sizeof(why), _("cannot send RSVP by raw IP (%s); set qos_edge_router in siptty.conf"),
				       strerror(err));
		/* Reported on the loop, like every state. */
		q->bad = true;
		(void)snprintf(q->bad_why, sizeof(q->bad_why), "%s", why);
	} else {
		err = loop_fd_add(loop, q->fd, POLLIN, recv_h, q);
		if (err)
			goto out;
	}
	tmr_start(loop, &q->kick, 0, kick_h, q);
	*qp = q;
	return 0;
 out:
	if (q->fd >= 0)
		(void)close(q->fd);
	explicit_bzero(q->pe, sizeof(q->pe));
	free(q);
	return err;
}

int qos_session_update(struct qos_session *q, const struct qos_params *p)
{
	struct rsvp_path old;
	bool was_bad;
	int err;

	if (!q || !p)
		return EINVAL;
	if (q->fd < 0)
		return 0;                /* no socket: stays in error */
	old = q->path;
	was_bad = q->bad;
	err = take_params(q, p);
	if (err) {
		q->path = old;
		q->bad = was_bad;
		return err;
	}
	/* A different stream: tear the old path down first. */
	if (q->sent && (old.dport != q->path.dport || old.sport != q->path.sport ||
			!same_addr(&old.dst, &q->path.dst) ||
			!same_addr(&old.src, &q->path.src))) {
		struct rsvp_path cur = q->path;

		q->path = old;
		q->path.npe = 0;
		(void)send_msg(q, RSVP_PATHTEAR);
		q->path = cur;
		q->sent = false;
	}
	q->call_id = p->call_id;
	if (q->state == QOS_RESERVED || q->state == QOS_DENIED)
		set_state(q, q->bad ? QOS_ERROR : QOS_PRESENTED,
			  q->bad ? q->bad_why : "");
	tmr_start(q->loop, &q->kick, 0, kick_h, q);
	return 0;
}

void qos_session_stop(struct qos_session *q)
{
	if (!q)
		return;
	tmr_cancel(&q->kick);
	tmr_cancel(&q->refresh);
	if (q->fd >= 0) {
		if (q->sent) {
			q->path.npe = 0;
			(void)send_msg(q, RSVP_PATHTEAR);
		}
		loop_fd_del(q->loop, q->fd);
		(void)close(q->fd);
	}
	explicit_bzero(q->pe, sizeof(q->pe));
	free(q);
}
