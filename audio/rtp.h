/* rtp.h - RTP and RTCP wire parsing (RFC 3550), the RFC 4733 event payload: pure functions on bytes from the network. */
#ifndef SIPTTY_AUDIO_RTP_H
#define SIPTTY_AUDIO_RTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rtp_hdr {
	int pt;
	bool marker;
	uint16_t seq;
	uint32_t ts;
	uint32_t ssrc;
	const uint8_t *payload;   /* inside the packet, CSRCs, extension and
				   * padding taken off */
	size_t plen;
};

/* 0, or EBADMSG: not version 2, or a CSRC list, extension or padding
 * that does not fit the packet. */
int rtp_parse(struct rtp_hdr *h, const uint8_t *b, size_t len);

/* A telephone-event payload (RFC 4733 2.3). */
struct rtp_event {
	char digit;               /* '0'-'9', '*', '#', 'A'-'D' */
	bool end;
	uint32_t duration;        /* in timestamp units */
};

/* 0, EBADMSG (shorter than 4 bytes), or ENOTSUP (an event that is no
 * DTMF digit: 16 and up). */
int rtp_event_parse(struct rtp_event *ev, const uint8_t *p, size_t len);
/* The event code of a DTMF digit ('a'-'d' too), -1 for any other
 * character. */
int rtp_event_code(char c);

/* What a report block (RFC 3550 6.4.1) says about one source. */
struct rtcp_block {
	uint8_t fraction;         /* fraction lost, in 256ths */
	uint32_t lsr, dlsr;       /* last SR (NTP middle 32 bits), delay since
				   * it (1/65536 s) */
};

/*
 * Walks a compound RTCP packet: for every report block (in an SR or RR)
 * about ssrc, calls h with what it says.  Stops at the first packet that
 * is not version 2 or overruns len.  Returns the number of blocks found.
 */
typedef void (rtcp_block_h)(const struct rtcp_block *rb, void *arg);
unsigned rtcp_blocks(const uint8_t *b, size_t len, uint32_t ssrc,
		     rtcp_block_h *h, void *arg);

#endif
