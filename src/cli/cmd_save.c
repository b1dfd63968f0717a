/* keep save NAME: snapshot a container. */
#include <stdio.h>
#include <stdlib.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/snapshot_out.h"
#include "core/build_context.h"
#include "core/paths.h"
#include "core/prune.h"
#include "core/resolve.h"
#include "core/save.h"
#include "engine/engine.h"
#include "util/jout.h"
#include "util/xalloc.h"

/* What the options set. */
static struct {
	struct save_opts save;		/* -m, --no-pause */
	struct resolve_opts ropts;	/* -p, --index */
	int json;
} opt;

const struct cli_option save_options[] = {
	CLI_STRING('m', "message", "MSG", &opt.save.message,
	    "a note stored with the snapshot and its recipe commit"),
	CLI_FLAG(0, "no-pause", &opt.save.no_pause,
	    "do not pause the container while committing"),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_OPTION_JSON(&opt.json, "print the snapshot as JSON"),
	CLI_END,
};

/*
 * KEEP_RETAIN: prune name to the newest retain snapshots after a save.
 * The snapshot stands whatever happens here: a failure is a warning.
 */
static void
retain(struct cli_ctx *ctx, struct engine *e, struct catalog *cat,
    const char *name, long retain)
{
	struct prune_opts po = { retain, -1, 0 };
	struct prune_result r = { 0 };
	struct keep_error *e2 = NULL;

	if (keep_prune(e, cat, name, &po, &r, &e2) < 0)
		fprintf(stderr, "keep: warning: KEEP_RETAIN=%ld: prune '%s': "
		    "%s\n", retain, name, e2->message);
	else if (r.n && !ctx->quiet)
		cli_prune_report(stderr, name, &r, 0);
	keep_error_free(e2);
	prune_result_release(&r);
}

/*
 * Save the container given names and print its line; with --json, its
 * object goes to *json instead (caller frees).
 */
static int
save_one(struct cli_ctx *ctx, struct engine *e, struct catalog *cat,
    const char *given, long keep_n, struct jout **json,
    struct keep_error **err)
{
	struct cli_progress_slot slot = { 0 };
	struct save_result res = { 0 };
	struct container inspected = { 0 };
	cleanup_free char *id = NULL, *name = NULL, *recipes = NULL;
	int rc = -1;

	opt.ropts.inspected = &inspected;
	if (resolve_container(e, given, &opt.ropts, &id, &name, err) < 0)
		goto out;
	slot.quiet = ctx->quiet || opt.json;
	slot.name = name;
	recipes = keep_recipes_dir(ctx->home, ctx->recipes_flag);
	opt.save.recipes_dir = recipes;
	opt.save.progress = progress_callback;
	opt.save.progress_ctx = &slot;
	opt.save.inspected = &inspected;
	opt.save.unchanged_snapshot = opt.json;
	if (keep_save(e, cat, ctx->home, id, &opt.save, &res, err) < 0) {
		keep_error_wrap(err, "save '%s'", name);
		goto out;
	}
	for (size_t i = 0; i < res.warnings.n; i++)
		cli_warn(res.warnings.v[i]);
	if (res.flattened_from && !slot.quiet)
		fprintf(stderr, "%s ran on an image %zu layers deep: #%ld holds "
		    "its whole filesystem in a new image of one layer (see "
		    "KEEP_MAX_LAYERS)\n", name, res.flattened_from,
		    res.snap.seq);
	if (opt.json) {
		*json = snapshot_json(&res.snap, SNAPSHOT_JSON_ALL);
		jout_set_bool(*json, "unchanged", res.unchanged);
		jout_set_bool(*json, "flattened", res.flattened_from != 0);
	} else if (res.unchanged) {
		printf("%s: unchanged since #%ld\n", name, res.snap.seq);
	} else {
		struct buf sum = BUF_INIT;

		snapshot_summary(&res.snap, &sum);
		printf("saved %s #%ld \u2192 %s: %s\n", name, res.snap.seq,
		    res.snap.image, buf_cstr(&sum));
		buf_release(&sum);
	}
	/* A line at a time: with -p the next save may take a while. */
	fflush(stdout);
	if (keep_n && !res.unchanged)
		retain(ctx, e, cat, res.snap.config.name, keep_n);
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
	opt.ropts.inspected = NULL;
	container_release(&inspected);
	save_result_release(&res);
	return rc;
}

/*
 * keep save -p PROJECT: every service container of the project, in turn.
 * One that fails is reported and the others still save.
 */
static int
save_project(struct cli_ctx *ctx, struct engine *e, struct catalog *cat,
    long keep_n, struct jout *json, struct keep_error **err)
{
	struct strv names = { 0 };
	cleanup_free char *project = resolve_project(&opt.ropts);
	size_t failed = 0;
	int rc = -1;

	if (project == NULL)
		return keep_error_set(err, KEEP_ERR_USAGE,
		    "save: '%s' is no compose project name", opt.ropts.project);
	if (resolve_project_containers(e, project, &names, err) < 0)
		return -1;
	if (names.n == 0) {
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "compose project '%s' has no containers", project);
		goto out;
	}
	/* Each by its own name: --index means one replica of one service. */
	opt.ropts.index = 0;
	for (size_t i = 0; i < names.n; i++) {
		struct keep_error *one = NULL;
		struct jout *o = NULL;

		if (save_one(ctx, e, cat, names.v[i], keep_n, &o, &one) < 0) {
			cli_error(one->message);
			failed++;
		}
		if (o)
			jout_push(json, o);
		keep_error_free(one);
	}
	if (failed)
		rc = keep_error_set(err, KEEP_ERR_FAILED, "%zu of %zu containers "
		    "of compose project '%s' not saved", failed, names.n,
		    project);
	else
		rc = 0;
out:
	strv_release(&names);
	return rc;
}

int
cmd_save(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct cli_words args;
	struct catalog *cat;
	struct engine *e;
	struct jout *json = NULL;
	const char *given = NULL;
	long keep_n;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	/* -p PROJECT alone: the whole project. */
	if ((args.n != 0 || opt.ropts.project == NULL) &&
	    (given = cli_one_name(self, &args, err)) == NULL)
		return -1;
	if (given == NULL && opt.ropts.index)
		return cli_usage_error(err, self,
		    "--index picks a replica of one service: give its NAME");

	if (prune_retain(&keep_n, err) < 0 ||
	    build_context_large_min(&opt.save.large_min, err) < 0 ||
	    cli_engine_catalog(ctx, &e, &cat, err) < 0)
		return -1;
	/* One NAME: its object; a project: an array of them. */
	if (given) {
		rc = save_one(ctx, e, cat, given, keep_n, &json, err);
	} else {
		json = opt.json ? jout_array() : NULL;
		rc = save_project(ctx, e, cat, keep_n, json, err);
	}
	if (json) {
		cli_print_json(json);
		jout_free(json);
	}
	return rc;
}
