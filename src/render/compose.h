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

/* Where a service of a compose file gets its image. */
struct compose_source {
	const char *context;	/* built from the Dockerfile in this folder */
	const char *image;	/* or, when context is NULL, run this image */
};

/*
 * Append a compose override (compose.keep.yml) for the snapshots v[0..n)
 * of one compose project's containers, each getting its image as src[i]
 * says, with the settings render_compose writes. It is read after the
 * project's own compose file, which keeps what it says of the rest:
 * secret variables are named in comments only (a bare name here would
 * replace the compose file's value). Replicas of a service, next to each
 * other in v, share the first one's entry.
 */
void render_compose_override(const char *project, const struct snapshot *v,
    const struct compose_source *src, size_t n, struct buf *out,
    struct strv *warnings);

#endif
