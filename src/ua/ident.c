/* ident.c - who is calling: PAI trust, STIR and RFC 4474 checks, one verdict per request. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "core/conf.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "sip/msg.h"
#include "sip/target.h"
#include "sip/transport.h"
#include "ua/certfetch.h"
#include "ua/ident.h"
#include "ua/stir.h"

#define IDENT_MAX_HDRS 8          /* Identity headers checked per request */
#define IDENT_REPLAY_MAX 512      /* signatures remembered */
#define IDENT_CACHE_MAX 64        /* certificate URLs cached */
#define IDENT_4474_MAX 8192       /* RFC 4474 digest-string, bytes */

enum hstate {
	H_IGNORED = 0,
	H_PENDING,
	H_VERIFIED,
	H_FAILED,
	H_UNSUPPORTED,
};

struct hdr_state {
	struct ident_req *r;
	enum hstate st;
	bool legacy;
	struct stir_token tok;
	struct stir_fail f;
	char signer[256];
	char url[STIR_URL_MAX];
	struct certfetch_req *fr;
	/* RFC 4474 */
	struct buf ds;
	char sig[STIR_HDR_MAX];
	size_t siglen;
	int64_t date;
	char host[256];
};

struct ident_req {
	struct ident_req *next;
	struct ident_ctx *ic;
	ident_done_h *h;
	void *arg;
	struct ident_verdict v;
	struct stir_sip sip;
	bool sip_ok;
	bool pai_trusted;
	bool any_identity;
	char ignored_ppt[32];       /* the first unsupported ppt, "" if none */
	size_t nh;
	struct hdr_state hs[IDENT_MAX_HDRS];
	unsigned pending;
	struct tmr tmr;
};

struct replay_ent {
	uint8_t sig[64];
	int64_t until;
};

struct ident_ctx {
	struct loop *loop;
	struct certfetch *cf;
	gnutls_x509_trust_list_t tl;
	unsigned iat_window;
	bool reject;
	bool require;
	ident_clock_h *clock;
	void *clock_arg;
	struct replay_ent replay[IDENT_REPLAY_MAX];
	size_t replay_next;
	struct ident_req *reqs;
};

const char *ident_kind_name(enum ident_kind k)
{
	switch (k) {
	case IDENT_UNVERIFIED: return "unverified";
	case IDENT_CHECKING: return "checking";
	case IDENT_VERIFIED: return "verified";
	case IDENT_ASSERTED: return "asserted";
	case IDENT_FAILED: return "failed";
	case IDENT_UNSUPPORTED: return "unsupported";
	}
	return "?";
}

static int64_t now_s(const struct ident_ctx *ic)
{
	return ic->clock ? ic->clock(ic->clock_arg) : (int64_t)time(NULL);
}

void ident_set_clock(struct ident_ctx *ic, ident_clock_h *h, void *arg)
{
	ic->clock = h;
	ic->clock_arg = arg;
}

