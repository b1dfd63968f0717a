#include "core/paths.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

static int
is_set(const char *s)
{
	return s != NULL && s[0] != '\0';
}

char *
keep_home_dir(struct keep_error **err)
{
	const char *s;

	if (is_set(s = getenv("KEEP_HOME")))
		return xstrdup(s);
	if (is_set(s = getenv("XDG_DATA_HOME")))
		return xasprintf("%s/keep", s);
	if (is_set(s = getenv("HOME")))
		return xasprintf("%s/.local/share/keep", s);
	keep_error_set(err, KEEP_ERR_FAILED,
	    "cannot find a place for keep's data: set KEEP_HOME or HOME");
	return NULL;
}

char *
keep_recipes_dir(const char *home, const char *recipes_flag)
{
	const char *s;

	if (is_set(recipes_flag))
		return xstrdup(recipes_flag);
	if (is_set(s = getenv("KEEP_RECIPES")))
		return xstrdup(s);
	return xasprintf("%s/recipes", home);
}
