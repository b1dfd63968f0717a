/*
 * keep status [NAME]: what changed since the last save, without saving.
 * With NAME, one line per change, git status --short style; without, one
 * line per tracked container ("dev1: 3 packages, 12 files since #7 (2
 * days ago)"). Always exits 0 when it could look.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/snapshots.h"
#include "cli/cli.h"
#include "cli/snapshot_out.h"
#include "core/resolve.h"
#include "core/status.h"
#include "render/quote.h"
#include "util/jout.h"
#include "util/text.h"
#include "util/xalloc.h"

/* What the options set. */
static struct {
	struct resolve_opts ropts;	/* -p, --index */
	int json;
} opt;

const struct cli_option status_options[] = {
	CLI_OPTION_PROJECT(&opt.ropts.project),
	CLI_OPTION_INDEX(&opt.ropts.index),
	CLI_OPTION_JSON(&opt.json, "print the status as JSON"),
	CLI_END,
};

/* "2 days ago" from an RFC 3339 UTC time; "" when it cannot be read. */
static void
age(const char *when, struct buf *out)
{
	static const struct {
		long secs;
		const char *unit;
	} units[] = {
		{ 365L * 86400, "year" }, { 30L * 86400, "month" },
		{ 7L * 86400, "week" }, { 86400, "day" }, { 3600, "hour" },
		{ 60, "minute" },
	};
	struct tm tm = { 0 };
	const char *end;
	long d;

	if (when == NULL || (end = strptime(when, "%Y-%m-%dT%H:%M:%S", &tm))
	    == NULL)
		return;
	d = (long)(time(NULL) - timegm(&tm));
	/* Weeks only up to a month or two; days up to two weeks. */
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++) {
		long n = d / units[i].secs;

		if (n < 1 || (units[i].secs == 7L * 86400 && n < 2))
			continue;
		buf_printf(out, "%ld %s%s ago", n, units[i].unit,
		    n == 1 ? "" : "s");
		return;
	}
	buf_addstr(out, "just now");
}

/* "#7 (2 days ago)". */
static void
since(long seq, const char *saved_at, struct buf *out)
{
	struct buf a = BUF_INIT;

	age(saved_at, &a);
	buf_printf(out, "#%ld", seq);
	if (a.len)
		buf_printf(out, " (%s)", buf_cstr(&a));
	buf_release(&a);
}

/* "sha256:0123456789ab": enough of an image id to tell it apart. */
static void
short_id(const char *id, struct buf *out)
{
	const char *hex = strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;

	buf_printf(out, "%.12s", hex);
}

/* One change: a two-letter code, then what, escaped for the terminal. */
static void
line(const char *code, const char *what, const char *text)
{
	struct buf b = BUF_INIT;

	text_printable(&b, text, 0);
	printf("%-2s %s%s%s\n", code, what, what[0] ? " " : "",
	    buf_cstr(&b));
	buf_release(&b);
}

static void
lines(const char *code, const char *what, const struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		line(code, what, sv->v[i]);
}

/* The image lines: recreated from another image, or its name moved. */
static void
print_image(const struct status_result *r)
{
	struct buf b = BUF_INIT;

	if (status_image_recreated(r)) {
		buf_addstr(&b, "the container runs ");
		short_id(r->now.config.image_id, &b);
		buf_printf(&b, ", #%ld was made on ", r->seq);
		short_id(r->image_saved, &b);
		line("M", "image", buf_cstr(&b));
		buf_truncate(&b, 0);
	}
	if (status_image_moved(r)) {
		buf_printf(&b, "%s names ", r->now.config.image_ref);
		short_id(r->image_named, &b);
		buf_addstr(&b, " now, the container runs ");
		short_id(r->now.config.image_id, &b);
		line("!", "image", buf_cstr(&b));
	}
	buf_release(&b);
}

