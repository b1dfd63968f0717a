#include "util/dl.h"

#include <dlfcn.h>
#include <stdio.h>

int
dl_load(const char *soname, const char *const *names, size_t n, void **syms,
    char *why, size_t len)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL) {
		snprintf(why, len, "%s", dlerror());
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if ((syms[i] = dlsym(h, names[i])) == NULL) {
			snprintf(why, len, "%s has no %s", soname, names[i]);
			return -1;
		}
	return 0;
}
