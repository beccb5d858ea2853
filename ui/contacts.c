/* contacts.c - the address book: parse, format, add, vCard import. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"
#include "ui/contacts.h"
#include "ui/target.h"

int contacts_alloc(struct contacts **csp)
{
	struct contacts *cs = calloc(1, sizeof(*cs));

	if (!cs)
		return ENOMEM;
	cs->v = calloc(CONTACTS_MAX, sizeof(*cs->v));
	if (!cs->v) {
		free(cs);
		return ENOMEM;
	}
	*csp = cs;
	return 0;
}

void contacts_free(struct contacts *cs)
{
	if (!cs)
		return;
	free(cs->v);
	free(cs);
}

static void trim(const char **s, size_t *n)
{
	while (*n && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
	while (*n && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' ||
		      (*s)[*n - 1] == '\r'))
		(*n)--;
}

static bool has_ctl(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return true;
	return false;
}

int contacts_add(struct contacts *cs, const char *name, const char *uri,
		 const char **why)
{
	enum target_kind kind;
	size_t nl = strlen(name);

	if (target_check(uri, &kind, why))
		return EINVAL;
	if (nl >= CONTACT_NAME_MAX) {
		*why = N_("the name is longer than 127 bytes");
		return EINVAL;
	}
	if (strpbrk(name, "<>") || has_ctl(name, nl)) {
		*why = N_("the name holds < or > or a control character");
		return EINVAL;
	}
	for (size_t i = 0; i < cs->n; i++)
		if (!strcasecmp(cs->v[i].uri, uri))
			return EEXIST;
	if (cs->n == CONTACTS_MAX) {
		*why = N_("the address book is full (1000 entries)");
		return E2BIG;
	}
	memcpy(cs->v[cs->n].name, name, nl + 1);
	memcpy(cs->v[cs->n].uri, uri, strlen(uri) + 1);
	cs->n++;
	return 0;
}

/* One line, without its '\n'. */
static int parse_line(struct contacts *cs, const char *s, size_t n,
		      const char **why)
{
	char name[CONTACT_NAME_MAX], uri[TARGET_MAX + 1];
	const char *lt, *u = s;
	size_t un = n, nn = 0;
	int err;

	trim(&s, &n);
	if (!n || *s == '#')
		return 0;
	if (has_ctl(s, n)) {
		*why = N_("the line holds a control character");
		return EBADMSG;
	}
	lt = memchr(s, '<', n);
	if (lt) {
		const char *gt = memchr(lt, '>', n - (size_t)(lt - s));

		if (!gt || gt != s + n - 1) {
			*why = N_("an address in < > must end the line");
			return EBADMSG;
		}
		nn = (size_t)(lt - s);
		u = lt + 1;
		un = (size_t)(gt - u);
		trim(&u, &un);
		trim(&s, &nn);
	} else {
		u = s;
		un = n;
	}
	if (nn >= sizeof(name)) {
		*why = N_("the name is longer than 127 bytes");
		return EBADMSG;
	}
	if (!un || un >= sizeof(uri)) {
		*why = N_("the address is missing or longer than 256 "
			  "characters");
		return EBADMSG;
	}
	memcpy(name, s, nn);
	name[nn] = '\0';
	memcpy(uri, u, un);
	uri[un] = '\0';
	err = contacts_add(cs, name, uri, why);
	if (err == EEXIST)
		return 0;  /* listed twice: the first one stands */
	return err == EINVAL ? EBADMSG : err;
}

int contacts_parse(struct contacts *cs, const char *text, unsigned *line,
		   const char **why)
{
	unsigned ln = 0;

	cs->n = 0;
	while (*text) {
		size_t n = strcspn(text, "\n");
		int err;

		ln++;
		if (n > CONTACTS_LINE_MAX) {
			*why = N_("the line is longer than 1024 bytes");
			err = EBADMSG;
		} else {
			err = parse_line(cs, text, n, why);
		}
		if (err) {
			*line = ln;
			cs->n = 0;
			return err;
		}
		text += n;
		if (*text)
			text++;
	}
	return 0;
}

int contacts_format(const struct contacts *cs, struct buf *out)
{
	(void)buf_puts(out, "# siptty contacts: one a line, "
		       "Name <sip:user@host>, <tel:+number> or a number\n");
	for (size_t i = 0; i < cs->n; i++) {
		if (cs->v[i].name[0])
			(void)buf_printf(out, "%s <%s>\n", cs->v[i].name,
					 cs->v[i].uri);
		else
			(void)buf_printf(out, "<%s>\n", cs->v[i].uri);
	}
	return out->err;
}

