/* offer.c - SDP offer/answer policy for audio calls (RFC 3264): codecs, direction, ptime, ports. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/base64.h>

#include "core/i18n.h"
#include "core/pl.h"
#include "core/rand.h"
#include "ua/offer.h"

/* SDES suites (RFC 4568 6.2), best first; each takes a 30-byte key. */
static const char *const suites[] = {
	"AES_CM_128_HMAC_SHA1_80",
	"AES_CM_128_HMAC_SHA1_32",
};

#define NSUITES (sizeof(suites) / sizeof(suites[0]))

bool offer_srtp_suite_known(const char *suite)
{
	for (size_t i = 0; suite && i < NSUITES; i++) {
		if (!strcmp(suite, suites[i]))
			return true;
	}
	return false;
}

static bool suite_known_pl(const struct pl *p)
{
	for (size_t i = 0; i < NSUITES; i++) {
		if (pl_eq_str(p, suites[i]))
			return true;
	}
	return false;
}

/* "inline:BASE64" of our key into out (at least 48 bytes). */
static void key_param(char *out, size_t sz, const uint8_t *key)
{
	char b64[BASE64_ENCODE_RAW_LENGTH(OFFER_SRTP_KEY_LEN) + 1];

	base64_encode_raw(b64, OFFER_SRTP_KEY_LEN, key);
	b64[BASE64_ENCODE_RAW_LENGTH(OFFER_SRTP_KEY_LEN)] = '\0';
	snprintf(out, sz, "inline:%s", b64);
	explicit_bzero(b64, sizeof(b64));
}

/* The first offered crypto line we can take, or NULL. */
static const struct sdp_crypto *crypto_pick(const struct sdp_media *m)
{
	for (size_t i = 0; i < m->ncrypto; i++) {
		const struct sdp_crypto *c = &m->crypto[i];

		if (suite_known_pl(&c->suite) && c->key_len == OFFER_SRTP_KEY_LEN &&
		    !c->mki.p)
			return c;
	}
	return NULL;
}

static int crypto_result(struct offer_result *res, const struct sdp_crypto *c)
{
	size_t n = 0;
	int err;

	err = sdp_crypto_key(c, res->srtp_rx_key, sizeof(res->srtp_rx_key), &n);
	if (!err && n != OFFER_SRTP_KEY_LEN)
		err = EBADMSG;
	if (err) {
		explicit_bzero(res->srtp_rx_key, sizeof(res->srtp_rx_key));
		return err;
	}
	pl_strcpy(res->srtp_suite, sizeof(res->srtp_suite), &c->suite);
	res->srtp_tag = c->tag;
	return 0;
}

/* The codecs we take, best first for our own offers. */
static const struct codec {
	const char *name;
	uint32_t clock;
	uint32_t channels;       /* as our rtpmap states it, 0: none */
	int static_pt;           /* RFC 3551, -1 for dynamic */
	const char *fmtp;
} codecs[] = {
	{"opus", 48000, 2, -1, "useinbandfec=1"},
	{"PCMU", 8000, 0, 0, NULL},
	{"PCMA", 8000, 0, 8, NULL},
};

#define NCODECS (sizeof(codecs) / sizeof(codecs[0]))

static size_t codec_list(const struct offer_local *l,
			 const struct codec **out);

int offer_range_parse(const char *s, uint16_t *min, uint16_t *max)
{
	unsigned long a, b;
	char *end;

	if (!s || !min || !max)
		return EINVAL;
	a = strtoul(s, &end, 10);
	if (end == s || *end != '-')
		return EINVAL;
	s = end + 1;
	b = strtoul(s, &end, 10);
	if (end == s || *end || a < 1024 || b > 65534 || a + 1 > b)
		return EINVAL;
	*min = (uint16_t)a;
	*max = (uint16_t)b;
	return 0;
}

uint16_t offer_port_pick(uint16_t min, uint16_t max)
{
	uint32_t r = 0, span;

	if (min & 1)
		min++;
	if (max < min)
		return min;
	span = (uint32_t)(max - min) / 2 + 1;
	(void)rand_bytes(&r, sizeof(r));
	return (uint16_t)(min + 2 * (r % span));
}

enum sdp_dir offer_hold_dir(bool remote_holds)
{
	return remote_holds ? SDP_DIR_INACTIVE : SDP_DIR_SENDONLY;
}

bool offer_remote_holds(enum sdp_dir remote_dir)
{
	return remote_dir == SDP_DIR_SENDONLY || remote_dir == SDP_DIR_INACTIVE;
}

static enum sdp_af addr_af(const char *addr)
{
	return strchr(addr, ':') ? SDP_AF_IP6 : SDP_AF_IP4;
}

