/* history.h - the call history: one call a line, capped, kept across runs. */
#ifndef SIPTTY_UI_HISTORY_H
#define SIPTTY_UI_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/buf.h"
#include "ua/ident.h"
#include "ui/target.h"

#define HISTORY_MAX 1000       /* the oldest entries go first */
#define HISTORY_LINE_MAX 1024

enum hist_result {
	HIST_ANSWERED = 0,
	HIST_MISSED,           /* incoming, never answered */
	HIST_CANCELLED,        /* outgoing, ended before an answer */
	HIST_FAILED,           /* an error response or no answer at all */
	HIST_TRANSFERRED,
	HIST_REJECTED,         /* incoming, refused here (486, 603) */
};

struct hist_entry {
	time_t when;           /* the call was first seen, UTC */
	bool out;
	enum hist_result result;
	unsigned code;         /* the final response, 0 when none */
	unsigned duration_s;
	bool have_verdict;     /* incoming calls only */
	enum ident_kind verdict;
	char who[256];         /* the verified or asserted identity, or "" */
	char peer[TARGET_MAX + 1];  /* what dialling back calls */
};

struct history {
	struct hist_entry *v;  /* oldest first */
	size_t n;
};

int history_alloc(struct history **hp);
void history_free(struct history *h);

/*
 * Replaces the list with the file's text.  EBADMSG with *line and *why
 * (an N_() string) on the first line that is wrong; the list is then
 * empty.  Past HISTORY_MAX lines the oldest are dropped.
 */
int history_parse(struct history *h, const char *text, unsigned *line,
		  const char **why);
int history_format(const struct history *h, struct buf *out);
/* Appends e, dropping the oldest when full; control characters in its
 * text become spaces so that the file stays one call a line. */
void history_add(struct history *h, const struct hist_entry *e);

/* Words for the file and the screen: "answered", "verified", ... */
const char *hist_result_name(enum hist_result r);
const char *hist_verdict_name(enum ident_kind k);

#endif
