/*
 * dpkg and apt: /var/lib/dpkg/status (or the distroless status.d/),
 * /var/lib/apt/extended_states for the automatic marks, and
 * /var/lib/dpkg/info/NAME.list for the files a package owns.
 */
#include "pkg/pkg_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* The fields of one stanza that we keep; NULL when absent. */
struct stanza {
	char *package;
	char *version;
	char *arch;
	char *status;
	char *auto_installed;
	int has_nul;
	size_t first_line;
};

static void
stanza_clear(struct stanza *st)
{
	free(st->package);
	free(st->version);
	free(st->arch);
	free(st->status);
	free(st->auto_installed);
	memset(st, 0, sizeof(*st));
}

/* Record "Key: value" if Key is one we keep; the first occurrence wins. */
static void
stanza_field(struct stanza *st, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	const char *val;
	size_t klen, vlen;
	char **slot = NULL;

	if (colon == NULL)
		return;
	klen = (size_t)(colon - line);
	val = colon + 1;
	vlen = len - klen - 1;
	val = pkgi_trim(val, &vlen);
	if (pkgi_eq(line, klen, "Package"))
		slot = &st->package;
	else if (pkgi_eq(line, klen, "Version"))
		slot = &st->version;
	else if (pkgi_eq(line, klen, "Architecture"))
		slot = &st->arch;
	else if (pkgi_eq(line, klen, "Status"))
		slot = &st->status;
	else if (pkgi_eq(line, klen, "Auto-Installed"))
		slot = &st->auto_installed;
	if (slot != NULL && *slot == NULL)
		*slot = xstrndup(val, vlen);
}

typedef void (*stanza_fn)(void *ctx, struct stanza *st);

/*
 * Split data into blank-line separated stanzas and call fn for each that
 * has at least one field. Continuation lines (leading space or tab) belong
 * to multi-line fields we do not keep, so they are skipped.
 */
static void
each_stanza(const char *data, size_t len, stanza_fn fn, void *ctx)
{
	struct stanza st = { 0 };
	const char *line;
	size_t pos = 0, n, lineno = 0;
	int any = 0;

	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		lineno++;
		if (pkgi_blank(line, n)) {
			if (any)
				fn(ctx, &st);
			stanza_clear(&st);
			any = 0;
			continue;
		}
		if (!any)
			st.first_line = lineno;
		any = 1;
		if (memchr(line, '\0', n) != NULL) {
			st.has_nul = 1;
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t')
			continue;
		stanza_field(&st, line, n);
	}
	if (any)
		fn(ctx, &st);
	stanza_clear(&st);
}

struct status_ctx {
	struct pkg_set *out;
	struct strv *warnings;
	int require_status;
};

/*
 * "install ok installed" and "hold ok installed" both mean the package is
 * on disk; anything else (half-installed, config-files ...) is not.
 */
static int
is_installed(const char *status)
{
	return status != NULL && (strcmp(status, "install ok installed") == 0 ||
	    strcmp(status, "hold ok installed") == 0);
}

static void
status_stanza(void *ctx, struct stanza *st)
{
	struct status_ctx *c = ctx;

	if (st->has_nul) {
		pkgi_warn(c->warnings, "dpkg status: stanza at line %zu holds "
		    "a NUL byte, skipped", st->first_line);
		return;
	}
	if (c->require_status && !is_installed(st->status))
		return;
	if (st->package == NULL || st->package[0] == '\0' ||
	    st->version == NULL || st->version[0] == '\0') {
		cleanup_free char *name = st->package ?
		    pkgi_escape(st->package, strlen(st->package)) : NULL;

		pkgi_warn(c->warnings, "dpkg status: stanza at line %zu%s%s%s "
		    "has no %s, skipped", st->first_line,
		    name ? " ('" : "", name ? name : "", name ? "')" : "",
		    st->package == NULL || st->package[0] == '\0' ?
		    "Package" : "Version");
		return;
	}
	pkg_set_add(c->out, "dpkg", st->package, st->version, st->arch);
}

void
dpkg_parse_status(const char *data, size_t len, int require_status,
    struct pkg_set *out, struct strv *warnings)
{
	struct status_ctx c = { out, warnings, require_status };

	each_stanza(data, len, status_stanza, &c);
}

static void
ext_stanza(void *ctx, struct stanza *st)
{
	struct strv *auto_out = ctx;
	cleanup_free char *key = NULL;

	if (st->has_nul || st->package == NULL || st->auto_installed == NULL ||
	    strcmp(st->auto_installed, "1") != 0)
		return;
	if (st->arch != NULL && st->arch[0] != '\0')
		key = xasprintf("%s:%s", st->package, st->arch);
	else
		key = xstrdup(st->package);
	strv_push(auto_out, key);
}

void
dpkg_parse_extended_states(const char *data, size_t len, struct strv *auto_out)
{
	each_stanza(data, len, ext_stanza, auto_out);
}

/* Does sorted hold an entry that starts with "name:"? */
static int
has_any_arch(const struct strv *sorted, const char *name)
{
	cleanup_free char *prefix = xasprintf("%s:", name);
	size_t lo = 0, hi = sorted->n, n = strlen(prefix);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(sorted->v[mid], prefix) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < sorted->n && strncmp(sorted->v[lo], prefix, n) == 0;
}

