/*
 * The analyzers together: full dpkg/apk sets diffed against the base, pip
 * and npm found through the change list, everything validated, and the
 * paths the changed packages explain; then the loose files that are left.
 */
#include "pkg/pkg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void
pkg_scan_release(struct pkg_scan *s)
{
	pkg_set_release(&s->packages);
	pkg_set_release(&s->base);
	pkg_changes_release(&s->changes);
	strv_release(&s->explained);
	strv_release(&s->warnings);
}

/* Every file dpkg_collect reads, then every file apk_collect reads. */
static const char *const dpkg_paths[] = {
	"/var/lib/dpkg/status", "/var/lib/dpkg/status.d",
	"/var/lib/apt/extended_states", NULL,
};
static const char *const apk_paths[] = {
	"/lib/apk/db/installed", "/etc/apk/world", NULL,
};

/*
 * Did the change list touch one of paths? A change at the path or below
 * it does, and so does an ancestor that was added or deleted (a replaced
 * /var/lib/dpkg). An ancestor reported as modified only means that
 * something inside it changed, which has its own entry. The list is
 * relative to the image the container was made from, so untouched
 * databases are byte for byte the base image's: reading them again (one
 * archive request each, the dearest part of a small save) tells nothing.
 */
static int
touched(const struct fs_changes *changes, const char *const *paths)
{
	for (size_t i = 0; i < changes->n; i++) {
		const struct fs_change *c = &changes->v[i];

		for (size_t d = 0; paths[d] != NULL; d++) {
			if (pkgi_path_under(c->path, paths[d]))
				return 1;
			if (c->kind != FS_MODIFIED &&
			    pkgi_path_under(paths[d], c->path))
				return 1;
		}
	}
	return 0;
}

int
pkg_dbs_changed(const struct fs_changes *changes)
{
	return touched(changes, dpkg_paths) || touched(changes, apk_paths);
}

/* Append the packages of set that manager keeps to out. */
static void
copy_manager(const struct pkg_set *set, const char *manager,
    struct pkg_set *out)
{
	for (size_t i = 0; i < set->n; i++)
		if (strcmp(set->v[i].manager, manager) == 0)
			pkg_set_push(out, &set->v[i]);
}

/*
 * One manager's sets of the container (cur) and the base (base): read
 * where the change list says they may differ, else taken from what is
 * known already. collect reads one filesystem (apk_db, may be NULL, gets
 * the raw database of the container / base for the file lists).
 */
static int
manager_sets(const char *manager, int same,
    int (*collect)(const struct pkg_fs *, struct pkg_set *, struct buf *,
    struct strv *, struct keep_error **),
    const struct pkg_fs *container, const struct pkg_fs *base,
    const struct pkg_set *base_cached, struct pkg_scan *s,
    struct buf *cur_db, struct buf *base_db, struct keep_error **err)
{
	size_t first = s->packages.n;

	if (same && base_cached != NULL) {
		/* The container's database is the base's: nothing to read. */
		copy_manager(base_cached, manager, &s->packages);
	} else if (collect(container, &s->packages, cur_db, &s->warnings,
	    err) < 0) {
		return keep_error_wrap(err, "read the container's packages");
	}
	if (base_cached != NULL) {
		copy_manager(base_cached, manager, &s->base);
	} else if (same && base != NULL) {
		/* The same bytes as the base's: no reader container needed. */
		for (size_t i = first; i < s->packages.n; i++)
			pkg_set_push(&s->base, &s->packages.v[i]);
	} else if (base != NULL && collect(base, &s->base, base_db,
	    &s->warnings, err) < 0) {
		return keep_error_wrap(err, "read the base image's packages");
	}
	return 0;
}

/* dpkg_collect in the shape of apk_collect. */
static int
dpkg_collect_db(const struct pkg_fs *fs, struct pkg_set *out,
    struct buf *db_out, struct strv *warnings, struct keep_error **err)
{
	(void)db_out;
	return dpkg_collect(fs, out, warnings, err);
}

/*
 * What an analyzer reads besides the databases above: apt's history,
 * dpkg's file lists and its other records (alternatives).
 */
static const char *const read_dirs[] = {
	"/var/lib/dpkg", "/var/lib/apt/extended_states", "/lib/apk",
	"/etc/apk/world", "/var/log/apt/history.log", NULL,
};

int
pkg_path_is_inert(const char *path)
{
	if (!pkg_path_is_noise(path) || strstr(path, ".dist-info") != NULL)
		return 0;
	/* A read path, or a folder that holds one (added or deleted whole). */
	for (size_t i = 0; read_dirs[i] != NULL; i++)
		if (pkgi_path_under(path, read_dirs[i]) ||
		    pkgi_path_under(read_dirs[i], path))
			return 0;
	return 1;
}

