/* ident.h - who is calling: the verdict on an incoming dialog-creating
 * request, from STIR (RFC 8224/8225/8588, RFC 8226 certificates), the
 * older RFC 4474 form, or a P-Asserted-Identity from a trusted network
 * (RFC 3325).  Never from a bare From header. */
#ifndef SIPTTY_UA_IDENT_H
#define SIPTTY_UA_IDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct conf;
struct loop;
struct sip_msg;
struct sip_flow;
struct ident_ctx;
struct ident_req;

enum ident_kind {
	IDENT_UNVERIFIED = 0,  /* no Identity header, no trusted PAI */
	IDENT_CHECKING,        /* a certificate is being fetched */
	IDENT_VERIFIED,        /* a STIR (or RFC 4474) signature checked */
	IDENT_ASSERTED,        /* P-Asserted-Identity from a trusted host */
	IDENT_FAILED,          /* an Identity header that did not verify */
	IDENT_UNSUPPORTED,     /* RFC 4474 form whose certificate can't be had */
};

struct ident_verdict {
	enum ident_kind kind;
	char method[16];       /* "stir", "rfc4474", "pai", "" */
	char attest;           /* 'A', 'B', 'C' (SHAKEN), or 0 */
	char orig[128];        /* the originating number or URI, canonical
	                        * (RFC 8224 8.1), taken from From, not the token */
	char signer[256];      /* the certificate's subject DN */
	char reason[160];      /* FAILED/UNSUPPORTED: the one reason;
	                        * else "" */
	uint16_t code;         /* FAILED: 438, 437, 436, 428 or 403 */
	char pai[256];         /* ASSERTED: the asserted identity */
	char pai_note[160];    /* a PAI that was ignored, and why */
	char verstat[40];      /* from a trusted PAI or From, "" if none */
	char display[128];     /* From's display name: unverified text */
	char from[256];        /* From's URI: unverified text */
};

const char *ident_kind_name(enum ident_kind k); /* "verified", ... */

/*
 * How the verdict is reached (ua/ident.c):
 * - Each Identity header (at most 8) on its own: an unknown ppt ignores
 *   it; otherwise it verifies, fails (code + reason) or, for the RFC 4474
 *   form whose certificate can't be had, is unsupported.
 * - Any verified header -> VERIFIED.  Else any unsupported -> UNSUPPORTED
 *   (an unchecked header is not an invalid one: RFC 8224 6.2.2 rejects
 *   only when every header is invalid).  Else any failed -> FAILED with
 *   the first failed header's reason and code.
 * - No header counted: a trusted PAI -> ASSERTED; else, with [identity]
 *   require_identity, FAILED 428; else UNVERIFIED.  A trusted PAI never
 *   turns FAILED into ASSERTED (pai and verstat are filled all the same).
 * - Codes: 436 certificate unobtainable or info not https: (nothing
 *   fetched); 437 alg not ES256, certificate untrusted, not valid at iat,
 *   not P-256, or TNAuthList not covering From; 438 malformed token,
 *   x5u != info, orig/dest not From/To, bad signature, replayed; 403 iat
 *   outside iat_window.
 * - TNAuthList listing only SPCs: accepted for SHAKEN (ppt=shaken: the
 *   provider attests at its attest level), refused (437) otherwise.  No
 *   TNAuthList: the chain alone vouches.
 * - Not checked yet: "mky" against the SDP fingerprint; AIA stirTNList.
 */

/*
 * Reads [identity] (trust_anchors, iat_window, reject_invalid_identity,
 * fetch_timeout_ms, max_cert_bytes, fetch_ca_file, require_identity).  Certificate fetches run through
 * libcurl's multi interface on loop (https: only, bounded in size and
 * time, cached until the certificate expires).
 */
int ident_alloc(struct ident_ctx **icp, struct loop *loop,
		const struct conf *conf);
void ident_free(struct ident_ctx *ic);
/* Does policy say a FAILED verdict is answered with its code? */
bool ident_reject_invalid(const struct ident_ctx *ic);

typedef void (ident_done_h)(const struct ident_verdict *v, void *arg);

/*
 * Starts checking req, which arrived on flow; trusted_hosts is the
 * account's list (space or comma separated host names) of hosts whose
 * PAI is believed when the flow is TLS and the server's certificate was
 * verified for that name.  Copies what it needs from req: h runs later,
 * on the loop thread, never inside this call, exactly once unless
 * ident_cancel() comes first.  *rp: a handle for ident_cancel().
 */
int ident_check(struct ident_ctx *ic, struct ident_req **rp,
		struct sip_msg *req, const struct sip_flow *flow,
		const char *trusted_hosts, ident_done_h *h, void *arg);
void ident_cancel(struct ident_req *r);

/* Added: the clock for iat, Date and the replay window (seconds since
 * 1970); NULL restores time(NULL).  Tests fix "now" with it. */
typedef int64_t (ident_clock_h)(void *arg);
void ident_set_clock(struct ident_ctx *ic, ident_clock_h *h, void *arg);

/*
 * Added: the RFC 3325 trust decision alone.  tp is the flow's transport
 * (enum sip_tp), tls_domain what sip_flow_tls_domain() gives, peer the
 * flow's address as text.  true when the PAI may be used; else note (if
 * not NULL) says why it is ignored.
 */
bool ident_pai_trusted(int tp, const char *tls_domain, const char *peer,
		       const char *trusted_hosts, char *note, size_t sz);

/* Added: ident_check() with the flow's facts given directly (tp -1: no
 * flow known); ident_check() calls it.  Tests use it for the trusted
 * PAI path without a TLS connection. */
int ident_check_on(struct ident_ctx *ic, struct ident_req **rp,
		   struct sip_msg *req, int tp, const char *tls_domain,
		   const char *peer, const char *trusted_hosts,
		   ident_done_h *h, void *arg);

/* Added: certificate fetch counters (struct certfetch_stats in
 * ua/certfetch.h) for tests and logs. */
struct certfetch_stats;
void ident_fetch_stats(const struct ident_ctx *ic, struct certfetch_stats *st);

#endif
