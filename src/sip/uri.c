/* uri.c - decode, compare and canonicalise sip:, sips: and tel: URIs. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "sip/msg_int.h"
#include "sip/uri.h"

/*
 * One bit per character set of the grammars (RFC 3261 25.1, RFC 3966 3),
 * so every scanning loop is a table look-up.  '%' is in no set: escapes
 * are checked where the grammar allows them.
 */
enum {
	C_ALPHA  = 1 << 0,
	C_DIGIT  = 1 << 1,
	C_HEX    = 1 << 2,
	C_UNRES  = 1 << 3,   /* unreserved = alphanum / mark */
	C_USER   = 1 << 4,   /* user: unreserved, user-unreserved, and '#'
			      * which telephone-subscriber (RFC 2806) allows */
	C_PASS   = 1 << 5,   /* password */
	C_PARAM  = 1 << 6,   /* paramchar: param-unreserved / unreserved */
	C_HNV    = 1 << 7,   /* hname, hvalue: hnv-unreserved / unreserved */
	C_HOST   = 1 << 8,   /* hostname: alphanum "-" "." */
	C_VIS    = 1 << 9,   /* visual-separator (RFC 3966) */
	C_RES    = 1 << 10,  /* reserved: escaped forms stay distinct */
	C_URIC   = 1 << 11,  /* RFC 3966 uric less ';' (it splits params) */
	C_SCHEME = 1 << 12,  /* scheme: ALPHA *( ALPHA / DIGIT / "+-." ) */
	C_TELP   = 1 << 13,  /* tel pname: alphanum / "-" */
};

#define C_ALNUM_ (C_UNRES | C_USER | C_PASS | C_PARAM | C_HNV | C_HOST | \
		  C_URIC | C_SCHEME | C_TELP)
#define C_LO_HEX (C_ALPHA | C_HEX | C_ALNUM_)
#define C_LO     (C_ALPHA | C_ALNUM_)
#define C_DIG    (C_DIGIT | C_HEX | C_ALNUM_)
#define C_MARK   (C_UNRES | C_USER | C_PASS | C_PARAM | C_HNV | C_URIC)

static const uint16_t ctab[256] = {
	['0' ... '9'] = C_DIG,
	['A' ... 'F'] = C_LO_HEX,
	['G' ... 'Z'] = C_LO,
	['a' ... 'f'] = C_LO_HEX,
	['g' ... 'z'] = C_LO,
	['-'] = C_MARK | C_HOST | C_VIS | C_SCHEME | C_TELP,
	['.'] = C_MARK | C_HOST | C_VIS | C_SCHEME,
	['_'] = C_MARK,
	['!'] = C_MARK,
	['~'] = C_MARK,
	['*'] = C_MARK,
	['\''] = C_MARK,
	['('] = C_MARK | C_VIS,
	[')'] = C_MARK | C_VIS,
	['&'] = C_USER | C_PASS | C_PARAM | C_RES | C_URIC,
	['='] = C_USER | C_PASS | C_RES | C_URIC,
	['+'] = C_USER | C_PASS | C_PARAM | C_HNV | C_RES | C_URIC | C_SCHEME,
	['$'] = C_USER | C_PASS | C_PARAM | C_HNV | C_RES | C_URIC,
	[','] = C_USER | C_PASS | C_RES | C_URIC,
	[';'] = C_USER | C_RES,
	['?'] = C_USER | C_HNV | C_RES | C_URIC,
	['/'] = C_USER | C_PARAM | C_HNV | C_RES | C_URIC,
	[':'] = C_PARAM | C_HNV | C_RES | C_URIC,
	['@'] = C_RES | C_URIC,
	['['] = C_PARAM | C_HNV,
	[']'] = C_PARAM | C_HNV,
	['#'] = C_USER,
};

static inline bool is_c(char c, unsigned cls)
{
	return (ctab[(unsigned char)c] & cls) != 0;
}

static inline int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return (c | 0x20) - 'a' + 10;
}

static inline char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
}

static struct pl mkpl(const char *p, const char *end)
{
	return (struct pl){p, (size_t)(end - p)};
}

/* The first character in [p, end) not in cls, or end; four a round with
 * one bounds check, since every byte of a URI passes through here. */
