/*
 * keep doctor: what keep talks to and whether it works. Every check is
 * printed, so one broken part does not hide the others; the first failure
 * becomes the error (exit 1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "catalog/snapshots.h"
#include "cli/cli.h"
#include "core/disk.h"
#include "core/history.h"
#include "core/paths.h"
#include "core/save.h"
#include "engine/engine.h"
#include "util/jout.h"
#include "util/xalloc.h"

static int json;		/* --json */

const struct cli_option doctor_options[] = {
	CLI_OPTION_JSON(&json, "print the report as a JSON object"),
	CLI_END,
};

struct engine_report {
	struct engine_endpoint ep;
	int resolved;
	struct engine_version ver;
	int have_version;
	const char *negotiated;
	int podman;
	int reads_layers;	/* saves read change lists from the layers */
	char *changes_why;	/* else why not (or NULL: the engine said nothing) */
};

/* Resolve and open the engine, filling what could be learned into r. */
static int
check_engine(struct cli_ctx *ctx, struct engine_report *r,
    struct keep_error **err)
{
	struct engine *e;

	if (engine_endpoint_resolve(ctx->host_flag, ctx->context_flag, &r->ep,
	    err) < 0)
		return -1;
	r->resolved = 1;
	if (engine_open(&r->ep, &ctx->engine, err) < 0)
		return -1;
	e = ctx->engine;
	r->negotiated = engine_api_version(e);
	r->podman = engine_is_podman(e);
	if (engine_get_version(e, &r->ver, err) < 0)
		return -1;
	r->have_version = 1;
	{
		cleanup_free char *driver = NULL, *root = NULL;
		struct keep_error *info_err = NULL;

		if (engine_get_storage(e, &driver, &root, &info_err) == 0)
			r->reads_layers = save_reads_layers(e, driver, root,
			    &r->changes_why);
		else
			r->changes_why = xstrdup(info_err->message);
		keep_error_free(info_err);
	}
	return 0;
}

static const char *
or_unknown(const char *s)
{
	return s && s[0] ? s : "unknown";
}

/*
 * Bring the catalog, the engine and the recipe repository back into
 * agreement: images of interrupted saves are removed (when the engine
 * answers) and snapshots whose recipe was never committed get their commit.
 * What was done goes to fixed; the first failure to *err.
 */
static int
repair(struct cli_ctx *ctx, struct catalog *cat, const char *recipes,
    int engine_ok, struct strv *fixed, struct keep_error **err)
{
	struct catalog_entries ents = { 0 };
	int rc = 0;

	if (engine_ok && save_repair(ctx->engine, cat, ctx->home, fixed, err) < 0)
		return -1;
	if (catalog_list(cat, &ents, err) < 0)
		return -1;
	for (size_t i = 0; i < ents.n && rc == 0; i++) {
		int repaired = 0;

		rc = history_repair(cat, recipes, ents.v[i].engine, ents.v[i].name,
		    &repaired, err);
		if (rc == 0 && repaired)
			strv_pushf(fixed, "committed the recipe of '%s' #%ld",
			    ents.v[i].name, ents.v[i].last_seq);
	}
	catalog_entries_release(&ents);
	return rc;
}

