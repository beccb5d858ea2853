/* sdp.c - bounded, zero-copy SDP parser and canonical printer. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/base64.h>

#include "core/buf.h"
#include "core/pl.h"
#include "ua/sdp.h"

/* Where the parser is: session lines, or the media section it appends to. */
struct parser {
	struct sdp_session *s;
	struct sdp_media *m;      /* NULL until the first m= line */
	unsigned seen;            /* bit per session line letter seen */
	size_t nattr_lines;       /* a= lines at the current level */
};

#define SEEN(c) (1u << ((c) - 'a'))

static bool is_token_char(char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr("!#$%&'*+-.^_`{|}~", c) != NULL;
}

static bool is_token(const struct pl *pl)
{
	size_t i;

	if (!pl->l)
		return false;
	for (i = 0; i < pl->l; i++) {
		if (!is_token_char(pl->p[i]))
			return false;
	}
	return true;
}

/* A host name or an IPv4/IPv6 literal, checked loosely: o= is never dialled. */
static bool is_host(const struct pl *pl)
{
	size_t i;

	if (!pl->l)
		return false;
	for (i = 0; i < pl->l; i++) {
		if (!is_token_char(pl->p[i]) && pl->p[i] != ':')
			return false;
	}
	return true;
}

/* proto = token *("/" token), e.g. "RTP/SAVPF" or "UDP/TLS/RTP/SAVPF". */
static bool is_proto(const struct pl *pl)
{
	size_t i;

	if (!pl->l || pl->p[0] == '/' || pl->p[pl->l - 1] == '/')
		return false;
	for (i = 0; i < pl->l; i++) {
		if (pl->p[i] == '/') {
			if (pl->p[i - 1] == '/')
				return false;
		}
		else if (!is_token_char(pl->p[i])) {
			return false;
		}
	}
	return true;
}

/* Takes the next SP-separated field of rest; ENOENT when none is left. */
static int next_field(struct pl *rest, struct pl *field)
{
	size_t i = 0;

	while (i < rest->l && rest->p[i] == ' ')
		i++;
	if (i == rest->l)
		return ENOENT;
	field->p = rest->p + i;
	while (i < rest->l && rest->p[i] != ' ')
		i++;
	field->l = (size_t)(rest->p + i - field->p);
	rest->p += i;
	rest->l -= i;
	return 0;
}

/* The next field, which must exist. */
static int need_field(struct pl *rest, struct pl *field)
{
	return next_field(rest, field) ? EBADMSG : 0;
}

/* Nothing but spaces may remain. */
static int need_end(struct pl *rest)
{
	struct pl f;

	return next_field(rest, &f) == ENOENT ? 0 : EBADMSG;
}

static int num_u32(const struct pl *pl, uint32_t *vp)
{
	return pl_u32(pl, vp) ? EBADMSG : 0;
}

static int num_u64(const struct pl *pl, uint64_t *vp)
{
	return pl_u64(pl, vp) ? EBADMSG : 0;
}

/* Splits pl at the first c: head before, tail after; false when absent. */
static bool split(const struct pl *pl, char c, struct pl *head, struct pl *tail)
{
	const struct pl in = *pl;   /* head or tail may alias pl */
	const char *x = pl_chr(&in, c);

	if (!x)
		return false;
	head->p = in.p;
	head->l = (size_t)(x - in.p);
	tail->p = x + 1;
	tail->l = in.l - (size_t)(x - in.p) - 1;
	return true;
}

static int parse_af(const struct pl *pl, enum sdp_af *afp)
{
	if (pl_eq_str(pl, "IP4"))
		*afp = SDP_AF_IP4;
	else if (pl_eq_str(pl, "IP6"))
		*afp = SDP_AF_IP6;
	else
		return EBADMSG;
	return 0;
}

/* o=<username> <sess-id> <sess-version> IN <addrtype> <unicast-address> */
static int parse_origin(struct sdp_origin *o, struct pl v)
{
	struct pl id, ver, net, af, addr;
	int err;

	if ((err = need_field(&v, &o->user)) || (err = need_field(&v, &id)) ||
	    (err = need_field(&v, &ver)) || (err = need_field(&v, &net)) ||
	    (err = need_field(&v, &af)) || (err = need_field(&v, &addr)) ||
	    (err = need_end(&v)))
		return err;
	if (!pl_eq_str(&net, "IN") || parse_af(&af, &o->af) || !is_host(&addr))
		return EBADMSG;
	if ((err = num_u64(&id, &o->sess_id)) || (err = num_u64(&ver, &o->sess_version)))
		return err;
	o->addr = addr;
	return 0;
}

