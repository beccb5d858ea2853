/* test_msg_check.c - interprets the check language so that adding a message case needs no new C. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/msg_int.h"
#include "test_msg_check.h"

const char *errname(int err)
{
	switch (err) {
	case 0: return "0";
	case EBADMSG: return "EBADMSG";
	case ENODATA: return "ENODATA";
	case E2BIG: return "E2BIG";
	case ERANGE: return "ERANGE";
	case ENOENT: return "ENOENT";
	case EINVAL: return "EINVAL";
	case ENOMEM: return "ENOMEM";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	default: return "E?";
	}
}

const char *testdata(void)
{
	const char *d = getenv("SIPTTY_TESTDATA");

	return d && *d ? d : "tests/data";
}

char *read_file(const char *path, size_t *lenp)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	long n;

	if (!fp)
		return NULL;
	if (fseek(fp, 0, SEEK_END) == 0 && (n = ftell(fp)) >= 0 &&
	    fseek(fp, 0, SEEK_SET) == 0) {
		data = malloc((size_t)n + 1);
		if (data && fread(data, 1, (size_t)n, fp) != (size_t)n) {
			free(data);
			data = NULL;
		}
		if (data) {
			data[n] = '\0';
			*lenp = (size_t)n;
		}
	}
	fclose(fp);
	return data;
}

/* ------------------------------------------------------------------ */
/* Case files                                                          */
/* ------------------------------------------------------------------ */

static int hexdig(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A word or a quoted string at *pp; the result is malloc'd. */
static char *word(const char **pp, size_t *lenp)
{
	const char *p = *pp;
	char *out = malloc(strlen(p) + 1);
	size_t n = 0;

	if (!out)
		return NULL;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (*p != '\\' || !p[1]) {
				out[n++] = *p;
				continue;
			}
			switch (*++p) {
			case 'r': out[n++] = '\r'; break;
			case 'n': out[n++] = '\n'; break;
			case 't': out[n++] = '\t'; break;
			case '0': out[n++] = '\0'; break;
			case 'x':
				if (hexdig(p[1]) >= 0 && hexdig(p[2]) >= 0) {
					out[n++] = (char)(hexdig(p[1]) * 16 +
							  hexdig(p[2]));
					p += 2;
				}
				break;
			default: out[n++] = *p; break;
			}
		}
		if (*p == '"')
			p++;
	} else {
		while (*p && !isspace((unsigned char)*p))
			out[n++] = *p++;
	}
	out[n] = '\0';
	*pp = p;
	if (lenp)
		*lenp = n;
	return out;
}

/* KEY OP VALUE, the op found outside brackets. */
static bool parse_check(const char **pp, struct check *c)
{
	const char *p = *pp, *k = p;
	int depth = 0;

	for (; *p && !isspace((unsigned char)*p); p++) {
		if (*p == '[' || *p == '(')
			depth++;
		else if (*p == ']' || *p == ')')
			depth--;
		else if (!depth && *p == '=')
			break;
	}
	if (*p != '=' || p == k)
		return false;
	if (p > k + 1 && (p[-1] == '!' || p[-1] == '^')) {
		c->op[0] = p[-1];
		c->op[1] = '=';
		c->op[2] = '\0';
		c->key = strndup(k, (size_t)(p - 1 - k));
	} else {
		strcpy(c->op, "=");
		c->key = strndup(k, (size_t)(p - k));
	}
	p++;
	c->val = word(&p, &c->vlen);
	*pp = p;
	return c->key && c->val;
}