int
cmd_doctor(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct engine_report r = { 0 };
	struct keep_error *engine_err = NULL, *repair_err = NULL;
	struct strv fixed = { 0 };
	struct disk_audit audit = { 0 };
	int audited = 0;
	struct catalog *cat;
	cleanup_free char *check = NULL, *recipes = NULL;
	struct cli_words args;
	struct stat st;
	int rc, version = 0, recipes_exist;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (args.n)
		return cli_usage_error(err, self, "unexpected argument '%s'",
		    args.v[0]);

	check_engine(ctx, &r, &engine_err);
	if (cli_catalog(ctx, &cat, err) < 0 ||
	    catalog_schema_version(cat, &version, err) < 0 ||
	    catalog_quick_check(cat, &check, err) < 0)
		goto fail;
	recipes = keep_recipes_dir(ctx->home, ctx->recipes_flag);
	repair(ctx, cat, recipes, engine_err == NULL, &fixed, &repair_err);
	recipes_exist = stat(recipes, &st) == 0 && S_ISDIR(st.st_mode);
	/* Not a failure: the images are the user's to remove, or not. */
	if (engine_err == NULL) {
		struct keep_error *e2 = NULL;

		audited = disk_audit(ctx->engine, cat, &audit, &e2) == 0;
		keep_error_free(e2);
	}

	if (json) {
		struct jout *o = jout_object(), *eo = jout_object();

		jout_set_str(eo, "endpoint", r.resolved ? r.ep.host : NULL);
		jout_set_str(eo, "source", r.resolved ? r.ep.source : NULL);
		jout_set_str(eo, "context", r.resolved ? r.ep.context : NULL);
		jout_set_bool(eo, "reachable", engine_err == NULL);
		jout_set_str(eo, "error", engine_err ? engine_err->message : NULL);
		jout_set_str(eo, "product", r.have_version ? r.ver.product : NULL);
		jout_set_str(eo, "server_version", r.have_version ? r.ver.version : NULL);
		jout_set_str(eo, "server_api_version", r.have_version ? r.ver.api_version : NULL);
		jout_set_str(eo, "api_version", r.negotiated);
		jout_set_bool(eo, "podman", r.podman);
		jout_set_str(eo, "changes", !r.have_version ? NULL :
		    r.reads_layers ? "layer" : "engine");
		jout_set_str(eo, "changes_why", r.changes_why);
		jout_set(o, "engine", eo);
		eo = jout_object();
		jout_set_str(eo, "path", catalog_path(cat));
		jout_set_int(eo, "schema_version", version);
		jout_set_int(eo, "schema_latest", catalog_schema_latest());
		jout_set_str(eo, "quick_check", check);
		jout_set(o, "catalog", eo);
		eo = jout_object();
		jout_set_str(eo, "path", recipes);
		jout_set_bool(eo, "exists", recipes_exist);
		jout_set(o, "recipes", eo);
		jout_set(o, "repaired", jout_strv(&fixed));
		jout_set_str(o, "repair_error", repair_err ? repair_err->message : NULL);
		if (audited) {
			eo = jout_object();
			jout_set(eo, "unknown", jout_strv(&audit.lost));
			jout_set_int(eo, "unknown_bytes", audit.lost_bytes);
			jout_set(eo, "missing", jout_strv(&audit.missing));
			jout_set(o, "images", eo);
		} else {
			jout_set_null(o, "images");
		}
		cli_print_json(o);
		jout_free(o);
	} else {
		if (r.resolved) {
			printf("engine:       %s (%s)\n", r.ep.host, r.ep.source);
		}
		if (r.have_version) {
			printf("server:       %s %s, API %s (using %s)\n",
			    or_unknown(r.ver.product), or_unknown(r.ver.version),
			    or_unknown(r.ver.api_version), r.negotiated);
			printf("podman:       %s\n", r.podman ? "yes" : "no");
			if (r.reads_layers)
				printf("changes:      read from the containers' "
				    "overlay layers\n");
			else
				printf("changes:      asked of the engine (%s)\n",
				    or_unknown(r.changes_why));
		}
		printf("catalog:      %s\n", catalog_path(cat));
		printf("schema:       %d (this keep: %d)\n", version,
		    catalog_schema_latest());
		printf("quick_check:  %s\n", check);
		printf("recipes:      %s%s\n", recipes,
		    recipes_exist ? "" : " (created by the first save)");
		for (size_t i = 0; i < fixed.n; i++)
			printf("repaired:     %s\n", fixed.v[i]);
		if (audited && audit.lost.n) {
			char size[32];

			disk_size_str(audit.lost_bytes, size, sizeof(size));
			printf("images:       %zu keep/ image%s no snapshot of "
			    "this catalog names (%s; another KEEP_HOME's, or "
			    "lost: docker rmi removes them):\n", audit.lost.n,
			    audit.lost.n == 1 ? "" : "s", size);
			for (size_t i = 0; i < audit.lost.n; i++)
				printf("  unknown:    %s\n", audit.lost.v[i]);
		}
		for (size_t i = 0; audited && i < audit.missing.n; i++)
			printf("missing:      the image of %s is gone (keep "
			    "prune marks it)\n", audit.missing.v[i]);
	}
	disk_audit_release(&audit);
	strv_release(&fixed);
	if (engine_err || repair_err) {
		keep_error_free(*err);
		*err = engine_err ? engine_err : repair_err;
		if (engine_err)
			keep_error_free(repair_err);
		engine_err = repair_err = NULL;
		goto fail;
	}
	if (strcmp(check, "ok") != 0) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "catalog '%s' failed its integrity check: %s",
		    catalog_path(cat), check);
		goto fail;
	}
	engine_endpoint_release(&r.ep);
	if (r.have_version)
		engine_version_release(&r.ver);
	free(r.changes_why);
	return 0;
fail:
	keep_error_free(engine_err);
	keep_error_free(repair_err);
	strv_release(&fixed);
	if (r.resolved)
		engine_endpoint_release(&r.ep);
	if (r.have_version)
		engine_version_release(&r.ver);
	free(r.changes_why);
	return -1;
}
