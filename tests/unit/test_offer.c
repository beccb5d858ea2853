/* test_offer.c - SDP offer/answer policy: our offer, answers to baresip and linphone offers, 488, hold, port 0. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ua/offer.h"
#include "ua/sdp.h"

static const struct offer_local local4 = {
	.addr = "192.0.2.7", .port = 20000, .sess_id = 42,
	.sess_version = 1, .dir = SDP_DIR_SENDRECV,
};

/* baresip 1.0 with Opus and G.711. */
static const char baresip_offer[] =
	"v=0\r\n"
	"o=- 1418 2934 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 10000 RTP/AVP 96 0 8 101\r\n"
	"b=AS:128\r\n"
	"a=rtpmap:96 opus/48000/2\r\n"
	"a=fmtp:96 stereo=1;sprop-stereo=1\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=sendrecv\r\n"
	"a=label:1\r\n"
	"a=ssrc:123 cname:x\r\n";

/* linphone 5: speex and G.722 first, no rtpmap for the static types. */
static const char linphone_offer[] =
	"v=0\r\n"
	"o=dave 3011 1456 IN IP4 127.0.0.1\r\n"
	"s=Talk\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\r\n"
	"m=audio 7078 RTP/AVP 9 97 8 0 101\r\n"
	"a=rtpmap:97 speex/16000\r\n"
	"a=fmtp:97 vbr=on\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=rtcp-fb:* trr-int 5000\r\n"
	"m=video 9078 RTP/AVP 96\r\n"
	"a=rtpmap:96 VP8/90000\r\n";

static const char g722_offer[] =
	"v=0\r\n"
	"o=- 1 1 IN IP4 127.0.0.1\r\n"
	"s=-\r\n"
	"c=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\n"
	"m=audio 6000 RTP/AVP 9 18\r\n"
	"a=rtpmap:9 G722/8000\r\n"
	"a=rtpmap:18 G729/8000\r\n";

static struct sdp_session *parse_buf(struct buf *b)
{
	struct sdp_session *s = NULL;

	assert_int_equal(b->err, 0);
	assert_int_equal(sdp_parse(&s, b->data, b->len), 0);
	return s;
}

static void test_offer_build(void **state)
{
	struct sdp_session *s;
	const struct sdp_format *f;
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(offer_build(&b, &local4), 0);
	s = parse_buf(&b);
	assert_int_equal(s->nmedia, 1);
	assert_int_equal(s->media[0].port, 20000);
	assert_int_equal(s->media[0].proto, SDP_PROTO_RTP_AVP);
	assert_int_equal(s->media[0].nfmts, 4);
	assert_int_equal(s->media[0].fmts[0].pt, OFFER_PT_OPUS);
	f = sdp_format_find(&s->media[0], "opus", 48000);
	assert_non_null(f);
	assert_int_equal(f->channels, 2);
	assert_true(pl_eq_str(&f->fmtp, "useinbandfec=1"));
	assert_int_equal(s->media[0].fmts[1].pt, 0);
	assert_int_equal(s->media[0].fmts[2].pt, 8);
	f = sdp_format_find(&s->media[0], "telephone-event", 8000);
	assert_non_null(f);
	assert_int_equal(f->pt, OFFER_PT_DTMF);
	assert_int_equal(s->media[0].ptime, 20);
	assert_int_equal(sdp_media_dir(s, &s->media[0]), SDP_DIR_SENDRECV);
	assert_true(pl_eq_str(&s->conn.addr, "192.0.2.7"));
	assert_int_equal(s->conn.af, SDP_AF_IP4);
	assert_int_equal(s->origin.sess_id, 42);
	assert_non_null(strstr(b.data, "a=rtpmap:111 opus/48000/2\r\n"));
	sdp_free(s);
	buf_free(&b);
}

