/* test_sdp.c - SDP parser, printer and offer/answer helpers. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "ua/sdp.h"

/* A baresip-style offer. */
static const char baresip_offer[] =
	"v=0\r\n"
	"o=- 3797339286 3797339287 IN IP4 192.168.1.10\r\n"
	"s=-\r\n"
	"c=IN IP4 192.168.1.10\r\n"
	"t=0 0\r\n"
	"m=audio 10000 RTP/AVP 111 0 8 101\r\n"
	"b=AS:64\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=fmtp:111 stereo=1;sprop-stereo=1;useinbandfec=1\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=rtcp-rsize\r\n"
	"a=sendrecv\r\n"
	"a=label:1\r\n"
	"a=ptime:20\r\n";

/* The same, as sdp_print writes it (canonical attribute order). */
static const char baresip_canon[] =
	"v=0\r\n"
	"o=- 3797339286 3797339287 IN IP4 192.168.1.10\r\n"
	"s=-\r\n"
	"c=IN IP4 192.168.1.10\r\n"
	"t=0 0\r\n"
	"m=audio 10000 RTP/AVP 111 0 8 101\r\n"
	"b=AS:64\r\n"
	"a=rtpmap:111 opus/48000/2\r\n"
	"a=fmtp:111 stereo=1;sprop-stereo=1;useinbandfec=1\r\n"
	"a=rtpmap:0 PCMU/8000\r\n"
	"a=rtpmap:8 PCMA/8000\r\n"
	"a=rtpmap:101 telephone-event/8000\r\n"
	"a=fmtp:101 0-15\r\n"
	"a=ptime:20\r\n"
	"a=sendrecv\r\n"
	"a=rtcp-rsize\r\n"
	"a=label:1\r\n";

/* A linphone-style SRTP offer over IPv6, LF endings, no final newline. */
static const char linphone_offer[] =
	"v=0\n"
	"o=alice 1234 5678 IN IP6 2001:db8::1\n"
	"s=Talk\n"
	"c=IN IP6 2001:db8::1\n"
	"t=0 0\n"
	"a=rtcp-xr:rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics\n"
	"m=audio 7078 RTP/SAVP 96 0 8 101 97\n"
	"a=rtpmap:96 opus/48000/2\n"
	"a=fmtp:96 useinbandfec=1\n"
	"a=rtpmap:101 telephone-event/8000\n"
	"a=rtpmap:97 telephone-event/48000\n"
	"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^31|1:1\n"
	"a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|1:32\n"
	"a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj UNENCRYPTED_SRTCP\n"
	"a=rtcp-fb:* trr-int 1000\n"
	"m=video 0 RTP/SAVPF 103\n"
	"a=rtpmap:103 VP8/90000";

static struct sdp_session *parse_ok(const char *text)
{
	struct sdp_session *s = NULL;

	assert_int_equal(sdp_parse(&s, text, strlen(text)), 0);
	assert_non_null(s);
	return s;
}

static int parse_err(const char *text, size_t len)
{
	struct sdp_session *s = NULL;
	int err;

	err = sdp_parse(&s, text, len);
	assert_null(s);
	return err;
}

static void assert_pl(const struct pl *pl, const char *want)
{
	if (!pl_eq_str(pl, want))
		print_error("got '%.*s', want '%s'\n", PL_FMT(pl), want);
	assert_true(pl_eq_str(pl, want));
}

