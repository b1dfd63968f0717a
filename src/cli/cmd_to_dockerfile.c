/* keep to-dockerfile NAME: the Dockerfile that rebuilds a snapshot. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/build_context.h"
#include "core/recipe.h"
#include "core/snapshot_image.h"
#include "render/compose.h"
#include "util/fs.h"
#include "util/xalloc.h"

enum { OPT_CONTEXT = 256, OPT_COMPOSE };

const struct cli_option to_dockerfile_options[] = {
	{ CLI_OPT_AT, "at", "N", "use snapshot #N instead of the latest" },
	{ 'o', "output", "FILE", "write the Dockerfile to FILE (atomically) instead of stdout" },
	{ OPT_CONTEXT, "context", "DIR", "write a build context: DIR/Dockerfile, DIR/.dockerignore, DIR/files/" },
	{ OPT_COMPOSE, "compose", NULL, "also print a compose service that builds and runs it (with --context: DIR/compose.yaml)" },
	CLI_OPTION_PROJECT,
	CLI_OPTION_INDEX,
	{ 0 },
};

int
cmd_to_dockerfile(struct cli_ctx *ctx, int argc, char **argv,
    struct keep_error **err)
{
	const struct cli_command *self = cli_command_find("to-dockerfile");
	struct cli_shared sh = { 0 };
	struct snapshot s = { 0 };
	struct build_context bc = { 0 };
	struct strv warnings = { 0 };
	cleanup_buf struct buf text = BUF_INIT;
	cleanup_buf struct buf compose = BUF_INIT;
	cleanup_free char *image = NULL;
	struct cli_parser p;
	struct engine *e;
	const char *arg, *name, *output = NULL, *dir = NULL;
	int opt, rc = -1, want_compose = 0;

	cli_parser_init(&p, self, argc, argv);
	while ((opt = cli_next(&p, &arg, err)) > 0) {
		if (opt == 'o')
			output = arg;
		else if (opt == OPT_CONTEXT)
			dir = arg;
		else if (opt == OPT_COMPOSE)
			want_compose = 1;
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
	if ((name = cli_one_name(self, &p, err)) == NULL)
		return -1;
	if (output && dir)
		return cli_usage_error(err, self,
		    "give either -o or --context: a context holds its own Dockerfile");
	if (cli_snapshot_load(ctx, name, &sh.ropts, sh.at, &s, err) < 0)
		return -1;

	if (dir) {
		if (cli_engine(ctx, &e, err) < 0 ||
		    snapshot_image_ref(e, &s, &image, &warnings, err) < 0)
			goto out;
		if (build_context_collect(e, &s, image, &bc, &warnings, err) < 0 ||
		    build_context_write_dir(&bc, dir, err) < 0) {
			keep_error_wrap(err, "build context '%s'", dir);
			goto out;
		}
	} else if (recipe_dockerfile(&s, NULL, 0, &text, &warnings, err) < 0) {
		goto out;
	}
	if (want_compose)
		render_compose(&s, &compose, &warnings);
	for (size_t i = 0; i < warnings.n; i++)
		fprintf(stderr, "keep: warning: %s\n", warnings.v[i]);
	if (dir) {
		if (!ctx->quiet)
			printf("wrote %s/Dockerfile and %zu file%s under %s/files; "
			    "build with: docker build --network host %s\n", dir, bc.n,
			    bc.n == 1 ? "" : "s", dir, dir);
	} else if (output) {
		if (fs_write_file_atomic(output, buf_cstr(&text), text.len, 0644,
		    err) < 0)
			goto out;
	} else {
		fwrite(text.ptr ? text.ptr : "", 1, text.len, stdout);
		if (want_compose)
			fputs("\n# ---- compose.yaml ----\n", stdout);
	}
	if (want_compose && dir) {
		cleanup_free char *path = xasprintf("%s/compose.yaml", dir);

		if (fs_write_file_atomic(path, compose.ptr, compose.len, 0644,
		    err) < 0)
			goto out;
	} else if (want_compose) {
		fwrite(compose.ptr, 1, compose.len, stdout);
	}
	rc = 0;
out:
	build_context_release(&bc);
	strv_release(&warnings);
	snapshot_release(&s);
	return rc;
}
