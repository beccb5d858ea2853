/* transport_int.h - the transport's private structs, shared by transport.c, flow.c and tls.c. */
#ifndef SIPTTY_SIP_TRANSPORT_INT_H
#define SIPTTY_SIP_TRANSPORT_INT_H

#include <gnutls/gnutls.h>

#include "sip/transport.h"

#define TP_LOG "transport"

struct sip_listener {
	struct sip_listener *next;
	struct sip_transport *tp;
	enum sip_tp kind;
	int fd;
	struct sockaddr_storage addr;   /* as bound, with the real port */
	socklen_t addrlen;
	bool ephemeral;                 /* UDP socket opened only to send */
	struct tmr tmr_pause;           /* stream: accepting again after EMFILE */
};

struct sip_transport {
	struct loop *loop;
	sip_transport_recv_h *recvh;
	sip_flow_event_h *eventh;
	void *arg;
	uint32_t keepalive_ms, pong_ms, idle_ms, connect_ms, first_ms;
	unsigned in_max, in_per_ip;
	unsigned n_in;                  /* incoming stream flows counted */
	size_t udp_max;
	char *udp_buf;                  /* udp_max + 1 bytes */
	gnutls_certificate_credentials_t cred;
	gnutls_priority_t prio;
	bool have_cert;
	bool system_ca_pending;  /* loaded at the first server ca_file does not vouch for */
	struct sip_listener *listeners;
	struct sip_flow *flows;         /* every flow object still allocated */
	uint64_t next_id;
};

enum flow_state {
	FLOW_CONNECTING = 0,   /* TCP connect in progress */
	FLOW_HANDSHAKE,        /* TLS handshake in progress */
	FLOW_OPEN,
	FLOW_CLOSED,
};

struct sip_flow {
	struct sip_flow *prev, *next;   /* in tp->flows */
	struct sip_transport *tp;       /* NULL once the transport is gone */
	unsigned refs;
	uint64_t id;
	enum sip_tp kind;
	enum flow_state state;          /* written by flow_set_state() only */
	bool outgoing;
	bool held;                      /* the transport holds a reference */
	int fd;                         /* stream: own socket; UDP: the listener's */
	struct sip_listener *lsn;       /* UDP */
	struct sockaddr_storage peer;
	socklen_t peerlen;
	struct sockaddr_storage local;
	socklen_t locallen;
	char *domain;                   /* TLS: the configured domain */
	char peername[80];              /* for logs and sentences */
	gnutls_session_t tls;
	bool tls_wpending;              /* a record send returned AGAIN */

	char *rbuf;
	size_t rlen, rcap;
	char *wbuf;
	size_t woff, wlen, wcap;
	size_t queued_msgs;             /* sent before the flow was ready */
	uint64_t tx_bytes;
	bool counted;                   /* in tp->n_in */
	bool got_msg;                   /* a whole SIP message came */
	uint64_t last_msg_ms;

	struct tmr tmr_io;              /* connect bound, or partial-message bound */
	struct tmr tmr_ka;              /* next CRLF ping */
	struct tmr tmr_pong;            /* pong due */
	struct tmr tmr_first;           /* incoming: first message due */
};

/* flow.c */
int flow_alloc(struct sip_flow **flowp, struct sip_transport *tp,
	       enum sip_tp kind, const struct sockaddr *peer, socklen_t peerlen);
void flow_free(struct sip_flow *flow);
int flow_stream_connect(struct sip_flow *flow);
int flow_stream_accepted(struct sip_flow *flow, int fd);
void flow_fail(struct sip_flow *flow, int err, const char *text);
void flow_detach(struct sip_flow *flow);
void flow_emit(struct sip_flow *flow, enum sip_flow_ev type, int err,
	       const char *text, const struct tlsid_result *tls, size_t dropped);

/* tls.c */
int tls_creds_load(struct sip_transport *tp, const struct sip_transport_conf *conf);
void tls_creds_free(struct sip_transport *tp);
int tls_session_start(struct sip_flow *flow, bool server);
/* One handshake step: 0 done, EAGAIN in progress, else an error with
 * *textp a sentence for the user (static, or in buf). */
int tls_handshake_step(struct sip_flow *flow, char *buf, size_t size,
		       const char **textp);
/* After the handshake of an outgoing flow: 0 or EACCES with a sentence. */
int tls_verify(struct sip_flow *flow, struct tlsid_result *res, char *buf,
	       size_t size);
ssize_t tls_send(struct sip_flow *flow, const char *p, size_t len);
ssize_t tls_recv(struct sip_flow *flow, char *p, size_t len);
void tls_session_end(struct sip_flow *flow);

#endif
