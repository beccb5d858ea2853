/* reg.c - REGISTER, its challenges, refresh, re-registration after a lost flow, unregister. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/rand.h"
#include "sip/msg.h"
#include "sip/resolve.h"
#include "sip/tsx.h"
#include "ua/account.h"
#include "ua/auth.h"
#include "ua/ping.h"
#include "ua/reg.h"
#include "ua/scrub.h"
#include "ua/secagree.h"
#include "ua/stack.h"

#define REG_LOG "reg"

struct reg {
	struct stack *st;
	struct account *acc;
	struct auth *auth;
	struct secagree *sa;
	struct ping *ping;         /* [account] options_ping */
	struct stack_conn *conn;
	struct resolver_query *q;
	struct sip_target tgt[RESOLVE_MAX_TARGETS];
	size_t ntgt, cur;
	struct sip_ctsx *ct;
	struct tmr tmr;
	enum reg_state state;
	char callid[48];
	char ftag[32];
	char tls_domain[SIP_TARGET_HOST_MAX];
	uint32_t cseq;
	uint32_t expires;          /* asked for */
	unsigned rounds;           /* challenges answered for this binding */
	unsigned retries;          /* network failures in a row */
	bool force_tls;            /* sec-agree chose tls */
	bool stopping;
	bool verified;
	bool interval_retry;
	unsigned flow_losses;      /* flows lost since the last success */
	reg_done_h *done_h;
	void *done_arg;
};

static void send_register(struct reg *r);
static void resolve(struct reg *r);

const char *reg_state_name(enum reg_state s)
{
	switch (s) {
	case REG_REGISTERING:
		return "registering";
	case REG_REGISTERED:
		return "registered";
	case REG_FAILED:
		return "failed";
	default:
		return "unregistered";
	}
}

enum reg_state reg_state(const struct reg *r)
{
	return r ? r->state : REG_UNREGISTERED;
}

static const char *tp_name(const struct reg *r)
{
	if (r->ntgt)
		return sip_tp_name(r->tgt[r->cur].tp);
	if (r->acc->sips || r->acc->require_tls || r->force_tls)
		return "TLS";
	return r->acc->has_tp ? sip_tp_name(r->acc->tp) : "";
}

/* The one state setter: logs, emits the event. */
static void reg_set_state(struct reg *r, enum reg_state s, unsigned code,
			  const char *reason)
{
	const char *tp = tp_name(r);

	log_info(REG_LOG, "%s: -> [%s] %u %s", r->acc->name,
		 reg_state_name(s), code, reason ? reason : "");
	r->state = s;
	(void)events_emit("reg", json_pack("{s:s, s:s, s:i, s:s, s:s, s:b}",
		"account", r->acc->name, "state", reg_state_name(s),
		"code", (int)code, "reason", reason ? reason : "",
		"transport", tp,
		"verified", r->verified && !strcmp(tp, "TLS")));
}

static void finish_stop(struct reg *r)
{
	reg_done_h *h = r->done_h;

	r->done_h = NULL;
	if (h)
		h(r, r->done_arg);
}

static void on_timer(void *arg)
{
	struct reg *r = arg;

	if (r->stopping)
		return;
	if (r->state != REG_REGISTERED && r->state != REG_REGISTERING)
		reg_set_state(r, REG_REGISTERING, 0, "");
	if (!r->ntgt)
		resolve(r);
	else
		send_register(r);
}

/* A failure the network may get over: retried later, a bounded number
 * of times, each wait longer. */
static void fail_retry(struct reg *r, unsigned code, const char *reason)
{
	reg_set_state(r, REG_FAILED, code, reason);
	r->ntgt = 0;
	if (r->stopping) {
		finish_stop(r);
		return;
	}
	if (++r->retries > REG_RETRY_MAX) {
		log_warn(REG_LOG, "%s: giving up after %u attempts",
			 r->acc->name, REG_RETRY_MAX);
		return;
	}
	tmr_start(stack_loop(r->st), &r->tmr,
		  (uint64_t)REG_RETRY_MIN_S * 1000u << (r->retries - 1),
		  on_timer, r);
}

/* A failure only the user can fix (credentials, TLS identity, policy). */
static void fail_final(struct reg *r, unsigned code, const char *reason)
{
	tmr_cancel(&r->tmr);
	reg_set_state(r, REG_FAILED, code, reason);
	if (r->stopping)
		finish_stop(r);
}

