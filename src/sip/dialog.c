/* dialog.c - dialog state, in-dialog requests, the dialog set, UAS 2xx retransmission. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/rand.h"
#include "sip/dialog.h"
#include "sip/tsx_int.h"

struct route_ent {
	char *val;              /* "<uri>;params" as put in a Route header */
	char *uri;
	bool lr;
};

struct sip_dialog {
	struct sip_dialog *prev, *next;  /* in a sip_dialogs */
	struct sip_dialogs *set;
	enum sip_dialog_state state;
	bool uac;
	bool secure;
	char *callid;
	char *ltag, *rtag;      /* rtag "" for an RFC 2543 peer */
	char *lhdr, *rhdr;      /* From / To values, tags included */
	char *target;
	struct route_ent route[SIP_DIALOG_ROUTE_MAX];
	size_t nroute;
	uint32_t lseq, rseq;
	bool lseq_set, rseq_set;
};

struct sip_dialogs {
	struct sip_dialog *head;
	size_t n, max;
};

/* RFC 5630 3.1.3: in a dialog that began with a sips: Request-URI the
 * route set and the remote target are sips: too, whatever was sent. */
static int uri_dup(char **out, const struct pl *uri, bool secure)
{
	struct pl rest;
	char *s;

	if (secure && uri->l > 4 && !strncasecmp(uri->p, "sip:", 4)) {
		rest.p = uri->p + 4;
		rest.l = uri->l - 4;
		s = malloc(rest.l + 6);
		if (!s)
			return ENOMEM;
		memcpy(s, "sips:", 5);
		memcpy(s + 5, rest.p, rest.l);
		s[rest.l + 5] = '\0';
		*out = s;
		return 0;
	}
	return pl_strdup(out, uri);
}

static void routes_clear(struct sip_dialog *d)
{
	for (size_t i = 0; i < d->nroute; i++) {
		free(d->route[i].val);
		free(d->route[i].uri);
	}
	d->nroute = 0;
}

/* The route set from Record-Route (12.1.1, 12.1.2): in order for a UAS,
 * reversed for a UAC. */
static int routes_set(struct sip_dialog *d, struct sip_msg *msg, bool reverse)
{
	const struct sip_addrs *rr;
	int err;

	routes_clear(d);
	err = sip_msg_addrs(msg, SIP_HDR_RECORD_ROUTE, &rr);
	if (err == ENOENT)
		return 0;
	if (err)
		return err;
	if (rr->n > SIP_DIALOG_ROUTE_MAX)
		return E2BIG;
	for (size_t i = 0; i < rr->n; i++) {
		const struct sip_addr *a = &rr->v[reverse ? rr->n - 1 - i : i];
		struct route_ent *e = &d->route[d->nroute];
		struct pl lr;
		size_t len;

		if (!a->uri_ok || a->uri.scheme == SIP_URI_TEL)
			return EBADMSG;
		err = uri_dup(&e->uri, &a->uri_raw, d->secure);
		if (err)
			return err;
		e->lr = !sip_uri_param(&a->uri, "lr", &lr);
		len = strlen(e->uri) + a->params.l + 3;
		e->val = malloc(len);
		if (!e->val) {
			free(e->uri);
			return ENOMEM;
		}
		snprintf(e->val, len, "<%s>%.*s", e->uri, PL_FMT(&a->params));
		d->nroute++;
	}
	return 0;
}

/* The remote target becomes uri (sips: kept for a secure dialog). */
static int target_take(struct sip_dialog *d, const struct pl *uri)
{
	char *t;
	int err;

	err = uri_dup(&t, uri, d->secure);
	if (err)
		return err;
	free(d->target);
	d->target = t;
	return 0;
}

static int target_set(struct sip_dialog *d, struct sip_msg *msg)
{
	const struct sip_addrs *c;
	int err;

	err = sip_msg_addrs(msg, SIP_HDR_CONTACT, &c);
	if (err)
		return err;
	if (c->star || c->n != 1 || !c->v[0].uri_ok)
		return EBADMSG;
	return target_take(d, &c->v[0].uri_raw);
}

