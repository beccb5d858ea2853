/* tsx.c - the transaction layer: timers, dispatch of what arrives, helpers. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rand.h"
#include "sip/tsx_int.h"

int sip_tsx_layer_alloc(struct sip_tsx_layer **lp, struct loop *loop,
			const struct sip_tsx_cfg *cfg,
			const struct sip_tsx_io *io, sip_tsx_req_h *reqh,
			void *arg)
{
	struct sip_tsx_layer *l;

	if (!lp || !loop || !io || !io->send)
		return EINVAL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return ENOMEM;
	if (cfg)
		l->cfg = *cfg;
	if (!l->cfg.t1)
		l->cfg.t1 = 500;
	if (!l->cfg.t2)
		l->cfg.t2 = 4000;
	if (!l->cfg.t4)
		l->cfg.t4 = 5000;
	if (!l->cfg.td)
		l->cfg.td = 64 * l->cfg.t1 > 32000 ? 64 * l->cfg.t1 : 32000;
	if (!l->cfg.trying)
		l->cfg.trying = 200;
	if (!l->cfg.max_tsx)
		l->cfg.max_tsx = 1024;
	l->loop = loop;
	l->io = *io;
	l->reqh = reqh;
	l->arg = arg;
	*lp = l;
	return 0;
}

void sip_tsx_layer_free(struct sip_tsx_layer *l)
{
	if (!l)
		return;
	while (l->ctsx)
		ctsx_destroy(l->ctsx);
	while (l->stsx)
		stsx_destroy(l->stsx);
	free(l);
}

const struct sip_tsx_cfg *sip_tsx_layer_cfg(const struct sip_tsx_layer *l)
{
	return l ? &l->cfg : NULL;
}

size_t sip_tsx_layer_count(const struct sip_tsx_layer *l)
{
	return l ? l->n : 0;
}

int tsx_send(struct sip_tsx_layer *l, const struct sip_msg *msg,
	     const struct sip_target *dst, void *flow)
{
	return l->io.send(l->io.arg, msg, dst, flow);
}

int sip_tsx_layer_send(struct sip_tsx_layer *l, const struct sip_msg *msg,
		       const struct sip_target *dst, void *flow)
{
	if (!l || !msg || !dst)
		return EINVAL;
	return tsx_send(l, msg, dst, flow);
}

/* Timers are armed for an absolute time so a late loop pass delays one
 * retransmission, never the rest of the schedule. */
void tsx_arm(struct sip_tsx_layer *l, struct tmr *t, uint64_t at,
	     loop_tmr_h *h, void *arg)
{
	uint64_t now = loop_now_ms();

	tmr_start(l->loop, t, at > now ? at - now : 0, h, arg);
}

/* The message model has no copy: printing and parsing again gives an
 * independent message whose slices point into its own buffer. */
int tsx_msg_dup(struct sip_msg **dp, const struct sip_msg *m)
{
	struct buf b;
	int err;

	buf_init(&b, SIP_MSG_MAX);
	err = sip_msg_print(&b, m);
	if (!err)
		err = b.err;
	if (!err)
		err = sip_msg_decode(dp, b.data, b.len, 0, NULL);
	buf_free(&b);
	return err;
}

int tsx_top_via(struct sip_msg *msg, const struct sip_via **vp)
{
	const struct sip_vias *vias;
	int err;

	err = sip_msg_vias(msg, &vias);
	if (err)
		return err;
	if (!vias->n)
		return ENOENT;
	*vp = &vias->v[0];
	return 0;
}

int tsx_cseq_num_str(struct sip_msg *msg, char *out, size_t sz)
{
	const struct sip_cseq *cs;
	int err;

	err = sip_msg_cseq(msg, &cs);
	if (err)
		return err;
	snprintf(out, sz, "%u", cs->num);
	return 0;
}

int sip_tsx_recv(struct sip_tsx_layer *l, struct sip_msg *msg,
		 const struct sip_target *src, void *flow)
{
	if (!l || !msg || !src)
		return EINVAL;
	if (sip_msg_is_request(msg))
		return stsx_recv(l, msg, src, flow);
	return ctsx_recv(l, msg);
}