int ident_alloc(struct ident_ctx **icp, struct loop *loop,
		const struct conf *conf)
{
	struct certfetch_opts o;
	struct ident_ctx *ic;
	const char *anchors;
	int err;

	if (!icp || !loop)
		return EINVAL;
	ic = calloc(1, sizeof(*ic));
	if (!ic)
		return ENOMEM;
	ic->loop = loop;
	ic->iat_window = (unsigned)conf_get_int(conf, "identity", "iat_window", 60);
	ic->reject = conf_get_bool(conf, "identity", "reject_invalid_identity", false);
	ic->require = conf_get_bool(conf, "identity", "require_identity", false);
	memset(&o, 0, sizeof(o));
	o.timeout_ms = conf_get_int(conf, "identity", "fetch_timeout_ms", 5000);
	o.max_bytes = (size_t)conf_get_int(conf, "identity", "max_cert_bytes", 65536);
	o.ca_file = conf_get(conf, "identity", "fetch_ca_file");
	o.cache_max = IDENT_CACHE_MAX;
	err = certfetch_alloc(&ic->cf, loop, &o);
	if (err)
		goto out;
	anchors = conf_get(conf, "identity", "trust_anchors");
	if (anchors) {
		int n;

		if (gnutls_x509_trust_list_init(&ic->tl, 0) < 0) {
			ic->tl = NULL;
			err = ENOMEM;
			goto out;
		}
		n = gnutls_x509_trust_list_add_trust_file(ic->tl, anchors, NULL,
							  GNUTLS_X509_FMT_PEM, 0, 0);
		if (n <= 0) {
			log_error("ident", _("identity: no CA certificate could be read from trust_anchors %s; STIR signatures will fail as untrusted"),
				  anchors);
			gnutls_x509_trust_list_deinit(ic->tl, 1);
			ic->tl = NULL;
		} else {
			log_info("ident", _("identity: %d trust anchors from %s"), n, anchors);
		}
	}
	*icp = ic;
	return 0;
 out:
	ident_free(ic);
	return err;
}

static void req_release(struct ident_req *r)
{
	for (size_t i = 0; i < r->nh; i++) {
		certfetch_cancel(r->hs[i].fr);
		r->hs[i].fr = NULL;
		buf_free(&r->hs[i].ds);
	}
	tmr_cancel(&r->tmr);
	for (struct ident_req **pp = &r->ic->reqs; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			break;
		}
	}
	free(r);
}

void ident_free(struct ident_ctx *ic)
{
	if (!ic)
		return;
	while (ic->reqs)
		req_release(ic->reqs);
	certfetch_free(ic->cf);
	if (ic->tl)
		gnutls_x509_trust_list_deinit(ic->tl, 1);
	free(ic);
}

void ident_fetch_stats(const struct ident_ctx *ic, struct certfetch_stats *st)
{
	certfetch_stats(ic->cf, st);
}

bool ident_reject_invalid(const struct ident_ctx *ic)
{
	return ic && ic->reject;
}

void ident_cancel(struct ident_req *r)
{
	if (r)
		req_release(r);
}

/* ------------------------------------------------------------------ */
/* replay cache                                                        */

static bool replay_seen(struct ident_ctx *ic, const uint8_t sig[64], int64_t now)
{
	for (size_t i = 0; i < IDENT_REPLAY_MAX; i++) {
		const struct replay_ent *e = &ic->replay[i];

		if (e->until >= now && memcmp(e->sig, sig, 64) == 0)
			return true;
	}
	return false;
}

static void replay_add(struct ident_ctx *ic, const uint8_t sig[64], int64_t iat)
{
	struct replay_ent *e = &ic->replay[ic->replay_next];

	/* The token is acceptable until iat + window: remember it that long. */
	memcpy(e->sig, sig, 64);
	e->until = iat + (int64_t)ic->iat_window;
	ic->replay_next = (ic->replay_next + 1) % IDENT_REPLAY_MAX;
}

/* ------------------------------------------------------------------ */
/* PAI (RFC 3325)                                                      */

static bool host_listed(const char *list, const char *host)
{
	size_t hl = strlen(host);
	const char *p = list;

	while (p && *p) {
		size_t n;

		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (n && n == hl && strncasecmp(p, host, n) == 0)
			return true;
		p += n;
	}
	return false;
}

static void peer_text(char *out, size_t sz, const struct sip_flow *flow)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char a[INET6_ADDRSTRLEN] = "?";

	if (sip_flow_raddr(flow, &ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, a, sizeof(a));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, a, sizeof(a));
	}
	snprintf(out, sz, "%s", a);
}

static void uri_verstat(const struct sip_addr *a, char *out, size_t sz)
{
	struct pl v;

	if (a->uri_ok && sip_uri_param(&a->uri, "verstat", &v) == 0 && v.l)
		pl_strcpy(out, sz, &v);
}