/* Origin and connection lines from our side of the flow. */
bool offer_ptime_ok(uint32_t ms)
{
	return ms == 10 || ms == 20 || ms == 40 || ms == 60;
}

static uint32_t local_ptime(const struct offer_local *l)
{
	return offer_ptime_ok(l->ptime) ? l->ptime : OFFER_PTIME;
}

static int session_start(struct sdp_session **sp, const struct offer_local *l)
{
	struct sdp_session *s;
	int err;

	if (!l || !l->addr || !*l->addr)
		return EINVAL;
	err = sdp_alloc(&s);
	if (err)
		return err;
	pl_set_str(&s->origin.user, "-");
	s->origin.sess_id = l->sess_id;
	s->origin.sess_version = l->sess_version;
	s->origin.af = addr_af(l->addr);
	pl_set_str(&s->origin.addr, l->addr);
	s->conn.af = s->origin.af;
	pl_set_str(&s->conn.addr, l->addr);
	*sp = s;
	return 0;
}

int offer_build(struct buf *out, const struct offer_local *l)
{
	struct sdp_session *s = NULL;
	struct sdp_media *m;
	int err;

	const struct codec *list[NCODECS];
	size_t nc;
	char kp[64];
	bool srtp;

	if (!out || !l)
		return EINVAL;
	if (l->srtp == OFFER_SRTP_MANDATORY && !l->secure)
		return EPERM;
	srtp = l->srtp != OFFER_SRTP_OFF && l->secure;
	err = session_start(&s, l);
	if (err)
		return err;
	err = sdp_media_add(s, &m, "audio", l->port,
			    l->srtp == OFFER_SRTP_MANDATORY ? SDP_PROTO_RTP_SAVP :
			    SDP_PROTO_RTP_AVP);
	if (!err && srtp) {
		key_param(kp, sizeof(kp), l->key);
		for (size_t i = 0; !err && i < NSUITES; i++)
			err = sdp_crypto_add(m, (uint32_t)i + 1, suites[i], kp);
	}
	nc = codec_list(l, list);
	for (size_t i = 0; !err && i < nc; i++) {
		const struct codec *c = list[i];

		err = sdp_format_add(m, c->static_pt >= 0 ? c->static_pt :
				     OFFER_PT_OPUS, c->name, c->clock,
				     c->channels, c->fmtp);
	}
	if (!err)
		err = sdp_format_add(m, OFFER_PT_DTMF, "telephone-event", 8000,
				     0, "0-16");
	if (!err) {
		m->ptime = local_ptime(l);
		m->dir = l->dir == SDP_DIR_UNSET ? SDP_DIR_SENDRECV : l->dir;
		err = sdp_print(out, s);
	}
	if (srtp)
		explicit_bzero(kp, sizeof(kp));
	sdp_free(s);
	return err;
}

