/* loop.h - the one poll() loop: fds, monotonic timers, cross-thread posts. */
#ifndef SIPTTY_LOOP_H
#define SIPTTY_LOOP_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

struct loop;

typedef void (loop_fd_h)(int fd, short revents, void *arg);
typedef void (loop_tmr_h)(void *arg);
typedef void (loop_call_h)(void *arg);

/*
 * A timer lives in its owner's struct (no allocation); it is on the loop's
 * list while it runs.  tmr_cancel() on a stopped timer is a no-op, so
 * owners cancel in their destructors unconditionally.
 */
struct tmr {
	struct tmr *prev, *next;
	struct loop *loop;
	uint64_t due;          /* monotonic ms */
	loop_tmr_h *h;
	void *arg;
};

uint64_t loop_now_ms(void);

int loop_alloc(struct loop **lp);
void loop_free(struct loop *loop);

int loop_fd_add(struct loop *loop, int fd, short events, loop_fd_h *h,
		void *arg);
int loop_fd_events(struct loop *loop, int fd, short events);
void loop_fd_del(struct loop *loop, int fd);

void tmr_init(struct tmr *t);
void tmr_start(struct loop *loop, struct tmr *t, uint64_t delay_ms,
	       loop_tmr_h *h, void *arg);
void tmr_cancel(struct tmr *t);
bool tmr_running(const struct tmr *t);
uint64_t tmr_left(const struct tmr *t);

/* Thread-safe: runs h(arg) on the loop thread at its next pass. */
int loop_post(struct loop *loop, loop_call_h *h, void *arg);

/* Called once after every pass (the UI redraws there). */
void loop_set_idle(struct loop *loop, loop_call_h *h, void *arg);

/* One pass: waits at most max_wait_ms (-1: until something happens). */
int loop_once(struct loop *loop, int max_wait_ms);
/* Runs until loop_stop(); returns the status given to it. */
int loop_run(struct loop *loop);
void loop_stop(struct loop *loop, int status);

#endif
