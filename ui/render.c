/* render.c - the layout: status bar, calls, log and trace panes, help, prompt. */
#include <config.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/i18n.h"
#include "ui/cmd.h"
#include "ui/contacts.h"
#include "ui/grid.h"
#include "ui/history.h"
#include "ui/idview.h"
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

		const char *st = a->state == ACCOUNT_REGISTERED ?
				 _("registered") :
				 a->state == ACCOUNT_REGISTERING ?
				 _("registering") :
				 a->state == ACCOUNT_FAILED ? _("failed") :
				 _("not registered");
		/* "TLS verified": the server proved who it is (RFC 5922). */
		snprintf(item, sizeof(item), " | %s: %s%s%s%s%s", a->name, st,
			 a->transport[0] ? " (" : "", a->transport,
			 a->transport[0] && a->verified ? _(" verified") : "",
			 a->transport[0] ? ")" : "");
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

static enum grid_attr tone_attr(enum ident_kind k)
{
	switch (idview_tone(k)) {
	case IDVIEW_GOOD: return GRID_GOOD;
	case IDVIEW_BAD: return GRID_BAD;
	case IDVIEW_PLAIN: break;
	}
	return GRID_NORMAL;
}

/* "S Q H M" in four letters, '-' for off: SRTP, QoS, hold, mute. */
static void call_flags(const struct model_call *c, char out[5])
{
	out[0] = c->srtp[0] ? 'S' : '-';
	out[1] = !c->qos[0] || !strcmp(c->qos, "none") ? '-' :
		 !strcmp(c->qos, "reserved") ? 'Q' :
		 !strcmp(c->qos, "presented") ? 'q' : '!';
	out[2] = c->local_hold && c->remote_hold ? 'B' :
		 c->local_hold ? 'H' : c->remote_hold ? 'h' : '-';
	out[3] = c->muted ? 'M' : '-';
	out[4] = '\0';
}

/* Whom an incoming call is from: the vouched-for identity first. */
static const char *call_peer(const struct model_call *c, char *buf,
			     size_t sz)
{
	const char *who = c->out ? "" : idview_who(&c->ident, buf, sz);

	return who[0] ? who : c->peer;
}

/*
 * One line per call: selection, id, direction, the identity verdict of
 * an incoming call, peer, then state, duration, codec and flags at the
 * right; the peer gets what is left.
 */
static void call_row(const struct model_call *c, struct grid *g, int row)
{
	char left[64], right[MODEL_LINE_MAX], flags[5], who[160];
	int col = 1, rw, end = g->w - 1;
	enum grid_attr base = c->live ? GRID_NORMAL : GRID_DIM;

	call_flags(c, flags);
	snprintf(left, sizeof(left), "%s%-2u %-4s", c->selected ? "> " : "  ",
		 c->id, c->out ? _("out") : _("in"));
	snprintf(right, sizeof(right), "  %s  %u:%02u  %s%s%s", 
		 state_text(c->state), c->duration_s / 60, c->duration_s % 60,
		 c->codec[0] ? c->codec : "", c->codec[0] ? "  " : "", flags);
	col += grid_put(g, row, col, end - col, left, base);
	if (!c->out) {
		char att[4] = "";

		col += grid_put(g, row, col, end - col,
				idview_word(c->ident.kind),
				c->live ? tone_attr(c->ident.kind) : base);
		if (c->ident.kind == IDENT_VERIFIED && c->ident.attest)
			snprintf(att, sizeof(att), " %c", c->ident.attest);
		col += grid_put(g, row, col, end - col, att,
				c->live ? tone_attr(c->ident.kind) : base);
		col += grid_put(g, row, col, end - col, " ", base);
	}
	rw = grid_text_width(right);
	if (rw > end - col - 8)
		rw = end - col - 8 > 0 ? end - col - 8 : 0;
	(void)grid_put(g, row, col, end - col - rw, call_peer(c, who, sizeof(who)),
		       base);
	if (rw > 0)
		(void)grid_put(g, row, end - rw, rw, right, base);
}

