/*
 * Which dpkg packages apt installed from an index. apt logs every run in
 * /var/log/apt/history.log: its command line and the packages it installed,
 * upgraded, downgraded or reinstalled with their versions. A package the
 * container added (or changed) that no entry names at that version came in
 * another way - `dpkg -i` of a local .deb - and so does one that apt took
 * from a .deb file named on its command line (`apt-get install ./x.deb`):
 * no index is known to have it, and a recipe cannot install it by name.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/pkg_internal.h"
#include "util/xalloc.h"

struct apt_entry {
	struct strv local;	/* names of .deb files on the command line */
	struct strv known;	/* "name\nversion" of what apt installed */
};

/* "name_1.0-1_amd64.deb" (any directory before it) -> "name". */
static void
add_local_deb(struct strv *local, const char *tok, size_t len)
{
	const char *base = tok, *us;

	for (size_t i = 0; i < len; i++)
		if (tok[i] == '/')
			base = tok + i + 1;
	us = memchr(base, '_', (size_t)(tok + len - base));
	if (us && us > base) {
		cleanup_free char *name = xstrndup(base, (size_t)(us - base));

		strv_push(local, name);
	}
}

static void
parse_commandline(const char *s, size_t len, struct strv *local)
{
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && s[i] == ' ')
			i++;
		start = i;
		while (i < len && s[i] != ' ')
			i++;
		if (i - start > 4 && memcmp(s + i - 4, ".deb", 4) == 0)
			add_local_deb(local, s + start, i - start);
	}
}

/*
 * "a:amd64 (1.0, automatic), b:all (2.0-1, 2.0-2)": for each package the
 * version it ended at (the last one in its parentheses, minus "automatic").
 */
static void
parse_packages(const char *s, size_t len, struct strv *known)
{
	size_t i = 0;

	while (i < len) {
		size_t name_start, name_end, open, close, v_start, v_end;
		cleanup_free char *key = NULL;

		while (i < len && (s[i] == ' ' || s[i] == ','))
			i++;
		name_start = i;
		while (i < len && s[i] != ' ' && s[i] != '(')
			i++;
		name_end = i;
		while (i < len && s[i] != '(')
			i++;
		if (i >= len)
			return;
		open = i;
		while (i < len && s[i] != ')')
			i++;
		if (i >= len)
			return;
		close = i++;
		/* The last comma-separated field that is not "automatic". */
		v_start = open + 1;
		v_end = close;
		for (size_t k = open + 1; k < close; k++)
			if (s[k] == ',') {
				size_t f = k + 1;

				while (f < close && s[f] == ' ')
					f++;
				if (close - f == 9 && memcmp(s + f, "automatic", 9) == 0) {
					v_end = k;
					break;
				}
				v_start = f;
			}
		{
			const char *colon = memchr(s + name_start, ':',
			    name_end - name_start);
			size_t nlen = (colon ? (size_t)(colon - s) : name_end) -
			    name_start;

			key = xasprintf("%.*s\n%.*s", (int)nlen, s + name_start,
			    (int)(v_end - v_start), s + v_start);
		}
		strv_push(known, key);
	}
}

/* Fold one log entry into the set of (name, version) apt got from an index. */
static void
entry_done(struct apt_entry *e, struct strv *known)
{
	strv_sort(&e->local);
	for (size_t i = 0; i < e->known.n; i++) {
		const char *nl = strchr(e->known.v[i], '\n');
		cleanup_free char *name = xstrndup(e->known.v[i],
		    (size_t)(nl - e->known.v[i]));

		if (!strv_sorted_has(&e->local, name))
			strv_push(known, e->known.v[i]);
	}
	strv_release(&e->local);
	strv_release(&e->known);
}

void
apt_history_parse(const char *data, size_t len, struct strv *known)
{
	struct apt_entry e = { 0 };
	size_t i = 0;

	while (i < len) {
		const char *line = data + i, *nl = memchr(line, '\n', len - i);
		size_t llen = nl ? (size_t)(nl - line) : len - i;
		static const char *const lists[] = { "Install: ", "Upgrade: ",
		    "Downgrade: ", "Reinstall: " };

		i += llen + (nl != NULL);
		if (llen == 0) {
			entry_done(&e, known);
			continue;
		}
		if (llen > 13 && memcmp(line, "Commandline: ", 13) == 0) {
			parse_commandline(line + 13, llen - 13, &e.local);
			continue;
		}
		for (size_t k = 0; k < sizeof(lists) / sizeof(lists[0]); k++) {
			size_t pl = strlen(lists[k]);

			if (llen > pl && memcmp(line, lists[k], pl) == 0)
				parse_packages(line + pl, llen - pl, &e.known);
		}
	}
	entry_done(&e, known);
}

/* The change list shows apt's log (or its folder) deleted: logs cleaned. */
static int
log_deleted(const struct fs_changes *fsc)
{
	for (size_t i = 0; fsc && i < fsc->n; i++)
		if (fsc->v[i].kind == FS_DELETED &&
		    (strcmp(fsc->v[i].path, "/var/log/apt/history.log") == 0 ||
		    strcmp(fsc->v[i].path, "/var/log/apt") == 0 ||
		    strcmp(fsc->v[i].path, "/var/log") == 0))
			return 1;
	return 0;
}

int
apt_history_mark_local(const struct pkg_fs *fs, struct pkg_changes *changes,
    const struct fs_changes *fsc, struct keep_error **err)
{
	struct buf log = BUF_INIT;
	struct strv known = { 0 };
	size_t todo = 0;
	int r;

	/* Each read is an archive request: none when no dpkg package changed. */
	for (size_t i = 0; i < changes->n; i++)
		if (strcmp(changes->v[i].pkg.manager, "dpkg") == 0 &&
		    changes->v[i].change != PKG_REMOVED)
			todo++;
	if (todo == 0)
		return 0;
	r = pkgi_read(fs, "/var/log/apt/history.log", PKG_MAX_LIST, &log, err);
	if (r < 0 && !keep_error_not_found(err)) {
		buf_release(&log);
		return -1;
	}
	if (r < 0 && log_deleted(fsc)) {
		/* Someone cleaned the logs: nothing can be told. */
		buf_release(&log);
		return 0;
	}
	/* No log at all: apt never ran here, so none of them came from it. */
	if (r == 0)
		apt_history_parse(log.ptr, log.len, &known);
	buf_release(&log);
	strv_sort(&known);
	for (size_t i = 0; i < changes->n; i++) {
		struct pkg_change *pc = &changes->v[i];
		cleanup_free char *key = NULL;

		if (strcmp(pc->pkg.manager, "dpkg") != 0 ||
		    pc->change == PKG_REMOVED || pc->pkg.origin[0])
			continue;
		key = xasprintf("%s\n%s", pc->pkg.name, pc->pkg.version);
		if (!strv_sorted_has(&known, key)) {
			free(pc->pkg.origin);
			pc->pkg.origin = xstrdup("local");
		}
	}
	strv_release(&known);
	return 0;
}
