/* offer.h - SDP offer/answer policy for audio calls (RFC 3264): codecs, direction, ptime, ports. */
#ifndef SIPTTY_UA_OFFER_H
#define SIPTTY_UA_OFFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "ua/sdp.h"

/* The RTP ports offers take when nothing is configured ([audio] rtp_ports). */
#define OFFER_PORT_MIN 16384
#define OFFER_PORT_MAX 32766
#define OFFER_PTIME 20
/* Dynamic payload types of our own offers. */
#define OFFER_PT_OPUS 111
#define OFFER_PT_DTMF 101

/* SRTP policy ([account] srtp). */
enum offer_srtp {
	OFFER_SRTP_OFF = 0,
	OFFER_SRTP_OPTIONAL,     /* RTP/AVP with a=crypto: SRTP if the far end takes it */
	OFFER_SRTP_MANDATORY,    /* RTP/SAVP: no call without SRTP */
};

#define OFFER_SRTP_KEY_LEN 30    /* AES-CM-128 master key 16 + salt 14 */

/* What we put in an offer or an answer. */
struct offer_local {
	const char *addr;        /* the flow's local address: "192.0.2.7", "2001:db8::7" */
	uint16_t port;           /* even, from the RTP range */
	uint64_t sess_id;
	uint64_t sess_version;   /* one more for each new description (RFC 3264 8) */
	enum sdp_dir dir;        /* what we want: sendrecv, or sendonly to hold */
	enum offer_srtp srtp;
	/* Is every hop of the signalling TLS?  a=crypto carries keys in the
	 * clear and never leaves otherwise (RFC 4568 8.3). */
	bool secure;
	uint8_t key[OFFER_SRTP_KEY_LEN];  /* ours, random per call */
	/* [audio] codecs: the codecs offered and taken, best first
	 * ("opus, pcmu"; any case, commas or spaces); NULL or "": Opus,
	 * PCMU, PCMA. */
	const char *codecs;
	/* [audio] ptime: the packet length we ask for (a=ptime) and send
	 * when the far end states none; 0: no preference (an answer takes
	 * the offerer's, anything else OFFER_PTIME). */
	uint32_t ptime;
};

/* The outcome of one offer/answer exchange, for the call and the screen. */
struct offer_result {
	char codec[16];          /* "opus", "PCMU", "PCMA" */
	int pt;                  /* its payload type in this session */
	uint32_t clock;
	uint32_t channels;
	int dtmf_pt;             /* telephone-event, -1 when not agreed */
	uint32_t ptime;          /* the far end's ptime, or ours */
	enum sdp_dir local_dir;  /* the direction we use */
	enum sdp_dir remote_dir; /* the direction the far end stated */
	char raddr[64];          /* where media goes, "" when none */
	uint16_t rport;
	char fmtp[256];          /* the far end's fmtp for pt, "" when none */
	char srtp_suite[32];     /* the agreed SRTP suite, "" for plain RTP */
	uint32_t srtp_tag;
	uint8_t srtp_rx_key[OFFER_SRTP_KEY_LEN];  /* the far end's (a secret) */
	const char *why;         /* ENOTSUP/EPROTO: one sentence, N_() marked:
	                          * show it with _() */
};

/* "16384-32766" (inclusive, even start used) into min and max. */
int offer_range_parse(const char *s, uint16_t *min, uint16_t *max);
/* A random even port in [min, max]. */
uint16_t offer_port_pick(uint16_t min, uint16_t max);

/* Is ms a packet length every codec we have can send: 10, 20, 40 or 60
 * (Opus has no 30 ms frame)? */
bool offer_ptime_ok(uint32_t ms);
/* Does s name only codecs we have ("opus", "PCMU", "pcma"; commas or
 * spaces between)?  The first unknown name goes to bad (at least 32). */
bool offer_codecs_ok(const char *s, char *bad, size_t sz);

/* The suites we offer and take, best first. */
bool offer_srtp_suite_known(const char *suite);

/* Our offer: one audio stream with Opus, PCMU, PCMA and telephone-event;
 * with a=crypto lines (AES_CM_128_HMAC_SHA1_80, then _32) when l->srtp is
 * on and l->secure; EPERM when SRTP is mandatory and the hop is not
 * secure (nothing is offered). */
int offer_build(struct buf *out, const struct offer_local *l);

/*
 * Answers the offer in (len bytes) per RFC 3264 6: the first offered
 * codec we support, in the offerer's order, telephone-event when
 * offered, the direction from sdp_dir_answer(); every other stream gets
 * port 0.  0 with the answer in out and *res filled; ENOTSUP when no
 * stream can be accepted (answer 488); EBADMSG or E2BIG for a bad offer
 * (also 488, the offer is not understood).  SRTP: a stream offered
 * with a=crypto is answered with one of its lines (tag and suite echoed,
 * our key) when l->srtp is on and l->secure; RTP/SAVP that we cannot
 * take is rejected; mandatory refuses an offer without SRTP (ENOTSUP,
 * res->why says so).
 */
int offer_answer(struct buf *out, struct offer_result *res, const char *in,
		 size_t len, const struct offer_local *l);

/*
 * Reads the answer to our offer: the first accepted audio stream, its
 * codec (which must be one we offered) and direction.  ENOTSUP when the
 * answer accepts no stream we can use; EBADMSG or E2BIG when malformed.
 * l is the offer we made: an a=crypto in the answer must echo one of our
 * tags and suites (EPROTO otherwise); no SRTP in the answer when it was
 * mandatory is ENOTSUP.  res->why names the reason.
 */
int offer_accept(struct offer_result *res, const char *in, size_t len,
		 const struct offer_local *l);

/* The direction we hold with: sendonly, or inactive when the far end holds too. */
enum sdp_dir offer_hold_dir(bool remote_holds);
/* Does the far end's stated direction mean it holds the call? */
bool offer_remote_holds(enum sdp_dir remote_dir);

#endif
