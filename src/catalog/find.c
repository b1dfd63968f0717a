#include "catalog/find.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_internal.h"
#include "util/buf.h"
#include "util/strv.h"
#include "util/xalloc.h"

void
find_hits_release(struct find_hits *h)
{
	for (size_t i = 0; i < h->n; i++) {
		struct find_hit *x = &h->v[i];

		free(x->engine);
		free(x->name);
		pkg_release(&x->pkg);
		free(x->file.path);
		free(x->env_name);
		free(x->mount.type);
		free(x->mount.source);
		free(x->mount.destination);
		free(x->mount.mode);
		free(x->mount.driver);
		free(x->image_ref);
		free(x->base_id);
		free(x->base_digest);
	}
	free(h->v);
	h->v = NULL;
	h->n = h->cap = 0;
}

/*
 * The key package names are indexed by (migration "find"): written here
 * as there, so that SQLite uses the index.
 */
#define NAME_KEY(col) \
	"replace(replace(lower(" col "), '_', '-'), '.', '-')"

/* pattern as NAME_KEY turns a name: globs match keys as they do names. */
static char *
name_key(const char *pattern)
{
	char *k = xstrdup(pattern);

	for (char *p = k; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (*p == '_' || *p == '.')
			*p = '-';
	}
	return k;
}

/*
 * The range of the index a glob's matches lie in: from its literal start
 * (before the first '*', '?' or '[') to just past it. *hi is "\xff" when
 * there is no literal start (every row) or it ends in a 0xff byte.
 */
static void
glob_range(const char *pattern, char **lo, char **hi)
{
	size_t n = strcspn(pattern, "*?[\\");
	unsigned char last;

	*lo = xstrndup(pattern, n);
	if (n == 0 || (unsigned char)pattern[n - 1] == 0xff) {
		*hi = xstrdup("\xff");
		return;
	}
	*hi = xstrndup(pattern, n);
	last = (unsigned char)(*hi)[n - 1];
	(*hi)[n - 1] = (char)(last + 1);
}

static int
glob_matches(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, 0) == 0;
}

/* A name as its manager compares names against pattern. */
static int
name_matches(const char *pattern, const char *manager, const char *name)
{
	if (strcmp(manager, "pip") == 0) {
		cleanup_free char *p = pip_normalize_name(pattern);
		cleanup_free char *n = pip_normalize_name(name);

		return glob_matches(p, n);
	}
	return glob_matches(pattern, name);
}

static int
has_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

/* The hex digits of an image id or digest, past "sha256:". */
static const char *
id_hex(const char *s)
{
	const char *p;

	if (s == NULL)
		return NULL;
	if ((p = strstr(s, "sha256:")) != NULL)
		return p + 7;
	return s;
}

/* "sha256:" and hex digits, or 12 hex digits at least: an image id. */
static int
looks_like_id(const char *s)
{
	size_t n;

	if (strncmp(s, "sha256:", 7) == 0)
		s += 7;
	else if (strlen(s) < 12)
		return 0;
	n = strspn(s, "0123456789abcdef");
	return n > 0 && s[n] == '\0';
}

int
find_base_matches(const char *query, const char *image_ref,
    const char *base_id, const char *base_digest)
{
	if (has_glob(query))
		return glob_matches(query, image_ref) ||
		    (base_digest && glob_matches(query, base_digest));
	if (looks_like_id(query)) {
		const char *want = id_hex(query);
		size_t n = strlen(want);

		if (strncmp(id_hex(base_id), want, n) == 0 ||
		    (base_digest && strncmp(id_hex(base_digest), want, n) == 0))
			return 1;
	}
	return image_ref_matches(query, image_ref) ||
	    (base_digest && image_ref_matches(query, base_digest));
}

/* SQL functions: the query is their user data. */
static const char *
arg_text(sqlite3_value *v)
{
	const unsigned char *s = sqlite3_value_text(v);

	return s ? (const char *)s : "";
}

static void
sql_find_package(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct find_query *q = sqlite3_user_data(ctx);
	const char *manager = arg_text(argv[0]);

	(void)argc;
	sqlite3_result_int(ctx, (q->manager == NULL ||
	    strcmp(q->manager, manager) == 0) &&
	    name_matches(q->pattern, manager, arg_text(argv[1])) &&
	    version_satisfies(manager, arg_text(argv[2]), q->op, q->version));
}

