/* keys.c - key names (Enter, F1, C-x, characters) to codes and back. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "ui/keys.h"
#include "ui/utf8.h"

static const struct {
	const char *name;
	int key;
} named[] = {
	{"Enter", KEYS_ENTER},
	{"Esc", KEYS_ESC},
	{"Tab", KEYS_TAB},
	{"Backspace", KEYS_BACKSPACE},
	{"Delete", KEYS_DELETE},
	{"Up", KEYS_UP},
	{"Down", KEYS_DOWN},
	{"Left", KEYS_LEFT},
	{"Right", KEYS_RIGHT},
	{"Home", KEYS_HOME},
	{"End", KEYS_END},
	{"PageUp", KEYS_PGUP},
	{"PageDown", KEYS_PGDN},
	{"Space", ' '},
};

int keys_parse(const char *name, int *key)
{
	size_t n;
	int cp;

	if (!name || !*name)
		return EINVAL;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (!strcasecmp(name, named[i].name)) {
			*key = named[i].key;
			return 0;
		}
	}
	/* F1..F12: "F" alone is the character F. */
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' &&
	    name[1] <= '9') {
		unsigned f = (unsigned)(name[1] - '0');

		if (name[2] >= '0' && name[2] <= '9' && !name[3])
			f = f * 10 + (unsigned)(name[2] - '0');
		else if (name[2])
			return EINVAL;
		if (f < 1 || f > 12)
			return EINVAL;
		*key = KEYS_F1 + (int)f - 1;
		return 0;
	}
	/* C-x: a control character, letters only (C-i is Tab, C-m Enter). */
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' &&
	    name[2] && !name[3]) {
		char c = name[2];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			return EINVAL;
		if (c == 'i')
			*key = KEYS_TAB;
		else if (c == 'm' || c == 'j')
			*key = KEYS_ENTER;
		else if (c == 'h')
			*key = KEYS_BACKSPACE;
		else
			*key = c - 'a' + 1;
		return 0;
	}
	/* Otherwise exactly one printable character. */
	n = utf8_decode(name, strlen(name), &cp);
	if (!n || name[n] || !keys_is_text(cp) || (cp == 0xfffd && n == 1))
		return EINVAL;
	*key = cp;
	return 0;
}

void keys_name(int key, char *out, size_t sz)
{
	if (!sz)
		return;
	for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		if (named[i].key == key) {
			snprintf(out, sz, "%s", named[i].name);
			return;
		}
	}
	if (key >= KEYS_F1 && key <= KEYS_F12)
		snprintf(out, sz, "F%d", key - KEYS_F1 + 1);
	else if (key >= 1 && key <= 26)
		snprintf(out, sz, "C-%c", 'a' + key - 1);
	else if (keys_is_text(key)) {
		char u[5];
		size_t n = utf8_encode(key, u);

		u[n] = '\0';
		snprintf(out, sz, "%s", u);
	} else
		snprintf(out, sz, "?");
}

int keys_is_text(int key)
{
	return key >= 0x20 && key != 0x7f && key < 0x110000 &&
	       !(key >= 0x80 && key < 0xa0) && !(key >= 0xd800 && key < 0xe000);
}
