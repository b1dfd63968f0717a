#include "core/resume.h"

#include <stdlib.h>
#include <string.h>

#include "core/build_context.h"
#include "core/save.h"
#include "core/snapshot_image.h"
#include "engine/lifecycle.h"
#include "util/xalloc.h"

/* Set on recreated containers (the first also comes with keep's images). */
#define RESUME_LABEL_CONTAINER "io.keep.container"
#define RESUME_LABEL_FROM "io.keep.resumed-from"

/* How long a container may take to come up after start. */
#define RESUME_START_TIMEOUT 60L

void
resume_result_release(struct resume_result *r)
{
	free(r->id);
	free(r->name);
	free(r->image);
	free(r->user);
	free(r->workdir);
	strv_release(&r->created_volumes);
	strv_release(&r->warnings);
	memset(r, 0, sizeof(*r));
}

/* Start, unpause or leave alone c, then wait until it runs. */
static int
bring_up(struct engine *e, const struct container *c,
    struct resume_result *out, struct keep_error **err)
{
	struct container_state st;
	int rc = 0;

	if (engine_container_state(e, c->id, &st, err) < 0)
		return -1;
	if (st.paused) {
		out->action = RESUME_UNPAUSED;
		rc = engine_container_unpause(e, c->id, err);
	} else if (st.running || st.restarting) {
		out->action = RESUME_WAS_RUNNING;
	} else if (strcmp(st.status, "removing") == 0) {
		rc = keep_error_set(err, KEEP_ERR_CONFLICT,
		    "container '%s' is being removed; try again when it is gone",
		    c->name);
	} else {
		out->action = RESUME_STARTED;
		rc = engine_container_start(e, c->id, err);
	}
	container_state_release(&st);
	if (rc < 0)
		return -1;
	return engine_container_wait_running(e, c->id, RESUME_START_TIMEOUT,
	    err);
}

/* Fill the parts of out that describe container c. */
static void
describe(struct resume_result *out, const struct container *c)
{
	out->id = xstrdup(c->id);
	out->name = xstrdup(c->name);
	out->user = xstrdup(c->user ? c->user : "");
	out->workdir = xstrdup(c->workdir ? c->workdir : "");
}

/* Check the snapshot's named volumes, making missing ones when allowed. */
static int
check_volumes(struct engine *e, const struct snapshot *snap,
    const struct resume_opts *opts, struct resume_result *out,
    struct keep_error **err)
{
	const struct container *c = &snap->config;
	struct strv missing = { 0 };
	struct buf list = BUF_INIT;
	int rc = 0;

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount *m = &c->mounts[i];

		if (strcmp(m->type, "volume") != 0 || *m->source == '\0' ||
		    strv_find(&missing, m->source) >= 0)
			continue;
		if (engine_volume_inspect(e, m->source, err) == 0)
			continue;
		if (!keep_error_not_found(err)) {
			rc = -1;
			goto out;
		}
		strv_push(&missing, m->source);
	}
	if (missing.n == 0)
		goto out;
	if (!opts->create_volumes) {
		for (size_t i = 0; i < missing.n; i++)
			buf_printf(&list, "%s'%s'", i ? ", " : "", missing.v[i]);
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "volume%s %s of '%s' no longer exist%s; "
		    "'--create-volumes' makes %s empty",
		    missing.n > 1 ? "s" : "", buf_cstr(&list), c->name,
		    missing.n > 1 ? "" : "s", missing.n > 1 ? "them" : "it");
		goto out;
	}
	for (size_t i = 0; i < missing.n; i++) {
		if (engine_volume_create(e, missing.v[i], err) < 0) {
			rc = -1;
			goto out;
		}
		strv_push(&out->created_volumes, missing.v[i]);
	}
out:
	strv_release(&missing);
	buf_release(&list);
	return rc;
}

/* Make the snapshot's container again and start it. */
static int
recreate(struct engine *e, const struct snapshot *snap,
    const struct resume_opts *opts, struct resume_result *out,
    struct keep_error **err)
{
	cleanup_free char *built = NULL;
	const char *image = snap->image;
	cleanup_free char *own = NULL, *id = NULL;
	struct kvv labels = { 0 };
	struct container c;
	int rc;

	if (image == NULL || *image == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "snapshot #%ld of '%s' has no image to recreate it from",
		    snap->seq, snap->config.name);
	if (check_volumes(e, snap, opts, out, err) < 0)
		return -1;
	if (opts->image_fn) {
		if (opts->image_fn(opts->image_ctx, snap, &built, err) < 0)
			return -1;
		image = built;
	} else {
		if (snapshot_image_ref(e, snap, &own, &out->warnings, err) < 0)
			return -1;
		image = own;
	}
	/* Marked as keep's, so the next resume knows the name is ours. */
	kvv_push(&labels, RESUME_LABEL_CONTAINER, snap->config.name);
	kvv_push(&labels, RESUME_LABEL_FROM, image);
	rc = engine_container_create(e, &snap->config, image, &labels, &id, err);
	kvv_release(&labels);
	if (rc < 0)
		return -1;
	out->action = RESUME_RECREATED;
	out->image = xstrdup(image);
	if (engine_container_start(e, id, err) < 0 ||
	    engine_container_wait_running(e, id, RESUME_START_TIMEOUT, err) < 0)
		return keep_error_wrap(err, "recreated '%s' from '%s'",
		    snap->config.name, image);
	if (engine_container_inspect(e, id, &c, err) < 0) {
		if (!keep_error_not_found(err))
			return -1;
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "container '%s' vanished right after it was recreated",
		    snap->config.name);
	}
	describe(out, &c);
	container_release(&c);
	return 0;
}

