/* rsvp.h - RSVP (RFC 2205) message build and parse, and the policy element checks (RFC 2750, RFC 3520): pure functions. */
#ifndef SIPTTY_AUDIO_RSVP_H
#define SIPTTY_AUDIO_RSVP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/qos.h"

#define RSVP_UDP_PORT 1698        /* RFC 2205 appendix C: Pu */
#define RSVP_IPPROTO 46
#define RSVP_MAX_MSG 16384        /* bigger input is malformed */
#define RSVP_MAX_POLICY QOS_MAX_TOKENS
/* One policy element decoded from a token: at most QOS_TOKEN_MAX_HEX / 2. */
#define RSVP_MAX_ELEMENT (QOS_TOKEN_MAX_HEX / 2 + 2)

enum rsvp_type {
	RSVP_PATH = 1,
	RSVP_RESV = 2,
	RSVP_PATHERR = 3,
	RSVP_RESVERR = 4,
	RSVP_PATHTEAR = 5,
	RSVP_RESVTEAR = 6,
	RSVP_RESVCONF = 7,
};

enum rsvp_class {
	RSVP_C_SESSION = 1,
	RSVP_C_RSVP_HOP = 3,
	RSVP_C_TIME_VALUES = 5,
	RSVP_C_ERROR_SPEC = 6,
	RSVP_C_STYLE = 8,
	RSVP_C_FLOWSPEC = 9,
	RSVP_C_FILTER_SPEC = 10,
	RSVP_C_SENDER_TEMPLATE = 11,
	RSVP_C_SENDER_TSPEC = 12,
	RSVP_C_POLICY_DATA = 14,
};

#define RSVP_PE_AUTH_SESSION 4    /* RFC 3520 P-Type */
#define RSVP_AS_AUTH_DATA 8       /* AUTHENTICATION_DATA X-Type: last */
#define RSVP_ERR_POLICY 2         /* ERROR_SPEC code: policy control failure */

/* An IPv4 or IPv6 address in network order. */
struct rsvp_addr {
	int af;                   /* AF_INET or AF_INET6 */
	uint8_t a[16];
};

/* What a PATH or PathTear says about one sender's stream. */
struct rsvp_path {
	struct rsvp_addr dst;     /* SESSION */
	uint16_t dport;
	struct rsvp_addr src;     /* RSVP_HOP and SENDER_TEMPLATE */
	uint16_t sport;
	uint32_t refresh_ms;      /* TIME_VALUES */
	uint8_t ttl;              /* Send_TTL */
	const uint8_t *pe[RSVP_MAX_POLICY];   /* whole policy elements */
	size_t pelen[RSVP_MAX_POLICY];
	size_t npe;
	struct qos_tspec tspec;
};

/*
 * Builds a PATH (type RSVP_PATH: every object) or PathTear (RSVP_PATHTEAR:
 * SESSION, RSVP_HOP, SENDER_TEMPLATE, SENDER_TSPEC) with its checksum.
 * 0, EINVAL (bad element, family mismatch) or ENOSPC.
 */
int rsvp_build(uint8_t type, const struct rsvp_path *p, uint8_t *buf,
	       size_t bufsz, size_t *lenp);

/* The RFC 2205 checksum over len bytes (checksum field zero), never 0. */
uint16_t rsvp_checksum(const uint8_t *p, size_t len);

/* A parsed message: slices into the caller's buffer. */
struct rsvp_msg {
	uint8_t type;
	uint8_t ttl;
	uint16_t len;
	bool has_checksum;        /* false: the sender put 0 */
	bool has_session;
	struct rsvp_addr sess_addr;
	uint8_t sess_proto;
	uint16_t sess_port;
	bool has_sender;
	struct rsvp_addr sender_addr;
	uint16_t sender_port;
	bool has_error;
	struct rsvp_addr err_node;
	uint8_t err_flags, err_code;
	uint16_t err_value;
	bool has_time;
	uint32_t refresh_ms;
	bool has_tspec;
	struct qos_tspec tspec;
	size_t npolicy;           /* POLICY_DATA objects; elements of the first RSVP_MAX_POLICY */
	const uint8_t *policy[RSVP_MAX_POLICY];   /* first element of each */
	size_t policylen[RSVP_MAX_POLICY];         /* all its elements */
	size_t nobjects;
};

/*
 * Parses one message: the header (version 1, length, checksum when not
 * zero) and every object (length a multiple of 4, at least 4, inside the
 * message).  Objects it does not know are skipped.  0, ENODATA (shorter
 * than its header says or than a header), EBADMSG (anything else).
 */
int rsvp_parse(struct rsvp_msg *m, const uint8_t *p, size_t len);

/*
 * Checks one RFC 2750 policy element (Length, P-Type, data): Length equal
 * to len, a multiple of 4; for AUTH_SESSION, the RFC 3520 attributes
 * (Length > 4 without padding, each padded to 4) fill it exactly and
 * AUTHENTICATION_DATA, if present, is last.  0 or EBADMSG with why.
 */
int rsvp_element_check(const uint8_t *pe, size_t len, char *why,
		       size_t whysz);

/* Hex text to bytes: even length, hex digits only, fits in out. */
int rsvp_hex_decode(const char *hex, size_t len, uint8_t *out,
		    size_t outsz, size_t *outlen);

const char *rsvp_type_name(uint8_t type);
/* RFC 2205 appendix B error code names ("policy control failure"). */
const char *rsvp_error_name(uint8_t code);

#endif
