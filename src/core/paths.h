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

#endif