/* c=IN IP4 192.0.2.1 - unicast literals only: a softphone sends nowhere else. */
static int parse_conn(struct sdp_conn *c, struct pl v)
{
	struct pl net, af, addr;
	unsigned char bin[16];
	char tmp[INET6_ADDRSTRLEN + 1];
	int err;

	if ((err = need_field(&v, &net)) || (err = need_field(&v, &af)) ||
	    (err = need_field(&v, &addr)) || (err = need_end(&v)))
		return err;
	if (!pl_eq_str(&net, "IN") || parse_af(&af, &c->af))
		return EBADMSG;
	if (addr.l >= sizeof(tmp))
		return EBADMSG;
	pl_strcpy(tmp, sizeof(tmp), &addr);
	if (inet_pton(c->af == SDP_AF_IP4 ? AF_INET : AF_INET6, tmp, bin) != 1)
		return EBADMSG;
	c->addr = addr;
	return 0;
}

/* b=<bwtype>:<bandwidth> */
static int parse_bw(struct sdp_bw *bw, size_t *n, struct pl v)
{
	struct pl type, val;

	if (*n >= SDP_MAX_BW)
		return E2BIG;
	if (!split(&v, ':', &type, &val) || !is_token(&type))
		return EBADMSG;
	if (num_u32(&val, &bw[*n].value))
		return EBADMSG;
	bw[*n].type = type;
	(*n)++;
	return 0;
}

/* t=<start-time> <stop-time> */
static int parse_time(struct sdp_session *s, struct pl v)
{
	struct pl a, b;
	int err;

	if ((err = need_field(&v, &a)) || (err = need_field(&v, &b)) || (err = need_end(&v)))
		return err;
	if ((err = num_u64(&a, &s->t_start)) || (err = num_u64(&b, &s->t_stop)))
		return err;
	return 0;
}

static enum sdp_proto proto_parse(const struct pl *pl)
{
	if (pl_eq_str(pl, "RTP/AVP"))
		return SDP_PROTO_RTP_AVP;
	if (pl_eq_str(pl, "RTP/SAVP"))
		return SDP_PROTO_RTP_SAVP;
	if (pl_eq_str(pl, "RTP/SAVPF"))
		return SDP_PROTO_RTP_SAVPF;
	return SDP_PROTO_OTHER;
}

