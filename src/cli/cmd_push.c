/* keep push [REMOTE]: push the recipe repository's current branch. */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "core/paths.h"
#include "recipes/recipes.h"
#include "util/xalloc.h"

const struct cli_option push_options[] = { CLI_END };

int
cmd_push(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	cleanup_free char *dir = NULL;
	struct recipes *r = NULL;
	struct cli_words args;
	const char *remote;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (args.n > 1)
		return cli_usage_error(err, self, "too many arguments");
	remote = args.n ? args.v[0] : NULL;
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
