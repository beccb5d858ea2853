/* ping.h - OPTIONS sent to an account's server now and then, to notice when it goes away ([account] options_ping). */
#ifndef SIPTTY_UA_PING_H
#define SIPTTY_UA_PING_H

#include <stdbool.h>
#include <stdint.h>

struct account;
struct stack;
struct ping;

/*
 * Every acc->options_ping seconds (none when 0) an OPTIONS goes to the
 * account's outbound proxy, else its registrar.  Any final answer, even
 * a 401 or 405, shows the server is there; no answer (Timer F) or a
 * transport error is logged as a failure.  acc must outlive the ping.
 */
int ping_alloc(struct ping **pp, struct stack *st, const struct account *acc);
void ping_free(struct ping *p);
/* Stops pinging (exit); ping_free still needed. */
void ping_stop(struct ping *p);

/* Pings answered and pings that failed (tests). */
unsigned ping_answered(const struct ping *p);
unsigned ping_failed(const struct ping *p);

#endif
