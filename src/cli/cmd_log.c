/* keep log NAME: the snapshots of a container, newest first. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/snapshot_out.h"
#include "core/resolve.h"
#include "catalog/snapshots.h"

/* What the options set. */
static struct {
	struct resolve_opts ropts;	/* -p, --index */
	int json;
} opt;

const struct cli_option log_options[] = {
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_OPTION_JSON(&opt.json, "print an array of JSON objects"),
	CLI_END,
};

int
cmd_log(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct snapshot latest = { 0 };
	struct jout *arr = NULL;
	struct cli_words args;
	struct catalog *cat;
	const char *name;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if ((name = cli_one_name(self, &args, err)) == NULL)
		return -1;
	if (cli_snapshot_load(ctx, name, &opt.ropts, 0, &latest, err) < 0 ||
	    cli_catalog(ctx, &cat, err) < 0) {
		snapshot_release(&latest);
		return -1;
	}
	if (opt.json)
		arr = jout_array();
	for (long seq = latest.seq; seq >= 1 && rc == 0; seq--) {
		struct snapshot s = { 0 };
		struct buf sum = BUF_INIT;

		if (catalog_snapshot_load(cat, latest.engine, latest.config.name,
		    seq, &s, err) < 0) {
			rc = -1;
			break;
		}
		snapshot_summary(&s, &sum);
		if (opt.json) {
			struct jout *o = jout_object();

			jout_set_int(o, "seq", s.seq);
			jout_set_str(o, "created", s.created_at);
			jout_set_str(o, "commit", s.recipe_commit);
			jout_set_str(o, "image", s.image);
			if (s.pruned_at)
				jout_set_str(o, "pruned_at", s.pruned_at);
			else
				jout_set_null(o, "pruned_at");
			jout_set_str(o, "message", s.message);
			jout_set_str(o, "summary", buf_cstr(&sum));
			jout_push(arr, o);
		} else {
			cli_line(stdout, "#%-4ld %s  %.10s  %s%s%s%s", s.seq,
			    s.created_at, s.recipe_commit ? s.recipe_commit :
			    "(none)    ", buf_cstr(&sum), s.pruned_at ?
			    "  (image pruned)" : "", s.message[0] ? "  " : "",
			    s.message);
		}
		buf_release(&sum);
		snapshot_release(&s);
	}
	if (opt.json && rc == 0)
		cli_print_json(arr);
	jout_free(arr);
	snapshot_release(&latest);
	return rc;
}
