/* msg.h - SIP messages: parse, frame, typed headers, build and print (RFC 3261 7, 20, 25). */
#ifndef SIPTTY_SIP_MSG_H
#define SIPTTY_SIP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/pl.h"
#include "sip/hdr.h"
#include "sip/uri.h"

/*
 * Bounds.  Every input is checked against them; going over one is E2BIG
 * with a status to answer (413, 414 or 513), never a truncation.
 */
#define SIP_START_MAX    (SIP_URI_MAX + 512)  /* start line, bytes */
#define SIP_HEAD_MAX     32768   /* start line + headers + blank line */
#define SIP_HDR_MAX      256     /* header lines in one message */
#define SIP_HDR_LEN_MAX  8192    /* one header line with its folds */
#define SIP_BODY_MAX     65536   /* message body, bytes */
#define SIP_MSG_MAX      (SIP_HEAD_MAX + SIP_BODY_MAX)
#define SIP_PARAM_MAX    32      /* parameters on one header value */
#define SIP_LIST_MAX     128     /* values of one header name, all lines */

/* The message itself: opaque, one allocation, freed with sip_msg_free(). */
struct sip_msg;

/*
 * Why a message was refused: enough to answer it.  status is the response
 * a UAS sends (400, 413, 414, 416, 501, 505, 513) or 0 when the message
 * must be dropped silently (a response, or nothing sensible to answer).
 * reason is a static English phrase for the status line ("Bad CSeq").
 */
struct sip_err {
	int err;                /* EBADMSG, E2BIG, ERANGE, ENOMEM, ... */
	uint16_t status;
	const char *reason;
	enum sip_hdr_id hdr;    /* header at fault, SIP_HDR_NONE if none */
};

enum sip_method {
	SIP_M_OTHER = 0,
	SIP_M_ACK,
	SIP_M_BYE,
	SIP_M_CANCEL,
	SIP_M_INFO,
	SIP_M_INVITE,
	SIP_M_MESSAGE,
	SIP_M_NOTIFY,
	SIP_M_OPTIONS,
	SIP_M_PRACK,
	SIP_M_PUBLISH,
	SIP_M_REFER,
	SIP_M_REGISTER,
	SIP_M_SUBSCRIBE,
	SIP_M_UPDATE,
};

/* Methods are case-sensitive (RFC 3261 7.1). */
enum sip_method sip_method_lookup(const struct pl *name);
const char *sip_method_str(enum sip_method m);

/* ------------------------------------------------------------------ */
/* Parsing and framing                                                 */
/* ------------------------------------------------------------------ */

enum {
	/* Stream transport: Content-Length is mandatory (RFC 3261 18.3). */
	SIP_MSG_STREAM = 1 << 0,
	/* Do not copy the bytes: the caller keeps p valid and unchanged
	 * until sip_msg_free().  The default is to copy them. */
	SIP_MSG_NOCOPY = 1 << 1,
};

/*
 * Parses one message: the start line, the header lines (names looked up,
 * folds kept), Content-Length and the body.  Typed header values are
 * decoded later, on first access.  Over a datagram (no SIP_MSG_STREAM) an
 * absent Content-Length means the body is the rest of the datagram, and
 * octets past Content-Length are ignored; a Content-Length larger than
 * what arrived is an error.  Returns 0, or an errno value with *errp
 * (may be NULL) saying what to answer.
 */
int sip_msg_decode(struct sip_msg **msgp, const char *p, size_t len,
		   unsigned flags, struct sip_err *errp);
void sip_msg_free(struct sip_msg *msg);

/*
 * Stream framing: 0 with *msglen the length of the first complete message
 * (leading CRLF keep-alives included, RFC 3261 7.5), ENODATA when more
 * bytes are needed, EBADMSG when it can never be framed (Content-Length
 * absent, negative, not a number or repeated), E2BIG over a bound.
 */
int sip_msg_frame(const char *p, size_t len, size_t *msglen);
/* Number of leading CR and LF bytes (RFC 5626 keep-alives) in p. */
size_t sip_msg_skip_crlf(const char *p, size_t len);

/*
 * Checks what a UAS needs before it acts on a message: no duplicate
 * single-valued header, To, From, Call-ID, CSeq and Via present, every
 * known header decodes, the Request-URI has a scheme we handle (else 416),
 * CSeq names the request method (else 400, or 501 for a method nobody
 * knows), a body has a Content-Type, the top Via branch is not the bare
 * magic cookie.  What depends on the UA's own capabilities (Require,
 * Content-Type, methods) is left to the UA.
 */
int sip_msg_validate(struct sip_msg *msg, struct sip_err *errp);

