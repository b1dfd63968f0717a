/* keep ls: the tracked containers, with their container's state. */
#include <stdio.h>
#include <string.h>

#include "catalog/snapshots.h"
#include "cli/cli.h"
#include "core/disk.h"
#include "core/resolve.h"
#include "engine/engine.h"
#include "util/jout.h"
#include "util/xalloc.h"

static int json;		/* --json */
static const char *project;	/* -p */

const struct cli_option ls_options[] = {
	CLI_OPTION_JSON(&json, "print an array of JSON objects"),
	CLI_STRING('p', "project", "PROJECT",
	    &project, "only the containers of this compose project"),
	CLI_END,
};

/* Keep in ents those of compose project p only. */
static void
only_project(struct catalog_entries *ents, const char *p)
{
	struct catalog_entries drop = { 0 };
	size_t n = 0;

	drop.v = xcalloc(ents->n + 1, sizeof(*drop.v));
	for (size_t i = 0; i < ents->n; i++)
		if (ents->v[i].compose_project &&
		    strcmp(ents->v[i].compose_project, p) == 0)
			ents->v[n++] = ents->v[i];
		else
			drop.v[drop.n++] = ents->v[i];
	ents->n = n;
	catalog_entries_release(&drop);
}

/*
 * The state of a tracked container on its engine: running, exited ...,
 * "gone" when the engine no longer has it, "unknown" when the engine is
 * another one or cannot be reached.
 */
static const char *
status_of(const struct catalog_entry *ent, const char *host,
    const struct container_list *live, int have_live)
{
	if (!have_live || strcmp(ent->engine, host) != 0)
		return "unknown";
	for (size_t i = 0; i < live->n; i++)
		if (strcmp(live->v[i].id, ent->container_id) == 0)
			return live->v[i].state;
	for (size_t i = 0; i < live->n; i++)
		if (strcmp(live->v[i].name, ent->name) == 0)
			return "replaced";
	return "gone";
}

/*
 * What the snapshot images of ent hold on the engine keep talks to, into
 * size ("-" when that is another engine, or the engine's images are not
 * known); the bytes, or -1.
 */
static long long
disk_of(const struct catalog_entry *ent, const char *host,
    const struct disk_images *d, int have_disk, char *size, size_t cap)
{
	long long held;
	size_t n;

	if (!have_disk || strcmp(ent->engine, host) != 0) {
		snprintf(size, cap, "-");
		return -1;
	}
	held = disk_container_held(d, ent->name, &n);
	disk_size_str(held, size, cap);
	return held;
}

/* One line on stderr: what is unknown, and why (err may be NULL: none). */
static void
ls_warn(const struct cli_ctx *ctx, const char *what,
    const struct keep_error *err)
{
	cleanup_free char *w = NULL;

	if (err == NULL || ctx->quiet)
		return;
	w = xasprintf("%s unknown: %s", what, err->message);
	cli_warn(w);
}

int
cmd_ls(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct catalog_entries ents = { 0 };
	struct container_list live = { 0 };
	struct disk_images disk = { 0 };
	struct keep_error *engine_err = NULL;
	struct cli_words args;
	struct catalog *cat;
	struct engine *e;
	const char *host = "";
	int rc, have_live = 0, have_disk = 0;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (args.n)
		return cli_usage_error(err, self, "unexpected argument '%s'",
		    args.v[0]);
	if (cli_catalog(ctx, &cat, err) < 0 || catalog_list(cat, &ents, err) < 0)
		return -1;
	if (project) {
		cleanup_free char *p = resolve_normalize_project(project);

		only_project(&ents, p ? p : "");
	}
	/* The list is useful without an engine: states are then unknown. */
	if (ents.n && cli_engine(ctx, &e, &engine_err) == 0) {
		host = engine_endpoint(e)->host;
		have_live = engine_container_list(e, NULL, &live,
		    &engine_err) == 0;
		ls_warn(ctx, "container states", engine_err);
		/* An engine that could not list its containers: one line. */
		if (have_live) {
			struct strv names = { 0 };

			for (size_t i = 0; i < ents.n; i++)
				if (strcmp(ents.v[i].engine, host) == 0)
					strv_push(&names, ents.v[i].name);
			have_disk = disk_images_load(e, &names, &disk,
			    &engine_err) == 0;
			strv_release(&names);
			ls_warn(ctx, "disk use", engine_err);
		}
	} else {
		ls_warn(ctx, "container states", engine_err);
	}
	keep_error_free(engine_err);

	if (json) {
		struct jout *a = jout_array();

		for (size_t i = 0; i < ents.n; i++) {
			const struct catalog_entry *en = &ents.v[i];
			struct jout *o = jout_object();
			char size[32];
			long long held = disk_of(en, host, &disk, have_disk,
			    size, sizeof(size));

			jout_set_str(o, "name", en->name);
			jout_set_int(o, "snapshots", en->snapshots);
			if (held >= 0)
				jout_set_int(o, "disk_bytes", held);
			else
				jout_set_null(o, "disk_bytes");
			jout_set_int(o, "last_seq", en->last_seq);
			jout_set_str(o, "last_saved", en->last_saved);
			jout_set_str(o, "image", en->last_image);
			jout_set_str(o, "status", status_of(en, host, &live, have_live));
			jout_set_str(o, "compose_project", en->compose_project);
			jout_set_str(o, "compose_service", en->compose_service);
			jout_set_str(o, "engine", en->engine);
			jout_push(a, o);
		}
		cli_print_json(a);
		jout_free(a);
	} else if (ents.n) {
		printf("%-24s %5s %8s %-20s %-10s %-22s %s\n", "NAME", "SAVES",
		    "DISK", "LAST SAVED", "STATUS", "COMPOSE", "ENGINE");
		for (size_t i = 0; i < ents.n; i++) {
			const struct catalog_entry *en = &ents.v[i];
			char compose[256] = "-", size[32];

			disk_of(en, host, &disk, have_disk, size, sizeof(size));
			if (en->compose_project)
				snprintf(compose, sizeof(compose), "%s/%s",
				    en->compose_project, en->compose_service ?
				    en->compose_service : "");
			cli_line(stdout, "%-24s %5ld %8s %-20s %-10s %-22s %s", en->name,
			    en->snapshots, size, en->last_saved,
			    status_of(en, host, &live, have_live), compose,
			    en->engine);
		}
	} else if (!ctx->quiet && project) {
		cli_line(stderr, "no containers of compose project '%s' tracked: "
		    "'keep save -p %s' snapshots them", project, project);
	} else if (!ctx->quiet) {
		fprintf(stderr, "no containers tracked yet: 'keep save NAME' snapshots one\n");
	}
	container_list_release(&live);
	disk_images_release(&disk);
	catalog_entries_release(&ents);
	return 0;
}
