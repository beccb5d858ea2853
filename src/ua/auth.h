/* auth.h - the digest client: answers 401 and 407 for any request (RFC 3261 22, RFC 7616, RFC 8760). */
#ifndef SIPTTY_UA_AUTH_H
#define SIPTTY_UA_AUTH_H

#include <stddef.h>

#include "core/pl.h"

struct sip_msg;
struct auth;

#define AUTH_MAX_REALMS 8
/* stale=true retries in a row before the answer counts as a refusal. */
#define AUTH_MAX_STALE 3

/* One account's credentials; password is copied and wiped on free. */
int auth_alloc(struct auth **ap, const char *user, const char *password);
void auth_free(struct auth *a);

/*
 * A 401 or 407 came for a request that carried auth_authorize()'s
 * headers.  Picks, per realm, the strongest usable Digest challenge (the
 * topmost among equals) and caches it.  0: send the request again
 * (a new CSeq) with auth_authorize(); EACCES: the server refused the
 * credentials it challenged for (not stale), so trying again would only
 * repeat the refusal; ENOTSUP: no challenge we can answer (unknown
 * algorithm or qop, no Digest); EBADMSG: no challenge at all.  *why
 * (may be NULL) gets a static English phrase for the log.
 */
int auth_challenge(struct auth *a, struct sip_msg *resp, const char **why);

/* Adds Authorization / Proxy-Authorization for every cached realm: a new
 * nc and cnonce each time.  0 when there is nothing cached. */
int auth_authorize(struct auth *a, struct sip_msg *req);

/* The request succeeded: the credentials sent are good (a later
 * challenge for them is a new one, not a refusal). */
void auth_accepted(struct auth *a);

/*
 * Checks rspauth in the response's Authentication-Info against the
 * credentials last sent: 0 when right or absent (*present tells which;
 * may be NULL), EACCES when it is wrong.  A nextnonce is taken for the
 * next request.
 */
int auth_verify_info(struct auth *a, struct sip_msg *resp, int *present);

/* RFC 3329 d-ver for the credentials auth_authorize() just added to req
 * (the first realm), over the Security-Server list sec_server.  ENOENT
 * when nothing was sent. */
int auth_dver(struct auth *a, struct sip_msg *req,
	      const struct pl *sec_server, char *hex, size_t sz);

/* Realms cached (tests). */
size_t auth_nrealms(const struct auth *a);
/* The algorithm chosen for realm i, by name (tests, log). */
const char *auth_realm_alg(const struct auth *a, size_t i);

#endif
