/* keep diff NAME [A [B]]: what changed between two snapshots. */
#include <stdio.h>
#include <stdlib.h>

#include "catalog/snapshots.h"
#include "cli/cli.h"
#include "cli/snapshot_out.h"
#include "core/history.h"
#include "core/resolve.h"
#include "util/jout.h"

/* What the options set. */
static struct {
	struct resolve_opts ropts;	/* -p, --index */
	int json;
} opt;

const struct cli_option diff_options[] = {
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_OPTION_JSON(&opt.json, "print the differences as a JSON object"),
	CLI_END,
};

static void
print_section(const char *title, const struct strv *plus, const char *pfx_plus,
    const struct strv *minus, const char *pfx_minus)
{
	if (plus->n == 0 && (minus == NULL || minus->n == 0))
		return;
	printf("%s:\n", title);
	for (size_t i = 0; i < plus->n; i++)
		cli_line(stdout, "  %s%s", pfx_plus, plus->v[i]);
	for (size_t i = 0; minus && i < minus->n; i++)
		cli_line(stdout, "  %s%s", pfx_minus, minus->v[i]);
}

int
cmd_diff(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct snapshot latest = { 0 }, a = { 0 }, b = { 0 };
	struct snapshot_diff d = { 0 };
	struct cli_words args;
	struct catalog *cat;
	int rc, seq_a = 0, seq_b = 0;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	rc = -1;
	if (args.n < 1 || args.n > 3)
		return cli_usage_error(err, self, args.n ? "too many arguments"
		    : "which container? give its NAME");
	if ((args.n > 1 && cli_parse_number(self, "A", args.v[1], &seq_a,
	    err) < 0) || (args.n > 2 && cli_parse_number(self, "B", args.v[2],
	    &seq_b, err) < 0))
		return -1;
	if (cli_snapshot_load(ctx, args.v[0], &opt.ropts, 0, &latest,
	    err) < 0 || cli_catalog(ctx, &cat, err) < 0)
		goto out;
	if (seq_b == 0)
		seq_b = latest.seq;
	if (args.n == 1)
		seq_a = seq_b - 1;
	if (seq_a < 1) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "'%s' has only one snapshot: nothing to compare it with",
		    latest.config.name);
		goto out;
	}
	if (catalog_snapshot_load(cat, latest.engine, latest.config.name, seq_a,
	    &a, err) < 0 || catalog_snapshot_load(cat, latest.engine,
	    latest.config.name, seq_b, &b, err) < 0 ||
	    history_diff(&a, &b, &d, err) < 0)
		goto out;
	if (opt.json) {
		struct jout *o = jout_object();

		jout_set_str(o, "name", latest.config.name);
		jout_set_int(o, "from", a.seq);
		jout_set_int(o, "to", b.seq);
		snapshot_diff_json(o, &d);
		jout_set_str(o, "dockerfile", buf_cstr(&d.dockerfile));
		cli_print_json(o);
		jout_free(o);
	} else {
		cli_line(stdout, "%s #%ld \u2192 #%ld", latest.config.name, a.seq, b.seq);
		print_section("packages", &d.packages, "", NULL, NULL);
		print_section("env (names)", &d.env_added, "+", &d.env_removed, "-");
		print_section("env changed", &d.env_changed, "~", NULL, NULL);
		print_section("mounts", &d.mounts_added, "+", &d.mounts_removed, "-");
		print_section("files", &d.files_added, "+", &d.files_removed, "-");
		print_section("settings", &d.settings_added, "+",
		    &d.settings_removed, "-");
		print_section("settings changed", &d.settings_changed, "~", NULL,
		    NULL);
		if (d.dockerfile.len)
			printf("Dockerfile:\n%s", buf_cstr(&d.dockerfile));
	}
	rc = 0;
out:
	snapshot_diff_release(&d);
	snapshot_release(&latest);
	snapshot_release(&a);
	snapshot_release(&b);
	return rc;
}
