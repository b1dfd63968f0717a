/* Where keep keeps its data. */
#ifndef KEEP_CORE_PATHS_H
#define KEEP_CORE_PATHS_H

#include "util/error.h"

/*
 * keep's home: $KEEP_HOME, else $XDG_DATA_HOME/keep, else
 * $HOME/.local/share/keep. Returns a new string (caller frees) or NULL with
 * *err set when none of these can be formed.
 */
char *keep_home_dir(struct keep_error **err);

/*
 * The recipe repository: recipes_flag (--recipes) if given, else
 * $KEEP_RECIPES, else HOME/recipes. Returns a new string (caller frees).
 */
char *keep_recipes_dir(const char *home, const char *recipes_flag);

/*
 * Create dir and its missing parents; the ones created get mode. An existing
 * directory is left as it is. Returns 0 or -1 with *err set.
 */
int keep_mkdir_p(const char *dir, unsigned mode, struct keep_error **err);

#endif
