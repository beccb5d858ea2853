/* fuzz_sdp.c - libFuzzer target: parse, print, re-parse, print; the two prints must agree. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ua/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a re-parse must preserve beyond the printed text. */
static void check_same(const struct sdp_session *a, const struct sdp_session *b)
{
	size_t i, j;

	if (a->nmedia != b->nmedia || a->nattrs != b->nattrs || a->dir != b->dir ||
	    a->conn.af != b->conn.af || a->origin.sess_id != b->origin.sess_id)
		abort();
	for (i = 0; i < a->nmedia; i++) {
		const struct sdp_media *x = &a->media[i], *y = &b->media[i];

		if (x->port != y->port || x->proto != y->proto || x->nfmts != y->nfmts ||
		    x->ncrypto != y->ncrypto || x->nattrs != y->nattrs || x->dir != y->dir ||
		    x->ptime != y->ptime || x->conn.af != y->conn.af)
			abort();
		for (j = 0; j < x->nfmts; j++) {
			if (x->fmts[j].pt != y->fmts[j].pt ||
			    x->fmts[j].has_rtpmap != y->fmts[j].has_rtpmap ||
			    x->fmts[j].clock != y->fmts[j].clock)
				abort();
		}
		for (j = 0; j < x->ncrypto; j++) {
			if (x->crypto[j].tag != y->crypto[j].tag ||
			    x->crypto[j].key_len != y->crypto[j].key_len)
				abort();
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sdp_session *a = NULL, *b = NULL;
	struct buf p1, p2;
	int err;

	if (sdp_parse(&a, (const char *)data, size))
		return 0;
	buf_init(&p1, 0);
	buf_init(&p2, 0);
	/* Whatever parsed must print. */
	if (sdp_print(&p1, a))
		abort();
	err = sdp_parse(&b, p1.data, p1.len);
	/* LF-only input grows by one byte a line when printed with CRLF. */
	if (err == E2BIG && p1.len > SDP_MAX_SIZE)
		goto out;
	if (err)
		abort();
	if (sdp_print(&p2, b))
		abort();
	if (p1.len != p2.len || memcmp(p1.data, p2.data, p1.len) != 0)
		abort();
	check_same(a, b);
 out:
	buf_free(&p1);
	buf_free(&p2);
	sdp_free(a);
	sdp_free(b);
	return 0;
}
