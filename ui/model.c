/* model.c - the UI model: accounts, calls, log ring, panes, prompt line. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/conf.h"
#include "ua/call.h"
#include "ui/keys.h"
#include "ui/model.h"
#include "ui/utf8.h"

void model_copy(char *dst, size_t sz, const char *src)
{
	size_t i, n;

	if (!sz)
		return;
	n = src ? strlen(src) : 0;
	if (n > sz - 1)
		n = sz - 1;
	/* Do not cut a UTF-8 sequence in half at the end. */
	while (n > 0 && n < (src ? strlen(src) : 0) &&
	       ((unsigned char)src[n] & 0xc0) == 0x80)
		n--;
	for (i = 0; i < n; i++)
		dst[i] = ((unsigned char)src[i] < 0x20 || src[i] == 0x7f) ?
			 ' ' : src[i];
	dst[i] = '\0';
}

void model_init(struct model *m, const struct conf *conf,
		const char *headline, const char *hint)
{
	memset(m, 0, sizeof(*m));
	model_copy(m->headline, sizeof(m->headline), headline);
	model_copy(m->hint, sizeof(m->hint), hint);
	m->show_log = true;
	m->dirty = true;
	for (size_t i = 0; conf && i < MODEL_MAX_ACCOUNTS; i++) {
		const char *name = conf_section_name(conf, "account", i);
		struct model_account *a = &m->acc[i];
		char section[128];

		if (!name)
			break;
		snprintf(section, sizeof(section), "account %s", name);
		model_copy(a->name, sizeof(a->name), name);
		model_copy(a->aor, sizeof(a->aor),
			   conf_get(conf, section, "aor"));
		model_copy(a->transport, sizeof(a->transport),
			   conf_get(conf, section, "transport"));
		a->state = ACCOUNT_NOT_REGISTERED;
		/* The next call's privacy is the first account's until p. */
		if (!i)
			model_copy(m->privacy, sizeof(m->privacy),
				   conf_get(conf, section, "privacy"));
		m->nacc++;
	}
}

void model_log(struct model *m, const char *line)
{
	model_copy(m->log[m->nlog % MODEL_LOG_LINES], MODEL_LINE_MAX, line);
	m->nlog++;
	if (m->show_log)
		m->dirty = true;
}

static void trace_add(struct model *m, const char *line, size_t n)
{
	char *dst = m->trace[m->ntrace % MODEL_TRACE_LINES];

	if (n >= MODEL_TRACE_LINE_MAX)
		n = MODEL_TRACE_LINE_MAX - 1;
	/* Control characters from the network never reach the screen. */
	for (size_t i = 0; i < n; i++)
		dst[i] = (unsigned char)line[i] < 0x20 || line[i] == 0x7f ?
			 '?' : line[i];
	dst[n] = '\0';
	m->ntrace++;
}

void model_trace(struct model *m, bool tx, const char *peer,
		 const char *text)
{
	char head[MODEL_TRACE_LINE_MAX];
	const char *p = text;

	snprintf(head, sizeof(head), "%s %s", tx ? "-->" : "<--", peer);
	trace_add(m, head, strlen(head));
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (n && p[n - 1] == '\r')
			n--;
		if (n)
			trace_add(m, p, n);
		p = nl ? nl + 1 : NULL;
	}
	if (m->show_trace)
		m->dirty = true;
}

const char *model_trace_line(const struct model *m, size_t i)
{
	if (i >= m->ntrace || i >= MODEL_TRACE_LINES)
		return NULL;
	return m->trace[(m->ntrace - 1 - i) % MODEL_TRACE_LINES];
}

const char *model_log_line(const struct model *m, size_t i)
{
	if (i >= m->nlog || i >= MODEL_LOG_LINES)
		return NULL;
	return m->log[(m->nlog - 1 - i) % MODEL_LOG_LINES];
}

void model_status(struct model *m, bool err, const char *fmt, ...)
{
	char tmp[MODEL_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	model_copy(m->status, sizeof(m->status), tmp);
	m->status_err = err;
	m->dirty = true;
}

void prompt_open(struct prompt *p, enum prompt_kind kind)
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
}

void prompt_close(struct prompt *p)
{
	memset(p, 0, sizeof(*p));
}

static size_t prev_char(const struct prompt *p, size_t at)
{
	while (at > 0 && ((unsigned char)p->text[--at] & 0xc0) == 0x80)
		;
	return at;
}

static size_t next_char(const struct prompt *p, size_t at)
{
	int cp;

	return at < p->len ? at + utf8_decode(p->text + at, p->len - at, &cp) :
	       at;
}

static void cut(struct prompt *p, size_t from, size_t to)
{
	memmove(p->text + from, p->text + to, p->len - to);
	p->len -= to - from;
	p->text[p->len] = '\0';
}

