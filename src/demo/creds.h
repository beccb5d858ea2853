/* creds.h - the demo's throwaway credentials: a TLS CA and server
 * certificate for localhost, a STIR CA and a signing certificate whose
 * TNAuthList covers the demo's number, and PASSporT signing. */
#ifndef SIPTTY_DEMO_CREDS_H
#define SIPTTY_DEMO_CREDS_H

#include <stddef.h>
#include <stdint.h>

#include <gnutls/abstract.h>

struct demo_creds {
	char dir[256];          /* private (0700) directory of the files */
	char ca[300];           /* TLS CA, PEM */
	char server_cert[300];  /* localhost, 127.0.0.1, ::1 */
	char server_key[300];
	char stir_ca[300];      /* STIR trust anchor, PEM */
	char stir_cert[300];    /* the signer, served over HTTPS */
	gnutls_privkey_t stir_key;
	char signer_dn[256];
};

/* Makes every credential under a new private directory (mkdtemp in
 * $XDG_RUNTIME_DIR or /tmp). */
int demo_creds_make(struct demo_creds *c, const char *tn);
/* Removes the files and the directory; frees the key. */
void demo_creds_free(struct demo_creds *c);

/*
 * A SHAKEN PASSporT (RFC 8225, RFC 8588) signed with ES256, as an RFC 8224
 * Identity header value: "JWS;info=<x5u>;alg=ES256;ppt=shaken".
 */
int demo_passport(char *out, size_t sz, const struct demo_creds *c,
		  const char *x5u, const char *orig_tn, const char *dest_tn,
		  int64_t iat);

#endif