bool ident_pai_trusted(int tp, const char *tls_domain, const char *peer,
		       const char *trusted_hosts, char *note, size_t sz)
{
	char dummy[8];

	if (!note) {
		note = dummy;
		sz = sizeof(dummy);
	}
	note[0] = '\0';
	if (!peer)
		peer = "?";
	if (tp != SIP_TP_TLS) {
		snprintf(note, sz, _("P-Asserted-Identity ignored: not over TLS (from %s)"), peer);
		return false;
	}
	if (!tls_domain || !*tls_domain) {
		snprintf(note, sz,
			 _("P-Asserted-Identity ignored: from %s, a TLS peer not verified for a host name"),
			 peer);
		return false;
	}
	if (!trusted_hosts || !host_listed(trusted_hosts, tls_domain)) {
		snprintf(note, sz,
			 _("P-Asserted-Identity ignored: from %.80s (%s), not a trusted host"),
			 tls_domain, peer);
		return false;
	}
	return true;
}

static void pai_eval(struct ident_req *r, struct sip_msg *msg, int tp,
		     const char *tls_domain, const char *peer, const char *trusted)
{
	struct ident_verdict *v = &r->v;
	const struct sip_addrs *pai;
	const struct sip_addr *from;

	if (sip_msg_addrs(msg, SIP_HDR_P_ASSERTED_IDENTITY, &pai) || !pai->n)
		return;
	if (tp < 0) {
		snprintf(v->pai_note, sizeof(v->pai_note),
			 _("P-Asserted-Identity ignored: the request's connection is unknown"));
		return;
	}
	if (!ident_pai_trusted(tp, tls_domain, peer, trusted, v->pai_note,
			       sizeof(v->pai_note)))
		return;
	r->pai_trusted = true;
	/* The first sip/sips/tel value (RFC 3325: one of each at most). */
	pl_strcpy(v->pai, sizeof(v->pai), &pai->v[0].uri_raw);
	for (size_t i = 0; i < pai->n && !v->verstat[0]; i++)
		uri_verstat(&pai->v[i], v->verstat, sizeof(v->verstat));
	if (!v->verstat[0] && sip_msg_addr(msg, SIP_HDR_FROM, &from) == 0)
		uri_verstat(from, v->verstat, sizeof(v->verstat));
}

/* ------------------------------------------------------------------ */
/* the verdict                                                         */

static void verdict_log(const struct ident_verdict *v)
{
	switch (v->kind) {
	case IDENT_VERIFIED:
		log_info("ident", _("identity verified (%s, attestation %c): %s, signed by %s"),
			 v->method, v->attest ? v->attest : '-', v->orig, v->signer);
		break;
	case IDENT_ASSERTED:
		log_info("ident", _("identity asserted by a trusted host: %s%s%s"),
			 v->pai, v->verstat[0] ? ", verstat=" : "", v->verstat);
		break;
	case IDENT_FAILED:
		log_warn("ident", _("identity check failed (%u): %s (From %s)"),
			 v->code, v->reason, v->from);
		break;
	case IDENT_UNSUPPORTED:
		log_info("ident", _("identity not checked: %s (From %s)"), v->reason, v->from);
		break;
	default:
		log_info("ident", _("identity unverified: From %s"), v->from);
		break;
	}
	if (v->pai_note[0])
		log_info("ident", "%s", v->pai_note);
}

static void deliver(void *arg)
{
	struct ident_req *r = arg;
	ident_done_h *h = r->h;
	void *harg = r->arg;
	struct ident_verdict v = r->v;

	req_release(r);
	verdict_log(&v);
	h(&v, harg);
}

static void set_reason(struct ident_verdict *v, const struct stir_fail *f)
{
	snprintf(v->reason, sizeof(v->reason), "%s", f->reason);
	v->code = f->code;
}

