/* fuzz_rtp.c - libFuzzer target: what a hostile far end can send to a call's media ports (RTP, RFC 4733 events, RTCP) through the parsers, the jitter buffer and the decoders, with arrival times and playout ticks from the input. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audio/media_int.h"
#include "audio/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_EVENT_PT 101

static struct codec *fz_codec(uint8_t sel)
{
	static struct codec *c[3];
	static const char *const names[3] = {"opus", "PCMU", "PCMA"};
	static const uint32_t clocks[3] = {48000, 8000, 8000};
	struct codec_cfg cfg = {0, -1, true, false};
	unsigned i = sel % 3;

	if (!c[i] && codec_alloc(&c[i], names[i], clocks[i], 20, "", &cfg))
		abort();
	return c[i];
}

static void fz_block(const struct rtcp_block *rb, void *arg)
{
	unsigned *n = arg;

	*n += rb->fraction + rb->lsr + rb->dlsr;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jbuf jb;
	int16_t pcm[2880];         /* 60 ms at 48 kHz */
	const struct jbuf_slot *s, *nx;
	struct codec *c;
	struct rtp_hdr h;
	struct rtp_event ev;
	double now = 1000.0;
	size_t off = 1, len;
	unsigned sum = 0, n;
	uint32_t ssrc;

	if (size < 1)
		return 0;
	c = fz_codec(data[0]);
	jbuf_init(&jb, data[0] % 3 ? 8000 : 48000, 20, (data[0] >> 2) % 3 * 20,
		  200);
	for (n = 0; off < size && n < 4096; n++) {
		uint8_t op = data[off++];

		now += op >> 2;     /* 0-63 ms pass before this step */
		switch (op & 3) {
		case 0:             /* an RTP packet arrives */
		case 2:             /* an RTCP packet arrives */
			if (off + 2 > size)
				return 0;
			len = ((size_t)data[off] << 8 | data[off + 1]) % 1600;
			off += 2;
			if (len > size - off)
				len = size - off;
			if ((op & 3) == 2) {
				ssrc = len >= 8 ? (uint32_t)data[off + 4] << 24 |
					(uint32_t)data[off + 5] << 16 |
					(uint32_t)data[off + 6] << 8 | data[off + 7] : 0;
				(void)rtcp_blocks(data + off, len, ssrc ^ (op >> 7),
						  fz_block, &sum);
			} else if (!rtp_parse(&h, data + off, len)) {
				if (h.payload < data + off ||
				    h.payload + h.plen > data + off + len)
					abort();
				if (h.pt == FZ_EVENT_PT) {
					if (!rtp_event_parse(&ev, h.payload, h.plen) &&
					    rtp_event_code(ev.digit) < 0)
						abort();
					(void)jbuf_skip(&jb, h.seq, now);
				} else {
					(void)jbuf_put(&jb, h.seq, h.ts, now,
						       h.payload, h.plen);
				}
			}
			off += len;
			break;
		case 1:             /* the device wants a frame */
			switch (jbuf_get_at(&jb, now, &s)) {
			case JBUF_PACKET:
				if (s->len > JBUF_MAX_PAYLOAD)
					abort();
				(void)codec_decode(c, s->data, s->len, false, pcm);
				break;
			case JBUF_LOST:
				nx = jbuf_peek_next(&jb);
				(void)codec_decode(c, nx ? nx->data : NULL,
						   nx ? nx->len : 0,
						   nx && codec_has_fec(c), pcm);
				break;
			default:
				break;
			}
			if (jbuf_delay_ms(&jb) > JBUF_SLOTS * jb.ptime_ms)
				abort();
			break;
		default:            /* the network goes quiet, or resets */
			if (op & 0x80)
				jbuf_reset(&jb);
			now += 1000.0 * (op >> 4);
			break;
		}
	}
	return sum == 0xffffffffu;  /* keeps the sum from being optimised out */
}
