/* call.c - calls: the state setter, placing, answering, holding and hanging up calls, the call manager and its accounts, the wire preview (RFC 3261, RFC 3264). */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/conf.h"
#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/rand.h"
#include "sip/dialog.h"
#include "sip/msg.h"
#include "sip/resolve.h"
#include "sip/tsx.h"
#include "ua/account.h"
#include "ua/auth.h"
#include "audio/media.h"
#include "audio/qos.h"
#include "ua/call.h"
#include "ua/call_int.h"
#include "ua/offer.h"
#include "ua/privacy.h"
#include "ua/scrub.h"
#include "ua/stack.h"

const char *call_state_name(enum call_state s)
{
	static const char *const names[] = {
		"calling", "ringing", "early", "incoming", "answered", "held",
		"remote-held", "ended", "failed", "transferred",
	};

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] :
	       "?";
}

bool call_state_final(enum call_state s)
{
	return s == CALL_ENDED || s == CALL_FAILED || s == CALL_TRANSFERRED;
}

bool call_is_live(const struct call *c)
{
	return !call_state_final(c->state);
}

bool call_is_up(const struct call *c)
{
	return c->state == CALL_ANSWERED || c->state == CALL_HELD ||
	       c->state == CALL_REMOTE_HELD;
}

void call_changed(struct call_mgr *cm)
{
	if (cm->change_h)
		cm->change_h(cm->change_arg);
}

static void call_free(struct call *c)
{
	if (!c)
		return;
	ident_cancel(c->ireq);
	c->ireq = NULL;
	call_media_stop(c);
	pma_clear(c);
	explicit_bzero(c->lo.key, sizeof(c->lo.key));
	explicit_bzero(c->media.srtp_rx_key, sizeof(c->media.srtp_rx_key));
	tmr_cancel(&c->tmr);
	tmr_cancel(&c->xfer_tmr);
	resolver_cancel(c->q);
	if (c->refer)
		sip_ctsx_set_handler(c->refer, NULL, NULL);
	if (c->inv)
		sip_ctsx_set_handler(c->inv, NULL, NULL);
	if (c->reinv)
		sip_ctsx_set_handler(c->reinv, NULL, NULL);
	if (c->bye)
		sip_ctsx_set_handler(c->bye, NULL, NULL);
	if (c->st)
		sip_stsx_set_handler(c->st, NULL, NULL);
	sip_uas2xx_free(c->u2xx);
	sip_dialog_free(c->dlg);
	if (c->own_conn)
		stack_conn_release(c->conn);
	if (*c->callid)
		scrub_unbind(c->callid);
	free(c);
}

void call_unlink_free(struct call *c)
{
	struct call_mgr *cm = c->cm;

	for (struct call **pp = &cm->calls; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (cm->selected == c->id)
		cm->selected = cm->calls ? cm->calls->id : 0;
	call_free(c);
	call_changed(cm);
}

static void on_linger(void *arg)
{
	struct call *c = arg;

	/* Requests still under way keep the call (their handlers point
	 * here); they end within 64*T1. */
	if (c->inv || c->reinv || c->bye || c->refer) {
		tmr_start(stack_loop(c->cm->st), &c->tmr, CALL_LINGER_MS,
			  on_linger, c);
		return;
	}
	call_unlink_free(c);
}

/* The one state setter: logs, emits the event, runs on-enter actions. */
void call_set_state(struct call *c, enum call_state s, uint16_t code,
		    const char *reason)
{
	struct loop *loop = stack_loop(c->cm->st);
	json_t *ev;

	log_info(CALL_LOG, "call %u: -> [%s] %u %s", c->id,
		 call_state_name(s), code, reason ? reason : "");
	c->state = s;
	c->code = code;
	if ((s == CALL_ANSWERED || s == CALL_HELD || s == CALL_REMOTE_HELD) &&
	    !c->start_ms)
		c->start_ms = loop_now_ms();
	ev = json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:s, s:s}",
		       "call", (int)c->id, "account", c->ca->acc->name,
		       "dir", c->out ? "out" : "in", "peer", c->peer,
		       "state", call_state_name(s), "code", (int)code,
		       "reason", reason ? reason : "",
		       "codec", c->have_media ? c->media.codec : "");
	if (ev && c->referrer)
		(void)json_object_set_new(ev, "referred_by",
					  json_integer(c->referrer));
	(void)events_emit("call", ev);
	if (c->referrer)
		call_refer_progress(c);
	if (call_state_final(s)) {
		c->end_ms = loop_now_ms();
		tmr_cancel(&c->xfer_tmr);
		ident_cancel(c->ireq);
		c->ireq = NULL;
		call_media_stop(c);
		if (c->st) {
			sip_stsx_set_handler(c->st, NULL, NULL);
			c->st = NULL;
		}
		tmr_start(loop, &c->tmr, CALL_LINGER_MS, on_linger, c);
	} else {
		call_media_sync(c);
	}
	call_changed(c->cm);
}