static int add_line(struct case_line **linesp, size_t *np, const char *text,
		    const char *sep, unsigned lineno)
{
	struct case_line *l, *lines;
	const char *p = text;

	lines = realloc(*linesp, (*np + 1) * sizeof(*lines));
	if (!lines)
		return ENOMEM;
	*linesp = lines;
	l = &lines[(*np)++];
	memset(l, 0, sizeof(*l));
	l->lineno = lineno;
	if (sep) {
		const char *s = strstr(p, sep);

		l->name = strndup(p, s ? (size_t)(s - p) : strlen(p));
		p = s ? s + strlen(sep) : p + strlen(p);
	} else {
		while (isspace((unsigned char)*p))
			p++;
		l->name = word(&p, NULL);
	}
	for (;;) {
		struct check c;
		const char *q;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		q = p;
		if (parse_check(&q, &c)) {
			l->checks = realloc(l->checks,
					    (l->nchecks + 1) * sizeof(c));
			l->checks[l->nchecks++] = c;
			p = q;
		} else {
			l->words = realloc(l->words,
					   (l->nwords + 1) * sizeof(char *));
			l->words[l->nwords++] = word(&p, NULL);
		}
	}
	return 0;
}

int case_file_load(const char *path, const char *sep,
		   struct case_line **linesp, size_t *np)
{
	struct case_line *lines = NULL;
	size_t n = 0, len;
	char *data, *p;
	unsigned lineno = 0, start = 0;
	struct buf b;
	int err = 0;

	data = read_file(path, &len);
	if (!data)
		return errno ? errno : ENOENT;
	buf_init(&b, 0);
	for (p = data; p && *p;) {
		char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		lineno++;
		if (l && p[l - 1] == '\r')
			l--;
		if (l && p[0] == '#') {
			/* comment */
		} else if (l && isspace((unsigned char)p[0]) && b.len) {
			buf_putc(&b, ' ');
			buf_write(&b, p, l);
		} else {
			if (b.len) {
				err = add_line(&lines, &n, b.data, sep, start);
				if (err)
					break;
			}
			buf_reset(&b);
			start = lineno;
			if (l && !isspace((unsigned char)p[0]))
				buf_write(&b, p, l);
		}
		p = nl ? nl + 1 : NULL;
	}
	if (!err && b.len)
		err = add_line(&lines, &n, b.data, sep, start);
	buf_free(&b);
	free(data);
	if (err) {
		case_file_free(lines, n);
		return err;
	}
	*linesp = lines;
	*np = n;
	return 0;
}

void case_file_free(struct case_line *lines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(lines[i].name);
		for (size_t j = 0; j < lines[i].nwords; j++)
			free(lines[i].words[j]);
		free(lines[i].words);
		for (size_t j = 0; j < lines[i].nchecks; j++) {
			free(lines[i].checks[j].key);
			free(lines[i].checks[j].val);
		}
		free(lines[i].checks);
	}
	free(lines);
}

/* ------------------------------------------------------------------ */
/* Resolver                                                            */
/* ------------------------------------------------------------------ */

static void put_pl(struct buf *out, const struct pl *pl)
{
	if (!pl->p)
		buf_puts(out, "(unset)");
	else
		buf_putpl(out, pl);
}

/* Values with folds are compared as printed: CR and LF dropped. */
static void put_unfolded(struct buf *out, const struct pl *pl)
{
	for (size_t i = 0; i < pl->l; i++) {
		if (pl->p[i] != '\r' && pl->p[i] != '\n')
			buf_putc(out, pl->p[i]);
	}
}

static void put_err(struct buf *out, int err)
{
	buf_printf(out, "!%s", errname(err));
}

/* "[i]" at *kp: the index, or 0 when absent. */
static size_t index_of(const char **kp, bool *had)
{
	const char *k = *kp;
	size_t i = 0;

	*had = false;
	if (*k != '[' || !isdigit((unsigned char)k[1]))
		return 0;
	i = strtoul(k + 1, (char **)&k, 10);
	if (*k == ']')
		k++;
	*kp = k;
	*had = true;
	return i;
}

/* ".param[NAME]" lookups on a parameter slice. */
static int param_field(const struct pl *params, const char *k,
		       struct buf *out)
{
	char name[128];
	const char *e;
	struct pl v;

	if (strncmp(k, ".param[", 7) != 0)
		return -1;
	e = strchr(k + 7, ']');
	if (!e || (size_t)(e - k - 7) >= sizeof(name))
		return -1;
	memcpy(name, k + 7, (size_t)(e - k - 7));
	name[e - k - 7] = '\0';
	if (sip_param_get(params, name, &v))
		buf_puts(out, "(absent)");
	else
		buf_putpl(out, &v);
	return 0;
}