static inline const char *run(const char *p, const char *end, unsigned cls)
{
	while (end - p >= 4) {
		if (!is_c(p[0], cls))
			return p;
		if (!is_c(p[1], cls))
			return p + 1;
		if (!is_c(p[2], cls))
			return p + 2;
		if (!is_c(p[3], cls))
			return p + 3;
		p += 4;
	}
	while (p < end && is_c(*p, cls))
		p++;
	return p;
}

/* Advances *pp over characters of cls and well-formed escapes.  Inline,
 * with the plain run as its own loop: every user part and URI parameter
 * goes through it. */
static inline int scan(const char **pp, const char *end, unsigned cls)
{
	const char *p = *pp;

	for (;;) {
		p = run(p, end, cls);
		if (p == end || *p != '%')
			break;
		if (end - p < 3 || !is_c(p[1], C_HEX) || !is_c(p[2], C_HEX))
			return EBADMSG;
		p += 3;
	}
	*pp = p;
	return 0;
}

/* 1*3DIGIT "." x4 with each value at most 255; out may be NULL. */
static bool ipv4_parse(const char *p, size_t n, uint8_t out[4])
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		if (part) {
			if (i >= n || p[i] != '.')
				return false;
			i++;
		}
		while (i < n && is_c(p[i], C_DIGIT)) {
			if (++digits > 3)
				return false;
			v = v * 10 + (unsigned)(p[i++] - '0');
		}
		if (!digits || v > 255)
			return false;
		if (out)
			out[part] = (uint8_t)v;
	}
	return i == n;
}

/*
 * RFC 5954 3 (the RFC 3986 IPv6address): eight 16-bit groups, one "::"
 * standing for at least one zero group, an IPv4 tail counting as two.
 */
static bool ipv6_parse(const char *p, size_t n, uint8_t out[16])
{
	uint16_t grp[8];
	int ng = 0, dc = -1;
	size_t i = 0;

	if (n < 2)
		return false;
	if (p[0] == ':') {
		if (p[1] != ':')
			return false;
		dc = 0;
		i = 2;
	}
	while (i < n) {
		size_t start = i;
		unsigned v = 0;

		while (i < n && i - start < 4 && is_c(p[i], C_HEX))
			v = (v << 4) | (unsigned)hexval(p[i++]);
		if (i == start)
			return false;
		if (i < n && p[i] == '.') {
			uint8_t v4[4];

			if (ng > 6 || !ipv4_parse(p + start, n - start, v4))
				return false;
			grp[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
			grp[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = n;
			break;
		}
		if (ng == 8)
			return false;
		grp[ng++] = (uint16_t)v;
		if (i == n)
			break;
		if (p[i] != ':')
			return false;
		i++;
		if (i < n && p[i] == ':') {
			if (dc >= 0)
				return false;
			dc = ng;
			i++;
		} else if (i == n) {
			return false;
		}
	}
	if (dc < 0 ? ng != 8 : ng > 7)
		return false;
	if (out) {
		int gap = 8 - ng, k, o = 0;

		for (k = 0; k < ng; k++) {
			if (k == dc)
				o += gap;
			out[2 * (k + o)] = (uint8_t)(grp[k] >> 8);
			out[2 * (k + o) + 1] = (uint8_t)grp[k];
		}
		for (k = 0; k < gap; k++) {
			out[2 * (dc + k)] = 0;
			out[2 * (dc + k) + 1] = 0;
		}
	}
	return true;
}

/* hostname = *( domainlabel "." ) toplabel [ "." ] (also RFC 3966
 * domainname): labels never start or end in '-', toplabel starts with a
 * letter, so an all-numeric name is never a hostname. */
static bool hostname_ok(const char *p, size_t n)
{
	size_t i, start = 0, top = 0;

	if (n && p[n - 1] == '.')
		n--;
	if (!n)
		return false;
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] != '.') {
			if (!is_c(p[i], C_HOST))
				return false;
			continue;
		}
		if (i == start || p[start] == '-' || p[i - 1] == '-')
			return false;
		top = start;
		start = i + 1;
	}
	return is_c(p[top], C_ALPHA);
}

/* global-number-digits = "+" *phonedigit DIGIT *phonedigit */
static bool global_digits_ok(const char *p, size_t n)
{
	size_t i, digits = 0;

	if (!n || p[0] != '+')
		return false;
	for (i = 1; i < n; i++) {
		if (is_c(p[i], C_DIGIT))
			digits++;
		else if (!is_c(p[i], C_VIS))
			return false;
	}
	return digits > 0;
}

