/*
 * keep clone URL: start this machine's recipe repository from a remote
 * one, and import its saves into the catalog.
 */
#include "cli/cli.h"
#include "cli/team_out.h"

static int clone_json;

const struct cli_option clone_options[] = {
	CLI_OPTION_JSON(&clone_json, "print what was merged and imported as JSON"),
	CLI_END,
};

int
cmd_clone(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct cli_words args;
	const char *url;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if ((url = cli_one_name(self, &args, err)) == NULL)
		return -1;
	return team_bring_in(ctx, 1, url, clone_json, err);
}
