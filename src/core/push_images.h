/*
 * keep push --images: snapshot images to a registry repository the team
 * already runs, through the engine's push with the docker CLI's
 * credentials (engine/registry.h). Each pushed snapshot records where its
 * image is, REPOSITORY@sha256:DIGEST, in the catalog (registry_ref) and in
 * the recipe repository (NAME/images, container.json "registry"), so that
 * another machine can pull exactly that image.
 */
#ifndef KEEP_CORE_PUSH_IMAGES_H
#define KEEP_CORE_PUSH_IMAGES_H

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "util/strv.h"

struct push_images_opts {
	const char *repository;		/* HOST[:PORT]/PATH, checked */
	/*
	 * Called as each image starts (detail NULL) and as its push goes
	 * (detail "2 of 5 layers, ..."); what NULL: it ended. May be NULL.
	 */
	void (*progress)(void *ctx, const char *what, const char *detail);
	void *progress_ctx;
};

struct push_images_item {
	char *name;		/* the container's */
	long seq;
	char *ref;		/* REPOSITORY@sha256:... */
	int pushed;		/* 1 now; 0 it was there from an earlier push */
};

struct push_images_result {
	struct push_images_item *v;	/* by name, then seq */
	size_t n;
	struct strv commits;	/* recipe commits made, one per container */
	struct strv warnings;	/* snapshots left out, and why */
};

void push_images_result_release(struct push_images_result *r);

/*
 * Push the image of every snapshot of names (catalog names of the engine
 * e is; none: every container of that engine) that has one (not pruned)
 * and is not in opts->repository yet, tagged REPOSITORY:NAME-SEQ; record
 * each digest in the catalog as soon as its push succeeded, then commit
 * each container's NAME/images to the recipe repository at recipes_dir.
 * The first failed push ends it with that error, after recording and
 * committing what was pushed before it: nothing is recorded for a push
 * that failed. A snapshot whose image is no longer on the engine is left
 * out with a warning. Fills *out (caller releases), also on failure.
 */
int keep_push_images(struct engine *e, struct catalog *cat,
    const char *recipes_dir, const struct strv *names,
    const struct push_images_opts *opts, struct push_images_result *out,
    struct keep_error **err);

#endif