static void test_baresip_offer(void **state)
{
	struct sdp_session *s = parse_ok(baresip_offer);
	const struct sdp_media *m;
	const struct sdp_format *f;

	(void)state;
	assert_pl(&s->origin.user, "-");
	assert_true(s->origin.sess_id == 3797339286ULL);
	assert_true(s->origin.sess_version == 3797339287ULL);
	assert_int_equal(s->origin.af, SDP_AF_IP4);
	assert_pl(&s->name, "-");
	assert_int_equal(s->conn.af, SDP_AF_IP4);
	assert_pl(&s->conn.addr, "192.168.1.10");
	assert_int_equal(s->t_start, 0);
	assert_int_equal(s->nmedia, 1);

	m = &s->media[0];
	assert_pl(&m->type, "audio");
	assert_int_equal(m->port, 10000);
	assert_int_equal(m->proto, SDP_PROTO_RTP_AVP);
	assert_int_equal(m->nfmts, 4);
	assert_int_equal(m->fmts[0].pt, 111);
	assert_int_equal(m->fmts[3].pt, 101);
	assert_int_equal(m->nbw, 1);
	assert_pl(&m->bw[0].type, "AS");
	assert_int_equal(m->bw[0].value, 64);
	assert_int_equal(m->ptime, 20);
	assert_int_equal(m->dir, SDP_DIR_SENDRECV);
	assert_int_equal(m->nattrs, 2);
	assert_pl(&m->attrs[0].name, "rtcp-rsize");
	assert_null(m->attrs[0].value.p);
	assert_pl(&m->attrs[1].value, "1");

	f = sdp_format_find(m, "OPUS", 48000);
	assert_non_null(f);
	assert_int_equal(f->pt, 111);
	assert_int_equal(f->channels, 2);
	assert_pl(&f->fmtp, "stereo=1;sprop-stereo=1;useinbandfec=1");
	f = sdp_format_find(m, "PCMU", 8000);
	assert_non_null(f);
	assert_int_equal(f->pt, 0);
	assert_int_equal(f->channels, 0);
	assert_null(f->fmtp.p);
	assert_int_equal(sdp_format_find(m, "PCMA", 8000)->pt, 8);
	f = sdp_format_find(m, "telephone-event", 8000);
	assert_non_null(f);
	assert_pl(&f->fmtp, "0-15");
	assert_null(sdp_format_find(m, "telephone-event", 48000));
	assert_null(sdp_format_find(m, "G722", 8000));
	assert_ptr_equal(sdp_format_find_pt(m, 8), &m->fmts[2]);
	assert_null(sdp_format_find_pt(m, 9));
	/* Zero-copy: the slices point into the text. */
	assert_true(f->name.p > baresip_offer && f->name.p < baresip_offer + sizeof(baresip_offer));
	assert_ptr_equal(sdp_media_conn(s, m), &s->conn);
	sdp_free(s);
}

static void test_print_canonical(void **state)
{
	struct sdp_session *s = parse_ok(baresip_offer), *s2;
	struct buf b, b2;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(sdp_print(&b, s), 0);
	assert_string_equal(b.data, baresip_canon);
	/* Printing is a fixed point. */
	s2 = parse_ok(b.data);
	buf_init(&b2, 0);
	assert_int_equal(sdp_print(&b2, s2), 0);
	assert_string_equal(b2.data, b.data);
	buf_free(&b);
	buf_free(&b2);
	sdp_free(s);
	sdp_free(s2);
}

