/* target.c - checks a dialled target before any call code sees it. */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/i18n.h"
#include "ui/target.h"

/*
 * A deliberately conservative check: it catches what a person mistypes
 * (spaces, a missing host, a bad scheme) so the prompt can say so at once.
 * The full RFC 3261 grammar is the URI parser's job when calls exist.
 */

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

/* RFC 3261 25.1 user: unreserved / escaped / user-unreserved. */
static bool is_user_char(char c)
{
	return is_alnum(c) || (c && strchr("-_.!~*'()&=+$,;?/%", c));
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* host [":" port] [";" params] ["?" headers] */
static int check_hostport(const char *h, const char **why)
{
	const char *p = h;
	unsigned long port = 0;

	if (*p == '[') {
		const char *end = strchr(p, ']');

		if (!end || end == p + 1) {
			*why = N_("the IPv6 address in brackets is not closed");
			return EINVAL;
		}
		for (const char *q = p + 1; q < end; q++) {
			if (!is_alnum(*q) && *q != ':' && *q != '.') {
				*why = N_("the IPv6 address has a character "
					  "that does not belong there");
				return EINVAL;
			}
		}
		p = end + 1;
	} else {
		const char *start = p;

		while (is_alnum(*p) || *p == '-' || *p == '.')
			p++;
		if (p == start) {
			*why = N_("the host part after @ is missing");
			return EINVAL;
		}
		if (*start == '.' || *start == '-' || p[-1] == '-' ||
		    strstr(start, "..")) {
			*why = N_("the host name is not valid");
			return EINVAL;
		}
	}
	if (*p == ':') {
		p++;
		if (!is_digit(*p)) {
			*why = N_("the port after the colon must be a number "
				  "from 1 to 65535");
			return EINVAL;
		}
		while (is_digit(*p) && port <= 65535)
			port = port * 10 + (unsigned long)(*p++ - '0');
		if (port < 1 || port > 65535 || is_digit(*p)) {
			*why = N_("the port after the colon must be a number "
				  "from 1 to 65535");
			return EINVAL;
		}
	}
	if (*p && *p != ';' && *p != '?') {
		*why = N_("the host name is not valid");
		return EINVAL;
	}
	return 0;
}

static int check_sip(const char *rest, const char **why)
{
	const char *at = strrchr(rest, '@');

	if (!*rest) {
		*why = N_("the address after the scheme is missing");
		return EINVAL;
	}
	if (at) {
		if (at == rest) {
			*why = N_("the user part before @ is missing");
			return EINVAL;
		}
		for (const char *q = rest; q < at; q++) {
			/* ':' separates a password, which we never dial with */
			if (!is_user_char(*q) && *q != ':') {
				*why = N_("the user part has a character that "
					  "must be escaped");
				return EINVAL;
			}
		}
		rest = at + 1;
	}
	return check_hostport(rest, why);
}

/* RFC 3966: a global number "+" digits, or a local one with phone-context. */
static int check_tel(const char *s, const char **why)
{
	bool global = *s == '+', digit = false;
	const char *p = s + (global ? 1 : 0);

	for (; *p && *p != ';'; p++) {
		if (is_digit(*p))
			digit = true;
		else if (!strchr("-.()", *p) &&
			 !(!global && strchr("*#ABCDabcd", *p))) {
			*why = N_("a tel: number holds only digits and the "
				  "separators - . ( )");
			return EINVAL;
		}
	}
	if (!digit) {
		*why = N_("a tel: number needs at least one digit");
		return EINVAL;
	}
	if (!global && !strstr(p, ";phone-context=")) {
		*why = N_("a tel: number starts with + and the country code, "
			  "or carries ;phone-context=");
		return EINVAL;
	}
	return 0;
}

static bool is_number(const char *s)
{
	bool digit = false;

	if (*s == '+')
		s++;
	for (; *s; s++) {
		if (is_digit(*s))
			digit = true;
		else if (!strchr(" -.()*#", *s))
			return false;
	}
	return digit;
}

int target_check(const char *s, enum target_kind *kind, const char **why)
{
	const char *colon;

	if (!s || !*s) {
		*why = N_("there is nothing to dial");
		return EINVAL;
	}
	if (strlen(s) > TARGET_MAX) {
		*why = N_("the address is longer than 256 characters");
		return EINVAL;
	}
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if (*u < 0x20 || *u == 0x7f) {
			*why = N_("the address contains a control character");
			return EINVAL;
		}
	}
	if (!strncasecmp(s, "sips:", 5)) {
		*kind = TARGET_SIPS;
		if (strchr(s, ' ')) {
			*why = N_("a SIP address has no spaces");
			return EINVAL;
		}
		return check_sip(s + 5, why);
	}
	if (!strncasecmp(s, "sip:", 4)) {
		*kind = TARGET_SIP;
		if (strchr(s, ' ')) {
			*why = N_("a SIP address has no spaces");
			return EINVAL;
		}
		return check_sip(s + 4, why);
	}
	if (!strncasecmp(s, "tel:", 4)) {
		*kind = TARGET_TEL;
		return check_tel(s + 4, why);
	}
	if (is_number(s)) {
		*kind = TARGET_NUMBER;
		return 0;
	}
	colon = strchr(s, ':');
	if (colon && colon > s) {
		bool scheme = true;

		for (const char *q = s; q < colon; q++)
			if (!is_alnum(*q) && !strchr("+-.", *q))
				scheme = false;
		if (scheme) {
			*why = N_("siptty dials sip:, sips: and tel: addresses "
				  "only");
			return EINVAL;
		}
	}
	*kind = TARGET_USER;
	{
		const char *at = strchr(s, '@');
		const char *end = at ? at : s + strlen(s);

		for (const char *q = s; q < end; q++) {
			if (!is_user_char(*q)) {
				*why = N_("use sip:user@host, sips:user@host, "
					  "tel:+number, a number or a user "
					  "name");
				return EINVAL;
			}
		}
		if (at && (at == s || check_hostport(at + 1, why))) {
			if (at == s)
				*why = N_("the user part before @ is missing");
			return EINVAL;
		}
	}
	return 0;
}
