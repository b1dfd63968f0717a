#include "core/engine_fs.h"

#include <stdlib.h>
#include <string.h>

#include "engine/lifecycle.h"
#include "util/strv.h"
#include "util/tar.h"
#include "util/xalloc.h"

/* Room for tar headers (pax headers can be long) beyond a file's bytes. */
#define ARCHIVE_SLACK ((size_t)1 << 20)
/* A directory listing carries the whole tree under it. */
#define LIST_MAX ((size_t)256 << 20)
/* Symlinks followed per lookup, as a kernel would bound them. */
#define MAX_LINKS 16

/* A file a prefetch read, or found missing. */
struct efs_file {
	char *path;
	struct buf data;
	int missing;
};

struct engine_fs {
	struct engine *e;
	char *id;		/* container to read; NULL until created for an image */
	char *image;		/* image to create a reader from, or NULL */
	int created;		/* id names a reader container we must remove */
	struct efs_file *files;	/* what prefetches found, sorted by path */
	size_t n_files, cap_files;
};

static int
efs_container(struct engine_fs *fs, struct keep_error **err)
{
	if (fs->id)
		return 0;
	if (engine_container_create_reader(fs->e, fs->image, &fs->id, err) < 0) {
		/* A missing image says nothing of a path: never "not there". */
		(*err)->kind = KEEP_ERR_FAILED;
		return -1;
	}
	fs->created = 1;
	return 0;
}

/* Fetch the archive of path into c. A missing path is KEEP_ERR_NOT_FOUND. */
static int
efs_fetch(struct engine_fs *fs, const char *path, struct tar_collector *c,
    struct keep_error **err)
{
	if (efs_container(fs, err) < 0)
		return -1;
	return engine_container_archive(fs->e, fs->id, path, tar_collector_sink,
	    c, err);
}

struct first_entry {
	struct buf *out;
	enum tar_type type;
	char *link;
	int seen;
};

static int
first_entry_cb(void *ctx, const struct tar_entry *ent, struct keep_error **err)
{
	struct first_entry *f = ctx;

	(void)err;
	f->seen = 1;
	f->type = ent->type;
	if (ent->type == TAR_FILE && ent->data)
		buf_add(f->out, ent->data, ent->data_len);
	else if (ent->type == TAR_SYMLINK)
		f->link = xstrdup(ent->link);
	return 1; /* the archive of a file holds that file first */
}

/* The absolute path a symlink at path pointing to target names. */
static char *
resolve_link(const char *path, const char *target)
{
	const char *slash;

	if (target[0] == '/')
		return xstrdup(target);
	slash = strrchr(path, '/');
	return xasprintf("%.*s/%s", (int)(slash ? slash - path : 0), path, target);
}

static int
efs_file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct efs_file *)a)->path,
	    ((const struct efs_file *)b)->path);
}

static struct efs_file *
efs_prefetched(struct engine_fs *fs, const char *path)
{
	struct efs_file key = { .path = (char *)path };

	if (fs->n_files == 0)
		return NULL;
	return bsearch(&key, fs->files, fs->n_files, sizeof(*fs->files),
	    efs_file_cmp);
}

static int
efs_read_file(void *ctx, const char *path, size_t max, struct buf *out,
    struct keep_error **err)
{
	struct engine_fs *fs = ctx;
	struct tar_read_opts opts = { 1, max };
	struct efs_file *pf = efs_prefetched(fs, path);
	cleanup_free char *cur = NULL;

	if (pf != NULL && pf->missing)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "read '%s': not "
		    "there", path);
	if (pf != NULL && pf->data.len > max)
		return keep_error_set(err, KEEP_ERR_FAILED, "read '%s': file is "
		    "%zu bytes, more than the limit of %zu", path, pf->data.len,
		    max);
	if (pf != NULL) {
		buf_add(out, pf->data.ptr, pf->data.len);
		return 0;
	}
	cur = xstrdup(path);

	for (int hops = 0; hops <= MAX_LINKS; hops++) {
		struct tar_collector c;
		struct first_entry f = { out, TAR_OTHER, NULL, 0 };
		size_t before = out->len;
		int rc;

		tar_collector_init(&c, max + ARCHIVE_SLACK);
		rc = efs_fetch(fs, cur, &c, err);
		if (rc == 0)
			rc = tar_read_mem(c.data.ptr, c.data.len, &opts,
			    first_entry_cb, &f, err);
		tar_collector_release(&c);
		if (rc < 0) {
			free(f.link);
			return keep_error_wrap(err, "read '%s'", path);
		}
		if (f.seen && f.type == TAR_FILE)
			return 0;
		buf_truncate(out, before);
		if (!f.seen || f.type != TAR_SYMLINK)
			return keep_error_set(err, KEEP_ERR_NOT_FOUND,
			    "read '%s': not a regular file", path);
		{
			char *next = resolve_link(cur, f.link);

			free(cur);
			cur = next;
		}
		free(f.link);
	}
	return keep_error_set(err, KEEP_ERR_FAILED,
	    "read '%s': too many symbolic links", path);
}

