/* typed.c - lazy typed headers: each header name decoded once, on first access, into the arena. */
#include <config.h>

#include <errno.h>
#include <stdalign.h>
#include <string.h>

#include "sip/msg_int.h"

typedef int (dec_h)(void *elem, const struct pl *s, enum sip_hdr_id id);

struct kind_desc {
	size_t elem;            /* size of one decoded value */
	size_t head;            /* offset of v[] in the list; 0 = single */
	char sep;               /* ',' or ';' between values, 0: one a line */
	bool empty_ok;          /* the header may have an empty value */
	dec_h *dec;
};

static int dec_via(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_via_decode(e, s);
}

static int dec_addr(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_addr_decode(e, s, 0);
}

static int dec_info(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_addr_decode(e, s, SIP_ADDR_ANGLE);
}

static int dec_cseq(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_cseq_decode(e, s);
}

static int dec_callid(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	*(struct pl *)e = *s;
	return sip_callid_check(s);
}

static int dec_uint(void *e, const struct pl *s, enum sip_hdr_id id)
{
	/* zeromf: 0 is a valid Max-Forwards; scalar02: 300 is not. */
	return sip_num(s, id == SIP_HDR_MAX_FORWARDS ? 255 : UINT32_MAX, e);
}

static int dec_class(const struct pl *s, unsigned cls)
{
	for (size_t i = 0; i < s->l; i++) {
		if (!sip_is(s->p[i], cls))
			return EBADMSG;
	}
	return s->l ? 0 : EBADMSG;
}

static int dec_token(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	*(struct pl *)e = *s;
	return dec_class(s, CT_TOKEN);
}

/* RFC 3313: each token is the hex form of a policy element, so an odd
 * number of digits cannot be one. */
static int dec_pma(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	*(struct pl *)e = *s;
	if (s->l % 2)
		return EBADMSG;
	return dec_class(s, CT_HEX);
}

static int dec_ctype(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_ctype_decode(e, s);
}

static int dec_tparam(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_tparam_decode(e, s, CT_TOKEN);
}

static int dec_delta(void *e, const struct pl *s, enum sip_hdr_id id)
{
	struct sip_tparam *t = e;
	uint32_t v;
	int err;

	(void)id;
	err = sip_tparam_decode(t, s, CT_DIGIT);
	if (err)
		return err;
	return sip_num(&t->token, UINT32_MAX, &v);
}

static int dec_replaces(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_tparam_decode(e, s, CT_WORD);
}

static int dec_auth(void *e, const struct pl *s, enum sip_hdr_id id)
{
	return sip_auth_decode(e, s, id != SIP_HDR_AUTHENTICATION_INFO);
}

static int dec_secmech(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_secmech_decode(e, s);
}

static int dec_identity(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_identity_decode(e, s);
}

static int dec_idinfo(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_idinfo_decode(e, s);
}

static int dec_date(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_date_decode(s, e);
}

static int dec_warning(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_warning_decode(e, s);
}

static int dec_retry(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_retry_decode(e, s);
}

static int dec_event(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_event_decode(e, s);
}

static int dec_substate(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_substate_decode(e, s);
}

static int dec_rack(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	return sip_rack_decode(e, s);
}

static int dec_callids(void *e, const struct pl *s, enum sip_hdr_id id)
{
	(void)id;
	*(struct pl *)e = *s;
	return sip_callid_check(s);
}

#define LIST(T, L) sizeof(T), offsetof(L, v)
#define ONE(T) sizeof(T), 0

