/* resolve.c - RFC 3263 server location: NAPTR, SRV, A/AAAA through c-ares in the loop. */
#include <config.h>

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ares.h>

#include "core/log.h"
#include "core/rand.h"
#include "sip/resolve.h"

#define SUBSYS "resolve"
#define NAME_MAX_LEN 253          /* a DNS name in text, no final dot */
#define MAX_SLOTS 6               /* SRV owner names followed per lookup */
#define MAX_NAPTR 32              /* NAPTR records considered per answer */
/* Per c-ares try; the second try waits twice as long.  The whole lookup
 * has its own bound (timeout_ms) on top. */
#define ARES_TRY_MS 1500
#define ARES_TRIES 2

enum phase { PH_NAPTR, PH_SRV, PH_ADDR, PH_DONE };

/* One SRV owner name, from a NAPTR record or built from the domain. */
struct slot {
	struct resolver_query *q;
	enum sip_tp tp;
	char name[NAME_MAX_LEN + 2];
	struct resolve_srv rec[RESOLVE_MAX_TARGETS];
	size_t nrec;
};

/* A NAPTR record we will follow, before sorting. */
struct naptr_use {
	const struct ares_naptr_reply *rr;
	enum sip_tp tp;
};

/* One name to turn into addresses, in failover order. */
struct host {
	struct resolver_query *q;
	enum sip_tp tp;
	uint16_t port;
	bool absolute;           /* from DNS: never apply the search list */
	char name[SIP_TARGET_HOST_MAX];
	struct ares_addrinfo *ai;
};

struct resolver_query {
	struct resolver_query *prev, *next;
	struct resolver *r;
	resolver_h *h;
	void *arg;
	struct resolve_plan plan;
	char domain[SIP_TARGET_HOST_MAX];   /* the URI host, no final dot */
	enum phase phase;
	unsigned pending;        /* c-ares requests not yet called back */
	bool issuing;            /* requests going out: do not advance yet */
	bool gone;               /* cancelled or answered: free when idle */
	bool in_cb;
	bool nxdomain;           /* the domain itself does not exist */
	int err;                 /* the worst failure seen */
	struct tmr deadline, deliver;
	struct slot slot[MAX_SLOTS];
	size_t nslot;
	struct host host[RESOLVE_MAX_TARGETS];
	size_t nhost;
	struct sip_target out[RESOLVE_MAX_TARGETS];
	size_t nout;
};

struct resolver {
	struct loop *loop;
	ares_channel ch;
	bool lib_ok, ch_ok;
	bool closing;
	struct tmr tmr;          /* c-ares's next timeout */
	struct resolver_query *queries;
	uint32_t timeout_ms;
};

static void advance(struct resolver_query *q);

const char *sip_tp_name(enum sip_tp tp)
{
	switch (tp) {
	case SIP_TP_UDP: return "UDP";
	case SIP_TP_TCP: return "TCP";
	case SIP_TP_TLS: return "TLS";
	}
	return "?";
}

unsigned sip_tp_default_port(enum sip_tp tp)
{
	return tp == SIP_TP_TLS ? 5061 : 5060;
}

static unsigned tp_flag(enum sip_tp tp)
{
	switch (tp) {
	case SIP_TP_UDP: return RESOLVE_NO_UDP;
	case SIP_TP_TCP: return RESOLVE_NO_TCP;
	case SIP_TP_TLS: return RESOLVE_NO_TLS;
	}
	return RESOLVE_NO_UDP | RESOLVE_NO_TCP | RESOLVE_NO_TLS;
}

static const char *srv_prefix(enum sip_tp tp)
{
	/* RFC 3263 4.1: TLS is always looked up under _sips, even for sip:. */
	switch (tp) {
	case SIP_TP_UDP: return "_sip._udp.";
	case SIP_TP_TCP: return "_sip._tcp.";
	case SIP_TP_TLS: return "_sips._tcp.";
	}
	return "";
}

/* ---- the plan: RFC 3263 4.1 (transport) and 4.2 (port and address) ---- */

