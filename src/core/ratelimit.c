/* ratelimit.c - a token bucket per log call site, so a flooding peer cannot flood the log. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>

#include "core/loop.h"
#include "core/ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ms,
		     uint64_t *suppressedp)
{
	uint64_t cap, elapsed;

	if (suppressedp)
		*suppressedp = 0;
	if (!rl || !rl->burst || !rl->period_ms)
		return true;
	cap = (uint64_t)rl->burst * rl->period_ms;
	if (!rl->started) {
		rl->started = true;
		rl->credit = cap;
		rl->last_ms = now_ms;
	}
	/* A clock that went back refills nothing; one far ahead fills the
	 * bucket and no more (no overflow: capped before multiplying). */
	if (now_ms > rl->last_ms) {
		elapsed = now_ms - rl->last_ms;
		if (elapsed >= rl->period_ms)
			rl->credit = cap;
		else if (rl->credit + elapsed * rl->burst > cap)
			rl->credit = cap;
		else
			rl->credit += elapsed * rl->burst;
		rl->last_ms = now_ms;
	}
	if (rl->credit < rl->period_ms) {
		rl->suppressed++;
		return false;
	}
	rl->credit -= rl->period_ms;
	if (suppressedp)
		*suppressedp = rl->suppressed;
	rl->suppressed = 0;
	return true;
}

void log_limited(struct ratelimit *rl, enum log_level level,
		 const char *subsys, const char *fmt, ...)
{
	char line[900];
	uint64_t n;
	va_list ap;

	if (!ratelimit_allow(rl, loop_now_ms(), &n))
		return;
	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n)
		log_msg(level, subsys, "%s (%llu similar messages suppressed)",
			line, (unsigned long long)n);
	else
		log_msg(level, subsys, "%s", line);
}
