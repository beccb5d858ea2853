/* keys.h - key codes and their names, shared by the terminal and scripts. */
#ifndef SIPTTY_UI_KEYS_H
#define SIPTTY_UI_KEYS_H

#include <stddef.h>

/*
 * A key is a Unicode code point for a character (control characters
 * C-a..C-z are 1..26), or one of these codes above the Unicode range.
 */
enum {
	KEYS_ENTER = 0x200000,
	KEYS_ESC,
	KEYS_TAB,
	KEYS_BACKSPACE,
	KEYS_DELETE,
	KEYS_UP,
	KEYS_DOWN,
	KEYS_LEFT,
	KEYS_RIGHT,
	KEYS_HOME,
	KEYS_END,
	KEYS_PGUP,
	KEYS_PGDN,
	KEYS_F1,               /* KEYS_F1 + n - 1 is Fn, up to F12 */
	KEYS_F12 = KEYS_F1 + 11,
	KEYS_NONE = -1,
};

#define KEYS_NAME_MAX 16

/* "Enter", "Esc", "Tab", "F1".."F12", "Up", "C-x", "q", "ä": 0 or EINVAL. */
int keys_parse(const char *name, int *key);
/* The name keys_parse() reads back; "?" for a key without one. */
void keys_name(int key, char *out, size_t sz);
/* A character that the prompt may insert (not a control or a special). */
int keys_is_text(int key);

#endif
