/*
 * The catalog: keep's SQLite database. SQLite is included only inside
 * src/catalog/. The schema comes from migrations/ (see migrations.h), applied
 * in order by PRAGMA user_version when the catalog is opened.
 */
#ifndef KEEP_CATALOG_CATALOG_H
#define KEEP_CATALOG_CATALOG_H

#include "util/error.h"

struct catalog;

/*
 * Open (creating on first use) HOME/catalog.db: HOME is made with mode 0700
 * if missing, the database file gets 0600. Sets WAL, synchronous=FULL,
 * foreign_keys=ON and a busy timeout, then applies pending migrations, each
 * in its own IMMEDIATE transaction. A catalog whose schema is newer than
 * this binary knows is refused. The caller frees *out with catalog_close.
 */
int catalog_open(const char *home, struct catalog **out, struct keep_error **err);
void catalog_close(struct catalog *cat);

/* The database file's path; owned by cat. */
const char *catalog_path(const struct catalog *cat);

/* The schema version this binary applies: the number of the last migration. */
int catalog_schema_latest(void);

/* The file's PRAGMA user_version. */
int catalog_schema_version(struct catalog *cat, int *out, struct keep_error **err);

/* PRAGMA quick_check: *out gets "ok" or the problems found (caller frees). */
int catalog_quick_check(struct catalog *cat, char **out, struct keep_error **err);

/*
 * Transactions for writers: BEGIN IMMEDIATE (waiting for other writers up
 * to the busy timeout, never failing with "database is locked" before it),
 * COMMIT, ROLLBACK. Rollback never fails and may be called when no
 * transaction is open.
 */
int catalog_begin(struct catalog *cat, struct keep_error **err);
int catalog_commit(struct catalog *cat, struct keep_error **err);
void catalog_rollback(struct catalog *cat);

/*
 * catalog_begin for a transaction whose COMMIT does not wait for the disk
 * (synchronous=NORMAL until it ends). Nothing is lost when keep itself
 * dies; a crash of the machine may lose the transaction until the next
 * durable commit or catalog_checkpoint. For rows keep can do without or
 * make again.
 */
int catalog_begin_lazy(struct catalog *cat, struct keep_error **err);

/*
 * Copy what the write-ahead log holds into the database file, when no
 * other connection is in the way (best effort: nothing is reported); the
 * log is synced first, so lazy commits before it are on disk after it.
 * The log is not checkpointed on close, so each command that opens the
 * catalog reads what the log holds: a caller that writes and has time to
 * spare (save, beside its engine commit) keeps it short.
 */
void catalog_checkpoint(struct catalog *cat);

#endif
