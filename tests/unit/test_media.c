/* test_media.c - two media sessions in one process call each other over
 * loopback: a WAV played on side A comes out of side B's WAV (checked by
 * normalised cross-correlation) for Opus and PCMU, with SRTP off and on;
 * wrong SRTP keys get nothing through; DTMF, DSCP and IPv6; the whole
 * signal at one delay through two DTMF digits. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <sndfile.h>

#include "audio/media.h"
#include "audio/media_int.h"
#include "core/conf.h"
#include "core/events.h"
#include "core/loop.h"

#define SIG_SECONDS 2.0
#define PI 3.14159265358979323846

static char tdir[64];
static char in_wav[128];
static struct loop *loop;
static json_t *evs;             /* every event seen */

static void on_event(const json_t *ev, void *arg)
{
	(void)arg;
	(void)json_array_append(evs, (json_t *)ev);
}

/* The test signal: a 200-3400 Hz sweep (one alignment only) under a
 * slow amplitude wobble, generated for any rate from one formula. */
static double sig(double t)
{
	double f0 = 200, f1 = 3400, k = (f1 - f0) / SIG_SECONDS;

	if (t < 0 || t >= SIG_SECONDS)
		return 0;
	return 0.5 * (0.75 + 0.25 * sin(2 * PI * 1.3 * t)) *
		sin(2 * PI * (f0 * t + k * t * t / 2));
}

static int setup(void **state)
{
	SF_INFO si;
	SNDFILE *f;
	int16_t buf[48000 * 2];
	size_t i, n = (size_t)(48000 * SIG_SECONDS);

	(void)state;
	snprintf(tdir, sizeof(tdir), "/tmp/test_media.XXXXXX");
	if (!mkdtemp(tdir))
		return -1;
	snprintf(in_wav, sizeof(in_wav), "%s/in.wav", tdir);
	memset(&si, 0, sizeof(si));
	si.samplerate = 48000;
	si.channels = 1;
	si.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	f = sf_open(in_wav, SFM_WRITE, &si);
	if (!f)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = (int16_t)(32767 * sig((double)i / 48000));
	sf_writef_short(f, buf, (sf_count_t)n);
	sf_close(f);
	if (loop_alloc(&loop))
		return -1;
	evs = json_array();
	events_subscribe(on_event, NULL);
	return 0;
}

static int teardown(void **state)
{
	char p[160];

	(void)state;
	events_unsubscribe(on_event, NULL);
	json_decref(evs);
	loop_free(loop);
	snprintf(p, sizeof(p), "%s/out.wav", tdir);
	unlink(p);
	unlink(in_wav);
	rmdir(tdir);
	return 0;
}

static void run_loop(unsigned ms)
{
	uint64_t end = loop_now_ms() + ms;

	while (loop_now_ms() < end)
		(void)loop_once(loop, 20);
}

struct pair {
	struct media_engine *ea, *eb;
	struct media_session *a, *b;
	uint16_t pa, pb;
	struct media_params qa, qb;
	char out_wav[160];
};

static void pair_open(struct pair *pr, const char *laddr, bool wav)
{
	struct media_opts oa = {0}, ob = {0};

	memset(pr, 0, sizeof(*pr));
	snprintf(pr->out_wav, sizeof(pr->out_wav), "%s/out.wav", tdir);
	unlink(pr->out_wav);
	if (wav) {
		oa.audio_in = in_wav;
		ob.audio_out = pr->out_wav;
	} else {
		oa.null_audio = ob.null_audio = true;
	}
	assert_int_equal(media_engine_alloc(&pr->ea, loop, NULL, &oa), 0);
	assert_int_equal(media_engine_alloc(&pr->eb, loop, NULL, &ob), 0);
	assert_int_equal(media_session_alloc(&pr->a, pr->ea, laddr, 20000,
					     60000, &pr->pa), 0);
	assert_int_equal(media_session_alloc(&pr->b, pr->eb, laddr, 20000,
					     60000, &pr->pb), 0);
	assert_int_equal(pr->pa % 2, 0);
	assert_int_not_equal(pr->pa, pr->pb);
}

