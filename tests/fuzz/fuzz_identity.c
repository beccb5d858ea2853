/* fuzz_identity.c - libFuzzer target: Identity header value -> decode -> STIR parse and checks, short of the network. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>

#include "sip/msg.h"
#include "sip/msg_int.h"
#include "ua/stir.h"
#include "ua/tnauth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* RFC 8225 A.2's public key: a real P-256 key to verify against. */
static const char a2[] =
	"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8HNbQd/TmvCKwPKHkMF9fScavGeH78YTU8qLS8I5HLHSSmlATLcslQMhNC/OhlWBYC626nIlo7XeebYS7Sb37g==";

static gnutls_pubkey_t key(void)
{
	static gnutls_pubkey_t pk;
	uint8_t der[128];
	size_t n;

	if (!pk) {
		gnutls_datum_t d;

		if (stir_b64_decode(der, sizeof(der), &n, a2, sizeof(a2) - 1))
			abort();
		d.data = der;
		d.size = (unsigned)n;
		if (gnutls_pubkey_init(&pk) < 0 ||
		    gnutls_pubkey_import(pk, &d, GNUTLS_X509_FMT_DER) < 0)
			abort();
	}
	return pk;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct stir_sip s;
	static bool ready;
	struct sip_identity id;
	struct stir_token t;
	struct stir_fail f;
	struct pl p = {(const char *)data, size};
	struct tnauth_list *tl;
	int err;

	if (!ready) {
		if (stir_sip_set(&s, "sip:+12155551212@example.com;user=phone",
				 "sip:alice@example.com", 1443208345, &f))
			abort();
		ready = true;
	}
	/* The same bytes as a TNAuthList extension value. */
	tl = malloc(sizeof(*tl));
	if (tl) {
		if (tnauth_decode(tl, data, size) == 0) {
			if (tl->n == 0 || tl->n > TNAUTH_MAX_ENTRIES)
				abort();
			(void)tnauth_covers(tl, "12155551212");
		}
		free(tl);
	}
	if (size > STIR_HDR_MAX + 64)
		return 0;
	if (sip_identity_decode(&id, &p))
		return 0;
	if (id.legacy)
		return 0;
	f.code = 0;
	f.reason[0] = '\0';
	err = stir_parse(&t, &id, &s, &f);
	if (err == EBADMSG) {
		/* A failure always says why, with an RFC 8224 code. */
		if (!f.reason[0] || (f.code != 436 && f.code != 437 && f.code != 438))
			abort();
		return 0;
	}
	if (err)
		return 0;
	if (t.sinput_len == 0 || t.sinput_len >= sizeof(t.sinput) ||
	    strlen(t.sinput) != t.sinput_len || strlen(t.x5u) == 0)
		abort();
	if (stir_check_iat(&t, 1443208345, 60, &f) == 0)
		(void)stir_verify_sig(&t, key(), &f);
	return 0;
}
