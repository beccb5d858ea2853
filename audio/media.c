/* media.c - the media engine and its sessions: one media thread per call
 * runs encode, RTP send, receive, playout buffer and decode; SRTP and the
 * receive tap sit on oRTP's transport modifier. */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <ortp/ortp.h>
#include <srtp2/srtp.h>

#include "audio/media_int.h"
#include "audio/rtp.h"
#include "core/conf.h"
#include "core/events.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/rand.h"

#define MEDIA_MAX_FRAME 2880        /* 60 ms at 48 kHz */
#define MEDIA_MAX_PKT 1500
#define MEDIA_STATS_MS 5000
#define DTMF_TONE_MS 100

struct media_engine {
	struct loop *loop;
	enum media_driver driver;
	char *in_dev, *out_dev, *wav_in, *wav_out;
	struct codec_cfg ccfg;
	uint32_t jmin, jmax;
	bool fallback_logged;
	bool global_up;          /* holds a reference on oRTP/libsrtp */
};

struct media_session {
	struct media_engine *me;
	RtpSession *rtp;
	RtpProfile *prof;
	uint16_t lport;
	struct media_params p;          /* keys wiped once SRTP is set up */
	bool started;
	/* the media thread */
	pthread_t thr;
	bool thr_on;
	atomic_bool stop;
	int evfd;
	struct mdev *dev;
	struct codec *codec;
	char codec_name[16];
	uint32_t codec_ptime;
	uint32_t logged_dropped;    /* jb.dropped when last logged */
	char codec_fmtp[256];
	struct jbuf jb;
	struct rsmp cap_rs, play_rs;
	uint32_t frame;                 /* codec samples per packet */
	/* SRTP */
	bool srtp_on;
	srtp_t srtp_tx, srtp_rx;
	atomic_uint srtp_fail;
	/* send side (media thread) */
	atomic_bool mute;
	uint32_t tx_ts;
	bool tx_talk;
	bool cap_fresh;             /* drop what the card captured before the
	                             * first tick */
	uint64_t tx_packets;
	/* DTMF out: queue filled by the loop thread */
	pthread_mutex_t lock;           /* dq and snap */
	char dq[16];
	unsigned dq_n;
	bool dt_on;
	char dt_digit;
	uint32_t dt_ts, dt_dur;
	unsigned dt_end;
	/* receive side (media thread, in the tap) */
	bool rx_have;
	uint32_t rx_base, rx_max;       /* extended sequence numbers */
	uint64_t rx_packets;
	double far_loss;
	double rtt_ms;                  /* -1 until an LSR came back */
	bool dr_have, dr_done;
	uint32_t dr_ts, dr_dur;
	char dr_digit;
	uint32_t rx_user_ts;
	/* what media_session_stats() reads */
	struct media_stats snap;
	uint64_t next_stats_ms;
	unsigned ticks;            /* media thread ticks, for what runs less often */
};

static pthread_mutex_t media_glock = PTHREAD_MUTEX_INITIALIZER;
static unsigned media_users;
static bool media_srtp_up;     /* srtp_init() done (at the first SRTP call) */

__attribute__((format(printf, 3, 0)))
static void media_ortp_log(const char *domain, OrtpLogLevel lev,
			   const char *fmt, va_list ap)
{
	char line[256];

	(void)domain;
	(void)lev;
	vsnprintf(line, sizeof(line), fmt, ap);
	/* oRTP never writes to the terminal: curses may own it */
	log_debug("media", "ortp: %s", line);
}

int media_lib_up(void)
{
	pthread_mutex_lock(&media_glock);
	if (media_users++ == 0) {
		ortp_init();
		ortp_set_log_handler(media_ortp_log);
	}
	pthread_mutex_unlock(&media_glock);
	return 0;
}

void media_lib_down(void)
{
	pthread_mutex_lock(&media_glock);
	if (media_users && --media_users == 0) {
		if (media_srtp_up)
			(void)srtp_shutdown();
		media_srtp_up = false;
		ortp_exit();
		mdev_pa_release();
	}
	pthread_mutex_unlock(&media_glock);
}

/* libsrtp starts with the first call that uses it: Debian builds it on
 * NSS, whose code (over a megabyte of RSS) is then touched only by
 * sessions that encrypt. */
int media_srtp_lib(void)
{
	int err = 0;

	pthread_mutex_lock(&media_glock);
	if (!media_srtp_up) {
		if (srtp_init() == srtp_err_status_ok)
			media_srtp_up = true;
		else
			err = EIO;
	}
	pthread_mutex_unlock(&media_glock);
	return err;
}

/* ---- events: built on any thread, emitted on the loop thread ---- */

struct media_post {
	char type[16];
	json_t *fields;
};

static void media_post_h(void *arg)
{
	struct media_post *mp = arg;

	(void)events_emit(mp->type, mp->fields);
	free(mp);
}

static void media_emit(struct media_engine *me, const char *type,
		       json_t *fields)
{
	struct media_post *mp;

	if (!fields)
		return;
	mp = calloc(1, sizeof(*mp));
	if (!mp || !me->loop) {
		free(mp);
		json_decref(fields);
		return;
	}
	snprintf(mp->type, sizeof(mp->type), "%s", type);
	mp->fields = fields;
	if (loop_post(me->loop, media_post_h, mp)) {
		json_decref(fields);
		free(mp);
	}
}

/* ---- engine ---- */

