/*
 * Helpers shared by the package-analyzer unit tests: fixture paths, loading
 * a change list saved as `docker diff` prints it, and finding packages.
 */
#ifndef KEEP_TESTS_PKG_HELPERS_H
#define KEEP_TESTS_PKG_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/pkg.h"
#include "util/xalloc.h"

static inline char *
fixture(const char *rel)
{
	const char *root = getenv("KEEP_FIXTURES");

	return xasprintf("%s/pkg/%s", root ? root : "tests/fixtures", rel);
}

/* Open a fixture tree as a pkg_fs; aborts the test on failure. */
static inline void
fixture_fs(struct pkg_fs *fs, const char *rel)
{
	char *path = fixture(rel);
	struct keep_error *err = NULL;

	if (pkg_dir_fs_open(fs, path, &err) < 0) {
		printf("Bail out! %s\n", err->message);
		exit(1);
	}
	free(path);
}

/* Read "A /path" / "C /path" / "D /path" lines into *out. */
static inline void
load_changes(const char *rel, struct fs_changes *out)
{
	char *path = fixture(rel);
	FILE *f = fopen(path, "r");
	char line[4096];

	if (f == NULL) {
		printf("Bail out! cannot open %s\n", path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		size_t n = strlen(line);
		enum fs_change_kind k;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n < 3)
			continue;
		k = line[0] == 'A' ? FS_ADDED : line[0] == 'D' ? FS_DELETED :
		    FS_MODIFIED;
		fs_changes_push(out, line + 2, k);
	}
	fclose(f);
	free(path);
}

static inline const struct pkg *
find_pkg(const struct pkg_set *s, const char *manager, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].manager, manager) == 0 &&
		    strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

static inline const struct pkg_change *
find_change(const struct pkg_changes *c, const char *manager, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].pkg.manager, manager) == 0 &&
		    strcmp(c->v[i].pkg.name, name) == 0)
			return &c->v[i];
	return NULL;
}

/* Does some warning contain needle? */
static inline int
has_warning(const struct strv *w, const char *needle)
{
	for (size_t i = 0; i < w->n; i++)
		if (strstr(w->v[i], needle) != NULL)
			return 1;
	return 0;
}

static inline int
has_change_path(const struct fs_changes *c, const char *path)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].path, path) == 0)
			return 1;
	return 0;
}

#endif
