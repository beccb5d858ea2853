/* log.c - timestamped lines to a log file and an optional UI handler. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"

/* Audio and media threads log too: one lock keeps lines whole. */
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;
static enum log_level log_min = LOG_INFO;
static log_h *log_handler;
static void *log_handler_arg;

int log_open(const char *path)
{
	FILE *fp;
	int fd;

	/* The log may hold peers' addresses: keep it private to the user. */
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	fp = fdopen(fd, "a");
	if (!fp) {
		int err = errno;

		close(fd);
		return err;
	}
	setvbuf(fp, NULL, _IOLBF, 0);
	pthread_mutex_lock(&log_lock);
	if (log_fp)
		fclose(log_fp);
	log_fp = fp;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fp)
		fclose(log_fp);
	log_fp = NULL;
	pthread_mutex_unlock(&log_lock);
}

void log_set_level(enum log_level level)
{
	log_min = level;
}

void log_set_handler(log_h *h, void *arg)
{
	pthread_mutex_lock(&log_lock);
	log_handler = h;
	log_handler_arg = arg;
	pthread_mutex_unlock(&log_lock);
}

const char *log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_DEBUG: return "debug";
	case LOG_INFO:  return "info";
	case LOG_WARN:  return "warn";
	case LOG_ERROR: return "error";
	}
	return "?";
}

void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
{
	char line[1024], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n;

	if (level < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

	n = snprintf(line, sizeof(line), "%s.%03ldZ %-5s %s: ", stamp,
		     ts.tv_nsec / 1000000, log_level_name(level),
		     subsys ? subsys : "-");
	if (n < 0)
		return;
	va_start(ap, fmt);
	if ((size_t)n < sizeof(line))
		(void)vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One entry is one line: control characters from the network would
	 * forge entries or drive a terminal that cats the file. */
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = ' ';

	pthread_mutex_lock(&log_lock);
	if (log_fp)
		fprintf(log_fp, "%s\n", line);
	if (log_handler)
		log_handler(level, line, log_handler_arg);
	pthread_mutex_unlock(&log_lock);
}
