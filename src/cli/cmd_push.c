/* keep push [REMOTE]: push the recipe repository's current branch. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/paths.h"
#include "recipes/recipes.h"
#include "util/xalloc.h"

const struct cli_option push_options[] = { { 0 } };

int
cmd_push(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err)
{
	const struct cli_command *self = cli_command_find("push");
	cleanup_free char *dir = NULL;
	struct recipes *r = NULL;
	struct cli_shared sh = { 0 };
	struct cli_parser p;
	const char *remote;
	int rc;

	if ((rc = cli_parse_shared(self, argc, argv, &sh, &p, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (argc - p.optind > 1)
		return cli_usage_error(err, self, "too many arguments");
	remote = p.optind < argc ? argv[p.optind] : NULL;
	if (ctx->home == NULL && (ctx->home = keep_home_dir(err)) == NULL)
		return -1;
	dir = keep_recipes_dir(ctx->home, ctx->recipes_flag);
	if (recipes_open(dir, &r, err) < 0)
		return -1;
	rc = recipes_push(r, remote, err);
	recipes_close(r);
	if (rc == 0 && !ctx->quiet)
		fprintf(stderr, "pushed '%s' to %s\n", dir, remote ? remote : "origin");
	return rc;
}
