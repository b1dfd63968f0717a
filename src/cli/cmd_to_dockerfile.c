/* keep to-dockerfile NAME: the Dockerfile that rebuilds a snapshot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "core/build_context.h"
#include "core/recipe.h"
#include "core/reproduce.h"
#include "core/resolve.h"
#include "core/snapshot_image.h"
#include "core/stack.h"
#include "render/compose.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* What the options set. */
static struct {
	int at;
	const char *output;		/* -o FILE */
	const char *dir;		/* --context DIR */
	int no_rebuild;
	int include_large;
	int compose;
	int image;			/* --image */
	const char *apt_snapshot;	/* --apt-snapshot WHEN */
	const char *apt_snapshot_url;
	struct resolve_opts ropts;	/* -p, --index */
} opt;

const struct cli_option to_dockerfile_options[] = {
	CLI_OPTION_AT(&opt.at, "use snapshot #N instead of the latest"),
	{ .kind = CLI_OPT_STRING, .short_name = 'o', .long_name = "output",
	  .arg = "FILE", .to.string = &opt.output,
	  .usage = CLI_USAGE_OR_NEXT,	/* [-o FILE | --context DIR] */
	  .help = "write the Dockerfile to FILE (atomically) instead of stdout" },
	CLI_STRING(0, "context", "DIR", &opt.dir,
	    "write a build context: DIR/Dockerfile, DIR/.dockerignore, DIR/files/"),
	CLI_FLAG(0, "no-rebuild", &opt.no_rebuild,
	    "with --context: copy every loose file, without rebuilding the packages first"),
	CLI_FLAG(0, "include-large", &opt.include_large,
	    "with --context: copy files of KEEP_LARGE_FILE (100 MB) or more too"),
	CLI_FLAG(0, "compose", &opt.compose,
	    "also print a compose service that builds and runs it (with --context: DIR/compose.yaml); "
	    "-p PROJECT alone: write compose.keep.yml for the whole project"),
	CLI_FLAG(0, "image", &opt.image,
	    "with -p PROJECT --compose: services run their snapshot's image, by digest, instead of building"),
	CLI_OPTION_APT_SNAPSHOT(&opt.apt_snapshot),
	CLI_OPTION_APT_SNAPSHOT_URL(&opt.apt_snapshot_url),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_END,
};

/*
 * Rebuild s's packages to find the loose files their scripts make, and
 * leave those out of the context. Failing that, every loose file is
 * copied, with a warning: the recipe is complete either way.
 */
static void
leave_out_reproduced(struct cli_ctx *ctx, struct engine *e,
    struct catalog *cat, struct snapshot *s, const char *image,
    struct strv *warnings)
{
	struct cli_progress_slot slot = { ctx->quiet, s->config.name, NULL };
	struct reproduce_opts ropts = { 0 };
	struct keep_error *err = NULL;
	struct kvv build_args = { 0 };
	size_t before = s->loose.n, n = 0;

	cli_proxy_build_args(&build_args);
	ropts.build_args = &build_args;
	ropts.progress = progress_callback;
	ropts.progress_ctx = &slot;
	if (reproduce_record(e, cat, s, image, &ropts, &n, &err) < 0)
		strv_pushf(warnings, "%s; every loose file is copied "
		    "(--no-rebuild skips this)", err->message);
	else if (n > 0 && !ctx->quiet)
		fprintf(stderr, "%zu of %zu loose files are made by the packages "
		    "(a rebuild of them makes them identically): left out\n", n,
		    before);
	keep_error_free(err);
	kvv_release(&build_args);
}

/* The context's Dockerfile mounts build secrets: it needs BuildKit. */
static int
has_secrets(const struct snapshot *s, const struct build_context *bc)
{
	for (size_t i = 0; i < s->loose.n; i++)
		if (s->loose.v[i].secret)
			return 1;
	for (size_t i = 0; i < bc->n; i++)
		if (bc->v[i].secret)
			return 1;
	return 0;
}

