#include "core/prune.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/snapshots.h"
#include "core/disk.h"
#include "util/env.h"
#include "util/xalloc.h"

void
prune_result_release(struct prune_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->v[i].image);
		free(r->v[i].created_at);
		free(r->v[i].why);
		free(r->v[i].image_id);
	}
	free(r->v);
	memset(r, 0, sizeof(*r));
}

int
prune_parse_age(const char *what, const char *s, long *out,
    struct keep_error **err)
{
	static const struct {
		char unit;
		long seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 },
	    { 'd', 86400 }, { 'w', 7 * 86400 } };
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!errno && end != s && v >= 0 && end[0] != '\0' && end[1] == '\0')
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (*end == units[i].unit) {
				if (v > LONG_MAX / units[i].seconds)
					break;
				*out = v * units[i].seconds;
				return 0;
			}
	return keep_error_set(err, KEEP_ERR_USAGE, "%s '%s': give a whole "
	    "number and a unit: s, m, h, d or w (30d)", what, s);
}

int
prune_retain(long *out, struct keep_error **err)
{
	const char *s;
	long long v;
	int rc = env_number("KEEP_RETAIN", 1, LONG_MAX, 0, &v, &s);

	*out = (long)v;
	if (rc < 0)
		return keep_error_set(err, KEEP_ERR_USAGE, "KEEP_RETAIN='%.32s': "
		    "give how many snapshots keep their image, from 1 up", s);
	return 0;
}

/* created_at (RFC 3339 UTC, as the catalog writes it) in seconds. */
static long long
epoch_of(const char *when)
{
	struct tm tm = { 0 };
	const char *end = strptime(when, "%Y-%m-%dT%H:%M:%SZ", &tm);

	return end && *end == '\0' ? (long long)timegm(&tm) : -1;
}

/* Image ids the engine's containers were created from, and by whom. */
static int
images_in_use(struct engine *e, struct kvv *out, struct keep_error **err)
{
	struct container_list l = { 0 };

	if (engine_container_list(e, NULL, &l, err) < 0)
		return -1;
	for (size_t i = 0; i < l.n; i++)
		if (l.v[i].image_id[0])
			kvv_push(out, l.v[i].image_id, l.v[i].name);
	container_list_release(&l);
	return 0;
}

/*
 * Remove snapshot im's image: by its tag while the tag names it, else by
 * its id (another catalog took the tag). 1: it was already gone; 0: gone
 * now; -1: the engine refused (KEEP_ERR_CONFLICT: something uses it).
 */
static int
remove_image(struct engine *e, const struct catalog_image *im,
    struct keep_error **err)
{
	struct image img;
	const char *ref = im->image;
	int same;

	if (engine_image_inspect(e, im->image, &img, err) < 0) {
		if (!keep_error_not_found(err))
			return -1;
		if (im->image_id[0] == '\0')
			return 1;
		ref = im->image_id;
	} else {
		same = im->image_id[0] == '\0' ||
		    strcmp(img.id, im->image_id) == 0;
		image_release(&img);
		if (!same)
			ref = im->image_id;
	}
	if (ref == im->image_id) {
		if (engine_image_inspect(e, ref, &img, err) < 0)
			return keep_error_not_found(err) ? 1 : -1;
		image_release(&img);
	}
	return engine_image_remove(e, ref, 0, err);
}

static struct prune_item *
item_add(struct prune_result *r, const struct catalog_image *im,
    enum prune_outcome outcome)
{
	struct prune_item *it;

	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	it = &r->v[r->n++];
	it->seq = im->seq;
	it->image = xstrdup(im->image);
	it->created_at = xstrdup(im->created_at);
	it->outcome = outcome;
	it->why = NULL;
	it->image_id = xstrdup(im->image_id);
	it->layers_stay = 0;
	return it;
}

/*
 * The package rebuilds of name but the newest (see reproduce.h): removed,
 * or only counted in a dry run; their ids pushed to go. keep leaves them
 * untagged: one with a tag is the user's now (removed by id, the tag would
 * go too) and stays, as does one an image stands on (the engine's
 * conflict).
 */
static int
prune_rebuilds(struct engine *e, const struct disk_images *disk,
    const char *name, int dry_run, struct strv *go, size_t *n,
    struct keep_error **err)
{
	long long newest = -1;

