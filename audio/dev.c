/* dev.c - audio devices: a PortAudio stream whose callback only touches
 * two SPSC rings; a PulseAudio source and sink moved by a thread paced by
 * the source; or WAV files / silence moved by a thread paced by
 * CLOCK_MONOTONIC one period at a time, like a sound card. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <portaudio.h>
#include <pulse/error.h>
#include <pulse/simple.h>
#include <sndfile.h>

#include "audio/media_int.h"
#include "core/dl.h"
#include "core/i18n.h"
#include "core/log.h"

#define MDEV_MAX_FRAME 4800      /* 100 ms at 48 kHz */
/* A paced device moves 5 ms at a time, as a sound card with a short
 * period does: the media thread hands it a frame just before it is
 * needed instead of a whole frame ahead. */
#define MDEV_BLOCK_MS 5
/* PulseAudio: the loop thread waits this long for the server (a server
 * that accepts and never answers would hold libpulse for 30 s) */
#define MDEV_PULSE_WAIT_MS 3000
/* the playback buffer the server keeps, in periods: small, since a
 * period is written as soon as one is captured */
#define MDEV_PULSE_TLEN 3
#define MDEV_PULSE_PREBUF 2
/* a delay (capture queued in the server, or playback queued) more than
 * this many periods above the least seen is a backlog to shed */
#define MDEV_PULSE_SLACK 4
/* ... unless it lasts this many periods (a second): the server's own
 * latency changed, and that is the new floor */
#define MDEV_PULSE_REBASE 200
/* mdev_close waits this long for a device thread stuck in libpulse */
#define MDEV_PULSE_JOIN_MS 2000

/* How far a stream's delay is above the least it has had. */
struct mdev_lat {
	pa_usec_t base;
	unsigned over;              /* periods in a row above the slack */
};

struct mdev {
	enum media_driver driver;
	uint32_t rate;
	uint32_t frame;             /* samples per ptime at rate */
	uint32_t ptime_ms;
	uint32_t block_ms;          /* a paced device's period */
	uint32_t block;             /* samples per period */
	struct ring cap, play;
	/* PortAudio */
	PaStream *pa;
	/* PulseAudio: one record and one playback stream */
	pa_simple *prec, *pplay;
	struct mdev_lat rec_lat, play_lat;
	unsigned pulse_caught_up;   /* extra capture periods read */
	unsigned pulse_dropped;     /* playback periods not written */
	/* paced thread (WAV, null) */
	pthread_t thr;
	bool thr_on;
	atomic_bool stop;
	SNDFILE *in, *out;
	unsigned in_ch;
	bool in_eof;
	struct rsmp in_rs;          /* file rate -> rate */
	_Atomic int64_t tick_ns;    /* when the paced thread last ticked */
	/* periods the card played (partly) as silence for want of audio,
	 * once audio had come: a late media thread, a starved decoder */
	atomic_uint underruns;
	/* PortAudio: the most the card wrote to the capture ring at once,
	 * and what it took from the playback ring since the media thread
	 * last asked (samples) */
	atomic_uint cap_chunk;
	atomic_uint play_taken;
	/* media thread (mdev_play_want): the most taken between two of its
	 * ticks in this second of ticks and the one before, ticks into this
	 * second, seconds seen (up to 2) */
	uint32_t take_max, take_prev;
	unsigned take_n, take_secs;
	bool played;
	unsigned hdr_ticks;         /* periods since the WAV header was written */
};

static pthread_mutex_t pa_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pa_up;

/* ALSA reports to stderr, where curses may be drawing: say nothing. */
__attribute__((format(printf, 5, 6)))
static void mdev_alsa_quiet(const char *file, int line, const char *fn,
			    int err, const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)fn;
	(void)err;
	(void)fmt;
}

/* libjack (PortAudio probes JACK) prints straight to stderr, which is
 * the terminal curses draws on: while PortAudio starts, stderr goes to
 * /dev/null. */
