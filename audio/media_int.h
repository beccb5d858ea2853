/* media_int.h - the media engine's private parts: G.711, SPSC rings, the
 * playout buffer, devices and codecs (audio/media.h is the public face). */
#ifndef SIPTTY_AUDIO_MEDIA_INT_H
#define SIPTTY_AUDIO_MEDIA_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/media.h"

/* ---- G.711 (g711.c) ---- */
uint8_t g711_ulaw_enc(int16_t s);
int16_t g711_ulaw_dec(uint8_t u);
uint8_t g711_alaw_enc(int16_t s);
int16_t g711_alaw_dec(uint8_t a);

/* ---- lock-free single-producer/single-consumer ring of samples (ring.c).
 * One thread writes, one reads; neither ever blocks or takes a lock, so a
 * sound card's callback may use either end. ---- */
struct ring {
	int16_t *buf;
	size_t cap;                /* a power of two */
	_Atomic size_t head;       /* written by the producer */
	_Atomic size_t tail;       /* written by the consumer */
};

int ring_init(struct ring *r, size_t min_cap);
void ring_free(struct ring *r);
size_t ring_avail(struct ring *r);     /* samples ready to read */
size_t ring_space(struct ring *r);     /* samples that can be written */
/* Both move as many samples as fit / are there and return that count. */
size_t ring_write(struct ring *r, const int16_t *s, size_t n);
size_t ring_read(struct ring *r, int16_t *s, size_t n);
/* Consumer side: throws away up to n samples. */
size_t ring_skip(struct ring *r, size_t n);

/* ---- adaptive playout (jitter) buffer (jbuf.c): pure functions over
 * synthetic or real packets, so tests drive it with their own clock. ---- */
#define JBUF_SLOTS 64              /* packets held at most (a power of 2) */
#define JBUF_MAX_PAYLOAD 1500

struct jbuf_slot {
	bool used;
	bool skip;                 /* not audio (DTMF event): no playout time */
	uint32_t seq;              /* extended sequence number */
	uint32_t ts;
	double arrival_ms;
	size_t len;
	uint8_t data[JBUF_MAX_PAYLOAD];
};

struct jbuf {
	struct jbuf_slot slot[JBUF_SLOTS];
	uint32_t clock;            /* Hz of the RTP timestamps */
	uint32_t ptime_ms;
	uint32_t min_ms, max_ms;   /* bounds of the target delay */
	bool started;              /* playout running */
	bool have_seq;
	uint32_t next;             /* extended seq to play next */
	uint32_t highest;          /* highest extended seq held or played */
	uint16_t last_seq16;
	/* RFC 3550 interarrival jitter, in ms (float, smoothed 1/16) */
	bool have_transit;
	double transit;
	double jitter_ms;
	/* a slower peak-hold of the jitter: grows at once, decays slowly */
	double peak_ms;
	uint32_t target_ms;
	uint32_t tf;               /* target in frames, with hysteresis */
	unsigned cushion_hold;     /* frames left with a cushion of one */
	uint32_t win_min;          /* fewest frames held in this window */
	unsigned win_n;            /* frames played in this window */
	unsigned underruns;        /* consecutive frames with nothing */
	/* counters */
	uint32_t late, dropped, concealed, played, dup;
};

enum jbuf_res {
	JBUF_EMPTY = 0,            /* nothing to play yet: silence */
	JBUF_PACKET,               /* *out is the packet to decode */
	JBUF_LOST,                 /* conceal one frame (FEC: jbuf_peek next) */
};

void jbuf_init(struct jbuf *jb, uint32_t clock, uint32_t ptime_ms,
	       uint32_t min_ms, uint32_t max_ms);
void jbuf_reset(struct jbuf *jb);
/* arrival_ms: a monotonic clock in ms (double for sub-ms precision).
 * Returns 0, EALREADY (late or duplicate), EINVAL (too big). */
int jbuf_put(struct jbuf *jb, uint16_t seq, uint32_t ts, double arrival_ms,
	     const uint8_t *p, size_t len);
/* A packet of the stream that is not audio (a telephone-event, comfort
 * noise): its sequence number is used up without a frame of playout,
 * so it is neither a loss to conceal nor a frame of delay. */
int jbuf_skip(struct jbuf *jb, uint16_t seq, double arrival_ms);
/* Called once per frame of playout.  The slot stays valid until the
 * next jbuf call. */
enum jbuf_res jbuf_get(struct jbuf *jb, const struct jbuf_slot **out);
/* The same, at now_ms on the clock of jbuf_put's arrival_ms: playout
 * then starts only when the first packet has waited a little. */
enum jbuf_res jbuf_get_at(struct jbuf *jb, double now_ms,
			  const struct jbuf_slot **out);
/* The packet that will play next, if it is here (for FEC), or NULL. */
const struct jbuf_slot *jbuf_peek_next(const struct jbuf *jb);
/* The delay now held: audio frames buffered (holes included, non-audio
 * packets not) times ptime. */
uint32_t jbuf_delay_ms(const struct jbuf *jb);

