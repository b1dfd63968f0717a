/*
 * keep verify: build a snapshot's recipe and prove that the image it makes
 * holds the same packages as the snapshot's committed image.
 *
 * What is compared, package by package (exact version and architecture):
 *  - dpkg and apk: the whole installed set of both images;
 *  - pip and npm: every location (site-packages, node_modules) where the
 *    snapshot recorded a change; at each, the whole set of packages found
 *    there in both images, so an extra dependency or a missing one shows
 *    as well as a wrong version. Locations the snapshot never touched are
 *    the base image's and are the same in both by construction.
 */
#ifndef KEEP_CORE_VERIFY_H
#define KEEP_CORE_VERIFY_H

#include <stddef.h>

#include "catalog/catalog.h"
#include "model/model.h"
#include "engine/build.h"
#include "engine/engine.h"

/* One package that is not the same in the rebuilt image. */
struct verify_diff {
	char *kind;		/* "missing", "extra" or "version" */
	char *manager;
	char *name;
	char *arch;		/* "" where the manager has none */
	char *location;		/* pip/npm: the directory; else "" */
	char *want;		/* the snapshot's version; "" for extra */
	char *got;		/* the rebuilt image's version; "" for missing */
};

struct verify_opts {
	const char *keep_image;		/* tag the built image and keep it, or NULL */
	const struct kvv *build_args;	/* proxy variables for the build */
	engine_build_output_fn output;	/* the builder's text, may be NULL */
	void *output_ctx;
	/* Around the long steps (may be NULL): begin 1, then 0. */
	void (*progress)(void *ctx, int begin, const char *what);
	void *progress_ctx;
};

struct verify_result {
	const char *status;	/* "identical", "different", "failed" (static) */
	char *detail;		/* one line for the catalog */
	char *image_id;		/* the built image, or NULL */
	struct verify_diff *v;
	size_t n;
	size_t compared;	/* packages compared */
	struct strv warnings;	/* renderer and analyzer warnings */
	struct strv build_tail;	/* the builder's last lines */
};

void verify_result_release(struct verify_result *r);

/*
 * Verify snapshot s: render its recipe with its loose files as a build
 * context, build it (POST /build, networkmode=host, opts->build_args),
 * read the package databases of the built image and of s->image through
 * reader containers and compare them. The built image is removed unless
 * opts->keep_image names a tag for it. The outcome is recorded in cat
 * (catalog_snapshot_verify_set) when cat is not NULL.
 *
 * Returns 0 when a comparison was made (out->status "identical" or
 * "different"); -1 with *err set otherwise. A failed build sets
 * out->status "failed" and *err names the failing step. A base image that
 * is not present locally is an error before anything is built.
 */
int keep_verify(struct engine *e, struct catalog *cat, const struct snapshot *s,
    const struct verify_opts *opts, struct verify_result *out,
    struct keep_error **err);

/*
 * Compare two package sets (any managers) keyed by manager, location, name
 * (pip names PEP 503-normalised) and arch; append each difference to out.
 * want is the snapshot's set, got the rebuilt image's.
 */
void verify_compare(const struct pkg_set *want, const struct pkg_set *got,
    struct verify_result *out);

#endif