static int uri_field(const struct sip_uri *u, const char *k, struct buf *out)
{
	static const char *const schemes[] = {"sip", "sips", "tel"};

	if (!*k)
		put_pl(out, &u->raw);
	else if (!strcmp(k, ".scheme"))
		buf_puts(out, schemes[u->scheme]);
	else if (!strcmp(k, ".user"))
		put_pl(out, &u->user);
	else if (!strcmp(k, ".password"))
		put_pl(out, &u->password);
	else if (!strcmp(k, ".host"))
		put_pl(out, &u->host);
	else if (!strcmp(k, ".port"))
		buf_printf(out, "%u", u->port);
	else if (!strcmp(k, ".params"))
		put_pl(out, &u->params);
	else if (!strcmp(k, ".headers"))
		put_pl(out, &u->headers);
	else if (!strcmp(k, ".user.unescaped.len")) {
		struct buf t;

		buf_init(&t, 0);
		(void)sip_uri_unescape(&t, &u->user);
		buf_printf(out, "%zu", t.len);
		buf_free(&t);
	} else {
		return -1;
	}
	return 0;
}

static int addr_field(const struct sip_addr *a, const char *k, struct buf *out)
{
	if (!*k) {
		put_unfolded(out, &a->raw);
	} else if (!strcmp(k, ".dname")) {
		put_unfolded(out, &a->dname);
	} else if (!strcmp(k, ".dname.text")) {
		(void)sip_qstr_text(out, &a->dname);
	} else if (!strcmp(k, ".scheme")) {
		put_pl(out, &a->scheme);
	} else if (!strcmp(k, ".uri")) {
		put_pl(out, &a->uri_raw);
	} else if (!strcmp(k, ".uri_ok")) {
		buf_puts(out, a->uri_ok ? "yes" : "no");
	} else if (!strcmp(k, ".angle")) {
		buf_puts(out, a->angle ? "yes" : "no");
	} else if (!strcmp(k, ".tag")) {
		put_pl(out, &a->tag);
	} else if (!strcmp(k, ".params")) {
		put_unfolded(out, &a->params);
	} else if (!strncmp(k, ".uri.", 5) && a->uri_ok) {
		return uri_field(&a->uri, k + 4, out);
	} else if (!strncmp(k, ".uri.", 5)) {
		buf_puts(out, "(not decoded)");
	} else {
		return param_field(&a->params, k, out);
	}
	return 0;
}

static int via_field(const struct sip_via *v, const char *k, struct buf *out)
{
	if (!*k)
		put_unfolded(out, &v->raw);
	else if (!strcmp(k, ".proto"))
		buf_printf(out, "%.*s/%.*s/%.*s", PL_FMT(&v->proto),
			   PL_FMT(&v->version), PL_FMT(&v->transport));
	else if (!strcmp(k, ".transport"))
		put_pl(out, &v->transport);
	else if (!strcmp(k, ".host"))
		put_pl(out, &v->host);
	else if (!strcmp(k, ".port"))
		buf_printf(out, "%u", v->port);
	else if (!strcmp(k, ".branch"))
		put_pl(out, &v->branch);
	else if (!strcmp(k, ".received"))
		put_pl(out, &v->received);
	else if (!strcmp(k, ".maddr"))
		put_pl(out, &v->maddr);
	else if (!strcmp(k, ".ttl"))
		put_pl(out, &v->ttl);
	else if (!strcmp(k, ".rport"))
		put_pl(out, &v->rport);
	else if (!strcmp(k, ".params"))
		put_unfolded(out, &v->params);
	else
		return param_field(&v->params, k, out);
	return 0;
}

