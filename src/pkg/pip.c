/*
 * pip and uv: every installed distribution has a NAME-VERSION.dist-info
 * directory next to its code, in whichever site-packages, dist-packages or
 * venv it went to. Rather than searching the whole filesystem, the change
 * list tells where the added and deleted ones are.
 */
#include "pkg/pkg_internal.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

int
pip_parse_metadata(const char *data, size_t len, char **name, char **version)
{
	const char *line;
	size_t pos = 0, n;
	char *nm = NULL, *ver = NULL;

	/* Headers end at the first empty line; the body is the description. */
	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		const char *colon, *val;
		size_t klen, vlen;

		if (n == 0)
			break;
		if (memchr(line, '\0', n) != NULL)
			continue;
		colon = memchr(line, ':', n);
		if (colon == NULL || line[0] == ' ' || line[0] == '\t')
			continue;
		klen = (size_t)(colon - line);
		vlen = n - klen - 1;
		val = pkgi_trim(colon + 1, &vlen);
		if (nm == NULL && pkgi_eq(line, klen, "Name"))
			nm = xstrndup(val, vlen);
		else if (ver == NULL && pkgi_eq(line, klen, "Version"))
			ver = xstrndup(val, vlen);
	}
	if (nm == NULL || ver == NULL || nm[0] == '\0' || ver[0] == '\0') {
		free(nm);
		free(ver);
		return -1;
	}
	*name = nm;
	*version = ver;
	return 0;
}

/* The first CSV field of a RECORD line, unquoted. Caller frees. */
static char *
record_path(const char *line, size_t n)
{
	struct buf b = BUF_INIT;
	size_t i = 0;

	if (n > 0 && line[0] == '"') {
		for (i = 1; i < n; i++) {
			if (line[i] == '"') {
				if (i + 1 < n && line[i + 1] == '"') {
					buf_addch(&b, '"');
					i++;
					continue;
				}
				break;
			}
			buf_addch(&b, line[i]);
		}
	} else {
		for (i = 0; i < n && line[i] != ','; i++)
			buf_addch(&b, line[i]);
	}
	if (b.ptr == NULL)
		return xstrdup("");
	return buf_detach(&b, NULL);
}

size_t
pip_parse_record(const char *data, size_t len, const char *site,
    struct strv *out)
{
	const char *line;
	size_t pos = 0, n, cost = 0;

	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		cleanup_free char *rel = NULL, *joined = NULL;
		char *clean;

		if (n == 0 || memchr(line, '\0', n) != NULL)
			continue;
		rel = record_path(line, n);
		if (rel[0] == '\0')
			continue;
		/* RECORD paths are relative to site-packages, or absolute. */
		if (rel[0] == '/')
			joined = xstrdup(rel);
		else
			joined = xasprintf("%s/%s", site, rel);
		clean = pkgi_path_clean(joined);
		if (clean == NULL)
			continue;
		cost += BUDGET_STRING(strlen(clean));
		if (out != NULL)
			strv_push_nodup(out, clean);
		else
			free(clean);
	}
	return cost;
}

int
pip_parse_direct_url(const char *data, size_t len, char **origin)
{
	json_error_t jerr;
	json_t *root, *url, *vcs;
	int rc = -1;

	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL)
		return -1;
	url = json_object_get(root, "url");
	if (json_is_string(url) && json_string_length(url) > 0) {
		json_t *vi = json_object_get(root, "vcs_info");
		json_t *commit = json_object_get(vi, "commit_id");

		vcs = json_object_get(vi, "vcs");
		if (json_is_string(vcs))
			*origin = xasprintf("%s+%s%s%s", json_string_value(vcs),
			    json_string_value(url),
			    json_is_string(commit) ? "@" : "",
			    json_is_string(commit) ?
			    json_string_value(commit) : "");
		else
			*origin = xstrdup(json_string_value(url));
		rc = 0;
	}
	json_decref(root);
	return rc;
}

/* One *.dist-info directory the change list mentions. */
struct dist {
	char *dir;
	enum fs_change_kind kind;
	int exact;	/* the directory itself is in the change list */
	int used;
};

struct dists {
	struct dist *v;
	size_t n;
};

/* The dist-info directory path names (up to its end), or NULL. */
static char *
dist_dir_of(const char *path)
{
	const char *p = path;

	for (;;) {
		const char *hit = strstr(p, ".dist-info");

		if (hit == NULL)
			return NULL;
		p = hit + 10;
		if (*p == '\0' || *p == '/')
			return xstrndup(path, (size_t)(p - path));
	}
}

/* A change inside a dist-info directory, and where it stood in the list. */
struct dist_note {
	char *dir;
	const struct fs_change *c;
	size_t at;
};

