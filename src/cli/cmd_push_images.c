/*
 * keep push --images [--registry HOST[:PORT]/REPO] [NAME...]: the snapshot
 * images to a registry, their digests into the catalog and the recipe
 * repository, then the recipe repository to its remote as keep push does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "cli/team_out.h"
#include "core/paths.h"
#include "core/push_images.h"
#include "core/resolve.h"
#include "core/team.h"
#include "engine/engine.h"
#include "model/model.h"
#include "util/jout.h"
#include "util/xalloc.h"

/* The spinner of the image being pushed. */
struct push_progress {
	int quiet;
	struct progress *p;
};

static void
on_progress(void *ctx, const char *what, const char *detail)
{
	struct push_progress *pp = ctx;

	if (what == NULL) {
		progress_stop(pp->p);
		pp->p = NULL;
	} else if (detail == NULL) {
		progress_stop(pp->p);
		pp->p = progress_start(pp->quiet, what, "");
	} else {
		progress_detail(pp->p, detail);
	}
}

/* The catalog names NAME... mean on this engine (compose services too). */
static int
catalog_names(struct cli_ctx *ctx, struct engine *e,
    const struct cli_words *args, struct strv *out, struct keep_error **err)
{
	const struct resolve_opts ropts = { 0 };

	for (int i = 0; i < args->n; i++) {
		struct snapshot s = { 0 };
		int rc = 0;

		if (cli_snapshot_load(ctx, args->v[i], &ropts, 0, &s, err) < 0)
			return -1;
		if (strcmp(s.engine, engine_endpoint(e)->host) != 0)
			rc = keep_error_set(err, KEEP_ERR_FAILED, "'%s': its "
			    "snapshots are on %s, not %s: choose that engine "
			    "with -H or --context", args->v[i], s.engine,
			    engine_endpoint(e)->host);
		else
			strv_push(out, s.config.name);
		snapshot_release(&s);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static void
print_json(const char *repository, const struct push_images_result *r,
    const char *git)
{
	struct jout *o = jout_object(), *arr = jout_array();

	jout_set_str(o, "registry", repository);
	for (size_t i = 0; i < r->n; i++) {
		struct jout *it = jout_object();

		jout_set_str(it, "name", r->v[i].name);
		jout_set_int(it, "seq", r->v[i].seq);
		jout_set_str(it, "ref", r->v[i].ref);
		jout_set_bool(it, "pushed", r->v[i].pushed);
		jout_push(arr, it);
	}
	jout_set(o, "images", arr);
	jout_set(o, "recipe_commits", jout_strv(&r->commits));
	jout_set_str(o, "git_push", git);
	cli_print_json(o);
	jout_free(o);
}

int
cli_push_images(struct cli_ctx *ctx, const struct cli_command *self,
    const struct cli_words *args, struct keep_error **err)
{
	struct push_progress pp = { ctx->quiet || push_opt.json, NULL };
	struct push_images_opts po = { 0 };
	struct push_images_result res = { 0 };
	struct keep_error *git_err = NULL;
	cleanup_free char *dir = NULL;
	const char *git = "pushed";
	struct strv names = { 0 };
	struct team_result tres = { 0 };
	struct catalog *cat;
	struct engine *e;
	size_t fresh = 0;
	int rc = -1;

	po.repository = push_opt.registry;
	if (po.repository == NULL || *po.repository == '\0')
		po.repository = getenv("KEEP_REGISTRY");
	if (po.repository == NULL || *po.repository == '\0')
		return cli_usage_error(err, self, "--images needs a registry "
		    "repository: --registry HOST[:PORT]/REPO, or KEEP_REGISTRY");
	po.progress = on_progress;
	po.progress_ctx = &pp;
	if (ctx->home == NULL && (ctx->home = keep_home_dir(err)) == NULL)
		return -1;
	dir = keep_recipes_dir(ctx->home, ctx->recipes_flag);
	if (cli_engine_catalog(ctx, &e, &cat, err) < 0 ||
	    catalog_names(ctx, e, args, &names, err) < 0)
		goto out;
	rc = keep_push_images(e, cat, dir, &names, &po, &res, err);
	progress_stop(pp.p);
	pp.p = NULL;
	for (size_t i = 0; !push_opt.json && i < res.n; i++) {
		if (res.v[i].pushed)
			cli_line(stdout, "pushed %s #%ld %s", res.v[i].name,
			    res.v[i].seq, res.v[i].ref);
		else if (!ctx->quiet)
			cli_line(stdout, "%s #%ld already in %s", res.v[i].name,
			    res.v[i].seq, res.v[i].ref);
		fresh += res.v[i].pushed;
	}
	for (size_t i = 0; i < res.warnings.n; i++)
		cli_warn(res.warnings.v[i]);
	if (rc < 0)
		goto out;
	/* The recipes go where keep push sends them; no remote is no error. */
	rc = -1;
	if (team_push(dir, NULL, &tres, &git_err) < 0) {
		if (git_err->kind != KEEP_ERR_NOT_FOUND) {
			*err = git_err;
			goto out;
		}
		git = "skipped";
		if (!ctx->quiet)
			cli_line(stderr, "keep: git push skipped: %s",
			    git_err->message);
		keep_error_free(git_err);
	} else if (!ctx->quiet && !push_opt.json) {
		if (tres.merged)
			team_print(ctx, &tres, 0);
		cli_line(stderr, "pushed '%s' to origin", dir);
	}
	if (push_opt.json)
		print_json(po.repository, &res, git);
	else if (!ctx->quiet && fresh == 0)
		cli_line(stdout, "nothing new to push to %s", po.repository);
	rc = cli_flush_stdout(err);
out:
	progress_stop(pp.p);
	team_result_release(&tres);
	strv_release(&names);
	push_images_result_release(&res);
	return rc;
}