static char *media_strdup(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

int media_engine_alloc(struct media_engine **mep, struct loop *loop,
		       const struct conf *conf, const struct media_opts *o)
{
	struct media_engine *me;
	const char *drv;
	int err;

	if (!mep)
		return EINVAL;
	me = calloc(1, sizeof(*me));
	if (!me)
		return ENOMEM;
	me->loop = loop;
	drv = conf ? conf_get(conf, "audio", "driver") : NULL;
	if (drv && !strcmp(drv, "wav"))
		me->driver = MEDIA_DRV_WAV;
	else if (drv && !strcmp(drv, "null"))
		me->driver = MEDIA_DRV_NULL;
	else if (drv && !strcmp(drv, "pulse"))
		me->driver = MEDIA_DRV_PULSE;
	else
		me->driver = MEDIA_DRV_PORTAUDIO;
	/* --null-audio: no sound device; WAV files named on the command
	 * line are still played and recorded (the other side is null). */
	if (o && o->null_audio)
		me->driver = MEDIA_DRV_NULL;
	if (o && (o->audio_in || o->audio_out))
		me->driver = MEDIA_DRV_WAV;
	if (o) {
		me->wav_in = media_strdup(o->audio_in);
		me->wav_out = media_strdup(o->audio_out);
	}
	if (conf) {
		me->in_dev = media_strdup(conf_get(conf, "audio",
						   "input_device"));
		me->out_dev = media_strdup(conf_get(conf, "audio",
						    "output_device"));
	}
	me->ccfg.opus_bitrate = (int)conf_get_int(conf, "audio",
						  "opus_bitrate", 32000);
	me->ccfg.opus_complexity = (int)conf_get_int(conf, "audio",
						     "opus_complexity", 5);
	me->ccfg.opus_fec = conf_get_bool(conf, "audio", "opus_fec", true);
	me->ccfg.opus_dtx = conf_get_bool(conf, "audio", "opus_dtx", false);
	/* 40 ms: a packet up to two frames late on a loaded machine plays
	 * on time; at 20 ms each one a frame late moved the delay (and what
	 * the far end hears) by 20 ms.  The echo round trip stays ~110 ms. */
	me->jmin = (uint32_t)conf_get_int(conf, "audio", "jitter_min_ms", 40);
	me->jmax = (uint32_t)conf_get_int(conf, "audio", "jitter_max_ms", 200);
	if (me->jmax < me->jmin)
		me->jmax = me->jmin;
	/* PortAudio is not touched here: it starts with the first call
	 * that needs a sound card (its JACK probe writes /dev/shm). */
	err = media_lib_up();
	if (err) {
		media_engine_free(me);
		return err;
	}
	me->global_up = true;
	*mep = me;
	return 0;
}

static void media_engine_strs_free(struct media_engine *me)
{
	free(me->in_dev);
	free(me->out_dev);
	free(me->wav_in);
	free(me->wav_out);
}

void media_engine_free(struct media_engine *me)
{
	if (!me)
		return;
	if (me->global_up)
		media_lib_down();
	media_engine_strs_free(me);
	free(me);
}

/* ---- SRTP and the receive tap on oRTP's transport modifier ---- */

static double media_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1000.0 + (double)t.tv_nsec / 1e6;
}

static void media_dtmf_report(struct media_session *ms, const char *dir,
			      char digit, uint32_t dur)
{
	char d[2] = {digit, '\0'};
	uint32_t clock = ms->p.clock ? ms->p.clock : 8000;

	media_emit(ms->me, "dtmf", json_pack("{s:I,s:s,s:s,s:I}",
		"call", (json_int_t)ms->p.call_id, "dir", dir, "digit", d,
		"duration_ms", (json_int_t)((uint64_t)dur * 1000 / clock)));
}

static void media_rx_dtmf(struct media_session *ms, uint32_t ts,
			  const uint8_t *pl, size_t len)
{
	struct rtp_event ev;

	if (rtp_event_parse(&ev, pl, len))
		return;
	if (!ms->dr_have || ts != ms->dr_ts) {
		/* a new event; the last one's end packets were all lost */
		if (ms->dr_have && !ms->dr_done)
			media_dtmf_report(ms, "in", ms->dr_digit, ms->dr_dur);
		ms->dr_have = true;
		ms->dr_done = false;
		ms->dr_ts = ts;
	}
	ms->dr_digit = ev.digit;
	if (ev.duration > ms->dr_dur || !ev.end)
		ms->dr_dur = ev.duration;
	if (ev.end && !ms->dr_done) {
		ms->dr_done = true;
		media_dtmf_report(ms, "in", ev.digit, ev.duration);
	}
}

static void media_rx_rtp(struct media_session *ms, const uint8_t *b,
			 size_t len)
{
	struct rtp_hdr h;
	uint32_t ext;

	if (rtp_parse(&h, b, len))
		return;
	if (h.pt != ms->p.pt && h.pt != ms->p.dtmf_pt)
		return;
	/* sequence accounting (RFC 3550 A.3, simplified) */
	if (!ms->rx_have) {
		ms->rx_have = true;
		ms->rx_base = ms->rx_max = h.seq;
	}
	ext = ms->rx_max + (uint32_t)(int32_t)(int16_t)
		(uint16_t)(h.seq - (uint16_t)ms->rx_max);
	if ((int32_t)(ext - ms->rx_max) > 0)
		ms->rx_max = ext;
	ms->rx_packets++;
	if (!ms->p.recv)
		return;
	if (h.pt == ms->p.dtmf_pt && h.pt >= 0) {
		media_rx_dtmf(ms, h.ts, h.payload, h.plen);
		/* its sequence number is no audio frame lost */
		(void)jbuf_skip(&ms->jb, h.seq, media_now_ms());
	} else
		(void)jbuf_put(&ms->jb, h.seq, h.ts, media_now_ms(), h.payload,
			       h.plen);
}

/* A report block about our stream: the far end's loss figure, and the
 * round trip from its LSR/DLSR (RFC 3550 6.4.1), NTP middle 32 bits. */
