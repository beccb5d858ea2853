/* rsvp.c - RSVP (RFC 2205) message build and parse, and the policy element checks (RFC 2750, RFC 3520). */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "audio/rsvp.h"
#include "core/i18n.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	       ((uint32_t)p[2] << 8) | p[3];
}

static void putf(uint8_t *p, float f)
{
	uint32_t v;

	memcpy(&v, &f, sizeof(v));
	put32(p, v);
}

static float getf(const uint8_t *p)
{
	uint32_t v = get32(p);
	float f;

	memcpy(&f, &v, sizeof(f));
	return f;
}

static size_t addr_len(const struct rsvp_addr *a)
{
	return a->af == AF_INET6 ? 16 : 4;
}

uint16_t rsvp_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;
	uint16_t c;

	for (i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	c = (uint16_t)~sum;
	/* 0 means "no checksum": send the other zero, as UDP does. */
	return c ? c : 0xffff;
}

/* The writer: appends objects, fails once on overflow. */
struct wr {
	uint8_t *buf;
	size_t sz, len;
	bool over;
};

static uint8_t *obj(struct wr *w, uint8_t cnum, uint8_t ctype, size_t body)
{
	uint8_t *o;

	if (w->over || body > 0xffff - 4 || w->sz - w->len < 4 + body) {
		w->over = true;
		return NULL;
	}
	o = w->buf + w->len;
	memset(o, 0, 4 + body);
	put16(o, (uint16_t)(4 + body));
	o[2] = cnum;
	o[3] = ctype;
	w->len += 4 + body;
	return o + 4;
}

static void put_session(struct wr *w, const struct rsvp_path *p)
{
	size_t al = addr_len(&p->dst);
	uint8_t *b = obj(w, RSVP_C_SESSION, al == 16 ? 2 : 1, al + 4);

	if (!b)
		return;
	memcpy(b, p->dst.a, al);
	b[al] = 17;              /* UDP */
	b[al + 1] = 0;           /* no E_Police: we are the sender's host */
	put16(b + al + 2, p->dport);
}

static void put_hop(struct wr *w, const struct rsvp_path *p)
{
	size_t al = addr_len(&p->src);
	uint8_t *b = obj(w, RSVP_C_RSVP_HOP, al == 16 ? 2 : 1, al + 4);

	if (b)
		memcpy(b, p->src.a, al);     /* LIH 0 */
}

static void put_sender(struct wr *w, const struct rsvp_path *p)
{
	size_t al = addr_len(&p->src);
	uint8_t *b = obj(w, RSVP_C_SENDER_TEMPLATE, al == 16 ? 2 : 1, al + 4);

	if (!b)
		return;
	memcpy(b, p->src.a, al);
	put16(b + al + 2, p->sport);
}

/* RFC 2210 section 3.1: IntServ general parameters, token bucket. */
static void put_tspec(struct wr *w, const struct rsvp_path *p)
{
	uint8_t *b = obj(w, RSVP_C_SENDER_TSPEC, 2, 32);

	if (!b)
		return;
	put16(b + 2, 7);          /* version 0, 7 words follow */
	b[4] = 1;                 /* service 1: default/global */
	put16(b + 6, 6);
	b[8] = 127;               /* parameter: token bucket TSpec */
	put16(b + 10, 5);
	putf(b + 12, p->tspec.r);
	putf(b + 16, p->tspec.b);
	putf(b + 20, p->tspec.p);
	put32(b + 24, p->tspec.m);
	put32(b + 28, p->tspec.M);
}

