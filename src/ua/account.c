/* account.c - an account's settings, checked once, with the password loaded. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/conf.h"
#include "core/i18n.h"
#include "core/log.h"
#include "sip/msg.h"
#include "sip/uri.h"
#include "ua/account.h"
#include "ua/privacy.h"
#include "ua/scrub.h"

/* Whether host is a word of the comma- or blank-separated list. */
static bool host_listed(const char *list, const struct pl *host)
{
	const char *p = list;

	if (!p)
		return false;
	for (;;) {
		size_t n;
		struct pl w;

		p += strspn(p, " \t,");
		if (!*p)
			return false;
		n = strcspn(p, " \t,");
		w.p = p;
		w.l = n;
		if (pl_caseeq(&w, host))
			return true;
		p += n;
	}
}

/*
 * RFC 3325 9.1: P-Preferred-Identity only toward a trusted proxy.  We
 * trust the first hop when it is the outbound proxy, named in
 * trusted_hosts, and every request to it goes over TLS.
 */
static bool ppi_may_leave(const struct account *acc, const char *trusted)
{
	struct sip_uri uri;
	struct pl s, tp;
	bool tls;

	if (!acc->preferred_identity || !acc->outbound_proxy || !trusted)
		return false;
	pl_set_str(&s, acc->outbound_proxy);
	if (sip_uri_decode(&uri, &s) || uri.scheme == SIP_URI_TEL)
		return false;
	tls = acc->require_tls || uri.scheme == SIP_URI_SIPS ||
	      (acc->has_tp && acc->tp == SIP_TP_TLS) ||
	      (!sip_param_get(&uri.params, "transport", &tp) &&
	       pl_caseeq_str(&tp, "tls"));
	return tls && host_listed(trusted, &uri.host);
}