static void test_linphone_srtp(void **state)
{
	struct sdp_session *s = parse_ok(linphone_offer);
	const struct sdp_media *m;
	const struct sdp_crypto *c;
	uint8_t key[SDP_CRYPTO_KEY_MAX];
	size_t n = 0;

	(void)state;
	assert_int_equal(s->origin.af, SDP_AF_IP6);
	assert_true(s->origin.sess_version == 5678);
	assert_pl(&s->conn.addr, "2001:db8::1");
	assert_int_equal(s->conn.af, SDP_AF_IP6);
	assert_int_equal(s->nattrs, 1);
	assert_pl(&s->attrs[0].name, "rtcp-xr");
	assert_pl(&s->attrs[0].value, "rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics");
	assert_int_equal(s->nmedia, 2);

	m = &s->media[0];
	assert_int_equal(m->proto, SDP_PROTO_RTP_SAVP);
	assert_int_equal(m->nfmts, 5);
	assert_int_equal(sdp_format_find(m, "telephone-event", 48000)->pt, 97);
	/* PCMU and PCMA are static: no rtpmap needed. */
	assert_false(sdp_format_find_pt(m, 0)->has_rtpmap);
	assert_int_equal(m->dir, SDP_DIR_UNSET);
	assert_int_equal(sdp_media_dir(s, m), SDP_DIR_SENDRECV);

	assert_int_equal(m->ncrypto, 3);
	c = &m->crypto[0];
	assert_int_equal(c->tag, 1);
	assert_pl(&c->suite, "AES_CM_128_HMAC_SHA1_80");
	assert_pl(&c->key, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz");
	assert_int_equal(c->key_len, 30);
	assert_pl(&c->lifetime, "2^31");
	assert_pl(&c->mki, "1:1");
	assert_int_equal(c->mki_value, 1);
	assert_int_equal(c->mki_len, 1);
	assert_int_equal(sdp_crypto_key(c, key, sizeof(key), &n), 0);
	assert_int_equal(n, 30);
	assert_memory_equal(key, "YS___semctl () {\t220;}\n}\nunles", 30);
	assert_int_equal(sdp_crypto_key(c, key, 29, &n), E2BIG);

	c = &m->crypto[1];
	assert_pl(&c->suite, "AES_CM_128_HMAC_SHA1_32");
	assert_int_equal(c->mki_len, 32);
	c = &m->crypto[2];
	assert_null(c->lifetime.p);
	assert_null(c->mki.p);
	assert_pl(&c->params, "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj UNENCRYPTED_SRTCP");

	m = &s->media[1];
	assert_int_equal(m->port, 0);
	assert_int_equal(m->proto, SDP_PROTO_RTP_SAVPF);
	assert_pl(&sdp_format_find(m, "VP8", 90000)->name, "VP8");
	assert_ptr_equal(sdp_media_conn(s, m), &s->conn);
	sdp_free(s);
}

static void test_directions(void **state)
{
	static const char text[] =
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\na=inactive\r\n"
		"m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.2\r\na=sendonly\r\n"
		"m=audio 4002 RTP/AVP 8\r\nc=IN IP4 192.0.2.3\r\n";
	struct sdp_session *s = parse_ok(text);

	(void)state;
	assert_int_equal(s->dir, SDP_DIR_INACTIVE);
	assert_int_equal(sdp_media_dir(s, &s->media[0]), SDP_DIR_SENDONLY);
	assert_int_equal(sdp_media_dir(s, &s->media[1]), SDP_DIR_INACTIVE);
	assert_pl(&sdp_media_conn(s, &s->media[1])->addr, "192.0.2.3");
	sdp_free(s);

	/* RFC 3264 6.1 */
	assert_int_equal(sdp_dir_answer(SDP_DIR_SENDRECV, SDP_DIR_SENDRECV), SDP_DIR_SENDRECV);
	assert_int_equal(sdp_dir_answer(SDP_DIR_UNSET, SDP_DIR_UNSET), SDP_DIR_SENDRECV);
	assert_int_equal(sdp_dir_answer(SDP_DIR_SENDONLY, SDP_DIR_SENDRECV), SDP_DIR_RECVONLY);
	assert_int_equal(sdp_dir_answer(SDP_DIR_RECVONLY, SDP_DIR_SENDRECV), SDP_DIR_SENDONLY);
	assert_int_equal(sdp_dir_answer(SDP_DIR_INACTIVE, SDP_DIR_SENDRECV), SDP_DIR_INACTIVE);
	assert_int_equal(sdp_dir_answer(SDP_DIR_SENDRECV, SDP_DIR_SENDONLY), SDP_DIR_SENDONLY);
	assert_int_equal(sdp_dir_answer(SDP_DIR_SENDONLY, SDP_DIR_SENDONLY), SDP_DIR_INACTIVE);
	assert_int_equal(sdp_dir_answer(SDP_DIR_RECVONLY, SDP_DIR_RECVONLY), SDP_DIR_INACTIVE);
	assert_int_equal(sdp_dir_answer(SDP_DIR_SENDRECV, SDP_DIR_INACTIVE), SDP_DIR_INACTIVE);
	assert_string_equal(sdp_dir_name(SDP_DIR_RECVONLY), "recvonly");
}

static void test_build_offer(void **state)
{
	static const char want[] =
		"v=0\r\n"
		"o=siptty 42 43 IN IP6 2001:db8::5\r\n"
		"s=-\r\n"
		"c=IN IP6 2001:db8::5\r\n"
		"t=0 0\r\n"
		"m=audio 16384 RTP/SAVP 111 0 8 101\r\n"
		"a=rtpmap:111 opus/48000/2\r\n"
		"a=fmtp:111 useinbandfec=1\r\n"
		"a=rtpmap:0 PCMU/8000\r\n"
		"a=rtpmap:8 PCMA/8000\r\n"
		"a=rtpmap:101 telephone-event/8000\r\n"
		"a=fmtp:101 0-16\r\n"
		"a=ptime:20\r\n"
		"a=sendonly\r\n"
		"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
		"a=rtcp-mux\r\n"
		"m=video 0 RTP/AVP 96\r\n";
	struct sdp_session *s = NULL, *back;
	struct sdp_media *m = NULL, *v = NULL;
	struct buf b;

	(void)state;
	assert_int_equal(sdp_alloc(&s), 0);
	s->origin.user = (struct pl)PL("siptty");
	s->origin.sess_id = 42;
	s->origin.sess_version = 43;
	s->origin.af = SDP_AF_IP6;
	s->origin.addr = (struct pl)PL("2001:db8::5");
	s->conn = s->origin.af == SDP_AF_IP6 ? (struct sdp_conn){SDP_AF_IP6, PL("2001:db8::5")}
					     : (struct sdp_conn){SDP_AF_NONE, PL_INIT};
	assert_int_equal(sdp_media_add(s, &m, "audio", 16384, SDP_PROTO_RTP_SAVP), 0);
	assert_int_equal(sdp_format_add(m, 111, "opus", 48000, 2, "useinbandfec=1"), 0);
	assert_int_equal(sdp_format_add(m, 0, "PCMU", 8000, 0, NULL), 0);
	assert_int_equal(sdp_format_add(m, 8, "PCMA", 8000, 0, NULL), 0);
	assert_int_equal(sdp_format_add(m, 101, "telephone-event", 8000, 0, "0-16"), 0);
	assert_int_equal(sdp_format_add(m, 8, "PCMA", 8000, 0, NULL), EINVAL);
	assert_int_equal(sdp_format_add(m, 128, "x", 8000, 0, NULL), EINVAL);
	m->ptime = 20;
	m->dir = sdp_dir_answer(SDP_DIR_RECVONLY, SDP_DIR_SENDRECV);
	assert_int_equal(sdp_crypto_add(m, 1, "AES_CM_128_HMAC_SHA1_80",
					"inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj"), 0);
	assert_int_equal(sdp_media_attr_add(m, "rtcp-mux", NULL), 0);
	/* A rejected stream in an answer keeps its m= line with port 0. */
	assert_int_equal(sdp_media_add(s, &v, "video", 0, SDP_PROTO_RTP_AVP), 0);
	assert_int_equal(sdp_format_add(v, 96, NULL, 0, 0, NULL), 0);

	buf_init(&b, 0);
	assert_int_equal(sdp_print(&b, s), 0);
	assert_string_equal(b.data, want);

	back = parse_ok(b.data);
	assert_int_equal(back->media[0].crypto[0].key_len, 30);
	assert_int_equal(back->media[0].dir, SDP_DIR_SENDONLY);
	assert_int_equal(back->media[1].port, 0);
	sdp_free(back);
	buf_free(&b);

	/* A half-built session does not print. */
	s->origin.addr = (struct pl)PL_INIT;
	buf_init(&b, 0);
	assert_int_equal(sdp_print(&b, s), EINVAL);
	buf_free(&b);
	sdp_free(s);
}

#define HEAD "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"o=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n",            /* no v= */
		"v=1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n",     /* version */
		"v=0\r\ns=-\r\nt=0 0\r\n",                                 /* no o= */
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n",            /* no s= */
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n",              /* no t= */
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n",
		"v=0\r\no=- x 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n",     /* sess-id */
		"v=0\r\no=- 1 1 IN IP5 192.0.2.1\r\ns=-\r\nt=0 0\r\n",
		"v=0\r\no=- 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n",
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1 extra\r\ns=-\r\nt=0 0\r\n",
		HEAD "x=unknown\r\n",                                       /* unknown type */
		HEAD "A=foo\r\n",
		HEAD "a\r\n",
		HEAD " a=foo\r\n",
		HEAD "a=:x\r\n",
		HEAD "a=fo o\r\n",
		HEAD "a=foo\rbar\r\n",                                      /* bare CR */
		HEAD "\r\na=foo\r\n",                                       /* blank inside */
		HEAD "t=0 0\r\n",
		HEAD "a=sendonly\r\na=recvonly\r\n",                        /* two directions */
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nc=IN IP4 example.com\r\n",
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nc=IN IP4 ::1\r\n",
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nc=IN IP6 192.0.2.1x\r\n",
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nc=IN IP4 224.2.1.1/127\r\n",
		"v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
		HEAD "m=audio 4000 RTP/AVP\r\n",                            /* no format */
		HEAD "m=audio 70000 RTP/AVP 0\r\n",
		HEAD "m=audio -1 RTP/AVP 0\r\n",
		HEAD "m=audio 4000/0 RTP/AVP 0\r\n",
		HEAD "m=audio 4000 RTP/AVP 128\r\n",
		HEAD "m=audio 4000 RTP/AVP 0 0\r\n",
		HEAD "m=audio 4000 RTP/AVP opus\r\n",
		HEAD "m=audio 4000 RTP//AVP 0\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\nv=0\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\ns=-\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\nc=IN IP4 192.0.2.2\r\nc=IN IP4 192.0.2.3\r\n",
		HEAD "m=audio 4000 RTP/AVP 96\r\na=fmtp:96 a=1\r\na=fmtp:96 a=2\r\n",
		HEAD "m=audio 4000 RTP/AVP 96\r\na=fmtp:96\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\na=ptime:0\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\na=ptime:20\r\na=ptime:30\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\na=ptime\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\na=maxptime:x\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\nb=AS\r\n",
		HEAD "m=audio 4000 RTP/AVP 0\r\nb=AS:x\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAw\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSo!\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSo\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 key:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:x AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1234567890 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^x\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:0\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:129\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:4|2^20\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|\r\n",
		HEAD "m=audio 4000 RTP/SAVP 0\r\n"
		     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
		     "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int err = parse_err(bad[i], strlen(bad[i]));

		if (err != EBADMSG)
			print_error("case %zu: got %d\n%s\n", i, err, bad[i]);
		assert_int_equal(err, EBADMSG);
	}
	/* A NUL byte inside a line. */
	assert_int_equal(parse_err(HEAD "a=fo\0o\r\n", sizeof(HEAD) - 1 + 8), EBADMSG);
}