void
pkg_state_paths(const struct fs_changes *changes, struct strv *out)
{
	const char *const *sets[] = { dpkg_paths, apk_paths, NULL };
	static const char *const history[] = { "/var/log/apt/history.log",
	    NULL };

	for (size_t k = 0; sets[k] != NULL; k++)
		for (size_t d = 0; sets[k][d] != NULL; d++) {
			const char *one[] = { sets[k][d], NULL };

			if (touched(changes, one))
				strv_push(out, sets[k][d]);
		}
	if (touched(changes, history))
		strv_push(out, history[0]);
	pipi_state_dirs(changes, out);
	npmi_state_dirs(changes, out);
	strv_sort_unique(out);
}

/* The files a changed dpkg package owns, from fs. */
static int
explain_owned(const struct pkg_fs *fs, const struct pkg *p,
    struct strv *explained, struct keep_error **err)
{
	if (strcmp(p->manager, "dpkg") == 0 && fs != NULL)
		return dpkg_owned_paths(fs, p, explained, err);
	return 0;
}

/*
 * The files the changed apk packages own: in the container's database
 * those added or upgraded, in the base's those removed or upgraded. One
 * pass over each database for all of them.
 */
static int
explain_apk(const struct pkg_fs *container, const struct pkg_fs *base_fs,
    const struct pkg_changes *changes, const struct buf *cur_db,
    const struct buf *base_db, struct strv *explained, struct keep_error **err)
{
	static const char db[] = "/lib/apk/db/installed";
	int rc = 0;

	struct strv cur = { 0 }, base = { 0 };

	for (size_t i = 0; i < changes->n; i++) {
		const struct pkg_change *c = &changes->v[i];

		if (strcmp(c->pkg.manager, "apk") != 0)
			continue;
		if (c->change != PKG_REMOVED)
			strv_push(&cur, c->pkg.name);
		if (c->change != PKG_ADDED)
			strv_push(&base, c->pkg.name);
	}
	strv_sort(&cur);
	strv_sort(&base);
	/* F: and R: lines make long paths of short ones: count, then keep. */
	if (cur.n > 0 && cur_db->len > 0) {
		rc = pkgi_charge(container, apk_parse_owned(cur_db->ptr,
		    cur_db->len, &cur, NULL), db, err);
		if (rc == 0)
			apk_parse_owned(cur_db->ptr, cur_db->len, &cur, explained);
	}
	if (rc == 0 && base_fs != NULL && base.n > 0 && base_db->len > 0) {
		rc = pkgi_charge(base_fs, apk_parse_owned(base_db->ptr,
		    base_db->len, &base, NULL), db, err);
		if (rc == 0)
			apk_parse_owned(base_db->ptr, base_db->len, &base, explained);
	}
	strv_release(&cur);
	strv_release(&base);
	return rc;
}

int
pkg_scan(const struct pkg_fs *container, const struct pkg_fs *base,
    const struct pkg_set *base_cached, const struct fs_changes *changes,
    struct pkg_scan *out, struct keep_error **err)
{
	cleanup_buf struct buf cur_apk = BUF_INIT;
	cleanup_buf struct buf base_apk = BUF_INIT;
	struct pkg_scan s;

	memset(&s, 0, sizeof(s));
	if (manager_sets("dpkg", !touched(changes, dpkg_paths), dpkg_collect_db,
	    container, base, base_cached, &s, NULL, NULL, err) < 0 ||
	    manager_sets("apk", !touched(changes, apk_paths), apk_collect,
	    container, base, base_cached, &s, &cur_apk, &base_apk, err) < 0)
		goto fail;
	/*
	 * Refuse hostile entries before anything uses their names (a dpkg
	 * name becomes part of a path below).
	 */
	pkg_set_filter_valid(&s.packages, &s.warnings);
	pkg_set_filter_valid(&s.base, &s.warnings);
	pkg_diff(&s.base, &s.packages, &s.changes);
	if (apt_history_mark_local(container, &s.changes, changes, err) < 0) {
		keep_error_wrap(err, "read apt's history");
		goto fail;
	}

