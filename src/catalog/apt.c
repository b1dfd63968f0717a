/*
 * What a snapshot's apt pins need: the sources the container installed
 * from, and when each pinned version was first saved (the date of the
 * snapshot archive that has it).
 */
#include "catalog/snapshots.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog_internal.h"
#include "util/xalloc.h"

int
catalog_apt_sources_insert(struct catalog *cat, long snapshot_id,
    const struct apt_sources *as, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	if (as->n == 0)
		return 0;
	if (catalog_prepare(cat, "INSERT INTO apt_sources (snapshot, idx, uri,"
	    " suite, components, signed_by, archive)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", &st, err) < 0)
		return -1;
	for (size_t i = 0; i < as->n; i++) {
		const struct apt_source *a = &as->v[i];

		sqlite3_bind_int64(st, 1, snapshot_id);
		sqlite3_bind_int64(st, 2, (long)i);
		sqlite3_bind_text(st, 3, a->uri, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, a->suite, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, a->components, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, a->signed_by, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, a->archive, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return catalog_fail(cat, err, "record apt sources");
		sqlite3_reset(st);
	}
	return 0;
}

int
catalog_apt_sources_load(struct catalog *cat, long snapshot_id,
    struct apt_sources *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	int rc;

	if (catalog_prepare(cat, "SELECT uri, suite, components, signed_by,"
	    " archive FROM apt_sources WHERE snapshot = ?1 ORDER BY idx", &st,
	    err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, snapshot_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		apt_sources_push(out, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1),
		    (const char *)sqlite3_column_text(st, 2),
		    (const char *)sqlite3_column_text(st, 3),
		    (const char *)sqlite3_column_text(st, 4));
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read apt sources");
	return 0;
}

/*
 * The one rule for first_saved: the earliest snapshot of the same container,
 * up to the one at hand, that recorded the dpkg package at that version
 * (installed or upgraded to it). ?1 ?2 ?3 pick the container and the last
 * snapshot, in one of the two forms below.
 */
#define FIRST_SAVED_SQL(container_and_seq) \
	"SELECT p.name, p.arch, p.version, min(s.created_at)" \
	" FROM snapshots s JOIN package_changes p ON p.snapshot = s.id" \
	" WHERE p.manager = 'dpkg' AND p.change <> 'removed'" \
	" AND " container_and_seq \
	" GROUP BY p.name, p.arch, p.version"

/* A recorded snapshot: its container, itself and those before it. */
#define OF_SNAPSHOT "s.container = (SELECT container FROM snapshots" \
	" WHERE id = ?1) AND s.seq <= (SELECT seq FROM snapshots WHERE id = ?1)"
/* A snapshot not recorded yet, as seq ?3 of (engine ?1, name ?2). */
#define BEFORE_SEQ "s.container = (SELECT id FROM containers" \
	" WHERE engine = ?1 AND name = ?2) AND s.seq < ?3"

/*
 * Run the prepared FIRST_SAVED_SQL and set first_saved of every dpkg
 * change in pc it finds; the others get dflt (may be NULL).
 */
static int
first_saved_fill(struct catalog *cat, sqlite3_stmt *st, struct pkg_changes *pc,
    const char *dflt, struct keep_error **err)
{
	int rc;

	for (size_t i = 0; i < pc->n; i++) {
		free(pc->v[i].first_saved);
		pc->v[i].first_saved = NULL;
		if (strcmp(pc->v[i].pkg.manager, "dpkg") == 0 &&
		    pc->v[i].change != PKG_REMOVED && dflt)
			pc->v[i].first_saved = xstrdup(dflt);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *arch = (const char *)sqlite3_column_text(st, 1);
		const char *version = (const char *)sqlite3_column_text(st, 2);
		const char *when = (const char *)sqlite3_column_text(st, 3);

		for (size_t i = 0; i < pc->n; i++) {
			struct pkg_change *c = &pc->v[i];

			if (c->change == PKG_REMOVED ||
			    strcmp(c->pkg.manager, "dpkg") != 0 ||
			    strcmp(c->pkg.name, name) != 0 ||
			    strcmp(c->pkg.arch, arch) != 0 ||
			    strcmp(c->pkg.version, version) != 0)
				continue;
			free(c->first_saved);
			c->first_saved = xstrdup(when);
		}
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read when packages were saved");
	return 0;
}

int
catalog_first_saved_load(struct catalog *cat, long snapshot_id,
    struct pkg_changes *pc, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	if (catalog_prepare(cat, FIRST_SAVED_SQL(OF_SNAPSHOT), &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, snapshot_id);
	return first_saved_fill(cat, st, pc, NULL, err);
}

int
catalog_snapshot_stamp(struct catalog *cat, struct snapshot *s,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	free(s->created_at);
	s->created_at = catalog_now();
	if (catalog_prepare(cat, FIRST_SAVED_SQL(BEFORE_SEQ), &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, s->engine, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->config.name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->seq);
	return first_saved_fill(cat, st, &s->packages, s->created_at, err);
}

int
catalog_apt_sources_inherit(struct catalog *cat, struct snapshot *s,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	long prev;
	int rc;

	for (size_t i = 0; i < s->packages.n; i++) {
		const struct pkg_change *c = &s->packages.v[i];

		if (c->change != PKG_REMOVED && strcmp(c->pkg.manager, "dpkg") == 0 &&
		    (c->first_saved == NULL || s->created_at == NULL ||
		    strcmp(c->first_saved, s->created_at) >= 0))
			return 0;	/* a version this save records first */
	}
	if (catalog_prepare(cat, "SELECT s.id FROM snapshots s JOIN containers c"
	    " ON c.id = s.container WHERE c.engine = ?1 AND c.name = ?2"
	    " AND s.seq = ?3", &st, err) < 0)
		return -1;
	sqlite3_bind_text(st, 1, s->engine, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, s->config.name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, s->seq - 1);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return catalog_fail(cat, err, "read the previous snapshot");
	prev = sqlite3_column_int64(st, 0);
	apt_sources_release(&s->apt_sources);
	if (catalog_apt_sources_load(cat, prev, &s->apt_sources, err) < 0)
		return -1;
	return s->apt_sources.n > 0;
}
