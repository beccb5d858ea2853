/* tui.h - the terminal front end (a first screen; grows with the UI issue). */
#ifndef SIPTTY_TUI_H
#define SIPTTY_TUI_H

#include <stdbool.h>

struct loop;
struct tui;

struct tui_params {
	bool headless;          /* render as text, never touch the terminal */
	const char *headline;   /* first line under the title */
	const char *hint;       /* what to do next */
};

int tui_alloc(struct tui **tp, struct loop *loop, const struct tui_params *p);
void tui_free(struct tui *t);
/* Appends a line to the log pane. */
void tui_log(struct tui *t, const char *line);
/* The current screen as text, rows separated by '\n' (for dumps). */
int tui_dump(struct tui *t, const char *path);

#endif
