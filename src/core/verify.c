#include "core/verify.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/snapshots.h"
#include "core/build_context.h"
#include "core/engine_fs.h"
#include "core/history.h"
#include "core/recipe.h"
#include "core/snapshot_image.h"
#include "pkg/pkg.h"
#include "render/dockerfile.h"
#include "util/xalloc.h"

/* How many lines of builder output a failure keeps to show. */
#define TAIL_LINES 25

static void
diff_release(struct verify_diff *d)
{
	free(d->kind);
	free(d->manager);
	free(d->name);
	free(d->arch);
	free(d->location);
	free(d->want);
	free(d->got);
}

static void
items_release(struct verify_items *items)
{
	for (size_t i = 0; i < items->n; i++) {
		free(items->v[i].what);
		free(items->v[i].kind);
		free(items->v[i].want);
		free(items->v[i].got);
		free(items->v[i].why);
	}
	free(items->v);
}

void
verify_result_release(struct verify_result *r)
{
	for (size_t i = 0; i < r->n; i++)
		diff_release(&r->v[i]);
	free(r->v);
	free(r->detail);
	free(r->image_id);
	items_release(&r->files);
	items_release(&r->config);
	strv_release(&r->left_out);
	strv_release(&r->apt_times);
	strv_release(&r->apt_unarchived);
	strv_release(&r->warnings);
	strv_release(&r->build_tail);
	memset(r, 0, sizeof(*r));
}

static const char *
nz(const char *s)
{
	return s ? s : "";
}

/* The name a package is compared by: pip names PEP 503-normalised. */
static char *
key_name(const struct pkg *p)
{
	if (strcmp(p->manager, "pip") == 0)
		return pip_normalize_name(p->name);
	return xstrdup(p->name);
}

static int
key_cmp(const struct pkg *a, const struct pkg *b)
{
	cleanup_free char *na = key_name(a);
	cleanup_free char *nb = key_name(b);
	int c;

	if ((c = strcmp(a->manager, b->manager)) != 0)
		return c;
	if ((c = strcmp(nz(a->location), nz(b->location))) != 0)
		return c;
	if ((c = strcmp(na, nb)) != 0)
		return c;
	return strcmp(nz(a->arch), nz(b->arch));
}

static int
pkg_key_qsort(const void *a, const void *b)
{
	return key_cmp(a, b);
}

static void
add_diff(struct verify_result *out, const char *kind, const struct pkg *p,
    const char *want, const char *got)
{
	struct verify_diff *d;

	out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	d = &out->v[out->n++];
	d->kind = xstrdup(kind);
	d->manager = xstrdup(p->manager);
	d->name = xstrdup(p->name);
	d->arch = xstrdup(nz(p->arch));
	d->location = xstrdup(nz(p->location));
	d->want = xstrdup(want);
	d->got = xstrdup(got);
}

void
verify_compare(const struct pkg_set *want, const struct pkg_set *got,
    struct verify_result *out)
{
	struct pkg *a = xcalloc(want->n + 1, sizeof(*a));
	struct pkg *b = xcalloc(got->n + 1, sizeof(*b));
	size_t i = 0, j = 0;

	/* Shallow copies, sorted by key; the strings stay the sets'. */
	memcpy(a, want->v, want->n * sizeof(*a));
	memcpy(b, got->v, got->n * sizeof(*b));
	qsort(a, want->n, sizeof(*a), pkg_key_qsort);
	qsort(b, got->n, sizeof(*b), pkg_key_qsort);
	while (i < want->n || j < got->n) {
		int c = i >= want->n ? 1 : j >= got->n ? -1 : key_cmp(&a[i], &b[j]);

		if (c < 0) {
			add_diff(out, "missing", &a[i], a[i].version, "");
			i++;
		} else if (c > 0) {
			add_diff(out, "extra", &b[j], "", b[j].version);
			j++;
		} else {
			if (strcmp(a[i].version, b[j].version) != 0)
				add_diff(out, "version", &a[i], a[i].version, b[j].version);
			out->compared++;
			i++;
			j++;
		}
	}
	free(a);
	free(b);
}

