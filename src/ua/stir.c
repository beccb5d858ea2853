/* stir.c - STIR verification without I/O: PASSporT parse, claims against From/To, ES256, certificates. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <time.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>
#include <jansson.h>

#include "core/i18n.h"
#include "core/pl.h"
#include "sip/msg.h"
#include "sip/uri.h"
#include "ua/stir.h"
#include "ua/tnauth.h"

static int fail(struct stir_fail *f, uint16_t code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct stir_fail *f, uint16_t code, const char *fmt, ...)
{
	va_list ap;

	if (f) {
		f->code = code;
		va_start(ap, fmt);
		vsnprintf(f->reason, sizeof(f->reason), fmt, ap);
		va_end(ap);
	}
	return EBADMSG;
}

/* ------------------------------------------------------------------ */
/* base64                                                              */

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-' || c == '+')
		return 62;
	if (c == '_' || c == '/')
		return 63;
	return -1;
}

int stir_b64_decode(uint8_t *out, size_t max, size_t *outlen,
		    const char *in, size_t len)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	while (len && in[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return EBADMSG;
	for (size_t i = 0; i < len; i++) {
		int v = b64val(in[i]);

		if (v < 0)
			return EBADMSG;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == max)
				return E2BIG;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* Leftover bits must be zero (one encoding per value). */
	if (acc & ((1u << bits) - 1))
		return EBADMSG;
	*outlen = n;
	return 0;
}

int stir_b64u_encode(struct buf *out, const uint8_t *in, size_t len)
{
	static const char a[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		(void)buf_putc(out, a[v >> 18]);
		(void)buf_putc(out, a[(v >> 12) & 63]);
		(void)buf_putc(out, a[(v >> 6) & 63]);
		(void)buf_putc(out, a[v & 63]);
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		(void)buf_putc(out, a[v >> 18]);
		(void)buf_putc(out, a[(v >> 12) & 63]);
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		(void)buf_putc(out, a[v >> 18]);
		(void)buf_putc(out, a[(v >> 12) & 63]);
		(void)buf_putc(out, a[(v >> 6) & 63]);
	}
	return out->err;
}

/* One INTEGER of a DER ECDSA-Sig-Value from a 32-byte big-endian value:
 * leading zeros dropped (one kept for zero), 0x00 added before a high bit. */
static size_t der_int(uint8_t *o, const uint8_t *v)
{
	size_t skip = 0, n = 0;

	while (skip < 31 && v[skip] == 0)
		skip++;
	o[n++] = 0x02;
	o[n++] = (uint8_t)(32 - skip + ((v[skip] & 0x80) ? 1 : 0));
	if (v[skip] & 0x80)
		o[n++] = 0;
	memcpy(o + n, v + skip, 32 - skip);
	return n + 32 - skip;
}

int stir_rs_to_der(uint8_t *out, size_t max, size_t *outlen,
		   const uint8_t rs[64])
{
	uint8_t tmp[72];
	size_t n;

	if (max < 72)
		return E2BIG;
	n = der_int(tmp, rs);
	n += der_int(tmp + n, rs + 32);
	out[0] = 0x30;
	out[1] = (uint8_t)n;  /* at most 70: short form */
	memcpy(out + 2, tmp, n);
	*outlen = n + 2;
	return 0;
}

/* ------------------------------------------------------------------ */
/* canonical identities                                                */

int stir_canon_uri(char *out, size_t sz, const char *uri, size_t len,
		   bool *is_tn)
{
	struct sip_uri u;
	struct pl s = {uri, len};
	struct buf b;
	int err;

	if (len > SIP_URI_MAX)
		return E2BIG;
	err = sip_uri_decode(&u, &s);
	if (err)
		return err;
	buf_init(&b, sz - 1);
	err = sip_uri_canon(&b, &u, is_tn);
	if (!err && b.len == 0)
		err = EBADMSG;
	if (!err) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
	}
	buf_free(&b);
	return err;
}

