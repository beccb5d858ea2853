/* test_media_jbuf.c - the playout buffer with synthetic packets and a
 * synthetic clock: reordering, loss (and the FEC peek), adapting up under
 * jitter and back down when it calms, DTMF event packets in the stream. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audio/media_int.h"

static void put(struct jbuf *jb, uint16_t seq, double at)
{
	uint8_t pl[4];

	memcpy(pl, &seq, sizeof(seq));
	pl[2] = 0xAB;
	pl[3] = 0xCD;
	(void)jbuf_put(jb, seq, (uint32_t)seq * 160, at, pl, sizeof(pl));
}

static uint16_t got_seq(const struct jbuf_slot *s)
{
	uint16_t v;

	memcpy(&v, s->data, sizeof(v));
	return v;
}

/* Playout by the clock (jbuf_get_at): packets queued before playout
 * began beyond the target go; the first to play waits a few ms after
 * it came (5 ms and twice the jitter). */
static void test_start_at(void **state)
{
	struct jbuf jb;
	const struct jbuf_slot *s;

	(void)state;
	/* four packets queued while nobody listened, then the first tick */
	jbuf_init(&jb, 8000, 20, 20, 200);
	put(&jb, 10, 1000);
	put(&jb, 11, 1000.2);
	put(&jb, 12, 1000.4);
	put(&jb, 13, 1000.6);
	assert_int_equal(jbuf_get_at(&jb, 1050, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 12);
	assert_int_equal(jb.dropped, 2);
	assert_int_equal(jbuf_get_at(&jb, 1070, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 13);

	/* the target's packets, all just come: not yet (5 ms and twice
	 * the jitter, here 2.5 ms), then the first */
	jbuf_init(&jb, 8000, 20, 20, 200);
	put(&jb, 20, 2000);
	put(&jb, 21, 2000.3);
	assert_int_equal(jbuf_get_at(&jb, 2001, &s), JBUF_EMPTY);
	assert_int_equal(jbuf_get_at(&jb, 2010, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 20);
	assert_int_equal(jb.dropped, 0);

	/* a burst of fresh packets as playout begins: the target's worth
	 * stays (the newest), the rest goes, and the first plays when it
	 * has waited a little */
	jbuf_init(&jb, 8000, 20, 20, 200);
	put(&jb, 30, 3000);
	put(&jb, 31, 3000.2);
	put(&jb, 32, 3000.4);
	assert_int_equal(jbuf_get_at(&jb, 3001, &s), JBUF_EMPTY);
	assert_int_equal(jb.dropped, 1);
	assert_int_equal(jbuf_get_at(&jb, 3015, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 31);
	assert_int_equal(jbuf_get_at(&jb, 3035, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 32);

	/* with no cushion asked for, a packet plays at the first tick
	 * a few ms after it came */
	jbuf_init(&jb, 8000, 20, 0, 200);
	put(&jb, 40, 4000);
	assert_int_equal(jbuf_get_at(&jb, 4001, &s), JBUF_EMPTY);
	assert_int_equal(jbuf_get_at(&jb, 4006, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 40);
}

static void test_reorder(void **state)
{
	struct jbuf jb;
	const struct jbuf_slot *s;

	(void)state;
	jbuf_init(&jb, 8000, 20, 20, 200);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_EMPTY);
	put(&jb, 100, 2000);
	put(&jb, 102, 2040);
	put(&jb, 101, 2041);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 100);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 101);
	assert_int_equal(s->len, 4);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 102);
	/* a duplicate and a packet already played are refused */
	assert_int_equal(jbuf_put(&jb, 101, 101 * 160, 2060, (const uint8_t *)"x",
				  1), EALREADY);
	assert_int_equal(jb.late, 1);
	put(&jb, 103, 2060);
	assert_int_equal(jbuf_put(&jb, 103, 103 * 160, 2061, (const uint8_t *)"x",
				  1), EALREADY);
	assert_int_equal(jb.dup, 1);
	/* too big for a slot */
	assert_int_equal(jbuf_put(&jb, 104, 104 * 160, 2080, jb.slot[0].data,
				  JBUF_MAX_PAYLOAD + 1), EINVAL);
}

static void test_loss_and_wrap(void **state)
{
	struct jbuf jb;
	const struct jbuf_slot *s;
	const struct jbuf_slot *nx;

	(void)state;
	jbuf_init(&jb, 8000, 20, 20, 200);
	/* sequence numbers wrap at 65535 */
	put(&jb, 65534, 0);
	put(&jb, 65535, 20);
	put(&jb, 1, 60);            /* 0 is lost */
	put(&jb, 2, 80);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 65534);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 65535);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_LOST);
	assert_null(s);
	nx = jbuf_peek_next(&jb);   /* FEC: the next packet is here */
	assert_non_null(nx);
	assert_int_equal(got_seq(nx), 1);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 1);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 2);
	assert_int_equal(jb.concealed, 1);
	/* nothing more: a few frames of concealment, then it stops */
	assert_int_equal(jbuf_get(&jb, &s), JBUF_LOST);
	assert_null(jbuf_peek_next(&jb));
	while (jbuf_get(&jb, &s) == JBUF_LOST)
		;
	assert_int_equal(jbuf_get(&jb, &s), JBUF_EMPTY);
	/* and starts again with the next talkspurt */
	put(&jb, 40, 840);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_EMPTY);   /* cushion */
	put(&jb, 41, 860);
	assert_int_equal(jbuf_get(&jb, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), 40);
}

