/* log.h - the diagnostic log: a file, never the terminal. */
#ifndef SIPTTY_LOG_H
#define SIPTTY_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_DEBUG = 0,
	LOG_INFO,
	LOG_WARN,
	LOG_ERROR,
};

/* Receives each formatted line too (the UI's log pane). */
typedef void (log_h)(enum log_level level, const char *line, void *arg);

int log_open(const char *path);
void log_close(void);
void log_set_level(enum log_level level);
void log_set_handler(log_h *h, void *arg);
const char *log_level_name(enum log_level level);
void log_msg(enum log_level level, const char *subsys, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(sub, ...) log_msg(LOG_DEBUG, sub, __VA_ARGS__)
#define log_info(sub, ...)  log_msg(LOG_INFO, sub, __VA_ARGS__)
#define log_warn(sub, ...)  log_msg(LOG_WARN, sub, __VA_ARGS__)
#define log_error(sub, ...) log_msg(LOG_ERROR, sub, __VA_ARGS__)

#endif