int stir_canon_tn(char *out, size_t sz, const char *tn, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		char c = tn[i];

		if ((c >= '0' && c <= '9') || c == '#' || c == '*') {
			if (n + 1 >= sz)
				return E2BIG;
			out[n++] = c;
		} else if (!(c == '+' && i == 0) && c != '-' && c != '.' &&
			   c != '(' && c != ')' && c != ' ') {
			return EBADMSG;
		}
	}
	if (!n)
		return EBADMSG;
	out[n] = '\0';
	return 0;
}

int stir_sip_set(struct stir_sip *s, const char *from_uri,
		 const char *to_uri, int64_t date, struct stir_fail *f)
{
	memset(s, 0, sizeof(*s));
	if (stir_canon_uri(s->orig, sizeof(s->orig), from_uri,
			   strlen(from_uri), &s->orig_tn))
		return fail(f, 438, _("the From URI has no canonical identity form"));
	if (stir_canon_uri(s->dest, sizeof(s->dest), to_uri,
			   strlen(to_uri), &s->dest_tn))
		return fail(f, 438, _("the To URI has no canonical identity form"));
	s->date = date;
	s->has_date = date >= 0;
	return 0;
}

static int addr_canon(struct sip_msg *msg, enum sip_hdr_id id, char *out,
		      size_t sz, bool *is_tn)
{
	const struct sip_addr *a;
	int err;

	err = sip_msg_addr(msg, id, &a);
	if (err)
		return err;
	if (!a->uri_ok)
		return EPROTONOSUPPORT;
	return stir_canon_uri(out, sz, a->uri_raw.p, a->uri_raw.l, is_tn);
}

int stir_sip_from_msg(struct stir_sip *s, struct sip_msg *msg,
		      struct stir_fail *f)
{
	memset(s, 0, sizeof(*s));
	if (addr_canon(msg, SIP_HDR_FROM, s->orig, sizeof(s->orig), &s->orig_tn))
		return fail(f, 438, _("the From URI has no canonical identity form"));
	if (addr_canon(msg, SIP_HDR_TO, s->dest, sizeof(s->dest), &s->dest_tn))
		return fail(f, 438, _("the To URI has no canonical identity form"));
	s->has_date = sip_msg_date(msg, &s->date) == 0;
	return 0;
}

/* ------------------------------------------------------------------ */
/* PASSporT                                                            */

static bool ppt_known(const char *ppt, size_t len)
{
	return len == 6 && strncasecmp(ppt, "shaken", 6) == 0;
}