static const struct kind_desc kinds[] = {
	[K_VIA] = {LIST(struct sip_via, struct sip_vias), ',', false, dec_via},
	[K_ADDR] = {ONE(struct sip_addr), 0, false, dec_addr},
	[K_ADDRS] = {LIST(struct sip_addr, struct sip_addrs), ',', false,
		     dec_addr},
	[K_CONTACT] = {LIST(struct sip_addr, struct sip_addrs), ',', false,
		       dec_addr},
	[K_INFO] = {LIST(struct sip_addr, struct sip_addrs), ',', false,
		    dec_info},
	[K_CSEQ] = {ONE(struct sip_cseq), 0, false, dec_cseq},
	[K_CALLID] = {ONE(struct pl), 0, false, dec_callid},
	[K_CALLIDS] = {LIST(struct pl, struct sip_tokens), ',', false,
		       dec_callids},
	[K_UINT] = {ONE(uint32_t), 0, false, dec_uint},
	[K_TOKENS] = {LIST(struct pl, struct sip_tokens), ',', false,
		      dec_token},
	[K_TOKENS0] = {LIST(struct pl, struct sip_tokens), ',', true,
		       dec_token},
	[K_PRIVACY] = {LIST(struct pl, struct sip_tokens), ';', false,
		       dec_token},
	[K_PMA] = {LIST(struct pl, struct sip_tokens), ',', false, dec_pma},
	[K_CTYPE] = {ONE(struct sip_ctype), 0, false, dec_ctype},
	[K_ACCEPT] = {LIST(struct sip_ctype, struct sip_ctypes), ',', true,
		      dec_ctype},
	[K_TPARAM] = {ONE(struct sip_tparam), 0, false, dec_tparam},
	[K_TPARAMS] = {LIST(struct sip_tparam, struct sip_tparams), ',',
		       true, dec_tparam},
	[K_DELTA] = {ONE(struct sip_tparam), 0, false, dec_delta},
	[K_REPLACES] = {ONE(struct sip_tparam), 0, false, dec_replaces},
	[K_AUTH] = {LIST(struct sip_auth, struct sip_auths), 0, false,
		    dec_auth},
	[K_AINFO] = {ONE(struct sip_auth), 0, false, dec_auth},
	[K_SECMECH] = {LIST(struct sip_secmech, struct sip_secmechs), ',',
		       false, dec_secmech},
	[K_IDENTITY] = {LIST(struct sip_identity, struct sip_identities), 0,
			false, dec_identity},
	[K_IDINFO] = {ONE(struct sip_identity_info), 0, false, dec_idinfo},
	[K_DATE] = {ONE(int64_t), 0, false, dec_date},
	[K_WARNING] = {LIST(struct sip_warning, struct sip_warnings), ',',
		       false, dec_warning},
	[K_RETRY] = {ONE(struct sip_retry_after), 0, false, dec_retry},
	[K_EVENT] = {ONE(struct sip_event), 0, false, dec_event},
	[K_SUBSTATE] = {ONE(struct sip_substate), 0, false, dec_substate},
	[K_RACK] = {ONE(struct sip_rack), 0, false, dec_rack},
};

/* sip_msg_hdr_next(), inline for the walks below. */
static inline const struct sip_hdr *hdr_next(const struct sip_msg *msg,
					     enum sip_hdr_id id, size_t *ip)
{
	for (size_t i = *ip; i < msg->nhdr; i++) {
		if (msg->hdrs[i].id == id) {
			*ip = i + 1;
			return &msg->hdrs[i];
		}
	}
	*ip = msg->nhdr;
	return NULL;
}

static bool is_star(const struct pl *v)
{
	return v->l == 1 && v->p[0] == '*';
}

/*
 * "tok, tok ,tok": the usual shape of Allow and Supported, without
 * splitting and checking each item on its own.  Any other shape, or a
 * full list, returns -1 and leaves *np alone, for the general path to
 * decode (or refuse) the line exactly as it always has.
 */
static int token_line(const struct pl *v, struct pl *list, size_t room,
		      size_t *np)
{
	const char *p = v->p, *e = v->p + v->l, *t;
	size_t n = *np;

	for (;;) {
		t = sip_run(p, e, CT_TOKEN);
		if (t == p || n == SIP_LIST_MAX ||
		    (n + 1) * sizeof(*list) > room)
			return -1;
		list[n].p = p;
		list[n].l = (size_t)(t - p);
		n++;
		while (t < e && sip_is(*t, CT_LWS))
			t++;
		if (t == e)
			break;
		if (*t != ',')
			return -1;
		t++;
		while (t < e && sip_is(*t, CT_LWS))
			t++;
		p = t;
	}
	*np = n;
	return 0;
}

/* One line's values into list[n...]: the line itself when it holds no
 * separator, else its sep-separated items. */