static void test_offer_ipv6_hold(void **state)
{
	struct offer_local l = local4;
	struct sdp_session *s;
	struct buf b;

	(void)state;
	l.addr = "2001:db8::7";
	l.dir = offer_hold_dir(false);
	l.sess_version = 2;
	buf_init(&b, 4096);
	assert_int_equal(offer_build(&b, &l), 0);
	s = parse_buf(&b);
	assert_int_equal(s->conn.af, SDP_AF_IP6);
	assert_int_equal(s->origin.sess_version, 2);
	assert_int_equal(sdp_media_dir(s, &s->media[0]), SDP_DIR_SENDONLY);
	sdp_free(s);
	buf_free(&b);
	assert_int_equal(offer_hold_dir(true), SDP_DIR_INACTIVE);
}

static void test_answer_baresip(void **state)
{
	struct offer_result r;
	struct sdp_session *s;
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(offer_answer(&b, &r, baresip_offer,
				      strlen(baresip_offer), &local4), 0);
	assert_string_equal(r.codec, "opus");
	assert_int_equal(r.pt, 96);
	assert_int_equal(r.clock, 48000);
	assert_int_equal(r.dtmf_pt, 101);
	assert_string_equal(r.raddr, "127.0.0.1");
	assert_int_equal(r.rport, 10000);
	assert_int_equal(r.local_dir, SDP_DIR_SENDRECV);
	s = parse_buf(&b);
	assert_int_equal(s->nmedia, 1);
	assert_int_equal(s->media[0].port, 20000);
	assert_int_equal(s->media[0].nfmts, 2);
	/* The offerer's payload types, in its order. */
	assert_int_equal(s->media[0].fmts[0].pt, 96);
	assert_int_equal(s->media[0].fmts[1].pt, 101);
	assert_true(pl_eq_str(&s->media[0].fmts[0].fmtp, "useinbandfec=1"));
	assert_true(pl_eq_str(&s->conn.addr, "192.0.2.7"));
	assert_int_equal(s->media[0].ptime, 20);
	sdp_free(s);
	buf_free(&b);
}

static void test_answer_linphone(void **state)
{
	struct offer_result r;
	struct sdp_session *s;
	struct buf b;

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(offer_answer(&b, &r, linphone_offer,
				      strlen(linphone_offer), &local4), 0);
	/* 9 (G.722) and 97 (speex) are not ours: PCMA comes first after them. */
	assert_string_equal(r.codec, "PCMA");
	assert_int_equal(r.pt, 8);
	assert_int_equal(r.dtmf_pt, 101);
	s = parse_buf(&b);
	assert_int_equal(s->nmedia, 2);
	assert_int_equal(s->media[0].fmts[0].pt, 8);
	assert_int_equal(s->media[0].port, 20000);
	/* Video is refused with port 0, the stream kept in its place. */
	assert_true(pl_eq_str(&s->media[1].type, "video"));
	assert_int_equal(s->media[1].port, 0);
	assert_int_equal(s->media[1].nfmts, 1);
	sdp_free(s);
	buf_free(&b);
}

