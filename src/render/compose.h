/*
 * The compose service that runs a snapshot again from its recipe: pure, a
 * snapshot in, YAML text out (`keep to-dockerfile --compose`).
 */
#ifndef KEEP_RENDER_COMPOSE_H
#define KEEP_RENDER_COMPOSE_H

#include "model/model.h"
#include "util/buf.h"

/*
 * Append a compose file with one service named after s's container (or its
 * compose service): built from the Dockerfile next to it with host
 * networking and the proxy variables as build args, with the recorded
 * mounts, port bindings, network mode, restart policy, tty/stdin, and the
 * names - never the values - of secret variables, which compose then takes
 * from the shell or an env_file. Every value from the container is written
 * as a JSON string, which YAML reads as the same string, so no byte of it
 * can end the scalar. Items that cannot be written that way (invalid
 * UTF-8) are left out with a warning.
 */
void render_compose(const struct snapshot *s, struct buf *out,
    struct strv *warnings);

#endif
