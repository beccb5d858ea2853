/* render.c - the layout: status bar, calls, log and trace panes, help, prompt. */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/cmd.h"
#include "ui/grid.h"
#include "ui/model.h"
#include "ui/render.h"
#include "ui/utf8.h"

/*
 * Writes text word-wrapped into rows [row, row + maxrows) of width w;
 * returns the rows used.  A word longer than a row is cut at the edge.
 */
static int put_wrapped(struct grid *g, int row, int col, int w, int maxrows,
		       const char *s, enum grid_attr attr)
{
	char line[MODEL_LINE_MAX];
	int used = 0;

	while (*s && used < maxrows) {
		size_t fit = 0, lastsp = 0, off = 0, len = strlen(s);
		int cols = 0;

		while (off < len) {
			int cp, cw;
			size_t n = utf8_decode(s + off, len - off, &cp);

			cw = utf8_width(cp);
			if (cw < 0)
				cw = 1;
			if (cols + cw > w)
				break;
			cols += cw;
			off += n;
			if (cp == ' ')
				lastsp = off;
		}
		fit = off;
		if (off < len && lastsp)
			fit = lastsp;
		if (!fit)
			break;
		if (fit >= sizeof(line))
			fit = sizeof(line) - 1;
		memcpy(line, s, fit);
		line[fit] = '\0';
		(void)grid_put(g, row + used, col, w, line, attr);
		used++;
		s += fit;
		while (*s == ' ')
			s++;
	}
	return used;
}

static void status_bar(const struct model *m, struct grid *g, time_t now)
{
	char clock[16] = "", item[512];
	struct tm tm;
	int col, cw;

	grid_fill(g, 0, 0, g->w, ' ', GRID_BAR);
	if (localtime_r(&now, &tm))
		strftime(clock, sizeof(clock), "%H:%M", &tm);
	cw = grid_text_width(clock);
	col = grid_put(g, 0, 1, g->w - cw - 2, "siptty", GRID_BAR) + 1;
	if (!m->nacc) {
		snprintf(item, sizeof(item), " | %s", _("no account"));
		col += grid_put(g, 0, col, g->w - cw - 2 - col, item, GRID_BAR);
	}
	for (size_t i = 0; i < m->nacc; i++) {
		const struct model_account *a = &m->acc[i];

		snprintf(item, sizeof(item), " | %s: %s%s%s%s", a->name,
			 _("not registered"), a->transport[0] ? " (" : "",
			 a->transport, a->transport[0] ? ")" : "");
		col += grid_put(g, 0, col, g->w - cw - 2 - col, item, GRID_BAR);
	}
	if (m->privacy[0] || m->privacy_chosen) {
		snprintf(item, sizeof(item), " | %s %s%s", _("privacy"),
			 m->privacy[0] ? m->privacy : "-",
			 m->privacy_chosen ? _(" (next call)") : "");
		col += grid_put(g, 0, col, g->w - cw - 2 - col, item, GRID_BAR);
	}
	(void)grid_put(g, 0, g->w - cw - 1, cw, clock, GRID_BAR);
}

static void pane_title(struct grid *g, int row, const char *title)
{
	char t[256];

	grid_fill(g, row, 0, g->w, '-', GRID_TITLE);
	snprintf(t, sizeof(t), " %s ", title);
	(void)grid_put(g, row, 1, g->w - 1, t, GRID_TITLE);
}

/* The words the calls list shows for each call state. */
static const char *state_text(const char *state)
{
	static const struct {
		const char *name, *text;
	} t[] = {
		{"calling", N_("calling")},
		{"ringing", N_("ringing")},
		{"early", N_("early media")},
		{"incoming", N_("incoming")},
		{"answered", N_("answered")},
		{"held", N_("on hold")},
		{"remote-held", N_("held by the far end")},
		{"ended", N_("ended")},
		{"failed", N_("failed")},
		{"transferred", N_("transferred")},
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(t[i].name, state))
			return _(t[i].text);
	return state;
}

/* One line per call: selection, direction, peer, state, duration, codec. */
static void call_rows(const struct model *m, struct grid *g, int row,
		      int rows)
{
	char line[MODEL_LINE_MAX];

	for (size_t i = 0; i < m->ncalls && (int)i < rows; i++) {
		const struct model_call *c = &m->calls[i];

		snprintf(line, sizeof(line), "%s%u %s %s  %s  %u:%02u%s%s%s",
			 c->selected ? "> " : "  ", c->id,
			 c->out ? _("to") : _("from"), c->peer,
			 state_text(c->state), c->duration_s / 60,
			 c->duration_s % 60, c->codec[0] ? "  " : "",
			 c->codec,
			 c->local_hold && c->remote_hold ?
			 _("  (both sides hold)") : "");
		(void)grid_put(g, row + (int)i, 1, g->w - 2, line,
			       c->live ? GRID_NORMAL : GRID_DIM);
	}
}

static void calls_pane(const struct model *m, const struct keymap *km,
		       struct grid *g, int row, int rows)
{
	char keys[64], text[MODEL_LINE_MAX];
	int used;

