#include "core/resume.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/build_context.h"
#include "core/run_check.h"
#include "core/save.h"
#include "core/snapshot_image.h"
#include "engine/lifecycle.h"
#include "model/run.h"
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
	free(r->pulled);
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

/* 1 when the user let setting go with --ignore-missing. */
static int
ignored(const struct resume_opts *opts, const char *setting)
{
	return opts->ignore_missing && strv_find(opts->ignore_missing,
	    setting) >= 0;
}

/* The error for settings (whats) e lacks, naming the options that let them go. */
static int
lacking(const char *name, const struct strv *settings, const struct strv *whats,
    struct keep_error **err)
{
	cleanup_buf struct buf list = BUF_INIT, opts = BUF_INIT;

	for (size_t i = 0; i < settings->n; i++) {
		buf_printf(&list, "%s%s", i ? ", " : "", whats->v[i]);
		buf_printf(&opts, "%s--ignore-missing %s", i ? " " : "",
		    settings->v[i]);
	}
	return keep_error_set(err, KEEP_ERR_FAILED, "this engine has no %s, "
	    "which '%s' was run with; '%s' recreates it without %s",
	    buf_cstr(&list), name, buf_cstr(&opts),
	    settings->n > 1 ? "them" : "it");
}

/*
 * src with the first --map OLD=NEW whose OLD is src or a folder above it
 * applied (caller frees), or NULL when none applies.
 */
static char *
map_source(const struct strv *maps, const char *src)
{
	for (size_t i = 0; maps && i < maps->n; i++) {
		const char *eq = strchr(maps->v[i], '=');
		size_t len = eq ? (size_t)(eq - maps->v[i]) : 0;

		while (len > 1 && maps->v[i][len - 1] == '/')
			len--;
		if (len && strncmp(src, maps->v[i], len) == 0 &&
		    (src[len] == '\0' || src[len] == '/'))
			return xasprintf("%s%s", eq + 1, src + len);
	}
	return NULL;
}

/* The Binds entry "SRC:DST[:OPTS]" with its source mapped, or NULL. */
static char *
map_bind(const struct strv *maps, const char *bind)
{
	const char *colon = strchr(bind, ':');
	cleanup_free char *src = NULL, *to = NULL;

	if (bind[0] != '/' || colon == NULL)
		return NULL;	/* a volume's name, not a path */
	src = xstrndup(bind, (size_t)(colon - bind));
	if ((to = map_source(maps, src)) == NULL)
		return NULL;
	return xasprintf("%s%s", to, colon);
}

/*
 * Apply opts->maps to the bind sources of c (a copy of a snapshot's
 * config whose run is its own): its mounts become *mounts_out (the
 * caller frees it and each source in sources_out), its run's Binds and
 * Mounts are rewritten in place.
 */
static void
map_mounts(struct container *c, const struct resume_opts *opts,
    struct mount **mounts_out, struct strv *sources_out)
{
	struct value *host = value_get(&c->run, RUN_HOST), *list;

	*mounts_out = NULL;
	if (opts->maps == NULL || opts->maps->n == 0)
		return;
	if (c->n_mounts) {
		*mounts_out = xcalloc(c->n_mounts, sizeof(**mounts_out));
		memcpy(*mounts_out, c->mounts, c->n_mounts * sizeof(**mounts_out));
		for (size_t i = 0; i < c->n_mounts; i++) {
			struct mount *m = &(*mounts_out)[i];
			char *to;

			if (strcmp(m->type, "bind") != 0 ||
			    (to = map_source(opts->maps, m->source)) == NULL)
				continue;
			strv_push_nodup(sources_out, to);
			m->source = to;
		}
		c->mounts = *mounts_out;
	}
	list = value_get(host, "Binds");
	for (size_t i = 0; list && list->type == VALUE_ARRAY && i < list->n;
	    i++) {
		cleanup_free char *to = list->v[i].type == VALUE_STRING ?
		    map_bind(opts->maps, list->v[i].s) : NULL;

		if (to)
			value_set_string(&list->v[i], to);
	}
	list = value_get(host, "Mounts");
	for (size_t i = 0; list && list->type == VALUE_ARRAY && i < list->n;
	    i++) {
		const char *type = value_str(&list->v[i], "Type");
		const char *src = value_str(&list->v[i], "Source");
		cleanup_free char *to = NULL;

		if (type && strcmp(type, "bind") == 0 && src &&
		    (to = map_source(opts->maps, src)) != NULL)
			value_set_string(value_add(&list->v[i], "Source"), to);
	}
}

/*
 * A snapshot saved on another machine mounts folders of that machine:
 * those (mapped) that do not exist here are named, all in one line,
 * rather than made empty by the engine. Only a local engine's folders
 * can be looked at.
 */
