/* cmd.h - the one command table and dispatcher for keys, the prompt and scripts. */
#ifndef SIPTTY_UI_CMD_H
#define SIPTTY_UI_CMD_H

#include <stddef.h>

#include "core/buf.h"

struct conf;
struct ui;

/* Returns 0, or an errno value after putting the reason on the status line. */
typedef int (cmd_h)(struct ui *ui, const char *args);

enum cmd_flags {
	CMD_ARGS = 1 << 0,     /* takes an argument after its name */
	CMD_KEY_ARG = 1 << 1,  /* from a key: the key's character is the
	                        * argument (DTMF digits) */
};

struct cmd {
	const char *name;      /* what the ':' prompt and [keys] use */
	int key, key2;         /* default keys, KEYS_NONE when unused */
	const char *more;      /* more default keys, one character each */
	unsigned flags;
	const char *help;      /* N_(): translated when shown */
	cmd_h *h;
};

#define KEYMAP_MAX 64

struct keymap {
	size_t n;
	struct {
		int key;
		unsigned cmd;      /* index in the table */
	} b[KEYMAP_MAX];
};

size_t cmd_count(void);
const struct cmd *cmd_get(size_t i);
const struct cmd *cmd_find(const char *name);

void keymap_defaults(struct keymap *km);
const struct cmd *keymap_lookup(const struct keymap *km, int key);
/* The keys bound to c, e.g. "?, F1" or "0-9, *, #"; "" when none. */
void keymap_keys(const struct keymap *km, const struct cmd *c, char *out,
		 size_t sz);
/*
 * Binds a space-separated list of key names to the command, replacing its
 * keys; a key taken from another command leaves that one.  0, ENOENT for
 * an unknown command, EINVAL for a bad key name (why says which).
 */
int keymap_bind(struct keymap *km, const char *name, const char *keys,
		char *why, size_t sz);
/* Applies the [keys] section; each problem is one line in errs. */
int keymap_load_conf(struct keymap *km, const struct conf *conf,
		     struct buf *errs);

/* ENOENT when no command has that key (the status line says so). */
int cmd_dispatch_key(struct ui *ui, int key);
/* "dial sip:x": ENOENT for an unknown command, EINVAL for bad arguments. */
int cmd_dispatch_line(struct ui *ui, const char *line);

#endif
