/* target.h - a transport and a resolved address to send a request to. */
#ifndef SIPTTY_SIP_TARGET_H
#define SIPTTY_SIP_TARGET_H

#include <sys/socket.h>

/* The transports siptty speaks; SCTP is not one of them (RFC 3263 lets a
 * client discard what it does not support). */
enum sip_tp {
	SIP_TP_UDP = 0,
	SIP_TP_TCP,
	SIP_TP_TLS,
};

#define SIP_TARGET_HOST_MAX 256   /* a DNS name (253) with room for a NUL */

/*
 * One place to send to: the transaction layer tries a list of these in
 * order and moves to the next (with a new branch) on 503, timeout or a
 * transport error (RFC 3263 4.3).
 */
struct sip_target {
	enum sip_tp tp;
	struct sockaddr_storage addr;   /* the port is set */
	socklen_t addrlen;
	char host[SIP_TARGET_HOST_MAX]; /* the name the address came from (SRV
	                                 * target or URI host), no final dot */
};

/* "UDP", "TCP" or "TLS", as in a Via sent-protocol. */
const char *sip_tp_name(enum sip_tp tp);

/* 5061 for TLS, 5060 otherwise (RFC 3261 19.1.2, 26.2.1). */
unsigned sip_tp_default_port(enum sip_tp tp);

#endif
