/* rtp.c - RTP and RTCP wire parsing (RFC 3550), the RFC 4733 event payload. */
#include <config.h>

#include <errno.h>

#include "audio/rtp.h"

static uint32_t rd32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		((uint32_t)p[2] << 8) | p[3];
}

int rtp_parse(struct rtp_hdr *h, const uint8_t *b, size_t len)
{
	size_t hl = 12;

	if (len < 12 || (b[0] >> 6) != 2)
		return EBADMSG;
	hl += (size_t)(b[0] & 0x0f) * 4;
	if (len < hl)
		return EBADMSG;
	if (b[0] & 0x10) {
		if (len < hl + 4)
			return EBADMSG;
		hl += 4 + (((size_t)b[hl + 2] << 8) | b[hl + 3]) * 4;
		if (len < hl)
			return EBADMSG;
	}
	if (b[0] & 0x20) {
		size_t pad = b[len - 1];

		if (!pad || pad > len - hl)
			return EBADMSG;
		len -= pad;
	}
	h->pt = b[1] & 0x7f;
	h->marker = (b[1] & 0x80) != 0;
	h->seq = (uint16_t)((b[2] << 8) | b[3]);
	h->ts = rd32(b + 4);
	h->ssrc = rd32(b + 8);
	h->payload = b + hl;
	h->plen = len - hl;
	return 0;
}

static const char rtp_digits[] = "0123456789*#ABCD";

int rtp_event_parse(struct rtp_event *ev, const uint8_t *p, size_t len)
{
	if (len < 4)
		return EBADMSG;
	if (p[0] >= 16)
		return ENOTSUP;
	ev->digit = rtp_digits[p[0]];
	ev->end = (p[1] & 0x80) != 0;
	ev->duration = ((uint32_t)p[2] << 8) | p[3];
	return 0;
}

int rtp_event_code(char c)
{
	if (c >= 'a' && c <= 'd')
		c = (char)(c - 'a' + 'A');
	for (int i = 0; i < 16; i++)
		if (c && rtp_digits[i] == c)
			return i;
	return -1;
}

unsigned rtcp_blocks(const uint8_t *b, size_t len, uint32_t ssrc,
		     rtcp_block_h *h, void *arg)
{
	size_t off = 0;
	unsigned found = 0;

	while (off + 8 <= len) {
		const uint8_t *p = b + off;
		size_t plen = ((((size_t)p[2] << 8) | p[3]) + 1) * 4, first, i;
		unsigned rc = p[0] & 0x1f;

		if ((p[0] >> 6) != 2 || plen > len - off)
			break;
		if (p[1] == 200 || p[1] == 201) {
			first = p[1] == 200 ? 28 : 8;
			for (i = 0; i < rc && first + (i + 1) * 24 <= plen;
			     i++) {
				const uint8_t *rb = p + first + i * 24;
				struct rtcp_block blk;

				if (rd32(rb) != ssrc)
					continue;
				found++;
				blk.fraction = rb[4];
				blk.lsr = rd32(rb + 16);
				blk.dlsr = rd32(rb + 20);
				if (h)
					h(&blk, arg);
			}
		}
		off += plen;
	}
	return found;
}