/* Under the selected call: what it received, and why QoS failed. */
static int call_detail(const struct model_call *c, struct grid *g, int row,
		       int rows)
{
	char line[MODEL_LINE_MAX];

	if (rows < 1 || (!c->dtmf_rx[0] && !c->qos_reason[0]))
		return 0;
	snprintf(line, sizeof(line), "%s%s%s%s%s",
		 c->dtmf_rx[0] ? _("DTMF received: ") : "", c->dtmf_rx,
		 c->dtmf_rx[0] && c->qos_reason[0] ? "  " : "",
		 c->qos_reason[0] ? _("QoS: ") : "", c->qos_reason);
	(void)grid_put(g, row, 6, g->w - 7, line, GRID_DIM);
	return 1;
}

/* The incoming call leads with who is calling, readable without colour. */
static int incoming_view(const struct model *m, const struct keymap *km,
			 const struct model_call *c, struct grid *g, int row,
			 int rows)
{
	char line[MODEL_LINE_MAX], ka[32], kh[32], ki[32];
	int used = 0;

	if (rows < 2)
		return 0;
	(void)m;
	snprintf(line, sizeof(line), _("Incoming call %u:"), c->id);
	(void)grid_put(g, row + used++, 1, g->w - 2, line, GRID_TITLE);
	idview_verdict(&c->ident, line, sizeof(line));
	used += put_wrapped(g, row + used, 3, g->w - 4, rows - used > 2 ? 2 :
			    rows - used, line, tone_attr(c->ident.kind));
	idview_claim(&c->ident, line, sizeof(line));
	if (!line[0] && c->ident.kind != IDENT_VERIFIED &&
	    c->ident.kind != IDENT_ASSERTED)
		snprintf(line, sizeof(line), _("claims to be <%s> "
					       "(unverified)"), c->peer);
	if (line[0] && used < rows)
		used += put_wrapped(g, row + used, 3, g->w - 4, 1, line,
				    GRID_NORMAL);
	keymap_keys(km, cmd_find("answer"), ka, sizeof(ka));
	keymap_keys(km, cmd_find("hangup"), kh, sizeof(kh));
	keymap_keys(km, cmd_find("identity"), ki, sizeof(ki));
	if (used < rows && ka[0] && kh[0]) {
		snprintf(line, sizeof(line),
			 _("%s answers, %s rejects, %s shows the identity "
			   "check"), ka, kh, ki[0] ? ki : ":identity");
		used += put_wrapped(g, row + used, 3, g->w - 4, 1, line,
				    GRID_DIM);
	}
	return used;
}

static void call_rows(const struct model *m, const struct keymap *km,
		      struct grid *g, int row, int rows)
{
	const struct model_call *in = NULL;
	int used = 0;

