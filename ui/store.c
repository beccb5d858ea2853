/* store.c - reading and atomically replacing the UI's own files. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ui/store.h"

int store_path(enum store_base base, const char *name, char *out, size_t sz)
{
	const char *xdg = getenv(base == STORE_DATA ? "XDG_DATA_HOME" :
				 "XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;

	/* XDG Base Directory: a relative value is invalid and ignored. */
	if (xdg && *xdg == '/')
		n = snprintf(out, sz, "%s/siptty/%s", xdg, name);
	else if (home && *home)
		n = snprintf(out, sz, "%s/%s/siptty/%s", home,
			     base == STORE_DATA ? ".local/share" :
			     ".local/state", name);
	else
		return ENOENT;
	return n < 0 || (size_t)n >= sz ? ENAMETOOLONG : 0;
}

int store_read(const char *path, char **textp, size_t *lenp)
{
	struct stat st;
	char *text = NULL;
	size_t got = 0;
	ssize_t n = 0;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	if (fstat(fd, &st) < 0) {
		err = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err = EISDIR;
		goto out;
	}
	text = malloc(STORE_MAX_BYTES + 1);
	if (!text) {
		err = ENOMEM;
		goto out;
	}
	while (got <= STORE_MAX_BYTES &&
	       (n = read(fd, text + got, STORE_MAX_BYTES + 1 - got)) > 0)
		got += (size_t)n;
	if (n < 0)
		err = errno;
	else if (got > STORE_MAX_BYTES)
		err = E2BIG;
	else if (memchr(text, '\0', got))
		err = EBADMSG;
 out:
	close(fd);
	if (err) {
		free(text);
		return err;
	}
	text[got] = '\0';
	*textp = text;
	if (lenp)
		*lenp = got;
	return 0;
}

static int mkdir_parents(const char *path)
{
	char dir[STORE_PATH_MAX];
	char *p;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return ENAMETOOLONG;
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return errno;
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return errno;
	return 0;
}

static int write_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static int fsync_dir(const char *path)
{
	char dir[STORE_PATH_MAX];
	char *slash;
	int fd, err = 0;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (fsync(fd) < 0)
		err = errno;
	close(fd);
	return err;
}

int store_write(const char *path, const char *data, size_t len)
{
	char tmp[STORE_PATH_MAX];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >=
	    (int)sizeof(tmp))
		return ENAMETOOLONG;
	err = mkdir_parents(path);
	if (err)
		return err;
	/* mkstemp: two siptty instances never write the same temp file. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return errno;
	err = write_all(fd, data, len);
	if (!err && fsync(fd) < 0)
		err = errno;
	if (close(fd) < 0 && !err)
		err = errno;
	if (!err && rename(tmp, path) < 0)
		err = errno;
	if (err) {
		(void)unlink(tmp);
		return err;
	}
	return fsync_dir(path);
}

int store_set_aside(const char *path, char *aside, size_t sz)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n;

	if (!gmtime_r(&now, &tm))
		return EINVAL;
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	n = snprintf(aside, sz, "%s.corrupt-%s", path, stamp);
	if (n < 0 || (size_t)n >= sz)
		return ENAMETOOLONG;
	if (rename(path, aside) < 0)
		return errno;
	return fsync_dir(path);
}
