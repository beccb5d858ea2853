/* certfetch.c - HTTPS certificate fetches through libcurl's multi interface on the loop, with a cache. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "core/buf.h"
#include "core/dl.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "ua/certfetch.h"
#include "ua/stir.h"

#define CERTFETCH_URL_MAX 2048
#define CERTFETCH_MSG_MAX 160

struct job;

struct certfetch_req {
	struct certfetch_req *next;  /* in job->waiters, or cf->later */
	struct certfetch *cf;
	struct job *job;             /* NULL: answered by tmr */
	certfetch_h *h;
	void *arg;
	struct tmr tmr;
	int err;
	char msg[CERTFETCH_MSG_MAX];
	uint8_t *data;
	size_t len;
};

struct job {
	struct job *next;
	struct certfetch *cf;
	CURL *easy;
	char *url;
	struct buf body;
	bool too_big;
	char errbuf[CURL_ERROR_SIZE];
	struct certfetch_req *waiters;
};

struct cache_ent {
	char *url;
	uint8_t *data;
	size_t len;
	int64_t expires;
	uint64_t stamp;
};

struct certfetch {
	struct loop *loop;
	CURLM *multi;
	struct tmr tmr;
	struct certfetch_opts o;
	char *ca_file;
	struct job *jobs;
	struct certfetch_req *later;  /* answered by their tmr */
	struct cache_ent *cache;
	size_t ncache;
	uint64_t stamp;
	struct certfetch_stats st;
};

/*
 * libcurl and what it drags in (libssh2 -> libcrypto, krb5, ldap, sasl,
 * nghttp2, rtmp, ...) are about 5 MB of resident pages, and only a call
 * with an Identity header whose certificate is not cached needs them: the
 * library is loaded then, not at start-up, and is never a NEEDED entry of
 * the program.  The pointers take their types from curl.h, so a mismatch
 * with the real prototypes is a compile error.
 */
#ifndef ELIBACC
#define ELIBACC ENOENT
#endif
#define CU(f) __typeof__(&curl_##f) f
static struct {
	CU(global_init);
	CU(multi_init);
	CU(multi_setopt);
	CU(multi_cleanup);
	CU(multi_add_handle);
	CU(multi_remove_handle);
	CU(multi_info_read);
	CU(multi_socket_action);
	CU(multi_assign);
	CU(easy_init);
	CU(easy_setopt);
	CU(easy_cleanup);
	CU(easy_getinfo);
	CU(easy_strerror);
} cu;
#undef CU

/* The GnuTLS flavour first (DESIGN.md); libcurl.so.4 has the same ABI. */
static const char *const curl_sonames_default[] = {
	"libcurl-gnutls.so.4", "libcurl.so.4", NULL
};
static const char *curl_soname_test;
static bool curl_ready;

void certfetch_set_library(const char *soname)
{
	curl_soname_test = soname;
}

/* Loads libcurl once; on failure msg says why (retried at the next fetch). */
static int curl_load(char *msg, size_t msgsz)
{
	const char *const *names = curl_sonames_default;
	const char *test[2] = {curl_soname_test, NULL};
	const char *name = NULL;
	char why[160] = "";
	void *h = NULL;

	if (curl_ready)
		return 0;
	if (curl_soname_test)
		names = test;
	for (size_t i = 0; names[i] && !h; i++) {
		name = names[i];
		h = dlopen(name, RTLD_LAZY | RTLD_LOCAL);
		if (!h && i == 0)
			dl_why(why, sizeof(why));
	}
	if (!h) {
		name = names[0];
		goto fail;
	}
#define LOAD(f) dl_sym(h, "curl_" #f, &cu.f, sizeof(cu.f))
	if (LOAD(global_init) || LOAD(multi_init) || LOAD(multi_setopt) ||
	    LOAD(multi_cleanup) || LOAD(multi_add_handle) ||
	    LOAD(multi_remove_handle) || LOAD(multi_info_read) ||
	    LOAD(multi_socket_action) || LOAD(multi_assign) || LOAD(easy_init) ||
	    LOAD(easy_setopt) || LOAD(easy_cleanup) || LOAD(easy_getinfo) ||
	    LOAD(easy_strerror)) {
		dl_why(why, sizeof(why));
		goto fail_close;
	}
#undef LOAD
	if (cu.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(why, sizeof(why), "curl_global_init failed");
		goto fail_close;
	}
	curl_ready = true;  /* never unloaded: its state lives on */
	log_debug("certfetch", "%s loaded", name);
	return 0;
 fail_close:
	dlclose(h);
 fail:
	memset(&cu, 0, sizeof(cu));
	log_error("certfetch", _("cannot load %s to fetch identity certificates: %s; install libcurl3-gnutls"),
		  name, why);
	snprintf(msg, msgsz, _("libcurl (%s) could not be loaded; install libcurl3-gnutls"),
		 name);
	return ELIBACC;
}