static inline int decode_line(const struct sip_hdr *h, enum sip_hdr_id id,
			      const struct kind_desc *k, char *list,
			      size_t room, size_t *np)
{
	struct pl rest = h->val, item;
	size_t n = *np;
	int err;

	/* Most lines hold one value: no separator, nothing to split (the
	 * value is already trimmed, and its decoder checks its own quotes
	 * and brackets).  The line splitter has looked for commas already. */
	if (!k->sep || (k->sep == ',' && (h->marks & SIP_HM_SCANNED) ?
			!(h->marks & SIP_HM_COMMA) :
			!memchr(h->val.p, k->sep, h->val.l))) {
		if (n == SIP_LIST_MAX || (n + 1) * k->elem > room)
			return E2BIG;
		err = k->dec(list + k->head + n * k->elem, &h->val, id);
		if (err)
			return err;
		*np = n + 1;
		return 0;
	}
	if (k->dec == dec_token && k->sep == ',' &&
	    token_line(&h->val, (struct pl *)(void *)(list + k->head), room,
		       np) == 0)
		return 0;
	while ((err = sip_split(&rest, k->sep, &item)) == 0) {
		if (n == SIP_LIST_MAX || (n + 1) * k->elem > room)
			return E2BIG;
		err = k->dec(list + k->head + n * k->elem, &item, id);
		if (err)
			return err;
		*np = ++n;
	}
	return err == ENOENT ? 0 : err;
}

/* A list sized for every value the lines of id may hold.  The count is
 * an upper bound (a comma may sit in quotes); the list bound caps what a
 * hostile message can make us allocate.  The per-id line count stops the
 * walk at the last line. */
static char *list_sized(struct sip_msg *msg, enum sip_hdr_id id,
			const struct kind_desc *k, size_t first, size_t *capp)
{
	size_t i, cap = 0, seen, lines = msg->hnum[id];
	const struct sip_hdr *h;

	for (i = first, seen = 0; seen < lines &&
	     (h = hdr_next(msg, id, &i)) != NULL; seen++)
		cap += k->sep && h->val.l ? sip_split_max(&h->val, k->sep) : 1;
	if (cap > SIP_LIST_MAX)
		cap = SIP_LIST_MAX;
	*capp = cap;
	return sip_msg_mem_fast(msg, k->head + cap * k->elem);
}

/*
 * All the lines of id into one list.  Decoders take no arena memory, so
 * the list is built in place at the top of the first arena chunk and
 * keeps only what it used; when that room runs out before the list does,
 * it starts again in a list sized by counting first.  Not inlined: the
 * single values that decode_cached() handles itself stay cheap.
 */
static __attribute__((noinline)) int
decode_list(struct sip_msg *msg, enum sip_hdr_id id,
	    const struct kind_desc *k, bool contact, size_t first,
	    const void **out)
{
	size_t i, cap, n, seen, lines = msg->hnum[id], avail, used, room;
	const struct sip_hdr *h;
	bool star, in_place;
	char *list;
	int err;

	/* Room in bytes rather than elements: no division on this path
	 * (an element fits while (n + 1) * elem <= room). */
	avail = msg->ar_cap - msg->ar_used;
	room = avail > k->head ? avail - k->head : 0;
	in_place = room >= k->elem;
	if (in_place) {
		list = msg->ar + msg->ar_used;
	} else {
		list = list_sized(msg, id, k, first, &cap);
		room = cap * k->elem;
	}
	if (!list)
		return ENOMEM;
again:
	n = 0;
	star = false;
	for (i = first, seen = 0; seen < lines &&
	     (h = hdr_next(msg, id, &i)) != NULL; seen++) {
		if (!h->val.l && k->empty_ok)
			continue;
		if (contact && is_star(&h->val)) {
			if (star)
				return EBADMSG;
			star = true;
			continue;
		}
		err = decode_line(h, id, k, list, room, &n);
		if (err == E2BIG && in_place &&
		    room / k->elem < SIP_LIST_MAX) {
			/* out of room, maybe not over the bound */
			list = list_sized(msg, id, k, first, &cap);
			if (!list)
				return ENOMEM;
			room = cap * k->elem;
			in_place = false;
			goto again;
		}
		if (err)
			return err;
	}
	/* "Contact: *" stands alone (RFC 3261 10.2.2). */
	if (star && n)
		return EBADMSG;
	if (in_place) {
		used = k->head + n * k->elem;
		msg->ar_used += (used + alignof(max_align_t) - 1) &
			~(alignof(max_align_t) - 1);
	}
	*(size_t *)list = n;
	/* Set for every address list (only Contact may be "*"), so that no
	 * reader of a Route list ever sees arena garbage in it. */
	if (k->dec == dec_addr || k->dec == dec_info)
		((struct sip_addrs *)list)->star = star;
	*out = list;
	return 0;
}