	if (rows < 1)
		return;
	pane_title(g, row, _("Calls"));
	row++;
	rows--;
	if (!m->nacc) {
		/* First start: what is missing and how to add it. */
		used = put_wrapped(g, row, 1, g->w - 2, rows, m->headline,
				   GRID_NORMAL);
		(void)put_wrapped(g, row + used, 1, g->w - 2, rows - used,
				  m->hint, GRID_DIM);
		return;
	}
	if (m->ncalls) {
		call_rows(m, g, row, rows);
		return;
	}
	keymap_keys(km, cmd_find("dial"), keys, sizeof(keys));
	if (keys[0])
		snprintf(text, sizeof(text), _("No calls. Press %s to dial."),
			 keys);
	else
		snprintf(text, sizeof(text), "%s", _("No calls."));
	used = put_wrapped(g, row, 1, g->w - 2, rows, text, GRID_NORMAL);
	(void)put_wrapped(g, row + used, 1, g->w - 2, rows - used, m->hint,
			  GRID_DIM);
}

static void log_pane(const struct model *m, struct grid *g, int row,
		     int rows)
{
	int n;

	if (rows < 1)
		return;
	pane_title(g, row, _("Log"));
	row++;
	rows--;
	/* Newest at the bottom, like a terminal. */
	for (n = 0; n < rows && model_log_line(m, (size_t)n); n++)
		;
	for (int i = 0; i < n; i++)
		(void)grid_put(g, row + i, 1, g->w - 1,
			       model_log_line(m, (size_t)(n - 1 - i)),
			       GRID_NORMAL);
}

static void trace_pane(struct grid *g, int row, int rows)
{
	if (rows < 1)
		return;
	pane_title(g, row, _("SIP trace"));
	if (rows > 1)
		(void)put_wrapped(g, row + 1, 1, g->w - 2, rows - 1,
				  _("No SIP messages: this version does not "
				    "send or receive any yet."), GRID_DIM);
}

/* A long message takes two lines rather than lose its advice. */
static int status_rows(const struct model *m, const struct grid *g)
{
	return grid_text_width(m->status) > g->w - 2 && g->h >= 12 ? 2 : 1;
}

/* Commands that act on a call: hinted only while there are calls. */
static bool call_cmd(const struct cmd *c)
{
	static const char *const names[] = {"answer", "hangup", "hold", "next", "transfer"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(c->name, names[i]))
			return true;
	return false;
}

/* Commands about the next call's account: no use without one. */
static bool account_cmd(const struct cmd *c)
{
	return !strcmp(c->name, "privacy") || !strcmp(c->name, "preview");
}

static void bottom_lines(const struct model *m, const struct keymap *km,
			 struct grid *g)
{
	int row = g->h - 1;

	if (g->h >= 3 && m->status[0]) {
		int rows = status_rows(m, g);

		grid_fill(g, g->h - 1 - rows, 0, g->w, ' ', GRID_NORMAL);
		grid_fill(g, g->h - 2, 0, g->w, ' ', GRID_NORMAL);
		(void)put_wrapped(g, g->h - 1 - rows, 1, g->w - 2, rows,
				  m->status, m->status_err ? GRID_ERROR :
				  GRID_NORMAL);
	}
	grid_fill(g, row, 0, g->w, ' ', GRID_BAR);
	if (m->prompt.kind != PROMPT_NONE) {
		const char *label = m->prompt.kind == PROMPT_DIAL ?
				    _("Dial: ") : ":";
		char before[PROMPT_MAX];
		int col, cur, avail;
		const char *text = m->prompt.text;

		col = grid_put(g, row, 0, g->w, label, GRID_BAR);
		snprintf(before, sizeof(before), "%.*s",
			 (int)m->prompt.cursor, m->prompt.text);
		cur = grid_text_width(before);
		avail = g->w - col - 1;
		/* Scroll a long line so the cursor stays on screen. */
		while (cur > avail && *text) {
			int cp;
			size_t n = utf8_decode(text, strlen(text), &cp);
			int w = utf8_width(cp);

			cur -= w < 0 ? 1 : w;
			text += n;
		}
		(void)grid_put(g, row, col, avail, text, GRID_BAR);
		g->cur_row = row;
		g->cur_col = col + cur;
		return;
	}
	{
		char hints[512] = "", keys[64];
		size_t len = 0;

		for (size_t i = 0; i < cmd_count(); i++) {
			const struct cmd *c = cmd_get(i);
			int n;

			keymap_keys(km, c, keys, sizeof(keys));
			if (!keys[0] || (!m->ncalls && call_cmd(c)) ||
			    (!m->nacc && account_cmd(c)))
				continue;
			/* Only the first key of each: the help has them all. */
			keys[strcspn(keys, ",")] = '\0';
			n = snprintf(hints + len, sizeof(hints) - len,
				     "%s%s %s", len ? "  " : " ", keys,
				     c->name);
			if (n < 0 || (size_t)n >= sizeof(hints) - len)
				break;
			len += (size_t)n;
		}
		(void)grid_put(g, row, 0, g->w, hints, GRID_BAR);
	}
}

