/* dl.c - libraries loaded when first needed: symbols as function pointers, the loader's error. */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/dl.h"

int dl_sym(void *h, const char *name, void *fp, size_t size)
{
	void *p = dlsym(h, name);

	if (!p)
		return ENOENT;
	memcpy(fp, &p, size);  /* a function pointer from POSIX's void * */
	return 0;
}

void dl_why(char *why, size_t size)
{
	const char *e = dlerror();

	snprintf(why, size, "%s", e ? e : "unknown dlopen error");
}
