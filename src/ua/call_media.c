/* call_media.c - a call's media and QoS: P-Media-Authorization tokens, the RSVP reservation, the audio session, received DTMF. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/rand.h"
#include "sip/msg.h"
#include "audio/media.h"
#include "audio/qos.h"
#include "ua/account.h"
#include "ua/call_int.h"
#include "ua/stack.h"

void pma_clear(struct call *c)
{
	for (size_t i = 0; i < c->npma; i++)
		free(c->pma[i]);
	c->npma = 0;
	c->pma_bad = false;
	c->pma_why[0] = '\0';
}

/*
 * RFC 3313 5: a message that carries P-Media-Authorization replaces the
 * tokens we hold; one without it leaves them.  The tokens' contents are
 * checked when they are presented (audio/qos.c).
 */
void pma_take(struct call *c, struct sip_msg *msg)
{
	const struct sip_tokens *t;
	int err;

	if (!sip_msg_hdr_num(msg, SIP_HDR_P_MEDIA_AUTHORIZATION))
		return;
	pma_clear(c);
	err = sip_msg_tokens(msg, SIP_HDR_P_MEDIA_AUTHORIZATION, &t);
	if (!err && t->n > QOS_MAX_TOKENS)
		err = E2BIG;
	for (size_t i = 0; !err && i < t->n; i++) {
		if (t->v[i].l > QOS_TOKEN_MAX_HEX) {
			err = E2BIG;
			break;
		}
		err = pl_strdup(&c->pma[i], &t->v[i]);
		if (err)
			break;
		c->npma++;
	}
	if (err) {
		pma_clear(c);
		c->pma_bad = true;
		snprintf(c->pma_why, sizeof(c->pma_why), "%s",
			 err == E2BIG ? N_("too many or too long "
					   "P-Media-Authorization tokens") :
			 N_("a P-Media-Authorization token is not an even "
			    "number of hex digits"));
		log_warn(CALL_LOG, "call %u: %s; no QoS reservation will "
			 "be made", c->id, c->pma_why);
	} else {
		log_info(CALL_LOG, "call %u: %zu media-authorization "
			 "token(s)", c->id, c->npma);
	}
}

static void qos_event(struct call *c)
{
	(void)events_emit("qos", json_pack("{s:i, s:s, s:s, s:i}", "call",
					   (int)c->id, "state",
					   qos_state_name(c->qos_state),
					   "reason", c->qos_reason,
					   "tokens", (int)c->npma));
}

static void on_qos_state(enum qos_state state, const char *reason, void *arg)
{
	struct call *c = arg;

	c->qos_state = state;
	snprintf(c->qos_reason, sizeof(c->qos_reason), "%s",
		 reason ? reason : "");
	call_changed(c->cm);
}

/*
 * RFC 3313: before media flows, the tokens are presented in an RSVP PATH
 * for our outgoing stream.  No token, no RSVP; a token that could not be
 * decoded is reported and nothing is sent.
 */
static void qos_sync(struct call *c)
{
	const struct account *acc = c->ca->acc;
	struct qos_params p;
	int err;

	if (!acc->qos)
		return;
	if (c->pma_bad || !c->npma) {
		if (c->qos) {
			qos_session_stop(c->qos);
			c->qos = NULL;
		}
		c->qos_state = c->pma_bad ? QOS_ERROR : QOS_NONE;
		snprintf(c->qos_reason, sizeof(c->qos_reason), "%s",
			 c->pma_bad ? _(c->pma_why) :
			 _("the network gave no media-authorization token"));
		if (!c->qos_told)
			qos_event(c);
		c->qos_told = true;
		return;
	}
	memset(&p, 0, sizeof(p));
	p.call_id = c->id;
	for (size_t i = 0; i < c->npma; i++)
		p.tokens[i] = c->pma[i];
	p.ntokens = c->npma;
	snprintf(p.saddr, sizeof(p.saddr), "%s", c->maddr);
	p.sport = c->lo.port;
	snprintf(p.daddr, sizeof(p.daddr), "%s", c->media.raddr);
	p.dport = c->media.rport;
	qos_tspec_for(&p.tspec, c->media.codec, c->media.ptime,
		      c->cm->opus_bitrate);
	snprintf(p.edge_router, sizeof(p.edge_router), "%s",
		 acc->qos_edge_router);
	if (c->qos) {
		err = qos_session_update(c->qos, &p);
	} else {
		err = qos_session_start(&c->qos, stack_loop(c->cm->st), &p,
					on_qos_state, c);
		if (!err && !c->qos)
			c->qos_state = QOS_NONE;
	}
	if (err)
		log_warn(CALL_LOG, "call %u: cannot reserve QoS: %s", c->id,
			 strerror(err));
}

