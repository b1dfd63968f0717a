/* Shared by the files of src/catalog/ only. */
#ifndef KEEP_CATALOG_INTERNAL_H
#define KEEP_CATALOG_INTERNAL_H

#include <sqlite3.h>

#include "catalog/catalog.h"
#include "model/model.h"

struct catalog {
	sqlite3 *db;
	char *path;
	int lazy;	/* the open transaction commits without a sync */
};

/*
 * Turn the connection's last error into *err with context, e.g.
 * "catalog '/x/catalog.db': insert snapshot: disk I/O error". Returns -1.
 */
int catalog_fail(struct catalog *cat, struct keep_error **err,
    const char *what);

/* Prepare sql, or fail with catalog_fail. */
int catalog_prepare(struct catalog *cat, const char *sql, sqlite3_stmt **out,
    struct keep_error **err);

/* Execute SQL with no result rows. */
int catalog_exec(struct catalog *cat, const char *sql, struct keep_error **err);

/*
 * A snapshot's run configuration (catalog/run.c): stored node by node, and
 * read back into *out (null when the snapshot has none). Insert inside the
 * snapshot's transaction.
 */
struct value;
int catalog_run_insert(struct catalog *cat, long snapshot,
    const struct value *run, struct keep_error **err);
int catalog_run_load(struct catalog *cat, long snapshot, struct value *out,
    struct keep_error **err);

/* Column i as a new string: "" (col_str) or NULL (col_dup) for SQL NULL. */
char *catalog_col_str(sqlite3_stmt *st, int i);
char *catalog_col_dup(sqlite3_stmt *st, int i);

void catalog_finalizep(sqlite3_stmt **stmt);

/* The time now as the catalog writes it, "2026-12-05T13:02:11Z". Caller frees. */
char *catalog_now(void);

/* apt.c: the apt sources of snapshot snapshot_id, stored and read back. */
int catalog_apt_sources_insert(struct catalog *cat, long snapshot_id,
    const struct apt_sources *as, struct keep_error **err);
int catalog_apt_sources_load(struct catalog *cat, long snapshot_id,
    struct apt_sources *out, struct keep_error **err);
/* apt.c: set first_saved of the dpkg changes pc of recorded snapshot_id. */
int catalog_first_saved_load(struct catalog *cat, long snapshot_id,
    struct pkg_changes *pc, struct keep_error **err);
#define cleanup_stmt __attribute__((cleanup(catalog_finalizep)))

#endif
