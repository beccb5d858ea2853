/* auth.c - digest credentials per realm: challenge choice, nonce counts, rspauth. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "sip/digest.h"
#include "sip/msg.h"
#include "ua/auth.h"

struct auth_realm {
	char *realm, *nonce, *opaque;
	enum digest_alg alg;
	enum digest_qop qop;
	bool userhash;
	bool alg_sent;          /* the challenge named its algorithm */
	enum sip_hdr_id hdr;    /* SIP_HDR_AUTHORIZATION or _PROXY_ */
	uint32_t nc;
	char cnonce[40];
	char *uri;              /* digest-uri last sent, for rspauth */
	bool fresh;             /* from a challenge, not yet accepted */
	bool sent_fresh;        /* the last request carried it while fresh */
	unsigned stale;
};

struct auth {
	char *user;
	char *password;
	struct auth_realm r[AUTH_MAX_REALMS];
	size_t n;
};

static void realm_clear(struct auth_realm *r)
{
	free(r->realm);
	free(r->nonce);
	free(r->opaque);
	free(r->uri);
	explicit_bzero(r, sizeof(*r));
}

int auth_alloc(struct auth **ap, const char *user, const char *password)
{
	struct auth *a;
	int err = ENOMEM;

	if (!ap || !user || !password)
		return EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return ENOMEM;
	a->user = strdup(user);
	a->password = strdup(password);
	if (!a->user || !a->password)
		goto out;
	err = 0;
 out:
	if (err)
		auth_free(a);
	else
		*ap = a;
	return err;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		realm_clear(&a->r[i]);
	if (a->password) {
		explicit_bzero(a->password, strlen(a->password));
		free(a->password);
	}
	free(a->user);
	free(a);
}

size_t auth_nrealms(const struct auth *a)
{
	return a ? a->n : 0;
}

const char *auth_realm_alg(const struct auth *a, size_t i)
{
	return a && i < a->n ? digest_alg_name(a->r[i].alg) : NULL;
}

static struct auth_realm *realm_find(struct auth *a, const struct pl *realm)
{
	for (size_t i = 0; i < a->n; i++) {
		if (pl_eq_str(realm, a->r[i].realm))
			return &a->r[i];
	}
	return NULL;
}

/* A challenge we can answer, decoded. */
struct cand {
	struct pl realm, nonce, opaque;
	enum digest_alg alg;
	enum digest_qop qop;
	bool alg_sent, stale, userhash;
	enum sip_hdr_id hdr;
	int strength;
};

static bool cand_parse(struct cand *c, const struct sip_auth *ch,
		       enum sip_hdr_id hdr)
{
	struct pl v, qop = PL_INIT;

	memset(c, 0, sizeof(*c));
	if (!pl_caseeq_str(&ch->scheme, "Digest"))
		return false;
	if (sip_auth_param(ch, "realm", &c->realm) ||
	    sip_auth_param(ch, "nonce", &c->nonce))
		return false;
	c->alg_sent = !sip_auth_param(ch, "algorithm", &v);
	c->alg = digest_alg_parse(c->alg_sent ? &v : NULL);
	c->strength = digest_strength(c->alg);
	if (c->strength <= 0)
		return false;
	(void)sip_auth_param(ch, "qop", &qop);
	if (digest_qop_choose(qop.p ? &qop : NULL, &c->qop))
		return false;
	if (!sip_auth_param(ch, "stale", &v))
		c->stale = pl_caseeq_str(&v, "true");
	if (!sip_auth_param(ch, "userhash", &v))
		c->userhash = pl_caseeq_str(&v, "true");
	(void)sip_auth_param(ch, "opaque", &c->opaque);
	c->hdr = hdr == SIP_HDR_WWW_AUTHENTICATE ? SIP_HDR_AUTHORIZATION :
		 SIP_HDR_PROXY_AUTHORIZATION;
	return true;
}