static int parse_pt(const struct pl *pl, int *ptp)
{
	uint32_t v;

	if (pl->l > 3 || num_u32(pl, &v) || v > 127)
		return EBADMSG;
	*ptp = (int)v;
	return 0;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... */
static int parse_media(struct sdp_media *m, struct pl v)
{
	struct pl port, nports, proto, fmt;
	uint32_t u;
	int err;

	if ((err = need_field(&v, &m->type)) || (err = need_field(&v, &port)) ||
	    (err = need_field(&v, &proto)))
		return err;
	if (!is_token(&m->type) || !is_proto(&proto))
		return EBADMSG;
	if (split(&port, '/', &port, &nports)) {
		if (num_u32(&nports, &u) || u == 0 || u > UINT16_MAX)
			return EBADMSG;
		m->nports = (uint16_t)u;
	}
	if (num_u32(&port, &u) || u > UINT16_MAX)
		return EBADMSG;
	m->port = (uint16_t)u;
	m->proto_str = proto;
	m->proto = proto_parse(&proto);

	while (next_field(&v, &fmt) == 0) {
		struct sdp_format *f;

		if (m->nfmts >= SDP_MAX_FMTS)
			return E2BIG;
		f = &m->fmts[m->nfmts];
		memset(f, 0, sizeof(*f));
		f->id = fmt;
		f->pt = -1;
		if (m->proto != SDP_PROTO_OTHER) {
			if (parse_pt(&fmt, &f->pt))
				return EBADMSG;
			for (size_t i = 0; i < m->nfmts; i++) {
				if (m->fmts[i].pt == f->pt)
					return EBADMSG;
			}
		}
		else if (!is_token(&fmt)) {
			return EBADMSG;
		}
		m->nfmts++;
	}
	return m->nfmts ? 0 : EBADMSG;
}

/* The format an rtpmap or fmtp refers to; NULL for one not on the m= line. */
static struct sdp_format *format_by_id(struct sdp_media *m, const struct pl *id, int *errp)
{
	int pt = -1;
	size_t i;

	*errp = 0;
	if (m->proto != SDP_PROTO_OTHER && parse_pt(id, &pt)) {
		*errp = EBADMSG;
		return NULL;
	}
	for (i = 0; i < m->nfmts; i++) {
		if (pt >= 0 ? m->fmts[i].pt == pt : pl_eq(&m->fmts[i].id, id))
			return &m->fmts[i];
	}
	return NULL;
}

/* a=rtpmap:<pt> <encoding name>/<clock rate>[/<channels>] */
static int attr_rtpmap(struct sdp_media *m, struct pl v)
{
	struct pl id, enc, name, rest, clock, chans = PL_INIT;
	struct sdp_format *f;
	uint32_t c, ch = 0;
	int err;

	if ((err = need_field(&v, &id)) || (err = need_field(&v, &enc)) || (err = need_end(&v)))
		return err;
	if (!split(&enc, '/', &name, &rest) || !is_token(&name))
		return EBADMSG;
	if (!split(&rest, '/', &clock, &chans))
		clock = rest;
	if (num_u32(&clock, &c) || c == 0)
		return EBADMSG;
	if (chans.p && (num_u32(&chans, &ch) || ch == 0 || ch > 255))
		return EBADMSG;
	f = format_by_id(m, &id, &err);
	if (err)
		return err;
	if (!f)
		return 0;   /* RFC 4566: an rtpmap for an unlisted format is ignored */
	if (f->has_rtpmap)
		return EBADMSG;
	f->has_rtpmap = true;
	f->name = name;
	f->clock = c;
	f->channels = ch;
	return 0;
}

/* a=fmtp:<format> <format specific parameters> */
static int attr_fmtp(struct sdp_media *m, struct pl v)
{
	struct pl id, params;
	struct sdp_format *f;
	int err;

	if ((err = need_field(&v, &id)))
		return err;
	while (v.l && v.p[0] == ' ') {
		v.p++;
		v.l--;
	}
	params = v;
	if (!params.l)
		return EBADMSG;
	f = format_by_id(m, &id, &err);
	if (err)
		return err;
	if (!f)
		return 0;
	if (f->fmtp.p)
		return EBADMSG;
	f->fmtp = params;
	return 0;
}

static bool is_b64(const struct pl *pl)
{
	size_t i;

	if (!pl->l || pl->l % 4)
		return false;
	for (i = 0; i < pl->l; i++) {
		char c = pl->p[i];

		if (c == '=') {
			/* Padding only at the very end, at most two. */
			if (i + 2 < pl->l || (i + 1 < pl->l && pl->p[i + 1] != '='))
				return false;
		}
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
			   (c >= '0' && c <= '9') || c == '+' || c == '/')) {
			return false;
		}
	}
	return true;
}

static int b64_decode(const struct pl *in, uint8_t *out, size_t sz, size_t *lenp)
{
	struct base64_decode_ctx ctx;
	size_t n = sz;

	if (!is_b64(in) || BASE64_DECODE_LENGTH(in->l) > sz)
		return EBADMSG;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &n, out, in->l, in->p) || !base64_decode_final(&ctx))
		return EBADMSG;
	*lenp = n;
	return 0;
}

/* Suites whose key||salt is 16 + 14 bytes (RFC 4568 6.2). */
static bool suite_is_128(const struct pl *suite)
{
	return pl_eq_str(suite, "AES_CM_128_HMAC_SHA1_80") ||
	       pl_eq_str(suite, "AES_CM_128_HMAC_SHA1_32") ||
	       pl_eq_str(suite, "F8_128_HMAC_SHA1_80") ||
	       pl_eq_str(suite, "F8_128_HMAC_SHA1_32");
}

/* lifetime = ["2^"] 1*DIGIT */
static int check_lifetime(const struct pl *lt)
{
	struct pl d = *lt;
	uint64_t v;

	if (d.l > 2 && d.p[0] == '2' && d.p[1] == '^') {
		d.p += 2;
		d.l -= 2;
		if (num_u64(&d, &v) || v == 0 || v > 64)
			return EBADMSG;
		return 0;
	}
	return num_u64(&d, &v);
}