/* The next name of a codec list into name; false at its end. */
static bool next_name(const char **sp, char *name, size_t sz)
{
	const char *s = *sp;
	size_t n = 0;

	while (*s == ',' || *s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return false;
	while (*s && *s != ',' && *s != ' ' && *s != '\t') {
		if (n + 1 < sz)
			name[n++] = *s;
		s++;
	}
	name[n] = '\0';
	*sp = s;
	return true;
}

static const struct codec *codec_named(const char *name)
{
	for (size_t i = 0; i < NCODECS; i++) {
		if (!strcasecmp(codecs[i].name, name))
			return &codecs[i];
	}
	return NULL;
}

bool offer_codecs_ok(const char *s, char *bad, size_t sz)
{
	char name[32];

	while (s && next_name(&s, name, sizeof(name))) {
		if (!codec_named(name)) {
			snprintf(bad, sz, "%s", name);
			return false;
		}
	}
	return true;
}

/* The codecs of l in order (at most NCODECS), the default list without. */
static size_t codec_list(const struct offer_local *l,
			 const struct codec **out)
{
	const char *s = l ? l->codecs : NULL;
	char name[32];
	size_t n = 0;

	while (s && next_name(&s, name, sizeof(name))) {
		const struct codec *c = codec_named(name);
		bool dup = false;

		for (size_t i = 0; c && i < n; i++)
			dup = dup || out[i] == c;
		if (c && !dup && n < NCODECS)
			out[n++] = c;
	}
	if (!n) {
		for (size_t i = 0; i < NCODECS; i++)
			out[n++] = &codecs[i];
	}
	return n;
}

/* Is this offered format one of ours (and allowed by l)?  NULL when not. */
static const struct codec *codec_of(const struct sdp_format *f,
				    const struct offer_local *l)
{
	const struct codec *list[NCODECS];
	size_t n = codec_list(l, list);

	for (size_t i = 0; i < n; i++) {
		const struct codec *c = list[i];

		if (f->has_rtpmap) {
			if (pl_caseeq_str(&f->name, c->name) &&
			    f->clock == c->clock)
				return c;
		} else if (c->static_pt >= 0 && f->pt == c->static_pt) {
			return c;
		}
	}
	return NULL;
}

static bool is_dtmf(const struct sdp_format *f)
{
	return f->has_rtpmap && pl_caseeq_str(&f->name, "telephone-event") &&
	       f->clock == 8000;
}

/* Could we run this stream at all (audio over plain RTP, not disabled)? */
static bool usable(const struct sdp_media *m)
{
	return m->port && pl_caseeq_str(&m->type, "audio") &&
	       (m->proto == SDP_PROTO_RTP_AVP || m->proto == SDP_PROTO_RTP_SAVP);
}

/* The media address, and 0.0.0.0 (RFC 2543 hold) as the hold it means. */
static void remote_of(struct offer_result *res, const struct sdp_session *s,
		      const struct sdp_media *m)
{
	const struct sdp_conn *c = sdp_media_conn(s, m);

	res->remote_dir = sdp_media_dir(s, m);
	res->rport = m->port;
	res->raddr[0] = '\0';
	if (c)
		pl_strcpy(res->raddr, sizeof(res->raddr), &c->addr);
	if (!strcmp(res->raddr, "0.0.0.0") &&
	    res->remote_dir == SDP_DIR_SENDRECV)
		res->remote_dir = SDP_DIR_SENDONLY;
}

static void result_codec(struct offer_result *res, const struct codec *c,
			 const struct sdp_format *f)
{
	snprintf(res->codec, sizeof(res->codec), "%s", c->name);
	res->pt = f->pt;
	res->clock = c->clock;
	res->channels = f->channels ? f->channels : 1;
	res->fmtp[0] = '\0';
	if (f->fmtp.p)
		pl_strcpy(res->fmtp, sizeof(res->fmtp), &f->fmtp);
}

/* A rejected stream in the answer: the offered line with port 0. */
static int reject_stream(struct sdp_session *ans, const struct sdp_media *om)
{
	struct sdp_media *m;

	if (ans->nmedia >= SDP_MAX_MEDIA)
		return E2BIG;
	m = &ans->media[ans->nmedia++];
	memset(m, 0, sizeof(*m));
	m->type = om->type;
	m->proto = om->proto;
	m->proto_str = om->proto_str;
	m->port = 0;
	/* RFC 3264 6: at least one format, the offered one. */
	m->fmts[0] = om->fmts[0];
	m->fmts[0].has_rtpmap = false;
	m->fmts[0].fmtp.p = NULL;
	m->fmts[0].fmtp.l = 0;
	m->nfmts = 1;
	return 0;
}

int offer_answer(struct buf *out, struct offer_result *res, const char *in,
		 size_t len, const struct offer_local *l)
{
	struct sdp_session *off = NULL, *ans = NULL;
	bool accepted = false, can_srtp;
	char kp[64];
	int err;

	if (!out || !res || !in || !l)
		return EINVAL;
	can_srtp = l->srtp != OFFER_SRTP_OFF && l->secure;
	key_param(kp, sizeof(kp), l->key);
	memset(res, 0, sizeof(*res));
	res->dtmf_pt = -1;
	err = sdp_parse(&off, in, len);
	if (err)
		return err;
	err = session_start(&ans, l);
	for (size_t i = 0; !err && i < off->nmedia; i++) {
		const struct sdp_media *om = &off->media[i];
		const struct sdp_format *pick = NULL, *dtmf = NULL;
		const struct sdp_crypto *cr = NULL;
		const struct codec *c = NULL;
		struct sdp_media *m;

		if (!accepted && usable(om)) {
			cr = can_srtp ? crypto_pick(om) : NULL;
			if (om->proto == SDP_PROTO_RTP_SAVP && !cr) {
				res->why = !can_srtp && l->srtp != OFFER_SRTP_OFF ?
					N_("SRTP was offered over a hop that is not TLS") :
					N_("the offer requires SRTP with no suite we support");
				err = reject_stream(ans, om);
				continue;
			}
			if (l->srtp == OFFER_SRTP_MANDATORY && !cr) {
				res->why = N_("SRTP is mandatory and the offer has none we can use");
				err = reject_stream(ans, om);
				continue;
			}
		}
		for (size_t j = 0; !accepted && usable(om) && j < om->nfmts;
		     j++) {
			if (!pick && (c = codec_of(&om->fmts[j], l)))
				pick = &om->fmts[j];
			if (!dtmf && is_dtmf(&om->fmts[j]))
				dtmf = &om->fmts[j];
		}
		if (!pick) {
			err = reject_stream(ans, om);
			continue;
		}
		c = codec_of(pick, l);
		/* The offerer's payload type and rtpmap, our fmtp. */
		err = sdp_media_add(ans, &m, "audio", l->port, om->proto);
		if (err)
			break;
		m->fmts[0] = *pick;
		m->fmts[0].fmtp.p = NULL;
		m->fmts[0].fmtp.l = 0;
		if (c->fmtp)
			pl_set_str(&m->fmts[0].fmtp, c->fmtp);
		m->nfmts = 1;
		if (dtmf) {
			m->fmts[1] = *dtmf;
			m->nfmts = 2;
			res->dtmf_pt = dtmf->pt;
		}
		if (cr) {
			err = crypto_result(res, cr);
			if (!err)
				err = sdp_crypto_add(m, cr->tag, res->srtp_suite, kp);
			if (err)
				break;
		}
		/* no preference of our own (an echo): the offerer's */
		m->ptime = !l->ptime && offer_ptime_ok(om->ptime) ?
			om->ptime : local_ptime(l);
		remote_of(res, off, om);
		m->dir = sdp_dir_answer(res->remote_dir, l->dir);
		res->local_dir = m->dir;
		res->ptime = om->ptime ? om->ptime : local_ptime(l);
		result_codec(res, c, pick);
		accepted = true;
	}
	if (!err && !accepted)
		err = ENOTSUP;
	if (!err)
		err = sdp_print(out, ans);
	if (!err)
		res->why = NULL;
	explicit_bzero(kp, sizeof(kp));
	sdp_free(ans);
	sdp_free(off);
	return err;
}

/* Does the answer's crypto line echo one we offered? */
static const struct sdp_crypto *crypto_echo(const struct sdp_media *m)
{
	if (m->ncrypto != 1)
		return NULL;
	for (size_t i = 0; i < NSUITES; i++) {
		if (m->crypto[0].tag == i + 1 &&
		    pl_eq_str(&m->crypto[0].suite, suites[i]) &&
		    m->crypto[0].key_len == OFFER_SRTP_KEY_LEN && !m->crypto[0].mki.p)
			return &m->crypto[0];
	}
	return NULL;
}

int offer_accept(struct offer_result *res, const char *in, size_t len,
		 const struct offer_local *l)
{
	struct sdp_session *s = NULL;
	bool offered;
	int err;

	if (!res || !in || !l)
		return EINVAL;
	offered = l->srtp != OFFER_SRTP_OFF && l->secure;
	memset(res, 0, sizeof(*res));
	res->dtmf_pt = -1;
	err = sdp_parse(&s, in, len);
	if (err)
		return err;
	err = ENOTSUP;
	for (size_t i = 0; i < s->nmedia; i++) {
		const struct sdp_media *m = &s->media[i];
		const struct codec *c;

		if (!usable(m))
			continue;
		for (size_t j = 0; j < m->nfmts; j++) {
			if (is_dtmf(&m->fmts[j]) && res->dtmf_pt < 0)
				res->dtmf_pt = m->fmts[j].pt;
		}
		/* The answerer's first format is the one it will send. */
		for (size_t j = 0; err && j < m->nfmts; j++) {
			c = codec_of(&m->fmts[j], l);
			if (!c)
				continue;
			result_codec(res, c, &m->fmts[j]);
			err = 0;
		}
		if (err)
			continue;
		if (m->ncrypto && !offered) {
			res->why = N_("the answer has SRTP keys that were not offered");
			err = EPROTO;
			break;
		}
		if (m->ncrypto) {
			const struct sdp_crypto *cr = crypto_echo(m);

			if (!cr) {
				res->why = N_("the answer's a=crypto does not echo an offered tag and suite");
				err = EPROTO;
				break;
			}
			err = crypto_result(res, cr);
			if (err) {
				res->why = N_("the answer's SRTP key is malformed");
				break;
			}
		} else if (l->srtp == OFFER_SRTP_MANDATORY ||
			   m->proto == SDP_PROTO_RTP_SAVP) {
			res->why = N_("SRTP is mandatory and the answer has none");
			err = ENOTSUP;
			break;
		}
		remote_of(res, s, m);
		res->local_dir = sdp_dir_answer(res->remote_dir,
						SDP_DIR_SENDRECV);
		res->ptime = m->ptime ? m->ptime : local_ptime(l);
		break;
	}
	sdp_free(s);
	return err;
}
