/* sipcheck.c - checks siptty's SIP parser against tshark's dissection of captured traffic. */
/*
 * Input: tshark's field output, one line per frame, with a header line:
 *
 *   tshark -r cap.pcapng -Y sip -T fields -E header=y -E separator=/t \
 *          -E aggregator="$(printf '\037')" -e frame.number \
 *          -e udp.payload -e tcp.payload -e tcp.reassembled.data \
 *          -e sip.Method -e sip.Call-ID -e sip.Via.branch ... | sipcheck
 *
 * The header line names the columns, so the set of fields compared is data:
 * the test script chooses it, and a field sipcheck does not know is an
 * error (exit 2), never silently ignored.  Each frame's payload is decoded
 * with sip_msg_decode + sip_msg_decode_all + sip_msg_validate, and for every
 * sip.* column the list of values we find in the frame's messages, in
 * order, must equal tshark's list (multiple occurrences are joined with the
 * aggregator; -a CHAR sets it, default \037, a byte no SIP header holds).
 *
 * TCP: the payload (tcp.reassembled.data when tshark reassembled the
 * message, else tcp.payload) is cut with sip_msg_frame, so a segment holding
 * several messages gives several messages, compared in order.  A message
 * that only starts in this frame is left to the frame that completes it,
 * as tshark does.  Not handled: a frame that completes a reassembled
 * message and also holds further whole messages after it (on loopback a
 * send is one segment, so this does not happen; if it did, the value lists
 * would differ and show up as a MISMATCH, not pass silently).
 *
 * Output: one line per message, "ok", "MISMATCH field ours=[..] theirs=[..]"
 * or "PARSE-ERROR reason", then a summary line.  Exit 0 when at least one
 * message was checked and nothing differed, 1 otherwise, 2 on bad usage.
 */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/pl.h"
#include "sip/hdr.h"
#include "sip/msg.h"
#include "sip/uri.h"

#define MAX_COLS 64
#define MAX_MSGS 16              /* messages in one TCP segment */

enum col_kind {
	COL_FRAME,                /* frame.number: a label */
	COL_UDP,                  /* udp.payload */
	COL_TCP,                  /* tcp.payload */
	COL_TCP_REASM,            /* tcp.reassembled.data */
	COL_METHOD,
	COL_STATUS,
	COL_RURI,
	COL_RURI_USER,
	COL_RURI_HOST,
	COL_RURI_PORT,
	COL_CSEQ_SEQ,
	COL_CSEQ_METHOD,
	COL_ADDR,                 /* sip.{from,to,contact,...}.* */
	COL_VIA,                  /* sip.Via.* */
	COL_AUTH,                 /* sip.auth.* */
	COL_RAW,                  /* sip.<Header-Name>: the raw values */
};

enum addr_part { AP_ADDR, AP_USER, AP_HOST, AP_PORT, AP_TAG, AP_DISPLAY };
enum via_part { VP_TRANSPORT, VP_ADDR, VP_PORT, VP_BRANCH, VP_RPORT,
		VP_RECEIVED, VP_MADDR, VP_TTL };

struct col {
	char *name;
	enum col_kind kind;
	enum sip_hdr_id hdr;      /* COL_ADDR, COL_RAW */
	int part;                 /* enum addr_part / via_part */
	const char *param;        /* COL_AUTH: the auth-param name */
	bool unquote;             /* compare without surrounding quotes */
};

struct ctx {
	struct col cols[MAX_COLS];
	size_t ncols;
	char agg;
	unsigned long frames, msgs, fields, mismatches, errors;
};

static const struct {
	const char *tshark;
	const char *param;
} auth_fields[] = {
	{"sip.auth.scheme", NULL},
	{"sip.auth.realm", "realm"},
	{"sip.auth.nonce", "nonce"},
	{"sip.auth.algorithm", "algorithm"},
	{"sip.auth.qop", "qop"},
	{"sip.auth.opaque", "opaque"},
	{"sip.auth.stale", "stale"},
	{"sip.auth.domain", "domain"},
	{"sip.auth.username", "username"},
	{"sip.auth.uri", "uri"},
	{"sip.auth.digest.response", "response"},
	{"sip.auth.nc", "nc"},
	{"sip.auth.cnonce", "cnonce"},
	{"sip.auth.rspauth", "rspauth"},
	{"sip.auth.nextnonce", "nextnonce"},
};

