/* fuzz_rsvp.c - libFuzzer target: the RSVP parser, the policy element checker and the token (hex) checker on the same bytes. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "audio/qos.h"
#include "audio/rsvp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rsvp_msg m;
	struct rsvp_path p;
	uint8_t out[RSVP_MAX_MSG];
	char why[200];
	size_t i, len;
	int err;

	err = rsvp_parse(&m, data, size);
	if (err != 0 && err != ENODATA && err != EBADMSG)
		abort();
	if (!err) {
		if (m.len != size || m.nobjects > size / 4)
			abort();
		for (i = 0; i < m.npolicy && i < RSVP_MAX_POLICY; i++) {
			if (m.policy[i] < data || m.policy[i] + m.policylen[i] > data + size)
				abort();
			/* Whatever element a message carries, checking it is safe. */
			(void)rsvp_element_check(m.policy[i], m.policylen[i], why, sizeof(why));
		}
	}
	/* The same bytes as a policy element, then as a token's hex text. */
	if (rsvp_element_check(data, size, why, sizeof(why)) == 0) {
		/* A valid element must build into a PATH that parses back. */
		memset(&p, 0, sizeof(p));
		p.dst.af = p.src.af = AF_INET;
		p.dport = p.sport = 1;
		p.pe[0] = data;
		p.pelen[0] = size;
		p.npe = 1;
		if (rsvp_build(RSVP_PATH, &p, out, sizeof(out), &len))
			abort();
		if (rsvp_parse(&m, out, len) || m.npolicy != 1 || m.policylen[0] != size ||
		    memcmp(m.policy[0], data, size))
			abort();
	}
	err = qos_token_check((const char *)data, size, why, sizeof(why));
	if (err != 0 && err != EBADMSG)
		abort();
	if (!err && (size & 1))
		abort();
	return 0;
}
