/* render.h - draws the model into the cell grid; the only place that lays out. */
#ifndef SIPTTY_UI_RENDER_H
#define SIPTTY_UI_RENDER_H

#include <time.h>

struct grid;
struct keymap;
struct model;

/* now is the time the status bar shows (a parameter, so tests pin it). */
void render(const struct model *m, const struct keymap *km, struct grid *g,
	    time_t now);

#endif
