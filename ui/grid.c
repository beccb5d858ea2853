/* grid.c - a cell grid with UTF-8 input, wide characters and clipping. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ui/grid.h"
#include "ui/utf8.h"

int grid_alloc(struct grid **gp, int w, int h)
{
	struct grid *g;
	int err;

	g = calloc(1, sizeof(*g));
	if (!g)
		return ENOMEM;
	err = grid_resize(g, w, h);
	if (err) {
		free(g);
		return err;
	}
	*gp = g;
	return 0;
}

void grid_free(struct grid *g)
{
	if (!g)
		return;
	free(g->cells);
	free(g);
}

int grid_resize(struct grid *g, int w, int h)
{
	struct grid_cell *c;

	/* A tiny terminal still gets a grid; the renderer clips to it. */
	if (w < 1 || h < 1 || w > GRID_MAX_W || h > GRID_MAX_H)
		return EINVAL;
	c = calloc((size_t)w * (size_t)h, sizeof(*c));
	if (!c)
		return ENOMEM;
	free(g->cells);
	g->cells = c;
	g->w = w;
	g->h = h;
	grid_clear(g);
	return 0;
}

void grid_clear(struct grid *g)
{
	for (int i = 0; i < g->w * g->h; i++)
		g->cells[i] = (struct grid_cell){' ', GRID_NORMAL};
	g->cur_row = g->cur_col = -1;
}

static void cell_set(struct grid *g, int row, int col, int ch,
		     enum grid_attr attr)
{
	struct grid_cell *c = &g->cells[row * g->w + col];

	/* Overwriting half of a wide character blanks the other half. */
	if (c->ch == GRID_CONT && col > 0)
		g->cells[row * g->w + col - 1].ch = ' ';
	if (c->ch != GRID_CONT && col + 1 < g->w &&
	    g->cells[row * g->w + col + 1].ch == GRID_CONT)
		g->cells[row * g->w + col + 1].ch = ' ';
	c->ch = ch;
	c->attr = (uint8_t)attr;
}

void grid_fill(struct grid *g, int row, int col, int n, int ch,
	       enum grid_attr attr)
{
	if (row < 0 || row >= g->h || col < 0)
		return;
	for (int i = 0; i < n && col + i < g->w; i++)
		cell_set(g, row, col + i, ch, attr);
}

static int char_width(int *cp)
{
	int w = utf8_width(*cp);

	if (w < 0) {
		/* Never let a peer's text move the cursor or change modes. */
		*cp = 0xfffd;
		w = 1;
	}
	return w;
}

int grid_put(struct grid *g, int row, int col, int maxw, const char *s,
	     enum grid_attr attr)
{
	size_t len, off = 0;
	int used = 0;

	if (!s || row < 0 || row >= g->h || col < 0 || col >= g->w)
		return 0;
	if (maxw < 0 || maxw > g->w - col)
		maxw = g->w - col;
	len = strlen(s);
	while (off < len) {
		int cp, w;

		off += utf8_decode(s + off, len - off, &cp);
		w = char_width(&cp);
		if (w == 0)
			continue;  /* combining marks are not kept, see below */
		if (used + w > maxw)
			break;
		cell_set(g, row, col + used, cp, attr);
		if (w == 2)
			cell_set(g, row, col + used + 1, GRID_CONT, attr);
		used += w;
	}
	/*
	 * Zero-width characters (combining marks) are dropped: one code
	 * point per cell keeps the grid simple, and precomposed text (NFC,
	 * what SIP display names carry in practice) is unaffected.
	 */
	return used;
}

int grid_text_width(const char *s)
{
	size_t len = s ? strlen(s) : 0, off = 0;
	int used = 0;

	while (off < len) {
		int cp;

		off += utf8_decode(s + off, len - off, &cp);
		used += char_width(&cp);
	}
	return used;
}

int grid_text(const struct grid *g, struct buf *out)
{
	for (int r = 0; r < g->h; r++) {
		const struct grid_cell *row = &g->cells[r * g->w];
		int last = g->w - 1;

		while (last >= 0 && row[last].ch == ' ')
			last--;
		for (int c = 0; c <= last; c++) {
			char u[4];

			if (row[c].ch == GRID_CONT)
				continue;
			(void)buf_write(out, u, utf8_encode(row[c].ch, u));
		}
		(void)buf_putc(out, '\n');
	}
	return out->err;
}