static int auth_field(const struct sip_auth *a, const char *k, struct buf *out)
{
	char name[64];
	const char *e;
	struct pl v;

	if (!strcmp(k, ".scheme"))
		put_pl(out, &a->scheme);
	else if (!strcmp(k, ".token68"))
		put_pl(out, &a->token68);
	else if (!strcmp(k, ".params") || !*k)
		put_unfolded(out, &a->params);
	else if (!strncmp(k, ".param[", 7) && (e = strchr(k, ']')) &&
		 (size_t)(e - k - 7) < sizeof(name)) {
		memcpy(name, k + 7, (size_t)(e - k - 7));
		name[e - k - 7] = '\0';
		if (sip_auth_param(a, name, &v))
			buf_puts(out, "(absent)");
		else
			buf_putpl(out, &v);
	} else {
		return -1;
	}
	return 0;
}

static int secmech_field(const struct sip_secmech *m, const char *k,
			 struct buf *out)
{
	if (!*k || !strcmp(k, ".mech"))
		put_pl(out, &m->mech);
	else if (!strcmp(k, ".q"))
		buf_printf(out, "%d", m->q);
	else if (!strcmp(k, ".d_alg"))
		put_pl(out, &m->d_alg);
	else if (!strcmp(k, ".d_qop"))
		put_pl(out, &m->d_qop);
	else if (!strcmp(k, ".d_ver"))
		put_pl(out, &m->d_ver);
	else
		return param_field(&m->params, k, out);
	return 0;
}

static int identity_field(const struct sip_identity *id, const char *k,
			  struct buf *out)
{
	if (!*k || !strcmp(k, ".digest"))
		put_pl(out, &id->digest);
	else if (!strcmp(k, ".legacy"))
		buf_puts(out, id->legacy ? "yes" : "no");
	else if (!strcmp(k, ".info"))
		put_pl(out, &id->info);
	else if (!strcmp(k, ".alg"))
		put_pl(out, &id->alg);
	else if (!strcmp(k, ".ppt"))
		put_pl(out, &id->ppt);
	else
		return param_field(&id->params, k, out);
	return 0;
}

/* A list: ".count", "[i]..." (the default index is 0). */
#define LIST_FIELD(list, elemfn)                                           \
	do {                                                               \
		bool had_;                                                 \
		size_t i_;                                                 \
		if (!strcmp(k, ".count")) {                                \
			buf_printf(out, "%zu", (list)->n);                 \
			return 0;                                          \
		}                                                          \
		i_ = index_of(&k, &had_);                                  \
		if (i_ >= (list)->n) {                                     \
			buf_puts(out, "(no such item)");                   \
			return 0;                                          \
		}                                                          \
		return elemfn(&(list)->v[i_], k, out);                     \
	} while (0)

static int tok_field(const struct pl *t, const char *k, struct buf *out)
{
	if (*k)
		return -1;
	put_pl(out, t);
	return 0;
}

static int ctype_field(const struct sip_ctype *c, const char *k,
		       struct buf *out)
{
	if (!*k)
		buf_printf(out, "%.*s/%.*s", PL_FMT(&c->type),
			   PL_FMT(&c->subtype));
	else if (!strcmp(k, ".params"))
		put_unfolded(out, &c->params);
	else
		return param_field(&c->params, k, out);
	return 0;
}

static int tparam_field(const struct sip_tparam *t, const char *k,
			struct buf *out)
{
	if (!*k || !strcmp(k, ".token"))
		put_pl(out, &t->token);
	else if (!strcmp(k, ".params"))
		put_unfolded(out, &t->params);
	else
		return param_field(&t->params, k, out);
	return 0;
}

static int warning_field(const struct sip_warning *w, const char *k,
			 struct buf *out)
{
	if (!*k || !strcmp(k, ".code"))
		buf_printf(out, "%u", w->code);
	else if (!strcmp(k, ".agent"))
		put_pl(out, &w->agent);
	else if (!strcmp(k, ".text"))
		put_pl(out, &w->text);
	else
		return -1;
	return 0;
}