static int decode_host(struct sip_uri *u, const char **pp, const char *end)
{
	const char *p = *pp, *q;

	if (p < end && *p == '[') {
		/* 45 characters hold the longest IPv6 text form */
		size_t max = (size_t)(end - p - 1) < 46 ? (size_t)(end - p - 1) : 46;

		q = memchr(p + 1, ']', max);
		if (!q || !ipv6_parse(p + 1, (size_t)(q - p - 1), NULL))
			return EBADMSG;
		u->host = mkpl(p + 1, q);
		u->host_type = SIP_HOST_IPV6;
		*pp = q + 1;
		return 0;
	}
	/* One pass over the host checks the hostname rules as it goes (what
	 * hostname_ok() checks): labels of alphanum and '-' that neither
	 * start nor end in '-', an optional trailing dot, and a toplabel
	 * that starts with a letter.  Only a host that starts with a digit
	 * can be an IPv4 address, and that is tried first as before. */
	{
		const char *lab = p, *prev = NULL, *top;
		bool ok = true;

		for (q = p; ; q++) {
			q = run(q, end, C_TELP);   /* alphanum / "-" */
			if (q == end || *q != '.')
				break;
			if (q == lab || *lab == '-' || q[-1] == '-')
				ok = false;
			prev = lab;
			lab = q + 1;
		}
		if (q == p)
			return EBADMSG;
		if (lab == q) {
			top = prev;   /* a trailing dot; q > p, so one was seen */
		} else {
			if (*lab == '-' || q[-1] == '-')
				ok = false;
			top = lab;
		}
		if (is_c(*p, C_DIGIT) && ipv4_parse(p, (size_t)(q - p), NULL))
			u->host_type = SIP_HOST_IPV4;
		else if (ok && is_c(*top, C_ALPHA))
			u->host_type = SIP_HOST_NAME;
		else
			return EBADMSG;
	}
	u->host = mkpl(p, q);
	*pp = q;
	return 0;
}

static int decode_port(struct sip_uri *u, const char **pp, const char *end)
{
	const char *p = *pp;
	unsigned v = 0;

	if (p >= end || !is_c(*p, C_DIGIT))
		return EBADMSG;
	for (; p < end && is_c(*p, C_DIGIT); p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > 65535)
			return EBADMSG;
	}
	u->port = (uint16_t)v;
	u->port_set = true;
	*pp = p;
	return 0;
}

/* uri-parameters = *( ";" pname [ "=" pvalue ] ), pname and pvalue
 * 1*paramchar; the well-known parameters are all other-param shaped. */
static int scan_sip_params(const char **pp, const char *end)
{
	const char *p = *pp, *q;
	int err;

	while (p < end && *p == ';') {
		q = ++p;
		err = scan(&q, end, C_PARAM);
		if (err)
			return err;
		if (q == p)
			return EBADMSG;
		if (q < end && *q == '=') {
			p = ++q;
			err = scan(&q, end, C_PARAM);
			if (err)
				return err;
			if (q == p)
				return EBADMSG;
		}
		p = q;
	}
	*pp = p;
	return 0;
}

/* headers = "?" header *( "&" header ), header = hname "=" hvalue */
static int scan_headers(const char **pp, const char *end)
{
	const char *p = *pp, *q;
	int err;

	for (;;) {
		q = p;
		err = scan(&q, end, C_HNV);
		if (err)
			return err;
		if (q == p || q >= end || *q != '=')
			return EBADMSG;
		q++;
		err = scan(&q, end, C_HNV);
		if (err)
			return err;
		p = q;
		if (p < end && *p == '&') {
			p++;
			continue;
		}
		break;
	}
	*pp = p;
	return 0;
}

/*
 * userinfo is ( user / telephone-subscriber ) [ ":" password ] "@".  No
 * character after the userinfo may be a raw '@', so the first '@' ends
 * it: that is how "sip:user;par=u%40example.net@example.com" gets the
 * user "user;par=u%40example.net" (RFC 4475 3.1.1.9).
 */
