/* tui.c - a first ncurses screen: title, status, log pane, q to quit. */
#include <config.h>

#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>

#include "core/i18n.h"
#include "core/loop.h"
#include "ui/tui.h"

#define TUI_LOG_LINES 64
#define TUI_COLS 200

struct tui {
	struct loop *loop;
	bool curses;
	bool dirty;
	char headline[TUI_COLS];
	char hint[TUI_COLS];
	char log[TUI_LOG_LINES][TUI_COLS];
	size_t nlog;        /* lines written so far; the ring holds the last */
};

static void tui_line(char *dst, const char *src)
{
	/* The screen shows text, never control sequences from a peer. */
	size_t i;

	for (i = 0; src && src[i] && i < TUI_COLS - 1; i++)
		dst[i] = (unsigned char)src[i] < 0x20 ? ' ' : src[i];
	dst[i] = '\0';
}

/* Both renderers draw the same rows: row i of the text model. */
static size_t tui_rows(const struct tui *t, const char **rows, size_t max,
		       char *title, size_t tsz)
{
	size_t n = 0, first;

	snprintf(title, tsz, "siptty %s  |  %s", PACKAGE_VERSION,
		 _("q quit"));
	if (n < max) rows[n++] = title;
	if (n < max) rows[n++] = t->headline;
	if (n < max) rows[n++] = t->hint;
	if (n < max) rows[n++] = "";
	if (n < max) rows[n++] = _("Log:");
	first = t->nlog > TUI_LOG_LINES ? t->nlog - TUI_LOG_LINES : 0;
	for (size_t i = first; i < t->nlog && n < max; i++)
		rows[n++] = t->log[i % TUI_LOG_LINES];
	return n;
}

static void tui_draw(void *arg)
{
	struct tui *t = arg;
	const char *rows[TUI_LOG_LINES + 8];
	char title[TUI_COLS];
	int h, w;
	size_t n;

	if (!t->curses || !t->dirty)
		return;
	getmaxyx(stdscr, h, w);
	(void)w;
	n = tui_rows(t, rows, sizeof(rows) / sizeof(rows[0]), title,
		     sizeof(title));
	erase();
	for (size_t i = 0; i < n && (int)i < h; i++) {
		if (i == 0)
			attron(A_REVERSE);
		mvaddnstr((int)i, 0, rows[i], COLS);
		if (i == 0)
			attroff(A_REVERSE);
	}
	refresh();
	t->dirty = false;
}

static void tui_key(int fd, short revents, void *arg)
{
	struct tui *t = arg;
	int ch;

	(void)fd;
	(void)revents;
	while ((ch = getch()) != ERR) {
		if (ch == 'q' || ch == 'Q')
			loop_stop(t->loop, 0);
		else if (ch == KEY_RESIZE)
			t->dirty = true;
	}
}

int tui_alloc(struct tui **tp, struct loop *loop, const struct tui_params *p)
{
	struct tui *t;
	int err = 0;

	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	t->loop = loop;
	tui_line(t->headline, p->headline);
	tui_line(t->hint, p->hint);
	t->dirty = true;
	if (!p->headless) {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			err = ENOTTY;
			goto out;
		}
		if (!initscr()) {
			err = ENOTTY;
			goto out;
		}
		t->curses = true;
		cbreak();
		noecho();
		nodelay(stdscr, TRUE);
		keypad(stdscr, TRUE);
		curs_set(0);
		err = loop_fd_add(loop, STDIN_FILENO, POLLIN, tui_key, t);
		if (err)
			goto out;
		loop_set_idle(loop, tui_draw, t);
	}
 out:
	if (err)
		tui_free(t);
	else
		*tp = t;
	return err;
}

void tui_free(struct tui *t)
{
	if (!t)
		return;
	if (t->curses) {
		loop_fd_del(t->loop, STDIN_FILENO);
		loop_set_idle(t->loop, NULL, NULL);
		endwin();
	}
	free(t);
}

void tui_log(struct tui *t, const char *line)
{
	tui_line(t->log[t->nlog % TUI_LOG_LINES], line);
	t->nlog++;
	t->dirty = true;
}

int tui_dump(struct tui *t, const char *path)
{
	const char *rows[TUI_LOG_LINES + 8];
	char title[TUI_COLS];
	FILE *fp;
	size_t n;
	int err = 0;

	fp = fopen(path, "we");
	if (!fp)
		return errno;
	n = tui_rows(t, rows, sizeof(rows) / sizeof(rows[0]), title,
		     sizeof(title));
	for (size_t i = 0; i < n; i++)
		if (fprintf(fp, "%s\n", rows[i]) < 0)
			err = EIO;
	if (fclose(fp) && !err)
		err = errno;
	return err;
}
