/* script.h - keystroke scripts (siptty-script(5)): parse whole, then run on the loop. */
#ifndef SIPTTY_UI_SCRIPT_H
#define SIPTTY_UI_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

struct loop;
struct script;
struct ui;

#define SCRIPT_MAX_BYTES (1024 * 1024)
#define SCRIPT_MAX_LINE 4096
#define SCRIPT_MAX_STEPS 10000
#define SCRIPT_TIMEOUT_MS 5000u          /* wait and expect, by default */
#define SCRIPT_MAX_SECONDS 3600u

enum script_op {
	SCRIPT_KEY = 0,
	SCRIPT_TYPE,
	SCRIPT_SLEEP,
	SCRIPT_WAIT,
	SCRIPT_EXPECT,
	SCRIPT_DUMP,
	SCRIPT_QUIT,
};

/*
 * The whole file is read and checked before anything runs.  Every
 * problem is one "FILE:LINE: sentence\n" in err; EBADMSG when there was
 * any, ENOENT/EACCES/E2BIG/... when the file itself cannot be used.
 */
int script_load(struct script **sp, const char *path, struct buf *err);
int script_parse(struct script **sp, const char *name, const char *text,
		 struct buf *err);
void script_free(struct script *s);

/* Introspection for tests: the number of steps and step i's parts. */
size_t script_nsteps(const struct script *s);
enum script_op script_step_op(const struct script *s, size_t i);
unsigned script_step_line(const struct script *s, size_t i);
uint64_t script_step_ms(const struct script *s, size_t i);
size_t script_step_keys(const struct script *s, size_t i, const int **keys);

/* status: 0 when every wait and expect held, 1 otherwise. */
typedef void (script_done_h)(int status, void *arg);

/* Runs the steps from timers on loop, feeding keys to ui. */
int script_start(struct script *s, struct loop *loop, struct ui *ui,
		 script_done_h *h, void *arg);
/*
 * siptty is stopping (q pressed, a signal): a wait or expect that never
 * ran is a failure.  Returns the final status.
 */
int script_finish(struct script *s);
/* What went wrong, for stderr after the terminal is restored; "" if none. */
const char *script_failure(const struct script *s);

#endif