static void finish(struct ident_req *r)
{
	struct ident_verdict *v = &r->v;
	const struct hdr_state *ver = NULL, *uns = NULL, *bad = NULL;

	for (size_t i = 0; i < r->nh; i++) {
		const struct hdr_state *hs = &r->hs[i];

		if (hs->st == H_VERIFIED && !ver)
			ver = hs;
		else if (hs->st == H_UNSUPPORTED && !uns)
			uns = hs;
		else if (hs->st == H_FAILED && !bad)
			bad = hs;
	}
	if (ver) {
		v->kind = IDENT_VERIFIED;
		snprintf(v->method, sizeof(v->method), "%s", ver->legacy ? "rfc4474" : "stir");
		v->attest = ver->tok.attest;
		snprintf(v->signer, sizeof(v->signer), "%s", ver->signer);
	} else if (uns || bad) {
		/* RFC 8224 6.2.2: invalid only if every header is. */
		const struct hdr_state *hs = uns ? uns : bad;

		v->kind = uns ? IDENT_UNSUPPORTED : IDENT_FAILED;
		snprintf(v->method, sizeof(v->method), "%s", hs->legacy ? "rfc4474" : "stir");
		set_reason(v, &hs->f);
		if (uns)
			v->code = 0;
	} else if (r->pai_trusted) {
		char canon[STIR_ID_MAX];
		bool tn = false;

		v->kind = IDENT_ASSERTED;
		snprintf(v->method, sizeof(v->method), "pai");
		/* Who the network asserts, not what From claims. */
		if (!stir_canon_uri(canon, sizeof(canon), v->pai, strlen(v->pai),
				    &tn))
			snprintf(v->orig, sizeof(v->orig), "%s", canon);
	} else if (r->ic->require) {
		v->kind = IDENT_FAILED;
		snprintf(v->method, sizeof(v->method), "stir");
		v->code = 428;
		snprintf(v->reason, sizeof(v->reason), "%s", r->any_identity ?
			 _("no Identity header of a supported type, and [identity] require_identity is set") :
			 _("no Identity header, and [identity] require_identity is set"));
	} else {
		v->kind = IDENT_UNVERIFIED;
		if (r->ignored_ppt[0])
			snprintf(v->reason, sizeof(v->reason),
				 _("an Identity header of unsupported type "
				   "(ppt \"%s\") was ignored"), r->ignored_ppt);
	}
	tmr_start(r->ic->loop, &r->tmr, 0, deliver, r);
}

static void hdr_done(struct hdr_state *hs, enum hstate st)
{
	struct ident_req *r = hs->r;

	hs->st = st;
	if (r->pending && --r->pending == 0)
		finish(r);
}

static void fetched(int err, const char *msg, const uint8_t *data, size_t len,
		    void *arg)
{
	struct hdr_state *hs = arg;
	struct ident_req *r = hs->r;
	struct ident_ctx *ic = r->ic;
	gnutls_pubkey_t pk = NULL;
	int64_t now = now_s(ic);

	hs->fr = NULL;
	if (err) {
		hs->f.code = 436;
		snprintf(hs->f.reason, sizeof(hs->f.reason), _("certificate unobtainable: %s"), msg);
		hdr_done(hs, hs->legacy ? H_UNSUPPORTED : H_FAILED);
		return;
	}
	if (hs->legacy) {
		if (stir_4474_verify(data, len, ic->tl, hs->ds.data, hs->ds.len, hs->date,
				     hs->host, hs->sig, hs->siglen, now, hs->signer,
				     sizeof(hs->signer), &hs->f)) {
			hdr_done(hs, H_FAILED);
			return;
		}
		hdr_done(hs, H_VERIFIED);
		return;
	}
	if (stir_cert_check(data, len, ic->tl, hs->tok.iat, &r->sip, hs->tok.shaken,
			    true, &pk, hs->signer, sizeof(hs->signer), &hs->f) ||
	    stir_verify_sig(&hs->tok, pk, &hs->f)) {
		if (pk)
			gnutls_pubkey_deinit(pk);
		hdr_done(hs, H_FAILED);
		return;
	}
	gnutls_pubkey_deinit(pk);
	if (replay_seen(ic, hs->tok.sig, now)) {
		hs->f.code = 438;
		snprintf(hs->f.reason, sizeof(hs->f.reason),
			 _("the PASSporT was replayed (same signature seen within %u s)"),
			 ic->iat_window);
		hdr_done(hs, H_FAILED);
		return;
	}
	replay_add(ic, hs->tok.sig, hs->tok.iat);
	hdr_done(hs, H_VERIFIED);
}