enum prompt_result prompt_key(struct prompt *p, int key)
{
	char u[4];
	size_t n;

	switch (key) {
	case KEYS_ENTER:
		return PROMPT_SUBMIT;
	case KEYS_ESC:
	case 7:  /* C-g, as in Emacs and readline */
		return PROMPT_CANCEL;
	case KEYS_BACKSPACE:
		n = prev_char(p, p->cursor);
		cut(p, n, p->cursor);
		p->cursor = n;
		return PROMPT_EDITED;
	case KEYS_DELETE:
	case 4:  /* C-d */
		cut(p, p->cursor, next_char(p, p->cursor));
		return PROMPT_EDITED;
	case KEYS_LEFT:
	case 2:  /* C-b */
		p->cursor = prev_char(p, p->cursor);
		return PROMPT_EDITED;
	case KEYS_RIGHT:
	case 6:  /* C-f */
		p->cursor = next_char(p, p->cursor);
		return PROMPT_EDITED;
	case KEYS_HOME:
	case 1:  /* C-a */
		p->cursor = 0;
		return PROMPT_EDITED;
	case KEYS_END:
	case 5:  /* C-e */
		p->cursor = p->len;
		return PROMPT_EDITED;
	case 21: /* C-u */
		cut(p, 0, p->cursor);
		p->cursor = 0;
		return PROMPT_EDITED;
	default:
		break;
	}
	if (!keys_is_text(key))
		return PROMPT_IGNORED;
	n = utf8_encode(key, u);
	if (p->len + n >= sizeof(p->text))
		return PROMPT_IGNORED;  /* full: the key is refused, not cut */
	memmove(p->text + p->cursor + n, p->text + p->cursor,
		p->len - p->cursor);
	memcpy(p->text + p->cursor, u, n);
	p->len += n;
	p->cursor += n;
	p->text[p->len] = '\0';
	return PROMPT_EDITED;
}

void model_ident_copy(struct ident_verdict *d, const struct ident_verdict *v)
{
	/* Every text came from a peer: no control character passes. */
	d->kind = v->kind;
	d->attest = v->attest >= 'A' && v->attest <= 'Z' ? v->attest : 0;
	d->code = v->code;
	model_copy(d->method, sizeof(d->method), v->method);
	model_copy(d->orig, sizeof(d->orig), v->orig);
	model_copy(d->signer, sizeof(d->signer), v->signer);
	model_copy(d->reason, sizeof(d->reason), v->reason);
	model_copy(d->pai, sizeof(d->pai), v->pai);
	model_copy(d->pai_note, sizeof(d->pai_note), v->pai_note);
	model_copy(d->verstat, sizeof(d->verstat), v->verstat);
	model_copy(d->display, sizeof(d->display), v->display);
	model_copy(d->from, sizeof(d->from), v->from);
}

void model_calls_update(struct model *m, uint64_t now_ms)
{
	struct call_info ci;
	size_t n = 0;

	for (size_t i = 0; m->cm && n < MODEL_MAX_CALLS &&
	     !call_mgr_info(m->cm, i, &ci); i++) {
		struct model_call *c = &m->calls[n++];
		uint64_t end = ci.end_ms ? ci.end_ms : now_ms;

		c->id = ci.id;
		c->out = ci.out;
		model_copy(c->peer, sizeof(c->peer), ci.peer);
		snprintf(c->state, sizeof(c->state), "%s",
			 call_state_name(ci.state));
		c->live = !call_state_final(ci.state);
		c->local_hold = ci.local_hold;
		c->remote_hold = ci.remote_hold;
		model_copy(c->codec, sizeof(c->codec), ci.codec);
		c->duration_s = ci.start_ms && end > ci.start_ms ?
				(unsigned)((end - ci.start_ms) / 1000) : 0;
		c->selected = ci.selected;
		c->incoming = ci.state == CALL_INCOMING;
		c->muted = ci.muted;
		model_copy(c->srtp, sizeof(c->srtp), ci.srtp);
		model_copy(c->qos, sizeof(c->qos), ci.qos);
		model_copy(c->qos_reason, sizeof(c->qos_reason),
			   ci.qos_reason);
		model_copy(c->dtmf_rx, sizeof(c->dtmf_rx), ci.dtmf_rx);
		c->loss_pct = ci.loss_pct;
		c->jitter_ms = ci.jitter_ms;
		c->rtt_ms = ci.rtt_ms;
		c->code = ci.code;
		model_ident_copy(&c->ident, &ci.ident);
	}
	m->ncalls = n;
	m->dirty = true;
}

size_t model_live_calls(const struct model *m)
{
	return m->cm ? call_mgr_live(m->cm) : 0;
}
