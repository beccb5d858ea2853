/* conf.h - the INI configuration (siptty.conf(5)): load, validate, look up. */
#ifndef SIPTTY_CONF_H
#define SIPTTY_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define CONF_MAX_ENTRIES 4096
#define CONF_MAX_ERRORS 64

struct conf;

/* One problem found while loading: the file, the line, one sentence. */
struct conf_err {
	const char *file;
	unsigned line;       /* 0 when the problem is the file itself */
	char msg[256];
};

/*
 * Loads and validates path.  A syntax error or a value that breaks the
 * schema does not stop the load: every problem is collected, so
 * --check-config can report them all.  Returns ENOENT when the file does
 * not exist, EBADMSG when problems were found (see conf_errors), 0 else.
 * *confp is set on 0 and on EBADMSG.
 */
int conf_load(struct conf **confp, const char *path);
int conf_load_string(struct conf **confp, const char *name, const char *text);
void conf_free(struct conf *conf);

size_t conf_nerrors(const struct conf *conf);
const struct conf_err *conf_error(const struct conf *conf, size_t i);
/* "FILE:LINE: message" (translated). */
void conf_error_print(struct buf *out, const struct conf_err *e);

/* Values: section is "account alice", "tls", ...; NULL when unset. */
const char *conf_get(const struct conf *conf, const char *section,
		     const char *key);
unsigned conf_line(const struct conf *conf, const char *section,
		   const char *key);
bool conf_get_bool(const struct conf *conf, const char *section,
		   const char *key, bool dflt);
long conf_get_int(const struct conf *conf, const char *section,
		  const char *key, long dflt);

/* The i-th setting of section in file order: 0, or ENOENT past the end. */
int conf_entry(const struct conf *conf, const char *section, size_t i,
	       const char **key, const char **value, unsigned *line);

/* Sections named "PREFIX NAME" in file order: the i-th NAME, or NULL. */
const char *conf_section_name(const struct conf *conf, const char *prefix,
			      size_t i);

/* The default path: $XDG_CONFIG_HOME/siptty/siptty.conf. */
int conf_default_path(char *out, size_t sz);

#endif
