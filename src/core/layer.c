/*
 * Overlay layers as the kernel merges them: the upper directory is the
 * container's own; below it the init layer and the image's layers, top
 * first. In a layer, a character device 0:0 is a whiteout (the name was
 * deleted), and a directory marked opaque hides everything below it.
 *
 * Every lookup goes one name at a time with O_NOFOLLOW: the layers hold the
 * container's files, and a symlink in them points into the container, not
 * at this host.
 */
#include "core/layer.h"
#include "core/layer_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "engine/engine.h"
#include "util/buf.h"
#include "util/xalloc.h"

/* Deeper than this, the walk gives the job back to the engine. */
#define MAX_DEPTH 256

int
layeri_is_whiteout(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 0 &&
	    minor(st->st_rdev) == 0;
}

/* 1 when the overlay attribute at key (a full name) has the value want. */
static int
attr_is(int fd, const char *key, const char *want)
{
	char val[8];
	ssize_t n = fgetxattr(fd, key, val, sizeof(val));

	return n > 0 && (size_t)n == strlen(want) && memcmp(val, want, n) == 0;
}

unsigned
layeri_attrs(int fd)
{
	static const char trusted[] = "trusted.overlay.", user[] = "user.overlay.";
	char list[4096];
	unsigned got = 0;
	ssize_t n = flistxattr(fd, list, sizeof(list));

	if (n < 0 && errno == ERANGE) {
		/* Too many attributes to list here: ask for each. */
		static const char *const names[] = { "opaque", "redirect",
			"metacopy" };

		if (attr_is(fd, "trusted.overlay.opaque", "y"))
			got |= LAYERI_OPAQUE;
		if (fgetxattr(fd, "trusted.overlay.redirect", NULL, 0) >= 0)
			got |= LAYERI_REDIRECT;
		if (fgetxattr(fd, "trusted.overlay.metacopy", NULL, 0) >= 0)
			got |= LAYERI_METACOPY;
		for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
			char key[64];

			snprintf(key, sizeof(key), "%s%s", user, names[i]);
			if (fgetxattr(fd, key, NULL, 0) >= 0)
				got |= LAYERI_USER_MARKER;
		}
		return got;
	}
	for (ssize_t at = 0; at < n; at += (ssize_t)strlen(list + at) + 1) {
		const char *key = list + at, *name;

		if (strncmp(key, user, sizeof(user) - 1) == 0) {
			got |= LAYERI_USER_MARKER;
			continue;
		}
		if (strncmp(key, trusted, sizeof(trusted) - 1) != 0)
			continue;
		name = key + sizeof(trusted) - 1;
		if (strcmp(name, "opaque") == 0 && attr_is(fd, key, "y"))
			got |= LAYERI_OPAQUE;
		else if (strcmp(name, "redirect") == 0)
			got |= LAYERI_REDIRECT;
		else if (strcmp(name, "metacopy") == 0)
			got |= LAYERI_METACOPY;
	}
	return got;
}

int
layeri_names(int fd, struct strv *out)
{
	char buf[65536];
	size_t first = out->n;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = getdents64(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t at = 0; at < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + at);

			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				strv_push(out, de->d_name);
			at += de->d_reclen;
		}
	}
	if (n < 0)
		return -1;
	if (out->n - first > 1)
		qsort(out->v + first, out->n - first, sizeof(*out->v), strv_cmp);
	return 0;
}