/* RFC 2543 made Contact optional (RFC 4475 inv2543): a dialog such a
 * peer creates reaches it at its From address. */
static int target_set_from(struct sip_dialog *d, struct sip_msg *req)
{
	const struct sip_addr *from;
	int err;

	err = sip_msg_addr(req, SIP_HDR_FROM, &from);
	if (err)
		return err;
	if (!from->uri_ok || from->uri.scheme == SIP_URI_TEL)
		return EBADMSG;
	return target_take(d, &from->uri_raw);
}

static int str_set(char **dst, const struct pl *src)
{
	if (!pl_isset(src)) {
		*dst = strdup("");
		return *dst ? 0 : ENOMEM;
	}
	return pl_strdup(dst, src);
}

static const struct sip_hdr *hdr_first(struct sip_msg *msg,
				       enum sip_hdr_id id)
{
	size_t i = 0;

	return sip_msg_hdr_next(msg, id, &i);
}

static bool ruri_sips(struct sip_msg *req)
{
	const struct sip_uri *u;

	return !sip_msg_ruri(req, &u) && u->scheme == SIP_URI_SIPS;
}

void sip_dialog_free(struct sip_dialog *d)
{
	if (!d)
		return;
	routes_clear(d);
	free(d->callid);
	free(d->ltag);
	free(d->rtag);
	free(d->lhdr);
	free(d->rhdr);
	free(d->target);
	free(d);
}

int sip_dialog_alloc_uac(struct sip_dialog **dp, struct sip_msg *req,
			 struct sip_msg *resp)
{
	struct sip_dialog *d = NULL;
	const struct sip_addr *from, *to;
	const struct sip_cseq *cs;
	const struct sip_hdr *fh, *th;
	uint16_t status;
	struct pl callid;
	int err;

	if (!dp || !req || !resp || !sip_msg_is_request(req) ||
	    sip_msg_is_request(resp))
		return EINVAL;
	status = sip_msg_status(resp);
	err = sip_msg_addr(req, SIP_HDR_FROM, &from);
	if (!err)
		err = sip_msg_addr(resp, SIP_HDR_TO, &to);
	if (!err)
		err = sip_msg_callid(req, &callid);
	if (!err)
		err = sip_msg_cseq(req, &cs);
	if (err)
		return err;
	fh = hdr_first(req, SIP_HDR_FROM);
	th = hdr_first(resp, SIP_HDR_TO);
	if (status < 101 || status > 299 || !pl_isset(&from->tag) ||
	    (status < 200 && !pl_isset(&to->tag)))
		return EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->uac = true;
	d->state = status < 200 ? SIP_DIALOG_EARLY : SIP_DIALOG_CONFIRMED;
	d->secure = ruri_sips(req);
	d->lseq = cs->num;
	d->lseq_set = true;
	err = str_set(&d->callid, &callid);
	if (!err)
		err = str_set(&d->ltag, &from->tag);
	if (!err)
		err = str_set(&d->rtag, &to->tag);
	if (!err)
		err = str_set(&d->lhdr, &fh->val);
	if (!err)
		err = str_set(&d->rhdr, &th->val);
	if (!err)
		err = routes_set(d, resp, true);
	if (!err) {
		err = target_set(d, resp);
		if (err == ENOENT) {
			/* No Contact (a broken peer): keep the Request-URI. */
			struct pl r = sip_msg_ruri_raw(req);

			err = uri_dup(&d->target, &r, d->secure);
		}
	}
	if (err) {
		sip_dialog_free(d);
		return err;
	}
	*dp = d;
	return 0;
}

