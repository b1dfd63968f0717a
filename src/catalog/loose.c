/*
 * What a rebuild of a snapshot's packages found about its loose files:
 * fs_changes.reproduced is 0 before any rebuild was compared with the
 * file, 1 when one made it identically (it is no loose file then), 2 when
 * one made it differently or not at all (the user's own).
 */
#include "catalog/snapshots.h"

#include <stdlib.h>

#include "catalog/catalog_internal.h"

int
catalog_loose_compared_set(struct catalog *cat, long snapshot_id,
    const struct strv *compared, const struct strv *same,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	if (compared->n == 0)
		return 0;
	if (catalog_begin(cat, err) < 0)
		return -1;
	if (catalog_prepare(cat, "UPDATE fs_changes SET reproduced = ?3"
	    " WHERE snapshot = ?1 AND path = ?2 AND loose = 1", &st, err) < 0)
		goto fail;
	for (size_t i = 0; i < compared->n; i++) {
		const char *key = compared->v[i];
		int hit = bsearch(&key, same->v, same->n, sizeof(*same->v),
		    strv_cmp) != NULL;

		sqlite3_bind_int64(st, 1, snapshot_id);
		sqlite3_bind_text(st, 2, key, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int(st, 3, hit ? 1 : 2);
		if (sqlite3_step(st) != SQLITE_DONE) {
			catalog_fail(cat, err, "record what the packages' rebuild made");
			goto fail;
		}
		sqlite3_reset(st);
	}
	if (catalog_commit(cat, err) < 0)
		goto fail;
	return 0;
fail:
	catalog_rollback(cat);
	return -1;
}

int
catalog_loose_unchecked(struct catalog *cat, long snapshot_id,
    struct strv *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	int rc;

	if (catalog_prepare(cat, "SELECT path FROM fs_changes WHERE snapshot = ?1"
	    " AND loose = 1 AND reproduced = 0 ORDER BY path", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, snapshot_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strv_push(out, (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read the loose files");
	return 0;
}