static int realm_set(struct auth_realm *r, const struct cand *c)
{
	char *realm = NULL, *nonce = NULL, *opaque = NULL;

	if (pl_strdup(&nonce, &c->nonce) ||
	    (!r->realm && pl_strdup(&realm, &c->realm)) ||
	    (c->opaque.p && pl_strdup(&opaque, &c->opaque))) {
		free(realm);
		free(nonce);
		free(opaque);
		return ENOMEM;
	}
	if (realm)
		r->realm = realm;
	free(r->nonce);
	r->nonce = nonce;
	free(r->opaque);
	r->opaque = opaque;
	r->alg = c->alg;
	r->alg_sent = c->alg_sent;
	r->qop = c->qop;
	r->userhash = c->userhash;
	r->hdr = c->hdr;
	r->nc = 0;
	return 0;
}

int auth_challenge(struct auth *a, struct sip_msg *resp, const char **why)
{
	static const enum sip_hdr_id ids[] = {SIP_HDR_WWW_AUTHENTICATE,
					      SIP_HDR_PROXY_AUTHENTICATE};
	struct cand best[AUTH_MAX_REALMS];
	size_t nbest = 0, seen = 0;
	const char *dummy;
	int err;

	if (!why)
		why = &dummy;
	*why = "";
	if (!a || !resp)
		return EINVAL;
	for (size_t k = 0; k < 2; k++) {
		const struct sip_auths *l;

		if (sip_msg_auths(resp, ids[k], &l))
			continue;
		for (size_t i = 0; i < l->n; i++) {
			struct cand c;
			size_t j;

			seen++;
			if (!cand_parse(&c, &l->v[i], ids[k]))
				continue;
			for (j = 0; j < nbest; j++) {
				if (pl_eq(&best[j].realm, &c.realm))
					break;
			}
			if (j == nbest) {
				if (nbest == AUTH_MAX_REALMS)
					continue;
				best[nbest++] = c;
			} else if (c.strength > best[j].strength) {
				/* Stronger wins; among equals the topmost
				 * stays (RFC 8760 2.4). */
				best[j] = c;
			}
		}
	}
	if (!seen) {
		*why = "no WWW-Authenticate or Proxy-Authenticate";
		return EBADMSG;
	}
	if (!nbest) {
		*why = "no challenge with an algorithm and qop we support";
		return ENOTSUP;
	}
	for (size_t j = 0; j < nbest; j++) {
		struct auth_realm *r = realm_find(a, &best[j].realm);

		if (r && r->sent_fresh) {
			if (!best[j].stale) {
				*why = "the server refused the credentials";
				return EACCES;
			}
			if (++r->stale > AUTH_MAX_STALE) {
				*why = "the nonce went stale too often";
				return EACCES;
			}
		} else if (r) {
			r->stale = 0;
		}
		if (!r) {
			if (a->n == AUTH_MAX_REALMS) {
				*why = "too many realms";
				return E2BIG;
			}
			r = &a->r[a->n++];
			memset(r, 0, sizeof(*r));
		}
		err = realm_set(r, &best[j]);
		if (err)
			return err;
		r->fresh = true;
		r->sent_fresh = false;
		log_debug("auth", "realm \"%s\": %s%s%s", r->realm,
			  digest_alg_name(r->alg),
			  r->qop ? " qop=" : "",
			  r->qop ? digest_qop_name(r->qop) : "");
	}
	return 0;
}

static void params_fill(struct digest_params *p, const struct auth *a,
			const struct auth_realm *r, struct sip_msg *req)
{
	memset(p, 0, sizeof(*p));
	p->alg = r->alg;
	pl_set_str(&p->user, a->user);
	pl_set_str(&p->realm, r->realm);
	pl_set_str(&p->password, a->password);
	pl_set_str(&p->nonce, r->nonce);
	pl_set_str(&p->cnonce, r->cnonce);
	p->nc = r->nc;
	p->qop = r->qop;
	if (req) {
		struct pl body = sip_msg_body(req);

		p->method = sip_msg_method(req);
		p->uri = sip_msg_ruri_raw(req);
		p->body = body.p;
		p->body_len = body.l;
	}
}

static int realm_header(struct buf *b, struct auth *a, struct auth_realm *r,
			struct sip_msg *req)
{
	char resp[DIGEST_HEX_SIZE], uh[DIGEST_HEX_SIZE], nc[DIGEST_NC_SIZE];
	struct digest_params p;
	struct pl uri = sip_msg_ruri_raw(req);
	int err;