int sip_dialog_alloc_uas(struct sip_dialog **dp, struct sip_msg *req,
			 const char *local_tag)
{
	struct sip_dialog *d = NULL;
	const struct sip_addr *from, *to;
	const struct sip_cseq *cs;
	const struct sip_hdr *fh, *th;
	struct pl callid;
	size_t len;
	int err;

	if (!dp || !req || !local_tag || !*local_tag ||
	    !sip_msg_is_request(req))
		return EINVAL;
	err = sip_msg_addr(req, SIP_HDR_FROM, &from);
	if (!err)
		err = sip_msg_addr(req, SIP_HDR_TO, &to);
	if (!err)
		err = sip_msg_callid(req, &callid);
	if (!err)
		err = sip_msg_cseq(req, &cs);
	if (err)
		return err;
	if (pl_isset(&to->tag))
		return EINVAL;  /* already in a dialog */
	fh = hdr_first(req, SIP_HDR_FROM);
	th = hdr_first(req, SIP_HDR_TO);
	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->state = SIP_DIALOG_EARLY;
	d->secure = ruri_sips(req);
	d->rseq = cs->num;
	d->rseq_set = true;
	err = str_set(&d->callid, &callid);
	if (!err)
		err = str_set(&d->rtag, &from->tag);
	if (!err) {
		d->ltag = strdup(local_tag);
		if (!d->ltag)
			err = ENOMEM;
	}
	if (!err)
		err = str_set(&d->rhdr, &fh->val);
	if (!err) {
		len = th->val.l + strlen(local_tag) + 6;
		d->lhdr = malloc(len);
		if (!d->lhdr)
			err = ENOMEM;
		else
			snprintf(d->lhdr, len, "%.*s;tag=%s", PL_FMT(&th->val),
				 local_tag);
	}
	if (!err)
		err = routes_set(d, req, false);
	if (!err) {
		err = target_set(d, req);
		if (err == ENOENT)
			err = target_set_from(d, req);
	}
	if (err) {
		sip_dialog_free(d);
		return err;
	}
	*dp = d;
	return 0;
}

void sip_dialog_confirm(struct sip_dialog *d)
{
	if (d)
		d->state = SIP_DIALOG_CONFIRMED;
}

enum sip_dialog_state sip_dialog_state(const struct sip_dialog *d)
{
	return d->state;
}

const char *sip_dialog_callid(const struct sip_dialog *d)
{
	return d->callid;
}

const char *sip_dialog_local_tag(const struct sip_dialog *d)
{
	return d->ltag;
}

const char *sip_dialog_remote_tag(const struct sip_dialog *d)
{
	return d->rtag;
}

const char *sip_dialog_remote_target(const struct sip_dialog *d)
{
	return d->target;
}

bool sip_dialog_secure(const struct sip_dialog *d)
{
	return d->secure;
}

size_t sip_dialog_route_count(const struct sip_dialog *d)
{
	return d->nroute;
}

const char *sip_dialog_route(const struct sip_dialog *d, size_t i)
{
	return i < d->nroute ? d->route[i].val : NULL;
}

uint32_t sip_dialog_local_cseq(const struct sip_dialog *d)
{
	return d->lseq;
}

static bool tag_is(const struct pl *tag, const char *s)
{
	if (!pl_isset(tag))
		return !*s;
	return pl_eq_str(tag, s);
}

bool sip_dialog_match(const struct sip_dialog *d, struct sip_msg *msg)
{
	const struct sip_addr *from, *to;
	struct pl callid;
	bool req = sip_msg_is_request(msg);

	if (!d || sip_msg_callid(msg, &callid) ||
	    !pl_eq_str(&callid, d->callid) ||
	    sip_msg_addr(msg, SIP_HDR_FROM, &from) ||
	    sip_msg_addr(msg, SIP_HDR_TO, &to))
		return false;
	/* A request comes with the peer's tag in From; a response to ours
	 * with our tag in From. */
	if (req)
		return tag_is(&to->tag, d->ltag) && tag_is(&from->tag, d->rtag);
	return tag_is(&from->tag, d->ltag) && tag_is(&to->tag, d->rtag);
}