static int json_seg(json_t **jp, const char *b64, size_t len,
		    const char *what, struct stir_fail *f)
{
	uint8_t raw[STIR_JSON_MAX];
	json_error_t je;
	size_t n;
	int err;

	err = stir_b64_decode(raw, sizeof(raw), &n, b64, len);
	if (err == E2BIG)
		return fail(f, 438, _("the PASSporT %s is longer than %d bytes"),
			    what, STIR_JSON_MAX);
	if (err)
		return fail(f, 438, _("the PASSporT %s is not base64url"), what);
	*jp = json_loadb((const char *)raw, n, JSON_REJECT_DUPLICATES, &je);
	if (!*jp || !json_is_object(*jp)) {
		json_decref(*jp);
		*jp = NULL;
		return fail(f, 438, _("the PASSporT %s is not a JSON object"), what);
	}
	return 0;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* One identity claim ("tn" or "uri" string) in canonical form. */
static int claim_canon(json_t *v, bool tn, char *out, size_t sz, bool *is_tn)
{
	if (!json_is_string(v))
		return EBADMSG;
	if (tn) {
		*is_tn = true;
		return stir_canon_tn(out, sz, json_string_value(v),
				     json_string_length(v));
	}
	return stir_canon_uri(out, sz, json_string_value(v),
			      json_string_length(v), is_tn);
}

static bool id_eq(const char *a, bool a_tn, const char *b, bool b_tn)
{
	return a_tn == b_tn && strcmp(a, b) == 0;
}

static int check_orig(json_t *pay, const struct stir_sip *s,
		      struct stir_fail *f)
{
	json_t *o = json_object_get(pay, "orig"), *tn, *uri;
	char c[STIR_ID_MAX];
	bool is_tn = false;

	if (!json_is_object(o))
		return fail(f, 438, _("the PASSporT has no orig claim"));
	tn = json_object_get(o, "tn");
	uri = json_object_get(o, "uri");
	if ((tn != NULL) == (uri != NULL) || json_object_size(o) != 1)
		return fail(f, 438, _("the PASSporT orig claim must hold one tn or uri"));
	if (claim_canon(tn ? tn : uri, tn != NULL, c, sizeof(c), &is_tn))
		return fail(f, 438, _("the PASSporT orig claim is not a valid identity"));
	if (!id_eq(c, is_tn, s->orig, s->orig_tn))
		return fail(f, 438, _("the PASSporT is for %.40s, not the From identity %.40s"),
			    c, s->orig);
	return 0;
}

static int check_dest(json_t *pay, const struct stir_sip *s,
		      struct stir_fail *f)
{
	static const char *const keys[] = {"tn", "uri"};
	json_t *d = json_object_get(pay, "dest");
	size_t total = 0;
	bool match = false;

	if (!json_is_object(d))
		return fail(f, 438, _("the PASSporT has no dest claim"));
	for (size_t k = 0; k < 2; k++) {
		json_t *arr = json_object_get(d, keys[k]), *v;
		size_t i;

		if (!arr)
			continue;
		if (!json_is_array(arr))
			return fail(f, 438, _("the PASSporT dest %s is not an array"), keys[k]);
		json_array_foreach(arr, i, v) {
			char c[STIR_ID_MAX];
			bool is_tn = false;

			if (++total > STIR_DEST_MAX)
				return fail(f, 438, _("the PASSporT dest has more than %d entries"),
					    STIR_DEST_MAX);
			if (claim_canon(v, k == 0, c, sizeof(c), &is_tn))
				return fail(f, 438, _("the PASSporT dest claim is not a valid identity"));
			if (id_eq(c, is_tn, s->dest, s->dest_tn))
				match = true;
		}
	}
	if (!total)
		return fail(f, 438, _("the PASSporT dest claim is empty"));
	if (!match)
		return fail(f, 438, _("the PASSporT is not for the To identity %.60s"), s->dest);
	return 0;
}

static int get_iat(json_t *pay, int64_t *iat, struct stir_fail *f)
{
	json_t *v = json_object_get(pay, "iat");

	if (json_is_integer(v)) {
		*iat = json_integer_value(v);
	} else if (json_is_string(v)) {
		/* RFC 8224 4.1.1 writes it as a string: accept digits only. */
		const char *p = json_string_value(v);
		size_t n = json_string_length(v);
		int64_t x = 0;

		if (n == 0 || n > 12)
			return fail(f, 438, _("the PASSporT iat is not a NumericDate"));
		for (size_t i = 0; i < n; i++) {
			if (p[i] < '0' || p[i] > '9')
				return fail(f, 438, _("the PASSporT iat is not a NumericDate"));
			x = x * 10 + (p[i] - '0');
		}
		*iat = x;
	} else {
		return fail(f, 438, _("the PASSporT has no iat claim"));
	}
	if (*iat < 0 || *iat > 253402300799LL)
		return fail(f, 438, _("the PASSporT iat is out of range"));
	return 0;
}

static int check_header(json_t *h, const char *info, const char *ppt,
			struct stir_token *t, struct stir_fail *f)
{
	const char *alg = jstr(h, "alg"), *typ = jstr(h, "typ");
	const char *x5u = jstr(h, "x5u"), *hppt;
	json_t *pv = json_object_get(h, "ppt");

	if (pv && !json_is_string(pv))
		return fail(f, 438, _("the PASSporT ppt is not a string"));
	hppt = pv ? json_string_value(pv) : NULL;
	if (hppt && !ppt_known(hppt, strlen(hppt)))
		return ENOTSUP;
	if ((hppt == NULL) != (ppt == NULL) ||
	    (hppt && strcasecmp(hppt, ppt) != 0))
		return fail(f, 438, _("the PASSporT ppt does not match the Identity header's"));
	if (!typ || strcmp(typ, "passport") != 0)
		return fail(f, 438, _("the token is not a PASSporT (typ)"));
	if (!alg || strcmp(alg, "ES256") != 0)
		return fail(f, 437, _("the PASSporT algorithm %.20s is not supported (ES256 only)"),
			    alg ? alg : "(none)");
	if (!x5u)
		return fail(f, 438, _("the PASSporT has no x5u"));
	if (strcmp(x5u, info) != 0)
		return fail(f, 438, _("the PASSporT x5u differs from the Identity info URI"));
	t->shaken = hppt != NULL;
	return 0;
}

static int check_payload(json_t *pay, const struct stir_sip *s,
			 struct stir_token *t, struct stir_fail *f)
{
	int err;

	err = get_iat(pay, &t->iat, f);
	if (!err)
		err = check_orig(pay, s, f);
	if (!err)
		err = check_dest(pay, s, f);
	if (err)
		return err;
	if (t->shaken) {
		const char *a = jstr(pay, "attest");

		if (!a || strlen(a) != 1 || a[0] < 'A' || a[0] > 'C')
			return fail(f, 438, _("the SHAKEN PASSporT has no attest A, B or C"));
		t->attest = a[0];
	}
	return 0;
}

static int sig_seg(struct stir_token *t, const char *b64, size_t len,
		   struct stir_fail *f)
{
	size_t n;

	if (stir_b64_decode(t->sig, sizeof(t->sig), &n, b64, len) || n != 64)
		return fail(f, 438, _("the PASSporT signature is not a 64-byte ES256 value"));
	return 0;
}

static int dup_cstr(char *out, size_t sz, const struct pl *p)
{
	if (p->l >= sz)
		return E2BIG;
	memcpy(out, p->p, p->l);
	out[p->l] = '\0';
	return 0;
}

int stir_passport_parse(struct stir_token *t, const char *jws, size_t len,
			const char *info, const char *ppt,
			const struct stir_sip *s, struct stir_fail *f)
{
	const char *d1, *d2;
	json_t *h = NULL, *pay = NULL;
	int err;

	memset(t, 0, sizeof(*t));
	if (len > STIR_TOKEN_MAX)
		return fail(f, 438, _("the PASSporT is longer than %d bytes"), STIR_TOKEN_MAX);
	d1 = memchr(jws, '.', len);
	d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jws)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jws)))
		return fail(f, 438, _("the PASSporT is not header.payload.signature"));
	if (d1 == jws || d2 == d1 + 1)
		return fail(f, 438, _("the PASSporT header or payload is empty"));
	if (strlen(info) >= sizeof(t->x5u))
		return fail(f, 436, _("the Identity info URI is too long"));
	err = json_seg(&h, jws, (size_t)(d1 - jws), "header", f);
	if (!err)
		err = check_header(h, info, ppt, t, f);
	if (!err)
		err = json_seg(&pay, d1 + 1, (size_t)(d2 - d1 - 1), "payload", f);
	if (!err)
		err = check_payload(pay, s, t, f);
	if (!err)
		err = sig_seg(t, d2 + 1, len - (size_t)(d2 + 1 - jws), f);
	json_decref(h);
	json_decref(pay);
	if (err)
		return err;
	snprintf(t->x5u, sizeof(t->x5u), "%s", info);
	t->sinput_len = (size_t)(d2 - jws);
	memcpy(t->sinput, jws, t->sinput_len);
	t->sinput[t->sinput_len] = '\0';
	return 0;
}

