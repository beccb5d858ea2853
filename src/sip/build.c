/* build.c - creates messages from scratch and edits headers and body of any message. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/msg_int.h"

#define BUILD_ARENA 2048

static int msg_new(struct sip_msg **msgp)
{
	size_t head = (sizeof(struct sip_msg) + alignof(max_align_t) - 1) &
		      ~(alignof(max_align_t) - 1);
	struct sip_msg *msg;

	msg = malloc(head + BUILD_ARENA);
	if (!msg)
		return ENOMEM;
	memset(msg, 0, offsetof(struct sip_msg, tc));
	msg->ar = (char *)msg + head;
	msg->ar_cap = BUILD_ARENA;
	*msgp = msg;
	return 0;
}

static bool no_crlf(const char *p, size_t l)
{
	return !memchr(p, '\r', l) && !memchr(p, '\n', l);
}

static bool is_token(const char *p, size_t l)
{
	for (size_t i = 0; i < l; i++) {
		if (!sip_is(p[i], CT_TOKEN))
			return false;
	}
	return l > 0;
}

int sip_msg_request_alloc(struct sip_msg **msgp, const char *method,
			  const char *ruri)
{
	struct sip_msg *msg = NULL;
	size_t ml, ul;
	int err;

	if (!msgp || !method || !ruri)
		return EINVAL;
	ml = strlen(method);
	ul = strlen(ruri);
	if (!is_token(method, ml) || !ul || ul > SIP_URI_MAX)
		return EINVAL;
	for (size_t i = 0; i < ul; i++) {
		if ((unsigned char)ruri[i] <= 0x20 || ruri[i] == 0x7f)
			return EINVAL;
	}
	err = msg_new(&msg);
	if (err)
		return err;
	msg->req = true;
	err = sip_msg_memdup(msg, &msg->method, method, ml);
	if (!err)
		err = sip_msg_memdup(msg, &msg->ruri, ruri, ul);
	if (err)
		goto out;
	msg->mid = sip_method_lookup(&msg->method);
	msg->body.p = msg->ar;
	*msgp = msg;
	msg = NULL;
out:
	sip_msg_free(msg);
	return err;
}

int sip_msg_response_alloc(struct sip_msg **msgp, uint16_t status,
			   const char *reason)
{
	struct sip_msg *msg = NULL;
	size_t rl;
	int err;

	if (!msgp || status < 100 || status > 699)
		return EINVAL;
	if (!reason)
		reason = "";
	rl = strlen(reason);
	if (!no_crlf(reason, rl))
		return EINVAL;
	err = msg_new(&msg);
	if (err)
		return err;
	msg->status = status;
	err = sip_msg_memdup(msg, &msg->reason, reason, rl);
	if (err)
		goto out;
	msg->body.p = msg->ar;
	*msgp = msg;
	msg = NULL;
out:
	sip_msg_free(msg);
	return err;
}

/* The header array starts inside the message allocation and moves to
 * the heap on the first insert that does not fit. */
static int grow(struct sip_msg *msg)
{
	struct sip_hdr *h;
	size_t cap;

	if (msg->nhdr < msg->hdrcap)
		return 0;
	if (msg->nhdr >= SIP_HDR_MAX)
		return E2BIG;
	cap = msg->hdrcap ? msg->hdrcap * 2 : 16;
	if (cap > SIP_HDR_MAX)
		cap = SIP_HDR_MAX;
	h = malloc(cap * sizeof(*h));
	if (!h)
		return ENOMEM;
	if (msg->nhdr)
		memcpy(h, msg->hdrs, msg->nhdr * sizeof(*h));
	if (msg->hdrs_heap)
		free(msg->hdrs);
	msg->hdrs = h;
	msg->hdrcap = cap;
	msg->hdrs_heap = true;
	return 0;
}

/* Stores a header whose value is known to be well-formed (new values
 * were checked, copied ones come from a parsed message). */
static int hdr_put(struct sip_msg *msg, size_t pos, enum sip_hdr_id id,
		   const struct pl *name, bool copy_name, const struct pl *val)
{
	struct sip_hdr h;
	int err;

	if (name->l + val->l + 4 > SIP_HDR_LEN_MAX)
		return E2BIG;
	if (copy_name)
		err = sip_msg_memdup(msg, &h.name, name->p, name->l);
	else
		err = (h.name = *name, 0);
	if (!err)
		err = sip_msg_memdup(msg, &h.val, val->p, val->l);
	if (err)
		return err;
	h.id = id;
	h.marks = 0;
	err = grow(msg);
	if (err)
		return err;
	memmove(&msg->hdrs[pos + 1], &msg->hdrs[pos],
		(msg->nhdr - pos) * sizeof(h));
	msg->hdrs[pos] = h;
	msg->nhdr++;
	msg->hnum[id]++;
	sip_msg_tc_drop(msg, id);
	return 0;
}

