/* ui_priv.h - the body of struct ui, shared by the files of ui/ only. */
#ifndef SIPTTY_UI_PRIV_H
#define SIPTTY_UI_PRIV_H

#include <stdbool.h>

#include "core/loop.h"
#include "ui/cmd.h"
#include "ui/model.h"
#include "ui/ui.h"

struct grid;
struct tui;

struct ui {
	struct loop *loop;
	struct model model;
	struct keymap keymap;
	struct grid *grid;
	struct tui *tui;        /* NULL when headless */
	struct tmr clock;       /* redraws when the minute in the bar changes */
	ui_redraw_h *redraw_h;
	void *redraw_arg;
	ui_quit_h *quit_h;
	void *quit_arg;
};

/* {"type":"ui","view":VIEW,"open":OPEN} for scripts to wait on. */
void ui_view_event(const char *view, bool open);

#endif