/* a=crypto:<tag> <crypto-suite> inline:<key||salt>[|lifetime][|MKI:length][;...] [params] */
static int attr_crypto(struct sdp_media *m, struct pl v)
{
	struct pl tag, suite, kp, method, info, key, a, b;
	uint8_t raw[SDP_CRYPTO_KEY_MAX];
	struct sdp_crypto *c;
	int err;

	if (m->ncrypto >= SDP_MAX_CRYPTO)
		return E2BIG;
	c = &m->crypto[m->ncrypto];
	memset(c, 0, sizeof(*c));
	if ((err = need_field(&v, &tag)) || (err = need_field(&v, &suite)))
		return err;
	if (tag.l > 9 || num_u32(&tag, &c->tag) || !is_token(&suite))
		return EBADMSG;
	for (size_t i = 0; i < m->ncrypto; i++) {
		if (m->crypto[i].tag == c->tag)
			return EBADMSG;
	}
	while (v.l && v.p[0] == ' ') {
		v.p++;
		v.l--;
	}
	c->params = v;
	c->suite = suite;
	if ((err = need_field(&v, &kp)))
		return err;
	/* Only the first key-param is parsed; more follow after ';'. */
	(void)split(&kp, ';', &kp, &a);
	if (!split(&kp, ':', &method, &info) || !pl_eq_str(&method, "inline"))
		return EBADMSG;
	if (!split(&info, '|', &key, &a)) {
		key = info;
		a = (struct pl)PL_INIT;
	}
	err = b64_decode(&key, raw, sizeof(raw), &c->key_len);
	explicit_bzero(raw, sizeof(raw));
	if (err)
		return err;
	if (suite_is_128(&suite) && c->key_len != 30)
		return EBADMSG;
	c->key = key;
	/* The optional parts: lifetime, MKI, each once, in this order. */
	if (a.p) {
		struct pl part = a, rest = PL_INIT;
		bool more = split(&a, '|', &part, &rest);

		if (pl_chr(&part, ':')) {
			if (more)
				return EBADMSG;   /* MKI must come last */
			c->mki = part;
		}
		else {
			c->lifetime = part;
			if (check_lifetime(&part))
				return EBADMSG;
			if (more)
				c->mki = rest;
			else
				c->mki = (struct pl)PL_INIT;
		}
		if (c->mki.p) {
			if (!split(&c->mki, ':', &a, &b) || pl_chr(&b, '|') ||
			    num_u32(&a, &c->mki_value) || num_u32(&b, &c->mki_len) ||
			    c->mki_len < 1 || c->mki_len > 128)
				return EBADMSG;
		}
	}
	m->ncrypto++;
	return 0;
}

static int attr_u32(uint32_t *vp, const struct pl *v)
{
	uint32_t n;

	if (*vp || !v->p || num_u32(v, &n) || n == 0)
		return EBADMSG;
	*vp = n;
	return 0;
}

static enum sdp_dir dir_parse(const struct pl *name)
{
	if (pl_eq_str(name, "sendrecv"))
		return SDP_DIR_SENDRECV;
	if (pl_eq_str(name, "sendonly"))
		return SDP_DIR_SENDONLY;
	if (pl_eq_str(name, "recvonly"))
		return SDP_DIR_RECVONLY;
	if (pl_eq_str(name, "inactive"))
		return SDP_DIR_INACTIVE;
	return SDP_DIR_UNSET;
}

static int attr_keep(struct sdp_attr *attrs, size_t *n, const struct pl *name,
		     const struct pl *value)
{
	if (*n >= SDP_MAX_ATTRS)
		return E2BIG;
	attrs[*n].name = *name;
	attrs[*n].value = *value;
	(*n)++;
	return 0;
}

