/*
 * A struct pkg_fs over a container's overlay layers: the package databases
 * read where the engine keeps them, not through one archive request per
 * file (each costs the engine a mount of the container's filesystem, ~0.1 s
 * here, and a save of a container with hundreds of hand-installed packages
 * made hundreds of them).
 *
 * Lookups merge the layers as the kernel does: the first layer that holds
 * a name decides, a whiteout deletes it, a directory marked opaque hides
 * the layers below it. Symlinks are followed inside the container's tree
 * (an absolute target starts again at its root, ".." stops there), one
 * name at a time with O_NOFOLLOW, never onto this host. What the walk of
 * core/layer.c cannot read either (a renamed directory, a file whose data
 * is in another layer) goes to the fallback.
 */
#include "core/layer.h"
#include "core/layer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

/* Symlinks followed in one lookup, as the kernel bounds them. */
#define MAX_LINKS 40

/*
 * One directory of the merged view: its fd in each layer that shows it
 * (-1 elsewhere), and cut, the first layer that no longer counts (below an
 * opaque directory, or one that deleted or covered it).
 */
struct mdir {
	int *fd;
	size_t cut;
};

struct layer_fs {
	int *root;		/* the layers' root directories, top first */
	size_t n;
	const struct pkg_fs *fallback;	/* borrowed; may be NULL */
	/*
	 * The directory the last file read was in, as the path named it:
	 * the analyzers read hundreds of files from one (dpkg's lists).
	 */
	char *last_dir;
	struct mdir last;
};

static void
mdir_close(struct layer_fs *l, struct mdir *d)
{
	for (size_t i = 0; i < l->n; i++)
		if (d->fd[i] >= 0)
			close(d->fd[i]);
	free(d->fd);
	d->fd = NULL;
}

/* What a lookup found: a directory, or another entry in one layer. */
enum found {
	FOUND_DIR,
	FOUND_ENTRY,
	FOUND_NONE,		/* not there (or not a directory on the way) */
	FOUND_UNREADABLE,	/* a redirect: for the fallback */
};

/*
 * The child name of directory d: a merged directory (*sub), or an entry of
 * layer *layer (its lstat in *st). Symlinks are entries here.
 */
static enum found
mdir_child(struct layer_fs *l, const struct mdir *d, const char *name,
    struct mdir *sub, size_t *layer, struct stat *st)
{
	size_t k;

