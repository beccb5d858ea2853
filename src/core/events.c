/* events.c - event log writer and in-process subscribers. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/events.h"
#include "core/log.h"
#include "core/loop.h"

#define EVENTS_MAX_SUBS 8

struct sub {
	events_h *h;
	void *arg;
};

static FILE *ev_fp;
static struct sub subs[EVENTS_MAX_SUBS];

int events_open(const char *path)
{
	FILE *fp;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	fp = fdopen(fd, "w");
	if (!fp) {
		int err = errno;

		close(fd);
		return err;
	}
	/* Readers tail the file while we run: every line goes out whole. */
	setvbuf(fp, NULL, _IOLBF, 0);
	if (ev_fp)
		fclose(ev_fp);
	ev_fp = fp;
	return 0;
}

void events_close(void)
{
	if (ev_fp)
		fclose(ev_fp);
	ev_fp = NULL;
}

int events_subscribe(events_h *h, void *arg)
{
	for (size_t i = 0; i < EVENTS_MAX_SUBS; i++) {
		if (!subs[i].h) {
			subs[i] = (struct sub){h, arg};
			return 0;
		}
	}
	return ENOSPC;
}

void events_unsubscribe(events_h *h, void *arg)
{
	for (size_t i = 0; i < EVENTS_MAX_SUBS; i++)
		if (subs[i].h == h && subs[i].arg == arg)
			subs[i] = (struct sub){NULL, NULL};
}

static json_t *timestamp(void)
{
	struct timespec ts;
	char stamp[40];
	struct tm tm;
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%03ldZ",
		 ts.tv_nsec / 1000000);
	return json_string(stamp);
}

int events_emit(const char *type, json_t *fields)
{
	json_t *ev;
	char *line;
	int err = 0;

	ev = json_object();
	if (!ev) {
		json_decref(fields);
		return ENOMEM;
	}
	(void)json_object_set_new(ev, "ts", timestamp());
	(void)json_object_set_new(ev, "mono_ms",
				  json_integer((json_int_t)loop_now_ms()));
	(void)json_object_set_new(ev, "type", json_string(type));
	if (fields && json_is_object(fields))
		(void)json_object_update_missing(ev, fields);
	json_decref(fields);

	if (ev_fp) {
		line = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (line) {
			if (fprintf(ev_fp, "%s\n", line) < 0)
				err = EIO;
			free(line);
		} else {
			err = ENOMEM;
		}
		if (err)
			log_error("events", "cannot write the event log: %s",
				  err == EIO ? "I/O error" : "out of memory");
	}
	for (size_t i = 0; i < EVENTS_MAX_SUBS; i++)
		if (subs[i].h)
			subs[i].h(ev, subs[i].arg);
	json_decref(ev);
	return err;
}
