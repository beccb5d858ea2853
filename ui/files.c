/* files.c - contacts and history on disk for the UI: load, set aside, save. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "ua/call.h"
#include "ui/contacts.h"
#include "ui/files.h"
#include "ui/history.h"
#include "ui/store.h"
#include "ui/ui_priv.h"

enum which { CONTACTS, HISTORY };

static int parse(struct ui *ui, enum which w, const char *text,
		 unsigned *line, const char **why)
{
	return w == CONTACTS ? contacts_parse(ui->contacts, text, line, why) :
	       history_parse(ui->history, text, line, why);
}

/* Reads one file; a corrupt one is set aside and said so, never lost. */
static void load(struct ui *ui, enum which w, const char *path, bool *ro)
{
	char aside[STORE_PATH_MAX + 64];
	const char *why = NULL;
	unsigned line = 0;
	char *text = NULL;
	int err, aerr;

	err = store_read(path, &text, NULL);
	if (err == ENOENT)
		return;
	if (!err) {
		err = parse(ui, w, text, &line, &why);
		free(text);
		if (!err)
			return;
	}
	if (err == E2BIG && !why)
		why = N_("the file is larger than 2 MiB");
	else if (err == EBADMSG && !why)
		why = N_("the file holds a NUL byte");
	if (err != EBADMSG && err != E2BIG) {
		/* Unreadable (permissions...): leave it, never overwrite. */
		*ro = true;
		log_warn("ui", "%s: %s", path, strerror(err));
		model_status(&ui->model, true,
			     _("Cannot read %s: %s; it is left as it is and "
			       "not written to."), path, strerror(err));
		return;
	}
	aerr = store_set_aside(path, aside, sizeof(aside));
	if (aerr) {
		*ro = true;
		log_warn("ui", "%s:%u: %s; cannot set it aside: %s", path,
			 line, why, strerror(aerr));
		model_status(&ui->model, true,
			     _("%s:%u: %s. It could not be renamed (%s), so "
			       "it is not written to."), path, line, _(why),
			     strerror(aerr));
		return;
	}
	log_warn("ui", "%s:%u: %s; moved to %s", path, line, why, aside);
	/* Two status lines at 80 columns: the directory is in the path. */
	model_status(&ui->model, true, _("%s:%u: %s; set aside as %s."), path,
		     line, _(why), strrchr(aside, '/') ? strrchr(aside, '/') + 1 :
		     aside);
}

int files_open(struct ui *ui)
{
	int err;

	err = contacts_alloc(&ui->contacts);
	if (!err)
		err = history_alloc(&ui->history);
	if (err)
		return err;
	ui->model.contacts = ui->contacts;
	ui->model.history = ui->history;
	if (store_path(STORE_DATA, "contacts", ui->contacts_path,
		       sizeof(ui->contacts_path)))
		ui->contacts_path[0] = '\0';
	if (store_path(STORE_STATE, "history", ui->history_path,
		       sizeof(ui->history_path)))
		ui->history_path[0] = '\0';
	ui->model.contacts_file = ui->contacts_path;
	ui->model.history_file = ui->history_path;
	if (ui->contacts_path[0])
		load(ui, CONTACTS, ui->contacts_path, &ui->contacts_ro);
	if (ui->history_path[0])
		load(ui, HISTORY, ui->history_path, &ui->history_ro);
	return 0;
}

void files_close(struct ui *ui)
{
	contacts_free(ui->contacts);
	history_free(ui->history);
	ui->contacts = NULL;
	ui->history = NULL;
	ui->model.contacts = NULL;
	ui->model.history = NULL;
}

static int save(struct ui *ui, enum which w)
{
	const char *path = w == CONTACTS ? ui->contacts_path :
			   ui->history_path;
	struct buf b;
	int err;

	if (!path[0]) {
		model_status(&ui->model, true,
			     _("Cannot save: neither HOME nor XDG_DATA_HOME "
			       "and XDG_STATE_HOME are set."));
		return ENOENT;
	}
	if (w == CONTACTS ? ui->contacts_ro : ui->history_ro) {
		model_status(&ui->model, true,
			     _("%s is not written to: it could not be read "
			       "when siptty started."), path);
		return EROFS;
	}
	buf_init(&b, STORE_MAX_BYTES);
	err = w == CONTACTS ? contacts_format(ui->contacts, &b) :
	      history_format(ui->history, &b);
	if (!err)
		err = store_write(path, b.data, b.len);
	buf_free(&b);
	if (err) {
		log_warn("ui", "cannot write %s: %s", path, strerror(err));
		model_status(&ui->model, true, _("Cannot write %s: %s."),
			     path, strerror(err));
	}
	return err;
}