static int decode_sip(struct sip_uri *u, const char *p, const char *end)
{
	const char *at, *q;
	int err;

	at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		q = p;
		err = scan(&q, at, C_USER);
		if (err)
			return err;
		if (q == p)
			return EBADMSG;
		u->user = mkpl(p, q);
		if (q < at) {
			if (*q != ':')
				return EBADMSG;
			p = ++q;
			err = scan(&q, at, C_PASS);
			if (err)
				return err;
			if (q != at)
				return EBADMSG;
			u->password = mkpl(p, q);
		}
		p = at + 1;
	}
	err = decode_host(u, &p, end);
	if (err)
		return err;
	if (p < end && *p == ':') {
		p++;
		err = decode_port(u, &p, end);
		if (err)
			return err;
	}
	if (p < end && *p == ';') {
		q = p;
		err = scan_sip_params(&q, end);
		if (err)
			return err;
		u->params = mkpl(p, q);
		p = q;
	}
	if (p < end && *p == '?') {
		q = ++p;
		err = scan_headers(&q, end);
		if (err)
			return err;
		u->headers = mkpl(p, q);
		p = q;
	}
	return p == end ? 0 : EBADMSG;
}

/* The value of one tel: parameter, by its name (RFC 3966 3). */
static int scan_tel_value(const char **pp, const char *end,
			  const struct pl *name, bool *is_ctx)
{
	const char *p = *pp, *q = p;
	int err;

	*is_ctx = false;
	if (pl_caseeq_str(name, "phone-context")) {
		*is_ctx = true;
		for (; q < end && *q != ';'; q++)
			;
		if (!global_digits_ok(p, (size_t)(q - p)) &&
		    !hostname_ok(p, (size_t)(q - p)))
			return EBADMSG;
	} else if (pl_caseeq_str(name, "ext")) {
		for (; q < end && is_c(*q, C_DIGIT | C_VIS); q++)
			;
	} else {
		err = scan(&q, end, pl_caseeq_str(name, "isub") ?
			   C_URIC : C_PARAM);
		if (err)
			return err;
	}
	if (q == p)
		return EBADMSG;
	*pp = q;
	return 0;
}

/*
 * telephone-subscriber = global-number / local-number; a local number
 * needs exactly one phone-context.  isub, ext and phone-context take
 * values; other parameters are "pname [= pvalue]".
 */
static int decode_tel(struct sip_uri *u, const char *p, const char *end)
{
	const char *q = p, *n;
	unsigned ctx = 0, digits = 0;
	bool global = false;
	int err;

	if (q < end && *q == '+') {
		global = true;
		for (q++; q < end && is_c(*q, C_DIGIT | C_VIS); q++)
			digits += is_c(*q, C_DIGIT);
	} else {
		for (; q < end; q++) {
			if (is_c(*q, C_HEX) || *q == '*' || *q == '#')
				digits++;
			else if (!is_c(*q, C_VIS))
				break;
		}
	}
	if (!digits)
		return EBADMSG;
	u->user = mkpl(p, q);
	p = q;
	while (q < end && *q == ';') {
		struct pl name;
		bool is_ctx;

		n = ++q;
		for (; q < end && is_c(*q, C_TELP); q++)
			;
		if (q == n)
			return EBADMSG;
		name = mkpl(n, q);
		if (q < end && *q == '=') {
			q++;
			err = scan_tel_value(&q, end, &name, &is_ctx);
			if (err)
				return err;
			ctx += is_ctx;
		} else if (pl_caseeq_str(&name, "phone-context") ||
			   pl_caseeq_str(&name, "ext") ||
			   pl_caseeq_str(&name, "isub")) {
			return EBADMSG;
		}
	}
	if (q != end || ctx > 1 || (!global && ctx != 1))
		return EBADMSG;
	if (q > p)
		u->params = mkpl(p, q);
	return 0;
}

