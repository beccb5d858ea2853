/* jbuf.c - adaptive playout buffer: reorders, spots losses for PLC/FEC,
 * sizes itself from the measured jitter and shrinks when it calms down. */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "audio/media_int.h"

/* Adapting down looks at the fewest frames held over a window of
 * playout: a buffer that never came down to its target plus the frame
 * playing, for the whole window, holds frames nobody needs.  The minimum
 * ignores a packet that arrives just before or just after a tick (the
 * count then flaps by one), which a count of consecutive frames over
 * target mistook for excess: a frame dropped, the next late packet
 * concealed, the delay moving by 20 ms back and forth all call long.
 * Frames of concealment on an empty buffer before playout stops and
 * re-buffers: */
#define JBUF_WINDOW 25
#define JBUF_UNDERRUN_STOP 5
/* With no jitter measured the buffer holds no cushion: a packet plays at
 * the first tick after it came.  A frame concealed (a packet lost, or
 * one that came just too late for its tick) brings one frame of cushion
 * back for this many frames (10 s at 20 ms): the next packet, which
 * carries the lost one's in-band FEC, is then here in time, and a
 * sender whose packets arrive right at the tick does not make the
 * buffer conceal and drop frames by turns. */
#define JBUF_CUSHION_HOLD 500
/* Playout starts when the first packet has waited this long plus twice
 * the jitter: frames are then taken a few ms after their packets come,
 * not right at the moment they come, where a packet a little late
 * costs a concealed frame and a frame of delay. */
#define JBUF_START_MARGIN_MS 5.0

void jbuf_init(struct jbuf *jb, uint32_t clock, uint32_t ptime_ms,
	       uint32_t min_ms, uint32_t max_ms)
{
	memset(jb, 0, sizeof(*jb));
	jb->clock = clock ? clock : 8000;
	jb->ptime_ms = ptime_ms ? ptime_ms : 20;
	if (max_ms < min_ms)
		max_ms = min_ms;
	jb->min_ms = min_ms;
	jb->max_ms = max_ms;
	jb->target_ms = min_ms;
	jb->tf = (min_ms + jb->ptime_ms / 2) / jb->ptime_ms;
	jb->win_min = UINT32_MAX;
}

static void jbuf_flush(struct jbuf *jb)
{
	size_t i;

	for (i = 0; i < JBUF_SLOTS; i++)
		jb->slot[i].used = false;
	jb->started = false;
	jb->have_seq = false;
	jb->win_min = UINT32_MAX;
	jb->win_n = 0;
}

void jbuf_reset(struct jbuf *jb)
{
	jbuf_flush(jb);
	jb->have_transit = false;
	jb->jitter_ms = 0;
	jb->peak_ms = 0;
	jb->target_ms = jb->min_ms;
	jb->tf = (jb->min_ms + jb->ptime_ms / 2) / jb->ptime_ms;
	jb->cushion_hold = 0;
}

/* Frames of cushion beyond the one playing, at the least. */
static uint32_t jbuf_floor_frames(const struct jbuf *jb)
{
	return jb->cushion_hold ? 1 : 0;
}

static uint32_t jbuf_target_frames(const struct jbuf *jb)
{
	uint32_t fl = jbuf_floor_frames(jb);

	return jb->tf > fl ? jb->tf : fl;
}

/* The target in frames moves only when the target in ms is a quarter
 * frame past the rounding point: jitter hovering around a boundary does
 * not flap it. */
static void jbuf_update_target(struct jbuf *jb)
{
	double t = jb->min_ms + 3.0 * jb->peak_ms, f;

	if (t > jb->max_ms)
		t = jb->max_ms;
	jb->target_ms = (uint32_t)t;
	f = t / jb->ptime_ms;
	if (f > jb->tf + 0.75)
		jb->tf = (uint32_t)(f + 0.5);
	else if (jb->tf > 0 && f < jb->tf - 0.75)
		jb->tf = (uint32_t)(f + 0.5);
}

static void jbuf_measure(struct jbuf *jb, uint32_t ts, double arrival_ms)
{
	double transit = arrival_ms - (double)ts * 1000.0 / jb->clock, d;

	if (!jb->have_transit) {
		jb->have_transit = true;
		jb->transit = transit;
		return;
	}
	d = fabs(transit - jb->transit);
	jb->transit = transit;
	if (d > 10000)    /* a timestamp jump, not jitter */
		return;
	jb->jitter_ms += (d - jb->jitter_ms) / 16.0;
	/* The peak follows a rise at once and falls back over about two
	 * seconds of packets, so the target adapts down as well as up. */
	if (jb->jitter_ms > jb->peak_ms)
		jb->peak_ms = jb->jitter_ms;
	else
		jb->peak_ms -= (jb->peak_ms - jb->jitter_ms) *
			(double)jb->ptime_ms / 2000.0;
	jbuf_update_target(jb);
}

