/* trace.c - the SIP trace, with digest responses, nonces and keys masked. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core/log.h"
#include "ua/trace.h"

static trace_h *trace_handler;
static void *trace_arg;

void trace_set_handler(trace_h *h, void *arg)
{
	trace_handler = h;
	trace_arg = arg;
}

static const char *const masked_hdrs[] = {
	"authorization", "proxy-authorization", "www-authenticate",
	"proxy-authenticate", "authentication-info", "security-client",
	"security-server", "security-verify",
};

static const char *const masked_params[] = {
	"response", "rspauth", "nonce", "nextnonce", "cnonce", "d-ver",
};

static bool in_list(const char *p, size_t n, const char *const *list,
		    size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (strlen(list[i]) == n && !strncasecmp(p, list[i], n))
			return true;
	}
	return false;
}

static bool is_tchar(char c)
{
	return isalnum((unsigned char)c) || strchr("-.!%*_+`'~", c);
}

/* One header value: every name=value whose name is masked gets TRACE_MASK
 * for its value (quotes kept).  Anything unexpected is copied as is. */
static void mask_params(struct buf *out, const char *p, const char *end)
{
	while (p < end) {
		const char *n = p, *v;
		bool quoted;

		if (!is_tchar(*p)) {
			if (*p == '"') {
				/* A quoted string outside a param: copy whole. */
				const char *q = p + 1;

				while (q < end && *q != '"')
					q += (*q == '\\' && q + 1 < end) ? 2 : 1;
				q = q < end ? q + 1 : end;
				buf_write(out, p, q - p);
				p = q;
				continue;
			}
			buf_putc(out, *p++);
			continue;
		}
		while (p < end && is_tchar(*p))
			p++;
		buf_write(out, n, p - n);
		v = p;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		if (v >= end || *v != '=')
			continue;
		v++;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		buf_write(out, p, v - p);
		quoted = v < end && *v == '"';
		p = v;
		if (quoted) {
			p++;
			while (p < end && *p != '"')
				p += (*p == '\\' && p + 1 < end) ? 2 : 1;
			p = p < end ? p + 1 : end;
		} else {
			while (p < end && *p != ',' && *p != ';' &&
			       *p != ' ' && *p != '\t' && *p != '\r')
				p++;
		}
		{
			size_t nl = 0;

			while (n + nl < end && is_tchar(n[nl]))
				nl++;
			if (in_list(n, nl, masked_params,
				    sizeof(masked_params) /
				    sizeof(masked_params[0]))) {
				buf_puts(out, quoted ? "\"" TRACE_MASK "\"" :
					 TRACE_MASK);
				continue;
			}
		}
		buf_write(out, v, p - v);
	}
}

int trace_mask(struct buf *out, const char *p, size_t len)
{
	const char *end = p + len, *line = p;
	bool head = true, hmask = false;

	if (!out || (!p && len))
		return EINVAL;
	while (line < end) {
		const char *nl = memchr(line, '\n', end - line);
		const char *le = nl ? nl + 1 : end;
		const char *colon;

		if (head) {
			if (le - line <= 2 && (line[0] == '\r' ||
					       line[0] == '\n')) {
				head = false;
				hmask = false;
				buf_write(out, line, le - line);
				line = le;
				continue;
			}
			if (line[0] == ' ' || line[0] == '\t') {
				/* A fold continues the header above. */
				if (hmask)
					mask_params(out, line, le);
				else
					buf_write(out, line, le - line);
				line = le;
				continue;
			}
			colon = memchr(line, ':', le - line);
			hmask = false;
			if (colon) {
				const char *ne = colon;

				while (ne > line && (ne[-1] == ' ' ||
						     ne[-1] == '\t'))
					ne--;
				hmask = in_list(line, ne - line, masked_hdrs,
						sizeof(masked_hdrs) /
						sizeof(masked_hdrs[0]));
			}
			if (hmask) {
				buf_write(out, line, colon + 1 - line);
				mask_params(out, colon + 1, le);
			} else {
				buf_write(out, line, le - line);
			}
		} else if (le - line > 9 && !strncmp(line, "a=crypto:", 9)) {
			/* SDES: "a=crypto:1 SUITE inline:KEY|..." */
			const char *k = line;

			while (k + 7 <= le && strncmp(k, "inline:", 7))
				k++;
			if (k + 7 <= le) {
				const char *ke = k + 7;

				while (ke < le && !isspace((unsigned char)*ke))
					ke++;
				buf_write(out, line, k + 7 - line);
				buf_puts(out, TRACE_MASK);
				buf_write(out, ke, le - ke);
			} else {
				buf_write(out, line, le - line);
			}
		} else {
			buf_write(out, line, le - line);
		}
		line = le;
	}
	return out->err;
}

void trace_msg(bool tx, const char *peer, const char *p, size_t len)
{
	struct buf b;

	buf_init(&b, 0);
	if (trace_mask(&b, p, len) || !b.len) {
		buf_free(&b);
		return;
	}
	log_debug("trace", "%s %s\n%s", tx ? "send to" : "recv from", peer,
		  b.data);
	if (trace_handler)
		trace_handler(tx, peer, b.data, trace_arg);
	buf_free(&b);
}