int sip_uri_decode_zeroed(struct sip_uri *u, const struct pl *s)
{
	const char *p, *end, *q;
	struct pl scheme;

	if (s->l > SIP_URI_MAX)
		return E2BIG;
	if (!s->l)
		return EBADMSG;
	p = s->p;
	end = p + s->l;
	u->raw = *s;

	/* Nearly every URI is sip: or sips: (the letters fold with OR 0x20
	 * without aliasing another byte): the general scan below would
	 * find the same scheme. */
	if (s->l >= 5 && (p[0] | 0x20) == 's' && (p[1] | 0x20) == 'i' &&
	    (p[2] | 0x20) == 'p') {
		if (p[3] == ':') {
			u->scheme = SIP_URI_SIP;
			return decode_sip(u, p + 4, end);
		}
		if ((p[3] | 0x20) == 's' && p[4] == ':') {
			u->scheme = SIP_URI_SIPS;
			return decode_sip(u, p + 5, end);
		}
	}
	if (!is_c(*p, C_ALPHA))
		return EBADMSG;
	for (q = p + 1; q < end && is_c(*q, C_SCHEME); q++)
		;
	if (q >= end || *q != ':')
		return EBADMSG;
	scheme = mkpl(p, q);
	p = q + 1;
	/* Scheme characters fold with OR 0x20 without aliasing a letter. */
	if ((scheme.l == 3 || (scheme.l == 4 && (scheme.p[3] | 0x20) == 's')) &&
	    (scheme.p[0] | 0x20) == 's' && (scheme.p[1] | 0x20) == 'i' &&
	    (scheme.p[2] | 0x20) == 'p') {
		u->scheme = scheme.l == 3 ? SIP_URI_SIP : SIP_URI_SIPS;
		return decode_sip(u, p, end);
	}
	if (pl_caseeq_str(&scheme, "tel")) {
		u->scheme = SIP_URI_TEL;
		return decode_tel(u, p, end);
	}
	return EPROTONOSUPPORT;
}

int sip_uri_decode_sip(struct sip_uri *u, const struct pl *s, bool sips)
{
	if (s->l > SIP_URI_MAX)
		return E2BIG;
	u->raw = *s;
	u->scheme = sips ? SIP_URI_SIPS : SIP_URI_SIP;
	return decode_sip(u, s->p + (sips ? 5 : 4), s->p + s->l);
}

int sip_uri_decode(struct sip_uri *uri, const struct pl *s)
{
	struct sip_uri u;
	int err;

	if (!uri || !s || (!s->p && s->l))
		return EINVAL;
	memset(&u, 0, sizeof(u));
	err = sip_uri_decode_zeroed(&u, s);
	if (err)
		return err;
	*uri = u;
	return 0;
}

/* ---- walking parameters and headers ---------------------------------- */

struct item {
	struct pl name;
	struct pl val;   /* empty, pointing past the name, when absent */
	bool has_val;
};

/* Takes the next sep-separated "name[=value]" off *rest. */
static bool item_next(struct pl *rest, char sep, struct item *it)
{
	const char *p, *end, *e, *eq;

	if (!rest->l)
		return false;
	p = rest->p;
	end = p + rest->l;
	if (*p == sep)
		p++;
	e = memchr(p, sep, (size_t)(end - p));
	if (!e)
		e = end;
	eq = memchr(p, '=', (size_t)(e - p));
	it->has_val = eq != NULL;
	it->name = mkpl(p, eq ? eq : e);
	it->val = eq ? mkpl(eq + 1, e) : mkpl(e, e);
	*rest = mkpl(e, end);
	return true;
}

/*
 * The next character of a validated slice, unescaped, with bit 8 set when
 * it came from an escaped reserved character: RFC 3261 19.1.4 makes "%61"
 * equal "a" but keeps "%3B" distinct from ";".  -1 at the end.
 */
static int tok_next(const char **pp, const char *end, bool icase)
{
	const char *p = *pp;
	int v;

	if (p >= end)
		return -1;
	if (*p == '%' && end - p >= 3 && is_c(p[1], C_HEX) &&
	    is_c(p[2], C_HEX)) {
		v = hexval(p[1]) << 4 | hexval(p[2]);
		*pp = p + 3;
		if (is_c((char)v, C_RES))
			return v | 0x100;
	} else {
		v = (unsigned char)*p;
		*pp = p + 1;
	}
	return icase ? (unsigned char)lower((char)v) : v;
}

static bool esc_eq(const struct pl *a, const struct pl *b, bool icase)
{
	const char *pa = a->p, *pb = b->p, *ea, *eb;
	int ca, cb;

	if (icase ? pl_caseeq(a, b) : pl_eq(a, b))
		return true;
	if (!a->l || !b->l)
		return false;
	ea = a->p + a->l;
	eb = b->p + b->l;
	do {
		ca = tok_next(&pa, ea, icase);
		cb = tok_next(&pb, eb, icase);
		if (ca != cb)
			return false;
	} while (ca >= 0);
	return true;
}