static int mdev_stderr_off(void)
{
	int saved, null;

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (saved >= 0 && null >= 0)
		(void)dup2(null, STDERR_FILENO);
	if (null >= 0)
		close(null);
	return saved;
}

static void mdev_stderr_on(int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	(void)dup2(saved, STDERR_FILENO);
	close(saved);
}

static int mdev_pa_init(void)
{
	PaError e = paNoError;
	int saved;

	pthread_mutex_lock(&pa_lock);
	if (!pa_up) {
		(void)snd_lib_error_set_handler(mdev_alsa_quiet);
		saved = mdev_stderr_off();
		e = Pa_Initialize();
		mdev_stderr_on(saved);
		pa_up = e == paNoError;
	}
	pthread_mutex_unlock(&pa_lock);
	return e == paNoError ? 0 : EIO;
}

void mdev_pa_release(void)
{
	pthread_mutex_lock(&pa_lock);
	if (pa_up) {
		int saved = mdev_stderr_off();

		(void)Pa_Terminate();
		mdev_stderr_on(saved);
		/* ALSA keeps its parsed configuration for good otherwise */
		(void)snd_config_update_free_global();
	}
	pa_up = false;
	pthread_mutex_unlock(&pa_lock);
}

uint32_t mdev_rate(const struct mdev *d) { return d->rate; }
int64_t mdev_tick_ns(struct mdev *d) { return atomic_load(&d->tick_ns); }
uint32_t mdev_period_ms(const struct mdev *d) { return d->block_ms; }
unsigned mdev_underruns(struct mdev *d) { return atomic_load(&d->underruns); }
uint32_t mdev_cap_chunk(struct mdev *d)
{
	uint32_t c = atomic_load(&d->cap_chunk);

	return c > d->rate / 10 ? d->rate / 10 : c;
}
uint32_t mdev_period(const struct mdev *d) { return d->block; }
enum media_driver mdev_driver(const struct mdev *d) { return d->driver; }
struct ring *mdev_capture(struct mdev *d) { return &d->cap; }
struct ring *mdev_playback(struct mdev *d) { return &d->play; }

/* n samples to play: from the ring, silence for what it lacks (an
 * underrun, once audio has come). */
static void mdev_play_out(struct mdev *d, int16_t *pcm, size_t n)
{
	size_t got = ring_read(&d->play, pcm, n);

	if (got)
		d->played = true;
	if (got < n) {
		if (d->played)
			atomic_fetch_add(&d->underruns, 1);
		memset(pcm + got, 0, (n - got) * sizeof(*pcm));
	}
}

size_t mdev_play_want(struct mdev *d, size_t dframe)
{
	uint32_t taken, most, chunk;
	size_t want;

	if (d->driver != MEDIA_DRV_PORTAUDIO)
		return (size_t)d->block * 3;
	taken = atomic_exchange(&d->play_taken, 0);
	if (taken > d->take_max)
		d->take_max = taken;
	if (++d->take_n * d->block_ms >= 1000) {
		d->take_prev = d->take_max;
		d->take_max = 0;
		d->take_n = 0;
		if (d->take_secs < 2)
			d->take_secs++;
	}
	most = d->take_prev > d->take_max ? d->take_prev : d->take_max;
	chunk = mdev_cap_chunk(d);
	want = d->take_secs >= 2 && chunk ? (size_t)most + chunk * 2 :
		dframe * 2;
	/* the ring holds a quarter second */
	return want > d->rate / 5 ? d->rate / 5 : want;
}

/* The sound card's thread: rings only, nothing that locks or allocates. */
static int mdev_pa_cb(const void *in, void *out, unsigned long frames,
		      const PaStreamCallbackTimeInfo *ti,
		      PaStreamCallbackFlags fl, void *arg)
{
	struct mdev *d = arg;

	(void)ti;
	(void)fl;
	if (in) {
		(void)ring_write(&d->cap, in, frames);
		if (frames > atomic_load(&d->cap_chunk))
			atomic_store(&d->cap_chunk, (unsigned)frames);
	}
	if (out) {
		atomic_fetch_add(&d->play_taken, (unsigned)frames);
		mdev_play_out(d, out, frames);
	}
	return paContinue;
}