static void help_overlay(const struct keymap *km, struct grid *g)
{
	int w = g->w - 4 < 76 ? g->w - 4 : 76;
	int h = (int)cmd_count() + 4;
	int top, left, keyw = 0;
	char keys[64], line[MODEL_LINE_MAX];

	if (w < 10 || g->h < 4)
		return;
	if (h > g->h - 2)
		h = g->h - 2;
	top = (g->h - h) / 2;
	left = (g->w - w) / 2;
	for (size_t i = 0; i < cmd_count(); i++) {
		keymap_keys(km, cmd_get(i), keys, sizeof(keys));
		if (grid_text_width(keys) > keyw)
			keyw = grid_text_width(keys);
	}
	if (keyw > w / 3)
		keyw = w / 3;
	for (int r = 0; r < h; r++) {
		grid_fill(g, top + r, left, w, ' ', GRID_OVERLAY);
		grid_fill(g, top + r, left, 1, '|', GRID_OVERLAY);
		grid_fill(g, top + r, left + w - 1, 1, '|', GRID_OVERLAY);
	}
	grid_fill(g, top, left, w, '-', GRID_OVERLAY);
	grid_fill(g, top + h - 1, left, w, '-', GRID_OVERLAY);
	snprintf(line, sizeof(line), " %s ", _("Keys"));
	(void)grid_put(g, top, left + 2, w - 4, line, GRID_OVERLAY);
	for (size_t i = 0; i < cmd_count() && (int)i + 2 < h - 2; i++) {
		const struct cmd *c = cmd_get(i);
		int row = top + 2 + (int)i, col = left + 2;

		keymap_keys(km, c, keys, sizeof(keys));
		(void)grid_put(g, row, col, keyw, keys[0] ? keys : "-",
			       GRID_OVERLAY);
		col += keyw + 2;
		col += grid_put(g, row, col, left + w - 2 - col, c->name,
				GRID_OVERLAY);
		col = col > left + keyw + 12 ? col + 2 : left + keyw + 14;
		if (col < left + w - 2)
			(void)grid_put(g, row, col, left + w - 2 - col,
				       _(c->help), GRID_OVERLAY);
	}
	snprintf(line, sizeof(line), " %s ",
		 _("Esc closes this help; every command also works at the : "
		   "prompt"));
	(void)grid_put(g, top + h - 1, left + 2, w - 4, line, GRID_OVERLAY);
}

/* The wire preview: the INVITE line by line, as it would leave. */
static void preview_overlay(const struct model *m, struct grid *g)
{
	int w = g->w - 2, h = g->h - 3, top = 1, left = 1, row;
	const char *p = m->preview;
	char line[MODEL_LINE_MAX];

	if (w < 10 || h < 4)
		return;
	for (int r = 0; r < h; r++)
		grid_fill(g, top + r, left, w, ' ', GRID_OVERLAY);
	grid_fill(g, top, left, w, '-', GRID_OVERLAY);
	grid_fill(g, top + h - 1, left, w, '-', GRID_OVERLAY);
	snprintf(line, sizeof(line), " %s ",
		 _("Wire preview: the next call's INVITE after privacy "
		   "scrubbing (w closes)"));
	(void)grid_put(g, top, left + 2, w - 4, line, GRID_OVERLAY);
	for (row = top + 1; *p && row < top + h - 1; row++) {
		size_t n = strcspn(p, "\r\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		(void)grid_put(g, row, left + 1, w - 2, line, GRID_OVERLAY);
		p += n;
		if (*p == '\r')
			p++;
		if (*p == '\n')
			p++;
	}
}

void render(const struct model *m, const struct keymap *km, struct grid *g,
	    time_t now)
{
	int avail, calls, log, trace, row = 1;

	grid_clear(g);
	status_bar(m, g, now);
	/* Between the bar and the two bottom lines (status, keys/prompt). */
	avail = g->h - 2 - (m->status[0] ? status_rows(m, g) : 1);
	if (avail < 1)
		avail = g->h > 1 ? g->h - 1 : 0;
	calls = avail;
	log = trace = 0;
	if (m->show_log || m->show_trace) {
		calls = avail / 3 > 5 ? avail / 3 : (avail > 5 ? 5 : avail);
		if (m->show_log && m->show_trace) {
			trace = (avail - calls) / 2;
			log = avail - calls - trace;
		} else if (m->show_log) {
			log = avail - calls;
		} else {
			trace = avail - calls;
		}
	}
	calls_pane(m, km, g, row, calls);
	row += calls;
	trace_pane(g, row, trace);
	row += trace;
	log_pane(m, g, row, log);
	if (g->h >= 2)
		bottom_lines(m, km, g);
	if (m->show_preview)
		preview_overlay(m, g);
	if (m->show_help)
		help_overlay(km, g);
}
