/*
 * keep pull [REMOTE]: bring in what other machines pushed to the recipe
 * repository's remote, and import their saves into this catalog.
 */
#include "cli/cli.h"
#include "cli/team_out.h"

static int pull_json;

const struct cli_option pull_options[] = {
	CLI_OPTION_JSON(&pull_json, "print what was merged and imported as JSON"),
	CLI_END,
};

int
cmd_pull(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct cli_words args;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (args.n > 1)
		return cli_usage_error(err, self, "too many arguments");
	return team_bring_in(ctx, 0, args.n ? args.v[0] : NULL, pull_json, err);
}