static void
sql_find_glob(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct find_query *q = sqlite3_user_data(ctx);

	(void)argc;
	sqlite3_result_int(ctx, glob_matches(q->pattern, arg_text(argv[0])));
}

static void
sql_find_base(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct find_query *q = sqlite3_user_data(ctx);
	const unsigned char *digest = sqlite3_value_text(argv[2]);

	(void)argc;
	sqlite3_result_int(ctx, find_base_matches(q->pattern,
	    arg_text(argv[0]), arg_text(argv[1]), (const char *)digest));
}

static const struct {
	const char *name;
	int args;
	void (*fn)(sqlite3_context *, int, sqlite3_value **);
} functions[] = {
	{ "keep_find_package", 3, sql_find_package },
	{ "keep_find_glob", 1, sql_find_glob },
	{ "keep_find_base", 3, sql_find_base },
};

static int
functions_set(struct catalog *cat, const struct find_query *q)
{
	for (size_t i = 0; i < sizeof(functions) / sizeof(*functions); i++)
		if (sqlite3_create_function_v2(cat->db, functions[i].name,
		    functions[i].args, SQLITE_UTF8, (void *)q,
		    q ? functions[i].fn : NULL, NULL, NULL, NULL) != SQLITE_OK)
			return -1;
	return 0;
}

/*
 * The statements, one per kind. Each returns engine, name, seq and
 * whether it is the latest, then what matched; ?1 and ?2 bound the range
 * of the index (glob_range), ?3 is the query's latest.
 */
#define HIT_COLUMNS "c.engine, c.name, s.seq, s.seq = c.last_seq"
#define HIT_JOIN "JOIN snapshots s ON s.id = x.snapshot" \
	" JOIN containers c ON c.id = s.container"
#define HIT_LATEST "(?3 = 0 OR s.seq = c.last_seq)"

static const char package_sql[] =
	"SELECT " HIT_COLUMNS ", x.manager, x.name, x.version, x.arch,"
	" x.location, x.automatic, x.installer, x.origin, x.change"
	" FROM (SELECT p.snapshot, p.manager, p.name, p.version, p.arch,"
	"  p.location, p.automatic, p.installer, p.origin, p.change"
	"  FROM package_changes p"
	"  WHERE " NAME_KEY("p.name") " >= ?1 AND " NAME_KEY("p.name") " < ?2"
	"  AND p.change <> 'removed'"
	"  AND keep_find_package(p.manager, p.name, p.version)"
	" UNION ALL"
	/* The base image's, where the snapshot did not change them. */
	" SELECT t.id, b.manager, b.name, b.version, b.arch, b.location,"
	"  b.automatic, b.installer, b.origin, NULL"
	"  FROM base_packages b JOIN base_images i ON i.id = b.base"
	"  JOIN snapshots t ON t.base_image_id = i.image_id"
	"  WHERE " NAME_KEY("b.name") " >= ?1 AND " NAME_KEY("b.name") " < ?2"
	"  AND keep_find_package(b.manager, b.name, b.version)"
	"  AND NOT EXISTS (SELECT 1 FROM package_changes p"
	"   WHERE p.snapshot = t.id AND p.manager = b.manager"
	"   AND p.name = b.name AND p.arch = b.arch"
	"   AND p.location = b.location)) x "
	HIT_JOIN " WHERE " HIT_LATEST
	" ORDER BY c.name, c.engine, x.manager, x.name, x.arch, x.location,"
	" s.seq";

static const char file_sql[] =
	"SELECT " HIT_COLUMNS ", x.path, x.kind, x.loose FROM fs_changes x "
	HIT_JOIN " WHERE x.path >= ?1 AND x.path < ?2"
	" AND keep_find_glob(x.path) AND " HIT_LATEST
	" ORDER BY c.name, c.engine, x.path, s.seq";

static const char env_sql[] =
	"SELECT DISTINCT " HIT_COLUMNS ", x.name FROM env x "
	HIT_JOIN " WHERE x.name >= ?1 AND x.name < ?2"
	" AND keep_find_glob(x.name) AND " HIT_LATEST
	" ORDER BY c.name, c.engine, x.name, s.seq";