static struct ui_track *track(struct ui *ui, unsigned id)
{
	struct ui_track *free_slot = NULL, *oldest = NULL;

	for (size_t i = 0; i < UI_TRACK_MAX; i++) {
		struct ui_track *t = &ui->track[i];

		if (t->used && t->id == id)
			return t;
		if (!t->used && !free_slot)
			free_slot = t;
		if (t->used && t->stored && (!oldest || t->seen < oldest->seen))
			oldest = t;
	}
	if (!free_slot)
		free_slot = oldest;
	if (!free_slot)
		return NULL;  /* 32 calls none of which ended: not tracked */
	memset(free_slot, 0, sizeof(*free_slot));
	free_slot->used = true;
	free_slot->id = id;
	free_slot->seen = time(NULL);
	return free_slot;
}

static void entry_of(const struct call_info *ci, time_t seen,
		     struct hist_entry *e)
{
	bool answered = ci->start_ms != 0;

	memset(e, 0, sizeof(*e));
	e->when = seen;
	e->out = ci->out;
	e->code = ci->code <= 699 ? ci->code : 0;
	if (ci->state == CALL_TRANSFERRED)
		e->result = HIST_TRANSFERRED;
	else if (answered)
		e->result = HIST_ANSWERED;
	else if (ci->state == CALL_FAILED)
		e->result = HIST_FAILED;
	else if (!ci->out && (ci->code == 486 || ci->code == 603))
		e->result = HIST_REJECTED;  /* what h and :reject send */
	else
		e->result = ci->out ? HIST_CANCELLED : HIST_MISSED;
	if (answered && ci->end_ms > ci->start_ms)
		e->duration_s = (unsigned)((ci->end_ms - ci->start_ms) / 1000);
	if (!ci->out) {
		e->have_verdict = true;
		e->verdict = ci->ident.kind;
		if (ci->ident.kind == IDENT_VERIFIED)
			snprintf(e->who, sizeof(e->who), "%s", ci->ident.orig);
		else if (ci->ident.kind == IDENT_ASSERTED)
			snprintf(e->who, sizeof(e->who), "%s", ci->ident.pai);
	}
	snprintf(e->peer, sizeof(e->peer), "%s", ci->peer);
}

void files_calls_changed(struct ui *ui, struct call_mgr *cm)
{
	struct call_info ci;
	bool added = false;

	for (size_t i = 0; cm && !call_mgr_info(cm, i, &ci); i++) {
		struct ui_track *t = track(ui, ci.id);
		struct hist_entry e;

		if (!t || t->stored || !call_state_final(ci.state))
			continue;
		t->stored = true;
		if (!ci.peer[0])
			continue;
		entry_of(&ci, t->seen, &e);
		history_add(ui->history, &e);
		added = true;
	}
	if (added)
		(void)save(ui, HISTORY);
}

int files_add_contact(struct ui *ui, const char *name, const char *uri)
{
	const char *why = NULL;
	int err = contacts_add(ui->contacts, name, uri, &why);

	if (err == EEXIST) {
		model_status(&ui->model, true,
			     _("%s is in the contacts already."), uri);
		return err;
	}
	if (err) {
		model_status(&ui->model, true, _("Cannot add %s: %s."), uri,
			     why ? _(why) : strerror(err));
		return err;
	}
	err = save(ui, CONTACTS);
	if (!err)
		model_status(&ui->model, false, _("Added %s to the contacts."),
			     uri);
	return err;
}

int files_import_vcard(struct ui *ui, const char *path)
{
	const char *why = NULL;
	size_t added = 0, skipped = 0;
	unsigned line = 0;
	char *text = NULL;
	int err;

	err = store_read(path, &text, NULL);
	if (err) {
		model_status(&ui->model, true, _("Cannot import %s: %s."),
			     path, err == EBADMSG ?
			     _("it is not a text file") : strerror(err));
		return err;
	}
	err = contacts_import_vcard(ui->contacts, text, &added, &skipped,
				    &line, &why);
	free(text);
	if (err == EBADMSG || (err && why)) {
		model_status(&ui->model, true, _("Cannot import %s:%u: %s."),
			     path, line, _(why));
		if (err != E2BIG)
			return err;
	} else if (err) {
		model_status(&ui->model, true, _("Cannot import %s: %s."),
			     path, strerror(err));
		return err;
	}
	if (added) {
		int serr = save(ui, CONTACTS);

		if (serr)
			return serr;
	}
	if (!err)
		model_status(&ui->model, false,
			     _("Imported %zu contacts from %s (%zu addresses "
			       "not used)."), added, path, skipped);
	log_info("ui", "imported %zu contacts from %s, %zu not used", added,
		 path, skipped);
	ui->model.dirty = true;
	return err;
}
