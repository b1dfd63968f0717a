/*
 * How a save writes its snapshot's image. A commit puts the container's
 * changes on top of its image as one more layer; a container recreated
 * from a snapshot runs on that snapshot's image, so every save -> rm ->
 * resume cycle makes the next image one layer deeper, and overlay2 refuses
 * past about 125 ("max depth exceeded"). So once the container's image is
 * SNAPSHOT_MAX_LAYERS deep (KEEP_MAX_LAYERS overrides it), the save writes
 * the container's whole filesystem as a new one-layer image instead
 * (export, import, then a commit that carries the config and labels), and
 * the cycle starts again from there.
 *
 * Where keep can read the container's layers, a save after the first
 * writes only what changed since the previous snapshot: one layer on that
 * snapshot's image, loaded through the image-load API (engine/image_load.h,
 * core/layer_diff.c), the same filesystem a commit would give at the cost
 * of the change. It takes a commit when the previous image is gone
 * (pruned), when the container is another one that was not created from
 * it, when the layer would pass the depth limit, or when the incremental
 * write fails (with a warning). Every decision about the shape of a
 * snapshot's image lives here.
 */
#ifndef KEEP_CORE_SNAPSHOT_WRITE_H
#define KEEP_CORE_SNAPSHOT_WRITE_H

#include "engine/engine.h"
#include "model/model.h"

#define SNAPSHOT_MAX_LAYERS 100

/* How the image was written. */
enum snapshot_write_how {
	SNAPSHOT_COMMITTED,	/* one layer on top of the container's image */
	SNAPSHOT_FLATTENED,	/* the whole filesystem, one layer, afresh */
	SNAPSHOT_INCREMENTAL,	/* what changed, one layer on the previous */
};

/* The previous snapshot of the container, for an incremental save. */
struct snapshot_prev {
	const char *image_id;		/* NULL: none, or pruned */
	const char *container_id;	/* the container it was saved from */
	long long walk_started;		/* struct snapshot's; 0: unknown */
	const char *history;		/* struct snapshot's image_history */
};

/*
 * The depth at which saves flatten: KEEP_MAX_LAYERS when set (a whole
 * number from 2 up), else SNAPSHOT_MAX_LAYERS. Anything else in it is a
 * usage error.
 */
int snapshot_max_layers(long *out, struct keep_error **err);

/*
 * Write the image of container c (whose image has image_layers layers)
 * as repo:tag with comment (may be NULL) and labels, pausing c while a
 * commit or a flatten reads it when pause is set, and say how in *how.
 * prev (NULL: keep cannot read c's layers from here) allows an
 * incremental save, which does not pause c (snapshot_write.c says why);
 * a failed one becomes a commit, with a warning pushed to warnings.
 * *image_id_out is the image's id; *history_out the history of an
 * incremental image's config, as JSON, or NULL (both caller frees).
 */
int snapshot_write(struct engine *e, const struct container *c,
    size_t image_layers, const char *repo, const char *tag,
    const char *comment, const struct kvv *labels, int pause,
    const struct snapshot_prev *prev, struct strv *warnings,
    char **image_id_out, char **history_out, enum snapshot_write_how *how,
    struct keep_error **err);

#endif