static PaDeviceIndex mdev_pa_find(const char *name, bool input)
{
	PaDeviceIndex i, n = Pa_GetDeviceCount();

	if (!name || !*name)
		return input ? Pa_GetDefaultInputDevice() :
			Pa_GetDefaultOutputDevice();
	for (i = 0; i < n; i++) {
		const PaDeviceInfo *di = Pa_GetDeviceInfo(i);

		if (!di || !di->name)
			continue;
		if ((input ? di->maxInputChannels : di->maxOutputChannels) < 1)
			continue;
		if (!strcmp(di->name, name) || strstr(di->name, name))
			return i;
	}
	return paNoDevice;
}

static int mdev_pa_open(struct mdev *d, const struct mdev_cfg *cfg,
			char *reason, size_t rsz)
{
	PaStreamParameters ip, op;
	const PaStreamInfo *si;
	const PaDeviceInfo *di;
	PaDeviceIndex in, out;
	PaError e;
	double rate;
	int saved;

	if (mdev_pa_init()) {
		snprintf(reason, rsz, "%s", _("PortAudio could not start"));
		return EIO;
	}
	in = mdev_pa_find(cfg->in_dev, true);
	out = mdev_pa_find(cfg->out_dev, false);
	if (in == paNoDevice || out == paNoDevice) {
		snprintf(reason, rsz, _("no sound card (%s device %s not found)"),
			 in == paNoDevice ? _("input") : _("output"),
			 (in == paNoDevice ? cfg->in_dev : cfg->out_dev) ?
			 (in == paNoDevice ? cfg->in_dev : cfg->out_dev) :
			 _("default"));
		return ENODEV;
	}
	memset(&ip, 0, sizeof(ip));
	memset(&op, 0, sizeof(op));
	ip.device = in;
	ip.channelCount = 1;
	ip.sampleFormat = paInt16;
	di = Pa_GetDeviceInfo(in);
	ip.suggestedLatency = di ? di->defaultLowInputLatency : 0.02;
	op.device = out;
	op.channelCount = 1;
	op.sampleFormat = paInt16;
	di = Pa_GetDeviceInfo(out);
	op.suggestedLatency = di ? di->defaultLowOutputLatency : 0.02;
	rate = cfg->rate;
	if (Pa_IsFormatSupported(&ip, &op, rate) != paFormatIsSupported)
		rate = di ? di->defaultSampleRate : 48000;
	saved = mdev_stderr_off();
	e = Pa_OpenStream(&d->pa, &ip, &op, rate, paFramesPerBufferUnspecified,
			  paClipOff, mdev_pa_cb, d);
	mdev_stderr_on(saved);
	if (e != paNoError) {
		d->pa = NULL;
		snprintf(reason, rsz, _("the sound card could not be opened: %s"),
			 Pa_GetErrorText(e));
		return EIO;
	}
	d->rate = (uint32_t)rate;
	si = Pa_GetStreamInfo(d->pa);
	log_info("media", "audio: PortAudio %s / %s at %u Hz, latency "
		 "%.1f ms in, %.1f ms out", Pa_GetDeviceInfo(in)->name,
		 Pa_GetDeviceInfo(out)->name, d->rate,
		 si ? si->inputLatency * 1000 : 0,
		 si ? si->outputLatency * 1000 : 0);
	return 0;
}