static int
ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && strcmp(s + ls - lx, suffix) == 0;
}

/* Every *.dist-info package in the site-packages directory loc. */
static int
collect_pip(const struct pkg_fs *fs, const char *loc, struct pkg_set *out,
    struct keep_error **err)
{
	struct strv names = { 0 };
	int r, rc = -1;

	if (fs->list_dir(fs->ctx, loc, &names, err) < 0 &&
	    !keep_error_not_found(err))
		goto out;
	for (size_t i = 0; i < names.n; i++) {
		cleanup_free char *meta = NULL;
		cleanup_buf struct buf data = BUF_INIT;
		char *name = NULL, *version = NULL;
		struct pkg p;

		if (!ends_with(names.v[i], ".dist-info"))
			continue;
		meta = xasprintf("%s/%s/METADATA", loc, names.v[i]);
		r = fs->read_file(fs->ctx, meta, PKG_MAX_META, &data, err);
		if (r < 0 && !keep_error_not_found(err))
			goto out;
		if (r < 0 ||
		    pip_parse_metadata(data.ptr, data.len, &name, &version) < 0)
			continue;
		pkg_init_fields(&p);
		free(p.manager);
		p.manager = xstrdup("pip");
		free(p.name);
		p.name = pip_normalize_name(name);
		free(p.version);
		p.version = version;
		free(p.location);
		p.location = xstrdup(loc);
		pkg_set_push(out, &p);
		pkg_release(&p);
		free(name);
	}
	rc = 0;
out:
	strv_release(&names);
	return rc;
}

/* One npm package directory dir (its package.json), as found under loc. */
static int
collect_npm_one(const struct pkg_fs *fs, const char *loc, const char *dir,
    struct pkg_set *out, struct keep_error **err)
{
	cleanup_free char *pj = xasprintf("%s/package.json", dir);
	cleanup_buf struct buf data = BUF_INIT;
	char *name = NULL, *version = NULL;
	struct pkg p;
	int r;

	r = fs->read_file(fs->ctx, pj, PKG_MAX_META, &data, err);
	if (r < 0 && !keep_error_not_found(err))
		return -1;
	if (r < 0 ||
	    npm_parse_package_json(data.ptr, data.len, &name, &version, NULL) < 0)
		return 0;
	pkg_init_fields(&p);
	free(p.manager);
	p.manager = xstrdup("npm");
	free(p.name);
	p.name = name;
	free(p.version);
	p.version = version;
	free(p.location);
	p.location = xstrdup(loc);
	pkg_set_push(out, &p);
	pkg_release(&p);
	return 0;
}

/* Every global npm package (scoped too) in the node_modules directory loc. */
static int
collect_npm(const struct pkg_fs *fs, const char *loc, struct pkg_set *out,
    struct keep_error **err)
{
	struct strv names = { 0 };
	int rc = -1;

	if (fs->list_dir(fs->ctx, loc, &names, err) < 0 &&
	    !keep_error_not_found(err))
		goto out;
	for (size_t i = 0; i < names.n; i++) {
		cleanup_free char *dir = xasprintf("%s/%s", loc, names.v[i]);

		if (names.v[i][0] == '.')
			continue;
		if (names.v[i][0] == '@') {
			struct strv scoped = { 0 };
			int bad = fs->list_dir(fs->ctx, dir, &scoped, err) < 0 &&
			    !keep_error_not_found(err);

			for (size_t k = 0; !bad && k < scoped.n; k++) {
				cleanup_free char *sub = xasprintf("%s/%s", dir, scoped.v[k]);

				bad = collect_npm_one(fs, loc, sub, out, err) < 0;
			}
			strv_release(&scoped);
			if (bad)
				goto out;
		} else if (collect_npm_one(fs, loc, dir, out, err) < 0) {
			goto out;
		}
	}
	rc = 0;
out:
	strv_release(&names);
	return rc;
}

