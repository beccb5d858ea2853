/* ping.c - OPTIONS pings to an account's server: each a new non-INVITE transaction; failures logged. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
#include "ua/scrub.h"
#include "ua/stack.h"

#define PING_LOG "ping"

struct ping {
	struct stack *st;
	const struct account *acc;
	struct stack_conn *conn;
	struct resolver_query *q;
	struct sip_target tgt;
	bool have_tgt;
	struct sip_ctsx *ct;
	struct auth *auth;         /* the account's credentials for pings */
	struct tmr tmr;
	const char *hop;           /* outbound proxy or registrar */
	char tls_domain[SIP_TARGET_HOST_MAX];
	unsigned answered, failed;
	bool down;                 /* the last ping failed */
	/* Each ping is a new request with a new Call-ID, bound to the
	 * account's privacy so the scrubber treats it as the account's own;
	 * one ping runs at a time, so only the latest stays bound. */
	char callid[48];
	bool bound;
	/* A challenged ping is sent again once, same Call-ID, next CSeq. */
	char ftag[32];
	uint32_t cseq;
	bool retried;
};

static void send_options(struct ping *p);

static int ping_bind(struct ping *p)
{
	struct scrub_policy pol;
	int err;

	if (p->bound)
		scrub_unbind(p->callid);
	p->bound = false;
	err = rand_callid(p->callid, sizeof(p->callid));
	if (err)
		return err;
	account_scrub_policy(p->acc, &pol);
	err = scrub_bind(p->callid, &pol);
	p->bound = !err;
	return err;
}

static void ping_failure(struct ping *p, const char *why)
{
	p->failed++;
	p->down = true;
	p->retried = false;
	/* The next ping looks the server up again. */
	p->have_tgt = false;
	log_warn(PING_LOG, _("account %s: OPTIONS ping to %s failed: %s"),
		 p->acc->name, p->hop, why);
}

static void on_resp(struct sip_ctsx *ct, enum sip_ctsx_ev ev,
		    struct sip_msg *resp, void *arg)
{
	struct ping *p = arg;
	uint16_t code;

	if (ev == SIP_CTSX_EV_TERMINATED) {
		if (p->ct == ct)
			p->ct = NULL;
		return;
	}
	if (ev == SIP_CTSX_EV_TIMEOUT || ev == SIP_CTSX_EV_ERROR) {
		sip_ctsx_set_handler(ct, NULL, NULL);
		p->ct = NULL;
		ping_failure(p, ev == SIP_CTSX_EV_TIMEOUT ?
			     _("no answer") : _("cannot reach the server"));
		return;
	}
	code = sip_msg_status(resp);
	if (code < 200)
		return;
	sip_ctsx_set_handler(ct, NULL, NULL);
	p->ct = NULL;
	if ((code == 401 || code == 407) && p->auth && !p->retried) {
		const char *why = NULL;
		int err = auth_challenge(p->auth, resp, &why);

		if (!err) {
			p->retried = true;
			send_options(p);
			return;
		}
		log_warn(PING_LOG, _("account %s: cannot answer the "
				     "challenge to OPTIONS from %s: %s"),
			 p->acc->name, p->hop, why ? why : strerror(err));
	} else if (code == 401 || code == 407) {
		log_warn(PING_LOG, _("account %s: %s refuses the credentials "
				     "sent with OPTIONS (%u); check username "
				     "and password"), p->acc->name, p->hop,
			 code);
	} else if (code < 300 && p->auth) {
		auth_accepted(p->auth);
	}
	p->retried = false;
	p->answered++;
	if (p->down)
		log_info(PING_LOG, _("account %s: %s answers OPTIONS again "
				     "(%u)"), p->acc->name, p->hop, code);
	else
		log_debug(PING_LOG, "%s: OPTIONS answered %u", p->acc->name,
			  code);
	p->down = false;
}