int rsvp_build(uint8_t type, const struct rsvp_path *p, uint8_t *buf,
	       size_t bufsz, size_t *lenp)
{
	struct wr w = {buf, bufsz, 8, false};
	uint8_t *b;
	size_t i;

	if ((type != RSVP_PATH && type != RSVP_PATHTEAR) || p->npe > RSVP_MAX_POLICY ||
	    (p->dst.af != AF_INET && p->dst.af != AF_INET6) || p->dst.af != p->src.af)
		return EINVAL;
	if (bufsz < 8)
		return ENOSPC;
	for (i = 0; type == RSVP_PATH && i < p->npe; i++) {
		if (rsvp_element_check(p->pe[i], p->pelen[i], NULL, 0))
			return EINVAL;
	}
	put_session(&w, p);
	put_hop(&w, p);
	if (type == RSVP_PATH) {
		b = obj(&w, RSVP_C_TIME_VALUES, 1, 4);
		if (b)
			put32(b, p->refresh_ms);
		/* RFC 3313 / 3520: each element goes in unmodified. */
		for (i = 0; i < p->npe; i++) {
			b = obj(&w, RSVP_C_POLICY_DATA, 1, 4 + p->pelen[i]);
			if (!b)
				break;
			put16(b, 8);      /* DataOffset: from the object's start */
			memcpy(b + 4, p->pe[i], p->pelen[i]);
		}
	}
	put_sender(&w, p);
	put_tspec(&w, p);
	if (w.over || w.len > 0xffff)
		return ENOSPC;
	buf[0] = 0x10;            /* version 1, no flags */
	buf[1] = type;
	put16(buf + 2, 0);
	buf[4] = p->ttl ? p->ttl : 64;
	buf[5] = 0;
	put16(buf + 6, (uint16_t)w.len);
	put16(buf + 2, rsvp_checksum(buf, w.len));
	*lenp = w.len;
	return 0;
}

static int get_addr(struct rsvp_addr *a, uint8_t ctype, const uint8_t *b,
		    size_t blen, size_t need4, size_t need6)
{
	if (ctype == 1 && blen >= need4) {
		a->af = AF_INET;
		memcpy(a->a, b, 4);
		return 4;
	}
	if (ctype == 2 && blen >= need6) {
		a->af = AF_INET6;
		memcpy(a->a, b, 16);
		return 16;
	}
	return 0;
}

static int parse_obj(struct rsvp_msg *m, uint8_t cnum, uint8_t ctype,
		     const uint8_t *b, size_t blen)
{
	int al;

	switch (cnum) {
	case RSVP_C_SESSION:
		al = get_addr(&m->sess_addr, ctype, b, blen, 8, 20);
		if (!al)
			return EBADMSG;
		m->sess_proto = b[al];
		m->sess_port = get16(b + al + 2);
		m->has_session = true;
		break;
	case RSVP_C_SENDER_TEMPLATE:
		al = get_addr(&m->sender_addr, ctype, b, blen, 8, 20);
		if (!al)
			return EBADMSG;
		m->sender_port = get16(b + al + 2);
		m->has_sender = true;
		break;
	case RSVP_C_ERROR_SPEC:
		al = get_addr(&m->err_node, ctype, b, blen, 8, 20);
		if (!al)
			return EBADMSG;
		m->err_flags = b[al];
		m->err_code = b[al + 1];
		m->err_value = get16(b + al + 2);
		m->has_error = true;
		break;
	case RSVP_C_TIME_VALUES:
		if (ctype != 1 || blen < 4)
			return EBADMSG;
		m->refresh_ms = get32(b);
		m->has_time = true;
		break;
	case RSVP_C_SENDER_TSPEC:
		/* Only the IntServ token bucket layout that we send. */
		if (ctype == 2 && blen >= 32 && b[8] == 127 && get16(b + 10) >= 5) {
			m->tspec.r = getf(b + 12);
			m->tspec.b = getf(b + 16);
			m->tspec.p = getf(b + 20);
			m->tspec.m = get32(b + 24);
			m->tspec.M = get32(b + 28);
			m->has_tspec = true;
		}
		break;
	case RSVP_C_POLICY_DATA: {
		uint16_t off;

		if (ctype != 1 || blen < 4)
			return EBADMSG;
		off = get16(b);          /* counts from the object header */
		if (off < 8 || (size_t)off - 4 > blen)
			return EBADMSG;
		if (m->npolicy < RSVP_MAX_POLICY) {
			m->policy[m->npolicy] = b + off - 4;
			m->policylen[m->npolicy] = blen - (off - 4);
		}
		m->npolicy++;
		break;
	}
	default:
		break;
	}
	return 0;
}

