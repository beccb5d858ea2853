/* loop.c - poll() loop with a sorted timer list and a wake-up pipe. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/loop.h"

#define LOOP_MAX_FDS 1024

struct loop_fd {
	loop_fd_h *h;
	void *arg;
	bool dead;
};

struct post {
	struct post *next;
	loop_call_h *h;
	void *arg;
};

struct loop {
	struct pollfd *pfd;
	struct loop_fd *fds;
	size_t nfd, capfd;
	struct tmr timers;     /* sentinel of a list sorted by due */
	int wake[2];
	pthread_mutex_t post_lock;
	struct post *post_head, **post_tail;
	loop_call_h *idle_h;
	void *idle_arg;
	bool running;
	int status;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void wake_read(int fd, short revents, void *arg)
{
	struct loop *loop = arg;
	struct post *p, *next;
	char drain[64];

	(void)revents;
	while (read(fd, drain, sizeof(drain)) > 0)
		;
	pthread_mutex_lock(&loop->post_lock);
	p = loop->post_head;
	loop->post_head = NULL;
	loop->post_tail = &loop->post_head;
	pthread_mutex_unlock(&loop->post_lock);
	for (; p; p = next) {
		next = p->next;
		p->h(p->arg);
		free(p);
	}
}

int loop_alloc(struct loop **lp)
{
	struct loop *loop;
	int err;

	loop = calloc(1, sizeof(*loop));
	if (!loop)
		return ENOMEM;
	loop->timers.next = loop->timers.prev = &loop->timers;
	loop->wake[0] = loop->wake[1] = -1;
	loop->post_tail = &loop->post_head;
	pthread_mutex_init(&loop->post_lock, NULL);

	if (pipe2(loop->wake, O_NONBLOCK | O_CLOEXEC) < 0) {
		err = errno;
		goto out;
	}
	err = loop_fd_add(loop, loop->wake[0], POLLIN, wake_read, loop);
 out:
	if (err)
		loop_free(loop);
	else
		*lp = loop;
	return err;
}

void loop_free(struct loop *loop)
{
	struct post *p, *next;

	if (!loop)
		return;
	while (loop->timers.next != &loop->timers)
		tmr_cancel(loop->timers.next);
	for (p = loop->post_head; p; p = next) {
		next = p->next;
		free(p);
	}
	if (loop->wake[0] >= 0)
		close(loop->wake[0]);
	if (loop->wake[1] >= 0)
		close(loop->wake[1]);
	pthread_mutex_destroy(&loop->post_lock);
	free(loop->pfd);
	free(loop->fds);
	free(loop);
}

static ssize_t fd_index(const struct loop *loop, int fd)
{
	for (size_t i = 0; i < loop->nfd; i++)
		if (loop->pfd[i].fd == fd && !loop->fds[i].dead)
			return (ssize_t)i;
	return -1;
}

int loop_fd_add(struct loop *loop, int fd, short events, loop_fd_h *h,
		void *arg)
{
	if (fd < 0 || !h)
		return EINVAL;
	if (fd_index(loop, fd) >= 0)
		return EALREADY;
	if (loop->nfd == loop->capfd) {
		size_t cap = loop->capfd ? loop->capfd * 2 : 16;
		struct pollfd *pfd;
		struct loop_fd *fds;

		if (cap > LOOP_MAX_FDS)
			return EMFILE;
		pfd = realloc(loop->pfd, cap * sizeof(*pfd));
		if (!pfd)
			return ENOMEM;
		loop->pfd = pfd;
		fds = realloc(loop->fds, cap * sizeof(*fds));
		if (!fds)
			return ENOMEM;
		loop->fds = fds;
		loop->capfd = cap;
	}
	loop->pfd[loop->nfd] = (struct pollfd){.fd = fd, .events = events};
	loop->fds[loop->nfd] = (struct loop_fd){.h = h, .arg = arg};
	loop->nfd++;
	return 0;
}

int loop_fd_events(struct loop *loop, int fd, short events)
{
	ssize_t i = fd_index(loop, fd);

	if (i < 0)
		return ENOENT;
	loop->pfd[i].events = events;
	return 0;
}

/* Removal during dispatch only marks the slot; the pass compacts later. */
void loop_fd_del(struct loop *loop, int fd)
{
	ssize_t i = fd_index(loop, fd);

	if (i < 0)
		return;
	loop->fds[i].dead = true;
	loop->pfd[i].events = 0;
	loop->pfd[i].fd = -1;
}

