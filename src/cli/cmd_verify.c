/* keep verify NAME: rebuild a snapshot from its recipe and compare packages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "core/resolve.h"
#include "model/secrets.h"
#include "core/verify.h"
#include "util/jout.h"
#include "util/xalloc.h"

/* What the options set. */
static struct {
	int at;
	struct verify_opts verify;	/* --keep-image */
	struct resolve_opts ropts;	/* -p, --index */
	int json;
} opt;

const struct cli_option verify_options[] = {
	CLI_OPTION_AT(&opt.at, "verify snapshot #N instead of the latest"),
	CLI_STRING(0, "keep-image", "TAG", &opt.verify.keep_image,
	    "keep the rebuilt image as TAG"),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_OPTION_JSON(&opt.json, "print the result and its differences as JSON"),
	CLI_END,
};

static void
stream_output(void *ctx, const char *text)
{
	(void)ctx;
	fputs(text, stderr);
	fflush(stderr);
}

struct verify_progress {
	struct cli_progress_slot slot;
	int streaming;		/* the builder's text is on the terminal */
};

/* A spinner, except while the builder's own text is shown. */
static void
verify_progress_cb(void *ctx, int begin, const char *what)
{
	struct verify_progress *vp = ctx;

	if (vp->streaming && strcmp(what, "building") == 0)
		return;
	progress_callback(&vp->slot, begin, what);
}

static void
print_diff(const struct verify_diff *d)
{
	printf("  %-8s %s %s%s%s", d->kind, d->manager, d->name,
	    d->arch[0] ? ":" : "", d->arch);
	if (strcmp(d->kind, "version") == 0)
		printf(" snapshot %s, rebuilt %s", d->want, d->got);
	else if (strcmp(d->kind, "missing") == 0)
		printf(" %s (in the snapshot, not rebuilt)", d->want);
	else
		printf(" %s (rebuilt, not in the snapshot)", d->got);
	if (d->location[0])
		printf(" in %s", d->location);
	putchar('\n');
}

static struct jout *
result_json(const struct snapshot *s, const struct verify_result *r,
    const char *kept, const char *error)
{
	struct jout *o = jout_object(), *arr = jout_array(), *w = jout_array();

	jout_set_str(o, "name", s->config.name);
	jout_set_int(o, "seq", s->seq);
	jout_set_str(o, "image", s->image);
	jout_set_str(o, "status", r->status ? r->status : "failed");
	jout_set_str(o, "detail", r->detail);
	jout_set_int(o, "compared", (long long)r->compared);
	jout_set_str(o, "kept_image", kept);
	jout_set_str(o, "error", error);
	for (size_t i = 0; i < r->n; i++) {
		const struct verify_diff *d = &r->v[i];
		struct jout *x = jout_object();

		jout_set_str(x, "kind", d->kind);
		jout_set_str(x, "manager", d->manager);
		jout_set_str(x, "name", d->name);
		jout_set_str(x, "arch", d->arch);
		jout_set_str(x, "location", d->location);
		jout_set_str(x, "snapshot_version", d->want[0] ? d->want : NULL);
		jout_set_str(x, "rebuilt_version", d->got[0] ? d->got : NULL);
		jout_push(arr, x);
	}
	jout_set(o, "differences", arr);
	for (size_t i = 0; i < r->warnings.n; i++)
		jout_push_str(w, r->warnings.v[i]);
	jout_set(o, "warnings", w);
	return o;
}

int
cmd_verify(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct snapshot s = { 0 };
	struct verify_result res = { 0 };
	struct verify_progress vp = { 0 };
	struct kvv build_args = { 0 };
	struct cli_words args;
	struct catalog *cat;
	struct engine *e;
	const char *name;
	int rc, vrc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	rc = -1;
	if ((name = cli_one_name(self, &args, err)) == NULL ||
	    cli_snapshot_load(ctx, name, &opt.ropts, opt.at, &s, err) < 0)
		return -1;
	if (cli_engine_catalog(ctx, &e, &cat, err) < 0)
		goto out;

	cli_proxy_build_args(&build_args);
	vp.slot.quiet = ctx->quiet || opt.json;
	vp.slot.name = s.config.name;
	vp.streaming = !ctx->quiet && !opt.json && isatty(STDERR_FILENO);
	opt.verify.build_args = &build_args;
	opt.verify.output = vp.streaming ? stream_output : NULL;
	opt.verify.progress = verify_progress_cb;
	opt.verify.progress_ctx = &vp;

	vrc = keep_verify(e, cat, &s, &opt.verify, &res, err);
	if (!opt.json)
		for (size_t i = 0; i < res.warnings.n; i++)
			fprintf(stderr, "keep: warning: %s\n", res.warnings.v[i]);
	if (vrc < 0) {
		/* A failed build: show what the builder said if it was hidden. */
		if (res.status && !vp.streaming && !ctx->quiet && !opt.json)
			for (size_t i = 0; i < res.build_tail.n; i++)
				fprintf(stderr, "  | %s\n", res.build_tail.v[i]);
		if (opt.json) {
			struct jout *o = result_json(&s, &res, NULL, (*err)->message);

			jout_print(o, stdout);
			jout_free(o);
		}
		keep_error_wrap(err, "verify '%s' #%ld", s.config.name, s.seq);
		goto out;
	}
	if (opt.json) {
		struct jout *o = result_json(&s, &res, opt.verify.keep_image,
		    NULL);

		jout_print(o, stdout);
		jout_free(o);
	} else {
		printf("verify %s #%ld: %s (%s)\n", s.config.name, s.seq,
		    res.status, res.detail);
		for (size_t i = 0; i < res.n; i++)
			print_diff(&res.v[i]);
		if (opt.verify.keep_image)
			printf("rebuilt image kept as %s\n",
			    opt.verify.keep_image);
	}
	if (res.n > 0) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "'%s' #%ld is not reproduced by its recipe: %s", s.config.name,
		    s.seq, res.detail);
		goto out;
	}
	rc = 0;
out:
	kvv_release(&build_args);
	verify_result_release(&res);
	snapshot_release(&s);
	return rc;
}