/* Compact form (RFC 8224 4.1): header and claims rebuilt from SIP. */
static int compact(struct stir_token *t, const char *sigb64, size_t siglen,
		   const char *info, const char *ppt, const struct stir_sip *s,
		   struct stir_fail *f)
{
	json_t *h, *p, *dest;
	char *hs = NULL, *ps = NULL;
	struct buf b;
	int err = 0;

	memset(t, 0, sizeof(*t));
	t->compact = true;
	if (ppt)
		return fail(f, 438, _("a %s PASSporT must use the full form"), ppt);
	if (!s->has_date)
		return fail(f, 438, _("a compact Identity needs a Date header"));
	if (strlen(info) >= sizeof(t->x5u))
		return fail(f, 436, _("the Identity info URI is too long"));
	err = sig_seg(t, sigb64, siglen, f);
	if (err)
		return err;
	h = json_pack("{s:s,s:s,s:s}", "alg", "ES256", "typ", "passport",
		      "x5u", info);
	dest = json_pack("{s:[s]}", s->dest_tn ? "tn" : "uri", s->dest);
	p = json_pack("{s:o,s:I,s:{s:s}}", "dest", dest, "iat",
		      (json_int_t)s->date, "orig", s->orig_tn ? "tn" : "uri",
		      s->orig);
	if (h && p) {
		hs = json_dumps(h, JSON_COMPACT | JSON_SORT_KEYS);
		ps = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	}
	json_decref(h);
	json_decref(p);
	buf_init(&b, sizeof(t->sinput) - 1);
	if (hs && ps) {
		(void)stir_b64u_encode(&b, (const uint8_t *)hs, strlen(hs));
		(void)buf_putc(&b, '.');
		(void)stir_b64u_encode(&b, (const uint8_t *)ps, strlen(ps));
	} else {
		b.err = ENOMEM;
	}
	free(hs);
	free(ps);
	if (b.err) {
		err = fail(f, 438, _("the compact PASSporT could not be rebuilt"));
	} else {
		memcpy(t->sinput, b.data, b.len);
		t->sinput[b.len] = '\0';
		t->sinput_len = b.len;
		t->iat = s->date;
		snprintf(t->x5u, sizeof(t->x5u), "%s", info);
	}
	buf_free(&b);
	return err;
}