static int dup_opt(char **dst, const char *s)
{
	*dst = NULL;
	if (!s || !*s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : ENOMEM;
}

/* The first line of the file, without its line end.  A file others can
 * read is used, with a warning: refusing would lock the user out. */
static int read_password(char **pwp, const char *path)
{
	char line[1024];
	struct stat stt;
	FILE *f;
	int err = 0;

	f = fopen(path, "re");
	if (!f)
		return errno;
	if (!fstat(fileno(f), &stt) && (stt.st_mode & 077))
		log_warn("account", "%s can be read by other users; "
			 "chmod 600 it", path);
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	line[strcspn(line, "\r\n")] = '\0';
	*pwp = strdup(line);
	if (!*pwp)
		err = ENOMEM;
	explicit_bzero(line, sizeof(line));
	return err;
}

int account_alloc(struct account **ap, const struct conf *conf,
		  const char *name, struct buf *why)
{
	char section[160];
	struct account *acc;
	struct sip_uri uri;
	struct pl s;
	const char *v;
	int err;

	if (!ap || !conf || !name || !why)
		return EINVAL;
	snprintf(section, sizeof(section), "account %s", name);
	acc = calloc(1, sizeof(*acc));
	if (!acc)
		return ENOMEM;
	acc->name = strdup(name);
	if (!acc->name) {
		err = ENOMEM;
		goto out;
	}
	v = conf_get(conf, section, "aor");
	if (!v || !*v) {
		buf_printf(why, _("Account %s has no aor; set aor = "
				  "sips:user@domain in its section."), name);
		err = EINVAL;
		goto out;
	}
	pl_set_str(&s, v);
	if (sip_uri_decode(&uri, &s) || uri.scheme == SIP_URI_TEL ||
	    !uri.user.l || uri.host_type == SIP_HOST_NONE) {
		buf_printf(why, _("Account %s: the aor %s is not a sip: or "
				  "sips: address with a user and a domain; "
				  "fix aor."), name, v);
		err = EINVAL;
		goto out;
	}
	acc->sips = uri.scheme == SIP_URI_SIPS;
	err = dup_opt(&acc->aor, v);
	if (!err)
		err = pl_strdup(&acc->domain, &uri.host);
	if (!err)
		err = dup_opt(&acc->display_name,
			      conf_get(conf, section, "display_name"));
	if (!err)
		err = dup_opt(&acc->outbound_proxy,
			      conf_get(conf, section, "outbound_proxy"));
	if (!err)
		err = dup_opt(&acc->privacy, conf_get(conf, section, "privacy"));
	if (!err)
		err = dup_opt(&acc->registrar,
			      conf_get(conf, section, "registrar"));
	if (!err && !acc->registrar) {
		char r[SIP_URI_MAX];

		snprintf(r, sizeof(r), "%s:%s%.*s%s",
			 acc->sips ? "sips" : "sip",
			 uri.host_type == SIP_HOST_IPV6 ? "[" : "",
			 PL_FMT(&uri.host),
			 uri.host_type == SIP_HOST_IPV6 ? "]" : "");
		err = dup_opt(&acc->registrar, r);
	}
	if (!err)
		err = dup_opt(&acc->username,
			      conf_get(conf, section, "username"));
	if (!err && !acc->username)
		err = pl_strdup(&acc->username, &uri.user);
	if (err)
		goto out;
	pl_set_str(&s, acc->registrar);
	if (sip_uri_decode(&uri, &s) || uri.scheme == SIP_URI_TEL) {
		buf_printf(why, _("Account %s: the registrar %s is not a sip: "
				  "or sips: URI; fix registrar."), name,
			   acc->registrar);
		err = EINVAL;
		goto out;
	}

	v = conf_get(conf, section, "transport");
	if (v && *v) {
		acc->has_tp = true;
		if (!strcasecmp(v, "udp")) {
			acc->tp = SIP_TP_UDP;
		} else if (!strcasecmp(v, "tcp")) {
			acc->tp = SIP_TP_TCP;
		} else if (!strcasecmp(v, "tls")) {
			acc->tp = SIP_TP_TLS;
		} else {
			buf_printf(why, _("Account %s: transport %s is not "
					  "udp, tcp or tls; fix transport."),
				   name, v);
			err = EINVAL;
			goto out;
		}
	}
	acc->require_tls = conf_get_bool(conf, section, "require_tls",
					 acc->sips);
	if ((acc->sips || acc->require_tls) && acc->has_tp &&
	    acc->tp != SIP_TP_TLS) {
		buf_printf(why, _("Account %s must use TLS (a sips: aor or "
				  "require_tls = yes) but transport is %s; "
				  "set transport = tls or remove it."), name,
			   v);
		err = EINVAL;
		goto out;
	}
	acc->sec_agree = conf_get_bool(conf, section, "sec_agree", false);
	acc->do_register = conf_get_bool(conf, section, "register", true);
	{
		long e = conf_get_int(conf, section, "expires",
				      ACCOUNT_EXPIRES_DEFAULT);

		if (e < ACCOUNT_EXPIRES_MIN)
			e = ACCOUNT_EXPIRES_MIN;
		if (e > 86400L * 7)
			e = 86400L * 7;
		acc->expires = (uint32_t)e;
	}

	{
		long e = conf_get_int(conf, section, "options_ping", 0);

		acc->options_ping = e > 0 ? (uint32_t)e : 0;
	}

	if (acc->privacy &&
	    privacy_parse(&acc->privacy_level, acc->privacy, NULL)) {
		struct buf pw;

		buf_init(&pw, 512);
		(void)privacy_parse(&acc->privacy_level, acc->privacy, &pw);
		(void)buf_putc(&pw, '\0');
		buf_printf(why, _("Account %s: %s; fix privacy."), name,
			   pw.data ? pw.data : "");
		buf_free(&pw);
		err = EINVAL;
		goto out;
	}
	err = dup_opt(&acc->preferred_identity,
		      conf_get(conf, section, "preferred_identity"));
	if (!err)
		err = dup_opt(&acc->keep_headers,
			      conf_get(conf, section, "keep_headers"));
	if (err)
		goto out;
	acc->ppi_trusted = ppi_may_leave(acc, conf_get(conf, section,
						       "trusted_hosts"));
	v = conf_get(conf, section, "srtp");
	acc->srtp = !v || !strcmp(v, "optional") ? 1 :
		    !strcmp(v, "mandatory") ? 2 : 0;
	acc->qos = conf_get_bool(conf, section, "qos", false);
	v = conf_get(conf, section, "qos_edge_router");
	acc->qos_edge_router = strdup(v ? v : "");
	v = conf_get(conf, section, "trusted_hosts");
	acc->trusted_hosts = strdup(v ? v : "");
	if (!acc->qos_edge_router || !acc->trusted_hosts) {
		err = ENOMEM;
		goto out;
	}

	v = conf_get(conf, section, "password_file");
	if (v && *v) {
		err = read_password(&acc->password, v);
		if (err) {
			buf_printf(why, _("Account %s: cannot read the "
					  "password_file %s: %s; check the "
					  "path and its permissions."), name,
				   v, strerror(err));
			goto out;
		}
	} else {
		err = dup_opt(&acc->password,
			      conf_get(conf, section, "password"));
		if (!err && !acc->password)
			acc->password = strdup("");
		if (!acc->password)
			err = ENOMEM;
	}
 out:
	if (err)
		account_free(acc);
	else
		*ap = acc;
	return err;
}

void account_free(struct account *acc)
{
	if (!acc)
		return;
	if (acc->password) {
		explicit_bzero(acc->password, strlen(acc->password));
		free(acc->password);
	}
	free(acc->name);
	free(acc->aor);
	free(acc->display_name);
	free(acc->registrar);
	free(acc->outbound_proxy);
	free(acc->username);
	free(acc->domain);
	free(acc->privacy);
	free(acc->preferred_identity);
	free(acc->keep_headers);
	free(acc->service_route);
	free(acc->qos_edge_router);
	free(acc->trusted_hosts);
	free(acc);
}

void account_scrub_policy(const struct account *acc,
			  struct scrub_policy *pol)
{
	memset(pol, 0, sizeof(*pol));
	if (!acc)
		return;
	pol->level = acc->privacy_level;
	pol->preferred_identity = acc->preferred_identity;
	pol->ppi_trusted = acc->ppi_trusted;
	pol->keep_headers = acc->keep_headers;
}
