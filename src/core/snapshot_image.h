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

#endif
