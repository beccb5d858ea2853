/* ui_priv.h - the body of struct ui, shared by the files of ui/ only. */
#ifndef SIPTTY_UI_PRIV_H
#define SIPTTY_UI_PRIV_H

#include <stdbool.h>
#include <time.h>

#include "core/loop.h"
#include "ui/cmd.h"
#include "ui/model.h"
#include "ui/ui.h"

struct contacts;
struct grid;
struct history;
struct tui;

/* The calls seen, so each reaches the history once. */
#define UI_TRACK_MAX 32

struct ui_track {
	unsigned id;
	time_t seen;            /* wall clock when first listed */
	bool stored;
	bool used;
};

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
	bool from_key;          /* the command runs for a key press */
	struct contacts *contacts;
	struct history *history;
	char contacts_path[4096];
	char history_path[4096];
	bool contacts_ro, history_ro;   /* a file we must not overwrite */
	struct ui_track track[UI_TRACK_MAX];
};

/* {"type":"ui","view":VIEW,"open":OPEN} for scripts to wait on. */
void ui_view_event(const char *view, bool open);

#endif
