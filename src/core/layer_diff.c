/*
 * The layer of what a container changed since a snapshot of it: what an
 * incremental save loads on top of that snapshot's image (see
 * core/snapshot_write.c). Its walk goes over the container's upper
 * directory, the one place its changes are, one name at a time with
 * O_NOFOLLOW as in core/layer.c; the merged views (the container's now,
 * the snapshot image's) come from core/layer_fs.c.
 */
#include "core/layer.h"
#include "core/layer_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "util/xalloc.h"

/* As core/layer.c: deeper than this, a full commit does it. */
#define MAX_DEPTH 256

/* A directory on the way down: it goes in before anything inside it. */
struct dnode {
	char *rel;		/* "/a/b" */
	struct stat st;
	int fd;
	int emitted;
};

/* A file with more than one link that went in: later ones link to it. */
struct linked {
	dev_t dev;
	ino_t ino;
	char *path;		/* as in the tar */
};

struct diff {
	long long since;
	struct tar_writer *w;
	struct pkg_fs now, old;		/* merged views: c now, the image */
	struct dnode *stack;
	size_t depth;
	struct linked *links;
	size_t n_links;
	char *why;
	struct keep_error **err;
};

static long long
ctime_ns(const struct stat *st)
{
	return (long long)st->st_ctim.tv_sec * 1000000000LL +
	    st->st_ctim.tv_nsec;
}

static int
give_up(struct diff *d, const char *what, const char *rel)
{
	int saved = errno;

	if (d->why == NULL)
		d->why = saved ? xasprintf("%s '%s': %s", what, *rel ? rel : "/",
		    strerror(saved)) : xasprintf("%s '%s'", what, *rel ? rel : "/");
	return -1;
}

/* The one attribute a docker commit keeps: n bytes into val, or 0. */
static ssize_t
capability(int fd, char *val, size_t cap)
{
	ssize_t n = fgetxattr(fd, "security.capability", val, cap);

	return n > 0 ? n : 0;
}

/* Add one entry: st is its lstat, fd open on it (files, directories). */
static int
emit(struct diff *d, const char *rel, const struct stat *st, int fd,
    const char *link, const char *hardlink)
{
	char capv[256];
	struct tar_xattr x = { "security.capability", capv, 0 };
	struct tar_out e = {
		.path = rel + 1, .mode = st->st_mode & 07777,
		.uid = st->st_uid, .gid = st->st_gid,
		.mtime = (int64_t)st->st_mtim.tv_sec, .link = link,
	};

	switch (st->st_mode & S_IFMT) {
	case S_IFREG:
		e.type = hardlink ? TAR_HARDLINK : TAR_FILE;
		e.size = st->st_size;
		if (hardlink)
			e.link = hardlink;
		break;
	case S_IFDIR: e.type = TAR_DIR; break;
	case S_IFLNK: e.type = TAR_SYMLINK; break;
	case S_IFIFO: e.type = TAR_FIFO; break;
	case S_IFCHR: e.type = TAR_CHAR; break;
	case S_IFBLK: e.type = TAR_BLOCK; break;
	default:
		return 0;	/* a socket: a commit leaves it out too */
	}
	e.rdev_major = major(st->st_rdev);
	e.rdev_minor = minor(st->st_rdev);
	if (fd >= 0 && (x.len = (size_t)capability(fd, capv, sizeof(capv))) > 0) {
		e.xattrs = &x;
		e.n_xattrs = 1;
	}
	return tar_writer_add_entry(d->w, &e, fd, d->err);
}

/* The directories on the way to the current one, each once. */
static int
emit_parents(struct diff *d)
{
	/* stack[0] is the root, which no layer lists. */
	for (size_t i = 1; i < d->depth; i++) {
		struct dnode *n = &d->stack[i];

		if (n->emitted)
			continue;
		n->emitted = 1;
		if (emit(d, n->rel, &n->st, n->fd, NULL, NULL) < 0)
			return -1;
	}
	return 0;
}

/* .wh.NAME in rel: the image's name is gone. */
static int
emit_whiteout(struct diff *d, const char *rel, const char *name)
{
	cleanup_free char *p = xasprintf("%s/.wh.%s", rel, name);
	struct tar_out e = { .path = p + 1, .type = TAR_FILE, .mode = 0600 };

	if (emit_parents(d) < 0)
		return -1;
	return tar_writer_add_entry(d->w, &e, -1, d->err);
}

/* A regular file, symlink or special file named name in directory fd. */
static int
emit_leaf(struct diff *d, int fd, const char *name, const char *rel,
    const struct stat *st)
{
	char target[4096];
	const char *hardlink = NULL;
	int ffd = -1, rc;

	if (emit_parents(d) < 0)
		return -1;
	if (S_ISLNK(st->st_mode)) {
		ssize_t n = readlinkat(fd, name, target, sizeof(target) - 1);

		if (n < 0)
			return errno == ENOENT ? 0 : give_up(d, "cannot read", rel);
		target[n] = '\0';
		return emit(d, rel, st, -1, target, NULL);
	}
	if (S_ISREG(st->st_mode)) {
		if (st->st_nlink > 1)
			for (size_t i = 0; i < d->n_links; i++)
				if (d->links[i].dev == st->st_dev &&
				    d->links[i].ino == st->st_ino)
					hardlink = d->links[i].path;
		if (hardlink)
			return emit(d, rel, st, -1, NULL, hardlink);
		ffd = openat(fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		    O_NOCTTY | O_CLOEXEC);
		if (ffd < 0)
			return errno == ENOENT ? 0 : give_up(d, "cannot open", rel);
		/* Its data in another layer: only the kernel knows where. */
		if (layeri_attrs(ffd) & (LAYERI_METACOPY | LAYERI_USER_MARKER)) {
			close(ffd);
			errno = 0;
			return give_up(d, "a metacopy file or an overlay marker at",
			    rel);
		}
		if (st->st_nlink > 1) {
			d->links = xrealloc(d->links, (d->n_links + 1) *
			    sizeof(*d->links));
			d->links[d->n_links++] = (struct linked){ st->st_dev,
			    st->st_ino, xstrdup(rel + 1) };
		}
	}
	rc = emit(d, rel, st, ffd, NULL, NULL);
	if (ffd >= 0)
		close(ffd);
	return rc;
}

