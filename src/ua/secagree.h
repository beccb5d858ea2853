/* secagree.h - RFC 3329 security agreement, client side (SPECS.md 4). */
#ifndef SIPTTY_UA_SECAGREE_H
#define SIPTTY_UA_SECAGREE_H

struct auth;
struct secagree;
struct sip_msg;

enum secagree_mech {
	SECAGREE_NONE = 0,   /* nothing agreed yet */
	SECAGREE_DIGEST,
	SECAGREE_TLS,        /* treat sip: as sips: from now on */
};

/* Off for a first hop that RFC 3263 already made TLS (SPECS 4, 1.): the
 * caller does not allocate one then. */
int secagree_alloc(struct secagree **sp);
void secagree_free(struct secagree *s);

/*
 * Adds Security-Client (tls and digest) before an agreement, or
 * Security-Verify mirroring the server's list after it (with d-ver from
 * a's credentials, already added to req, for digest), and Require and
 * Proxy-Require: sec-agree either way.
 */
int secagree_decorate(struct secagree *s, struct sip_msg *req,
		      struct auth *a);

/*
 * A 494: picks the server's highest-q mechanism we know.  0: send again
 * (for digest, feed the 494's challenge to auth first); EPROTO when no
 * mechanism fits or q values tie; EACCES when a 494 answers our
 * Security-Verify (the server saw another list than we did: a bid-down).
 * *why: a translated sentence for the user.
 */
int secagree_on_494(struct secagree *s, struct sip_msg *resp,
		    const char **why);

/* Any other response: EACCES when it carries a Security-Server list that
 * differs from the one agreed on (altered in transit), 0 otherwise. */
int secagree_check(struct secagree *s, struct sip_msg *resp,
		   const char **why);

enum secagree_mech secagree_mech(const struct secagree *s);

#endif
