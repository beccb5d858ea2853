/* ui.c - ties model, command table and screen together; redraws once per pass. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/conf.h"
#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "ua/call.h"
#include "ua/trace.h"
#include "ui/complete.h"
#include "ui/contacts.h"
#include "ui/files.h"
#include "ui/grid.h"
#include "ui/history.h"
#include "ui/keys.h"
#include "ui/render.h"
#include "ui/tui.h"
#include "ui/ui_priv.h"

void ui_view_event(const char *view, bool open)
{
	(void)events_emit("ui", json_pack("{s:s,s:b}", "view", view,
					  "open", open));
}

static void render_now(struct ui *ui)
{
	render(&ui->model, &ui->keymap, ui->grid, time(NULL));
}

static void ui_idle(void *arg)
{
	struct ui *ui = arg;

	if (!ui->model.dirty)
		return;
	render_now(ui);
	if (ui->tui)
		tui_draw(ui->tui, ui->grid);
	ui->model.dirty = false;
	if (ui->redraw_h)
		ui->redraw_h(ui->redraw_arg);
}

/* Registration state from `reg` events: shown on the status line (the
 * bar's per-account states need model and render support). */
static void on_event(const json_t *ev, void *arg)
{
	struct ui *ui = arg;
	const char *type = json_string_value(json_object_get(ev, "type"));
	const char *acc, *state, *reason, *text;

	/* What the calls list shows may change without a call state
	 * change: digits, QoS, the identity check, media. */
	if (type && ui->model.cm && (!strcmp(type, "dtmf") ||
	    !strcmp(type, "qos") || !strcmp(type, "identity") ||
	    !strcmp(type, "media") || !strcmp(type, "stats"))) {
		model_calls_update(&ui->model, loop_now_ms());
		return;
	}
	if (!type || strcmp(type, "reg"))
		return;
	acc = json_string_value(json_object_get(ev, "account"));
	state = json_string_value(json_object_get(ev, "state"));
	reason = json_string_value(json_object_get(ev, "reason"));
	if (!acc || !state)
		return;
	for (size_t i = 0; i < ui->model.nacc; i++) {
		struct model_account *a = &ui->model.acc[i];
		const char *tp = json_string_value(json_object_get(ev,
								   "transport"));

		if (strcmp(a->name, acc))
			continue;
		a->state = !strcmp(state, "registered") ? ACCOUNT_REGISTERED :
			   !strcmp(state, "registering") ? ACCOUNT_REGISTERING :
			   !strcmp(state, "failed") ? ACCOUNT_FAILED :
			   ACCOUNT_NOT_REGISTERED;
		a->verified = json_is_true(json_object_get(ev, "verified"));
		if (tp && *tp)
			snprintf(a->transport, sizeof(a->transport), "%s", tp);
		ui->model.dirty = true;
	}
	if (!strcmp(state, "registered"))
		text = _("registered");
	else if (!strcmp(state, "registering"))
		text = _("registering");
	else if (!strcmp(state, "failed"))
		text = _("registration failed");
	else
		text = _("not registered");
	model_status(&ui->model, !strcmp(state, "failed"), "%s: %s%s%s", acc,
		     text, reason && *reason ? ": " : "",
		     reason ? reason : "");
}

/* The bar shows HH:MM: wake up when the minute turns, not every second,
 * unless a call is on the list (its duration runs). */
static void clock_tick(void *arg)
{
	struct ui *ui = arg;
	time_t now = time(NULL);

	ui->model.dirty = true;
	if (ui->model.cm)
		model_calls_update(&ui->model, loop_now_ms());
	tmr_start(ui->loop, &ui->clock, ui->model.ncalls ? 1000u :
		  (uint64_t)(60 - now % 60) * 1000u, clock_tick, ui);
}

static void on_calls_changed(void *arg)
{
	struct ui *ui = arg;
	size_t before = ui->model.ncalls;

	model_calls_update(&ui->model, loop_now_ms());
	files_calls_changed(ui, ui->model.cm);
	if (!before && ui->model.ncalls)
		tmr_start(ui->loop, &ui->clock, 1000, clock_tick, ui);
	if (ui->model.view == VIEW_IDENTITY && !ui->model.ncalls) {
		ui->model.view = VIEW_NONE;
		ui_view_event("identity", false);
	}
}

void ui_set_call_mgr(struct ui *ui, struct call_mgr *cm)
{
	/* Calls that ended while the old manager stopped reach the
	 * history before it goes. */
	if (ui->model.cm && ui->model.cm != cm)
		files_calls_changed(ui, ui->model.cm);
	ui->model.cm = cm;
	if (cm)
		call_mgr_set_change_handler(cm, on_calls_changed, ui);
	model_calls_update(&ui->model, loop_now_ms());
}

static void on_tui_key(int key, void *arg)
{
	ui_key(arg, key);
}

static void on_tui_resize(int w, int h, void *arg)
{
	struct ui *ui = arg;

	/* Keep the old grid if the new size is refused: still drawable. */
	if (grid_resize(ui->grid, w, h))
		log_warn("ui", "cannot use a %dx%d screen", w, h);
	ui->model.dirty = true;
}