static int typed_field(struct sip_msg *msg, enum sip_hdr_id id,
		       const char *k, struct buf *out)
{
	const void *v = NULL;
	int err;

	switch (sip_hdr_info(id)->kind) {
	case K_VIA: {
		const struct sip_vias *l;

		err = sip_msg_vias(msg, &l);
		if (err)
			break;
		LIST_FIELD(l, via_field);
	}
	case K_ADDR: {
		const struct sip_addr *a;

		err = sip_msg_addr(msg, id, &a);
		if (err)
			break;
		return addr_field(a, k, out);
	}
	case K_ADDRS: case K_CONTACT: case K_INFO: {
		const struct sip_addrs *l;

		err = sip_msg_addrs(msg, id, &l);
		if (err)
			break;
		if (!strcmp(k, ".star")) {
			buf_puts(out, l->star ? "yes" : "no");
			return 0;
		}
		LIST_FIELD(l, addr_field);
	}
	case K_CSEQ: {
		const struct sip_cseq *c;

		err = sip_msg_cseq(msg, &c);
		if (err)
			break;
		if (!*k)
			buf_printf(out, "%u %.*s", c->num, PL_FMT(&c->method));
		else if (!strcmp(k, ".num"))
			buf_printf(out, "%u", c->num);
		else if (!strcmp(k, ".method"))
			put_pl(out, &c->method);
		else
			return -1;
		return 0;
	}
	case K_CALLID: {
		struct pl c;

		err = sip_msg_callid(msg, &c);
		if (err)
			break;
		put_pl(out, &c);
		return *k ? -1 : 0;
	}
	case K_UINT: {
		uint32_t u;

		err = sip_msg_uint(msg, id, &u);
		if (err)
			break;
		buf_printf(out, "%u", u);
		return *k ? -1 : 0;
	}
	case K_TOKENS: case K_TOKENS0: case K_PRIVACY: case K_PMA:
	case K_CALLIDS: {
		const struct sip_tokens *l;

		err = sip_msg_tokens(msg, id, &l);
		if (err)
			break;
		if (!*k) {
			for (size_t i = 0; i < l->n; i++)
				buf_printf(out, "%s%.*s", i ? "," : "",
					   PL_FMT(&l->v[i]));
			return 0;
		}
		LIST_FIELD(l, tok_field);
	}
	case K_CTYPE: {
		const struct sip_ctype *c;

		err = sip_msg_ctype(msg, &c);
		if (err)
			break;
		return ctype_field(c, k, out);
	}
	case K_ACCEPT: {
		const struct sip_ctypes *l;

		err = sip_msg_accept(msg, &l);
		if (err)
			break;
		LIST_FIELD(l, ctype_field);
	}
	case K_TPARAM: case K_DELTA: case K_REPLACES: {
		const struct sip_tparam *t;

		err = sip_msg_tparam(msg, id, &t);
		if (err)
			break;
		return tparam_field(t, k, out);
	}
	case K_TPARAMS: {
		const struct sip_tparams *l;

		err = sip_msg_tparams(msg, id, &l);
		if (err)
			break;
		LIST_FIELD(l, tparam_field);
	}
	case K_AUTH: {
		const struct sip_auths *l;

		err = sip_msg_auths(msg, id, &l);
		if (err)
			break;
		LIST_FIELD(l, auth_field);
	}
	case K_AINFO: {
		const struct sip_auth *a;

		err = sip_msg_auth_info(msg, &a);
		if (err)
			break;
		return auth_field(a, k, out);
	}
	case K_SECMECH: {
		const struct sip_secmechs *l;

		err = sip_msg_secmechs(msg, id, &l);
		if (err)
			break;
		LIST_FIELD(l, secmech_field);
	}
	case K_IDENTITY: {
		const struct sip_identities *l;

		err = sip_msg_identities(msg, &l);
		if (err)
			break;
		LIST_FIELD(l, identity_field);
	}
	case K_IDINFO: {
		const struct sip_identity_info *ii;

		err = sip_msg_identity_info(msg, &ii);
		if (err)
			break;
		if (!*k || !strcmp(k, ".uri"))
			put_pl(out, &ii->uri);
		else if (!strcmp(k, ".alg"))
			put_pl(out, &ii->alg);
		else
			return param_field(&ii->params, k, out);
		return 0;
	}
	case K_DATE: {
		int64_t t;

		err = sip_msg_date(msg, &t);
		if (err)
			break;
		buf_printf(out, "%lld", (long long)t);
		return *k ? -1 : 0;
	}
	case K_WARNING: {
		const struct sip_warnings *l;

		err = sip_msg_warnings(msg, &l);
		if (err)
			break;
		LIST_FIELD(l, warning_field);
	}
	case K_RETRY: {
		const struct sip_retry_after *r;

		err = sip_msg_retry_after(msg, &r);
		if (err)
			break;
		if (!*k)
			buf_printf(out, "%u", r->delta);
		else if (!strcmp(k, ".comment"))
			put_pl(out, &r->comment);
		else
			return param_field(&r->params, k, out);
		return 0;
	}
	case K_EVENT: {
		const struct sip_event *e;

		err = sip_msg_event(msg, &e);
		if (err)
			break;
		if (!*k)
			put_pl(out, &e->package);
		else if (!strcmp(k, ".id"))
			put_pl(out, &e->id);
		else
			return param_field(&e->params, k, out);
		return 0;
	}
	case K_SUBSTATE: {
		const struct sip_substate *s;

		err = sip_msg_substate(msg, &s);
		if (err)
			break;
		if (!*k)
			put_pl(out, &s->state);
		else if (!strcmp(k, ".reason"))
			put_pl(out, &s->reason);
		else if (!strcmp(k, ".expires"))
			buf_printf(out, s->has_expires ? "%u" : "(absent)",
				   s->expires);
		else if (!strcmp(k, ".retry_after"))
			buf_printf(out, s->has_retry_after ? "%u" : "(absent)",
				   s->retry_after);
		else
			return param_field(&s->params, k, out);
		return 0;
	}
	case K_RACK: {
		const struct sip_rack *r;

		err = sip_msg_rack(msg, &r);
		if (err)
			break;
		buf_printf(out, "%u %u %.*s", r->rseq, r->cseq,
			   PL_FMT(&r->method));
		return *k ? -1 : 0;
	}
	default:
		buf_puts(out, "(no typed form)");
		return -1;
	}
	(void)v;
	put_err(out, err);
	return 0;
}