static int
note_cmp(const void *a, const void *b)
{
	const struct dist_note *x = a, *y = b;
	int c = strcmp(x->dir, y->dir);

	if (c != 0)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * The dist-info directories the change list mentions: each directory's
 * changes side by side (sorted, in list order within one), folded into
 * what happened to it. O(n log n) in the changes.
 */
static void
dists_collect(const struct fs_changes *changes, struct dists *ds)
{
	struct dist_note *notes = NULL;
	size_t n = 0, cap = 0, cap_ds = 0;

	for (size_t i = 0; i < changes->n; i++) {
		char *dir = dist_dir_of(changes->v[i].path);

		if (dir == NULL)
			continue;
		notes = vec_grow(notes, n, &cap, sizeof(*notes));
		notes[n++] = (struct dist_note){ dir, &changes->v[i], i };
	}
	if (n > 1)
		qsort(notes, n, sizeof(*notes), note_cmp);
	for (size_t i = 0, j; i < n; i = j) {
		const struct fs_change *c = notes[i].c;
		int exact = strcmp(notes[i].dir, c->path) == 0;
		struct dist d = { notes[i].dir, exact ? c->kind :
		    c->kind == FS_ADDED ? FS_ADDED : FS_MODIFIED, exact, 0 };

		/* A file changed inside: the directory at least was modified. */
		for (j = i + 1; j < n && strcmp(notes[j].dir, d.dir) == 0; j++) {
			c = notes[j].c;
			if (strcmp(d.dir, c->path) == 0) {
				d.kind = c->kind;
				d.exact = 1;
			} else if (!d.exact && c->kind == FS_ADDED) {
				d.kind = FS_ADDED;
			}
			free(notes[j].dir);
		}
		ds->v = vec_grow(ds->v, ds->n, &cap_ds, sizeof(*ds->v));
		ds->v[ds->n++] = d;
	}
	free(notes);
}

static void
dists_release(struct dists *ds)
{
	for (size_t i = 0; i < ds->n; i++)
		free(ds->v[i].dir);
	free(ds->v);
}

static void
set_str(char **slot, const char *v)
{
	free(*slot);
	*slot = xstrdup(v);
}

/*
 * Explain a RECORD's files and the directories between them and site, so
 * that a deleted package directory is explained as well as its files.
 * What the files cost is charged first (a RECORD of short lines makes many
 * long paths), each directory as it is added; the directories of a file
 * in the same directory as the one before are not added again.
 */
static int
explain_record(const struct pkg_fs *fs, const char *path, const char *data,
    size_t len, const char *site, struct strv *explained,
    struct keep_error **err)
{
	struct strv files = { 0 };
	cleanup_free char *last = NULL;
	int rc = 0;

	if (pkgi_charge(fs, pip_parse_record(data, len, site, NULL), path,
	    err) < 0)
		return -1;
	pip_parse_record(data, len, site, &files);
	for (size_t i = 0; i < files.n && rc == 0; i++) {
		cleanup_free char *dir = pkgi_dirname(files.v[i]);

		/* Moved, not copied: charged once, kept once. */
		strv_push_nodup(explained, files.v[i]);
		files.v[i] = NULL;
		if (last != NULL && strcmp(dir, last) == 0)
			continue;
		free(last);
		last = xstrdup(dir);
		while (rc == 0 && strcmp(dir, "/") != 0 &&
		    pkgi_path_under(dir, site) && strcmp(dir, site) != 0) {
			char *up = pkgi_dirname(dir);

			rc = pkgi_charge(fs, BUDGET_STRING(strlen(dir)), path, err);
			strv_push(explained, dir);
			free(dir);
			dir = up;
		}
	}
	strv_release(&files);
	return rc;
}

/* The files of a dist-info directory that read_dist reads. */
static const char *const dist_files[] = {
	"METADATA", "INSTALLER", "REQUESTED", "direct_url.json", "RECORD",
};

/*
 * Read the dist-info directory dir of fs into *p (initialised by the
 * caller). Returns 0, 1 when there is no usable METADATA (a warning is
 * added), -1 on a read error.
 */
static int
read_dist(const struct pkg_fs *fs, const char *dir, const char *site,
    struct pkg *p, struct strv *explained, struct strv *warnings,
    struct keep_error **err)
{
	cleanup_buf struct buf b = BUF_INIT;
	cleanup_free char *path = NULL, *name = NULL, *version = NULL;
	cleanup_free char *origin = NULL;
	int r, requested;
	struct strv files = { 0 };

	/* What is read below: one archive read of the directory, not five. */
	for (size_t i = 0; i < sizeof(dist_files) / sizeof(*dist_files); i++)
		strv_pushf(&files, "%s/%s", dir, dist_files[i]);
	pkgi_prefetch(fs, dir, &files);
	strv_release(&files);
	path = xasprintf("%s/METADATA", dir);
	r = pkgi_read(fs, path, PKG_MAX_META, &b, err);
	if (r < 0 && !keep_error_not_found(err))
		return -1;
	if (r < 0 || pip_parse_metadata(b.ptr, b.len, &name, &version) < 0) {
		cleanup_free char *e = pkgi_escape(dir, strlen(dir));

		pkgi_warn(warnings, "pip: '%s' has no readable METADATA, "
		    "skipped", e);
		return 1;
	}
	set_str(&p->manager, "pip");
	set_str(&p->name, name);
	set_str(&p->version, version);
	set_str(&p->location, site);

	free(path);
	path = xasprintf("%s/INSTALLER", dir);
	buf_truncate(&b, 0);
	r = pkgi_read(fs, path, PKG_MAX_SMALL, &b, err);
	if (r < 0 && !keep_error_not_found(err))
		return -1;
	if (r == 0) {
		size_t n = b.len;
		const char *s = b.ptr;

		while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
			n--;
		s = pkgi_trim(s, &n);
		free(p->installer);
		p->installer = xstrndup(s, n);
	}

	free(path);
	path = xasprintf("%s/REQUESTED", dir);
	buf_truncate(&b, 0);
	requested = pkgi_read(fs, path, PKG_MAX_SMALL, &b, err) == 0;
	if (!requested && !keep_error_not_found(err))
		return -1;
	/* Only pip writes REQUESTED reliably; uv's absence means nothing. */
	p->automatic = strcmp(p->installer, "pip") == 0 && !requested;

	free(path);
	path = xasprintf("%s/direct_url.json", dir);
	buf_truncate(&b, 0);
	r = pkgi_read(fs, path, PKG_MAX_SMALL, &b, err);
	if (r < 0 && !keep_error_not_found(err))
		return -1;
	if (r == 0) {
		if (pip_parse_direct_url(b.ptr, b.len, &origin) == 0) {
			set_str(&p->origin, origin);
		} else {
			cleanup_free char *e = pkgi_escape(dir, strlen(dir));

			pkgi_warn(warnings, "pip: '%s/direct_url.json' is not "
			    "valid, origin unknown", e);
		}
	}

	/* A refused package explains nothing: its files stay visible. */
	if (explained != NULL && pkg_validate(p, NULL) == 0) {
		free(path);
		path = xasprintf("%s/RECORD", dir);
		buf_truncate(&b, 0);
		r = pkgi_read(fs, path, PKG_MAX_LIST, &b, err);
		if (r < 0 && !keep_error_not_found(err))
			return -1;
		if (r == 0 && explain_record(fs, path, b.ptr, b.len, site,
		    explained, err) < 0)
			return -1;
	}
	return 0;
}

void
pipi_state_dirs(const struct fs_changes *changes, struct strv *out)
{
	for (size_t i = 0; i < changes->n; i++) {
		cleanup_free char *dir = dist_dir_of(changes->v[i].path);

		if (dir != NULL) {
			char *site = pkgi_dirname(dir);

			if (out->n == 0 || strcmp(out->v[out->n - 1], site) != 0)
				strv_push(out, site);
			free(site);
		}
	}
}

/* "foo_bar-1.2.dist-info" → name "foo_bar", version "1.2". */
static int
split_dist_name(const char *dir, char **name, char **version)
{
	const char *base = strrchr(dir, '/');
	const char *dash, *end;

	base = base ? base + 1 : dir;
	end = base + strlen(base) - 10;	/* ".dist-info" */
	dash = memchr(base, '-', (size_t)(end - base));
	if (dash == NULL || dash == base || dash + 1 >= end)
		return -1;
	*name = xstrndup(base, (size_t)(dash - base));
	*version = xstrndup(dash + 1, (size_t)(end - dash - 1));
	return 0;
}

/* A deleted package as pairing knows it: location, normalised name. */
struct gone_key {
	const char *location;
	char *name;
	size_t at;	/* in gone */
};

static int
gone_key_cmp(const void *a, const void *b)
{
	const struct gone_key *x = a, *y = b;
	int c = strcmp(x->location, y->location);

	if (c == 0)
		c = strcmp(x->name, y->name);
	if (c != 0)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

/*
 * Pair each addition with the first unpaired deletion of the same
 * normalised name in the same place (an upgrade), and push the changes:
 * additions, upgrades, then the deletions left. The deletions are sorted
 * by key once, and each run of one key has a cursor to its first
 * unpaired entry: O((a + g) log g).
 */
static void
pair_upgrades(const struct pkg_set *added, struct pkg_set *gone,
    struct pkg_changes *out)
{
	struct gone_key *keys = xcalloc(gone->n + 1, sizeof(*keys));
	size_t *next = xcalloc(gone->n + 1, sizeof(*next));

	for (size_t j = 0; j < gone->n; j++) {
		keys[j] = (struct gone_key){ gone->v[j].location,
		    pip_normalize_name(gone->v[j].name), j };
		next[j] = j;
	}
	if (gone->n > 1)
		qsort(keys, gone->n, sizeof(*keys), gone_key_cmp);
	for (size_t i = 0; i < added->n; i++) {
		const struct pkg *a = &added->v[i];
		struct gone_key want = { a->location,
		    pip_normalize_name(a->name), 0 };
		const char *old = NULL;
		size_t lo = 0, hi = gone->n;

		/* The first key not below (location, name): its run's start. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (gone_key_cmp(&keys[mid], &want) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < gone->n && strcmp(keys[lo].location, want.location) == 0 &&
		    strcmp(keys[lo].name, want.name) == 0) {
			size_t k = next[lo];

			if (k < gone->n && strcmp(keys[k].location, want.location) == 0 &&
			    strcmp(keys[k].name, want.name) == 0) {
				old = gone->v[keys[k].at].version;
				gone->v[keys[k].at].automatic = -1;	/* paired */
				next[lo] = k + 1;
			}
		}
		free(want.name);
		if (old == NULL)
			pkg_changes_push(out, PKG_ADDED, a, NULL);
		else if (strcmp(old, a->version) != 0)
			pkg_changes_push(out, PKG_UPGRADED, a, old);
	}
	for (size_t j = 0; j < gone->n; j++) {
		if (gone->v[j].automatic != -1)
			pkg_changes_push(out, PKG_REMOVED, &gone->v[j], NULL);
		free(keys[j].name);
	}
	free(keys);
	free(next);
}