static void send_options(struct ping *p)
{
	const struct account *acc = p->acc;
	struct sip_msg *req = NULL;
	char hp[128];
	int err;

	err = stack_hostport(p->st, &p->tgt, hp, sizeof(hp));
	/* A new ping is a new Call-ID; its challenged retry is not. */
	if (!err && !p->retried) {
		err = ping_bind(p);
		p->cseq = 0;
		if (!err)
			err = rand_tag(p->ftag, sizeof(p->ftag));
	}
	if (!err)
		err = sip_msg_request_alloc(&req, "OPTIONS", p->hop);
	if (!err)
		err = sip_tsx_via_add(req, p->tgt.tp, hp);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_MAX_FORWARDS, "70");
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_TO, "<%s>", p->hop);
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_FROM, "<%s>;tag=%s",
				       acc->aor, p->ftag);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_CALL_ID, p->callid);
	if (!err)
		err = sip_msg_hdr_addf(req, SIP_HDR_CSEQ, "%u OPTIONS",
				       ++p->cseq);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_ACCEPT, STACK_ACCEPT);
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_USER_AGENT,
				      stack_user_agent(p->st));
	if (!err && p->auth)
		err = auth_authorize(p->auth, req);
	if (!err) {
		err = sip_ctsx_alloc(&p->ct, stack_tsx(p->st), req, &p->tgt,
				     p->conn, on_resp, p);
		req = NULL;
		if (err)
			p->ct = NULL;
	}
	sip_msg_free(req);
	if (err)
		ping_failure(p, strerror(err));
}

static void on_resolved(int err, const struct sip_target *t, size_t n,
			void *arg)
{
	struct ping *p = arg;

	p->q = NULL;
	if (err || !n) {
		ping_failure(p, _("the server's address cannot be found"));
		return;
	}
	p->tgt = t[0];
	p->have_tgt = true;
	send_options(p);
}

static void on_timer(void *arg)
{
	struct ping *p = arg;
	bool tls_only = p->acc->sips || p->acc->require_tls;
	unsigned flags = 0;
	struct sip_uri uri;
	struct pl s;
	int err;

	tmr_start(stack_loop(p->st), &p->tmr,
		  (uint64_t)p->acc->options_ping * 1000u, on_timer, p);
	/* One ping at a time: a slow answer is not a second failure. */
	if (p->ct || p->q)
		return;
	if (p->have_tgt) {
		send_options(p);
		return;
	}
	pl_set_str(&s, p->hop);
	err = sip_uri_decode(&uri, &s);
	if (!err) {
		if (tls_only || uri.scheme == SIP_URI_SIPS)
			flags |= RESOLVE_TLS_ONLY;
		else if (p->acc->has_tp)
			flags |= (p->acc->tp == SIP_TP_UDP ? 0 :
				  RESOLVE_NO_UDP) |
				 (p->acc->tp == SIP_TP_TCP ? 0 :
				  RESOLVE_NO_TCP) |
				 (p->acc->tp == SIP_TP_TLS ? 0 :
				  RESOLVE_NO_TLS);
		/* RFC 5922: the name configured, as registration does. */
		if (uri.host_type == SIP_HOST_NAME)
			pl_strcpy(p->tls_domain, sizeof(p->tls_domain),
				  &uri.host);
		else
			snprintf(p->tls_domain, sizeof(p->tls_domain), "%s",
				 p->acc->domain);
		if (!p->conn)
			err = stack_conn_alloc(&p->conn, p->st, p->tls_domain,
					       tls_only ||
					       uri.scheme == SIP_URI_SIPS,
					       NULL, NULL);
	}
	if (!err)
		err = resolver_lookup(&p->q, stack_resolver(p->st), &uri,
				      flags, on_resolved, p);
	if (err) {
		p->q = NULL;
		ping_failure(p, strerror(err));
	}
}

int ping_alloc(struct ping **pp, struct stack *st, const struct account *acc)
{
	struct ping *p;

	if (!pp || !st || !acc)
		return EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return ENOMEM;
	p->st = st;
	p->acc = acc;
	/* RFC 3261 22: a server may challenge OPTIONS too. */
	if (acc->options_ping && acc->password && *acc->password) {
		int err = auth_alloc(&p->auth, acc->username, acc->password);

		if (err) {
			free(p);
			return err;
		}
	}
	p->hop = acc->outbound_proxy ? acc->outbound_proxy : acc->registrar;
	tmr_init(&p->tmr);
	if (acc->options_ping)
		tmr_start(stack_loop(st), &p->tmr,
			  (uint64_t)acc->options_ping * 1000u, on_timer, p);
	*pp = p;
	return 0;
}

void ping_stop(struct ping *p)
{
	if (!p)
		return;
	tmr_cancel(&p->tmr);
	resolver_cancel(p->q);
	p->q = NULL;
	if (p->ct)
		sip_ctsx_set_handler(p->ct, NULL, NULL);
	p->ct = NULL;
}

void ping_free(struct ping *p)
{
	if (!p)
		return;
	ping_stop(p);
	stack_conn_release(p->conn);
	auth_free(p->auth);
	if (p->bound)
		scrub_unbind(p->callid);
	free(p);
}

unsigned ping_answered(const struct ping *p)
{
	return p ? p->answered : 0;
}

unsigned ping_failed(const struct ping *p)
{
	return p ? p->failed : 0;
}
