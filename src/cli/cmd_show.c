/* keep show NAME [--at N]: one snapshot, readable or as JSON. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/snapshot_out.h"
#include "core/disk.h"
#include "core/resolve.h"
#include "engine/engine.h"

/* What the options set. */
static struct {
	int at;
	struct resolve_opts ropts;	/* -p, --index */
	int json;
} opt;

const struct cli_option show_options[] = {
	CLI_OPTION_AT(&opt.at, "show snapshot #N instead of the latest"),
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_OPTION_JSON(&opt.json, "print the snapshot as a JSON object"),
	CLI_END,
};

/*
 * How much disk the snapshots of s's container hold on its engine: 0 with
 * *held and *n, or -1 when that engine is not the one keep talks to or
 * cannot be asked (show is useful without it: nothing is said then).
 */
static int
disk_of(struct cli_ctx *ctx, const struct snapshot *s, long long *held,
    size_t *n)
{
	struct strv names = { 0 };
	struct disk_images d;
	struct keep_error *e2 = NULL;
	struct engine *e;
	int rc;

	if (cli_engine(ctx, &e, &e2) < 0 ||
	    strcmp(engine_endpoint(e)->host, s->engine) != 0) {
		keep_error_free(e2);
		return -1;
	}
	strv_push(&names, s->config.name);
	rc = disk_images_load(e, &names, &d, &e2);
	strv_release(&names);
	if (rc < 0) {
		keep_error_free(e2);
		return -1;
	}
	*held = disk_container_held(&d, s->config.name, n);
	disk_images_release(&d);
	return 0;
}

int
cmd_show(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct snapshot s = { 0 };
	struct cli_words args;
	const char *name;
	long long held = 0;
	size_t n_images = 0;
	int rc, have_disk;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if ((name = cli_one_name(self, &args, err)) == NULL ||
	    cli_snapshot_load(ctx, name, &opt.ropts, opt.at, &s, err) < 0)
		return -1;
	have_disk = disk_of(ctx, &s, &held, &n_images) == 0;
	if (opt.json) {
		struct jout *o = snapshot_json(&s, SNAPSHOT_JSON_ALL);

		if (have_disk) {
			struct jout *d = jout_object();

			jout_set_int(d, "bytes", held);
			jout_set_int(d, "images", (long long)n_images);
			jout_set(o, "disk", d);
		} else {
			jout_set_null(o, "disk");
		}
		cli_print_json(o);
		jout_free(o);
	} else {
		snapshot_print(stdout, &s);
		if (have_disk) {
			char size[32];

			disk_size_str(held, size, sizeof(size));
			printf("disk:          %s in %zu snapshot image%s of %s "
			    "(shared layers counted once, the base image not "
			    "at all)\n", size, n_images, n_images == 1 ? "" :
			    "s", s.config.name);
		}
	}
	snapshot_release(&s);
	return 0;
}