/*
 * Write snapshot s's build context to dir (--context), the files left out
 * for their size in bc->large.
 */
static int
write_context(struct cli_ctx *ctx, struct snapshot *s, const char *dir,
    struct build_context *bc, struct strv *warnings, struct keep_error **err)
{
	struct catalog *cat;
	struct engine *e;
	cleanup_free char *image = NULL;
	long long large_min = 0;

	if ((!opt.include_large &&
	    build_context_large_min(&large_min, err) < 0) ||
	    cli_engine_catalog(ctx, &e, &cat, err) < 0 ||
	    snapshot_image_ref(e, s, &image, warnings, err) < 0)
		return -1;
	if (!opt.no_rebuild)
		leave_out_reproduced(ctx, e, cat, s, image, warnings);
	if (build_context_collect(e, s, image, BUILD_FOR_USER, large_min, bc,
	    warnings, err) < 0 || build_context_write_dir(bc, dir, err) < 0)
		return keep_error_wrap(err, "build context '%s'", dir);
	return 0;
}

/*
 * keep to-dockerfile -p PROJECT --compose: DIR/compose.keep.yml (DIR the
 * --context, else the current folder) for every service of the project
 * keep saved, each built from its recipe folder DIR/keep/CONTAINER, or with
 * --image run from its snapshot's image.
 */
static int
compose_project(struct cli_ctx *ctx, struct keep_error **err)
{
	struct stack st = { 0 };
	struct strv warnings = { 0 }, dirs = { 0 };
	struct compose_source *src = NULL;
	struct catalog *cat;
	cleanup_buf struct buf yml = BUF_INIT;
	cleanup_free char *project = resolve_project(&opt.ropts);
	cleanup_free char *dir = NULL, *path = NULL;
	const char *host;
	int rc = -1;

	if (project == NULL)
		return keep_error_set(err, KEEP_ERR_USAGE, "to-dockerfile: '%s' "
		    "is no compose project name", opt.ropts.project);
	/* Absolute: compose reads an override's paths from the first
	 * file's folder, wherever this one is. */
	if (fs_mkdir_p(opt.dir ? opt.dir : ".", 0755, NULL, err) < 0)
		return -1;
	if ((dir = realpath(opt.dir ? opt.dir : ".", NULL)) == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED, "folder '%s': %s",
		    opt.dir ? opt.dir : ".", strerror(errno));
	host = ctx->engine ? engine_endpoint(ctx->engine)->host : NULL;
	if (cli_catalog(ctx, &cat, err) < 0 ||
	    stack_load(cat, host, project, &st, err) < 0)
		return -1;
	src = xcalloc(st.n + 1, sizeof(*src));
	for (size_t i = 0; i < st.n; i++) {
		struct snapshot *s = &st.v[i];
		struct build_context bc = { 0 };

		if (opt.image) {
			src[i].image = s->image_id && *s->image_id ? s->image_id :
			    s->image;
			continue;
		}
		strv_pushf(&dirs, "%s/keep/%s", dir, s->config.name);
		src[i].context = dirs.v[dirs.n - 1];
		rc = write_context(ctx, s, src[i].context, &bc, &warnings, err);
		for (size_t k = 0; k < bc.large.n; k++)
			strv_pushf(&warnings, "left %s out of the build context "
			    "of %s: a file that large belongs in a volume "
			    "(--include-large copies it)", bc.large.v[k],
			    s->config.name);
		build_context_release(&bc);
		if (rc < 0)
			goto out;
	}
	render_compose_override(project, st.v, src, st.n, &yml, &warnings);
	for (size_t i = 0; i < warnings.n; i++)
		cli_warn(warnings.v[i]);
	path = xasprintf("%s/compose.keep.yml", dir);
	if ((rc = fs_write_file_atomic(path, yml.ptr, yml.len, 0644, err)) < 0)
		goto out;
	if (!ctx->quiet) {
		for (size_t i = 0; i < st.n; i++)
			cli_line(stdout, "%s #%ld: %s", st.v[i].config.name,
			    st.v[i].seq, src[i].context ? src[i].context :
			    src[i].image);
		cli_line(stdout, "wrote %s; rebuild the project with: "
		    "docker compose -f compose.yml -f %s up -d --build", path,
		    path);
	}
out:
	free(src);
	strv_release(&dirs);
	strv_release(&warnings);
	stack_release(&st);
	return rc;
}