static int
check_binds(struct engine *e, const struct snapshot *snap,
    const struct container *c, struct keep_error **err)
{
	struct buf list = BUF_INIT;
	size_t n = 0;
	struct stat st;
	int rc = 0;

	if (snap->imported_at == NULL ||
	    strncmp(engine_endpoint(e)->host, "unix://", 7) != 0)
		return 0;
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount *m = &c->mounts[i];

		if (strcmp(m->type, "bind") != 0 || stat(m->source, &st) == 0)
			continue;
		buf_printf(&list, "%s'%s' (-> %s)", n++ ? ", " : "", m->source,
		    m->destination);
	}
	if (n)
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND, "'%s' #%ld was "
		    "saved on another machine; bind source%s %s do%s not exist "
		    "here: '--map OLD=NEW' mounts another folder instead",
		    c->name, snap->seq, n > 1 ? "s" : "", buf_cstr(&list),
		    n > 1 ? "" : "es");
	buf_release(&list);
	return rc;
}

/*
 * Check the snapshot's named volumes, making missing ones when allowed,
 * with the driver they had.
 */
static int
check_volumes(struct engine *e, const struct snapshot *snap,
    const struct resume_opts *opts, struct resume_result *out,
    struct keep_error **err)
{
	const struct container *c = &snap->config;
	struct strv missing = { 0 }, drivers = { 0 };
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
		strv_push(&drivers, m->driver ? m->driver : "");
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
		cleanup_free char *setting = NULL;
		const char *driver = drivers.v[i];
		int lacks = run_check_volume_driver(e, driver, &setting, err);

		if (lacks < 0) {
			rc = -1;
			goto out;
		}
		if (lacks && !ignored(opts, setting)) {
			rc = keep_error_set(err, KEEP_ERR_FAILED, "volume '%s' "
			    "of '%s' no longer exists, and this engine has no "
			    "volume driver '%s' to make it again; "
			    "'--ignore-missing %s' makes it with 'local'",
			    missing.v[i], c->name, driver, setting);
			goto out;
		}
		if (lacks) {
			strv_pushf(&out->warnings, "made volume '%s' with the "
			    "driver 'local', not '%s' (--ignore-missing %s)",
			    missing.v[i], driver, setting);
			driver = NULL;
		}
		if (engine_volume_create(e, missing.v[i], driver, err) < 0) {
			rc = -1;
			goto out;
		}
		strv_push(&out->created_volumes, missing.v[i]);
	}
out:
	strv_release(&missing);
	strv_release(&drivers);
	buf_release(&list);
	return rc;
}

/*
 * Make run fit e: what e lacks is dropped when the user let it go (with a
 * warning), else the recreate stops naming all of it.
 */
static int
fit_run(struct engine *e, const char *name, struct value *run,
    const struct resume_opts *opts, struct resume_result *out,
    struct keep_error **err)
{
	struct strv settings = { 0 }, whats = { 0 }, refused = { 0 },
	    refused_whats = { 0 };
	int rc = 0;

	if (run_check(e, run, &settings, &whats, err) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < settings.n; i++) {
		if (!ignored(opts, settings.v[i])) {
			strv_push(&refused, settings.v[i]);
			strv_push(&refused_whats, whats.v[i]);
			continue;
		}
		run_drop(run, settings.v[i]);
		strv_pushf(&out->warnings, "recreated '%s' without %s: this "
		    "engine has none (--ignore-missing %s)", name, whats.v[i],
		    settings.v[i]);
	}
	if (refused.n)
		rc = lacking(name, &refused, &refused_whats, err);
out:
	strv_release(&settings);
	strv_release(&whats);
	strv_release(&refused);
	strv_release(&refused_whats);
	return rc;
}

/*
 * Create c from image and start it. When the engine refuses to start it
 * for a setting it cannot give (GPUs, a device), the container goes again
 * and, if the user let that setting go, is made once more without it.
 * *id_out (caller frees) is the running container's id.
 */
static int
create_and_start(struct engine *e, struct container *c, const char *image,
    const struct kvv *labels, const struct resume_opts *opts,
    struct resume_result *out, char **id_out, struct keep_error **err)
{
	*id_out = NULL;
	for (;;) {
		cleanup_free char *setting = NULL, *what = NULL;
		struct keep_error *e2 = NULL;
		char *id = NULL;

		if (engine_container_create(e, c, image, labels, &id, err) < 0)
			return -1;
		if (engine_container_start(e, id, err) == 0) {
			*id_out = id;
			return 0;
		}
		/* Nothing ran in it: take it back, so a resume can try again. */
		engine_container_remove(e, id, 1, &e2);
		keep_error_free(e2);
		free(id);
		setting = run_start_refusal((*err)->message, &what);
		if (setting == NULL || c->run.type == VALUE_NULL)
			return keep_error_wrap(err, "recreated '%s' from '%s'",
			    c->name, image);
		if (!ignored(opts, setting)) {
			/* The engine's own words, without our "start ...: ". */
			const char *why = strstr((*err)->message, "': ");
			cleanup_free char *msg = xstrdup(why ? why + 3 :
			    (*err)->message);

			keep_error_free(*err);
			*err = NULL;
			return keep_error_set(err, KEEP_ERR_FAILED, "the engine "
			    "cannot give '%s' its %s: %s; '--ignore-missing %s' "
			    "recreates it without", c->name, what, msg, setting);
		}
		keep_error_free(*err);
		*err = NULL;
		run_drop(&c->run, setting);
		strv_pushf(&out->warnings, "recreated '%s' without its %s: the "
		    "engine cannot give it (--ignore-missing %s)", c->name,
		    what, setting);
	}
}