/* The pip and npm locations the snapshot recorded changes at. */
static void
language_locations(const struct snapshot *s, const char *manager,
    struct strv *out)
{
	for (size_t i = 0; i < s->packages.n; i++) {
		const struct pkg *p = &s->packages.v[i].pkg;

		if (strcmp(p->manager, manager) == 0 && p->location &&
		    p->location[0] == '/' && strv_find(out, p->location) < 0)
			strv_push(out, p->location);
	}
}

/* All the packages of one image that verify compares. */
static int
collect_image(const struct pkg_fs *fs, const struct strv *pip_locs,
    const struct strv *npm_locs, struct pkg_set *out, struct strv *warnings,
    struct keep_error **err)
{
	if (dpkg_collect(fs, out, warnings, err) < 0 ||
	    apk_collect(fs, out, NULL, warnings, err) < 0)
		return -1;
	for (size_t i = 0; i < pip_locs->n; i++)
		if (collect_pip(fs, pip_locs->v[i], out, err) < 0)
			return -1;
	for (size_t i = 0; i < npm_locs->n; i++)
		if (collect_npm(fs, npm_locs->v[i], out, err) < 0)
			return -1;
	return 0;
}

struct output_tee {
	const struct verify_opts *opts;
	struct strv *tail;
	struct buf partial;
};

/* Forward the builder's text and keep its last lines for a failure. */
static void
output_tee(void *ctx, const char *text)
{
	struct output_tee *t = ctx;

	if (t->opts->output)
		t->opts->output(t->opts->output_ctx, text);
	for (const char *p = text; *p; p++) {
		if (*p != '\n' && *p != '\r') {
			buf_addch(&t->partial, *p);
			continue;
		}
		if (t->partial.len == 0)
			continue;
		if (t->tail->n == TAIL_LINES) {
			free(t->tail->v[0]);
			memmove(t->tail->v, t->tail->v + 1,
			    (t->tail->n - 1) * sizeof(*t->tail->v));
			t->tail->n--;
		}
		strv_push(t->tail, buf_cstr(&t->partial));
		buf_truncate(&t->partial, 0);
	}
}

static void
progress(const struct verify_opts *o, int begin, const char *what)
{
	if (o->progress)
		o->progress(o->progress_ctx, begin, what);
}