int
keep_resume(struct engine *e, const char *name, const struct snapshot *snap,
    const struct resolve_opts *ropts, const struct resume_opts *opts,
    struct resume_result *out, struct keep_error **err)
{
	cleanup_free char *id = NULL, *resolved = NULL;
	struct container c;
	const char *origin;
	int rc;

	memset(out, 0, sizeof(*out));
	if (snap == NULL) {
		if (resolve_container(e, name, ropts, &id, &resolved, err) < 0)
			return -1;
		if (engine_container_inspect(e, id, &c, err) == 0)
			goto existing;
		if (!keep_error_not_found(err))
			return -1;
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "container '%s' is gone and was never saved", name);
	}
	/* The saved container itself, wherever its name went. */
	if (snap->config.id && *snap->config.id) {
		if (engine_container_inspect(e, snap->config.id, &c, err) == 0)
			goto existing;
		if (!keep_error_not_found(err))
			return -1;
	}
	/* A container of that name: one recreated earlier is ours too. */
	if (engine_container_inspect(e, snap->config.name, &c, err) < 0)
		return keep_error_not_found(err) ?
		    recreate(e, snap, opts, out, err) : -1;
	origin = kvv_get(&c.labels, RESUME_LABEL_CONTAINER);
	if (origin == NULL || strcmp(origin, snap->config.name) != 0) {
		rc = keep_error_set(err, KEEP_ERR_CONFLICT,
		    "the name '%s' is taken by another container (%.12s, image "
		    "'%s'), not the one keep saved; remove or rename it to "
		    "recreate '%s' from '%s'", snap->config.name, c.id,
		    c.image_ref, snap->config.name, snap->image);
		container_release(&c);
		return rc;
	}
existing:
	describe(out, &c);
	rc = bring_up(e, &c, out, err);
	container_release(&c);
	return rc;
}

int
keep_resume_shell(struct engine *e, const char *id, const char *shell,
    struct strv *out, struct keep_error **err)
{
	static const char *const bash[] = { "/bin/bash", "/usr/bin/bash" };

	if (shell && *shell) {
		cleanup_free char *copy = xstrdup(shell);
		char *save = NULL;

		for (char *w = strtok_r(copy, " \t", &save); w;
		    w = strtok_r(NULL, " \t", &save))
			strv_push(out, w);
		if (out->n == 0)
			return keep_error_set(err, KEEP_ERR_USAGE,
			    "the shell command is empty");
		return 0;
	}
	for (size_t i = 0; i < sizeof(bash) / sizeof(bash[0]); i++) {
		if (engine_container_path_check(e, id, bash[i], err) == 0) {
			strv_push(out, bash[i]);
			return 0;
		}
		if (!keep_error_not_found(err))
			return -1;
	}
	strv_push(out, "sh");
	return 0;
}

char *
resume_describe(const struct resume_result *r)
{
	switch (r->action) {
	case RESUME_STARTED:
		return xasprintf("restarted %s", r->name);
	case RESUME_UNPAUSED:
		return xasprintf("unpaused %s", r->name);
	case RESUME_RECREATED:
		return xasprintf("recreated %s from %s", r->name, r->image);
	case RESUME_WAS_RUNNING:
	default:
		return xasprintf("%s is running", r->name);
	}
}

int
keep_resume_build_recipe(struct engine *e, const struct snapshot *snap,
    const struct kvv *build_args, engine_build_output_fn output,
    void *output_ctx, char **tag_out, struct strv *warnings,
    struct keep_error **err)
{
	struct build_context bc = { 0 };
	struct engine_build_opts bopts = { 0 };
	cleanup_buf struct buf tar = BUF_INIT;
	cleanup_free char *repo = save_image_repo(snap->config.name);
	cleanup_free char *image_id = NULL, *own = NULL;
	char *tag;
	int rc;

	*tag_out = NULL;
	if (snapshot_image_ref(e, snap, &own, warnings, err) < 0)
		return keep_error_wrap(err, "read the files of '%s' #%ld",
		    snap->config.name, snap->seq);
	if (build_context_collect(e, snap, own, &bc, warnings, err) < 0 ||
	    build_context_tar(&bc, &tar, err) < 0) {
		build_context_release(&bc);
		return keep_error_wrap(err, "the recipe of '%s' #%ld",
		    snap->config.name, snap->seq);
	}
	tag = xasprintf("%s:%ld-recipe", repo, snap->seq);
	bopts.tag = tag;
	bopts.network_mode = "host";
	bopts.build_args = build_args;
	bopts.output = output;
	bopts.output_ctx = output_ctx;
	rc = engine_build(e, tar.ptr, tar.len, &bopts, &image_id, err);
	build_context_release(&bc);
	if (rc < 0) {
		free(tag);
		return keep_error_wrap(err, "build the recipe of '%s' #%ld",
		    snap->config.name, snap->seq);
	}
	*tag_out = tag;
	return 0;
}
