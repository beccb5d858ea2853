/* scrub.h - the privacy choke point: every outgoing SIP message is serialised here. */
#ifndef SIPTTY_UA_SCRUB_H
#define SIPTTY_UA_SCRUB_H

#include <stdint.h>

#include "core/buf.h"

struct sip_msg;

/*
 * The privacy level the scrubber applies (RFC 3323, RFC 3325).  Issue 5
 * fills it in; for now every message passes through unchanged, but it
 * passes: nothing in src/ua prints an outgoing message any other way.
 */
struct scrub_policy {
	const char *privacy;     /* the account's `privacy` setting, or NULL */
};

/*
 * Applies the policy to msg and prints the result into out: the last step
 * before a request or a response reaches the transport.  0 or an errno
 * value (then nothing may be sent).
 */
int scrub_print(struct buf *out, const struct sip_msg *msg,
		const struct scrub_policy *policy);

/* Messages that went through scrub_print() so far (tests prove the
 * choke point with it). */
uint64_t scrub_count(void);

#endif