static int build(struct sip_msg **reqp, struct sip_dialog *d,
		 const char *method, uint32_t cseq)
{
	struct sip_msg *m = NULL;
	const char *ruri = d->target;
	char *strict = NULL;
	size_t first = 0;
	int err;

	/* 12.2.1.1: a first entry without lr is a strict router: it goes
	 * in the Request-URI (without URI headers) and the remote target
	 * becomes the last Route. */
	if (d->nroute && !d->route[0].lr) {
		strict = strdup(d->route[0].uri);
		if (!strict)
			return ENOMEM;
		strict[strcspn(strict, "?")] = '\0';
		ruri = strict;
		first = 1;
	}
	err = sip_msg_request_alloc(&m, method, ruri);
	for (size_t i = first; !err && i < d->nroute; i++)
		err = sip_msg_hdr_add(m, SIP_HDR_ROUTE, d->route[i].val);
	if (!err && strict)
		err = sip_msg_hdr_addf(m, SIP_HDR_ROUTE, "<%s>", d->target);
	if (!err)
		err = sip_msg_hdr_add(m, SIP_HDR_MAX_FORWARDS, "70");
	if (!err)
		err = sip_msg_hdr_add(m, SIP_HDR_TO, d->rhdr);
	if (!err)
		err = sip_msg_hdr_add(m, SIP_HDR_FROM, d->lhdr);
	if (!err)
		err = sip_msg_hdr_add(m, SIP_HDR_CALL_ID, d->callid);
	if (!err)
		err = sip_msg_hdr_addf(m, SIP_HDR_CSEQ, "%u %s", cseq, method);
	free(strict);
	if (err) {
		sip_msg_free(m);
		return err;
	}
	*reqp = m;
	return 0;
}

int sip_dialog_request_alloc(struct sip_msg **reqp, struct sip_dialog *d,
			     const char *method)
{
	uint32_t seq;
	int err;

	if (!reqp || !d || !method || !strcmp(method, "ACK") ||
	    !strcmp(method, "CANCEL"))
		return EINVAL;
	if (!d->lseq_set) {
		/* 8.1.1.5: any start below 2^31; random so a restarted UA
		 * does not repeat one. */
		err = rand_bytes(&seq, sizeof(seq));
		if (err)
			return err;
		seq = (seq & 0xffff) + 1;
	} else {
		if (d->lseq >= 0x7fffffffu)
			return ERANGE;
		seq = d->lseq + 1;
	}
	err = build(reqp, d, method, seq);
	if (err)
		return err;
	d->lseq = seq;
	d->lseq_set = true;
	return 0;
}

int sip_dialog_ack_alloc(struct sip_msg **ackp, struct sip_dialog *d,
			 uint32_t cseq)
{
	if (!ackp || !d)
		return EINVAL;
	return build(ackp, d, "ACK", cseq);
}

static bool target_refresh(struct sip_msg *msg, enum sip_method mid)
{
	(void)msg;
	return mid == SIP_M_INVITE || mid == SIP_M_UPDATE ||
	       mid == SIP_M_SUBSCRIBE || mid == SIP_M_NOTIFY ||
	       mid == SIP_M_REFER;
}

int sip_dialog_recv_request(struct sip_dialog *d, struct sip_msg *req,
			    uint16_t *statusp)
{
	const struct sip_cseq *cs;
	enum sip_method mid;
	int err;

	if (statusp)
		*statusp = 0;
	if (!d || !req || !sip_msg_is_request(req))
		return EINVAL;
	mid = sip_msg_method_id(req);
	if (mid == SIP_M_ACK || mid == SIP_M_CANCEL)
		return 0;
	err = sip_msg_cseq(req, &cs);
	if (err)
		return err;
	if (d->rseq_set && cs->num < d->rseq) {
		if (statusp)
			*statusp = 500;
		return EPROTO;
	}
	d->rseq = cs->num;
	d->rseq_set = true;
	if (target_refresh(req, mid)) {
		err = target_set(d, req);
		if (err && err != ENOENT)
			return err;
	}
	return 0;
}

