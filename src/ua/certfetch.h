/* certfetch.h - fetching STIR certificates over HTTPS with libcurl's multi
 * interface inside the loop: never blocking, bounded, cached, shared. */
#ifndef SIPTTY_UA_CERTFETCH_H
#define SIPTTY_UA_CERTFETCH_H

#include <stddef.h>
#include <stdint.h>

struct loop;
struct certfetch;
struct certfetch_req;

struct certfetch_opts {
	long timeout_ms;        /* whole transfer, connect included */
	size_t max_bytes;       /* a larger body is refused */
	const char *ca_file;    /* CURLOPT_CAINFO; NULL: the system store */
	size_t cache_max;       /* cached URLs (oldest dropped first) */
};

/*
 * err 0: data/len is the body (valid only during the call).  Otherwise
 * an errno value and msg, one English sentence: EPROTONOSUPPORT (not an
 * https: URL, nothing was fetched), ETIMEDOUT, EFBIG (over max_bytes),
 * ECONNREFUSED, ELIBACC (libcurl could not be loaded; also logged), EIO
 * (anything else, the HTTP status included).
 */
typedef void (certfetch_h)(int err, const char *msg, const uint8_t *data,
			   size_t len, void *arg);

int certfetch_alloc(struct certfetch **cfp, struct loop *loop,
		    const struct certfetch_opts *o);
/* Cancels every request: no handler runs after this. */
void certfetch_free(struct certfetch *cf);

/*
 * Fetches url (or takes it from the cache, or joins a fetch of the same
 * URL already under way).  h runs later on the loop, never inside this
 * call, exactly once unless certfetch_cancel() comes first.
 */
int certfetch_get(struct certfetch *cf, struct certfetch_req **rp,
		  const char *url, certfetch_h *h, void *arg);
void certfetch_cancel(struct certfetch_req *r);

/*
 * libcurl is loaded (dlopen) at the first fetch that needs the network.
 * Tests: load soname instead of libcurl-gnutls.so.4 / libcurl.so.4; call
 * it before that first fetch.
 */
void certfetch_set_library(const char *soname);

/* Counters for tests and logs. */
struct certfetch_stats {
	unsigned fetches;       /* transfers started */
	unsigned cache_hits;
	unsigned joined;        /* requests that joined a running transfer */
	unsigned refused;       /* URLs refused without a connection */
};
void certfetch_stats(const struct certfetch *cf, struct certfetch_stats *st);

#endif
