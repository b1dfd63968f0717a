/* What keep pull, keep clone and keep push say of a merge and an import. */
#ifndef KEEP_CLI_TEAM_OUT_H
#define KEEP_CLI_TEAM_OUT_H

#include "cli/cli.h"
#include "core/team.h"

/*
 * One line for the merge (stderr, unless -q), one for what was imported
 * (stdout), a warning per container left out or imported partly, and
 * one line per conflict (a container saved on two machines), which sets
 * keep's exit status to 1.
 */
void team_print(struct cli_ctx *ctx, const struct team_result *t,
    int imported);

/*
 * The same as one JSON object on stdout: branch, sync ("up-to-date",
 * "fast-forward", "merged"), commit, imported ([{name, seq}]), already,
 * kept, warnings, conflicts ([{name, ours, theirs}]); conflicts still
 * get their line on stderr and exit status 1.
 */
void team_print_json(struct cli_ctx *ctx, const struct team_result *t);

/*
 * keep clone (clone: where is the URL) and keep pull (where is the remote,
 * NULL for origin): bring the recipes in under the engine host keep talks
 * to, then print the result as team_print or, with json, team_print_json.
 */
int team_bring_in(struct cli_ctx *ctx, int clone, const char *where, int json,
    struct keep_error **err);

#endif
