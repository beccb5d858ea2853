/* scrub.c - the privacy choke point: applies RFC 3323 and RFC 3325 to every message before it is printed. */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sip/msg.h"
#include "ua/privacy.h"
#include "ua/scrub.h"

/* A policy owned by the scrubber (bindings and the default). */
struct bound {
	struct bound *next;
	char *callid;           /* NULL for the default */
	char *ppi;
	char *keep;
	struct scrub_policy pol;
};

static uint64_t scrubbed;
static struct bound *bindings;
static size_t nbindings;
static struct bound *dflt;

/* The headers RFC 3323 4.1 names as revealing and a UA may leave out. */
static const enum sip_hdr_id hidden_hdrs[] = {
	SIP_HDR_SUBJECT, SIP_HDR_CALL_INFO, SIP_HDR_ORGANIZATION,
	SIP_HDR_USER_AGENT, SIP_HDR_SERVER, SIP_HDR_REPLY_TO,
	SIP_HDR_IN_REPLY_TO, SIP_HDR_WARNING,
};
static const char *const hidden_names[] = {
	"Subject", "Call-Info", "Organization", "User-Agent", "Server",
	"Reply-To", "In-Reply-To", "Warning",
};

static void bound_free(struct bound *b)
{
	if (!b)
		return;
	free(b->callid);
	free(b->ppi);
	free(b->keep);
	free(b);
}

static int bound_alloc(struct bound **bp, const char *callid,
		       const struct scrub_policy *p)
{
	struct bound *b = calloc(1, sizeof(*b));
	int err = ENOMEM;

	if (!b)
		return ENOMEM;
	if (callid && !(b->callid = strdup(callid)))
		goto out;
	if (p->preferred_identity &&
	    !(b->ppi = strdup(p->preferred_identity)))
		goto out;
	if (p->keep_headers && !(b->keep = strdup(p->keep_headers)))
		goto out;
	b->pol.level = p->level;
	b->pol.ppi_trusted = p->ppi_trusted;
	b->pol.preferred_identity = b->ppi;
	b->pol.keep_headers = b->keep;
	*bp = b;
	err = 0;
 out:
	if (err)
		bound_free(b);
	return err;
}

int scrub_bind(const char *callid, const struct scrub_policy *policy)
{
	struct bound *b;
	int err;

	if (!callid || !*callid || !policy)
		return EINVAL;
	scrub_unbind(callid);
	if (nbindings >= SCRUB_BIND_MAX)
		return E2BIG;
	err = bound_alloc(&b, callid, policy);
	if (err)
		return err;
	b->next = bindings;
	bindings = b;
	nbindings++;
	return 0;
}

void scrub_unbind(const char *callid)
{
	struct bound **pp;

	if (!callid)
		return;
	for (pp = &bindings; *pp; pp = &(*pp)->next) {
		if (!strcmp((*pp)->callid, callid)) {
			struct bound *b = *pp;

			*pp = b->next;
			bound_free(b);
			nbindings--;
			return;
		}
	}
}

int scrub_set_default(const struct scrub_policy *policy)
{
	struct bound *b = NULL;
	int err;

	if (policy) {
		err = bound_alloc(&b, NULL, policy);
		if (err)
			return err;
	}
	bound_free(dflt);
	dflt = b;
	return 0;
}

void scrub_reset(void)
{
	while (bindings) {
		struct bound *b = bindings;

		bindings = b->next;
		bound_free(b);
	}
	nbindings = 0;
	bound_free(dflt);
	dflt = NULL;
}

uint64_t scrub_count(void)
{
	return scrubbed;
}

static const struct scrub_policy *policy_of(const struct sip_msg *msg)
{
	const struct sip_hdr *h;
	size_t i = 0;

	h = sip_msg_hdr_next(msg, SIP_HDR_CALL_ID, &i);
	if (h) {
		for (struct bound *b = bindings; b; b = b->next)
			if (pl_eq_str(&h->val, b->callid))
				return &b->pol;
	}
	return dflt ? &dflt->pol : NULL;
}

/* Whether name is in the comma- or blank-separated list keep. */
static bool kept(const char *keep, const char *name)
{
	size_t len = strlen(name);
	const char *p = keep;

	if (!p)
		return false;
	for (;;) {
		size_t n;

		p += strspn(p, " \t,");
		if (!*p)
			return false;
		n = strcspn(p, " \t,");
		if (n == len && !strncasecmp(p, name, n))
			return true;
		p += n;
	}
}

