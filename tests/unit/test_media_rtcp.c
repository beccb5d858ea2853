/* test_media_rtcp.c - an eleven-second call between two media sessions: RTCP
 * reports flow both ways twice (round trip and the far end's loss figure
 * appear in the stats), a `stats` event comes every 5 s, and SRTCP keeps it all
 * protected. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "audio/media.h"
#include "core/events.h"
#include "core/loop.h"

static unsigned nstats, nstats_b;
static double last_rtt = -1;

static void on_event(const json_t *ev, void *arg)
{
	const char *t = json_string_value(json_object_get(ev, "type"));

	(void)arg;
	if (!t || strcmp(t, "stats"))
		return;
	if (json_integer_value(json_object_get(ev, "call")) == 1) {
		nstats++;
		last_rtt = json_real_value(json_object_get(ev, "rtt_ms"));
	} else {
		nstats_b++;
	}
}

static void fill(struct media_params *p, unsigned call, uint16_t rport,
		 uint8_t ka, uint8_t kb)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->call_id = call;
	snprintf(p->codec, sizeof(p->codec), "opus");
	p->pt = 111;
	p->clock = 48000;
	p->channels = 2;
	p->dtmf_pt = 101;
	p->ptime = 20;
	snprintf(p->raddr, sizeof(p->raddr), "127.0.0.1");
	p->rport = rport;
	p->send = p->recv = true;
	snprintf(p->cname, sizeof(p->cname), "rtcp%u", call);
	p->srtp.on = true;
	snprintf(p->srtp.suite, sizeof(p->srtp.suite), MEDIA_SRTP_80);
	for (i = 0; i < MEDIA_SRTP_KEY_LEN; i++) {
		p->srtp.tx_key[i] = (uint8_t)(ka + i);
		p->srtp.rx_key[i] = (uint8_t)(kb + i);
	}
}

static void test_rtcp(void **state)
{
	struct loop *loop;
	struct media_engine *ea, *eb;
	struct media_session *a, *b;
	struct media_opts o = {NULL, NULL, true};
	struct media_params pa, pb;
	struct media_stats sa, sb;
	uint16_t porta, portb;
	uint64_t end;

	(void)state;
	assert_int_equal(loop_alloc(&loop), 0);
	events_subscribe(on_event, NULL);
	assert_int_equal(media_engine_alloc(&ea, loop, NULL, &o), 0);
	assert_int_equal(media_engine_alloc(&eb, loop, NULL, &o), 0);
	assert_int_equal(media_session_alloc(&a, ea, "127.0.0.1", 20000, 60000,
					     &porta), 0);
	assert_int_equal(media_session_alloc(&b, eb, "127.0.0.1", 20000, 60000,
					     &portb), 0);
	fill(&pa, 1, portb, 1, 101);
	fill(&pb, 2, porta, 101, 1);
	assert_int_equal(media_session_start(a, &pa), 0);
	assert_int_equal(media_session_start(b, &pb), 0);
	end = loop_now_ms() + 11500;
	while (loop_now_ms() < end)
		(void)loop_once(loop, 50);
	assert_int_equal(media_session_stats(a, &sa), 0);
	assert_int_equal(media_session_stats(b, &sb), 0);
	print_message("# rtt %.2f ms, far loss %.1f %%, jitter %.2f ms, "
		      "tx %llu rx %llu\n", sa.rtt_ms, sa.loss_pct, sa.jitter_ms,
		      (unsigned long long)sa.tx_packets,
		      (unsigned long long)sb.rx_packets);
	assert_int_equal(nstats, 2);        /* at 5 and 10 s, before stop */
	assert_true(sa.rtt_ms >= 0);        /* RTCP SR/RR went both ways */
	assert_true(sa.rtt_ms < 50);
	assert_true(sa.loss_pct >= 0 && sa.loss_pct < 1);
	assert_true(sa.tx_packets >= 560 && sa.tx_packets <= 590);
	assert_true(sb.rx_packets + 2 >= sa.tx_packets);
	assert_int_equal(sb.srtp_failed, 0);
	assert_int_equal(sa.srtp_failed, 0);
	media_session_free(a);
	media_session_free(b);
	media_engine_free(ea);
	media_engine_free(eb);
	end = loop_now_ms() + 50;
	while (loop_now_ms() < end)
		(void)loop_once(loop, 10);
	assert_int_equal(nstats, 3);        /* + the one at stop */
	assert_int_equal(nstats_b, 3);
	events_unsubscribe(on_event, NULL);
	loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rtcp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