	r->nc++;
	err = digest_cnonce(r->cnonce, sizeof(r->cnonce));
	if (err)
		return err;
	params_fill(&p, a, r, req);
	err = digest_response(resp, sizeof(resp), &p);
	explicit_bzero(&p, sizeof(p));
	if (err)
		return err;
	free(r->uri);
	r->uri = NULL;
	err = pl_strdup(&r->uri, &uri);
	if (err)
		return err;
	if (r->userhash) {
		struct pl user, realm;

		pl_set_str(&user, a->user);
		pl_set_str(&realm, r->realm);
		err = digest_userhash(uh, sizeof(uh), r->alg, &user, &realm);
		if (err)
			return err;
	}
	buf_printf(b, "Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", "
		   "uri=\"%.*s\", response=\"%s\"",
		   r->userhash ? uh : a->user, r->realm, r->nonce,
		   PL_FMT(&uri), resp);
	if (r->alg_sent || r->alg != DIGEST_ALG_MD5)
		buf_printf(b, ", algorithm=%s", digest_alg_name(r->alg));
	if (r->opaque)
		buf_printf(b, ", opaque=\"%s\"", r->opaque);
	if (r->qop) {
		(void)digest_nc_format(nc, sizeof(nc), r->nc);
		buf_printf(b, ", qop=%s, nc=%s, cnonce=\"%s\"",
			   digest_qop_name(r->qop), nc, r->cnonce);
	}
	if (r->userhash)
		buf_puts(b, ", userhash=true");
	explicit_bzero(resp, sizeof(resp));
	return b->err;
}

int auth_authorize(struct auth *a, struct sip_msg *req)
{
	struct buf b;
	int err = 0;

	if (!a || !req)
		return EINVAL;
	buf_init(&b, 4096);
	for (size_t i = 0; i < a->n && !err; i++) {
		struct auth_realm *r = &a->r[i];

		buf_reset(&b);
		err = realm_header(&b, a, r, req);
		if (!err)
			err = sip_msg_hdr_add(req, r->hdr, b.data);
		if (!err)
			r->sent_fresh = r->fresh;
	}
	buf_free(&b);
	return err;
}

void auth_accepted(struct auth *a)
{
	for (size_t i = 0; a && i < a->n; i++) {
		a->r[i].fresh = false;
		a->r[i].sent_fresh = false;
		a->r[i].stale = 0;
	}
}

int auth_verify_info(struct auth *a, struct sip_msg *resp, int *present)
{
	const struct sip_auth *ai;
	struct auth_realm *r;
	struct pl rspauth, nn;
	int err;

	if (present)
		*present = 0;
	if (!a || !resp)
		return EINVAL;
	if (sip_msg_auth_info(resp, &ai) || !a->n)
		return 0;
	/* Authentication-Info comes from the registrar or UAS, whose realm
	 * is the first one (a proxy never sends it to us). */
	r = &a->r[0];
	if (!sip_auth_param(ai, "rspauth", &rspauth)) {
		struct digest_params p;
		struct pl body = sip_msg_body(resp);

		if (present)
			*present = 1;
		params_fill(&p, a, r, NULL);
		pl_set_str(&p.uri, r->uri ? r->uri : "");
		p.body = body.p;
		p.body_len = body.l;
		err = digest_rspauth_verify(&p, &rspauth);
		explicit_bzero(&p, sizeof(p));
		if (err)
			return err;
	}
	if (!sip_auth_param(ai, "nextnonce", &nn) && nn.l) {
		char *nonce;

		err = pl_strdup(&nonce, &nn);
		if (err)
			return err;
		free(r->nonce);
		r->nonce = nonce;
		r->nc = 0;
	}
	return 0;
}

int auth_dver(struct auth *a, struct sip_msg *req,
	      const struct pl *sec_server, char *hex, size_t sz)
{
	struct digest_params p;
	int err;

	if (!a || !req || !sec_server || !hex)
		return EINVAL;
	if (!a->n || !a->r[0].nc)
		return ENOENT;
	params_fill(&p, a, &a->r[0], req);
	err = digest_dver(hex, sz, &p, sec_server);
	explicit_bzero(&p, sizeof(p));
	return err;
}
