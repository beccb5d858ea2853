/* parse_dump.c - prints every decoded field of SIP message files, to prove a parser change keeps its output; and a profiling loop. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "sip/msg.h"

/*
 * Usage:
 *   parse_dump FILE...            the dump of each file, on stdout
 *   parse_dump -n COUNT FILE...   decodes + decode_all COUNT passes over
 *                                 the files, prints nothing (for callgrind)
 *
 * The dump is meant to be compared byte for byte between two builds of
 * the parser (before/after an optimisation): it shows every return code,
 * every struct sip_err, and every slice of every typed form with its
 * offset into the input (or "unset"), so that a slice that moves, shrinks
 * or turns from unset to empty shows up.  Each file is decoded three
 * times: without copy (offsets), with copy (the default) and as a stream.
 */

#define MAX_FILE (256 * 1024)

static const char *base;   /* the input of the NOCOPY decode */
static size_t baselen;
static FILE *out;

static void pl_out(const char *k, const struct pl *pl)
{
	if (!pl->p) {
		fprintf(out, " %s=unset(%zu)", k, pl->l);
		return;
	}
	if (base && pl->p >= base && pl->p <= base + baselen)
		fprintf(out, " %s@%td", k, pl->p - base);
	else
		fprintf(out, " %s@?", k);
	fprintf(out, "[%zu]\"", pl->l);
	for (size_t i = 0; i < pl->l; i++) {
		unsigned char c = (unsigned char)pl->p[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			fprintf(out, "\\x%02x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void err_out(const char *what, int err, const struct sip_err *e)
{
	fprintf(out, "%s: %d", what, err);
	if (err && e)
		fprintf(out, " err=%d status=%u reason=%s hdr=%d", e->err,
			e->status, e->reason ? e->reason : "(null)",
			(int)e->hdr);
	fputc('\n', out);
}

static void uri_out(const struct sip_uri *u)
{
	fprintf(out, " uri{scheme=%d host_type=%d port=%u port_set=%d",
		(int)u->scheme, (int)u->host_type, u->port, u->port_set);
	pl_out("user", &u->user);
	pl_out("password", &u->password);
	pl_out("host", &u->host);
	pl_out("params", &u->params);
	pl_out("headers", &u->headers);
	pl_out("raw", &u->raw);
	fputs("}", out);
}

static void addr_out(const struct sip_addr *a)
{
	fprintf(out, "  addr angle=%d uri_ok=%d", a->angle, a->uri_ok);
	pl_out("dname", &a->dname);
	pl_out("uri_raw", &a->uri_raw);
	pl_out("scheme", &a->scheme);
	pl_out("params", &a->params);
	pl_out("tag", &a->tag);
	pl_out("raw", &a->raw);
	if (a->uri_ok)
		uri_out(&a->uri);
	fputc('\n', out);
}

static void auth_out(const struct sip_auth *a)
{
	static const char *const names[] = {
		"realm", "nonce", "opaque", "algorithm", "qop", "stale",
		"username", "uri", "response", "cnonce", "nc", "nextnonce",
		"rspauth", "domain", "userhash", "charset",
	};
	struct pl v;

	fputs("  auth", out);
	pl_out("scheme", &a->scheme);
	pl_out("params", &a->params);
	pl_out("token68", &a->token68);
	pl_out("raw", &a->raw);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&v, 0, sizeof(v));
		if (sip_auth_param(a, names[i], &v) == 0)
			pl_out(names[i], &v);
	}
	fputc('\n', out);
}

static void params_out(const struct pl *params)
{
	static const char *const names[] = {
		"tag", "branch", "rport", "received", "expires", "q", "lr",
		"transport", "charset", "boundary", "id", "reason", "info",
		"alg", "ppt", "handling", "purpose", "cause", "text",
	};
	struct pl v;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		memset(&v, 0, sizeof(v));
		if (sip_param_get(params, names[i], &v) == 0)
			pl_out(names[i], &v);
	}
}

static void typed_out(struct sip_msg *msg, enum sip_hdr_id id)
{
	int err = EINVAL;
	size_t i;

	fprintf(out, " typed %d %s:", (int)id, sip_hdr_name(id));
	{
		const struct sip_vias *v;

		if (id == SIP_HDR_VIA && (err = sip_msg_vias(msg, &v)) == 0) {
			fprintf(out, " n=%zu\n", v->n);
			for (i = 0; i < v->n; i++) {
				const struct sip_via *x = &v->v[i];

				fprintf(out, "  via port=%u ipv6=%d", x->port,
					x->ipv6);
				pl_out("proto", &x->proto);
				pl_out("version", &x->version);
				pl_out("transport", &x->transport);
				pl_out("host", &x->host);
				pl_out("params", &x->params);
				pl_out("branch", &x->branch);
				pl_out("received", &x->received);
				pl_out("maddr", &x->maddr);
				pl_out("ttl", &x->ttl);
				pl_out("rport", &x->rport);
				pl_out("raw", &x->raw);
				fputc('\n', out);
			}
			return;
		}
	}
	if (err == EINVAL) {
		const struct sip_addr *a;

		err = sip_msg_addr(msg, id, &a);
		if (!err) {
			fputc('\n', out);
			addr_out(a);
			return;
		}
	}
	if (err == EINVAL) {
		const struct sip_addrs *l;

		err = sip_msg_addrs(msg, id, &l);
		if (!err) {
			/* star means something for Contact only (and was
			 * left unset for the other lists before 2025-11). */
			fprintf(out, " n=%zu", l->n);
			if (id == SIP_HDR_CONTACT)
				fprintf(out, " star=%d", l->star);
			fputc('\n', out);
			for (i = 0; i < l->n; i++)
				addr_out(&l->v[i]);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_CSEQ) {
		const struct sip_cseq *c;

		err = sip_msg_cseq(msg, &c);
		if (!err) {
			fprintf(out, " num=%u mid=%d", c->num, (int)c->mid);
			pl_out("method", &c->method);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_CALL_ID) {
		struct pl c = {0};

		err = sip_msg_callid(msg, &c);
		if (!err) {
			pl_out("callid", &c);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL) {
		uint32_t v = 0;

		err = sip_msg_uint(msg, id, &v);
		if (!err) {
			fprintf(out, " uint=%u\n", v);
			return;
		}
	}
	if (err == EINVAL) {
		const struct sip_tokens *t;

		err = sip_msg_tokens(msg, id, &t);
		if (!err) {
			fprintf(out, " n=%zu", t->n);
			for (i = 0; i < t->n; i++)
				pl_out("tok", &t->v[i]);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_CONTENT_TYPE) {
		const struct sip_ctype *c;

		err = sip_msg_ctype(msg, &c);
		if (!err) {
			pl_out("type", &c->type);
			pl_out("subtype", &c->subtype);
			pl_out("params", &c->params);
			params_out(&c->params);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_ACCEPT) {
		const struct sip_ctypes *c;

		err = sip_msg_accept(msg, &c);
		if (!err) {
			fprintf(out, " n=%zu", c->n);
			for (i = 0; i < c->n; i++) {
				pl_out("type", &c->v[i].type);
				pl_out("subtype", &c->v[i].subtype);
				pl_out("params", &c->v[i].params);
			}
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL) {
		const struct sip_tparam *t;

		err = sip_msg_tparam(msg, id, &t);
		if (!err) {
			pl_out("token", &t->token);
			pl_out("params", &t->params);
			params_out(&t->params);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL) {
		const struct sip_tparams *t;

		err = sip_msg_tparams(msg, id, &t);
		if (!err) {
			fprintf(out, " n=%zu", t->n);
			for (i = 0; i < t->n; i++) {
				pl_out("token", &t->v[i].token);
				pl_out("params", &t->v[i].params);
			}
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL) {
		const struct sip_auths *l;

		err = sip_msg_auths(msg, id, &l);
		if (!err) {
			fprintf(out, " n=%zu\n", l->n);
			for (i = 0; i < l->n; i++)
				auth_out(&l->v[i]);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_AUTHENTICATION_INFO) {
		const struct sip_auth *a;

		err = sip_msg_auth_info(msg, &a);
		if (!err) {
			fputc('\n', out);
			auth_out(a);
			return;
		}
	}
	if (err == EINVAL) {
		const struct sip_secmechs *l;

		err = sip_msg_secmechs(msg, id, &l);
		if (!err) {
			fprintf(out, " n=%zu", l->n);
			for (i = 0; i < l->n; i++) {
				const struct sip_secmech *m = &l->v[i];

				fprintf(out, " q=%d", m->q);
				pl_out("mech", &m->mech);
				pl_out("params", &m->params);
				pl_out("d_alg", &m->d_alg);
				pl_out("d_qop", &m->d_qop);
				pl_out("d_ver", &m->d_ver);
				pl_out("raw", &m->raw);
			}
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_IDENTITY) {
		const struct sip_identities *l;

		err = sip_msg_identities(msg, &l);
		if (!err) {
			fprintf(out, " n=%zu", l->n);
			for (i = 0; i < l->n; i++) {
				const struct sip_identity *x = &l->v[i];

				fprintf(out, " legacy=%d", x->legacy);
				pl_out("digest", &x->digest);
				pl_out("info", &x->info);
				pl_out("alg", &x->alg);
				pl_out("ppt", &x->ppt);
				pl_out("params", &x->params);
				pl_out("raw", &x->raw);
			}
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_IDENTITY_INFO) {
		const struct sip_identity_info *x;

		err = sip_msg_identity_info(msg, &x);
		if (!err) {
			pl_out("uri", &x->uri);
			pl_out("alg", &x->alg);
			pl_out("params", &x->params);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_DATE) {
		int64_t t = 0;

		err = sip_msg_date(msg, &t);
		if (!err) {
			fprintf(out, " date=%lld\n", (long long)t);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_WARNING) {
		const struct sip_warnings *l;

		err = sip_msg_warnings(msg, &l);
		if (!err) {
			fprintf(out, " n=%zu", l->n);
			for (i = 0; i < l->n; i++) {
				fprintf(out, " code=%u", l->v[i].code);
				pl_out("agent", &l->v[i].agent);
				pl_out("text", &l->v[i].text);
			}
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_RETRY_AFTER) {
		const struct sip_retry_after *r;

		err = sip_msg_retry_after(msg, &r);
		if (!err) {
			fprintf(out, " delta=%u", r->delta);
			pl_out("comment", &r->comment);
			pl_out("params", &r->params);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_EVENT) {
		const struct sip_event *x;

		err = sip_msg_event(msg, &x);
		if (!err) {
			pl_out("package", &x->package);
			pl_out("id", &x->id);
			pl_out("params", &x->params);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_SUBSCRIPTION_STATE) {
		const struct sip_substate *x;

		err = sip_msg_substate(msg, &x);
		if (!err) {
			fprintf(out, " has_expires=%d expires=%u has_ra=%d "
				"ra=%u", x->has_expires, x->expires,
				x->has_retry_after, x->retry_after);
			pl_out("state", &x->state);
			pl_out("reason", &x->reason);
			pl_out("params", &x->params);
			fputc('\n', out);
			return;
		}
	}
	if (err == EINVAL && id == SIP_HDR_RACK) {
		const struct sip_rack *r;

		err = sip_msg_rack(msg, &r);
		if (!err) {
			fprintf(out, " rseq=%u cseq=%u", r->rseq, r->cseq);
			pl_out("method", &r->method);
			fputc('\n', out);
			return;
		}
	}
	fprintf(out, " err=%d\n", err);
}

static void dump_msg(struct sip_msg *msg, bool full)
{
	struct sip_err e = {0};
	const struct sip_uri *u;
	bool done[SIP_HDR_NUM] = {false};
	size_t i, n = sip_msg_hdr_count(msg);
	struct pl pl;
	int err;

	fprintf(out, "req=%d status=%u mid=%d nhdr=%zu",
		sip_msg_is_request(msg), sip_msg_status(msg),
		(int)sip_msg_method_id(msg), n);
	pl = sip_msg_method(msg);
	pl_out("method", &pl);
	pl = sip_msg_ruri_raw(msg);
	pl_out("ruri", &pl);
	pl = sip_msg_reason(msg);
	pl_out("reason", &pl);
	pl = sip_msg_body(msg);
	pl_out("body", &pl);
	fputc('\n', out);
	for (i = 0; i < n; i++) {
		const struct sip_hdr *h = sip_msg_hdr_at(msg, i);

		fprintf(out, " hdr %zu id=%d marks=%u num=%zu", i, (int)h->id,
			h->marks, sip_msg_hdr_num(msg, h->id));
		pl_out("name", &h->name);
		pl_out("val", &h->val);
		fputc('\n', out);
	}
	err = sip_msg_decode_all(msg, &e);
	err_out(" decode_all", err, &e);
	if (!full)
		return;
	err = sip_msg_ruri(msg, &u);
	fprintf(out, " ruri: %d", err);
	if (!err)
		uri_out(u);
	fputc('\n', out);
	for (i = 0; i < n; i++) {
		enum sip_hdr_id id = sip_msg_hdr_at(msg, i)->id;

		if (id <= SIP_HDR_OTHER || done[id])
			continue;
		done[id] = true;
		typed_out(msg, id);
	}
	memset(&e, 0, sizeof(e));
	err = sip_msg_validate(msg, &e);
	err_out(" validate", err, &e);
}

static void dump(const char *name, const char *p, size_t len)
{
	static const unsigned modes[] = {
		SIP_MSG_NOCOPY, 0, SIP_MSG_STREAM | SIP_MSG_NOCOPY,
	};
	size_t flen = 0;
	int err;

	fprintf(out, "== %s %zu\n", name, len);
	err = sip_msg_frame(p, len, &flen);
	fprintf(out, "frame: %d %zu\n", err, err ? (size_t)0 : flen);
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct sip_msg *msg = NULL;
		struct sip_err e = {0};

		base = (modes[m] & SIP_MSG_NOCOPY) ? p : NULL;
		baselen = len;
		err = sip_msg_decode(&msg, p, len, modes[m], &e);
		fprintf(out, "mode %u ", modes[m]);
		err_out("decode", err, &e);
		if (!err)
			dump_msg(msg, modes[m] == SIP_MSG_NOCOPY);
		sip_msg_free(msg);
	}
}

static char *load(const char *path, size_t *lenp)
{
	FILE *f = fopen(path, "rb");
	char *data, *exact;
	size_t n;

	if (!f)
		return NULL;
	data = malloc(MAX_FILE);
	if (!data) {
		fclose(f);
		return NULL;
	}
	n = fread(data, 1, MAX_FILE, f);
	fclose(f);
	/* Exactly n bytes, so a read past the end trips ASan. */
	exact = malloc(n ? n : 1);
	if (exact)
		memcpy(exact, data, n);
	free(data);
	*lenp = n;
	return exact;
}

int main(int argc, char **argv)
{
	long count = 0;
	int first = 1;

	out = stdout;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		count = strtol(argv[2], NULL, 10);
		first = 3;
	}
	if (first >= argc) {
		fprintf(stderr, "usage: %s [-n COUNT] FILE...\n", argv[0]);
		return 2;
	}
	if (count > 0) {
		int nf = argc - first;
		char **data = calloc((size_t)nf, sizeof(*data));
		size_t *len = calloc((size_t)nf, sizeof(*len));
		unsigned long ok = 0;

		if (!data || !len)
			return 1;
		for (int i = 0; i < nf; i++) {
			data[i] = load(argv[first + i], &len[i]);
			if (!data[i]) {
				fprintf(stderr, "cannot read %s\n",
					argv[first + i]);
				return 1;
			}
		}
		double best = 0;

		/* Five timed rounds of count / 5 passes; the best one is
		 * printed (a quick A/B between builds, not the benchmark). */
		for (int r = 0; r < 5; r++) {
			struct timespec t0, t1;
			double ns;

			clock_gettime(CLOCK_MONOTONIC, &t0);
			for (long k = 0; k < (count + 4) / 5; k++) {
				for (int i = 0; i < nf; i++) {
					struct sip_msg *msg = NULL;

					if (sip_msg_decode(&msg, data[i],
							   len[i], 0,
							   NULL) == 0)
						ok += sip_msg_decode_all(
							msg, NULL) == 0;
					sip_msg_free(msg);
				}
			}
			clock_gettime(CLOCK_MONOTONIC, &t1);
			ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
			      (double)(t1.tv_nsec - t0.tv_nsec)) /
				((double)((count + 4) / 5) * nf);
			if (r == 0 || ns < best)
				best = ns;
		}
		printf("%lu decoded, best %.1f ns/message\n", ok, best);
		for (int i = 0; i < nf; i++)
			free(data[i]);
		free(data);
		free(len);
		return 0;
	}
	for (int i = first; i < argc; i++) {
		size_t len = 0;
		char *p = load(argv[i], &len);

		if (!p) {
			fprintf(stderr, "cannot read %s\n", argv[i]);
			return 1;
		}
		dump(argv[i], p, len);
		free(p);
	}
	return 0;
}
