/* store.h - the UI's own files: where they live, read whole, written atomically. */
#ifndef SIPTTY_UI_STORE_H
#define SIPTTY_UI_STORE_H

#include <stddef.h>

#define STORE_PATH_MAX 4096
#define STORE_MAX_BYTES (2 * 1024 * 1024)

enum store_base {
	STORE_DATA = 0,    /* $XDG_DATA_HOME, else ~/.local/share */
	STORE_STATE,       /* $XDG_STATE_HOME, else ~/.local/state */
};

/* BASE/siptty/name into out; ENOENT when neither the XDG variable nor
 * HOME is set, ENAMETOOLONG. */
int store_path(enum store_base base, const char *name, char *out, size_t sz);

/*
 * Reads the whole file (at most STORE_MAX_BYTES) into a malloc'd,
 * NUL-terminated *textp.  ENOENT when there is none, E2BIG when larger,
 * EBADMSG when it holds a NUL byte.
 */
int store_read(const char *path, char **textp, size_t *lenp);

/*
 * Replaces path with data so that a crash at any moment leaves the old
 * file or the new one: a temporary file in the same directory, fsync,
 * rename over path, fsync of the directory.  Makes the directory (0700)
 * when missing.  0 or an errno value.
 */
int store_write(const char *path, const char *data, size_t len);

/* Renames a corrupt file to path.corrupt-YYYYMMDDTHHMMSS (UTC); the new
 * name in aside.  0 or an errno value. */
int store_set_aside(const char *path, char *aside, size_t sz);

#endif
