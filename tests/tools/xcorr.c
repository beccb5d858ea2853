/* xcorr.c - compares a received WAV with the one sent: best normalised cross-correlation, lag, longest gap. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sndfile.h>

/*
 * Usage: xcorr [-r RATE] [-l LAG_MS] [-s DB] [-f FRAME_MS] [-o MIN_OVERLAP]
 *              [-m MAX_S] [-S SEG_MS] [-w WIN_MS] [-v] REF.wav GOT.wav
 *
 * Both files are mixed down to mono and resampled (band-limited, windowed
 * sinc) to the analysis RATE (default 8000 Hz, so a G.711 leg and an Opus
 * leg are compared on the same band).  GOT is trimmed to its active span
 * (first to last frame that is not near-silent), then correlated with REF
 * at every lag within +-LAG_MS (default 2000) through one FFT; each lag's
 * value is normalised by the energies of the overlapping parts only, and
 * lags whose overlap is shorter than MIN_OVERLAP (default 0.5) of the
 * shorter signal are not considered.  Prints one line:
 *
 *   xcorr=0.9876 lag_ms=63.250 gap_ms=20 silence_ms=40 overlap_ms=7800
 *   ref_ms=30000 got_ms=8120 active_ms=7900 seg=0.9911 seg_min=0.9702
 *   segs=15 rate=8000
 *
 *  xcorr       the best normalised correlation (-1..1; gain does not matter)
 *  lag_ms      where REF starts in GOT (GOT[t + lag] ~ REF[t]); positive:
 *              GOT is late
 *  gap_ms      the longest run of near-silent frames in GOT's active span
 *              where the aligned REF is not silent (audio that went missing)
 *  silence_ms  the longest run of near-silent frames in GOT's active span,
 *              whatever REF does there
 *  seg, seg_min  REF cut in SEG_MS pieces (default 500), each correlated on
 *              its own at its best lag within +-WIN_MS (default 200) of the
 *              global lag: the mean and the lowest value over the pieces
 *              where REF is not silent and GOT has samples (segs= of them).
 *              A jitter buffer that grows or shrinks moves the lag during a
 *              call, which lowers xcorr but not seg.  -v prints each
 *              segment's value and lag on stderr.
 * A frame (FRAME_MS, default 5) is near-silent when its RMS is more than
 * DB (default 30) below the signal's level (its 99th percentile frame RMS).
 * A GOT with no audio at all (its level under -70 dBFS) gives xcorr=0 and
 * silent=1.  Exit status: 0 when the numbers could be computed (the caller
 * judges them), 2 on bad usage, an unreadable file or a silent REF.
 */

#define XC_MAX_SECONDS_DEFAULT 120.0
#define XC_REFINE_HALF 16      /* taps each side of the sub-sample interpolator */
#define XC_SILENT 3.16e-4      /* -70 dBFS: a level under it is no audio */

struct xc_sig {
	double *v;
	size_t n;
	double rate;
};

