#include "catalog/catalog_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/migrations.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* How long a writer waits for another keep process before giving up. */
#define CATALOG_BUSY_TIMEOUT_MS 30000

int
catalog_fail(struct catalog *cat, struct keep_error **err, const char *what)
{
	int code = sqlite3_errcode(cat->db);
	const char *why = sqlite3_errmsg(cat->db);

	/*
	 * Say what the user can act on: SQLite reports a full disk as
	 * "disk I/O error" when it fails to grow the WAL or its index, and a
	 * busy timeout as "database is locked".
	 */
	if (code == SQLITE_FULL || sqlite3_system_errno(cat->db) == ENOSPC)
		why = "no space left on device";
	else if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		why = "another keep process held it for too long; try again";
	return keep_error_set(err, KEEP_ERR_FAILED, "catalog '%s': %s: %s",
	    cat->path, what, why);
}

int
catalog_prepare(struct catalog *cat, const char *sql, sqlite3_stmt **out,
    struct keep_error **err)
{
	if (sqlite3_prepare_v2(cat->db, sql, -1, out, NULL) != SQLITE_OK)
		return catalog_fail(cat, err, "prepare statement");
	return 0;
}

int
catalog_exec(struct catalog *cat, const char *sql, struct keep_error **err)
{
	if (sqlite3_exec(cat->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return catalog_fail(cat, err, "execute");
	return 0;
}

char *
catalog_col_str(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return xstrdup(s ? (const char *)s : "");
}

char *
catalog_col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

void
catalog_finalizep(sqlite3_stmt **stmt)
{
	sqlite3_finalize(*stmt);
}

char *
catalog_now(void)
{
	char tbuf[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return xstrdup(tbuf);
}

int
catalog_schema_latest(void)
{
	return catalog_migrations_count;
}

int
catalog_schema_version(struct catalog *cat, int *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	if (catalog_prepare(cat, "PRAGMA user_version", &st, err) < 0)
		return -1;
	if (sqlite3_step(st) != SQLITE_ROW)
		return catalog_fail(cat, err, "read schema version");
	*out = sqlite3_column_int(st, 0);
	return 0;
}

int
catalog_begin(struct catalog *cat, struct keep_error **err)
{
	return catalog_exec(cat, "BEGIN IMMEDIATE", err) < 0
	    ? keep_error_wrap(err, "begin transaction") : 0;
}

/* Back to syncing every commit after a lazy transaction ended. */
static void
end_lazy(struct catalog *cat)
{
	if (cat->lazy) {
		sqlite3_exec(cat->db, "PRAGMA synchronous=FULL", NULL, NULL,
		    NULL);
		cat->lazy = 0;
	}
}

int
catalog_begin_lazy(struct catalog *cat, struct keep_error **err)
{
	/* SQLite takes the level only outside a transaction. */
	if (catalog_exec(cat, "PRAGMA synchronous=NORMAL", err) < 0)
		return keep_error_wrap(err, "begin transaction");
	cat->lazy = 1;
	if (catalog_begin(cat, err) < 0) {
		end_lazy(cat);
		return -1;
	}
	return 0;
}

int
catalog_commit(struct catalog *cat, struct keep_error **err)
{
	if (catalog_exec(cat, "COMMIT", err) < 0) {
		catalog_rollback(cat);
		return -1;
	}
	end_lazy(cat);
	return 0;
}

void
catalog_checkpoint(struct catalog *cat)
{
	sqlite3_wal_checkpoint_v2(cat->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
	    NULL);
}

void
catalog_rollback(struct catalog *cat)
{
	if (!sqlite3_get_autocommit(cat->db))
		sqlite3_exec(cat->db, "ROLLBACK", NULL, NULL, NULL);
	end_lazy(cat);
}

/* Apply the migrations the file has not seen yet, each in one transaction. */
static int
catalog_migrate(struct catalog *cat, struct keep_error **err)
{
	int version;

	if (catalog_schema_version(cat, &version, err) < 0)
		return -1;
	if (version > catalog_migrations_count)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "catalog '%s' has schema version %d, newer than this keep "
		    "(%s) knows (%d): upgrade keep", cat->path, version,
		    KEEP_VERSION, catalog_migrations_count);
	for (int i = version; i < catalog_migrations_count; i++) {
		const struct catalog_migration *m = &catalog_migrations[i];
		cleanup_free char *bump = NULL;

		if (catalog_begin(cat, err) < 0)
			return -1;
		/* Another process may have migrated while we waited. */
		if (catalog_schema_version(cat, &version, err) < 0)
			goto fail;
		if (version > i) {
			catalog_rollback(cat);
			continue;
		}
		bump = xasprintf("PRAGMA user_version = %d", m->number);
		if (catalog_exec(cat, m->sql, err) < 0 ||
		    catalog_exec(cat, bump, err) < 0) {
			keep_error_wrap(err, "migration %s", m->name);
			goto fail;
		}
		if (catalog_commit(cat, err) < 0)
			return -1;
	}
	return 0;
fail:
	catalog_rollback(cat);
	return -1;
}

/*
 * Create the file with mode 0600 before SQLite sees it, so that the catalog
 * (which holds env values) is never readable by others, even for a moment.
 * SQLite gives its -wal and -shm files the database file's mode.
 */
static int
catalog_create_file(const char *path, struct keep_error **err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot create catalog '%s': %s", path, strerror(errno));
	close(fd);
	return 0;
}

int
catalog_open(const char *home, struct catalog **out, struct keep_error **err)
{
	struct catalog *cat;
	int rc;

	if (fs_mkdir_p(home, 0700, NULL, err) < 0)
		return -1;
	cat = xcalloc(1, sizeof(*cat));
	cat->path = xasprintf("%s/catalog.db", home);
	if (catalog_create_file(cat->path, err) < 0)
		goto fail;
	rc = sqlite3_open_v2(cat->path, &cat->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (cat->db == NULL) {
			keep_error_set(err, KEEP_ERR_FAILED,
			    "cannot open catalog '%s': %s", cat->path,
			    sqlite3_errstr(rc));
			goto fail;
		}
		catalog_fail(cat, err, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(cat->db, 1);
	sqlite3_busy_timeout(cat->db, CATALOG_BUSY_TIMEOUT_MS);
	/*
	 * Every keep command closes the catalog on exit: a checkpoint there
	 * (two fsyncs) would be paid by every save. Instead a save
	 * checkpoints while the engine commits (catalog_checkpoint): the next
	 * open reads the log through (SQLite rebuilds its index from it), at
	 * ~5 us a page.
	 */
	sqlite3_db_config(cat->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	/*
	 * temp_store=MEMORY: each INSERT OR REPLACE keeps a statement
	 * journal, in a file under /var/tmp by default: two writes to it for
	 * every row, 100,000 writes for the change list of a container with
	 * a few hundred packages installed by hand.
	 */
	if (catalog_exec(cat,
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;"
	    "PRAGMA temp_store=MEMORY;", err) < 0) {
		keep_error_wrap(err, "set up connection");
		goto fail;
	}
	if (catalog_migrate(cat, err) < 0)
		goto fail;
	*out = cat;
	return 0;
fail:
	catalog_close(cat);
	return -1;
}

void
catalog_close(struct catalog *cat)
{
	if (cat == NULL)
		return;
	sqlite3_close_v2(cat->db);
	free(cat->path);
	free(cat);
}

const char *
catalog_path(const struct catalog *cat)
{
	return cat->path;
}

int
catalog_quick_check(struct catalog *cat, char **out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	struct buf b = BUF_INIT;
	int rc;

	if (catalog_prepare(cat, "PRAGMA quick_check", &st, err) < 0)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (b.len)
			buf_addstr(&b, "; ");
		buf_addstr(&b, (const char *)sqlite3_column_text(st, 0));
	}
	if (rc != SQLITE_DONE) {
		buf_release(&b);
		return catalog_fail(cat, err, "quick_check");
	}
	*out = buf_detach(&b, NULL);
	return 0;
}
