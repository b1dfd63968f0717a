/*
 * The docker CLI's configuration folder, private to src/engine/: host.c
 * reads its currentContext and contexts, registry_auth.c its credentials.
 */
#ifndef KEEP_ENGINE_CONFIG_INT_H
#define KEEP_ENGINE_CONFIG_INT_H

#include "util/buf.h"
#include "util/error.h"

/* $DOCKER_CONFIG, or ~/.docker; the caller frees. */
char *engine_docker_config_dir(void);

/*
 * Read a whole small file (config.json, a context's meta.json) into out.
 * A missing one is KEEP_ERR_NOT_FOUND; one over 4 MiB is refused.
 */
int engine_read_config_file(const char *path, struct buf *out,
    struct keep_error **err);

#endif
