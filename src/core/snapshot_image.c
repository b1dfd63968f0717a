#include "core/snapshot_image.h"

#include <string.h>

#include "engine/registry.h"
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
	if (s->imported_at)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "snapshot #%ld of '%s' has no image on this engine: it was "
		    "imported from the recipe repository (saved on another "
		    "machine)", s->seq, s->config.name);
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

int
snapshot_image_pull(struct engine *e, const struct snapshot *s,
    void (*progress)(void *ctx, int begin, const char *what),
    void *progress_ctx, char **out, struct keep_error **err)
{
	const char *ref = s->registry_ref, *at, *colon;
	cleanup_free char *repo = NULL, *host = NULL, *tag_repo = NULL;
	struct registry_auth auth = { 0 };
	struct image img = { 0 };
	int rc = -1;

	*out = NULL;
	if (ref == NULL || (at = strchr(ref, '@')) == NULL)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "snapshot #%ld "
		    "of '%s' was never pushed to a registry", s->seq,
		    s->config.name);
	repo = xstrndup(ref, (size_t)(at - ref));
	if (registry_repository_check(repo, &host, err) < 0 ||
	    registry_auth_get(host, &auth, err) < 0)
		goto out;
	if (progress)
		progress(progress_ctx, 1, "pulling");
	rc = engine_image_pull(e, repo, at + 1, &auth, NULL, NULL, err);
	if (progress)
		progress(progress_ctx, 0, NULL);
	if (rc < 0)
		goto out;
	rc = -1;
	if (engine_image_inspect(e, ref, &img, err) < 0)
		goto out;
	/* The registry is trusted with bytes, not with which image it is. */
	if (s->image_id && *s->image_id && (img.id == NULL ||
	    strcmp(bare_id(img.id), bare_id(s->image_id)) != 0)) {
		keep_error_set(err, KEEP_ERR_FAILED, "'%s' is image %.12s, not "
		    "%.12s, the image of snapshot #%ld of '%s'", ref,
		    img.id ? bare_id(img.id) : "(none)", bare_id(s->image_id),
		    s->seq, s->config.name);
		goto out;
	}
	/* Named as the save named it, unless that name went to another. */
	colon = s->image ? strrchr(s->image, ':') : NULL;
	if (colon) {
		int named = names_image(e, s->image, img.id, err);
		struct image other;

		if (named < 0)
			goto out;
		if (named == 0 &&
		    engine_image_inspect(e, s->image, &other, err) < 0) {
			if (!keep_error_not_found(err))
				goto out;
			tag_repo = xstrndup(s->image, (size_t)(colon - s->image));
			if (engine_image_tag(e, img.id, tag_repo, colon + 1,
			    err) < 0)
				goto out;
			named = 1;
		} else if (named == 0) {
			image_release(&other);
		}
		if (named)
			*out = xstrdup(s->image);
	}
	if (*out == NULL)
		*out = xstrdup(img.id);
	rc = 0;
out:
	image_release(&img);
	registry_auth_release(&auth);
	return rc < 0 ? keep_error_wrap(err, "pull the image of snapshot #%ld "
	    "of '%s'", s->seq, s->config.name) : 0;
}
