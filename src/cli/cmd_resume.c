/*
 * keep resume NAME: start, unpause or recreate the container, then open a
 * shell in it (or run `-- CMD ARG...`). This file owns the terminal: raw
 * mode around an interactive session, the window size, the exit status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/progress.h"
#include "core/resolve.h"
#include "core/resume.h"
#include "core/run_check.h"
#include "core/stack.h"
#include "engine/engine.h"
#include "engine/exec.h"
#include "util/term.h"
#include "util/xalloc.h"

/* What the options set. */
static struct {
	int at;
	int detach;
	const char *shell;
	struct resume_opts resume;	/* --create-volumes */
	struct strv ignore_missing;	/* --ignore-missing SETTING ... */
	struct strv maps;		/* --map OLD=NEW ... */
	int from_recipe;
	struct resolve_opts ropts;	/* -p, --index */
	struct cli_words cmd;		/* after "--" (v is NULL without one) */
	struct cli_progress_slot pull;	/* the spinner of a pull */
} opt;

const struct cli_option resume_options[] = {
	CLI_OPTION_AT(&opt.at, "recreate from snapshot #N instead of the latest"),
	CLI_FLAG('d', "detach", &opt.detach,
	    "only make sure it runs; open no shell"),
	CLI_STRING(0, "shell", "CMD", &opt.shell,
	    "the shell to open (default bash, else sh)"),
	CLI_FLAG(0, "create-volumes", &opt.resume.create_volumes,
	    "make missing named volumes, empty"),
	CLI_LIST(0, "ignore-missing", "SETTING", &opt.ignore_missing,
	    "recreate without SETTING if this engine lacks it"),
	CLI_FLAG(0, "from-recipe", &opt.from_recipe,
	    "recreate from a build of the recipe, not the saved image"),
	CLI_LIST(0, "map", "OLD=NEW", &opt.maps,
	    "mount the bind source folder OLD (or below it) from NEW"),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_REST("CMD ARG...", &opt.cmd),
	CLI_END,
};

/*
 * The one operand, NAME; a command only after "--", and not with -d.
 * -p PROJECT alone (*whole set) means every service of the project.
 */
static const char *
resume_name(const struct cli_command *self, const struct cli_words *args,
    int *whole, struct keep_error **err)
{
	*whole = args->n == 0 && opt.ropts.project;
	if (*whole && (opt.cmd.v || opt.at || opt.ropts.index)) {
		cli_usage_error(err, self, "-p PROJECT alone brings back every "
		    "service: give a NAME for %s", opt.cmd.v ? "a command" :
		    opt.at ? "--at" : "--index");
		return NULL;
	}
	if (*whole) {
		opt.resume.ignore_missing = &opt.ignore_missing;
		return opt.ropts.project;
	}
	if (args->n == 0) {
		cli_usage_error(err, self, "which container? give its NAME");
		return NULL;
	}
	if (args->n > 1) {
		cli_usage_error(err, self,
		    "unexpected argument '%s' (a command goes after '--')",
		    args->v[1]);
		return NULL;
	}
	if (opt.cmd.v && opt.cmd.n == 0) {
		cli_usage_error(err, self, "no command after '--'");
		return NULL;
	}
	if (opt.cmd.n && opt.detach) {
		cli_usage_error(err, self,
		    "--detach runs no command; drop one of them");
		return NULL;
	}
	for (size_t i = 0; i < opt.ignore_missing.n; i++)
		if (!run_setting_valid(opt.ignore_missing.v[i])) {
			cli_usage_error(err, self, "--ignore-missing '%s': not a "
			    "setting (runtime, gpus, log-driver, device:PATH, "
			    "network:NAME, volume-driver:NAME, container:NAME)",
			    opt.ignore_missing.v[i]);
			return NULL;
		}
	for (size_t i = 0; i < opt.maps.n; i++) {
		const char *m = opt.maps.v[i], *eq = strchr(m, '=');

		if (m[0] != '/' || eq == NULL || eq[1] != '/') {
			cli_usage_error(err, self, "--map '%s': not OLD=NEW, "
			    "two absolute paths", m);
			return NULL;
		}
	}
	opt.resume.ignore_missing = &opt.ignore_missing;
	opt.resume.maps = &opt.maps;
	return args->v[0];
}

