/* keep show NAME [--at N]: one snapshot, readable or as JSON. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/snapshot_out.h"

const struct cli_option show_options[] = {
	{ CLI_OPT_AT, "at", "N", "show snapshot #N instead of the latest" },
	CLI_OPTION_PROJECT,
	CLI_OPTION_INDEX,
	{ CLI_OPT_JSON, "json", NULL, "print the snapshot as a JSON object" },
	{ 0 },
};

int
cmd_show(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err)
{
	const struct cli_command *self = cli_command_find("show");
	struct cli_shared sh = { 0 };
	struct snapshot s = { 0 };
	struct cli_parser p;
	const char *name;
	int rc;

	if ((rc = cli_parse_shared(self, argc, argv, &sh, &p, err)) != 0)
		return rc < 0 ? -1 : 0;
	if ((name = cli_one_name(self, &p, err)) == NULL ||
	    cli_snapshot_load(ctx, name, &sh.ropts, sh.at, &s, err) < 0)
		return -1;
	if (sh.json) {
		struct jout *o = snapshot_json(&s, SNAPSHOT_JSON_ALL);

		jout_print(o, stdout);
		jout_free(o);
	} else {
		snapshot_print(stdout, &s);
	}
	snapshot_release(&s);
	return 0;
}
