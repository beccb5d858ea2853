/* ctype.c - media types (Content-Type, Accept) and "token *(;param)" values. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* media-type = m-type SLASH m-subtype *(SEMI m-parameter) */
int sip_ctype_decode(struct sip_ctype *c, const struct pl *s0)
{
	struct pl s = *s0;
	int err;

	memset(c, 0, sizeof(*c));
	sip_lws(&s);
	err = sip_scan(&s, CT_TOKEN, &c->type);
	if (err || !sip_sep(&s, '/'))
		return EBADMSG;
	err = sip_scan(&s, CT_TOKEN, &c->subtype);
	if (err)
		return err;
	if (!s.l) {
		/* no parameters: what sip_params() makes of nothing */
		c->params.p = s.p;
		return 0;
	}
	err = sip_params(&s, &c->params, 0, NULL);
	if (err)
		return err;
	sip_lws(&s);
	return s.l ? EBADMSG : 0;
}

/*
 * A leading value of class tokcls, then parameters.  With CT_WORD the
 * value is a Call-ID (word ["@" word], Replaces, RFC 3891).
 */
int sip_tparam_decode(struct sip_tparam *t, const struct pl *s0,
		      unsigned tokcls)
{
	struct pl s = *s0, w;
	const char *a;
	int err;

	memset(t, 0, sizeof(*t));
	sip_lws(&s);
	a = s.p;
	if (tokcls == CT_WORD) {
		/* ';' is no word character, so the Call-ID stops there. */
		err = sip_scan(&s, CT_WORD, &w);
		if (!err && sip_at(&s, '@')) {
			sip_adv(&s, 1);
			err = sip_scan(&s, CT_WORD, &w);
		}
	} else {
		err = sip_scan(&s, tokcls, &w);
	}
	if (err)
		return EBADMSG;
	t->token = sip_span(a, &s);
	err = sip_params(&s, &t->params, 0, NULL);
	if (err)
		return err;
	sip_lws(&s);
	return s.l ? EBADMSG : 0;
}
