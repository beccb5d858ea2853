/* ident.c - Identity (RFC 8224, and the RFC 4474 form) and Identity-Info headers. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

static int info_uri(const struct pl *u)
{
	struct pl scheme;
	bool known;

	return sip_anyuri_check(u, &scheme, &known);
}

/*
 * Identity = signed-identity-digest SEMI ident-info *(SEMI params) with
 * ident-info = "info" EQUAL <absoluteURI> (RFC 8224); the digest is
 * base64 or base64url with '.' separators.  RFC 4474 put a quoted
 * signature here, and deployed 4474 code (RFC 4475 mpart01) sent it
 * unquoted with '=' padding and its URI in Identity-Info: both are
 * marked legacy for the verifier to decide.
 */
int sip_identity_decode(struct sip_identity *id, const struct pl *s0)
{
	struct pl s = *s0, rest;
	struct sip_param p;
	int err;

	sip_zero(id, sizeof(*id));
	id->raw = *s0;
	sip_lws(&s);
	if (sip_at(&s, '"')) {
		err = sip_qstr(&s, &id->digest);
		if (err)
			return err;
		for (size_t i = 0; i < id->digest.l; i++) {
			if (!sip_is(id->digest.p[i], CT_B64))
				return EBADMSG;
		}
		if (!id->digest.l)
			return EBADMSG;
		id->legacy = true;
	} else {
		err = sip_scan(&s, CT_B64, &id->digest);
		if (err)
			return err;
	}
	err = sip_params(&s, &id->params, SIP_P_ANGLE, NULL);
	if (err)
		return err;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	rest = id->params;
	while (sip_param_next(&rest, ';', &p) == 0) {
		if (pl_caseeq_str(&p.name, "info")) {
			/* The URI must come in angle brackets. */
			if (!p.val.l || p.val.p[-1] != '<' ||
			    info_uri(&p.val))
				return EBADMSG;
			id->info = p.val;
		} else if (pl_caseeq_str(&p.name, "alg")) {
			if (!p.val.l || p.quoted)
				return EBADMSG;
			id->alg = p.val;
		} else if (pl_caseeq_str(&p.name, "ppt")) {
			if (!p.val.l)
				return EBADMSG;
			id->ppt = p.val;
		}
	}
	if (!id->info.p)
		id->legacy = true;
	return 0;
}

/* Identity-Info = LAQUOT absoluteURI RAQUOT *( SEMI ident-info-params ) */
int sip_idinfo_decode(struct sip_identity_info *ii, const struct pl *s0)
{
	struct pl s = *s0;
	const char *gt;
	int err;

	memset(ii, 0, sizeof(*ii));
	sip_lws(&s);
	if (!sip_at(&s, '<'))
		return EBADMSG;
	gt = memchr(s.p, '>', s.l);
	if (!gt)
		return EBADMSG;
	ii->uri.p = s.p + 1;
	ii->uri.l = (size_t)(gt - ii->uri.p);
	for (size_t i = 0; i < ii->uri.l; i++) {
		if (!sip_is(ii->uri.p[i], CT_URIC))
			return EBADMSG;
	}
	err = info_uri(&ii->uri);
	if (err)
		return err;
	sip_adv(&s, (size_t)(gt - s.p) + 1);
	err = sip_params(&s, &ii->params, 0, NULL);
	if (err)
		return err;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	if (sip_param_get(&ii->params, "alg", &ii->alg) == 0 && !ii->alg.l)
		return EBADMSG;
	return 0;
}