static void test_tolerated(void **state)
{
	struct sdp_session *s;

	(void)state;
	/* Trailing blank lines, extra spaces, lines the UA does not use. */
	s = parse_ok("v=0\r\no=-  1 1 IN IP4 host.example\r\ns=\r\ni=info\r\nu=http://x\r\n"
		     "e=a@b\r\np=+1\r\nc=IN IP4 192.0.2.1\r\nt=0  0\r\nr=7d 1h 0 25h\r\n"
		     "m=audio  4000 RTP/AVP  0 96\r\ni=media\r\n"
		     "a=rtpmap:97 opus/48000/2\r\na=fmtp:97 x=1\r\na=fmtp:96  a=1 \r\n\r\n\r\n");
	assert_pl(&s->origin.addr, "host.example");
	assert_int_equal(s->name.l, 0);
	assert_int_equal(s->media[0].nfmts, 2);
	/* Attributes for formats not on the m= line are ignored. */
	assert_null(sdp_format_find(&s->media[0], "opus", 48000));
	assert_pl(&sdp_format_find_pt(&s->media[0], 96)->fmtp, "a=1 ");
	sdp_free(s);

	/* A malformed rtpmap (RFC 4475 esc01, on a video stream) costs only
	 * its own format: the audio stream is still there to answer. */
	s = parse_ok(HEAD "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
		     "m=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n");
	assert_int_equal(s->nmedia, 2);
	assert_non_null(sdp_format_find(&s->media[0], "PCMU", 8000));
	assert_false(sdp_format_find_pt(&s->media[1], 31)->has_rtpmap);
	assert_int_equal(s->media[1].nattrs, 1);
	assert_pl(&s->media[1].attrs[0].name, "rtpmap");
	sdp_free(s);

	/* Each bad rtpmap is kept as an attribute we do not understand, and
	 * its format stays without an encoding (so it is never chosen). */
	{
		static const char *const badmap[] = {
			"a=rtpmap:96 opus\r\n",
			"a=rtpmap:96 opus/0\r\n",
			"a=rtpmap:96 opus/48000/2/1\r\n",
			"a=rtpmap:96 opus/48000/x\r\n",
			"a=rtpmap:200 opus/48000\r\n",
		};
		char buf[512];

		for (size_t i = 0; i < sizeof(badmap) / sizeof(badmap[0]); i++) {
			snprintf(buf, sizeof(buf), "%sm=audio 4000 RTP/AVP 96\r\n%s",
				 HEAD, badmap[i]);
			s = parse_ok(buf);
			assert_false(sdp_format_find_pt(&s->media[0], 96)->has_rtpmap);
			assert_int_equal(s->media[0].nattrs, 1);
			sdp_free(s);
		}
	}
	/* A second rtpmap for one format: the first one holds. */
	s = parse_ok(HEAD "m=audio 4000 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\n"
		     "a=rtpmap:96 PCMU/8000\r\n");
	assert_non_null(sdp_format_find(&s->media[0], "opus", 48000));
	assert_null(sdp_format_find(&s->media[0], "PCMU", 8000));
	sdp_free(s);

	/* Other protocols keep their formats as tokens. */
	s = parse_ok(HEAD "m=image 0 udptl t38\r\nm=audio 4000 UDP/TLS/RTP/SAVPF 0\r\n");
	assert_int_equal(s->media[0].proto, SDP_PROTO_OTHER);
	assert_pl(&s->media[0].proto_str, "udptl");
	assert_int_equal(s->media[0].fmts[0].pt, -1);
	assert_pl(&s->media[0].fmts[0].id, "t38");
	assert_int_equal(s->media[1].proto, SDP_PROTO_OTHER);
	sdp_free(s);

	/* An unknown suite has no fixed key length; ports with a count. */
	s = parse_ok(HEAD "m=audio 4000/2 RTP/SAVP 0\r\n"
		     "a=crypto:7 AES_256_CM_HMAC_SHA1_80 inline:AAAA;inline:BBBB KDR=0\r\n");
	assert_int_equal(s->media[0].nports, 2);
	assert_int_equal(s->media[0].crypto[0].key_len, 3);
	assert_int_equal(s->media[0].crypto[0].tag, 7);
	sdp_free(s);
}