static int
winsize_of_stdout(void *ctx, unsigned *rows, unsigned *cols)
{
	(void)ctx;
	if (term_size(STDOUT_FILENO, rows, cols) == 0)
		return 0;
	return term_size(STDIN_FILENO, rows, cols);
}

/* Run cmd in container r->id with our stdin, stdout and stderr. */
static int
run_in(struct engine *e, const struct resume_result *r, const struct strv *cmd,
    int *exit_code, struct keep_error **err)
{
	/* A TTY only when both ends are terminals: a pipe keeps stdout and
	 * stderr apart and carries bytes unchanged. */
	int tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	struct exec_opts xo = { cmd, r->user, r->workdir, tty, 1 };
	struct exec_io io = { STDIN_FILENO, STDOUT_FILENO, STDERR_FILENO, -1,
	    NULL, NULL };
	cleanup_free char *exec_id = NULL;
	int rc;

	if (engine_exec_create(e, r->id, &xo, &exec_id, err) < 0)
		return keep_error_wrap(err, "run '%s' in '%s'", cmd->v[0],
		    r->name);
	if (tty) {
		io.winch_fd = term_winch_fd();
		io.winsize = winsize_of_stdout;
		if (term_raw(STDIN_FILENO, err) < 0)
			return -1;
	}
	rc = engine_exec_run(e, exec_id, tty, &io, exit_code, err);
	term_restore();
	if (rc < 0)
		return keep_error_wrap(err, "run '%s' in '%s'", cmd->v[0],
		    r->name);
	return 0;
}

static void
builder_output(void *ctx, const char *text)
{
	(void)ctx;
	fputs(text, stderr);
}

/*
 * --from-recipe: build the snapshot's recipe, to recreate from it. The
 * builder's text goes to stderr unless -q.
 */
struct build_ctx {
	struct cli_ctx *cli;
	struct engine *e;
};

static int
build_recipe(void *bctx, const struct snapshot *snap, char **image_out,
    struct keep_error **err)
{
	struct build_ctx *b = bctx;
	struct cli_ctx *ctx = b->cli;
	struct kvv args = { 0 };
	struct strv warnings = { 0 };
	int rc;

	cli_proxy_build_args(&args);
	if (!ctx->quiet)
		fprintf(stderr, "building the recipe of %s #%ld\n",
		    snap->config.name, snap->seq);
	rc = keep_resume_build_recipe(b->e, snap, &args, ctx->quiet ? NULL :
	    builder_output, NULL, image_out, &warnings, err);
	for (size_t i = 0; i < warnings.n && !ctx->quiet; i++)
		cli_warn(warnings.v[i]);
	kvv_release(&args);
	strv_release(&warnings);
	return rc;
}

/* Print what resume did to one container, on stderr unless -q. */
static void
report(struct cli_ctx *ctx, const struct resume_result *res)
{
	cleanup_free char *line = NULL;

	if (ctx->quiet)
		return;
	for (size_t i = 0; i < res->warnings.n; i++)
		cli_warn(res->warnings.v[i]);
	for (size_t i = 0; i < res->created_volumes.n; i++)
		fprintf(stderr, "created empty volume %s\n",
		    res->created_volumes.v[i]);
	line = resume_describe(res);
	fprintf(stderr, "%s\n", line);
}

/*
 * keep resume -p PROJECT: every service of the project that keep saved,
 * started or recreated from its latest snapshot, in the order compose
 * starts them. One that fails is reported and the others still come up.
 */
