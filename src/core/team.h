/*
 * A recipe repository shared through a git remote by several machines:
 * keep pull and keep clone bring the others' saves in (fetch, merge,
 * import into the catalog), keep push sends this machine's out, merging
 * first when the remote moved on. Never forced: what a merge cannot
 * combine (the same container saved on two machines) keeps both
 * histories and is reported.
 */
#ifndef KEEP_CORE_TEAM_H
#define KEEP_CORE_TEAM_H

#include "catalog/catalog.h"
#include "core/import.h"
#include "recipes/recipes.h"

struct team_result {
	struct recipes_pull_result pull;	/* the last merge (push: if any) */
	struct import_result import;		/* pull and clone */
	int merged;		/* push: it merged the remote first */
};

void team_result_release(struct team_result *t);

/*
 * Fetch remote (NULL: origin) into the recipe repository at recipes_dir
 * and merge it (recipes_pull), under the lock saves take, then import
 * the saves of the result into cat under the engine host `engine`
 * (import_recipes). Fills *out (caller releases).
 */
int team_pull(struct catalog *cat, const char *recipes_dir,
    const char *engine, const char *remote, struct team_result *out,
    struct keep_error **err);

/*
 * Make recipes_dir a copy of the repository at url (remote "origin"),
 * then import it as team_pull does. Refused (KEEP_ERR_CONFLICT) when the
 * recipe repository there has commits already.
 */
int team_clone(struct catalog *cat, const char *recipes_dir,
    const char *engine, const char *url, struct team_result *out,
    struct keep_error **err);

/*
 * Push the recipe repository's branch to remote (NULL: origin); when the
 * remote has commits it lacks, fetch and merge them (recipes_pull), then
 * push again, never forcing. out->pull says what the merge found.
 */
int team_push(const char *recipes_dir, const char *remote,
    struct team_result *out, struct keep_error **err);

#endif