static void on_conn(struct stack_conn *c, const struct sip_flow_event *ev,
		    void *arg)
{
	struct reg *r = arg;

	(void)c;
	switch (ev->type) {
	case SIP_FLOW_TLS_VERIFIED:
		r->verified = true;
		break;
	case SIP_FLOW_CLOSED:
		if (ev->err == EACCES) {
			/* The server did not prove it is the domain: never
			 * retried on its own. */
			fail_final(r, 0, ev->text ? ev->text :
				   _("the TLS server was not authenticated"));
			return;
		}
		r->verified = false;
		if (r->stopping || r->state == REG_FAILED ||
		    r->state == REG_UNREGISTERED)
			return;
		/* The binding lives on that flow: register again over a
		 * new one (RFC 5626 4.4.1 spirit). */
		log_info(REG_LOG, "%s: flow closed (%s); registering again",
			 r->acc->name, ev->text ? ev->text : "");
		reg_set_state(r, REG_REGISTERING, 0,
			      ev->text ? ev->text : "");
		/* 1 s after a lost flow, then longer each time a new flow is
		 * lost before a registration succeeds on it (a server that
		 * drops every handshake must not get one a second). */
		tmr_start(stack_loop(r->st), &r->tmr,
			  1000u << (r->flow_losses < 6 ? r->flow_losses : 6),
			  on_timer, r);
		r->flow_losses++;
		break;
	default:
		break;
	}
}

static uint32_t granted_expires(struct reg *r, struct sip_msg *resp)
{
	const struct sip_addrs *cl;
	uint32_t e = r->expires;

	if (!sip_msg_uint(resp, SIP_HDR_EXPIRES, &e) && !e)
		e = r->expires;
	if (!sip_msg_addrs(resp, SIP_HDR_CONTACT, &cl)) {
		for (size_t i = 0; i < cl->n; i++) {
			struct pl v;
			uint32_t ce;

			/* Our Contact carries our user: good enough to
			 * find it among other devices' bindings. */
			if (!pl_eq_str(&cl->v[i].uri.user, r->acc->username))
				continue;
			if (!sip_param_get(&cl->v[i].params, "expires", &v) &&
			    !pl_u32(&v, &ce) && ce) {
				e = ce;
				break;
			}
		}
	}
	return e ? e : r->expires;
}

static void got_2xx(struct reg *r, struct sip_msg *resp)
{
	const struct sip_hdr *h;
	uint64_t refresh;
	uint32_t e;
	size_t i = 0;
	int present = 0;
	struct buf b;

	auth_accepted(r->auth);
	if (auth_verify_info(r->auth, resp, &present) == EACCES) {
		fail_final(r, sip_msg_status(resp),
			   _("the registrar's rspauth is wrong: the answer "
			     "did not come from a server that knows the "
			     "password"));
		return;
	}
	r->retries = 0;
	r->rounds = 0;
	r->flow_losses = 0;
	if (r->stopping) {
		/* RFC 3608: the route set lives as long as the binding. */
		free(r->acc->service_route);
		r->acc->service_route = NULL;
		reg_set_state(r, REG_UNREGISTERED, sip_msg_status(resp),
			      "");
		finish_stop(r);
		return;
	}
	/* Service-Route: the route set for requests outside dialogs. */
	buf_init(&b, SIP_HDR_LEN_MAX * 4);
	while ((h = sip_msg_hdr_next(resp, SIP_HDR_SERVICE_ROUTE, &i))) {
		if (b.len)
			buf_puts(&b, ", ");
		buf_putpl(&b, &h->val);
	}
	free(r->acc->service_route);
	r->acc->service_route = NULL;
	if (b.len && !b.err)
		r->acc->service_route = strdup(b.data);
	buf_free(&b);

	e = granted_expires(r, resp);
	refresh = e > 60 ? (uint64_t)e * 850 : (uint64_t)(e > 10 ? e - 5 :
							  e / 2 + 1) * 1000;
	if (r->state != REG_REGISTERED)
		reg_set_state(r, REG_REGISTERED, sip_msg_status(resp), "");
	log_info(REG_LOG, "%s: registered for %u s%s", r->acc->name, e,
		 present ? " (rspauth verified)" : "");
	tmr_start(stack_loop(r->st), &r->tmr, refresh, on_timer, r);
}