void call_media_stop(struct call *c)
{
	if (c->qos) {
		qos_session_stop(c->qos);    /* PathTear */
		c->qos = NULL;
	}
	if (c->ms) {
		media_session_free(c->ms);
		c->ms = NULL;
	}
	c->media_running = false;
	explicit_bzero(&c->mp.srtp, sizeof(c->mp.srtp));
}

/*
 * Media follows the call: started, or changed (hold, resume, a new
 * address or key), whenever offer/answer has agreed and the call is
 * early or up.
 */
void call_media_sync(struct call *c)
{
	const struct offer_result *r = &c->media;
	struct media_params p;
	int err;

	if (!c->ms || !c->have_media || !r->rport || !r->raddr[0] ||
	    (c->state != CALL_EARLY && !call_is_up(c)))
		return;
	memset(&p, 0, sizeof(p));
	p.call_id = c->id;
	snprintf(p.codec, sizeof(p.codec), "%s", r->codec);
	p.pt = r->pt;
	p.clock = r->clock;
	p.channels = r->channels;
	snprintf(p.fmtp, sizeof(p.fmtp), "%s", r->fmtp);
	p.dtmf_pt = r->dtmf_pt;
	p.ptime = r->ptime;
	snprintf(p.raddr, sizeof(p.raddr), "%s", r->raddr);
	p.rport = r->rport;
	/* Early media is heard, not answered. */
	p.send = c->state != CALL_EARLY &&
		 (r->local_dir == SDP_DIR_SENDRECV ||
		  r->local_dir == SDP_DIR_SENDONLY);
	p.recv = r->local_dir == SDP_DIR_SENDRECV ||
		 r->local_dir == SDP_DIR_RECVONLY;
	if (r->srtp_suite[0]) {
		p.srtp.on = true;
		snprintf(p.srtp.suite, sizeof(p.srtp.suite), "%s",
			 r->srtp_suite);
		memcpy(p.srtp.tx_key, c->lo.key, sizeof(p.srtp.tx_key));
		memcpy(p.srtp.rx_key, r->srtp_rx_key, sizeof(p.srtp.rx_key));
	}
	p.dscp = c->ca->acc->qos ? 46 : 0;
	snprintf(p.cname, sizeof(p.cname), "%s", c->mp.cname);
	if (!p.cname[0] && rand_token(p.cname, sizeof(p.cname), 16))
		snprintf(p.cname, sizeof(p.cname), "siptty");
	if (c->media_running && !memcmp(&p, &c->mp, sizeof(p))) {
		explicit_bzero(&p.srtp, sizeof(p.srtp));
		return;
	}
	qos_sync(c);
	err = media_session_start(c->ms, &p);
	if (err) {
		log_warn(CALL_LOG, "call %u: cannot start the audio: %s",
			 c->id, strerror(err));
	} else {
		c->media_running = true;
		media_session_mute(c->ms, c->muted);
	}
	c->mp = p;
	explicit_bzero(&p.srtp, sizeof(p.srtp));
}

/* Digits the far end sent (a `dtmf` event of the media engine). */
void call_on_event(const json_t *ev, void *arg)
{
	struct call_mgr *cm = arg;
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *dir = json_string_value(json_object_get(ev, "dir"));
	const char *digit = json_string_value(json_object_get(ev, "digit"));
	json_int_t id = json_integer_value(json_object_get(ev, "call"));
	struct call *c;
	size_t n;

	if (!type || strcmp(type, "dtmf") || !dir || strcmp(dir, "in") ||
	    !digit || !*digit)
		return;
	c = call_find_id(cm, (unsigned)id);
	if (!c)
		return;
	n = strlen(c->dtmf_rx);
	if (n + 1 >= sizeof(c->dtmf_rx)) {
		memmove(c->dtmf_rx, c->dtmf_rx + 1, n);
		n--;
	}
	c->dtmf_rx[n] = digit[0];
	c->dtmf_rx[n + 1] = '\0';
	call_changed(cm);
}