static const struct {
	uint16_t status;
	const char *reason;
} reasons[] = {
	{100, "Trying"}, {180, "Ringing"}, {181, "Call Is Being Forwarded"},
	{182, "Queued"}, {183, "Session Progress"}, {200, "OK"},
	{202, "Accepted"}, {300, "Multiple Choices"},
	{301, "Moved Permanently"}, {302, "Moved Temporarily"},
	{305, "Use Proxy"}, {380, "Alternative Service"},
	{400, "Bad Request"}, {401, "Unauthorized"},
	{403, "Forbidden"}, {404, "Not Found"},
	{405, "Method Not Allowed"}, {406, "Not Acceptable"},
	{407, "Proxy Authentication Required"}, {408, "Request Timeout"},
	{410, "Gone"}, {413, "Request Entity Too Large"},
	{414, "Request-URI Too Long"}, {415, "Unsupported Media Type"},
	{416, "Unsupported URI Scheme"}, {420, "Bad Extension"},
	{421, "Extension Required"}, {423, "Interval Too Brief"},
	{428, "Use Identity Header"}, {436, "Bad Identity Info"},
	{437, "Unsupported Credential"}, {438, "Invalid Identity Header"},
	{480, "Temporarily Unavailable"},
	{481, "Call/Transaction Does Not Exist"}, {482, "Loop Detected"},
	{483, "Too Many Hops"}, {484, "Address Incomplete"},
	{485, "Ambiguous"}, {486, "Busy Here"}, {487, "Request Terminated"},
	{488, "Not Acceptable Here"}, {491, "Request Pending"},
	{493, "Undecipherable"}, {494, "Security Agreement Required"},
	{500, "Server Internal Error"}, {501, "Not Implemented"},
	{502, "Bad Gateway"}, {503, "Service Unavailable"},
	{504, "Server Time-out"}, {505, "Version Not Supported"},
	{513, "Message Too Large"}, {600, "Busy Everywhere"},
	{603, "Decline"}, {604, "Does Not Exist Anywhere"},
	{606, "Not Acceptable"},
};

const char *sip_tsx_reason(uint16_t status)
{
	for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
		if (reasons[i].status == status)
			return reasons[i].reason;
	}
	return "";
}

int sip_tsx_response_alloc(struct sip_msg **respp, struct sip_msg *req,
			   uint16_t status, const char *reason,
			   const char *to_tag)
{
	struct sip_msg *resp = NULL;
	const struct sip_addr *to;
	const struct sip_hdr *h;
	size_t i = 0;
	int err;

	if (!respp || !req || !sip_msg_is_request(req))
		return EINVAL;
	err = sip_msg_addr(req, SIP_HDR_TO, &to);
	if (err)
		return err;
	h = sip_msg_hdr_next(req, SIP_HDR_TO, &i);
	if (!h)
		return ENOENT;
	err = sip_msg_response_alloc(&resp, status,
				     reason ? reason : sip_tsx_reason(status));
	if (err)
		return err;
	err = sip_msg_hdr_copy(resp, req, SIP_HDR_VIA);
	if (!err)
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_FROM);
	if (err)
		goto out;
	/* 8.2.6.2: a UAS adds its tag to every response but 100 that goes
	 * to a request without one. */
	if (!pl_isset(&to->tag) && to_tag && *to_tag && status != 100)
		err = sip_msg_hdr_addf(resp, SIP_HDR_TO, "%.*s;tag=%s",
				       PL_FMT(&h->val), to_tag);
	else
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_TO);
	if (!err)
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_CALL_ID);
	if (!err)
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_CSEQ);
	/* 8.2.6.1: a 100 echoes the request's Timestamp. */
	if (!err && status == 100)
		err = sip_msg_hdr_copy(resp, req, SIP_HDR_TIMESTAMP);
 out:
	if (err)
		sip_msg_free(resp);
	else
		*respp = resp;
	return err;
}

int sip_tsx_via_add(struct sip_msg *req, enum sip_tp tp, const char *sent_by)
{
	char branch[64], val[512];
	struct pl v;
	int n, err;

	if (!req || !sent_by || !sip_msg_is_request(req))
		return EINVAL;
	err = rand_branch(branch, sizeof(branch));
	if (err)
		return err;
	n = snprintf(val, sizeof(val), "SIP/2.0/%s %s;branch=%s;rport",
		     sip_tp_name(tp), sent_by, branch);
	if (n < 0 || (size_t)n >= sizeof(val))
		return E2BIG;
	v.p = val;
	v.l = (size_t)n;
	return sip_msg_hdr_insert(req, 0, SIP_HDR_VIA, NULL, &v);
}
