/*
 * How much disk snapshot images hold, counted by layer. The engine lists
 * every image with its size (all its layers) and the image it was made
 * on: a commit's parent is the image its container ran on, a build
 * step's the step before. An image's own layers are its size less that
 * of the image under it, and images that stand on one another share what
 * is below them: counting each image of that tree once counts each shared
 * layer once.
 *
 * A loaded image (an incremental snapshot, core/snapshot_write.h) has no
 * parent for the engine, and the image it was loaded on may be pruned
 * since while its layers stay under it. So the image under a snapshot's
 * image is the one whose layers (RootFS.Layers) are the most of its
 * first ones. The list does not say an image's layers: that is one
 * request per snapshot image of the containers asked about, and per image
 * they were saved from (label io.keep.base), on top of the list.
 */
#ifndef KEEP_CORE_DISK_H
#define KEEP_CORE_DISK_H

#include "catalog/catalog.h"
#include "engine/engine.h"

struct disk_images {
	struct image_list list;
	size_t *parent;		/* index of the image under each, or SIZE_MAX */
	struct strv *layers;	/* each one's diff ids, oldest first, */
	char *known;		/* where known is 1 */
};

/*
 * Every image of e (GET /images/json?all=1), with the layers of the
 * snapshot images of the containers names (NULL: none) and of the images
 * they were saved from; release with disk_images_release.
 */
int disk_images_load(struct engine *e, const struct strv *names,
    struct disk_images *out, struct keep_error **err);

/* The layers of the images ids and of those they were saved from, too. */
int disk_images_layers(struct engine *e, struct disk_images *d,
    const struct strv *ids, struct keep_error **err);
void disk_images_release(struct disk_images *d);

/*
 * The ids of the images with a snapshot's tag in repository repo
 * ("keep/dev:3", "keep/dev:3-TOKEN"), appended.
 */
void disk_repo_images(const struct disk_images *d, const char *repo,
    struct strv *ids);

/*
 * Bytes the images ids hold: each with the untagged images below it (the
 * steps of a build, the import of a flatten), down to the first image
 * another tag holds (their base), each image counted once. Ids the engine
 * does not have count nothing.
 */
long long disk_held(const struct disk_images *d, const struct strv *ids);

/*
 * Bytes that removing the tags of the images ids would give back: what
 * they hold (as disk_held) that no other tag, no image standing on them
 * and no container made from them (in_use: image ids) keeps.
 */
long long disk_freed(const struct disk_images *d, const struct strv *ids,
    const struct strv *in_use);

/*
 * Whether the layers of image id stay once the tags of ids (among them
 * id's) are gone, as disk_freed sees them: another tag, an image standing
 * on them or a container made from them (in_use) keeps them. Then
 * removing id frees next to nothing (its config).
 */
int disk_layers_stay(const struct disk_images *d, const char *id,
    const struct strv *ids, const struct strv *in_use);

/*
 * Bytes the snapshot images of the container name hold (the images tagged
 * keep/NAME:N, as disk_held counts them); *n_images gets how many there
 * are.
 */
long long disk_container_held(const struct disk_images *d, const char *name,
    size_t *n_images);

/* What keep doctor says of the catalog's images against the engine's. */
struct disk_audit {
	struct strv lost;	/* snapshot tags (keep/NAME:N) of images no
				 * snapshot names */
	long long lost_bytes;	/* what those hold, as disk_held */
	struct strv missing;	/* "NAME #N (keep/NAME:N)": image gone, not pruned */
};
void disk_audit_release(struct disk_audit *a);

/*
 * Compare the snapshots the catalog has on e with e's images: images
 * tagged keep/... whose id no snapshot of the catalog has (left by a save
 * the catalog lost, removed from the catalog, or another KEEP_HOME's), and
 * snapshots not pruned whose image the engine no longer has.
 */
int disk_audit(struct engine *e, struct catalog *cat, struct disk_audit *out,
    struct keep_error **err);

/* size as "1.2 GB", "340 MB", "12 kB", "512 B" (decimal units, as docker). */
void disk_size_str(long long size, char *out, size_t cap);

#endif
