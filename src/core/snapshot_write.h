/*
 * How a save writes its snapshot's image. A commit puts the container's
 * changes on top of its image as one more layer; a container recreated
 * from a snapshot runs on that snapshot's image, so every save -> rm ->
 * resume cycle makes the next image one layer deeper, and overlay2 refuses
 * past about 125 ("max depth exceeded"). So once the container's image is
 * SNAPSHOT_MAX_LAYERS deep (KEEP_MAX_LAYERS overrides it), the save writes
 * the container's whole filesystem as a new one-layer image instead
 * (export, import, then a commit that carries the config and labels), and
 * the cycle starts again from there. Every decision about the shape of a
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
};

/*
 * The depth at which saves flatten: KEEP_MAX_LAYERS when set (a whole
 * number from 2 up), else SNAPSHOT_MAX_LAYERS. Anything else in it is a
 * usage error.
 */
int snapshot_max_layers(long *out, struct keep_error **err);

/*
 * Write the image of container c (whose image has image_layers layers)
 * as repo:tag with comment (may be NULL) and labels, pausing c while it
 * is read when pause is set, and say how in *how. *image_id_out (caller
 * frees) is the image's id.
 */
int snapshot_write(struct engine *e, const struct container *c,
    size_t image_layers, const char *repo, const char *tag,
    const char *comment, const struct kvv *labels, int pause,
    char **image_id_out, enum snapshot_write_how *how,
    struct keep_error **err);

#endif
