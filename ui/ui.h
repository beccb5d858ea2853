/* ui.h - the user interface: model, command table, terminal or headless screen. */
#ifndef SIPTTY_UI_H
#define SIPTTY_UI_H

#include <stdbool.h>

#include "core/buf.h"

struct conf;
struct loop;
struct ui;

typedef void (ui_redraw_h)(void *arg);
typedef void (ui_quit_h)(void *arg);

struct ui_params {
	bool headless;             /* render to text only, never touch the tty */
	const struct conf *conf;   /* accounts, [keys], [ui]; may be NULL */
	const char *headline;      /* first-start or summary text */
	const char *hint;          /* what to do next */
};

#define UI_HEADLESS_W 80
#define UI_HEADLESS_H 24

/* ENOTTY when a terminal is wanted and stdin or stdout is not one. */
int ui_alloc(struct ui **up, struct loop *loop, const struct ui_params *p);
void ui_free(struct ui *ui);

/* Every key, from the terminal or a script, enters here. */
void ui_key(struct ui *ui, int key);
/* A ':' command line, as if typed at the prompt. */
int ui_command(struct ui *ui, const char *line);
/* Appends a line to the log pane. */
void ui_log(struct ui *ui, const char *line);
/* Called after each redraw (a script's expect re-checks there). */
void ui_set_redraw_handler(struct ui *ui, ui_redraw_h *h, void *arg);
/* The quit command calls h instead of stopping the loop itself. */
void ui_set_quit_handler(struct ui *ui, ui_quit_h *h, void *arg);
bool ui_is_terminal(const struct ui *ui);

/* The screen as text, rows ending in '\n', as the next redraw shows it. */
int ui_screen(struct ui *ui, struct buf *out);
int ui_dump(struct ui *ui, const char *path);

/* Checks the [keys] section: one "LINE: ..." per problem in errs. */
int ui_check_keys(const struct conf *conf, struct buf *errs);

/* The calls the screen lists and the call keys act on (NULL: none). */
struct call_mgr;
void ui_set_call_mgr(struct ui *ui, struct call_mgr *cm);

#endif
