#include "catalog/snapshots.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "catalog/catalog_internal.h"
#include "util/strv.h"
#include "util/xalloc.h"

static void
bind_str(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

/* Step a statement that returns no rows, then reset it for reuse. */
static int
step_done(struct catalog *cat, sqlite3_stmt *st, const char *what,
    struct keep_error **err)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, what);
	return 0;
}

/*
 * Step an INSERT ... RETURNING id into *id, then to its end. Left active,
 * it would hold a statement savepoint open around every write after it
 * in the transaction: SQLite's statement journal then grows with each
 * row and each later insert walks it (quadratic: minutes for the 40,000
 * changes of a few saves of a container with hundreds of packages).
 */
static int
step_returning(struct catalog *cat, sqlite3_stmt *st, const char *what,
    long *id, struct keep_error **err)
{
	if (sqlite3_step(st) != SQLITE_ROW)
		return catalog_fail(cat, err, what);
	*id = sqlite3_column_int64(st, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		return catalog_fail(cat, err, what);
	return 0;
}

int
catalog_snapshot_head(struct catalog *cat, const char *engine,
    const char *name, long *seq, char **fingerprint, char **image,
    char **recipe_commit, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	char **out[] = { fingerprint, image, recipe_commit };
	int rc;

	if (catalog_prepare(cat,
	    "SELECT s.seq, s.fingerprint, s.image, r.commit_id FROM snapshots s "
	    "JOIN containers c ON c.id = s.container "
	    "LEFT JOIN recipe_commits r ON r.snapshot = s.id "
	    "WHERE c.engine = ?1 AND c.name = ?2 ORDER BY s.seq DESC LIMIT 1",
	    &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	*seq = 0;
	for (int i = 0; i < 3; i++)
		if (out[i])
			*out[i] = NULL;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*seq = sqlite3_column_int64(st, 0);
		for (int i = 0; i < 3; i++)
			if (out[i])
				*out[i] = catalog_col_dup(st, i + 1);
		return 0;
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read latest snapshot");
	return 0;
}

int
catalog_snapshot_state(struct catalog *cat, const char *engine,
    const char *name, long seq, char **state, struct fs_changes *loose,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	long id = 0;
	int rc;

	*state = NULL;
	if (catalog_prepare(cat,
	    "SELECT s.id, s.state FROM snapshots s "
	    "JOIN containers c ON c.id = s.container "
	    "WHERE c.engine = ?1 AND c.name = ?2 AND s.seq = ?3", &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND, "no snapshot #%ld "
		    "of '%s'", seq, name);
	if (rc != SQLITE_ROW)
		return catalog_fail(cat, err, "read snapshot state");
	id = sqlite3_column_int64(st, 0);
	*state = catalog_col_dup(st, 1);
	if (loose == NULL)
		return 0;
	sqlite3_finalize(st);
	st = NULL;
	if (catalog_prepare(cat, "SELECT path, kind FROM fs_changes "
	    "WHERE snapshot = ?1 AND loose = 1 ORDER BY path", &st, err) < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fs_changes_push(loose, (const char *)sqlite3_column_text(st, 0),
		    (enum fs_change_kind)sqlite3_column_int(st, 1));
	if (rc == SQLITE_DONE)
		return 0;
	catalog_fail(cat, err, "read snapshot loose files");
fail:
	free(*state);
	*state = NULL;
	return -1;
}

void
snapshot_base_layer_release(struct snapshot_base_layer *b)
{
	free(b->image_id);
	free(b->container_id);
	free(b->image_history);
	memset(b, 0, sizeof(*b));
}

int
catalog_snapshot_base_layer(struct catalog *cat, const char *engine,
    const char *name, long seq, struct snapshot_base_layer *out,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (catalog_prepare(cat,
	    "SELECT CASE WHEN s.pruned_at IS NULL AND s.imported_at IS NULL"
	    " THEN s.image_id END,"
	    " s.container_id, s.walk_started, s.image_history FROM snapshots s "
	    "JOIN containers c ON c.id = s.container "
	    "WHERE c.engine = ?1 AND c.name = ?2 AND s.seq = ?3", &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "'%s' has no snapshot #%ld", name, seq);
	if (rc != SQLITE_ROW)
		return catalog_fail(cat, err, "read snapshot");
	out->image_id = catalog_col_dup(st, 0);
	out->container_id = catalog_col_dup(st, 1);
	out->walk_started = sqlite3_column_int64(st, 2);
	out->image_history = catalog_col_dup(st, 3);
	return 0;
}

int
catalog_snapshot_state_set(struct catalog *cat, const char *engine,
    const char *name, long seq, const char *state, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	if (catalog_prepare(cat,
	    "UPDATE snapshots SET state = ?4 WHERE seq = ?3 AND container = "
	    "(SELECT id FROM containers WHERE engine = ?1 AND name = ?2)",
	    &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, seq);
	bind_str(st, 4, state);
	if (sqlite3_step(st) != SQLITE_DONE)
		return catalog_fail(cat, err, "record snapshot state");
	return 0;
}

void
catalog_images_release(struct catalog_images *im)
{
	for (size_t i = 0; i < im->n; i++) {
		free(im->v[i].name);
		free(im->v[i].created_at);
		free(im->v[i].image);
		free(im->v[i].image_id);
		free(im->v[i].pruned_at);
		free(im->v[i].registry_ref);
	}
	free(im->v);
	memset(im, 0, sizeof(*im));
}

int
catalog_snapshot_images(struct catalog *cat, const char *engine,
    const char *name, struct catalog_images *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (catalog_prepare(cat,
	    "SELECT c.name, s.seq, s.created_at, s.image, s.image_id,"
	    " coalesce(s.pruned_at, s.imported_at), s.registry_ref"
	    " FROM snapshots s JOIN containers c"
	    " ON c.id = s.container WHERE c.engine = ?1"
	    " AND (?2 IS NULL OR c.name = ?2) ORDER BY c.name, s.seq",
	    &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_image *im;

		if (out->n == cap) {
			cap = cap ? 2 * cap : 16;
			out->v = xrealloc(out->v, cap * sizeof(*out->v));
		}
		im = &out->v[out->n++];
		im->name = catalog_col_str(st, 0);
		im->seq = sqlite3_column_int64(st, 1);
		im->created_at = catalog_col_str(st, 2);
		im->image = catalog_col_str(st, 3);
		im->image_id = catalog_col_str(st, 4);
		im->pruned_at = catalog_col_dup(st, 5);
		im->registry_ref = catalog_col_dup(st, 6);
	}
	if (rc != SQLITE_DONE) {
		catalog_images_release(out);
		return catalog_fail(cat, err, "read snapshot images");
	}
	return 0;
}

/*
 * Run update (an UPDATE of snapshots whose ?4 is value) on snapshot seq
 * of (engine, name); what names it in an error.
 */
static int
snapshot_update(struct catalog *cat, const char *update, const char *engine,
    const char *name, long seq, const char *value, const char *what,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	cleanup_free char *sql = xasprintf("%s WHERE seq = ?3 AND container = "
	    "(SELECT id FROM containers WHERE engine = ?1 AND name = ?2)",
	    update);

	if (catalog_prepare(cat, sql, &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, seq);
	bind_str(st, 4, value);
	if (sqlite3_step(st) != SQLITE_DONE)
		return catalog_fail(cat, err, what);
	return 0;
}

int
catalog_snapshot_pruned_set(struct catalog *cat, const char *engine,
    const char *name, long seq, struct keep_error **err)
{
	cleanup_free char *now = catalog_now();

	return snapshot_update(cat, "UPDATE snapshots SET pruned_at = ?4",
	    engine, name, seq, now, "record a pruned snapshot", err);
}

int
catalog_snapshot_registry_set(struct catalog *cat, const char *engine,
    const char *name, long seq, const char *ref, struct keep_error **err)
{
	return snapshot_update(cat, "UPDATE snapshots SET registry_ref = ?4",
	    engine, name, seq, ref, "record a pushed snapshot", err);
}

/* Insert or update the container row of s; its id goes to *id. */
static int
upsert_container(struct catalog *cat, const struct snapshot *s, long *id,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	cleanup_free char *now = catalog_now();
	const struct container *c = &s->config;

	if (catalog_prepare(cat,
	    "INSERT INTO containers (engine, name, container_id, compose_project,"
	    " compose_service, compose_number, created_at)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (engine, name) DO UPDATE SET"
	    " container_id = excluded.container_id,"
	    " compose_project = excluded.compose_project,"
	    " compose_service = excluded.compose_service,"
	    " compose_number = excluded.compose_number"
	    " RETURNING id", &st, err) < 0)
		return -1;
	bind_str(st, 1, s->engine);
	bind_str(st, 2, c->name);
	bind_str(st, 3, c->id);
	bind_str(st, 4, c->compose_project);
	bind_str(st, 5, c->compose_service);
	if (c->compose_project)
		sqlite3_bind_int(st, 6, c->compose_number);
	bind_str(st, 7, now);
	return step_returning(cat, st, "record container", id, err);
}

static int
insert_args(struct catalog *cat, long snap, const char *kind,
    const struct strv *sv, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	if (catalog_prepare(cat, "INSERT INTO snapshot_args (snapshot, kind, idx, value)"
	    " VALUES (?1, ?2, ?3, ?4)", &st, err) < 0)
		return -1;
	for (size_t i = 0; i < sv->n; i++) {
		sqlite3_bind_int64(st, 1, snap);
		bind_str(st, 2, kind);
		sqlite3_bind_int64(st, 3, (long)i);
		bind_str(st, 4, sv->v[i]);
		if (step_done(cat, st, "record arguments", err) < 0)
			return -1;
	}
	return 0;
}

static int
insert_children(struct catalog *cat, const struct snapshot *s,
    struct keep_error **err)
{
	const struct container *c = &s->config;
	cleanup_stmt sqlite3_stmt *env = NULL, *lab = NULL, *port = NULL,
	    *mnt = NULL, *pkg = NULL, *fs = NULL;

	if (insert_args(cat, s->id, "cmd", &c->cmd, err) < 0 ||
	    insert_args(cat, s->id, "entrypoint", &c->entrypoint, err) < 0 ||
	    insert_args(cat, s->id, "expose", &c->exposed_ports, err) < 0)
		return -1;
	if (catalog_prepare(cat, "INSERT INTO env (snapshot, idx, name, value)"
	    " VALUES (?1, ?2, ?3, ?4)", &env, err) < 0 ||
	    catalog_prepare(cat, "INSERT OR REPLACE INTO labels (snapshot, key, value)"
	    " VALUES (?1, ?2, ?3)", &lab, err) < 0 ||
	    catalog_prepare(cat, "INSERT INTO ports (snapshot, idx, container_port,"
	    " host_ip, host_port) VALUES (?1, ?2, ?3, ?4, ?5)", &port, err) < 0 ||
	    catalog_prepare(cat, "INSERT INTO mounts (snapshot, idx, type, source,"
	    " destination, mode, rw, driver) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
	    " ?8)", &mnt, err) < 0 ||
	    catalog_prepare(cat, "INSERT OR REPLACE INTO package_changes (snapshot,"
	    " manager, name, arch, location, change, version, old_version,"
	    " automatic, installer, origin)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &pkg, err) < 0 ||
	    catalog_prepare(cat, "INSERT OR REPLACE INTO fs_changes (snapshot, path,"
	    " kind, loose, secret) VALUES (?1, ?2, ?3, ?4, ?5)", &fs, err) < 0)
		return -1;
	for (size_t i = 0; i < c->env.n; i++) {
		sqlite3_bind_int64(env, 1, s->id);
		sqlite3_bind_int64(env, 2, (long)i);
		bind_str(env, 3, c->env.v[i].key);
		bind_str(env, 4, c->env.v[i].value);
		if (step_done(cat, env, "record env", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->labels.n; i++) {
		sqlite3_bind_int64(lab, 1, s->id);
		bind_str(lab, 2, c->labels.v[i].key);
		bind_str(lab, 3, c->labels.v[i].value);
		if (step_done(cat, lab, "record labels", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->n_ports; i++) {
		sqlite3_bind_int64(port, 1, s->id);
		sqlite3_bind_int64(port, 2, (long)i);
		bind_str(port, 3, c->ports[i].container_port);
		bind_str(port, 4, c->ports[i].host_ip);
		bind_str(port, 5, c->ports[i].host_port);
		if (step_done(cat, port, "record ports", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount *m = &c->mounts[i];

		sqlite3_bind_int64(mnt, 1, s->id);
		sqlite3_bind_int64(mnt, 2, (long)i);
		bind_str(mnt, 3, m->type);
		bind_str(mnt, 4, m->source ? m->source : "");
		bind_str(mnt, 5, m->destination);
		bind_str(mnt, 6, m->mode ? m->mode : "");
		sqlite3_bind_int(mnt, 7, m->rw);
		bind_str(mnt, 8, m->driver ? m->driver : "");
		if (step_done(cat, mnt, "record mounts", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->packages.n; i++) {
		const struct pkg_change *pc = &s->packages.v[i];

		sqlite3_bind_int64(pkg, 1, s->id);
		bind_str(pkg, 2, pc->pkg.manager);
		bind_str(pkg, 3, pc->pkg.name);
		bind_str(pkg, 4, pc->pkg.arch);
		bind_str(pkg, 5, pc->pkg.location);
		bind_str(pkg, 6, pkg_change_name(pc->change));
		bind_str(pkg, 7, pc->pkg.version);
		bind_str(pkg, 8, pc->old_version ? pc->old_version : "");
		sqlite3_bind_int(pkg, 9, pc->pkg.automatic);
		bind_str(pkg, 10, pc->pkg.installer);
		bind_str(pkg, 11, pc->pkg.origin);
		if (step_done(cat, pkg, "record package changes", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->changes.n; i++) {
		sqlite3_bind_int64(fs, 1, s->id);
		bind_str(fs, 2, s->changes.v[i].path);
		sqlite3_bind_int(fs, 3, s->changes.v[i].kind);
		sqlite3_bind_int(fs, 4, 0);
		sqlite3_bind_int(fs, 5, 0);
		if (step_done(cat, fs, "record file changes", err) < 0)
			return -1;
	}
	for (size_t i = 0; i < s->loose.n; i++) {
		sqlite3_bind_int64(fs, 1, s->id);
		bind_str(fs, 2, s->loose.v[i].path);
		sqlite3_bind_int(fs, 3, s->loose.v[i].kind);
		sqlite3_bind_int(fs, 4, 1);
		sqlite3_bind_int(fs, 5, s->loose.v[i].secret);
		if (step_done(cat, fs, "record loose files", err) < 0)
			return -1;
	}
	if (catalog_run_insert(cat, s->id, &c->run, err) < 0)
		return -1;
	return catalog_apt_sources_insert(cat, s->id, &s->apt_sources, err);
}

int
catalog_snapshot_insert(struct catalog *cat, struct snapshot *s,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	const struct container *c = &s->config;
	long container = 0;

	if (s->created_at == NULL)
		s->created_at = catalog_now();
	if (catalog_base_put(cat, &s->base, NULL, err) < 0 ||
	    upsert_container(cat, s, &container, err) < 0)
		return -1;
	if (catalog_prepare(cat,
	    "INSERT INTO snapshots (container, seq, created_at, message, image,"
	    " image_id, container_id, fingerprint, image_ref, base_image_id,"
	    " base_digest, user, workdir, hostname, has_entrypoint, network_mode,"
	    " restart_policy, restart_max, tty, open_stdin, state, walk_started,"
	    " incremental, image_history, registry_ref, imported_at,"
	    " secrets_left_out)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
	    " ?27)"
	    " RETURNING id", &st,
	    err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, container);
	sqlite3_bind_int64(st, 2, s->seq);
	bind_str(st, 3, s->created_at);
	bind_str(st, 4, s->message ? s->message : "");
	bind_str(st, 5, s->image);
	bind_str(st, 6, s->image_id);
	bind_str(st, 7, c->id);
	bind_str(st, 8, s->fingerprint);
	bind_str(st, 9, c->image_ref);
	bind_str(st, 10, c->image_id);
	bind_str(st, 11, s->base_digest);
	bind_str(st, 12, c->user ? c->user : "");
	bind_str(st, 13, c->workdir ? c->workdir : "");
	bind_str(st, 14, c->hostname ? c->hostname : "");
	sqlite3_bind_int(st, 15, c->has_entrypoint);
	bind_str(st, 16, c->network_mode ? c->network_mode : "");
	bind_str(st, 17, c->restart_policy ? c->restart_policy : "");
	sqlite3_bind_int(st, 18, c->restart_max);
	sqlite3_bind_int(st, 19, c->tty);
	sqlite3_bind_int(st, 20, c->open_stdin);
	bind_str(st, 21, s->state);
	if (s->walk_started > 0)
		sqlite3_bind_int64(st, 22, s->walk_started);
	else
		sqlite3_bind_null(st, 22);
	sqlite3_bind_int(st, 23, s->incremental);
	bind_str(st, 24, s->image_history);
	bind_str(st, 25, s->registry_ref);
	bind_str(st, 26, s->imported_at);
	if (s->secrets_left_out.n) {
		cleanup_free char *names = strv_join(&s->secrets_left_out, " ");

		bind_str(st, 27, names);
	}
	if (step_returning(cat, st, "record snapshot", &s->id, err) < 0)
		return -1;
	return insert_children(cat, s, err);
}

static int
load_args(struct catalog *cat, const char *sql, long id, const char *kind,
    struct strv *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	int rc;

	if (catalog_prepare(cat, sql, &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	bind_str(st, 2, kind);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		strv_push(out, (const char *)sqlite3_column_text(st, 0));
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read arguments");
	return 0;
}

#define SNAPSHOT_ARGS_SQL "SELECT value FROM snapshot_args WHERE snapshot = ?1" \
	" AND kind = ?2 ORDER BY idx"
#define BASE_ARGS_SQL "SELECT value FROM base_image_args WHERE base = ?1" \
	" AND kind = ?2 ORDER BY idx"

/* Fill out with the base image row of image_id; *base_id 0 when absent. */
static int
load_base(struct catalog *cat, const char *image_id, struct image *out,
    long *base_id, int *read, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	struct strv env = { 0 };
	int rc;

	*base_id = 0;
	if (catalog_prepare(cat, "SELECT id, user, workdir, read_at IS NOT NULL"
	    " FROM base_images WHERE image_id = ?1", &st, err) < 0)
		return -1;
	bind_str(st, 1, image_id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return catalog_fail(cat, err, "read base image");
	*base_id = sqlite3_column_int64(st, 0);
	if (read)
		*read = sqlite3_column_int(st, 3);
	if (out == NULL)
		return 0;
	out->id = xstrdup(image_id);
	out->user = catalog_col_str(st, 1);
	out->workdir = catalog_col_str(st, 2);
	if (load_args(cat, BASE_ARGS_SQL, *base_id, "env", &env, err) < 0 ||
	    load_args(cat, BASE_ARGS_SQL, *base_id, "cmd", &out->cmd, err) < 0 ||
	    load_args(cat, BASE_ARGS_SQL, *base_id, "entrypoint", &out->entrypoint, err) < 0) {
		strv_release(&env);
		return -1;
	}
	for (size_t i = 0; i < env.n; i++) {
		char *eq = strchr(env.v[i], '=');

		if (eq) {
			*eq = '\0';
			kvv_push(&out->env, env.v[i], eq + 1);
		} else {
			kvv_push(&out->env, env.v[i], "");
		}
	}
	strv_release(&env);
	return 0;
}

static int
load_children(struct catalog *cat, struct snapshot *s, struct keep_error **err)
{
	struct container *c = &s->config;
	cleanup_stmt sqlite3_stmt *st = NULL;
	long base_id;
	int rc;

	if (load_args(cat, SNAPSHOT_ARGS_SQL, s->id, "cmd", &c->cmd, err) < 0 ||
	    load_args(cat, SNAPSHOT_ARGS_SQL, s->id, "entrypoint", &c->entrypoint, err) < 0 ||
	    load_args(cat, SNAPSHOT_ARGS_SQL, s->id, "expose", &c->exposed_ports, err) < 0)
		return -1;
	if (load_base(cat, c->image_id, &s->base, &base_id, NULL, err) < 0)
		return -1;

	if (catalog_prepare(cat, "SELECT name, value FROM env WHERE snapshot = ?1"
	    " ORDER BY idx", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		kvv_push(&c->env, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read env");
	sqlite3_finalize(st);
	st = NULL;

	if (catalog_prepare(cat, "SELECT key, value FROM labels WHERE snapshot = ?1"
	    " ORDER BY key", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		kvv_push(&c->labels, (const char *)sqlite3_column_text(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read labels");
	sqlite3_finalize(st);
	st = NULL;

	if (catalog_prepare(cat, "SELECT container_port, host_ip, host_port"
	    " FROM ports WHERE snapshot = ?1 ORDER BY idx", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct port_binding *p;

		c->ports = xrealloc(c->ports, (c->n_ports + 1) * sizeof(*c->ports));
		p = &c->ports[c->n_ports++];
		p->container_port = catalog_col_str(st, 0);
		p->host_ip = catalog_col_str(st, 1);
		p->host_port = catalog_col_str(st, 2);
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read ports");
	sqlite3_finalize(st);
	st = NULL;

	if (catalog_prepare(cat, "SELECT type, source, destination, mode, rw,"
	    " driver FROM mounts WHERE snapshot = ?1 ORDER BY idx", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct mount *m;

		c->mounts = xrealloc(c->mounts, (c->n_mounts + 1) * sizeof(*c->mounts));
		m = &c->mounts[c->n_mounts++];
		m->type = catalog_col_str(st, 0);
		m->source = catalog_col_str(st, 1);
		m->destination = catalog_col_str(st, 2);
		m->mode = catalog_col_str(st, 3);
		m->rw = sqlite3_column_int(st, 4);
		m->driver = catalog_col_str(st, 5);
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read mounts");
	sqlite3_finalize(st);
	st = NULL;

	if (catalog_prepare(cat, "SELECT manager, name, arch, location, change,"
	    " version, old_version, automatic, installer, origin"
	    " FROM package_changes WHERE snapshot = ?1"
	    " ORDER BY manager, name, arch, location", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pkg_change *pc;
		const char *change = (const char *)sqlite3_column_text(st, 4);

		s->packages.v = vec_grow(s->packages.v, s->packages.n,
		    &s->packages.cap, sizeof(*s->packages.v));
		pc = &s->packages.v[s->packages.n++];
		pc->pkg.manager = catalog_col_str(st, 0);
		pc->pkg.name = catalog_col_str(st, 1);
		pc->pkg.arch = catalog_col_str(st, 2);
		pc->pkg.location = catalog_col_str(st, 3);
		pc->change = strcmp(change, "added") == 0 ? PKG_ADDED :
		    strcmp(change, "removed") == 0 ? PKG_REMOVED : PKG_UPGRADED;
		pc->pkg.version = catalog_col_str(st, 5);
		pc->old_version = catalog_col_str(st, 6);
		pc->pkg.automatic = sqlite3_column_int(st, 7);
		pc->pkg.installer = catalog_col_str(st, 8);
		pc->pkg.origin = catalog_col_str(st, 9);
		pc->first_saved = NULL;
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read package changes");
	sqlite3_finalize(st);
	st = NULL;
	if (catalog_first_saved_load(cat, s->id, &s->packages, err) < 0 ||
	    catalog_apt_sources_load(cat, s->id, &s->apt_sources, err) < 0)
		return -1;

	/* A file the packages' rebuild made is no loose file after all. */
	if (catalog_prepare(cat, "SELECT path, kind, loose AND reproduced != 1,"
	    " secret FROM fs_changes WHERE snapshot = ?1 ORDER BY path", &st,
	    err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, s->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *path = (const char *)sqlite3_column_text(st, 0);
		enum fs_change_kind kind = sqlite3_column_int(st, 1);
		struct fs_changes *to = sqlite3_column_int(st, 2) ? &s->loose :
		    &s->changes;

		fs_changes_push(to, path, kind);
		to->v[to->n - 1].secret = sqlite3_column_int(st, 3);
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read file changes");
	/* The whole change list includes the loose files. */
	for (size_t i = 0; i < s->loose.n; i++)
		fs_changes_push(&s->changes, s->loose.v[i].path, s->loose.v[i].kind);
	return catalog_run_load(cat, s->id, &c->run, err);
}

int
catalog_snapshot_load(struct catalog *cat, const char *engine,
    const char *name, long seq, struct snapshot *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	struct snapshot s = { 0 };
	struct container *c = &s.config;
	int rc;

	/* Newest first: with seq 0 the first row is the latest. With engine
	 * NULL, a name on two engines is ambiguous; the caller names one. */
	if (catalog_prepare(cat,
	    "SELECT s.id, s.seq, c.engine, s.created_at, s.message, s.image,"
	    " s.image_id, s.fingerprint, s.container_id, c.name, s.image_ref,"
	    " s.base_image_id, s.base_digest, s.user, s.workdir, s.hostname,"
	    " s.has_entrypoint, s.network_mode, s.restart_policy, s.restart_max,"
	    " s.tty, s.open_stdin, c.compose_project, c.compose_service,"
	    " c.compose_number, r.commit_id, s.verify_status, s.verify_at,"
	    " s.verify_detail,"
	    " (SELECT count(DISTINCT engine) FROM containers WHERE name = ?2),"
	    " s.pruned_at, s.walk_started, s.incremental, s.registry_ref,"
	    " s.imported_at, s.secrets_left_out"
	    " FROM snapshots s JOIN containers c ON c.id = s.container"
	    " LEFT JOIN recipe_commits r ON r.snapshot = s.id"
	    " WHERE (?1 IS NULL OR c.engine = ?1) AND c.name = ?2"
	    " AND (?3 = 0 OR s.seq = ?3)"
	    " ORDER BY s.seq DESC LIMIT 1", &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		if (seq)
			return keep_error_set(err, KEEP_ERR_NOT_FOUND,
			    "'%s' has no snapshot #%ld", name, seq);
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no snapshot of '%s' (save one with 'keep save %s')", name, name);
	}
	if (rc != SQLITE_ROW)
		return catalog_fail(cat, err, "read snapshot");
	if (engine == NULL && sqlite3_column_int(st, 29) > 1)
		return keep_error_set(err, KEEP_ERR_CONFLICT,
		    "'%s' is tracked on more than one engine: choose one with -H or --context",
		    name);
	s.id = sqlite3_column_int64(st, 0);
	s.seq = sqlite3_column_int64(st, 1);
	s.engine = catalog_col_str(st, 2);
	s.created_at = catalog_col_str(st, 3);
	s.message = catalog_col_str(st, 4);
	s.image = catalog_col_str(st, 5);
	s.image_id = catalog_col_str(st, 6);
	s.fingerprint = catalog_col_str(st, 7);
	c->id = catalog_col_str(st, 8);
	c->name = catalog_col_str(st, 9);
	c->image_ref = catalog_col_str(st, 10);
	c->image_id = catalog_col_str(st, 11);
	s.base_digest = catalog_col_dup(st, 12);
	c->user = catalog_col_str(st, 13);
	c->workdir = catalog_col_str(st, 14);
	c->hostname = catalog_col_str(st, 15);
	c->has_entrypoint = sqlite3_column_int(st, 16);
	c->network_mode = catalog_col_str(st, 17);
	c->restart_policy = catalog_col_str(st, 18);
	c->restart_max = sqlite3_column_int(st, 19);
	c->tty = sqlite3_column_int(st, 20);
	c->open_stdin = sqlite3_column_int(st, 21);
	c->compose_project = catalog_col_dup(st, 22);
	c->compose_service = catalog_col_dup(st, 23);
	c->compose_number = sqlite3_column_int(st, 24);
	s.recipe_commit = catalog_col_dup(st, 25);
	s.verify_status = catalog_col_dup(st, 26);
	s.verify_at = catalog_col_dup(st, 27);
	s.verify_detail = catalog_col_dup(st, 28);
	s.pruned_at = catalog_col_dup(st, 30);
	s.walk_started = sqlite3_column_int64(st, 31);
	s.incremental = sqlite3_column_int(st, 32);
	s.registry_ref = catalog_col_dup(st, 33);
	s.imported_at = catalog_col_dup(st, 34);
	strv_split(&s.secrets_left_out, (const char *)sqlite3_column_text(st,
	    35), ' ');
	c->status = xstrdup("");
	if (load_children(cat, &s, err) < 0) {
		snapshot_release(&s);
		return -1;
	}
	*out = s;
	return 0;
}

/*
 * The recipe commit of snapshot seq of (engine, name): 1 with *commit set
 * (caller frees; "" when it has none) when the snapshot exists, else 0.
 */
static int
existing_commit(struct catalog *cat, const char *engine, const char *name,
    long seq, char **commit, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	int rc;

	*commit = NULL;
	if (catalog_prepare(cat,
	    "SELECT coalesce(r.commit_id, '') FROM snapshots s"
	    " JOIN containers c ON c.id = s.container"
	    " LEFT JOIN recipe_commits r ON r.snapshot = s.id"
	    " WHERE c.engine = ?1 AND c.name = ?2 AND s.seq = ?3", &st,
	    err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return catalog_fail(cat, err, "read snapshot");
	*commit = catalog_col_str(st, 0);
	return 1;
}

int
catalog_snapshot_import(struct catalog *cat, struct snapshot *s,
    const struct pkg_set *base_set, const char *repo,
    struct keep_error **err)
{
	cleanup_free char *commit = NULL;
	int found, rc = -1;

	if (catalog_begin(cat, err) < 0)
		return -1;
	found = existing_commit(cat, s->engine, s->config.name, s->seq,
	    &commit, err);
	if (found < 0)
		goto out;
	if (found) {
		rc = s->recipe_commit && strcmp(commit, s->recipe_commit) == 0 ?
		    1 : 2;
		catalog_rollback(cat);
		return rc;
	}
	if (s->imported_at == NULL)
		s->imported_at = catalog_now();
	if (catalog_base_put(cat, &s->base, base_set, err) < 0 ||
	    catalog_snapshot_insert(cat, s, err) < 0 ||
	    (s->recipe_commit && catalog_recipe_commit_set(cat, s->id, repo,
	    s->recipe_commit, err) < 0) ||
	    catalog_commit(cat, err) < 0)
		goto out;
	return 0;
out:
	catalog_rollback(cat);
	return keep_error_wrap(err, "import '%s' #%ld", s->config.name,
	    s->seq);
}

int
catalog_recipe_commit_set(struct catalog *cat, long snapshot_id,
    const char *repo, const char *commit_id, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	cleanup_free char *now = catalog_now();

	if (catalog_prepare(cat, "INSERT OR REPLACE INTO recipe_commits"
	    " (snapshot, repo, commit_id, committed_at) VALUES (?1, ?2, ?3, ?4)",
	    &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, snapshot_id);
	bind_str(st, 2, repo);
	bind_str(st, 3, commit_id);
	bind_str(st, 4, now);
	return step_done(cat, st, "record recipe commit", err);
}

int
catalog_base_packages_get(struct catalog *cat, const char *image_id,
    struct pkg_set *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	long base_id;
	int read = 0, rc;

	if (load_base(cat, image_id, NULL, &base_id, &read, err) < 0)
		return -1;
	if (base_id == 0 || !read)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "the packages of base image '%s' were never read", image_id);
	if (out == NULL)
		return 0;
	if (catalog_prepare(cat, "SELECT manager, name, version, arch, automatic,"
	    " location, installer, origin FROM base_packages WHERE base = ?1"
	    " ORDER BY manager, name, arch, location", &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, base_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct pkg p;

		p.manager = catalog_col_str(st, 0);
		p.name = catalog_col_str(st, 1);
		p.version = catalog_col_str(st, 2);
		p.arch = catalog_col_str(st, 3);
		p.automatic = sqlite3_column_int(st, 4);
		p.location = catalog_col_str(st, 5);
		p.installer = catalog_col_str(st, 6);
		p.origin = catalog_col_str(st, 7);
		out->v = vec_grow(out->v, out->n, &out->cap, sizeof(*out->v));
		out->v[out->n++] = p;
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "read base packages");
	return 0;
}

int
catalog_base_put(struct catalog *cat, const struct image *img,
    const struct pkg_set *set, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL, *arg = NULL, *pkg = NULL;
	cleanup_free char *now = catalog_now();
	long base_id;
	int read = 0;

	if (load_base(cat, img->id, NULL, &base_id, &read, err) < 0)
		return -1;
	if (base_id == 0) {
		if (catalog_prepare(cat, "INSERT INTO base_images (image_id, user,"
		    " workdir) VALUES (?1, ?2, ?3) RETURNING id", &st, err) < 0)
			return -1;
		bind_str(st, 1, img->id);
		bind_str(st, 2, img->user ? img->user : "");
		bind_str(st, 3, img->workdir ? img->workdir : "");
		if (step_returning(cat, st, "record base image", &base_id,
		    err) < 0)
			return -1;
		if (catalog_prepare(cat, "INSERT INTO base_image_args (base, kind,"
		    " idx, value) VALUES (?1, ?2, ?3, ?4)", &arg, err) < 0)
			return -1;
		for (size_t i = 0; i < img->env.n; i++) {
			cleanup_free char *kv = xasprintf("%s=%s",
			    img->env.v[i].key, img->env.v[i].value);

			sqlite3_bind_int64(arg, 1, base_id);
			bind_str(arg, 2, "env");
			sqlite3_bind_int64(arg, 3, (long)i);
			bind_str(arg, 4, kv);
			if (step_done(cat, arg, "record base image env", err) < 0)
				return -1;
		}
		for (int k = 0; k < 2; k++) {
			const struct strv *sv = k ? &img->entrypoint : &img->cmd;

			for (size_t i = 0; i < sv->n; i++) {
				sqlite3_bind_int64(arg, 1, base_id);
				bind_str(arg, 2, k ? "entrypoint" : "cmd");
				sqlite3_bind_int64(arg, 3, (long)i);
				bind_str(arg, 4, sv->v[i]);
				if (step_done(cat, arg, "record base image", err) < 0)
					return -1;
			}
		}
	}
	if (set == NULL || read)
		return 0;
	if (catalog_prepare(cat, "INSERT OR REPLACE INTO base_packages (base,"
	    " manager, name, version, arch, automatic, location, installer,"
	    " origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)", &pkg, err) < 0)
		return -1;
	for (size_t i = 0; i < set->n; i++) {
		const struct pkg *p = &set->v[i];

		sqlite3_bind_int64(pkg, 1, base_id);
		bind_str(pkg, 2, p->manager);
		bind_str(pkg, 3, p->name);
		bind_str(pkg, 4, p->version);
		bind_str(pkg, 5, p->arch);
		sqlite3_bind_int(pkg, 6, p->automatic);
		bind_str(pkg, 7, p->location);
		bind_str(pkg, 8, p->installer);
		bind_str(pkg, 9, p->origin);
		if (step_done(cat, pkg, "record base packages", err) < 0)
			return -1;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (catalog_prepare(cat, "UPDATE base_images SET read_at = ?2 WHERE id = ?1",
	    &st, err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, base_id);
	bind_str(st, 2, now);
	return step_done(cat, st, "record base image", err);
}

void
catalog_entries_release(struct catalog_entries *e)
{
	for (size_t i = 0; i < e->n; i++) {
		free(e->v[i].engine);
		free(e->v[i].name);
		free(e->v[i].container_id);
		free(e->v[i].compose_project);
		free(e->v[i].compose_service);
		free(e->v[i].last_saved);
		free(e->v[i].last_image);
	}
	free(e->v);
	e->v = NULL;
	e->n = 0;
}

/* The columns entry_read reads, in its order. */
#define ENTRY_COLUMNS "c.engine, c.name, c.container_id, c.compose_project," \
	" c.compose_service, c.last_seq, c.last_saved, c.last_image," \
	" c.snapshots, c.compose_number"

/* Append the rows of st (ENTRY_COLUMNS) to out. */
static int
entries_read(struct catalog *cat, sqlite3_stmt *st, struct catalog_entries *out,
    struct keep_error **err)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_entry *e;

		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		e = &out->v[out->n++];
		e->engine = catalog_col_str(st, 0);
		e->name = catalog_col_str(st, 1);
		e->container_id = catalog_col_str(st, 2);
		e->compose_project = catalog_col_dup(st, 3);
		e->compose_service = catalog_col_dup(st, 4);
		e->last_seq = sqlite3_column_int64(st, 5);
		e->last_saved = catalog_col_str(st, 6);
		e->last_image = catalog_col_str(st, 7);
		e->snapshots = sqlite3_column_int64(st, 8);
		e->compose_number = sqlite3_column_int(st, 9);
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "list containers");
	return 0;
}

int
catalog_list(struct catalog *cat, struct catalog_entries *out,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	/* The latest snapshot of each container is on its row (migration
	 * 0003): one pass over containers, nothing read from snapshots. */
	if (catalog_prepare(cat, "SELECT " ENTRY_COLUMNS
	    " FROM containers c WHERE c.snapshots > 0"
	    " ORDER BY c.name, c.engine", &st, err) < 0)
		return -1;
	return entries_read(cat, st, out, err);
}

int
catalog_compose_list(struct catalog *cat, const char *engine,
    const char *project, const char *service, int number,
    struct catalog_entries *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	/* The latest saved row of each replica: v1 and v2 names of one
	 * replica (p_s_1, p-s-1) are one container saved under two names. */
	if (catalog_prepare(cat, "SELECT " ENTRY_COLUMNS " FROM (SELECT *,"
	    " row_number() OVER (PARTITION BY compose_service, compose_number"
	    "  ORDER BY last_saved DESC, name) AS nth"
	    " FROM containers WHERE snapshots > 0 AND compose_project = ?1"
	    " AND (?2 IS NULL OR compose_service = ?2)"
	    " AND (?3 = 0 OR compose_number = ?3)"
	    " AND (?4 IS NULL OR engine = ?4)) c"
	    " WHERE c.nth = 1"
	    " AND NOT EXISTS (SELECT 1 FROM snapshots s JOIN labels l"
	    "  ON l.snapshot = s.id WHERE s.container = c.id"
	    "  AND s.seq = c.last_seq AND l.key = 'com.docker.compose.oneoff'"
	    "  AND l.value = 'True')"
	    " ORDER BY c.compose_service, c.compose_number",
	    &st, err) < 0)
		return -1;
	bind_str(st, 1, project);
	bind_str(st, 2, service);
	sqlite3_bind_int(st, 3, number);
	bind_str(st, 4, engine);
	return entries_read(cat, st, out, err);
}

void
catalog_pendings_release(struct catalog_pendings *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].engine);
		free(p->v[i].name);
		free(p->v[i].image);
		free(p->v[i].token);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

int
catalog_pending_add(struct catalog *cat, const char *engine, const char *name,
    long seq, const char *image, const char *token, long *id,
    struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	cleanup_free char *now = catalog_now();

	if (catalog_prepare(cat, "INSERT INTO pending_saves (engine, name, seq,"
	    " image, started_at, token) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
	    " RETURNING id", &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	sqlite3_bind_int64(st, 3, seq);
	bind_str(st, 4, image);
	bind_str(st, 5, now);
	bind_str(st, 6, token);
	return step_returning(cat, st, "record pending save", id, err);
}

int
catalog_pending_remove(struct catalog *cat, long id, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;

	if (catalog_prepare(cat, "DELETE FROM pending_saves WHERE id = ?1", &st,
	    err) < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	return step_done(cat, st, "remove pending save", err);
}

int
catalog_pending_list(struct catalog *cat, const char *engine,
    const char *name, struct catalog_pendings *out, struct keep_error **err)
{
	cleanup_stmt sqlite3_stmt *st = NULL;
	int rc;

	if (catalog_prepare(cat, "SELECT id, engine, name, seq, image, token"
	    " FROM pending_saves WHERE (?1 IS NULL OR engine = ?1)"
	    " AND (?2 IS NULL OR name = ?2) ORDER BY id", &st, err) < 0)
		return -1;
	bind_str(st, 1, engine);
	bind_str(st, 2, name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct catalog_pending *p;

		out->v = xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
		p = &out->v[out->n++];
		p->id = sqlite3_column_int64(st, 0);
		p->engine = catalog_col_str(st, 1);
		p->name = catalog_col_str(st, 2);
		p->seq = sqlite3_column_int64(st, 3);
		p->image = catalog_col_str(st, 4);
		p->token = catalog_col_dup(st, 5);
	}
	if (rc != SQLITE_DONE)
		return catalog_fail(cat, err, "list pending saves");
	return 0;
}