int stir_parse(struct stir_token *t, const struct sip_identity *id,
	       const struct stir_sip *s, struct stir_fail *f)
{
	char info[STIR_URL_MAX], ppt[32];
	const char *pp = NULL;

	memset(t, 0, sizeof(*t));
	if (id->raw.l > STIR_HDR_MAX)
		return fail(f, 438, _("the Identity header is longer than %d bytes"),
			    STIR_HDR_MAX);
	if (pl_isset(&id->ppt)) {
		if (!ppt_known(id->ppt.p, id->ppt.l))
			return ENOTSUP;
		if (dup_cstr(ppt, sizeof(ppt), &id->ppt))
			return ENOTSUP;
		pp = ppt;
	}
	if (pl_isset(&id->alg) && !pl_eq_str(&id->alg, "ES256"))
		return fail(f, 437, _("the Identity algorithm %.*s is not supported (ES256 only)"),
			    id->alg.l > 20 ? 20 : (int)id->alg.l, id->alg.p);
	if (!pl_isset(&id->info) || dup_cstr(info, sizeof(info), &id->info))
		return fail(f, 436, _("the Identity header has no usable info URI"));
	if (id->digest.l >= 2 && id->digest.p[0] == '.' && id->digest.p[1] == '.')
		return compact(t, id->digest.p + 2, id->digest.l - 2, info, pp, s, f);
	return stir_passport_parse(t, id->digest.p, id->digest.l, info, pp, s, f);
}

int stir_check_iat(const struct stir_token *t, int64_t now,
		   unsigned window, struct stir_fail *f)
{
	if (t->iat < now - (int64_t)window)
		return fail(f, 403, _("the PASSporT is stale (signed %lld s ago, over %u s)"),
			    (long long)(now - t->iat), window);
	if (t->iat > now + (int64_t)window)
		return fail(f, 403, _("the PASSporT is dated %lld s in the future (over %u s)"),
			    (long long)(t->iat - now), window);
	return 0;
}

