/*
 * npm global packages: ROOT/[@scope/]name/package.json under the two global
 * roots npm uses on Debian-like images, found through the change list.
 */
#include "pkg/pkg_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const struct {
	const char *root;
	const char *bin;
} npm_roots[] = {
	{ "/usr/local/lib/node_modules", "/usr/local/bin" },
	{ "/usr/lib/node_modules", "/usr/bin" },
};

int
npm_parse_package_json(const char *data, size_t len, char **name,
    char **version, struct strv *bins_out)
{
	json_error_t jerr;
	json_t *root, *jn, *jv, *bin;

	root = json_loadb(data, len, 0, &jerr);
	if (root == NULL)
		return -1;
	jn = json_object_get(root, "name");
	jv = json_object_get(root, "version");
	if (!json_is_string(jn) || !json_is_string(jv) ||
	    json_string_length(jn) == 0 || json_string_length(jv) == 0 ||
	    strlen(json_string_value(jn)) != json_string_length(jn) ||
	    strlen(json_string_value(jv)) != json_string_length(jv)) {
		/* Missing, or holding a NUL (\u0000) that would cut it short. */
		json_decref(root);
		return -1;
	}
	*name = xstrdup(json_string_value(jn));
	*version = xstrdup(json_string_value(jv));
	bin = json_object_get(root, "bin");
	if (bins_out != NULL && json_is_string(bin)) {
		/* "bin": "cli.js" installs a command named after the package. */
		const char *slash = strrchr(*name, '/');

		strv_push(bins_out, slash ? slash + 1 : *name);
	} else if (bins_out != NULL && json_is_object(bin)) {
		const char *key;
		json_t *val;

		json_object_foreach(bin, key, val)
			strv_push(bins_out, key);
	}
	json_decref(root);
	return 0;
}

/* A package directory the change list mentions. */
struct cand {
	char *dir;
	size_t root;	/* index into npm_roots */
	enum fs_change_kind kind;
	int is_json;	/* while collecting: the change was package.json */
	size_t at;	/* while collecting: where the change stood */
};

static int
cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	int c = strcmp(x->dir, y->dir);

	if (c != 0)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * If path is ROOT/[@scope/]name or ROOT/[@scope/]name/package.json, return
 * the package directory and set *is_json.
 */
static char *
package_dir_of(const char *path, size_t *root, int *is_json)
{
	for (size_t r = 0; r < sizeof(npm_roots) / sizeof(npm_roots[0]); r++) {
		size_t rl = strlen(npm_roots[r].root);
		const char *rel, *slash, *end;

		if (strncmp(path, npm_roots[r].root, rl) != 0 || path[rl] != '/')
			continue;
		rel = path + rl + 1;
		if (rel[0] == '\0' || rel[0] == '.')
			return NULL;	/* .bin, .package-lock.json */
		slash = strchr(rel, '/');
		if (rel[0] == '@') {
			if (slash == NULL || slash[1] == '\0')
				return NULL;	/* the scope dir alone */
			slash = strchr(slash + 1, '/');
		}
		end = slash ? slash : rel + strlen(rel);
		if (slash != NULL && strcmp(slash, "/package.json") != 0)
			return NULL;
		*root = r;
		*is_json = slash != NULL;
		return xstrndup(path, (size_t)(end - path));
	}
	return NULL;
}

void
npmi_state_dirs(const struct fs_changes *changes, struct strv *out)
{
	for (size_t i = 0; i < changes->n; i++) {
		size_t root;
		int is_json;
		cleanup_free char *dir = package_dir_of(changes->v[i].path, &root,
		    &is_json);

		if (dir != NULL) {
			char *holder = pkgi_dirname(dir);

			if (out->n == 0 || strcmp(out->v[out->n - 1], holder) != 0)
				strv_push(out, holder);
			free(holder);
		}
	}
}

/* Explain dir and the commands of bins, charged to fs's budget first. */
static int
explain_package(const struct pkg_fs *fs, const char *dir, size_t root,
    const struct strv *bins, struct strv *explained, struct keep_error **err)
{
	size_t cost = 2 * BUDGET_STRING(strlen(dir) + 1);

	for (size_t i = 0; i < bins->n; i++)
		cost += BUDGET_STRING(strlen(npm_roots[root].bin) + 1 +
		    strlen(bins->v[i]));
	if (pkgi_charge(fs, cost, dir, err) < 0)
		return -1;
	strv_push(explained, dir);
	strv_pushf(explained, "%s/", dir);
	for (size_t i = 0; i < bins->n; i++) {
		cleanup_free char *b = NULL;

		if (bins->v[i][0] == '\0' || strchr(bins->v[i], '/') ||
		    strcmp(bins->v[i], ".") == 0 || strcmp(bins->v[i], "..") == 0)
			continue;
		b = xasprintf("%s/%s", npm_roots[root].bin, bins->v[i]);
		strv_push(explained, b);
	}
	return 0;
}

/*
 * Read dir/package.json of fs into *p and bins. 0, 1 when missing or
 * unusable (warning added when warn), -1 on a read error.
 */