static void on_trace(bool tx, const char *peer, const char *text,
		     void *arg);

int ui_alloc(struct ui **up, struct loop *loop, const struct ui_params *p)
{
	struct ui *ui;
	struct buf errs;
	int err, w = UI_HEADLESS_W, h = UI_HEADLESS_H;

	ui = calloc(1, sizeof(*ui));
	if (!ui)
		return ENOMEM;
	buf_init(&errs, 0);
	ui->loop = loop;
	tmr_init(&ui->clock);
	model_init(&ui->model, p->conf, p->headline, p->hint);
	keymap_defaults(&ui->keymap);
	if (keymap_load_conf(&ui->keymap, p->conf, &errs) && errs.len) {
		/* Bad bindings are reported and skipped: the defaults stay. */
		for (char *line = errs.data, *nl; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			if (!nl)
				break;
			*nl = '\0';
			log_warn("ui", "siptty.conf %s", line);
		}
		model_status(&ui->model, true,
			     _("Some key bindings in [keys] were not used; "
			       "see the log, or run siptty --check-config."));
	}
	if (!p->headless) {
		bool color = !p->conf ||
			     conf_get_bool(p->conf, "ui", "color", true);

		err = tui_alloc(&ui->tui, loop, color, on_tui_key,
				on_tui_resize, ui);
		if (err)
			goto out;
		tui_size(ui->tui, &w, &h);
	}
	err = grid_alloc(&ui->grid, w, h);
	if (!err)
		err = files_open(ui);
	if (err)
		goto out;
	loop_set_idle(loop, ui_idle, ui);
	(void)events_subscribe(on_event, ui);
	trace_set_handler(on_trace, ui);
	/* A due timer makes the first pass end at once: the first draw. */
	tmr_start(loop, &ui->clock, 0, clock_tick, ui);
 out:
	buf_free(&errs);
	if (err)
		ui_free(ui);
	else
		*up = ui;
	return err;
}

void ui_free(struct ui *ui)
{
	if (!ui)
		return;
	trace_set_handler(NULL, NULL);
	tmr_cancel(&ui->clock);
	events_unsubscribe(on_event, ui);
	if (ui->grid)
		loop_set_idle(ui->loop, NULL, NULL);
	tui_free(ui->tui);
	grid_free(ui->grid);
	files_close(ui);
	free(ui);
}

static void prompt_submit(struct ui *ui)
{
	struct prompt *pr = &ui->model.prompt;
	enum prompt_kind kind = pr->kind;
	char line[PROMPT_MAX + 8];

	if (kind == PROMPT_DIAL)
		snprintf(line, sizeof(line), "dial %s", pr->text);
	else
		snprintf(line, sizeof(line), "%s", pr->text);
	prompt_close(pr);
	ui->model.status[0] = '\0';
	ui_view_event(kind == PROMPT_DIAL ? "dial" : "command", false);
	/* An empty dial line opens nothing again: it is a cancel. */
	if (kind == PROMPT_DIAL && !line[5])
		return;
	(void)cmd_dispatch_line(ui, line);
}

/* Tab in the dialler: the next address that starts with what was typed. */
static void dial_complete(struct ui *ui)
{
	struct model *m = &ui->model;
	struct prompt *pr = &m->prompt;
	const char *cands[COMPLETE_MAX];
	char user[PROMPT_MAX];
	size_t n;

	if (!m->complete_base[0]) {
		if (!pr->len)
			return;
		snprintf(m->complete_base, sizeof(m->complete_base), "%s",
			 pr->text);
		m->complete_next = 0;
	}
	n = complete_find(m->contacts, m->history, m->complete_base, cands,
			  COMPLETE_MAX);
	if (!n) {
		if (m->nacc && !complete_user(m->complete_base, m->acc[0].aor,
					      user, sizeof(user))) {
			snprintf(pr->text, sizeof(pr->text), "%s", user);
		} else {
			model_status(m, true,
				     _("No contact or recent call starts "
				       "with \"%s\"."), m->complete_base);
			m->complete_base[0] = '\0';
			return;
		}
	} else {
		snprintf(pr->text, sizeof(pr->text), "%s",
			 cands[m->complete_next % n]);
		if (n > 1)
			model_status(m, false,
				     _("%zu of %zu addresses; Tab shows the "
				       "next."), m->complete_next % n + 1, n);
		m->complete_next++;
	}
	pr->len = pr->cursor = strlen(pr->text);
}

static void view_close(struct ui *ui)
{
	static const char *const names[] = {
		[VIEW_IDENTITY] = "identity", [VIEW_CONTACTS] = "contacts",
		[VIEW_HISTORY] = "history",
	};

	if (ui->model.view == VIEW_NONE)
		return;
	ui_view_event(names[ui->model.view], false);
	ui->model.view = VIEW_NONE;
	ui->model.dirty = true;
}