/* Deterministic pseudo-random jitter. */
static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return (*x >> 16) & 0x7fff;
}

struct sim {
	struct jbuf jb;
	unsigned lost, played, empty;
	uint32_t max_delay;
};

/* Packets seq first..first+n-1 sent every 20 ms, each delayed by
 * base + jit(i) ms; playout ticks every 20 ms at t = 10 mod 20. */
static void simulate(struct sim *sm, uint32_t first, uint32_t n,
		     unsigned jitter_ms, uint32_t *rnd)
{
	double arr[1200];
	uint32_t i, t, t0 = first * 20, t1 = (first + n) * 20;
	const struct jbuf_slot *s;

	assert_true(n <= 1200);
	for (i = 0; i < n; i++)
		arr[i] = (first + i) * 20.0 + 5 +
			(jitter_ms ? lcg(rnd) % jitter_ms : 0);
	for (t = t0; t < t1; t++) {
		for (i = 0; i < n; i++)
			if (arr[i] >= t && arr[i] < t + 1)
				put(&sm->jb, (uint16_t)(first + i), arr[i]);
		if (t % 20 == 10) {
			enum jbuf_res r = jbuf_get(&sm->jb, &s);

			if (r == JBUF_LOST)
				sm->lost++;
			else if (r == JBUF_PACKET)
				sm->played++;
			else
				sm->empty++;
			if (jbuf_delay_ms(&sm->jb) > sm->max_delay)
				sm->max_delay = jbuf_delay_ms(&sm->jb);
		}
	}
}

static void test_adapt(void **state)
{
	struct sim sm;
	uint32_t rnd = 42, calm_target;

	(void)state;
	memset(&sm, 0, sizeof(sm));
	jbuf_init(&sm.jb, 8000, 20, 20, 200);
	/* calm: the buffer stays at its minimum */
	simulate(&sm, 0, 200, 0, &rnd);
	calm_target = sm.jb.target_ms;
	assert_true(calm_target <= 25);
	assert_true(jbuf_delay_ms(&sm.jb) <= 40);
	/* 0-80 ms of jitter: the target grows and losses stay rare after
	 * the first second */
	simulate(&sm, 200, 50, 80, &rnd);
	memset(&sm.lost, 0, sizeof(sm.lost));
	sm.played = 0;
	simulate(&sm, 250, 450, 80, &rnd);
	assert_true(sm.jb.target_ms >= 60);
	assert_true(sm.jb.target_ms <= 200);
	assert_true(sm.max_delay >= 60);
	assert_true(sm.lost * 20 < sm.played);        /* < 5 % */
	/* calm again: back down to the minimum within a few seconds */
	sm.lost = 0;
	simulate(&sm, 700, 400, 0, &rnd);
	assert_true(sm.jb.target_ms <= 30);
	assert_true(jbuf_delay_ms(&sm.jb) <= 60);
	assert_true(sm.jb.dropped > 0);               /* it shrank */
	/* the upper bound holds even under huge jitter */
	simulate(&sm, 1100, 100, 1000, &rnd);
	assert_true(sm.jb.target_ms <= 200);
}

