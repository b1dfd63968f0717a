/*
 * keep find: which containers and snapshots hold something, over the whole
 * catalog (every tracked container, every engine). Answered from the
 * indexes of migration "find" in milliseconds at 10,000 snapshots; no
 * engine is asked.
 *
 * A snapshot's packages are its base image's (read once per image) with
 * its own changes applied: a package the base image brought counts for
 * every snapshot made on it that did not remove or change it.
 */
#ifndef KEEP_CATALOG_FIND_H
#define KEEP_CATALOG_FIND_H

#include "catalog/catalog.h"
#include "model/model.h"
#include "model/version.h"

enum find_kind {
	FIND_PACKAGE,	/* by name, and version in the manager's order */
	FIND_FILE,	/* a path in a snapshot's change list */
	FIND_ENV,	/* an env variable by name (values are never searched) */
	FIND_MOUNT,	/* a mount by source: host path or volume name */
	FIND_BASE,	/* the base image: reference, digest or image id */
};

/*
 * What to look for. pattern is a glob (fnmatch: '*', '?', [...]), matched
 * whole; a package name the way its manager compares names (pip's PEP 503
 * normalised, the others exactly). FIND_BASE: "debian" matches every tag
 * and digest of debian, "debian:bookworm" that tag, a digest or an image
 * id (or a prefix of one, 12 hex digits or "sha256:..." at least) that
 * image.
 */
struct find_query {
	enum find_kind kind;
	const char *pattern;
	const char *manager;	/* FIND_PACKAGE: only this manager's; NULL: all */
	enum version_op op;	/* FIND_PACKAGE: VERSION_ANY, or compare with */
	const char *version;
	int latest;		/* only the latest snapshot of each container */
};

/* One snapshot that holds what was asked, with what it holds. */
struct find_hit {
	char *engine;
	char *name;		/* the container's */
	long seq;
	int latest;		/* seq is the container's latest snapshot */
	/* FIND_PACKAGE: the package in that snapshot. */
	struct pkg pkg;
	int from_base;		/* as the base image brought it */
	enum pkg_change_kind change;	/* else how the container changed it */
	/* FIND_FILE: the change list's entry; whether no package explains it. */
	struct fs_change file;
	int loose;
	/* FIND_ENV: the variable's name, never its value. */
	char *env_name;
	/* FIND_MOUNT */
	struct mount mount;
	/* FIND_BASE: as the container was created from it. */
	char *image_ref;
	char *base_id;
	char *base_digest;	/* or NULL */
};

struct find_hits {
	struct find_hit *v;
	size_t n, cap;
};

void find_hits_release(struct find_hits *h);

/*
 * Every snapshot holding what q asks for, appended to out: ordered by
 * container name, engine, then what matched (a package's manager, name,
 * arch and location; a path; ...), then snapshot number.
 */
int catalog_find(struct catalog *cat, const struct find_query *q,
    struct find_hits *out, struct keep_error **err);

/*
 * Whether base image reference query names ref (model/image matching, and
 * the id and digest rules above); for FIND_BASE and the tests.
 */
int find_base_matches(const char *query, const char *image_ref,
    const char *base_id, const char *base_digest);

#endif
