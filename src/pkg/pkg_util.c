#include "pkg/pkg_internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void
pkg_fs_release(struct pkg_fs *fs)
{
	if (fs == NULL)
		return;
	if (fs->release != NULL)
		fs->release(fs->ctx);
	memset(fs, 0, sizeof(*fs));
}

int
pkgi_next_line(const char *data, size_t len, size_t *pos, const char **line,
    size_t *line_len)
{
	const char *start, *nl;
	size_t n;

	if (*pos >= len)
		return 0;
	start = data + *pos;
	nl = memchr(start, '\n', len - *pos);
	n = nl ? (size_t)(nl - start) : len - *pos;
	*pos += n + (nl ? 1 : 0);
	if (n > 0 && start[n - 1] == '\r')
		n--;
	*line = start;
	*line_len = n;
	return 1;
}

char *
pkgi_escape(const char *s, size_t len)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '\'' || c == '\\')
			buf_printf(&b, "\\x%02x", c);
		else
			buf_addch(&b, (char)c);
	}
	if (b.ptr == NULL)
		return xstrdup("");
	return buf_detach(&b, NULL);
}

int
pkgi_read(const struct pkg_fs *fs, const char *path, size_t max,
    struct buf *out, struct keep_error **err)
{
	size_t before = out->len;
	cleanup_free char *what = NULL;

	if (fs->read_file(fs->ctx, path, max, out, err) < 0)
		return keep_error_wrap(err, "read '%s'", path);
	if (fs->budget == NULL)
		return 0;
	what = xasprintf("'%s'", path);
	return budget_charge(fs->budget, out->len - before, what, err);
}

void
pkgi_prefetch(const struct pkg_fs *fs, const char *dir,
    const struct strv *paths)
{
	if (fs != NULL && fs->prefetch != NULL && paths->n > 0)
		fs->prefetch(fs->ctx, dir, paths);
}

int
pkgi_path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1 && dir[0] == '/')
		return path[0] == '/';
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

char *
pkgi_path_clean(const char *p)
{
	size_t plen = strlen(p);
	char *out = xmalloc(plen + 2);
	size_t o = 0;
	const char *s = p;

	out[o++] = '/';
	while (*s != '\0') {
		const char *e;
		size_t n;

		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		e = strchr(s, '/');
		n = e ? (size_t)(e - s) : strlen(s);
		if (n == 1 && s[0] == '.') {
			/* nothing */
		} else if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (o == 1) {
				free(out);
				return NULL;
			}
			o--;	/* the slash ending the last component */
			while (o > 0 && out[o - 1] != '/')
				o--;
		} else {
			memcpy(out + o, s, n);
			o += n;
			out[o++] = '/';
		}
		s += n;
	}
	if (o > 1)
		o--;	/* no trailing slash */
	out[o] = '\0';
	return out;
}

char *
pkgi_dirname(const char *p)
{
	const char *slash = strrchr(p, '/');

	if (slash == NULL || slash == p)
		return xstrdup("/");
	return xstrndup(p, (size_t)(slash - p));
}

int
pkgi_eq(const char *s, size_t len, const char *key)
{
	return strlen(key) == len && memcmp(s, key, len) == 0;
}

const char *
pkgi_trim(const char *s, size_t *len)
{
	while (*len > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		(*len)--;
	}
	while (*len > 0 && (s[*len - 1] == ' ' || s[*len - 1] == '\t'))
		(*len)--;
	return s;
}

int
pkgi_charge(const struct pkg_fs *fs, size_t cost, const char *path,
    struct keep_error **err)
{
	cleanup_free char *what = NULL;

	if (fs->budget == NULL)
		return 0;
	what = xasprintf("the paths of '%s'", path);
	return budget_charge(fs->budget, cost, what, err);
}

void
pkgi_warn(struct strv *warnings, const char *fmt, ...)
{
	cleanup_free char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strv_push(warnings, s);
}

int
pkgi_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}