static int
kv_ptr_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct kv *const *)a)->key,
	    (*(const struct kv *const *)b)->key);
}

struct list_ctx {
	struct strv *out;
	char *top;	/* the first entry's name: the directory itself */
};

static int
list_cb(void *ctx, const struct tar_entry *ent, struct keep_error **err)
{
	struct list_ctx *l = ctx;
	const char *rest;

	(void)err;
	size_t top_len;

	if (l->top == NULL) {
		l->top = xstrdup(ent->path);
		return 0;
	}
	/* Entries are "TOP/child" or deeper: keep direct children only. */
	top_len = strlen(l->top);
	if (strncmp(ent->path, l->top, top_len) != 0 ||
	    ent->path[top_len] != '/')
		return 0;
	rest = ent->path + top_len + 1;
	if (rest[0] != '\0' && strchr(rest, '/') == NULL)
		strv_push(l->out, rest);
	return 0;
}

static int
efs_list_dir(void *ctx, const char *path, struct strv *out,
    struct keep_error **err)
{
	struct engine_fs *fs = ctx;
	struct tar_collector c;
	struct list_ctx l = { NULL, NULL };
	struct strv names = { 0 };
	int rc;

	/* A trailing "/." makes the engine follow a symlinked directory. */
	cleanup_free char *dir = xasprintf("%s/.", path);

	tar_collector_init(&c, LIST_MAX);
	rc = efs_fetch(fs, dir, &c, err);
	if (rc == 0) {
		l.out = &names;
		rc = tar_read_mem(c.data.ptr, c.data.len, NULL, list_cb, &l, err);
	}
	tar_collector_release(&c);
	free(l.top);
	if (rc < 0) {
		strv_release(&names);
		return keep_error_wrap(err, "list '%s'", path);
	}
	strv_sort(&names);
	for (size_t i = 0; i < names.n; i++)
		strv_push(out, names.v[i]);
	strv_release(&names);
	return 0;
}

struct read_dir_ctx {
	struct kvv *out;
	char *top;	/* the first entry's name: the directory itself */
};

static int
read_dir_cb(void *ctx, const struct tar_entry *ent, struct keep_error **err)
{
	struct read_dir_ctx *r = ctx;
	const char *rest;
	size_t top_len;

	(void)err;
	if (r->top == NULL) {
		r->top = xstrdup(ent->path);
		return 0;
	}
	top_len = strlen(r->top);
	if (ent->type != TAR_FILE || ent->data == NULL ||
	    strncmp(ent->path, r->top, top_len) != 0 || ent->path[top_len] != '/')
		return 0;
	rest = ent->path + top_len + 1;
	if (rest[0] != '\0' && strchr(rest, '/') == NULL &&
	    memchr(ent->data, '\0', ent->data_len) == NULL)
		kvv_push(r->out, rest, ent->data);
	return 0;
}

/* One archive request for the whole directory. */
static int
efs_read_dir(void *ctx, const char *path, size_t max, struct kvv *out,
    struct keep_error **err)
{
	struct engine_fs *fs = ctx;
	struct tar_collector c;
	struct tar_read_opts opts = { 1, max };
	struct read_dir_ctx r = { NULL, NULL };
	struct kvv got = { 0 };
	cleanup_free char *dir = xasprintf("%s/.", path);
	int rc;

	tar_collector_init(&c, max + ARCHIVE_SLACK);
	rc = efs_fetch(fs, dir, &c, err);
	if (rc == 0) {
		r.out = &got;
		rc = tar_read_mem(c.data.ptr, c.data.len, &opts, read_dir_cb, &r,
		    err);
	}
	tar_collector_release(&c);
	free(r.top);
	if (rc == 0) {
		const struct kv **v = xcalloc(got.n + 1, sizeof(*v));

		/* The archive's order is the engine's; ours is by name. */
		for (size_t i = 0; i < got.n; i++)
			v[i] = &got.v[i];
		qsort(v, got.n, sizeof(*v), kv_ptr_cmp);
		for (size_t i = 0; i < got.n; i++)
			kvv_push(out, v[i]->key, v[i]->value);
		free(v);
	}
	kvv_release(&got);
	return rc < 0 ? keep_error_wrap(err, "read '%s'", path) : 0;
}

