/* warning.c - Warning and Retry-After (RFC 3261 20.43, 20.33). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* warning-value = warn-code SP warn-agent SP warn-text */
int sip_warning_decode(struct sip_warning *w, const struct pl *s0)
{
	struct pl s = *s0, code, text;
	int err;

	memset(w, 0, sizeof(*w));
	sip_lws(&s);
	err = sip_scan(&s, CT_DIGIT, &code);
	/* scalarlg: "1812" is no warn-code. */
	if (err || code.l != 3 || !s.l || !sip_is(*s.p, CT_LWS))
		return EBADMSG;
	w->code = (uint16_t)((code.p[0] - '0') * 100 + (code.p[1] - '0') * 10 +
			     (code.p[2] - '0'));
	sip_lws(&s);
	/* warn-agent = hostport / pseudonym */
	err = sip_scan(&s, CT_PVAL, &w->agent);
	if (err || !s.l || !sip_is(*s.p, CT_LWS))
		return EBADMSG;
	sip_lws(&s);
	err = sip_qstr(&s, &text);
	if (err)
		return err;
	w->text = text;
	sip_lws(&s);
	return s.l ? EBADMSG : 0;
}

/* Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) */
int sip_retry_decode(struct sip_retry_after *r, const struct pl *s0)
{
	struct pl s = *s0, d, dur;
	uint32_t v;
	int err;

	memset(r, 0, sizeof(*r));
	sip_lws(&s);
	err = sip_scan(&s, CT_DIGIT, &d);
	if (err)
		return err;
	err = sip_num(&d, UINT32_MAX, &r->delta);
	if (err)
		return err;
	sip_lws(&s);
	if (sip_at(&s, '(')) {
		err = sip_comment(&s, &r->comment);
		if (err)
			return err;
	}
	err = sip_params(&s, &r->params, 0, NULL);
	if (err)
		return err;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	if (sip_param_get(&r->params, "duration", &dur) == 0)
		return sip_num(&dur, UINT32_MAX, &v);
	return 0;
}
