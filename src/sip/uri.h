/* uri.h - sip:, sips: and tel: URIs (RFC 3261 19.1, RFC 3966). */
#ifndef SIPTTY_SIP_URI_H
#define SIPTTY_SIP_URI_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/pl.h"

#define SIP_URI_MAX 2048          /* longest URI we accept, in bytes */

enum sip_uri_scheme {
	SIP_URI_SIP = 0,
	SIP_URI_SIPS,
	SIP_URI_TEL,
};

enum sip_host_type {
	SIP_HOST_NONE = 0,  /* tel: URIs */
	SIP_HOST_NAME,
	SIP_HOST_IPV4,
	SIP_HOST_IPV6,      /* host holds the address without the brackets */
};

/*
 * A decoded URI: every field is a slice of the input, still escaped as it
 * was on the wire.  Decoding validates the grammar; comparing and
 * canonicalising unescape where RFC 3261 19.1.4 says so.
 */
struct sip_uri {
	enum sip_uri_scheme scheme;
	struct pl user;      /* sip/sips userinfo user; tel: the number */
	struct pl password;  /* unset when absent */
	struct pl host;      /* hostname, IPv4, or IPv6 without [] */
	enum sip_host_type host_type;
	uint16_t port;       /* 0 when absent */
	bool port_set;       /* a port was given (":0" included); added so
	                      * that "sip:h:0" and "sip:h" stay distinct */
	struct pl params;    /* ";a=b;c" with the leading ';', or empty */
	struct pl headers;   /* after '?', without it, or empty */
	struct pl raw;       /* the whole URI */
};

/* 0, or EBADMSG for bad grammar, E2BIG when longer than SIP_URI_MAX,
 * EPROTONOSUPPORT for a well-formed URI of another scheme (RFC 3261 416,
 * e.g. RFC 4475 unkscm), EINVAL for NULL arguments.  Never allocates and
 * never reads outside *s.  tel: URIs fill user (the number) and params;
 * a local number without phone-context is EBADMSG (RFC 3966 5.1.5). */
int sip_uri_decode(struct sip_uri *uri, const struct pl *s);

/* Looks a parameter up by name, case-insensitively.  A parameter with no
 * value ("lr") sets *val to an empty slice.  ENOENT when absent. */
int sip_uri_param(const struct sip_uri *uri, const char *name,
		  struct pl *val);

/* Header field of the URI ("?name=value&..."), by name, case-insensitive;
 * *val is the raw (escaped) value.  ENOENT when absent. */
int sip_uri_header(const struct sip_uri *uri, const char *name,
		   struct pl *val);

/* Equality per RFC 3261 19.1.4 with RFC 5954 4 (IP addresses compare as
 * binary) for sip/sips, and RFC 3966 4 (tel). */
bool sip_uri_equal(const struct sip_uri *a, const struct sip_uri *b);

/* The identity forms of SPECS.md 6.2 (RFC 8224 8.1): for a telephone
 * number (tel:, user=phone, or a leading '+' in a sip user part) the
 * digits, '#' and '*' only; otherwise "sip:user@host" with scheme, user
 * and host lower-cased, unreserved escapes decoded and parameters, port,
 * password and headers dropped.  *is_tn says which form was produced
 * (is_tn may be NULL).  Appends to out.  A local number whose
 * phone-context is a global number is prefixed with that number's digits
 * (E.164 where possible).  EINVAL for a tel: number that holds letters,
 * which has no TN form; the buffer's error otherwise. */
int sip_uri_canon(struct buf *out, const struct sip_uri *uri, bool *is_tn);

/* Unescapes %HH into out; EBADMSG on a bad escape.  %00 is kept as a NUL
 * byte in out (callers compare with lengths, never as C strings). */
int sip_uri_unescape(struct buf *out, const struct pl *in);

/* Prints the URI back as it was decoded, from its fields (so a URI built
 * or edited field by field prints too); the scheme comes out lower-case. */
int sip_uri_print(struct buf *out, const struct sip_uri *uri);

#endif