int
cmd_to_dockerfile(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err)
{
	struct snapshot s = { 0 };
	struct build_context bc = { 0 };
	struct strv warnings = { 0 };
	cleanup_buf struct buf text = BUF_INIT;
	cleanup_buf struct buf compose = BUF_INIT;
	struct cli_words args;
	const char *name;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	rc = -1;
	if (args.n == 0 && opt.ropts.project && opt.compose) {
		if (opt.output || opt.at || opt.ropts.index)
			return cli_usage_error(err, self, "-p PROJECT --compose "
			    "writes DIR/compose.keep.yml for every service: "
			    "give a NAME for %s", opt.output ? "-o" : opt.at ?
			    "--at" : "--index");
		if (recipe_apt_snapshot_set(opt.apt_snapshot,
		    opt.apt_snapshot_url, err) < 0)
			return -1;
		return compose_project(ctx, err);
	}
	if (opt.image)
		return cli_usage_error(err, self,
		    "--image is for -p PROJECT --compose without a NAME");
	if ((name = cli_one_name(self, &args, err)) == NULL)
		return -1;
	if (opt.output && opt.dir)
		return cli_usage_error(err, self,
		    "give either -o or --context: a context holds its own Dockerfile");
	if (recipe_apt_snapshot_set(opt.apt_snapshot, opt.apt_snapshot_url,
	    err) < 0)
		return -1;
	if (cli_snapshot_load(ctx, name, &opt.ropts, opt.at, &s, err) < 0)
		return -1;

	if (opt.dir) {
		if (write_context(ctx, &s, opt.dir, &bc, &warnings, err) < 0)
			goto out;
	} else if (recipe_dockerfile(&s, NULL, 0, &text, &warnings, err) < 0) {
		goto out;
	}
	if (opt.compose)
		render_compose(&s, &compose, &warnings);
	for (size_t i = 0; i < warnings.n; i++)
		cli_warn(warnings.v[i]);
	if (opt.dir) {
		for (size_t i = 0; i < bc.large.n; i++)
			fprintf(stderr, "keep: warning: left %s out of the build "
			    "context: a file that large belongs in a volume "
			    "(--include-large copies it)\n", bc.large.v[i]);
		if (!ctx->quiet)
			printf("wrote %s/Dockerfile and %zu file%s under %s/files; "
			    "build with: %s %s\n", opt.dir, bc.n, bc.n == 1 ? "" :
			    "s", opt.dir, has_secrets(&s, &bc) ?
			    "DOCKER_BUILDKIT=1 docker build --network host "
			    "--secret ... (its first lines say which)" :
			    "docker build --network host", opt.dir);
	} else if (opt.output) {
		if (fs_write_file_atomic(opt.output, buf_cstr(&text), text.len,
		    0644, err) < 0)
			goto out;
	} else {
		fwrite(text.ptr ? text.ptr : "", 1, text.len, stdout);
		if (opt.compose)
			fputs("\n# ---- compose.yaml ----\n", stdout);
	}
	if (opt.compose && opt.dir) {
		cleanup_free char *path = xasprintf("%s/compose.yaml", opt.dir);

		if (fs_write_file_atomic(path, compose.ptr, compose.len, 0644,
		    err) < 0)
			goto out;
	} else if (opt.compose) {
		fwrite(compose.ptr, 1, compose.len, stdout);
	}
	rc = 0;
out:
	build_context_release(&bc);
	strv_release(&warnings);
	snapshot_release(&s);
	return rc;
}