/*
 * 1 with *own set when snap's image is on the engine, 0 when it is not
 * (pruned, removed) or that cannot be told: then a pull can bring it.
 */
static int
image_here(struct engine *e, const struct snapshot *snap, char **own,
    struct resume_result *out)
{
	struct keep_error *lost = NULL;

	if (snap->pruned_at)
		return 0;
	if (snapshot_image_ref(e, snap, own, &out->warnings, &lost) == 0)
		return 1;
	keep_error_free(lost);
	return 0;
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
	struct container c, made = snap->config;
	struct mount *mapped = NULL;
	struct strv mapped_sources = { 0 };
	int rc;

	if (image == NULL || *image == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "snapshot #%ld of '%s' has no image to recreate it from",
		    snap->seq, snap->config.name);
	/* Saved on another machine: its image is not here. (With a
	 * registry_ref, snapshot_image_ref is where it comes by digest.) */
	if (opts->image_fn == NULL && snap->imported_at &&
	    snap->registry_ref == NULL)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "snapshot #%ld "
		    "of '%s' was saved on another machine and its image is in "
		    "no registry: 'keep resume %s --from-recipe' builds it "
		    "from its recipe", snap->seq, snap->config.name,
		    snap->config.name);
	/* The snapshot's config, but a run of its own to fit this engine
	 * and with its bind sources mapped; checked before any volume is
	 * made for it. */
	value_copy(&made.run, &snap->config.run);
	map_mounts(&made, opts, &mapped, &mapped_sources);
	if ((made.run.type != VALUE_NULL &&
	    fit_run(e, made.name, &made.run, opts, out, err) < 0) ||
	    check_binds(e, snap, &made, err) < 0 ||
	    check_volumes(e, snap, opts, out, err) < 0)
		goto fail;
	if (opts->image_fn) {
		if (opts->image_fn(opts->image_ctx, snap, &built, err) < 0)
			goto fail;
		image = built;
	} else if (snap->registry_ref && !image_here(e, snap, &own, out)) {
		/* Gone from this engine (pruned, removed, another machine):
		 * the registry keep push --images put it in has it. */
		if (snapshot_image_pull(e, snap, opts->progress,
		    opts->progress_ctx, &own, err) < 0)
			goto fail;
		out->pulled = xstrdup(snap->registry_ref);
		image = own;
	} else if (snap->pruned_at) {
		keep_error_set(err, KEEP_ERR_NOT_FOUND, "snapshot #%ld of '%s' "
		    "has no image (pruned at %s): 'keep resume %s --at %ld "
		    "--from-recipe' rebuilds it from its recipe", snap->seq,
		    snap->config.name, snap->pruned_at, snap->config.name,
		    snap->seq);
		goto fail;
	} else {
		if (snapshot_image_ref(e, snap, &own, &out->warnings, err) < 0)
			goto fail;
		image = own;
	}
	if (snap->secrets_left_out.n) {
		cleanup_free char *names = strv_join(&snap->secrets_left_out,
		    ", ");

		strv_pushf(&out->warnings, "'%s' runs without its secret "
		    "variables %s: their values are not in the recipe "
		    "repository", snap->config.name, names);
	}
	/* Marked as keep's, so the next resume knows the name is ours. */
	kvv_push(&labels, RESUME_LABEL_CONTAINER, snap->config.name);
	kvv_push(&labels, RESUME_LABEL_FROM, image);
	rc = create_and_start(e, &made, image, &labels, opts, out, &id, err);
	kvv_release(&labels);
	value_release(&made.run);
	free(mapped);
	strv_release(&mapped_sources);
	if (rc < 0)
		return -1;
	out->action = RESUME_RECREATED;
	out->image = xstrdup(image);
	if (engine_container_wait_running(e, id, RESUME_START_TIMEOUT, err) < 0)
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
fail:
	value_release(&made.run);
	free(mapped);
	strv_release(&mapped_sources);
	return -1;
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
		if (r->pulled)
			return xasprintf("recreated %s from %s, pulled from %s",
			    r->name, r->image, r->pulled);
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
	/* A pruned snapshot's files went with its image, an imported one's
	 * stayed on the machine that saved it: the recipe lists them, the
	 * build goes without. */
	if (snap->pruned_at || snap->imported_at) {
		if (snap->loose.n)
			strv_pushf(warnings, "the image of '%s' #%ld %s: its "
			    "files are not in the rebuilt container (the recipe "
			    "lists them)", snap->config.name, snap->seq,
			    snap->pruned_at ? "was pruned" :
			    "is on the machine that saved it");
	} else if (snapshot_image_ref(e, snap, &own, warnings, err) < 0)
		return keep_error_wrap(err, "read the files of '%s' #%ld",
		    snap->config.name, snap->seq);
	if (build_context_collect(e, snap, own, BUILD_FOR_KEEP, 0, &bc,
	    warnings, err) < 0 ||
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
