/*
 * Creating and removing containers (engine/lifecycle.c). Declared apart from
 * engine.h so that the two files can grow independently.
 */
#ifndef KEEP_ENGINE_LIFECYCLE_H
#define KEEP_ENGINE_LIFECYCLE_H

#include "engine/engine.h"

/*
 * Create a container from image that is never started, only read through
 * the archive API (an image's files cannot be read directly). It has no
 * network and carries the label io.keep.temporary=1, so a leftover one can
 * be recognised. *id_out (caller frees) is its id; remove it with
 * engine_container_remove.
 */
int engine_container_create_reader(struct engine *e, const char *image,
    char **id_out, struct keep_error **err);

/*
 * DELETE /containers/{id}?force=&v=: remove a container (v: and its
 * anonymous volumes). A missing container is not an error when missing_ok.
 */
int engine_container_remove(struct engine *e, const char *id, int force,
    int missing_ok, struct keep_error **err);

#endif