/* First item of all whose name matches, unescaped and case-insensitive. */
static bool item_find(const struct pl *all, char sep, const struct pl *name,
		      struct item *out)
{
	struct pl rest = *all;
	struct item it;

	while (item_next(&rest, sep, &it)) {
		if (esc_eq(&it.name, name, true)) {
			if (out)
				*out = it;
			return true;
		}
	}
	return false;
}

static int lookup(const struct pl *all, char sep, const char *name,
		  struct pl *val)
{
	struct pl n;
	struct item it;

	pl_set_str(&n, name);
	if (!item_find(all, sep, &n, &it))
		return ENOENT;
	if (val)
		*val = it.val;
	return 0;
}

int sip_uri_param(const struct sip_uri *uri, const char *name,
		  struct pl *val)
{
	if (!uri || !name)
		return EINVAL;
	return lookup(&uri->params, ';', name, val);
}

int sip_uri_header(const struct sip_uri *uri, const char *name,
		   struct pl *val)
{
	if (!uri || !name)
		return EINVAL;
	return lookup(&uri->headers, '&', name, val);
}

/* ---- equality ---------------------------------------------------------- */

/* Phone digits compare with visual separators ignored, case-insensitive
 * (local numbers may hold hex digits). */
static bool digits_eq(const struct pl *a, const struct pl *b)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < a->l && is_c(a->p[i], C_VIS))
			i++;
		while (j < b->l && is_c(b->p[j], C_VIS))
			j++;
		if (i == a->l || j == b->l)
			return i == a->l && j == b->l;
		if (lower(a->p[i++]) != lower(b->p[j++]))
			return false;
	}
}

static bool val_eq(const struct item *a, const struct item *b, bool tel)
{
	if (a->has_val != b->has_val)
		return false;
	if (tel && (pl_caseeq_str(&a->name, "ext") ||
		    (pl_caseeq_str(&a->name, "phone-context") &&
		     a->val.l && a->val.p[0] == '+' &&
		     b->val.l && b->val.p[0] == '+')))
		return digits_eq(&a->val, &b->val);
	return esc_eq(&a->val, &b->val, true);
}

/* RFC 3261 19.1.4: these must match even when only one URI has them. */
static bool param_required(const struct pl *name)
{
	static const char *const names[] = {
		"user", "ttl", "method", "maddr", "transport",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct pl n;

		pl_set_str(&n, names[i]);
		if (esc_eq(name, &n, true))
			return true;
	}
	return false;
}

/*
 * A parameter named twice counts by its first occurrence, as
 * sip_uri_param() sees it, so a URI always equals itself.  In tel: every
 * parameter must be in both (RFC 3966 4).
 */
static bool params_eq(const struct pl *pa, const struct pl *pb, bool tel)
{
	struct pl rest = *pa;
	struct item ia, ib, first;

	while (item_next(&rest, ';', &ia)) {
		if (!item_find(pa, ';', &ia.name, &first) ||
		    first.name.p != ia.name.p)
			continue;
		if (item_find(pb, ';', &ia.name, &ib)) {
			if (!val_eq(&ia, &ib, tel))
				return false;
		} else if (tel || param_required(&ia.name)) {
			return false;
		}
	}
	rest = *pb;
	while (item_next(&rest, ';', &ib)) {
		if ((tel || param_required(&ib.name)) &&
		    !item_find(pa, ';', &ib.name, NULL))
			return false;
	}
	return true;
}

static size_t header_count(const struct pl *all, const struct item *h)
{
	struct pl rest = *all;
	struct item it;
	size_t n = 0;

	while (item_next(&rest, '&', &it)) {
		if (h == NULL || (esc_eq(&it.name, &h->name, true) &&
				  esc_eq(&it.val, &h->val, true)))
			n++;
	}
	return n;
}

/* Headers match as a multiset: order does not matter, repeats do. */
static bool headers_eq(const struct pl *ha, const struct pl *hb)
{
	struct pl rest = *ha;
	struct item it;

	if (header_count(ha, NULL) != header_count(hb, NULL))
		return false;
	while (item_next(&rest, '&', &it)) {
		if (header_count(ha, &it) != header_count(hb, &it))
			return false;
	}
	return true;
}

