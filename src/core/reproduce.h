/*
 * The loose files a rebuild of a snapshot's packages makes identically.
 *
 * A container where someone installed packages by hand changed more than
 * their file lists say: update-mime-database's caches, update-ca-
 * certificates' links, adduser's lines in /etc/passwd, systemd's enablement
 * links, ldconfig's links. No package database names them all. The
 * package-only recipe (installer configuration and installs, no loose
 * files) makes them again: what it makes byte for byte, with the same type,
 * mode and owner, is no loose file, and no recipe needs to copy it.
 */
#ifndef KEEP_CORE_REPRODUCE_H
#define KEEP_CORE_REPRODUCE_H

#include "catalog/catalog.h"
#include "engine/build.h"
#include "engine/engine.h"
#include "model/model.h"
#include "util/strv.h"

struct reproduce_opts {
	const struct kvv *build_args;	/* proxy variables for the build, may be NULL */
	engine_build_output_fn output;	/* the builder's text, may be NULL */
	void *output_ctx;
	/* Around the long steps (may be NULL): begin 1, then 0. */
	void (*progress)(void *ctx, int begin, const char *what);
	void *progress_ctx;
};

/*
 * Build the package-only recipe of s (its installer configuration read
 * from image, the snapshot's committed image), compare each loose file of
 * s that candidates (sorted) names between image and the result, and append to
 * out, sorted, those the rebuild made identically (same type, mode,
 * owner, bytes or link target), or left absent as the snapshot did.
 * With no package change or no candidate nothing is built and nothing
 * appended. The reader containers are removed; the built image stays,
 * untagged, labelled REPRODUCE_LABEL=NAME, as the classic builder's cache:
 * a build of the recipe (docker build of the context, keep verify) then
 * reuses its installs instead of running them a second time (`docker
 * image prune` removes it). A failed build is an error.
 */
#define REPRODUCE_LABEL "io.keep.rebuild"

int reproduce_loose(struct engine *e, const struct snapshot *s,
    const char *image, const struct strv *candidates,
    const struct reproduce_opts *opts, struct strv *out,
    struct keep_error **err);

/*
 * For snapshot s of the catalog cat: reproduce_loose on the loose files
 * no rebuild has been compared with yet (catalog_loose_unchecked), less
 * installer configuration (the user's own settings, which recipes copy
 * before the installs); the outcome recorded in cat
 * (catalog_loose_compared_set), so a snapshot is rebuilt for this once,
 * and the files the rebuild made taken out of s->loose. *n_out is how
 * many that took out.
 */
int reproduce_record(struct engine *e, struct catalog *cat, struct snapshot *s,
    const char *image, const struct reproduce_opts *opts, size_t *n_out,
    struct keep_error **err);

#endif