static void on_resp(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
		    struct sip_msg *resp, void *arg)
{
	struct reg *r = arg;
	const char *why = "";
	char reason[256];
	struct pl rphrase;
	uint16_t code;
	int err;

	if (ev == SIP_CTSX_EV_TERMINATED) {
		if (r->ct == ct)
			r->ct = NULL;
		return;
	}
	if (ev == SIP_CTSX_EV_TIMEOUT || ev == SIP_CTSX_EV_ERROR) {
		r->ct = NULL;
		sip_ctsx_set_handler(ct, NULL, NULL);
		if (r->cur + 1 < r->ntgt && !r->stopping) {
			r->cur++;
			send_register(r);
			return;
		}
		fail_retry(r, ev == SIP_CTSX_EV_TIMEOUT ? 408 : 503,
			   ev == SIP_CTSX_EV_TIMEOUT ?
			   _("the registrar did not answer") :
			   _("the registrar cannot be reached"));
		return;
	}
	code = sip_msg_status(resp);
	if (code < 200)
		return;
	r->ct = NULL;
	sip_ctsx_set_handler(ct, NULL, NULL);
	rphrase = sip_msg_reason(resp);
	snprintf(reason, sizeof(reason), "%.*s", PL_FMT(&rphrase));
	if (r->sa && code != 494 && secagree_check(r->sa, resp, &why)) {
		fail_final(r, code, why);
		return;
	}
	if (code >= 200 && code < 300) {
		got_2xx(r, resp);
		return;
	}
	if (code == 401 || code == 407) {
		if (++r->rounds > REG_ROUNDS_MAX) {
			fail_final(r, code, _("the registrar keeps "
					      "challenging; check username "
					      "and password"));
			return;
		}
		err = auth_challenge(r->auth, resp, &why);
		if (err) {
			snprintf(reason, sizeof(reason), "%s (%s)",
				 err == EACCES ?
				 _("wrong username or password; check "
				   "username and password_file") :
				 _("cannot answer the registrar's "
				   "challenge"), why);
			fail_final(r, code, reason);
			return;
		}
		send_register(r);
		return;
	}
	if (code == 494 && r->sa) {
		err = secagree_on_494(r->sa, resp, &why);
		if (err) {
			fail_final(r, code, why);
			return;
		}
		if (secagree_mech(r->sa) == SECAGREE_DIGEST &&
		    (sip_msg_hdr_num(resp, SIP_HDR_WWW_AUTHENTICATE) ||
		     sip_msg_hdr_num(resp, SIP_HDR_PROXY_AUTHENTICATE)))
			(void)auth_challenge(r->auth, resp, &why);
		if (secagree_mech(r->sa) == SECAGREE_TLS && !r->force_tls) {
			r->force_tls = true;
			r->ntgt = 0;
			resolve(r);
			return;
		}
		send_register(r);
		return;
	}
	if (code == 423 && !r->interval_retry) {
		uint32_t min;

		if (!sip_msg_uint(resp, SIP_HDR_MIN_EXPIRES, &min) && min &&
		    min <= 86400u * 7) {
			r->interval_retry = true;
			r->expires = min;
			send_register(r);
			return;
		}
	}
	if ((code == 503 || code == 408) && r->cur + 1 < r->ntgt &&
	    !r->stopping) {
		r->cur++;
		send_register(r);
		return;
	}
	if (r->stopping) {
		reg_set_state(r, REG_UNREGISTERED, code, reason);
		finish_stop(r);
		return;
	}
	if (code >= 500)
		fail_retry(r, code, reason);
	else
		fail_final(r, code, reason);
}

static int add_route(struct sip_msg *req, const char *uri)
{
	if (strstr(uri, ";lr"))
		return sip_msg_hdr_addf(req, SIP_HDR_ROUTE, "<%s>", uri);
	return sip_msg_hdr_addf(req, SIP_HDR_ROUTE, "<%s;lr>", uri);
}

