/* fuzz_msg.c - libFuzzer target: frame, parse, decode every header, validate, print, parse again. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip/msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                      \
	do {                                                             \
		if (!(cond)) {                                           \
			fprintf(stderr, "fuzz_msg: %s failed (line %d)\n", \
				#cond, __LINE__);                        \
			abort();                                         \
		}                                                        \
	} while (0)

static void frame(const char *p, size_t size)
{
	struct sip_msg *msg = NULL;
	size_t len = 0;
	int err;

	err = sip_msg_frame(p, size, &len);
	CHECK(err == 0 || err == ENODATA || err == EBADMSG || err == E2BIG);
	if (err)
		return;
	CHECK(len <= size);
	/* A framed message has a valid Content-Length, so a stream decode
	 * can only fail on its other parts. */
	err = sip_msg_decode(&msg, p, len, SIP_MSG_STREAM, NULL);
	sip_msg_free(msg);
}

/* The scrubber's edits on whatever came in must leave a printable,
 * parseable message. */
static void edit(struct sip_msg *msg)
{
	struct sip_msg *again = NULL;
	struct buf out;
	int err;

	(void)sip_msg_hdr_replace(msg, SIP_HDR_FROM,
		"\"Anonymous\" <sip:anonymous@anonymous.invalid>;tag=1");
	(void)sip_msg_hdr_remove(msg, SIP_HDR_CONTACT);
	(void)sip_msg_hdr_insert(msg, 0, SIP_HDR_VIA, NULL,
				 &PL("SIP/2.0/TLS h;branch=z9hG4bKf"));
	if (sip_msg_hdr_count(msg) > 1)
		(void)sip_msg_hdr_remove_at(msg, sip_msg_hdr_count(msg) - 1);
	buf_init(&out, 0);
	CHECK(sip_msg_print(&out, msg) == 0);
	err = sip_msg_decode(&again, out.data, out.len, SIP_MSG_STREAM, NULL);
	CHECK(err == 0 || err == E2BIG);
	if (!err)
		CHECK(sip_msg_same(msg, again));
	sip_msg_free(again);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct sip_msg *msg = NULL, *again = NULL;
	struct sip_err e1 = {0}, e2 = {0};
	int err, all1, all2, val1, val2;
	struct buf out;
	size_t len;

	frame(p, size);

	err = sip_msg_decode(&msg, p, size, 0, &e1);
	if (err) {
		CHECK(!msg && e1.reason && e1.err == err);
		return 0;
	}
	all1 = sip_msg_decode_all(msg, &e1);
	val1 = sip_msg_validate(msg, &e1);

	buf_init(&out, 0);
	CHECK(sip_msg_print(&out, msg) == 0);
	err = sip_msg_decode(&again, out.data, out.len, SIP_MSG_STREAM, &e2);
	/* Printing adds ": " and CRLFs, so a message at a bound may grow
	 * past it; anything else must parse back to the same model. */
	if (err) {
		CHECK(err == E2BIG);
		goto out;
	}
	CHECK(sip_msg_frame(out.data, out.len, &len) == 0 && len == out.len);
	CHECK(sip_msg_same(msg, again));
	all2 = sip_msg_decode_all(again, &e2);
	val2 = sip_msg_validate(again, &e2);
	if (all1 != all2 || val1 != val2)
		fprintf(stderr, "fuzz_msg: decode_all %d/%d validate %d/%d "
			"(%s / %s)\n", all1, all2, val1, val2, e1.reason,
			e2.reason);
	CHECK(all1 == all2);
	CHECK(val1 == val2);
	edit(again);
out:
	sip_msg_free(again);
	sip_msg_free(msg);
	buf_free(&out);
	return 0;
}
