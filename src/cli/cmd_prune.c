/* keep prune NAME: remove the images of old snapshots, keep their recipes. */
#include <stdio.h>
#include <string.h>

#include "catalog/snapshots.h"
#include "cli/cli.h"
#include "core/disk.h"
#include "core/prune.h"
#include "core/resolve.h"
#include "engine/engine.h"

/* What the options set. */
static struct {
	int keep;
	const char *older_than;
	int all;
	int dry_run;
	struct resolve_opts ropts;	/* -p, --index */
} opt;

const struct cli_option prune_options[] = {
	CLI_NUMBER(0, "keep", "N", &opt.keep,
	    "keep the images of the newest N snapshots (the latest counts)"),
	CLI_STRING(0, "older-than", "AGE", &opt.older_than,
	    "only snapshots saved more than AGE ago (30d, 12h, 2w ...)"),
	CLI_FLAG(0, "all", &opt.all,
	    "every snapshot but the latest"),
	CLI_FLAG('n', "dry-run", &opt.dry_run,
	    "say what would go and how much disk it frees; remove nothing"),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_END,
};

/* Print what a prune did (or would do) to snapshots of name. */
void
cli_prune_report(FILE *f, const char *name, const struct prune_result *r,
    int dry_run)
{
	char size[32];
	size_t gone = 0;

	for (size_t i = 0; i < r->n; i++) {
		const struct prune_item *it = &r->v[i];

		switch (it->outcome) {
		case PRUNE_WOULD_REMOVE:
		case PRUNE_REMOVED:
			fprintf(f, "%s #%ld %s (saved %s)%s\n",
			    it->outcome == PRUNE_REMOVED ? "removed" :
			    "would remove", it->seq, it->image, it->created_at,
			    it->layers_stay ? ": frees next to nothing, a "
			    "snapshot kept stands on its layers" : "");
			gone++;
			break;
		case PRUNE_ALREADY_GONE:
			fprintf(f, "#%ld %s: its image was already gone; marked "
			    "as pruned\n", it->seq, it->image);
			gone++;
			break;
		case PRUNE_IN_USE:
			fprintf(f, "kept #%ld %s: %s\n", it->seq, it->image,
			    it->why);
			break;
		}
	}
	if (r->rebuilds)
		fprintf(f, "%s %zu older package rebuild%s of %s (build cache "
		    "of to-dockerfile --context and verify; the newest stays)\n",
		    dry_run ? "would remove" : "removed", r->rebuilds,
		    r->rebuilds == 1 ? "" : "s", name);
	disk_size_str(r->freed, size, sizeof(size));
	if (gone == 0 && r->rebuilds == 0)
		fprintf(f, "%s: nothing to prune\n", name);
	else if (gone == 0)
		fprintf(f, "%s: %s %s\n", name,
		    dry_run ? "would free" : "freed", size);
	else
		fprintf(f, "%s: %s %zu snapshot image%s, %s %s (their recipes "
		    "stay)\n", name, dry_run ? "would prune" : "pruned", gone,
		    gone == 1 ? "" : "s", dry_run ? "would free" : "freed",
		    size);
}

int
cmd_prune(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct snapshot latest = { 0 };
	struct prune_result res = { 0 };
	struct prune_opts po = { 0, -1, 0 };
	struct cli_words args;
	struct catalog *cat;
	struct engine *e;
	const char *name;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	rc = -1;
	if ((name = cli_one_name(self, &args, err)) == NULL)
		return -1;
	if (!opt.all && opt.keep == 0 && opt.older_than == NULL)
		return cli_usage_error(err, self,
		    "say which: --keep N, --older-than AGE or --all");
	if (opt.all && (opt.keep || opt.older_than))
		return cli_usage_error(err, self,
		    "--all goes alone: it prunes every snapshot but the latest");
	if (opt.older_than && prune_parse_age("--older-than", opt.older_than,
	    &po.older_than, err) < 0)
		return -1;
	po.keep = opt.keep;
	po.dry_run = opt.dry_run;
	if (cli_engine_catalog(ctx, &e, &cat, err) < 0 ||
	    cli_snapshot_load(ctx, name, &opt.ropts, 0, &latest, err) < 0)
		return -1;
	if (strcmp(latest.engine, engine_endpoint(e)->host) != 0) {
		keep_error_set(err, KEEP_ERR_FAILED, "prune '%s': its snapshots "
		    "are on %s, not %s: choose that engine with -H or "
		    "--context", name, latest.engine, engine_endpoint(e)->host);
		goto out;
	}
	if (keep_prune(e, cat, latest.config.name, &po, &res, err) < 0) {
		keep_error_wrap(err, "prune '%s'", latest.config.name);
		goto out;
	}
	cli_prune_report(stdout, latest.config.name, &res, opt.dry_run);
	rc = 0;
out:
	prune_result_release(&res);
	snapshot_release(&latest);
	return rc;
}
