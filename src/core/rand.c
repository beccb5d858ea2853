/* rand.c - random identifiers from GnuTLS's CSPRNG, never from time or host. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "core/rand.h"

static const char alnum[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

int rand_bytes(void *p, size_t n)
{
	/* GNUTLS_RND_NONCE is for public values; tags and branches are public,
	 * but cnonces and SRTP keys go through RANDOM/KEY in their modules. */
	if (gnutls_rnd(GNUTLS_RND_NONCE, p, n) < 0)
		return EIO;
	return 0;
}

int rand_token(char *out, size_t sz, size_t n)
{
	unsigned char r[64];
	size_t i = 0;

	if (!out || sz <= n)
		return EINVAL;
	while (i < n) {
		size_t want = n - i > sizeof(r) ? sizeof(r) : n - i;

		if (rand_bytes(r, sizeof(r)))
			return EIO;
		/* Rejection sampling keeps every character equally likely. */
		for (size_t j = 0; j < sizeof(r) && want; j++) {
			if (r[j] >= 248)  /* 248 = 4 * 62 */
				continue;
			out[i++] = alnum[r[j] % 62];
			want--;
		}
	}
	out[n] = '\0';
	return 0;
}

int rand_branch(char *out, size_t sz)
{
	size_t m = sizeof(RAND_BRANCH_MAGIC) - 1;

	if (sz < m + 23)
		return EINVAL;
	memcpy(out, RAND_BRANCH_MAGIC, m);
	return rand_token(out + m, sz - m, 22);
}

int rand_tag(char *out, size_t sz)
{
	return rand_token(out, sz, 16);
}

int rand_callid(char *out, size_t sz)
{
	return rand_token(out, sz, 32);
}
