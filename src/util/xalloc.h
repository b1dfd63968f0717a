/*
 * Allocation that never returns NULL: on exhaustion the process aborts here,
 * in one place, so no caller checks for NULL.
 */
#ifndef KEEP_UTIL_XALLOC_H
#define KEEP_UTIL_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xrealloc for nmemb elements of size bytes; aborts when the product overflows. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Cleanup attribute for locals: `cleanup_free char *s = NULL;`. */
void freep(void *p);
#define cleanup_free __attribute__((cleanup(freep)))

#endif
