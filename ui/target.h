/* target.h - what the dialler accepts: sip:, sips:, tel:, numbers, user names. */
#ifndef SIPTTY_UI_TARGET_H
#define SIPTTY_UI_TARGET_H

#define TARGET_MAX 256

enum target_kind {
	TARGET_SIP = 0,
	TARGET_SIPS,
	TARGET_TEL,
	TARGET_NUMBER,     /* digits, dialled through the account */
	TARGET_USER,       /* a bare user name, or user@host */
};

/*
 * 0 with *kind set, or EINVAL with *why set to an untranslated sentence
 * (an N_() string: the caller translates it) on what is wrong.
 */
int target_check(const char *s, enum target_kind *kind, const char **why);

#endif