/* first: no header with this id sits before that index. */
static int decode(struct sip_msg *msg, enum sip_hdr_id id, size_t first,
		  const void **out)
{
	const struct sip_hdr_info *info = &sip_hdr_tab[id];   /* checked */
	const struct kind_desc *k = &kinds[info->kind];
	const struct sip_hdr *h;
	size_t i = first;
	void *elem;

	h = hdr_next(msg, id, &i);
	if (!h)
		return ENOENT;
	if (k->head)
		return decode_list(msg, id, k, info->kind == K_CONTACT, i - 1,
				   out);
	elem = sip_msg_mem_fast(msg, k->elem);
	if (!elem)
		return ENOMEM;
	*out = elem;
	return k->dec(elem, &h->val, id);
}

/* Decodes id (not yet in the cache) and caches the outcome. */
static int decode_cached(struct sip_msg *msg, enum sip_hdr_id id,
			 size_t first, const void **out)
{
	int err;

	*out = NULL;
	err = decode(msg, id, first, out);
	if (err == ENOMEM)
		return err;
	if (err)
		*out = NULL;
	msg->tc[id].val = *out;
	msg->tc[id].err = err;
	msg->tdone[id >> 6] |= 1ull << (id & 63);
	return err;
}

static int typed_from(struct sip_msg *msg, enum sip_hdr_id id,
		      uint32_t kindmask, size_t first, const void **out)
{
	if (!msg || (unsigned)id >= SIP_HDR_NUM ||
	    !(kindmask & (1u << sip_hdr_tab[id].kind)))
		return EINVAL;
	if (msg->tdone[id >> 6] & (1ull << (id & 63))) {
		*out = msg->tc[id].val;
		return msg->tc[id].err;
	}
	return decode_cached(msg, id, first, out);
}

static int typed(struct sip_msg *msg, enum sip_hdr_id id, uint32_t kindmask,
		 const void **out)
{
	return typed_from(msg, id, kindmask, 0, out);
}

void sip_msg_tc_drop(struct sip_msg *msg, enum sip_hdr_id id)
{
	if ((unsigned)id < SIP_HDR_NUM)
		msg->tdone[id >> 6] &= ~(1ull << (id & 63));
}

#define KM(k) (1u << (k))

int sip_msg_vias(struct sip_msg *msg, const struct sip_vias **vp)
{
	return typed(msg, SIP_HDR_VIA, KM(K_VIA), (const void **)vp);
}

int sip_msg_addr(struct sip_msg *msg, enum sip_hdr_id id,
		 const struct sip_addr **ap)
{
	return typed(msg, id, KM(K_ADDR), (const void **)ap);
}

int sip_msg_addrs(struct sip_msg *msg, enum sip_hdr_id id,
		  const struct sip_addrs **lp)
{
	return typed(msg, id, KM(K_ADDRS) | KM(K_CONTACT) | KM(K_INFO),
		     (const void **)lp);
}

int sip_msg_cseq(struct sip_msg *msg, const struct sip_cseq **cp)
{
	return typed(msg, SIP_HDR_CSEQ, KM(K_CSEQ), (const void **)cp);
}

int sip_msg_callid(struct sip_msg *msg, struct pl *callid)
{
	const struct pl *c;
	int err;

	err = typed(msg, SIP_HDR_CALL_ID, KM(K_CALLID), (const void **)&c);
	if (!err)
		*callid = *c;
	return err;
}

int sip_msg_uint(struct sip_msg *msg, enum sip_hdr_id id, uint32_t *vp)
{
	const uint32_t *v;
	int err;

	err = typed(msg, id, KM(K_UINT), (const void **)&v);
	if (!err)
		*vp = *v;
	return err;
}

int sip_msg_tokens(struct sip_msg *msg, enum sip_hdr_id id,
		   const struct sip_tokens **tp)
{
	return typed(msg, id, KM(K_TOKENS) | KM(K_TOKENS0) | KM(K_PRIVACY) |
		     KM(K_PMA) | KM(K_CALLIDS), (const void **)tp);
}

bool sip_tokens_has(const struct sip_tokens *t, const char *tok)
{
	for (size_t i = 0; t && i < t->n; i++) {
		if (pl_caseeq_str(&t->v[i], tok))
			return true;
	}
	return false;
}

int sip_msg_ctype(struct sip_msg *msg, const struct sip_ctype **cp)
{
	return typed(msg, SIP_HDR_CONTENT_TYPE, KM(K_CTYPE),
		     (const void **)cp);
}

int sip_msg_accept(struct sip_msg *msg, const struct sip_ctypes **lp)
{
	return typed(msg, SIP_HDR_ACCEPT, KM(K_ACCEPT), (const void **)lp);
}