int
layeri_open_dir(int at, const char *name)
{
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

struct walk {
	const char *name;	/* the container's, for messages */
	int *lower;		/* root fds of the layers below, top first */
	size_t n_lower;
	struct fs_changes *out;
	struct budget *budget;	/* the snapshot's, or NULL */
	char *why;		/* set when the walk gives up */
	struct keep_error **err;
};

/*
 * How the layers below show one directory: present[i] when layer i holds it
 * as a real directory (every parent a real directory too), and cut, the
 * first layer that no longer counts: it deleted or covered the directory,
 * or the one above made it opaque. Below a present directory, a path looks
 * up with one fstatat.
 */
struct below {
	unsigned char *present;
	size_t cut;
	int user_marker;	/* a layer below holds it with one */
};

/* path ("/a/b", its parent described by d) in the layers below. */
static int
below_stat(const struct walk *w, const struct below *d, const char *path,
    struct stat *st)
{
	for (size_t i = 0; i < d->cut; i++)
		if (d->present[i] &&
		    fstatat(w->lower[i], path + 1, st, AT_SYMLINK_NOFOLLOW) == 0)
			return !layeri_is_whiteout(st);
	return 0;
}

/* The directory path below, from its parent's description (NULL: root). */
static void
below_dir(const struct walk *w, const struct below *parent, const char *path,
    struct below *out)
{
	out->present = xcalloc(w->n_lower + 1, 1);
	out->cut = parent ? parent->cut : w->n_lower;
	out->user_marker = 0;
	for (size_t i = 0; i < out->cut; i++) {
		struct stat st;
		unsigned attrs;
		int fd, opaque;

		if (parent == NULL) {
			out->present[i] = 1;
			continue;
		}
		if (!parent->present[i] ||
		    fstatat(w->lower[i], path + 1, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		/* Deleted here, or a file or symlink covering what is below. */
		if (layeri_is_whiteout(&st) || !S_ISDIR(st.st_mode) ||
		    (fd = layeri_open_dir(w->lower[i], path + 1)) < 0) {
			out->cut = i;
			break;
		}
		out->present[i] = 1;
		attrs = layeri_attrs(fd);
		opaque = (attrs & LAYERI_OPAQUE) != 0;
		out->user_marker |= (attrs & LAYERI_USER_MARKER) != 0;
		close(fd);
		if (opaque) {
			out->cut = i + 1;
			break;
		}
	}
}

/* Stop the walk: the engine will make the list. what ends in the path. */
static int
give_up(struct walk *w, const char *what, const char *rel)
{
	int saved = errno;

	if (w->why == NULL)
		w->why = saved ? xasprintf("%s '%s' in the upper layer: %s", what,
		    *rel ? rel : "/", strerror(saved)) :
		    xasprintf("%s '%s' in the upper layer", what, *rel ? rel : "/");
	return -1;
}

/* Add path to the list, with what lstat said of it in the upper layer
 * (st NULL: nothing there, a deletion). */
static int
push(struct walk *w, const char *path, enum fs_change_kind kind,
    const struct stat *st)
{
	struct fs_stamp stamp;

	if (w->out->n >= ENGINE_MAX_CHANGES)
		return keep_error_set(w->err, KEEP_ERR_FAILED, "changes of "
		    "container '%s': more than %zu changed paths, too many to "
		    "snapshot (is a dataset or cache inside the container "
		    "instead of on a mount?)", w->name, ENGINE_MAX_CHANGES);
	if (budget_charge(w->budget, BUDGET_STRING(strlen(path)),
	    "the change list", w->err) < 0)
		return -1;
	if (st != NULL) {
		stamp.size = (long long)st->st_size;
		stamp.mode = st->st_mode;
		stamp.mtime_sec = (long long)st->st_mtim.tv_sec;
		stamp.mtime_nsec = st->st_mtim.tv_nsec;
		stamp.ctime_sec = (long long)st->st_ctim.tv_sec;
		stamp.ctime_nsec = st->st_ctim.tv_nsec;
	}
	fs_changes_push_stamped(w->out, path, kind, st ? &stamp : NULL);
	return 0;
}

/*
 * An opaque directory replaced whatever the layers below (d) had there: each
 * name they show that the upper directory lacks was deleted.
 */
static int
opaque_deletions(struct walk *w, const struct below *d, const char *rel,
    const struct strv *upper)
{
	struct strv seen = { 0 }, gone = { 0 };
	int rc = 0;

	for (size_t i = 0; i < d->cut && rc == 0; i++) {
		struct strv names = { 0 };
		int fd;

		if (!d->present[i])
			continue;
		if ((fd = layeri_open_dir(w->lower[i], rel + 1)) < 0 ||
		    layeri_names(fd, &names) < 0) {
			rc = give_up(w, "cannot read below", rel);
		} else {
			/* Names a higher layer showed (sorted) decide. */
			size_t higher = seen.n;

			for (size_t k = 0; k < names.n; k++) {
				struct stat st;

				if (higher > 0 && bsearch(&names.v[k], seen.v,
				    higher, sizeof(*seen.v), strv_cmp) != NULL)
					continue;
				strv_push(&seen, names.v[k]);
				if (fstatat(fd, names.v[k], &st,
				    AT_SYMLINK_NOFOLLOW) == 0 && !layeri_is_whiteout(&st) &&
				    (upper->n == 0 || bsearch(&names.v[k], upper->v,
				    upper->n, sizeof(*upper->v), strv_cmp) == NULL))
					strv_push(&gone, names.v[k]);
			}
			strv_sort(&seen);
		}
		if (fd >= 0)
			close(fd);
		strv_release(&names);
	}
	for (size_t k = 0; k < gone.n && rc == 0; k++) {
		cleanup_free char *p = xasprintf("%s/%s", rel, gone.v[k]);

		rc = push(w, p, FS_DELETED, NULL);
	}
	strv_release(&seen);
	strv_release(&gone);
	return rc;
}

static int
same_dir(const struct stat *a, const struct stat *b)
{
	/* Some filesystems keep whole seconds only: as the engine compares. */
	int same_time = a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    (a->st_mtim.tv_nsec == b->st_mtim.tv_nsec ||
	    a->st_mtim.tv_nsec == 0 || b->st_mtim.tv_nsec == 0);

	return S_ISDIR(a->st_mode) && S_ISDIR(b->st_mode) &&
	    a->st_size == b->st_size && a->st_mode == b->st_mode && same_time;
}

/*
 * Walk the upper directory fd (closed here) standing for rel ("" for the
 * root), which the layers below show as d; self is its lstat (NULL for
 * the root) and attrs its overlay attributes; listed says whether rel
 * itself is in the list already.
 */
static int
walk_dir(struct walk *w, int fd, const char *rel, const struct stat *self,
    unsigned attrs, const struct below *d, int listed, int depth)
{
	struct strv names = { 0 };
	size_t at_entry = w->out->n;
	int rc = 0;

	if (depth > MAX_DEPTH) {
		close(fd);
		errno = 0;
		return give_up(w, "more than 256 directories deep at", rel);
	}
	if (layeri_names(fd, &names) < 0) {
		close(fd);
		return give_up(w, "cannot read", rel);
	}
	if (*rel && (attrs & LAYERI_OPAQUE))
		rc = opaque_deletions(w, d, rel, &names);
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		cleanup_free char *path = xasprintf("%s/%s", rel, names.v[i]);
		struct stat st, old;
		struct below sub_d;
		enum fs_change_kind kind;
		int skip = 0, sub;
		unsigned sub_attrs;

		if (fstatat(fd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;	/* gone while we looked */
			rc = give_up(w, "cannot stat", path);
			break;
		}
		if (layeri_is_whiteout(&st)) {
			kind = FS_DELETED;
		} else if (below_stat(w, d, path, &old)) {
			kind = FS_MODIFIED;
			/* A directory only copied up to hold a changed child. */
			skip = same_dir(&st, &old);
		} else {
			kind = FS_ADDED;
		}
		if (!skip)
			rc = push(w, path, kind,
			    kind == FS_DELETED ? NULL : &st);
		if (rc < 0 || kind == FS_DELETED || !S_ISDIR(st.st_mode))
			continue;
		if ((sub = layeri_open_dir(fd, names.v[i])) < 0) {
			if (errno == ENOENT)
				continue;
			rc = give_up(w, "cannot open", path);
			break;
		}
		/* A renamed directory (redirect_dir) shows another's content. */
		if ((sub_attrs = layeri_attrs(sub)) &
		    (LAYERI_REDIRECT | LAYERI_USER_MARKER)) {
			close(sub);
			errno = 0;
			rc = give_up(w, (sub_attrs & LAYERI_REDIRECT) ?
			    "a renamed directory (redirect_dir) at" :
			    "an overlay marker in user.overlay.* at", path);
			break;
		}
		below_dir(w, d, path, &sub_d);
		if (sub_d.user_marker) {
			close(sub);
			free(sub_d.present);
			errno = 0;
			rc = give_up(w, "an overlay marker in user.overlay.* "
			    "below", path);
			break;
		}
		rc = walk_dir(w, sub, path, &st, sub_attrs, &sub_d, !skip,
		    depth + 1);
		free(sub_d.present);
	}
	/* As the engine lists it: a directory with a change inside changed. */
	if (rc == 0 && *rel && !listed && w->out->n > at_entry)
		rc = push(w, rel, FS_MODIFIED, self);
	close(fd);
	strv_release(&names);
	return rc;
}

int
layer_usable(const char *driver, const char *dir, char **why)
{
	struct stat st;

	*why = NULL;
	if (driver == NULL || (strcmp(driver, "overlay2") != 0 &&
	    strcmp(driver, "overlay") != 0))
		*why = xasprintf("the engine's storage driver is '%s', not "
		    "overlay2", driver ? driver : "");
	else if (dir == NULL || dir[0] != '/')
		*why = xstrdup("the engine names no layer directory");
	else if (geteuid() != 0)
		*why = xstrdup("reading the engine's layers takes root");
	else if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		*why = xasprintf("%s is not on this host", dir);
	return *why == NULL;
}

int
layer_changes(const struct container *c, struct fs_changes *out,
    struct budget *budget, char **why, struct keep_error **err)
{
	struct walk w = { .name = c->name, .out = out, .budget = budget,
	    .err = err };
	cleanup_free char *lowers = NULL;
	char *save = NULL;
	int fd, rc = 0;

	memset(out, 0, sizeof(*out));
	if (!layer_usable(c->storage_driver, c->upper_dir, why))
		return 1;
	lowers = xstrdup(c->lower_dirs ? c->lower_dirs : "");
	for (char *p = strtok_r(lowers, ":", &save); p;
	    p = strtok_r(NULL, ":", &save)) {
		int lfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (lfd < 0) {
			w.why = xasprintf("open the layer %s: %s", p,
			    strerror(errno));
			rc = -1;
			break;
		}
		w.lower = xrealloc(w.lower, (w.n_lower + 1) * sizeof(*w.lower));
		w.lower[w.n_lower++] = lfd;
	}
	if (rc == 0) {
		if ((fd = open(c->upper_dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0)
			w.why = xasprintf("open %s: %s", c->upper_dir,
			    strerror(errno)), rc = -1;
		else {
			struct below root;

			below_dir(&w, NULL, "", &root);
			rc = walk_dir(&w, fd, "", NULL, 0, &root, 1, 0);
			free(root.present);
		}
	}
	for (size_t i = 0; i < w.n_lower; i++)
		close(w.lower[i]);
	free(w.lower);
	if (rc == 0)
		return 0;
	fs_changes_release(out);
	if (w.why == NULL)
		return -1;	/* refused: *err is set */
	*why = w.why;
	return 1;
}
