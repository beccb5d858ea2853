/* ratelimit.h - a token bucket per log call site, so a flooding peer cannot flood the log. */
#ifndef SIPTTY_RATELIMIT_H
#define SIPTTY_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"

/*
 * Up to `burst` lines at once, refilled at `burst` per `period_ms`.  The
 * state is plain data: one static per call site, zero-initialised by
 * RATELIMIT_INIT, no allocation.
 */
struct ratelimit {
	uint32_t burst;
	uint32_t period_ms;
	bool started;
	uint64_t last_ms;     /* time of the last refill */
	uint64_t credit;      /* in token * ms units: a line costs period_ms */
	uint64_t suppressed;  /* refused since the last line let through */
};

#define RATELIMIT_INIT(burst_, period_ms_) \
	{ .burst = (burst_), .period_ms = (period_ms_) }

/* Lines per second at each receive-path call site a remote peer reaches. */
#define RATELIMIT_RX_BURST 10
#define RATELIMIT_RX_PERIOD_MS 1000

/*
 * true: the line may go out; *suppressedp (may be NULL) then holds how
 * many were refused since the previous one let through, and the count
 * starts again.  false: count it and drop it.  now_ms is monotonic
 * (loop_now_ms(); tests inject it).  A limit with burst 0 lets
 * everything through.
 */
bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ms,
		     uint64_t *suppressedp);

/*
 * log_msg() behind rl at loop_now_ms(): a line let through after others
 * were refused ends with "(N similar messages suppressed)".
 */
void log_limited(struct ratelimit *rl, enum log_level level,
		 const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
