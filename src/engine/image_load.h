/*
 * One more layer on an image, through the documented image-load API
 * (POST /images/load): what an incremental save makes instead of a
 * docker commit (core/snapshot_write.c decides which).
 *
 * A load reads a docker-save archive: manifest.json, the image's config,
 * and its layers. The daemon looks every layer up by its chain of diff
 * ids and reads from the archive only those it does not have, so the
 * archive carries one layer: the new one. The config is the one a commit
 * of the container would make (the container's Config, with the labels
 * given on top), over the parent's layers and history.
 */
#ifndef KEEP_ENGINE_IMAGE_LOAD_H
#define KEEP_ENGINE_IMAGE_LOAD_H

#include "engine/engine.h"
#include "model/value.h"
#include "util/strv.h"

/* Where an image's layers are on the engine's host, for reading them. */
struct image_stack {
	char *id;		/* sha256:... */
	char *driver;		/* GraphDriver.Name: "overlay2" ... */
	char *upper_dir;	/* overlay: its top layer's directory, or "" */
	char *lower_dirs;	/* overlay: the layers below, ':'-separated,
				 * top first, or "" */
	char *architecture, *os, *variant;	/* "" when not said */
	struct strv diff_ids;	/* RootFS.Layers, oldest first */
};

void image_stack_release(struct image_stack *s);

/* GET /images/{ref}/json, its layers' part. Not there: KEEP_ERR_NOT_FOUND. */
int engine_image_stack(struct engine *e, const char *ref,
    struct image_stack *out, struct keep_error **err);

/* What engine_image_load_layer stacks. */
struct layer_load {
	const char *container_id;
	const struct value *config;	/* the container's Config (RUN_CONFIG
					 * of its run record, so without a
					 * hostname the engine made up): the
					 * image's */
	const struct image_stack *parent;	/* the image the layer goes on */
	const char *parent_history;	/* its config's history as JSON, or
					 * NULL: asked of the engine */
	const char *repo, *tag;		/* the name it gets */
	const char *comment;		/* may be NULL */
	const struct kvv *labels;	/* on top of the container's */
	int layer_fd;			/* the layer's tar, read from its start */
	long long layer_size;
	const char *layer_digest;	/* sha256 hex of the tar: its diff id */
};

/*
 * Load the image l describes, tagged repo:tag; *image_id_out is its id
 * (the digest of the config keep wrote: the engine names a loaded image
 * so) and *history_out its config's history as JSON, for the next layer's
 * parent_history (both caller frees). A refusal of the engine is
 * KEEP_ERR_FAILED with its message.
 */
int engine_image_load_layer(struct engine *e, const struct layer_load *l,
    char **image_id_out, char **history_out, struct keep_error **err);

#endif
