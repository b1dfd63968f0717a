/*
 * keep status: what changed in a container since its last snapshot,
 * without saving. The container is read exactly as a save reads it
 * (save_plan: the same analysis, stamps and fingerprint, so "unchanged"
 * means what save's "unchanged since #N" means), and the would-be
 * snapshot is compared with the latest one (history_changes).
 */
#ifndef KEEP_CORE_STATUS_H
#define KEEP_CORE_STATUS_H

#include "catalog/catalog.h"
#include "core/history.h"
#include "engine/engine.h"
#include "model/model.h"

struct status_result {
	struct snapshot now;	/* what a save would record (seq 0) */
	long seq;		/* the latest snapshot's number; 0: never saved */
	char *saved_at;		/* its time, RFC 3339; NULL when never saved */
	int unchanged;		/* a save would say "unchanged since #seq" */
	/*
	 * From the latest snapshot to now: packages, env names, mounts,
	 * loose files, run settings (no Dockerfile diff). Empty when
	 * unchanged or never saved.
	 */
	struct snapshot_diff changes;
	/*
	 * Changed, and nothing in changes says how: loose files edited
	 * again (the catalog records their stamps only as part of the
	 * fingerprint), packages marked manual or automatic.
	 */
	int unlisted;
	/*
	 * The image: the one the latest snapshot was made on (NULL when
	 * never saved), the one the container runs now (now.config.image_id)
	 * and the one its name (now.config.image_ref) names in the engine
	 * today (NULL when that name is gone): a pull or a build since.
	 */
	char *image_saved;
	char *image_named;
	struct strv warnings;
};

void status_result_release(struct status_result *r);

/* The container was recreated from another image since the last save. */
int status_image_recreated(const struct status_result *r);

/* Its image's name names another image than the container runs. */
int status_image_moved(const struct status_result *r);

/*
 * The status of container id on e against cat (engine host as in
 * keep_save). inspected, when not NULL and of id, is its inspection just
 * made (moved from, as with save_opts). Writes nothing, takes no lock.
 * Fills *out (caller releases) or fails with *err.
 */
int keep_status(struct engine *e, struct catalog *cat, const char *id,
    struct container *inspected, struct status_result *out,
    struct keep_error **err);

#endif