void
dpkg_apply_auto(struct pkg_set *set, const struct strv *auto_keys)
{
	struct strv keys = { 0 };

	for (size_t i = 0; i < auto_keys->n; i++)
		strv_push(&keys, auto_keys->v[i]);
	strv_sort(&keys);
	for (size_t i = 0; i < set->n; i++) {
		struct pkg *p = &set->v[i];
		cleanup_free char *key = NULL;

		if (strcmp(p->manager, "dpkg") != 0)
			continue;
		key = xasprintf("%s:%s", p->name, p->arch);
		/*
		 * apt writes Architecture for every stanza: the native one for
		 * an Architecture: all package (git-man:amd64). A bare name
		 * (old files) marks the package whatever its architecture.
		 */
		if (strv_sorted_has(&keys, key) ||
		    strv_sorted_has(&keys, p->name) ||
		    (strcmp(p->arch, "all") == 0 && has_any_arch(&keys, p->name)))
			p->automatic = 1;
	}
	strv_release(&keys);
}

int
dpkg_collect(const struct pkg_fs *fs, struct pkg_set *out,
    struct strv *warnings, struct keep_error **err)
{
	cleanup_buf struct buf b = BUF_INIT;
	struct pkg_set found = { 0 };
	struct strv autos = { 0 };
	int r;

	r = pkgi_read(fs, "/var/lib/dpkg/status", PKG_MAX_DB, &b, err);
	if (r < 0 && !keep_error_not_found(err))
		return -1;
	if (r == 0) {
		dpkg_parse_status(b.ptr, b.len, 1, &found, warnings);
	} else {
		/* Distroless: one status file per package, no Status field. */
		struct strv names = { 0 };
		size_t total = 0;

		if (fs->list_dir(fs->ctx, "/var/lib/dpkg/status.d", &names,
		    err) < 0 && !keep_error_not_found(err))
			return keep_error_wrap(err,
			    "list '/var/lib/dpkg/status.d'");
		for (size_t i = 0; i < names.n; i++)
			total += BUDGET_STRING(strlen(names.v[i]));
		if (pkgi_charge(fs, total, "/var/lib/dpkg/status.d", err) < 0) {
			strv_release(&names);
			return -1;
		}
		total = 0;
		for (size_t i = 0; i < names.n; i++) {
			size_t nl = strlen(names.v[i]);
			cleanup_free char *path = NULL;

			if (nl >= 8 && strcmp(names.v[i] + nl - 8, ".md5sums") == 0)
				continue;
			path = xasprintf("/var/lib/dpkg/status.d/%s", names.v[i]);
			buf_truncate(&b, 0);
			r = pkgi_read(fs, path, PKG_MAX_META, &b, err);
			if (r < 0 && !keep_error_not_found(err)) {
				strv_release(&names);
				pkg_set_release(&found);
				return -1;
			}
			total += b.len;
			if (total > PKG_MAX_DB) {
				strv_release(&names);
				pkg_set_release(&found);
				return keep_error_set(err, KEEP_ERR_FAILED,
				    "read '/var/lib/dpkg/status.d': more than "
				    "%zu bytes in all", PKG_MAX_DB);
			}
			if (r == 0)
				dpkg_parse_status(b.ptr, b.len, 0, &found,
				    warnings);
		}
		strv_release(&names);
	}
	if (found.n > 0) {
		buf_truncate(&b, 0);
		r = pkgi_read(fs, "/var/lib/apt/extended_states", PKG_MAX_LIST,
		    &b, err);
		if (r < 0 && !keep_error_not_found(err)) {
			pkg_set_release(&found);
			return -1;
		}
		if (r == 0) {
			dpkg_parse_extended_states(b.ptr, b.len, &autos);
			dpkg_apply_auto(&found, &autos);
			strv_release(&autos);
		}
	}
	for (size_t i = 0; i < found.n; i++)
		pkg_set_push(out, &found.v[i]);
	pkg_set_release(&found);
	return 0;
}

size_t
dpkg_parse_list(const char *data, size_t len, struct strv *out)
{
	const char *line;
	size_t pos = 0, n, cost = 0;

	while (pkgi_next_line(data, len, &pos, &line, &n)) {
		if (n == 0 || line[0] != '/' || memchr(line, '\0', n) != NULL)
			continue;
		if (n == 2 && line[1] == '.')
			continue;
		cost += BUDGET_STRING(n);
		if (out != NULL)
			strv_push_nodup(out, xstrndup(line, n));
	}
	return cost;
}

/* Charge what path's list costs, then keep it. */
static int
keep_list(const struct pkg_fs *fs, const struct buf *b, const char *path,
    struct strv *out, struct keep_error **err)
{
	if (pkgi_charge(fs, dpkg_parse_list(b->ptr, b->len, NULL), path, err) < 0)
		return -1;
	dpkg_parse_list(b->ptr, b->len, out);
	return 0;
}

void
dpkgi_list_paths(const struct pkg *p, struct strv *out)
{
	/* Multi-Arch: same packages name their files NAME:ARCH.*. */
	if (p->arch[0] != '\0')
		strv_pushf(out, "/var/lib/dpkg/info/%s:%s.list", p->name,
		    p->arch);
	strv_pushf(out, "/var/lib/dpkg/info/%s.list", p->name);
}

int
dpkg_owned_paths(const struct pkg_fs *fs, const struct pkg *p,
    struct strv *out, struct keep_error **err)
{
	cleanup_buf struct buf b = BUF_INIT;
	struct strv paths = { 0 };
	int rc = 0;

	dpkgi_list_paths(p, &paths);
	for (size_t i = 0; i < paths.n; i++) {
		if (pkgi_read(fs, paths.v[i], PKG_MAX_LIST, &b, err) == 0) {
			rc = keep_list(fs, &b, paths.v[i], out, err);
			break;
		}
		/* A missing list adds nothing; the next name may have it. */
		if (!keep_error_not_found(err)) {
			rc = -1;
			break;
		}
	}
	strv_release(&paths);
	return rc;
}
