/*
 * keep sbom NAME [--at N] [--format cyclonedx|spdx]: a snapshot's Software
 * Bill of Materials on standard output.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/resolve.h"
#include "core/sbom.h"

/* What the options set. */
static struct {
	int at;
	const char *format;
	struct resolve_opts ropts;	/* -p, --index */
} opt;

const struct cli_option sbom_options[] = {
	CLI_OPTION_AT(&opt.at, "the SBOM of snapshot #N instead of the latest"),
	CLI_CHOICE(0, "format", "cyclonedx|spdx", "cyclonedx spdx", &opt.format,
	    "CycloneDX 1.5 (the default) or SPDX 2.3, as JSON"),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_END,
};

int
cmd_sbom(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct snapshot s = { 0 };
	struct cli_words args;
	struct catalog *cat;
	struct engine *e = NULL;
	struct keep_error *engine_err = NULL;
	struct strv warnings = { 0 };
	struct buf out = BUF_INIT;
	const char *name;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if ((name = cli_one_name(self, &args, err)) == NULL ||
	    cli_snapshot_load(ctx, name, &opt.ropts, opt.at, &s, err) < 0 ||
	    cli_catalog(ctx, &cat, err) < 0) {
		snapshot_release(&s);
		return -1;
	}
	/* The catalog has the packages; the engine only the distribution. */
	if (cli_engine(ctx, &e, &engine_err) < 0)
		e = NULL;
	keep_error_free(engine_err);
	rc = sbom_write(e, cat, &s, opt.format && strcmp(opt.format, "spdx") ==
	    0 ? SBOM_SPDX : SBOM_CYCLONEDX, &out, &warnings, err);
	if (rc == 0) {
		for (size_t i = 0; i < warnings.n && !ctx->quiet; i++)
			fprintf(stderr, "keep: warning: %s\n", warnings.v[i]);
		fwrite(out.ptr, 1, out.len, stdout);
	}
	buf_release(&out);
	strv_release(&warnings);
	snapshot_release(&s);
	return rc;
}