static void params(struct media_params *p, unsigned call, const char *codec,
		   const char *laddr, uint16_t rport)
{
	memset(p, 0, sizeof(*p));
	p->call_id = call;
	snprintf(p->codec, sizeof(p->codec), "%s", codec);
	if (!strcmp(codec, "opus")) {
		p->pt = 111;
		p->clock = 48000;
		p->channels = 2;
		snprintf(p->fmtp, sizeof(p->fmtp), "useinbandfec=1");
	} else {
		p->pt = !strcmp(codec, "PCMA") ? 8 : 0;
		p->clock = 8000;
		p->channels = 1;
	}
	p->dtmf_pt = 101;
	p->ptime = 20;
	snprintf(p->raddr, sizeof(p->raddr), "%s", laddr);
	p->rport = rport;
	p->send = p->recv = true;
	snprintf(p->cname, sizeof(p->cname), "c%u@test.invalid", call);
}

static void keys(struct media_params *a, struct media_params *b,
		 const char *suite, bool wrong)
{
	size_t i;

	a->srtp.on = b->srtp.on = true;
	snprintf(a->srtp.suite, sizeof(a->srtp.suite), "%s", suite);
	snprintf(b->srtp.suite, sizeof(b->srtp.suite), "%s", suite);
	for (i = 0; i < MEDIA_SRTP_KEY_LEN; i++) {
		a->srtp.tx_key[i] = b->srtp.rx_key[i] = (uint8_t)(i * 7 + 1);
		b->srtp.tx_key[i] = a->srtp.rx_key[i] = (uint8_t)(i * 13 + 5);
	}
	if (wrong)
		b->srtp.rx_key[3] ^= 0x55;
}

static void pair_close(struct pair *pr)
{
	media_session_free(pr->a);
	media_session_free(pr->b);
	media_engine_free(pr->ea);
	media_engine_free(pr->eb);
	run_loop(30);   /* deliver the last posted events */
}

/* Normalised cross-correlation of out against the signal, at the best
 * lag (coarse search decimated to about 8 kHz, then every sample). */
static double ncc_at(const int16_t *y, size_t ny, int rate, long lag,
		     size_t from, size_t to)
{
	double sxy = 0, sxx = 0, syy = 0;
	size_t i;

	for (i = from; i < to; i++) {
		long j = (long)i + lag;
		double x = sig((double)i / rate), v;

		if (j < 0 || (size_t)j >= ny)
			continue;
		v = y[j] / 32768.0;
		sxy += x * v;
		sxx += x * x;
		syy += v * v;
	}
	return sxx > 0 && syy > 0 ? sxy / sqrt(sxx * syy) : 0;
}

static double best_ncc(const char *path, long *lagp)
{
	SF_INFO si;
	SNDFILE *f;
	int16_t *y;
	size_t ny, from, to, i;
	long lag, best = 0, step;
	double c, bc = -2;
	double *xd;
	int rate;

	memset(&si, 0, sizeof(si));
	f = sf_open(path, SFM_READ, &si);
	assert_non_null(f);
	rate = si.samplerate;
	ny = (size_t)si.frames;
	y = calloc(ny + 1, sizeof(*y));
	assert_non_null(y);
	assert_int_equal(sf_readf_short(f, y, (sf_count_t)ny), (sf_count_t)ny);
	sf_close(f);
	/* the middle second of the sweep; the lag is within 0-0.6 s */
	from = (size_t)(rate * 0.4);
	to = (size_t)(rate * 1.4);
	step = rate / 8000;
	xd = calloc(to, sizeof(*xd));
	assert_non_null(xd);
	for (i = 0; i < to; i++)
		xd[i] = sig((double)i / rate);
	for (lag = 0; lag < (long)(rate * 0.6); lag += step) {
		double sxy = 0, syy = 0;

		for (i = from; i < to; i += (size_t)step * 2) {
			if (i + (size_t)lag >= ny)
				break;
			sxy += xd[i] * y[i + (size_t)lag];
			syy += (double)y[i + (size_t)lag] * y[i + (size_t)lag];
		}
		c = syy > 0 ? sxy / sqrt(syy) : 0;
		if (c > bc) {
			bc = c;
			best = lag;
		}
	}
	bc = -2;
	for (lag = best - step; lag <= best + step; lag++) {
		c = ncc_at(y, ny, rate, lag, from, to);
		if (c > bc) {
			bc = c;
			*lagp = lag;
		}
	}
	free(xd);
	free(y);
	return bc;
}