static void send_register(struct reg *r)
{
	const struct sip_target *t = &r->tgt[r->cur];
	const struct account *acc = r->acc;
	struct sip_msg *req = NULL;
	char hp[128];
	const char *why = _("cannot build the REGISTER");
	bool tls_only = acc->sips || acc->require_tls || r->force_tls;
	int err;

	if (tls_only && t->tp != SIP_TP_TLS) {
		/* Never happens with RESOLVE_TLS_ONLY; checked anyway. */
		fail_final(r, 0, _("the registrar was found only over UDP or "
				   "TCP, and this account requires TLS"));
		return;
	}
	if (!r->conn) {
		err = stack_conn_alloc(&r->conn, r->st, r->tls_domain,
				       tls_only, on_conn, r);
		if (err)
			goto out;
	}
	err = stack_hostport(r->st, t, hp, sizeof(hp));
	if (err)
		goto out;
	err = sip_msg_request_alloc(&req, "REGISTER", acc->registrar);
	if (err)
		goto out;
	r->cseq++;
	err = sip_tsx_via_add(req, t->tp, hp);
	if (!err && acc->outbound_proxy)
		err = add_route(req, acc->outbound_proxy);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_MAX_FORWARDS, "70");
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_TO, "<%s>", acc->aor);
	if (!err && acc->display_name)
		err = sip_msg_hdr_addf(req, SIP_HDR_FROM, "\"%s\" <%s>;tag=%s",
				       acc->display_name, acc->aor, r->ftag);
	else if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_FROM, "<%s>;tag=%s",
				       acc->aor, r->ftag);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_CALL_ID, r->callid);
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_CSEQ, "%u REGISTER",
				       r->cseq);
	/* SPECS 1.4: a sips: AOR registers a sips: Contact only. */
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_CONTACT,
				       "<%s:%s@%s%s>;expires=%u",
				       acc->sips ? "sips" : "sip",
				       acc->username, hp,
				       t->tp == SIP_TP_TCP ? ";transport=tcp" :
				       (t->tp == SIP_TP_TLS && !acc->sips) ?
				       ";transport=tcp" : "",
				       r->stopping ? 0 : r->expires);
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_EXPIRES, "%u",
				       r->stopping ? 0 : r->expires);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_SUPPORTED, "path");
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_ALLOW, STACK_ALLOW);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_USER_AGENT,
				      stack_user_agent(r->st));
	if (!err)
		err = auth_authorize(r->auth, req);
	if (!err && r->sa)
		err = secagree_decorate(r->sa, req, r->auth);
	if (err)
		goto out;
	log_info(REG_LOG, "%s: REGISTER to %s over %s (CSeq %u)", acc->name,
		 acc->registrar, sip_tp_name(t->tp), r->cseq);
	err = sip_ctsx_alloc(&r->ct, stack_tsx(r->st), req, t, r->conn,
			     on_resp, r);
	req = NULL;
	if (err) {
		r->ct = NULL;
		why = _("cannot send the REGISTER");
	}
 out:
	sip_msg_free(req);
	if (err) {
		char reason[256];

		snprintf(reason, sizeof(reason), "%s: %s", why,
			 strerror(err));
		fail_retry(r, 0, reason);
	}
}

/* What a failed lookup means to the user. */
static const char *resolve_why(int err)
{
	switch (err) {
	case ENOENT:
		return _("no such domain, or no usable DNS record");
	case ETIMEDOUT:
		return _("the DNS servers did not answer");
	default:
		return strerror(err);
	}
}

static void on_resolved(int err, const struct sip_target *t, size_t n,
			void *arg)
{
	struct reg *r = arg;
	char reason[512];

	r->q = NULL;
	if (err || !n) {
		snprintf(reason, sizeof(reason),
			 _("cannot find the registrar %s: %s; check "
			   "registrar and outbound_proxy"),
			 r->acc->outbound_proxy ? r->acc->outbound_proxy :
			 r->acc->registrar, resolve_why(err ? err : ENOENT));
		fail_retry(r, 0, reason);
		return;
	}
	if (n > RESOLVE_MAX_TARGETS)
		n = RESOLVE_MAX_TARGETS;
	memcpy(r->tgt, t, n * sizeof(*t));
	r->ntgt = n;
	r->cur = 0;
	/* RFC 3329: no sec-agree when RFC 3263 already gave TLS. */
	if (r->acc->sec_agree && !r->sa && t[0].tp != SIP_TP_TLS &&
	    secagree_alloc(&r->sa)) {
		fail_retry(r, 0, strerror(ENOMEM));
		return;
	}
	send_register(r);
}