static void mdev_in_read(struct mdev *d, int16_t *pcm)
{
	int16_t raw[MDEV_MAX_FRAME * 2];
	int16_t mono[MDEV_MAX_FRAME];
	sf_count_t want, got, i;
	unsigned c;

	while (d->in && !d->in_eof && d->in_rs.n < d->block) {
		want = (sf_count_t)d->in_rs.in_rate * d->block_ms / 1000;
		if (want > MDEV_MAX_FRAME)
			want = MDEV_MAX_FRAME;
		if ((sf_count_t)d->in_ch * want > (sf_count_t)(sizeof(raw) /
							      sizeof(raw[0])))
			want = (sf_count_t)(sizeof(raw) / sizeof(raw[0])) /
				d->in_ch;
		got = sf_readf_short(d->in, raw, want);
		if (got <= 0) {
			d->in_eof = true;   /* silence from now on */
			break;
		}
		for (i = 0; i < got; i++) {
			int acc = 0;

			for (c = 0; c < d->in_ch; c++)
				acc += raw[i * d->in_ch + c];
			mono[i] = (int16_t)(acc / (int)d->in_ch);
		}
		rsmp_push(&d->in_rs, mono, (size_t)got);
	}
	if (!rsmp_pop(&d->in_rs, pcm, d->block)) {
		/* the tail of the file, then silence */
		size_t n = d->in_rs.n;

		memset(pcm, 0, d->block * sizeof(*pcm));
		if (n)
			(void)rsmp_pop(&d->in_rs, pcm, n);
	}
}

void mdev_rt_thread(void)
{
	struct sched_param sp;

	memset(&sp, 0, sizeof(sp));
	sp.sched_priority = 10;
	(void)pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp);
}

static void *mdev_thread(void *arg)
{
	struct mdev *d = arg;
	int16_t pcm[MDEV_MAX_FRAME];
	struct timespec next;

	mdev_rt_thread();
	clock_gettime(CLOCK_MONOTONIC, &next);
	while (!atomic_load(&d->stop)) {
		next.tv_nsec += (long)d->block_ms * 1000000L;
		while (next.tv_nsec >= 1000000000L) {
			next.tv_nsec -= 1000000000L;
			next.tv_sec++;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		if (atomic_load(&d->stop))
			break;
		if (d->in)
			mdev_in_read(d, pcm);
		else
			memset(pcm, 0, d->block * sizeof(*pcm));
		(void)ring_write(&d->cap, pcm, d->block);
		atomic_store(&d->tick_ns, (int64_t)next.tv_sec * 1000000000LL +
			     next.tv_nsec);
		mdev_play_out(d, pcm, d->block);
		/* no sf_write_sync() here: it is an fsync(), which can block
		 * a paced thread for tens of ms on a busy disk, and the ticks
		 * that follow then take two frames at once from a ring the
		 * media thread filled for one (a hole, the rest of the call
		 * shifted). */
		if (d->out) {
			(void)sf_writef_short(d->out, pcm, d->block);
			/* the header every second, not with every write:
			 * a killed process still leaves a WAV that plays */
			if (++d->hdr_ticks * d->block_ms >= 1000) {
				d->hdr_ticks = 0;
				(void)sf_command(d->out, SFC_UPDATE_HEADER_NOW,
						 NULL, 0);
			}
		}
	}
	return NULL;
}

/* ---- PulseAudio ---- */

/* libpulse (and the D-Bus, X11 and systemd libraries it brings) is
 * loaded at the first pulse device, not at start: a terminal phone on
 * PortAudio or WAV files never maps it.  Loaded once, never unloaded. */
static struct {
	pa_simple *(*new_)(const char *, const char *, pa_stream_direction_t,
			   const char *, const char *, const pa_sample_spec *,
			   const pa_channel_map *, const pa_buffer_attr *,
			   int *);
	void (*free_)(pa_simple *);
	int (*read)(pa_simple *, void *, size_t, int *);
	int (*write)(pa_simple *, const void *, size_t, int *);
	pa_usec_t (*latency)(pa_simple *, int *);
	const char *(*strerror)(int);
} pul;
static pthread_mutex_t pul_lock = PTHREAD_MUTEX_INITIALIZER;
static bool pul_ready;
static const char *pul_soname = "libpulse-simple.so.0";

void mdev_pulse_library(const char *soname)
{
	pul_soname = soname;
}

/* 0, or ENOENT with reason set (the loader's own words). */
static int pul_load(char *reason, size_t rsz)
{
	char why[160];
	void *h;
	int err = 0;

	pthread_mutex_lock(&pul_lock);
	if (pul_ready)
		goto out;
	h = dlopen(pul_soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		dl_why(why, sizeof(why));
		snprintf(reason, rsz, _("PulseAudio: %s cannot be loaded "
					"(install libpulse0): %s"), pul_soname,
			 why);
		err = ENOENT;
		goto out;
	}
	/* dlsym on the handle searches what it brought in: libpulse.so.0 */
#define PUL(f, n) dl_sym(h, n, &pul.f, sizeof(pul.f))
	if (PUL(new_, "pa_simple_new") || PUL(free_, "pa_simple_free") ||
	    PUL(read, "pa_simple_read") || PUL(write, "pa_simple_write") ||
	    PUL(latency, "pa_simple_get_latency") ||
	    PUL(strerror, "pa_strerror")) {
		snprintf(reason, rsz, _("PulseAudio: %s lacks a function "
					"siptty needs"), pul_soname);
		dlclose(h);
		err = ENOENT;
		goto out;
	}
#undef PUL
	pul_ready = true;
out:
	pthread_mutex_unlock(&pul_lock);
	return err;
}

/* ms from now on clock clk, for a timed wait. */
static void mdev_deadline(struct timespec *dl, clockid_t clk, unsigned ms)
{
	clock_gettime(clk, dl);
	dl->tv_sec += ms / 1000;
	dl->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (dl->tv_nsec >= 1000000000L) {
		dl->tv_nsec -= 1000000000L;
		dl->tv_sec++;
	}
}

/* pa_simple_new blocks until the server answers: it runs in a thread of
 * its own, which the loop thread waits for only so long.  A job given
 * up on is freed by that thread when libpulse returns. */
struct mdev_pulse_job {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done, abandoned;
	char *in_dev, *out_dev;
	uint32_t rate, block;
	pa_simple *rec, *play;
	int perr;
};

static void mdev_pulse_job_free(struct mdev_pulse_job *j)
{
	if (j->rec)
		pul.free_(j->rec);
	if (j->play)
		pul.free_(j->play);
	free(j->in_dev);
	free(j->out_dev);
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->lock);
	free(j);
}