/* RFC 5954 4: textual forms of one address are the same address. */
static bool host_eq(const struct sip_uri *a, const struct sip_uri *b)
{
	uint8_t x[16], y[16];

	if (a->host_type != b->host_type)
		return false;
	switch (a->host_type) {
	case SIP_HOST_IPV4:
		if (!ipv4_parse(a->host.p, a->host.l, x) ||
		    !ipv4_parse(b->host.p, b->host.l, y))
			break;
		return memcmp(x, y, 4) == 0;
	case SIP_HOST_IPV6:
		if (!ipv6_parse(a->host.p, a->host.l, x) ||
		    !ipv6_parse(b->host.p, b->host.l, y))
			break;
		return memcmp(x, y, 16) == 0;
	default:
		break;
	}
	return pl_caseeq(&a->host, &b->host);
}

static bool has_port(const struct sip_uri *u)
{
	return u->port_set || u->port != 0;
}

bool sip_uri_equal(const struct sip_uri *a, const struct sip_uri *b)
{
	if (!a || !b || a->scheme != b->scheme)
		return false;
	if (a->scheme == SIP_URI_TEL) {
		bool ga = a->user.l && a->user.p[0] == '+';
		bool gb = b->user.l && b->user.p[0] == '+';

		return ga == gb && digits_eq(&a->user, &b->user) &&
			params_eq(&a->params, &b->params, true);
	}
	if (!esc_eq(&a->user, &b->user, false))
		return false;
	if (pl_isset(&a->password) != pl_isset(&b->password) ||
	    !esc_eq(&a->password, &b->password, false))
		return false;
	if (!host_eq(a, b))
		return false;
	if (has_port(a) != has_port(b) || a->port != b->port)
		return false;
	return params_eq(&a->params, &b->params, false) &&
		headers_eq(&a->headers, &b->headers);
}

/* ---- unescaping, canonical forms, printing ----------------------------- */

int sip_uri_unescape(struct buf *out, const struct pl *in)
{
	const char *p, *end, *run;

	if (!out || !in)
		return EINVAL;
	if (!in->l)
		return out->err;
	p = run = in->p;
	end = p + in->l;
	while (p < end) {
		char c;

		if (*p != '%') {
			p++;
			continue;
		}
		if (end - p < 3 || !is_c(p[1], C_HEX) || !is_c(p[2], C_HEX))
			return EBADMSG;
		(void)buf_write(out, run, (size_t)(p - run));
		c = (char)(hexval(p[1]) << 4 | hexval(p[2]));
		(void)buf_putc(out, c);
		p += 3;
		run = p;
	}
	(void)buf_write(out, run, (size_t)(p - run));
	return out->err;
}

/* Unescapes a validated slice into dst (at least src->l bytes). */
static size_t unescape_to(char *dst, const struct pl *src)
{
	const char *p = src->p, *end;
	size_t n = 0;
	int c;

	if (!src->l)
		return 0;
	end = p + src->l;
	while ((c = tok_next(&p, end, false)) >= 0)
		dst[n++] = (char)c;
	return n;
}

/* RFC 8224 8.1 telephone-number test: digits, '#', '*' and visual
 * separators with an optional leading '+'; plus_only narrows it to the
 * "+digits" policy used without user=phone. */
static bool tn_like(const char *p, size_t n, bool plus_only)
{
	size_t i = 0, digits = 0;

	if (plus_only && (!n || p[0] != '+'))
		return false;
	if (n && p[0] == '+')
		i = 1;
	for (; i < n; i++) {
		if (is_c(p[i], C_DIGIT) ||
		    (!plus_only && (p[i] == '#' || p[i] == '*')))
			digits++;
		else if (!is_c(p[i], C_VIS))
			return false;
	}
	return digits > 0;
}

static void tn_put(struct buf *out, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (is_c(p[i], C_DIGIT) || p[i] == '#' || p[i] == '*')
			(void)buf_putc(out, p[i]);
	}
}