static void start_fetch(struct hdr_state *hs)
{
	struct ident_req *r = hs->r;
	int err;

	hs->st = H_PENDING;
	r->pending++;
	err = certfetch_get(r->ic->cf, &hs->fr, hs->url, fetched, hs);
	if (err) {
		r->pending--;
		hs->fr = NULL;
		hs->f.code = 436;
		snprintf(hs->f.reason, sizeof(hs->f.reason),
			 _("certificate unobtainable: %s"), strerror(err));
		hs->st = hs->legacy ? H_UNSUPPORTED : H_FAILED;
	}
}

static void legacy_prep(struct ident_req *r, struct hdr_state *hs,
			struct sip_msg *msg, const struct sip_identity *id)
{
	const struct sip_identity_info *ii;
	const struct sip_addr *from;
	struct pl url = id->info;

	hs->legacy = true;
	hs->st = H_UNSUPPORTED;
	if (sip_msg_identity_info(msg, &ii) == 0)
		url = ii->uri;
	if (!pl_isset(&url) || url.l >= sizeof(hs->url)) {
		snprintf(hs->f.reason, sizeof(hs->f.reason),
			 _("RFC 4474 Identity without a usable Identity-Info URI"));
		return;
	}
	pl_strcpy(hs->url, sizeof(hs->url), &url);
	if (strncasecmp(hs->url, "https://", 8) != 0) {
		snprintf(hs->f.reason, sizeof(hs->f.reason),
			 _("RFC 4474 certificate URI is not https:; nothing was fetched"));
		return;
	}
	if (id->digest.l >= sizeof(hs->sig) ||
	    sip_msg_date(msg, &hs->date) ||
	    sip_msg_addr(msg, SIP_HDR_FROM, &from) || !from->uri_ok ||
	    !from->uri.host.l || from->uri.host.l >= sizeof(hs->host)) {
		hs->st = H_FAILED;
		hs->f.code = 438;
		snprintf(hs->f.reason, sizeof(hs->f.reason),
			 _("RFC 4474 Identity on a request without Date or a From host"));
		return;
	}
	memcpy(hs->sig, id->digest.p, id->digest.l);
	hs->siglen = id->digest.l;
	pl_strcpy(hs->host, sizeof(hs->host), &from->uri.host);
	buf_init(&hs->ds, IDENT_4474_MAX);
	if (stir_4474_digest_string(&hs->ds, msg)) {
		hs->st = H_FAILED;
		hs->f.code = 438;
		snprintf(hs->f.reason, sizeof(hs->f.reason),
			 _("RFC 4474 Identity on a request lacking a signed field"));
		return;
	}
	(void)r;
	start_fetch(hs);
}

static void stir_prep(struct ident_req *r, struct hdr_state *hs,
		      const struct sip_identity *id)
{
	struct ident_ctx *ic = r->ic;
	int err;

	if (!r->sip_ok) {
		hs->st = H_FAILED;
		return;  /* hs->f already says why */
	}
	err = stir_parse(&hs->tok, id, &r->sip, &hs->f);
	if (err == ENOTSUP) {
		char ppt[32];

		pl_strcpy(ppt, sizeof(ppt), &id->ppt);
		log_info("ident", _("Identity header with unsupported ppt %s ignored"), ppt);
		if (!r->ignored_ppt[0])
			snprintf(r->ignored_ppt, sizeof(r->ignored_ppt), "%s", ppt);
		hs->st = H_IGNORED;
		return;
	}
	if (err || stir_check_iat(&hs->tok, now_s(ic), ic->iat_window, &hs->f)) {
		hs->st = H_FAILED;
		return;
	}
	snprintf(hs->url, sizeof(hs->url), "%s", hs->tok.x5u);
	if (strncasecmp(hs->url, "https://", 8) != 0) {
		hs->st = H_FAILED;
		hs->f.code = 436;
		snprintf(hs->f.reason, sizeof(hs->f.reason),
			 _("the Identity info URI is not https:; nothing was fetched"));
		return;
	}
	start_fetch(hs);
}