static void media_rx_report(const struct rtcp_block *rb, void *arg)
{
	struct media_session *ms = arg;
	uint32_t now, rtt;
	struct timespec t;

	ms->far_loss = rb->fraction * 100.0 / 256.0;
	/* the media thread encodes too: no lock needed */
	codec_set_loss(ms->codec, ms->far_loss);
	if (!rb->lsr)
		return;
	clock_gettime(CLOCK_REALTIME, &t);
	now = (uint32_t)((((uint64_t)t.tv_sec + 2208988800ULL) & 0xffff) << 16) |
		(uint32_t)(((uint64_t)t.tv_nsec << 16) / 1000000000ULL);
	rtt = now - rb->lsr - rb->dlsr;
	if (rtt < 0x80000000u)      /* clocks can step: ignore "negative" */
		ms->rtt_ms = rtt * 1000.0 / 65536.0;
}

/* The far end's report on what we send: fraction lost of our SSRC. */
static void media_rx_rtcp(struct media_session *ms, const uint8_t *b,
			  size_t len)
{
	(void)rtcp_blocks(b, len, rtp_session_get_send_ssrc(ms->rtp),
			  media_rx_report, ms);
}

static int media_mod_send(RtpTransportModifier *t, mblk_t *m, bool rtcp)
{
	struct media_session *ms = t->data;
	int len = (int)msgdsize(m);
	srtp_err_status_t e;

	if (!ms->srtp_on)
		return len;
	/* contiguous, with room for the tag (and the SRTCP index) */
	msgpullup(m, (size_t)len + SRTP_MAX_TRAILER_LEN + 4);
	e = rtcp ? srtp_protect_rtcp(ms->srtp_tx, m->b_rptr, &len) :
		srtp_protect(ms->srtp_tx, m->b_rptr, &len);
	return e == srtp_err_status_ok ? len : -1;
}

static int media_mod_recv(RtpTransportModifier *t, mblk_t *m, bool rtcp)
{
	struct media_session *ms = t->data;
	int len;
	srtp_err_status_t e;

	msgpullup(m, (size_t)-1);
	len = (int)(m->b_wptr - m->b_rptr);
	if (len <= 0)
		return -1;
	if (ms->srtp_on) {
		e = rtcp ? srtp_unprotect_rtcp(ms->srtp_rx, m->b_rptr, &len) :
			srtp_unprotect(ms->srtp_rx, m->b_rptr, &len);
		if (e != srtp_err_status_ok) {
			/* forged, replayed or keyed wrong: dropped, counted */
			atomic_fetch_add(&ms->srtp_fail, 1);
			return -1;
		}
	}
	if (rtcp)
		media_rx_rtcp(ms, m->b_rptr, (size_t)len);
	else
		media_rx_rtp(ms, m->b_rptr, (size_t)len);
	return len;
}

static int media_rtp_send(RtpTransportModifier *t, mblk_t *m)
{
	return media_mod_send(t, m, false);
}

static int media_rtcp_send(RtpTransportModifier *t, mblk_t *m)
{
	return media_mod_send(t, m, true);
}

static int media_rtp_recv(RtpTransportModifier *t, mblk_t *m)
{
	return media_mod_recv(t, m, false);
}

static int media_rtcp_recv(RtpTransportModifier *t, mblk_t *m)
{
	return media_mod_recv(t, m, true);
}

static void media_mod_destroy(RtpTransportModifier *t)
{
	ortp_free(t);
}

static int media_mod_add(struct media_session *ms)
{
	RtpTransport *rtpt = NULL, *rtcpt = NULL;
	RtpTransportModifier *a, *b;

	rtp_session_get_transports(ms->rtp, &rtpt, &rtcpt);
	if (!rtpt || !rtcpt)
		return ENOTSUP;
	a = ortp_new0(RtpTransportModifier, 1);
	b = ortp_new0(RtpTransportModifier, 1);
	a->data = b->data = ms;
	a->t_process_on_send = media_rtp_send;
	a->t_process_on_receive = media_rtp_recv;
	a->t_destroy = media_mod_destroy;
	b->t_process_on_send = media_rtcp_send;
	b->t_process_on_receive = media_rtcp_recv;
	b->t_destroy = media_mod_destroy;
	meta_rtp_transport_append_modifier(rtpt, a);
	meta_rtp_transport_append_modifier(rtcpt, b);
	return 0;
}

static void media_srtp_drop(struct media_session *ms)
{
	if (ms->srtp_tx)
		(void)srtp_dealloc(ms->srtp_tx);
	if (ms->srtp_rx)
		(void)srtp_dealloc(ms->srtp_rx);
	ms->srtp_tx = ms->srtp_rx = NULL;
	ms->srtp_on = false;
}

static int media_srtp_ctx(srtp_t *ctx, const char *suite, uint8_t *key,
			  bool out)
{
	srtp_policy_t pol;
	srtp_err_status_t e;

	memset(&pol, 0, sizeof(pol));
	if (!strcmp(suite, MEDIA_SRTP_80))
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtp);
	else if (!strcmp(suite, MEDIA_SRTP_32))
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&pol.rtp);
	else
		return ENOTSUP;
	/* SRTCP keeps the 80-bit tag with either suite (RFC 4568 6.2) */
	srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol.rtcp);
	pol.ssrc.type = out ? ssrc_any_outbound : ssrc_any_inbound;
	pol.key = key;
	pol.window_size = 128;
	pol.allow_repeat_tx = 0;
	e = srtp_create(ctx, &pol);
	memset(&pol, 0, sizeof(pol));
	return e == srtp_err_status_ok ? 0 : EINVAL;
}

