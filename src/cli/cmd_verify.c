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

enum { OPT_KEEP_IMAGE = 256 };

const struct cli_option verify_options[] = {
	{ CLI_OPT_AT, "at", "N", "verify snapshot #N instead of the latest" },
	{ OPT_KEEP_IMAGE, "keep-image", "TAG", "keep the rebuilt image as TAG" },
	CLI_OPTION_PROJECT,
	CLI_OPTION_INDEX,
	{ CLI_OPT_JSON, "json", NULL, "print the result and its differences as JSON" },
	{ 0 },
};

/* Proxy variables the build may need, passed as build args, never baked in. */
static const char *const proxy_names[] = {
	"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "FTP_PROXY", "ALL_PROXY",
	"http_proxy", "https_proxy", "no_proxy", "ftp_proxy", "all_proxy",
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
cmd_verify(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err)
{
	const struct cli_command *self = cli_command_find("verify");
	struct cli_shared sh = { 0 };
	struct snapshot s = { 0 };
	struct verify_opts vopts = { 0 };
	struct verify_result res = { 0 };
	struct verify_progress vp = { 0 };
	struct kvv args = { 0 };
	struct cli_parser p;
	struct catalog *cat;
	struct engine *e;
	const char *arg, *name, *keep_image = NULL;
	int opt, rc = -1, vrc;

	cli_parser_init(&p, self, argc, argv);
	while ((opt = cli_next(&p, &arg, err)) > 0) {
		if (opt == OPT_KEEP_IMAGE)
			keep_image = arg;
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
	if ((name = cli_one_name(self, &p, err)) == NULL ||
	    cli_snapshot_load(ctx, name, &sh.ropts, sh.at, &s, err) < 0)
		return -1;
	if (cli_engine_catalog(ctx, &e, &cat, err) < 0)
		goto out;

	for (size_t i = 0; i < sizeof(proxy_names) / sizeof(proxy_names[0]); i++) {
		const char *v = getenv(proxy_names[i]);

		if (v && v[0])
			kvv_push(&args, proxy_names[i], v);
	}
	vp.slot.quiet = ctx->quiet || sh.json;
	vp.slot.name = s.config.name;
	vp.streaming = !ctx->quiet && !sh.json && isatty(STDERR_FILENO);
	vopts.keep_image = keep_image;
	vopts.build_args = &args;
	vopts.output = vp.streaming ? stream_output : NULL;
	vopts.progress = verify_progress_cb;
	vopts.progress_ctx = &vp;

	vrc = keep_verify(e, cat, &s, &vopts, &res, err);
	if (!sh.json)
		for (size_t i = 0; i < res.warnings.n; i++)
			fprintf(stderr, "keep: warning: %s\n", res.warnings.v[i]);
	if (vrc < 0) {
		/* A failed build: show what the builder said if it was hidden. */
		if (res.status && !vp.streaming && !ctx->quiet && !sh.json)
			for (size_t i = 0; i < res.build_tail.n; i++)
				fprintf(stderr, "  | %s\n", res.build_tail.v[i]);
		if (sh.json) {
			struct jout *o = result_json(&s, &res, NULL, (*err)->message);

			jout_print(o, stdout);
			jout_free(o);
		}
		keep_error_wrap(err, "verify '%s' #%ld", s.config.name, s.seq);
		goto out;
	}
	if (sh.json) {
		struct jout *o = result_json(&s, &res, keep_image, NULL);

		jout_print(o, stdout);
		jout_free(o);
	} else {
		printf("verify %s #%ld: %s (%s)\n", s.config.name, s.seq,
		    res.status, res.detail);
		for (size_t i = 0; i < res.n; i++)
			print_diff(&res.v[i]);
		if (keep_image)
			printf("rebuilt image kept as %s\n", keep_image);
	}
	if (res.n > 0) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "'%s' #%ld is not reproduced by its recipe: %s", s.config.name,
		    s.seq, res.detail);
		goto out;
	}
	rc = 0;
out:
	kvv_release(&args);
	verify_result_release(&res);
	snapshot_release(&s);
	return rc;
}