/* a=<attribute>[:<value>] at session or media level. */
static int parse_attr(struct parser *ps, struct pl v)
{
	struct pl name, value = PL_INIT;
	struct sdp_media *m = ps->m;
	enum sdp_dir *dirp = m ? &m->dir : &ps->s->dir;
	enum sdp_dir d;

	if (++ps->nattr_lines > SDP_MAX_ATTRS)
		return E2BIG;
	if (!split(&v, ':', &name, &value))
		name = v;
	if (!is_token(&name))
		return EBADMSG;

	d = value.p ? SDP_DIR_UNSET : dir_parse(&name);
	if (d != SDP_DIR_UNSET) {
		if (*dirp != SDP_DIR_UNSET)
			return EBADMSG;   /* two directions contradict each other */
		*dirp = d;
		return 0;
	}
	if (!m)
		return attr_keep(ps->s->attrs, &ps->s->nattrs, &name, &value);
	if (pl_eq_str(&name, "rtpmap") && value.p) {
		int err = attr_rtpmap(m, value);

		/* A malformed rtpmap (RFC 4475 esc01: "a=rtpmap:31 LPC")
		 * spoils only its own format: kept as an attribute we do not
		 * understand, the rest of the offer can still be answered. */
		if (err == EBADMSG)
			return attr_keep(m->attrs, &m->nattrs, &name, &value);
		return err;
	}
	if (pl_eq_str(&name, "fmtp") && value.p)
		return attr_fmtp(m, value);
	if (pl_eq_str(&name, "ptime"))
		return attr_u32(&m->ptime, &value);
	if (pl_eq_str(&name, "maxptime"))
		return attr_u32(&m->maxptime, &value);
	if (pl_eq_str(&name, "crypto") && value.p)
		return attr_crypto(m, value);
	return attr_keep(m->attrs, &m->nattrs, &name, &value);
}

/* Session lines appear once each, in the RFC 4566 order up to t=. */
static int session_line(struct parser *ps, char type, struct pl v)
{
	struct sdp_session *s = ps->s;
	unsigned bit = SEEN(type);
	int err;

	switch (type) {
	case 'o':
	case 's':
	case 'c':
	case 't':
		if (ps->seen & bit)
			return EBADMSG;
		break;
	default:
		break;
	}
	if (type != 'o' && !(ps->seen & SEEN('o')))
		return EBADMSG;
	if (type != 'o' && type != 's' && !(ps->seen & SEEN('s')))
		return EBADMSG;
	ps->seen |= bit;

	switch (type) {
	case 'o':
		return parse_origin(&s->origin, v);
	case 's':
		s->name = v;
		return 0;
	case 'c':
		return parse_conn(&s->conn, v);
	case 'b':
		return parse_bw(s->bw, &s->nbw, v);
	case 't':
		return parse_time(s, v);
	case 'a':
		return parse_attr(ps, v);
	case 'm':
		if (!(ps->seen & SEEN('t')))
			return EBADMSG;
		if (s->nmedia >= SDP_MAX_MEDIA)
			return E2BIG;
		ps->m = &s->media[s->nmedia++];
		ps->nattr_lines = 0;
		err = parse_media(ps->m, v);
		return err;
	case 'i':
	case 'u':
	case 'e':
	case 'p':
	case 'z':
	case 'k':
	case 'r':
		return 0;
	default:
		/* RFC 4566 5: an unknown type letter voids the description. */
		return EBADMSG;
	}
}

static int media_line(struct parser *ps, char type, struct pl v)
{
	struct sdp_media *m = ps->m;

	switch (type) {
	case 'm':
		return session_line(ps, type, v);
	case 'c':
		if (m->conn.af != SDP_AF_NONE)
			return EBADMSG;
		return parse_conn(&m->conn, v);
	case 'b':
		return parse_bw(m->bw, &m->nbw, v);
	case 'a':
		return parse_attr(ps, v);
	case 'i':
	case 'k':
		return 0;
	default:
		return EBADMSG;
	}
}

static int parse_line(struct parser *ps, const struct pl *line, size_t idx)
{
	struct pl v;
	char type;

	if (line->l < 2 || line->p[1] != '=' || line->p[0] < 'a' || line->p[0] > 'z')
		return EBADMSG;
	type = line->p[0];
	v.p = line->p + 2;
	v.l = line->l - 2;
	if (idx == 0) {
		/* v=0 first, exactly. */
		return (type == 'v' && pl_eq_str(&v, "0")) ? 0 : EBADMSG;
	}
	if (type == 'v')
		return EBADMSG;
	return ps->m ? media_line(ps, type, v) : session_line(ps, type, v);
}

static int check_complete(const struct sdp_session *s, unsigned seen)
{
	size_t i;

	if (!(seen & SEEN('o')) || !(seen & SEEN('s')) || !(seen & SEEN('t')))
		return EBADMSG;
	/* RFC 4566 5.7: every active stream has an address somewhere. */
	for (i = 0; i < s->nmedia; i++) {
		if (s->media[i].port && !sdp_media_conn(s, &s->media[i]))
			return EBADMSG;
	}
	return 0;
}