int ident_check(struct ident_ctx *ic, struct ident_req **rp,
		struct sip_msg *req, const struct sip_flow *flow,
		const char *trusted_hosts, ident_done_h *h, void *arg)
{
	char peer[INET6_ADDRSTRLEN];

	if (!flow)
		return ident_check_on(ic, rp, req, -1, NULL, NULL, trusted_hosts, h, arg);
	peer_text(peer, sizeof(peer), flow);
	return ident_check_on(ic, rp, req, (int)sip_flow_tp(flow),
			      sip_flow_tls_domain(flow), peer, trusted_hosts, h, arg);
}

int ident_check_on(struct ident_ctx *ic, struct ident_req **rp,
		   struct sip_msg *req, int tp, const char *tls_domain,
		   const char *peer, const char *trusted_hosts,
		   ident_done_h *h, void *arg)
{
	const struct sip_identities *ids = NULL;
	const struct sip_addr *from;
	struct ident_req *r;
	struct stir_fail sf = {0, ""};
	int err;

	if (!ic || !req || !h)
		return EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->ic = ic;
	r->h = h;
	r->arg = arg;
	tmr_init(&r->tmr);
	r->next = ic->reqs;
	ic->reqs = r;

	if (sip_msg_addr(req, SIP_HDR_FROM, &from) == 0) {
		struct buf b;

		pl_strcpy(r->v.from, sizeof(r->v.from), &from->uri_raw);
		buf_init(&b, sizeof(r->v.display) - 1);
		if (pl_isset(&from->dname) && from->dname.l &&
		    sip_qstr_text(&b, &from->dname) == 0 && b.len)
			snprintf(r->v.display, sizeof(r->v.display), "%s", b.data);
		buf_free(&b);
	}
	r->sip_ok = stir_sip_from_msg(&r->sip, req, &sf) == 0;
	if (r->sip_ok)
		snprintf(r->v.orig, sizeof(r->v.orig), "%s", r->sip.orig);
	pai_eval(r, req, tp, tls_domain, peer, trusted_hosts);

	err = sip_msg_identities(req, &ids);
	if (err && err != ENOENT) {
		/* Present but malformed: one failed header. */
		r->any_identity = true;
		r->nh = 1;
		r->hs[0].r = r;
		r->hs[0].st = H_FAILED;
		r->hs[0].f.code = 438;
		snprintf(r->hs[0].f.reason, sizeof(r->hs[0].f.reason),
			 _("the Identity header is malformed"));
	} else if (!err) {
		r->any_identity = ids->n > 0;
		if (ids->n > IDENT_MAX_HDRS)
			log_info("ident", _("%zu Identity headers: only the first %d are checked"),
				 ids->n, IDENT_MAX_HDRS);
		r->nh = ids->n < IDENT_MAX_HDRS ? ids->n : IDENT_MAX_HDRS;
		for (size_t i = 0; i < r->nh; i++) {
			struct hdr_state *hs = &r->hs[i];

			hs->r = r;
			hs->f = sf;
			if (ids->v[i].legacy)
				legacy_prep(r, hs, req, &ids->v[i]);
			else
				stir_prep(r, hs, &ids->v[i]);
		}
	}
	if (!r->pending)
		finish(r);
	if (rp)
		*rp = r;
	return 0;
}