static int plan_transport(enum sip_tp *tp, const struct sip_uri *uri,
			  unsigned flags, bool *explicit)
{
	bool sips = uri->scheme == SIP_URI_SIPS;
	struct pl v;

	*explicit = sip_uri_param(uri, "transport", &v) == 0;
	if (!*explicit) {
		/* Numeric host or explicit port: UDP for sip:, TLS for sips:;
		 * an account that will not use UDP moves up to TCP, then TLS. */
		if (sips || (flags & RESOLVE_NO_UDP && flags & RESOLVE_NO_TCP))
			*tp = SIP_TP_TLS;
		else if (flags & RESOLVE_NO_UDP)
			*tp = SIP_TP_TCP;
		else
			*tp = SIP_TP_UDP;
		return 0;
	}
	if (pl_caseeq_str(&v, "udp"))
		*tp = SIP_TP_UDP;
	else if (pl_caseeq_str(&v, "tcp"))
		*tp = sips ? SIP_TP_TLS : SIP_TP_TCP;
	else if (pl_caseeq_str(&v, "tls"))   /* deprecated, still honoured */
		*tp = SIP_TP_TLS;
	else {
		log_warn(SUBSYS, "%.*s: transport=%.*s is not supported (UDP, TCP and TLS are)",
			 PL_FMT(&uri->host), PL_FMT(&v));
		return EPROTONOSUPPORT;
	}
	if (flags & tp_flag(*tp)) {
		log_warn(SUBSYS, "%.*s: transport=%.*s is not allowed here (%s)",
			 PL_FMT(&uri->host), PL_FMT(&v),
			 sips ? "a sips: URI goes over TLS only" :
			 (flags & RESOLVE_NO_UDP && flags & RESOLVE_NO_TCP) ?
			 "the account requires TLS" : "that transport is turned off");
		return EPROTONOSUPPORT;
	}
	return 0;
}

int resolve_plan(struct resolve_plan *p, const struct sip_uri *uri,
		 unsigned flags)
{
	const unsigned all_tp = RESOLVE_NO_UDP | RESOLVE_NO_TCP | RESOLVE_NO_TLS;
	const unsigned all_af = RESOLVE_NO_IPV4 | RESOLVE_NO_IPV6;
	struct pl host;
	bool explicit;
	enum sip_tp tp;
	int err;

	if (!p || !uri || uri->scheme == SIP_URI_TEL || !uri->host.p ||
	    !uri->host.l)
		return EINVAL;
	if (uri->port_set && uri->port == 0)
		return EINVAL;
	if (uri->scheme == SIP_URI_SIPS)
		flags |= RESOLVE_TLS_ONLY;
	if ((flags & all_af) == all_af)
		return EINVAL;
	if ((flags & all_tp) == all_tp) {
		if (uri->scheme != SIP_URI_SIPS)
			return EINVAL;
		log_warn(SUBSYS, "%.*s: a sips: URI needs TLS, which is turned off",
			 PL_FMT(&uri->host));
		return EPROTONOSUPPORT;
	}
	host = uri->host;
	if (host.l > 1 && host.p[host.l - 1] == '.')
		host.l--;
	if (host.l > NAME_MAX_LEN) {
		log_warn(SUBSYS, "a host name of %zu characters is longer than DNS allows (%u)",
			 host.l, NAME_MAX_LEN);
		return E2BIG;
	}
	err = plan_transport(&tp, uri, flags, &explicit);
	if (err)
		return err;

	p->tp = tp;
	p->port = uri->port_set ? uri->port : (uint16_t)sip_tp_default_port(tp);
	p->flags = flags;
	if (uri->host_type == SIP_HOST_IPV4 || uri->host_type == SIP_HOST_IPV6) {
		if (flags & (uri->host_type == SIP_HOST_IPV4 ?
			     RESOLVE_NO_IPV4 : RESOLVE_NO_IPV6))
			return EAFNOSUPPORT;
		p->step = RESOLVE_STEP_NUMERIC;
	} else if (uri->port_set) {
		p->step = RESOLVE_STEP_ADDR;      /* even :5060 (RFC 3263 4.2) */
	} else if (explicit) {
		p->step = RESOLVE_STEP_SRV;
	} else {
		p->step = RESOLVE_STEP_NAPTR;     /* tp: the A/AAAA last resort */
	}
	return 0;
}

int resolve_naptr_service(const char *service, unsigned flags,
			  enum sip_tp *tp)
{
	enum sip_tp t;