	for (k = 0; k < d->cut; k++)
		if (d->fd[k] >= 0 &&
		    fstatat(d->fd[k], name, st, AT_SYMLINK_NOFOLLOW) == 0)
			break;
	if (k == d->cut || layeri_is_whiteout(st))
		return FOUND_NONE;
	*layer = k;
	if (!S_ISDIR(st->st_mode))
		return FOUND_ENTRY;
	sub->fd = xmalloc(l->n * sizeof(*sub->fd));
	for (size_t i = 0; i < l->n; i++)
		sub->fd[i] = -1;
	sub->cut = d->cut;
	for (size_t i = k; i < d->cut; i++) {
		struct stat below;
		unsigned attrs;

		if (d->fd[i] < 0)
			continue;
		if (i > k && fstatat(d->fd[i], name, &below,
		    AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* Deleted here, or a file covering what is below. */
		if (i > k && (layeri_is_whiteout(&below) ||
		    !S_ISDIR(below.st_mode))) {
			sub->cut = i;
			break;
		}
		if ((sub->fd[i] = layeri_open_dir(d->fd[i], name)) < 0) {
			sub->cut = i;
			break;
		}
		attrs = layeri_attrs(sub->fd[i]);
		if (attrs & (LAYERI_REDIRECT | LAYERI_USER_MARKER)) {
			mdir_close(l, sub);
			return FOUND_UNREADABLE;
		}
		if (attrs & LAYERI_OPAQUE) {
			sub->cut = i + 1;
			break;
		}
	}
	return FOUND_DIR;
}

/* Push the components of path onto the front of the queue q[*qi..]. */
static void
queue_path(struct strv *q, size_t *qi, const char *path)
{
	struct strv parts = { 0 }, rest = { 0 };
	cleanup_free char *copy = xstrdup(path);
	char *save = NULL;

	for (char *p = strtok_r(copy, "/", &save); p;
	    p = strtok_r(NULL, "/", &save))
		strv_push(&parts, p);
	for (size_t i = *qi; i < q->n; i++)
		strv_push(&rest, q->v[i]);
	strv_release(q);
	*qi = 0;
	*q = parts;
	for (size_t i = 0; i < rest.n; i++)
		strv_push(q, rest.v[i]);
	strv_release(&rest);
}

/* Open the file name of layer k of directory d; FOUND_ENTRY or another. */
static enum found
open_entry(const struct mdir *d, size_t k, const char *name, int *fd)
{
	/* O_NONBLOCK: a FIFO planted at the path must not hang us. */
	*fd = openat(d->fd[k], name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (*fd < 0)
		return FOUND_NONE;
	/* Its data elsewhere (metacopy): only the kernel knows where. */
	if (layeri_attrs(*fd) & (LAYERI_METACOPY | LAYERI_USER_MARKER)) {
		close(*fd);
		return FOUND_UNREADABLE;
	}
	return FOUND_ENTRY;
}

/* Remember d (copied) as the directory the path dir names. */
static void
remember_dir(struct layer_fs *l, const char *dir, const struct mdir *d)
{
	if (l->last_dir != NULL)
		mdir_close(l, &l->last);
	free(l->last_dir);
	l->last_dir = xstrdup(dir);
	l->last.fd = xmalloc(l->n * sizeof(*l->last.fd));
	for (size_t i = 0; i < l->n; i++)
		l->last.fd[i] = d->fd[i] >= 0 ? dup(d->fd[i]) : -1;
	l->last.cut = d->cut;
}

/*
 * Look path up in the merged view, following every symlink (the last
 * one too). Found: FOUND_DIR with *dir (the caller closes it), or
 * FOUND_ENTRY with *fd open on it (a file, a device ...; never a symlink).
 */
static enum found
lookup_as(struct layer_fs *l, const char *path, struct mdir *dir, int *fd,
    char **resolved)
{
	const char *slash = strrchr(path, '/');
	cleanup_free char *parent = slash ? xstrndup(path,
	    (size_t)(slash - path)) : NULL;
	const char *base = slash ? slash + 1 : NULL;
	struct mdir *stack;
	size_t depth = 1, qi = 0;
	struct strv q = { 0 }, names = { 0 };
	enum found rc = FOUND_NONE;
	int links = 0, last_from_link = 0;

	/* In the directory of the last read: one name to look up. */
	if (resolved == NULL && base && *base && strcmp(base, ".") != 0 && strcmp(base, "..") != 0 &&
	    l->last_dir != NULL && strcmp(parent, l->last_dir) == 0) {
		struct stat st;
		size_t k;
		enum found f = mdir_child(l, &l->last, base, dir, &k, &st);

		if (f == FOUND_NONE || f == FOUND_DIR)
			return f;
		if (f == FOUND_ENTRY && !S_ISLNK(st.st_mode))
			return open_entry(&l->last, k, base, fd);
		/* A symlink, or what only the fallback reads: from the top. */
	}
	stack = xcalloc(1, sizeof(*stack));
	stack[0].fd = xmalloc(l->n * sizeof(*stack[0].fd));
	for (size_t i = 0; i < l->n; i++)
		stack[0].fd[i] = dup(l->root[i]);
	stack[0].cut = l->n;
	queue_path(&q, &qi, path);
	for (;;) {
		struct mdir sub;
		struct stat st;
		size_t k;
		const char *name;
		enum found f;

		if (qi == q.n) {
			/* The whole path was a directory. */
			*dir = stack[--depth];
			rc = FOUND_DIR;
			break;
		}
		name = q.v[qi++];
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			if (depth > 1) {
				mdir_close(l, &stack[--depth]);
				free(names.v[--names.n]);
			}
			continue;
		}
		f = mdir_child(l, &stack[depth - 1], name, &sub, &k, &st);
		if (f == FOUND_DIR) {
			stack = xrealloc(stack, (depth + 1) * sizeof(*stack));
			stack[depth++] = sub;
			strv_push(&names, name);
			continue;
		}
		if (f != FOUND_ENTRY) {
			rc = f;
			break;
		}
		if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n;

			if (++links > MAX_LINKS || (n = readlinkat(
			    stack[depth - 1].fd[k], name, target,
			    sizeof(target) - 1)) <= 0)
				break;
			target[n] = '\0';
			last_from_link |= qi == q.n;
			if (target[0] == '/') {
				while (depth > 1)
					mdir_close(l, &stack[--depth]);
				strv_release(&names);
			}
			queue_path(&q, &qi, target);
			continue;
		}
		if (qi < q.n)
			break;	/* a file where a directory should be */
		rc = open_entry(&stack[depth - 1], k, name, fd);
		if (rc == FOUND_ENTRY && parent != NULL && !last_from_link &&
		    resolved == NULL)
			remember_dir(l, parent, &stack[depth - 1]);
		if (rc == FOUND_ENTRY)
			strv_push(&names, name);
		break;
	}
	if (resolved != NULL && (rc == FOUND_DIR || rc == FOUND_ENTRY)) {
		struct buf b = BUF_INIT;

		for (size_t i = 0; i < names.n; i++)
			buf_printf(&b, "/%s", names.v[i]);
		*resolved = b.len > 0 ? buf_detach(&b, NULL) : xstrdup("/");
		if (!last_from_link) {
			free(*resolved);
			*resolved = NULL;
		}
	}
	while (depth > 0)
		mdir_close(l, &stack[--depth]);
	free(stack);
	strv_release(&q);
	strv_release(&names);
	return rc;
}

/* lookup_as without the resolved path. */
static enum found
lookup(struct layer_fs *l, const char *path, struct mdir *dir, int *fd)
{
	return lookup_as(l, path, dir, fd, NULL);
}

static int
lfs_read_file(void *ctx, const char *path, size_t max, struct buf *out,
    struct keep_error **err)
{
	struct layer_fs *l = ctx;
	struct mdir d;
	int fd = -1, rc;