static int media_srtp_setup(struct media_session *ms)
{
	int err = 0;

	media_srtp_drop(ms);
	if (ms->p.srtp.on) {
		err = media_srtp_lib();
		if (!err)
			err = media_srtp_ctx(&ms->srtp_tx, ms->p.srtp.suite,
				     ms->p.srtp.tx_key, true);
		if (!err)
			err = media_srtp_ctx(&ms->srtp_rx, ms->p.srtp.suite,
					     ms->p.srtp.rx_key, false);
		if (err)
			media_srtp_drop(ms);
		else
			ms->srtp_on = true;
	}
	/* libsrtp keeps its own expanded keys: our copies go now */
	explicit_bzero(ms->p.srtp.tx_key, sizeof(ms->p.srtp.tx_key));
	explicit_bzero(ms->p.srtp.rx_key, sizeof(ms->p.srtp.rx_key));
	return err;
}

/* ---- sessions ---- */

/* oRTP binds with SO_REUSEADDR: a port someone else holds must be found
 * free by a plain bind first, or two calls could share it. */
static bool media_port_free(const char *laddr, uint16_t port)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, ok;

	memset(&ss, 0, sizeof(ss));
	if (strchr(laddr, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		if (inet_pton(AF_INET6, laddr, &s6->sin6_addr) != 1)
			return false;
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		if (inet_pton(AF_INET, laddr, &s4->sin_addr) != 1)
			return false;
		sl = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	ok = bind(fd, (struct sockaddr *)&ss, sl) == 0;
	close(fd);
	return ok;
}

static int media_profile(struct media_session *ms)
{
	RtpProfile *prof;
	PayloadType *pt;

	if (ms->p.pt < 0 || ms->p.pt > 127)
		return EINVAL;
	/* a new profile each time: destroying one frees its payload types */
	prof = rtp_profile_new("siptty");
	if (!prof)
		return ENOMEM;
	pt = payload_type_clone(!strcasecmp(ms->p.codec, "opus") ?
		&payload_type_opus : !strcasecmp(ms->p.codec, "PCMA") ?
		&payload_type_pcma8000 : &payload_type_pcmu8000);
	rtp_profile_set_payload(prof, ms->p.pt, pt);
	if (ms->p.dtmf_pt >= 0 && ms->p.dtmf_pt <= 127 &&
	    ms->p.dtmf_pt != ms->p.pt) {
		pt = payload_type_clone(&payload_type_telephone_event);
		pt->clock_rate = (int)ms->p.clock;
		rtp_profile_set_payload(prof, ms->p.dtmf_pt, pt);
	}
	rtp_session_set_profile(ms->rtp, prof);
	if (ms->prof)
		rtp_profile_destroy(ms->prof);
	ms->prof = prof;
	return 0;
}

int media_session_alloc(struct media_session **msp, struct media_engine *me,
			const char *laddr, uint16_t port_min,
			uint16_t port_max, uint16_t *portp)
{
	struct media_session *ms;
	uint32_t r, span, i;
	uint16_t port = 0;
	int err = 0;

	if (!msp || !me || !laddr)
		return EINVAL;
	if (!port_min)
		port_min = 16384;
	if (port_max < port_min + 1)
		port_max = port_min + 1;
	ms = calloc(1, sizeof(*ms));
	if (!ms)
		return ENOMEM;
	ms->me = me;
	ms->evfd = -1;
	pthread_mutex_init(&ms->lock, NULL);
	atomic_init(&ms->stop, false);
	atomic_init(&ms->mute, false);
	atomic_init(&ms->srtp_fail, 0);
	ms->far_loss = -1;
	ms->rtt_ms = -1;
	ms->rtp = rtp_session_new(RTP_SESSION_SENDRECV);
	if (!ms->rtp) {
		err = ENOMEM;
		goto out;
	}
	rtp_session_set_scheduling_mode(ms->rtp, 0);
	rtp_session_set_blocking_mode(ms->rtp, 0);
	rtp_session_enable_jitter_buffer(ms->rtp, FALSE);
	rtp_session_set_symmetric_rtp(ms->rtp, TRUE);
	rtp_session_set_rtcp_report_interval(ms->rtp, MEDIA_STATS_MS);
	/* even ports in [port_min, port_max], from a random start */
	span = (uint32_t)(port_max - port_min) / 2;
	if (!span)
		span = 1;
	if (rand_bytes(&r, sizeof(r)))
		r = (uint32_t)getpid();
	err = EADDRINUSE;
	for (i = 0; i < span; i++) {
		uint32_t p = port_min + ((r + i) % span) * 2;

		p += p & 1;
		if (p + 1 > port_max)
			continue;
		if (!media_port_free(laddr, (uint16_t)p) ||
		    !media_port_free(laddr, (uint16_t)(p + 1)))
			continue;
		if (rtp_session_set_local_addr(ms->rtp, laddr, (int)p,
					       (int)p + 1) == 0) {
			port = (uint16_t)p;
			err = 0;
			break;
		}
	}
	if (err) {
		log_warn("media", _("no free RTP port pair on %s in %u-%u; "
			 "widen rtp_ports in siptty.conf"), laddr,
			 port_min, port_max);
		goto out;
	}
	ms->lport = port;
	err = media_mod_add(ms);
	if (err)
		goto out;
	if (!rand_bytes(&r, sizeof(r)))
		rtp_session_set_ssrc(ms->rtp, r);
	if (!rand_bytes(&r, sizeof(r)))
		rtp_session_set_seq_number(ms->rtp, (uint16_t)r);
	if (!rand_bytes(&r, sizeof(r)))
		ms->tx_ts = r;
	ms->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ms->evfd < 0) {
		err = errno;
		goto out;
	}
out:
	if (err) {
		media_session_free(ms);
		return err;
	}
	if (portp)
		*portp = port;
	*msp = ms;
	return 0;
}

