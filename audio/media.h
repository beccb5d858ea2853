/* media.h - the audio of calls: devices (PortAudio, PulseAudio, WAV,
 * null), codecs (Opus, PCMU, PCMA), RTP/RTCP on oRTP, adaptive jitter
 * buffer, DTMF (RFC 4733), SRTP (libsrtp2) and DSCP marking. */
#ifndef SIPTTY_AUDIO_MEDIA_H
#define SIPTTY_AUDIO_MEDIA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct loop;
struct media_engine;
struct media_session;

enum media_driver {
	MEDIA_DRV_PORTAUDIO = 0,  /* the default where a device exists */
	MEDIA_DRV_WAV,            /* --audio-in / --audio-out files */
	MEDIA_DRV_NULL,           /* silence in, nothing out, paced by the clock */
	MEDIA_DRV_PULSE,          /* a PulseAudio source and sink (libpulse-simple) */
};

/* What the command line says (overrides [audio] in the config). */
struct media_opts {
	const char *audio_in;     /* WAV to play as the microphone, or NULL */
	const char *audio_out;    /* WAV to record what we hear, or NULL */
	bool null_audio;          /* --null-audio */
};

/*
 * One engine per process.  Reads [audio] (driver, input_device,
 * output_device, opus_bitrate, opus_complexity, opus_fec, opus_dtx,
 * jitter_min_ms, jitter_max_ms).  Devices are opened per call, not here.
 * Events it emits go through loop_post() to the loop thread.
 */
int media_engine_alloc(struct media_engine **mep, struct loop *loop,
		       const struct conf *conf, const struct media_opts *o);
void media_engine_free(struct media_engine *me);

/* The process-wide oRTP and libsrtp2 state, counted: each engine takes
 * it, and so does anything else that uses libsrtp2 (the demo's echo).
 * libsrtp2 itself starts at the first media_srtp_lib(), which whoever
 * is about to make an SRTP context calls (between up and down). */
int media_lib_up(void);
void media_lib_down(void);
int media_srtp_lib(void);

/* The SRTP suites we offer, in order of preference. */
#define MEDIA_SRTP_80 "AES_CM_128_HMAC_SHA1_80"
#define MEDIA_SRTP_32 "AES_CM_128_HMAC_SHA1_32"
#define MEDIA_SRTP_KEY_LEN 30     /* master key 16 + salt 14 */

struct media_srtp {
	bool on;
	char suite[32];           /* MEDIA_SRTP_80 or MEDIA_SRTP_32 */
	uint8_t tx_key[MEDIA_SRTP_KEY_LEN];  /* ours (we encrypt with it) */
	uint8_t rx_key[MEDIA_SRTP_KEY_LEN];  /* the far end's */
};

/* What offer/answer agreed; given to media_session_start(). */
struct media_params {
	unsigned call_id;         /* for events: "call":N */
	char codec[16];           /* "opus", "PCMU", "PCMA" */
	int pt;
	uint32_t clock;           /* RTP clock: 48000 for opus, 8000 G.711 */
	uint32_t channels;
	char fmtp[256];           /* the far end's a=fmtp for pt, "" if none */
	int dtmf_pt;              /* telephone-event, -1 when not agreed */
	uint32_t ptime;           /* ms */
	char raddr[64];           /* where RTP goes; RTCP to rport + 1 */
	uint16_t rport;
	bool send, recv;          /* from the agreed direction (hold: !send) */
	struct media_srtp srtp;   /* keys wiped by the session after use */
	int dscp;                 /* 0, or 46 (EF) when qos is on */
	char cname[64];           /* RTCP CNAME, random per call (RFC 7022) */
};

struct media_stats {
	uint64_t tx_packets, rx_packets;
	uint32_t rx_lost;         /* cumulative, from sequence numbers */
	double loss_pct;          /* from the far end's RTCP RR, -1 unknown */
	double jitter_ms;         /* interarrival jitter we measured */
	double rtt_ms;            /* from RTCP SR/RR, -1 unknown */
	uint32_t jb_ms;           /* the jitter buffer's current delay */
	uint32_t concealed_ms;    /* audio made up by PLC/FEC */
	uint32_t underruns;       /* device periods played short of audio */
	uint32_t srtp_failed;     /* packets dropped: SRTP/SRTCP check failed */
};

/*
 * Binds an RTP/RTCP socket pair (even port p, p + 1) on laddr with p in
 * [port_min, port_max]; *portp gets p.  Called when an offer or answer
 * is built, before the far end's address is known.  Nothing is sent.
 */
int media_session_alloc(struct media_session **msp, struct media_engine *me,
			const char *laddr, uint16_t port_min,
			uint16_t port_max, uint16_t *portp);
/*
 * Starts, or changes (a re-INVITE: hold, resume, new address or keys),
 * the media of a session.  Opens the devices on first start; when the
 * sound card cannot be opened, says so once (a `media` event with
 * "fallback":"null" and a log line) and carries on with the null device.
 * SRTP: when p->srtp.on, every packet is protected and unprotected with
 * the keys (replay protection on); a packet that fails is dropped and
 * counted.  p is copied; its keys are wiped from the copy when done.
 */
int media_session_start(struct media_session *ms, const struct media_params *p);
void media_session_mute(struct media_session *ms, bool on);
/* Sends an RFC 4733 event ('0'-'9', '*', '#', 'A'-'D'); EINVAL for other
 * characters, ENOTSUP when no telephone-event was agreed. */
int media_session_dtmf(struct media_session *ms, char digit);
int media_session_stats(const struct media_session *ms, struct media_stats *s);
/* Stops and frees: devices closed, sockets closed, keys wiped. */
void media_session_free(struct media_session *ms);

/*
 * Events (through events_emit() on the loop thread):
 * {"type":"media","call":N,"state":"started|stopped|updated","codec":..,
 *  "pt":N,"srtp":"AES_CM_128_HMAC_SHA1_80"|"off","dscp":N,"send":bool,
 *  "recv":bool,"raddr":"ip:port"}  ... "fallback":"null","reason":".."
 * {"type":"dtmf","call":N,"dir":"in|out","digit":"5","duration_ms":N}
 * {"type":"stats","call":N,"tx_packets":N,"rx_packets":N,"rx_lost":N,
 *  "loss_pct":F,"jitter_ms":F,"rtt_ms":F,"jb_ms":N,
 *  "concealed_ms":N,"underruns":N}  every 5 s and at stop
 */

#endif