/* The engine resolves the link itself: its stat names the end of it. */
static int
efs_resolve_link(void *ctx, const char *path, char **target,
    struct keep_error **err)
{
	struct engine_fs *fs = ctx;
	struct engine_path_stat st;
	int rc;

	if (efs_container(fs, err) < 0)
		return -1;
	if (engine_container_stat(fs->e, fs->id, path, &st, err) < 0)
		return -1;
	rc = st.link_target[0] == '/' ? 0 : keep_error_set(err,
	    KEEP_ERR_NOT_FOUND, "'%s' is not a symbolic link", path);
	if (rc == 0) {
		*target = st.link_target;
		st.link_target = NULL;
	}
	engine_path_stat_release(&st);
	return rc;
}

/*
 * Read dir in one archive request (efs_read_dir) and keep the files of
 * paths it holds; those it does not hold are missing.
 */
static void
efs_prefetch(void *ctx, const char *dir, const struct strv *paths)
{
	struct engine_fs *fs = ctx;
	struct keep_error *err = NULL;
	struct kvv got = { 0 };
	struct strv want = { 0 };
	size_t dl = strlen(dir);

	for (size_t i = 0; i < paths->n; i++)
		if (strncmp(paths->v[i], dir, dl) == 0 && paths->v[i][dl] == '/' &&
		    strchr(paths->v[i] + dl + 1, '/') == NULL &&
		    efs_prefetched(fs, paths->v[i]) == NULL)
			strv_push(&want, paths->v[i] + dl + 1);
	strv_sort(&want);
	/* No directory holds none of them; another failure tells nothing. */
	if (want.n > 0 && (efs_read_dir(fs, dir, PKG_MAX_DB, &got, &err) == 0 ||
	    keep_error_not_found(&err))) {
		for (size_t i = 0, j = 0; i < want.n; i++) {
			struct efs_file *f;
			int c = 1;

			if (i > 0 && strcmp(want.v[i], want.v[i - 1]) == 0)
				continue;
			/* Both sorted by name: one pass. */
			while (j < got.n && (c = strcmp(got.v[j].key, want.v[i])) < 0)
				j++;
			fs->files = vec_grow(fs->files, fs->n_files,
			    &fs->cap_files, sizeof(*fs->files));
			f = &fs->files[fs->n_files++];
			f->path = xasprintf("%s/%s", dir, want.v[i]);
			f->data = (struct buf)BUF_INIT;
			f->missing = c != 0;
			if (c == 0)
				buf_addstr(&f->data, got.v[j].value);
		}
		if (fs->n_files > 1)
			qsort(fs->files, fs->n_files, sizeof(*fs->files),
			    efs_file_cmp);
	}
	keep_error_free(err);
	kvv_release(&got);
	strv_release(&want);
}

static void
efs_release(void *ctx)
{
	struct engine_fs *fs = ctx;
	struct keep_error *err = NULL;

	if (fs->created)
		engine_container_remove(fs->e, fs->id, 1, &err);
	keep_error_free(err); /* a leftover reader is labelled; doctor finds it */
	for (size_t i = 0; i < fs->n_files; i++) {
		free(fs->files[i].path);
		buf_release(&fs->files[i].data);
	}
	free(fs->files);
	free(fs->id);
	free(fs->image);
	free(fs);
}

static void
efs_init(struct pkg_fs *out, struct engine_fs *fs)
{
	memset(out, 0, sizeof(*out));
	out->ctx = fs;
	out->read_file = efs_read_file;
	out->list_dir = efs_list_dir;
	out->read_dir = efs_read_dir;
	out->resolve_link = efs_resolve_link;
	out->prefetch = efs_prefetch;
	out->release = efs_release;
	out->budget = NULL;
}

void
engine_fs_container(struct pkg_fs *out, struct engine *e, const char *id)
{
	struct engine_fs *fs = xcalloc(1, sizeof(*fs));

	fs->e = e;
	fs->id = xstrdup(id);
	efs_init(out, fs);
}

void
engine_fs_image(struct pkg_fs *out, struct engine *e, const char *image)
{
	struct engine_fs *fs = xcalloc(1, sizeof(*fs));

	fs->e = e;
	fs->image = xstrdup(image);
	efs_init(out, fs);
}