int stir_verify_sig(const struct stir_token *t, gnutls_pubkey_t pk,
		    struct stir_fail *f)
{
	uint8_t der[72];
	size_t n;
	gnutls_datum_t data = {(unsigned char *)t->sinput, (unsigned)t->sinput_len};
	gnutls_datum_t sig;
	int r;

	if (stir_rs_to_der(der, sizeof(der), &n, t->sig))
		return fail(f, 438, _("the PASSporT signature could not be encoded"));
	sig.data = der;
	sig.size = (unsigned)n;
	r = gnutls_pubkey_verify_data2(pk, GNUTLS_SIGN_ECDSA_SHA256, 0, &data, &sig);
	if (r < 0)
		return fail(f, 438, _("the PASSporT signature does not verify"));
	return 0;
}

/* ------------------------------------------------------------------ */
/* certificates                                                        */

static int import_list(gnutls_x509_crt_t **crtsp, unsigned *np,
		       const uint8_t *data, size_t len)
{
	gnutls_datum_t d = {(unsigned char *)data, (unsigned)len};
	bool pem = len > 10 && memmem(data, len, "-----BEGIN", 10) != NULL;
	int r;

	if (!len || len > (1u << 20))
		return EBADMSG;
	r = gnutls_x509_crt_list_import2(crtsp, np, &d,
					 pem ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, 0);
	if (r < 0 || *np == 0)
		return EBADMSG;
	if (*np > STIR_CHAIN_MAX) {
		for (unsigned i = 0; i < *np; i++)
			gnutls_x509_crt_deinit((*crtsp)[i]);
		gnutls_free(*crtsp);
		*crtsp = NULL;
		return E2BIG;
	}
	return 0;
}

static void free_list(gnutls_x509_crt_t *crts, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		gnutls_x509_crt_deinit(crts[i]);
	gnutls_free(crts);
}

static void fmt_date(char *out, size_t sz, time_t t)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(out, sz, "%Y-%m-%d", &tm))
		snprintf(out, sz, "?");
}

/* Chain to tl, each certificate valid at `at`, signer DN. */
static int chain_check(gnutls_x509_crt_t *crts, unsigned n,
		       gnutls_x509_trust_list_t tl, int64_t at,
		       char *signer, size_t ssz, struct stir_fail *f)
{
	unsigned status = 0;
	gnutls_datum_t dn = {NULL, 0};
	int r;

	if (!tl)
		return fail(f, 437, _("no trust anchors are configured ([identity] trust_anchors)"));
	/* Time is checked below against the signing time, not the clock. */
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, n, NULL, 0,
					       GNUTLS_VERIFY_DISABLE_TIME_CHECKS |
					       GNUTLS_VERIFY_DISABLE_TRUSTED_TIME_CHECKS,
					       &status, NULL);
	if (r < 0 || status != 0)
		return fail(f, 437, _("the signing certificate does not chain to a trust anchor"));
	for (unsigned i = 0; i < n; i++) {
		time_t nb = gnutls_x509_crt_get_activation_time(crts[i]);
		time_t na = gnutls_x509_crt_get_expiration_time(crts[i]);
		char d[32];

		if (nb == (time_t)-1 || na == (time_t)-1)
			return fail(f, 437, _("the signing certificate has no validity period"));
		if (at > (int64_t)na) {
			fmt_date(d, sizeof(d), na);
			return fail(f, 437, _("the signing certificate expired on %s"), d);
		}
		if (at < (int64_t)nb) {
			fmt_date(d, sizeof(d), nb);
			return fail(f, 437, _("the signing certificate is not valid before %s"), d);
		}
	}
	if (signer && ssz) {
		signer[0] = '\0';
		if (gnutls_x509_crt_get_dn3(crts[0], &dn, 0) >= 0) {
			snprintf(signer, ssz, "%.*s", (int)dn.size, (const char *)dn.data);
			gnutls_free(dn.data);
		}
	}
	return 0;
}

