/* i18n.h - gettext shorthands for every string a user can see. */
#ifndef SIPTTY_I18N_H
#define SIPTTY_I18N_H

#include <libintl.h>

#define _(s) gettext(s)
#define N_(s) (s)

#endif
