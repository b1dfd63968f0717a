/*
 * keep save: turn a container's state into a snapshot. See the data flow in
 * DESIGN.md. The order is what makes a crash harmless: the image commit is
 * announced in pending_saves first, the snapshot rows are written in one
 * transaction after the commit succeeded, and a pending row left by a crash
 * names an image the next save removes.
 */
#ifndef KEEP_CORE_SAVE_H
#define KEEP_CORE_SAVE_H

#include "catalog/catalog.h"
#include "model/model.h"
#include "engine/engine.h"

struct save_opts {
	const char *recipes_dir;	/* recipe repository; NULL: none */
	const char *message;	/* -m, or NULL */
	int no_pause;		/* --no-pause */
	/*
	 * Warn about loose files this big or bigger in the container's layer
	 * (build_context_large_min); 0: about none.
	 */
	long long large_min;
	/* Called around the image commit (may be NULL): begin 1, then 0. */
	void (*progress)(void *ctx, int begin, const char *what);
	void *progress_ctx;
	/*
	 * The container's inspection, when the caller just made it (may be
	 * NULL): used instead of inspecting again, and moved from (left
	 * zeroed).
	 */
	struct container *inspected;
	/*
	 * When nothing changed: out->snap is the recorded snapshot, read
	 * back from the catalog. Else it holds its number and image only.
	 */
	int unchanged_snapshot;
};

struct save_result {
	int unchanged;		/* nothing changed since snapshot #seq */
	/*
	 * Not 0: the container's image was this many layers deep, so the
	 * snapshot's image was written flattened (core/snapshot_write.h).
	 */
	size_t flattened_from;
	/* The new snapshot; unchanged: the latest (see unchanged_snapshot). */
	struct snapshot snap;
	struct strv warnings;	/* refused packages, repaired leftovers ... */
	/*
	 * The snapshot was recorded but its recipe could not be committed (a
	 * locked repository, uncommitted edits under NAME/ ...): the next save
	 * commits it. NULL when all went well.
	 */
	struct keep_error *recipe_error;
};

void save_result_release(struct save_result *r);

/*
 * The image repository keep commits NAME to: "keep/" + NAME lowercased,
 * with characters a repository name cannot hold replaced by '-'. Caller frees.
 */
char *save_image_repo(const char *name);

/*
 * Snapshot container id on e into cat. engine_host names the engine in the
 * catalog (engine_endpoint(e)->host). home is keep's data directory (for the
 * per-container lock). Fills *out (caller releases) or fails with *err, in
 * which case the catalog holds no part of this save.
 */
int keep_save(struct engine *e, struct catalog *cat, const char *home,
    const char *id, const struct save_opts *opts, struct save_result *out,
    struct keep_error **err);

/*
 * File stamps ("SIZE MODE MTIME") read through the engine in one save,
 * each asked once.
 */
struct engine_stamps {
	struct kvv head;	/* by path, a HEAD each */
	struct kvv dir;		/* by path, from their directory's archive;
				 * sorted, "DIR/" marks a directory read */
	struct kvv fine;	/* by path, what a stat run in the container
				 * told: "gone", "unknown" or the finer
				 * stamp "SIZE MODE MTIME NS CTIME NS" */
	int exec_failed;	/* a stat run in the container failed */
	int exec_ok;		/* one stamped paths: no archive reads then */
	int exec_coarse;	/* one told whole seconds only */
};

/*
 * What a save finds before it decides whether to commit: everything it
 * reads and compares, nothing it writes. keep_save commits on it; keep
 * status shows it.
 */
struct save_plan {
	/*
	 * The snapshot the save would record: config, base, change list,
	 * engine, message, state; and unless the state told "unchanged"
	 * first, package changes, loose files and fingerprint (seq, image
	 * and image_id are the commit's, not set).
	 */
	struct snapshot snap;
	struct pkg_set base_set;	/* the base's packages, when read now */
	int base_cached;	/* the catalog had them: base_set is empty */
	int from_layer;		/* the change list came from the layers */
	struct engine_stamps stamps;	/* what the engine told of files */
	long head_seq;		/* the latest snapshot's number; 0: none */
	char *head_image;	/* its image, recipe commit (or NULL) and */
	char *head_commit;	/* recorded state (or NULL) */
	char *head_state;
	int unchanged;		/* nothing changed since #head_seq */
};

/*
 * Read the container config (inspected, moved from: left zeroed) as a save
 * does: its base image, its changes and packages, the stamps of its loose
 * files, the fingerprint, and the latest snapshot to compare with. Takes
 * no lock and writes nothing. Refused packages and the like go to
 * warnings. out is released with save_plan_release; a failure releases
 * it itself.
 */
int save_plan(struct engine *e, struct catalog *cat, struct container *config,
    const char *message, struct save_plan *out, struct strv *warnings,
    struct keep_error **err);
void save_plan_release(struct save_plan *p);

/*
 * Clean up after saves on e that were interrupted (killed, crashed): remove
 * the images they made but never recorded. Containers with a save running
 * now are left alone. What was removed is appended to warnings.
 */
int save_repair(struct engine *e, struct catalog *cat, const char *home,
    struct strv *warnings, struct keep_error **err);

/*
 * Whether saves read a container's change list from its overlay layers
 * (core/layer.h) rather than ask the engine, for an engine with storage
 * driver driver and a layer (or root) directory dir on its host: 1; or 0
 * with *why (caller frees).
 */
int save_reads_layers(struct engine *e, const char *driver, const char *dir,
    char **why);

#endif
