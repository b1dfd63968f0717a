/* keep save NAME: snapshot a container. */
#include <stdio.h>
#include <stdlib.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/snapshot_out.h"
#include "core/paths.h"
#include "core/resolve.h"
#include "core/save.h"
#include "engine/engine.h"
#include "util/xalloc.h"

enum { OPT_NO_PAUSE = 256 };

const struct cli_option save_options[] = {
	{ 'm', "message", "MSG", "a note stored with the snapshot and its recipe commit" },
	{ OPT_NO_PAUSE, "no-pause", NULL, "do not pause the container while committing" },
	CLI_OPTION_PROJECT,
	CLI_OPTION_INDEX,
	{ CLI_OPT_JSON, "json", NULL, "print the snapshot as JSON" },
	{ 0 },
};

int
cmd_save(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err)
{
	const struct cli_command *self = cli_command_find("save");
	struct save_opts opts = { 0 };
	struct cli_shared sh = { 0 };
	struct cli_progress_slot slot = { 0 };
	struct save_result res = { 0 };
	struct container inspected = { 0 };
	struct cli_parser p;
	struct catalog *cat;
	struct engine *e;
	cleanup_free char *id = NULL, *name = NULL, *recipes = NULL;
	const char *arg, *given;
	int opt, rc = -1;

	cli_parser_init(&p, self, argc, argv);
	while ((opt = cli_next(&p, &arg, err)) > 0) {
		if (opt == 'm')
			opts.message = arg;
		else if (opt == OPT_NO_PAUSE)
			opts.no_pause = 1;
		else if (cli_shared_option(self, opt, arg, &sh, err) < 0) {
			opt = -1;
			break;
		}
	}
	cli_parser_release(&p);
	if (opt < 0)
		return -1;
	if (p.help)
		return 0;
	if ((given = cli_one_name(self, &p, err)) == NULL)
		return -1;

	if (cli_engine_catalog(ctx, &e, &cat, err) < 0)
		return -1;
	sh.ropts.inspected = &inspected;
	if (resolve_container(e, given, &sh.ropts, &id, &name, err) < 0)
		goto out;
	slot.quiet = ctx->quiet || sh.json;
	slot.name = name;
	recipes = keep_recipes_dir(ctx->home, ctx->recipes_flag);
	opts.recipes_dir = recipes;
	opts.progress = progress_callback;
	opts.progress_ctx = &slot;
	opts.inspected = &inspected;
	if (keep_save(e, cat, ctx->home, id, &opts, &res, err) < 0) {
		keep_error_wrap(err, "save '%s'", name);
		goto out;
	}
	for (size_t i = 0; i < res.warnings.n; i++)
		fprintf(stderr, "keep: warning: %s\n", res.warnings.v[i]);
	if (sh.json) {
		struct jout *o = snapshot_json(&res.snap, SNAPSHOT_JSON_ALL);

		jout_set_bool(o, "unchanged", res.unchanged);
		jout_print(o, stdout);
		jout_free(o);
	} else if (res.unchanged) {
		printf("%s: unchanged since #%ld\n", name, res.snap.seq);
	} else {
		struct buf sum = BUF_INIT;

		snapshot_summary(&res.snap, &sum);
		printf("saved %s #%ld \u2192 %s: %s\n", name, res.snap.seq,
		    res.snap.image, buf_cstr(&sum));
		buf_release(&sum);
	}
	rc = 0;
	if (res.recipe_error) {
		/* The snapshot stands; its recipe is committed by the next save. */
		keep_error_free(*err);
		*err = res.recipe_error;
		res.recipe_error = NULL;
		keep_error_wrap(err, "saved '%s' #%ld, but its recipe was not "
		    "committed (the next save retries)", name, res.snap.seq);
		rc = -1;
	}
out:
	container_release(&inspected);
	save_result_release(&res);
	return rc;
}
