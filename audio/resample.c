/* resample.c - speexdsp between a device's rate and the codec's, with a
 * small queue so whole frames come out whatever the ratio. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <speex/speex_resampler.h>

#include "audio/media_int.h"

int rsmp_init(struct rsmp *r, uint32_t in_rate, uint32_t out_rate)
{
	int err = 0;

	memset(r, 0, sizeof(*r));
	r->in_rate = in_rate;
	r->out_rate = out_rate;
	if (in_rate == out_rate)
		return 0;
	r->st = speex_resampler_init(1, in_rate, out_rate, 3, &err);
	return r->st ? 0 : ENOMEM;
}

void rsmp_free(struct rsmp *r)
{
	if (r->st)
		speex_resampler_destroy(r->st);
	r->st = NULL;
}

void rsmp_push(struct rsmp *r, const int16_t *in, size_t n)
{
	while (n) {
		spx_uint32_t inl, outl;
		size_t room = RSMP_QUEUE - r->n;

		if (!room) {
			/* nobody pops: keep the newest audio */
			memmove(r->q, r->q + RSMP_QUEUE / 2,
				(RSMP_QUEUE / 2) * sizeof(*r->q));
			r->n = RSMP_QUEUE / 2;
			continue;
		}
		if (!r->st) {
			inl = (spx_uint32_t)(n < room ? n : room);
			memcpy(r->q + r->n, in, inl * sizeof(*in));
			outl = inl;
		} else {
			inl = (spx_uint32_t)n;
			outl = (spx_uint32_t)room;
			speex_resampler_process_int(r->st, 0, in, &inl,
						    r->q + r->n, &outl);
			if (!inl && !outl)
				break;
		}
		r->n += outl;
		in += inl;
		n -= inl;
	}
}

size_t rsmp_pop(struct rsmp *r, int16_t *out, size_t n)
{
	if (n > r->n)
		return 0;
	memcpy(out, r->q, n * sizeof(*out));
	memmove(r->q, r->q + n, (r->n - n) * sizeof(*r->q));
	r->n -= n;
	return n;
}