static int parse_all(struct sdp_session *s, const char *p, size_t len)
{
	struct parser ps = {.s = s};
	size_t pos = 0, nlines = 0;
	bool blank_tail = false;
	int err;

	if (len > SDP_MAX_SIZE)
		return E2BIG;
	while (pos < len) {
		const char *nl = memchr(p + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - p) : len;
		struct pl line = {p + pos, end - pos};

		if (line.l && line.p[line.l - 1] == '\r')
			line.l--;
		pos = nl ? end + 1 : len;
		if (line.l > SDP_MAX_LINE_LEN)
			return E2BIG;
		if (++nlines > SDP_MAX_LINES)
			return E2BIG;
		if (memchr(line.p, '\r', line.l) || memchr(line.p, '\0', line.l))
			return EBADMSG;
		/* Blank lines are tolerated only after the last line. */
		if (!line.l) {
			blank_tail = true;
			continue;
		}
		if (blank_tail)
			return EBADMSG;
		err = parse_line(&ps, &line, nlines - 1);
		if (err)
			return err;
	}
	if (!nlines)
		return EBADMSG;
	return check_complete(s, ps.seen);
}

int sdp_parse(struct sdp_session **sessp, const char *p, size_t len)
{
	struct sdp_session *s;
	int err;

	if (!sessp || (!p && len))
		return EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	err = parse_all(s, p, len);
	if (err) {
		sdp_free(s);
		return err;
	}
	*sessp = s;
	return 0;
}

int sdp_alloc(struct sdp_session **sessp)
{
	struct sdp_session *s;

	if (!sessp)
		return EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return ENOMEM;
	s->origin.user = (struct pl)PL("-");
	s->name = (struct pl)PL("-");
	*sessp = s;
	return 0;
}

void sdp_free(struct sdp_session *sess)
{
	/* Crypto lines point at keys; the struct itself holds none. */
	free(sess);
}

const char *sdp_proto_name(enum sdp_proto proto)
{
	switch (proto) {
	case SDP_PROTO_RTP_AVP:
		return "RTP/AVP";
	case SDP_PROTO_RTP_SAVP:
		return "RTP/SAVP";
	case SDP_PROTO_RTP_SAVPF:
		return "RTP/SAVPF";
	default:
		return "";
	}
}

const char *sdp_dir_name(enum sdp_dir dir)
{
	switch (dir) {
	case SDP_DIR_SENDRECV:
		return "sendrecv";
	case SDP_DIR_SENDONLY:
		return "sendonly";
	case SDP_DIR_RECVONLY:
		return "recvonly";
	case SDP_DIR_INACTIVE:
		return "inactive";
	default:
		return "";
	}
}

static const char *af_name(enum sdp_af af)
{
	return af == SDP_AF_IP6 ? "IP6" : "IP4";
}

static void print_conn(struct buf *b, const struct sdp_conn *c)
{
	if (c->af == SDP_AF_NONE)
		return;
	buf_printf(b, "c=IN %s %.*s\r\n", af_name(c->af), PL_FMT(&c->addr));
}

static void print_bw(struct buf *b, const struct sdp_bw *bw, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_printf(b, "b=%.*s:%u\r\n", PL_FMT(&bw[i].type), (unsigned)bw[i].value);
}

static void print_attrs(struct buf *b, const struct sdp_attr *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i].value.p)
			buf_printf(b, "a=%.*s:%.*s\r\n", PL_FMT(&a[i].name), PL_FMT(&a[i].value));
		else
			buf_printf(b, "a=%.*s\r\n", PL_FMT(&a[i].name));
	}
}

static void print_fmt_id(struct buf *b, const struct sdp_format *f)
{
	if (f->pt >= 0)
		buf_printf(b, "%d", f->pt);
	else
		buf_putpl(b, &f->id);
}