static unsigned count_events(const char *type, const char *key,
			     const char *val, unsigned call)
{
	size_t i;
	unsigned n = 0;
	json_t *ev;

	json_array_foreach(evs, i, ev) {
		const char *t = json_string_value(json_object_get(ev, "type"));
		json_t *c = json_object_get(ev, "call");
		const char *v;

		if (!t || strcmp(t, type))
			continue;
		if (json_integer_value(c) != (json_int_t)call)
			continue;
		v = key ? json_string_value(json_object_get(ev, key)) : NULL;
		if (key && (!v || strcmp(v, val)))
			continue;
		n++;
	}
	return n;
}

static void call_and_check(const char *codec, const char *suite,
			   unsigned call)
{
	struct pair pr;
	struct media_stats sa, sb;
	double c;
	long lag = 0;

	pair_open(&pr, "127.0.0.1", true);
	params(&pr.qa, call, codec, "127.0.0.1", pr.pb);
	params(&pr.qb, call + 1, codec, "127.0.0.1", pr.pa);
	if (suite)
		keys(&pr.qa, &pr.qb, suite, false);
	assert_int_equal(media_session_start(pr.a, &pr.qa), 0);
	assert_int_equal(media_session_start(pr.b, &pr.qb), 0);
	run_loop((unsigned)(SIG_SECONDS * 1000) + 500);
	assert_int_equal(media_session_stats(pr.a, &sa), 0);
	assert_int_equal(media_session_stats(pr.b, &sb), 0);
	assert_true(sa.tx_packets > 100);
	assert_true(sb.rx_packets > 100);
	assert_int_equal(sb.rx_lost, 0);
	assert_int_equal(sb.srtp_failed, 0);
	assert_true(sb.jb_ms <= 200);
	pair_close(&pr);
	c = best_ncc(pr.out_wav, &lag);
	print_message("# %s %s: ncc %.3f at lag %ld samples, jb %u ms, concealed %u ms, jitter %.2f, underruns %u\n",
		      codec, suite ? suite : "plain", c, lag, sb.jb_ms, sb.concealed_ms, sb.jitter_ms, sb.underruns);
	assert_true(c >= 0.9);
	assert_int_equal(count_events("media", "state", "started", call), 1);
	assert_int_equal(count_events("media", "srtp", suite ? suite : "off",
				      call), 2);   /* started, stopped */
	assert_int_equal(count_events("media", "state", "stopped", call), 1);
	assert_true(count_events("stats", NULL, NULL, call + 1) >= 1);
}

static void test_opus_plain(void **state) { (void)state; call_and_check("opus", NULL, 10); }
static void test_opus_srtp(void **state) { (void)state; call_and_check("opus", MEDIA_SRTP_80, 20); }
static void test_pcmu_plain(void **state) { (void)state; call_and_check("PCMU", NULL, 30); }
static void test_pcmu_srtp32(void **state) { (void)state; call_and_check("PCMU", MEDIA_SRTP_32, 40); }

static void test_srtp_wrong_key(void **state)
{
	struct pair pr;
	struct media_stats sa, sb;

	(void)state;
	pair_open(&pr, "127.0.0.1", false);
	params(&pr.qa, 50, "PCMA", "127.0.0.1", pr.pb);
	params(&pr.qb, 51, "PCMA", "127.0.0.1", pr.pa);
	keys(&pr.qa, &pr.qb, MEDIA_SRTP_80, true);
	assert_int_equal(media_session_start(pr.a, &pr.qa), 0);
	assert_int_equal(media_session_start(pr.b, &pr.qb), 0);
	run_loop(600);
	assert_int_equal(media_session_stats(pr.a, &sa), 0);
	assert_int_equal(media_session_stats(pr.b, &sb), 0);
	assert_true(sa.tx_packets > 10);
	assert_int_equal(sb.rx_packets, 0);        /* nothing got through */
	assert_true(sb.srtp_failed >= 10);         /* each one counted */
	assert_true(sa.rx_packets > 10);           /* the other way works */
	assert_int_equal(sa.srtp_failed, 0);
	pair_close(&pr);
}