/* The state an established call is in, from the hold flags. */
void call_settle(struct call *c, uint16_t code)
{
	enum call_state s = c->local_hold ? CALL_HELD :
			    c->remote_hold ? CALL_REMOTE_HELD : CALL_ANSWERED;

	if (s != c->state)
		call_set_state(c, s, code, "");
	call_media_sync(c);
}

struct call *call_find_id(const struct call_mgr *cm, unsigned id)
{
	for (struct call *c = cm->calls; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

struct call *call_selected(const struct call_mgr *cm)
{
	struct call *c = call_find_id(cm, cm->selected);

	if (c && call_is_live(c))
		return c;
	for (c = cm->calls; c; c = c->next)
		if (call_is_live(c))
			return c;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */
/* ------------------------------------------------------------------ */

/* The scrubber's policy for c: the account's, with the call's level. */
static void call_scrub_policy(const struct call *c, struct scrub_policy *pol)
{
	account_scrub_policy(c->ca->acc, pol);
	if (c->privacy)
		pol->level = c->privacy;
}

/* Every message with c's Call-ID, whoever builds it (the transaction
 * layer's ACK and CANCEL too), leaves with c's privacy.  A call that
 * cannot have it does not go ahead. */
int call_privacy_bind(struct call *c)
{
	struct scrub_policy pol;
	char lv[PRIVACY_STR_MAX];
	int err;

	call_scrub_policy(c, &pol);
	err = scrub_bind(c->callid, &pol);
	privacy_str(lv, sizeof(lv), pol.level);
	if (err)
		log_warn(CALL_LOG, "call %u: cannot apply privacy %s: %s",
			 c->id, *lv ? lv : "(unset)", strerror(err));
	else if (*lv)
		log_info(CALL_LOG, "call %u: privacy %s", c->id, lv);
	return err;
}

int call_new(struct call **cp, struct call_mgr *cm,
	     struct call_acct *ca, bool out)
{
	struct call *c;
	size_t live = 0;

	for (c = cm->calls; c; c = c->next)
		live += call_is_live(c);
	if (live >= CALL_MAX)
		return E2BIG;
	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	c->cm = cm;
	c->ca = ca;
	c->out = out;
	c->id = ++cm->next_id;
	tmr_init(&c->tmr);
	tmr_init(&c->xfer_tmr);
	(void)rand_bytes(&c->lo.sess_id, sizeof(c->lo.sess_id));
	c->lo.sess_id &= 0x7fffffffffffull;
	c->lo.port = offer_port_pick(cm->port_min, cm->port_max);
	c->lo.srtp = (enum offer_srtp)ca->acc->srtp;
	c->lo.codecs = cm->codecs;
	c->lo.ptime = cm->ptime;
	if (rand_bytes(c->lo.key, sizeof(c->lo.key))) {
		free(c);
		return EIO;
	}
	/* Appended: the list reads in the order calls came. */
	{
		struct call **pp = &cm->calls;

		while (*pp)
			pp = &(*pp)->next;
		*pp = c;
	}
	if (!cm->selected || !call_find_id(cm, cm->selected) ||
	    !call_is_live(call_find_id(cm, cm->selected)))
		cm->selected = c->id;
	*cp = c;
	return 0;
}

/* A bare "bob" or "bob@host" made into a URI with the account's scheme. */
static int make_ruri(char *out, size_t sz, const struct account *acc,
		     const char *target)
{
	int n;

	if (!strncmp(target, "sip:", 4) || !strncmp(target, "sips:", 5) ||
	    !strncmp(target, "tel:", 4))
		n = snprintf(out, sz, "%s", target);
	else if (strchr(target, '@'))
		n = snprintf(out, sz, "%s:%s", acc->sips ? "sips" : "sip",
			     target);
	else
		n = snprintf(out, sz, "%s:%s@%s", acc->sips ? "sips" : "sip",
			     target, acc->domain);
	return n < 0 || (size_t)n >= sz ? E2BIG : 0;
}

/* A target made into a Request-URI that decodes. */
int call_target_uri(char *out, size_t sz, const struct account *acc,
		    const char *target)
{
	struct sip_uri uri;
	struct pl s;
	int err;

	if (!target || !*target)
		return EINVAL;
	err = make_ruri(out, sz, acc, target);
	if (err)
		return err;
	pl_set_str(&s, out);
	return sip_uri_decode(&uri, &s) ? EINVAL : 0;
}

/* A new outgoing call from ca; referrer: the call whose REFER asks for
 * it (0: the user's). */
int call_dial_from(struct call_mgr *cm, struct call_acct *ca,
		   const char *target, unsigned referrer, struct call **cp)
{
	struct call *c;
	char ruri[256];
	int err;

	err = call_target_uri(ruri, sizeof(ruri), ca->acc, target);
	if (err)
		return err;
	if (ca->acc->sips && !strncmp(ruri, "sip:", 4))
		log_info(CALL_LOG, "calling a sip: URI from a sips: account: "
			 "every hop this side still uses TLS");
	err = call_new(&c, cm, ca, true);
	if (err)
		return err;
	snprintf(c->ruri, sizeof(c->ruri), "%s", ruri);
	snprintf(c->peer, sizeof(c->peer), "%s", ruri);
	if (rand_callid(c->callid, sizeof(c->callid)) ||
	    rand_tag(c->ltag, sizeof(c->ltag)) ||
	    rand_bytes(&c->cseq, sizeof(c->cseq))) {
		call_unlink_free(c);
		return EIO;
	}
	c->cseq &= 0xffff;
	c->referrer = referrer;
	/* The level the user chose goes with the call the user placed;
	 * a call a REFER asks for has the account's (or its referrer's). */
	if (!referrer) {
		c->privacy = cm->next_privacy;
		cm->next_privacy = 0;
	} else {
		struct call *rc = call_find_id(cm, referrer);

		c->privacy = rc ? rc->privacy : 0;
	}
	if (call_privacy_bind(c)) {
		call_unlink_free(c);
		return ENOMEM;
	}
	cm->selected = c->id;
	*cp = c;
	call_set_state(c, CALL_CALLING, 0, "");
	err = call_route(c);
	if (err) {
		char reason[256];

		snprintf(reason, sizeof(reason),
			 _("cannot route the call: %s; check outbound_proxy "
			   "and registrar"), strerror(err));
		call_set_state(c, CALL_FAILED, 0, reason);
	}
	return 0;
}

/* The account a call to target leaves from: the first whose domain is
 * the target's host (sip:bob@example.net from the example.net account),
 * else the first account. */
static struct call_acct *dial_account(struct call_mgr *cm,
				      const char *target)
{
	struct sip_uri uri;
	char ruri[256];
	struct pl s;

	if (cm->nacct < 2 ||
	    make_ruri(ruri, sizeof(ruri), cm->acct[0].acc, target))
		return &cm->acct[0];
	pl_set_str(&s, ruri);
	if (sip_uri_decode(&uri, &s))
		return &cm->acct[0];
	for (size_t i = 0; i < cm->nacct; i++)
		if (pl_caseeq_str(&uri.host, cm->acct[i].acc->domain))
			return &cm->acct[i];
	return &cm->acct[0];
}

int call_dial(struct call_mgr *cm, const char *target, unsigned *idp)
{
	struct call *c;
	int err;

	if (!cm || !target || !*target)
		return EINVAL;
	if (!cm->nacct)
		return ENOENT;
	err = call_dial_from(cm, dial_account(cm, target), target, 0, &c);
	if (!err && idp)
		*idp = c->id;
	return err;
}

/* ------------------------------------------------------------------ */
/* Commands                                                            */
/* ------------------------------------------------------------------ */

int call_answer(struct call_mgr *cm)
{
	struct call *c = call_find_id(cm, cm->selected), *o;
	struct sip_msg *req;
	int err;

	if (!c || c->state != CALL_INCOMING || c->ireq) {
		for (c = cm->calls; c; c = c->next)
			if (c->state == CALL_INCOMING && !c->ireq)
				break;
	}
	if (!c) {
		for (c = cm->calls; c; c = c->next)
			if (c->state == CALL_INCOMING && c->ireq)
				return EAGAIN;   /* still checking who calls */
		return ENOENT;
	}
	if (!c->st)
		return ENOENT;
	/* One call talks at a time: the others are put on hold. */
	for (o = cm->calls; o; o = o->next) {
		if (o != c && call_is_up(o) && !o->local_hold &&
		    !o->reinv_pending) {
			o->want_hold = true;
			call_send_reinvite(o);
		}
	}
	req = sip_stsx_request(c->st);
	tmr_cancel(&c->tmr);
	err = call_answer_2xx(c, c->st, req);
	if (err) {
		(void)sip_stsx_respond(c->st, err == ENOTSUP ? 488 : 500,
				       NULL);
		call_set_state(c, CALL_FAILED, err == ENOTSUP ? 488 : 500,
			       _("cannot answer the call"));
		return err;
	}
	sip_stsx_set_handler(c->st, NULL, NULL);
	c->st = NULL;
	sip_dialog_confirm(c->dlg);
	cm->selected = c->id;
	call_settle(c, 200);
	return 0;
}

static int hangup_one(struct call *c, bool decline)
{
	int err;

	switch (c->state) {
	case CALL_INCOMING:
		if (c->st)
			(void)sip_stsx_respond(c->st, decline ? 603 : 486,
					       NULL);
		call_set_state(c, CALL_ENDED, decline ? 603 : 486,
			       decline ? _("declined") : _("rejected"));
		return 0;
	case CALL_CALLING:
	case CALL_RINGING:
	case CALL_EARLY:
		if (c->cancelling)
			return EALREADY;
		c->cancelling = true;
		if (!c->inv) {
			/* Not even sent (still resolving). */
			call_set_state(c, CALL_ENDED, 0, _("cancelled"));
			return 0;
		}
		err = sip_ctsx_cancel(c->inv);
		if (err == EALREADY)
			return 0;  /* the final response is on its way */
		if (err)
			log_warn(CALL_LOG, "call %u: cannot CANCEL: %s", c->id,
				 strerror(err));
		log_info(CALL_LOG, "call %u: CANCEL", c->id);
		call_changed(c->cm);
		return 0;
	case CALL_ANSWERED:
	case CALL_HELD:
	case CALL_REMOTE_HELD:
		err = call_send_bye(c);
		call_set_state(c, CALL_ENDED, 0, _("hung up"));
		return err;
	default:
		return ENOENT;
	}
}

int call_hangup(struct call_mgr *cm, bool decline)
{
	struct call *c = call_selected(cm);

	return c ? hangup_one(c, decline) : ENOENT;
}

int call_hold_toggle(struct call_mgr *cm)
{
	struct call *c = call_selected(cm);

	if (!c || !call_is_up(c))
		return ENOENT;
	if (c->reinv_pending || c->glare_wait)
		return EAGAIN;
	c->want_hold = !c->local_hold;
	c->rounds = 0;
	call_send_reinvite(c);
	return 0;
}

int call_mute_toggle(struct call_mgr *cm)
{
	struct call *c = call_selected(cm);

	if (!c || !call_is_up(c))
		return ENOENT;
	c->muted = !c->muted;
	if (c->ms)
		media_session_mute(c->ms, c->muted);
	log_info(CALL_LOG, "call %u: %s", c->id, c->muted ? "muted" :
		 "unmuted");
	call_changed(cm);
	return 0;
}

int call_dtmf(struct call_mgr *cm, char digit)
{
	struct call *c = call_selected(cm);

	if (!c || !call_is_up(c))
		return ENOENT;
	if (!strchr("0123456789*#ABCD", digit) || !digit)
		return EINVAL;
	if (!c->have_media || c->media.dtmf_pt < 0 || !c->ms)
		return ENOTSUP;
	return media_session_dtmf(c->ms, digit);
}

int call_select_next(struct call_mgr *cm)
{
	struct call *c = call_find_id(cm, cm->selected);

	if (!cm->calls)
		return ENOENT;
	c = c && c->next ? c->next : cm->calls;
	cm->selected = c->id;
	call_changed(cm);
	return 0;
}

void call_mgr_hangup_all(struct call_mgr *cm)
{
	if (!cm)
		return;
	for (struct call *c = cm->calls; c; c = c->next)
		if (call_is_live(c))
			(void)hangup_one(c, false);
}

bool call_mgr_busy(const struct call_mgr *cm)
{
	if (!cm)
		return false;
	for (struct call *c = cm->calls; c; c = c->next)
		if (c->bye || c->refer ||
		    (c->inv && c->cancelling && !c->inv_final))
			return true;
	return false;
}

size_t call_mgr_live(const struct call_mgr *cm)
{
	size_t n = 0;

	for (struct call *c = cm ? cm->calls : NULL; c; c = c->next)
		n += call_is_live(c);
	return n;
}

size_t call_mgr_count(const struct call_mgr *cm)
{
	size_t n = 0;

	for (struct call *c = cm ? cm->calls : NULL; c; c = c->next)
		n++;
	return n;
}

int call_mgr_info(const struct call_mgr *cm, size_t i, struct call_info *ci)
{
	struct call *c;

	if (!cm || !ci)
		return EINVAL;
	for (c = cm->calls; c && i; c = c->next)
		i--;
	if (!c)
		return ENOENT;
	memset(ci, 0, sizeof(*ci));
	ci->id = c->id;
	snprintf(ci->account, sizeof(ci->account), "%s", c->ca->acc->name);
	ci->out = c->out;
	snprintf(ci->peer, sizeof(ci->peer), "%s", c->peer);
	ci->state = c->state;
	ci->local_hold = c->local_hold;
	ci->remote_hold = c->remote_hold;
	if (c->have_media)
		snprintf(ci->codec, sizeof(ci->codec), "%s", c->media.codec);
	ci->start_ms = c->start_ms;
	ci->end_ms = c->end_ms;
	ci->code = c->code;
	ci->selected = c->id == cm->selected;
	ci->ident = c->ident;
	if (c->out)
		memset(&ci->ident, 0, sizeof(ci->ident));
	ci->muted = c->muted;
	ci->loss_pct = -1;
	ci->rtt_ms = -1;
	if (c->media_running && c->mp.srtp.on)
		snprintf(ci->srtp, sizeof(ci->srtp), "%s", c->mp.srtp.suite);
	if (c->ca->acc->qos)
		snprintf(ci->qos, sizeof(ci->qos), "%s",
			 qos_state_name(c->qos_state));
	snprintf(ci->qos_reason, sizeof(ci->qos_reason), "%s", c->qos_reason);
	if (c->ms) {
		struct media_stats ms;

		if (!media_session_stats(c->ms, &ms)) {
			ci->loss_pct = ms.loss_pct;
			ci->jitter_ms = ms.jitter_ms;
			ci->rtt_ms = ms.rtt_ms;
		}
	}
	snprintf(ci->dtmf_rx, sizeof(ci->dtmf_rx), "%s", c->dtmf_rx);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Setup                                                               */
/* ------------------------------------------------------------------ */

void call_mgr_set_media(struct call_mgr *cm, struct media_engine *me)
{
	cm->me = me;
}

void call_mgr_set_ident(struct call_mgr *cm, struct ident_ctx *ic)
{
	cm->ident = ic;
}

int call_mgr_alloc(struct call_mgr **cmp, struct stack *st,
		   const struct conf *conf)
{
	struct call_mgr *cm;
	const char *v;

	if (!cmp || !st)
		return EINVAL;
	cm = calloc(1, sizeof(*cm));
	if (!cm)
		return ENOMEM;
	cm->st = st;
	cm->port_min = OFFER_PORT_MIN;
	cm->port_max = OFFER_PORT_MAX;
	v = conf ? conf_get(conf, "audio", "rtp_ports") : NULL;
	if (v && offer_range_parse(v, &cm->port_min, &cm->port_max))
		log_warn(CALL_LOG, "[audio] rtp_ports = %s is not a range "
			 "such as 16384-32766; using the default", v);
	v = conf ? conf_get(conf, "audio", "codecs") : NULL;
	if (v && *v) {
		char bad[32];

		if (!offer_codecs_ok(v, bad, sizeof(bad)))
			log_warn(CALL_LOG, "[audio] codecs: %s is not a codec "
				 "siptty has (opus, pcmu, pcma); it is left out",
				 bad);
		cm->codecs = strdup(v);
	}
	if (conf) {
		long pt = conf_get_int(conf, "audio", "ptime", OFFER_PTIME);

		if (offer_ptime_ok((uint32_t)pt))
			cm->ptime = (uint32_t)pt;
		else
			log_warn(CALL_LOG, "[audio] ptime = %ld: packets are "
				 "10, 20, 40 or 60 ms long; using %d", pt,
				 OFFER_PTIME);
	}
	cm->opus_bitrate = conf ? (uint32_t)conf_get_int(conf, "audio",
							 "opus_bitrate", 32000) :
			   32000;
	(void)events_subscribe(call_on_event, cm);
	stack_set_request_handler(st, call_on_request, cm);
	*cmp = cm;
	return 0;
}

void call_mgr_free(struct call_mgr *cm)
{
	if (!cm)
		return;
	stack_set_request_handler(cm->st, NULL, NULL);
	events_unsubscribe(call_on_event, cm);
	while (cm->calls) {
		struct call *c = cm->calls;

		cm->calls = c->next;
		call_free(c);
	}
	for (size_t i = 0; i < cm->nacct; i++)
		auth_free(cm->acct[i].auth);
	free(cm->codecs);
	free(cm);
}

int call_mgr_add_account(struct call_mgr *cm, struct account *acc)
{
	int err;

	if (!cm || !acc)
		return EINVAL;
	if (cm->nacct == MAX_ACCOUNTS)
		return E2BIG;
	/* Answers outside any call (stateless ones, OPTIONS) follow the
	 * first account's privacy. */
	if (!cm->nacct) {
		struct scrub_policy pol;

		account_scrub_policy(acc, &pol);
		err = scrub_set_default(&pol);
		if (err)
			return err;
	}
	err = auth_alloc(&cm->acct[cm->nacct].auth, acc->username,
			 acc->password);
	if (err)
		return err;
	cm->acct[cm->nacct++].acc = acc;
	return 0;
}

void call_mgr_set_auto_answer(struct call_mgr *cm, bool on, unsigned seconds)
{
	cm->auto_answer = on;
	cm->auto_answer_s = seconds;
}

void call_mgr_set_change_handler(struct call_mgr *cm, call_change_h *h,
				 void *arg)
{
	cm->change_h = h;
	cm->change_arg = arg;
}

/* ------------------------------------------------------------------ */
/* Privacy for the next call, and its wire preview                     */
/* ------------------------------------------------------------------ */

void call_mgr_set_next_privacy(struct call_mgr *cm, unsigned level)
{
	if (cm)
		cm->next_privacy = level;
}

unsigned call_mgr_next_privacy(const struct call_mgr *cm, bool *from_acc)
{
	unsigned lv = 0;

	if (cm && cm->next_privacy)
		lv = cm->next_privacy;
	else if (cm && cm->nacct)
		lv = cm->acct[0].acc->privacy_level;
	if (from_acc)
		*from_acc = !cm || !cm->next_privacy;
	return lv;
}

/* Where the preview's INVITE would go: the first hop's address when it
 * is written as one, else the loopback (the name is not resolved: a
 * preview never waits for DNS). */
static void preview_target(struct sip_target *t, const struct account *acc,
			   const char *ruri)
{
	const char *hop = acc->outbound_proxy ? acc->outbound_proxy :
			  acc->do_register ? acc->registrar : ruri;
	struct sockaddr_in *in = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&t->addr;
	struct sip_uri uri;
	char host[64];
	struct pl s;

	memset(t, 0, sizeof(*t));
	t->tp = acc->sips || acc->require_tls || !strncmp(ruri, "sips:", 5) ?
		SIP_TP_TLS : acc->has_tp ? acc->tp : SIP_TP_UDP;
	in->sin_family = AF_INET;
	in->sin_port = htons(5060);
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	t->addrlen = sizeof(*in);
	pl_set_str(&s, hop);
	if (sip_uri_decode(&uri, &s) ||
	    pl_strcpy(host, sizeof(host), &uri.host) != uri.host.l)
		return;
	if (uri.port)
		in->sin_port = htons(uri.port);
	if (uri.host_type == SIP_HOST_IPV6) {
		uint16_t port = in->sin_port;

		memset(in6, 0, sizeof(*in6));
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
			in6->sin6_family = AF_INET6;
			in6->sin6_port = port;
			t->addrlen = sizeof(*in6);
		} else {
			in->sin_family = AF_INET;
			in->sin_port = port;
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		}
	} else if (uri.host_type == SIP_HOST_IPV4) {
		(void)inet_pton(AF_INET, host, &in->sin_addr);
	}
}

int call_preview(struct call_mgr *cm, const char *target, struct buf *out)
{
	struct scrub_policy pol;
	struct sip_msg *req = NULL;
	struct call *c;
	char hp[128];
	int err;

	if (!cm || !out)
		return EINVAL;
	if (!cm->nacct)
		return ENOENT;
	/* A call that is never placed: nothing of it stays anywhere. */
	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	c->cm = cm;
	c->out = true;
	c->preview = true;
	c->ca = dial_account(cm, target && *target ? target : "preview");
	c->privacy = cm->next_privacy;
	if (target && *target)
		err = call_target_uri(c->ruri, sizeof(c->ruri), c->ca->acc,
				      target);
	else
		err = make_ruri(c->ruri, sizeof(c->ruri), c->ca->acc,
				"someone");
	if (!err && (rand_callid(c->callid, sizeof(c->callid)) ||
		     rand_tag(c->ltag, sizeof(c->ltag)) ||
		     rand_bytes(&c->cseq, sizeof(c->cseq)) ||
		     rand_bytes(&c->lo.sess_id, sizeof(c->lo.sess_id))))
		err = EIO;
	c->cseq = (c->cseq & 0xffff) + 1;
	c->lo.sess_id &= 0x7fffffffffffull;
	c->lo.port = offer_port_pick(cm->port_min, cm->port_max);
	if (!err) {
		preview_target(&c->tgt, c->ca->acc, c->ruri);
		err = stack_hostport(cm->st, &c->tgt, hp, sizeof(hp));
	}
	if (!err)
		err = call_build_invite(c, hp, &req);
	if (!err) {
		call_scrub_policy(c, &pol);
		err = scrub_print(out, req, &pol);
	}
	sip_msg_free(req);
	free(c);
	return err;
}