static void print_media(struct buf *b, const struct sdp_media *m)
{
	size_t i;

	buf_printf(b, "m=%.*s %u", PL_FMT(&m->type), (unsigned)m->port);
	if (m->nports)
		buf_printf(b, "/%u", (unsigned)m->nports);
	if (m->proto_str.p)
		buf_printf(b, " %.*s", PL_FMT(&m->proto_str));
	else
		buf_printf(b, " %s", sdp_proto_name(m->proto));
	for (i = 0; i < m->nfmts; i++) {
		buf_putc(b, ' ');
		print_fmt_id(b, &m->fmts[i]);
	}
	buf_puts(b, "\r\n");
	print_conn(b, &m->conn);
	print_bw(b, m->bw, m->nbw);
	for (i = 0; i < m->nfmts; i++) {
		const struct sdp_format *f = &m->fmts[i];

		if (f->has_rtpmap) {
			buf_puts(b, "a=rtpmap:");
			print_fmt_id(b, f);
			buf_printf(b, " %.*s/%u", PL_FMT(&f->name), (unsigned)f->clock);
			if (f->channels)
				buf_printf(b, "/%u", (unsigned)f->channels);
			buf_puts(b, "\r\n");
		}
		if (f->fmtp.p) {
			buf_puts(b, "a=fmtp:");
			print_fmt_id(b, f);
			buf_printf(b, " %.*s\r\n", PL_FMT(&f->fmtp));
		}
	}
	if (m->ptime)
		buf_printf(b, "a=ptime:%u\r\n", (unsigned)m->ptime);
	if (m->maxptime)
		buf_printf(b, "a=maxptime:%u\r\n", (unsigned)m->maxptime);
	if (m->dir != SDP_DIR_UNSET)
		buf_printf(b, "a=%s\r\n", sdp_dir_name(m->dir));
	for (i = 0; i < m->ncrypto; i++)
		buf_printf(b, "a=crypto:%u %.*s %.*s\r\n", (unsigned)m->crypto[i].tag,
			   PL_FMT(&m->crypto[i].suite), PL_FMT(&m->crypto[i].params));
	print_attrs(b, m->attrs, m->nattrs);
}

int sdp_print(struct buf *b, const struct sdp_session *s)
{
	const struct sdp_origin *o;
	size_t i;

	if (!b || !s)
		return EINVAL;
	o = &s->origin;
	/* What we print must parse again: refuse a half-built session. */
	if (!o->user.l || !o->addr.l || !s->name.p)
		return EINVAL;
	for (i = 0; i < s->nmedia; i++) {
		if (!s->media[i].nfmts || !s->media[i].type.l)
			return EINVAL;
	}
	buf_puts(b, "v=0\r\n");
	buf_printf(b, "o=%.*s %llu %llu IN %s %.*s\r\n", PL_FMT(&o->user),
		   (unsigned long long)o->sess_id, (unsigned long long)o->sess_version,
		   af_name(o->af), PL_FMT(&o->addr));
	buf_printf(b, "s=%.*s\r\n", PL_FMT(&s->name));
	print_conn(b, &s->conn);
	print_bw(b, s->bw, s->nbw);
	buf_printf(b, "t=%llu %llu\r\n", (unsigned long long)s->t_start,
		   (unsigned long long)s->t_stop);
	if (s->dir != SDP_DIR_UNSET)
		buf_printf(b, "a=%s\r\n", sdp_dir_name(s->dir));
	print_attrs(b, s->attrs, s->nattrs);
	for (i = 0; i < s->nmedia; i++)
		print_media(b, &s->media[i]);
	return b->err;
}

int sdp_media_add(struct sdp_session *sess, struct sdp_media **mp, const char *type,
		  uint16_t port, enum sdp_proto proto)
{
	struct sdp_media *m;

	if (!sess || !type || proto == SDP_PROTO_OTHER)
		return EINVAL;
	if (sess->nmedia >= SDP_MAX_MEDIA)
		return E2BIG;
	m = &sess->media[sess->nmedia++];
	memset(m, 0, sizeof(*m));
	pl_set_str(&m->type, type);
	m->port = port;
	m->proto = proto;
	pl_set_str(&m->proto_str, sdp_proto_name(proto));
	if (mp)
		*mp = m;
	return 0;
}