int sip_msg_tparam(struct sip_msg *msg, enum sip_hdr_id id,
		   const struct sip_tparam **tp)
{
	return typed(msg, id, KM(K_TPARAM) | KM(K_DELTA) | KM(K_REPLACES),
		     (const void **)tp);
}

int sip_msg_tparams(struct sip_msg *msg, enum sip_hdr_id id,
		    const struct sip_tparams **lp)
{
	return typed(msg, id, KM(K_TPARAMS), (const void **)lp);
}

int sip_msg_auths(struct sip_msg *msg, enum sip_hdr_id id,
		  const struct sip_auths **lp)
{
	return typed(msg, id, KM(K_AUTH), (const void **)lp);
}

int sip_msg_auth_info(struct sip_msg *msg, const struct sip_auth **ap)
{
	return typed(msg, SIP_HDR_AUTHENTICATION_INFO, KM(K_AINFO),
		     (const void **)ap);
}

int sip_msg_secmechs(struct sip_msg *msg, enum sip_hdr_id id,
		     const struct sip_secmechs **lp)
{
	return typed(msg, id, KM(K_SECMECH), (const void **)lp);
}

int sip_msg_identities(struct sip_msg *msg, const struct sip_identities **lp)
{
	return typed(msg, SIP_HDR_IDENTITY, KM(K_IDENTITY),
		     (const void **)lp);
}

int sip_msg_identity_info(struct sip_msg *msg,
			  const struct sip_identity_info **ip)
{
	return typed(msg, SIP_HDR_IDENTITY_INFO, KM(K_IDINFO),
		     (const void **)ip);
}

int sip_msg_date(struct sip_msg *msg, int64_t *tp)
{
	const int64_t *t;
	int err;

	err = typed(msg, SIP_HDR_DATE, KM(K_DATE), (const void **)&t);
	if (!err)
		*tp = *t;
	return err;
}

int sip_msg_warnings(struct sip_msg *msg, const struct sip_warnings **lp)
{
	return typed(msg, SIP_HDR_WARNING, KM(K_WARNING), (const void **)lp);
}

int sip_msg_retry_after(struct sip_msg *msg,
			const struct sip_retry_after **rp)
{
	return typed(msg, SIP_HDR_RETRY_AFTER, KM(K_RETRY),
		     (const void **)rp);
}

int sip_msg_event(struct sip_msg *msg, const struct sip_event **ep)
{
	return typed(msg, SIP_HDR_EVENT, KM(K_EVENT), (const void **)ep);
}

int sip_msg_substate(struct sip_msg *msg, const struct sip_substate **sp)
{
	return typed(msg, SIP_HDR_SUBSCRIPTION_STATE, KM(K_SUBSTATE),
		     (const void **)sp);
}

int sip_msg_rack(struct sip_msg *msg, const struct sip_rack **rp)
{
	return typed(msg, SIP_HDR_RACK, KM(K_RACK), (const void **)rp);
}

int sip_msg_ruri(struct sip_msg *msg, const struct sip_uri **urip)
{
	struct pl scheme;
	bool known;
	int err;

	if (!msg->req)
		return ENOENT;
	if (!msg->ruri_done) {
		const struct pl *u = &msg->ruri;

		/* sip: and sips:, as sip_anyuri_check() sees them first */
		if (u->l > 5 && (u->p[0] | 0x20) == 's' &&
		    (u->p[1] | 0x20) == 'i' && (u->p[2] | 0x20) == 'p' &&
		    (u->p[3] == ':' ||
		     ((u->p[3] | 0x20) == 's' && u->p[4] == ':'))) {
			err = sip_uri_decode_sip(&msg->ruri_u, u,
						 u->p[3] != ':');
		} else {
			err = sip_anyuri_check(u, &scheme, &known);
			if (!err && !known)
				err = EPROTONOSUPPORT;
			else if (!err)
				err = sip_uri_decode_zeroed(&msg->ruri_u, u);
		}
		msg->ruri_err = err;
		msg->ruri_done = true;
	}
	if (!msg->ruri_err)
		*urip = &msg->ruri_u;
	return msg->ruri_err;
}

/* What decode_list() would do with h, the only line of its id, is
 * decode its whole value as the one element of a list that fits in
 * place: no separator in it, not empty, not a Contact "*", and room in
 * the first arena chunk for the list head and one element. */
static inline bool one_value(const struct sip_msg *msg,
			     const struct sip_hdr *h, unsigned kind)
{
	const struct kind_desc *k = &kinds[kind];
	size_t avail = msg->ar_cap - msg->ar_used;

	if (!h->val.l || avail < k->head || avail - k->head < k->elem)
		return false;
	if (kind == K_CONTACT && is_star(&h->val))
		return false;
	if (!k->sep)
		return true;
	return k->sep == ',' && (h->marks & SIP_HM_SCANNED) &&
		!(h->marks & SIP_HM_COMMA);
}

