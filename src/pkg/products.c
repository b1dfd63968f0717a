/*
 * Paths that packages make beyond what their file lists say, as the
 * databases tell:
 *
 *  - usrmerge. dpkg's .list files name /bin/x, /lib/x ... while on a
 *    merged /usr (every Debian 12 and Ubuntu 22.04 image) those are
 *    symlinks to usr/bin, usr/lib, so the change list names /usr/lib/x.
 *    Whether an image is merged is its own root's business: the links
 *    are read, never assumed.
 *  - update-alternatives. Its database (/var/lib/dpkg/alternatives/NAME)
 *    names the links it makes: the master link, /etc/alternatives/NAME,
 *    and the same for each slave. In manual mode the choice under
 *    /etc/alternatives is the user's, which a rebuild would not make: it
 *    stays a loose file.
 */
#include "pkg/pkg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* The root directories a merged /usr turns into links. */
static const char *const root_dirs[] = {
	"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
};

/* Some entry of the sorted explained is dir or below it. */
static int
explains_under(const struct strv *explained, const char *dir)
{
	size_t len = strlen(dir);

	for (size_t i = 0; i < explained->n; i++)
		if (strncmp(explained->v[i], dir, len) == 0 &&
		    (explained->v[i][len] == '/' || explained->v[i][len] == '\0'))
			return 1;
	return 0;
}

int
pkg_explain_aliases(const struct pkg_fs *fs, struct strv *explained,
    struct keep_error **err)
{
	size_t n = explained->n;

	if (fs->resolve_link == NULL)
		return 0;
	for (size_t d = 0; d < sizeof(root_dirs) / sizeof(root_dirs[0]); d++) {
		const char *alias = root_dirs[d];
		size_t len = strlen(alias);
		cleanup_free char *target = NULL;

		/* Ask the engine only about links the package lists use. */
		if (!explains_under(explained, alias))
			continue;
		if (fs->resolve_link(fs->ctx, alias, &target, err) < 0) {
			if (keep_error_not_found(err))
				continue;	/* a real directory */
			return keep_error_wrap(err, "resolve '%s'", alias);
		}
		if (strcmp(target, "/") == 0 || strcmp(target, alias) == 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			const char *p = explained->v[i];

			if (strncmp(p, alias, len) == 0 && (p[len] == '/' || p[len] == '\0'))
				strv_pushf(explained, "%s%s", target, p + len);
		}
	}
	return 0;
}

/*
 * Append what the alternatives database file of name says update-
 * alternatives made: its links, and in auto mode the choices under
 * /etc/alternatives.
 */
void
dpkg_parse_alternative(const char *name, const char *data, size_t len,
    struct strv *out)
{
	const char *line;
	size_t pos = 0, n, lineno = 0;
	int manual = 0;

	if (strchr(name, '/') != NULL || name[0] == '.' || name[0] == '\0')
		return;
	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		lineno++;
		if (n == 0)
			break;	/* the links end; the choices follow */
		if (lineno == 1) {
			manual = pkgi_eq(line, n, "manual");
			if (!manual)
				strv_pushf(out, "/etc/alternatives/%s", name);
			continue;
		}
		if (lineno % 2 == 0) {
			/* The master link, or a slave's link. */
			if (line[0] == '/' && memchr(line, '\0', n) == NULL)
				strv_pushf(out, "%.*s", (int)n, line);
			continue;
		}
		/* A slave's name: its choice, too, is the master's mode's. */
		if (!manual && memchr(line, '/', n) == NULL &&
		    memchr(line, '\0', n) == NULL)
			strv_pushf(out, "/etc/alternatives/%.*s", (int)n, line);
	}
}

int
pkg_explain_alternatives(const struct pkg_fs *fs,
    const struct fs_changes *changes, struct strv *explained,
    struct keep_error **err)
{
	struct kvv files = { 0 };
	int any = 0;

	for (size_t i = 0; i < changes->n && !any; i++)
		any = pkgi_path_under(changes->v[i].path, "/etc/alternatives") &&
		    changes->v[i].kind != FS_DELETED;
	if (!any || fs->read_dir == NULL)
		return 0;
	if (fs->read_dir(fs->ctx, "/var/lib/dpkg/alternatives", PKG_MAX_LIST,
	    &files, err) < 0) {
		if (keep_error_not_found(err))
			return 0;
		return keep_error_wrap(err, "read '/var/lib/dpkg/alternatives'");
	}
	for (size_t i = 0; i < files.n; i++)
		dpkg_parse_alternative(files.v[i].key, files.v[i].value,
		    strlen(files.v[i].value), explained);
	kvv_release(&files);
	return 0;
}
