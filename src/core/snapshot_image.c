#include "core/snapshot_image.h"

#include <string.h>

#include "util/xalloc.h"

/* Image ids as Docker ("sha256:hex") and Podman (bare hex) write them. */
static const char *
bare_id(const char *id)
{
	return strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
}

/* 1: ref names the image id, 0: it names another or nothing, -1: error. */
static int
names_image(struct engine *e, const char *ref, const char *id,
    struct keep_error **err)
{
	struct image img;
	int same;

	if (engine_image_inspect(e, ref, &img, err) < 0)
		return keep_error_not_found(err) ? 0 : -1;
	same = img.id != NULL && strcmp(bare_id(img.id), bare_id(id)) == 0;
	image_release(&img);
	return same;
}

int
snapshot_image_ref(struct engine *e, const struct snapshot *s,
    char **out, struct strv *warnings, struct keep_error **err)
{
	const char *tag = s->image, *id = s->image_id;
	cleanup_free char *msg = NULL;
	int rc;

	*out = NULL;
	if (tag == NULL || *tag == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "snapshot #%ld of '%s' has no image", s->seq,
		    s->config.name);
	if (s->pruned_at)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "snapshot #%ld of '%s' has no image: keep prune removed "
		    "'%s' at %s (its recipe stays)", s->seq, s->config.name,
		    tag, s->pruned_at);
	/* A row from before image ids were kept: the tag is all there is. */
	if (id == NULL || *id == '\0') {
		*out = xstrdup(tag);
		return 0;
	}
	if ((rc = names_image(e, tag, id, err)) != 0) {
		if (rc > 0)
			*out = xstrdup(tag);
		return rc < 0 ? -1 : 0;
	}
	if ((rc = names_image(e, id, id, err)) <= 0) {
		if (rc < 0)
			return -1;
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "the image of snapshot #%ld of '%s' is gone: '%s' no longer "
		    "names it and %.12s is not in the engine", s->seq,
		    s->config.name, tag, bare_id(id));
	}
	msg = xasprintf("'%s' no longer names the image of snapshot #%ld (a "
	    "save from another keep catalog, or through another address of "
	    "this engine, took the tag): using the image itself, %.12s",
	    tag, s->seq, bare_id(id));
	strv_push(warnings, msg);
	*out = xstrdup(id);
	return 0;
}