static int
resume_project(struct cli_ctx *ctx, struct engine *e, struct build_ctx *bctx,
    struct keep_error **err)
{
	struct stack st = { 0 };
	struct catalog *cat;
	cleanup_free char *project = resolve_project(&opt.ropts);
	size_t failed = 0;

	if (project == NULL)
		return keep_error_set(err, KEEP_ERR_USAGE,
		    "resume: '%s' is no compose project name", opt.ropts.project);
	if (cli_catalog(ctx, &cat, err) < 0 ||
	    stack_load(cat, engine_endpoint(e)->host, project, &st, err) < 0)
		return -1;
	if (opt.from_recipe) {
		opt.resume.image_fn = build_recipe;
		opt.resume.image_ctx = bctx;
	}
	for (size_t i = 0; i < st.n; i++) {
		const struct snapshot *snap = &st.v[i];
		struct resume_result res = { 0 };
		struct keep_error *one = NULL;

		opt.pull.name = snap->config.name;
		if (keep_resume(e, snap->config.name, snap, NULL, &opt.resume,
		    &res, &one) < 0) {
			keep_error_wrap(&one, "resume '%s'", snap->config.name);
			cli_error(one->message);
			keep_error_free(one);
			failed++;
		} else {
			report(ctx, &res);
		}
		resume_result_release(&res);
	}
	stack_release(&st);
	if (failed)
		return keep_error_set(err, KEEP_ERR_FAILED, "%zu of %zu "
		    "containers of compose project '%s' not resumed", failed,
		    st.n, project);
	return 0;
}

int
cmd_resume(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct resume_result res = { 0 };
	struct snapshot snap = { 0 };
	struct strv cmd = { 0 };
	struct cli_words args;
	struct engine *e;
	struct build_ctx bctx = { ctx, NULL };
	const char *name;
	int have_snap = 0, code = 0, whole, rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	rc = -1;
	if ((name = resume_name(self, &args, &whole, err)) == NULL ||
	    cli_engine(ctx, &e, err) < 0)
		return -1;
	bctx.e = e;
	opt.pull.quiet = ctx->quiet;
	opt.pull.name = name;
	opt.resume.progress = progress_callback;
	opt.resume.progress_ctx = &opt.pull;
	if (whole)
		return resume_project(ctx, e, &bctx, err);

	/* The snapshot to recreate from; a never-saved container has none. */
	if (cli_snapshot_load(ctx, name, &opt.ropts, opt.at, &snap, err) == 0)
		have_snap = 1;
	else if (opt.at || !keep_error_not_found(err))
		return -1;
	if (opt.from_recipe) {
		if (!have_snap) {
			rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
			    "resume '%s': --from-recipe needs a snapshot, and "
			    "there is none", name);
			goto out;
		}
		opt.resume.image_fn = build_recipe;
		opt.resume.image_ctx = &bctx;
	}
	if (keep_resume(e, name, have_snap ? &snap : NULL, &opt.ropts,
	    &opt.resume, &res, err) < 0) {
		if (!have_snap && (*err)->kind == KEEP_ERR_NOT_FOUND)
			keep_error_set(err, KEEP_ERR_NOT_FOUND,
			    "no container and no snapshot called '%s'", name);
		else
			keep_error_wrap(err, "resume '%s'", name);
		goto out;
	}
	report(ctx, &res);
	if (opt.detach) {
		rc = 0;
		goto out;
	}

	if (opt.cmd.n) {
		for (int i = 0; i < opt.cmd.n; i++)
			strv_push(&cmd, opt.cmd.v[i]);
	} else if (keep_resume_shell(e, res.id, opt.shell, &cmd, err) < 0) {
		goto out;
	}
	if (run_in(e, &res, &cmd, &code, err) < 0)
		goto out;
	/* The command's status is ours; one the engine did not know is a failure. */
	ctx->exit_status = code >= 0 && code <= 255 ? code : 1;
	rc = 0;
out:
	strv_release(&cmd);
	resume_result_release(&res);
	if (have_snap)
		snapshot_release(&snap);
	return rc;
}