static void test_dtmf_dscp_hold(void **state)
{
	struct pair pr;
	struct media_stats sb1, sb2;
	int tos = 0;
	socklen_t tl = sizeof(tos);

	(void)state;
	pair_open(&pr, "127.0.0.1", false);
	params(&pr.qa, 60, "opus", "127.0.0.1", pr.pb);
	params(&pr.qb, 61, "opus", "127.0.0.1", pr.pa);
	pr.qa.dscp = 46;
	assert_int_equal(media_session_start(pr.a, &pr.qa), 0);
	assert_int_equal(media_session_start(pr.b, &pr.qb), 0);
	assert_int_equal(getsockopt(media_session_rtp_fd(pr.a), IPPROTO_IP,
				    IP_TOS, &tos, &tl), 0);
	assert_int_equal(tos, 46 << 2);
	assert_int_equal(media_session_dtmf(pr.a, 'x'), EINVAL);
	assert_int_equal(media_session_dtmf(pr.a, '5'), 0);
	assert_int_equal(media_session_dtmf(pr.a, '#'), 0);
	run_loop(700);
	assert_int_equal(count_events("dtmf", "digit", "5", 61), 1);
	assert_int_equal(count_events("dtmf", "digit", "#", 61), 1);
	assert_int_equal(count_events("dtmf", "dir", "in", 61), 2);
	assert_int_equal(count_events("dtmf", "dir", "out", 60), 2);
	/* hold: A stops sending, B's counter stops */
	pr.qa.send = false;
	assert_int_equal(media_session_start(pr.a, &pr.qa), 0);
	assert_int_equal(count_events("media", "state", "updated", 60), 0);
	run_loop(200);
	assert_int_equal(count_events("media", "state", "updated", 60), 1);
	assert_int_equal(media_session_stats(pr.b, &sb1), 0);
	run_loop(300);
	assert_int_equal(media_session_stats(pr.b, &sb2), 0);
	assert_true(sb2.rx_packets - sb1.rx_packets <= 1);
	pair_close(&pr);
}

/* The whole WAV, from its first 100 ms to its last, comes out of B at
 * one delay, with two DTMF digits sent in the middle: each 100 ms piece
 * correlates >= 0.9 within a sample of the first piece's lag.  This
 * catches a sender that drops its audio during an event (the receiver
 * then plays the rest 140 ms early), a receiver that counts the event
 * packets as lost audio (20 ms later per packet), and anything wrong in
 * the first second of a call (the device's start, the resampler, the
 * media thread's phase), which the middle-second check above misses. */
static void test_timeline_with_dtmf(void **state)
{
	struct pair pr;
	struct media_stats sb;
	SF_INFO si;
	SNDFILE *f;
	int16_t *y;
	size_t ny, seg, n;
	long lag0 = 0, lag, bl = 0;
	double c, bc, worst = 2;
	int rate;

	(void)state;
	pair_open(&pr, "127.0.0.1", true);
	params(&pr.qa, 90, "PCMU", "127.0.0.1", pr.pb);
	params(&pr.qb, 91, "PCMU", "127.0.0.1", pr.pa);
	assert_int_equal(media_session_start(pr.a, &pr.qa), 0);
	assert_int_equal(media_session_start(pr.b, &pr.qb), 0);
	run_loop(500);
	assert_int_equal(media_session_dtmf(pr.a, '5'), 0);
	run_loop(500);
	assert_int_equal(media_session_dtmf(pr.a, '#'), 0);
	run_loop((unsigned)(SIG_SECONDS * 1000) - 500);
	assert_int_equal(media_session_stats(pr.b, &sb), 0);
	assert_true(sb.jb_ms <= 60);
	pair_close(&pr);
	assert_int_equal(count_events("dtmf", "dir", "in", 91), 2);
	(void)best_ncc(pr.out_wav, &lag0);
	memset(&si, 0, sizeof(si));
	f = sf_open(pr.out_wav, SFM_READ, &si);
	assert_non_null(f);
	rate = si.samplerate;
	ny = (size_t)si.frames;
	y = calloc(ny + 1, sizeof(*y));
	assert_non_null(y);
	assert_int_equal(sf_readf_short(f, y, (sf_count_t)ny), (sf_count_t)ny);
	sf_close(f);
	seg = (size_t)rate / 10;
	for (n = 0; n < (size_t)(SIG_SECONDS * 10); n++) {
		bc = -2;
		for (lag = lag0 - 1; lag <= lag0 + 1; lag++) {
			c = ncc_at(y, ny, rate, lag, n * seg, (n + 1) * seg);
			if (c > bc) {
				bc = c;
				bl = lag;
			}
		}
		if (bc < worst)
			worst = bc;
		if (bc < 0.9)
			print_message("# piece %zu: ncc %.3f at lag %ld (%ld)\n",
				      n, bc, bl, lag0);
	}
	free(y);
	print_message("# timeline: lag %ld, worst 100 ms piece %.3f, jb %u ms\n",
		      lag0, worst, sb.jb_ms);
	assert_true(worst >= 0.9);
}