int sip_msg_hdr_insert(struct sip_msg *msg, size_t pos, enum sip_hdr_id id,
		       const char *name, const struct pl *val)
{
	struct pl n, v;

	if (!msg || !val || (!val->p && val->l) || pos > msg->nhdr ||
	    (unsigned)id >= SIP_HDR_NUM || id == SIP_HDR_NONE)
		return EINVAL;
	if (!name && id == SIP_HDR_OTHER)
		return EINVAL;
	v = *val;
	/* Trimmed as the parser would, so that print and parse agree. */
	while (v.l && sip_is(*v.p, CT_WSP))
		sip_adv(&v, 1);
	while (v.l && sip_is(v.p[v.l - 1], CT_WSP))
		v.l--;
	if (v.l && !no_crlf(v.p, v.l))
		return EINVAL;
	if (!name) {
		pl_set_str(&n, sip_hdr_name(id));
		return hdr_put(msg, pos, id, &n, false, &v);
	}
	pl_set_str(&n, name);
	if (!is_token(n.p, n.l))
		return EINVAL;
	if (id == SIP_HDR_OTHER)
		id = sip_hdr_lookup(&n);
	else if (sip_hdr_lookup(&n) != id)
		return EINVAL;
	return hdr_put(msg, pos, id, &n, true, &v);
}

int sip_msg_hdr_add(struct sip_msg *msg, enum sip_hdr_id id, const char *val)
{
	struct pl v;

	if (!msg || !val)
		return EINVAL;
	pl_set_str(&v, val);
	return sip_msg_hdr_insert(msg, msg->nhdr, id, NULL, &v);
}

int sip_msg_hdr_addf(struct sip_msg *msg, enum sip_hdr_id id,
		     const char *fmt, ...)
{
	struct buf b;
	va_list ap;
	int err;

	if (!msg)
		return EINVAL;
	buf_init(&b, SIP_HDR_LEN_MAX);
	va_start(ap, fmt);
	err = buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!err)
		err = sip_msg_hdr_add(msg, id, b.data ? b.data : "");
	buf_free(&b);
	return err;
}

int sip_msg_hdr_add_named(struct sip_msg *msg, const char *name,
			  const char *val)
{
	struct pl v;

	if (!msg || !name || !val)
		return EINVAL;
	pl_set_str(&v, val);
	return sip_msg_hdr_insert(msg, msg->nhdr, SIP_HDR_OTHER, name, &v);
}

int sip_msg_hdr_remove_at(struct sip_msg *msg, size_t i)
{
	enum sip_hdr_id id;

	if (!msg || i >= msg->nhdr)
		return EINVAL;
	id = msg->hdrs[i].id;
	memmove(&msg->hdrs[i], &msg->hdrs[i + 1],
		(msg->nhdr - i - 1) * sizeof(msg->hdrs[0]));
	msg->nhdr--;
	msg->hnum[id]--;
	sip_msg_tc_drop(msg, id);
	return 0;
}

int sip_msg_hdr_remove(struct sip_msg *msg, enum sip_hdr_id id)
{
	size_t i, j;

	if (!msg || id == SIP_HDR_NONE || id == SIP_HDR_OTHER)
		return EINVAL;
	for (i = j = 0; i < msg->nhdr; i++) {
		if (msg->hdrs[i].id != id)
			msg->hdrs[j++] = msg->hdrs[i];
	}
	if (i == j)
		return ENOENT;
	msg->nhdr = j;
	msg->hnum[id] = 0;
	sip_msg_tc_drop(msg, id);
	return 0;
}

int sip_msg_hdr_replace(struct sip_msg *msg, enum sip_hdr_id id,
			const char *val)
{
	struct pl v;
	size_t i = 0, k;
	int err;

	if (!msg || !val || id == SIP_HDR_NONE || id == SIP_HDR_OTHER)
		return EINVAL;
	if (!sip_msg_hdr_next(msg, id, &i))
		return sip_msg_hdr_add(msg, id, val);
	/* The new value goes where the first one was, so the header keeps
	 * its place; then every old one goes. */
	pl_set_str(&v, val);
	err = sip_msg_hdr_insert(msg, i - 1, id, NULL, &v);
	if (err)
		return err;
	for (k = msg->nhdr; k-- > i;) {
		if (msg->hdrs[k].id == id)
			(void)sip_msg_hdr_remove_at(msg, k);
	}
	return 0;
}

int sip_msg_hdr_copy(struct sip_msg *dst, const struct sip_msg *src,
		     enum sip_hdr_id id)
{
	const struct sip_hdr *h;
	size_t i = 0;
	int err;

	if (!dst || !src || id == SIP_HDR_NONE || id == SIP_HDR_OTHER)
		return EINVAL;
	while ((h = sip_msg_hdr_next(src, id, &i)) != NULL) {
		/* Name and value as they were, folds included. */
		err = hdr_put(dst, dst->nhdr, id, &h->name, true, &h->val);
		if (err)
			return err;
	}
	return 0;
}

int sip_msg_set_body(struct sip_msg *msg, const void *body, size_t len)
{
	if (!msg || (!body && len))
		return EINVAL;
	if (len > SIP_BODY_MAX)
		return E2BIG;
	if (!len) {
		msg->body.l = 0;
		return 0;
	}
	return sip_msg_memdup(msg, &msg->body, body, len);
}
