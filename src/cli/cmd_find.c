/*
 * keep find QUERY: which containers and snapshots hold a package (with a
 * version comparison in its manager's order), a file, an env name, a mount
 * source or a base image. One line per container and what it holds, with
 * the snapshots that hold it ("dev1  #1-3,5  dpkg libssl3 ...").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/find.h"
#include "cli/cli.h"
#include "render/quote.h"
#include "util/buf.h"
#include "util/jout.h"
#include "util/text.h"
#include "util/xalloc.h"

/* What the options set. */
static struct {
	int file, env, mount, base;
	const char *manager;
	int latest;
	int json;
} opt;

const struct cli_option find_options[] = {
	{ .kind = CLI_OPT_FLAG, .long_name = "file", .to.flag = &opt.file,
	  .usage = CLI_USAGE_OR_NEXT,
	  .help = "QUERY is a path: snapshots whose changes hold it" },
	{ .kind = CLI_OPT_FLAG, .long_name = "env", .to.flag = &opt.env,
	  .usage = CLI_USAGE_OR_NEXT,
	  .help = "QUERY is an env variable's name (never a value)" },
	{ .kind = CLI_OPT_FLAG, .long_name = "mount", .to.flag = &opt.mount,
	  .usage = CLI_USAGE_OR_NEXT,
	  .help = "QUERY is a mount's source: host path or volume name" },
	CLI_FLAG(0, "base", &opt.base,
	    "QUERY is a base image: name[:tag], digest or image id"),
	CLI_CHOICE(0, "manager", "MANAGER", "dpkg apk pip npm", &opt.manager,
	    "only packages of MANAGER: dpkg, apk, pip or npm"),
	CLI_FLAG(0, "latest", &opt.latest,
	    "only the latest snapshot of each container"),
	CLI_OPTION_JSON(&opt.json, "print an array of JSON objects"),
	CLI_END,
};

/* Whether a and b hold the same thing (the snapshots differ). */
static int
same_thing(enum find_kind kind, const struct find_hit *a,
    const struct find_hit *b)
{
	if (strcmp(a->engine, b->engine) != 0 || strcmp(a->name, b->name) != 0)
		return 0;
	switch (kind) {
	case FIND_PACKAGE:
		return strcmp(a->pkg.manager, b->pkg.manager) == 0 &&
		    strcmp(a->pkg.name, b->pkg.name) == 0 &&
		    strcmp(a->pkg.arch, b->pkg.arch) == 0 &&
		    strcmp(a->pkg.location, b->pkg.location) == 0 &&
		    strcmp(a->pkg.version, b->pkg.version) == 0 &&
		    a->from_base == b->from_base && a->change == b->change;
	case FIND_FILE:
		return strcmp(a->file.path, b->file.path) == 0 &&
		    a->file.kind == b->file.kind && a->loose == b->loose;
	case FIND_ENV:
		return strcmp(a->env_name, b->env_name) == 0;
	case FIND_MOUNT:
		return strcmp(a->mount.type, b->mount.type) == 0 &&
		    strcmp(a->mount.source, b->mount.source) == 0 &&
		    strcmp(a->mount.destination, b->mount.destination) == 0 &&
		    a->mount.rw == b->mount.rw;
	case FIND_BASE:
		return strcmp(a->image_ref, b->image_ref) == 0 &&
		    strcmp(a->base_id, b->base_id) == 0;
	}
	return 0;
}

/* Hits [first, first + n) hold one thing in one container. */
struct group {
	const struct find_hit *first;
	size_t n;
	int latest;
};

/* "#1-3,5": the snapshot numbers of g, runs joined. */
static void
seq_list(const struct group *g, struct buf *out)
{
	buf_addch(out, '#');
	for (size_t i = 0; i < g->n; ) {
		size_t j = i;

		while (j + 1 < g->n && g->first[j + 1].seq == g->first[j].seq + 1)
			j++;
		buf_printf(out, "%s%ld", i ? "," : "", g->first[i].seq);
		if (j > i)
			buf_printf(out, "-%ld", g->first[j].seq);
		i = j + 1;
	}
}