	if (!service)
		return ENOTSUP;
	if (!strcasecmp(service, "SIPS+D2T"))
		t = SIP_TP_TLS;
	else if (!strcasecmp(service, "SIP+D2T"))
		t = SIP_TP_TCP;
	else if (!strcasecmp(service, "SIP+D2U"))
		t = SIP_TP_UDP;
	else
		return ENOTSUP;    /* D2S (SCTP), SIPS+D2U, anything else */
	if (flags & tp_flag(t))
		return ENOTSUP;
	if (tp)
		*tp = t;
	return 0;
}

/* ---- RFC 2782 ordering ---- */

static uint32_t csprng(void *arg)
{
	uint32_t v = 0;

	(void)arg;
	if (rand_bytes(&v, sizeof(v)))
		v = 0;
	return v;
}

/* Moves v[from] to v[to] (to <= from), keeping the others in order. */
static void srv_lift(struct resolve_srv *v, size_t to, size_t from)
{
	struct resolve_srv t;

	if (from == to)
		return;
	t = v[from];
	memmove(&v[to + 1], &v[to], (from - to) * sizeof(*v));
	v[to] = t;
}

void resolve_srv_order(struct resolve_srv *v, size_t n, resolve_rand_h *rnd,
		       void *arg)
{
	size_t start, end;

	if (!v || n < 2)
		return;
	if (!rnd)
		rnd = csprng;
	/* Stable: equal records keep the order the server gave. */
	for (size_t i = 1; i < n; i++) {
		size_t j = i;

		while (j > 0 && v[j - 1].priority > v[i].priority)
			j--;
		srv_lift(v, j, i);
	}
	for (start = 0; start < n; start = end) {
		size_t zeros = start;

		end = start + 1;
		while (end < n && v[end].priority == v[start].priority)
			end++;
		for (size_t i = start; i < end; i++)
			if (v[i].weight == 0)
				srv_lift(v, zeros++, i);
		for (size_t i = start; i + 1 < end; i++) {
			uint32_t sum = 0, run = 0, draw;
			size_t pick = i;

			for (size_t k = i; k < end; k++)
				sum += v[k].weight;
			draw = sum ? rnd(arg) % (sum + 1) : 0;
			for (size_t k = i; k < end; k++) {
				run += v[k].weight;
				if (run >= draw) {
					pick = k;
					break;
				}
			}
			srv_lift(v, i, pick);
		}
	}
}

/* ---- c-ares in the loop ---- */

static void ares_tmr_h(void *arg);

static void rearm(struct resolver *r)
{
	struct timeval tv, *tvp;
	uint64_t ms;

	if (r->closing)
		return;
	tvp = ares_timeout(r->ch, NULL, &tv);
	if (!tvp) {
		tmr_cancel(&r->tmr);
		return;
	}
	ms = (uint64_t)tvp->tv_sec * 1000u + ((uint64_t)tvp->tv_usec + 999u) / 1000u;
	tmr_start(r->loop, &r->tmr, ms, ares_tmr_h, r);
}

