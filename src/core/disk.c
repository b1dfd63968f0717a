#include "core/disk.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/snapshots.h"
#include "core/save.h"
#include "engine/image_load.h"
#include "util/xalloc.h"

/* Whether the layers a are the first of b's. */
static int
layers_under(const struct strv *a, const struct strv *b)
{
	if (a->n > b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

/* Image i's layers into d->layers[i]; one the engine lost stays unknown. */
static int
load_layers(struct engine *e, struct disk_images *d, size_t i,
    struct keep_error **err)
{
	struct image_stack st;

	if (engine_image_stack(e, d->list.v[i].id, &st, err) < 0)
		return keep_error_not_found(err) ? 0 : -1;
	d->layers[i] = st.diff_ids;
	memset(&st.diff_ids, 0, sizeof(st.diff_ids));
	image_stack_release(&st);
	d->known[i] = 1;
	return 0;
}

/*
 * Whether image i's layers should be known: an image of ids, or one an
 * image of ids was saved from (its base: a loaded image's layers may
 * stand on nothing else left).
 */
static int
wanted(const struct disk_images *d, size_t i, const struct strv *ids)
{
	const char *id = d->list.v[i].id;

	if (strv_find(ids, id) >= 0)
		return 1;
	for (size_t j = 0; j < d->list.n; j++)
		if (strcmp(d->list.v[j].keep_base, id) == 0 &&
		    strv_find(ids, d->list.v[j].id) >= 0)
			return 1;
	return 0;
}

int
disk_images_layers(struct engine *e, struct disk_images *d,
    const struct strv *ids, struct keep_error **err)
{
	size_t n = d->list.n;

	for (size_t i = 0; i < n; i++)
		if (!d->known[i] && wanted(d, i, ids) &&
		    load_layers(e, d, i, err) < 0)
			return keep_error_wrap(err, "read the layers of the "
			    "images");
	for (size_t i = 0; i < n; i++) {
		const struct strv *li = &d->layers[i];
		size_t best = SIZE_MAX;

		/*
		 * The image with the most of i's first layers: of equal
		 * layers (another config on the same files) the first
		 * listed, so that no image is under itself.
		 */
		for (size_t j = 0; d->known[i] && j < n; j++) {
			const struct strv *lj = &d->layers[j];

			if (j != i && d->known[j] && layers_under(lj, li) &&
			    (lj->n < li->n || j < i) && (best == SIZE_MAX ||
			    lj->n > d->layers[best].n))
				best = j;
		}
		for (size_t j = 0; best == SIZE_MAX && d->list.v[i].parent[0] &&
		    j < n; j++)
			if (strcmp(d->list.v[j].id, d->list.v[i].parent) == 0)
				best = j;
		d->parent[i] = best;
	}
	return 0;
}

int
disk_images_load(struct engine *e, const struct strv *names,
    struct disk_images *out, struct keep_error **err)
{
	struct strv ids = { 0 };
	size_t n;
	int rc;

	memset(out, 0, sizeof(*out));
	if (engine_image_list(e, &out->list, err) < 0)
		return -1;
	n = out->list.n;
	out->parent = xcalloc(n + 1, sizeof(*out->parent));
	out->layers = xcalloc(n + 1, sizeof(*out->layers));
	out->known = xcalloc(n + 1, 1);
	for (size_t k = 0; names && k < names->n; k++) {
		cleanup_free char *repo = save_image_repo(names->v[k]);

		disk_repo_images(out, repo, &ids);
	}
	rc = disk_images_layers(e, out, &ids, err);
	strv_release(&ids);
	if (rc < 0)
		disk_images_release(out);
	return rc;
}

void
disk_images_release(struct disk_images *d)
{
	for (size_t i = 0; d->layers && i < d->list.n; i++)
		strv_release(&d->layers[i]);
	image_list_release(&d->list);
	free(d->parent);
	free(d->layers);
	free(d->known);
	memset(d, 0, sizeof(*d));
}

static size_t
find(const struct disk_images *d, const char *id)
{
	for (size_t i = 0; i < d->list.n; i++)
		if (strcmp(d->list.v[i].id, id) == 0)
			return i;
	return SIZE_MAX;
}

/*
 * Whether tag names a snapshot: "keep/NAME:SEQ", or "keep/NAME:SEQ-TOKEN"
 * (see free_tag in save.c), of repo when repo is not NULL. Not the images
 * resume --from-recipe builds ("keep/NAME:SEQ-recipe").
 */
static int
snapshot_tag(const char *tag, const char *repo)
{
	const char *colon = strrchr(tag, ':'), *p;
	size_t len = repo ? strlen(repo) : 0;

	if (strncmp(tag, "keep/", 5) != 0 || colon == NULL ||
	    (repo && (strncmp(tag, repo, len) != 0 || tag + len != colon)))
		return 0;
	for (p = colon + 1; *p >= '0' && *p <= '9'; p++)
		;
	if (p == colon + 1)
		return 0;
	if (*p == '\0')
		return 1;
	if (*p++ != '-' || strlen(p) != 8)
		return 0;
	return strspn(p, "0123456789abcdef") == 8;
}

void
disk_repo_images(const struct disk_images *d, const char *repo,
    struct strv *ids)
{
	for (size_t i = 0; i < d->list.n; i++)
		for (size_t k = 0; k < d->list.v[i].tags.n; k++) {
			const char *t = d->list.v[i].tags.v[k];

			if (snapshot_tag(t, repo)) {
				strv_push(ids, d->list.v[i].id);
				break;
			}
		}
}

/* What image i adds to its parent. */
static long long
own_size(const struct disk_images *d, size_t i)
{
	long long s = d->list.v[i].size;

	if (d->parent[i] != SIZE_MAX)
		s -= d->list.v[d->parent[i]].size;
	return s > 0 ? s : 0;
}

/*
 * Mark in part the images ids stand on: each of them and the untagged
 * ones below, down to one another tag holds.
 */
static void
mark_held(const struct disk_images *d, const struct strv *ids, char *part)
{
	for (size_t k = 0; k < ids->n; k++) {
		size_t i = find(d, ids->v[k]);

		while (i != SIZE_MAX && !part[i]) {
			part[i] = 1;
			i = d->parent[i];
			if (i != SIZE_MAX && d->list.v[i].tags.n > 0 &&
			    strv_find(ids, d->list.v[i].id) < 0)
				break;
		}
	}
}

long long
disk_held(const struct disk_images *d, const struct strv *ids)
{
	char *part = xcalloc(d->list.n + 1, 1);
	long long sum = 0;

	mark_held(d, ids, part);
	for (size_t i = 0; i < d->list.n; i++)
		if (part[i])
			sum += own_size(d, i);
	free(part);
	return sum;
}

/*
 * Whether image i stays once the tags of ids are gone: 1 or 0, memoised
 * in stays (-1: not known yet).
 */
static int
stays(const struct disk_images *d, size_t i, const struct strv *ids,
    const struct strv *in_use, signed char *memo)
{
	const struct image_summary *im = &d->list.v[i];
	int keep = 0;

	if (memo[i] >= 0)
		return memo[i];
	memo[i] = 1;	/* a loop in the parents (never seen): keep it */
	if (strv_find(in_use, im->id) >= 0)
		keep = 1;
	else if (strv_find(ids, im->id) >= 0)
		keep = im->tags.n > 1;	/* another tag holds it */
	else
		keep = im->tags.n > 0;
	for (size_t j = 0; !keep && j < d->list.n; j++)
		if (d->parent[j] == i && stays(d, j, ids, in_use, memo))
			keep = 1;
	memo[i] = (signed char)keep;
	return keep;
}

long long
disk_freed(const struct disk_images *d, const struct strv *ids,
    const struct strv *in_use)
{
	char *part = xcalloc(d->list.n + 1, 1);
	signed char *memo = xmalloc(d->list.n + 1);
	long long sum = 0;

	memset(memo, -1, d->list.n + 1);
	mark_held(d, ids, part);
	for (size_t i = 0; i < d->list.n; i++)
		if (part[i] && !stays(d, i, ids, in_use, memo))
			sum += own_size(d, i);
	free(part);
	free(memo);
	return sum;
}

int
disk_layers_stay(const struct disk_images *d, const char *id,
    const struct strv *ids, const struct strv *in_use)
{
	size_t i = find(d, id);
	signed char *memo;
	int keep;

	if (i == SIZE_MAX)
		return 0;
	memo = xmalloc(d->list.n + 1);
	memset(memo, -1, d->list.n + 1);
	keep = stays(d, i, ids, in_use, memo);
	free(memo);
	return keep;
}

long long
disk_container_held(const struct disk_images *d, const char *name,
    size_t *n_images)
{
	cleanup_free char *repo = save_image_repo(name);
	struct strv ids = { 0 };
	long long held;

	disk_repo_images(d, repo, &ids);
	held = disk_held(d, &ids);
	*n_images = ids.n;
	strv_release(&ids);
	return held;
}

void
disk_audit_release(struct disk_audit *a)
{
	strv_release(&a->lost);
	strv_release(&a->missing);
	memset(a, 0, sizeof(*a));
}

/* Whether image i has a snapshot's tag. */
static int
keep_tagged(const struct image_summary *im)
{
	for (size_t k = 0; k < im->tags.n; k++)
		if (snapshot_tag(im->tags.v[k], NULL))
			return 1;
	return 0;
}

int
disk_audit(struct engine *e, struct catalog *cat, struct disk_audit *out,
    struct keep_error **err)
{
	struct catalog_images ims = { 0 };
	struct disk_images d;
	struct strv known = { 0 }, lost_ids = { 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	if (catalog_snapshot_images(cat, engine_endpoint(e)->host, NULL, &ims,
	    err) < 0)
		return -1;
	if (disk_images_load(e, NULL, &d, err) < 0) {
		catalog_images_release(&ims);
		return -1;
	}
	for (size_t i = 0; i < ims.n; i++) {
		const struct catalog_image *im = &ims.v[i];
		int there = 0;

		if (im->image_id[0])
			strv_push(&known, im->image_id);
		if (im->pruned_at)
			continue;
		for (size_t j = 0; j < d.list.n && !there; j++)
			there = im->image_id[0] ?
			    strcmp(d.list.v[j].id, im->image_id) == 0 :
			    strv_find(&d.list.v[j].tags, im->image) >= 0;
		if (!there)
			strv_pushf(&out->missing, "%s #%ld (%s)", im->name,
			    im->seq, im->image);
	}
	strv_sort(&known);
	for (size_t j = 0; j < d.list.n; j++) {
		const struct image_summary *im = &d.list.v[j];

		if (!keep_tagged(im) || strv_sorted_has(&known, im->id))
			continue;
		strv_push(&lost_ids, im->id);
		for (size_t k = 0; k < im->tags.n; k++)
			if (snapshot_tag(im->tags.v[k], NULL))
				strv_push(&out->lost, im->tags.v[k]);
	}
	strv_sort(&out->lost);
	rc = disk_images_layers(e, &d, &lost_ids, err);
	out->lost_bytes = rc < 0 ? 0 : disk_held(&d, &lost_ids);
	strv_release(&known);
	strv_release(&lost_ids);
	catalog_images_release(&ims);
	disk_images_release(&d);
	if (rc < 0)
		disk_audit_release(out);
	return rc;
}

void
disk_size_str(long long size, char *out, size_t cap)
{
	static const char *const unit[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)size;
	size_t u = 0;

	while (v >= 1000 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, cap, "%lld B", size);
	else
		snprintf(out, cap, v < 10 ? "%.1f %s" : "%.0f %s", v, unit[u]);
}