static void resolve(struct reg *r)
{
	const char *target = r->acc->outbound_proxy ? r->acc->outbound_proxy :
			     r->acc->registrar;
	unsigned flags = 0;
	struct sip_uri uri;
	struct pl s;
	char reason[512];
	int err;

	pl_set_str(&s, target);
	err = sip_uri_decode(&uri, &s);
	if (!err) {
		if (r->acc->sips || r->acc->require_tls || r->force_tls)
			flags |= RESOLVE_TLS_ONLY;
		else if (r->acc->has_tp)
			flags |= (r->acc->tp == SIP_TP_UDP ? 0 :
				  RESOLVE_NO_UDP) |
				 (r->acc->tp == SIP_TP_TCP ? 0 :
				  RESOLVE_NO_TCP) |
				 (r->acc->tp == SIP_TP_TLS ? 0 :
				  RESOLVE_NO_TLS);
		/* RFC 5922: the certificate must name the domain the user
		 * configured; an address literal there says nothing, so
		 * the AOR's domain is what the server must prove. */
		if (uri.host_type == SIP_HOST_NAME)
			pl_strcpy(r->tls_domain, sizeof(r->tls_domain),
				  &uri.host);
		else
			snprintf(r->tls_domain, sizeof(r->tls_domain), "%s",
				 r->acc->domain);
		err = resolver_lookup(&r->q, stack_resolver(r->st), &uri,
				      flags, on_resolved, r);
	}
	if (err) {
		snprintf(reason, sizeof(reason),
			 _("cannot use %s as the registrar: %s; check "
			   "registrar and outbound_proxy"), target,
			 strerror(err));
		fail_final(r, 0, reason);
	}
}

int reg_alloc(struct reg **rp, struct stack *st, struct account *acc)
{
	struct reg *r;
	int err;

	if (!rp || !st || !acc)
		return EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->st = st;
	r->acc = acc;
	r->expires = acc->expires;
	tmr_init(&r->tmr);
	err = rand_callid(r->callid, sizeof(r->callid));
	if (!err)
		err = rand_tag(r->ftag, sizeof(r->ftag));
	if (!err)
		err = rand_bytes(&r->cseq, sizeof(r->cseq));
	r->cseq = (r->cseq & 0xffff) + 1;
	/* The account's privacy for every REGISTER (siptty.conf(5): From
	 * and To keep the AOR being registered, Privacy is still sent). */
	if (!err) {
		struct scrub_policy pol;

		account_scrub_policy(acc, &pol);
		err = scrub_bind(r->callid, &pol);
	}
	if (!err)
		err = auth_alloc(&r->auth, acc->username, acc->password);
	/* The ping lives with the account's registration state, whether
	 * or not it registers. */
	if (!err)
		err = ping_alloc(&r->ping, st, acc);
	if (err)
		reg_free(r);
	else
		*rp = r;
	return err;
}

void reg_free(struct reg *r)
{
	if (!r)
		return;
	tmr_cancel(&r->tmr);
	resolver_cancel(r->q);
	if (r->ct)
		sip_ctsx_set_handler(r->ct, NULL, NULL);
	stack_conn_release(r->conn);
	ping_free(r->ping);
	auth_free(r->auth);
	secagree_free(r->sa);
	scrub_unbind(r->callid);
	free(r);
}

int reg_start(struct reg *r)
{
	if (!r)
		return EINVAL;
	r->stopping = false;
	r->retries = 0;
	reg_set_state(r, REG_REGISTERING, 0, "");
	resolve(r);
	return 0;
}

int reg_stop(struct reg *r, reg_done_h *h, void *arg)
{
	if (!r)
		return EINVAL;
	r->stopping = true;
	ping_stop(r->ping);
	tmr_cancel(&r->tmr);
	resolver_cancel(r->q);
	r->q = NULL;
	r->done_h = h;
	r->done_arg = arg;
	if (r->ct) {
		sip_ctsx_set_handler(r->ct, NULL, NULL);
		r->ct = NULL;
	}
	if (r->state != REG_REGISTERED || !r->ntgt) {
		if (r->state != REG_UNREGISTERED && r->state != REG_FAILED)
			reg_set_state(r, REG_UNREGISTERED, 0, "");
		r->done_h = NULL;
		if (h)
			h(r, arg);
		return EALREADY;
	}
	r->rounds = 0;
	send_register(r);
	return 0;
}