	switch (lookup(l, path, &d, &fd)) {
	case FOUND_ENTRY:
		rc = fs_read_fd(fd, max, out, err);
		close(fd);
		return rc;
	case FOUND_DIR:
		mdir_close(l, &d);
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "not a regular file");
	case FOUND_UNREADABLE:
		if (l->fallback != NULL)
			return l->fallback->read_file(l->fallback->ctx, path,
			    max, out, err);
		return keep_error_set(err, KEEP_ERR_FAILED, "a renamed "
		    "directory or a metacopy file in the layers");
	case FOUND_NONE:
		break;
	}
	return keep_error_set(err, KEEP_ERR_NOT_FOUND, "not there");
}

static int
lfs_list_dir(void *ctx, const char *path, struct strv *out,
    struct keep_error **err)
{
	struct layer_fs *l = ctx;
	struct strv names = { 0 }, decided = { 0 };
	struct mdir d;
	int fd = -1, rc = 0;

	switch (lookup(l, path, &d, &fd)) {
	case FOUND_DIR:
		break;
	case FOUND_ENTRY:
		close(fd);
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "not a directory");
	case FOUND_UNREADABLE:
		if (l->fallback != NULL)
			return l->fallback->list_dir(l->fallback->ctx, path, out,
			    err);
		return keep_error_set(err, KEEP_ERR_FAILED, "a renamed "
		    "directory in the layers");
	default:
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "not there");
	}
	/* Top first: a name a higher layer showed or deleted is decided. */
	for (size_t i = 0; i < d.cut && rc == 0; i++) {
		struct strv here = { 0 };
		size_t higher = decided.n;

		if (d.fd[i] < 0)
			continue;
		if (layeri_names(d.fd[i], &here) < 0) {
			rc = keep_error_set(err, KEEP_ERR_FAILED, "%s",
			    strerror(errno));
			strv_release(&here);
			break;
		}
		for (size_t k = 0; k < here.n; k++) {
			struct stat st;

			if (higher > 0 && bsearch(&here.v[k], decided.v, higher,
			    sizeof(*decided.v), strv_cmp) != NULL)
				continue;
			strv_push(&decided, here.v[k]);
			if (fstatat(d.fd[i], here.v[k], &st,
			    AT_SYMLINK_NOFOLLOW) < 0 || !layeri_is_whiteout(&st))
				strv_push(&names, here.v[k]);
		}
		strv_release(&here);
		strv_sort(&decided);
	}
	mdir_close(l, &d);
	if (rc == 0) {
		strv_sort(&names);
		for (size_t i = 0; i < names.n; i++)
			strv_push(out, names.v[i]);
	}
	strv_release(&names);
	strv_release(&decided);
	return rc;
}

/*
 * Every regular file directly inside path, with what it holds: each found
 * through the directory's merged view, none through a symlink.
 */
