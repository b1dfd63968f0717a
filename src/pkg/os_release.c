/*
 * /etc/os-release (os-release(5)): which distribution an image is, for the
 * package URLs of an SBOM (pkg:deb/debian/..., distro=debian-12). Shell-like
 * KEY=VALUE lines, the value bare or quoted; only ID and VERSION_ID are
 * read, and only in the characters os-release(5) allows them.
 */
#include "pkg/pkg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* os-release is a few hundred bytes; anything past this is not one. */
#define OS_RELEASE_MAX ((size_t)64 << 10)

/* The value of a line, unquoted: "...", '...' or bare. Caller frees. */
static char *
unquote(const char *s, size_t n)
{
	struct buf b = BUF_INIT;
	char q = 0;

	if (n > 0 && (s[0] == '"' || s[0] == '\'')) {
		q = s[0];
		s++;
		n--;
		if (n == 0 || s[n - 1] != q)
			return NULL;
		n--;
	}
	for (size_t i = 0; i < n; i++) {
		/* In double quotes, \ escapes the next character. */
		if (q == '"' && s[i] == '\\' && i + 1 < n)
			i++;
		buf_addch(&b, s[i]);
	}
	return b.ptr ? buf_detach(&b, NULL) : xstrdup("");
}

/* Every byte of s is a lower-case letter, a digit or in extra. */
static int
valid_word(const char *s, const char *extra, int upper)
{
	if (s[0] == '\0')
		return 0;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    (upper && *p >= 'A' && *p <= 'Z') || strchr(extra, *p)))
			return 0;
	return 1;
}

void
os_release_parse(const char *data, size_t len, char **id, char **version_id)
{
	size_t pos = 0, n;
	const char *line;

	*id = *version_id = NULL;
	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		const char *eq = memchr(line, '=', n);
		char **out;
		char *v;

		if (eq == NULL)
			continue;
		if (pkgi_eq(line, (size_t)(eq - line), "ID"))
			out = id;
		else if (pkgi_eq(line, (size_t)(eq - line), "VERSION_ID"))
			out = version_id;
		else
			continue;
		v = unquote(eq + 1, n - (size_t)(eq + 1 - line));
		if (v && (out == id ? valid_word(v, "._-", 0) :
		    valid_word(v, "._~-", 1))) {
			free(*out);
			*out = v;
		} else {
			free(v);
		}
	}
}

int
os_release_read(const struct pkg_fs *fs, char **id, char **version_id,
    struct keep_error **err)
{
	static const char *const paths[] = { "/etc/os-release",
		"/usr/lib/os-release" };
	struct buf b = BUF_INIT;
	int rc = -1;

	*id = *version_id = NULL;
	for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
		buf_truncate(&b, 0);
		if ((rc = pkgi_read(fs, paths[i], OS_RELEASE_MAX, &b, err)) == 0)
			break;
		if (i + 1 < sizeof(paths) / sizeof(*paths) &&
		    !keep_error_not_found(err))
			break;
	}
	if (rc == 0)
		os_release_parse(b.ptr ? b.ptr : "", b.len, id, version_id);
	buf_release(&b);
	return rc;
}
