/*
 * Which image a snapshot's image is now. A save tags its commit
 * keep/NAME:N, but the tag is only a name: another catalog (keep run with
 * another KEEP_HOME, or by root through sudo) or the same engine under
 * another address numbers its own snapshots of a container of the same
 * name, and its save moves the tag. The snapshot keeps the image id the
 * commit returned, which nothing moves.
 */
#ifndef KEEP_CORE_SNAPSHOT_IMAGE_H
#define KEEP_CORE_SNAPSHOT_IMAGE_H

#include "model/model.h"
#include "engine/engine.h"

/*
 * The reference to run or read snapshot s's image by: its tag while the tag
 * still names the image the save made, else that image's id, with a
 * warning in warnings saying so. Fails, naming both, when neither leads to
 * the image any more (removed, or pruned once its tag had moved), and
 * with KEEP_ERR_NOT_FOUND when keep prune removed it. *out is the
 * caller's to free.
 */
int snapshot_image_ref(struct engine *e, const struct snapshot *s,
    char **out, struct strv *warnings, struct keep_error **err);

/*
 * Pull the image of snapshot s from the registry keep push --images put
 * it in (s->registry_ref, REPOSITORY@sha256:DIGEST), by that digest, with
 * the docker CLI's credentials for its registry; check that what came is
 * the image the save made (its id, when the snapshot has one), and name
 * it s->image again when that tag is free. progress (may be NULL) is
 * called with 1 and "pulling" before, 0 after. *out (caller frees) is the
 * reference to run it by. A snapshot with no registry_ref is
 * KEEP_ERR_NOT_FOUND.
 */
int snapshot_image_pull(struct engine *e, const struct snapshot *s,
    void (*progress)(void *ctx, int begin, const char *what),
    void *progress_ctx, char **out, struct keep_error **err);

#endif