/* --- vCard ---------------------------------------------------------- */

struct card {
	char name[CONTACT_NAME_MAX];
	bool have_fn;
	char addr[VCARD_MAX_ADDRS][TARGET_MAX + 1];
	size_t naddr;
	size_t dropped;
};

/* Text value escapes (RFC 6350 3.4): \\ \, \; \n. */
static void unescape(char *dst, size_t sz, const char *s, size_t n)
{
	size_t j = 0;

	for (size_t i = 0; i < n && j + 1 < sz; i++) {
		char c = s[i];

		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			if (c == 'n' || c == 'N')
				c = ' ';
		}
		if ((unsigned char)c < 0x20 || c == 0x7f || c == '<' ||
		    c == '>')
			c = ' ';
		dst[j++] = c;
	}
	/* Never end inside a UTF-8 sequence cut by the size bound. */
	while (j && ((unsigned char)dst[j - 1] & 0x80)) {
		size_t k = j - 1;
		unsigned char lead;
		size_t need;

		while (k && ((unsigned char)dst[k] & 0xc0) == 0x80)
			k--;
		lead = (unsigned char)dst[k];
		need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 :
		       1;
		if (j - k >= need)
			break;
		j = k;
	}
	dst[j] = '\0';
}

/* A telephone number as siptty dials it: '+' and digits only. */
static bool number_of(const char *s, size_t n, char *out, size_t sz)
{
	size_t j = 0;

	if (n >= 4 && !strncasecmp(s, "tel:", 4)) {
		s += 4;
		n -= 4;
	}
	for (size_t i = 0; i < n && s[i] != ';'; i++) {
		char c = s[i];

		if ((c >= '0' && c <= '9') || (c == '+' && !j) ||
		    c == '*' || c == '#') {
			if (j + 1 >= sz)
				return false;
			out[j++] = c;
		} else if (!strchr(" -.()/", c)) {
			return false;  /* "ext." and the like: not dialled */
		}
	}
	out[j] = '\0';
	return j > (out[0] == '+' ? 1u : 0u);
}

static void card_addr(struct card *c, const char *prop, const char *v,
		      size_t vn)
{
	char a[TARGET_MAX + 1];
	enum target_kind kind;
	const char *why;

	if (!strcasecmp(prop, "TEL")) {
		if (!number_of(v, vn, a, sizeof(a))) {
			c->dropped++;
			return;
		}
	} else {
		/* IMPP and X-SIP: "sip:..." or "sips:"; X-SIP may be bare. */
		if (vn >= sizeof(a)) {
			c->dropped++;
			return;
		}
		memcpy(a, v, vn);
		a[vn] = '\0';
		if (!strchr(a, ':') && strchr(a, '@') &&
		    vn + 4 < sizeof(a)) {
			memmove(a + 4, a, vn + 1);
			memcpy(a, "sip:", 4);
		}
		if (strncasecmp(a, "sip:", 4) && strncasecmp(a, "sips:", 5)) {
			c->dropped++;
			return;
		}
	}
	if (target_check(a, &kind, &why) || c->naddr == VCARD_MAX_ADDRS) {
		c->dropped++;
		return;
	}
	memcpy(c->addr[c->naddr++], a, strlen(a) + 1);
}

/* "N:Family;Given;..." as "Given Family" when there is no FN. */
static void card_n(struct card *c, const char *v, size_t vn)
{
	const char *semi = memchr(v, ';', vn);
	char fam[64], given[64];

	if (c->have_fn || c->name[0])
		return;
	if (!semi) {
		unescape(c->name, sizeof(c->name), v, vn);
		return;
	}
	unescape(fam, sizeof(fam), v, (size_t)(semi - v));
	vn -= (size_t)(semi - v) + 1;
	v = semi + 1;
	semi = memchr(v, ';', vn);
	unescape(given, sizeof(given), v, semi ? (size_t)(semi - v) : vn);
	snprintf(c->name, sizeof(c->name), "%s%s%s", given,
		 given[0] && fam[0] ? " " : "", fam);
}

