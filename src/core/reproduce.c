#include "core/reproduce.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/snapshots.h"
#include "core/build_context.h"
#include "engine/lifecycle.h"
#include "model/installer_config.h"
#include "util/sha256.h"
#include "util/tar.h"
#include "util/xalloc.h"

/* One fetch of a directory larger than this is made again path by path. */
#define ROOT_MAX ((size_t)256 << 20)

/* The candidates, sorted by path, and what one image holds at each. */
struct view {
	const struct fs_change **cand;
	size_t n;
	char **sig;		/* per candidate: its signature, NULL when absent */
	unsigned char *known;	/* per candidate: a fetch covered it */
	const char *parent;	/* of the fetch being read, "" for "/" */
};

static int
cand_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(const struct fs_change *const *)elem)->path);
}

static int
cand_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct fs_change *const *)a)->path,
	    (*(const struct fs_change *const *)b)->path);
}

static int
is_under(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return strncmp(path, dir, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

/*
 * What a rebuild must match: the type, mode and owner, and a file's bytes
 * or a link's target. Times never match and do not count.
 */
static char *
signature(const struct tar_entry *ent)
{
	char hex[2 * SHA256_DIGEST_SIZE + 1];

	switch (ent->type) {
	case TAR_FILE:
		sha256_hex(ent->data ? ent->data : "", ent->data_len, hex);
		return xasprintf("file %o %lld:%lld %zu %s", ent->mode,
		    (long long)ent->uid, (long long)ent->gid, ent->data_len, hex);
	case TAR_DIR:
		return xasprintf("dir %o %lld:%lld", ent->mode,
		    (long long)ent->uid, (long long)ent->gid);
	case TAR_SYMLINK:
	case TAR_HARDLINK:
		return xasprintf("%s %lld:%lld %s", ent->type == TAR_SYMLINK ?
		    "symlink" : "hardlink", (long long)ent->uid,
		    (long long)ent->gid, ent->link ? ent->link : "");
	default:
		return xasprintf("other %d %o %lld:%lld", (int)ent->type,
		    ent->mode, (long long)ent->uid, (long long)ent->gid);
	}
}

static int
view_entry(void *ctx, const struct tar_entry *ent, struct keep_error **err)
{
	struct view *v = ctx;
	cleanup_free char *abs = xasprintf("%s/%s", v->parent, ent->path);
	const struct fs_change **hit;
	size_t i;

	(void)err;
	hit = bsearch(abs, v->cand, v->n, sizeof(*v->cand), cand_key_cmp);
	if (hit == NULL)
		return 0;
	i = (size_t)(hit - v->cand);
	free(v->sig[i]);
	v->sig[i] = signature(ent);
	return 0;
}

/* Everything at root or below it is known: what the fetch did not show is absent. */
static void
mark_known(struct view *v, const char *root)
{
	for (size_t i = 0; i < v->n; i++)
		if (is_under(v->cand[i]->path, root))
			v->known[i] = 1;
}

/* Read root (one archive request) from the container reader into v. */
static int
fetch(struct engine *e, const char *reader, const char *root, struct view *v,
    struct keep_error **err)
{
	struct tar_collector tc;
	struct tar_read_opts ropts = { 1, ROOT_MAX };
	cleanup_free char *parent = xstrdup(root);
	int rc;

	*strrchr(parent, '/') = '\0';
	v->parent = parent;
	tar_collector_init(&tc, ROOT_MAX);
	rc = engine_container_archive(e, reader, root, tar_collector_sink, &tc, err);
	if (rc < 0 && keep_error_not_found(err))
		rc = 0;		/* nothing there: all of it absent */
	else if (rc == 0)
		rc = tar_read_mem(tc.data.ptr, tc.data.len, &ropts, view_entry, v,
		    err);
	tar_collector_release(&tc);
	if (rc == 0)
		mark_known(v, root);
	return rc;
}

/*
 * What to fetch: a candidate's parent directory when it holds other
 * candidates too (one request for a directory of generated files), else
 * the candidate alone; nothing below a root already chosen.
 */
static void
choose_roots(const struct view *v, struct strv *roots)
{
	struct strv parents = { 0 }, all = { 0 };

	for (size_t i = 0; i < v->n; i++) {
		cleanup_free char *p = xstrdup(v->cand[i]->path);

		*strrchr(p, '/') = '\0';
		strv_push(&parents, p);
	}
	strv_sort(&parents);
	for (size_t i = 0; i < v->n; i++) {
		const char *path = v->cand[i]->path;
		cleanup_free char *p = xstrdup(path);
		size_t lo, hi, n = 0;

		*strrchr(p, '/') = '\0';
		/* How many candidates share this parent. */
		for (lo = 0, hi = parents.n; lo < hi;) {
			size_t mid = (lo + hi) / 2;

			if (strcmp(parents.v[mid], p) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		while (lo + n < parents.n && strcmp(parents.v[lo + n], p) == 0)
			n++;
		strv_push(&all, n >= 2 && p[0] != '\0' ? p : path);
	}
	strv_sort(&all);
	for (size_t i = 0; i < all.n; i++) {
		int covered = 0;

		for (size_t j = 0; j < roots->n && !covered; j++)
			covered = is_under(all.v[i], roots->v[j]);
		if (!covered)
			strv_push(roots, all.v[i]);
	}
	strv_release(&parents);
	strv_release(&all);
}

/* Read every root from reader; a root too big to fetch whole goes path by path. */
static int
read_view(struct engine *e, const char *image, const struct strv *roots,
    struct view *v, struct keep_error **err)
{
	cleanup_free char *reader = NULL;
	struct keep_error *rerr = NULL;
	int rc = 0;

	if (engine_container_create_reader(e, image, &reader, err) < 0)
		return -1;
	for (size_t r = 0; r < roots->n && rc == 0; r++) {
		struct keep_error *big = NULL;

		if (fetch(e, reader, roots->v[r], v, &big) == 0)
			continue;
		keep_error_free(big);
		for (size_t i = 0; i < v->n && rc == 0; i++)
			if (!v->known[i] && is_under(v->cand[i]->path, roots->v[r]))
				rc = fetch(e, reader, v->cand[i]->path, v, err);
	}
	if (engine_container_remove(e, reader, 1, &rerr) < 0 && rc == 0) {
		*err = rerr;
		return -1;
	}
	keep_error_free(rerr);
	return rc;
}

/* Build the package-only recipe of s into *image_out (caller frees). */
static int
build_packages(struct engine *e, const struct snapshot *s, const char *image,
    const struct reproduce_opts *opts, char **image_out,
    struct keep_error **err)
{
	struct snapshot only = *s;	/* shares s's fields: never released */
	struct build_context bc = { 0 };
	struct engine_build_opts bopts = { 0 };
	struct strv ignored = { 0 };
	struct kvv labels = { 0 };
	cleanup_buf struct buf tar = BUF_INIT;
	int rc;

	/* The loose files the installs read, and none other. */
	memset(&only.loose, 0, sizeof(only.loose));
	for (size_t i = 0; i < s->loose.n; i++)
		if (installer_config_match(s->loose.v[i].path, NULL))
			fs_changes_push(&only.loose, s->loose.v[i].path,
			    s->loose.v[i].kind);
	rc = build_context_collect(e, &only, image, BUILD_FOR_KEEP, 0, &bc,
	    &ignored, err);
	fs_changes_release(&only.loose);
	strv_release(&ignored);
	if (rc == 0)
		rc = build_context_tar(&bc, &tar, err);
	build_context_release(&bc);
	if (rc < 0)
		return -1;
	kvv_push(&labels, REPRODUCE_LABEL, s->config.name);
	bopts.labels = &labels;
	bopts.network_mode = "host";
	bopts.build_args = opts ? opts->build_args : NULL;
	bopts.output = opts ? opts->output : NULL;
	bopts.output_ctx = opts ? opts->output_ctx : NULL;
	rc = engine_build(e, tar.ptr, tar.len, &bopts, image_out, err);
	kvv_release(&labels);
	return rc;
}

static void
progress(const struct reproduce_opts *opts, int begin, const char *what)
{
	if (opts && opts->progress)
		opts->progress(opts->progress_ctx, begin, what);
}

int
reproduce_loose(struct engine *e, const struct snapshot *s,
    const char *image, const struct strv *candidates,
    const struct reproduce_opts *opts, struct strv *out,
    struct keep_error **err)
{
	struct view vs = { 0 }, vp = { 0 };
	struct strv roots = { 0 };
	cleanup_free char *built = NULL;
	int rc = -1;

	vs.cand = xcalloc(s->loose.n + 1, sizeof(*vs.cand));
	for (size_t i = 0; i < s->loose.n; i++) {
		const char *key = s->loose.v[i].path;

		if (bsearch(&key, candidates->v, candidates->n,
		    sizeof(*candidates->v), strv_cmp))
			vs.cand[vs.n++] = &s->loose.v[i];
	}
	if (vs.n == 0 || s->packages.n == 0) {
		free(vs.cand);
		return 0;
	}
	qsort(vs.cand, vs.n, sizeof(*vs.cand), cand_cmp);
	vs.sig = xcalloc(vs.n, sizeof(*vs.sig));
	vs.known = xcalloc(vs.n, 1);
	vp = vs;
	vp.sig = xcalloc(vs.n, sizeof(*vp.sig));
	vp.known = xcalloc(vs.n, 1);

	progress(opts, 1, "rebuilding the packages");
	rc = build_packages(e, s, image, opts, &built, err);
	progress(opts, 0, "rebuilding the packages");
	if (rc < 0) {
		keep_error_wrap(err, "rebuild the packages of '%s' #%ld",
		    s->config.name, s->seq);
		goto done;
	}
	progress(opts, 1, "comparing files");
	choose_roots(&vs, &roots);
	rc = read_view(e, image, &roots, &vs, err);
	if (rc == 0)
		rc = read_view(e, built, &roots, &vp, err);
	progress(opts, 0, "comparing files");
	if (rc < 0)
		goto done;
	for (size_t i = 0; i < vs.n; i++) {
		int same;

		if (!vs.known[i] || !vp.known[i])
			continue;
		if (vs.cand[i]->kind == FS_DELETED)
			same = vp.sig[i] == NULL;
		else
			same = vs.sig[i] && vp.sig[i] && strcmp(vs.sig[i], vp.sig[i]) == 0;
		if (same)
			strv_push(out, vs.cand[i]->path);
	}
done:
	/* The built image stays: it is the build cache (reproduce.h). */
	for (size_t i = 0; i < vs.n; i++) {
		free(vs.sig[i]);
		free(vp.sig[i]);
	}
	free(vs.sig);
	free(vp.sig);
	free(vs.known);
	free(vp.known);
	free(vs.cand);
	strv_release(&roots);
	return rc;
}

int
reproduce_record(struct engine *e, struct catalog *cat, struct snapshot *s,
    const char *image, const struct reproduce_opts *opts, size_t *n_out,
    struct keep_error **err)
{
	struct strv unchecked = { 0 }, cands = { 0 }, same = { 0 };
	struct fs_changes kept = { 0 };
	int rc = -1;

	*n_out = 0;
	if (catalog_loose_unchecked(cat, s->id, &unchecked, err) < 0)
		return -1;
	for (size_t i = 0; i < unchecked.n; i++)
		if (!installer_config_match(unchecked.v[i], NULL))
			strv_push(&cands, unchecked.v[i]);
	if (cands.n == 0 || s->packages.n == 0) {
		rc = 0;
		goto out;
	}
	if (reproduce_loose(e, s, image, &cands, opts, &same, err) < 0 ||
	    catalog_loose_compared_set(cat, s->id, &cands, &same, err) < 0)
		goto out;
	for (size_t i = 0; i < s->loose.n; i++) {
		const char *key = s->loose.v[i].path;

		if (bsearch(&key, same.v, same.n, sizeof(*same.v), strv_cmp)) {
			(*n_out)++;
			continue;
		}
		fs_changes_push(&kept, key, s->loose.v[i].kind);
		kept.v[kept.n - 1].secret = s->loose.v[i].secret;
	}
	fs_changes_release(&s->loose);
	s->loose = kept;
	rc = 0;
out:
	strv_release(&unchecked);
	strv_release(&cands);
	strv_release(&same);
	return rc;
}