int
pip_scan(const struct pkg_fs *container, const struct pkg_fs *base,
    const struct fs_changes *changes, struct pkg_set *found,
    struct pkg_changes *out, struct strv *explained, struct strv *warnings,
    struct keep_error **err)
{
	struct dists ds = { 0 };
	struct pkg_set added = { 0 }, gone = { 0 };
	int rc = -1;

	dists_collect(changes, &ds);

	for (size_t i = 0; i < ds.n; i++) {
		struct dist *d = &ds.v[i];
		cleanup_free char *site = pkgi_dirname(d->dir);
		struct pkg p;
		int r;

		pkg_init_fields(&p);
		if (d->kind == FS_DELETED) {
			char *name = NULL, *version = NULL;

			r = 1;
			if (base != NULL) {
				r = read_dist(base, d->dir, site, &p, explained,
				    warnings, err);
				if (r < 0) {
					pkg_release(&p);
					goto out;
				}
			}
			if (r != 0) {
				if (split_dist_name(d->dir, &name, &version) < 0) {
					cleanup_free char *e = pkgi_escape(d->dir,
					    strlen(d->dir));

					pkgi_warn(warnings, "pip: cannot tell "
					    "the package of deleted '%s'", e);
					pkg_release(&p);
					continue;
				}
				set_str(&p.manager, "pip");
				set_str(&p.location, site);
				free(p.name);
				p.name = name;
				free(p.version);
				p.version = version;
			}
			if (pkg_validate(&p, NULL) == 0)
				strv_push(explained, d->dir);
			pkg_set_push(&gone, &p);
			pkg_release(&p);
			continue;
		}
		r = read_dist(container, d->dir, site, &p, explained, warnings,
		    err);
		if (r < 0) {
			pkg_release(&p);
			goto out;
		}
		if (r == 0) {
			if (pkg_validate(&p, NULL) == 0)
				strv_pushf(explained, "%s/", d->dir);
			pkg_set_push(found, &p);
			if (d->kind == FS_MODIFIED && base != NULL) {
				struct pkg old;
				struct strv ignore = { 0 };

				/* Rewritten in place: compare with the base. */
				pkg_init_fields(&old);
				r = read_dist(base, d->dir, site, &old, NULL,
				    &ignore, err);
				strv_release(&ignore);
				if (r < 0) {
					pkg_release(&old);
					pkg_release(&p);
					goto out;
				}
				if (r == 0 && strcmp(old.version, p.version) != 0)
					pkg_changes_push(out, PKG_UPGRADED, &p,
					    old.version);
				else if (r != 0)
					pkg_changes_push(out, PKG_ADDED, &p, NULL);
				pkg_release(&old);
			} else if (d->kind == FS_ADDED) {
				pkg_set_push(&added, &p);
			}
		}
		pkg_release(&p);
	}

	pair_upgrades(&added, &gone, out);
	rc = 0;
out:
	pkg_set_release(&added);
	pkg_set_release(&gone);
	dists_release(&ds);
	return rc;
}
