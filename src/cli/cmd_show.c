/* keep show NAME [--at N]: one snapshot, readable or as JSON. */
#include <stdio.h>

#include "cli/cli.h"
#include "cli/snapshot_out.h"
#include "core/resolve.h"

enum { OPT_JSON = 256, OPT_AT, OPT_INDEX };

const struct cli_option show_options[] = {
	{ OPT_AT, "at", "N", "show snapshot #N instead of the latest" },
	{ 'p', "project", "PROJECT", "compose project NAME is a service of" },
	{ OPT_INDEX, "index", "N", "replica of a scaled compose service" },
	{ OPT_JSON, "json", NULL, "print the snapshot as a JSON object" },
	{ 0 },
};

int
cmd_show(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err)
{
	const struct cli_command *self = cli_command_find("show");
	struct resolve_opts ropts = { 0 };
	struct snapshot s = { 0 };
	struct cli_parser p;
	const char *arg;
	long at = 0, index;
	int opt, json = 0;

	cli_parser_init(&p, self, argc, argv);
	while ((opt = cli_next(&p, &arg, err)) > 0) {
		if (opt == OPT_JSON)
			json = 1;
		else if (opt == 'p')
			ropts.project = arg;
		else if (opt == OPT_AT && cli_parse_uint(self, "--at", arg, &at, err) < 0)
			opt = -1;
		else if (opt == OPT_INDEX) {
			if (cli_parse_uint(self, "--index", arg, &index, err) < 0)
				opt = -1;
			ropts.index = (int)index;
		}
		if (opt < 0)
			break;
	}
	cli_parser_release(&p);
	if (opt < 0)
		return -1;
	if (p.help)
		return 0;
	if (argc - p.optind != 1)
		return cli_usage_error(err, self, argc - p.optind ? "too many arguments"
		    : "which container? give its NAME");
	if (cli_snapshot_load(ctx, argv[p.optind], &ropts, at, &s, err) < 0)
		return -1;
	if (json) {
		struct jout *o = snapshot_json(&s, SNAPSHOT_JSON_ALL);

		jout_print(o, stdout);
		jout_free(o);
	} else {
		snapshot_print(stdout, &s);
	}
	snapshot_release(&s);
	return 0;
}
