/* tui.h - the curses terminal: reads keys, draws the grid, follows resizes. */
#ifndef SIPTTY_TUI_H
#define SIPTTY_TUI_H

#include <stdbool.h>

struct grid;
struct loop;
struct tui;

typedef void (tui_key_h)(int key, void *arg);
typedef void (tui_resize_h)(int w, int h, void *arg);

/*
 * Takes over the terminal.  ENOTTY when stdin or stdout is not a terminal.
 * Colour is used when color is true, the terminal has colours and NO_COLOR
 * is unset or empty (https://no-color.org).
 */
int tui_alloc(struct tui **tp, struct loop *loop, bool color,
	      tui_key_h *kh, tui_resize_h *rh, void *arg);
void tui_free(struct tui *t);
void tui_size(const struct tui *t, int *w, int *h);
void tui_draw(struct tui *t, const struct grid *g);

#endif