	for (size_t i = 0; i < m->ncalls; i++)
		if (m->calls[i].incoming &&
		    (!in || m->calls[i].selected))
			in = &m->calls[i];
	if (in)
		used = incoming_view(m, km, in, g, row, rows - 1);
	for (size_t i = 0; i < m->ncalls && used < rows; i++) {
		const struct model_call *c = &m->calls[i];

		call_row(c, g, row + used++);
		if (c->selected)
			used += call_detail(c, g, row + used, rows - used);
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
		call_rows(m, km, g, row, rows);
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

/* The newest messages at the bottom; secrets come masked (ua/trace.c). */
static void trace_pane(const struct model *m, struct grid *g, int row,
		       int rows)
{
	int n;

	if (rows < 1)
		return;
	pane_title(g, row, _("SIP trace"));
	row++;
	rows--;
	if (rows > 0 && !m->ntrace) {
		(void)put_wrapped(g, row, 1, g->w - 2, rows,
				  _("No SIP message sent or received yet."),
				  GRID_DIM);
		return;
	}
	for (n = 0; n < rows && model_trace_line(m, (size_t)n); n++)
		;
	for (int i = 0; i < n; i++) {
		const char *l = model_trace_line(m, (size_t)(n - 1 - i));

		(void)grid_put(g, row + i, 1, g->w - 1, l,
			       !strncmp(l, "--> ", 4) || !strncmp(l, "<-- ", 4) ?
			       GRID_TITLE : GRID_NORMAL);
	}
}

/* A long message takes two lines rather than lose its advice. */
static int status_rows(const struct model *m, const struct grid *g)
{
	return grid_text_width(m->status) > g->w - 2 && g->h >= 12 ? 2 : 1;
}

/* Commands that act on a call: hinted only while there are calls. */
static bool call_cmd(const struct cmd *c)
{
	static const char *const names[] = {"answer", "hangup", "hold",
					    "next", "transfer", "mute",
					    "identity"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(c->name, names[i]))
			return true;
	return false;
}

/* Commands about the next call's account: no use without one. */
static bool account_cmd(const struct cmd *c)
{
	return !strcmp(c->name, "privacy") || !strcmp(c->name, "preview") ||
	       !strcmp(c->name, "contacts") || !strcmp(c->name, "history");
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
			/* Digits need no hint: a phone has taught them. */
			if (!keys[0] || !strcmp(c->name, "dtmf") ||
			    (!m->ncalls && call_cmd(c)) ||
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
	int h = (int)cmd_count() + 2;  /* every command fits at 80x24 */
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
	for (size_t i = 0; i < cmd_count() && (int)i < h - 2; i++) {
		const struct cmd *c = cmd_get(i);
		int row = top + 1 + (int)i, col = left + 2;

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

/* The area a panel covers: under the bar, above the two bottom lines. */
static int panel_clear(const struct grid *gc, struct grid *g, int *top)
{
	int h = gc->h - 3;

	*top = 1;
	for (int r = 0; r < h; r++)
		grid_fill(g, *top + r, 0, g->w, ' ', GRID_NORMAL);
	return h;
}

/* "Label:  value" with the value wrapped under itself; rows used. */
static int panel_field(struct grid *g, int row, int rows, const char *label,
		       const char *value, enum grid_attr attr)
{
	int lw = 22, used;

	if (rows < 1 || !value || !value[0])
		return 0;
	if (lw > g->w / 3)
		lw = g->w / 3;
	(void)grid_put(g, row, 1, lw - 1, label, GRID_TITLE);
	used = put_wrapped(g, row, 1 + lw, g->w - 2 - lw, rows > 2 ? 2 : rows,
			   value, attr);
	return used ? used : 1;
}

static const char *method_text(const char *method)
{
	if (!strcmp(method, "stir"))
		return _("STIR signature (RFC 8224)");
	if (!strcmp(method, "rfc4474"))
		return _("older Identity signature (RFC 4474)");
	if (!strcmp(method, "pai"))
		return _("P-Asserted-Identity from a trusted network "
			 "(RFC 3325)");
	return method;
}

static const char *attest_text(char a)
{
	switch (a) {
	case 'A': return _("A: the caller's provider knows the caller and "
			   "the number");
	case 'B': return _("B: the provider knows the caller, not the "
			   "number");
	case 'C': return _("C: the provider knows only where the call "
			   "entered its network");
	}
	return "";
}

static void identity_panel(const struct model *m, struct grid *g)
{
	const struct model_call *c = NULL;
	const struct ident_verdict *v;
	char line[MODEL_LINE_MAX], tmp[MODEL_LINE_MAX];
	int top, h, row, end;

	for (size_t i = 0; i < m->ncalls; i++)
		if (!c || m->calls[i].selected)
			c = &m->calls[i];
	h = panel_clear(g, g, &top);
	if (h < 3 || !c)
		return;
	v = &c->ident;
	snprintf(line, sizeof(line), _("Identity of call %u (i or Esc "
				       "closes)"), c->id);
	pane_title(g, top, line);
	row = top + 1;
	end = top + h;
	if (c->out) {
		snprintf(line, sizeof(line),
			 _("An outgoing call to %s: the identity check is "
			   "for calls that come in."), c->peer);
		row += put_wrapped(g, row, 1, g->w - 2, end - row, line,
				   GRID_NORMAL);
	} else {
		idview_verdict(v, line, sizeof(line));
		row += put_wrapped(g, row, 1, g->w - 2, end - row > 2 ? 2 :
				   end - row, line, tone_attr(v->kind));
		row += panel_field(g, row, end - row, _("Method:"),
				   method_text(v->method), GRID_NORMAL);
		row += panel_field(g, row, end - row, _("Attestation:"),
				   attest_text(v->attest), GRID_NORMAL);
		row += panel_field(g, row, end - row, _("Number:"), v->orig,
				   GRID_NORMAL);
		row += panel_field(g, row, end - row, _("Signed by:"),
				   v->signer, GRID_NORMAL);
		if (v->kind == IDENT_FAILED || v->kind == IDENT_UNSUPPORTED) {
			if (v->code)
				snprintf(tmp, sizeof(tmp), "%s (%u)",
					 v->reason[0] ? v->reason : "-",
					 v->code);
			else
				snprintf(tmp, sizeof(tmp), "%s", v->reason);
			row += panel_field(g, row, end - row, _("Reason:"),
					   tmp, GRID_BAD);
		}
		row += panel_field(g, row, end - row, _("Verstat:"),
				   v->verstat, GRID_NORMAL);
		row += panel_field(g, row, end - row,
				   _("P-Asserted-Identity:"), v->pai,
				   GRID_NORMAL);
		if (v->pai_note[0]) {
			snprintf(tmp, sizeof(tmp), _("ignored: %s"),
				 v->pai_note);
			row += panel_field(g, row, end - row,
					   _("P-Asserted-Identity:"), tmp,
					   GRID_NORMAL);
		}
		if (v->display[0])
			snprintf(tmp, sizeof(tmp), "\"%s\" <%s>", v->display,
				 v->from[0] ? v->from : c->peer);
		else
			snprintf(tmp, sizeof(tmp), "<%s>",
				 v->from[0] ? v->from : c->peer);
		row += panel_field(g, row, end - row, _("From (unverified):"),
				   tmp, GRID_NORMAL);
	}
	snprintf(tmp, sizeof(tmp), "%s%s%s%s%s%s%s",
		 c->codec[0] ? c->codec : _("no codec yet"),
		 c->srtp[0] ? ", SRTP " : _(", no SRTP"), c->srtp,
		 c->qos[0] ? ", QoS " : "", c->qos,
		 c->local_hold || c->remote_hold ? _(", on hold") : "",
		 c->muted ? _(", muted") : "");
	row += panel_field(g, row, end - row, _("Media:"), tmp, GRID_NORMAL);
	row += panel_field(g, row, end - row, _("QoS:"), c->qos_reason,
			   GRID_NORMAL);
	if (c->loss_pct >= 0 && c->rtt_ms >= 0 && c->codec[0]) {
		snprintf(tmp, sizeof(tmp), _("loss %.1f %%, jitter %.1f ms, "
					     "round trip %.0f ms"),
			 c->loss_pct, c->jitter_ms, c->rtt_ms);
		row += panel_field(g, row, end - row, _("RTCP:"), tmp,
				   GRID_NORMAL);
	}
	row += panel_field(g, row, end - row, _("DTMF received:"),
			   c->dtmf_rx, GRID_NORMAL);
	if (row < end - 1)
		(void)put_wrapped(g, end - 2, 1, g->w - 2, 2,
				  _("Flags S Q H M: SRTP; QoS (Q reserved, q "
				    "asked, ! refused); hold (H here, h far "
				    "end, B both); muted"), GRID_DIM);
}

/* The first row shown so that the highlighted one is on screen. */
static size_t list_first(size_t sel, int rows)
{
	return rows > 0 && sel >= (size_t)rows ? sel - (size_t)rows + 1 : 0;
}

static void list_row(struct grid *g, int row, bool sel, const char *text)
{
	char line[MODEL_LINE_MAX];

	snprintf(line, sizeof(line), "%s%s", sel ? "> " : "  ", text);
	if (sel)
		grid_fill(g, row, 0, g->w, ' ', GRID_SELECT);
	(void)grid_put(g, row, 1, g->w - 2, line,
		       sel ? GRID_SELECT : GRID_NORMAL);
}

static void contacts_panel(const struct model *m, struct grid *g)
{
	const struct contacts *cs = m->contacts;
	size_t n = cs ? cs->n : 0, first;
	char line[MODEL_LINE_MAX];
	int top, h, rows, nw = 0;

	h = panel_clear(g, g, &top);
	if (h < 2)
		return;
	snprintf(line, sizeof(line), _("Contacts (%zu): arrows choose, Enter "
				       "dials, Esc closes"), n);
	pane_title(g, top, line);
	rows = h - 1;
	if (!n) {
		snprintf(line, sizeof(line),
			 _("No contacts yet. Add lines such as \"Alice "
			   "<sip:alice@example.com>\" to %s, or import a "
			   "vCard file with :import FILE.vcf"),
			 m->contacts_file && m->contacts_file[0] ?
			 m->contacts_file : "contacts");
		(void)put_wrapped(g, top + 1, 1, g->w - 2, rows, line,
				  GRID_DIM);
		return;
	}
	for (size_t i = 0; i < n; i++)
		if (grid_text_width(cs->v[i].name) > nw)
			nw = grid_text_width(cs->v[i].name);
	if (nw > g->w / 3)
		nw = g->w / 3;
	first = list_first(m->list_sel, rows);
	for (int r = 0; r < rows && first + (size_t)r < n; r++) {
		const struct contact *c = &cs->v[first + (size_t)r];
		bool sel = first + (size_t)r == m->list_sel;
		enum grid_attr a = sel ? GRID_SELECT : GRID_NORMAL;

		list_row(g, top + 1 + r, sel, "");
		(void)grid_put(g, top + 1 + r, 3, nw, c->name, a);
		snprintf(line, sizeof(line), "<%s>", c->uri);
		(void)grid_put(g, top + 1 + r, 3 + nw + (nw ? 2 : 0),
			       g->w - 4 - nw - 2, line, a);
	}
}

static void history_panel(const struct model *m, struct grid *g)
{
	const struct history *hs = m->history;
	size_t n = hs ? hs->n : 0, first;
	char line[MODEL_LINE_MAX], when[32], res[48];
	int top, h, rows;

	h = panel_clear(g, g, &top);
	if (h < 2)
		return;
	snprintf(line, sizeof(line), _("Recent calls (%zu): arrows choose, "
				       "Enter dials back, Esc closes"), n);
	pane_title(g, top, line);
	rows = h - 1;
	if (!n) {
		(void)put_wrapped(g, top + 1, 1, g->w - 2, rows,
				  _("No calls yet: each call is listed here "
				    "when it ends."), GRID_DIM);
		return;
	}
	first = list_first(m->list_sel, rows);
	for (int r = 0; r < rows && first + (size_t)r < n; r++) {
		size_t k = first + (size_t)r;
		const struct hist_entry *e = &hs->v[n - 1 - k];
		struct tm tm;

		when[0] = '\0';
		if (localtime_r(&e->when, &tm))
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
		if (e->code && e->result != HIST_ANSWERED)
			snprintf(res, sizeof(res), "%s %u",
				 _(hist_result_name(e->result)), e->code);
		else
			snprintf(res, sizeof(res), "%s",
				 _(hist_result_name(e->result)));
		snprintf(line, sizeof(line), "%s  %-4s %-12s %3u:%02u  %s%s%s",
			 when, e->out ? _("out") : _("in"), res,
			 e->duration_s / 60, e->duration_s % 60,
			 e->have_verdict ? idview_word(e->verdict) : "",
			 e->have_verdict ? " " : "",
			 e->who[0] ? e->who : e->peer);
		list_row(g, top + 1 + r, k == m->list_sel, line);
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
	trace_pane(m, g, row, trace);
	row += trace;
	log_pane(m, g, row, log);
	if (m->view == VIEW_IDENTITY)
		identity_panel(m, g);
	else if (m->view == VIEW_CONTACTS)
		contacts_panel(m, g);
	else if (m->view == VIEW_HISTORY)
		history_panel(m, g);
	if (g->h >= 2)
		bottom_lines(m, km, g);
	if (m->show_preview)
		preview_overlay(m, g);
	if (m->show_help)
		help_overlay(km, g);
}
