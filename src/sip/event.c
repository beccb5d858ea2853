/* event.c - Event and Subscription-State (RFC 6665 8.2). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* Event = event-type *( SEMI event-param ); event-type is a token whose
 * dots separate package and templates ("presence.winfo"). */
int sip_event_decode(struct sip_event *e, const struct pl *s0)
{
	struct pl s = *s0;
	int err;

	memset(e, 0, sizeof(*e));
	sip_lws(&s);
	err = sip_scan(&s, CT_TOKEN, &e->package);
	if (err)
		return err;
	err = sip_params(&s, &e->params, 0, NULL);
	if (err)
		return err;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	if (sip_param_get(&e->params, "id", &e->id) == 0 && !e->id.l)
		return EBADMSG;
	return 0;
}

static int delta_param(const struct pl *params, const char *name, bool *has,
		       uint32_t *v)
{
	struct pl d;

	if (sip_param_get(params, name, &d))
		return 0;
	*has = true;
	return sip_num(&d, UINT32_MAX, v);
}

/* Subscription-State = substate-value *( SEMI subexp-params ) */
int sip_substate_decode(struct sip_substate *st, const struct pl *s0)
{
	struct pl s = *s0;
	int err;

	memset(st, 0, sizeof(*st));
	sip_lws(&s);
	err = sip_scan(&s, CT_TOKEN, &st->state);
	if (err)
		return err;
	err = sip_params(&s, &st->params, 0, NULL);
	if (err)
		return err;
	sip_lws(&s);
	if (s.l)
		return EBADMSG;
	if (sip_param_get(&st->params, "reason", &st->reason) == 0 &&
	    !st->reason.l)
		return EBADMSG;
	err = delta_param(&st->params, "expires", &st->has_expires,
			  &st->expires);
	if (err)
		return err;
	return delta_param(&st->params, "retry-after", &st->has_retry_after,
			   &st->retry_after);
}