static int tnauth_check(gnutls_x509_crt_t crt, const struct stir_sip *s,
			bool shaken, struct stir_fail *f)
{
	gnutls_datum_t ext = {NULL, 0};
	struct tnauth_list *l;
	unsigned crit = 0;
	int err = 0;

	if (gnutls_x509_crt_get_extension_by_oid2(crt, TNAUTH_OID, 0, &ext, &crit) < 0)
		return 0;  /* absent: the chain alone vouches for the signer */
	l = malloc(sizeof(*l));
	if (!l) {
		gnutls_free(ext.data);
		return fail(f, 437, _("out of memory checking TNAuthList"));
	}
	if (tnauth_decode(l, ext.data, ext.size))
		err = fail(f, 437, _("the certificate's TNAuthList is malformed"));
	else if (!s->orig_tn && tnauth_has_numbers(l))
		err = fail(f, 437, _("the certificate covers telephone numbers, but From is a URI"));
	else if (s->orig_tn && tnauth_has_numbers(l) && !tnauth_covers(l, s->orig))
		err = fail(f, 437, _("the certificate's TNAuthList does not cover %s"), s->orig);
	else if (s->orig_tn && !tnauth_has_numbers(l) && !shaken)
		err = fail(f, 437, _("the certificate's TNAuthList names only service provider codes, which cover no number"));
	free(l);
	gnutls_free(ext.data);
	return err;
}

int stir_cert_check(const uint8_t *data, size_t len,
		    gnutls_x509_trust_list_t tl, int64_t at,
		    const struct stir_sip *s, bool shaken, bool want_ec,
		    gnutls_pubkey_t *pkp, char *signer, size_t ssz,
		    struct stir_fail *f)
{
	gnutls_x509_crt_t *crts = NULL;
	gnutls_pubkey_t pk = NULL;
	unsigned n = 0, bits = 0;
	int err;

	*pkp = NULL;
	err = import_list(&crts, &n, data, len);
	if (err == E2BIG)
		return fail(f, 437, _("the certificate file holds more than %d certificates"),
			    STIR_CHAIN_MAX);
	if (err)
		return fail(f, 437, _("the fetched credential is not an X.509 certificate"));
	err = chain_check(crts, n, tl, at, signer, ssz, f);
	if (!err && want_ec && s)
		err = tnauth_check(crts[0], s, shaken, f);
	if (!err && (gnutls_pubkey_init(&pk) < 0 ||
		     gnutls_pubkey_import_x509(pk, crts[0], 0) < 0))
		err = fail(f, 437, _("the certificate's public key cannot be read"));
	if (!err && want_ec) {
		gnutls_ecc_curve_t curve = GNUTLS_ECC_CURVE_INVALID;

		if (gnutls_pubkey_get_pk_algorithm(pk, &bits) != GNUTLS_PK_ECDSA ||
		    gnutls_pubkey_export_ecc_raw(pk, &curve, NULL, NULL) < 0 ||
		    curve != GNUTLS_ECC_CURVE_SECP256R1)
			err = fail(f, 437, _("the certificate's key is not ECDSA P-256"));
	}
	if (!err && !want_ec &&
	    gnutls_pubkey_get_pk_algorithm(pk, &bits) != GNUTLS_PK_RSA)
		err = fail(f, 437, _("the certificate's key is not RSA"));
	free_list(crts, n);
	if (err) {
		if (pk)
			gnutls_pubkey_deinit(pk);
		return err;
	}
	*pkp = pk;
	return 0;
}

int stir_cert_expiry(const uint8_t *data, size_t len, int64_t *tp)
{
	gnutls_x509_crt_t *crts = NULL;
	unsigned n = 0;
	time_t t;

	if (import_list(&crts, &n, data, len))
		return EBADMSG;
	t = gnutls_x509_crt_get_expiration_time(crts[0]);
	free_list(crts, n);
	if (t == (time_t)-1)
		return EBADMSG;
	*tp = (int64_t)t;
	return 0;
}