/* The image the recipe's FROM names must be here: keep never pulls. */
static int
check_base(struct engine *e, const struct snapshot *s, struct keep_error **err)
{
	const char *ref = s->base_digest ? s->base_digest : s->base.id;
	struct image img;

	if (ref == NULL || ref[0] == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the snapshot records no base image");
	if (engine_image_inspect(e, ref, &img, err) == 0) {
		image_release(&img);
		return 0;
	}
	if (!keep_error_not_found(err))
		return -1;
	return keep_error_set(err, KEEP_ERR_NOT_FOUND,
	    "base image '%s'%s%s%s is not present locally; load or pull it, "
	    "then verify again (keep never pulls)", ref,
	    s->config.image_ref ? " (" : "", nz(s->config.image_ref),
	    s->config.image_ref ? ")" : "");
}

static int
record(struct catalog *cat, const struct snapshot *s, const char *status,
    const char *detail, struct keep_error **err)
{
	if (cat == NULL || s->id == 0)
		return 0;
	if (catalog_snapshot_verify_set(cat, s->id, status, detail, err) < 0)
		return -1;
	return 0;
}

/*
 * The apt pins' snapshot-archive times (as the recipe writes them) and
 * the sources that have no archive, for the report.
 */
static int
apt_report(const struct snapshot *s, struct verify_result *out,
    struct keep_error **err)
{
	static const char *const names[] = { "fallback", "always", "never" };
	enum render_apt_snapshot when;
	const char *url;
	int pins = 0;

	if (recipe_apt_snapshot_get(&when, &url, err) < 0)
		return -1;
	out->apt_snapshot = names[when];
	if (when == RENDER_APT_SNAPSHOT_NEVER)
		return 0;

	for (size_t i = 0; i < s->packages.n; i++) {
		const struct pkg_change *c = &s->packages.v[i];
		char *t;

		/* The pins the recipe installs from an index (as it renders them). */
		if (strcmp(c->pkg.manager, "dpkg") != 0 ||
		    c->change == PKG_REMOVED || c->pkg.origin[0] != '\0')
			continue;
		pins = 1;
		t = render_apt_snapshot_time(c->first_saved);
		if (t && s->apt_sources.n > 0 && strv_find(&out->apt_times, t) < 0)
			strv_push(&out->apt_times, t);
		free(t);
	}
	strv_sort(&out->apt_times);
	for (size_t i = 0; pins && i < s->apt_sources.n; i++)
		if (s->apt_sources.v[i].archive[0] == '\0')
			strv_pushf(&out->apt_unarchived, "%s %s",
			    s->apt_sources.v[i].uri, s->apt_sources.v[i].suite);
	return 0;
}

/* The loose paths of s: all of them (want_deleted), or those it has. */
static void
loose_paths(const struct snapshot *s, int want_deleted, struct strv *out)
{
	for (size_t i = 0; i < s->loose.n; i++)
		if (s->loose.v[i].path[0] == '/' &&
		    (want_deleted || s->loose.v[i].kind != FS_DELETED))
			strv_push(out, s->loose.v[i].path);
}

/* Compare the loose files of the snapshot's image and the rebuilt one. */
static int
compare_files(struct engine *e, const struct snapshot *s, const char *own,
    const struct build_context *bc, int no_context, struct verify_result *out,
    struct keep_error **err)
{
	struct strv have = { 0 }, all = { 0 }, ctx = { 0 };
	struct image_files snap = { 0 }, got = { 0 };
	int rc = -1;

	loose_paths(s, 0, &have);
	loose_paths(s, 1, &all);
	for (size_t i = 0; i < bc->n; i++)
		strv_push(&ctx, bc->v[i].path);
	strv_sort(&ctx);
	if (image_files_read(e, own, &have, &snap, err) < 0) {
		keep_error_wrap(err, "read the loose files of '%s'", s->image);
	} else if (image_files_read(e, out->image_id, &all, &got, err) < 0) {
		keep_error_wrap(err, "read the loose files of the rebuilt image");
	} else {
		verify_files(s, &snap, &got, no_context ? NULL : &ctx, out);
		rc = 0;
	}
	image_files_release(&snap);
	image_files_release(&got);
	strv_release(&have);
	strv_release(&all);
	strv_release(&ctx);
	return rc;
}

/* The recipe without its loose files: what the recipe repository holds. */
static int
context_without_files(const struct snapshot *s, struct build_context *bc,
    struct strv *warnings, struct keep_error **err)
{
	struct recipe_input in;

	memset(bc, 0, sizeof(*bc));
	if (recipe_input_of(s, &in, err) < 0)
		return -1;
	in.classic_builder = 1;	/* keep's own build */
	return render_dockerfile(&in, &bc->dockerfile, warnings, err);
}

int
keep_verify(struct engine *e, struct catalog *cat, const struct snapshot *s,
    const struct verify_opts *opts, struct verify_result *out,
    struct keep_error **err)
{
	static const struct verify_opts none = { 0 };
	struct build_context bc = { 0 };
	cleanup_buf struct buf tar = BUF_INIT;
	struct output_tee tee = { 0 };
	struct engine_build_opts bopts = { 0 };
	struct pkg_fs built_fs = { 0 }, snap_fs = { 0 };
	struct pkg_set want = { 0 }, got = { 0 };
	struct strv pip_locs = { 0 }, npm_locs = { 0 };
	struct image rebuilt = { 0 };
	cleanup_free char *tag = NULL, *own = NULL;
	int rc = -1, built = 0;

	memset(out, 0, sizeof(*out));
	if (opts == NULL)
		opts = &none;
	if (check_base(e, s, err) < 0)
		return -1;
	/*
	 * Saved on another machine (keep pull): its image is there, not
	 * here. The recipe is built without its files and compared with
	 * the packages and config the recipe repository recorded.
	 */
	if (s->imported_at)
		strv_pushf(&out->warnings, "'%s' #%ld was saved on another "
		    "machine: its image is not here, its loose files are not "
		    "compared", s->config.name, s->seq);
	else if (snapshot_image_ref(e, s, &own, &out->warnings, err) < 0)
		return -1;
	if (apt_report(s, out, err) < 0)
		return -1;

	if ((opts->no_context || s->imported_at ?
	    context_without_files(s, &bc, &out->warnings, err) :
	    build_context_collect(e, s, own, BUILD_FOR_KEEP, 0, &bc,
	    &out->warnings, err)) < 0 ||
	    build_context_tar(&bc, &tar, err) < 0)
		goto done;

	tag = opts->keep_image ? xstrdup(opts->keep_image) :
	    xasprintf("keep-verify:%ld-%ld", (long)getpid(), s->seq);
	tee.opts = opts;
	tee.tail = &out->build_tail;
	bopts.tag = tag;
	bopts.network_mode = "host";
	bopts.build_args = opts->build_args;
	bopts.output = output_tee;
	bopts.output_ctx = &tee;
	progress(opts, 1, "building");
	rc = engine_build(e, tar.ptr, tar.len, &bopts, &out->image_id, err);
	progress(opts, 0, "building");
	if (tee.partial.len > 0)
		output_tee(&tee, "\n");
	if (rc < 0) {
		out->status = "failed";
		out->detail = xstrdup((*err)->message);
		record(cat, s, out->status, out->detail, NULL);
		goto done;
	}
	built = 1;
	rc = -1;

	progress(opts, 1, "comparing packages");
	language_locations(s, "pip", &pip_locs);
	language_locations(s, "npm", &npm_locs);
	if (own)
		engine_fs_image(&snap_fs, e, own);
	engine_fs_image(&built_fs, e, out->image_id);
	if ((own ? collect_image(&snap_fs, &pip_locs, &npm_locs, &want,
	    &out->warnings, err) : history_packages(cat, s, &want, err)) < 0) {
		keep_error_wrap(err, "read the packages of '%s'", s->image);
	} else if (collect_image(&built_fs, &pip_locs, &npm_locs, &got,
	    &out->warnings, err) < 0) {
		keep_error_wrap(err, "read the packages of the rebuilt image");
	} else {
		rc = 0;
	}
	pkg_fs_release(&snap_fs);
	pkg_fs_release(&built_fs);
	progress(opts, 0, "comparing packages");
	if (rc < 0)
		goto done;
	verify_compare(&want, &got, out);

	progress(opts, 1, "comparing files and config");
	rc = own ? compare_files(e, s, own, &bc, opts->no_context, out, err) :
	    0;
	if (rc == 0 && (rc = engine_image_inspect(e, out->image_id, &rebuilt,
	    err)) < 0)
		keep_error_wrap(err, "inspect the rebuilt image");
	progress(opts, 0, "comparing files and config");
	if (rc < 0)
		goto done;
	verify_config(s, &rebuilt, out);
	verify_summarize(out);
	if (record(cat, s, out->status, out->detail, err) < 0)
		rc = -1;
done:
	if (built && opts->keep_image == NULL) {
		struct keep_error *rerr = NULL;

		/* By our tag: an image that is also another's (a cache hit) stays. */
		if (engine_image_remove(e, tag, 0, &rerr) < 0) {
			strv_push(&out->warnings, rerr->message);
			keep_error_free(rerr);
		}
	}
	if (built && opts->keep_image == NULL) {
		free(out->image_id);
		out->image_id = NULL;
	}
	image_release(&rebuilt);
	buf_release(&tee.partial);
	build_context_release(&bc);
	pkg_set_release(&want);
	pkg_set_release(&got);
	strv_release(&pip_locs);
	strv_release(&npm_locs);
	return rc;
}