static void test_no_telephone_event(void **state)
{
	struct pair pr;

	(void)state;
	pair_open(&pr, "127.0.0.1", false);
	params(&pr.qa, 70, "PCMU", "127.0.0.1", pr.pb);
	pr.qa.dtmf_pt = -1;
	assert_int_equal(media_session_dtmf(pr.a, '1'), ENOTSUP);
	assert_int_equal(media_session_start(pr.a, &pr.qa), 0);
	assert_int_equal(media_session_dtmf(pr.a, '1'), ENOTSUP);
	pair_close(&pr);
}

static void test_ipv6(void **state)
{
	struct pair pr;
	struct media_stats sa, sb;
	char ra[64];

	(void)state;
	pair_open(&pr, "::1", false);
	params(&pr.qa, 80, "PCMU", "::1", pr.pb);
	params(&pr.qb, 81, "PCMU", "::1", pr.pa);
	assert_int_equal(media_session_start(pr.a, &pr.qa), 0);
	assert_int_equal(media_session_start(pr.b, &pr.qb), 0);
	run_loop(500);
	assert_int_equal(media_session_stats(pr.a, &sa), 0);
	assert_int_equal(media_session_stats(pr.b, &sb), 0);
	assert_true(sa.rx_packets > 10);
	assert_true(sb.rx_packets > 10);
	snprintf(ra, sizeof(ra), "[::1]:%u", pr.pb);
	pair_close(&pr);
	assert_int_equal(count_events("media", "raddr", ra, 80), 2);
}

/* Removes a directory of plain files (what libjack leaves in /dev/shm). */
static void rm_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char p[512];

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		(void)unlink(p);
	}
	closedir(d);
	(void)rmdir(path);
}

/* No such sound card: the call goes on with the null device, and says so
 * once in a media event. */
static void test_fallback(void **state)
{
	struct conf *conf = NULL;
	struct media_engine *me;
	struct media_session *a;
	struct media_params q;
	struct media_stats st;
	char shm[64], alsa[160];
	FILE *fa;
	bool had_shm;
	uint16_t pa;
	size_t i;
	json_t *ev;
	unsigned n = 0;

	(void)state;
	/* PortAudio's JACK probe leaves this behind: remove it if we made it */
	snprintf(shm, sizeof(shm), "/dev/shm/jack_db-%u", (unsigned)getuid());
	had_shm = access(shm, F_OK) == 0;
	/* ALSA with only a null default: no sound server is touched, and no
	 * plugin library is loaded (the pulse plugin leaks when unloaded) */
	snprintf(alsa, sizeof(alsa), "%s/asound.conf", tdir);
	fa = fopen(alsa, "w");
	assert_non_null(fa);
	fputs("pcm.!default { type null }\nctl.!default { type hw card 0 }\n",
	      fa);
	fclose(fa);
	setenv("ALSA_CONFIG_PATH", alsa, 1);
	assert_int_equal(conf_load_string(&conf, "t", "[audio]\n"
		"driver = portaudio\ninput_device = siptty-no-such-card\n"
		"output_device = siptty-no-such-card\n"), 0);
	assert_int_equal(media_engine_alloc(&me, loop, conf, NULL), 0);
	assert_int_equal(media_session_alloc(&a, me, "127.0.0.1", 20000, 60000,
					     &pa), 0);
	params(&q, 90, "PCMU", "127.0.0.1", (uint16_t)(pa + 2));
	assert_int_equal(media_session_start(a, &q), 0);
	/* Paced: about a packet per 20 ms, neither stalled nor in a burst.
	 * The stats are the media thread's snapshot, up to 100 ms old, and
	 * the first frame of capture is dropped (older than the first
	 * tick): 400 ms give 20 packets at most, 14 at the least. */
	run_loop(400);
	assert_int_equal(media_session_stats(a, &st), 0);
	assert_true(st.tx_packets >= 12);
	assert_true(st.tx_packets <= 22);
	media_session_free(a);
	media_engine_free(me);
	conf_free(conf);
	run_loop(30);
	json_array_foreach(evs, i, ev) {
		const char *r = json_string_value(json_object_get(ev, "reason"));

		if (json_integer_value(json_object_get(ev, "call")) != 90)
			continue;
		if (!json_object_get(ev, "fallback"))
			continue;
		assert_string_equal(json_string_value(json_object_get(ev,
			"fallback")), "null");
		assert_non_null(r);
		assert_true(strlen(r) > 5);
		n++;
	}
	assert_int_equal(n, 1);
	if (!had_shm)
		rm_dir(shm);
	unlink(alsa);
	unsetenv("ALSA_CONFIG_PATH");
}

