/*
 * The catalog: created on first use, migrated in order, newer refused; the
 * base image package cache.
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/catalog_internal.h"
#include "catalog/migrations.h"
#include "catalog/snapshots.h"
#include "tap.h"
#include "util/xalloc.h"

static int
sql_int(const char *db, const char *sql)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_open(db, &h) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* The connection's PRAGMA synchronous: 1 NORMAL, 2 FULL. */
static int
synchronous(struct catalog *cat)
{
	sqlite3_stmt *st;
	int v = -1;

	if (sqlite3_prepare_v2(cat->db, "PRAGMA synchronous", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
sql_exec(const char *db, const char *sql)
{
	sqlite3 *h;

	sqlite3_open(db, &h);
	sqlite3_exec(h, sql, NULL, NULL, NULL);
	sqlite3_close(h);
}

int
main(void)
{
	char tmpl[] = "/tmp/keep-test-catalog.XXXXXX";
	char *dir = mkdtemp(tmpl);
	cleanup_free char *home = xasprintf("%s/a/b/keep", dir);
	cleanup_free char *db = xasprintf("%s/catalog.db", home);
	struct catalog *cat = NULL;
	struct keep_error *err = NULL;
	struct stat st;
	char *check = NULL;
	int version = 0;

	ok(catalog_migrations_count >= 1, "migrations are embedded (%d)",
	    catalog_migrations_count);
	for (int i = 0; i < catalog_migrations_count; i++)
		is_int(catalog_migrations[i].number, i + 1,
		    "migration %s has number %d", catalog_migrations[i].name, i + 1);

	ok(catalog_open(home, &cat, &err) == 0, "open creates a new catalog%s%s",
	    err ? ": " : "", err ? err->message : "");
	ok(stat(home, &st) == 0 && (st.st_mode & 0777) == 0700, "home is 0700");
	ok(stat(db, &st) == 0 && (st.st_mode & 0777) == 0600, "catalog.db is 0600");
	ok(catalog_schema_version(cat, &version, &err) == 0 &&
	    version == catalog_schema_latest(), "migrated to the latest schema (%d)",
	    version);
	ok(catalog_quick_check(cat, &check, &err) == 0, "quick_check runs");
	is_str(check, "ok", "quick_check is ok");
	free(check);
	is_int(synchronous(cat), 2, "commits sync (synchronous=FULL)");
	ok(catalog_begin_lazy(cat, &err) == 0 && synchronous(cat) == 1,
	    "a lazy transaction commits without a sync (NORMAL)");
	ok(catalog_commit(cat, &err) == 0 && synchronous(cat) == 2,
	    "after its commit, commits sync again");
	ok(catalog_begin_lazy(cat, &err) == 0, "another lazy transaction");
	catalog_rollback(cat);
	is_int(synchronous(cat), 2, "after its rollback too");

	/* A base whose packages were never read is not there, then it is. */
	{
		struct image img = { .id = "sha256:b1" };
		struct pkg_set set = { 0 }, got = { 0 };
		struct pkg p;

		ok(catalog_base_packages_get(cat, img.id, &got, &err) < 0 &&
		    err && err->kind == KEEP_ERR_NOT_FOUND && got.n == 0,
		    "an unknown base is KEEP_ERR_NOT_FOUND");
		keep_error_free(err);
		err = NULL;
		ok(catalog_begin(cat, &err) == 0 &&
		    catalog_base_put(cat, &img, NULL, &err) == 0 &&
		    catalog_commit(cat, &err) == 0, "cache a base's config");
		ok(catalog_base_packages_get(cat, img.id, NULL, &err) < 0 &&
		    err && err->kind == KEEP_ERR_NOT_FOUND,
		    "a base with no packages read is KEEP_ERR_NOT_FOUND");
		keep_error_free(err);
		err = NULL;
		pkg_init_fields(&p);
		free(p.manager);
		p.manager = xstrdup("dpkg");
		free(p.name);
		p.name = xstrdup("jq");
		pkg_set_push(&set, &p);
		pkg_release(&p);
		ok(catalog_begin(cat, &err) == 0 &&
		    catalog_base_put(cat, &img, &set, &err) == 0 &&
		    catalog_commit(cat, &err) == 0, "cache its packages");
		ok(catalog_base_packages_get(cat, img.id, NULL, &err) == 0,
		    "then it is there");
		ok(catalog_base_packages_get(cat, img.id, &got, &err) == 0 &&
		    got.n == 1 && strcmp(got.v[0].name, "jq") == 0,
		    "and its packages come back");
		pkg_set_release(&set);
		pkg_set_release(&got);
	}
	catalog_close(cat);
	cat = NULL;

	is_int(sql_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN "
	    "('containers','snapshots','mounts','package_changes','fs_changes','env',"
	    "'base_images','base_packages','recipe_commits','pending_saves')"), 10,
	    "the first migration holds the mission's tables");

	/* Reopening applies nothing and keeps data. */
	sql_exec(db, "INSERT INTO containers (engine, name, container_id, created_at) "
	    "VALUES ('unix:///x', 'dev1', 'abc', '2026-01-01T00:00:00Z')");
	ok(catalog_open(home, &cat, &err) == 0, "reopen works");
	catalog_close(cat);
	cat = NULL;
	is_int(sql_int(db, "SELECT count(*) FROM containers"), 1, "reopen keeps rows");

	/* From empty: a catalog at version 0 with a stray table is migrated. */
	{
		cleanup_free char *home2 = xasprintf("%s/empty", dir);
		cleanup_free char *db2 = xasprintf("%s/catalog.db", home2);

		mkdir(home2, 0700);
		sql_exec(db2, "PRAGMA user_version = 0");
		ok(catalog_open(home2, &cat, &err) == 0, "an empty file is migrated");
		catalog_close(cat);
		cat = NULL;
		is_int(sql_int(db2, "PRAGMA user_version"), catalog_schema_latest(),
		    "user_version is the latest after migrating from empty");
	}

	/*
	 * From version 2, with snapshots: 0003 fills each container's latest
	 * snapshot and count, and its trigger keeps them on later inserts.
	 */
	{
		cleanup_free char *home3 = xasprintf("%s/v2", dir);
		cleanup_free char *db3 = xasprintf("%s/catalog.db", home3);
		sqlite3 *h;
#define SNAP "INSERT INTO snapshots (container, seq, created_at, message," \
	" image, image_id, container_id, fingerprint, image_ref," \
	" base_image_id, user, workdir, hostname, has_entrypoint," \
	" network_mode, restart_policy, restart_max, tty, open_stdin)" \
	" VALUES (1, %d, 'T%d', '', 'keep/dev1:%d', 'i', 'c', 'f%d', 'r'," \
	" 'b', '', '', '', 0, '', '', 0, 0, 0);"

		mkdir(home3, 0700);
		sqlite3_open(db3, &h);
		for (int i = 0; i < 2 && i < catalog_migrations_count; i++)
			sqlite3_exec(h, catalog_migrations[i].sql, NULL, NULL, NULL);
		sqlite3_exec(h, "PRAGMA user_version = 2; INSERT INTO containers"
		    " (engine, name, container_id, created_at) VALUES"
		    " ('unix:///s', 'dev1', 'c', 'T0');", NULL, NULL, NULL);
		for (int seq = 1; seq <= 3; seq++) {
			char *q = xasprintf(SNAP, seq, seq, seq, seq);

			sqlite3_exec(h, q, NULL, NULL, NULL);
			free(q);
		}
		sqlite3_close(h);
		ok(catalog_open(home3, &cat, &err) == 0, "a version 2 catalog "
		    "with snapshots is migrated");
		catalog_close(cat);
		cat = NULL;
		is_int(sql_int(db3, "SELECT snapshots * 100 + last_seq FROM "
		    "containers WHERE name = 'dev1'"), 303,
		    "its container row counts 3 snapshots, the last #3");
		is_int(sql_int(db3, "SELECT count(*) FROM containers WHERE "
		    "last_saved = 'T3' AND last_image = 'keep/dev1:3'"), 1,
		    "and names the last one's date and image");
		{
			char *q = xasprintf(SNAP, 4, 4, 4, 4);

			sql_exec(db3, q);
			free(q);
		}
		is_int(sql_int(db3, "SELECT snapshots * 100 + last_seq FROM "
		    "containers WHERE last_image = 'keep/dev1:4'"), 404,
		    "a new snapshot moves them on");
#undef SNAP
	}

	/* Newer than this binary: refused, untouched. */
	sql_exec(db, "PRAGMA user_version = 999");
	ok(catalog_open(home, &cat, &err) < 0, "a newer catalog is refused");
	ok(err && strstr(err->message, "schema version 999") &&
	    strstr(err->message, "upgrade keep"), "the refusal says why: %s",
	    err ? err->message : "(none)");
	is_int(keep_error_exit_code(err), 1, "and exits 1");
	keep_error_free(err);
	err = NULL;
	is_int(sql_int(db, "PRAGMA user_version"), 999, "the newer catalog is untouched");

	/* A run configuration goes in node by node and comes back equal. */
	{
		cleanup_free char *home4 = xasprintf("%s/run", dir);
		struct value run = { 0 }, back, *host, *arr;
		struct keep_error *e4 = NULL;

		value_set_object(&run);
		host = value_add(&run, "HostConfig");
		value_set_object(host);
		value_set_int(value_add(host, "ShmSize"), 1LL << 33);
		value_set_string(value_add(host, "a.b"), "x\ny");
		value_set_bool(value_add(host, "Init"), 1);
		value_add(host, "Links");	/* null */
		value_add(host, "NanoCpus")->type = VALUE_REAL;
		value_get(host, "NanoCpus")->r = 0.5;
		arr = value_add(host, "Ulimits");
		value_set_array(arr);
		value_set_object(value_add(arr, NULL));
		value_set_string(value_add(&arr->v[0], "Name"), "nofile");
		value_set_array(value_add(arr, NULL));
		value_set_object(value_add(&run, "Networks"));
		ok(catalog_open(home4, &cat, &e4) == 0 &&
		    catalog_exec(cat, "INSERT INTO containers (id, engine, name,"
		    " container_id, created_at) VALUES (1, 'e', 'n', 'c', 'T');"
		    " INSERT INTO snapshots (id, container, seq, created_at, message,"
		    " image, image_id, container_id, fingerprint, image_ref,"
		    " base_image_id, user, workdir, hostname, has_entrypoint,"
		    " network_mode, restart_policy, restart_max, tty, open_stdin)"
		    " VALUES (7, 1, 1, 'T', '', 'i', 'i', 'c', 'f', 'r', 'b', '', '',"
		    " '', 0, '', '', 0, 0, 0)", &e4) == 0,
		    "a snapshot row to hang a run configuration on");
		ok(catalog_run_insert(cat, 7, &run, &e4) == 0 &&
		    catalog_run_load(cat, 7, &back, &e4) == 0, "store and load it");
		ok(value_equal(&run, &back), "it comes back equal, types and order too");
		value_release(&back);
		ok(catalog_run_load(cat, 8, &back, &e4) == 0 &&
		    back.type == VALUE_NULL, "a snapshot without one loads null");
		ok(catalog_exec(cat, "UPDATE run_config SET parent = 5 WHERE"
		    " snapshot = 7 AND node = 2", &e4) == 0 &&
		    catalog_run_load(cat, 7, &back, &e4) < 0 && e4 &&
		    strstr(e4->message, "damaged"),
		    "rows out of document order are refused, not trusted: %s",
		    e4 ? e4->message : "(none)");
		keep_error_free(e4);
		value_release(&run);
		catalog_close(cat);
		cat = NULL;
	}

	/* Not a directory. */
	{
		cleanup_free char *file = xasprintf("%s/file", dir);
		FILE *f = fopen(file, "w");

		fclose(f);
		ok(catalog_open(file, &cat, &err) < 0 && err &&
		    strstr(err->message, file), "a home that is a file is refused: %s",
		    err ? err->message : "(none)");
		keep_error_free(err);
		err = NULL;
	}

	{
		cleanup_free char *cmd = xasprintf("rm -rf '%s'", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return done_testing();
}
