/* Loading libgit2 at its first use (see recipes_internal.h). */
#include "recipes/recipes_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/dl.h"

struct recipes_lg recipes_lg;
static char lg_error[512];

static const char *const lg_names[] = {
#define LG_NAME(name) #name,
	LG_SYMBOLS(LG_NAME)
#undef LG_NAME
};

/* Fill lg; 0, or -1 with lg_error set. */
static int
lg_load(void)
{
	void *syms[sizeof(lg_names) / sizeof(*lg_names)];
	size_t i = 0;

	if (dl_load(KEEP_LIBGIT2_SONAME, lg_names,
	    sizeof(lg_names) / sizeof(*lg_names), syms, lg_error,
	    sizeof(lg_error)) < 0)
		return -1;
#define LG_SET(name) lg.name = (__typeof__(lg.name))syms[i++];
	LG_SYMBOLS(LG_SET)
#undef LG_SET
	return 0;
}

#ifdef __SANITIZE_ADDRESS__
/*
 * libgit2 1.5 leaks a pcre2 match block whenever a config regexp does not
 * match (git_remote_lookup hits it); fixed upstream after 1.5 by
 * libgit2/libgit2#6382. LeakSanitizer reads this hook at start-up, so
 * sanitizer builds of keep and its tests suppress only that leak.
 */
const char *__lsan_default_suppressions(void);

const char *
__lsan_default_suppressions(void)
{
	return "leak:libpcre2-8.so\n";
}
#endif

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_ok;

static void
lib_shutdown(void)
{
	lg.git_libgit2_shutdown();
}

static void
lib_init_once(void)
{
	if (lg_load() < 0)
		return;
	lib_ok = lg.git_libgit2_init() >= 0;
	if (lib_ok)
		atexit(lib_shutdown);
	else
		snprintf(lg_error, sizeof(lg_error), "git_libgit2_init failed");
}

int
recipes_lib_init(struct keep_error **err)
{
	pthread_once(&lib_once, lib_init_once);
	if (!lib_ok)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot start libgit2: %s", lg_error);
	return 0;
}