static const struct {
	const char *prefix;       /* "sip.from." */
	enum sip_hdr_id hdr;
	bool list;
} addr_hdrs[] = {
	{"sip.from.", SIP_HDR_FROM, false},
	{"sip.to.", SIP_HDR_TO, false},
	{"sip.contact.", SIP_HDR_CONTACT, true},
	{"sip.Route.", SIP_HDR_ROUTE, true},
	{"sip.Record-Route.", SIP_HDR_RECORD_ROUTE, true},
	{"sip.Service-Route.", SIP_HDR_SERVICE_ROUTE, true},
	{"sip.Path.", SIP_HDR_PATH, true},
	{"sip.pai.", SIP_HDR_P_ASSERTED_IDENTITY, true},
	{"sip.ppi.", SIP_HDR_P_PREFERRED_IDENTITY, true},
};

static const struct {
	const char *suffix;
	enum addr_part part;
} addr_parts[] = {
	{"addr", AP_ADDR}, {"uri", AP_ADDR}, {"user", AP_USER},
	{"host", AP_HOST}, {"port", AP_PORT}, {"tag", AP_TAG},
	{"display.info", AP_DISPLAY},
};

static const struct {
	const char *tshark;
	enum via_part part;
} via_fields[] = {
	{"sip.Via.transport", VP_TRANSPORT},
	{"sip.Via.sent-by.address", VP_ADDR},
	{"sip.Via.sent-by.port", VP_PORT},
	{"sip.Via.branch", VP_BRANCH},
	{"sip.Via.rport", VP_RPORT},
	{"sip.Via.received", VP_RECEIVED},
	{"sip.Via.maddr", VP_MADDR},
	{"sip.Via.ttl", VP_TTL},
};

static const struct {
	const char *tshark;
	enum col_kind kind;
} plain_fields[] = {
	{"frame.number", COL_FRAME},
	{"udp.payload", COL_UDP},
	{"tcp.payload", COL_TCP},
	{"tcp.reassembled.data", COL_TCP_REASM},
	{"sip.Method", COL_METHOD},
	{"sip.Status-Code", COL_STATUS},
	{"sip.r-uri", COL_RURI},
	{"sip.r-uri.user", COL_RURI_USER},
	{"sip.r-uri.host", COL_RURI_HOST},
	{"sip.r-uri.port", COL_RURI_PORT},
	{"sip.CSeq.seq", COL_CSEQ_SEQ},
	{"sip.CSeq.method", COL_CSEQ_METHOD},
};

/* Maps one tshark field name to what we compare it with: 0 or ENOENT. */
static int col_setup(struct col *c, const char *name)
{
	size_t i, j, n;
	struct pl hname;

	for (i = 0; i < sizeof(plain_fields) / sizeof(plain_fields[0]); i++)
		if (!strcmp(name, plain_fields[i].tshark)) {
			c->kind = plain_fields[i].kind;
			return 0;
		}
	for (i = 0; i < sizeof(via_fields) / sizeof(via_fields[0]); i++)
		if (!strcmp(name, via_fields[i].tshark)) {
			c->kind = COL_VIA;
			c->part = (int)via_fields[i].part;
			return 0;
		}
	for (i = 0; i < sizeof(auth_fields) / sizeof(auth_fields[0]); i++)
		if (!strcmp(name, auth_fields[i].tshark)) {
			c->kind = COL_AUTH;
			c->param = auth_fields[i].param;
			/* tshark keeps the quotes as sent; the param
			 * accessor removes them. */
			c->unquote = true;
			return 0;
		}
	for (i = 0; i < sizeof(addr_hdrs) / sizeof(addr_hdrs[0]); i++) {
		n = strlen(addr_hdrs[i].prefix);
		if (strncmp(name, addr_hdrs[i].prefix, n))
			continue;
		for (j = 0; j < sizeof(addr_parts) / sizeof(addr_parts[0]); j++)
			if (!strcmp(name + n, addr_parts[j].suffix)) {
				c->kind = COL_ADDR;
				c->hdr = addr_hdrs[i].hdr;
				c->part = (int)addr_parts[j].part;
				c->unquote = addr_parts[j].part == AP_DISPLAY;
				return 0;
			}
		return ENOENT;
	}
	/* sip.<Header-Name>: the raw value of each such header line. */
	if (!strncmp(name, "sip.", 4) && name[4] && !strchr(name + 4, '.')) {
		pl_set_str(&hname, name + 4);
		c->kind = COL_RAW;
		c->hdr = sip_hdr_lookup(&hname);
		return 0;
	}
	return ENOENT;
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Decodes tshark's hex bytes (the first occurrence, optional ':'
 * separators) into out. */