/* Decodes every known header (and the Request-URI) now; the first failure
 * in message order is reported.  P-Media-Authorization is left to its
 * user: a bad token fails a QoS reservation, not the message.  The
 * benchmark and the fuzzer use it. */
int sip_msg_decode_all(struct sip_msg *msg, struct sip_err *errp);

/* ------------------------------------------------------------------ */
/* The model                                                           */
/* ------------------------------------------------------------------ */

/* A header line.  val has the surrounding whitespace trimmed; a folded
 * value still holds its CRLF+WSP, which every decoder reads as LWS. */
struct sip_hdr {
	struct pl name;         /* as on the wire: "v", "VIA", "X-Foo" */
	struct pl val;
	enum sip_hdr_id id;
	/* What the line splitter saw in val, for the typed decoders (SIP_HM_*
	 * in src/sip/msg_int.h); 0 claims nothing, so a line made elsewhere
	 * is simply scanned again. */
	uint8_t marks;
};

bool sip_msg_is_request(const struct sip_msg *msg);
struct pl sip_msg_method(const struct sip_msg *msg);
enum sip_method sip_msg_method_id(const struct sip_msg *msg);
struct pl sip_msg_ruri_raw(const struct sip_msg *msg);
uint16_t sip_msg_status(const struct sip_msg *msg);
struct pl sip_msg_reason(const struct sip_msg *msg);
struct pl sip_msg_body(const struct sip_msg *msg);

size_t sip_msg_hdr_count(const struct sip_msg *msg);
const struct sip_hdr *sip_msg_hdr_at(const struct sip_msg *msg, size_t i);
/* The first header with this id after index *ip (start with *ip = 0):
 * NULL when there is none; *ip is left just past the one returned. */
const struct sip_hdr *sip_msg_hdr_next(const struct sip_msg *msg,
				       enum sip_hdr_id id, size_t *ip);
/* Same by name (any case, compact forms resolved): finds unknown headers. */
const struct sip_hdr *sip_msg_hdr_next_name(const struct sip_msg *msg,
					    const struct pl *name, size_t *ip);
size_t sip_msg_hdr_num(const struct sip_msg *msg, enum sip_hdr_id id);

/* Model equality: start line, headers in order (name and value, folds
 * ignored), body.  Content-Length is left out: the printer computes it. */
bool sip_msg_same(const struct sip_msg *a, const struct sip_msg *b);

/* ------------------------------------------------------------------ */
/* Typed headers                                                       */
/* ------------------------------------------------------------------ */
/*
 * Every accessor decodes on first use and caches the result in the
 * message; the pointers stay valid until the header is edited or the
 * message freed.  Returns 0, ENOENT when the header is absent, EBADMSG,
 * ERANGE (a number too large) or E2BIG (over a bound) when it does not
 * decode, EINVAL when the id does not have that typed form.  Slices
 * point into the message; quoted strings keep their escapes.
 */

/* Request-URI: 0 for sip, sips and tel (decoded), EPROTONOSUPPORT for any
 * other well-formed absoluteURI (answer 416), EBADMSG, ENOENT (response). */
int sip_msg_ruri(struct sip_msg *msg, const struct sip_uri **urip);

struct sip_via {
	struct pl proto;        /* "SIP" */
	struct pl version;      /* "2.0" */
	struct pl transport;    /* "UDP", "TLS", ... as sent */
	struct pl host;         /* IPv6 without the brackets */
	uint16_t port;          /* 0 when absent */
	bool ipv6;
	struct pl params;       /* ";branch=..;rport" or empty */
	struct pl branch;       /* each unset (p == NULL) when absent */
	struct pl received;
	struct pl maddr;
	struct pl ttl;
	struct pl rport;        /* set and empty for a bare ";rport" */
	struct pl raw;
};
struct sip_vias {
	size_t n;
	struct sip_via v[];
};
int sip_msg_vias(struct sip_msg *msg, const struct sip_vias **vp);

/* name-addr or addr-spec with header parameters (From, To, Contact,
 * Route, Record-Route, P-Asserted-Identity, Refer-To, Call-Info, ...). */
struct sip_addr {
	struct pl dname;        /* display name as sent, quotes included */
	struct pl uri_raw;      /* the URI without <> */
	struct pl scheme;
	bool angle;             /* written as <URI> */
	bool uri_ok;            /* sip, sips or tel: uri is decoded */
	struct sip_uri uri;
	struct pl params;       /* ";tag=..;expires=.." or empty */
	struct pl tag;          /* unset when absent */
	struct pl raw;
};
struct sip_addrs {
	size_t n;
	bool star;              /* "Contact: *" (then n == 0) */
	struct sip_addr v[];
};
/* Single-valued: From, To, Refer-To, Referred-By, Reply-To. */
int sip_msg_addr(struct sip_msg *msg, enum sip_hdr_id id,
		 const struct sip_addr **ap);