/* "hdr[Name]", "hdr[Name][i]", "hdr[Name].count": raw values. */
static int raw_hdr(struct sip_msg *msg, const char *k, struct buf *out)
{
	const struct sip_hdr *h = NULL;
	const char *e = strchr(k, ']');
	struct pl name;
	size_t i = 0, idx, n = 0;
	bool had;

	if (!e)
		return -1;
	name.p = k;
	name.l = (size_t)(e - k);
	k = e + 1;
	if (!strcmp(k, ".count")) {
		while (sip_msg_hdr_next_name(msg, &name, &i))
			n++;
		buf_printf(out, "%zu", n);
		return 0;
	}
	idx = index_of(&k, &had);
	if (*k)
		return -1;
	do {
		h = sip_msg_hdr_next_name(msg, &name, &i);
	} while (h && idx--);
	if (!h)
		buf_puts(out, "(absent)");
	else
		put_unfolded(out, &h->val);
	return 0;
}

/* same(A[i],B[j]): RFC 3261 19.1.4 equality of two addr URIs. */
static int same_uri(struct sip_msg *msg, const char *k, struct buf *out)
{
	const struct sip_addr *a[2];
	char tmp[2][64];
	const char *c = strchr(k, ','), *e = strrchr(k, ')');

	if (!c || !e || (size_t)(c - k) >= 64 || (size_t)(e - c - 1) >= 64)
		return -1;
	memcpy(tmp[0], k, (size_t)(c - k));
	tmp[0][c - k] = '\0';
	memcpy(tmp[1], c + 1, (size_t)(e - c - 1));
	tmp[1][e - c - 1] = '\0';
	for (int j = 0; j < 2; j++) {
		char *br = strchr(tmp[j], '[');
		const struct sip_addrs *l;
		struct pl name;
		size_t idx = br ? strtoul(br + 1, NULL, 10) : 0;

		name.p = tmp[j];
		name.l = br ? (size_t)(br - tmp[j]) : strlen(tmp[j]);
		if (sip_msg_addrs(msg, sip_hdr_lookup(&name), &l) ||
		    idx >= l->n || !l->v[idx].uri_ok) {
			buf_puts(out, "(no uri)");
			return 0;
		}
		a[j] = &l->v[idx];
	}
	buf_puts(out, sip_uri_equal(&a[0]->uri, &a[1]->uri) ? "yes" : "no");
	return 0;
}