/* Playout moves past the slot at next, dropping its packet if it holds
 * one. */
static void jbuf_drop_next(struct jbuf *jb)
{
	struct jbuf_slot *s = &jb->slot[jb->next & (JBUF_SLOTS - 1)];

	if (s->used && s->seq == jb->next)
		jb->dropped++;
	s->used = false;
	jb->next++;
}

static int jbuf_put_x(struct jbuf *jb, uint16_t seq, uint32_t ts,
		      double arrival_ms, const uint8_t *p, size_t len,
		      bool skip)
{
	struct jbuf_slot *s;
	uint32_t ext;

	if (len > JBUF_MAX_PAYLOAD)
		return EINVAL;
	/* an event's timestamp is its start, repeated: no transit time */
	if (!skip)
		jbuf_measure(jb, ts, arrival_ms);
	if (!jb->have_seq) {
		jb->have_seq = true;
		ext = seq;
		jb->next = ext;
		jb->highest = ext;
	} else {
		ext = jb->highest + (uint32_t)(int32_t)(int16_t)
			(uint16_t)(seq - (uint16_t)jb->highest);
	}
	if ((int32_t)(ext - jb->next) < 0) {
		if (jb->next - ext > 1000) {
			/* far behind: the sender restarted its sequence */
			jbuf_flush(jb);
			return jbuf_put_x(jb, seq, ts, arrival_ms, p, len,
					  skip);
		}
		jb->late++;
		return EALREADY;
	}
	if (ext - jb->next >= JBUF_SLOTS) {
		if (ext - jb->next > 1000 || !jb->started) {
			jbuf_flush(jb);
			return jbuf_put_x(jb, seq, ts, arrival_ms, p, len,
					  skip);
		}
		/* too far ahead of playout: skip forward, losing the gap */
		while (ext - jb->next >= JBUF_SLOTS)
			jbuf_drop_next(jb);
	}
	s = &jb->slot[ext & (JBUF_SLOTS - 1)];
	if (s->used && s->seq == ext) {
		jb->dup++;
		return EALREADY;
	}
	s->used = true;
	s->skip = skip;
	s->seq = ext;
	s->ts = ts;
	s->arrival_ms = arrival_ms;
	s->len = skip ? 0 : len;
	if (s->len)
		memcpy(s->data, p, len);
	if ((int32_t)(ext - jb->highest) > 0)
		jb->highest = ext;
	jb->last_seq16 = seq;
	return 0;
}

int jbuf_put(struct jbuf *jb, uint16_t seq, uint32_t ts, double arrival_ms,
	     const uint8_t *p, size_t len)
{
	return jbuf_put_x(jb, seq, ts, arrival_ms, p, len, false);
}

int jbuf_skip(struct jbuf *jb, uint16_t seq, double arrival_ms)
{
	return jbuf_put_x(jb, seq, 0, arrival_ms, NULL, 0, true);
}

static bool jbuf_is_skip(const struct jbuf *jb, uint32_t ext)
{
	const struct jbuf_slot *s = &jb->slot[ext & (JBUF_SLOTS - 1)];

	return s->used && s->seq == ext && s->skip;
}

/* Audio frames from next to highest: packets and holes, not the
 * sequence numbers that other payloads (DTMF events) used up.  A sender
 * that sends events beside its audio (baresip) would otherwise add a
 * frame of delay, and a concealed frame, for every event packet. */
static uint32_t jbuf_held(const struct jbuf *jb)
{
	uint32_t n, i;

	if (!jb->have_seq || (int32_t)(jb->highest - jb->next) < 0)
		return 0;
	n = jb->highest - jb->next + 1;
	for (i = jb->next; i != jb->highest + 1; i++)
		if (jbuf_is_skip(jb, i))
			n--;
	return n;
}

/* Playout passes over the non-audio packets without spending a frame. */
static void jbuf_pass_skips(struct jbuf *jb)
{
	unsigned n;

	for (n = 0; n < JBUF_SLOTS && jbuf_is_skip(jb, jb->next); n++) {
		jb->slot[jb->next & (JBUF_SLOTS - 1)].used = false;
		jb->next++;
	}
}

/* Playout moves on, dropping what it passes, until keep frames are
 * held; returns what is held. */
static uint32_t jbuf_drop_to(struct jbuf *jb, uint32_t keep)
{
	uint32_t held = jbuf_held(jb);

	while (held > keep) {
		jbuf_drop_next(jb);
		jbuf_pass_skips(jb);
		held = jbuf_held(jb);
	}
	return held;
}

uint32_t jbuf_delay_ms(const struct jbuf *jb)
{
	return jb->started ? jbuf_held(jb) * jb->ptime_ms : 0;
}

const struct jbuf_slot *jbuf_peek_next(const struct jbuf *jb)
{
	const struct jbuf_slot *s;
	uint32_t nx = jb->next;
	unsigned n;

	for (n = 0; n < JBUF_SLOTS && jbuf_is_skip(jb, nx); n++)
		nx++;
	s = &jb->slot[nx & (JBUF_SLOTS - 1)];
	return jb->have_seq && s->used && s->seq == nx && !s->skip ? s : NULL;
}

