/*
 * A pkg_fs over a plain directory, for tests and exported root
 * filesystems. Paths resolve with openat2(RESOLVE_IN_ROOT) so a symlink in
 * the tree (absolute or with "..") stays inside it, as it would inside the
 * container; on a kernel without openat2 no symlink is followed at all.
 */
#include "pkg/pkg_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

struct dir_fs {
	int root_fd;
	char *root;
};

/* Open each component with O_NOFOLLOW: the fallback without openat2. */
static int
open_nofollow(int root_fd, const char *rel, int flags)
{
	cleanup_free char *copy = xstrdup(rel);
	char *save = NULL, *part;
	int fd = dup(root_fd);

	if (fd < 0)
		return -1;
	for (part = strtok_r(copy, "/", &save); part != NULL;
	    part = strtok_r(NULL, "/", &save)) {
		int last = 1, next;
		char *p;

		for (p = save; p && *p == '/'; p++)
			;
		if (p && *p != '\0')
			last = 0;
		if (strcmp(part, "..") == 0) {
			close(fd);
			errno = EXDEV;
			return -1;
		}
		next = openat(fd, part, (last ? flags : O_PATH | O_DIRECTORY) |
		    O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		if (next < 0)
			return -1;
		fd = next;
	}
	return fd;
}

static int
open_in_root(struct dir_fs *d, const char *path, int flags)
{
	struct open_how how;
	const char *rel = path;
	int fd;

	while (*rel == '/')
		rel++;
	if (*rel == '\0')
		rel = ".";
	memset(&how, 0, sizeof(how));
	how.flags = (unsigned)(flags | O_CLOEXEC);
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, d->root_fd, rel, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM))
		fd = open_nofollow(d->root_fd, rel, flags);
	return fd;
}

/*
 * Whether a failed open's errno means nothing is there: no such path, a
 * file where a directory should be, or a path this tree does not follow
 * (a symlink loop; without openat2, any symlink or "..").
 */
static int
missing(int e)
{
	return e == ENOENT || e == ENOTDIR || e == ELOOP || e == EXDEV;
}

static int
dir_read_file(void *ctx, const char *path, size_t max, struct buf *out,
    struct keep_error **err)
{
	struct dir_fs *d = ctx;
	int fd, rc;

	/* O_NONBLOCK: a FIFO planted at the path must not hang us. */
	fd = open_in_root(d, path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return keep_error_set(err, missing(errno) ? KEEP_ERR_NOT_FOUND :
		    KEEP_ERR_FAILED, "%s", strerror(errno));
	rc = fs_read_fd(fd, max, out, err);
	close(fd);
	return rc;
}

static int
dir_list_dir(void *ctx, const char *path, struct strv *out,
    struct keep_error **err)
{
	struct dir_fs *d = ctx;
	struct strv names = { 0 };
	struct dirent *de;
	DIR *dir;
	int fd;

	fd = open_in_root(d, path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return keep_error_set(err, missing(errno) ? KEEP_ERR_NOT_FOUND :
		    KEEP_ERR_FAILED, "%s", strerror(errno));
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return keep_error_set(err, KEEP_ERR_FAILED, "%s",
		    strerror(errno));
	}
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		strv_push(&names, de->d_name);
	}
	closedir(dir);
	if (names.n > 0)
		strv_sort(&names);
	for (size_t i = 0; i < names.n; i++)
		strv_push(out, names.v[i]);
	strv_release(&names);
	return 0;
}

static int
dir_read_dir(void *ctx, const char *path, size_t max, struct kvv *out,
    struct keep_error **err)
{
	struct dir_fs *d = ctx;
	struct strv names = { 0 };
	size_t total = 0;
	int rc = 0;

	if (dir_list_dir(ctx, path, &names, err) < 0)
		return -1;
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		cleanup_free char *p = xasprintf("%s/%s", path, names.v[i]);
		cleanup_buf struct buf b = BUF_INIT;
		struct stat st;
		int fd = open_in_root(d, p, O_PATH | O_NOFOLLOW);

		if (fd < 0)
			continue;
		rc = fstat(fd, &st);
		close(fd);
		if (rc < 0 || !S_ISREG(st.st_mode)) {
			rc = 0;
			continue;
		}
		if ((rc = dir_read_file(ctx, p, max - total, &b, err)) < 0)
			break;
		total += b.len;
		if (memchr(b.ptr, '\0', b.len) == NULL)
			kvv_push(out, names.v[i], b.ptr);
	}
	strv_release(&names);
	return rc;
}

static int
dir_resolve_link(void *ctx, const char *path, char **target,
    struct keep_error **err)
{
	struct dir_fs *d = ctx;
	char root[4096], real[4096];
	cleanup_free char *proc = NULL;
	struct stat st;
	ssize_t rn, n;
	size_t rl;
	int fd;

	fd = open_in_root(d, path, O_PATH | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "not a symbolic link");
	}
	close(fd);
	/* Followed inside the tree; the kernel names where it ended. */
	if ((fd = open_in_root(d, path, O_PATH)) < 0)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "a dangling link");
	proc = xasprintf("/proc/self/fd/%d", fd);
	n = readlink(proc, real, sizeof(real) - 1);
	close(fd);
	free(proc);
	proc = xasprintf("/proc/self/fd/%d", d->root_fd);
	rn = readlink(proc, root, sizeof(root) - 1);
	if (n < 0 || rn < 0)
		return keep_error_set(err, KEEP_ERR_FAILED, "%s", strerror(errno));
	real[n] = root[rn] = '\0';
	rl = strcmp(root, "/") == 0 ? 0 : (size_t)rn;
	if (strncmp(real, root, rl) != 0 || (real[rl] != '/' && real[rl] != '\0'))
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "resolves outside the tree");
	*target = xstrdup(real[rl] ? real + rl : "/");
	return 0;
}

static void
dir_release(void *ctx)
{
	struct dir_fs *d = ctx;

	if (d == NULL)
		return;
	close(d->root_fd);
	free(d->root);
	free(d);
}

int
pkg_dir_fs_open(struct pkg_fs *out, const char *root, struct keep_error **err)
{
	struct dir_fs *d;
	int fd;

	fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return keep_error_set(err, errno == ENOENT ? KEEP_ERR_NOT_FOUND :
		    KEEP_ERR_FAILED, "open directory '%s': %s", root,
		    strerror(errno));
	d = xcalloc(1, sizeof(*d));
	d->root_fd = fd;
	d->root = xstrdup(root);
	memset(out, 0, sizeof(*out));
	out->ctx = d;
	out->read_file = dir_read_file;
	out->list_dir = dir_list_dir;
	out->read_dir = dir_read_dir;
	out->resolve_link = dir_resolve_link;
	out->release = dir_release;
	out->budget = NULL;
	return 0;
}