static int
lfs_read_dir(void *ctx, const char *path, size_t max, struct kvv *out,
    struct keep_error **err)
{
	struct layer_fs *l = ctx;
	struct strv names = { 0 };
	struct mdir d;
	size_t total = 0;
	int fd = -1, rc = 0;

	switch (lookup(l, path, &d, &fd)) {
	case FOUND_DIR:
		break;
	case FOUND_ENTRY:
		close(fd);
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "not a directory");
	case FOUND_UNREADABLE:
		if (l->fallback != NULL && l->fallback->read_dir != NULL)
			return l->fallback->read_dir(l->fallback->ctx, path, max,
			    out, err);
		return keep_error_set(err, KEEP_ERR_FAILED, "a renamed "
		    "directory in the layers");
	default:
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "not there");
	}
	if (lfs_list_dir(ctx, path, &names, err) < 0) {
		mdir_close(l, &d);
		return -1;
	}
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		cleanup_buf struct buf b = BUF_INIT;
		struct mdir sub;
		struct stat st;
		size_t k;

		switch (mdir_child(l, &d, names.v[i], &sub, &k, &st)) {
		case FOUND_DIR:
			mdir_close(l, &sub);
			continue;
		case FOUND_ENTRY:
			break;
		default:
			continue;
		}
		if (!S_ISREG(st.st_mode) ||
		    open_entry(&d, k, names.v[i], &fd) != FOUND_ENTRY)
			continue;
		rc = fs_read_fd(fd, max - total, &b, err);
		close(fd);
		if (rc == 0 && b.len == 0)
			kvv_push(out, names.v[i], "");
		else if (rc == 0 && memchr(b.ptr, '\0', b.len) == NULL)
			kvv_push(out, names.v[i], b.ptr);
		total += b.len;
	}
	mdir_close(l, &d);
	strv_release(&names);
	return rc < 0 ? keep_error_wrap(err, "read '%s'", path) : 0;
}

/* Follow the links of path as inside the container; see struct pkg_fs. */
static int
lfs_resolve_link(void *ctx, const char *path, char **target,
    struct keep_error **err)
{
	struct layer_fs *l = ctx;
	struct mdir d;
	char *resolved = NULL;
	int fd = -1;

	switch (lookup_as(l, path, &d, &fd, &resolved)) {
	case FOUND_DIR:
		mdir_close(l, &d);
		break;
	case FOUND_ENTRY:
		close(fd);
		break;
	case FOUND_UNREADABLE:
		if (l->fallback != NULL && l->fallback->resolve_link != NULL)
			return l->fallback->resolve_link(l->fallback->ctx, path,
			    target, err);
		break;
	default:
		break;
	}
	if (resolved == NULL)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "'%s' is not a symbolic link", path);
	*target = resolved;
	return 0;
}

static void
lfs_release(void *ctx)
{
	struct layer_fs *l = ctx;

	if (l->last_dir != NULL)
		mdir_close(l, &l->last);
	free(l->last_dir);
	for (size_t i = 0; i < l->n; i++)
		close(l->root[i]);
	free(l->root);
	free(l);
}

int
layer_fs_open(struct pkg_fs *out, const struct container *c, int with_upper,
    const struct pkg_fs *fallback, struct keep_error **err)
{
	struct layer_fs *l = xcalloc(1, sizeof(*l));
	cleanup_free char *dirs = xasprintf("%s%s%s", with_upper ?
	    c->upper_dir : "", with_upper ? ":" : "",
	    c->lower_dirs ? c->lower_dirs : "");
	char *save = NULL;

	memset(out, 0, sizeof(*out));
	l->fallback = fallback;
	for (char *p = strtok_r(dirs, ":", &save); p;
	    p = strtok_r(NULL, ":", &save)) {
		int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (fd < 0) {
			keep_error_set(err, KEEP_ERR_FAILED, "open the layer "
			    "%s: %s", p, strerror(errno));
			lfs_release(l);
			return -1;
		}
		l->root = xrealloc(l->root, (l->n + 1) * sizeof(*l->root));
		l->root[l->n++] = fd;
	}
	out->ctx = l;
	out->read_file = lfs_read_file;
	out->list_dir = lfs_list_dir;
	out->read_dir = lfs_read_dir;
	out->resolve_link = lfs_resolve_link;
	out->release = lfs_release;
	return 0;
}
