/* transport.h - SIP over UDP, TCP and TLS (GnuTLS) on IPv4 and IPv6: listeners and flows. */
#ifndef SIPTTY_SIP_TRANSPORT_H
#define SIPTTY_SIP_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/loop.h"
#include "sip/target.h"
#include "sip/tlsid.h"

/* TLS 1.2 at least, 1.3 preferred: Debian's NORMAL still allows 1.0 and 1.1. */
#define SIP_TLS_PRIORITY "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

#define SIP_TRANSPORT_UDP_MAX      65535   /* default datagram bound, bytes */
#define SIP_TRANSPORT_IDLE_MS      32000   /* default bound on a partial message */
#define SIP_TRANSPORT_CONNECT_MS   10000   /* default bound on connect + handshake */
#define SIP_TRANSPORT_PONG_MS      10000   /* RFC 5626 4.4.1: pong within 10 s */
#define SIP_TRANSPORT_WQ_MAX       (1024 * 1024)  /* queued bytes per flow */
/* An incoming TCP or TLS connection brings its first SIP message within
 * this, TLS handshake included; CRLF keep-alives do not count (RFC 5626
 * 4.4.1: a client pings a flow it has registered over, so after a
 * message). */
#define SIP_TRANSPORT_FIRST_MS     32000
#define SIP_TRANSPORT_IN_MAX       256     /* incoming TCP/TLS connections */
#define SIP_TRANSPORT_IN_PER_IP    32      /* ... from one IP address */

struct sip_transport;
/* A TCP or TLS connection, or a UDP socket and one peer address. */
struct sip_flow;

struct sip_transport_conf {
	const char *ca_file;     /* extra trust anchors (PEM); NULL: none */
	bool no_system_ca;       /* tests: trust ca_file only */
	const char *cert_file;   /* our certificate (PEM): offered to servers
	                          * that ask, presented by TLS listeners */
	const char *key_file;
	const char *priority;    /* NULL: SIP_TLS_PRIORITY */
	uint32_t keepalive_ms;   /* CRLF ping interval on our outgoing stream
	                          * flows (RFC 5626 4.4.1); 0: none */
	uint32_t pong_ms;        /* 0: SIP_TRANSPORT_PONG_MS */
	uint32_t idle_ms;        /* 0: SIP_TRANSPORT_IDLE_MS */
	uint32_t connect_ms;     /* 0: SIP_TRANSPORT_CONNECT_MS */
	size_t udp_max;          /* 0: SIP_TRANSPORT_UDP_MAX */
	uint32_t first_ms;       /* 0: SIP_TRANSPORT_FIRST_MS */
	/* Incoming stream connections open at once, in all and from one IP
	 * address: one over either is accepted and closed at once, before
	 * any byte is read.  0: SIP_TRANSPORT_IN_MAX, SIP_TRANSPORT_IN_PER_IP. */
	unsigned in_max, in_per_ip;
};

/* One message that arrived: valid only during the callback. */
struct sip_rx {
	struct sip_flow *flow;            /* answer on it; sip_flow_ref() to keep */
	enum sip_tp tp;
	const struct sockaddr *src;       /* the packet's source (received, rport) */
	socklen_t srclen;
	const char *p;                    /* one framed message, leading CRLFs */
	size_t len;                       /* removed; not NUL-terminated */
};

enum sip_flow_ev {
	SIP_FLOW_CONNECTED = 0,  /* outgoing: TCP is up (TLS handshake follows);
	                          * incoming: accepted (TLS: handshake done) */
	SIP_FLOW_TLS_VERIFIED,   /* outgoing TLS: the server is authenticated
	                          * for tls_domain; queued messages leave now */
	SIP_FLOW_CLOSED,         /* the flow is gone: err and text say why */
	SIP_FLOW_ERROR,          /* a datagram could not be sent; the flow lives */
};

struct sip_flow_event {
	enum sip_flow_ev type;
	/* CLOSED: 0 (closed by us or, cleanly, by the peer), ECONNRESET,
	 * ECONNREFUSED, ETIMEDOUT (connect, partial message, or no pong),
	 * EACCES (TLS server not authenticated), EPROTO (TLS handshake or
	 * record failure), EBADMSG or E2BIG (unframeable stream), ...  */
	int err;
	/* CLOSED and ERROR: one translated sentence for the user naming the
	 * host, the reason and what to check. */
	const char *text;
	/* TLS_VERIFIED, and CLOSED with EACCES: the identity check. */
	const struct tlsid_result *tls;
	/* CLOSED: messages queued before the flow was ready, never sent. */
	size_t dropped;
};

