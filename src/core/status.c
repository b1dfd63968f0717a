#include "core/status.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/snapshots.h"
#include "core/save.h"
#include "util/xalloc.h"

void
status_result_release(struct status_result *r)
{
	snapshot_release(&r->now);
	free(r->saved_at);
	snapshot_diff_release(&r->changes);
	free(r->image_saved);
	free(r->image_named);
	strv_release(&r->warnings);
	memset(r, 0, sizeof(*r));
}

int
status_image_recreated(const struct status_result *r)
{
	return r->image_saved && r->now.config.image_id &&
	    strcmp(r->image_saved, r->now.config.image_id) != 0;
}

int
status_image_moved(const struct status_result *r)
{
	return r->image_named && r->now.config.image_id &&
	    strcmp(r->image_named, r->now.config.image_id) != 0;
}

/* Whether d lists any difference. */
static int
diff_empty(const struct snapshot_diff *d)
{
	const struct strv *lists[] = { &d->packages, &d->env_added,
		&d->env_removed, &d->env_changed, &d->mounts_added,
		&d->mounts_removed, &d->files_added, &d->files_removed,
		&d->settings_added, &d->settings_removed, &d->settings_changed };

	for (size_t i = 0; i < sizeof(lists) / sizeof(*lists); i++)
		if (lists[i]->n)
			return 0;
	return 1;
}

/* What the container's image name names today, or NULL. */
static char *
image_named(struct engine *e, const char *ref)
{
	struct keep_error *err = NULL;
	struct image img;
	char *id = NULL;

	if (ref == NULL || ref[0] == '\0')
		return NULL;
	if (engine_image_inspect(e, ref, &img, &err) == 0) {
		id = img.id;
		img.id = NULL;
		image_release(&img);
	}
	keep_error_free(err);
	return id;
}

/*
 * The secret variables an imported snapshot names without values count
 * as what the container now has: their values were never recorded.
 */
static void
keep_secrets_left_out(struct snapshot *head, const struct container *now)
{
	for (size_t i = 0; i < head->secrets_left_out.n; i++) {
		const char *name = head->secrets_left_out.v[i];
		const char *v = kvv_get(&now->env, name);

		if (v && kvv_get(&head->config.env, name) == NULL)
			kvv_push(&head->config.env, name, v);
	}
}

int
keep_status(struct engine *e, struct catalog *cat, const char *id,
    struct container *inspected, struct status_result *out,
    struct keep_error **err)
{
	struct container config = { 0 };
	struct save_plan plan;
	struct snapshot head = { 0 };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (inspected && inspected->id && strcmp(inspected->id, id) == 0) {
		config = *inspected;
		memset(inspected, 0, sizeof(*inspected));
	} else if (engine_container_inspect(e, id, &config, err) < 0) {
		return -1;
	}
	if (save_plan(e, cat, &config, NULL, &plan, &out->warnings, err) < 0)
		goto out;
	out->seq = plan.head_seq;
	out->unchanged = plan.unchanged;
	out->image_named = image_named(e, plan.snap.config.image_ref);
	if (plan.head_seq > 0) {
		if (catalog_snapshot_load(cat, plan.snap.engine,
		    plan.snap.config.name, plan.head_seq, &head, err) < 0)
			goto out;
		keep_secrets_left_out(&head, &plan.snap.config);
		out->saved_at = xstrdup(head.created_at);
		out->image_saved = xstrdup(head.config.image_id);
		if (!plan.unchanged) {
			history_changes(&head, &plan.snap, &out->changes);
			out->unlisted = diff_empty(&out->changes) &&
			    !status_image_recreated(out);
		}
	}
	out->now = plan.snap;
	memset(&plan.snap, 0, sizeof(plan.snap));
	rc = 0;
out:
	container_release(&config);
	snapshot_release(&head);
	save_plan_release(&plan);
	if (rc < 0)
		status_result_release(out);
	return rc;
}
