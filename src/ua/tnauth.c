/* tnauth.c - RFC 8226 TNAuthList DER decoding, bounded, and number cover. */
#include <config.h>

#include <errno.h>
#include <string.h>

#include "ua/tnauth.h"

/* A DER TLV: tag byte, definite length (at most 4 length bytes). */
struct tlv {
	uint8_t tag;
	const uint8_t *p;
	size_t l;
};

static int tlv_next(const uint8_t **pp, size_t *lenp, struct tlv *t)
{
	const uint8_t *p = *pp;
	size_t len = *lenp, l, n;

	if (len < 2)
		return EBADMSG;
	t->tag = p[0];
	if ((t->tag & 0x1f) == 0x1f)  /* high tag numbers: not in this module */
		return EBADMSG;
	l = p[1];
	p += 2;
	len -= 2;
	if (l & 0x80) {
		n = l & 0x7f;
		if (n == 0 || n > 4 || n > len)
			return EBADMSG;
		l = 0;
		for (size_t i = 0; i < n; i++)
			l = (l << 8) | p[i];
		p += n;
		len -= n;
	}
	if (l > len)
		return EBADMSG;
	t->p = p;
	t->l = l;
	*pp = p + l;
	*lenp = len - l;
	return 0;
}

static int ia5(char *out, size_t max, const struct tlv *t, bool tn)
{
	if (t->tag != 0x16 && t->tag != 0x80 && t->tag != 0x82)
		return EBADMSG;
	if (t->l == 0 || t->l > max)
		return E2BIG;
	for (size_t i = 0; i < t->l; i++) {
		uint8_t c = t->p[i];

		if (tn ? !((c >= '0' && c <= '9') || c == '#' || c == '*')
		       : (c < 0x21 || c > 0x7e))
			return EBADMSG;
		out[i] = (char)c;
	}
	out[t->l] = '\0';
	return 0;
}

static int integer(uint64_t *vp, const struct tlv *t)
{
	uint64_t v = 0;

	if (t->tag != 0x02 || t->l == 0 || t->l > 9)
		return EBADMSG;
	if (t->p[0] & 0x80)
		return EBADMSG;  /* negative */
	if (t->l == 9 && t->p[0] != 0)
		return E2BIG;
	for (size_t i = 0; i < t->l; i++)
		v = (v << 8) | t->p[i];
	*vp = v;
	return 0;
}

static int range(struct tnauth_entry *e, const uint8_t *p, size_t len)
{
	struct tlv s, c;
	int err;

	err = tlv_next(&p, &len, &s);
	if (!err)
		err = tlv_next(&p, &len, &c);
	if (err)
		return err;
	/* Extensions after count ("...") are allowed and skipped. */
	err = ia5(e->val, TNAUTH_TN_MAX, &s, true);
	if (!err)
		err = integer(&e->count, &c);
	if (err)
		return err;
	if (e->count < 2)
		return EBADMSG;
	return 0;
}

int tnauth_decode(struct tnauth_list *l, const uint8_t *der, size_t len)
{
	struct tlv seq, ent, in;
	const uint8_t *p;
	size_t n;
	int err;

	memset(l, 0, sizeof(*l));
	if (!der || len > TNAUTH_MAX_DER)
		return E2BIG;
	err = tlv_next(&der, &len, &seq);
	if (err)
		return err;
	if (seq.tag != 0x30 || len != 0 || seq.l == 0)
		return EBADMSG;
	p = seq.p;
	n = seq.l;
	while (n) {
		struct tnauth_entry *e;

		if (l->n == TNAUTH_MAX_ENTRIES)
			return E2BIG;
		err = tlv_next(&p, &n, &ent);
		if (err)
			return err;
		e = &l->v[l->n];
		memset(e, 0, sizeof(*e));
		switch (ent.tag) {
		case 0xa0:  /* spc, EXPLICIT */
		case 0xa2:  /* one, EXPLICIT */
			e->type = ent.tag == 0xa0 ? TNAUTH_SPC : TNAUTH_ONE;
			{
				const uint8_t *q = ent.p;
				size_t ql = ent.l;

				err = tlv_next(&q, &ql, &in);
				if (!err && (ql || in.tag != 0x16))
					err = EBADMSG;
			}
			if (!err)
				err = ia5(e->val, e->type == TNAUTH_SPC ?
					  TNAUTH_SPC_MAX : TNAUTH_TN_MAX,
					  &in, e->type == TNAUTH_ONE);
			break;
		case 0x80:  /* spc, IMPLICIT */
		case 0x82:  /* one, IMPLICIT */
			e->type = ent.tag == 0x80 ? TNAUTH_SPC : TNAUTH_ONE;
			err = ia5(e->val, e->type == TNAUTH_SPC ?
				  TNAUTH_SPC_MAX : TNAUTH_TN_MAX,
				  &ent, e->type == TNAUTH_ONE);
			break;
		case 0xa1:  /* range */
			e->type = TNAUTH_RANGE;
			if (ent.l && ent.p[0] == 0x30) {
				const uint8_t *q = ent.p;
				size_t ql = ent.l;

				err = tlv_next(&q, &ql, &in);
				if (!err && ql)
					err = EBADMSG;
				if (!err)
					err = range(e, in.p, in.l);
			} else {
				err = range(e, ent.p, ent.l);
			}
			break;
		default:
			err = EBADMSG;
			break;
		}
		if (err)
			return err;
		l->n++;
	}
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* start <= tn < start + count, numbers of the same length (RFC 8226 9). */
static bool in_range(const struct tnauth_entry *e, const char *tn)
{
	uint64_t start = 0, v = 0;
	size_t d = strlen(e->val);

	if (strlen(tn) != d || !all_digits(tn) || !all_digits(e->val))
		return false;
	for (size_t i = 0; i < d; i++) {
		start = start * 10 + (uint64_t)(e->val[i] - '0');
		v = v * 10 + (uint64_t)(tn[i] - '0');
	}
	return v >= start && v - start < e->count;
}

bool tnauth_covers(const struct tnauth_list *l, const char *tn)
{
	if (!tn || !*tn)
		return false;
	for (size_t i = 0; i < l->n; i++) {
		const struct tnauth_entry *e = &l->v[i];

		if (e->type == TNAUTH_ONE && strcmp(e->val, tn) == 0)
			return true;
		if (e->type == TNAUTH_RANGE && in_range(e, tn))
			return true;
	}
	return false;
}

bool tnauth_has_numbers(const struct tnauth_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].type != TNAUTH_SPC)
			return true;
	return false;
}