/* Lists: Contact, Route, Record-Route, Path, Service-Route,
 * P-Asserted-Identity, P-Preferred-Identity, Alert-Info, Call-Info,
 * Error-Info. */
int sip_msg_addrs(struct sip_msg *msg, enum sip_hdr_id id,
		  const struct sip_addrs **lp);

struct sip_cseq {
	uint32_t num;
	struct pl method;
	enum sip_method mid;
};
int sip_msg_cseq(struct sip_msg *msg, const struct sip_cseq **cp);
int sip_msg_callid(struct sip_msg *msg, struct pl *callid);

/* Max-Forwards (<= 255), Content-Length, Expires, Min-Expires, RSeq. */
int sip_msg_uint(struct sip_msg *msg, enum sip_hdr_id id, uint32_t *vp);

/* Token lists: Require, Proxy-Require, Supported, Unsupported, Allow,
 * Allow-Events, Content-Encoding, Content-Language, Request-Disposition,
 * In-Reply-To (Call-IDs), Privacy (';'-separated),
 * P-Media-Authorization (hex, an even number of digits). */
struct sip_tokens {
	size_t n;
	struct pl v[];
};
int sip_msg_tokens(struct sip_msg *msg, enum sip_hdr_id id,
		   const struct sip_tokens **tp);
bool sip_tokens_has(const struct sip_tokens *t, const char *tok);

/* Content-Type, and each media range of Accept. */
struct sip_ctype {
	struct pl type;
	struct pl subtype;
	struct pl params;
};
struct sip_ctypes {
	size_t n;
	struct sip_ctype v[];
};
int sip_msg_ctype(struct sip_msg *msg, const struct sip_ctype **cp);
int sip_msg_accept(struct sip_msg *msg, const struct sip_ctypes **lp);

/* A token with parameters: Content-Disposition, Priority, Replaces (the
 * token is the Call-ID), Reason, Accept-Encoding, Accept-Language,
 * Session-Expires, Min-SE (the token is the delta-seconds). */
struct sip_tparam {
	struct pl token;
	struct pl params;
};
struct sip_tparams {
	size_t n;
	struct sip_tparam v[];
};
int sip_msg_tparam(struct sip_msg *msg, enum sip_hdr_id id,
		   const struct sip_tparam **tp);
int sip_msg_tparams(struct sip_msg *msg, enum sip_hdr_id id,
		    const struct sip_tparams **lp);

/* WWW-Authenticate, Proxy-Authenticate, Authorization,
 * Proxy-Authorization (one per header line), Authentication-Info (no
 * scheme).  params holds the comma-separated auth-params as sent. */
struct sip_auth {
	struct pl scheme;       /* "Digest"; unset for Authentication-Info */
	struct pl params;
	struct pl token68;      /* "Bearer abc==" form; unset otherwise */
	struct pl raw;
};
struct sip_auths {
	size_t n;
	struct sip_auth v[];
};
int sip_msg_auths(struct sip_msg *msg, enum sip_hdr_id id,
		  const struct sip_auths **lp);
int sip_msg_auth_info(struct sip_msg *msg, const struct sip_auth **ap);
/* An auth-param by name (any case); quoted values come without quotes. */
int sip_auth_param(const struct sip_auth *a, const char *name,
		   struct pl *val);

/* Security-Client, Security-Server, Security-Verify (RFC 3329). */
struct sip_secmech {
	struct pl mech;         /* "digest", "tls", "ipsec-3gpp", ... */
	struct pl params;
	int q;                  /* preference in thousandths, -1 if absent */
	struct pl d_alg;
	struct pl d_qop;
	struct pl d_ver;        /* without the quotes */
	struct pl raw;
};
struct sip_secmechs {
	size_t n;
	struct sip_secmech v[];
};
int sip_msg_secmechs(struct sip_msg *msg, enum sip_hdr_id id,
		     const struct sip_secmechs **lp);

/* Identity: RFC 8224 (token;info=<uri>;alg=..;ppt=..) and the RFC 4474
 * form (a quoted signature, or one without info, whose certificate URI
 * is in Identity-Info). */
struct sip_identity {
	struct pl digest;       /* PASSporT or signature, without quotes */
	bool legacy;            /* RFC 4474 form */
	struct pl info;         /* URI inside <>, unset when absent */
	struct pl alg;
	struct pl ppt;
	struct pl params;
	struct pl raw;
};
struct sip_identities {
	size_t n;
	struct sip_identity v[];
};
int sip_msg_identities(struct sip_msg *msg, const struct sip_identities **lp);