/* A steady stream whose packets arrive right at the playout tick, a
 * millisecond either side, with a few ms of jitter now and then (a
 * loaded machine): the delay holds still, no frame is dropped and none
 * concealed after the start.  Adapting down on "above target for ten
 * frames" dropped a frame whenever the count flapped, the next late
 * packet was concealed, and the delay moved by 20 ms back and forth all
 * call long (what the far end's audio showed as lag jumps). */
static void test_phase_steady(void **state)
{
	struct jbuf jb;
	const struct jbuf_slot *s;
	uint32_t rnd = 7, i, t, lost = 0, k = 0;
	double arr[1000];

	(void)state;
	jbuf_init(&jb, 8000, 20, 20, 200);
	for (i = 0; i < 1000; i++)
		arr[i] = i * 20.0 + 12.0 + (lcg(&rnd) % 200) / 100.0 +
			(lcg(&rnd) % 10 == 0 ? (lcg(&rnd) % 6) : 0);
	for (t = 0; t < 20 * 1000; t++) {
		while (k < 1000 && arr[k] < t + 1) {
			put(&jb, (uint16_t)(300 + k), arr[k]);
			k++;
		}
		if (t % 20 == 13 && jbuf_get(&jb, &s) == JBUF_LOST && t > 1000)
			lost++;
	}
	assert_int_equal(jb.dropped, 0);
	assert_true(lost <= 2);
}

/* A steady 20 ms stream whose sender puts RFC 4733 event packets beside
 * its audio (baresip: each event packet takes the next sequence number).
 * Every audio packet plays, in order, none is concealed, and the delay
 * stays at the minimum: the event packets are no lost frames.  Before
 * the fix each one added a concealed frame and 20 ms of delay for good
 * (jb_ms 340 after two digits of 12 packets each). */
static void test_events_beside_audio(void **state)
{
	struct jbuf jb;
	const struct jbuf_slot *s;
	uint16_t seq = 5000, want = 0;
	uint32_t t, audio = 0, max_delay = 0, lost = 0, played = 0;
	uint8_t pl[4];

	(void)state;
	jbuf_init(&jb, 8000, 20, 20, 200);
	for (t = 0; t < 20 * 400; t++) {
		if (t % 20 == 3) {
			/* audio frame number `audio`, as payload */
			memcpy(pl, &audio, 2);
			pl[2] = pl[3] = 0;
			(void)jbuf_put(&jb, seq++, audio * 160, t, pl, 4);
			audio++;
			/* two digits of 12 event packets, at 2 s and 3 s */
			if ((audio >= 100 && audio < 112) ||
			    (audio >= 150 && audio < 162))
				assert_int_equal(jbuf_skip(&jb, seq++, t + 0.5), 0);
		}
		if (t % 20 == 13) {
			enum jbuf_res r = jbuf_get(&jb, &s);

			if (r == JBUF_PACKET) {
				uint16_t v;

				memcpy(&v, s->data, 2);
				if (played)
					assert_int_equal(v, want);
				want = (uint16_t)(v + 1);
				played++;
			} else if (r == JBUF_LOST) {
				lost++;
			}
			if (jbuf_delay_ms(&jb) > max_delay)
				max_delay = jbuf_delay_ms(&jb);
		}
	}
	assert_int_equal(lost, 0);
	assert_true(played >= 395);
	assert_true(max_delay <= 40);
	assert_int_equal(jb.dropped, 0);
	assert_int_equal(jb.concealed, 0);
}