static int remove_hdr(struct sip_msg *m, enum sip_hdr_id id)
{
	int err = sip_msg_hdr_remove(m, id);

	return err == ENOENT ? 0 : err;
}

/* "<sip:host:port;params>;hparams": the URI without its user part and
 * without a display name (RFC 3323 4.1.1.3: Contact stays routable). */
static int print_bare(struct buf *b, const struct sip_addr *a, bool no_user)
{
	const char *rest = a->uri_raw.p + a->uri_raw.l;
	const char *start = a->uri_raw.p;

	buf_putc(b, '<');
	if (no_user && a->uri_ok && pl_isset(&a->uri.user) &&
	    a->uri.scheme != SIP_URI_TEL) {
		const char *at = NULL;

		for (const char *q = a->uri_raw.p; q < a->uri.host.p; q++)
			if (*q == '@')
				at = q;
		if (at) {
			buf_putpl(b, &a->scheme);
			buf_putc(b, ':');
			start = at + 1;
		}
	}
	buf_write(b, start, (size_t)(rest - start));
	buf_putc(b, '>');
	buf_putpl(b, &a->params);
	return b->err;
}

/* Rewrites every value of a list header (Contact). */
static int rewrite_addrs(struct sip_msg *m, enum sip_hdr_id id, bool no_user)
{
	const struct sip_addrs *l;
	struct buf b;
	int err;

	err = sip_msg_addrs(m, id, &l);
	if (err == ENOENT)
		return 0;
	if (err)
		return err;
	if (l->star)
		return 0;
	buf_init(&b, SIP_HDR_LEN_MAX);
	for (size_t i = 0; i < l->n; i++) {
		if (i)
			buf_puts(&b, ", ");
		print_bare(&b, &l->v[i], no_user);
	}
	err = b.err;
	if (!err && !buf_putc(&b, '\0'))
		err = sip_msg_hdr_replace(m, id, b.data);
	else if (!err)
		err = b.err;
	buf_free(&b);
	return err;
}

/* A single address header rewritten: anon gives the anonymous identity
 * (the parameters, such as the tag, kept), else only the display name
 * goes. */
static int rewrite_addr(struct sip_msg *m, enum sip_hdr_id id, bool anon)
{
	const struct sip_addr *a;
	struct buf b;
	int err;

	err = sip_msg_addr(m, id, &a);
	if (err == ENOENT)
		return 0;
	if (err)
		return err;
	if (!anon && !pl_isset(&a->dname))
		return 0;
	buf_init(&b, SIP_HDR_LEN_MAX);
	if (anon) {
		buf_puts(&b, SCRUB_ANON_NAME " <" SCRUB_ANON_URI ">");
		buf_putpl(&b, &a->params);
	} else {
		print_bare(&b, a, false);
	}
	buf_putc(&b, '\0');
	err = b.err ? b.err : sip_msg_hdr_replace(m, id, b.data);
	buf_free(&b);
	return err;
}

/* o= user and s= of an SDP body become "-" (RFC 3323 4.1.1.3 asks the
 * same of the session description; the addresses must stay). */
static int scrub_sdp(struct sip_msg *m)
{
	const struct sip_ctype *ct;
	struct pl body = sip_msg_body(m);
	const char *p = body.p, *end = body.p + body.l;
	struct buf b;
	int err;

	if (!body.l || sip_msg_ctype(m, &ct) ||
	    !pl_caseeq_str(&ct->type, "application") ||
	    !pl_caseeq_str(&ct->subtype, "sdp"))
		return 0;
	buf_init(&b, SIP_BODY_MAX);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl + 1 : end;

		if (le - p > 2 && !strncmp(p, "o=", 2)) {
			const char *sp = memchr(p, ' ', (size_t)(le - p));

			buf_puts(&b, "o=-");
			if (sp)
				buf_write(&b, sp, (size_t)(le - sp));
			else
				buf_puts(&b, "\r\n");
		} else if (le - p >= 2 && !strncmp(p, "s=", 2)) {
			buf_puts(&b, "s=-\r\n");
		} else {
			buf_write(&b, p, (size_t)(le - p));
		}
		p = le;
	}
	err = b.err ? b.err : sip_msg_set_body(m, b.data, b.len);
	buf_free(&b);
	return err;
}