	{
		/* The file lists below: one read each way, where reads are dear. */
		struct strv cur_lists = { 0 }, base_lists = { 0 };

		for (size_t i = 0; i < s.changes.n; i++) {
			const struct pkg_change *c = &s.changes.v[i];

			if (strcmp(c->pkg.manager, "dpkg") != 0)
				continue;
			if (c->change != PKG_REMOVED)
				dpkgi_list_paths(&c->pkg, &cur_lists);
			if (c->change != PKG_ADDED)
				dpkgi_list_paths(&c->pkg, &base_lists);
		}
		pkgi_prefetch(container, "/var/lib/dpkg/info", &cur_lists);
		pkgi_prefetch(base, "/var/lib/dpkg/info", &base_lists);
		strv_release(&cur_lists);
		strv_release(&base_lists);
	}
	for (size_t i = 0; i < s.changes.n; i++) {
		const struct pkg_change *c = &s.changes.v[i];

		if (c->change != PKG_REMOVED &&
		    explain_owned(container, &c->pkg, &s.explained, err) < 0)
			goto fail;
		if (c->change == PKG_ADDED)
			continue;
		/* What a removal or an upgrade took away: the base's list. */
		if (explain_owned(base, &c->pkg, &s.explained, err) < 0)
			goto fail;
	}
	if (explain_apk(container, base, &s.changes, &cur_apk, &base_apk,
	    &s.explained, err) < 0)
		goto fail;

	{
		struct pkg_changes lang = { 0 };
		struct pkg_set found = { 0 };

		if (pip_scan(container, base, changes, &found, &lang,
		    &s.explained, &s.warnings, err) < 0 ||
		    npm_scan(container, base, changes, &found, &lang,
		    &s.explained, &s.warnings, err) < 0) {
			pkg_changes_release(&lang);
			pkg_set_release(&found);
			goto fail;
		}
		pkg_set_filter_valid(&found, &s.warnings);
		pkg_changes_filter_valid(&lang, &s.warnings);
		for (size_t i = 0; i < found.n; i++)
			pkg_set_push(&s.packages, &found.v[i]);
		s.changes.cap = s.changes.n + lang.n + 1;
		s.changes.v = xreallocarray(s.changes.v, s.changes.cap,
		    sizeof(*s.changes.v));
		if (lang.n > 0)
			memcpy(s.changes.v + s.changes.n, lang.v,
			    lang.n * sizeof(*lang.v));
		s.changes.n += lang.n;
		free(lang.v);
		pkg_set_release(&found);
	}
	/* What the lists name through a merged /usr, and scripts made. */
	if (pkg_explain_alternatives(container, changes, &s.explained,
	    err) < 0 || pkg_explain_aliases(container, &s.explained, err) < 0)
		goto fail;
	pkg_set_sort(&s.packages);
	pkg_set_sort(&s.base);
	pkg_changes_sort(&s.changes);
	strv_sort_unique(&s.explained);
	strv_unique_stable(&s.warnings);
	*out = s;
	return 0;
fail:
	pkg_scan_release(&s);
	return -1;
}

/* Directories whose whole content is noise. */
static const char *const noise_dirs[] = {
	"/tmp", "/var/tmp", "/var/cache", "/var/log", "/run", "/var/run",
	"/var/lib/apt", "/var/lib/dpkg", "/lib/apk", "/root/.cache",
	"/root/.npm", NULL,
};

/*
 * Single files of package-manager bookkeeping, and the machine's identity
 * (dbus-uuidgen in a package's script makes one per install: no image
 * should carry it).
 */
static const char *const noise_files[] = {
	"/etc/ld.so.cache", "/etc/apk/world", "/etc/.pwd.lock",
	"/etc/machine-id", "/var/lib/dbus/machine-id", NULL,
};

/* Does path have a component equal to name? */
static int
has_component(const char *path, const char *name)
{
	size_t n = strlen(name);
	const char *p = path;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == path || p[-1] == '/') && (p[n] == '\0' || p[n] == '/'))
			return 1;
		p += n;
	}
	return 0;
}

int
pkg_path_is_noise(const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; noise_dirs[i] != NULL; i++)
		if (pkgi_path_under(path, noise_dirs[i]))
			return 1;
	for (size_t i = 0; noise_files[i] != NULL; i++)
		if (strcmp(path, noise_files[i]) == 0)
			return 1;
	/* npm's record of the global tree, rewritten on every install. */
	if (n >= 32 && strcmp(path + n - 32, "/node_modules/.package-lock.json") == 0)
		return 1;
	if (has_component(path, "__pycache__"))
		return 1;
	if (n >= 4 && (strcmp(path + n - 4, ".pyc") == 0 ||
	    strcmp(path + n - 4, ".pyo") == 0))
		return 1;
	/* Per-user caches. */
	if (pkgi_path_under(path, "/home") && (has_component(path, ".cache") ||
	    has_component(path, ".npm")))
		return 1;
	return 0;
}