/* ------------------------------------------------------------------ */
/* cache                                                               */

static void ent_clear(struct cache_ent *e)
{
	free(e->url);
	free(e->data);
	memset(e, 0, sizeof(*e));
}

static struct cache_ent *cache_find(struct certfetch *cf, const char *url)
{
	int64_t now = (int64_t)time(NULL);

	for (size_t i = 0; i < cf->ncache; i++) {
		struct cache_ent *e = &cf->cache[i];

		if (!e->url)
			continue;
		if (e->expires < now) {
			ent_clear(e);
			continue;
		}
		if (strcmp(e->url, url) == 0) {
			e->stamp = ++cf->stamp;
			return e;
		}
	}
	return NULL;
}

static void cache_put(struct certfetch *cf, const char *url,
		      const uint8_t *data, size_t len)
{
	struct cache_ent *slot = NULL;
	int64_t expires;

	if (!cf->ncache || stir_cert_expiry(data, len, &expires) ||
	    expires < (int64_t)time(NULL))
		return;
	for (size_t i = 0; i < cf->ncache; i++) {
		struct cache_ent *e = &cf->cache[i];

		if (!e->url || strcmp(e->url, url) == 0) {
			slot = e;
			break;
		}
		if (!slot || e->stamp < slot->stamp)
			slot = e;  /* least recently used */
	}
	ent_clear(slot);
	slot->url = strdup(url);
	slot->data = malloc(len);
	if (!slot->url || !slot->data) {
		ent_clear(slot);
		return;
	}
	memcpy(slot->data, data, len);
	slot->len = len;
	slot->expires = expires;
	slot->stamp = ++cf->stamp;
}

/* ------------------------------------------------------------------ */
/* requests                                                            */

static void req_free(struct certfetch_req *r)
{
	tmr_cancel(&r->tmr);
	free(r->data);
	free(r);
}

static void later_unlink(struct certfetch_req *r)
{
	for (struct certfetch_req **pp = &r->cf->later; *pp; pp = &(*pp)->next) {
		if (*pp == r) {
			*pp = r->next;
			return;
		}
	}
}

static void req_fire(void *arg)
{
	struct certfetch_req *r = arg;

	later_unlink(r);
	r->h(r->err, r->msg, r->data, r->len, r->arg);
	req_free(r);
}

static void job_free(struct job *j)
{
	if (j->easy) {
		cu.multi_remove_handle(j->cf->multi, j->easy);
		cu.easy_cleanup(j->easy);
	}
	buf_free(&j->body);
	free(j->url);
	free(j);
}

static void job_unlink(struct job *j)
{
	for (struct job **pp = &j->cf->jobs; *pp; pp = &(*pp)->next) {
		if (*pp == j) {
			*pp = j->next;
			return;
		}
	}
}

static void job_finish(struct job *j, CURLcode res)
{
	struct certfetch *cf = j->cf;
	char msg[CERTFETCH_MSG_MAX];
	long status = 0;
	int err = 0;

	(void)cu.easy_getinfo(j->easy, CURLINFO_RESPONSE_CODE, &status);
	if (j->too_big || res == CURLE_FILESIZE_EXCEEDED) {
		err = EFBIG;
		snprintf(msg, sizeof(msg), _("the certificate at %.80s is larger than %zu bytes"),
			 j->url, cf->o.max_bytes);
	} else if (res == CURLE_OPERATION_TIMEDOUT) {
		err = ETIMEDOUT;
		snprintf(msg, sizeof(msg), _("fetching %.80s timed out after %ld ms"),
			 j->url, cf->o.timeout_ms);
	} else if (res == CURLE_COULDNT_CONNECT) {
		err = ECONNREFUSED;
		snprintf(msg, sizeof(msg), _("could not connect to fetch %.80s"), j->url);
	} else if (res == CURLE_UNSUPPORTED_PROTOCOL) {
		err = EPROTONOSUPPORT;
		snprintf(msg, sizeof(msg), _("%.80s redirected to a URL that is not https:"), j->url);
	} else if (res != CURLE_OK) {
		err = EIO;
		snprintf(msg, sizeof(msg), _("fetching %.80s failed: %.60s"), j->url,
			 j->errbuf[0] ? j->errbuf : cu.easy_strerror(res));
	} else if (status != 200) {
		err = EIO;
		snprintf(msg, sizeof(msg), _("fetching %.80s failed: HTTP status %ld"),
			 j->url, status);
	} else if (j->body.len == 0) {
		err = EIO;
		snprintf(msg, sizeof(msg), _("%.80s returned an empty body"), j->url);
	} else {
		msg[0] = '\0';
		cache_put(cf, j->url, (const uint8_t *)j->body.data, j->body.len);
	}
	log_debug("certfetch", "%s: %s", j->url, err ? msg : "fetched");
	/* A handler may cancel another waiter: pop one at a time. */
	while (j->waiters) {
		struct certfetch_req *r = j->waiters;

		j->waiters = r->next;
		r->job = NULL;
		r->h(err, msg, err ? NULL : (const uint8_t *)j->body.data,
		     err ? 0 : j->body.len, r->arg);
		req_free(r);
	}
	job_free(j);
}

