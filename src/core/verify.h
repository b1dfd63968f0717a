/*
 * keep verify: build a snapshot's recipe and prove that the image it makes
 * is the snapshot's committed image, as far as a Dockerfile can say:
 *
 *  - packages, one by one (exact version and architecture): dpkg and apk,
 *    the whole installed set of both images; pip and npm, every location
 *    (site-packages, node_modules) where the snapshot recorded a change,
 *    and there the whole set found in both images, so an extra or missing
 *    dependency shows as well as a wrong version. Locations the snapshot
 *    never touched are the base image's and the same by construction;
 *  - loose files: every one of the snapshot's, by type, content (SHA-256),
 *    mode and owner, or a link's target; a deleted one must be absent;
 *  - the config a Dockerfile carries: user, working directory, env
 *    (names, and values that are no secret), entrypoint, cmd, exposed
 *    ports, labels.
 *
 * What keep's recipes leave out on purpose (secret env values, proxy
 * variables: both are passed at run time) is listed as left out, not
 * compared; compose's and keep's own labels are the engine's, not the
 * image's. Everything else that differs makes the result "different".
 */
#ifndef KEEP_CORE_VERIFY_H
#define KEEP_CORE_VERIFY_H

#include <stddef.h>

#include "catalog/catalog.h"
#include "core/image_files.h"
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

/* One loose file or config item that is not the same in the rebuilt image. */
struct verify_item {
	char *what;	/* files: the path; config: "user", "env PATH", "label k" ... */
	char *kind;	/* "missing", "extra" or "different" */
	char *want;	/* the snapshot's, as it may be shown; "" for extra */
	char *got;	/* the rebuilt image's, likewise; "" for missing */
	char *why;	/* what keep knows of the cause, or "" */
};

/* The differences of one category, and how many items it compared. */
struct verify_items {
	struct verify_item *v;
	size_t n;
	size_t compared;
};

struct verify_opts {
	const char *keep_image;		/* tag the built image and keep it, or NULL */
	int no_context;			/* build the recipe without its loose files */
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
	struct verify_diff *v;	/* packages */
	size_t n;
	size_t compared;	/* packages compared */
	struct verify_items files;
	int context;		/* the build had the loose files in its context */
	struct verify_items config;
	struct strv left_out;	/* not compared on purpose: "env API_TOKEN (a secret ...)" */
	const char *apt_snapshot;	/* "fallback", "always", "never" (static) */
	struct strv apt_times;	/* the snapshot-archive times the apt pins use */
	struct strv apt_unarchived;	/* apt sources with no snapshot archive */
	struct strv warnings;	/* renderer and analyzer warnings */
	struct strv build_tail;	/* the builder's last lines */
};

void verify_result_release(struct verify_result *r);

/*
 * Verify snapshot s: render its recipe, with its loose files as a build
 * context unless opts->no_context, build it (POST /build,
 * networkmode=host, opts->build_args), and compare the built image with
 * s->image: packages through reader containers, loose files through the
 * archive API, config by inspecting it. The built image is removed unless
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

/*
 * Compare the config a Dockerfile carries, of snapshot s (its container's
 * config at save time) with the rebuilt image's: differences go to
 * out->config, what is not compared on purpose to out->left_out. Values
 * that are secrets are never copied into out.
 */
void verify_config(const struct snapshot *s, const struct image *rebuilt,
    struct verify_result *out);

/*
 * The loose files of s in the snapshot's image (snap) and the rebuilt one
 * (got, both read with image_files_read), into out->files. in_context
 * holds the paths the build context carried (sorted), or is NULL when
 * the recipe was built without one.
 */
void verify_files(const struct snapshot *s, const struct image_files *snap,
    const struct image_files *got, const struct strv *in_context,
    struct verify_result *out);

/* The one-line summary of a comparison: out->status and out->detail. */
void verify_summarize(struct verify_result *out);

#endif
