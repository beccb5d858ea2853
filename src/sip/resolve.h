/* resolve.h - RFC 3263 server location (NAPTR, SRV, A/AAAA) through c-ares. */
#ifndef SIPTTY_SIP_RESOLVE_H
#define SIPTTY_SIP_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "sip/target.h"
#include "sip/uri.h"

#define RESOLVE_MAX_TARGETS 16      /* targets handed to the callback */
#define RESOLVE_DEFAULT_TIMEOUT_MS 12000

/* Lookup flags: what this client will not use.  A sips: URI adds
 * RESOLVE_TLS_ONLY by itself; an account with require_tls passes it for
 * sip: URIs too. */
enum {
	RESOLVE_NO_UDP = 1u << 0,
	RESOLVE_NO_TCP = 1u << 1,
	RESOLVE_NO_TLS = 1u << 2,       /* also: ignore SIPS NAPTR/SRV for sip: */
	RESOLVE_NO_IPV4 = 1u << 3,
	RESOLVE_NO_IPV6 = 1u << 4,
	RESOLVE_TLS_ONLY = RESOLVE_NO_UDP | RESOLVE_NO_TCP,
};

struct resolver;
struct resolver_query;

/*
 * err is 0 and t[0..n-1] (n >= 1) the targets in failover order: NAPTR
 * order and preference, then SRV priority and RFC 2782 weighted random,
 * then each address of a name.  Otherwise err is ENOENT (no such domain,
 * or no usable record), ETIMEDOUT (no answer in time), ECONNREFUSED, EIO
 * (a server failure) or ENOMEM, and n is 0.  t is valid only during the
 * call.  The callback never runs from inside resolver_lookup().
 */
typedef void (resolver_h)(int err, const struct sip_target *t, size_t n,
			  void *arg);

/* servers: NULL for the system's (/etc/resolv.conf), or a list such as
 * "127.0.0.1:5353,[::1]:5353".  The loop must outlive the resolver. */
int resolver_alloc(struct resolver **rp, struct loop *loop,
		   const char *servers);
/* Outstanding queries end silently: their callbacks never run.  Not from
 * inside a resolver callback. */
void resolver_free(struct resolver *r);
/* The bound on one whole lookup, all phases together (default
 * RESOLVE_DEFAULT_TIMEOUT_MS); 0 restores the default. */
void resolver_set_timeout(struct resolver *r, uint32_t ms);

/*
 * Starts locating the server for uri (RFC 3263 4).  Returns 0 and sets
 * *qp (qp may be NULL), or fails at once, without a callback: EINVAL
 * (no host, a tel: URI, port 0, every transport excluded), E2BIG (a host
 * longer than a DNS name), EPROTONOSUPPORT (a transport parameter this
 * client cannot or must not use, such as sctp, udp in a sips: URI or tcp
 * with RESOLVE_TLS_ONLY), EAFNOSUPPORT (an address of an excluded
 * family), ENOMEM.  The query is freed when its callback returns: the
 * owner forgets *qp there.  Even a numeric host answers through the loop.
 */
int resolver_lookup(struct resolver_query **qp, struct resolver *r,
		    const struct sip_uri *uri, unsigned flags,
		    resolver_h *h, void *arg);
/* The callback will not run.  NULL, and a call from inside the query's
 * own callback, are no-ops. */
void resolver_cancel(struct resolver_query *q);

/* What RFC 3263 4.1 and 4.2 make the first step of a lookup. */
enum resolve_step {
	RESOLVE_STEP_NUMERIC = 0,   /* an IP address: no DNS at all */
	RESOLVE_STEP_ADDR,          /* A/AAAA only (a port was given) */
	RESOLVE_STEP_SRV,           /* SRV for one transport (transport param) */
	RESOLVE_STEP_NAPTR,         /* NAPTR, then SRV, then A/AAAA */
};

struct resolve_plan {
	enum resolve_step step;
	enum sip_tp tp;             /* NUMERIC, ADDR, SRV: the transport */
	uint16_t port;              /* NUMERIC, ADDR: the port */
	unsigned flags;             /* the flags in force (sips: adds some) */
};

/* The plan for uri, with the errors resolver_lookup() returns at once. */
int resolve_plan(struct resolve_plan *p, const struct sip_uri *uri,
		 unsigned flags);

/* 0 and *tp when a NAPTR service (case-insensitive) is one to follow
 * under these flags; ENOTSUP for SCTP, unknown services, and non-SIPS
 * services when TLS is the only transport left (RFC 3263 4.1). */
int resolve_naptr_service(const char *service, unsigned flags,
			  enum sip_tp *tp);

/* One SRV record, for the ordering below. */
struct resolve_srv {
	uint16_t priority, weight, port;
	char host[SIP_TARGET_HOST_MAX];
};

typedef uint32_t (resolve_rand_h)(void *arg);

/* Orders v in place per RFC 2782: ascending priority, and within one
 * priority a weighted random draw where weight-0 records come first among
 * the remaining and a weight-0 record is picked only when the draw is 0.
 * rnd NULL uses the system's CSPRNG. */
void resolve_srv_order(struct resolve_srv *v, size_t n, resolve_rand_h *rnd,
		       void *arg);

#endif