/* One property line: NAME[;params]:value, NAME maybe "group.NAME". */
static void card_prop(struct card *c, const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n), *dot, *v, *end = s + n;
	char prop[16];
	size_t pn, vn;

	if (!colon)
		return;
	pn = strcspn(s, ";:");
	dot = memchr(s, '.', pn);
	if (dot) {
		pn -= (size_t)(dot + 1 - s);
		s = dot + 1;
	}
	if (pn >= sizeof(prop))
		return;
	memcpy(prop, s, pn);
	prop[pn] = '\0';
	v = colon + 1;
	vn = (size_t)(end - v);
	if (!strcasecmp(prop, "FN")) {
		unescape(c->name, sizeof(c->name), v, vn);
		c->have_fn = c->name[0] != '\0';
	} else if (!strcasecmp(prop, "N")) {
		card_n(c, v, vn);
	} else if (!strcasecmp(prop, "TEL") || !strcasecmp(prop, "IMPP") ||
		   !strcasecmp(prop, "X-SIP")) {
		card_addr(c, prop, v, vn);
	}
}

/* Unfolds the next logical line (RFC 6350 3.2) into out; returns the
 * physical lines it took, 0 at the end of the text. */
static unsigned next_line(const char **tp, char *out, size_t sz, size_t *lenp,
			  bool *toolong)
{
	const char *t = *tp;
	unsigned lines = 0;
	size_t len = 0;

	*toolong = false;
	while (*t) {
		size_t n = strcspn(t, "\n");
		size_t m = n;

		if (m && t[m - 1] == '\r')
			m--;
		if (lines && !(*t == ' ' || *t == '\t'))
			break;
		if (lines) {
			t++;
			m--;
			n--;
		}
		if (len + m >= sz)
			*toolong = true;
		else
			memcpy(out + len, t, m);
		if (!*toolong)
			len += m;
		lines++;
		t += n;
		if (*t)
			t++;
	}
	out[*toolong ? 0 : len] = '\0';
	*lenp = *toolong ? 0 : len;
	*tp = t;
	return lines;
}

#define VCARD_LINE_MAX 4096

int contacts_import_vcard(struct contacts *cs, const char *text,
			  size_t *added, size_t *skipped, unsigned *line,
			  const char **why)
{
	struct card *c;
	char *buf;
	size_t before = cs->n, len, ncards = 0;
	unsigned ln = 0, took;
	bool in = false, toolong;
	int err = 0;

	*added = *skipped = 0;
	c = calloc(1, sizeof(*c));
	buf = malloc(VCARD_LINE_MAX);
	if (!c || !buf) {
		err = ENOMEM;
		goto out;
	}
	while ((took = next_line(&text, buf, VCARD_LINE_MAX, &len, &toolong))) {
		unsigned at = ln + 1;

		ln += took;
		if (toolong) {
			*line = at;
			*why = N_("a vCard line is longer than 4096 bytes");
			err = EBADMSG;
			break;
		}
		if (!len)
			continue;
		if (!strcasecmp(buf, "BEGIN:VCARD")) {
			if (in) {
				*line = at;
				*why = N_("BEGIN:VCARD inside a card");
				err = EBADMSG;
				break;
			}
			memset(c, 0, sizeof(*c));
			in = true;
			continue;
		}
		if (!strcasecmp(buf, "END:VCARD")) {
			if (!in) {
				*line = at;
				*why = N_("END:VCARD without BEGIN:VCARD");
				err = EBADMSG;
				break;
			}
			in = false;
			ncards++;
			*skipped += c->dropped;
			for (size_t i = 0; i < c->naddr; i++) {
				const char *w;
				int e = contacts_add(cs, c->name, c->addr[i],
						     &w);

				if (e == E2BIG) {
					*line = at;
					*why = w;
					err = E2BIG;
					goto out;
				}
				if (e)
					(*skipped)++;
			}
			continue;
		}
		if (!in) {
			*line = at;
			*why = N_("a line outside BEGIN:VCARD ... END:VCARD");
			err = EBADMSG;
			break;
		}
		card_prop(c, buf, len);
	}
	if (!err && in) {
		*line = ln;
		*why = N_("the last card has no END:VCARD");
		err = EBADMSG;
	}
	if (!err && !ncards) {
		*line = ln ? ln : 1;
		*why = N_("there is no BEGIN:VCARD in the file");
		err = EBADMSG;
	}
 out:
	if (err == EBADMSG || err == ENOMEM)
		cs->n = before;  /* all or nothing */
	*added = cs->n - before;
	free(buf);
	free(c);
	return err;
}
