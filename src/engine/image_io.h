/*
 * A container's whole filesystem out as one tar stream, and a tar stream
 * in as a one-layer image (engine/image_io.c): together they flatten an
 * image that commits have made too deep for the storage driver.
 */
#ifndef KEEP_ENGINE_IMAGE_IO_H
#define KEEP_ENGINE_IMAGE_IO_H

#include "engine/engine.h"

/*
 * GET /containers/{id}/export: the container's filesystem (volumes
 * left out) streams to sink. A sink that fails stops it with its error.
 */
int engine_container_export(struct engine *e, const char *id,
    engine_sink_fn sink, void *ctx, struct keep_error **err);

/*
 * POST /images/create?fromSrc=-: an untagged image of one layer from the
 * tar stream source gives (0 at its end, -1 to abort), with no config.
 * *image_id_out (caller frees) is its id.
 */
int engine_image_import(struct engine *e, engine_source_fn source,
    void *ctx, char **image_id_out, struct keep_error **err);

#endif
