#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

int
fs_mkdir_p(const char *dir, unsigned mode, const char *below,
    struct keep_error **err)
{
	cleanup_free char *path = xstrdup(dir);
	size_t guarded = below != NULL ? strlen(below) : 0;
	struct stat st;

	for (char *p = path + 1; ; p++) {
		char c = *p;
		size_t end = (size_t)(p - path);

		if (c != '/' && c != '\0')
			continue;
		if (end >= guarded) {
			*p = '\0';
			if (mkdir(path, mode) != 0 && errno != EEXIST)
				return keep_error_set(err, KEEP_ERR_FAILED,
				    "cannot create directory '%s': %s", path,
				    strerror(errno));
			/* Below the guarded prefix a symbolic link is refused. */
			if (below != NULL && end > guarded &&
			    (lstat(path, &st) != 0 || !S_ISDIR(st.st_mode)))
				return keep_error_set(err, KEEP_ERR_FAILED,
				    "'%s' is not a directory", path);
			*p = c;
		}
		if (c == '\0')
			break;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "'%s' exists but is not a directory", dir);
	return 0;
}

int
fs_write_temp(char **tmp, const void *data, size_t len, unsigned mode)
{
	const char *p = data;
	int fd, saved;

	if ((fd = mkostemp(*tmp, O_CLOEXEC)) < 0)
		goto fail;
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, mode) < 0 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;

fail:
	saved = errno;
	if (fd >= 0) {
		close(fd);
		unlink(*tmp);
	}
	free(*tmp);
	*tmp = NULL;
	errno = saved;
	return -1;
}

int
fs_write_file_atomic(const char *path, const void *data, size_t len,
    unsigned mode, struct keep_error **err)
{
	char *tmp = xasprintf("%s.tmp.XXXXXX", path);

	if (fs_write_temp(&tmp, data, len, mode) < 0)
		return keep_error_set(err, KEEP_ERR_FAILED, "write '%s': %s",
		    path, strerror(errno));
	if (rename(tmp, path) < 0) {
		int saved = errno;

		unlink(tmp);
		free(tmp);
		return keep_error_set(err, KEEP_ERR_FAILED, "write '%s': %s",
		    path, strerror(saved));
	}
	free(tmp);
	return 0;
}

int
fs_read_fd(int fd, size_t max, struct buf *out, struct keep_error **err)
{
	size_t start = out->len, got = 0;
	struct stat st;

	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "not a regular file");
	if ((unsigned long long)st.st_size > max)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "file is %lld bytes, more than the limit of %zu",
		    (long long)st.st_size, max);
	for (;;) {
		ssize_t n;

		buf_grow(out, 65536);
		n = read(fd, out->ptr + out->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			buf_truncate(out, start);
			return keep_error_set(err, KEEP_ERR_FAILED, "%s",
			    strerror(errno));
		}
		if (n == 0)
			return 0;
		got += (size_t)n;
		if (got > max) {
			/* It grew while we read it. */
			buf_truncate(out, start);
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "file is more than the limit of %zu bytes", max);
		}
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
	}
}