/* Appends n copies of line to a buffer that starts with prefix. */
static char *repeat(const char *prefix, const char *line, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	buf_puts(&b, prefix);
	for (i = 0; i < n; i++)
		buf_puts(&b, line);
	assert_int_equal(b.err, 0);
	return b.data;
}

static void expect_bound(const char *prefix, const char *line, size_t ok_n, int err_bad)
{
	struct sdp_session *s = NULL;
	char *t;

	t = repeat(prefix, line, ok_n);
	assert_int_equal(sdp_parse(&s, t, strlen(t)), 0);
	sdp_free(s);
	free(t);
	t = repeat(prefix, line, ok_n + 1);
	assert_int_equal(parse_err(t, strlen(t)), err_bad);
	free(t);
}

static void test_bounds(void **state)
{
	char line[SDP_MAX_LINE_LEN + 8];
	char *big;
	size_t hl = strlen(HEAD);

	(void)state;
	/* Media, attributes, formats, crypto and bandwidth counts. */
	expect_bound(HEAD, "m=audio 4000 RTP/AVP 0\r\n", SDP_MAX_MEDIA, E2BIG);
	expect_bound(HEAD, "a=x\r\n", SDP_MAX_ATTRS, E2BIG);
	expect_bound(HEAD "m=audio 4000 RTP/AVP 0\r\n", "a=ptime:20\r\n", 1, EBADMSG);
	expect_bound(HEAD "m=audio 4000 RTP/AVP 0\r\n", "a=y:1\r\n", SDP_MAX_ATTRS, E2BIG);
	expect_bound(HEAD, "b=AS:1\r\n", SDP_MAX_BW, E2BIG);
	{
		struct buf b;

		buf_init(&b, 0);
		buf_puts(&b, HEAD "m=audio 4000 RTP/SAVP 0\r\n");
		for (int i = 0; i < SDP_MAX_CRYPTO; i++)
			buf_printf(&b, "a=crypto:%d AES_CM_128_HMAC_SHA1_80 "
				   "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n", i + 1);
		assert_int_equal(buf_puts(&b, ""), 0);
		{
			struct sdp_session *s = NULL;

			assert_int_equal(sdp_parse(&s, b.data, b.len), 0);
			assert_int_equal(s->media[0].ncrypto, SDP_MAX_CRYPTO);
			sdp_free(s);
		}
		buf_puts(&b, "a=crypto:99 AES_CM_128_HMAC_SHA1_80 "
			 "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n");
		assert_int_equal(parse_err(b.data, b.len), E2BIG);
		buf_free(&b);
	}
	{
		struct buf b;
		int i;

		buf_init(&b, 0);
		buf_puts(&b, HEAD "m=audio 4000 RTP/AVP");
		for (i = 0; i < SDP_MAX_FMTS; i++)
			buf_printf(&b, " %d", i);
		{
			struct sdp_session *s = NULL;

			assert_int_equal(sdp_parse(&s, b.data, b.len), 0);
			assert_int_equal(s->media[0].nfmts, SDP_MAX_FMTS);
			sdp_free(s);
		}
		buf_printf(&b, " %d", i);
		assert_int_equal(parse_err(b.data, b.len), E2BIG);
		buf_free(&b);
	}

	/* Line length: exactly the bound passes, one more fails. */
	memset(line, 'z', sizeof(line));
	memcpy(line, "a=x:", 4);
	line[SDP_MAX_LINE_LEN] = '\0';
	big = repeat(HEAD, line, 1);
	{
		struct sdp_session *s = NULL;

		assert_int_equal(sdp_parse(&s, big, strlen(big)), 0);
		assert_int_equal(s->attrs[0].value.l, SDP_MAX_LINE_LEN - 4);
		sdp_free(s);
	}
	free(big);
	line[SDP_MAX_LINE_LEN] = 'z';
	line[SDP_MAX_LINE_LEN + 1] = '\0';
	big = repeat(HEAD, line, 1);
	assert_int_equal(parse_err(big, strlen(big)), E2BIG);
	free(big);

	/* Line count: i= lines are dropped but still counted. */
	expect_bound(HEAD, "i=x\r\n", SDP_MAX_LINES - 5, E2BIG);

	/* Total size, checked before anything else. */
	big = calloc(1, SDP_MAX_SIZE + 2);
	assert_non_null(big);
	memcpy(big, HEAD, hl);
	memset(big + hl, 'a', SDP_MAX_SIZE + 1 - hl);
	assert_int_equal(parse_err(big, SDP_MAX_SIZE + 1), E2BIG);
	free(big);
}