static void ares_tmr_h(void *arg)
{
	struct resolver *r = arg;

	ares_process_fd(r->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
	rearm(r);
}

static void fd_h(int fd, short revents, void *arg)
{
	struct resolver *r = arg;
	/* An error or hangup is for c-ares to read and report. */
	ares_socket_t rfd = revents & (POLLIN | POLLERR | POLLHUP) ? fd : ARES_SOCKET_BAD;
	ares_socket_t wfd = revents & POLLOUT ? fd : ARES_SOCKET_BAD;

	ares_process_fd(r->ch, rfd, wfd);
	rearm(r);
}

static void sock_state_h(void *data, ares_socket_t fd, int readable,
			 int writable)
{
	struct resolver *r = data;
	short ev = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	int err;

	if (!ev) {
		loop_fd_del(r->loop, fd);
		return;
	}
	err = loop_fd_add(r->loop, fd, ev, fd_h, r);
	if (err == EALREADY)
		err = loop_fd_events(r->loop, fd, ev);
	if (err)   /* the query then ends through c-ares's own timeout */
		log_warn(SUBSYS, "cannot watch DNS socket %d: %s", fd, strerror(err));
}

static int ares_err(int status)
{
	switch (status) {
	case ARES_SUCCESS: return 0;
	case ARES_ENODATA:
	case ARES_ENOTFOUND:
	case ARES_ENONAME: return ENOENT;
	case ARES_ETIMEOUT: return ETIMEDOUT;
	case ARES_ECONNREFUSED: return ECONNREFUSED;
	case ARES_ENOMEM: return ENOMEM;
	case ARES_ECANCELLED:
	case ARES_EDESTRUCTION: return ECANCELED;
	default: return EIO;
	}
}

/* The failure the caller hears about is the worst one seen. */
static int err_rank(int err)
{
	switch (err) {
	case 0: return 0;
	case ENOENT: return 1;
	case EIO: return 2;
	case ECONNREFUSED: return 3;
	case ETIMEDOUT: return 4;
	case ENOMEM: return 5;
	default: return 2;
	}
}

static void note_failure(struct resolver_query *q, const char *what,
			 const char *name, int status)
{
	int err = ares_err(status);

	if (err_rank(err) > err_rank(q->err))
		q->err = err;
	if (status == ARES_ENOTFOUND && !strcasecmp(name, q->domain))
		q->nxdomain = true;
	if (err == ENOENT)
		log_debug(SUBSYS, "%s: no %s record (%s)", name, what,
			  ares_strerror(status));
	else
		log_warn(SUBSYS, "%s: %s lookup failed: %s", name, what,
			 ares_strerror(status));
}

/* ---- queries ---- */

static void q_maybe_free(struct resolver_query *q)
{
	if (!q->gone || q->pending || q->in_cb)
		return;
	if (q->prev)
		q->prev->next = q->next;
	else
		q->r->queries = q->next;
	if (q->next)
		q->next->prev = q->prev;
	tmr_cancel(&q->deadline);
	tmr_cancel(&q->deliver);
	for (size_t i = 0; i < q->nhost; i++)
		if (q->host[i].ai)
			ares_freeaddrinfo(q->host[i].ai);
	free(q);
}

static void deliver_h(void *arg)
{
	struct resolver_query *q = arg;

	q->in_cb = true;
	q->h(q->err, q->err ? NULL : q->out, q->err ? 0 : q->nout, q->arg);
	q->in_cb = false;
	q->gone = true;
	q_maybe_free(q);
}

static void finish(struct resolver_query *q, int err)
{
	if (q->phase == PH_DONE)
		return;
	q->phase = PH_DONE;
	q->err = err;
	tmr_cancel(&q->deadline);
	if (!err) {
		char a[INET6_ADDRSTRLEN] = "?";
		const struct sip_target *t = &q->out[0];

		if (t->addr.ss_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)&t->addr)->sin_addr, a, sizeof(a));
		else
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)&t->addr)->sin6_addr, a, sizeof(a));
		log_debug(SUBSYS, "%s: %zu target(s), first %s %s (%s)", q->domain,
			  q->nout, sip_tp_name(t->tp), a, t->host);
	} else if (err == ENOENT && q->nxdomain) {
		log_warn(SUBSYS, "%s: no such domain (DNS says it does not exist)", q->domain);
	} else if (err == ENOENT) {
		log_warn(SUBSYS, "%s: no usable NAPTR, SRV, A or AAAA record%s", q->domain,
			 q->plan.flags & RESOLVE_NO_UDP && q->plan.flags & RESOLVE_NO_TCP ?
			 " for TLS" : "");
	} else if (err == ETIMEDOUT) {
		log_warn(SUBSYS, "%s: the DNS server did not answer in time; check [sip] dns_servers or the network",
			 q->domain);
	} else {
		log_warn(SUBSYS, "%s: cannot locate the SIP server: %s", q->domain, strerror(err));
	}
	tmr_start(q->r->loop, &q->deliver, 0, deliver_h, q);
}

static void deadline_h(void *arg)
{
	struct resolver_query *q = arg;

	log_debug(SUBSYS, "%s: lookup still unanswered after %u ms", q->domain,
		  q->r->timeout_ms);
	finish(q, ETIMEDOUT);
}

/* Called back last by each c-ares request: advances when a phase is over. */
static void sub_done(struct resolver_query *q, enum phase ph)
{
	q->pending--;
	if (!q->gone && !q->issuing && !q->pending && q->phase == ph)
		advance(q);
	q_maybe_free(q);
}