static void check_done(struct certfetch *cf)
{
	CURLMsg *m;
	int left;

	while ((m = cu.multi_info_read(cf->multi, &left))) {
		struct job *j = NULL;

		if (m->msg != CURLMSG_DONE)
			continue;
		(void)cu.easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&j);
		if (!j)
			continue;
		job_unlink(j);
		job_finish(j, m->data.result);
	}
}

/* ------------------------------------------------------------------ */
/* curl <-> loop                                                       */

static void fd_h(int fd, short revents, void *arg)
{
	struct certfetch *cf = arg;
	int action = 0, running = 0;

	if (revents & (POLLIN | POLLHUP))
		action |= CURL_CSELECT_IN;
	if (revents & POLLOUT)
		action |= CURL_CSELECT_OUT;
	if (revents & (POLLERR | POLLNVAL))
		action |= CURL_CSELECT_ERR;
	(void)cu.multi_socket_action(cf->multi, fd, action, &running);
	check_done(cf);
}

static void tmr_h(void *arg)
{
	struct certfetch *cf = arg;
	int running = 0;

	(void)cu.multi_socket_action(cf->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	check_done(cf);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp,
		   void *socketp)
{
	struct certfetch *cf = userp;
	short ev = 0;

	(void)e;
	if (what == CURL_POLL_REMOVE) {
		loop_fd_del(cf->loop, s);
		cu.multi_assign(cf->multi, s, NULL);
		return 0;
	}
	if (what & CURL_POLL_IN)
		ev |= POLLIN;
	if (what & CURL_POLL_OUT)
		ev |= POLLOUT;
	if (!socketp) {
		/* New to us: a stale entry for a reused number is ours. */
		if (loop_fd_add(cf->loop, s, ev, fd_h, cf) == EALREADY) {
			loop_fd_del(cf->loop, s);
			if (loop_fd_add(cf->loop, s, ev, fd_h, cf))
				return -1;
		}
		cu.multi_assign(cf->multi, s, cf);
		return 0;
	}
	return loop_fd_events(cf->loop, s, ev) ? -1 : 0;
}

static int timer_cb(CURLM *m, long timeout_ms, void *userp)
{
	struct certfetch *cf = userp;

	(void)m;
	if (timeout_ms < 0)
		tmr_cancel(&cf->tmr);
	else
		tmr_start(cf->loop, &cf->tmr, (uint64_t)timeout_ms, tmr_h, cf);
	return 0;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct job *j = arg;
	size_t n = size * nmemb;

	if (j->body.len + n > j->cf->o.max_bytes) {
		j->too_big = true;
		return 0;  /* stops the transfer: CURLE_WRITE_ERROR */
	}
	if (buf_write(&j->body, p, n))
		return 0;
	return n;
}

/* ------------------------------------------------------------------ */
/* public                                                              */

int certfetch_alloc(struct certfetch **cfp, struct loop *loop,
		    const struct certfetch_opts *o)
{
	struct certfetch *cf;
	int err = ENOMEM;

	if (!cfp || !loop || !o || !o->max_bytes || o->timeout_ms <= 0)
		return EINVAL;
	cf = calloc(1, sizeof(*cf));
	if (!cf)
		return ENOMEM;
	cf->loop = loop;
	cf->o = *o;
	tmr_init(&cf->tmr);
	if (o->ca_file) {
		cf->ca_file = strdup(o->ca_file);
		if (!cf->ca_file)
			goto out;
		cf->o.ca_file = cf->ca_file;
	}
	if (o->cache_max) {
		cf->cache = calloc(o->cache_max, sizeof(*cf->cache));
		if (!cf->cache)
			goto out;
		cf->ncache = o->cache_max;
	}
	*cfp = cf;
	return 0;
 out:
	certfetch_free(cf);
	return err;
}

void certfetch_free(struct certfetch *cf)
{
	if (!cf)
		return;
	while (cf->jobs) {
		struct job *j = cf->jobs;

		cf->jobs = j->next;
		while (j->waiters) {
			struct certfetch_req *r = j->waiters;

			j->waiters = r->next;
			req_free(r);
		}
		job_free(j);
	}
	while (cf->later) {
		struct certfetch_req *r = cf->later;

		cf->later = r->next;
		req_free(r);
	}
	tmr_cancel(&cf->tmr);
	if (cf->multi)
		cu.multi_cleanup(cf->multi);
	for (size_t i = 0; i < cf->ncache; i++)
		ent_clear(&cf->cache[i]);
	free(cf->cache);
	free(cf->ca_file);
	free(cf);
}

static bool url_ok(const char *url)
{
	size_t n = strlen(url);

	if (n > CERTFETCH_URL_MAX || strncasecmp(url, "https://", 8) != 0 || n <= 8)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
			return false;
	return true;
}

/* The multi handle is made at the first transfer, libcurl loaded. */
static int multi_make(struct certfetch *cf)
{
	if (cf->multi)
		return 0;
	cf->multi = cu.multi_init();
	if (!cf->multi)
		return ENOMEM;
	cu.multi_setopt(cf->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
	cu.multi_setopt(cf->multi, CURLMOPT_SOCKETDATA, cf);
	cu.multi_setopt(cf->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	cu.multi_setopt(cf->multi, CURLMOPT_TIMERDATA, cf);
	return 0;
}

static int job_start(struct certfetch *cf, const char *url, struct job **jp)
{
	struct job *j;
	CURL *e;

	if (multi_make(cf))
		return ENOMEM;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	j->cf = cf;
	buf_init(&j->body, cf->o.max_bytes);
	j->url = strdup(url);
	j->easy = e = cu.easy_init();
	if (!j->url || !e) {
		job_free(j);
		return ENOMEM;
	}
	cu.easy_setopt(e, CURLOPT_URL, url);
	cu.easy_setopt(e, CURLOPT_PRIVATE, (char *)j);
	cu.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https");
	cu.easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https");
	cu.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	cu.easy_setopt(e, CURLOPT_MAXREDIRS, 3L);
	cu.easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)cf->o.max_bytes);
	cu.easy_setopt(e, CURLOPT_TIMEOUT_MS, cf->o.timeout_ms);
	cu.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, cf->o.timeout_ms);
	cu.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(e, CURLOPT_WRITEFUNCTION, write_cb);
	cu.easy_setopt(e, CURLOPT_WRITEDATA, j);
	cu.easy_setopt(e, CURLOPT_ERRORBUFFER, j->errbuf);
	cu.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	cu.easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	cu.easy_setopt(e, CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	if (cf->o.ca_file)
		cu.easy_setopt(e, CURLOPT_CAINFO, cf->o.ca_file);
	if (cu.multi_add_handle(cf->multi, e) != CURLM_OK) {
		job_free(j);
		return EIO;
	}
	j->next = cf->jobs;
	cf->jobs = j;
	cf->st.fetches++;
	*jp = j;
	return 0;
}

int certfetch_get(struct certfetch *cf, struct certfetch_req **rp,
		  const char *url, certfetch_h *h, void *arg)
{
	struct certfetch_req *r;
	struct cache_ent *e;
	struct job *j;
	int err;

	if (!cf || !url || !h)
		return EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return ENOMEM;
	r->cf = cf;
	r->h = h;
	r->arg = arg;
	tmr_init(&r->tmr);
	if (!url_ok(url)) {
		cf->st.refused++;
		r->err = EPROTONOSUPPORT;
		snprintf(r->msg, sizeof(r->msg),
			 _("the certificate URL is not an https: URL; nothing was fetched"));
		goto later;
	}
	e = cache_find(cf, url);
	if (e) {
		r->data = malloc(e->len);
		if (!r->data) {
			free(r);
			return ENOMEM;
		}
		memcpy(r->data, e->data, e->len);
		r->len = e->len;
		cf->st.cache_hits++;
		goto later;
	}
	for (j = cf->jobs; j; j = j->next)
		if (strcmp(j->url, url) == 0)
			break;
	if (j) {
		cf->st.joined++;
	} else {
		r->err = curl_load(r->msg, sizeof(r->msg));
		if (r->err)
			goto later;
		err = job_start(cf, url, &j);
		if (err) {
			free(r);
			return err;
		}
	}
	r->job = j;
	r->next = j->waiters;
	j->waiters = r;
	if (rp)
		*rp = r;
	return 0;
 later:
	r->next = cf->later;
	cf->later = r;
	tmr_start(cf->loop, &r->tmr, 0, req_fire, r);
	if (rp)
		*rp = r;
	return 0;
}

void certfetch_cancel(struct certfetch_req *r)
{
	if (!r)
		return;
	if (r->job) {
		/* The transfer goes on for the cache and other waiters. */
		for (struct certfetch_req **pp = &r->job->waiters; *pp; pp = &(*pp)->next) {
			if (*pp == r) {
				*pp = r->next;
				break;
			}
		}
	} else {
		later_unlink(r);
	}
	req_free(r);
}

void certfetch_stats(const struct certfetch *cf, struct certfetch_stats *st)
{
	*st = cf->st;
}