static const char *
file_change(enum fs_change_kind k)
{
	return k == FS_ADDED ? "added" : k == FS_DELETED ? "deleted" :
	    "modified";
}

/* What a hit holds, for a person; names come from containers: escaped. */
static void
describe(enum find_kind kind, const struct find_hit *h, struct buf *out)
{
	switch (kind) {
	case FIND_PACKAGE:
		buf_printf(out, "%s ", h->pkg.manager);
		text_printable(out, h->pkg.name, 0);
		buf_addch(out, ' ');
		text_printable(out, h->pkg.version, 0);
		if (h->pkg.arch[0] && strcmp(h->pkg.arch, "all") != 0)
			buf_printf(out, " [%s]", h->pkg.arch);
		if (h->pkg.location[0]) {
			buf_addstr(out, " in ");
			text_printable(out, h->pkg.location, 0);
		}
		buf_addstr(out, h->from_base ? " (base image)" :
		    h->change == PKG_ADDED ? " (installed)" : " (upgraded)");
		break;
	case FIND_FILE:
		buf_printf(out, "%s ", file_change(h->file.kind));
		text_printable(out, h->file.path, 0);
		if (h->loose)
			buf_addstr(out, " (loose file)");
		break;
	case FIND_ENV:
		buf_addstr(out, "env ");
		text_printable(out, h->env_name, 0);
		break;
	case FIND_MOUNT:
		buf_printf(out, "%s ", h->mount.type);
		text_printable(out, h->mount.source, 0);
		buf_addstr(out, " -> ");
		text_printable(out, h->mount.destination, 0);
		if (!h->mount.rw)
			buf_addstr(out, " (read-only)");
		break;
	case FIND_BASE:
		text_printable(out, h->image_ref, 0);
		buf_addstr(out, " (");
		text_printable(out, h->base_digest ? h->base_digest :
		    h->base_id, 0);
		buf_addch(out, ')');
		break;
	}
}

static struct jout *
group_json(enum find_kind kind, const struct group *g)
{
	const struct find_hit *h = g->first;
	struct jout *o = jout_object(), *seqs = jout_array();

	jout_set_str(o, "name", h->name);
	jout_set_str(o, "engine", h->engine);
	for (size_t i = 0; i < g->n; i++)
		jout_push(seqs, jout_int(g->first[i].seq));
	jout_set(o, "snapshots", seqs);
	jout_set_bool(o, "latest", g->latest);
	switch (kind) {
	case FIND_PACKAGE:
		jout_set_str(o, "manager", h->pkg.manager);
		jout_set_str(o, "package", h->pkg.name);
		jout_set_str(o, "version", h->pkg.version);
		jout_set_str(o, "arch", h->pkg.arch);
		jout_set_str(o, "location", h->pkg.location);
		jout_set_str(o, "source", h->from_base ? "base-image" :
		    "container");
		jout_set_str(o, "change", h->from_base ? NULL :
		    pkg_change_name(h->change));
		break;
	case FIND_FILE:
		jout_set_str(o, "path", h->file.path);
		jout_set_str(o, "change", file_change(h->file.kind));
		jout_set_bool(o, "loose", h->loose);
		break;
	case FIND_ENV:
		jout_set_str(o, "env", h->env_name);
		break;
	case FIND_MOUNT:
		jout_set_str(o, "type", h->mount.type);
		jout_set_str(o, "source", h->mount.source);
		jout_set_str(o, "destination", h->mount.destination);
		jout_set_bool(o, "read_only", !h->mount.rw);
		break;
	case FIND_BASE:
		jout_set_str(o, "image", h->image_ref);
		jout_set_str(o, "image_id", h->base_id);
		jout_set_str(o, "digest", h->base_digest);
		break;
	}
	return o;
}