static void media_snapshot(struct media_session *ms)
{
	struct media_stats s;
	uint32_t expected, lost = 0;
	memset(&s, 0, sizeof(s));
	s.tx_packets = ms->tx_packets;
	s.rx_packets = ms->rx_packets;
	if (ms->rx_have) {
		expected = ms->rx_max - ms->rx_base + 1;
		if (expected > ms->rx_packets)
			lost = expected - (uint32_t)ms->rx_packets;
	}
	s.rx_lost = lost;
	s.loss_pct = ms->far_loss;
	s.jitter_ms = ms->jb.jitter_ms;
	s.rtt_ms = ms->rtt_ms;
	s.jb_ms = jbuf_delay_ms(&ms->jb);
	s.concealed_ms = ms->jb.concealed * ms->jb.ptime_ms;
	s.underruns = ms->dev ? mdev_underruns(ms->dev) : 0;
	s.srtp_failed = atomic_load(&ms->srtp_fail);
	pthread_mutex_lock(&ms->lock);
	ms->snap = s;
	pthread_mutex_unlock(&ms->lock);
}

static void media_stats_event(struct media_session *ms)
{
	struct media_stats s;

	pthread_mutex_lock(&ms->lock);
	s = ms->snap;
	pthread_mutex_unlock(&ms->lock);
	media_emit(ms->me, "stats", json_pack(
		"{s:I,s:I,s:I,s:I,s:f,s:f,s:f,s:I,s:I,s:I}",
		"call", (json_int_t)ms->p.call_id,
		"tx_packets", (json_int_t)s.tx_packets,
		"rx_packets", (json_int_t)s.rx_packets,
		"rx_lost", (json_int_t)s.rx_lost,
		"loss_pct", s.loss_pct, "jitter_ms", s.jitter_ms,
		"rtt_ms", s.rtt_ms, "jb_ms", (json_int_t)s.jb_ms,
		"concealed_ms", (json_int_t)s.concealed_ms,
		"underruns", (json_int_t)s.underruns));
}

/* ---- the media thread ---- */

static void media_send_dtmf(struct media_session *ms)
{
	uint8_t pl[4];
	mblk_t *mp;
	int code = rtp_event_code(ms->dt_digit);
	bool end;

	ms->dt_dur += ms->frame;
	end = ms->dt_dur >= ms->p.clock * DTMF_TONE_MS / 1000;
	pl[0] = (uint8_t)code;
	pl[1] = (uint8_t)((end ? 0x80 : 0) | 10);   /* volume -10 dBm0 */
	pl[2] = (uint8_t)(ms->dt_dur >> 8);
	pl[3] = (uint8_t)ms->dt_dur;
	if (end) {
		/* the end packet goes three times, the duration frozen */
		ms->dt_dur -= ms->frame;
		pl[2] = (uint8_t)(ms->dt_dur >> 8);
		pl[3] = (uint8_t)ms->dt_dur;
		ms->dt_end++;
	}
	mp = rtp_session_create_packet(ms->rtp, RTP_FIXED_HEADER_SIZE, pl,
				       sizeof(pl));
	if (mp) {
		rtp_set_payload_type(mp, ms->p.dtmf_pt);
		rtp_set_markbit(mp, ms->dt_dur == ms->frame ? 1 : 0);
		if (rtp_session_sendm_with_ts(ms->rtp, mp, ms->dt_ts) > 0)
			ms->tx_packets++;
	}
	if (ms->dt_end >= 3) {
		ms->dt_on = false;
		media_dtmf_report(ms, "out", ms->dt_digit, ms->dt_dur);
	}
}

static void media_send_frame(struct media_session *ms, int16_t *pcm)
{
	uint8_t pkt[MEDIA_MAX_PKT];
	mblk_t *mp;
	int n;

	if (!ms->dt_on && ms->p.send && ms->p.dtmf_pt >= 0) {
		pthread_mutex_lock(&ms->lock);
		if (ms->dq_n) {
			ms->dt_digit = ms->dq[0];
			memmove(ms->dq, ms->dq + 1, --ms->dq_n);
			ms->dt_on = true;
			ms->dt_ts = ms->tx_ts;
			ms->dt_dur = 0;
			ms->dt_end = 0;
		}
		pthread_mutex_unlock(&ms->lock);
	}
	if (!ms->p.send) {
		ms->tx_talk = false;
		goto next;
	}
	/* The audio goes on beside an event's packets (as baresip does):
	 * a receiver that plays packets in sequence and ignores timestamp
	 * jumps (baresip 1.0) would otherwise lose the event's 140 ms and
	 * stay that much ahead for the rest of the call; one that replaces
	 * the audio by the tone it renders still can. */
	if (ms->dt_on)
		media_send_dtmf(ms);
	/* Mute sends silence: RTP (and RTCP) keep flowing, so the far end
	 * and NATs see a live call; with DTX on it becomes DTX frames. */
	if (atomic_load(&ms->mute))
		memset(pcm, 0, ms->frame * sizeof(*pcm));
	n = codec_encode(ms->codec, pcm, pkt, sizeof(pkt));
	if (n <= 0) {
		ms->tx_talk = false;
		goto next;
	}
	mp = rtp_session_create_packet(ms->rtp, RTP_FIXED_HEADER_SIZE, pkt,
				       (size_t)n);
	if (mp) {
		rtp_set_markbit(mp, ms->tx_talk ? 0 : 1);
		if (rtp_session_sendm_with_ts(ms->rtp, mp, ms->tx_ts) > 0)
			ms->tx_packets++;
		ms->tx_talk = true;
	}
next:
	ms->tx_ts += ms->frame;
}

/* One frame of playout into pcm; false (pcm untouched) while playout
 * has not started: nothing to play yet. */