typedef void (sip_transport_recv_h)(const struct sip_rx *rx, void *arg);
typedef void (sip_flow_event_h)(struct sip_flow *flow,
				const struct sip_flow_event *ev, void *arg);

/* conf is copied (files are read here); the loop must outlive tp. */
int sip_transport_alloc(struct sip_transport **tpp, struct loop *loop,
			const struct sip_transport_conf *conf,
			sip_transport_recv_h *recvh, sip_flow_event_h *eventh,
			void *arg);
/* Closes every listener and flow without events; flows still referenced
 * stay valid objects that send nothing.  Not from inside a callback. */
void sip_transport_free(struct sip_transport *tp);

/* Binds (port 0: any free port) and listens.  TLS needs cert_file. */
int sip_transport_listen(struct sip_transport *tp, enum sip_tp kind,
			 const struct sockaddr *addr, socklen_t addrlen);
/* The address of the first listener of that kind and family (AF_INET,
 * AF_INET6), as bound: the port for Via and Contact.  ENOENT if none. */
int sip_transport_laddr(const struct sip_transport *tp, enum sip_tp kind,
			int af, struct sockaddr_storage *ss, socklen_t *lenp);

/*
 * Sends one message to dst, over dst->tp and nothing else: reuses an open
 * flow to that address (for TLS, one verified for the same tls_domain), or
 * opens one and queues the message until it is ready.  tls_domain is the
 * domain the user configured (RFC 5922 compares the certificate with it,
 * never with the SRV target); required for TLS.  UDP leaves from the
 * listener of dst's family, or from an ephemeral socket.  On success and
 * with flowp, *flowp holds a new reference (sip_flow_unref()).
 * Errors: EINVAL, EAFNOSUPPORT, ENOBUFS (queue full), ENOMEM, or the
 * socket's error.
 */
int sip_transport_send(struct sip_transport *tp, const struct sip_target *dst,
		       const char *tls_domain, const char *data, size_t len,
		       struct sip_flow **flowp);

/* Sends on this flow (a response, an in-dialog request); ENOTCONN once
 * closed.  A flow that is not ready yet queues. */
int sip_flow_send(struct sip_flow *flow, const char *data, size_t len);
/* Closes a stream flow (the CLOSED event follows with err 0); no-op on
 * UDP flows. */
void sip_flow_close(struct sip_flow *flow);

struct sip_flow *sip_flow_ref(struct sip_flow *flow);
/* Returns NULL, for `f = sip_flow_unref(f);`. */
struct sip_flow *sip_flow_unref(struct sip_flow *flow);

enum sip_tp sip_flow_tp(const struct sip_flow *flow);
uint64_t sip_flow_id(const struct sip_flow *flow);     /* unique, for logs */
bool sip_flow_is_open(const struct sip_flow *flow);
bool sip_flow_is_outgoing(const struct sip_flow *flow);
/* TLS: the configured domain the server was verified for; NULL otherwise. */
const char *sip_flow_tls_domain(const struct sip_flow *flow);
/* Our address on this flow, for Via and Contact: a UDP socket bound to a
 * wildcard address reports the source address routing picks for the peer. */
int sip_flow_laddr(struct sip_flow *flow, struct sockaddr_storage *ss,
		   socklen_t *lenp);
int sip_flow_raddr(const struct sip_flow *flow, struct sockaddr_storage *ss,
		   socklen_t *lenp);
/* loop_now_ms() when the last whole SIP message came or left on the flow
 * (keep-alives do not count), or when the flow was opened or accepted:
 * the stack closes incoming flows that stay quiet and unused. */
uint64_t sip_flow_last_msg_ms(const struct sip_flow *flow);
/* Incoming TCP and TLS connections open now (tests, status). */
unsigned sip_transport_incoming(const struct sip_transport *tp);
/* Application bytes (SIP and keep-alives) handed to the socket or to
 * TLS so far; TLS handshake bytes are not counted. */
uint64_t sip_flow_tx_bytes(const struct sip_flow *flow);

/* "192.0.2.1:5060" or "[2001:db8::1]:5061" into buf (at least 64 bytes). */
const char *sip_sa_str(const struct sockaddr *sa, char *buf, size_t size);

#endif