/* The hits as groups of one thing in one container, in their order. */
static struct group *
group_hits(enum find_kind kind, const struct find_hits *hits, size_t *n)
{
	struct group *g = NULL;

	*n = 0;
	for (size_t i = 0; i < hits->n; i++) {
		if (*n == 0 || !same_thing(kind, g[*n - 1].first,
		    &hits->v[i])) {
			g = xreallocarray(g, *n + 1, sizeof(*g));
			g[(*n)++] = (struct group){ &hits->v[i], 0, 0 };
		}
		g[*n - 1].n++;
		g[*n - 1].latest |= hits->v[i].latest;
	}
	return g;
}

static void
print_text(enum find_kind kind, const struct group *g, size_t n)
{
	size_t wname = 0, wseq = 0;
	int engines = 0;
	struct buf *seqs = xcalloc(n ? n : 1, sizeof(*seqs));

	/* The engine only when the answer spans two (same name on both). */
	for (size_t i = 1; i < n; i++)
		engines |= strcmp(g[i].first->engine, g[0].first->engine) != 0;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(g[i].first->name);

		if (engines)
			len += strlen(g[i].first->engine) + 3;
		wname = len > wname ? len : wname;
		seq_list(&g[i], &seqs[i]);
		if (g[i].latest)
			buf_addstr(&seqs[i], " (latest)");
		wseq = seqs[i].len > wseq ? seqs[i].len : wseq;
	}
	for (size_t i = 0; i < n; i++) {
		struct buf line = BUF_INIT;

		buf_addstr(&line, g[i].first->name);
		if (engines)
			buf_printf(&line, " [%s]", g[i].first->engine);
		buf_printf(&line, "%*s  %-*s  ", (int)(wname - line.len), "",
		    (int)wseq, buf_cstr(&seqs[i]));
		describe(kind, g[i].first, &line);
		printf("%s\n", buf_cstr(&line));
		buf_release(&line);
		buf_release(&seqs[i]);
	}
	free(seqs);
}

static enum find_kind
kind_of(void)
{
	return opt.file ? FIND_FILE : opt.env ? FIND_ENV : opt.mount ?
	    FIND_MOUNT : opt.base ? FIND_BASE : FIND_PACKAGE;
}

int
cmd_find(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct find_query q = { 0 };
	struct find_hits hits = { 0 };
	struct cli_words args;
	struct catalog *cat;
	struct group *groups = NULL;
	cleanup_free char *name = NULL, *version = NULL;
	size_t n_groups = 0;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (args.n != 1)
		return cli_usage_error(err, self, args.n ? "too many arguments "
		    "(quote a query with spaces or < >)" : "what to find? give "
		    "a QUERY");
	if (opt.file + opt.env + opt.mount + opt.base > 1)
		return cli_usage_error(err, self, "--file, --env, --mount and "
		    "--base each say what QUERY is: give one");
	q.kind = kind_of();
	q.latest = opt.latest;
	if (q.kind != FIND_PACKAGE && opt.manager)
		return cli_usage_error(err, self, "--manager is for packages");
	if (q.kind == FIND_PACKAGE) {
		if (version_query_split(args.v[0], &name, &q.op, &version) < 0)
			return cli_usage_error(err, self, "'%s' is no package "
			    "query: NAME, or NAME then <, <=, =, !=, >= or > "
			    "and a version", args.v[0]);
		q.pattern = name;
		q.version = version;
		q.manager = opt.manager;
	} else {
		q.pattern = args.v[0];
	}
	if (cli_catalog(ctx, &cat, err) < 0 ||
	    catalog_find(cat, &q, &hits, err) < 0)
		return -1;
	groups = group_hits(q.kind, &hits, &n_groups);
	if (opt.json) {
		struct jout *a = jout_array();

		for (size_t i = 0; i < n_groups; i++)
			jout_push(a, group_json(q.kind, &groups[i]));
		jout_print(a, stdout);
		jout_free(a);
	} else {
		print_text(q.kind, groups, n_groups);
	}
	/* As grep: a script can ask "is it anywhere?" by the status. */
	if (hits.n == 0) {
		if (!ctx->quiet && !opt.json)
			fprintf(stderr, "no snapshot holds '%s'\n", args.v[0]);
		ctx->exit_status = 1;
	}
	free(groups);
	find_hits_release(&hits);
	return 0;
}