/*
 * What sip_msg_decode_all() does with a line of each id, in one look-up:
 * the kind of its typed form, or NULL for a header it leaves alone (no
 * typed form; P-Media-Authorization, whose bad token is the call's QoS
 * error, RFC 3313, not a bad message).
 */
static const struct kind_desc *all_kind[SIP_HDR_NUM];

__attribute__((constructor)) static void all_kind_init(void)
{
	for (unsigned id = 0; id < SIP_HDR_NUM; id++) {
		unsigned kind = sip_hdr_tab[id].kind;

		if (kind != K_NONE && id != SIP_HDR_P_MEDIA_AUTHORIZATION)
			all_kind[id] = &kinds[kind];
	}
}

static uint16_t status_of(int err)
{
	return err == E2BIG ? 513 : err == ENOMEM ? 500 : 400;
}

int sip_msg_decode_all(struct sip_msg *msg, struct sip_err *errp)
{
	const struct sip_uri *u;
	const void *v;
	int err;

	if (msg->req) {
		err = sip_msg_ruri(msg, &u);
		if (err && err != EPROTONOSUPPORT) {
			if (errp) {
				errp->err = err;
				errp->status = err == E2BIG ? 414 : 400;
				errp->reason = err == E2BIG ?
					"Request-URI Too Long" :
					"Bad Request-URI";
				errp->hdr = SIP_HDR_NONE;
			}
			return err;
		}
	}
	for (size_t i = 0; i < msg->nhdr; i++) {
		enum sip_hdr_id id = msg->hdrs[i].id;
		const struct kind_desc *k;

		/* no typed form, or P-Media-Authorization (all_kind[]); an
		 * id out of range has none either */
		if ((unsigned)id >= SIP_HDR_NUM || !(k = all_kind[id]))
			continue;
		if (msg->tdone[id >> 6] & (1ull << (id & 63))) {
			if (!msg->tc[id].err)
				continue;
			err = msg->tc[id].err;
		} else if (!k->head) {
			/* decode_cached() for a single value, whose line is
			 * this one: no search for it, no call. */
			void *elem = sip_msg_mem_fast(msg, k->elem);

			if (!elem) {
				err = ENOMEM;   /* not cached, as there */
			} else {
				err = k->dec(elem, &msg->hdrs[i].val, id);
				msg->tc[id].val = err ? NULL : elem;
				msg->tc[id].err = err;
				msg->tdone[id >> 6] |= 1ull << (id & 63);
			}
		} else if (msg->hnum[id] == 1 &&
			   one_value(msg, &msg->hdrs[i],
				     sip_hdr_tab[id].kind)) {
			/* decode_list() for a list of one line holding one
			 * value (most Contact, Route, single Via lines):
			 * the same list, built in place, without the walk. */
			char *list = msg->ar + msg->ar_used;

			err = k->dec(list + k->head, &msg->hdrs[i].val, id);
			if (!err) {
				msg->ar_used += (k->head + k->elem +
						 alignof(max_align_t) - 1) &
					~(alignof(max_align_t) - 1);
				*(size_t *)(void *)list = 1;
				if (k->dec == dec_addr || k->dec == dec_info)
					((struct sip_addrs *)(void *)list)->star =
						false;
			}
			if (err != ENOMEM) {   /* as decode_list() leaves it */
				msg->tc[id].val = err ? NULL : list;
				msg->tc[id].err = err;
				msg->tdone[id >> 6] |= 1ull << (id & 63);
			}
		} else {
			/* Headers before i with this id would have decoded
			 * it, so the lines of id start at i: decode_cached()
			 * for a list, without its search for the first. */
			v = NULL;
			err = decode_list(msg, id, k,
					  sip_hdr_tab[id].kind == K_CONTACT,
					  i, &v);
			if (err != ENOMEM) {
				msg->tc[id].val = err ? NULL : v;
				msg->tc[id].err = err;
				msg->tdone[id >> 6] |= 1ull << (id & 63);
			}
		}
		if (err) {
			if (errp) {
				errp->err = err;
				errp->status = msg->req ? status_of(err) : 0;
				errp->reason = sip_hdr_tab[id].bad;
				errp->hdr = id;
			}
			return err;
		}
	}
	return 0;
}