/* The address on the highlighted row of the list that is open. */
static const char *list_addr(const struct ui *ui, size_t *np)
{
	const struct model *m = &ui->model;

	if (m->view == VIEW_CONTACTS) {
		*np = m->contacts ? m->contacts->n : 0;
		return m->list_sel < *np ? m->contacts->v[m->list_sel].uri :
		       NULL;
	}
	*np = m->history ? m->history->n : 0;
	/* Newest first on the screen. */
	return m->list_sel < *np ?
	       m->history->v[*np - 1 - m->list_sel].peer : NULL;
}

/* Keys a list takes before the command table: true when used. */
static bool list_key(struct ui *ui, int key)
{
	struct model *m = &ui->model;
	char line[TARGET_MAX + 8];
	const char *addr;
	size_t n;

	if (m->view != VIEW_CONTACTS && m->view != VIEW_HISTORY)
		return false;
	addr = list_addr(ui, &n);
	switch (key) {
	case KEYS_UP:
	case 16:  /* C-p */
		if (m->list_sel)
			m->list_sel--;
		return true;
	case KEYS_DOWN:
	case 14:  /* C-n */
		if (m->list_sel + 1 < n)
			m->list_sel++;
		return true;
	case KEYS_PGUP:
		m->list_sel = m->list_sel > 10 ? m->list_sel - 10 : 0;
		return true;
	case KEYS_PGDN:
		m->list_sel = m->list_sel + 10 < n ? m->list_sel + 10 :
			      (n ? n - 1 : 0);
		return true;
	case KEYS_HOME:
		m->list_sel = 0;
		return true;
	case KEYS_END:
		m->list_sel = n ? n - 1 : 0;
		return true;
	case KEYS_ENTER:
		if (!addr) {
			model_status(m, true, "%s", m->view == VIEW_CONTACTS ?
				     _("There are no contacts to dial.") :
				     _("There are no recent calls to dial."));
			return true;
		}
		snprintf(line, sizeof(line), "dial %s", addr);
		view_close(ui);
		(void)cmd_dispatch_line(ui, line);
		return true;
	default:
		return false;
	}
}

void ui_key(struct ui *ui, int key)
{
	struct model *m = &ui->model;

	m->dirty = true;
	if (m->prompt.kind != PROMPT_NONE) {
		enum prompt_kind kind = m->prompt.kind;

		if (kind == PROMPT_DIAL && key == KEYS_TAB) {
			dial_complete(ui);
			return;
		}
		m->complete_base[0] = '\0';
		switch (prompt_key(&m->prompt, key)) {
		case PROMPT_SUBMIT:
			prompt_submit(ui);
			break;
		case PROMPT_CANCEL:
			prompt_close(&m->prompt);
			ui_view_event(kind == PROMPT_DIAL ? "dial" : "command",
				      false);
			break;
		case PROMPT_EDITED:
		case PROMPT_IGNORED:
			break;
		}
		return;
	}
	if (m->show_help && (key == KEYS_ESC || key == KEYS_ENTER)) {
		m->show_help = false;
		ui_view_event("help", false);
		return;
	}
	if (key == KEYS_ESC && m->show_preview) {
		m->show_preview = false;  /* Esc closes the wire preview */
		m->dirty = true;
		return;
	}
	if (key == KEYS_ESC && m->view != VIEW_NONE) {
		view_close(ui);
		return;
	}
	if (key == KEYS_ESC) {
		m->status[0] = '\0';  /* Esc dismisses the last message */
		return;
	}
	if (!m->show_help && list_key(ui, key))
		return;
	(void)cmd_dispatch_key(ui, key);
}

int ui_command(struct ui *ui, const char *line)
{
	return cmd_dispatch_line(ui, line);
}

/* Every message the stack sends or receives, masked, for the s pane. */
static void on_trace(bool tx, const char *peer, const char *text, void *arg)
{
	struct ui *ui = arg;

	model_trace(&ui->model, tx, peer, text);
}

void ui_log(struct ui *ui, const char *line)
{
	model_log(&ui->model, line);
}

void ui_set_redraw_handler(struct ui *ui, ui_redraw_h *h, void *arg)
{
	ui->redraw_h = h;
	ui->redraw_arg = arg;
}

void ui_set_quit_handler(struct ui *ui, ui_quit_h *h, void *arg)
{
	ui->quit_h = h;
	ui->quit_arg = arg;
}

bool ui_is_terminal(const struct ui *ui)
{
	return ui->tui != NULL;
}

int ui_screen(struct ui *ui, struct buf *out)
{
	/* Leaves dirty set: the terminal still needs the same redraw. */
	if (ui->model.dirty)
		render_now(ui);
	return grid_text(ui->grid, out);
}

int ui_dump(struct ui *ui, const char *path)
{
	struct buf b;
	FILE *fp;
	int err;

	buf_init(&b, 0);
	err = ui_screen(ui, &b);
	if (err)
		goto out;
	fp = fopen(path, "we");
	if (!fp) {
		err = errno;
		goto out;
	}
	if (b.len && fwrite(b.data, 1, b.len, fp) != b.len)
		err = EIO;
	if (fclose(fp) && !err)
		err = errno;
 out:
	buf_free(&b);
	return err;
}

int ui_check_keys(const struct conf *conf, struct buf *errs)
{
	struct keymap km;

	keymap_defaults(&km);
	return keymap_load_conf(&km, conf, errs);
}
