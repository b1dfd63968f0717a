/*
 * keep push [REMOTE]: push the recipe repository's current branch; when
 * another machine pushed first, merge what it pushed and push again.
 * keep push --images [NAME...]: snapshot images to a registry first
 * (cmd_push_images.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/team_out.h"
#include "core/paths.h"
#include "util/xalloc.h"

struct push_cli_opts push_opt;

const struct cli_option push_options[] = {
	CLI_FLAG(0, "images", &push_opt.images,
	    "push the snapshot images of NAME... (default all) to a registry first"),
	CLI_STRING(0, "registry", "HOST[:PORT]/REPO", &push_opt.registry,
	    "the registry repository for --images (default $KEEP_REGISTRY)"),
	CLI_OPTION_JSON(&push_opt.json, "with --images: print what was pushed "
	    "as JSON"),
	CLI_END,
};

int
cmd_push(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	cleanup_free char *dir = NULL;
	struct team_result res;
	struct cli_words args;
	const char *remote;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (push_opt.images)
		return cli_push_images(ctx, self, &args, err);
	if (push_opt.registry || push_opt.json)
		return cli_usage_error(err, self, "%s goes with --images",
		    push_opt.registry ? "--registry" : "--json");
	if (args.n > 1)
		return cli_usage_error(err, self, "too many arguments");
	remote = args.n ? args.v[0] : NULL;
	if (ctx->home == NULL && (ctx->home = keep_home_dir(err)) == NULL)
		return -1;
	dir = keep_recipes_dir(ctx->home, ctx->recipes_flag);
	rc = team_push(dir, remote, &res, err);
	if (res.merged)
		team_print(ctx, &res, 0);
	team_result_release(&res);
	if (rc == 0 && !ctx->quiet)
		fprintf(stderr, "pushed '%s' to %s\n", dir, remote ? remote : "origin");
	return rc;
}