static int unhex(struct buf *out, const char *s, char agg)
{
	int hi, lo;

	buf_reset(out);
	while (*s && *s != agg) {
		if (*s == ':') {
			s++;
			continue;
		}
		hi = hexval((unsigned char)s[0]);
		lo = s[1] ? hexval((unsigned char)s[1]) : -1;
		if (hi < 0 || lo < 0)
			return EBADMSG;
		if (buf_putc(out, (char)(hi << 4 | lo)))
			return ENOMEM;
		s += 2;
	}
	return 0;
}

/* A list of values in the form tshark prints them: joined with agg. */
struct vlist {
	struct buf b;
	size_t n;
	char agg;
	bool unquote;             /* store values without surrounding quotes */
};

static void vl_put(struct vlist *l, const struct pl *v)
{
	struct pl u = *v;

	if (l->unquote && u.l >= 2 && u.p[0] == '"' && u.p[u.l - 1] == '"') {
		u.p++;
		u.l -= 2;
	}
	if (l->n++)
		(void)buf_putc(&l->b, l->agg);
	(void)buf_putpl(&l->b, &u);
}

static void vl_str(struct vlist *l, const char *s)
{
	struct pl v;

	pl_set_str(&v, s);
	vl_put(l, &v);
}

static void vl_u32(struct vlist *l, unsigned long u)
{
	char num[24];

	(void)snprintf(num, sizeof(num), "%lu", u);
	vl_str(l, num);
}

/* Only a value that is present and not empty: tshark shows no other. */
static void vl_set(struct vlist *l, const struct pl *v)
{
	if (pl_isset(v) && v->l)
		vl_put(l, v);
}

/* Fills l with tshark's column: values split at agg. */
static void vl_parse(struct vlist *l, const char *s)
{
	const char *e;
	struct pl v;

	if (!*s)
		return;
	for (;;) {
		e = strchr(s, l->agg);
		v.p = s;
		v.l = e ? (size_t)(e - s) : strlen(s);
		vl_put(l, &v);
		if (!e)
			return;
		s = e + 1;
	}
}

static void put_uri(struct vlist *l, const struct sip_uri *u, enum addr_part part)
{
	switch (part) {
	case AP_USER:
		vl_set(l, &u->user);
		break;
	case AP_HOST:
		vl_set(l, &u->host);
		break;
	case AP_PORT:
		if (u->port_set)
			vl_u32(l, u->port);
		break;
	default:
		vl_set(l, &u->raw);
		break;
	}
}

static void put_addr(struct vlist *l, const struct sip_addr *a, enum addr_part part)
{
	switch (part) {
	case AP_ADDR:
		vl_set(l, &a->uri_raw);
		break;
	case AP_TAG:
		vl_set(l, &a->tag);
		break;
	case AP_DISPLAY:
		vl_set(l, &a->dname);
		break;
	default:
		if (a->uri_ok)
			put_uri(l, &a->uri, part);
		break;
	}
}

static void put_via(struct vlist *l, const struct sip_via *v, enum via_part part)
{
	static const struct pl rport_name = {"rport", 5};

	switch (part) {
	case VP_TRANSPORT:
		vl_set(l, &v->transport);
		break;
	case VP_ADDR:
		vl_set(l, &v->host);
		break;
	case VP_PORT:
		if (v->port)
			vl_u32(l, v->port);
		break;
	case VP_BRANCH:
		vl_set(l, &v->branch);
		break;
	case VP_RPORT:
		/* tshark shows a bare ";rport" as the text "rport". */
		if (pl_isset(&v->rport))
			vl_put(l, v->rport.l ? &v->rport : &rport_name);
		break;
	case VP_RECEIVED:
		vl_set(l, &v->received);
		break;
	case VP_MADDR:
		vl_set(l, &v->maddr);
		break;
	case VP_TTL:
		vl_set(l, &v->ttl);
		break;
	}
}

static bool is_auth_hdr(enum sip_hdr_id id)
{
	return id == SIP_HDR_WWW_AUTHENTICATE || id == SIP_HDR_PROXY_AUTHENTICATE ||
	       id == SIP_HDR_AUTHORIZATION || id == SIP_HDR_PROXY_AUTHORIZATION;
}

