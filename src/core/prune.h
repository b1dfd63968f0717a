/*
 * keep prune: remove the images of old snapshots, keep everything else.
 * A pruned snapshot keeps its catalog rows and its recipe (show, log,
 * diff and to-dockerfile read only those); the catalog marks it
 * image-less (pruned_at, migrations/NNNN_pruned.sql), and what needs the
 * image (resume of it, verify, to-dockerfile --context) says so. The latest snapshot is never pruned,
 * nor one a container was created from: the engine refuses to remove an
 * image a container uses, and that container could not be recreated.
 */
#ifndef KEEP_CORE_PRUNE_H
#define KEEP_CORE_PRUNE_H

#include "catalog/catalog.h"
#include "engine/engine.h"

struct prune_opts {
	long keep;		/* keep the newest N snapshots' images; 0: no such bound */
	long older_than;	/* only snapshots older than this many seconds; -1: any */
	int dry_run;		/* say what would go, remove nothing */
};

enum prune_outcome {
	PRUNE_REMOVED,		/* its image is gone, the catalog says so */
	PRUNE_WOULD_REMOVE,	/* dry run */
	PRUNE_IN_USE,		/* kept: a container was created from it */
	PRUNE_ALREADY_GONE,	/* the engine had lost its image: marked */
};

struct prune_item {
	long seq;
	char *image;		/* keep/NAME:SEQ */
	char *created_at;
	enum prune_outcome outcome;
	char *why;		/* PRUNE_IN_USE: the engine's or keep's words */
	char *image_id;		/* "" when the catalog has none */
	int layers_stay;	/* removed or would be, but a snapshot kept
				 * stands on its layers: it frees nothing */
};

struct prune_result {
	struct prune_item *v;	/* by seq */
	size_t n;
	size_t rebuilds;	/* older package rebuilds removed (would be) */
	long long freed;	/* bytes given back (dry run: would be) */
};
void prune_result_release(struct prune_result *r);

/*
 * Prune the snapshots of (engine host of e, name) that the options select
 * (all of the bounds given must select one; none given: every one but the
 * latest), into *out (caller releases). Snapshots pruned before are left
 * alone. The package rebuilds of name (images labelled REPRODUCE_LABEL=
 * name, the build cache to-dockerfile --context and verify leave) go too,
 * all but the newest, which the latest recipe's build uses; one an image
 * stands on stays.
 */
int keep_prune(struct engine *e, struct catalog *cat, const char *name,
    const struct prune_opts *opts, struct prune_result *out,
    struct keep_error **err);

/*
 * How many snapshots' images a save keeps (KEEP_RETAIN, a whole number
 * from 1 up), or 0 when unset: then saves prune nothing. Anything else in
 * it is a usage error.
 */
int prune_retain(long *out, struct keep_error **err);

/*
 * Parse an age such as "30d", "12h", "2w", "90m", "45s" (a whole number
 * and one unit) into seconds. Anything else is a usage error naming what.
 */
int prune_parse_age(const char *what, const char *s, long *out,
    struct keep_error **err);

#endif