static bool slot_add(struct resolver_query *q, enum sip_tp tp, const char *name)
{
	struct slot *s;

	if (q->nslot >= MAX_SLOTS || strlen(name) > NAME_MAX_LEN)
		return false;
	for (size_t i = 0; i < q->nslot; i++)
		if (q->slot[i].tp == tp && !strcasecmp(q->slot[i].name, name))
			return false;
	s = &q->slot[q->nslot++];
	s->q = q;
	s->tp = tp;
	strcpy(s->name, name);
	return true;
}

static void slot_add_srv(struct resolver_query *q, enum sip_tp tp)
{
	char name[NAME_MAX_LEN + 16];

	(void)snprintf(name, sizeof(name), "%s%s", srv_prefix(tp), q->domain);
	if (!slot_add(q, tp, name))
		log_warn(SUBSYS, "%s: SRV name %s is too long", q->domain, name);
}

static void host_add(struct resolver_query *q, const char *name, enum sip_tp tp,
		     uint16_t port, bool absolute)
{
	struct host *h;

	if (q->nhost >= RESOLVE_MAX_TARGETS || strlen(name) > NAME_MAX_LEN)
		return;
	for (size_t i = 0; i < q->nhost; i++)
		if (q->host[i].tp == tp && q->host[i].port == port &&
		    !strcasecmp(q->host[i].name, name))
			return;
	h = &q->host[q->nhost++];
	h->q = q;
	h->tp = tp;
	h->port = port;
	h->absolute = absolute;
	strcpy(h->name, name);
}

static void naptr_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		     int alen)
{
	struct resolver_query *q = arg;
	struct ares_naptr_reply *list = NULL;
	struct naptr_use use[MAX_NAPTR], t;
	size_t nuse = 0;

	(void)timeouts;
	if (q->gone || q->phase != PH_NAPTR)
		goto out;
	if (status == ARES_SUCCESS)
		status = ares_parse_naptr_reply(abuf, alen, &list);
	if (status != ARES_SUCCESS) {
		note_failure(q, "NAPTR", q->domain, status);
		goto out;
	}
	for (const struct ares_naptr_reply *rr = list; rr && nuse < MAX_NAPTR; rr = rr->next) {
		const char *svc = (const char *)rr->service;
		enum sip_tp tp;

		/* RFC 3263 4.1: SIP uses the "s" flag, an empty regexp and
		 * the replacement as the SRV name; anything else is not ours. */
		if (strcasecmp((const char *)rr->flags, "s") || rr->regexp[0] ||
		    !rr->replacement[0] || !strcmp(rr->replacement, ".")) {
			log_debug(SUBSYS, "%s: NAPTR %s ignored (flags \"%s\")", q->domain,
				  svc, (const char *)rr->flags);
			continue;
		}
		if (resolve_naptr_service(svc, q->plan.flags, &tp)) {
			log_debug(SUBSYS, "%s: NAPTR service %s discarded%s", q->domain, svc,
				  q->plan.flags & RESOLVE_NO_UDP && q->plan.flags & RESOLVE_NO_TCP ?
				  " (TLS only)" : "");
			continue;
		}
		use[nuse].rr = rr;
		use[nuse].tp = tp;
		nuse++;
	}
	/* Order, then preference; stable so that ties keep the wire order. */
	for (size_t i = 1; i < nuse; i++) {
		for (size_t j = i; j > 0; j--) {
			const struct ares_naptr_reply *a = use[j - 1].rr, *b = use[j].rr;

			if (a->order < b->order || (a->order == b->order &&
						    a->preference <= b->preference))
				break;
			t = use[j];
			use[j] = use[j - 1];
			use[j - 1] = t;
		}
	}
	for (size_t i = 0; i < nuse; i++)
		(void)slot_add(q, use[i].tp, use[i].rr->replacement);
 out:
	ares_free_data(list);
	sub_done(q, PH_NAPTR);
}