/* The auth-param of every challenge and credentials line, in message
 * order (the accessors list each header id on its own). */
static int put_auth(struct vlist *l, struct sip_msg *msg, const char *param)
{
	size_t i, seen[SIP_HDR_NUM] = {0};
	const struct sip_hdr *h;
	const struct sip_auths *al;
	const struct sip_auth *a;
	struct pl v;
	int err;

	for (i = 0; i < sip_msg_hdr_count(msg); i++) {
		h = sip_msg_hdr_at(msg, i);
		if (!is_auth_hdr(h->id))
			continue;
		err = sip_msg_auths(msg, h->id, &al);
		if (err)
			return err;
		if (seen[h->id] >= al->n)
			return EBADMSG;
		a = &al->v[seen[h->id]++];
		if (!param)
			vl_set(l, &a->scheme);
		else if (!sip_auth_param(a, param, &v))
			vl_put(l, &v);
	}
	return 0;
}

/* Our values of one column for one message, appended to l. */
static int col_values(struct vlist *l, const struct col *c, struct sip_msg *msg)
{
	const struct sip_uri *ruri;
	const struct sip_cseq *cseq;
	const struct sip_addr *a;
	const struct sip_addrs *al;
	const struct sip_vias *vias;
	const struct sip_hdr *h;
	struct pl v;
	size_t i;
	int err = 0;
	bool req = sip_msg_is_request(msg);

	switch (c->kind) {
	case COL_METHOD:
		if (req) {
			v = sip_msg_method(msg);
			vl_put(l, &v);
		}
		break;
	case COL_STATUS:
		if (!req)
			vl_u32(l, sip_msg_status(msg));
		break;
	case COL_RURI:
		if (req) {
			v = sip_msg_ruri_raw(msg);
			vl_put(l, &v);
		}
		break;
	case COL_RURI_USER:
	case COL_RURI_HOST:
	case COL_RURI_PORT:
		if (!req)
			break;
		err = sip_msg_ruri(msg, &ruri);
		if (!err)
			put_uri(l, ruri, c->kind == COL_RURI_USER ? AP_USER :
				c->kind == COL_RURI_HOST ? AP_HOST : AP_PORT);
		break;
	case COL_CSEQ_SEQ:
	case COL_CSEQ_METHOD:
		err = sip_msg_cseq(msg, &cseq);
		if (!err && c->kind == COL_CSEQ_SEQ)
			vl_u32(l, cseq->num);
		else if (!err)
			vl_put(l, &cseq->method);
		break;
	case COL_ADDR:
		if (c->hdr == SIP_HDR_FROM || c->hdr == SIP_HDR_TO) {
			err = sip_msg_addr(msg, c->hdr, &a);
			if (!err)
				put_addr(l, a, (enum addr_part)c->part);
			break;
		}
		err = sip_msg_addrs(msg, c->hdr, &al);
		for (i = 0; !err && i < al->n; i++)
			put_addr(l, &al->v[i], (enum addr_part)c->part);
		break;
	case COL_VIA:
		err = sip_msg_vias(msg, &vias);
		for (i = 0; !err && i < vias->n; i++)
			put_via(l, &vias->v[i], (enum via_part)c->part);
		break;
	case COL_AUTH:
		err = put_auth(l, msg, c->param);
		break;
	case COL_RAW:
		i = 0;
		if (c->hdr == SIP_HDR_OTHER) {
			pl_set_str(&v, c->name + 4);
			while ((h = sip_msg_hdr_next_name(msg, &v, &i)))
				vl_put(l, &h->val);
		} else {
			while ((h = sip_msg_hdr_next(msg, c->hdr, &i)))
				vl_put(l, &h->val);
		}
		break;
	default:
		break;
	}
	return err == ENOENT ? 0 : err;
}

/* Prints a value list with '|' between values. */
static void print_list(const char *s, size_t len, char agg)
{
	size_t i;

	putchar('[');
	for (i = 0; i < len; i++)
		putchar(s[i] == agg ? '|' : s[i]);
	putchar(']');
}

/* Splits one tab-separated line in place. */
static size_t split_tabs(char *line, char **cols, size_t max)
{
	size_t n = 0;
	char *p = line;

	for (;;) {
		if (n == max)
			return n + 1;
		cols[n++] = p;
		p = strchr(p, '\t');
		if (!p)
			return n;
		*p++ = '\0';
	}
}

