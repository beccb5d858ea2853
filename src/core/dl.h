/* dl.h - libraries loaded when first needed (libcurl, libpulse): symbols as function pointers, the loader's error. */
#ifndef SIPTTY_DL_H
#define SIPTTY_DL_H

#include <stddef.h>

/* Looks name up in the library h and stores it in the function pointer
 * at fp (size bytes); 0, or ENOENT. */
int dl_sym(void *h, const char *name, void *fp, size_t size);
/* The loader's last error into why (copied: the next dl call may free
 * it). */
void dl_why(char *why, size_t size);

#endif
