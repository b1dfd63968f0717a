/*
 * apk (Alpine): /lib/apk/db/installed holds one blank-line separated entry
 * per package, each line "X:value" with a one-letter key; /etc/apk/world
 * lists what was asked for explicitly.
 */
#include "pkg/pkg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

struct apk_entry {
	char *name;
	char *version;
	char *arch;
	int has_nul;
	size_t first_line;
};

static void
entry_clear(struct apk_entry *e)
{
	free(e->name);
	free(e->version);
	free(e->arch);
	memset(e, 0, sizeof(*e));
}

static void
entry_flush(struct apk_entry *e, struct pkg_set *out, struct strv *warnings)
{

	if (e->has_nul) {
		pkgi_warn(warnings, "apk installed: entry at line %zu holds a "
		    "NUL byte, skipped", e->first_line);
		return;
	}
	if (e->name == NULL || e->name[0] == '\0' || e->version == NULL ||
	    e->version[0] == '\0') {
		pkgi_warn(warnings, "apk installed: entry at line %zu has no "
		    "%s, skipped", e->first_line,
		    e->name == NULL || e->name[0] == '\0' ? "P:" : "V:");
		return;
	}
	pkg_set_add(out, "apk", e->name, e->version, e->arch);
}

static void
set_once(char **slot, const char *v, size_t n)
{
	if (*slot == NULL)
		*slot = xstrndup(v, n);
}

void
apk_parse_installed(const char *data, size_t len, struct pkg_set *out,
    struct strv *warnings)
{
	struct apk_entry e = { 0 };
	const char *line;
	size_t pos = 0, n, lineno = 0;
	int any = 0;

	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		lineno++;
		if (pkgi_blank(line, n)) {
			if (any)
				entry_flush(&e, out, warnings);
			entry_clear(&e);
			any = 0;
			continue;
		}
		if (!any)
			e.first_line = lineno;
		any = 1;
		if (memchr(line, '\0', n) != NULL) {
			e.has_nul = 1;
			continue;
		}
		if (n < 2 || line[1] != ':')
			continue;
		if (line[0] == 'P')
			set_once(&e.name, line + 2, n - 2);
		else if (line[0] == 'V')
			set_once(&e.version, line + 2, n - 2);
		else if (line[0] == 'A')
			set_once(&e.arch, line + 2, n - 2);
	}
	if (any)
		entry_flush(&e, out, warnings);
	entry_clear(&e);
}

size_t
apk_parse_owned(const char *data, size_t len, const struct strv *names,
    struct strv *out)
{
	const char *line;
	size_t pos = 0, n, cost = 0;
	int mine = 0;
	cleanup_free char *dir = NULL;

	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		cleanup_free char *raw = NULL;
		char *clean;

		if (pkgi_blank(line, n)) {
			mine = 0;
			free(dir);
			dir = NULL;
			continue;
		}
		if (n < 2 || line[1] != ':' || memchr(line, '\0', n) != NULL)
			continue;
		if (line[0] == 'P') {
			cleanup_free char *name = xstrndup(line + 2, n - 2);

			mine = strv_sorted_has(names, name);
			continue;
		}
		if (!mine)
			continue;
		if (line[0] == 'F') {
			free(dir);
			dir = xstrndup(line + 2, n - 2);
			raw = xasprintf("/%s", dir);
		} else if (line[0] == 'R' && dir != NULL) {
			raw = xasprintf("/%s/%.*s", dir, (int)(n - 2), line + 2);
		} else {
			continue;
		}
		clean = pkgi_path_clean(raw);
		if (clean != NULL && strcmp(clean, "/") != 0) {
			cost += BUDGET_STRING(strlen(clean));
			if (out != NULL) {
				strv_push_nodup(out, clean);
				continue;
			}
		}
		free(clean);
	}
	return cost;
}

void
apk_parse_world(const char *data, size_t len, struct strv *out)
{
	struct strv names = { 0 };
	size_t i = 0;

	while (i < len) {
		size_t start, end, cut;

		while (i < len && (data[i] == ' ' || data[i] == '\t' ||
		    data[i] == '\n' || data[i] == '\r'))
			i++;
		start = i;
		while (i < len && data[i] != ' ' && data[i] != '\t' &&
		    data[i] != '\n' && data[i] != '\r')
			i++;
		end = i;
		if (start == end || data[start] == '!')
			continue;	/* "!pkg" forbids a package */
		for (cut = start; cut < end; cut++)
			if (strchr("=<>~@", data[cut]) != NULL ||
			    data[cut] == '\0')
				break;
		if (cut > start)
			strv_push_nodup(&names, xstrndup(data + start,
			    cut - start));
	}
	strv_sort_unique(&names);
	for (i = 0; i < names.n; i++)
		strv_push_nodup(out, names.v[i]);
	free(names.v);
}

int
apk_collect(const struct pkg_fs *fs, struct pkg_set *out, struct buf *db_out,
    struct strv *warnings, struct keep_error **err)
{
	cleanup_buf struct buf db = BUF_INIT;
	cleanup_buf struct buf world = BUF_INIT;
	struct pkg_set found = { 0 };
	struct strv names = { 0 };
	int r;

	if (pkgi_read(fs, "/lib/apk/db/installed", PKG_MAX_DB, &db, err) < 0)
		return keep_error_not_found(err) ? 0 : -1;
	apk_parse_installed(db.ptr, db.len, &found, warnings);
	r = pkgi_read(fs, "/etc/apk/world", PKG_MAX_LIST, &world, err);
	if (r < 0 && !keep_error_not_found(err)) {
		pkg_set_release(&found);
		return -1;
	}
	if (r == 0)
		apk_parse_world(world.ptr, world.len, &names);
	for (size_t i = 0; i < found.n; i++) {
		/* Without a world file nothing is known to be explicit. */
		found.v[i].automatic = r == 0 &&
		    !strv_sorted_has(&names, found.v[i].name);
		pkg_set_push(out, &found.v[i]);
	}
	strv_release(&names);
	pkg_set_release(&found);
	if (db_out != NULL) {
		buf_add(db_out, db.ptr, db.len);
	}
	return 0;
}