static void xc_free(struct xc_sig *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Windowed-sinc kernel value at offset t (in source samples) for cutoff
 * fc (cycles per source sample) and half-width w (source samples). */
static double xc_kernel(double t, double fc, double w)
{
	double x, win;

	if (fabs(t) >= w)
		return 0.0;
	x = 2.0 * fc * t;
	win = 0.42 + 0.5 * cos(M_PI * t / w) + 0.08 * cos(2.0 * M_PI * t / w);
	if (fabs(x) < 1e-12)
		return 2.0 * fc * win;
	return sin(M_PI * x) / (M_PI * x) * 2.0 * fc * win;
}

/* Resamples in to rate, low-passing at 0.45 of the lower Nyquist band. */
static int xc_resample(struct xc_sig *out, const struct xc_sig *in, double rate)
{
	enum { TABLE_STEPS = 256 };
	double ratio = in->rate / rate, fc, w, *tab;
	size_t n, i, tn;
	long half;

	out->rate = rate;
	if (fabs(ratio - 1.0) < 1e-9) {
		out->v = malloc((in->n ? in->n : 1) * sizeof *out->v);
		if (!out->v)
			return ENOMEM;
		memcpy(out->v, in->v, in->n * sizeof *out->v);
		out->n = in->n;
		return 0;
	}
	/* cutoff in cycles per source sample */
	fc = 0.45 * (rate < in->rate ? rate : in->rate) / in->rate;
	w = 8.0 / (2.0 * fc);   /* eight zero crossings each side */
	half = (long)ceil(w);
	tn = (size_t)(2 * half) * TABLE_STEPS + 1;
	tab = malloc(tn * sizeof *tab);
	if (!tab)
		return ENOMEM;
	for (i = 0; i < tn; i++)
		tab[i] = xc_kernel((double)i / TABLE_STEPS - (double)half, fc, w);
	n = (size_t)floor((double)in->n / ratio);
	out->v = calloc(n ? n : 1, sizeof *out->v);
	if (!out->v) {
		free(tab);
		return ENOMEM;
	}
	out->n = n;
	for (i = 0; i < n; i++) {
		double t = (double)i * ratio, acc = 0.0;
		long c = (long)floor(t), j;
		double frac = t - (double)c;

		for (j = c - half + 1; j <= c + half; j++) {
			double pos, k;
			size_t pi;

			if (j < 0 || (size_t)j >= in->n)
				continue;
			/* kernel at t - j, from the table with linear interpolation */
			pos = ((double)(c - j) + frac + (double)half) * TABLE_STEPS;
			if (pos < 0.0 || pos >= (double)(tn - 1))
				continue;
			pi = (size_t)pos;
			k = tab[pi] + (tab[pi + 1] - tab[pi]) * (pos - (double)pi);
			acc += in->v[j] * k;
		}
		out->v[i] = acc;
	}
	free(tab);
	return 0;
}

static int xc_load(struct xc_sig *s, const char *path, double max_s)
{
	SF_INFO info;
	SNDFILE *f;
	float *buf = NULL;
	size_t frames, i;
	sf_count_t got;
	int ch, c;

	memset(&info, 0, sizeof info);
	f = sf_open(path, SFM_READ, &info);
	if (!f) {
		fprintf(stderr, "xcorr: cannot read %s: %s\n", path, sf_strerror(NULL));
		return EINVAL;
	}
	if (info.channels < 1 || info.channels > 16 || info.samplerate < 1000 ||
	    info.samplerate > 384000 || info.frames < 0) {
		fprintf(stderr, "xcorr: %s: unsupported format (%d channels, %d Hz)\n",
			path, info.channels, info.samplerate);
		sf_close(f);
		return EINVAL;
	}
	ch = info.channels;
	frames = (size_t)info.frames;
	if ((double)frames > max_s * info.samplerate)
		frames = (size_t)(max_s * info.samplerate);
	buf = malloc((frames ? frames : 1) * (size_t)ch * sizeof *buf);
	s->v = calloc(frames ? frames : 1, sizeof *s->v);
	if (!buf || !s->v) {
		free(buf);
		xc_free(s);
		sf_close(f);
		return ENOMEM;
	}
	got = sf_readf_float(f, buf, (sf_count_t)frames);
	sf_close(f);
	if (got < 0)
		got = 0;
	for (i = 0; i < (size_t)got; i++) {
		double m = 0.0;

		for (c = 0; c < ch; c++)
			m += buf[i * (size_t)ch + (size_t)c];
		s->v[i] = m / ch;
	}
	free(buf);
	s->n = (size_t)got;
	s->rate = info.samplerate;
	return 0;
}

/* In-place iterative radix-2 complex FFT; n is a power of two. */
static void xc_fft(double *re, double *im, size_t n, int inverse)
{
	size_t i, j, len;

	for (i = 1, j = 0; i < n; i++) {
		size_t bit = n >> 1;

		for (; j & bit; bit >>= 1)
			j ^= bit;
		j ^= bit;
		if (i < j) {
			double t = re[i];

			re[i] = re[j];
			re[j] = t;
			t = im[i];
			im[i] = im[j];
			im[j] = t;
		}
	}
	for (len = 2; len <= n; len <<= 1) {
		double ang = 2.0 * M_PI / (double)len * (inverse ? 1.0 : -1.0);
		double wr = cos(ang), wi = sin(ang);

		for (i = 0; i < n; i += len) {
			double cr = 1.0, ci = 0.0;
			size_t k;

			for (k = 0; k < len / 2; k++) {
				size_t a = i + k, b = i + k + len / 2;
				double tr = re[b] * cr - im[b] * ci;
				double ti = re[b] * ci + im[b] * cr;
				double ncr;

				re[b] = re[a] - tr;
				im[b] = im[a] - ti;
				re[a] += tr;
				im[a] += ti;
				/* recompute the twiddle now and then to bound drift */
				if ((k & 63) == 63) {
					double a2 = ang * (double)(k + 1);

					cr = cos(a2);
					ci = sin(a2);
				} else {
					ncr = cr * wr - ci * wi;
					ci = cr * wi + ci * wr;
					cr = ncr;
				}
			}
		}
	}
	if (inverse)
		for (i = 0; i < n; i++) {
			re[i] /= (double)n;
			im[i] /= (double)n;
		}
}

/* Frame RMS values; *nf gets the count. */
static double *xc_frames(const struct xc_sig *s, size_t flen, size_t *nf)
{
	size_t n = s->n / flen, i, j;
	double *r = calloc(n ? n : 1, sizeof *r);

	if (!r)
		return NULL;
	for (i = 0; i < n; i++) {
		double e = 0.0;

		for (j = 0; j < flen; j++)
			e += s->v[i * flen + j] * s->v[i * flen + j];
		r[i] = sqrt(e / (double)flen);
	}
	*nf = n;
	return r;
}

static int xc_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The silence threshold of a signal: DB below its 99th percentile frame
 * (sparse signals such as a click train are mostly silence). */
static double xc_threshold(const double *fr, size_t nf, double db)
{
	double *tmp, lvl;

	if (nf == 0)
		return 0.0;
	tmp = malloc(nf * sizeof *tmp);
	if (!tmp)
		return 0.0;
	memcpy(tmp, fr, nf * sizeof *tmp);
	qsort(tmp, nf, sizeof *tmp, xc_cmp);
	lvl = tmp[(size_t)((double)(nf - 1) * 0.99)];
	free(tmp);
	return lvl * pow(10.0, -db / 20.0);
}

/*
 * Sub-sample refinement.  Both signals are band-limited below 0.45 of the
 * analysis rate, so their cross-correlation is too: its value between two
 * lags follows from the integer lags by sinc interpolation.  A codec's
 * resampler delays by a fraction of a sample, which at 3 kHz costs up to
 * 0.2 of the correlation when only integer lags are tried.  get(i, arg)
 * returns c at integer lag i (NAN where it is unknown: a fractional lag
 * that needs it is not tried); returns the interpolated maximum within
 * +-1 sample of i0 and its offset in *frac.
 */
typedef double (xc_get_h)(long i, const void *arg);

static double xc_refine(xc_get_h *get, const void *arg, long i0, double *frac)
{
	enum { HALF = XC_REFINE_HALF, STEPS = 32 };
	double best = get(i0, arg);
	int st;

	*frac = 0.0;
	for (st = -STEPS; st <= STEPS; st++) {
		double f = (double)st / STEPS, v = 0.0;
		long j;

		if (st == 0)
			continue;
		for (j = i0 + (long)floor(f) - HALF + 1; j <= i0 + (long)floor(f) + HALF; j++)
			v += get(j, arg) * xc_kernel((double)i0 + f - (double)j, 0.5,
						     (double)HALF);
		if (!isnan(v) && v > best) {
			best = v;
			*frac = f;
		}
	}
	return best;
}

struct xc_arr {
	const double *v;
	long lo, hi;    /* valid integer lags [lo, hi]; v[0] is lag lo */
};

static double xc_arr_get(long i, const void *arg)
{
	const struct xc_arr *a = arg;

	return i < a->lo || i > a->hi ? NAN : a->v[i - a->lo];
}

struct xc_segres {
	double mean, min;
	size_t count;
};

/*
 * Per-segment correlation: REF [s, s + seg) against GOT [s + lag + d, ...)
 * for |d| <= win (all in samples); py is GOT's prefix sum of squares.
 */
static void xc_segments(const struct xc_sig *ref, const struct xc_sig *got,
			const double *py, long lag, size_t seg, long win,
			double thx, int verbose, struct xc_segres *r)
{
	size_t s;
	double sum = 0.0;

	r->mean = 0.0;
	r->min = 0.0;
	r->count = 0;
	double *cd = malloc((size_t)(2 * win + 1) * sizeof *cd);

	if (!cd)
		return;
	for (s = 0; s + seg <= ref->n; s += seg) {
		double ex = 0.0, best = -2.0, best_e = 0.0, frac;
		size_t i;
		long d, best_d = 0;
		struct xc_arr arr;

		/* only pieces GOT covers at the global lag, with room for the
		 * sub-sample refinement on both sides */
		if ((long)s + lag < XC_REFINE_HALF + 1 ||
		    (size_t)((long)s + lag) + seg + XC_REFINE_HALF + 1 > got->n)
			continue;
		for (i = 0; i < seg; i++)
			ex += ref->v[s + i] * ref->v[s + i];
		if (sqrt(ex / (double)seg) < thx)
			continue;
		for (d = -win; d <= win; d++) {
			long g0 = (long)s + lag + d;
			double c = 0.0, ey;
			const double *gv, *rv = ref->v + s;

			cd[d + win] = NAN;
			if (g0 < 0 || (size_t)g0 + seg > got->n)
				continue;
			ey = py[g0 + (long)seg] - py[g0];
			if (ey <= 1e-12)
				continue;
			gv = got->v + g0;
			for (i = 0; i < seg; i++)
				c += rv[i] * gv[i];
			cd[d + win] = c;
			c /= sqrt(ex * ey);
			if (c > best) {
				best = c;
				best_d = d;
				best_e = ey;
			}
		}
		if (best > -1.5) {
			arr.v = cd;
			arr.lo = -win;
			arr.hi = win;
			best = xc_refine(xc_arr_get, &arr, best_d, &frac) / sqrt(ex * best_e);
			if (best > 1.0)
				best = 1.0;
		}
		if (best < -1.5)
			best = 0.0;  /* GOT is silent here: nothing matches */
		if (verbose)
			fprintf(stderr, "segment %.3f s: %.4f lag_ms=%.1f\n",
				(double)s / ref->rate, best,
				(double)(lag + best_d) * 1000.0 / ref->rate);
		if (r->count == 0 || best < r->min)
			r->min = best;
		sum += best;
		r->count++;
	}
	if (r->count)
		r->mean = sum / (double)r->count;
	free(cd);
}

struct xc_circ {
	const double *v;
	size_t m;
};

static double xc_circ_get(long i, const void *arg)
{
	const struct xc_circ *c = arg;

	if (i <= -(long)c->m || i >= (long)c->m)
		return 0.0;
	return c->v[i < 0 ? (size_t)((long)c->m + i) : (size_t)i];
}

static void xc_usage(void)
{
	fprintf(stderr, "usage: xcorr [-r RATE] [-l LAG_MS] [-s DB] [-f FRAME_MS] "
		"[-o MIN_OVERLAP] [-m MAX_S] [-S SEG_MS] [-w WIN_MS] [-v] REF.wav GOT.wav\n");
}

int main(int argc, char **argv)
{
	double rate = 8000.0, lag_ms = 2000.0, sil_db = 30.0, frame_ms = 5.0;
	double min_ov = 0.5, max_s = XC_MAX_SECONDS_DEFAULT, seg_ms = 500.0, win_ms = 200.0;
	struct xc_segres sr;
	struct xc_sig ref0 = {0}, got0 = {0}, ref = {0}, got = {0};
	double *fx = NULL, *fy = NULL, *re = NULL, *im = NULL, *re2 = NULL, *im2 = NULL;
	double *px = NULL, *py = NULL, *pg = NULL, thx, thy, best = -2.0, frac = 0.0;
	double best_e = 0.0;
	struct xc_circ circ;
	size_t flen, nfx = 0, nfy = 0, first, last, i, m, ny, off, min_len, seg_len;
	long L, k, best_k = 0;
	size_t best_ov = 0, gap = 0, sil = 0, run_gap = 0, run_sil = 0;
	int opt, rc = 2, verbose = 0;

	while ((opt = getopt(argc, argv, "r:l:s:f:o:m:S:w:vh")) != -1) {
		switch (opt) {
		case 'r': rate = atof(optarg); break;
		case 'l': lag_ms = atof(optarg); break;
		case 's': sil_db = atof(optarg); break;
		case 'f': frame_ms = atof(optarg); break;
		case 'o': min_ov = atof(optarg); break;
		case 'm': max_s = atof(optarg); break;
		case 'S': seg_ms = atof(optarg); break;
		case 'w': win_ms = atof(optarg); break;
		case 'v': verbose = 1; break;
		default: xc_usage(); return 2;
		}
	}
	if (argc - optind != 2 || !(rate >= 1000.0 && rate <= 96000.0) ||
	    !(lag_ms >= 0.0 && lag_ms <= 60000.0) || !(frame_ms >= 1.0 && frame_ms <= 1000.0) ||
	    !(min_ov > 0.0 && min_ov <= 1.0) || !(max_s > 0.0 && max_s <= 3600.0) ||
	    !(sil_db > 0.0 && sil_db < 200.0) || !(seg_ms >= 20.0 && seg_ms <= 60000.0) ||
	    !(win_ms >= 0.0 && win_ms <= 5000.0)) {
		xc_usage();
		return 2;
	}
	if (xc_load(&ref0, argv[optind], max_s) || xc_load(&got0, argv[optind + 1], max_s))
		goto out;
	if (xc_resample(&ref, &ref0, rate) || xc_resample(&got, &got0, rate)) {
		fprintf(stderr, "xcorr: out of memory\n");
		goto out;
	}
	flen = (size_t)(frame_ms * rate / 1000.0);
	if (flen < 1)
		flen = 1;
	fx = xc_frames(&ref, flen, &nfx);
	fy = xc_frames(&got, flen, &nfy);
	if (!fx || !fy)
		goto out;
	thx = xc_threshold(fx, nfx, sil_db);
	thy = xc_threshold(fy, nfy, sil_db);
	if (nfx == 0 || thx * pow(10.0, sil_db / 20.0) < XC_SILENT) {
		fprintf(stderr, "xcorr: %s has no audio\n", argv[optind]);
		goto out;
	}
	if (nfy == 0 || thy * pow(10.0, sil_db / 20.0) < XC_SILENT) {
		double ms = (double)got.n * 1000.0 / rate;

		printf("xcorr=0.0000 lag_ms=0.000 gap_ms=%.0f silence_ms=%.0f overlap_ms=0 "
		       "ref_ms=%.0f got_ms=%.0f active_ms=0 seg=0.0000 seg_min=0.0000 "
		       "segs=0 rate=%.0f silent=1\n", ms, ms,
		       (double)ref.n * 1000.0 / rate, ms, rate);
		rc = 0;
		goto out;
	}
	/* GOT's active span */
	for (first = 0; first < nfy && fy[first] < thy; first++)
		;
	for (last = nfy; last > first && fy[last - 1] < thy; last--)
		;
	off = first * flen;
	ny = (last - first) * flen;

	/* c[k] = sum_n ref[n] * got[off + n + k] through one FFT */
	for (m = 1; m < ref.n + ny; m <<= 1)
		;
	re = calloc(m, sizeof *re);
	im = calloc(m, sizeof *im);
	re2 = calloc(m, sizeof *re2);
	im2 = calloc(m, sizeof *im2);
	px = calloc(ref.n + 1, sizeof *px);
	py = calloc(ny + 1, sizeof *py);
	if (!re || !im || !re2 || !im2 || !px || !py) {
		fprintf(stderr, "xcorr: out of memory\n");
		goto out;
	}
	for (i = 0; i < ref.n; i++) {
		re[i] = ref.v[i];
		px[i + 1] = px[i] + ref.v[i] * ref.v[i];
	}
	for (i = 0; i < ny; i++) {
		re2[i] = got.v[off + i];
		py[i + 1] = py[i] + got.v[off + i] * got.v[off + i];
	}
	xc_fft(re, im, m, 0);
	xc_fft(re2, im2, m, 0);
	for (i = 0; i < m; i++) {
		/* conj(X) * Y */
		double r = re[i] * re2[i] + im[i] * im2[i];
		double q = re[i] * im2[i] - im[i] * re2[i];

		re[i] = r;
		im[i] = q;
	}
	xc_fft(re, im, m, 1);

	L = (long)(lag_ms * rate / 1000.0);
	min_len = ref.n < ny ? ref.n : ny;
	for (k = -L - (long)off; k <= L - (long)off; k++) {
		/* overlap: n in [lo, hi) with 0 <= n < ref.n and 0 <= n + k < ny */
		long lo = k < 0 ? -k : 0, hi = (long)ref.n;
		double c, ex, ey, v;

		if (hi > (long)ny - k)
			hi = (long)ny - k;
		if (hi - lo < 1 || (double)(hi - lo) < min_ov * (double)min_len)
			continue;
		if ((size_t)(k < 0 ? (long)m + k : k) >= m)
			continue;
		c = re[k < 0 ? (size_t)((long)m + k) : (size_t)k];
		ex = px[hi] - px[lo];
		ey = py[hi + k] - py[lo + k];
		if (ex <= 1e-12 || ey <= 1e-12)
			continue;
		v = c / sqrt(ex * ey);
		if (v > best) {
			best = v;
			best_k = k;
			best_ov = (size_t)(hi - lo);
			best_e = ex * ey;
		}
	}
	if (best > -1.5) {
		circ.v = re;
		circ.m = m;
		best = xc_refine(xc_circ_get, &circ, best_k, &frac) / sqrt(best_e);
		if (best > 1.0)
			best = 1.0;
	}
	if (best < -1.5) {
		fprintf(stderr, "xcorr: no lag within +-%.0f ms overlaps enough "
			"(files too short or too far apart)\n", lag_ms);
		goto out;
	}
	/* gaps in GOT's active span; the aligned REF frame: GOT frame f covers
	 * GOT samples f*flen.., i.e. REF samples f*flen - lag */
	for (i = first; i < last; i++) {
		long rs = (long)(i * flen) - (long)off - best_k;
		long rf = rs >= 0 ? rs / (long)flen : -1;
		int ref_active = rf >= 0 && (size_t)rf < nfx && fx[rf] >= thx;

		if (fy[i] < thy) {
			run_sil++;
			run_gap = ref_active ? run_gap + 1 : 0;
		} else {
			run_sil = 0;
			run_gap = 0;
		}
		if (run_sil > sil)
			sil = run_sil;
		if (run_gap > gap)
			gap = run_gap;
	}
	pg = calloc(got.n + 1, sizeof *pg);
	if (!pg) {
		fprintf(stderr, "xcorr: out of memory\n");
		goto out;
	}
	for (i = 0; i < got.n; i++)
		pg[i + 1] = pg[i] + got.v[i] * got.v[i];
	seg_len = (size_t)(seg_ms * rate / 1000.0);
	xc_segments(&ref, &got, pg, (long)off + best_k, seg_len ? seg_len : 1,
		    (long)(win_ms * rate / 1000.0), thx, verbose, &sr);
	printf("xcorr=%.4f lag_ms=%.3f gap_ms=%.0f silence_ms=%.0f overlap_ms=%.0f "
	       "ref_ms=%.0f got_ms=%.0f active_ms=%.0f seg=%.4f seg_min=%.4f segs=%zu "
	       "rate=%.0f\n",
	       best, ((double)((long)off + best_k) + frac) * 1000.0 / rate,
	       (double)(gap * flen) * 1000.0 / rate, (double)(sil * flen) * 1000.0 / rate,
	       (double)best_ov * 1000.0 / rate, (double)ref.n * 1000.0 / rate,
	       (double)got.n * 1000.0 / rate, (double)ny * 1000.0 / rate,
	       sr.mean, sr.min, sr.count, rate);
	rc = 0;
out:
	xc_free(&ref0);
	xc_free(&got0);
	xc_free(&ref);
	xc_free(&got);
	free(fx);
	free(fy);
	free(re);
	free(im);
	free(re2);
	free(im2);
	free(px);
	free(py);
	free(pg);
	return rc;
}