static void report_err(const char *frame, size_t k, const char *what,
		       int err, const struct sip_err *se)
{
	printf("PARSE-ERROR frame %s msg %zu: %s: %s (%s", frame, k, what,
	       se && se->reason ? se->reason : "-", strerror(err));
	if (se && se->status)
		printf(", would answer %u", se->status);
	if (se && se->hdr != SIP_HDR_NONE && se->hdr != SIP_HDR_OTHER)
		printf(", header %s", sip_hdr_name(se->hdr));
	printf(")\n");
}

/* Cuts the frame's payload into messages and decodes each: the number of
 * messages, or -1 after reporting an error. */
static int decode_frame(struct ctx *x, const char *frame, const struct buf *bytes,
			bool stream, struct sip_msg **msgs)
{
	size_t off = 0, skip, mlen;
	struct sip_err se;
	int n = 0, err;

	while (off < bytes->len && n < MAX_MSGS) {
		const char *p = bytes->data + off;
		size_t left = bytes->len - off;

		if (stream) {
			skip = sip_msg_skip_crlf(p, left);
			p += skip;
			left -= skip;
			off += skip;
			if (!left)
				break;
			err = sip_msg_frame(p, left, &mlen);
			if (err == ENODATA && n > 0)
				break;  /* tshark too leaves it to a later frame */
			if (err) {
				report_err(frame, (size_t)n + 1, "sip_msg_frame", err, NULL);
				goto fail;
			}
		} else {
			mlen = left;
		}
		memset(&se, 0, sizeof(se));
		err = sip_msg_decode(&msgs[n], p, mlen, stream ? SIP_MSG_STREAM : 0, &se);
		if (err) {
			report_err(frame, (size_t)n + 1, "sip_msg_decode", err, &se);
			goto fail;
		}
		n++;
		off += mlen;
		memset(&se, 0, sizeof(se));
		err = sip_msg_decode_all(msgs[n - 1], &se);
		if (!err)
			err = sip_msg_validate(msgs[n - 1], &se);
		if (err) {
			report_err(frame, (size_t)n, "decode_all/validate", err, &se);
			goto fail;
		}
		if (!stream)
			break;
	}
	if (n == 0) {
		report_err(frame, 1, "payload", ENODATA, NULL);
		goto fail;
	}
	return n;
fail:
	x->errors++;
	while (n > 0)
		sip_msg_free(msgs[--n]);
	return -1;
}

/* Checks one frame: decodes its messages, then compares every sip.*
 * column over all of them. */
static void check_frame(struct ctx *x, char **vals)
{
	struct sip_msg *msgs[MAX_MSGS];
	struct buf bytes;
	struct vlist ours, theirs;
	const char *frame = "?", *udp = "", *tcp = "", *reasm = "", *hex;
	size_t i;
	int k, n;
	bool stream, bad = false, failed = false;

	buf_init(&bytes, 2 * SIP_MSG_MAX);
	buf_init(&ours.b, 4 * SIP_MSG_MAX);
	buf_init(&theirs.b, 4 * SIP_MSG_MAX);
	ours.agg = theirs.agg = x->agg;
	x->frames++;

	for (i = 0; i < x->ncols; i++) {
		switch (x->cols[i].kind) {
		case COL_FRAME: frame = vals[i]; break;
		case COL_UDP: udp = vals[i]; break;
		case COL_TCP: tcp = vals[i]; break;
		case COL_TCP_REASM: reasm = vals[i]; break;
		default: break;
		}
	}
	stream = *reasm || *tcp;
	hex = *reasm ? reasm : *tcp ? tcp : udp;
	if (unhex(&bytes, hex, x->agg) || !bytes.len) {
		printf("PARSE-ERROR frame %s: no payload bytes in the input\n", frame);
		x->errors++;
		goto out;
	}
	n = decode_frame(x, frame, &bytes, stream, msgs);
	if (n < 0)
		goto out;
	x->msgs += (unsigned long)n;

	for (i = 0; i < x->ncols && !failed; i++) {
		const struct col *c = &x->cols[i];
		int err;

		if (c->kind <= COL_TCP_REASM)
			continue;
		buf_reset(&ours.b);
		buf_reset(&theirs.b);
		ours.n = theirs.n = 0;
		ours.unquote = theirs.unquote = c->unquote;
		for (k = 0; k < n; k++) {
			err = col_values(&ours, c, msgs[k]);
			if (err) {
				report_err(frame, (size_t)k + 1, c->name, err, NULL);
				x->errors++;
				failed = bad = true;
				break;
			}
		}
		if (failed)
			break;
		vl_parse(&theirs, vals[i]);
		if (ours.b.err || theirs.b.err) {
			printf("PARSE-ERROR frame %s: %s: out of memory\n", frame, c->name);
			x->errors++;
			failed = bad = true;
			break;
		}
		x->fields++;
		if (ours.b.len != theirs.b.len ||
		    (ours.b.len && memcmp(ours.b.data, theirs.b.data, ours.b.len))) {
			printf("MISMATCH frame %s %s ours=", frame, c->name);
			print_list(ours.b.data, ours.b.len, x->agg);
			printf(" theirs=");
			print_list(theirs.b.data, theirs.b.len, x->agg);
			printf("\n");
			x->mismatches++;
			bad = true;
		}
	}
	for (k = 0; k < n; k++) {
		bool req = sip_msg_is_request(msgs[k]);
		struct pl what = req ? sip_msg_method(msgs[k]) : sip_msg_reason(msgs[k]);

		if (!bad) {
			printf("ok frame %s msg %d/%d: ", frame, k + 1, n);
			if (!req)
				printf("%u ", sip_msg_status(msgs[k]));
			printf("%.*s (%s)\n", (int)what.l, what.p, stream ? "stream" : "datagram");
		}
		sip_msg_free(msgs[k]);
	}
out:
	buf_free(&bytes);
	buf_free(&ours.b);
	buf_free(&theirs.b);
}

