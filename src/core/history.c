#include "core/history.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "catalog/snapshots.h"
#include "core/paths.h"
#include "core/recipe.h"
#include "core/snapshot_json.h"
#include "model/run.h"
#include "model/secrets.h"
#include "pkg/pkg.h"
#include "recipes/recipes.h"
#include "util/fs.h"
#include "util/xalloc.h"

/* The key a package change is known by across snapshots. */
static int
pkg_key_cmp(const struct pkg *a, const struct pkg *b)
{
	int c;

	if ((c = strcmp(a->manager, b->manager)) != 0 ||
	    (c = strcmp(a->name, b->name)) != 0 ||
	    (c = strcmp(a->arch, b->arch)) != 0)
		return c;
	return strcmp(a->location, b->location);
}

/*
 * A snapshot's package changes sorted by key, for find_change: a snapshot
 * may hold a container's every package, and one scan per package of the
 * other snapshot would be quadratic.
 */
struct change_index {
	const struct pkg_change **v;
	size_t n;
};

static int
change_ptr_cmp(const void *a, const void *b)
{
	const struct pkg_change *x = *(const struct pkg_change *const *)a;
	const struct pkg_change *y = *(const struct pkg_change *const *)b;
	int c = pkg_key_cmp(&x->pkg, &y->pkg);

	/* Equal keys in list order: the first one is found. */
	return c ? c : (x > y) - (x < y);
}

static void
change_index_init(struct change_index *ix, const struct snapshot *s)
{
	size_t n = s ? s->packages.n : 0;

	ix->v = xcalloc(n + 1, sizeof(*ix->v));
	for (size_t i = 0; i < n; i++)
		ix->v[i] = &s->packages.v[i];
	ix->n = n;
	if (n > 1)
		qsort(ix->v, n, sizeof(*ix->v), change_ptr_cmp);
}

