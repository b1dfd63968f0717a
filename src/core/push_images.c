#include "core/push_images.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/snapshots.h"
#include "core/history.h"
#include "engine/registry.h"
#include "util/xalloc.h"

void
push_images_result_release(struct push_images_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].name);
		free(r->v[i].ref);
	}
	free(r->v);
	strv_release(&r->commits);
	strv_release(&r->warnings);
	memset(r, 0, sizeof(*r));
}

static void
item_add(struct push_images_result *r, const char *name, long seq,
    const char *ref, int pushed)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = (struct push_images_item){ xstrdup(name), seq,
	    xstrdup(ref), pushed };
}

/* What one push reports through opts->progress. */
struct progress {
	const struct push_images_opts *opts;
	const char *what;
};

static void
on_progress(void *ctx, const char *text)
{
	struct progress *p = ctx;

	p->opts->progress(p->opts->progress_ctx, p->what, text);
}

/* 1 when ref (REPOSITORY@sha256:...) is in repository. */
static int
in_repository(const char *ref, const char *repository)
{
	size_t n = strlen(repository);

	return ref && strncmp(ref, repository, n) == 0 && ref[n] == '@';
}

/*
 * Take the tag a push needed off again, so that the snapshot's image goes
 * when keep prune or docker rmi removes keep/NAME:SEQ, as before the push
 * (the registry holds it now). Only when the image has another name: the
 * last one would take the image with it. Best effort.
 */
static void
untag(struct engine *e, const char *ref)
{
	struct keep_error *ignored = NULL;
	struct image img;

	if (engine_image_inspect(e, ref, &img, &ignored) < 0) {
		keep_error_free(ignored);
		return;
	}
	if (img.repo_tags.n > 1 && engine_image_remove(e, ref, 0,
	    &ignored) < 0)
		keep_error_free(ignored);
	image_release(&img);
}

/*
 * Push im (snapshot of one container) unless it is in the repository
 * already; its seq goes to new_seqs when pushed now.
 */
static int
push_one(struct engine *e, struct catalog *cat,
    const struct catalog_image *im, const struct registry_auth *auth,
    const struct push_images_opts *opts, struct push_images_result *out,
    long *new_seqs, size_t *n_new, struct keep_error **err)
{
	const char *engine_host = engine_endpoint(e)->host;
	const char *local = *im->image_id ? im->image_id : im->image;
	cleanup_free char *tag = xasprintf("%s-%ld", im->name, im->seq);
	cleanup_free char *what = xasprintf("pushing %s #%ld", im->name,
	    im->seq);
	cleanup_free char *digest = NULL, *ref = NULL;
	cleanup_free char *tagged = xasprintf("%s:%s", opts->repository, tag);
	struct progress p = { opts, what };
	int rc;

	if (in_repository(im->registry_ref, opts->repository)) {
		item_add(out, im->name, im->seq, im->registry_ref, 0);
		return 0;
	}
	if (engine_image_tag(e, local, opts->repository, tag, err) < 0) {
		if (!keep_error_not_found(err))
			return -1;
		strv_pushf(&out->warnings, "%s #%ld: its image %s is no longer "
		    "on the engine: not pushed", im->name, im->seq, im->image);
		return 0;
	}
	if (opts->progress)
		opts->progress(opts->progress_ctx, what, NULL);
	rc = engine_image_push(e, opts->repository, tag, auth,
	    opts->progress ? on_progress : NULL, &p, &digest, err);
	if (opts->progress)
		opts->progress(opts->progress_ctx, NULL, NULL);
	untag(e, tagged);
	if (rc < 0)
		return keep_error_wrap(err, "%s #%ld", im->name, im->seq);
	/* Recorded only now that the registry has it. */
	ref = xasprintf("%s@%s", opts->repository, digest);
	if (catalog_begin(cat, err) < 0)
		return -1;
	if (catalog_snapshot_registry_set(cat, engine_host, im->name, im->seq,
	    ref, err) < 0 || catalog_commit(cat, err) < 0) {
		catalog_rollback(cat);
		return keep_error_wrap(err, "record the push of %s #%ld",
		    im->name, im->seq);
	}
	item_add(out, im->name, im->seq, ref, 1);
	new_seqs[(*n_new)++] = im->seq;
	return 0;
}

/* Push the snapshots of one container, ims[0..n), then commit its images. */
static int
push_container(struct engine *e, struct catalog *cat, const char *recipes_dir,
    const struct catalog_image *ims, size_t n,
    const struct registry_auth *auth, const struct push_images_opts *opts,
    struct push_images_result *out, struct keep_error **err)
{
	cleanup_free long *seqs = xcalloc(n + 1, sizeof(*seqs));
	cleanup_free char *commit = NULL;
	struct keep_error *push_err = NULL;
	size_t n_new = 0;
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++)
		if (ims[i].pruned_at == NULL)
			rc = push_one(e, cat, &ims[i], auth, opts, out, seqs,
			    &n_new, &push_err);
	/* What was pushed before a failure is recorded: its recipe too. */
	if (n_new > 0) {
		if (history_images_record(cat, recipes_dir,
		    engine_endpoint(e)->host, ims[0].name, seqs, n_new, &commit,
		    rc < 0 ? NULL : err) < 0)
			rc = -1;
		else
			strv_push(&out->commits, commit);
	}
	if (push_err) {
		if (err) {
			keep_error_free(*err);
			*err = push_err;
		} else {
			keep_error_free(push_err);
		}
	}
	return rc;
}

int
keep_push_images(struct engine *e, struct catalog *cat,
    const char *recipes_dir, const struct strv *names,
    const struct push_images_opts *opts, struct push_images_result *out,
    struct keep_error **err)
{
	const char *engine_host = engine_endpoint(e)->host;
	struct registry_auth auth = { 0 };
	cleanup_free char *host = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (registry_repository_check(opts->repository, &host, err) < 0)
		return -1;
	if (registry_auth_get(host, &auth, err) < 0)
		return keep_error_wrap(err, "credentials for %s", host);
	for (size_t k = 0; k < (names->n ? names->n : 1); k++) {
		struct catalog_images ims;
		size_t i = 0;

		if (catalog_snapshot_images(cat, engine_host, names->n ?
		    names->v[k] : NULL, &ims, err) < 0)
			goto out;
		if (names->n && ims.n == 0) {
			catalog_images_release(&ims);
			keep_error_set(err, KEEP_ERR_NOT_FOUND, "'%s' has no "
			    "snapshots on %s", names->v[k], engine_host);
			goto out;
		}
		/* By name, then seq: one container at a time. */
		while (i < ims.n) {
			size_t j = i;

			while (j < ims.n && strcmp(ims.v[j].name, ims.v[i].name) == 0)
				j++;
			if (push_container(e, cat, recipes_dir, &ims.v[i], j - i,
			    &auth, opts, out, err) < 0) {
				catalog_images_release(&ims);
				goto out;
			}
			i = j;
		}
		catalog_images_release(&ims);
	}
	rc = 0;
out:
	registry_auth_release(&auth);
	return rc;
}
