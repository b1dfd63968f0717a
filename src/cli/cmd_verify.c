/* keep verify NAME: rebuild a snapshot from its recipe and compare it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "cli/progress.h"
#include "core/recipe.h"
#include "core/resolve.h"
#include "model/secrets.h"
#include "core/verify.h"
#include "util/jout.h"
#include "util/xalloc.h"

/* What the options set. */
static struct {
	int at;
	struct verify_opts verify;	/* --keep-image, --no-context */
	const char *apt_snapshot;	/* --apt-snapshot WHEN */
	const char *apt_snapshot_url;
	struct resolve_opts ropts;	/* -p, --index */
	int json;
} opt;

const struct cli_option verify_options[] = {
	CLI_OPTION_AT(&opt.at, "verify snapshot #N instead of the latest"),
	CLI_STRING(0, "keep-image", "TAG", &opt.verify.keep_image,
	    "keep the rebuilt image as TAG"),
	CLI_FLAG(0, "no-context", &opt.verify.no_context,
	    "build the recipe as the repository holds it, without the loose files"),
	CLI_OPTION_APT_SNAPSHOT(&opt.apt_snapshot),
	CLI_OPTION_APT_SNAPSHOT_URL(&opt.apt_snapshot_url),
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
	printf("    %-9s %s %s%s%s", d->kind, d->manager, d->name,
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

/* Text from inside the container: redacted, control characters visible. */
static void
put_printable(const char *s)
{
	cli_put(stdout, s);
}

static void
print_item(const struct verify_item *it)
{
	printf("    %-9s ", it->kind);
	put_printable(it->what);
	if (strcmp(it->kind, "different") == 0) {
		fputs(": snapshot ", stdout);
		put_printable(it->want);
		fputs(", rebuilt ", stdout);
		put_printable(it->got);
	} else if (strcmp(it->kind, "missing") == 0 && it->want[0]) {
		fputs(": ", stdout);
		put_printable(it->want);
	} else if (it->got[0]) {
		fputs(": ", stdout);
		put_printable(it->got);
	}
	if (it->why[0]) {
		fputs(" (", stdout);
		put_printable(it->why);
		putchar(')');
	}
	putchar('\n');
}

/* "  files     identical, 3 compared" or "... 1 of 3 differ", then the items. */
static void
print_category(const char *name, size_t n, size_t compared)
{
	if (n == 0)
		printf("  %-9s identical, %zu compared\n", name, compared);
	else
		printf("  %-9s %zu of %zu differ\n", name, n, compared);
}

static void
print_result(const struct verify_result *r)
{
	print_category("packages", r->n, r->compared + r->n);
	for (size_t i = 0; i < r->n; i++)
		print_diff(&r->v[i]);
	print_category("files", r->files.n, r->files.compared);
	for (size_t i = 0; i < r->files.n; i++)
		print_item(&r->files.v[i]);
	print_category("config", r->config.n, r->config.compared);
	for (size_t i = 0; i < r->config.n; i++)
		print_item(&r->config.v[i]);
	for (size_t i = 0; i < r->left_out.n; i++) {
		fputs("  left out  ", stdout);
		put_printable(r->left_out.v[i]);
		putchar('\n');
	}
	if (r->apt_times.n > 0) {
		printf("  apt pins  %s the snapshot archive of",
		    strcmp(r->apt_snapshot, "always") == 0 ? "install from" :
		    "fall back to");
		for (size_t i = 0; i < r->apt_times.n; i++)
			printf(" %s", r->apt_times.v[i]);
		putchar('\n');
	}
	for (size_t i = 0; i < r->apt_unarchived.n; i++) {
		fputs("  apt pins  no snapshot archive for ", stdout);
		put_printable(r->apt_unarchived.v[i]);
		fputs(": its versions build only while it still offers them\n",
		    stdout);
	}
}

static struct jout *
items_json(const struct verify_items *items, const char *key)
{
	struct jout *o = jout_object(), *arr = jout_array();

	jout_set_str(o, "status", items->n ? "different" : "identical");
	jout_set_int(o, "compared", (long long)items->compared);
	for (size_t i = 0; i < items->n; i++) {
		const struct verify_item *it = &items->v[i];
		struct jout *x = jout_object();

		jout_set_str(x, key, it->what);
		jout_set_str(x, "kind", it->kind);
		jout_set_str(x, "snapshot", it->want[0] ? it->want : NULL);
		jout_set_str(x, "rebuilt", it->got[0] ? it->got : NULL);
		jout_set_str(x, "why", it->why[0] ? it->why : NULL);
		jout_push(arr, x);
	}
	jout_set(o, "differences", arr);
	return o;
}

static struct jout *
result_json(const struct snapshot *s, const struct verify_result *r,
    const char *kept, const char *error)
{
	struct jout *o = jout_object(), *arr = jout_array(), *pk = jout_object();
	struct jout *files, *apt = jout_object();

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
	/* The package differences stay at the top, as before the categories. */
	jout_set(o, "differences", arr);
	jout_set_str(pk, "status", r->n ? "different" : "identical");
	jout_set_int(pk, "compared", (long long)(r->compared + r->n));
	jout_set_int(pk, "differences", (long long)r->n);
	jout_set(o, "packages", pk);
	files = items_json(&r->files, "path");
	jout_set_bool(files, "context", r->context);
	jout_set(o, "files", files);
	jout_set(o, "config", items_json(&r->config, "item"));
	jout_set(o, "left_out", jout_strv(&r->left_out));
	jout_set_str(apt, "snapshot", r->apt_snapshot);
	jout_set(apt, "snapshot_times", jout_strv(&r->apt_times));
	jout_set(apt, "no_snapshot_archive", jout_strv(&r->apt_unarchived));
	jout_set(o, "apt", apt);
	jout_set(o, "warnings", jout_strv(&r->warnings));
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
	if (recipe_apt_snapshot_set(opt.apt_snapshot, opt.apt_snapshot_url,
	    err) < 0 || cli_engine_catalog(ctx, &e, &cat, err) < 0)
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
			cli_warn(res.warnings.v[i]);
	if (vrc < 0) {
		/* A failed build: show what the builder said if it was hidden. */
		if (res.status && !vp.streaming && !ctx->quiet && !opt.json)
			for (size_t i = 0; i < res.build_tail.n; i++)
				fprintf(stderr, "  | %s\n", res.build_tail.v[i]);
		if (opt.json) {
			struct jout *o = result_json(&s, &res, NULL, (*err)->message);

			cli_print_json(o);
			jout_free(o);
		}
		keep_error_wrap(err, "verify '%s' #%ld", s.config.name, s.seq);
		goto out;
	}
	if (opt.json) {
		struct jout *o = result_json(&s, &res, opt.verify.keep_image,
		    NULL);

		cli_print_json(o);
		jout_free(o);
	} else {
		printf("verify %s #%ld: %s (%s)\n", s.config.name, s.seq,
		    res.status, res.detail);
		print_result(&res);
		if (opt.verify.keep_image)
			printf("rebuilt image kept as %s\n",
			    opt.verify.keep_image);
	}
	if (strcmp(res.status, "identical") != 0) {
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