static void test_answer_488(void **state)
{
	struct offer_result r;
	struct buf b;
	static const char savp[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 6000 RTP/SAVP 0\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"
		"WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n";

	(void)state;
	buf_init(&b, 4096);
	assert_int_equal(offer_answer(&b, &r, g722_offer, strlen(g722_offer),
				      &local4), ENOTSUP);
	/* SRTP is not there yet: an SAVP-only offer is refused too. */
	assert_int_equal(offer_answer(&b, &r, savp, strlen(savp), &local4),
			 ENOTSUP);
	assert_int_equal(offer_answer(&b, &r, "v=0\r\nbogus", 10, &local4),
			 EBADMSG);
	buf_free(&b);
}

static void answer_dir(const char *dir, enum sdp_dir want,
		       enum sdp_dir expect_local, enum sdp_dir expect_remote)
{
	char offer[1024];
	struct offer_local l = local4;
	struct offer_result r;
	struct sdp_session *s;
	struct buf b;

	snprintf(offer, sizeof(offer),
		 "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n"
		 "c=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 6000 RTP/AVP 0\r\n"
		 "a=%s\r\n", dir);
	l.dir = want;
	buf_init(&b, 4096);
	assert_int_equal(offer_answer(&b, &r, offer, strlen(offer), &l), 0);
	assert_int_equal(r.local_dir, expect_local);
	assert_int_equal(r.remote_dir, expect_remote);
	s = parse_buf(&b);
	assert_int_equal(s->media[0].dir, expect_local);
	sdp_free(s);
	buf_free(&b);
}

static void test_answer_hold(void **state)
{
	(void)state;
	/* The far end holds: we answer recvonly and show remote-held. */
	answer_dir("sendonly", SDP_DIR_SENDRECV, SDP_DIR_RECVONLY,
		   SDP_DIR_SENDONLY);
	assert_true(offer_remote_holds(SDP_DIR_SENDONLY));
	answer_dir("inactive", SDP_DIR_SENDRECV, SDP_DIR_INACTIVE,
		   SDP_DIR_INACTIVE);
	assert_true(offer_remote_holds(SDP_DIR_INACTIVE));
	/* Both hold: inactive. */
	answer_dir("sendonly", SDP_DIR_SENDONLY, SDP_DIR_INACTIVE,
		   SDP_DIR_SENDONLY);
	/* We hold and the far end resumes: we only send. */
	answer_dir("sendrecv", SDP_DIR_SENDONLY, SDP_DIR_SENDONLY,
		   SDP_DIR_SENDRECV);
	assert_false(offer_remote_holds(SDP_DIR_SENDRECV));
	assert_false(offer_remote_holds(SDP_DIR_RECVONLY));
}

static void test_answer_port0(void **state)
{
	struct offer_result r;
	struct sdp_session *s;
	struct buf b;
	static const char two[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 0 RTP/AVP 0\r\nm=audio 7000 RTP/AVP 8 0\r\n";
	static const char none[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 0 RTP/AVP 0\r\n";
	static const char hold2543[] =
		"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\n"
		"t=0 0\r\nm=audio 7000 RTP/AVP 0\r\n";

	(void)state;
	buf_init(&b, 4096);
	/* A disabled stream stays disabled; the next one is taken. */
	assert_int_equal(offer_answer(&b, &r, two, strlen(two), &local4), 0);
	s = parse_buf(&b);
	assert_int_equal(s->nmedia, 2);
	assert_int_equal(s->media[0].port, 0);
	assert_int_equal(s->media[1].port, 20000);
	assert_int_equal(s->media[1].fmts[0].pt, 8);
	assert_int_equal(r.rport, 7000);
	sdp_free(s);
	buf_reset(&b);
	assert_int_equal(offer_answer(&b, &r, none, strlen(none), &local4),
			 ENOTSUP);
	buf_reset(&b);
	assert_int_equal(offer_answer(&b, &r, hold2543, strlen(hold2543),
				      &local4), 0);
	assert_true(offer_remote_holds(r.remote_dir));
	buf_free(&b);
}

static void test_accept(void **state)
{
	struct offer_result r;
	static const char ans[] =
		"v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 10002 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\na=ptime:30\r\n"
		"a=recvonly\r\n";
	static const char rejected[] =
		"v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 0 RTP/AVP 0\r\n";

	(void)state;
	assert_int_equal(offer_accept(&r, ans, strlen(ans), &local4), 0);
	assert_string_equal(r.codec, "PCMU");
	assert_int_equal(r.pt, 0);
	assert_int_equal(r.dtmf_pt, 101);
	assert_int_equal(r.ptime, 30);
	assert_int_equal(r.rport, 10002);
	assert_int_equal(r.remote_dir, SDP_DIR_RECVONLY);
	assert_int_equal(r.local_dir, SDP_DIR_SENDONLY);
	assert_int_equal(offer_accept(&r, rejected, strlen(rejected), &local4),
			 ENOTSUP);
}

/* A key of 30 bytes 0x01..0x1e, and its base64. */
#define KEY_B64 "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e"

static struct offer_local srtp_local(enum offer_srtp mode, bool secure)
{
	struct offer_local l = local4;

	l.srtp = mode;
	l.secure = secure;
	for (size_t i = 0; i < sizeof(l.key); i++)
		l.key[i] = (uint8_t)(0xa0 + i);
	return l;
}

static void test_srtp_offer(void **state)
{
	struct offer_local l;
	struct buf b;

	(void)state;
	l = srtp_local(OFFER_SRTP_OPTIONAL, true);
	buf_init(&b, 1024);
	assert_int_equal(offer_build(&b, &l), 0);
	assert_non_null(strstr(b.data, "m=audio 20000 RTP/AVP "));
	assert_non_null(strstr(b.data, "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:"));
	assert_non_null(strstr(b.data, "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:"));
	/* base64 of a0 a1 a2 ...: "oKGio6Sl..." */
	assert_non_null(strstr(b.data, "inline:oKGio6Sl"));
	buf_free(&b);

	l = srtp_local(OFFER_SRTP_MANDATORY, true);
	buf_init(&b, 1024);
	assert_int_equal(offer_build(&b, &l), 0);
	assert_non_null(strstr(b.data, "m=audio 20000 RTP/SAVP "));
	assert_non_null(strstr(b.data, "a=crypto:1 "));
	buf_free(&b);

	/* Keys never leave over a hop that is not TLS. */
	l = srtp_local(OFFER_SRTP_OPTIONAL, false);
	buf_init(&b, 1024);
	assert_int_equal(offer_build(&b, &l), 0);
	assert_null(strstr(b.data, "a=crypto"));
	assert_null(strstr(b.data, "inline:"));
	buf_free(&b);
	l = srtp_local(OFFER_SRTP_MANDATORY, false);
	buf_init(&b, 1024);
	assert_int_equal(offer_build(&b, &l), EPERM);
	buf_free(&b);
}

static const char srtp_offer_fmt[] =
	"v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
	"t=0 0\r\nm=audio 10000 %s 0 101\r\na=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=crypto:5 F8_128_HMAC_SHA1_80 inline:" KEY_B64 "\r\n"
	"a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:" KEY_B64 "|2^20\r\n";

static void test_srtp_answer(void **state)
{
	struct offer_local l;
	struct offer_result r;
	char offer[512];
	struct buf b;

	(void)state;
	snprintf(offer, sizeof(offer), srtp_offer_fmt, "RTP/SAVP");
	l = srtp_local(OFFER_SRTP_OPTIONAL, true);
	buf_init(&b, 1024);
	assert_int_equal(offer_answer(&b, &r, offer, strlen(offer), &l), 0);
	/* The one suite we take, its tag echoed, our own key. */
	assert_non_null(strstr(b.data, "m=audio 20000 RTP/SAVP 0 101"));
	assert_non_null(strstr(b.data, "a=crypto:7 AES_CM_128_HMAC_SHA1_32 inline:oKGio6Sl"));
	assert_null(strstr(b.data, "a=crypto:5"));
	assert_null(strstr(b.data, KEY_B64));
	assert_string_equal(r.srtp_suite, "AES_CM_128_HMAC_SHA1_32");
	assert_int_equal(r.srtp_tag, 7);
	for (size_t i = 0; i < OFFER_SRTP_KEY_LEN; i++)
		assert_int_equal(r.srtp_rx_key[i], i + 1);
	buf_free(&b);

	/* Over a hop that is not TLS: RTP/SAVP cannot be taken... */
	l = srtp_local(OFFER_SRTP_OPTIONAL, false);
	buf_init(&b, 1024);
	assert_int_equal(offer_answer(&b, &r, offer, strlen(offer), &l), ENOTSUP);
	assert_non_null(r.why);
	buf_free(&b);
	/* ...and RTP/AVP with keys is answered in the clear, no keys. */
	snprintf(offer, sizeof(offer), srtp_offer_fmt, "RTP/AVP");
	buf_init(&b, 1024);
	assert_int_equal(offer_answer(&b, &r, offer, strlen(offer), &l), 0);
	assert_null(strstr(b.data, "a=crypto"));
	assert_string_equal(r.srtp_suite, "");
	buf_free(&b);

	/* Mandatory refuses an offer without SRTP, and says why. */
	l = srtp_local(OFFER_SRTP_MANDATORY, true);
	buf_init(&b, 1024);
	assert_int_equal(offer_answer(&b, &r, baresip_offer,
				      strlen(baresip_offer), &l), ENOTSUP);
	assert_non_null(r.why);
	assert_non_null(strstr(r.why, "mandatory"));
	buf_free(&b);
}

static void test_srtp_accept(void **state)
{
	struct offer_local l = srtp_local(OFFER_SRTP_OPTIONAL, true);
	struct offer_result r;
	char ans[512];
	static const char fmt[] =
		"v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 10002 %s 0\r\na=rtpmap:0 PCMU/8000\r\n%s";

	(void)state;
	snprintf(ans, sizeof(ans), fmt, "RTP/AVP",
		 "a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:" KEY_B64 "\r\n");
	assert_int_equal(offer_accept(&r, ans, strlen(ans), &l), 0);
	assert_string_equal(r.srtp_suite, "AES_CM_128_HMAC_SHA1_32");
	assert_int_equal(r.srtp_rx_key[29], 30);
	/* A tag we did not offer with that suite. */
	snprintf(ans, sizeof(ans), fmt, "RTP/AVP",
		 "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" KEY_B64 "\r\n");
	assert_int_equal(offer_accept(&r, ans, strlen(ans), &l), EPROTO);
	/* A short key: the SDP parser already calls it malformed. */
	snprintf(ans, sizeof(ans), fmt, "RTP/AVP",
		 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:AQIDBAUGBwgJCgsMDQ4P\r\n");
	assert_int_equal(offer_accept(&r, ans, strlen(ans), &l), EBADMSG);
	/* No SRTP in the answer: fine when optional... */
	snprintf(ans, sizeof(ans), fmt, "RTP/AVP", "");
	assert_int_equal(offer_accept(&r, ans, strlen(ans), &l), 0);
	assert_string_equal(r.srtp_suite, "");
	/* ...not when mandatory. */
	l.srtp = OFFER_SRTP_MANDATORY;
	assert_int_equal(offer_accept(&r, ans, strlen(ans), &l), ENOTSUP);
	assert_non_null(r.why);
	/* Keys we never offered (plain call) are a protocol error. */
	l.srtp = OFFER_SRTP_OFF;
	snprintf(ans, sizeof(ans), fmt, "RTP/AVP",
		 "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" KEY_B64 "\r\n");
	assert_int_equal(offer_accept(&r, ans, strlen(ans), &l), EPROTO);
}

/* [audio] codecs: what is offered and taken, in that order. */
static void test_codecs(void **state)
{
	struct offer_local l = local4;
	struct offer_result r;
	char bad[32];
	struct buf b;

	(void)state;
	l.codecs = "PCMA, opus";
	buf_init(&b, 1024);
	assert_int_equal(offer_build(&b, &l), 0);
	assert_non_null(strstr(b.data, "m=audio 20000 RTP/AVP 8 111 101\r\n"));
	assert_null(strstr(b.data, "PCMU"));
	buf_free(&b);
	/* The offerer's order wins among what we allow (RFC 3264 6.1). */
	l.codecs = "pcmu";
	buf_init(&b, 1024);
	assert_int_equal(offer_answer(&b, &r, baresip_offer,
				      strlen(baresip_offer), &l), 0);
	assert_string_equal(r.codec, "PCMU");
	buf_free(&b);
	l.codecs = "opus";
	buf_init(&b, 1024);
	assert_int_equal(offer_answer(&b, &r, g722_offer, strlen(g722_offer),
				      &l), ENOTSUP);
	buf_free(&b);
	assert_true(offer_codecs_ok("opus pcmu,PCMA", bad, sizeof(bad)));
	assert_false(offer_codecs_ok("opus, g729", bad, sizeof(bad)));
	assert_string_equal(bad, "g729");
}

/* [audio] ptime: what we ask for, and what we send when the far end
 * states nothing; a length no codec can send falls back to 20. */
static void test_ptime(void **state)
{
	static const char bare[] =
		"v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 10002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
	static const char with40[] =
		"v=0\r\no=- 7 7 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n"
		"t=0 0\r\nm=audio 10002 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		"a=ptime:40\r\n";
	static const uint32_t in[] = {10, 20, 40, 60, 30, 0, 5, 120};
	static const uint32_t want[] = {10, 20, 40, 60, 20, 20, 20, 20};
	struct offer_local l = local4;
	struct offer_result r;
	struct sdp_session *s;
	struct buf b;

	(void)state;
	assert_true(offer_ptime_ok(10));
	assert_false(offer_ptime_ok(30));
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		l.ptime = in[i];
		buf_init(&b, 4096);
		assert_int_equal(offer_build(&b, &l), 0);
		s = parse_buf(&b);
		assert_int_equal(s->media[0].ptime, want[i]);
		sdp_free(s);
		buf_reset(&b);
		assert_int_equal(offer_answer(&b, &r, bare, strlen(bare), &l), 0);
		assert_int_equal(r.ptime, want[i]);
		s = parse_buf(&b);
		assert_int_equal(s->media[0].ptime, want[i]);
		sdp_free(s);
		assert_int_equal(offer_accept(&r, bare, strlen(bare), &l), 0);
		assert_int_equal(r.ptime, want[i]);
		buf_free(&b);
	}
	/* the far end's ptime wins for what we send */
	l.ptime = 10;
	buf_init(&b, 4096);
	assert_int_equal(offer_answer(&b, &r, with40, strlen(with40), &l), 0);
	assert_int_equal(r.ptime, 40);
	assert_int_equal(offer_accept(&r, with40, strlen(with40), &l), 0);
	assert_int_equal(r.ptime, 40);
	s = parse_buf(&b);
	assert_int_equal(s->media[0].ptime, 10);
	sdp_free(s);
	/* no preference of our own: the answer mirrors the offer */
	l.ptime = 0;
	buf_reset(&b);
	assert_int_equal(offer_answer(&b, &r, with40, strlen(with40), &l), 0);
	s = parse_buf(&b);
	assert_int_equal(s->media[0].ptime, 40);
	sdp_free(s);
	buf_free(&b);
}

static void test_ports(void **state)
{
	uint16_t a, b;

	(void)state;
	assert_int_equal(offer_range_parse("20000-20010", &a, &b), 0);
	assert_int_equal(a, 20000);
	assert_int_equal(b, 20010);
	assert_int_equal(offer_range_parse("20010-20000", &a, &b), EINVAL);
	assert_int_equal(offer_range_parse("80-90", &a, &b), EINVAL);
	assert_int_equal(offer_range_parse("20000", &a, &b), EINVAL);
	for (int i = 0; i < 200; i++) {
		uint16_t p = offer_port_pick(20001, 20010);

		assert_true(p >= 20002 && p <= 20010);
		assert_int_equal(p % 2, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_offer_build),
		cmocka_unit_test(test_offer_ipv6_hold),
		cmocka_unit_test(test_answer_baresip),
		cmocka_unit_test(test_answer_linphone),
		cmocka_unit_test(test_answer_488),
		cmocka_unit_test(test_answer_hold),
		cmocka_unit_test(test_answer_port0),
		cmocka_unit_test(test_accept),
		cmocka_unit_test(test_srtp_offer),
		cmocka_unit_test(test_srtp_answer),
		cmocka_unit_test(test_srtp_accept),
		cmocka_unit_test(test_codecs),
		cmocka_unit_test(test_ptime),
		cmocka_unit_test(test_ports),
	};

	return cmocka_run_group_tests_name("offer", tests, NULL, NULL);
}