/* A sender that replaces its audio by the event packets (pjsip, WebRTC):
 * the audio's timestamps jump by the event's length; the buffer conceals
 * or re-buffers through the event and is back at its minimum delay, all
 * later audio played. */
static void test_events_instead_of_audio(void **state)
{
	struct jbuf jb;
	const struct jbuf_slot *s;
	uint16_t seq = 65500;      /* wraps during the call */
	uint32_t t, frame = 0, played = 0, late_played = 0;

	(void)state;
	jbuf_init(&jb, 8000, 20, 20, 200);
	for (t = 0; t < 20 * 300; t++) {
		if (t % 20 == 3) {
			if (frame >= 100 && frame < 107)
				(void)jbuf_skip(&jb, seq++, t);
			else
				put(&jb, seq++, t);
			frame++;
		}
		if (t % 20 == 13) {
			enum jbuf_res r = jbuf_get(&jb, &s);

			if (r == JBUF_PACKET) {
				played++;
				if (frame > 150)
					late_played++;
			}
			if (frame > 150)
				assert_true(jbuf_delay_ms(&jb) <= 40);
		}
	}
	assert_true(played >= 290);
	assert_true(late_played >= 148);
}

/* A burst at the start (a sender that had frames queued) fills the
 * buffer far past its target: the delay comes back down to the minimum
 * within a few seconds of a steady stream, and stays there. */
static void test_burst_drains(void **state)
{
	struct jbuf jb;
	const struct jbuf_slot *s;
	uint16_t seq = 1;
	uint32_t t, i;

	(void)state;
	jbuf_init(&jb, 8000, 20, 20, 200);
	for (i = 0; i < 15; i++)
		put(&jb, seq++, 0.1 * i);
	for (t = 0; t < 20 * 250; t++) {
		if (t % 20 == 3 && t > 0)
			put(&jb, seq++, t);
		if (t % 20 == 13) {
			(void)jbuf_get(&jb, &s);
			if (t > 3000)
				assert_true(jbuf_delay_ms(&jb) <= 40);
		}
	}
	assert_true(jb.dropped >= 10);
}

/* Playout stalls for 1.2 s while packets keep coming (a card that took
 * no audio): at the next tick the buffer holds no more than its
 * maximum, and the frames it keeps are the newest, in order. */
static void test_stall_bound(void **state)
{
	struct jbuf jb;
	const struct jbuf_slot *s;
	uint16_t seq = 1, last;
	uint32_t t;

	(void)state;
	jbuf_init(&jb, 8000, 20, 40, 200);
	for (t = 0; t < 1000; t++) {
		if (t % 20 == 3)
			put(&jb, seq++, t);
		if (t % 20 == 13 && t > 100)
			(void)jbuf_get_at(&jb, t, &s);
	}
	assert_true(jb.started);
	assert_true(jbuf_delay_ms(&jb) <= 60);
	for (; t < 2200; t++)
		if (t % 20 == 3)
			put(&jb, seq++, t);
	last = (uint16_t)(seq - 1);
	assert_true(jbuf_delay_ms(&jb) > 1000);
	assert_int_equal(jbuf_get_at(&jb, t, &s), JBUF_PACKET);
	assert_true(jbuf_delay_ms(&jb) <= 200);
	/* the target (40 ms, two frames) after the frame playing */
	assert_int_equal(got_seq(s), (uint16_t)(last - 2));
	assert_true(jb.dropped >= 55);
	assert_int_equal(jbuf_get_at(&jb, t + 20, &s), JBUF_PACKET);
	assert_int_equal(got_seq(s), (uint16_t)(last - 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reorder),
		cmocka_unit_test(test_loss_and_wrap),
		cmocka_unit_test(test_adapt),
		cmocka_unit_test(test_events_beside_audio),
		cmocka_unit_test(test_events_instead_of_audio),
		cmocka_unit_test(test_burst_drains),
		cmocka_unit_test(test_phase_steady),
		cmocka_unit_test(test_start_at),
		cmocka_unit_test(test_stall_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
