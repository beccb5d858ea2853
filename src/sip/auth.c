/* auth.c - challenges, credentials and Authentication-Info (RFC 3261 25.1, RFC 8760). */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"

/* token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 * (RFC 7235; RFC 8898 Bearer credentials use it). */
static bool token68(const struct pl *s)
{
	size_t i = 0;

	while (i < s->l && (sip_is(s->p[i], CT_ALPHA | CT_DIGIT) ||
			    strchr("-._~+/", s->p[i])))
		i++;
	if (!i)
		return false;
	while (i < s->l && s->p[i] == '=')
		i++;
	return i == s->l;
}

/*
 * challenge / credentials = auth-scheme LWS auth-param *(COMMA auth-param);
 * with scheme false, the bare param list of Authentication-Info.  Digest
 * fields are not picked out here: the digest client asks for them by name
 * (sip_auth_param), and the syntax check already refused duplicates so
 * that two readers cannot see two different nonces.
 */
int sip_auth_decode(struct sip_auth *a, const struct pl *s0, bool scheme)
{
	struct pl s = *s0;
	int err;

	memset(a, 0, sizeof(*a));
	a->raw = *s0;
	sip_lws(&s);
	if (scheme) {
		err = sip_scan(&s, CT_TOKEN, &a->scheme);
		if (err)
			return err;
		if (!s.l) {
			a->params.p = s.p;
			return 0;
		}
		if (!sip_is(*s.p, CT_LWS))
			return EBADMSG;
		sip_lws(&s);
	}
	while (s.l && sip_is(s.p[s.l - 1], CT_LWS))
		s.l--;
	if (!s.l)
		return scheme ? 0 : EBADMSG;
	/* Digest always has name=value pairs; other schemes (Bearer) may
	 * carry a single token68 instead. */
	if (scheme && !SIP_IEQ(&a->scheme, "digest") && token68(&s)) {
		a->token68 = s;
		a->params.p = s.p + s.l;
		a->params.l = 0;
		return 0;
	}
	err = sip_aparams(&s);
	if (err)
		return err;
	a->params = s;
	return 0;
}
