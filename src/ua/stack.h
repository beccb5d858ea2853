/* stack.h - the SIP stack glue: transport, transactions and resolver, the receive and send paths. */
#ifndef SIPTTY_UA_STACK_H
#define SIPTTY_UA_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include "sip/transport.h"
#include "sip/tsx.h"

struct conf;
struct loop;
struct resolver;
struct stack;

/*
 * A way to a next hop: the TLS domain the server must prove (RFC 5922)
 * and the stream flow once one is open.  Client transactions and server
 * transactions over TCP or TLS carry one as their opaque `flow`; the
 * stack owns them and frees each one some time after it is released and
 * no transaction can still use it.
 */
struct stack_conn;

/* The methods siptty answers as a UAS (Allow). */
#define STACK_ALLOW "INVITE, ACK, CANCEL, BYE, OPTIONS, REFER, NOTIFY"
#define STACK_ACCEPT "application/sdp"
#define STACK_SUPPORTED "path"

/*
 * A request no transaction or dialog took: st is the new server
 * transaction (NULL for an ACK that matches none).  Return true when the
 * handler answers it; false lets the stack answer (OPTIONS 200, others
 * 481 or 480).
 */
typedef bool (stack_req_h)(struct sip_stsx *st, struct sip_msg *req,
			   void *arg);
/* A flow event for the conn's flow (connected, verified, closed). */
typedef void (stack_conn_h)(struct stack_conn *c,
			    const struct sip_flow_event *ev, void *arg);

/* Reads [sip] (t1_ms, t2_ms, t4_ms, listen, dns_servers, tcp_first_message_s,
 * tcp_idle_s, tcp_max_connections, tcp_max_per_address) and [tls]
 * (ca_file, cert_file, key_file); conf may be NULL (defaults). */
int stack_alloc(struct stack **stp, struct loop *loop,
		const struct conf *conf);
void stack_free(struct stack *st);

struct sip_tsx_layer *stack_tsx(struct stack *st);
struct resolver *stack_resolver(struct stack *st);
struct sip_transport *stack_transport(struct stack *st);
struct loop *stack_loop(struct stack *st);
/* "siptty/VERSION" or [sip] user_agent. */
const char *stack_user_agent(const struct stack *st);

void stack_set_request_handler(struct stack *st, stack_req_h *h, void *arg);
/* REGISTER requests reach the handler instead of a 405 (the demo's
 * registrar); off by default: a phone is no registrar. */
void stack_set_registrar(struct stack *st, bool on);

/* Listens on UDP and TCP at addr (tests and [sip] listen). */
int stack_listen(struct stack *st, const struct sockaddr *addr,
		 socklen_t len);

/*
 * A conn for requests to one next hop.  tls_domain: required for TLS
 * targets.  tls_only: the conn refuses to send anything that is not TLS
 * (a sips: or require_tls account), whatever a caller asks for.
 */
int stack_conn_alloc(struct stack_conn **cp, struct stack *st,
		     const char *tls_domain, bool tls_only, stack_conn_h *h,
		     void *arg);
/* The owner is done: no more events; freed later by the stack. */
void stack_conn_release(struct stack_conn *c);
/* The stream flow of the conn (NULL before the first send over TCP or
 * TLS, and for UDP). */
struct sip_flow *stack_conn_flow(const struct stack_conn *c);
/* Closes the conn's flow, if any: the next send opens a new one. */
void stack_conn_reset(struct stack_conn *c);

/*
 * Our address as dst sees it, for Via sent-by and Contact:
 * "192.0.2.7:5062" or "[2001:db8::7]:5062" (no port for a stream
 * transport we do not listen on).  For UDP it makes sure a listener of
 * dst's family exists, so responses come back to a stable port.
 */
int stack_hostport(struct stack *st, const struct sip_target *dst,
		   char *out, size_t sz);

/* The receive path (the transport calls it; tests feed it directly). */
void stack_recv(struct stack *st, const struct sip_rx *rx);

/* Requests answered statelessly for being invalid (tests). */
size_t stack_rejected(const struct stack *st);

#endif
