#include "core/image_files.h"

#include <stdlib.h>
#include <string.h>

#include "engine/lifecycle.h"
#include "util/sha256.h"
#include "util/xalloc.h"

/* The build context's bounds (core/build_context.c): what verify can copy. */
#define FILES_MAX_TOTAL ((size_t)1 << 30)
#define FILES_MAX_FILE ((size_t)512 << 20)
/* Siblings fetched with their directory, and how large it may be for that. */
#define GROUP_MIN 8
#define GROUP_MAX_TOTAL ((size_t)64 << 20)

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct image_file *)a)->path,
	    ((const struct image_file *)b)->path);
}

const struct image_file *
image_files_find(const struct image_files *files, const char *path)
{
	struct image_file key = { .path = (char *)path };

	if (files->n == 0)
		return NULL;
	return bsearch(&key, files->v, files->n, sizeof(*files->v), file_cmp);
}

void
image_files_release(struct image_files *files)
{
	for (size_t i = 0; i < files->n; i++) {
		free(files->v[i].path);
		free(files->v[i].link);
	}
	free(files->v);
	files->v = NULL;
	files->n = 0;
}

struct read_ctx {
	const char *parent;	/* of the fetched path; "" for a child of "/" */
	struct image_files *out;
};

static int
entry_cb(void *ctx, const struct tar_entry *ent, struct keep_error **err)
{
	struct read_ctx *rc = ctx;
	cleanup_free char *abs = xasprintf("%s/%s", rc->parent, ent->path);
	struct image_file *f;

	(void)err;
	f = (struct image_file *)image_files_find(rc->out, abs);
	if (f == NULL || f->present)
		return 0;
	f->present = 1;
	f->type = ent->type;
	f->mode = ent->mode & 07777;
	f->uid = ent->uid;
	f->gid = ent->gid;
	free(f->link);
	f->link = xstrdup(ent->link ? ent->link : "");
	if (ent->type == TAR_FILE)
		sha256_hex(ent->data ? ent->data : "", ent->data_len, f->sha256);
	return 0;
}

/* A collector that says when it stopped at its bound. */
struct capped {
	struct tar_collector tc;
	int over;
};

static int
capped_sink(void *ctx, const void *data, size_t len, struct keep_error **err)
{
	struct capped *c = ctx;

	if (tar_collector_sink(&c->tc, data, len, err) < 0) {
		c->over = 1;
		return -1;
	}
	return 0;
}

/*
 * Fetch path (and everything asked for below it) from container reader,
 * reading at most max bytes of archive. Returns 0 (a missing path too),
 * or -1 with *err set and *over when it was only too large.
 */
static int
fetch(struct engine *e, const char *reader, const char *path, size_t max,
    struct image_files *out, int *over, struct keep_error **err)
{
	struct tar_read_opts ropts = { 1, FILES_MAX_FILE };
	struct capped c = { .over = 0 };
	cleanup_free char *parent = xstrdup(path);
	struct read_ctx rc = { parent, out };
	int r;

	*strrchr(parent, '/') = '\0';
	tar_collector_init(&c.tc, max);
	r = engine_container_archive(e, reader, path, capped_sink, &c, err);
	*over = c.over;
	if (r < 0 && !c.over && keep_error_not_found(err)) {
		tar_collector_release(&c.tc);
		return 0;	/* not in the image: present stays 0 */
	}
	if (r == 0)
		r = tar_read_mem(c.tc.data.ptr, c.tc.data.len, &ropts, entry_cb,
		    &rc, err);
	tar_collector_release(&c.tc);
	return r < 0 ? keep_error_wrap(err, "read '%s'", path) : 0;
}

/* The directory part of an absolute path ("/a/b" -> "/a", "/a" -> "/"). */
static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == path ? xstrdup("/") : xstrndup(path, (size_t)(slash - path));
}

/* A path asked for, or the directory of one, and what was done with it. */
struct place {
	char *path;
	size_t children;	/* paths asked for directly inside it */
	int tried;		/* fetched as a directory of siblings, or tried */
	int root;		/* fetched: everything below it is read */
};