static void srv_cb(void *arg, int status, int timeouts, unsigned char *abuf,
		   int alen)
{
	struct slot *s = arg;
	struct resolver_query *q = s->q;
	struct ares_srv_reply *list = NULL;

	(void)timeouts;
	if (q->gone || q->phase != PH_SRV)
		goto out;
	if (status == ARES_SUCCESS)
		status = ares_parse_srv_reply(abuf, alen, &list);
	if (status != ARES_SUCCESS) {
		note_failure(q, "SRV", s->name, status);
		goto out;
	}
	for (const struct ares_srv_reply *rr = list; rr && s->nrec < RESOLVE_MAX_TARGETS; rr = rr->next) {
		struct resolve_srv *v;

		/* "." means the service is decidedly not offered (RFC 2782). */
		if (!rr->host[0] || !strcmp(rr->host, ".") || !rr->port ||
		    strlen(rr->host) > NAME_MAX_LEN)
			continue;
		v = &s->rec[s->nrec++];
		v->priority = rr->priority;
		v->weight = rr->weight;
		v->port = rr->port;
		strcpy(v->host, rr->host);
	}
	if (!s->nrec)
		note_failure(q, "usable SRV", s->name, ARES_ENODATA);
	resolve_srv_order(s->rec, s->nrec, NULL, NULL);
 out:
	ares_free_data(list);
	sub_done(q, PH_SRV);
}

static void addr_cb(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
	struct host *h = arg;
	struct resolver_query *q = h->q;

	(void)timeouts;
	if (q->gone || q->phase != PH_ADDR || status != ARES_SUCCESS) {
		if (!q->gone && q->phase == PH_ADDR)
			note_failure(q, "A/AAAA", h->name, status);
		if (res)
			ares_freeaddrinfo(res);
	} else {
		h->ai = res;
	}
	sub_done(q, PH_ADDR);
}

static void start_naptr(struct resolver_query *q)
{
	q->phase = PH_NAPTR;
	q->issuing = true;
	q->pending++;
	ares_query(q->r->ch, q->domain, ns_c_in, ns_t_naptr, naptr_cb, q);
	q->issuing = false;
	if (!q->pending && q->phase == PH_NAPTR)
		advance(q);
}

static void start_srv(struct resolver_query *q)
{
	q->phase = PH_SRV;
	q->issuing = true;
	for (size_t i = 0; i < q->nslot; i++) {
		q->pending++;
		ares_query(q->r->ch, q->slot[i].name, ns_c_in, ns_t_srv, srv_cb,
			   &q->slot[i]);
	}
	q->issuing = false;
	if (!q->pending && q->phase == PH_SRV)
		advance(q);
}

static void start_addr(struct resolver_query *q)
{
	struct ares_addrinfo_hints hints = {.ai_family = AF_UNSPEC};

	if (q->plan.flags & RESOLVE_NO_IPV6)
		hints.ai_family = AF_INET;
	else if (q->plan.flags & RESOLVE_NO_IPV4)
		hints.ai_family = AF_INET6;
	q->phase = PH_ADDR;
	q->issuing = true;
	for (size_t i = 0; i < q->nhost; i++) {
		struct host *h = &q->host[i];
		char name[SIP_TARGET_HOST_MAX + 1];

		/* A name from DNS is absolute: the final dot keeps c-ares
		 * from trying it under the local search domains. */
		(void)snprintf(name, sizeof(name), "%s%s", h->name, h->absolute ? "." : "");
		q->pending++;
		ares_getaddrinfo(q->r->ch, name, NULL, &hints, addr_cb, h);
	}
	q->issuing = false;
	if (!q->pending && q->phase == PH_ADDR)
		advance(q);
}

static void target_add(struct resolver_query *q, const struct host *h,
		       int family, const void *addr, uint32_t scope)
{
	struct sip_target t;

	if (q->nout >= RESOLVE_MAX_TARGETS)
		return;
	memset(&t, 0, sizeof(t));
	t.tp = h->tp;
	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&t.addr;

		if (q->plan.flags & RESOLVE_NO_IPV4)
			return;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(h->port);
		memcpy(&sin->sin_addr, addr, sizeof(sin->sin_addr));
		t.addrlen = sizeof(*sin);
	} else if (family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t.addr;

		if (q->plan.flags & RESOLVE_NO_IPV6)
			return;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(h->port);
		sin6->sin6_scope_id = scope;
		memcpy(&sin6->sin6_addr, addr, sizeof(sin6->sin6_addr));
		t.addrlen = sizeof(*sin6);
	} else {
		return;
	}
	for (size_t i = 0; i < q->nout; i++)
		if (q->out[i].tp == t.tp && q->out[i].addrlen == t.addrlen &&
		    !memcmp(&q->out[i].addr, &t.addr, t.addrlen))
			return;
	strcpy(t.host, h->name);
	q->out[q->nout++] = t;
}