int resolve(struct sip_msg *msg, const char *raw, size_t rawlen,
	    const char *k, struct buf *out)
{
	if (!strcmp(k, "frame") || !strcmp(k, "frame.len")) {
		size_t len = 0;
		int err = sip_msg_frame(raw, rawlen, &len);

		if (!strcmp(k, "frame"))
			buf_puts(out, err ? errname(err) : "ok");
		else
			buf_printf(out, "%zu", len);
		return 0;
	}
	if (!msg) {
		buf_puts(out, "(no message)");
		return 0;
	}
	if (!strcmp(k, "type")) {
		buf_puts(out, sip_msg_is_request(msg) ? "request" : "response");
	} else if (!strcmp(k, "method")) {
		struct pl m = sip_msg_method(msg);

		put_pl(out, &m);
	} else if (!strcmp(k, "ruri")) {
		struct pl r = sip_msg_ruri_raw(msg);

		put_pl(out, &r);
	} else if (!strncmp(k, "ruri.", 5)) {
		const struct sip_uri *u;
		int err = sip_msg_ruri(msg, &u);

		if (err)
			put_err(out, err);
		else
			return uri_field(u, k + 4, out);
	} else if (!strcmp(k, "code")) {
		buf_printf(out, "%u", sip_msg_status(msg));
	} else if (!strcmp(k, "phrase")) {
		struct pl r = sip_msg_reason(msg);

		put_pl(out, &r);
	} else if (!strcmp(k, "body")) {
		struct pl b = sip_msg_body(msg);

		buf_putpl(out, &b);
	} else if (!strcmp(k, "body.len")) {
		buf_printf(out, "%zu", sip_msg_body(msg).l);
	} else if (!strcmp(k, "hdr.count")) {
		buf_printf(out, "%zu", sip_msg_hdr_count(msg));
	} else if (!strncmp(k, "hdr[", 4)) {
		return raw_hdr(msg, k + 4, out);
	} else if (!strncmp(k, "same(", 5)) {
		return same_uri(msg, k + 5, out);
	} else {
		size_t n = strcspn(k, ".[");
		struct pl name = {k, n};
		enum sip_hdr_id id = sip_hdr_lookup(&name);

		if (id == SIP_HDR_OTHER) {
			buf_printf(out, "unknown key %s", k);
			return -1;
		}
		return typed_field(msg, id, k + n, out);
	}
	return 0;
}

bool check_run(struct sip_msg *msg, const char *raw, size_t rawlen,
	       const struct check *c, struct buf *why)
{
	struct buf got;
	bool ok;

	buf_init(&got, 0);
	if (resolve(msg, raw, rawlen, c->key, &got)) {
		buf_printf(why, "bad key %s (%.*s)", c->key, (int)got.len,
			   got.data ? got.data : "");
		buf_free(&got);
		return false;
	}
	buf_putc(&got, '\0');
	got.len--;
	if (!strcmp(c->op, "^="))
		ok = got.len >= c->vlen && !memcmp(got.data, c->val, c->vlen);
	else
		ok = got.len == c->vlen && !memcmp(got.data, c->val, c->vlen);
	if (!strcmp(c->op, "!="))
		ok = !ok;
	if (!ok)
		buf_printf(why, "%s %s \"%.*s\" but got \"%.*s\"", c->key,
			   c->op, (int)c->vlen, c->val, (int)got.len,
			   got.data);
	buf_free(&got);
	return ok;
}