static int
place_cmp(const void *a, const void *b)
{
	return strcmp(((const struct place *)a)->path,
	    ((const struct place *)b)->path);
}

static struct place *
place_find(struct place *v, size_t n, const char *path)
{
	struct place key = { .path = (char *)path };

	return bsearch(&key, v, n, sizeof(*v), place_cmp);
}

/* path or one of its ancestors was fetched. */
static int
covered(struct place *v, size_t n, const char *path)
{
	cleanup_free char *up = xstrdup(path);
	struct place *p;

	for (;;) {
		char *slash = strrchr(up, '/');

		if ((p = place_find(v, n, up)) != NULL && p->root)
			return 1;
		if (slash == NULL || slash == up)
			return (p = place_find(v, n, "/")) != NULL && p->root;
		*slash = '\0';
	}
}

/*
 * The paths of out and their directories, sorted, each once, with the
 * number of paths directly inside each.
 */
static size_t
places(const struct image_files *out, struct place **vout)
{
	struct place *v = xcalloc(2 * out->n + 1, sizeof(*v));
	size_t n = 0, o = 0;

	for (size_t i = 0; i < out->n; i++) {
		v[n++].path = xstrdup(out->v[i].path);
		v[n].path = dir_of(out->v[i].path);
		v[n++].children = 1;
	}
	qsort(v, n, sizeof(*v), place_cmp);
	for (size_t i = 0; i < n; i++) {
		if (o > 0 && strcmp(v[o - 1].path, v[i].path) == 0) {
			v[o - 1].children += v[i].children;
			free(v[i].path);
			continue;
		}
		v[o++] = v[i];
	}
	*vout = v;
	return o;
}

/*
 * Read what out asks for from container reader. Each archive call costs
 * the engine a mount of the image (0.1-0.5 s here), so siblings asked for
 * together (the hashed links in /etc/ssl/certs ...) come in one call for
 * their directory, unless that directory is large; everything else in one
 * call per top-most path.
 */
static int
read_all(struct engine *e, const char *reader, struct image_files *out,
    struct keep_error **err)
{
	struct place *v = NULL;
	size_t n = places(out, &v);
	int over, rc = 0;

	for (size_t i = 0; i < out->n && rc == 0; i++) {
		const char *path = out->v[i].path;
		cleanup_free char *dir = dir_of(path);
		struct place *d = place_find(v, n, dir);

		if (path[0] != '/' || covered(v, n, path))
			continue;
		if (d->children >= GROUP_MIN && strcmp(dir, "/") != 0 && !d->tried) {
			d->tried = 1;
			if (fetch(e, reader, dir, GROUP_MAX_TOTAL, out, &over,
			    err) == 0) {
				d->root = 1;
				continue;
			}
			if (!over) {
				rc = -1;
				break;
			}
			keep_error_free(*err);	/* too large: one by one */
			*err = NULL;
		}
		if ((rc = fetch(e, reader, path, FILES_MAX_TOTAL, out, &over,
		    err)) == 0)
			place_find(v, n, path)->root = 1;
	}
	for (size_t i = 0; i < n; i++)
		free(v[i].path);
	free(v);
	return rc;
}

int
image_files_read(struct engine *e, const char *image, const struct strv *paths,
    struct image_files *out, struct keep_error **err)
{
	cleanup_free char *reader = NULL;
	struct keep_error *rerr = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (paths->n == 0)
		return 0;
	out->v = xcalloc(paths->n, sizeof(*out->v));
	for (size_t i = 0; i < paths->n; i++) {
		out->v[i].path = xstrdup(paths->v[i]);
		out->v[i].link = xstrdup("");
	}
	out->n = paths->n;
	qsort(out->v, out->n, sizeof(*out->v), file_cmp);
	if (engine_container_create_reader(e, image, &reader, err) < 0) {
		image_files_release(out);
		return keep_error_wrap(err, "read files of '%s'", image);
	}
	rc = read_all(e, reader, out, err);
	if (engine_container_remove(e, reader, 1, &rerr) < 0 && rc == 0) {
		*err = rerr;
		rerr = NULL;
		rc = -1;
	}
	keep_error_free(rerr);
	if (rc < 0)
		image_files_release(out);
	return rc;
}
