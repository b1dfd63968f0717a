/*
 * Snapshots in the catalog. Writers run inside catalog_begin/commit; the
 * readers need no transaction. Containers are keyed by (engine, name), so
 * the same name on two engines never collides.
 */
#ifndef KEEP_CATALOG_SNAPSHOTS_H
#define KEEP_CATALOG_SNAPSHOTS_H

#include "catalog/catalog.h"
#include "model/model.h"

/*
 * The latest snapshot of (engine, name): *seq (0 when there is none) and,
 * when not NULL, its fingerprint, image tag and recipe commit (caller
 * frees; NULL when there is none).
 */
int catalog_snapshot_head(struct catalog *cat, const char *engine,
    const char *name, long *seq, char **fingerprint, char **image,
    char **recipe_commit, struct keep_error **err);

/*
 * The state snapshot seq of (engine, name) was saved with (struct
 * snapshot.state; *state NULL when not known, caller frees) and, when
 * loose is not NULL, its loose files appended there, by path. No such
 * snapshot: KEEP_ERR_NOT_FOUND.
 */
int catalog_snapshot_state(struct catalog *cat, const char *engine,
    const char *name, long seq, char **state, struct fs_changes *loose,
    struct keep_error **err);

/* What an incremental save needs of the snapshot it stacks a layer on. */
struct snapshot_base_layer {
	char *image_id;		/* NULL once pruned */
	char *container_id;	/* the container it was saved from */
	long long walk_started;	/* struct snapshot's; 0: unknown */
	char *image_history;	/* struct snapshot's, or NULL */
};

void snapshot_base_layer_release(struct snapshot_base_layer *b);

/*
 * Snapshot seq of (engine, name), the part of it in struct
 * snapshot_base_layer (fields caller frees). No such snapshot:
 * KEEP_ERR_NOT_FOUND.
 */
int catalog_snapshot_base_layer(struct catalog *cat, const char *engine,
    const char *name, long seq, struct snapshot_base_layer *out,
    struct keep_error **err);

/*
 * Replace the state of snapshot seq of (engine, name): a later save saw
 * the same snapshot in another state. Call inside a transaction.
 */
int catalog_snapshot_state_set(struct catalog *cat, const char *engine,
    const char *name, long seq, const char *state, struct keep_error **err);

/*
 * Store s (s->engine, s->config.name, s->seq ...) with every child row, and
 * insert or update its container row. Call inside a transaction. Sets s->id.
 */
int catalog_snapshot_insert(struct catalog *cat, struct snapshot *s,
    struct keep_error **err);

/*
 * Make s, about to be recorded as snapshot s->seq of (s->engine,
 * s->config.name), ready for its recipe before it is: s->created_at
 * becomes the time now, and each dpkg change's first_saved the time of
 * the earliest earlier snapshot of that container that recorded its
 * version, else s->created_at (catalog_snapshot_load gives the same).
 */
int catalog_snapshot_stamp(struct catalog *cat, struct snapshot *s,
    struct keep_error **err);

/*
 * When every dpkg version s installs (after catalog_snapshot_stamp) was
 * recorded by an earlier snapshot, take the apt sources of the snapshot
 * before s into s->apt_sources: those versions came from them, and the
 * container need not be read again. 1 when taken, 0 when s has a version
 * of its own or the snapshot before recorded no sources.
 */
int catalog_apt_sources_inherit(struct catalog *cat, struct snapshot *s,
    struct keep_error **err);

/*
 * Load snapshot seq (0: the latest) of (engine, name) into *out (caller
 * releases). engine NULL matches any engine when the name is unique across
 * engines. No such snapshot: KEEP_ERR_NOT_FOUND naming it.
 */
int catalog_snapshot_load(struct catalog *cat, const char *engine,
    const char *name, long seq, struct snapshot *out, struct keep_error **err);

/* A snapshot's image, as keep prune and keep doctor look at it. */
struct catalog_image {
	char *name;		/* the container's */
	long seq;
	char *created_at;	/* RFC 3339 */
	char *image;		/* keep/NAME:SEQ */
	char *image_id;		/* "" in rows from before ids were kept */
	char *pruned_at;	/* when keep prune removed it, or when it
				 * was imported (its image is not here); or NULL */
	char *registry_ref;	/* where keep push --images put it, or NULL */
};

struct catalog_images {
	struct catalog_image *v;
	size_t n;
};
void catalog_images_release(struct catalog_images *im);

/*
 * The images of the snapshots of (engine, name), or of every container of
 * engine when name is NULL, by name then seq, into *out (caller releases).
 */
int catalog_snapshot_images(struct catalog *cat, const char *engine,
    const char *name, struct catalog_images *out, struct keep_error **err);

/*
 * Mark snapshot seq of (engine, name) as pruned now: its image is gone,
 * its rows stay. Call inside a transaction.
 */
int catalog_snapshot_pruned_set(struct catalog *cat, const char *engine,
    const char *name, long seq, struct keep_error **err);

