/*
 * Building images (engine/build.c): POST /build with a tar build context.
 * Declared apart from engine.h so that it can grow without touching it.
 */
#ifndef KEEP_ENGINE_BUILD_H
#define KEEP_ENGINE_BUILD_H

#include "engine/engine.h"

/*
 * Called with each piece of the builder's progress text as it arrives
 * ({"stream": ...} lines, and the error text of a failed build), exactly
 * as the engine sent it (it carries its own newlines).
 */
typedef void (*engine_build_output_fn)(void *ctx, const char *text);

struct engine_build_opts {
	const char *tag;		/* t=, or NULL for an untagged image */
	const char *dockerfile;		/* path inside the context; NULL: "Dockerfile" */
	const char *network_mode;	/* networkmode=, or NULL: "host" */
	const struct kvv *build_args;	/* buildargs=, may be NULL */
	const struct kvv *labels;	/* labels= on the image, may be NULL */
	engine_build_output_fn output;	/* may be NULL */
	void *output_ctx;
};

/*
 * POST /build with the tar archive context[0..len) streamed as the body
 * (rm=1, forcerm=1). The 200 answer streams JSON lines; every line is read
 * as it arrives: {"stream"} goes to opts->output, {"aux":{"ID"}} is the
 * image, and {"error"} fails the build even inside the 200. A failed build
 * is an error naming the step that failed ("step 3/7 'RUN ...': ...").
 * *image_id_out (caller frees) is the built image's id.
 */
int engine_build(struct engine *e, const void *context, size_t len,
    const struct engine_build_opts *opts, char **image_id_out,
    struct keep_error **err);

#endif
