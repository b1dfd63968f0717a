/*
 * Libraries loaded at their first use rather than linked: libarchive
 * (util/tar.c) and libgit2 (recipes/lib.c). Each keeps a table of the
 * functions it calls, typed by the library's own header, and fills it from
 * the pointers dl_load resolves.
 */
#ifndef KEEP_UTIL_DL_H
#define KEEP_UTIL_DL_H

#include <stddef.h>

/*
 * dlopen soname and resolve names[0..n-1] into syms. 0; or -1 with why
 * (len bytes) saying what failed. The library stays loaded.
 */
int dl_load(const char *soname, const char *const *names, size_t n,
    void **syms, char *why, size_t len);

#endif