static bool media_play_frame(struct media_session *ms, int16_t *pcm)
{
	const struct jbuf_slot *s, *nx;
	enum jbuf_res r;

	r = jbuf_get_at(&ms->jb, media_now_ms(), &s);
	if (ms->jb.dropped != ms->logged_dropped) {
		log_info("media", "call %u: playout dropped %u frame(s) to "
			 "keep the delay down (jitter %.1f ms, target %u "
			 "frames, %u held)", ms->p.call_id,
			 ms->jb.dropped - ms->logged_dropped, ms->jb.jitter_ms,
			 ms->jb.tf, jbuf_delay_ms(&ms->jb) / ms->jb.ptime_ms);
		ms->logged_dropped = ms->jb.dropped;
	}
	if (r == JBUF_PACKET) {
		(void)codec_decode(ms->codec, s->data, s->len, false, pcm);
	} else if (r == JBUF_LOST) {
		nx = jbuf_peek_next(&ms->jb);
		if (nx && codec_has_fec(ms->codec))
			(void)codec_decode(ms->codec, nx->data, nx->len, true,
					   pcm);
		else
			(void)codec_decode(ms->codec, NULL, 0, false, pcm);
	} else {
		return false;
	}
	return true;
}

static void media_tick(struct media_session *ms)
{
	struct ring *cap = mdev_capture(ms->dev), *play = mdev_playback(ms->dev);
	uint32_t drate = mdev_rate(ms->dev);
	size_t dframe = (size_t)drate * ms->frame / ms->p.clock;
	int16_t pcm[MEDIA_MAX_FRAME], raw[MEDIA_MAX_FRAME];
	unsigned n;
	size_t got, want;

	/* capture -> encode -> send.  Audio captured before the first
	 * tick (a sound server that started recording while the streams
	 * were set up), and a backlog past two frames (a card that stalled
	 * and then delivered at once, or whose clock runs fast), is old:
	 * sent, it would go out as a burst, and a far end whose jitter
	 * buffer never shrinks (baresip's fixed one) would keep it as
	 * delay for the rest of the call.  Only the newest frame of such
	 * a backlog is kept, and the RTP clock moves past what went (the
	 * timestamp is when a frame was captured, RFC 3550 5.1): the far
	 * end sees a gap in the audio, not a late packet.  A sound card
	 * that brings audio in chunks (PortAudio's callback: 8 ms through
	 * ALSA's pulse plugin, 21 ms or more under PipeWire, more for a
	 * Bluetooth headset) leaves up to a frame and a chunk waiting at a
	 * tick; twice its largest chunk more is a backlog.  Counted in
	 * frames alone, such a card lost 20 ms of what it captured every
	 * second or so. */
	if (ms->cap_fresh) {
		ms->cap_fresh = false;
		(void)ring_skip(cap, ring_avail(cap));
	}
	if (ring_avail(cap) > dframe * 2 +
	    (size_t)mdev_cap_chunk(ms->dev) * 2) {
		size_t skip = ring_avail(cap) - dframe;

		log_debug("media", "call %u: %zu ms of captured audio "
			  "dropped (a backlog)", ms->p.call_id,
			  skip * 1000 / drate);
		(void)ring_skip(cap, skip);
		ms->tx_ts += (uint32_t)((uint64_t)skip * ms->p.clock / drate);
	}
	for (n = 0; n < 4; n++) {
		if (ms->cap_rs.st) {
			got = ring_read(cap, raw, MEDIA_MAX_FRAME);
			if (got)
				rsmp_push(&ms->cap_rs, raw, got);
			if (!rsmp_pop(&ms->cap_rs, pcm, ms->frame))
				break;
		} else {
			if (ring_avail(cap) < ms->frame)
				break;
			(void)ring_read(cap, pcm, ms->frame);
		}
		media_send_frame(ms, pcm);
	}
	/* receive -> playout -> decode -> the card, keeping what the
	 * device asks queued (mdev_play_want): for a paced device three
	 * 5 ms periods, two of slack for a late tick (one was too little
	 * on a loaded machine), so a frame decoded waits 10 to 15 ms, not
	 * a frame or two. */
	want = mdev_play_want(ms->dev, dframe);
	for (n = 0; n < 8 && ring_avail(play) < want; n++) {
		size_t need = want - ring_avail(play);

		if (ms->play_rs.n < need) {
			if (media_play_frame(ms, pcm)) {
				rsmp_push(&ms->play_rs, pcm, ms->frame);
			} else if (!ms->play_rs.n) {
				/* Nothing to play yet: only the silence the
				 * card needs now, not a frame of it, so the
				 * first frame is decoded as soon as its
				 * packet is here and the frames after it are
				 * taken at that phase: a cadence set by
				 * frames of silence would leave a packet that
				 * comes just after its tick a frame late. */
				if (need > MEDIA_MAX_FRAME)
					need = MEDIA_MAX_FRAME;
				memset(raw, 0, need * sizeof(*raw));
				(void)ring_write(play, raw, need);
				break;
			}
		}
		if (need > ms->play_rs.n)
			need = ms->play_rs.n;
		if (need > MEDIA_MAX_FRAME)
			need = MEDIA_MAX_FRAME;
		if (need && rsmp_pop(&ms->play_rs, raw, need))
			(void)ring_write(play, raw, need);
	}
}

static void media_rx(struct media_session *ms)
{
	mblk_t *mp;
	unsigned n;

	/* oRTP reads the sockets (our tap sees each packet, SRTP already
	 * undone) and keeps RTCP; its own queue is emptied here.  A new
	 * user timestamp each call, or it skips reading. */
	for (n = 0; n < 256; n++) {
		mp = rtp_session_recvm_with_ts(ms->rtp, ++ms->rx_user_ts);
		if (!mp)
			break;
		freemsg(mp);
	}
}

static void ts_add_ms(struct timespec *t, uint32_t ms)
{
	t->tv_nsec += (long)ms * 1000000L;
	while (t->tv_nsec >= 1000000000L) {
		t->tv_nsec -= 1000000000L;
		t->tv_sec++;
	}
}

static int64_t ts_diff_ns(const struct timespec *a, const struct timespec *b)
{
	return (int64_t)(a->tv_sec - b->tv_sec) * 1000000000LL +
		(a->tv_nsec - b->tv_nsec);
}

