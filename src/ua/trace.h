/* trace.h - the SIP trace: every message sent and received, with secrets masked. */
#ifndef SIPTTY_UA_TRACE_H
#define SIPTTY_UA_TRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

/* The mask that replaces a secret value. */
#define TRACE_MASK "***"

/* One traced message, already masked: dir is "send" or "recv", peer
 * "TLS 192.0.2.1:5061", text the message (several lines). */
typedef void (trace_h)(bool tx, const char *peer, const char *text,
		       void *arg);

/* The UI's trace pane; NULL stops it.  The log gets every message at
 * debug level either way. */
void trace_set_handler(trace_h *h, void *arg);

/*
 * Copies a message into out with every password-derived or replayable
 * value masked: in Authorization, Proxy-Authorization, WWW-Authenticate,
 * Proxy-Authenticate and Authentication-Info the response, rspauth,
 * nonce, nextnonce and cnonce values; in Security-Client, -Server and
 * -Verify d-ver; in an SDP body the a=crypto key material.  The rest is
 * copied as it is.
 */
int trace_mask(struct buf *out, const char *p, size_t len);

/* Masks and reports one message (to the log and the handler). */
void trace_msg(bool tx, const char *peer, const char *p, size_t len);

#endif
