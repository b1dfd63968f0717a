/* The verify_* columns of a snapshot: what `keep verify` last found. */
#include "catalog/snapshots.h"

#include "catalog/catalog_internal.h"
#include "util/xalloc.h"

int
catalog_snapshot_verify_set(struct catalog *cat, long snapshot_id,
    const char *status, const char *detail, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	cleanup_free char *now = catalog_now();
	if (catalog_prepare(cat, "UPDATE snapshots SET verify_status = ?1,"
	    " verify_at = ?2, verify_detail = ?3 WHERE id = ?4", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, now, -1, SQLITE_TRANSIENT);
	if (detail)
		sqlite3_bind_text(st, 3, detail, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_int64(st, 4, snapshot_id);
	if (sqlite3_step(st) != SQLITE_DONE)
		return catalog_fail(cat, err, "record verify result");
	if (sqlite3_changes(cat->db) != 1)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "record verify result: no snapshot %ld in the catalog", snapshot_id);
	return 0;
}