static void *mdev_pulse_opener(void *arg)
{
	struct mdev_pulse_job *j = arg;
	pa_sample_spec ss;
	pa_buffer_attr ra, wa;
	uint32_t bytes = j->block * (uint32_t)sizeof(int16_t);
	pa_simple *rec, *play = NULL;
	int perr = 0;
	bool abandoned;

	memset(&ss, 0, sizeof(ss));
	ss.format = PA_SAMPLE_S16NE;
	ss.rate = j->rate;
	ss.channels = 1;
	/* (uint32_t)-1 everywhere: the server's choice */
	memset(&ra, 0xff, sizeof(ra));
	ra.fragsize = bytes;
	memset(&wa, 0xff, sizeof(wa));
	wa.tlength = bytes * MDEV_PULSE_TLEN;
	wa.minreq = bytes;
	wa.prebuf = bytes * MDEV_PULSE_PREBUF;
	/* pa_simple connects with PA_STREAM_ADJUST_LATENCY: tlength and
	 * fragsize are the whole latency, the device's included */
	rec = pul.new_(NULL, "siptty", PA_STREAM_RECORD, j->in_dev,
			    "call microphone", &ss, NULL, &ra, &perr);
	if (rec)
		play = pul.new_(NULL, "siptty", PA_STREAM_PLAYBACK,
				     j->out_dev, "call audio", &ss, NULL, &wa,
				     &perr);
	pthread_mutex_lock(&j->lock);
	j->rec = rec;
	j->play = play;
	j->perr = perr;
	j->done = true;
	abandoned = j->abandoned;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->lock);
	if (abandoned)
		mdev_pulse_job_free(j);
	return NULL;
}

