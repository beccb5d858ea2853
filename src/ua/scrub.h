/* scrub.h - the privacy choke point: every outgoing SIP message is serialised here. */
#ifndef SIPTTY_UA_SCRUB_H
#define SIPTTY_UA_SCRUB_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"

struct sip_msg;

/* The anonymous From of RFC 3323 4.1.1.3 (the tag is kept). */
#define SCRUB_ANON_NAME "\"Anonymous\""
#define SCRUB_ANON_URI "sip:anonymous@anonymous.invalid"

/*
 * What the scrubber applies to one message (RFC 3323 user-agent rules,
 * RFC 3325 id).  Strings are borrowed for the call of scrub_print();
 * scrub_bind() copies them.
 */
struct scrub_policy {
	unsigned level;                 /* PRIV_* of ua/privacy.h; 0: not set */
	/* P-Preferred-Identity value; sent only when ppi_trusted. */
	const char *preferred_identity;
	/* The first hop is an outbound proxy in trusted_hosts reached over
	 * TLS (RFC 3325 9.1: never toward anyone else). */
	bool ppi_trusted;
	/* Header names the user keeps despite header or user privacy
	 * ("User-Agent, Subject"), or NULL. */
	const char *keep_headers;
};

/*
 * Applies the policy to a copy of msg and prints the result into out:
 * the last step before a request or a response reaches the transport.
 * policy NULL: the policy bound to msg's Call-ID, else the default one,
 * else nothing is hidden.  0 or an errno value (then nothing may be
 * sent).  msg itself is never changed.
 *
 * What each level does (siptty.conf(5) says it for users):
 *  - any level: the Privacy header carries it (replacing one already
 *    there); P-Preferred-Identity leaves only when ppi_trusted.
 *  - header or user: Subject, Call-Info, Organization, User-Agent,
 *    Server, Reply-To, In-Reply-To and Warning removed (unless kept);
 *    Contact without user part or display name (not on REGISTER: the
 *    binding is what routes calls back); SDP o= user and s= become "-".
 *  - user: requests other than REGISTER get the anonymous From, no
 *    display name in To, an anonymous Referred-By.  From and To of
 *    responses echo the peer's request and stay.
 *  - critical: Proxy-Require: privacy on requests but ACK and CANCEL.
 */
int scrub_print(struct buf *out, const struct sip_msg *msg,
		const struct scrub_policy *policy);

/* Binds a policy (copied) to a Call-ID: every message of that call,
 * whoever builds it (ACK, CANCEL, retransmissions), gets it.  Rebinding
 * replaces.  E2BIG past SCRUB_BIND_MAX bindings. */
#define SCRUB_BIND_MAX 256
int scrub_bind(const char *callid, const struct scrub_policy *policy);
void scrub_unbind(const char *callid);
/* The policy for messages of no bound Call-ID (stateless answers,
 * responses outside any call); NULL: nothing hidden. */
int scrub_set_default(const struct scrub_policy *policy);
/* Drops every binding and the default (exit, tests). */
void scrub_reset(void);

/* Messages that went through scrub_print() so far (tests prove the
 * choke point with it). */
uint64_t scrub_count(void);

#endif