/* names of the directory rel in fs (none when it is no directory there). */
static int
names_in(struct diff *d, const struct pkg_fs *fs, const char *rel,
    struct strv *out)
{
	struct keep_error *e2 = NULL;

	if (fs->list_dir(fs->ctx, *rel ? rel : "/", out, &e2) == 0)
		return 0;
	if (keep_error_not_found(&e2))
		return 0;
	errno = 0;
	give_up(d, e2->message, rel);
	keep_error_free(e2);
	return -1;
}

static int
has(const struct strv *sorted, const char *name)
{
	return sorted->n > 0 && bsearch(&name, sorted->v, sorted->n,
	    sizeof(*sorted->v), strv_cmp) != NULL;
}

/*
 * The directory on top of the stack: its entries that changed since, or
 * all of them (all: the image has no such directory, or not with this
 * content).
 */
static int
walk(struct diff *d, int all)
{
	struct dnode *self = &d->stack[d->depth - 1];
	cleanup_free char *rel = xstrdup(self->rel);
	int fd = self->fd;
	struct strv names = { 0 }, now = { 0 }, old = { 0 };
	int listed = 0, rc = 0;

	if (d->depth > MAX_DEPTH) {
		errno = 0;
		return give_up(d, "more than 256 directories deep at", rel);
	}
	if (layeri_names(fd, &names) < 0)
		return give_up(d, "cannot read", rel);
	/* Names came or went here: against the image's listing. */
	if (!all && ctime_ns(&self->st) >= d->since) {
		listed = 1;
		if (names_in(d, &d->now, rel, &now) < 0 ||
		    names_in(d, &d->old, rel, &old) < 0)
			rc = -1;
		for (size_t i = 0; i < old.n && rc == 0; i++)
			if (!has(&now, old.v[i]))
				rc = emit_whiteout(d, rel, old.v[i]);
	}
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		cleanup_free char *path = xasprintf("%s/%s", rel, names.v[i]);
		struct stat st;
		int sub, sub_all;

		if (fstatat(fd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			rc = give_up(d, "cannot stat", path);
			break;
		}
		/* Deletions are the listings' to say. */
		if (layeri_is_whiteout(&st))
			continue;
		sub_all = all || (listed && !has(&old, names.v[i]));
		if (!S_ISDIR(st.st_mode)) {
			if (sub_all || ctime_ns(&st) >= d->since)
				rc = emit_leaf(d, fd, names.v[i], path, &st);
			continue;
		}
		if ((sub = layeri_open_dir(fd, names.v[i])) < 0) {
			if (errno == ENOENT)
				continue;
			rc = give_up(d, "cannot open", path);
			break;
		}
		if (layeri_attrs(sub) & (LAYERI_REDIRECT | LAYERI_USER_MARKER)) {
			close(sub);
			errno = 0;
			rc = give_up(d, "a renamed directory (redirect_dir) or an "
			    "overlay marker at", path);
			break;
		}
		d->stack = xrealloc(d->stack, (d->depth + 1) * sizeof(*d->stack));
		d->stack[d->depth++] = (struct dnode){ xstrdup(path), st, sub, 0 };
		if (sub_all || ctime_ns(&st) >= d->since)
			rc = emit_parents(d);
		if (rc == 0)
			rc = walk(d, sub_all);
		d->depth--;
		free(d->stack[d->depth].rel);
		close(sub);
	}
	strv_release(&names);
	strv_release(&now);
	strv_release(&old);
	return rc;
}

int
layer_diff_write(const struct container *c, const char *upper_dir,
    const char *lower_dirs, long long since, struct tar_writer *w,
    char **why, struct keep_error **err)
{
	struct container image = { 0 };
	struct diff d = { .since = since, .w = w, .err = err };
	int fd, rc = -1;

	*why = NULL;
	if (!layer_usable(c->storage_driver, c->upper_dir, why))
		return 1;
	image.upper_dir = (char *)upper_dir;
	image.lower_dirs = (char *)lower_dirs;
	if (layer_fs_open(&d.now, c, 1, NULL, err) < 0)
		return -1;
	if (layer_fs_open(&d.old, &image, 1, NULL, err) < 0) {
		pkg_fs_release(&d.now);
		return -1;
	}
	if ((fd = open(c->upper_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		d.why = xasprintf("open %s: %s", c->upper_dir, strerror(errno));
	} else {
		d.stack = xcalloc(1, sizeof(*d.stack));
		d.stack[0].rel = xstrdup("");
		d.depth = 1;
		if (fstat(fd, &d.stack[0].st) < 0)
			d.why = xasprintf("stat %s: %s", c->upper_dir,
			    strerror(errno));
		else {
			d.stack[0].fd = fd;
			rc = walk(&d, 0);
		}
		free(d.stack[0].rel);
		free(d.stack);
		close(fd);
	}
	for (size_t i = 0; i < d.n_links; i++)
		free(d.links[i].path);
	free(d.links);
	pkg_fs_release(&d.now);
	pkg_fs_release(&d.old);
	if (d.why != NULL) {
		*why = d.why;
		return 1;
	}
	return rc;
}
