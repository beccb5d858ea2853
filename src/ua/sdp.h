/* sdp.h - bounded SDP parser and printer (RFC 4566, RFC 3264, RFC 4568 crypto). */
#ifndef SIPTTY_SDP_H
#define SIPTTY_SDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/pl.h"

/* Bounds: past any of them sdp_parse fails with E2BIG, never truncates. */
#define SDP_MAX_SIZE 16384      /* bytes in one description */
#define SDP_MAX_LINES 256
#define SDP_MAX_LINE_LEN 1024   /* without the line ending */
#define SDP_MAX_MEDIA 8
#define SDP_MAX_ATTRS 64        /* a= lines at one level (session or one m=) */
#define SDP_MAX_FMTS 32         /* formats on one m= line */
#define SDP_MAX_CRYPTO 8        /* a=crypto lines in one m= */
#define SDP_MAX_BW 4            /* b= lines at one level */
/* A decoded inline key||salt never exceeds this (AES-256 suites: 46). */
#define SDP_CRYPTO_KEY_MAX 64

enum sdp_dir {
	SDP_DIR_UNSET = 0,      /* no direction attribute at this level */
	SDP_DIR_SENDRECV,
	SDP_DIR_SENDONLY,
	SDP_DIR_RECVONLY,
	SDP_DIR_INACTIVE,
};

enum sdp_proto {
	SDP_PROTO_OTHER = 0,    /* kept and printed, formats are plain tokens */
	SDP_PROTO_RTP_AVP,
	SDP_PROTO_RTP_SAVP,
	SDP_PROTO_RTP_SAVPF,
};

enum sdp_af {
	SDP_AF_NONE = 0,
	SDP_AF_IP4,
	SDP_AF_IP6,
};

/*
 * Every pl below points into the parsed text (sdp_parse) or into strings
 * the builder's caller keeps alive until the session is printed or freed.
 */
struct sdp_attr {
	struct pl name;
	struct pl value;        /* p == NULL for a flag attribute ("a=rtcp-mux") */
};

struct sdp_bw {
	struct pl type;         /* "AS", "CT", "TIAS", ... */
	uint32_t value;
};

/* c= line: a unicast IPv4 or IPv6 literal (checked with inet_pton). */
struct sdp_conn {
	enum sdp_af af;
	struct pl addr;
};

struct sdp_origin {
	struct pl user;         /* "-" when none */
	uint64_t sess_id;
	uint64_t sess_version;
	enum sdp_af af;
	struct pl addr;         /* an address or a host name, not used for media */
};

struct sdp_format {
	struct pl id;           /* as on the m= line (non-RTP protocols) */
	int pt;                 /* 0..127 for RTP protocols, -1 otherwise */
	bool has_rtpmap;
	struct pl name;         /* rtpmap encoding name, e.g. "opus" */
	uint32_t clock;
	uint32_t channels;      /* 0 when the rtpmap gives none */
	struct pl fmtp;         /* p == NULL when there is no a=fmtp */
};

/* a=crypto (RFC 4568): the first inline key is parsed, the rest kept. */
struct sdp_crypto {
	uint32_t tag;
	struct pl suite;
	struct pl params;       /* everything after the suite, printed as is */
	struct pl key;          /* base64 key||salt of the first inline key */
	size_t key_len;         /* its decoded length */
	struct pl lifetime;     /* "2^20" or "1048576"; p == NULL when absent */
	struct pl mki;          /* "1:4"; p == NULL when absent */
	uint32_t mki_value;
	uint32_t mki_len;       /* 1..128 bytes */
};

struct sdp_media {
	struct pl type;         /* "audio", "video", ... */
	uint16_t port;          /* 0: stream rejected or disabled */
	uint16_t nports;        /* "/n" after the port, 0 when absent */
	struct pl proto_str;
	enum sdp_proto proto;
	struct sdp_format fmts[SDP_MAX_FMTS];
	size_t nfmts;
	struct sdp_conn conn;   /* af == SDP_AF_NONE: the session's applies */
	struct sdp_bw bw[SDP_MAX_BW];
	size_t nbw;
	enum sdp_dir dir;
	uint32_t ptime;         /* ms, 0 when absent */
	uint32_t maxptime;
	struct sdp_crypto crypto[SDP_MAX_CRYPTO];
	size_t ncrypto;
	struct sdp_attr attrs[SDP_MAX_ATTRS];   /* the attributes not parsed above */
	size_t nattrs;
};

struct sdp_session {
	struct sdp_origin origin;
	struct pl name;         /* s= */
	struct sdp_conn conn;
	struct sdp_bw bw[SDP_MAX_BW];
	size_t nbw;
	uint64_t t_start;
	uint64_t t_stop;
	enum sdp_dir dir;
	struct sdp_attr attrs[SDP_MAX_ATTRS];
	size_t nattrs;
	struct sdp_media media[SDP_MAX_MEDIA];
	size_t nmedia;
};

/*
 * Parses len bytes (lines "x=value" ending in CRLF or LF). The session
 * points into p, which must outlive it. EBADMSG malformed, E2BIG over a
 * bound, ENOMEM. Lines i, u, e, p, z, k and r are accepted and dropped.
 */
int sdp_parse(struct sdp_session **sessp, const char *p, size_t len);
/* An empty session to build an offer or answer in: v=0, s=-, t=0 0. */
int sdp_alloc(struct sdp_session **sessp);
void sdp_free(struct sdp_session *sess);

/* Prints the session (CRLF line endings); the buffer's error on failure. */
int sdp_print(struct buf *b, const struct sdp_session *sess);

/* Builder helpers; strings are referenced, not copied. */
int sdp_media_add(struct sdp_session *sess, struct sdp_media **mp, const char *type,
		  uint16_t port, enum sdp_proto proto);
int sdp_format_add(struct sdp_media *m, int pt, const char *name, uint32_t clock,
		   uint32_t channels, const char *fmtp);
int sdp_media_attr_add(struct sdp_media *m, const char *name, const char *value);
int sdp_crypto_add(struct sdp_media *m, uint32_t tag, const char *suite,
		   const char *params);

const char *sdp_proto_name(enum sdp_proto proto);
const char *sdp_dir_name(enum sdp_dir dir);
/* The direction in force for m: its own, else the session's, else sendrecv. */
enum sdp_dir sdp_media_dir(const struct sdp_session *sess, const struct sdp_media *m);
/* RFC 3264 6.1: the answer's direction for an offered one and what we want. */
enum sdp_dir sdp_dir_answer(enum sdp_dir offered, enum sdp_dir wanted);
/* The address media goes to: the media's c= or else the session's; NULL if none. */
const struct sdp_conn *sdp_media_conn(const struct sdp_session *sess, const struct sdp_media *m);
/* Finds a format by encoding name (no case) and clock rate; NULL if absent. */
const struct sdp_format *sdp_format_find(const struct sdp_media *m, const char *name,
					 uint32_t clock);
const struct sdp_format *sdp_format_find_pt(const struct sdp_media *m, int pt);
/* Decodes a crypto line's key||salt into out (a secret: wipe after use). */
int sdp_crypto_key(const struct sdp_crypto *c, uint8_t *out, size_t sz, size_t *lenp);

#endif
