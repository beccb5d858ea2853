/* fuzz_passport.c - libFuzzer target: PASSporT (JWS compact, or two JSON texts to encode) -> parse and canonical checks. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ua/stir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define INFO "https://cert.example.org/passport.cer"

static void one(const char *jws, size_t len, const char *ppt,
		const struct stir_sip *s)
{
	struct stir_token t;
	struct stir_fail f = {0, ""};
	int err = stir_passport_parse(&t, jws, len, INFO, ppt, s, &f);

	if (err == EBADMSG && (!f.reason[0] || f.code < 400))
		abort();
	if (err)
		return;
	/* What parsed is what was signed: the first two segments as sent. */
	if (t.sinput_len >= len || memcmp(t.sinput, jws, t.sinput_len) != 0 ||
	    jws[t.sinput_len] != '.' || strcmp(t.x5u, INFO) != 0)
		abort();
	if (t.shaken != (ppt != NULL))
		abort();
	if (t.shaken && (t.attest < 'A' || t.attest > 'C'))
		abort();
	(void)stir_check_iat(&t, 1443208345, 60, &f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct stir_sip s[2];
	static bool ready;
	struct stir_fail f;

	if (!ready) {
		if (stir_sip_set(&s[0], "sip:+12155551212@example.com;user=phone",
				 "sip:alice@example.com", -1, &f) ||
		    stir_sip_set(&s[1], "tel:+12155550121", "tel:+1-215-555-0131",
				 1443208345, &f))
			abort();
		ready = true;
	}
	if (size > 2 * STIR_TOKEN_MAX)
		return 0;
	if (size && data[0] == '{') {
		/* "header JSON" LF "payload JSON": encoded here so that the
		 * mutations reach the JSON checks. */
		const uint8_t *nl = memchr(data, '\n', size);
		struct buf b;

		if (!nl)
			return 0;
		buf_init(&b, 0);
		(void)stir_b64u_encode(&b, data, (size_t)(nl - data));
		(void)buf_putc(&b, '.');
		(void)stir_b64u_encode(&b, nl + 1, size - (size_t)(nl + 1 - data));
		(void)buf_puts(&b, ".rq3pjT1hoRwakEGjHCnWSwUnshd0-zJ6F1VOgFWSjHBr8Qjpjlk-cpFYpFYsojNCpTzO3QfPOlckGaS6hEck7w");
		if (!b.err) {
			for (int i = 0; i < 2; i++) {
				one(b.data, b.len, NULL, &s[i]);
				one(b.data, b.len, "shaken", &s[i]);
			}
		}
		buf_free(&b);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		one((const char *)data, size, NULL, &s[i]);
		one((const char *)data, size, "shaken", &s[i]);
	}
	return 0;
}
