/* secagree.c - Security-Client, 494 handling, Security-Verify and bid-down detection (RFC 3329). */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/i18n.h"
#include "core/log.h"
#include "sip/digest.h"
#include "sip/msg.h"
#include "ua/auth.h"
#include "ua/secagree.h"

#define SECAGREE_CLIENT "tls, digest"

struct secagree {
	enum secagree_mech mech;
	char *server;           /* the Security-Server list as received */
	bool verifying;         /* Security-Verify has been sent */
};

int secagree_alloc(struct secagree **sp)
{
	if (!sp)
		return EINVAL;
	*sp = calloc(1, sizeof(**sp));
	return *sp ? 0 : ENOMEM;
}

void secagree_free(struct secagree *s)
{
	if (!s)
		return;
	free(s->server);
	free(s);
}

enum secagree_mech secagree_mech(const struct secagree *s)
{
	return s ? s->mech : SECAGREE_NONE;
}

/* The list as one string, each mechanism as sent, ", " between: what
 * Security-Verify repeats and what d-ver covers (LWS collapsed). */
static int server_list(struct buf *b, struct sip_msg *resp)
{
	const struct sip_secmechs *l;
	int err;

	err = sip_msg_secmechs(resp, SIP_HDR_SECURITY_SERVER, &l);
	if (err)
		return err;
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			buf_puts(b, ", ");
		buf_putpl(b, &l->v[i].raw);
	}
	return b->err;
}

int secagree_decorate(struct secagree *s, struct sip_msg *req,
		      struct auth *a)
{
	int err;

	if (!s || !req)
		return EINVAL;
	if (!s->server) {
		err = sip_msg_hdr_add(req, SIP_HDR_SECURITY_CLIENT,
				      SECAGREE_CLIENT);
	} else {
		struct buf b;
		char dver[DIGEST_HEX_SIZE];
		struct pl sl;

		buf_init(&b, SIP_HDR_LEN_MAX);
		buf_puts(&b, s->server);
		pl_set_str(&sl, s->server);
		if (s->mech == SECAGREE_DIGEST && a &&
		    !auth_dver(a, req, &sl, dver, sizeof(dver))) {
			/* d-ver rides on the digest entry; it is the only
			 * one we add to and it is the last of its entry. */
			struct buf v;
			const char *d = strstr(s->server, "digest");

			buf_init(&v, SIP_HDR_LEN_MAX);
			if (d) {
				const char *e = strchr(d, ',');
				size_t at = e ? (size_t)(e - s->server) :
					    strlen(s->server);

				buf_write(&v, s->server, at);
				buf_printf(&v, ";d-ver=\"%s\"", dver);
				buf_puts(&v, s->server + at);
				buf_reset(&b);
				buf_putpl(&b, &(struct pl){v.data, v.len});
			}
			buf_free(&v);
			explicit_bzero(dver, sizeof(dver));
		}
		err = b.err;
		if (!err)
			err = sip_msg_hdr_add(req, SIP_HDR_SECURITY_VERIFY,
					      b.data);
		buf_free(&b);
		s->verifying = true;
	}
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_REQUIRE, "sec-agree");
	if (!err)
		err = sip_msg_hdr_add(req, SIP_HDR_PROXY_REQUIRE, "sec-agree");
	return err;
}

int secagree_on_494(struct secagree *s, struct sip_msg *resp,
		    const char **why)
{
	const struct sip_secmechs *l;
	enum secagree_mech best = SECAGREE_NONE;
	int bestq = -2;
	bool tie = false;
	struct buf b;
	int err;

	*why = "";
	if (!s || !resp)
		return EINVAL;
	if (s->verifying) {
		*why = _("the server refused our Security-Verify: the "
			 "Security-Server list was altered on the way (a "
			 "bid-down attack); the request was not sent again");
		return EACCES;
	}
	if (sip_msg_secmechs(resp, SIP_HDR_SECURITY_SERVER, &l) || !l->n) {
		*why = _("the server asked for a security agreement (494) "
			 "but named no mechanism");
		return EPROTO;
	}
	for (size_t i = 0; i < l->n; i++) {
		enum secagree_mech m;

		if (pl_caseeq_str(&l->v[i].mech, "tls"))
			m = SECAGREE_TLS;
		else if (pl_caseeq_str(&l->v[i].mech, "digest"))
			m = SECAGREE_DIGEST;
		else
			continue;
		if (l->v[i].q == bestq)
			tie = true;
		if (l->v[i].q > bestq) {
			bestq = l->v[i].q;
			best = m;
			tie = false;
		}
	}
	if (best == SECAGREE_NONE || tie) {
		*why = best == SECAGREE_NONE ?
		       _("the server offers no security mechanism siptty "
			 "supports (tls or digest)") :
		       _("the server's Security-Server list gives two "
			 "mechanisms the same preference");
		return EPROTO;
	}
	buf_init(&b, SIP_HDR_LEN_MAX);
	err = server_list(&b, resp);
	if (!err) {
		free(s->server);
		s->server = strdup(b.data);
		if (!s->server)
			err = ENOMEM;
	}
	buf_free(&b);
	if (err)
		return err;
	s->mech = best;
	log_info("secagree", "agreed on %s",
		 best == SECAGREE_TLS ? "tls" : "digest");
	return 0;
}

int secagree_check(struct secagree *s, struct sip_msg *resp,
		   const char **why)
{
	struct buf b;
	int err = 0;

	*why = "";
	if (!s || !resp || !s->server ||
	    !sip_msg_hdr_num(resp, SIP_HDR_SECURITY_SERVER))
		return 0;
	buf_init(&b, SIP_HDR_LEN_MAX);
	if (server_list(&b, resp) || strcmp(b.data ? b.data : "", s->server)) {
		*why = _("the Security-Server list changed after the "
			 "agreement (a bid-down attack); registration "
			 "refused");
		err = EACCES;
	}
	buf_free(&b);
	return err;
}