/* Tick a millisecond after a paced device's tick: the frame it captured
 * is ready at once, and the two clocks' phases never cross (no burst of
 * two packets, no period played before its frame was decoded). */
#define MEDIA_PHASE_NS 1000000LL

static void media_phase(struct media_session *ms, struct timespec *next,
			uint32_t period)
{
	int64_t dev = mdev_tick_ns(ms->dev), nx, per, want;

	if (!dev)
		return;
	per = (int64_t)period * 1000000LL;
	nx = (int64_t)next->tv_sec * 1000000000LL + next->tv_nsec;
	want = dev + MEDIA_PHASE_NS;
	want += ((nx - want) / per) * per;
	while (want < nx - per / 2)
		want += per;
	while (want > nx + per / 2)
		want -= per;
	next->tv_sec = (time_t)(want / 1000000000LL);
	next->tv_nsec = (long)(want % 1000000000LL);
}

static void *media_thread(void *arg)
{
	struct media_session *ms = arg;
	struct pollfd pf[3];
	struct timespec next, now, rel;
	uint32_t period = mdev_period_ms(ms->dev);
	int64_t d;
	uint64_t v;

	mdev_rt_thread();
	pf[0].fd = rtp_session_get_rtp_socket(ms->rtp);
	pf[1].fd = rtp_session_get_rtcp_socket(ms->rtp);
	pf[2].fd = ms->evfd;
	pf[0].events = pf[1].events = pf[2].events = POLLIN;
	clock_gettime(CLOCK_MONOTONIC, &next);
	ts_add_ms(&next, period);
	while (!atomic_load(&ms->stop)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		d = ts_diff_ns(&next, &now);
		if (d > 0) {
			rel.tv_sec = (time_t)(d / 1000000000LL);
			rel.tv_nsec = (long)(d % 1000000000LL);
			if (ppoll(pf, 3, &rel, NULL) > 0) {
				if (pf[2].revents & POLLIN)
					(void)!read(ms->evfd, &v, sizeof(v));
				if ((pf[0].revents | pf[1].revents) & POLLIN)
					media_rx(ms);
				continue;
			}
			continue;
		}
		if (d < -(int64_t)period * 5 * 1000000LL) {
			/* stalled (suspend, debugger): resynchronise */
			next = now;
		}
		ts_add_ms(&next, period);
		media_phase(ms, &next, period);
		/* packets are read as they come (ppoll above); the snapshot
		 * the screen reads is taken every 100 ms or so */
		media_tick(ms);
		if (++ms->ticks * period >= 100) {
			ms->ticks = 0;
			media_snapshot(ms);
		}
		if (loop_now_ms() >= ms->next_stats_ms) {
			ms->next_stats_ms = loop_now_ms() + MEDIA_STATS_MS;
			media_stats_event(ms);
		}
	}
	return NULL;
}

static void media_thread_stop(struct media_session *ms)
{
	uint64_t one = 1;

	if (!ms->thr_on)
		return;
	atomic_store(&ms->stop, true);
	(void)!write(ms->evfd, &one, sizeof(one));
	pthread_join(ms->thr, NULL);
	ms->thr_on = false;
	atomic_store(&ms->stop, false);
}

static void media_fmt_addr(char *out, size_t sz, const char *a, uint16_t p)
{
	if (strchr(a, ':'))
		snprintf(out, sz, "[%s]:%u", a, p);
	else
		snprintf(out, sz, "%s:%u", a, p);
}

static void media_state_event(struct media_session *ms, const char *state,
			      const char *reason)
{
	char ra[96];
	json_t *o;

	media_fmt_addr(ra, sizeof(ra), ms->p.raddr, ms->p.rport);
	o = json_pack("{s:I,s:s,s:s,s:i,s:s,s:i,s:b,s:b,s:s}",
		"call", (json_int_t)ms->p.call_id, "state", state,
		"codec", ms->p.codec, "pt", ms->p.pt,
		"srtp", ms->srtp_on ? ms->p.srtp.suite : "off",
		"dscp", ms->p.dscp, "send", ms->p.send, "recv", ms->p.recv,
		"raddr", ra);
	if (o && reason) {
		(void)json_object_set_new(o, "fallback", json_string("null"));
		(void)json_object_set_new(o, "reason", json_string(reason));
	}
	media_emit(ms->me, "media", o);
}

static int media_open_dev(struct media_session *ms, char *reason,
			  size_t rsz)
{
	struct media_engine *me = ms->me;
	struct mdev_cfg dc;
	int err;

	memset(&dc, 0, sizeof(dc));
	dc.driver = me->driver;
	dc.in_dev = me->in_dev;
	dc.out_dev = me->out_dev;
	dc.wav_in = me->wav_in;
	dc.wav_out = me->wav_out;
	dc.rate = ms->p.clock;
	dc.ptime_ms = ms->frame * 1000 / ms->p.clock;
	err = mdev_open(&ms->dev, &dc, reason, rsz);
	if (err)
		return err;
	if (reason[0] && !me->fallback_logged) {
		me->fallback_logged = true;
		log_warn("media", _("audio: %s; the call goes on without "
			 "sound (check [audio] in siptty.conf)"), reason);
	}
	return 0;
}

static int media_codec_setup(struct media_session *ms)
{
	struct codec *c = NULL;
	int err;

	if (ms->codec && !strcmp(ms->codec_name, ms->p.codec) &&
	    ms->codec_ptime == ms->p.ptime &&
	    !strcmp(ms->codec_fmtp, ms->p.fmtp))
		return 0;
	err = codec_alloc(&c, ms->p.codec, ms->p.clock, ms->p.ptime,
			  ms->p.fmtp, &ms->me->ccfg);
	if (err)
		return err;
	codec_free(ms->codec);
	ms->codec = c;
	snprintf(ms->codec_name, sizeof(ms->codec_name), "%s", ms->p.codec);
	snprintf(ms->codec_fmtp, sizeof(ms->codec_fmtp), "%s", ms->p.fmtp);
	ms->codec_ptime = ms->p.ptime;
	ms->frame = codec_frame(c);
	return 0;
}

