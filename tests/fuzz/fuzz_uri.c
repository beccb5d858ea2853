/* fuzz_uri.c - libFuzzer target for the URI decoder and what builds on it. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sip/uri.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every slice decode hands out is validated, so unescaping cannot fail. */
static void unescape_ok(struct buf *b, const struct pl *pl)
{
	buf_reset(b);
	if (sip_uri_unescape(b, pl))
		abort();
	if (b->len > pl->l)
		abort();
}

/* The URI form of sip_uri_canon() is itself a URI whose canonical form is
 * the same string. */
static void canon_stable(const struct buf *c, bool tn)
{
	struct sip_uri u;
	struct buf again;
	struct pl pl = {c->data, c->len};
	bool tn2;

	if (tn || !c->len)
		return;
	if (sip_uri_decode(&u, &pl))
		abort();
	buf_init(&again, 0);
	if (sip_uri_canon(&again, &u, &tn2) || tn2 || again.len != c->len ||
	    memcmp(again.data, c->data, c->len))
		abort();
	buf_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sip_uri u, v;
	struct pl s = {(const char *)data, size}, val, printed;
	struct buf b;
	bool tn = false;
	int err;

	err = sip_uri_decode(&u, &s);
	if (err) {
		if (err != EBADMSG && err != E2BIG && err != EPROTONOSUPPORT)
			abort();
		return 0;
	}
	(void)sip_uri_param(&u, "transport", &val);
	(void)sip_uri_param(&u, "user", &val);
	(void)sip_uri_param(&u, "lr", &val);
	(void)sip_uri_header(&u, "subject", &val);
	if (!sip_uri_equal(&u, &u))
		abort();

	buf_init(&b, 0);
	err = sip_uri_canon(&b, &u, &tn);
	if (err && !(err == EINVAL && u.scheme == SIP_URI_TEL))
		abort();
	if (!err)
		canon_stable(&b, tn);

	unescape_ok(&b, &u.user);
	unescape_ok(&b, &u.password);
	unescape_ok(&b, &u.params);
	unescape_ok(&b, &u.headers);

	/* print -> decode gives back an equal URI */
	buf_reset(&b);
	if (sip_uri_print(&b, &u))
		abort();
	printed = (struct pl){b.data, b.len};
	if (sip_uri_decode(&v, &printed))
		abort();
	if (!sip_uri_equal(&u, &v) || !sip_uri_equal(&v, &u))
		abort();
	buf_free(&b);
	return 0;
}