/* keep status NAME, readable. */
static void
print_one(const char *name, const struct status_result *r)
{
	const struct snapshot_diff *d = &r->changes;
	struct buf b = BUF_INIT;

	if (r->seq == 0) {
		snapshot_summary(&r->now, &b);
		printf("%s: not saved yet; a save would record %s\n", name,
		    buf_cstr(&b));
		buf_release(&b);
		print_image(r);
		return;
	}
	since(r->seq, r->saved_at, &b);
	printf("%s: %s since %s\n", name, r->unchanged ? "unchanged" :
	    "changed", buf_cstr(&b));
	buf_release(&b);
	/* Package delta lines start with +, - or ~. */
	for (size_t i = 0; i < d->packages.n; i++) {
		const char *p = d->packages.v[i];

		line(p[0] == '+' ? "A" : p[0] == '-' ? "D" : "M", "", p + 1);
	}
	/* A loose file new to the list: added, deleted or changed now. */
	for (size_t i = 0; i < d->files_added.n; i++) {
		enum fs_change_kind k = FS_ADDED;

		for (size_t j = 0; j < r->now.loose.n; j++)
			if (strcmp(r->now.loose.v[j].path, d->files_added.v[i]) == 0)
				k = r->now.loose.v[j].kind;
		line(k == FS_ADDED ? "A" : k == FS_DELETED ? "D" : "M", "",
		    d->files_added.v[i]);
	}
	/* Gone from the list: deleted, or back as the image has it. */
	lines("D", "", &d->files_removed);
	lines("A", "env", &d->env_added);
	lines("M", "env", &d->env_changed);
	lines("D", "env", &d->env_removed);
	lines("A", "mount", &d->mounts_added);
	lines("D", "mount", &d->mounts_removed);
	lines("A", "run", &d->settings_added);
	lines("M", "run", &d->settings_changed);
	lines("D", "run", &d->settings_removed);
	if (r->unlisted)
		line("M", "", "changed otherwise: loose files edited again, "
		    "packages marked manual or automatic ...");
	print_image(r);
}

/* The parts of a one-line summary: "3 packages, 12 files". */
static void
counts(const struct status_result *r, struct buf *out)
{
	const struct snapshot_diff *d = &r->changes;
	const struct {
		size_t n;
		const char *one, *many;
	} parts[] = {
		{ (size_t)status_image_recreated(r), "new image", "new image" },
		{ d->packages.n, "package", "packages" },
		{ d->files_added.n + d->files_removed.n, "file", "files" },
		{ d->env_added.n + d->env_removed.n + d->env_changed.n, "env",
		  "env" },
		{ d->mounts_added.n + d->mounts_removed.n, "mount", "mounts" },
		{ d->settings_added.n + d->settings_removed.n +
		  d->settings_changed.n, "setting", "settings" },
	};
	size_t start = out->len;

	for (size_t i = 0; i < sizeof(parts) / sizeof(*parts); i++) {
		if (parts[i].n == 0)
			continue;
		buf_addstr(out, out->len > start ? ", " : "");
		if (i == 0)
			buf_addstr(out, parts[i].one);
		else
			buf_printf(out, "%zu %s", parts[i].n, parts[i].n == 1 ?
			    parts[i].one : parts[i].many);
	}
	if (out->len == start)
		buf_addstr(out, "changes");	/* r->unlisted alone */
}

/* keep status, one line for a container that could be looked at. */
static void
print_summary(const char *name, const struct status_result *r)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s: ", name);
	if (r->seq == 0) {
		buf_addstr(&b, "not saved yet");
	} else {
		if (r->unchanged)
			buf_addstr(&b, "unchanged");
		else
			counts(r, &b);
		buf_addstr(&b, " since ");
		since(r->seq, r->saved_at, &b);
	}
	if (status_image_moved(r))
		buf_printf(&b, "; %s moved", r->now.config.image_ref);
	printf("%s\n", buf_cstr(&b));
	buf_release(&b);
}

static struct jout *
status_json(const char *name, const char *engine, const char *state,
    long seq, const char *saved_at, const struct status_result *r)
{
	struct jout *o = jout_object(), *img;

	jout_set_str(o, "name", name);
	jout_set_str(o, "engine", engine);
	jout_set_str(o, "status", state);
	jout_set_int(o, "seq", seq);
	jout_set_str(o, "saved_at", saved_at);
	if (r == NULL)
		return o;
	jout_set_bool(o, "unchanged", r->unchanged);
	snapshot_diff_json(o, &r->changes);
	jout_set_bool(o, "unlisted", r->unlisted);
	img = jout_object();
	jout_set_str(img, "ref", r->now.config.image_ref);
	jout_set_str(img, "running", r->now.config.image_id);
	jout_set_str(img, "saved", r->image_saved);
	jout_set_str(img, "named", r->image_named);
	jout_set_bool(img, "recreated", status_image_recreated(r));
	jout_set_bool(img, "moved", status_image_moved(r));
	jout_set(o, "image", img);
	return o;
}

static const char *
state_of(const struct status_result *r)
{
	return r->seq == 0 ? "new" : r->unchanged ? "unchanged" : "changed";
}

static void
print_warnings(struct cli_ctx *ctx, const struct strv *w)
{
	for (size_t i = 0; i < w->n && !ctx->quiet; i++)
		fprintf(stderr, "keep: warning: %s\n", w->v[i]);
}