int media_session_start(struct media_session *ms, const struct media_params *p)
{
	char reason[256] = "";
	bool update;
	int err;

	if (!ms || !p)
		return EINVAL;
	if (p->pt < 0 || p->pt > 127 || !p->raddr[0] || !p->rport)
		return EINVAL;
	update = ms->started;
	media_thread_stop(ms);
	ms->p = *p;
	ms->p.codec[sizeof(ms->p.codec) - 1] = '\0';
	ms->p.fmtp[sizeof(ms->p.fmtp) - 1] = '\0';
	ms->p.raddr[sizeof(ms->p.raddr) - 1] = '\0';
	ms->p.cname[sizeof(ms->p.cname) - 1] = '\0';
	ms->p.srtp.suite[sizeof(ms->p.srtp.suite) - 1] = '\0';
	ms->p.clock = !strcasecmp(ms->p.codec, "opus") ? 48000 : 8000;
	err = media_srtp_setup(ms);
	if (err) {
		log_warn("media", _("SRTP: suite %s cannot be set up; the call "
			 "has no media"), ms->p.srtp.suite);
		goto out;
	}
	err = media_codec_setup(ms);
	if (err) {
		log_warn("media", _("codec %s is not supported; the call has "
			 "no media"), ms->p.codec);
		goto out;
	}
	err = media_profile(ms);
	if (err)
		goto out;
	rtp_session_set_payload_type(ms->rtp, ms->p.pt);
	if (rtp_session_set_remote_addr_full(ms->rtp, ms->p.raddr, ms->p.rport,
					     ms->p.raddr, ms->p.rport + 1)) {
		log_warn("media", _("RTP: cannot send to %s port %u"),
			 ms->p.raddr, ms->p.rport);
		err = EINVAL;
		goto out;
	}
	if (ms->p.dscp > 0 && ms->p.dscp < 64)
		(void)rtp_session_set_dscp(ms->rtp, ms->p.dscp);
	rtp_session_set_source_description(ms->rtp,
		ms->p.cname[0] ? ms->p.cname : "siptty", NULL, NULL, NULL,
		NULL, NULL, NULL);
	jbuf_init(&ms->jb, ms->p.clock, ms->frame * 1000 / ms->p.clock,
		  ms->me->jmin, ms->me->jmax);
	if (!ms->dev) {
		err = media_open_dev(ms, reason, sizeof(reason));
		if (err)
			goto out;
	}
	rsmp_free(&ms->cap_rs);
	rsmp_free(&ms->play_rs);
	err = rsmp_init(&ms->cap_rs, mdev_rate(ms->dev), ms->p.clock);
	if (!err)
		err = rsmp_init(&ms->play_rs, ms->p.clock, mdev_rate(ms->dev));
	if (err)
		goto out;
	ms->tx_talk = false;
	ms->cap_fresh = true;
	ms->dt_on = false;
	ms->next_stats_ms = loop_now_ms() + MEDIA_STATS_MS;
	media_snapshot(ms);
	err = pthread_create(&ms->thr, NULL, media_thread, ms);
	if (err)
		goto out;
	ms->thr_on = true;
	ms->started = true;
	media_state_event(ms, update ? "updated" : "started",
			  reason[0] ? reason : NULL);
out:
	explicit_bzero(&ms->p.srtp.tx_key, sizeof(ms->p.srtp.tx_key));
	explicit_bzero(&ms->p.srtp.rx_key, sizeof(ms->p.srtp.rx_key));
	return err;
}

void media_session_mute(struct media_session *ms, bool on)
{
	if (ms)
		atomic_store(&ms->mute, on);
}

int media_session_dtmf(struct media_session *ms, char digit)
{
	int err = 0;

	if (!ms)
		return EINVAL;
	if (rtp_event_code(digit) < 0)
		return EINVAL;
	if (!ms->started || ms->p.dtmf_pt < 0)
		return ENOTSUP;
	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	pthread_mutex_lock(&ms->lock);
	if (ms->dq_n < sizeof(ms->dq))
		ms->dq[ms->dq_n++] = digit;
	else
		err = ENOBUFS;
	pthread_mutex_unlock(&ms->lock);
	return err;
}

int media_session_stats(const struct media_session *ms, struct media_stats *s)
{
	struct media_session *m = (struct media_session *)ms;

	if (!ms || !s)
		return EINVAL;
	pthread_mutex_lock(&m->lock);
	*s = m->snap;
	pthread_mutex_unlock(&m->lock);
	return 0;
}

void media_session_free(struct media_session *ms)
{
	if (!ms)
		return;
	media_thread_stop(ms);
	if (ms->started) {
		media_snapshot(ms);
		media_stats_event(ms);
		media_state_event(ms, "stopped", NULL);
	}
	mdev_close(ms->dev);
	if (ms->rtp)
		rtp_session_destroy(ms->rtp);
	if (ms->prof)
		rtp_profile_destroy(ms->prof);
	media_srtp_drop(ms);
	codec_free(ms->codec);
	rsmp_free(&ms->cap_rs);
	rsmp_free(&ms->play_rs);
	if (ms->evfd >= 0)
		close(ms->evfd);
	pthread_mutex_destroy(&ms->lock);
	explicit_bzero(ms, sizeof(*ms));
	free(ms);
}

int media_session_rtp_fd(const struct media_session *ms)
{
	return ms && ms->rtp ? rtp_session_get_rtp_socket(ms->rtp) : -1;
}