enum jbuf_res jbuf_get(struct jbuf *jb, const struct jbuf_slot **out)
{
	return jbuf_get_at(jb, -1, out);
}

/* Has the packet to play first waited long enough (see
 * JBUF_START_MARGIN_MS)?  Without a clock (now_ms < 0) it has. */
static bool jbuf_ripe(const struct jbuf *jb, double now_ms)
{
	const struct jbuf_slot *s = jbuf_peek_next(jb);
	double m = JBUF_START_MARGIN_MS + 2.0 * jb->peak_ms;

	if (now_ms < 0 || !s)
		return true;
	if (m > jb->ptime_ms)
		m = jb->ptime_ms;
	return now_ms - s->arrival_ms >= m;
}

enum jbuf_res jbuf_get_at(struct jbuf *jb, double now_ms,
			  const struct jbuf_slot **out)
{
	struct jbuf_slot *s;
	uint32_t tf = jbuf_target_frames(jb), held;

	*out = NULL;
	if (jb->cushion_hold)
		jb->cushion_hold--;
	if (!jb->have_seq)
		return JBUF_EMPTY;
	jbuf_pass_skips(jb);
	held = jbuf_held(jb);
	if (!jb->started) {
		/* the frame to play now plus tf frames of cushion */
		if (held < tf + 1)
			return JBUF_EMPTY;
		/* What came before playout begins by the clock (a burst the
		 * far end queued, packets that waited for us to listen) says
		 * nothing of the network: the jitter is measured afresh from
		 * here.  Kept, it set a target the buffer shrank from a few
		 * seconds in, dropping a frame mid-call.  And the packets
		 * beyond the target (the far end sent as it answered, or its
		 * source had frames queued) go now.  Kept, they are a delay
		 * the buffer drains half a second into the call, the audio
		 * jumping forward there. */
		if (now_ms >= 0) {
			jb->have_transit = false;
			jb->jitter_ms = jb->peak_ms = 0;
			jbuf_update_target(jb);
			tf = jbuf_target_frames(jb);
			held = jbuf_drop_to(jb, tf + 1);
		}
		if (!jbuf_ripe(jb, now_ms))
			return JBUF_EMPTY;
		jb->started = true;
		jb->underruns = 0;
		jb->win_min = UINT32_MAX;
		jb->win_n = 0;
	}
	/* Never more than the most delay allowed (jitter_max_ms) beyond
	 * the frame playing.  Held past it, playout stalled (a card that
	 * took no audio for a second, a media thread held up) or a network
	 * stall ended in a burst: halved window by window, that backlog
	 * kept its delay for seconds.  What is beyond the target goes at
	 * once, the audio jumping forward once. */
	if (held > (jb->max_ms + jb->ptime_ms - 1) / jb->ptime_ms + 1) {
		held = jbuf_drop_to(jb, tf + 1);
		jb->win_min = UINT32_MAX;
		jb->win_n = 0;
	}
	/* Adapting down: frames held all through the window beyond the
	 * target go, half the excess at a time (a burst drains in a couple
	 * of windows, a single extra frame in one). */
	if (held < jb->win_min)
		jb->win_min = held;
	if (++jb->win_n >= JBUF_WINDOW) {
		uint32_t excess = jb->win_min > tf + 1 ?
			jb->win_min - (tf + 1) : 0, k;

		excess = excess > 1 ? excess / 2 : excess;
		for (k = 0; k < excess; k++) {
			jbuf_drop_next(jb);
			jbuf_pass_skips(jb);
		}
		jb->win_min = UINT32_MAX;
		jb->win_n = 0;
	}
	s = &jb->slot[jb->next & (JBUF_SLOTS - 1)];
	if (s->used && s->seq == jb->next) {
		s->used = false;   /* the data stays until the next put here */
		jb->next++;
		jb->played++;
		jb->underruns = 0;
		*out = s;
		return JBUF_PACKET;
	}
	if ((int32_t)(jb->highest - jb->next) > 0) {
		/* a hole with later packets behind it: that one is lost */
		jb->next++;
		jb->concealed++;
		jb->underruns = 0;
		jb->cushion_hold = JBUF_CUSHION_HOLD;
		return JBUF_LOST;
	}
	/* Empty: the packet is late.  Hold the position (the delay grows by a
	 * frame, adapting up); after a while the sender has paused (DTX,
	 * hold): stop and buffer again when it comes back. */
	if (++jb->underruns > JBUF_UNDERRUN_STOP) {
		jb->started = false;
		jb->have_seq = false;
		return JBUF_EMPTY;
	}
	jb->concealed++;
	jb->cushion_hold = JBUF_CUSHION_HOLD;
	return JBUF_LOST;
}