static void collect_addr(struct resolver_query *q)
{
	for (size_t i = 0; i < q->nhost; i++) {
		const struct host *h = &q->host[i];

		for (const struct ares_addrinfo_node *n = h->ai ? h->ai->nodes : NULL;
		     n; n = n->ai_next) {
			if (n->ai_family == AF_INET)
				target_add(q, h, AF_INET,
					   &((const struct sockaddr_in *)n->ai_addr)->sin_addr, 0);
			else if (n->ai_family == AF_INET6) {
				const struct sockaddr_in6 *s6 = (const void *)n->ai_addr;

				target_add(q, h, AF_INET6, &s6->sin6_addr, s6->sin6_scope_id);
			}
		}
	}
}

/* No answer at all (timeout, refused) is the server's state, not the
 * domain's: asking it the next question would only wait again. */
static bool server_down(const struct resolver_query *q)
{
	return q->err == ETIMEDOUT || q->err == ECONNREFUSED;
}

static void advance(struct resolver_query *q)
{
	switch (q->phase) {
	case PH_NAPTR:
		if (!q->nslot && server_down(q)) {
			finish(q, q->err);
			break;
		}
		/* No NAPTR, or none usable: SRV for each transport we may
		 * use, TLS first (RFC 3263 4.1). */
		if (!q->nslot) {
			if (!(q->plan.flags & RESOLVE_NO_TLS))
				slot_add_srv(q, SIP_TP_TLS);
			if (!(q->plan.flags & RESOLVE_NO_TCP))
				slot_add_srv(q, SIP_TP_TCP);
			if (!(q->plan.flags & RESOLVE_NO_UDP))
				slot_add_srv(q, SIP_TP_UDP);
		}
		start_srv(q);
		break;
	case PH_SRV:
		for (size_t i = 0; i < q->nslot; i++)
			for (size_t j = 0; j < q->slot[i].nrec; j++)
				host_add(q, q->slot[i].rec[j].host, q->slot[i].tp,
					 q->slot[i].rec[j].port, true);
		if (!q->nhost && server_down(q)) {
			finish(q, q->err);
			break;
		}
		/* No SRV: the domain's own addresses, default port. */
		if (!q->nhost)
			host_add(q, q->domain, q->plan.tp,
				 (uint16_t)sip_tp_default_port(q->plan.tp), false);
		start_addr(q);
		break;
	case PH_ADDR:
		collect_addr(q);
		finish(q, q->nout ? 0 : q->err ? q->err : ENOENT);
		break;
	case PH_DONE:
		break;
	}
}

static int numeric_target(struct resolver_query *q, const struct sip_uri *uri)
{
	struct host h = {.tp = q->plan.tp, .port = q->plan.port};
	unsigned char a[16];
	int af = uri->host_type == SIP_HOST_IPV4 ? AF_INET : AF_INET6;

	strcpy(h.name, q->domain);
	if (inet_pton(af, h.name, a) != 1)
		return EINVAL;
	target_add(q, &h, af, a, 0);
	return q->nout ? 0 : EAFNOSUPPORT;
}