/* The first change of the indexed snapshot with p's key, or NULL. */
static const struct pkg_change *
find_change(const struct change_index *ix, const struct pkg *p)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (pkg_key_cmp(&ix->v[mid]->pkg, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ix->n && pkg_key_cmp(&ix->v[lo]->pkg, p) == 0 ? ix->v[lo] :
	    NULL;
}

/*
 * A package's version in a snapshot: the change's new version, NULL when
 * removed, or base_version (the base image's, which a change against the
 * base tells) when the snapshot did not touch it.
 */
static const char *
state_of(const struct pkg_change *pc, const char *base_version)
{
	if (pc == NULL)
		return base_version;
	return pc->change == PKG_REMOVED ? NULL : pc->pkg.version;
}

/* The base image's version of a package, from whichever change knows it. */
static const char *
base_version_of(const struct pkg_change *a, const struct pkg_change *b)
{
	for (int i = 0; i < 2; i++) {
		const struct pkg_change *pc = i ? b : a;

		if (pc == NULL || pc->change == PKG_ADDED)
			continue;
		return pc->change == PKG_REMOVED ? pc->pkg.version :
		    pc->old_version;
	}
	return NULL; /* added in one, absent from the base */
}

static void
delta_line(struct strv *lines, const struct pkg *p, const char *from,
    const char *to)
{
	cleanup_free char *line = NULL;

	if (from == NULL && to == NULL)
		return;
	if (from && to && strcmp(from, to) == 0)
		return;
	if (from == NULL)
		line = xasprintf("+%s %s %s", p->manager, p->name, to);
	else if (to == NULL)
		line = xasprintf("-%s %s", p->manager, p->name);
	else
		line = xasprintf("~%s %s %s \u2192 %s", p->manager, p->name, from, to);
	strv_push(lines, line);
}

static int
cmp_delta(const void *a, const void *b)
{
	/* By manager and name, ignoring the leading sign. */
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

void
history_package_delta(const struct snapshot *prev, const struct snapshot *cur,
    struct strv *lines)
{
	size_t first = lines->n;
	struct change_index prev_ix, cur_ix;

	change_index_init(&prev_ix, prev);
	change_index_init(&cur_ix, cur);
	for (size_t i = 0; i < cur->packages.n; i++) {
		const struct pkg_change *now = &cur->packages.v[i];
		const struct pkg_change *before = find_change(&prev_ix, &now->pkg);
		const char *base = base_version_of(now, before);

		delta_line(lines, &now->pkg, state_of(before, base),
		    state_of(now, base));
	}
	/* Packages the previous snapshot changed that are back to the base. */
	for (size_t i = 0; prev && i < prev->packages.n; i++) {
		const struct pkg_change *before = &prev->packages.v[i];
		const char *base;

		if (find_change(&cur_ix, &before->pkg))
			continue;
		base = base_version_of(before, NULL);
		delta_line(lines, &before->pkg, state_of(before, base), base);
	}
	free(prev_ix.v);
	free(cur_ix.v);
	if (lines->n > first)
		qsort(lines->v + first, lines->n - first, sizeof(*lines->v),
		    cmp_delta);
}

/* Append text to out through the redactor, and release text. */
static void
add_redacted(struct buf *out, struct buf *text)
{
	cleanup_free char *r = secrets_redact(buf_cstr(text));

	buf_addstr(out, r);
	buf_release(text);
}

int
history_packages(struct catalog *cat, const struct snapshot *s,
    struct pkg_set *out, struct keep_error **err)
{
	/* A base never read (no packages there) leaves the set empty. */
	if (catalog_base_packages_get(cat, s->config.image_id, out, err) < 0 &&
	    !keep_error_not_found(err))
		return -1;
	pkg_set_apply(out, &s->packages);
	pkg_set_sort(out);
	return 0;
}

int
history_lock_file(struct catalog *cat, const struct snapshot *s,
    struct buf *out, struct keep_error **err)
{
	struct pkg_set set = { 0 };
	struct buf text = BUF_INIT;

	if (history_packages(cat, s, &set, err) < 0)
		return -1;
	buf_printf(&text, "# keep.lock: every package of %s #%ld\n",
	    s->config.name, s->seq);
	buf_addstr(&text, "# manager name version arch manual|auto [location]\n");
	for (size_t i = 0; i < set.n; i++) {
		const struct pkg *p = &set.v[i];

		buf_printf(&text, "%s %s %s %s %s%s%s\n", p->manager, p->name,
		    p->version, p->arch[0] ? p->arch : "-",
		    p->automatic ? "auto" : "manual", p->location[0] ? " " : "",
		    p->location);
	}
	pkg_set_release(&set);
	add_redacted(out, &text);
	return 0;
}

static void
commit_message(const struct snapshot *s, const struct snapshot *prev,
    struct buf *out)
{
	struct strv delta = { 0 };
	size_t counts[3] = { 0 };
	struct buf text = BUF_INIT, *msg = &text;

	buf_printf(msg, "keep: save %s #%ld\n", s->config.name, s->seq);
	if (s->message && s->message[0])
		buf_printf(msg, "\n%s\n", s->message);
	history_package_delta(prev, s, &delta);
	if (delta.n) {
		buf_addch(msg, '\n');
		for (size_t i = 0; i < delta.n; i++)
			buf_printf(msg, "%s\n", delta.v[i]);
	}
	strv_release(&delta);
	for (size_t i = 0; i < s->loose.n; i++)
		counts[s->loose.v[i].kind]++;
	buf_printf(msg, "\nfiles: %zu added, %zu modified, %zu deleted\n",
	    counts[FS_ADDED], counts[FS_MODIFIED], counts[FS_DELETED]);
	add_redacted(out, &text);
}

/*
 * Saves of different containers run in parallel but commit to one recipe
 * repository: git has one HEAD and one index, so their commits take turns.
 * The lock is the repository directory itself (flock on its fd), which
 * holds for any --recipes path and leaves nothing behind.
 */
int
history_lock(const char *recipes_dir, struct keep_error **err)
{
	int fd;

	if (fs_mkdir_p(recipes_dir, 0755, NULL, err) < 0)
		return -1;
	fd = open(recipes_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot open '%s': %s", recipes_dir, strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno == EINTR)
			continue;
		keep_error_set(err, KEEP_ERR_FAILED, "cannot lock '%s': %s",
		    recipes_dir, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static const char dockerignore[] =
    "# keep: only files/ (the loose files) belongs in the build context\n"
    "*\n"
    "!files/\n";

void
history_prep_release(struct history_prep *p)
{
	recipes_staged_free(p->staged);
	recipes_close(p->repo);
	p->staged = NULL;
	p->repo = NULL;
	buf_release(&p->dockerfile);
	buf_release(&p->lock);
	buf_release(&p->config);
	buf_release(&p->msg);
	buf_release(&p->images);
}

int
history_images_file(struct catalog *cat, const char *engine,
    const char *name, struct buf *out, struct keep_error **err)
{
	struct catalog_images ims;

	if (catalog_snapshot_images(cat, engine, name, &ims, err) < 0)
		return -1;
	for (size_t i = 0; i < ims.n; i++)
		if (ims.v[i].registry_ref)
			buf_printf(out, "#%ld %s\n", ims.v[i].seq,
			    ims.v[i].registry_ref);
	catalog_images_release(&ims);
	return 0;
}

/* The files and message of s's recipe commit. */
static int
render(struct catalog *cat, const struct snapshot *s,
    const struct snapshot *prev, struct history_prep *p,
    struct keep_error **err)
{
	struct jout *j;

	memset(p, 0, sizeof(*p));
	if (recipe_dockerfile(s, NULL, 0, &p->dockerfile, NULL, err) < 0 ||
	    history_lock_file(cat, s, &p->lock, err) < 0 ||
	    history_images_file(cat, s->engine, s->config.name, &p->images,
	    err) < 0) {
		history_prep_release(p);
		return -1;
	}
	j = snapshot_json(s, SNAPSHOT_JSON_CONFIG | SNAPSHOT_JSON_CONTENT |
	    SNAPSHOT_JSON_RECIPE);
	jout_dump(j, &p->config);
	jout_free(j);
	commit_message(s, prev, &p->msg);
	return 0;
}

#define N_RECIPE_FILES 5

/*
 * The files of a recipe commit, pointing into p; how many. NAME/images
 * only once a snapshot was pushed to a registry.
 */
static size_t
recipe_files(const struct history_prep *p, struct recipe_file *f)
{
	f[0] = (struct recipe_file){ "Dockerfile", p->dockerfile.ptr,
	    p->dockerfile.len };
	f[1] = (struct recipe_file){ "keep.lock", p->lock.ptr, p->lock.len };
	f[2] = (struct recipe_file){ "container.json", p->config.ptr,
	    p->config.len };
	f[3] = (struct recipe_file){ ".dockerignore", dockerignore,
	    sizeof(dockerignore) - 1 };
	if (p->images.len == 0)
		return 4;
	f[4] = (struct recipe_file){ "images", p->images.ptr, p->images.len };
	return 5;
}

int
history_prepare(struct catalog *cat, const char *recipes_dir,
    const struct snapshot *s, const struct snapshot *prev,
    struct history_prep *p, struct keep_error **err)
{
	struct recipe_file files[N_RECIPE_FILES];
	size_t n;

	if (render(cat, s, prev, p, err) < 0)
		return -1;
	n = recipe_files(p, files);
	if (recipes_open(recipes_dir, &p->repo, err) < 0 ||
	    recipes_stage(p->repo, s->config.name, files, n,
	    p->msg.ptr, &p->staged, err) < 0) {
		history_prep_release(p);
		return -1;
	}
	return 0;
}

int
history_commit(struct catalog *cat, const char *recipes_dir,
    const struct snapshot *s, struct history_prep *p, char **commit_out,
    struct keep_error **err)
{
	struct recipes *r = p->repo, *opened = NULL;
	struct recipe_file files[N_RECIPE_FILES];
	char *commit = NULL;
	int lock_fd = -1, published, rc = -1;
	size_t n = recipe_files(p, files);

	if ((lock_fd = history_lock(recipes_dir, err)) < 0)
		goto out;
	/* What was staged, if the branch has not moved since; else afresh. */
	published = p->staged ? recipes_publish(p->staged, &commit, err) : 1;
	if (published < 0)
		goto out;
	if (published == 1) {
		if (r == NULL && recipes_open(recipes_dir, &opened, err) < 0)
			goto out;
		r = r ? r : opened;
		if (recipes_commit(r, s->config.name, files, n,
		    p->msg.ptr, &commit, err) < 0)
			goto out;
	}
	/* Lost to a power cut, the id is found again: history_repair. */
	if (catalog_begin_lazy(cat, err) < 0)
		goto out;
	if (catalog_recipe_commit_set(cat, s->id, recipes_workdir(r), commit,
	    err) < 0 || catalog_commit(cat, err) < 0) {
		catalog_rollback(cat);
		goto out;
	}
	if (commit_out) {
		*commit_out = commit;
		commit = NULL;
	}
	rc = 0;
out:
	if (rc < 0)
		keep_error_wrap(err, "record the recipe of '%s' #%ld in '%s'",
		    s->config.name, s->seq, recipes_dir);
	free(commit);
	recipes_close(opened);
	if (lock_fd >= 0)
		close(lock_fd);
	return rc;
}

int
history_record(struct catalog *cat, const char *recipes_dir,
    const struct snapshot *s, const struct snapshot *prev, char **commit_out,
    struct keep_error **err)
{
	struct history_prep p;
	int rc;

	if (render(cat, s, prev, &p, err) < 0)
		return keep_error_wrap(err, "record the recipe of '%s' #%ld in "
		    "'%s'", s->config.name, s->seq, recipes_dir);
	rc = history_commit(cat, recipes_dir, s, &p, commit_out, err);
	history_prep_release(&p);
	return rc;
}

int
history_repair(struct catalog *cat, const char *recipes_dir,
    const char *engine, const char *name, int *repaired,
    struct keep_error **err)
{
	struct snapshot cur = { 0 }, prev = { 0 };
	struct recipes *r = NULL;
	cleanup_free char *commit = NULL;
	long seq;
	int ok = 0, have_prev = 0, rc = -1;

	/* The common case, a recipe that is there, without loading the
	 * snapshot (its change list can be long). */
	*repaired = 0;
	if (catalog_snapshot_head(cat, engine, name, &seq, NULL, NULL, &commit,
	    err) < 0)
		return -1;
	if (seq == 0)
		return 0;
	if (commit) {
		struct keep_error *open_err = NULL;

		if (recipes_open(recipes_dir, &r, &open_err) == 0)
			ok = recipes_commit_exists(r, commit);
		keep_error_free(open_err);
		recipes_close(r);
	}
	if (ok)
		return 0;
	if (catalog_snapshot_load(cat, engine, name, seq, &cur, err) < 0)
		return -1;
	if (cur.seq > 1) {
		if (catalog_snapshot_load(cat, engine, name, cur.seq - 1, &prev,
		    err) < 0)
			goto out;
		have_prev = 1;
	}
	if (history_record(cat, recipes_dir, &cur, have_prev ? &prev : NULL,
	    NULL, err) < 0)
		goto out;
	*repaired = 1;
	rc = 0;
out:
	snapshot_release(&cur);
	if (have_prev)
		snapshot_release(&prev);
	return rc;
}

static void
mount_line(struct strv *sv, const struct mount *m)
{
	strv_pushf(sv, "%s %s -> %s%s", m->type, m->source[0] ? m->source : "-",
	    m->destination, m->rw ? "" : " (ro)");
}

static int
has_mount(const struct container *c, const struct mount *m)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (strcmp(c->mounts[i].type, m->type) == 0 &&
		    strcmp(c->mounts[i].source, m->source) == 0 &&
		    strcmp(c->mounts[i].destination, m->destination) == 0 &&
		    c->mounts[i].rw == m->rw)
			return 1;
	return 0;
}

/* The loose paths of s, sorted, for strv_sorted_has. */
static void
loose_paths(const struct snapshot *s, struct strv *out)
{
	for (size_t i = 0; i < s->loose.n; i++)
		strv_push(out, s->loose.v[i].path);
	strv_sort(out);
}

/* The run settings of a and b compared into out (both must record them). */
static void
settings_diff(const struct snapshot *a, const struct snapshot *b,
    struct snapshot_diff *out)
{
	struct value ra, rb;
	struct run_settings sa = { 0 }, sb = { 0 };

	if (a->config.run.type == VALUE_NULL || b->config.run.type == VALUE_NULL)
		return;
	run_redact(&a->config.run, &ra);
	run_redact(&b->config.run, &rb);
	run_settings(&ra, &sa);
	run_settings(&rb, &sb);
	for (size_t i = 0; i < sb.n; i++) {
		const struct value *old = run_settings_get(&sa, sb.v[i].path);
		cleanup_free char *now = value_json_dup(sb.v[i].v);
		cleanup_free char *was = old ? value_json_dup(old) : NULL;

		if (old == NULL)
			strv_pushf(&out->settings_added, "%s %s", sb.v[i].path,
			    now);
		else if (!value_equal(old, sb.v[i].v))
			strv_pushf(&out->settings_changed, "%s %s -> %s",
			    sb.v[i].path, was, now);
	}
	for (size_t i = 0; i < sa.n; i++) {
		cleanup_free char *was = NULL;

		if (run_settings_get(&sb, sa.v[i].path) != NULL)
			continue;
		was = value_json_dup(sa.v[i].v);
		strv_pushf(&out->settings_removed, "%s %s", sa.v[i].path, was);
	}
	run_settings_release(&sa);
	run_settings_release(&sb);
	value_release(&ra);
	value_release(&rb);
}

void
history_changes(const struct snapshot *a, const struct snapshot *b,
    struct snapshot_diff *out)
{
	struct strv la = { 0 }, lb = { 0 };

	memset(out, 0, sizeof(*out));
	history_package_delta(a, b, &out->packages);
	for (size_t i = 0; i < b->config.env.n; i++) {
		const struct kv *kv = &b->config.env.v[i];
		const char *old = kvv_get(&a->config.env, kv->key);

		if (old == NULL)
			strv_push(&out->env_added, kv->key);
		else if (strcmp(old, kv->value) != 0)
			strv_push(&out->env_changed, kv->key);
	}
	for (size_t i = 0; i < a->config.env.n; i++)
		if (kvv_get(&b->config.env, a->config.env.v[i].key) == NULL)
			strv_push(&out->env_removed, a->config.env.v[i].key);
	for (size_t i = 0; i < b->config.n_mounts; i++)
		if (!has_mount(&a->config, &b->config.mounts[i]))
			mount_line(&out->mounts_added, &b->config.mounts[i]);
	for (size_t i = 0; i < a->config.n_mounts; i++)
		if (!has_mount(&b->config, &a->config.mounts[i]))
			mount_line(&out->mounts_removed, &a->config.mounts[i]);
	loose_paths(a, &la);
	loose_paths(b, &lb);
	for (size_t i = 0; i < b->loose.n; i++)
		if (!strv_sorted_has(&la, b->loose.v[i].path))
			strv_push(&out->files_added, b->loose.v[i].path);
	for (size_t i = 0; i < a->loose.n; i++)
		if (!strv_sorted_has(&lb, a->loose.v[i].path))
			strv_push(&out->files_removed, a->loose.v[i].path);
	strv_release(&la);
	strv_release(&lb);
	settings_diff(a, b, out);
	{
		struct strv *lists[] = { &out->packages, &out->mounts_added,
		    &out->mounts_removed, &out->files_added, &out->files_removed,
		    &out->settings_added, &out->settings_changed,
		    &out->settings_removed };

		for (size_t k = 0; k < sizeof(lists) / sizeof(*lists); k++)
			for (size_t i = 0; i < lists[k]->n; i++) {
				char *r = secrets_redact(lists[k]->v[i]);

				free(lists[k]->v[i]);
				lists[k]->v[i] = r;
			}
	}
}

int
history_diff(const struct snapshot *a, const struct snapshot *b,
    struct snapshot_diff *out, struct keep_error **err)
{
	struct buf da = BUF_INIT, db = BUF_INIT;
	cleanup_free char *path = xasprintf("%s/Dockerfile", b->config.name);
	int rc;

	history_changes(a, b, out);
	rc = recipe_dockerfile(a, NULL, 0, &da, NULL, err);
	if (rc == 0)
		rc = recipe_dockerfile(b, NULL, 0, &db, NULL, err);
	if (rc == 0)
		rc = recipes_diff_text(buf_cstr(&da), buf_cstr(&db), path,
		    &out->dockerfile, err);
	buf_release(&da);
	buf_release(&db);
	if (rc < 0)
		snapshot_diff_release(out);
	return rc;
}

void
snapshot_diff_release(struct snapshot_diff *d)
{
	strv_release(&d->packages);
	strv_release(&d->env_added);
	strv_release(&d->env_removed);
	strv_release(&d->env_changed);
	strv_release(&d->mounts_added);
	strv_release(&d->mounts_removed);
	strv_release(&d->files_added);
	strv_release(&d->files_removed);
	strv_release(&d->settings_added);
	strv_release(&d->settings_removed);
	strv_release(&d->settings_changed);
	buf_release(&d->dockerfile);
}

int
history_images_record(struct catalog *cat, const char *recipes_dir,
    const char *engine, const char *name, const long *seqs, size_t n_seqs,
    char **commit_out, struct keep_error **err)
{
	struct recipe_file files[N_RECIPE_FILES];
	struct snapshot s = { 0 };
	struct history_prep p = { 0 };
	struct recipes *r = NULL;
	int lock_fd = -1, rc = -1;
	size_t n;

	*commit_out = NULL;
	if (catalog_snapshot_load(cat, engine, name, 0, &s, err) < 0)
		goto out;
	/* The latest recipe as a save writes it, with the catalog's digests. */
	if (render(cat, &s, NULL, &p, err) < 0)
		goto out;
	buf_truncate(&p.msg, 0);
	buf_printf(&p.msg, "keep: push images %s", name);
	for (size_t i = 0; i < n_seqs; i++)
		buf_printf(&p.msg, "%s#%ld", i ? "," : " ", seqs[i]);
	buf_addch(&p.msg, '\n');
	n = recipe_files(&p, files);
	if ((lock_fd = history_lock(recipes_dir, err)) < 0 ||
	    recipes_open(recipes_dir, &r, err) < 0 ||
	    recipes_commit(r, name, files, n, p.msg.ptr, commit_out, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		keep_error_wrap(err, "record the images of '%s' in '%s'", name,
		    recipes_dir);
	recipes_close(r);
	if (lock_fd >= 0)
		close(lock_fd);
	history_prep_release(&p);
	snapshot_release(&s);
	return rc;
}