/* The edits of the level, on the copy m. */
static int apply(struct sip_msg *m, const struct scrub_policy *pol)
{
	unsigned lv = pol->level;
	bool req = sip_msg_is_request(m);
	enum sip_method meth = req ? sip_msg_method_id(m) : SIP_M_OTHER;
	bool hide = lv & (PRIV_HEADER | PRIV_USER);
	bool anon = (lv & PRIV_USER) && req && meth != SIP_M_REGISTER;
	char val[PRIVACY_STR_MAX];
	int err = 0;

	if (hide) {
		for (size_t i = 0; !err && i < sizeof(hidden_hdrs) /
		     sizeof(hidden_hdrs[0]); i++)
			if (!kept(pol->keep_headers, hidden_names[i]))
				err = remove_hdr(m, hidden_hdrs[i]);
		if (!err)
			err = rewrite_addrs(m, SIP_HDR_CONTACT,
					    meth != SIP_M_REGISTER);
		if (!err)
			err = scrub_sdp(m);
	}
	if (!err && anon)
		err = rewrite_addr(m, SIP_HDR_FROM, true);
	if (!err && anon)
		err = rewrite_addr(m, SIP_HDR_TO, false);
	if (!err && anon)
		err = rewrite_addr(m, SIP_HDR_REFERRED_BY, true);
	/* A REGISTER keeps its AOR (the registrar needs it), but a display
	 * name is of no use to a registrar: it goes. */
	if (!err && (lv & PRIV_USER) && meth == SIP_M_REGISTER) {
		err = rewrite_addr(m, SIP_HDR_FROM, false);
		if (!err)
			err = rewrite_addr(m, SIP_HDR_TO, false);
	}
	/* P-Preferred-Identity goes to a trusted proxy only (RFC 3325 9.1),
	 * whoever put it in. */
	if (!err)
		err = remove_hdr(m, SIP_HDR_P_PREFERRED_IDENTITY);
	if (!err && req && pol->ppi_trusted && pol->preferred_identity &&
	    meth != SIP_M_REGISTER && meth != SIP_M_ACK &&
	    meth != SIP_M_CANCEL)
		err = sip_msg_hdr_add(m, SIP_HDR_P_PREFERRED_IDENTITY,
				      pol->preferred_identity);
	if (!err)
		err = remove_hdr(m, SIP_HDR_PRIVACY);
	privacy_str(val, sizeof(val), lv);
	if (!err && *val)
		err = sip_msg_hdr_add(m, SIP_HDR_PRIVACY, val);
	if (!err && (lv & PRIV_CRITICAL) && req && meth != SIP_M_ACK &&
	    meth != SIP_M_CANCEL)
		err = sip_msg_hdr_add(m, SIP_HDR_PROXY_REQUIRE, "privacy");
	return err;
}

int scrub_print(struct buf *out, const struct sip_msg *msg,
		const struct scrub_policy *policy)
{
	struct sip_msg *m = NULL;
	struct buf tmp;
	int err;

	if (!out || !msg)
		return EINVAL;
	scrubbed++;
	if (!policy)
		policy = policy_of(msg);
	/* Nothing asked and nothing to keep from leaving: as built. */
	if ((!policy || (!policy->level && !policy->ppi_trusted)) &&
	    !sip_msg_hdr_num(msg, SIP_HDR_P_PREFERRED_IDENTITY))
		return sip_msg_print(out, msg);
	if (!policy) {
		static const struct scrub_policy nothing;

		policy = &nothing;
	}
	/* The model is the caller's (and retransmitted as it is): the edits
	 * go to a copy. */
	buf_init(&tmp, SIP_MSG_MAX);
	err = sip_msg_print(&tmp, msg);
	if (!err)
		err = tmp.err;
	if (!err)
		err = sip_msg_decode(&m, tmp.data, tmp.len, 0, NULL);
	if (!err)
		err = apply(m, policy);
	if (!err)
		err = sip_msg_print(out, m);
	sip_msg_free(m);
	buf_free(&tmp);
	return err;
}