static int
read_package(const struct pkg_fs *fs, const char *dir, size_t root,
    struct pkg *p, struct strv *bins, int warn, struct strv *warnings,
    struct keep_error **err)
{
	cleanup_buf struct buf b = BUF_INIT;
	cleanup_free char *path = xasprintf("%s/package.json", dir);
	char *name = NULL, *version = NULL;
	int r;

	r = pkgi_read(fs, path, PKG_MAX_META, &b, err);
	if (r < 0 && !keep_error_not_found(err))
		return -1;
	if (r < 0 ||
	    npm_parse_package_json(b.ptr, b.len, &name, &version, bins) < 0) {
		if (warn) {
			cleanup_free char *e = pkgi_escape(path, strlen(path));

			pkgi_warn(warnings, "npm: '%s' is missing or not "
			    "valid, skipped", e);
		}
		return 1;
	}
	pkg_init_fields(p);
	free(p->manager);
	p->manager = xstrdup("npm");
	free(p->name);
	p->name = name;
	free(p->version);
	p->version = version;
	free(p->location);
	p->location = xstrdup(npm_roots[root].root);
	return 0;
}

static int
scan_one(const struct pkg_fs *container, const struct pkg_fs *base,
    const struct cand *c, struct pkg_set *found, struct pkg_changes *out,
    struct strv *explained, struct strv *warnings, struct keep_error **err)
{
	struct strv bins = { 0 };
	struct pkg cur, old;
	int rc = -1, r, rb = 1;

	memset(&cur, 0, sizeof(cur));
	memset(&old, 0, sizeof(old));
	if (base != NULL && c->kind != FS_ADDED) {
		rb = read_package(base, c->dir, c->root, &old, &bins, 0,
		    warnings, err);
		if (rb < 0)
			goto out;
	}
	if (c->kind == FS_DELETED) {
		if (rb == 0) {
			pkg_changes_push(out, PKG_REMOVED, &old, NULL);
		} else {
			cleanup_free char *e = pkgi_escape(c->dir,
			    strlen(c->dir));

			pkgi_warn(warnings, "npm: cannot tell the version of "
			    "deleted '%s'", e);
		}
		if (rb == 0 && pkg_validate(&old, NULL) == 0 &&
		    explain_package(base, c->dir, c->root, &bins, explained,
		    err) < 0)
			goto out;
		rc = 0;
		goto out;
	}
	r = read_package(container, c->dir, c->root, &cur, &bins, 1, warnings,
	    err);
	if (r < 0)
		goto out;
	if (r == 0) {
		pkg_set_push(found, &cur);
		if (rb != 0)
			pkg_changes_push(out, PKG_ADDED, &cur, NULL);
		else if (strcmp(old.version, cur.version) != 0)
			pkg_changes_push(out, PKG_UPGRADED, &cur, old.version);
		/* A refused package explains nothing: its files stay visible. */
		if (pkg_validate(&cur, NULL) == 0 &&
		    explain_package(container, c->dir, c->root, &bins,
		    explained, err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (cur.manager != NULL)
		pkg_release(&cur);
	if (old.manager != NULL)
		pkg_release(&old);
	strv_release(&bins);
	return rc;
}

int
npm_scan(const struct pkg_fs *container, const struct pkg_fs *base,
    const struct fs_changes *changes, struct pkg_set *found,
    struct pkg_changes *out, struct strv *explained, struct strv *warnings,
    struct keep_error **err)
{
	struct cand *cands = NULL;
	size_t n = 0, cap = 0, o = 0;
	int rc = 0;

	for (size_t i = 0; i < changes->n; i++) {
		const struct fs_change *ch = &changes->v[i];
		size_t root;
		int is_json;
		char *dir = package_dir_of(ch->path, &root, &is_json);

		if (dir == NULL)
			continue;
		/*
		 * A directory counts when added or deleted (a deleted one hides
		 * its package.json); package.json when added or modified.
		 */
		if ((!is_json && ch->kind == FS_MODIFIED) ||
		    (is_json && ch->kind == FS_DELETED)) {
			free(dir);
			continue;
		}
		cands = vec_grow(cands, n, &cap, sizeof(*cands));
		cands[n++] = (struct cand){ dir, root, ch->kind, is_json, i };
	}
	/*
	 * One candidate per directory: its first change, whose kind a later
	 * change of the directory itself replaces. Sorted, so that each
	 * directory's changes stand together (O(n log n)).
	 */
	if (n > 1)
		qsort(cands, n, sizeof(*cands), cand_cmp);
	for (size_t i = 0; i < n; i++) {
		if (o > 0 && strcmp(cands[o - 1].dir, cands[i].dir) == 0) {
			if (!cands[i].is_json)
				cands[o - 1].kind = cands[i].kind;
			free(cands[i].dir);
			continue;
		}
		cands[o++] = cands[i];
	}
	n = o;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = scan_one(container, base, &cands[i], found, out, explained,
		    warnings, err);
	for (size_t i = 0; i < n; i++)
		free(cands[i].dir);
	free(cands);
	return rc;
}