/* keep status NAME. */
static int
status_one(struct cli_ctx *ctx, struct engine *e, struct catalog *cat,
    const char *given, struct keep_error **err)
{
	struct container inspected = { 0 };
	struct status_result r = { 0 };
	struct snapshot last = { 0 };
	struct keep_error *gone = NULL;
	cleanup_free char *id = NULL, *name = NULL;
	int rc = -1;

	opt.ropts.inspected = &inspected;
	if (resolve_container(e, given, &opt.ropts, &id, &name, &gone) < 0) {
		/* Not there any more, but tracked: that is its status. */
		const char *host = engine_endpoint(e)->host;
		cleanup_free char *service = NULL, *service_engine = NULL;

		if (gone->kind != KEEP_ERR_NOT_FOUND ||
		    (catalog_snapshot_load(cat, host, given, 0, &last,
		    NULL) < 0 &&
		    (resolve_recorded_service(cat, host, given, &opt.ropts,
		    &service, &service_engine, NULL) < 0 ||
		    catalog_snapshot_load(cat, service_engine, service, 0,
		    &last, NULL) < 0))) {
			*err = gone;
			return -1;
		}
		keep_error_free(gone);
		given = last.config.name;
		if (opt.json) {
			struct jout *o = status_json(given,
			    engine_endpoint(e)->host, "gone", last.seq,
			    last.created_at, NULL);

			jout_print(o, stdout);
			jout_free(o);
		} else {
			struct buf b = BUF_INIT;

			since(last.seq, last.created_at, &b);
			printf("%s: gone; last saved %s\n", given, buf_cstr(&b));
			buf_release(&b);
		}
		snapshot_release(&last);
		return 0;
	}
	if (keep_status(e, cat, id, &inspected, &r, err) < 0) {
		keep_error_wrap(err, "status of '%s'", name);
		goto out;
	}
	print_warnings(ctx, &r.warnings);
	if (opt.json) {
		struct jout *o = status_json(name, r.now.engine, state_of(&r),
		    r.seq, r.saved_at, &r);

		jout_print(o, stdout);
		jout_free(o);
	} else {
		print_one(name, &r);
	}
	rc = 0;
out:
	container_release(&inspected);
	status_result_release(&r);
	return rc;
}

/* keep status: every tracked container of this engine. */
static int
status_all(struct cli_ctx *ctx, struct engine *e, struct catalog *cat,
    struct keep_error **err)
{
	struct catalog_entries ents = { 0 };
	const char *host = engine_endpoint(e)->host;
	struct jout *all = opt.json ? jout_array() : NULL;

	if (catalog_list(cat, &ents, err) < 0)
		return -1;
	for (size_t i = 0; i < ents.n; i++) {
		const struct catalog_entry *en = &ents.v[i];
		struct status_result r = { 0 };
		struct keep_error *why = NULL;
		int rc;

		if (strcmp(en->engine, host) != 0)
			continue;	/* -H or --context names another */
		/* Its container, else one that took its name since. */
		/* (An imported snapshot's container is on another machine:
		 * no id here.) */
		rc = keep_status(e, cat, *en->container_id ? en->container_id :
		    en->name, NULL, &r, &why);
		if (rc < 0 && why->kind == KEEP_ERR_NOT_FOUND) {
			keep_error_free(why);
			why = NULL;
			rc = keep_status(e, cat, en->name, NULL, &r, &why);
		}
		if (rc < 0 && why->kind != KEEP_ERR_NOT_FOUND) {
			/* One container's trouble is not the others'. */
			if (!ctx->quiet)
				fprintf(stderr, "keep: warning: status of '%s': "
				    "%s\n", en->name, why->message);
			keep_error_free(why);
			continue;
		}
		if (rc < 0) {
			struct buf b = BUF_INIT;

			if (all)
				jout_push(all, status_json(en->name, host,
				    "gone", en->last_seq, en->last_saved, NULL));
			since(en->last_seq, en->last_saved, &b);
			if (!all)
				printf("%s: gone; last saved %s\n", en->name,
				    buf_cstr(&b));
			buf_release(&b);
			keep_error_free(why);
			continue;
		}
		print_warnings(ctx, &r.warnings);
		if (all)
			jout_push(all, status_json(en->name, host, state_of(&r),
			    r.seq, r.saved_at, &r));
		else
			print_summary(en->name, &r);
		status_result_release(&r);
	}
	if (all) {
		jout_print(all, stdout);
		jout_free(all);
	} else if (ents.n == 0 && !ctx->quiet) {
		fprintf(stderr, "no containers tracked yet: 'keep save NAME' "
		    "snapshots one\n");
	}
	catalog_entries_release(&ents);
	return 0;
}

int
cmd_status(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct cli_words args;
	struct catalog *cat;
	struct engine *e;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (args.n > 1)
		return cli_usage_error(err, self, "too many arguments");
	if (cli_engine_catalog(ctx, &e, &cat, err) < 0)
		return -1;
	return args.n ? status_one(ctx, e, cat, args.v[0], err) :
	    status_all(ctx, e, cat, err);
}
