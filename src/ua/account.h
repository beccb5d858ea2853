/* account.h - accounts from the configuration ([account NAME], siptty.conf(5)). */
#ifndef SIPTTY_UA_ACCOUNT_H
#define SIPTTY_UA_ACCOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "sip/target.h"

struct conf;

#define ACCOUNT_EXPIRES_DEFAULT 3600
#define ACCOUNT_EXPIRES_MIN 60

/* One account as configured; strings are owned, never NULL except where
 * noted.  The password is a secret: wiped on free, never logged. */
struct account {
	char *name;
	char *aor;              /* "sips:alice@example.com" */
	char *display_name;     /* NULL when unset */
	char *registrar;        /* the REGISTER Request-URI: the setting, or
	                         * the AOR's scheme and domain */
	char *outbound_proxy;   /* NULL when unset */
	char *username;         /* the setting, or the AOR's user part */
	char *password;         /* from password or password_file; "" if none */
	char *domain;           /* the AOR's host: what TLS must prove */
	char *privacy;          /* NULL when unset */
	unsigned privacy_level; /* PRIV_* of ua/privacy.h, 0 when unset */
	char *preferred_identity; /* NULL when unset */
	char *keep_headers;     /* kept despite header privacy; NULL */
	/* P-Preferred-Identity may go to the first hop: an outbound proxy
	 * named in trusted_hosts, reached over TLS (RFC 3325 9.1). */
	bool ppi_trusted;
	bool sips;              /* the AOR is sips: */
	bool require_tls;       /* nothing over UDP or TCP */
	bool has_tp;            /* transport was set */
	enum sip_tp tp;
	bool sec_agree;
	bool do_register;
	uint32_t expires;
	uint32_t options_ping;  /* seconds between OPTIONS pings; 0: off */
	/* The Service-Route of the last 200 to REGISTER (RFC 3608), set by
	 * ua/reg.c: the pre-loaded Route set of requests outside dialogs.
	 * NULL when the registrar sent none. */
	char *service_route;
	/* Media: SRTP policy (0 off, 1 optional, 2 mandatory: enum
	 * offer_srtp), QoS reservation, the RSVP edge router ("" when
	 * unset), and the hosts whose P-Asserted-Identity is believed. */
	int srtp;
	bool qos;
	char *qos_edge_router;
	char *trusted_hosts;    /* "" when unset */
};

/*
 * Reads [account NAME].  EINVAL with one translated sentence in why
 * (what is wrong and which setting to fix) for an unusable account;
 * the error of a password_file that cannot be read otherwise.
 */
int account_alloc(struct account **ap, const struct conf *conf,
		  const char *name, struct buf *why);
void account_free(struct account *acc);

struct scrub_policy;
/* The account's privacy as the scrubber takes it (strings borrowed). */
void account_scrub_policy(const struct account *acc,
			  struct scrub_policy *pol);

#endif