int sip_dialog_recv_response(struct sip_dialog *d, struct sip_msg *resp)
{
	const struct sip_cseq *cs;
	uint16_t status;
	int err;

	if (!d || !resp || sip_msg_is_request(resp))
		return EINVAL;
	status = sip_msg_status(resp);
	err = sip_msg_cseq(resp, &cs);
	if (err)
		return err;
	if (status < 101 || status > 299)
		return 0;
	if (d->uac && d->state == SIP_DIALOG_EARLY && cs->mid == SIP_M_INVITE) {
		err = routes_set(d, resp, true);
		if (err)
			return err;
		if (status >= 200)
			d->state = SIP_DIALOG_CONFIRMED;
	}
	/* 1xx refresh only an early dialog's target (12.1.2, 13.2.2.4). */
	if ((status >= 200 || d->state == SIP_DIALOG_EARLY) &&
	    target_refresh(resp, cs->mid)) {
		err = target_set(d, resp);
		if (err && err != ENOENT)
			return err;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The set                                                             */
/* ------------------------------------------------------------------ */

int sip_dialogs_alloc(struct sip_dialogs **dsp, size_t max)
{
	struct sip_dialogs *ds;

	if (!dsp || !max)
		return EINVAL;
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return ENOMEM;
	ds->max = max;
	*dsp = ds;
	return 0;
}

void sip_dialogs_free(struct sip_dialogs *ds)
{
	if (!ds)
		return;
	while (ds->head)
		sip_dialogs_remove(ds, ds->head);
	free(ds);
}

static bool same_id(const struct sip_dialog *a, const struct sip_dialog *b)
{
	return !strcmp(a->callid, b->callid) && !strcmp(a->ltag, b->ltag) &&
	       !strcmp(a->rtag, b->rtag);
}

int sip_dialogs_add(struct sip_dialogs *ds, struct sip_dialog *d)
{
	if (!ds || !d || d->set)
		return EINVAL;
	if (ds->n >= ds->max)
		return E2BIG;
	for (struct sip_dialog *o = ds->head; o; o = o->next) {
		if (same_id(o, d))
			return EEXIST;
	}
	d->set = ds;
	d->prev = NULL;
	d->next = ds->head;
	if (ds->head)
		ds->head->prev = d;
	ds->head = d;
	ds->n++;
	return 0;
}

void sip_dialogs_remove(struct sip_dialogs *ds, struct sip_dialog *d)
{
	if (!ds || !d || d->set != ds)
		return;
	if (d->prev)
		d->prev->next = d->next;
	else
		ds->head = d->next;
	if (d->next)
		d->next->prev = d->prev;
	ds->n--;
	sip_dialog_free(d);
}

size_t sip_dialogs_count(const struct sip_dialogs *ds)
{
	return ds ? ds->n : 0;
}

struct sip_dialog *sip_dialogs_find(const struct sip_dialogs *ds,
				    struct sip_msg *msg)
{
	if (!ds || !msg)
		return NULL;
	for (struct sip_dialog *d = ds->head; d; d = d->next) {
		if (sip_dialog_match(d, msg))
			return d;
	}
	return NULL;
}

int sip_dialogs_request(struct sip_dialogs *ds, struct sip_msg *req,
			struct sip_dialog **dp, uint16_t *statusp)
{
	const struct sip_addr *to;
	struct sip_dialog *d;
	int err;

	if (statusp)
		*statusp = 0;
	if (!ds || !req || !dp || !sip_msg_is_request(req))
		return EINVAL;
	*dp = NULL;
	err = sip_msg_addr(req, SIP_HDR_TO, &to);
	if (err)
		return err;
	if (!pl_isset(&to->tag))
		return 0;
	d = sip_dialogs_find(ds, req);
	if (!d) {
		/* 12.2.2: a To tag naming no dialog we know. */
		if (statusp)
			*statusp = 481;
		return ENOENT;
	}
	err = sip_dialog_recv_request(d, req, statusp);
	if (err)
		return err;
	*dp = d;
	return 0;
}

/* ------------------------------------------------------------------ */
/* UAS 2xx retransmission                                              */
/* ------------------------------------------------------------------ */

struct sip_uas2xx {
	struct sip_tsx_layer *l;
	struct sip_msg *resp;
	struct sip_target dst;
	void *flow;
	uint32_t cseq;
	struct tmr t_rtx, t_to;
	uint64_t rtx_at, rtx_ival;
	sip_uas2xx_noack_h *h;
	void *arg;
};

static void uas2xx_rtx(void *arg)
{
	struct sip_uas2xx *u = arg;
	uint32_t t2 = u->l->cfg.t2;

	/* A failed send is retried at the next interval: the ACK or the
	 * 64*T1 limit ends it either way. */
	(void)sip_tsx_layer_send(u->l, u->resp, &u->dst, u->flow);
	u->rtx_ival = u->rtx_ival * 2 < t2 ? u->rtx_ival * 2 : t2;
	u->rtx_at += u->rtx_ival;
	tsx_arm(u->l, &u->t_rtx, u->rtx_at, uas2xx_rtx, u);
}

static void uas2xx_noack(void *arg)
{
	struct sip_uas2xx *u = arg;

	tmr_cancel(&u->t_rtx);
	log_info("dialog", "no ACK for the 2xx within 64*T1");
	if (u->h)
		u->h(u->arg);
}

int sip_uas2xx_start(struct sip_uas2xx **up, struct sip_tsx_layer *l,
		     struct sip_stsx *st, struct sip_msg *resp,
		     sip_uas2xx_noack_h *h, void *arg)
{
	struct sip_uas2xx *u = NULL;
	struct sip_msg *first = NULL;
	const struct sip_cseq *cs;
	uint16_t status;
	uint64_t now;
	int err;

	if (!up || !l || !st || !resp || sip_msg_is_request(resp)) {
		err = EINVAL;
		goto out;
	}
	status = sip_msg_status(resp);
	if (status < 200 || status > 299) {
		err = EINVAL;
		goto out;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		err = ENOMEM;
		goto out;
	}
	err = sip_msg_cseq(resp, &cs);
	if (!err)
		err = tsx_msg_dup(&first, resp);
	if (err)
		goto out;
	u->cseq = cs->num;
	u->l = l;
	u->h = h;
	u->arg = arg;
	sip_stsx_peer(st, &u->dst, &u->flow);
	tmr_init(&u->t_rtx);
	tmr_init(&u->t_to);
	err = sip_stsx_send(st, first);
	if (err)
		goto out;
	u->resp = resp;
	resp = NULL;
	now = loop_now_ms();
	u->rtx_ival = l->cfg.t1;
	u->rtx_at = now + u->rtx_ival;
	tsx_arm(l, &u->t_rtx, u->rtx_at, uas2xx_rtx, u);
	tsx_arm(l, &u->t_to, now + 64ull * l->cfg.t1, uas2xx_noack, u);
	*up = u;
	u = NULL;
 out:
	sip_uas2xx_free(u);
	sip_msg_free(resp);
	return err;
}

bool sip_uas2xx_ack(struct sip_uas2xx *u, struct sip_msg *ack)
{
	const struct sip_cseq *cs;

	if (!u || !ack || sip_msg_method_id(ack) != SIP_M_ACK ||
	    sip_msg_cseq(ack, &cs) || cs->num != u->cseq)
		return false;
	tmr_cancel(&u->t_rtx);
	tmr_cancel(&u->t_to);
	return true;
}

void sip_uas2xx_free(struct sip_uas2xx *u)
{
	if (!u)
		return;
	tmr_cancel(&u->t_rtx);
	tmr_cancel(&u->t_to);
	sip_msg_free(u->resp);
	free(u);
}