/*
 * Record that snapshot seq of (engine, name) has its image in a registry
 * at ref (REPOSITORY@sha256:...).
 */
int catalog_snapshot_registry_set(struct catalog *cat, const char *engine,
    const char *name, long seq, const char *ref, struct keep_error **err);

/*
 * Record s, read from the recipe repository at repo (core/import.c), as
 * snapshot s->seq of (s->engine, s->config.name), with its recipe commit
 * s->recipe_commit and s->imported_at set (now, when NULL); base_set
 * (may be NULL) becomes its base image's packages when this catalog
 * never read them. One transaction. Returns 0 when recorded; 1 when this
 * catalog holds that snapshot from that same commit already (nothing is
 * done: an import twice is one); 2 when it holds another snapshot of that
 * number (saved here, or from another commit), which an import never
 * replaces; -1 on an error.
 */
int catalog_snapshot_import(struct catalog *cat, struct snapshot *s,
    const struct pkg_set *base_set, const char *repo,
    struct keep_error **err);

/* Record the recipe repository commit made for snapshot id. */
int catalog_recipe_commit_set(struct catalog *cat, long snapshot_id,
    const char *repo, const char *commit_id, struct keep_error **err);

/*
 * A rebuild of snapshot id's packages (core/reproduce.h) was compared with
 * each loose file of compared: those in same (a sorted subset) it made
 * identically, and from then on the snapshot loads them among its
 * changes, not its loose files; the others it made differently or not at
 * all. One transaction. Implemented in catalog/loose.c.
 */
int catalog_loose_compared_set(struct catalog *cat, long snapshot_id,
    const struct strv *compared, const struct strv *same,
    struct keep_error **err);

/* Append the loose files of snapshot id no rebuild was compared with. */
int catalog_loose_unchecked(struct catalog *cat, long snapshot_id,
    struct strv *out, struct keep_error **err);

/*
 * Record the outcome of `keep verify` for snapshot id (struct
 * snapshot.id): status "identical", "different" or "failed", a one-line
 * detail (may be NULL), and the time now. Replaces an earlier result.
 * Implemented in catalog/verify.c.
 */
int catalog_snapshot_verify_set(struct catalog *cat, long snapshot_id,
    const char *status, const char *detail, struct keep_error **err);

/*
 * The cached package set of base image image_id, appended to out. A base
 * never read is KEEP_ERR_NOT_FOUND (then *out is untouched). out NULL: only
 * say whether it was.
 */
int catalog_base_packages_get(struct catalog *cat, const char *image_id,
    struct pkg_set *out, struct keep_error **err);

/*
 * Cache base image img's config and, when set is not NULL, its package set
 * (images are immutable: stored once, never updated). Call inside a
 * transaction.
 */
int catalog_base_put(struct catalog *cat, const struct image *img,
    const struct pkg_set *set, struct keep_error **err);

/* A tracked container, as `keep ls` shows it. */
struct catalog_entry {
	char *engine;
	char *name;
	char *container_id;
	char *compose_project;	/* or NULL */
	char *compose_service;
	int compose_number;	/* its replica, 0 when not compose */
	long snapshots;
	long last_seq;
	char *last_saved;	/* RFC 3339 */
	char *last_image;
};

struct catalog_entries {
	struct catalog_entry *v;
	size_t n;
};
void catalog_entries_release(struct catalog_entries *e);

/* Every tracked container with at least one snapshot, by name then engine. */
int catalog_list(struct catalog *cat, struct catalog_entries *out,
    struct keep_error **err);

/*
 * The tracked containers of compose project on engine (NULL: any engine)
 * with at least one snapshot: those of service (NULL: every service) and,
 * when number is not 0, that replica. One per replica: when it was saved
 * under two names (compose v1's p_s_1, v2's p-s-1) or on two engines, the
 * one saved last. One-off containers (`compose run`, labelled so in their
 * latest snapshot) are left out. By service then number, appended to *out
 * (caller releases).
 */
int catalog_compose_list(struct catalog *cat, const char *engine,
    const char *project, const char *service, int number,
    struct catalog_entries *out, struct keep_error **err);

/*
 * Pending saves: added before the image commit, removed in the snapshot's
 * transaction. catalog_pending_list returns those of (engine, name), or all
 * when name is NULL.
 */
struct catalog_pending {
	long id;
	char *engine;
	char *name;
	long seq;
	char *image;
	char *token;	/* the image's io.keep.save label; NULL in old rows */
};
struct catalog_pendings {
	struct catalog_pending *v;
	size_t n;
};
void catalog_pendings_release(struct catalog_pendings *p);
int catalog_pending_add(struct catalog *cat, const char *engine,
    const char *name, long seq, const char *image, const char *token,
    long *id, struct keep_error **err);
int catalog_pending_remove(struct catalog *cat, long id, struct keep_error **err);
int catalog_pending_list(struct catalog *cat, const char *engine,
    const char *name, struct catalog_pendings *out, struct keep_error **err);

#endif