static const char mount_sql[] =
	"SELECT " HIT_COLUMNS ", x.type, x.source, x.destination, x.rw,"
	" x.mode, x.driver FROM mounts x "
	HIT_JOIN " WHERE x.source >= ?1 AND x.source < ?2"
	" AND keep_find_glob(x.source) AND " HIT_LATEST
	" ORDER BY c.name, c.engine, x.source, x.destination, s.seq";

/* Every snapshot is a candidate: no range. */
static const char base_sql[] =
	"SELECT " HIT_COLUMNS ", s.image_ref, s.base_image_id, s.base_digest"
	" FROM snapshots s JOIN containers c ON c.id = s.container"
	" WHERE keep_find_base(s.image_ref, s.base_image_id, s.base_digest)"
	" AND " HIT_LATEST
	" ORDER BY c.name, c.engine, s.seq";

/* Fill x from the row, past the four columns every kind has. */
static void
hit_read(enum find_kind kind, sqlite3_stmt *st, struct find_hit *x)
{
	const char *change;

	x->engine = catalog_col_str(st, 0);
	x->name = catalog_col_str(st, 1);
	x->seq = sqlite3_column_int64(st, 2);
	x->latest = sqlite3_column_int(st, 3);
	switch (kind) {
	case FIND_PACKAGE:
		x->pkg.manager = catalog_col_str(st, 4);
		x->pkg.name = catalog_col_str(st, 5);
		x->pkg.version = catalog_col_str(st, 6);
		x->pkg.arch = catalog_col_str(st, 7);
		x->pkg.location = catalog_col_str(st, 8);
		x->pkg.automatic = sqlite3_column_int(st, 9);
		x->pkg.installer = catalog_col_str(st, 10);
		x->pkg.origin = catalog_col_str(st, 11);
		change = (const char *)sqlite3_column_text(st, 12);
		x->from_base = change == NULL;
		x->change = change && strcmp(change, "added") == 0 ? PKG_ADDED :
		    PKG_UPGRADED;
		break;
	case FIND_FILE:
		x->file.path = catalog_col_str(st, 4);
		x->file.kind = sqlite3_column_int(st, 5);
		x->loose = sqlite3_column_int(st, 6);
		break;
	case FIND_ENV:
		x->env_name = catalog_col_str(st, 4);
		break;
	case FIND_MOUNT:
		x->mount.type = catalog_col_str(st, 4);
		x->mount.source = catalog_col_str(st, 5);
		x->mount.destination = catalog_col_str(st, 6);
		x->mount.rw = sqlite3_column_int(st, 7);
		x->mount.mode = catalog_col_str(st, 8);
		x->mount.driver = catalog_col_str(st, 9);
		break;
	case FIND_BASE:
		x->image_ref = catalog_col_str(st, 4);
		x->base_id = catalog_col_str(st, 5);
		x->base_digest = catalog_col_dup(st, 6);
		break;
	}
}

int
catalog_find(struct catalog *cat, const struct find_query *q,
    struct find_hits *out, struct keep_error **err)
{
	static const char *const sql[] = {
		[FIND_PACKAGE] = package_sql,
		[FIND_FILE] = file_sql,
		[FIND_ENV] = env_sql,
		[FIND_MOUNT] = mount_sql,
		[FIND_BASE] = base_sql,
	};
	cleanup_stmt sqlite3_stmt *st = NULL;
	cleanup_free char *key = NULL, *lo = NULL, *hi = NULL;
	int rc = -1, step;

	if (functions_set(cat, q) < 0)
		return catalog_fail(cat, err, "search");
	key = q->kind == FIND_PACKAGE ? name_key(q->pattern) :
	    xstrdup(q->pattern);
	glob_range(key, &lo, &hi);
	if (catalog_prepare(cat, sql[q->kind], &st, err) < 0)
		goto out;
	sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, q->latest);
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		out->v = vec_grow(out->v, out->n, &out->cap, sizeof(*out->v));
		memset(&out->v[out->n], 0, sizeof(*out->v));
		hit_read(q->kind, st, &out->v[out->n++]);
	}
	if (step != SQLITE_DONE) {
		catalog_fail(cat, err, "search");
		goto out;
	}
	rc = 0;
out:
	/* The functions point at q: gone with this call. */
	sqlite3_finalize(st);
	st = NULL;
	functions_set(cat, NULL);
	return rc;
}
