/* tui.c - ncursesw: keys in as key codes, grid cells out, SIGWINCH via signalfd. */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>

#include "core/log.h"
#include "core/loop.h"
#include "ui/grid.h"
#include "ui/keys.h"
#include "ui/tui.h"

struct tui {
	struct loop *loop;
	tui_key_h *kh;
	tui_resize_h *rh;
	void *arg;
	int winchfd;
	bool stdin_added;
	bool curses;
	attr_t attr[GRID_NATTR];
	short pair[GRID_NATTR];
};

static int key_from_curses(int r, wint_t wc)
{
	if (r == KEY_CODE_YES) {
		switch (wc) {
		case KEY_ENTER: return KEYS_ENTER;
		case KEY_BACKSPACE: return KEYS_BACKSPACE;
		case KEY_DC: return KEYS_DELETE;
		case KEY_UP: return KEYS_UP;
		case KEY_DOWN: return KEYS_DOWN;
		case KEY_LEFT: return KEYS_LEFT;
		case KEY_RIGHT: return KEYS_RIGHT;
		case KEY_HOME: return KEYS_HOME;
		case KEY_END: return KEYS_END;
		case KEY_PPAGE: return KEYS_PGUP;
		case KEY_NPAGE: return KEYS_PGDN;
		case KEY_BTAB: return KEYS_TAB;
		default:
			if (wc >= KEY_F(1) && wc <= KEY_F(12))
				return KEYS_F1 + (int)(wc - KEY_F(1));
			return KEYS_NONE;  /* KEY_RESIZE and the like */
		}
	}
	switch (wc) {
	case '\r': case '\n': return KEYS_ENTER;
	case '\t': return KEYS_TAB;
	case 27: return KEYS_ESC;
	case 127: case 8: return KEYS_BACKSPACE;
	default: return (int)wc;
	}
}

static void on_stdin(int fd, short revents, void *arg)
{
	struct tui *t = arg;
	wint_t wc;
	int r;

	(void)fd;
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		/* The terminal went away: nobody is left to press q. */
		log_info("ui", "the terminal closed; stopping");
		loop_fd_del(t->loop, STDIN_FILENO);
		t->stdin_added = false;
		loop_stop(t->loop, 0);
		return;
	}
	while ((r = get_wch(&wc)) != ERR) {
		int key = key_from_curses(r, wc);

		if (key != KEYS_NONE)
			t->kh(key, t->arg);
	}
}

static void on_winch(int fd, short revents, void *arg)
{
	struct tui *t = arg;
	struct signalfd_siginfo si;
	struct winsize ws;
	wint_t wc;

	(void)revents;
	while (read(fd, &si, sizeof(si)) == sizeof(si))
		;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_row ||
	    !ws.ws_col)
		return;
	resizeterm(ws.ws_row, ws.ws_col);
	/* resizeterm queues a KEY_RESIZE we have already acted on. */
	while (get_wch(&wc) != ERR)
		;
	clearok(curscr, TRUE);
	t->rh(COLS, LINES, t->arg);
}

static void colours(struct tui *t, bool color)
{
	const char *nc = getenv("NO_COLOR");

	/* Monochrome: attributes alone tell the parts apart. */
	t->attr[GRID_NORMAL] = A_NORMAL;
	t->attr[GRID_BAR] = A_REVERSE;
	t->attr[GRID_TITLE] = A_BOLD;
	t->attr[GRID_ERROR] = A_BOLD;
	t->attr[GRID_DIM] = A_DIM;
	t->attr[GRID_OVERLAY] = A_REVERSE;
	/* The verdict's words carry the meaning; looks only underline it. */
	t->attr[GRID_GOOD] = A_BOLD;
	t->attr[GRID_BAD] = A_BOLD | A_REVERSE;
	t->attr[GRID_SELECT] = A_REVERSE;
	if (!color || (nc && *nc) || !has_colors() || start_color() == ERR)
		return;
	(void)use_default_colors();
	init_pair(1, COLOR_WHITE, COLOR_BLUE);
	init_pair(2, COLOR_CYAN, -1);
	init_pair(3, COLOR_RED, -1);
	init_pair(4, COLOR_BLACK, COLOR_CYAN);
	init_pair(5, COLOR_GREEN, -1);
	init_pair(6, COLOR_RED, -1);
	t->pair[GRID_BAR] = 1;
	t->attr[GRID_BAR] = A_NORMAL;
	t->pair[GRID_TITLE] = 2;
	t->pair[GRID_ERROR] = 3;
	t->pair[GRID_OVERLAY] = 4;
	t->attr[GRID_OVERLAY] = A_NORMAL;
	t->pair[GRID_GOOD] = 5;
	t->pair[GRID_BAD] = 6;
	t->attr[GRID_BAD] = A_BOLD;
}

int tui_alloc(struct tui **tp, struct loop *loop, bool color,
	      tui_key_h *kh, tui_resize_h *rh, void *arg)
{
	struct tui *t;
	sigset_t mask;
	int err;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return ENOTTY;
	t = calloc(1, sizeof(*t));
	if (!t)
		return ENOMEM;
	t->loop = loop;
	t->kh = kh;
	t->rh = rh;
	t->arg = arg;
	t->winchfd = -1;
	/*
	 * SIGWINCH through a signalfd: a handler could fire between the
	 * last check and poll(), and the resize would wait for a key.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGWINCH);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0) {
		err = errno;
		goto out;
	}
	t->winchfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (t->winchfd < 0) {
		err = errno;
		goto out;
	}
	if (!initscr()) {
		err = ENOTTY;
		goto out;
	}
	t->curses = true;
	cbreak();  /* C-c stays SIGINT: siptty stops cleanly */
	noecho();
	nonl();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	set_escdelay(25);
	(void)curs_set(0);
	colours(t, color);
	err = loop_fd_add(loop, STDIN_FILENO, POLLIN, on_stdin, t);
	if (err)
		goto out;
	t->stdin_added = true;
	err = loop_fd_add(loop, t->winchfd, POLLIN, on_winch, t);
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
	if (t->stdin_added)
		loop_fd_del(t->loop, STDIN_FILENO);
	if (t->winchfd >= 0) {
		loop_fd_del(t->loop, t->winchfd);
		close(t->winchfd);
	}
	if (t->curses)
		endwin();
	free(t);
}

void tui_size(const struct tui *t, int *w, int *h)
{
	(void)t;
	*w = COLS;
	*h = LINES;
}

void tui_draw(struct tui *t, const struct grid *g)
{
	erase();
	for (int r = 0; r < g->h && r < LINES; r++) {
		for (int c = 0; c < g->w && c < COLS; c++) {
			const struct grid_cell *cell = &g->cells[r * g->w + c];
			wchar_t wch[2] = {0, 0};
			cchar_t cc;

			if (cell->ch == GRID_CONT)
				continue;
			wch[0] = (wchar_t)cell->ch;
			if (setcchar(&cc, wch, t->attr[cell->attr],
				     t->pair[cell->attr], NULL) == OK)
				(void)mvadd_wch(r, c, &cc);
		}
	}
	if (g->cur_row >= 0 && g->cur_row < LINES && g->cur_col < COLS) {
		(void)curs_set(1);
		move(g->cur_row, g->cur_col);
	} else {
		(void)curs_set(0);
	}
	refresh();
}