static void test_bad_args(void **state)
{
	struct sdp_session *s = NULL;
	struct buf b;

	(void)state;
	assert_int_equal(sdp_parse(NULL, "v=0", 3), EINVAL);
	assert_int_equal(sdp_parse(&s, NULL, 3), EINVAL);
	assert_int_equal(sdp_parse(&s, NULL, 0), EBADMSG);
	assert_int_equal(sdp_alloc(NULL), EINVAL);
	buf_init(&b, 0);
	assert_int_equal(sdp_print(&b, NULL), EINVAL);
	assert_int_equal(sdp_alloc(&s), 0);
	assert_int_equal(sdp_media_add(s, NULL, "audio", 1, SDP_PROTO_OTHER), EINVAL);
	for (int i = 0; i < SDP_MAX_MEDIA; i++)
		assert_int_equal(sdp_media_add(s, NULL, "audio", 1, SDP_PROTO_RTP_AVP), 0);
	assert_int_equal(sdp_media_add(s, NULL, "audio", 1, SDP_PROTO_RTP_AVP), E2BIG);
	/* Media without formats cannot be printed. */
	s->origin.addr = (struct pl)PL("192.0.2.1");
	assert_int_equal(sdp_print(&b, s), EINVAL);
	/* A bounded output buffer reports E2BIG. */
	s->nmedia = 0;
	buf_free(&b);
	buf_init(&b, 16);
	assert_int_equal(sdp_print(&b, s), E2BIG);
	buf_free(&b);
	sdp_free(s);
	sdp_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_baresip_offer),
		cmocka_unit_test(test_print_canonical),
		cmocka_unit_test(test_linphone_srtp),
		cmocka_unit_test(test_directions),
		cmocka_unit_test(test_build_offer),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_tolerated),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests_name("sdp", tests, NULL, NULL);
}