static void fd_compact(struct loop *loop)
{
	size_t j = 0;

	for (size_t i = 0; i < loop->nfd; i++) {
		if (loop->fds[i].dead)
			continue;
		loop->pfd[j] = loop->pfd[i];
		loop->fds[j] = loop->fds[i];
		j++;
	}
	loop->nfd = j;
}

void tmr_init(struct tmr *t)
{
	memset(t, 0, sizeof(*t));
}

bool tmr_running(const struct tmr *t)
{
	return t && t->loop != NULL;
}

uint64_t tmr_left(const struct tmr *t)
{
	uint64_t now;

	if (!tmr_running(t))
		return 0;
	now = loop_now_ms();
	return t->due > now ? t->due - now : 0;
}

void tmr_cancel(struct tmr *t)
{
	if (!t || !t->loop)
		return;
	t->prev->next = t->next;
	t->next->prev = t->prev;
	t->prev = t->next = NULL;
	t->loop = NULL;
}

void tmr_start(struct loop *loop, struct tmr *t, uint64_t delay_ms,
	       loop_tmr_h *h, void *arg)
{
	struct tmr *pos;

	tmr_cancel(t);
	t->due = loop_now_ms() + delay_ms;
	t->h = h;
	t->arg = arg;
	t->loop = loop;
	/* Equal due times keep start order: insert after the last <= due. */
	pos = loop->timers.prev;
	while (pos != &loop->timers && pos->due > t->due)
		pos = pos->prev;
	t->prev = pos;
	t->next = pos->next;
	pos->next->prev = t;
	pos->next = t;
}

int loop_post(struct loop *loop, loop_call_h *h, void *arg)
{
	struct post *p;
	ssize_t n;

	p = malloc(sizeof(*p));
	if (!p)
		return ENOMEM;
	p->next = NULL;
	p->h = h;
	p->arg = arg;
	pthread_mutex_lock(&loop->post_lock);
	*loop->post_tail = p;
	loop->post_tail = &p->next;
	pthread_mutex_unlock(&loop->post_lock);
	/* A full pipe already guarantees a wake-up: EAGAIN is fine. */
	n = write(loop->wake[1], "", 1);
	(void)n;
	return 0;
}

void loop_set_idle(struct loop *loop, loop_call_h *h, void *arg)
{
	loop->idle_h = h;
	loop->idle_arg = arg;
}

static void timers_run(struct loop *loop)
{
	uint64_t now = loop_now_ms();
	unsigned budget = 10000;  /* a timer re-arming at 0 ms cannot spin us */

	while (loop->timers.next != &loop->timers && budget--) {
		struct tmr *t = loop->timers.next;

		if (t->due > now)
			break;
		tmr_cancel(t);
		t->h(t->arg);
	}
}

int loop_once(struct loop *loop, int max_wait_ms)
{
	int timeout = max_wait_ms;
	size_t n;
	int r;

	if (loop->timers.next != &loop->timers) {
		uint64_t now = loop_now_ms(), due = loop->timers.next->due;
		int until = due > now ? (int)(due - now > 86400000u ?
					      86400000u : due - now) : 0;

		if (timeout < 0 || until < timeout)
			timeout = until;
	}
	r = poll(loop->pfd, loop->nfd, timeout);
	if (r < 0 && errno != EINTR)
		return errno;
	/* Handlers may add fds: only the ones present before the pass run. */
	n = loop->nfd;
	for (size_t i = 0; r > 0 && i < n; i++) {
		short rev = loop->pfd[i].revents;

		if (!rev || loop->fds[i].dead)
			continue;
		loop->pfd[i].revents = 0;
		loop->fds[i].h(loop->pfd[i].fd, rev, loop->fds[i].arg);
	}
	fd_compact(loop);
	timers_run(loop);
	if (loop->idle_h)
		loop->idle_h(loop->idle_arg);
	return 0;
}

int loop_run(struct loop *loop)
{
	int err;

	loop->running = true;
	loop->status = 0;
	while (loop->running) {
		err = loop_once(loop, -1);
		if (err)
			return err;
	}
	return loop->status;
}

void loop_stop(struct loop *loop, int status)
{
	loop->status = status;
	loop->running = false;
}