/*
 * Path order with '/' before every other byte, so that everything below a
 * directory sorts right after it: "/a", "/a/b", "/a-b".
 */
static int
path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char ca = (unsigned char)*a, cb = (unsigned char)*b;

		if (ca == cb) {
			if (ca == '\0')
				return 0;
			continue;
		}
		if (ca == '\0' || cb == '\0')
			return ca == '\0' ? -1 : 1;
		if (ca == '/')
			return -1;
		if (cb == '/')
			return 1;
		return ca < cb ? -1 : 1;
	}
}

struct loose_item {
	const struct fs_change *c;
	size_t index;	/* position in the input, to keep its order */
	int keep;
};

/* A directory of pkg_loose_files' walk whose descendants are still coming. */
struct open_dir {
	size_t at;	/* in the sorted items */
	int has_desc;	/* a path below it was seen */
	int kept_desc;	/* one of them is kept */
};

static int
item_cmp(const void *a, const void *b)
{
	const struct loose_item *ia = a, *ib = b;

	return path_cmp(ia->c->path, ib->c->path);
}

static int
index_cmp(const void *a, const void *b)
{
	const struct loose_item *ia = a, *ib = b;

	return ia->index < ib->index ? -1 : ia->index > ib->index;
}

/* Is path listed in the sorted strv, or under one of its "dir/" entries? */
static int
is_explained(const struct strv *sorted, const char *path)
{
	char *key = (char *)path;

	if (sorted->n == 0)
		return 0;
	if (bsearch(&key, sorted->v, sorted->n, sizeof(*sorted->v), strv_cmp))
		return 1;
	/* Try every ancestor as a "dir/" entry. */
	for (const char *p = strchr(path + 1, '/'); p != NULL;
	    p = strchr(p + 1, '/')) {
		cleanup_free char *pre = xstrndup(path, (size_t)(p - path) + 1);

		key = pre;
		if (bsearch(&key, sorted->v, sorted->n, sizeof(*sorted->v),
		    strv_cmp))
			return 1;
	}
	return 0;
}

int
pkg_loose_files(const struct fs_changes *changes,
    const struct strv *explained, const struct strv *mount_destinations,
    struct fs_changes *out)
{
	struct strv sorted = { 0 };
	struct loose_item *items;
	struct open_dir *stack;
	size_t n = changes->n, depth = 0;

	if (n == 0)
		return 0;
	if (explained != NULL) {
		for (size_t i = 0; i < explained->n; i++)
			strv_push(&sorted, explained->v[i]);
		strv_sort_unique(&sorted);
	}
	items = xcalloc(n, sizeof(*items));
	for (size_t i = 0; i < n; i++) {
		const char *path = changes->v[i].path;
		int keep = 1;

		items[i].c = &changes->v[i];
		items[i].index = i;
		if (pkg_path_is_noise(path) || is_explained(&sorted, path))
			keep = 0;
		for (size_t m = 0; keep && mount_destinations != NULL &&
		    m < mount_destinations->n; m++)
			if (pkgi_path_under(path, mount_destinations->v[m]))
				keep = 0;
		items[i].keep = keep;
	}
	qsort(items, n, sizeof(*items), item_cmp);
	/*
	 * Sorted, a directory's descendants follow it in one run. Going down
	 * the list, a stack holds the directories whose run is still open;
	 * one is settled when its run ends, after everything below it, so it
	 * sees their final fate. Each path is pushed and popped once.
	 */
	stack = xcalloc(n + 1, sizeof(*stack));
	for (size_t i = 0; i <= n; i++) {
		while (depth > 0 && (i == n || !pkgi_path_under(items[i].c->path,
		    items[stack[depth - 1].at].c->path))) {
			struct open_dir d = stack[--depth];
			struct loose_item *it = &items[d.at];

			/* Modified only because a child changed, or emptied of news. */
			if (d.has_desc && it->keep &&
			    (it->c->kind == FS_MODIFIED || !d.kept_desc))
				it->keep = 0;
			if (depth > 0) {
				stack[depth - 1].has_desc = 1;
				stack[depth - 1].kept_desc |= it->keep || d.kept_desc;
			}
		}
		if (i < n)
			stack[depth++] = (struct open_dir){ i, 0, 0 };
	}
	free(stack);
	qsort(items, n, sizeof(*items), index_cmp);
	for (size_t i = 0; i < n; i++)
		if (items[i].keep)
			fs_changes_push(out, items[i].c->path, items[i].c->kind);
	free(items);
	strv_release(&sorted);
	return 0;
}