/* Identity-Info (RFC 4474): the URI and its alg parameter. */
struct sip_identity_info {
	struct pl uri;
	struct pl alg;
	struct pl params;
};
int sip_msg_identity_info(struct sip_msg *msg,
			  const struct sip_identity_info **ip);

/* Date: RFC 1123 form in GMT only, as seconds since 1970. */
int sip_msg_date(struct sip_msg *msg, int64_t *tp);

struct sip_warning {
	uint16_t code;
	struct pl agent;
	struct pl text;         /* without the quotes */
};
struct sip_warnings {
	size_t n;
	struct sip_warning v[];
};
int sip_msg_warnings(struct sip_msg *msg, const struct sip_warnings **lp);

struct sip_retry_after {
	uint32_t delta;
	struct pl comment;      /* without the parentheses, unset if none */
	struct pl params;
};
int sip_msg_retry_after(struct sip_msg *msg,
			const struct sip_retry_after **rp);

/* Event (RFC 6665). */
struct sip_event {
	struct pl package;      /* "presence", "reg", "refer", ... */
	struct pl id;           /* unset when absent */
	struct pl params;
};
int sip_msg_event(struct sip_msg *msg, const struct sip_event **ep);

/* Subscription-State (RFC 6665). */
struct sip_substate {
	struct pl state;        /* "active", "pending", "terminated", ... */
	struct pl reason;       /* unset when absent */
	bool has_expires;
	uint32_t expires;
	bool has_retry_after;
	uint32_t retry_after;
	struct pl params;
};
int sip_msg_substate(struct sip_msg *msg, const struct sip_substate **sp);

/* RAck (RFC 3262). */
struct sip_rack {
	uint32_t rseq;
	uint32_t cseq;
	struct pl method;
};
int sip_msg_rack(struct sip_msg *msg, const struct sip_rack **rp);

/* ------------------------------------------------------------------ */
/* Helpers on decoded values                                           */
/* ------------------------------------------------------------------ */

/* A parameter of a ";name=value" list (Via, addr, Content-Type, ...) by
 * name, any case.  No value ("lr") gives an empty, set slice; a quoted
 * value comes without its quotes.  ENOENT when absent. */
int sip_param_get(const struct pl *params, const char *name, struct pl *val);

/* Writes the text of a quoted-string or a display name: quotes removed,
 * quoted-pairs resolved, folds turned into their whitespace. */
int sip_qstr_text(struct buf *out, const struct pl *s);

/* ------------------------------------------------------------------ */
/* Building and printing                                               */
/* ------------------------------------------------------------------ */

/* A new request or response with no headers.  EINVAL for a method that is
 * not a token, a URI with whitespace, a status outside 100..699 or a
 * reason holding CR or LF. */
int sip_msg_request_alloc(struct sip_msg **msgp, const char *method,
			  const char *ruri);
int sip_msg_response_alloc(struct sip_msg **msgp, uint16_t status,
			   const char *reason);

/*
 * Header edits.  Values are copied; CR and LF are refused (EINVAL) so a
 * value can never inject a header.  name may be NULL for a known id (the
 * full name is used); id may be SIP_HDR_OTHER with a name, which is then
 * looked up.  Typed forms of the edited id are dropped and decoded again
 * on next access.
 */
int sip_msg_hdr_insert(struct sip_msg *msg, size_t pos, enum sip_hdr_id id,
		       const char *name, const struct pl *val);
int sip_msg_hdr_add(struct sip_msg *msg, enum sip_hdr_id id, const char *val);
int sip_msg_hdr_addf(struct sip_msg *msg, enum sip_hdr_id id,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int sip_msg_hdr_add_named(struct sip_msg *msg, const char *name,
			  const char *val);
/* Removes every header with this id: ENOENT when there was none. */
int sip_msg_hdr_remove(struct sip_msg *msg, enum sip_hdr_id id);
int sip_msg_hdr_remove_at(struct sip_msg *msg, size_t i);
/* Replaces the first header with this id (removing the others), or adds
 * it when absent. */
int sip_msg_hdr_replace(struct sip_msg *msg, enum sip_hdr_id id,
			const char *val);
/* Appends a copy of every header with this id from another message. */
int sip_msg_hdr_copy(struct sip_msg *dst, const struct sip_msg *src,
		     enum sip_hdr_id id);
/* Copies the body (len 0 removes it). */
int sip_msg_set_body(struct sip_msg *msg, const void *body, size_t len);

/*
 * Prints the message: start line, headers in order (a folded value keeps
 * its folds, with CRLF line ends), a Content-Length holding the body's
 * real length (in place of the first one, or appended), blank line, body.
 */
int sip_msg_print(struct buf *out, const struct sip_msg *msg);

#endif
