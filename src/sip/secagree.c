/* secagree.c - Security-Client, Security-Server, Security-Verify mechanisms (RFC 3329 2.2). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
 * thousandths so that equal preferences compare exactly. */
static int qvalue(const struct pl *v, int *q)
{
	size_t i;
	int x, scale = 100;

	if (!v->l || (v->p[0] != '0' && v->p[0] != '1'))
		return EBADMSG;
	x = (v->p[0] - '0') * 1000;
	if (v->l == 1)
		goto out;
	if (v->p[1] != '.' || v->l > 5)
		return EBADMSG;
	for (i = 2; i < v->l; i++, scale /= 10) {
		if (!sip_is(v->p[i], CT_DIGIT))
			return EBADMSG;
		x += (v->p[i] - '0') * scale;
	}
	if (x > 1000)
		return EBADMSG;
out:
	*q = x;
	return 0;
}

static bool lhex(const struct pl *v)
{
	if (!v->l || v->l % 2)
		return false;
	for (size_t i = 0; i < v->l; i++) {
		if (!sip_is(v->p[i], CT_HEX))
			return false;
	}
	return true;
}

/* sec-mechanism = mechanism-name *(SEMI mech-parameters) */
int sip_secmech_decode(struct sip_secmech *m, const struct pl *s0)
{
	struct pl s = *s0, rest;
	struct sip_param p;
	int err;

	memset(m, 0, sizeof(*m));
	m->raw = *s0;
	m->q = -1;
	sip_lws(&s);
	err = sip_scan(&s, CT_TOKEN, &m->mech);
	if (err)
		return err;
	err = sip_params(&s, &m->params, 0, NULL);
	if (err)
		return err;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	rest = m->params;
	while (sip_param_next(&rest, ';', &p) == 0) {
		if (pl_caseeq_str(&p.name, "q")) {
			if (!p.val.p || p.quoted || qvalue(&p.val, &m->q))
				return EBADMSG;
		} else if (pl_caseeq_str(&p.name, "d-alg")) {
			if (!p.val.l || p.quoted)
				return EBADMSG;
			m->d_alg = p.val;
		} else if (pl_caseeq_str(&p.name, "d-qop")) {
			if (!p.val.l || p.quoted)
				return EBADMSG;
			m->d_qop = p.val;
		} else if (pl_caseeq_str(&p.name, "d-ver")) {
			/* d-ver = LDQUOT 32LHEX RDQUOT; longer digests
			 * (SHA-256, RFC 8760) are let through. */
			if (!p.quoted || p.val.l < 32 || !lhex(&p.val))
				return EBADMSG;
			m->d_ver = p.val;
		}
	}
	return 0;
}