static int setup_header(struct ctx *x, char *line)
{
	char *names[MAX_COLS + 1];
	size_t i, n = split_tabs(line, names, MAX_COLS);
	bool payload = false;

	if (n > MAX_COLS) {
		fprintf(stderr, "sipcheck: more than %d columns\n", MAX_COLS);
		return 2;
	}
	for (i = 0; i < n; i++) {
		struct col *c = &x->cols[i];

		c->name = strdup(names[i]);
		if (!c->name)
			return 2;
		x->ncols = i + 1;       /* so main frees the names */
		if (col_setup(c, c->name)) {
			fprintf(stderr, "sipcheck: field %s is not supported\n", c->name);
			return 2;
		}
		payload |= c->kind == COL_UDP || c->kind == COL_TCP ||
			   c->kind == COL_TCP_REASM;
	}
	if (!payload) {
		fprintf(stderr, "sipcheck: no udp.payload, tcp.payload or "
			"tcp.reassembled.data column\n");
		return 2;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: tshark ... -T fields -E header=y -E separator=/t "
		"-E aggregator=CHAR -e udp.payload -e tcp.payload -e sip.* ... "
		"| sipcheck [-a CHAR]\n");
}

int main(int argc, char **argv)
{
	struct ctx x;
	char *line = NULL, *vals[MAX_COLS + 1];
	size_t cap = 0, n;
	ssize_t len;
	int opt, rc = 0;
	bool header = false;

	memset(&x, 0, sizeof(x));
	x.agg = '\037';
	while ((opt = getopt(argc, argv, "a:h")) != -1) {
		switch (opt) {
		case 'a':
			x.agg = optarg[0];
			break;
		default:
			usage();
			return 2;
		}
	}
	if (optind != argc) {
		usage();
		return 2;
	}

	while ((len = getline(&line, &cap, stdin)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (!header) {
			header = true;
			rc = setup_header(&x, line);
			if (rc)
				goto out;
			continue;
		}
		if (!len)
			continue;
		n = split_tabs(line, vals, MAX_COLS);
		if (n != x.ncols) {
			printf("PARSE-ERROR input line has %zu columns, the header %zu\n",
			       n, x.ncols);
			x.errors++;
			continue;
		}
		check_frame(&x, vals);
	}
	if (!header) {
		fprintf(stderr, "sipcheck: no header line on stdin (tshark -E header=y)\n");
		rc = 2;
		goto out;
	}
	printf("sipcheck: %lu frames, %lu messages, %lu field lists compared, "
	       "%lu mismatches, %lu parse errors\n", x.frames, x.msgs, x.fields,
	       x.mismatches, x.errors);
	rc = (x.mismatches || x.errors || !x.msgs) ? 1 : 0;
out:
	free(line);
	for (n = 0; n < x.ncols; n++)
		free(x.cols[n].name);
	return rc;
}