/* The far end's fmtp shapes the encoder; G.711 through the codec API. */
static void test_codec(void **state)
{
	struct codec_cfg cc = {32000, 5, true, false};
	struct codec *c;
	int16_t pcm[1920], out[1920];
	uint8_t pkt[1500];
	int i, n;

	(void)state;
	assert_int_equal(fmtp_int("maxplaybackrate=16000; useinbandfec=1",
				  "useinbandfec", 0), 1);
	assert_int_equal(fmtp_int("maxplaybackrate=16000;ptime=40",
				  "maxplaybackrate", 0), 16000);
	assert_int_equal(fmtp_int("stereo=1", "sprop-stereo", -1), -1);
	assert_int_equal(fmtp_int("", "x", 7), 7);
	assert_int_equal(codec_alloc(&c, "opus", 48000, 20,
				     "maxplaybackrate=16000;ptime=40", &cc), 0);
	assert_int_equal(codec_frame(c), 1920);        /* ptime=40 */
	for (i = 0; i < 1920; i++)
		pcm[i] = (int16_t)(8000 * sin(2 * PI * 440 * i / 48000.0));
	n = codec_encode(c, pcm, pkt, sizeof(pkt));
	assert_true(n > 10);
	assert_int_equal(codec_decode(c, pkt, (size_t)n, false, out), 1920);
	assert_int_equal(codec_decode(c, NULL, 0, false, out), 1920); /* PLC */
	pkt[0] = 0x03;      /* code 3 with a frame count of 0: invalid */
	pkt[1] = 0x00;
	assert_int_equal(codec_decode(c, pkt, 2, false, out), -EBADMSG);
	codec_free(c);
	assert_int_equal(codec_alloc(&c, "G729", 8000, 20, "", &cc), ENOTSUP);
	assert_int_equal(codec_alloc(&c, "PCMA", 8000, 20, "", &cc), 0);
	assert_int_equal(codec_frame(c), 160);
	assert_int_equal(codec_encode(c, pcm, pkt, sizeof(pkt)), 160);
	assert_int_equal(pkt[0], g711_alaw_enc(pcm[0]));
	assert_int_equal(codec_decode(c, pkt, 160, false, out), 160);
	assert_int_equal(out[1], g711_alaw_dec(pkt[1]));
	assert_int_equal(codec_decode(c, NULL, 0, false, out), 160);
	assert_int_equal(out[1], g711_alaw_dec(pkt[1])); /* repeated */
	codec_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opus_plain),
		cmocka_unit_test(test_opus_srtp),
		cmocka_unit_test(test_pcmu_plain),
		cmocka_unit_test(test_pcmu_srtp32),
		cmocka_unit_test(test_srtp_wrong_key),
		cmocka_unit_test(test_dtmf_dscp_hold),
		cmocka_unit_test(test_timeline_with_dtmf),
		cmocka_unit_test(test_no_telephone_event),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_fallback),
		cmocka_unit_test(test_codec),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