/* ------------------------------------------------------------------ */
/* RFC 4474                                                            */

static int addr_spec(struct buf *out, struct sip_msg *msg, enum sip_hdr_id id)
{
	const struct sip_addr *a;
	int err = sip_msg_addr(msg, id, &a);

	if (err)
		return err;
	return buf_putpl(out, &a->uri_raw);
}

int stir_4474_digest_string(struct buf *out, struct sip_msg *msg)
{
	const struct sip_cseq *cs;
	const struct sip_addrs *ct;
	size_t i = 0;
	const struct sip_hdr *date;
	struct pl callid, body;
	int err;

	err = addr_spec(out, msg, SIP_HDR_FROM);
	(void)buf_putc(out, '|');
	if (!err)
		err = addr_spec(out, msg, SIP_HDR_TO);
	(void)buf_putc(out, '|');
	if (!err)
		err = sip_msg_callid(msg, &callid);
	if (err)
		return err;
	(void)buf_putpl(out, &callid);
	(void)buf_putc(out, '|');
	err = sip_msg_cseq(msg, &cs);
	if (err)
		return err;
	(void)buf_printf(out, "%u %.*s|", cs->num, PL_FMT(&cs->method));
	date = sip_msg_hdr_next(msg, SIP_HDR_DATE, &i);
	if (!date)
		return ENOENT;
	(void)buf_putpl(out, &date->val);
	(void)buf_putc(out, '|');
	if (sip_msg_addrs(msg, SIP_HDR_CONTACT, &ct) == 0 && ct->n)
		(void)buf_putpl(out, &ct->v[0].uri_raw);
	(void)buf_putc(out, '|');
	body = sip_msg_body(msg);
	(void)buf_putpl(out, &body);
	return out->err;
}

int stir_4474_verify(const uint8_t *cert, size_t certlen,
		     gnutls_x509_trust_list_t tl, const char *ds, size_t dslen,
		     int64_t date, const char *from_host,
		     const char *sig_b64, size_t siglen, int64_t now,
		     char *signer, size_t ssz, struct stir_fail *f)
{
	gnutls_x509_crt_t *crts = NULL;
	gnutls_pubkey_t pk = NULL;
	uint8_t sig[1024];
	size_t sn;
	unsigned n = 0;
	int err, r;

	if (date < now - 3600 || date > now + 3600)
		return fail(f, 403, _("the RFC 4474 Date is more than 3600 s from now"));
	if (stir_b64_decode(sig, sizeof(sig), &sn, sig_b64, siglen) || sn < 128)
		return fail(f, 438, _("the RFC 4474 signature is not base64 of an RSA signature"));
	err = import_list(&crts, &n, cert, certlen);
	if (err)
		return fail(f, 437, _("the fetched credential is not an X.509 certificate"));
	err = chain_check(crts, n, tl, date, signer, ssz, f);
	if (!err && !gnutls_x509_crt_check_hostname(crts[0], from_host))
		err = fail(f, 437, _("the certificate is not for the From domain %.80s"), from_host);
	if (!err && (gnutls_pubkey_init(&pk) < 0 ||
		     gnutls_pubkey_import_x509(pk, crts[0], 0) < 0))
		err = fail(f, 437, _("the certificate's public key cannot be read"));
	free_list(crts, n);
	if (!err) {
		gnutls_datum_t d = {(unsigned char *)ds, (unsigned)dslen};
		gnutls_datum_t sd = {sig, (unsigned)sn};

		r = gnutls_pubkey_verify_data2(pk, GNUTLS_SIGN_RSA_SHA1,
					       GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1 |
					       GNUTLS_VERIFY_ALLOW_BROKEN, &d, &sd);
		if (r < 0)
			err = fail(f, 438, _("the RFC 4474 signature does not verify"));
	}
	if (pk)
		gnutls_pubkey_deinit(pk);
	return err;
}
