/* keep show NAME [--at N]: one snapshot, readable or as JSON. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/snapshot_out.h"
#include "core/resolve.h"

/* What the options set. */
static struct {
	int at;
	struct resolve_opts ropts;	/* -p, --index */
	int json;
} opt;

const struct cli_option show_options[] = {
	CLI_OPTION_AT(&opt.at, "show snapshot #N instead of the latest"),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_OPTION_JSON(&opt.json, "print the snapshot as a JSON object"),
	CLI_END,
};

int
cmd_show(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct snapshot s = { 0 };
	struct cli_words args;
	const char *name;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if ((name = cli_one_name(self, &args, err)) == NULL ||
	    cli_snapshot_load(ctx, name, &opt.ropts, opt.at, &s, err) < 0)
		return -1;
	if (opt.json) {
		struct jout *o = snapshot_json(&s, SNAPSHOT_JSON_ALL);

		cli_print_json(o);
		jout_free(o);
	} else {
		snapshot_print(stdout, &s);
	}
	snapshot_release(&s);
	return 0;
}
