/* Shared by the files of src/catalog/ only. */
#ifndef KEEP_CATALOG_INTERNAL_H
#define KEEP_CATALOG_INTERNAL_H

#include <sqlite3.h>

#include "catalog/catalog.h"

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

void catalog_finalizep(sqlite3_stmt **stmt);
#define cleanup_stmt __attribute__((cleanup(catalog_finalizep)))

#endif
