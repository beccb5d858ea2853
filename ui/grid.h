/* grid.h - the screen as W x H cells: what curses draws and tests read. */
#ifndef SIPTTY_UI_GRID_H
#define SIPTTY_UI_GRID_H

#include <stdint.h>

#include "core/buf.h"

#define GRID_MIN_W 20
#define GRID_MIN_H 6
#define GRID_MAX_W 1000
#define GRID_MAX_H 500

/* What a cell means, not how it looks: the terminal maps it to colours. */
enum grid_attr {
	GRID_NORMAL = 0,
	GRID_BAR,        /* the status bar and the key hints */
	GRID_TITLE,      /* pane titles */
	GRID_ERROR,      /* a failure the user must read */
	GRID_DIM,        /* secondary text */
	GRID_OVERLAY,    /* the help overlay */
	GRID_GOOD,       /* a verified identity */
	GRID_BAD,        /* a failed identity check */
	GRID_SELECT,     /* the highlighted row of a list */
	GRID_NATTR
};

/* A wide character's second cell holds GRID_CONT. */
#define GRID_CONT (-1)

struct grid_cell {
	int ch;
	uint8_t attr;
};

struct grid {
	int w, h;
	struct grid_cell *cells;
	int cur_row, cur_col;  /* the cursor, -1 when hidden */
};

int grid_alloc(struct grid **gp, int w, int h);
void grid_free(struct grid *g);
/* Blank cells, hidden cursor; the size is kept on ENOMEM. */
int grid_resize(struct grid *g, int w, int h);
void grid_clear(struct grid *g);
void grid_fill(struct grid *g, int row, int col, int n, int ch,
	       enum grid_attr attr);
/*
 * Writes UTF-8 text from (row, col), at most maxw columns, never past the
 * right edge.  Control characters become U+FFFD, malformed bytes too; a
 * wide character that would not fit whole is left out.  Returns the
 * columns written.
 */
int grid_put(struct grid *g, int row, int col, int maxw, const char *s,
	     enum grid_attr attr);
/* Columns the text takes (same rules as grid_put, no limit). */
int grid_text_width(const char *s);
/* The screen as UTF-8 rows ending in '\n', trailing blanks trimmed. */
int grid_text(const struct grid *g, struct buf *out);

#endif