int sdp_format_add(struct sdp_media *m, int pt, const char *name, uint32_t clock,
		   uint32_t channels, const char *fmtp)
{
	struct sdp_format *f;

	if (!m || pt < 0 || pt > 127 || (name && !clock))
		return EINVAL;
	if (m->nfmts >= SDP_MAX_FMTS)
		return E2BIG;
	if (sdp_format_find_pt(m, pt))
		return EINVAL;
	f = &m->fmts[m->nfmts++];
	memset(f, 0, sizeof(*f));
	f->pt = pt;
	if (name) {
		f->has_rtpmap = true;
		pl_set_str(&f->name, name);
		f->clock = clock;
		f->channels = channels;
	}
	if (fmtp)
		pl_set_str(&f->fmtp, fmtp);
	return 0;
}

int sdp_media_attr_add(struct sdp_media *m, const char *name, const char *value)
{
	struct pl n, v = PL_INIT;

	if (!m || !name)
		return EINVAL;
	pl_set_str(&n, name);
	if (value)
		pl_set_str(&v, value);
	return attr_keep(m->attrs, &m->nattrs, &n, &v);
}

int sdp_crypto_add(struct sdp_media *m, uint32_t tag, const char *suite, const char *params)
{
	struct sdp_crypto *c;

	if (!m || !suite || !params)
		return EINVAL;
	if (m->ncrypto >= SDP_MAX_CRYPTO)
		return E2BIG;
	c = &m->crypto[m->ncrypto++];
	memset(c, 0, sizeof(*c));
	c->tag = tag;
	pl_set_str(&c->suite, suite);
	pl_set_str(&c->params, params);
	return 0;
}

enum sdp_dir sdp_media_dir(const struct sdp_session *sess, const struct sdp_media *m)
{
	if (m && m->dir != SDP_DIR_UNSET)
		return m->dir;
	if (sess && sess->dir != SDP_DIR_UNSET)
		return sess->dir;
	return SDP_DIR_SENDRECV;
}

enum sdp_dir sdp_dir_answer(enum sdp_dir offered, enum sdp_dir wanted)
{
	bool we_send, we_recv;

	if (offered == SDP_DIR_UNSET)
		offered = SDP_DIR_SENDRECV;
	if (wanted == SDP_DIR_UNSET)
		wanted = SDP_DIR_SENDRECV;
	/* We may send only what the offerer receives, and the reverse. */
	we_send = (offered == SDP_DIR_SENDRECV || offered == SDP_DIR_RECVONLY) &&
		  (wanted == SDP_DIR_SENDRECV || wanted == SDP_DIR_SENDONLY);
	we_recv = (offered == SDP_DIR_SENDRECV || offered == SDP_DIR_SENDONLY) &&
		  (wanted == SDP_DIR_SENDRECV || wanted == SDP_DIR_RECVONLY);
	if (we_send && we_recv)
		return SDP_DIR_SENDRECV;
	if (we_send)
		return SDP_DIR_SENDONLY;
	if (we_recv)
		return SDP_DIR_RECVONLY;
	return SDP_DIR_INACTIVE;
}

const struct sdp_conn *sdp_media_conn(const struct sdp_session *sess, const struct sdp_media *m)
{
	if (m && m->conn.af != SDP_AF_NONE)
		return &m->conn;
	if (sess && sess->conn.af != SDP_AF_NONE)
		return &sess->conn;
	return NULL;
}

const struct sdp_format *sdp_format_find(const struct sdp_media *m, const char *name,
					 uint32_t clock)
{
	size_t i;

	if (!m || !name)
		return NULL;
	for (i = 0; i < m->nfmts; i++) {
		const struct sdp_format *f = &m->fmts[i];

		if (f->has_rtpmap && f->clock == clock && pl_caseeq_str(&f->name, name))
			return f;
	}
	return NULL;
}

const struct sdp_format *sdp_format_find_pt(const struct sdp_media *m, int pt)
{
	size_t i;

	if (!m || pt < 0)
		return NULL;
	for (i = 0; i < m->nfmts; i++) {
		if (m->fmts[i].pt == pt)
			return &m->fmts[i];
	}
	return NULL;
}

int sdp_crypto_key(const struct sdp_crypto *c, uint8_t *out, size_t sz, size_t *lenp)
{
	uint8_t raw[SDP_CRYPTO_KEY_MAX];
	size_t n = 0;
	int err;

	if (!c || !out || !lenp)
		return EINVAL;
	err = b64_decode(&c->key, raw, sizeof(raw), &n);
	if (!err && n > sz)
		err = E2BIG;
	if (!err) {
		memcpy(out, raw, n);
		*lenp = n;
	}
	explicit_bzero(raw, sizeof(raw));
	return err;
}
