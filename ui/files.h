/* files.h - the UI's contacts and history files: load, report, record, save. */
#ifndef SIPTTY_UI_FILES_H
#define SIPTTY_UI_FILES_H

struct call_mgr;
struct ui;

/*
 * Loads $XDG_DATA_HOME/siptty/contacts and $XDG_STATE_HOME/siptty/history.
 * A corrupt one is reported (log and status line, FILE:LINE) and renamed
 * to FILE.corrupt-TIMESTAMP; one that cannot be read is left alone and
 * never overwritten.  0 or ENOMEM.
 */
int files_open(struct ui *ui);
void files_close(struct ui *ui);
/* Records each call of cm that reached a final state and was not
 * recorded yet, then saves the history. */
void files_calls_changed(struct ui *ui, struct call_mgr *cm);
/* ":import FILE.vcf": adds its cards to the contacts and saves them. */
int files_import_vcard(struct ui *ui, const char *path);
/* Adds one contact and saves; the status line says what happened. */
int files_add_contact(struct ui *ui, const char *name, const char *uri);

#endif