/* ---- devices (dev.c): capture and playback at dev->rate, mono, through
 * two rings; the sound card's callback or a paced thread moves frames. ---- */
struct mdev;

struct mdev_cfg {
	enum media_driver driver;
	const char *in_dev, *out_dev;   /* PortAudio device or PulseAudio
					 * source / sink names, or NULL */
	const char *wav_in, *wav_out;   /* WAV paths (driver WAV) or NULL */
	uint32_t rate;                  /* the codec's rate: wanted rate */
	uint32_t ptime_ms;
};

/* On a PortAudio or PulseAudio failure *reason gets one sentence and the
 * device falls back to null; the call goes on.  The caller logs it. */
int mdev_open(struct mdev **dp, const struct mdev_cfg *cfg, char *reason,
	      size_t reasonsz);
void mdev_close(struct mdev *d);
uint32_t mdev_rate(const struct mdev *d);
/* CLOCK_MONOTONIC ns of a paced device's last period (WAV, null, and
 * PulseAudio, paced by its source), 0 for a PortAudio sound card: the
 * media thread ticks just after it. */
int64_t mdev_tick_ns(struct mdev *d);
/* The media thread's period: 5 ms, in ms and in samples at the
 * device's rate (ptime and a frame when the rate has no whole 5 ms). */
uint32_t mdev_period_ms(const struct mdev *d);
uint32_t mdev_period(const struct mdev *d);
/* The most PortAudio's callback brought to the capture ring at once, in
 * samples at the card's rate, at most a tenth of a second (0 for the
 * devices that move a period at a time). */
uint32_t mdev_cap_chunk(struct mdev *d);
/* Samples to keep queued for playback, asked once per media tick (dframe:
 * a frame at the card's rate).  A paced device takes a period a period
 * after the tick: three periods.  A sound card's callback comes when it
 * likes and takes chunks of its own size, now and then two or three
 * close together: the most it took between two ticks over the last two
 * seconds or so, and two chunks to spare (with one, ALSA's pulse plugin
 * still underran now and then; an underrun makes that most grow); two
 * frames for the first two seconds, while the card settles. */
size_t mdev_play_want(struct mdev *d, size_t dframe);
/* Periods (callbacks, for PortAudio) played short of audio once audio
 * had come. */
unsigned mdev_underruns(struct mdev *d);
enum media_driver mdev_driver(const struct mdev *d);
struct ring *mdev_capture(struct mdev *d);
struct ring *mdev_playback(struct mdev *d);
/* Asks for real-time scheduling for the calling audio thread (device or
 * media), as sound servers do; without the privilege nothing changes. */
void mdev_rt_thread(void);
/* Pa_Terminate when it was ever initialised (engine free). */
void mdev_pa_release(void);
/* Tests: the library the pulse driver loads (default
 * "libpulse-simple.so.0"); takes effect until one has loaded. */
void mdev_pulse_library(const char *soname);

/* ---- resampling (resample.c): push any count in, pop whole frames. ---- */
#define RSMP_QUEUE 8192

struct rsmp {
	void *st;                  /* SpeexResamplerState, NULL: same rate */
	uint32_t in_rate, out_rate;
	int16_t q[RSMP_QUEUE];
	size_t n;
};

int rsmp_init(struct rsmp *r, uint32_t in_rate, uint32_t out_rate);
void rsmp_free(struct rsmp *r);
void rsmp_push(struct rsmp *r, const int16_t *in, size_t n);
/* n samples, or 0 (and nothing taken) when fewer are queued. */
size_t rsmp_pop(struct rsmp *r, int16_t *out, size_t n);

/* ---- codecs (codec.c) ---- */
struct codec;

struct codec_cfg {
	int opus_bitrate;          /* bit/s, 0: default */
	int opus_complexity;       /* 0..10, -1: default */
	bool opus_fec, opus_dtx;
};

int codec_alloc(struct codec **cp, const char *name, uint32_t clock,
		uint32_t ptime_ms, const char *fmtp,
		const struct codec_cfg *cfg);
void codec_free(struct codec *c);
uint32_t codec_frame(const struct codec *c);  /* samples per ptime */
/* Returns the payload length, 0 for nothing to send (DTX), <0 error. */
int codec_encode(struct codec *c, const int16_t *pcm, uint8_t *out,
		 size_t outsz);
/* Decodes one packet, or conceals one frame when p is NULL; with fec and
 * p (the NEXT packet) rebuilds the lost frame from its redundancy.
 * Returns samples written (codec_frame()), <0 on error. */
int codec_decode(struct codec *c, const uint8_t *p, size_t len, bool fec,
		 int16_t *pcm);
bool codec_has_fec(const struct codec *c);
/* The far end's reported loss (%): Opus sizes its in-band FEC for it
 * (5 % at least, 25 % at most); nothing for G.711 or without FEC. */
void codec_set_loss(struct codec *c, double pct);

/* ---- media.c, for tests ---- */
int media_session_rtp_fd(const struct media_session *ms);

/* fmtp: "a=b;c=d" -> the integer of key, or dflt. */
long fmtp_int(const char *fmtp, const char *key, long dflt);

#endif
