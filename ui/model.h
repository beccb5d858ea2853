/* model.h - what the screen shows, as data: handlers change it, render draws it. */
#ifndef SIPTTY_UI_MODEL_H
#define SIPTTY_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ua/ident.h"

#define MODEL_LINE_MAX 512
#define MODEL_LOG_LINES 200
#define MODEL_TRACE_LINES 400
#define MODEL_TRACE_LINE_MAX 160
#define MODEL_MAX_ACCOUNTS 16
#define PROMPT_MAX 256
#define MODEL_MAX_CALLS 8

struct call_mgr;
struct conf;

enum account_state {
	ACCOUNT_NOT_REGISTERED = 0,
	ACCOUNT_REGISTERING,
	ACCOUNT_REGISTERED,
	ACCOUNT_FAILED,
};

struct model_account {
	char name[64];
	char aor[256];
	char transport[8];     /* as configured, "" when unset */
	enum account_state state;
	bool verified;          /* TLS with the server's identity verified */
};

enum prompt_kind {
	PROMPT_NONE = 0,
	PROMPT_DIAL,
	PROMPT_COMMAND,
};

enum prompt_result {
	PROMPT_EDITED = 0,
	PROMPT_SUBMIT,
	PROMPT_CANCEL,
	PROMPT_IGNORED,        /* a key the line editor has no use for */
};

struct prompt {
	enum prompt_kind kind;
	char text[PROMPT_MAX];
	size_t len;            /* bytes */
	size_t cursor;         /* byte offset, always on a character start */
};

/* One row of the calls list, copied from the call manager. */
struct model_call {
	unsigned id;
	bool out;
	char peer[256];
	char state[16];        /* call_state_name() */
	bool live;
	bool local_hold, remote_hold;
	char codec[16];
	unsigned duration_s;   /* since the answer, frozen at the end */
	bool selected;
	bool incoming;         /* ringing at us: the identity view shows */
	bool muted;
	char srtp[32];         /* the SRTP suite, "" for none */
	char qos[16];          /* "" when QoS is off */
	char qos_reason[160];
	char dtmf_rx[32];
	double loss_pct, jitter_ms, rtt_ms;   /* -1 while unknown */
	uint16_t code;
	struct ident_verdict ident;   /* what an incoming call's caller is */
};

/* The panel over the calls area, one at a time. */
enum model_view {
	VIEW_NONE = 0,
	VIEW_IDENTITY,         /* i: who the selected call is with */
	VIEW_CONTACTS,         /* c */
	VIEW_HISTORY,          /* r */
};

struct contacts;
struct history;

struct model {
	char headline[MODEL_LINE_MAX];
	char hint[MODEL_LINE_MAX];
	struct model_account acc[MODEL_MAX_ACCOUNTS];
	size_t nacc;
	struct model_call calls[MODEL_MAX_CALLS];
	size_t ncalls;
	struct call_mgr *cm;   /* where the call commands go; NULL: no calls */
	bool quit_armed;       /* q was pressed once with a call up */
	char log[MODEL_LOG_LINES][MODEL_LINE_MAX];
	size_t nlog;           /* lines added so far; the ring keeps the last */
	/* The SIP trace: the lines of the messages sent and received, secrets
	 * already masked (ua/trace.h); a ring like the log's. */
	char trace[MODEL_TRACE_LINES][MODEL_TRACE_LINE_MAX];
	size_t ntrace;
	bool show_log, show_trace, show_help;
	/* The privacy of the next call, as the status bar shows it
	 * ("user;id"; "" when the account has none), and whether the user
	 * chose it (p) rather than the account. */
	char privacy[48];
	bool privacy_chosen;
	/* The wire preview (w): the scrubbed INVITE of the next call. */
	bool show_preview;
	char preview[8192];
	struct prompt prompt;
	/* Tab in the dialler: the text typed before the first Tab, and
	 * which of its completions is shown (0: none yet). */
	char complete_base[PROMPT_MAX];
	size_t complete_next;
	enum model_view view;
	size_t list_sel;       /* the highlighted row of contacts/history */
	const struct contacts *contacts;   /* owned by the ui; may be NULL */
	const struct history *history;
	const char *contacts_file, *history_file;  /* for the empty lists */
	char status[MODEL_LINE_MAX];
	bool status_err;
	bool dirty;            /* set by every change, cleared by the redraw */
};

/* Copies the calls list from m->cm as of now_ms (loop_now_ms()). */
void model_calls_update(struct model *m, uint64_t now_ms);
/* Copies a verdict with every text made safe for the screen. */
void model_ident_copy(struct ident_verdict *d, const struct ident_verdict *v);
/* The live calls (0 without a call manager). */
size_t model_live_calls(const struct model *m);

/* Gives the UI the call manager its call commands drive (belongs in
 * ui.h; declared here until the lead moves it). */
struct ui;

void model_init(struct model *m, const struct conf *conf,
		const char *headline, const char *hint);
void model_log(struct model *m, const char *line);
/* One traced message: a heading ("--> TLS 192.0.2.1:5061" or "<--")
 * and its lines, each cut to the pane's width at most. */
void model_trace(struct model *m, bool tx, const char *peer,
		 const char *text);
/* The most recent trace line i back (0 = newest), or NULL. */
const char *model_trace_line(const struct model *m, size_t i);
/* The most recent log line i back (0 = newest), or NULL. */
const char *model_log_line(const struct model *m, size_t i);
void model_status(struct model *m, bool err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Copies text with control characters replaced, so nothing reaches the terminal raw. */
void model_copy(char *dst, size_t sz, const char *src);

void prompt_open(struct prompt *p, enum prompt_kind kind);
void prompt_close(struct prompt *p);
enum prompt_result prompt_key(struct prompt *p, int key);

#endif
