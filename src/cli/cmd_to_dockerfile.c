/* keep to-dockerfile NAME: the Dockerfile that rebuilds a snapshot. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/build_context.h"
#include "core/recipe.h"
#include "core/resolve.h"
#include "core/snapshot_image.h"
#include "render/compose.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* What the options set. */
static struct {
	int at;
	const char *output;		/* -o FILE */
	const char *dir;		/* --context DIR */
	int compose;
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
	CLI_FLAG(0, "compose", &opt.compose,
	    "also print a compose service that builds and runs it (with --context: DIR/compose.yaml)"),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_END,
};

int
cmd_to_dockerfile(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err)
{
	struct snapshot s = { 0 };
	struct build_context bc = { 0 };
	struct strv warnings = { 0 };
	cleanup_buf struct buf text = BUF_INIT;
	cleanup_buf struct buf compose = BUF_INIT;
	cleanup_free char *image = NULL;
	struct cli_words args;
	struct engine *e;
	const char *name;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	rc = -1;
	if ((name = cli_one_name(self, &args, err)) == NULL)
		return -1;
	if (opt.output && opt.dir)
		return cli_usage_error(err, self,
		    "give either -o or --context: a context holds its own Dockerfile");
	if (cli_snapshot_load(ctx, name, &opt.ropts, opt.at, &s, err) < 0)
		return -1;

	if (opt.dir) {
		if (cli_engine(ctx, &e, err) < 0 ||
		    snapshot_image_ref(e, &s, &image, &warnings, err) < 0)
			goto out;
		if (build_context_collect(e, &s, image, BUILD_FOR_USER, &bc,
		    &warnings, err) < 0 ||
		    build_context_write_dir(&bc, opt.dir, err) < 0) {
			keep_error_wrap(err, "build context '%s'", opt.dir);
			goto out;
		}
	} else if (recipe_dockerfile(&s, NULL, 0, &text, &warnings, err) < 0) {
		goto out;
	}
	if (opt.compose)
		render_compose(&s, &compose, &warnings);
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "keep: warning: %s\n", warnings.v[i]);
	if (opt.dir) {
		if (!ctx->quiet)
			printf("wrote %s/Dockerfile and %zu file%s under %s/files; "
			    "build with: docker build --network host %s\n",
			    opt.dir, bc.n, bc.n == 1 ? "" : "s", opt.dir, opt.dir);
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