int resolver_lookup(struct resolver_query **qp, struct resolver *r,
		    const struct sip_uri *uri, unsigned flags,
		    resolver_h *h, void *arg)
{
	struct resolver_query *q;
	struct resolve_plan plan;
	int err;

	if (!r || !uri || !h || r->closing)
		return EINVAL;
	err = resolve_plan(&plan, uri, flags);
	if (err)
		return err;
	q = calloc(1, sizeof(*q));
	if (!q)
		return ENOMEM;
	q->r = r;
	q->h = h;
	q->arg = arg;
	q->plan = plan;
	tmr_init(&q->deadline);
	tmr_init(&q->deliver);
	/* resolve_plan() bounded the length; one final dot is dropped. */
	pl_strcpy(q->domain, sizeof(q->domain), &uri->host);
	if (strlen(q->domain) > 1 && q->domain[strlen(q->domain) - 1] == '.')
		q->domain[strlen(q->domain) - 1] = '\0';

	if (plan.step == RESOLVE_STEP_NUMERIC) {
		err = numeric_target(q, uri);
		if (err) {
			free(q);
			return err;
		}
	}
	q->next = r->queries;
	if (q->next)
		q->next->prev = q;
	r->queries = q;
	if (qp)
		*qp = q;

	switch (plan.step) {
	case RESOLVE_STEP_NUMERIC:
		q->phase = PH_ADDR;
		finish(q, 0);
		return 0;
	case RESOLVE_STEP_ADDR:
		host_add(q, q->domain, plan.tp, plan.port, false);
		break;
	case RESOLVE_STEP_SRV:
		slot_add_srv(q, plan.tp);
		break;
	case RESOLVE_STEP_NAPTR:
		break;
	}
	tmr_start(r->loop, &q->deadline, r->timeout_ms, deadline_h, q);
	log_debug(SUBSYS, "%s: locating (%s)", q->domain,
		  plan.step == RESOLVE_STEP_NAPTR ? "NAPTR" :
		  plan.step == RESOLVE_STEP_SRV ? "SRV" : "A/AAAA");
	if (plan.step == RESOLVE_STEP_NAPTR)
		start_naptr(q);
	else if (plan.step == RESOLVE_STEP_SRV)
		start_srv(q);
	else
		start_addr(q);
	rearm(r);
	return 0;
}

void resolver_cancel(struct resolver_query *q)
{
	if (!q || q->in_cb || q->gone)
		return;
	q->gone = true;
	tmr_cancel(&q->deadline);
	tmr_cancel(&q->deliver);
	q_maybe_free(q);
}

void resolver_set_timeout(struct resolver *r, uint32_t ms)
{
	if (r)
		r->timeout_ms = ms ? ms : RESOLVE_DEFAULT_TIMEOUT_MS;
}

int resolver_alloc(struct resolver **rp, struct loop *loop,
		   const char *servers)
{
	struct ares_options o;
	struct resolver *r;
	int err = 0, rc;

	if (!rp || !loop)
		return EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->loop = loop;
	r->timeout_ms = RESOLVE_DEFAULT_TIMEOUT_MS;
	tmr_init(&r->tmr);
	rc = ares_library_init(ARES_LIB_INIT_ALL);
	if (rc != ARES_SUCCESS) {
		err = rc == ARES_ENOMEM ? ENOMEM : EIO;
		goto out;
	}
	r->lib_ok = true;

	memset(&o, 0, sizeof(o));
	o.sock_state_cb = sock_state_h;
	o.sock_state_cb_data = r;
	o.timeout = ARES_TRY_MS;
	o.tries = ARES_TRIES;
	rc = ares_init_options(&r->ch, &o, ARES_OPT_SOCK_STATE_CB |
			       ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES);
	if (rc != ARES_SUCCESS) {
		log_warn(SUBSYS, "cannot start the DNS resolver: %s", ares_strerror(rc));
		err = rc == ARES_ENOMEM ? ENOMEM : EIO;
		goto out;
	}
	r->ch_ok = true;
	if (servers && *servers) {
		rc = ares_set_servers_ports_csv(r->ch, servers);
		if (rc != ARES_SUCCESS) {
			log_warn(SUBSYS, "[sip] dns_servers \"%s\" is not a list of addresses such as 127.0.0.1:53,[::1]:53 (%s)",
				 servers, ares_strerror(rc));
			err = rc == ARES_ENOMEM ? ENOMEM : EINVAL;
			goto out;
		}
	}
 out:
	if (err)
		resolver_free(r);
	else
		*rp = r;
	return err;
}

void resolver_free(struct resolver *r)
{
	if (!r)
		return;
	r->closing = true;
	for (struct resolver_query *q = r->queries; q; q = q->next) {
		q->gone = true;
		tmr_cancel(&q->deadline);
		tmr_cancel(&q->deliver);
	}
	/* Every outstanding request is called back with ARES_EDESTRUCTION:
	 * the queries see they are gone and free themselves. */
	if (r->ch_ok)
		ares_destroy(r->ch);
	while (r->queries) {
		r->queries->pending = 0;
		r->queries->in_cb = false;
		q_maybe_free(r->queries);
	}
	tmr_cancel(&r->tmr);
	if (r->lib_ok)
		ares_library_cleanup();
	free(r);
}