int rsvp_parse(struct rsvp_msg *m, const uint8_t *p, size_t len)
{
	size_t off;
	uint16_t mlen;

	memset(m, 0, sizeof(*m));
	if (len < 8)
		return ENODATA;
	if (len > RSVP_MAX_MSG || (p[0] >> 4) != 1)
		return EBADMSG;
	mlen = get16(p + 6);
	if (mlen < 8 || (mlen & 3))
		return EBADMSG;
	if (mlen > len)
		return ENODATA;
	if (mlen < len)
		return EBADMSG;          /* one datagram, one message */
	m->type = p[1];
	m->ttl = p[4];
	m->len = mlen;
	m->has_checksum = get16(p + 2) != 0;
	if (m->has_checksum) {
		uint8_t tmp[RSVP_MAX_MSG];

		memcpy(tmp, p, mlen);
		put16(tmp + 2, 0);
		if (rsvp_checksum(tmp, mlen) != get16(p + 2))
			return EBADMSG;
	}
	if (m->type < RSVP_PATH || m->type > RSVP_RESVCONF)
		return EBADMSG;
	for (off = 8; off < mlen;) {
		uint16_t olen = get16(p + off);
		int err;

		if (mlen - off < 4 || olen < 4 || (olen & 3) || olen > mlen - off)
			return EBADMSG;
		err = parse_obj(m, p[off + 2], p[off + 3], p + off + 4, olen - 4u);
		if (err)
			return err;
		m->nobjects++;
		off += olen;
	}
	return 0;
}

static void say(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	if (!why || !whysz)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
}

int rsvp_element_check(const uint8_t *pe, size_t len, char *why,
		       size_t whysz)
{
	size_t el, off;
	bool auth_data = false;

	if (len < 4) {
		say(why, whysz, _("the policy element is %zu bytes, shorter than its 4-byte header"), len);
		return EBADMSG;
	}
	if (len > RSVP_MAX_ELEMENT) {
		say(why, whysz, _("the policy element is %zu bytes, more than %d"), len, RSVP_MAX_ELEMENT);
		return EBADMSG;
	}
	el = get16(pe);
	if (el != len) {
		say(why, whysz, _("the policy element says it is %zu bytes long but the token holds %zu"), el, len);
		return EBADMSG;
	}
	if (el & 3) {
		say(why, whysz, _("the policy element length %zu is not a multiple of 4"), el);
		return EBADMSG;
	}
	if (get16(pe + 2) != RSVP_PE_AUTH_SESSION)
		return 0;
	if (el == 4) {
		say(why, whysz, "%s", _("the AUTH_SESSION element has no attribute"));
		return EBADMSG;
	}
	for (off = 4; off < el;) {
		size_t al, padded;

		if (el - off < 4) {
			say(why, whysz, _("an AUTH_SESSION attribute header at offset %zu is cut short"), off);
			return EBADMSG;
		}
		al = get16(pe + off);
		padded = (al + 3) & ~(size_t)3;
		if (al <= 4 || padded > el - off) {
			say(why, whysz, _("the AUTH_SESSION attribute at offset %zu has length %zu, which does not fit the element"),
			    off, al);
			return EBADMSG;
		}
		if (auth_data) {
			say(why, whysz, "%s", _("an AUTH_SESSION attribute follows AUTHENTICATION_DATA, which must be last"));
			return EBADMSG;
		}
		if (pe[off + 2] == RSVP_AS_AUTH_DATA)
			auth_data = true;
		off += padded;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rsvp_hex_decode(const char *hex, size_t len, uint8_t *out,
		    size_t outsz, size_t *outlen)
{
	size_t i;

	if (len == 0 || (len & 1))
		return EBADMSG;
	if (len / 2 > outsz)
		return E2BIG;
	for (i = 0; i < len; i += 2) {
		int hi = hexval(hex[i]), lo = hexval(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return EBADMSG;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*outlen = len / 2;
	return 0;
}

const char *rsvp_type_name(uint8_t type)
{
	static const char *const names[] = {
		"?", "Path", "Resv", "PathErr", "ResvErr", "PathTear",
		"ResvTear", "ResvConf",
	};

	return type < sizeof(names) / sizeof(names[0]) ? names[type] : "?";
}

const char *rsvp_error_name(uint8_t code)
{
	switch (code) {
	case 0: return "confirmation";
	case 1: return "admission control failure";
	case 2: return "policy control failure";
	case 3: return "no path information for this Resv";
	case 4: return "no sender information for this Resv";
	case 5: return "conflicting reservation style";
	case 6: return "unknown reservation style";
	case 7: return "conflicting destination ports";
	case 8: return "conflicting sender ports";
	case 12: return "service preempted";
	case 13: return "unknown object class";
	case 14: return "unknown object C-Type";
	case 20: return "reserved for API";
	case 21: return "traffic control error";
	case 22: return "traffic control system error";
	case 23: return "RSVP system error";
	default: return "unknown error code";
	}
}