	for (size_t i = 0; i < disk->list.n; i++)
		if (strcmp(disk->list.v[i].keep_rebuild, name) == 0 &&
		    disk->list.v[i].created > newest)
			newest = disk->list.v[i].created;
	for (size_t i = 0; i < disk->list.n; i++) {
		const struct image_summary *im = &disk->list.v[i];

		if (strcmp(im->keep_rebuild, name) != 0 ||
		    im->created == newest || im->tags.n > 0)
			continue;
		if (!dry_run && engine_image_remove(e, im->id, 0, err) < 0) {
			if ((*err)->kind != KEEP_ERR_CONFLICT)
				return -1;
			keep_error_free(*err);
			*err = NULL;
			continue;
		}
		strv_push(go, im->id);
		(*n)++;
	}
	return 0;
}

int
keep_prune(struct engine *e, struct catalog *cat, const char *name,
    const struct prune_opts *opts, struct prune_result *out,
    struct keep_error **err)
{
	const char *host = engine_endpoint(e)->host;
	struct catalog_images ims = { 0 };
	struct disk_images disk = { 0 };
	struct kvv in_use = { 0 };
	struct strv go = { 0 }, use_ids = { 0 }, names = { 0 };
	long long now = (long long)time(NULL);
	long newer = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (catalog_snapshot_images(cat, host, name, &ims, err) < 0)
		return -1;
	if (ims.n == 0) {
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND, "no snapshot of "
		    "'%s' on this engine (%s)", name, host);
		goto out;
	}
	strv_push(&names, name);
	if (images_in_use(e, &in_use, err) < 0 ||
	    disk_images_load(e, &names, &disk, err) < 0)
		goto out;
	for (size_t i = 0; i < in_use.n; i++)
		strv_push(&use_ids, in_use.v[i].key);
	/* Newest first: the latest is never a candidate. */
	for (size_t k = ims.n; k-- > 0;) {
		const struct catalog_image *im = &ims.v[k];
		long long made = epoch_of(im->created_at);
		const char *user;

		if (im->pruned_at)
			continue;
		if (newer++ == 0)
			continue;
		if (opts->keep > 0 && newer <= opts->keep)
			continue;
		if (opts->older_than >= 0 &&
		    (made < 0 || now - made <= opts->older_than))
			continue;
		user = im->image_id[0] ? kvv_get(&in_use, im->image_id) : NULL;
		if (user) {
			item_add(out, im, PRUNE_IN_USE)->why = xasprintf(
			    "container '%s' was created from it, and the engine "
			    "does not remove an image a container uses", user);
			continue;
		}
		if (opts->dry_run) {
			item_add(out, im, PRUNE_WOULD_REMOVE);
			if (im->image_id[0])
				strv_push(&go, im->image_id);
			continue;
		}
		switch (remove_image(e, im, err)) {
		case 0:
			item_add(out, im, PRUNE_REMOVED);
			if (im->image_id[0])
				strv_push(&go, im->image_id);
			break;
		case 1:
			item_add(out, im, PRUNE_ALREADY_GONE);
			break;
		default:
			if ((*err)->kind != KEEP_ERR_CONFLICT)
				goto out;
			/* Made since we listed them, or held otherwise. */
			item_add(out, im, PRUNE_IN_USE)->why =
			    xstrdup((*err)->message);
			keep_error_free(*err);
			*err = NULL;
			continue;
		}
		if (catalog_begin(cat, err) < 0 ||
		    catalog_snapshot_pruned_set(cat, host, name, im->seq,
		    err) < 0 || catalog_commit(cat, err) < 0) {
			catalog_rollback(cat);
			goto out;
		}
	}
	/* By seq, as log lists them the other way. */
	for (size_t i = 0; i < out->n / 2; i++) {
		struct prune_item t = out->v[i];

		out->v[i] = out->v[out->n - 1 - i];
		out->v[out->n - 1 - i] = t;
	}
	if (prune_rebuilds(e, &disk, name, opts->dry_run, &go, &out->rebuilds,
	    err) < 0)
		goto out;
	out->freed = disk_freed(&disk, &go, &use_ids);
	for (size_t i = 0; i < out->n; i++) {
		struct prune_item *it = &out->v[i];

		it->layers_stay = (it->outcome == PRUNE_REMOVED ||
		    it->outcome == PRUNE_WOULD_REMOVE) && it->image_id[0] &&
		    disk_layers_stay(&disk, it->image_id, &go, &use_ids);
	}
	rc = 0;
out:
	catalog_images_release(&ims);
	disk_images_release(&disk);
	kvv_release(&in_use);
	strv_release(&go);
	strv_release(&use_ids);
	strv_release(&names);
	return rc;
}
