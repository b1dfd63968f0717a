#include "core/image_files.h"

#include <stdlib.h>
#include <string.h>

#include "engine/lifecycle.h"
#include "util/sha256.h"
#include "util/xalloc.h"

/* The build context's bounds (core/build_context.c): what verify can copy. */
#define FILES_MAX_TOTAL ((size_t)1 << 30)
#define FILES_MAX_FILE ((size_t)512 << 20)

const char *
image_file_type_name(enum tar_type t)
{
	switch (t) {
	case TAR_FILE:
		return "a regular file";
	case TAR_DIR:
		return "a directory";
	case TAR_SYMLINK:
		return "a symbolic link";
	case TAR_HARDLINK:
		return "a hard link";
	case TAR_CHAR:
	case TAR_BLOCK:
		return "a device";
	case TAR_FIFO:
		return "a fifo";
	case TAR_SOCKET:
		return "a socket";
	default:
		return "an unknown kind of file";
	}
}

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

/* 1 when path is strictly below dir. */
static int
below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return path[0] == '/' && path[1] != '\0';
	return strncmp(path, dir, len) == 0 && path[len] == '/';
}

/* Fetch path (and everything asked for below it) from container reader. */
static int
fetch(struct engine *e, const char *reader, const char *path,
    struct image_files *out, struct keep_error **err)
{
	struct tar_read_opts ropts = { 1, FILES_MAX_FILE };
	struct tar_collector tc;
	cleanup_free char *parent = xstrdup(path);
	struct read_ctx rc = { parent, out };
	int r;

	*strrchr(parent, '/') = '\0';
	tar_collector_init(&tc, FILES_MAX_TOTAL);
	r = engine_container_archive(e, reader, path, tar_collector_sink, &tc, err);
	if (r < 0 && keep_error_not_found(err)) {
		tar_collector_release(&tc);
		return 0;	/* not in the image: present stays 0 */
	}
	if (r == 0)
		r = tar_read_mem(tc.data.ptr, tc.data.len, &ropts, entry_cb, &rc,
		    err);
	tar_collector_release(&tc);
	return r < 0 ? keep_error_wrap(err, "read '%s'", path) : 0;
}

int
image_files_read(struct engine *e, const char *image, const struct strv *paths,
    struct image_files *out, struct keep_error **err)
{
	cleanup_free char *reader = NULL;
	struct keep_error *rerr = NULL;
	int rc = 0;

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
	for (size_t i = 0; i < out->n && rc == 0; i++) {
		int covered = 0;

		/* Sorted: an ancestor comes first, and its fetch covers us. */
		for (size_t j = 0; j < i && !covered; j++)
			covered = below(out->v[i].path, out->v[j].path);
		if (!covered && out->v[i].path[0] == '/')
			rc = fetch(e, reader, out->v[i].path, out, err);
	}
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