static int mdev_pulse_open(struct mdev *d, const struct mdev_cfg *cfg,
			   char *reason, size_t rsz)
{
	struct mdev_pulse_job *j;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t t;
	struct timespec dl;
	int err, rc = 0;

	err = pul_load(reason, rsz);
	if (err)
		return err;
	j = calloc(1, sizeof(*j));
	if (!j)
		return ENOMEM;
	pthread_mutex_init(&j->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cond, &ca);
	pthread_condattr_destroy(&ca);
	j->in_dev = cfg->in_dev && *cfg->in_dev ? strdup(cfg->in_dev) : NULL;
	j->out_dev = cfg->out_dev && *cfg->out_dev ? strdup(cfg->out_dev) :
		NULL;
	j->rate = d->rate;
	j->block = d->block;
	if ((cfg->in_dev && *cfg->in_dev && !j->in_dev) ||
	    (cfg->out_dev && *cfg->out_dev && !j->out_dev)) {
		mdev_pulse_job_free(j);
		return ENOMEM;
	}
	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	err = pthread_create(&t, &ta, mdev_pulse_opener, j);
	pthread_attr_destroy(&ta);
	if (err) {
		mdev_pulse_job_free(j);
		snprintf(reason, rsz, "%s",
			 _("PulseAudio could not start (no thread)"));
		return err;
	}
	mdev_deadline(&dl, CLOCK_MONOTONIC, MDEV_PULSE_WAIT_MS);
	pthread_mutex_lock(&j->lock);
	while (!j->done && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&j->cond, &j->lock, &dl);
	if (!j->done) {
		j->abandoned = true;         /* the opener frees it */
		pthread_mutex_unlock(&j->lock);
		snprintf(reason, rsz,
			 _("the PulseAudio server did not answer within %u s"),
			 MDEV_PULSE_WAIT_MS / 1000);
		return ETIMEDOUT;
	}
	pthread_mutex_unlock(&j->lock);
	if (!j->rec || !j->play) {
		if (!j->rec)
			snprintf(reason, rsz,
				 _("PulseAudio: the microphone (source %s) "
				   "cannot be opened: %s"),
				 j->in_dev ? j->in_dev : _("default"),
				 pul.strerror(j->perr));
		else
			snprintf(reason, rsz,
				 _("PulseAudio: the speaker (sink %s) cannot "
				   "be opened: %s"),
				 j->out_dev ? j->out_dev : _("default"),
				 pul.strerror(j->perr));
		mdev_pulse_job_free(j);
		return ENODEV;
	}
	d->prec = j->rec;
	d->pplay = j->play;
	j->rec = j->play = NULL;
	mdev_pulse_job_free(j);
	d->rec_lat.base = d->play_lat.base = (pa_usec_t)-1;
	return 0;
}

/* Is the delay lat more than limit above the least seen?  One that stays
 * there for a second is the server's new floor, not a backlog. */
static bool mdev_lat_over(struct mdev_lat *l, pa_usec_t lat, pa_usec_t limit)
{
	if (lat == (pa_usec_t)-1)
		return false;
	if (lat < l->base)
		l->base = lat;
	if (lat <= l->base + limit) {
		l->over = 0;
		return false;
	}
	if (++l->over >= MDEV_PULSE_REBASE) {
		l->base = lat;
		l->over = 0;
		return false;
	}
	return true;
}

/* The device thread, paced by the record stream: a period read, the tick
 * set, the period handed to the media thread and one taken from it for
 * the sink.  Two clocks (source and sink on different cards) drift: the
 * sink's slower clock shows as capture queued in the server (the write
 * waited), a faster one as the sink's underruns, which the server
 * handles; a backlog on either stream is shed a period at a time. */
