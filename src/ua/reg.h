/* reg.h - registration of one account (RFC 3261 10, RFC 3327 Path, RFC 3608 Service-Route). */
#ifndef SIPTTY_UA_REG_H
#define SIPTTY_UA_REG_H

#include <stdbool.h>
#include <stdint.h>

struct account;
struct stack;
struct reg;

enum reg_state {
	REG_UNREGISTERED = 0,
	REG_REGISTERING,
	REG_REGISTERED,
	REG_FAILED,
};

/* Bounds: network failures are retried with a growing delay, at most
 * this many times in a row; refused credentials never are. */
#define REG_RETRY_MAX 5
#define REG_RETRY_MIN_S 5
#define REG_ROUNDS_MAX 4       /* challenges answered per REGISTER */

typedef void (reg_done_h)(struct reg *r, void *arg);

/* acc must outlive the reg.  Every state change is a `reg` event:
 * {"type":"reg","account":NAME,"state":"registering|registered|failed|
 * unregistered","code":N,"reason":"...","transport":"TLS","verified":B} */
int reg_alloc(struct reg **rp, struct stack *st, struct account *acc);
void reg_free(struct reg *r);

/* Starts registering (and keeps the binding fresh). */
int reg_start(struct reg *r);
/* Removes the binding (Expires: 0); h runs when that is over, at once
 * when there was nothing to remove.  0, or EALREADY when h ran already. */
int reg_stop(struct reg *r, reg_done_h *h, void *arg);

enum reg_state reg_state(const struct reg *r);
const char *reg_state_name(enum reg_state s);

#endif