/* A local number's global phone-context comes first, making it E.164. */
static void tn_canon(struct buf *out, const char *num, size_t n,
		     const struct pl *params, char sep)
{
	struct item ctx;
	struct pl name = PL("phone-context");

	if (n && num[0] != '+' && item_find(params, sep, &name, &ctx) &&
	    global_digits_ok(ctx.val.p, ctx.val.l))
		tn_put(out, ctx.val.p, ctx.val.l);
	tn_put(out, num, n);
}

static void canon_user(struct buf *out, const struct pl *user)
{
	static const char hex[] = "0123456789ABCDEF";
	const char *p = user->p, *end = user->p + user->l;

	while (p < end) {
		const char *e = p;
		int c = tok_next(&e, end, false);

		if (e - p == 3 && !is_c((char)(c & 0xff), C_UNRES)) {
			char esc[3] = {'%', hex[(c >> 4) & 0xf], hex[c & 0xf]};

			(void)buf_write(out, esc, 3);
		} else {
			(void)buf_putc(out, lower((char)c));
		}
		p = e;
	}
}

int sip_uri_canon(struct buf *out, const struct sip_uri *uri, bool *is_tn)
{
	char num[SIP_URI_MAX];
	struct pl uparams;
	const char *semi;
	size_t n, i;
	bool phone;

	if (!out || !uri || uri->user.l > sizeof(num))
		return EINVAL;
	if (is_tn)
		*is_tn = false;
	if (uri->scheme == SIP_URI_TEL) {
		if (!tn_like(uri->user.p, uri->user.l, false))
			return EINVAL;
		tn_canon(out, uri->user.p, uri->user.l, &uri->params, ';');
		if (is_tn)
			*is_tn = true;
		return out->err;
	}

	/* the user part of user=phone is a telephone-subscriber: the number,
	 * then its own ";isub=...;phone-context=..." parameters */
	n = unescape_to(num, &uri->user);
	semi = memchr(num, ';', n);
	uparams = semi ? mkpl(semi, num + n) : mkpl(num + n, num + n);
	if (semi)
		n = (size_t)(semi - num);
	{
		struct pl v;

		phone = sip_uri_param(uri, "user", &v) == 0 &&
			pl_caseeq_str(&v, "phone");
	}
	if (uri->user.l && tn_like(num, n, !phone)) {
		tn_canon(out, num, n, &uparams, ';');
		if (is_tn)
			*is_tn = true;
		return out->err;
	}

	(void)buf_puts(out, uri->scheme == SIP_URI_SIPS ? "sips:" : "sip:");
	if (uri->user.l) {
		canon_user(out, &uri->user);
		(void)buf_putc(out, '@');
	}
	if (uri->host_type == SIP_HOST_IPV6)
		(void)buf_putc(out, '[');
	for (i = 0; i < uri->host.l; i++)
		(void)buf_putc(out, lower(uri->host.p[i]));
	if (uri->host_type == SIP_HOST_IPV6)
		(void)buf_putc(out, ']');
	return out->err;
}

int sip_uri_print(struct buf *out, const struct sip_uri *uri)
{
	static const char *const scheme[] = {
		[SIP_URI_SIP] = "sip:",
		[SIP_URI_SIPS] = "sips:",
		[SIP_URI_TEL] = "tel:",
	};

	if (!out || !uri || (unsigned)uri->scheme > SIP_URI_TEL)
		return EINVAL;
	(void)buf_puts(out, scheme[uri->scheme]);
	if (uri->scheme == SIP_URI_TEL) {
		(void)buf_putpl(out, &uri->user);
		(void)buf_putpl(out, &uri->params);
		return out->err;
	}
	if (uri->user.l) {
		(void)buf_putpl(out, &uri->user);
		if (pl_isset(&uri->password)) {
			(void)buf_putc(out, ':');
			(void)buf_putpl(out, &uri->password);
		}
		(void)buf_putc(out, '@');
	}
	if (uri->host_type == SIP_HOST_IPV6)
		(void)buf_putc(out, '[');
	(void)buf_putpl(out, &uri->host);
	if (uri->host_type == SIP_HOST_IPV6)
		(void)buf_putc(out, ']');
	if (has_port(uri))
		(void)buf_printf(out, ":%u", (unsigned)uri->port);
	(void)buf_putpl(out, &uri->params);
	if (uri->headers.l) {
		(void)buf_putc(out, '?');
		(void)buf_putpl(out, &uri->headers);
	}
	return out->err;
}