static void *mdev_pulse_thread(void *arg)
{
	struct mdev *d = arg;
	int16_t pcm[MDEV_MAX_FRAME];
	size_t bytes = d->block * sizeof(int16_t);
	pa_usec_t slack = (pa_usec_t)d->block_ms * 1000 * MDEV_PULSE_SLACK;
	struct timespec now;
	int perr = 0;
	bool lost = false;

	mdev_rt_thread();
	while (!atomic_load(&d->stop)) {
		if (pul.read(d->prec, pcm, bytes, &perr) < 0) {
			lost = true;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		atomic_store(&d->tick_ns, (int64_t)now.tv_sec * 1000000000LL +
			     now.tv_nsec);
		(void)ring_write(&d->cap, pcm, d->block);
		if (mdev_lat_over(&d->rec_lat,
				  pul.latency(d->prec, &perr),
				  slack)) {
			/* behind the source: one period more this time */
			if (pul.read(d->prec, pcm, bytes, &perr) < 0) {
				lost = true;
				break;
			}
			(void)ring_write(&d->cap, pcm, d->block);
			d->pulse_caught_up++;
		}
		mdev_play_out(d, pcm, d->block);
		if (mdev_lat_over(&d->play_lat,
				  pul.latency(d->pplay, &perr),
				  slack)) {
			d->pulse_dropped++;
			continue;
		}
		if (pul.write(d->pplay, pcm, bytes, &perr) < 0) {
			lost = true;
			break;
		}
	}
	if (lost && !atomic_load(&d->stop)) {
		/* the server went away: silence, paced by the clock, so the
		 * call goes on */
		log_warn("media", _("audio: PulseAudio stopped (%s); the call "
			 "goes on without sound"), pul.strerror(perr));
		return mdev_thread(d);
	}
	return NULL;
}

static int mdev_wav_open(struct mdev *d, const struct mdev_cfg *cfg,
			 char *reason, size_t rsz)
{
	SF_INFO si;
	int err;

	if (cfg->wav_in) {
		memset(&si, 0, sizeof(si));
		d->in = sf_open(cfg->wav_in, SFM_READ, &si);
		if (!d->in) {
			snprintf(reason, rsz, _("cannot read %s: %s"),
				 cfg->wav_in, sf_strerror(NULL));
			return ENOENT;
		}
		if (si.channels < 1 || si.channels > 2 || si.samplerate < 8000 ||
		    si.samplerate > 192000) {
			snprintf(reason, rsz,
				 _("%s: only mono or stereo WAV at 8-192 kHz"),
				 cfg->wav_in);
			return EINVAL;
		}
		d->in_ch = (unsigned)si.channels;
		err = rsmp_init(&d->in_rs, (uint32_t)si.samplerate, d->rate);
		if (err)
			return err;
	}
	if (cfg->wav_out) {
		memset(&si, 0, sizeof(si));
		si.samplerate = (int)d->rate;
		si.channels = 1;
		si.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
		d->out = sf_open(cfg->wav_out, SFM_WRITE, &si);
		if (!d->out) {
			snprintf(reason, rsz, _("cannot write %s: %s"),
				 cfg->wav_out, sf_strerror(NULL));
			return EIO;
		}
		/* the paced thread rewrites the header every second, so
		 * a killed process leaves a file that plays */
	}
	return 0;
}

int mdev_open(struct mdev **dp, const struct mdev_cfg *cfg, char *reason,
	      size_t reasonsz)
{
	struct mdev *d;
	int err;

	d = calloc(1, sizeof(*d));
	if (!d)
		return ENOMEM;
	d->driver = cfg->driver;
	d->ptime_ms = cfg->ptime_ms ? cfg->ptime_ms : 20;
	d->rate = cfg->rate ? cfg->rate : 8000;
	atomic_init(&d->stop, false);
	atomic_init(&d->tick_ns, 0);
	atomic_init(&d->underruns, 0);
	reason[0] = '\0';
	/* a failure here is said once, by the caller (media_open_dev) */
	if (d->driver == MEDIA_DRV_PORTAUDIO &&
	    mdev_pa_open(d, cfg, reason, reasonsz)) {
		d->driver = MEDIA_DRV_NULL;
		d->rate = cfg->rate ? cfg->rate : 8000;
	}
	d->frame = d->rate * d->ptime_ms / 1000;
	if (d->frame > MDEV_MAX_FRAME) {
		err = EINVAL;
		goto out;
	}
	/* a paced device ticks every 5 ms when the rate allows whole
	 * samples (8, 16, 48 kHz all do), and the media thread follows it;
	 * a sound card's callback comes with what it likes, and the media
	 * thread looks every 5 ms all the same: what the card captured
	 * waits at most that long, and its playback queue can be as short
	 * as its chunks allow */
	d->block_ms = d->ptime_ms;
	d->block = d->frame;
	if (d->rate * MDEV_BLOCK_MS % 1000 == 0 &&
	    d->ptime_ms % MDEV_BLOCK_MS == 0) {
		d->block_ms = MDEV_BLOCK_MS;
		d->block = d->rate * MDEV_BLOCK_MS / 1000;
	}
	/* a quarter second each way: far more than the media thread lets
	 * build up, so a full ring only means that side stalled */
	err = ring_init(&d->cap, d->rate / 4);
	if (!err)
		err = ring_init(&d->play, d->rate / 4);
	if (err)
		goto out;
	if (d->driver == MEDIA_DRV_WAV) {
		err = mdev_wav_open(d, cfg, reason, reasonsz);
		if (err)
			goto out;
	}
	if (d->driver == MEDIA_DRV_PULSE) {
		err = mdev_pulse_open(d, cfg, reason, reasonsz);
		if (err == ENOMEM)
			goto out;
		if (err)
			d->driver = MEDIA_DRV_NULL;
		err = 0;
	}
	if (d->driver == MEDIA_DRV_PORTAUDIO) {
		PaError e = Pa_StartStream(d->pa);

		if (e != paNoError) {
			snprintf(reason, reasonsz,
				 _("the sound card could not start: %s"),
				 Pa_GetErrorText(e));
			err = EIO;
			goto out;
		}
	} else {
		err = pthread_create(&d->thr, NULL,
				     d->driver == MEDIA_DRV_PULSE ?
				     mdev_pulse_thread : mdev_thread, d);
		if (err)
			goto out;
		d->thr_on = true;
	}
out:
	if (err)
		mdev_close(d);
	else
		*dp = d;
	return err;
}

/* pthread_join, for at most MDEV_PULSE_JOIN_MS; ETIMEDOUT after that
 * (the thread is detached then). */
static int mdev_join_bounded(pthread_t t)
{
	struct timespec dl;
	int err;

	mdev_deadline(&dl, CLOCK_REALTIME, MDEV_PULSE_JOIN_MS);
	err = pthread_timedjoin_np(t, NULL, &dl);
	if (err == ETIMEDOUT)
		(void)pthread_detach(t);
	return err == ETIMEDOUT ? ETIMEDOUT : 0;
}

void mdev_close(struct mdev *d)
{
	if (!d)
		return;
	if (d->pa) {
		(void)Pa_StopStream(d->pa);
		(void)Pa_CloseStream(d->pa);
	}
	if (d->thr_on) {
		atomic_store(&d->stop, true);
		if (d->prec && mdev_join_bounded(d->thr)) {
			/* stuck in libpulse (a server that stopped
			 * answering): leave it the device, never free what
			 * it may still touch */
			log_warn("media", _("audio: PulseAudio does not "
				 "answer; its stream is left open"));
			return;
		}
		if (!d->prec)
			pthread_join(d->thr, NULL);
	}
	if (d->prec)
		pul.free_(d->prec);
	if (d->pplay)
		pul.free_(d->pplay);
	if (d->pulse_caught_up || d->pulse_dropped)
		log_debug("media", "pulse: %u capture periods read ahead, "
			  "%u playback periods dropped (clock drift or a "
			  "late thread)", d->pulse_caught_up,
			  d->pulse_dropped);
	if (d->in)
		sf_close(d->in);
	if (d->out) {
		sf_write_sync(d->out);
		sf_close(d->out);
	}
	rsmp_free(&d->in_rs);
	ring_free(&d->cap);
	ring_free(&d->play);
	free(d);
}
