#include "core/save.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "catalog/snapshots.h"
#include "core/disk.h"
#include "core/engine_fs.h"
#include "core/history.h"
#include "core/layer.h"
#include "core/paths.h"
#include "core/recipe.h"
#include "core/snapshot_write.h"
#include "engine/exec.h"
#include "engine/lifecycle.h"
#include "pkg/pkg.h"
#include "render/quote.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/xalloc.h"

void
save_result_release(struct save_result *r)
{
	snapshot_release(&r->snap);
	strv_release(&r->warnings);
	keep_error_free(r->recipe_error);
	r->recipe_error = NULL;
}

char *
save_image_repo(const char *name)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "keep/");
	for (const char *p = name; *p; p++) {
		char c = (char)tolower((unsigned char)*p);

		/* Repository path components: [a-z0-9] separated by . _ - */
		if (!isalnum((unsigned char)c) && c != '.' && c != '_' && c != '-')
			c = '-';
		if (b.len == 5 && !isalnum((unsigned char)c))
			continue;
		buf_addch(&b, c);
	}
	while (b.len > 5 && !isalnum((unsigned char)b.ptr[b.len - 1]))
		buf_truncate(&b, b.len - 1);
	if (b.len == 5)
		buf_addstr(&b, "container");
	return buf_detach(&b, NULL);
}

/* Fields end in NUL, so no value can run into the next. */
#define F(b, s) (buf_addstr((b), (s) ? (s) : ""), buf_addch((b), '\0'))
#define I(b, v) (buf_printf((b), "%ld", (long)(v)), buf_addch((b), '\0'))

/* Every part of the container's config a user would call a change. */
static void
config_serialise(const struct container *c, struct buf *b)
{
	F(b, c->image_id); F(b, c->user); F(b, c->workdir);
	F(b, c->network_mode); F(b, c->restart_policy); I(b, c->restart_max);
	I(b, c->tty); I(b, c->open_stdin); I(b, c->has_entrypoint);
	I(b, c->env.n);
	for (size_t i = 0; i < c->env.n; i++) {
		F(b, c->env.v[i].key); F(b, c->env.v[i].value);
	}
	I(b, c->cmd.n);
	for (size_t i = 0; i < c->cmd.n; i++) F(b, c->cmd.v[i]);
	I(b, c->entrypoint.n);
	for (size_t i = 0; i < c->entrypoint.n; i++) F(b, c->entrypoint.v[i]);
	I(b, c->exposed_ports.n);
	for (size_t i = 0; i < c->exposed_ports.n; i++)
		F(b, c->exposed_ports.v[i]);
	I(b, c->n_ports);
	for (size_t i = 0; i < c->n_ports; i++) {
		F(b, c->ports[i].container_port); F(b, c->ports[i].host_ip);
		F(b, c->ports[i].host_port);
	}
	I(b, c->labels.n);
	for (size_t i = 0; i < c->labels.n; i++) {
		F(b, c->labels.v[i].key); F(b, c->labels.v[i].value);
	}
	I(b, c->n_mounts);
	for (size_t i = 0; i < c->n_mounts; i++) {
		F(b, c->mounts[i].type); F(b, c->mounts[i].source);
		F(b, c->mounts[i].destination); I(b, c->mounts[i].rw);
	}
	/* How it was run: `docker update` or `network connect` change it. */
	value_json(&c->run, b);
	buf_addch(b, '\0');
}

/*
 * Serialise every part of a snapshot that a user would call a change into
 * one hash: config, base, package changes and loose files. Equal hashes mean
 * "unchanged since #N". The raw change list is left out: a running
 * container's logs and caches change without the user changing anything.
 * The loose files' stamps come as either way of reading gives them
 * (stamps: size, mode, mtime to the second), so that a save through the
 * engine and one from the layers compare; where the layers were read, or
 * a stat run in the container told them all (GNU stat), ":" and a hash of
 * the finer stamps (mtime to the nanosecond, ctime) follow, which
 * fingerprint_equal compares when both sides have them.
 * A "!" before the ":" marks whole-second stamps taken in the second a
 * file was written (racy, see stamps_racy): they cannot tell a later edit
 * in that second that kept the size.
 */
static char *
fingerprint(const struct snapshot *s, const struct buf *stamps,
    const struct buf *fine, int racy)
{
	char hex[2 * SHA256_DIGEST_SIZE + 1], fine_hex[sizeof(hex)];
	struct buf b = BUF_INIT;

	F(&b, "keep-fingerprint-4");
	config_serialise(&s->config, &b);
	I(&b, s->packages.n);
	for (size_t i = 0; i < s->packages.n; i++) {
		const struct pkg_change *p = &s->packages.v[i];

		I(&b, p->change); F(&b, p->pkg.manager); F(&b, p->pkg.name);
		F(&b, p->pkg.arch); F(&b, p->pkg.location); F(&b, p->pkg.version);
		F(&b, p->old_version); I(&b, p->pkg.automatic);
		F(&b, p->pkg.origin);
	}
	I(&b, s->loose.n);
	for (size_t i = 0; i < s->loose.n; i++) {
		F(&b, s->loose.v[i].path); I(&b, s->loose.v[i].kind);
	}
	buf_add(&b, stamps->ptr, stamps->len);
	sha256_hex(b.ptr, b.len, hex);
	buf_release(&b);
	if (fine == NULL)
		return xstrdup(hex);
	sha256_hex(fine->ptr, fine->len, fine_hex);
	return xasprintf("%s%s:%s", hex, racy ? "!" : "", fine_hex);
}

/*
 * Whether fingerprint now tells the snapshot of fingerprint head: by the
 * finer stamps where both have them, else by the whole-second ones, for
 * which a racy head cannot vouch (an edit since has a later mtime, else).
 */
static int
fingerprint_equal(const char *head, const char *now)
{
	const char *fh = strchr(head, ':'), *fn = strchr(now, ':');
	size_t lh = strcspn(head, "!:"), ln = strcspn(now, "!:");

	if (lh != ln || memcmp(head, now, lh) != 0)
		return 0;
	if (fh && fn)
		return strcmp(fh, fn) == 0;
	return head[lh] != '!';
}

/* Past this many loose files, stat-ing each through the engine costs more
 * than a commit. */
#define LOOSE_STAMP_MAX 4096

/*
 * One file's stamp, the same whichever way it was read. A directory's size
 * is left out: the merged view and the upper layer may count it apart.
 */
static void
stamp_add(struct buf *out, long long size, unsigned mode, long long sec,
    long nsec)
{
	buf_printf(out, "%lld %o %lld.%09ld", S_ISDIR(mode) ? 0 : size, mode,
	    sec, nsec);
	buf_addch(out, '\0');
}

static void
stamp_gone(struct buf *out)
{
	buf_addstr(out, "gone");
	buf_addch(out, '\0');
}

/* Something unique to this run: the save counts as changed. */
static void
stamp_unknown(struct buf *out, const char *what)
{
	buf_printf(out, "%s-%ld-%ld", what, (long)time(NULL), (long)getpid());
	buf_addch(out, '\0');
}

static int
cmp_fs_change(const void *a, const void *b)
{
	return strcmp(((const struct fs_change *)a)->path,
	    ((const struct fs_change *)b)->path);
}

/*
 * A stamp the layer walk took, with the ctime the engine does not tell:
 * an edit that kept the size and put the mtime back is still a change.
 */
static void
stamp_walked(struct buf *out, const struct fs_stamp *st)
{
	if (st->mode == 0) {
		stamp_gone(out);
		return;
	}
	stamp_add(out, st->size, st->mode, st->mtime_sec, st->mtime_nsec);
	buf_printf(out, "c%lld.%09ld", st->ctime_sec, st->ctime_nsec);
	buf_addch(out, '\0');
}

/* Remember path's stamp one (its NUL dropped, then released). */
static void
stamp_remember(struct kvv *cache, const char *path, struct buf *one)
{
	buf_truncate(one, one->len - 1);
	kvv_push(cache, path, buf_cstr(one));
	buf_release(one);
}

/*
 * A stamp to the second is racy when the file was written in the second
 * the stamp was taken, or later: an edit after the save in that same
 * second, of the same size, stamps the same. (git's "racily clean"
 * entries.) Whether any loose file of loose, stamped by the layer walk
 * (walked) from the second since on, is.
 */
static int
stamps_racy(const struct fs_changes *loose, const struct fs_changes *walked,
    long long since)
{
	for (size_t i = 0; i < loose->n; i++) {
		struct fs_change key = { .path = loose->v[i].path };
		const struct fs_change *w = bsearch(&key, walked->v,
		    walked->n, sizeof(*walked->v), cmp_fs_change);

		if (w != NULL && w->stamp.mode != 0 &&
		    w->stamp.mtime_sec >= since)
			return 1;
	}
	return 0;
}

/*
 * Through the engine there are only whole-second stamps: so that none
 * is racy, a save whose stamps (st: "SIZE MODE SEC.NSEC" by path) hold
 * a file written this second waits for the next one before it commits;
 * an edit after the commit then has a later mtime. (An mtime ahead of
 * this clock is not waited for: a later edit puts it back to now.)
 */
static void
wait_out_racy(const struct engine_stamps *st)
{
	const struct kvv *maps[] = { &st->head, &st->dir };
	long long now = (long long)time(NULL), newest = -1;
	struct timespec ts;

	for (size_t m = 0; m < 2; m++)
		for (size_t i = 0; i < maps[m]->n; i++) {
			long long size, sec;
			unsigned mode;

			if (sscanf(maps[m]->v[i].value, "%lld %o %lld", &size,
			    &mode, &sec) == 3 && sec <= now && sec > newest)
				newest = sec;
		}
	while (newest >= 0 && (long long)time(NULL) <= newest) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts = (struct timespec){ 0, 1000000000L - ts.tv_nsec + 1000000L };
		if (ts.tv_nsec >= 1000000000L)
			ts = (struct timespec){ 1, ts.tv_nsec - 1000000000L };
		nanosleep(&ts, NULL);
	}
}

/*
 * The stamp of path through the engine (HEAD /archive: size, mode, mtime),
 * asked once per save: cache remembers each answer. The mtime is cut to
 * whole seconds, as a directory's archive gives it (stamp_dir_read), so a
 * file stamps the same either way.
 */
static void
stamp_engine(struct engine *e, const char *id, const char *path,
    struct kvv *cache, struct buf *out)
{
	struct keep_error *err = NULL;
	struct engine_path_stat est;
	const char *known = kvv_get(cache, path);
	struct buf one = BUF_INIT;

	if (known != NULL) {
		buf_addstr(out, known);
		buf_addch(out, '\0');
		return;
	}
	if (engine_container_stat(e, id, path, &est, &err) < 0) {
		/*
		 * Gone since the change list was read: that is a state. A path
		 * the engine cannot stat (too deep for it ...) makes the save
		 * count as changed, not fail.
		 */
		if (err->kind == KEEP_ERR_NOT_FOUND)
			stamp_gone(&one);
		else
			stamp_unknown(&one, "unreadable");
		keep_error_free(err);
	} else {
		if (est.mtime_sec < 0)
			stamp_unknown(&one, "no-mtime");
		else	/* whole seconds, as an archive has them */
			stamp_add(&one, est.size, est.mode, est.mtime_sec, 0);
		engine_path_stat_release(&est);
	}
	buf_add(out, one.ptr, one.len);
	stamp_remember(cache, path, &one);
}

/*
 * Where the container runs and STAMP_EXEC_MIN or more of paths would
 * take a HEAD each, one `stat` run in it (engine_exec_stat) stamps them
 * all into st->head first, as stamp_engine would (the first checked with
 * a HEAD); a path it could not tell is left for a HEAD, and a run that
 * failed or answered otherwise than the engine is not tried again.
 */
#define STAMP_EXEC_MIN 4

/*
 * A finer stamp in engine_stamps.fine, as stamp_ahead writes it and
 * stamp_fine reads it: size, mode, mtime and ctime with nanoseconds.
 */
#define FINE_STAMP_FMT "%lld %o %lld %ld %lld %ld"

static void
stamp_ahead(struct engine *e, const struct container *c,
    const struct strv *paths, struct engine_stamps *st)
{
	struct keep_error *err = NULL;
	struct strv todo = { 0 };
	struct exec_stat *got;
	struct buf *stamps;
	int checked = st->exec_ok;	/* a run before this one was */

	if (st->exec_failed || c->status == NULL ||
	    strcmp(c->status, "running") != 0)
		return;
	/*
	 * Once a run has answered, a path it did not tell the finer stamps
	 * of is asked too, however few: then every save that runs one has
	 * them for every path, and its state compares with the next one's.
	 */
	for (size_t i = 0; i < paths->n; i++)
		if (kvv_get(&st->head, paths->v[i]) == NULL ||
		    (!st->exec_coarse && kvv_get(&st->fine, paths->v[i]) ==
		    NULL))
			strv_push(&todo, paths->v[i]);
	strv_sort_unique(&todo);
	if (todo.n == 0 || (todo.n < STAMP_EXEC_MIN && !st->exec_ok)) {
		strv_release(&todo);
		return;
	}
	got = xcalloc(todo.n, sizeof(*got));
	stamps = xcalloc(todo.n, sizeof(*stamps));
	if (engine_exec_stat(e, c->id, &todo, got, &err) < 0) {
		st->exec_failed = 1;
		keep_error_free(err);
	}
	for (size_t i = 0; !st->exec_failed && i < todo.n; i++) {
		if (got[i].state == EXEC_STAT_GONE)
			stamp_gone(&stamps[i]);
		else if (got[i].state == EXEC_STAT_OK)
			stamp_add(&stamps[i], got[i].size, got[i].mode,
			    got[i].mtime_sec, 0);
		/*
		 * The container's own stat answers: the first stamp of the
		 * save's first run is checked with a HEAD, so a stat that
		 * answers otherwise (a wrapper, a liar) is not trusted with
		 * the rest.
		 */
		if (stamps[i].len > 0 && !checked) {
			struct buf head = BUF_INIT;

			checked = 1;
			stamp_engine(e, c->id, todo.v[i], &st->head, &head);
			if (head.len != stamps[i].len || memcmp(head.ptr,
			    stamps[i].ptr, head.len) != 0)
				st->exec_failed = 1;
			buf_release(&head);
		}
	}
	st->exec_ok = !st->exec_failed;
	for (size_t i = 0; i < todo.n; i++) {
		char fine[160] = "unknown";

		if (got[i].state == EXEC_STAT_GONE)
			strcpy(fine, "gone");
		else if (got[i].state == EXEC_STAT_OK && got[i].fine)
			snprintf(fine, sizeof(fine), FINE_STAMP_FMT,
			    got[i].size, got[i].mode, got[i].mtime_sec,
			    got[i].mtime_nsec, got[i].ctime_sec,
			    got[i].ctime_nsec);
		else if (got[i].state == EXEC_STAT_OK)
			st->exec_coarse = 1;	/* busybox: no use asking */
		if (!st->exec_failed && kvv_get(&st->fine, todo.v[i]) == NULL)
			kvv_push(&st->fine, todo.v[i], fine);
		if (!st->exec_failed && stamps[i].len > 0 &&
		    kvv_get(&st->head, todo.v[i]) == NULL)
			stamp_remember(&st->head, todo.v[i], &stamps[i]);
		buf_release(&stamps[i]);
	}
	free(stamps);
	free(got);
	strv_release(&todo);
}

/*
 * A directory holding STAMP_DIR_MIN or more of the loose files (itself
 * among them or not) has them stamped from one archive of it, read for its
 * headers, rather than with a HEAD each: the ~300 links
 * update-ca-certificates puts in /etc/ssl/certs would otherwise be ~300
 * requests. An archive past STAMP_DIR_MAX bytes (a directory of big
 * files) is dropped for a HEAD per file after all.
 */
#define STAMP_DIR_MIN 3
#define STAMP_DIR_MAX ((size_t)1 << 20)

/*
 * Append the finer stamp of path that a stat run in the container gave
 * (st->fine), as the layer walk stamps it (stamp_walked): 0, or -1 when
 * there is none.
 */
static int
stamp_fine(struct buf *out, const struct engine_stamps *st, const char *path)
{
	const char *v = kvv_get(&st->fine, path);
	struct fs_stamp fs = { 0 };

	if (v == NULL)
		return -1;
	if (strcmp(v, "gone") != 0 && sscanf(v, FINE_STAMP_FMT, &fs.size,
	    &fs.mode, &fs.mtime_sec, &fs.mtime_nsec, &fs.ctime_sec,
	    &fs.ctime_nsec) != 6)
		return -1;
	stamp_walked(out, &fs);
	return 0;
}

static int
kv_key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

static const char *
stamp_dir_get(const struct engine_stamps *st, const char *key)
{
	struct kv k = { .key = (char *)key };
	const struct kv *hit = st->dir.n ? bsearch(&k, st->dir.v, st->dir.n,
	    sizeof(*st->dir.v), kv_key_cmp) : NULL;

	return hit ? hit->value : NULL;
}

/* An entry's type and permission bits as an st_mode. */
static unsigned
tar_st_mode(const struct tar_entry *ent)
{
	static const unsigned fmt[] = {
		[TAR_FILE] = S_IFREG, [TAR_DIR] = S_IFDIR,
		[TAR_SYMLINK] = S_IFLNK, [TAR_CHAR] = S_IFCHR,
		[TAR_BLOCK] = S_IFBLK, [TAR_FIFO] = S_IFIFO,
		[TAR_SOCKET] = S_IFSOCK,
	};

	return fmt[ent->type] | ent->mode;
}

struct dir_read {
	const char *dir;	/* "/etc/ssl/certs" */
	const char *top;	/* its archive's top entry: "certs" */
	size_t top_len;
	struct kvv *out;
};

/* Stamp the directory and each child of it, as stamp_engine would. */
static int
dir_read_cb(void *ctx, const struct tar_entry *ent, struct keep_error **err)
{
	struct dir_read *d = ctx;
	const char *name = NULL;	/* NULL: the directory itself */
	struct buf one = BUF_INIT;
	char *path;

	(void)err;
	if (strcmp(ent->path, d->top) != 0) {
		if (strncmp(ent->path, d->top, d->top_len) != 0 ||
		    ent->path[d->top_len] != '/')
			return 0;
		name = ent->path + d->top_len + 1;
		if (*name == '\0' || strchr(name, '/') != NULL)
			return 0;
	}
	/* A hard link's size is its target's: those take a HEAD. */
	if (ent->type == TAR_HARDLINK || ent->type == TAR_OTHER)
		return 0;
	stamp_add(&one, ent->type == TAR_SYMLINK ?
	    (long long)strlen(ent->link) : (long long)ent->size,
	    tar_st_mode(ent), (long long)ent->mtime, 0);
	path = name ? xasprintf("%s/%s", d->dir, name) : xstrdup(d->dir);
	kvv_push(d->out, path, one.ptr);
	free(path);
	buf_release(&one);
	return 0;
}

/*
 * Read dir's archive once into st->dir: its children's stamps, and
 * "DIR/" -> "read", "gone" (no such directory) or "" (not read).
 */
static void
stamp_dir_read(struct engine *e, const char *id, const char *dir,
    struct engine_stamps *st)
{
	struct keep_error *err = NULL;
	struct tar_collector c;
	cleanup_free char *marker = xasprintf("%s/", dir);
	struct dir_read d = { .dir = dir, .out = &st->dir };
	const char *state = "";

	if (stamp_dir_get(st, marker) != NULL)
		return;
	d.top = strrchr(dir, '/') + 1;
	d.top_len = strlen(d.top);
	tar_collector_init(&c, STAMP_DIR_MAX);
	if (engine_container_archive(e, id, dir, tar_collector_sink, &c,
	    &err) < 0) {
		if (err->kind == KEEP_ERR_NOT_FOUND)
			state = "gone";
	} else if (tar_read_mem(c.data.ptr, c.data.len, NULL, dir_read_cb, &d,
	    &err) == 0) {
		state = "read";
	}
	keep_error_free(err);
	tar_collector_release(&c);
	kvv_push(&st->dir, marker, state);
	qsort(st->dir.v, st->dir.n, sizeof(*st->dir.v), kv_key_cmp);
}

/*
 * The directories holding STAMP_DIR_MIN or more of loose's files, sorted;
 * a directory that is a loose file itself counts once more.
 */
static void
stamp_dirs_pick(const struct fs_changes *loose, struct strv *out)
{
	struct strv parents = { 0 }, dirs = { 0 };

	for (size_t i = 0; i < loose->n; i++) {
		const char *p = loose->v[i].path, *slash = strrchr(p, '/');

		if (loose->v[i].kind != FS_DELETED && slash != NULL &&
		    slash != p)
			strv_push_nodup(&parents, xstrndup(p, (size_t)(slash - p)));
	}
	strv_sort(&parents);
	for (size_t i = 0; i < loose->n; i++)
		if (loose->v[i].kind != FS_DELETED &&
		    strv_sorted_has(&parents, loose->v[i].path))
			strv_push(&dirs, loose->v[i].path);
	for (size_t i = 0; i < dirs.n; i++)
		strv_push(&parents, dirs.v[i]);
	strv_release(&dirs);
	strv_sort(&parents);
	for (size_t i = 0, j; i < parents.n; i = j) {
		for (j = i + 1; j < parents.n &&
		    strcmp(parents.v[i], parents.v[j]) == 0; j++)
			;
		if (j - i >= STAMP_DIR_MIN)
			strv_push(out, parents.v[i]);
	}
	strv_release(&parents);
}

/* path's stamp from its directory's archive, else from a HEAD. */
static void
stamp_from_dir(struct engine *e, const char *id, const char *dir,
    const char *path, struct engine_stamps *st, struct buf *out)
{
	cleanup_free char *marker = xasprintf("%s/", dir);
	const char *known, *state;

	stamp_dir_read(e, id, dir, st);
	state = stamp_dir_get(st, marker);
	if ((known = stamp_dir_get(st, path)) != NULL) {
		buf_addstr(out, known);
		buf_addch(out, '\0');
	} else if (strcmp(state, "gone") == 0) {
		stamp_gone(out);
	} else {
		stamp_engine(e, id, path, &st->head, out);
	}
}

/* The directory of dirs whose archive stamps path (caller frees), or NULL. */
static char *
stamp_dir_for(const struct strv *dirs, const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	if (strv_sorted_has(dirs, path))
		return xstrdup(path);
	if (slash == NULL || slash == path)
		return NULL;
	dir = xstrndup(path, (size_t)(slash - path));
	if (strv_sorted_has(dirs, dir))
		return dir;
	free(dir);
	return NULL;
}

/* The paths of loose's files that are there (not deleted), appended to out. */
static void
loose_present(const struct fs_changes *loose, struct strv *out)
{
	for (size_t i = 0; i < loose->n; i++)
		if (loose->v[i].kind != FS_DELETED)
			strv_push(out, loose->v[i].path);
}

/*
 * Size, mode and mtime of every loose file (of loose), for the
 * fingerprint and the state: the change list says a file was added, not
 * that it was edited again since. Taken by the layer walk when the change
 * list came from there (walked), else through the engine, up to
 * LOOSE_STAMP_MAX files (past that the save counts as changed rather than
 * miss an edit): all with one stat run in the container (stamp_ahead),
 * else a directory's worth in one archive and the rest with a HEAD each.
 */
static int
stamp_loose(struct engine *e, const struct container *c,
    const struct fs_changes *loose, const struct fs_changes *walked,
    struct engine_stamps *st, struct buf *out, struct buf *fine)
{
	struct strv dirs = { 0 }, present = { 0 };
	int fine_ok = 1;

	if (walked == NULL && loose->n > LOOSE_STAMP_MAX) {
		stamp_unknown(out, "many-files");
		return -1;
	}
	if (walked == NULL) {
		loose_present(loose, &present);
		stamp_ahead(e, c, &present, st);
		strv_release(&present);
		if (!st->exec_ok)
			stamp_dirs_pick(loose, &dirs);
	}
	for (size_t i = 0; i < loose->n; i++) {
		const char *path = loose->v[i].path;
		char *dir;

		if (loose->v[i].kind == FS_DELETED)
			continue;
		if (walked != NULL) {
			struct fs_change key = { .path = (char *)path };
			const struct fs_change *w = bsearch(&key, walked->v,
			    walked->n, sizeof(*walked->v), cmp_fs_change);

			if (w == NULL) {
				stamp_gone(out);
				stamp_gone(fine);
			} else if (w->stamp.mode == 0) {
				stamp_gone(out);
				stamp_walked(fine, &w->stamp);
			} else {
				stamp_add(out, w->stamp.size, w->stamp.mode,
				    w->stamp.mtime_sec, 0);
				stamp_walked(fine, &w->stamp);
			}
			continue;
		}
		/*
		 * Once a stat run told the rest, the few files since are a
		 * HEAD each, not their directory's archive.
		 */
		if (!st->exec_ok && (dir = stamp_dir_for(&dirs, path)) != NULL) {
			stamp_from_dir(e, c->id, dir, path, st, out);
			free(dir);
		} else {
			stamp_engine(e, c->id, path, &st->head, out);
		}
		if (fine_ok && stamp_fine(fine, st, path) < 0)
			fine_ok = 0;
	}
	strv_release(&dirs);
	return fine_ok ? 0 : -1;
}

/*
 * What a save sees of s before it reads any package (see migration 0008),
 * as a hash in *out (caller frees): the config, and the change list minus
 * what no snapshot records (pkg_path_is_inert). From the layer walk, with
 * every path's stamp: each file a package analyzer reads is in the list,
 * so equal states make equal snapshots. From the engine's list, with the
 * stamps of the paths that stand for the package databases
 * (pkg_state_paths) and of the loose files of loose (the latest
 * snapshot's, or s's own), one HEAD each, or one stat run for them all,
 * then with their finer stamps where that run told them all.
 */
static char *
save_state(struct engine *e, const struct snapshot *s, int from_layer,
    const struct fs_changes *loose, struct engine_stamps *cache)
{
	char *hex = xmalloc(2 * SHA256_DIGEST_SIZE + 1);
	struct buf b = BUF_INIT;

	F(&b, "keep-state-1");
	F(&b, from_layer ? "layer" : "engine");
	config_serialise(&s->config, &b);
	for (size_t i = 0; i < s->changes.n; i++) {
		const struct fs_change *c = &s->changes.v[i];

		if (pkg_path_is_inert(c->path))
			continue;
		F(&b, c->path); I(&b, c->kind);
		if (from_layer)
			stamp_walked(&b, &c->stamp);
	}
	if (!from_layer) {
		struct strv paths = { 0 }, ahead = { 0 };
		struct buf fine = BUF_INIT;
		int fine_ok = 1;

		pkg_state_paths(&s->changes, &paths);
		/* These and the loose files in one stat run, if any. */
		if (loose->n <= LOOSE_STAMP_MAX)
			loose_present(loose, &ahead);
		for (size_t i = 0; i < paths.n; i++)
			strv_push(&ahead, paths.v[i]);
		stamp_ahead(e, &s->config, &ahead, cache);
		strv_release(&ahead);
		I(&b, paths.n);
		for (size_t i = 0; i < paths.n; i++) {
			F(&b, paths.v[i]);
			stamp_engine(e, s->config.id, paths.v[i], &cache->head,
			    &b);
			if (fine_ok && stamp_fine(&fine, cache, paths.v[i]) < 0)
				fine_ok = 0;
		}
		strv_release(&paths);
		F(&b, "loose");
		/* The finer stamps too, where a stat run gave them all. */
		if (stamp_loose(e, &s->config, loose, NULL, cache, &b,
		    &fine) == 0 && fine_ok) {
			F(&b, "fine");
			buf_add(&b, fine.ptr, fine.len);
		}
		buf_release(&fine);
	}
	sha256_hex(b.ptr, b.len, hex);
	buf_release(&b);
	return hex;
}

#undef F
#undef I

/* The half of save_reads_layers that layer_changes cannot see: 1 or 0. */
static int
engine_on_this_host(struct engine *e, char **why)
{
	if (engine_endpoint(e)->socket_path != NULL)
		return 1;
	*why = xstrdup("the engine is not on a unix socket here");
	return 0;
}

int
save_reads_layers(struct engine *e, const char *driver, const char *dir,
    char **why)
{
	return engine_on_this_host(e, why) && layer_usable(driver, dir, why);
}

/*
 * The change list: from the container's upper layer when keep can read it
 * (a local overlay2 engine, root), else from the engine. KEEP_CHANGES=engine
 * or =layer forces one (=layer fails, saying why, where it cannot be read).
 */
static int
read_changes(struct engine *e, struct snapshot *s, struct budget *budget,
    int *from_layer, struct keep_error **err)
{
	const char *want = getenv("KEEP_CHANGES");
	cleanup_free char *why = NULL;
	int rc;

	*from_layer = 0;
	if (want && *want && strcmp(want, "engine") != 0 &&
	    strcmp(want, "layer") != 0)
		return keep_error_set(err, KEEP_ERR_USAGE, "KEEP_CHANGES='%s': "
		    "use 'engine' or 'layer'", want);
	if (!(want && strcmp(want, "engine") == 0)) {
		/* layer_changes checks the rest (layer_usable) itself. */
		if (engine_on_this_host(e, &why) &&
		    (rc = layer_changes(&s->config, &s->changes, budget, &why,
		    err)) <= 0) {
			*from_layer = rc == 0;
			return rc;
		}
		if (want && strcmp(want, "layer") == 0)
			return keep_error_set(err, KEEP_ERR_FAILED, "KEEP_CHANGES="
			    "layer: cannot read the layer of '%s': %s",
			    s->config.name, why);
	}
	if (engine_container_changes(e, s->config.id, &s->changes, err) < 0)
		return -1;
	/* Bounded by the size of the engine's answer; counted all the same. */
	for (size_t i = 0; i < s->changes.n; i++)
		if (budget_charge(budget, BUDGET_STRING(strlen(s->changes.v[i].path)),
		    "the change list", err) < 0)
			return -1;
	return 0;
}

/*
 * Take the per-container lock: saves of one container run one at a time,
 * saves of different containers in parallel. Returns the fd to close, or -1.
 */
static int
lock_container(const char *home, const char *engine, const char *name,
    int wait, struct keep_error **err)
{
	cleanup_free char *dir = xasprintf("%s/locks", home);
	cleanup_free char *key = xasprintf("%s\n%s", engine, name);
	cleanup_free char *path = NULL;
	char hex[2 * SHA256_DIGEST_SIZE + 1];
	int fd;

	if (fs_mkdir_p(dir, 0700, NULL, err) < 0)
		return -1;
	sha256_hex(key, strlen(key), hex);
	path = xasprintf("%s/%.24s.lock", dir, hex);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot open lock '%s': %s", path, strerror(errno));
	while (flock(fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB) != 0) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			close(fd);
			return keep_error_set(err, KEEP_ERR_CONFLICT,
			    "a save of '%s' is in progress", name);
		}
		keep_error_set(err, KEEP_ERR_FAILED, "cannot lock '%s': %s",
		    path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* The label that carries a save's token (see migration 0004). */
#define SAVE_TOKEN_LABEL "io.keep.save"

/* A token no other save has: 32 hex digits. */
static char *
save_token(void)
{
	unsigned char raw[16];
	char *hex = xmalloc(2 * sizeof(raw) + 1);

	random_bytes(raw, sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	return hex;
}

/*
 * The image a crashed save p may have made, if it is there and is that
 * save's: its token on it. *id_out (caller frees) is its id, or NULL when
 * there is none to remove (never made, or another catalog's by now). Rows
 * from before tokens: the image under the tag, as then.
 */
static int
orphan_image(struct engine *e, const struct catalog_pending *p, char **id_out,
    struct keep_error **err)
{
	struct image img;
	const char *mark;

	*id_out = NULL;
	if (engine_image_inspect(e, p->image, &img, err) < 0)
		return keep_error_not_found(err) ? 0 : -1;
	mark = kvv_get(&img.labels, SAVE_TOKEN_LABEL);
	if (p->token == NULL || (mark != NULL && strcmp(mark, p->token) == 0)) {
		*id_out = img.id;
		img.id = NULL;
	}
	image_release(&img);
	return 0;
}

/*
 * The tag of snapshot s: its number, unless keep/NAME:N names an image
 * already. Only another catalog can have made that one (this one has no
 * #N, and repair_pending took its own leftovers): a commit under the tag
 * would untag that catalog's snapshot, which docker image prune then
 * deletes. Then the number and the start of the save's token, and a
 * warning. *tag_out: caller frees.
 */
static int
free_tag(struct engine *e, const struct snapshot *s, const char *repo,
    const char *token, char **tag_out, struct strv *warnings,
    struct keep_error **err)
{
	cleanup_free char *ref = xasprintf("%s:%ld", repo, s->seq);
	cleanup_free char *msg = NULL;
	struct image img;

	*tag_out = NULL;
	if (engine_image_inspect(e, ref, &img, err) < 0) {
		if (!keep_error_not_found(err))
			return -1;
		*tag_out = xasprintf("%ld", s->seq);
		return 0;
	}
	image_release(&img);
	*tag_out = xasprintf("%ld-%.8s", s->seq, token);
	msg = xasprintf("'%s' names an image that another keep catalog (another "
	    "KEEP_HOME, or this engine under another address) made: this "
	    "snapshot is '%s:%s'", ref, repo, *tag_out);
	strv_push(warnings, msg);
	return 0;
}

/*
 * A save that died between announcing its image and recording it left a
 * pending row: remove the image it may have made (no snapshot names it,
 * and it carries the save's token) and the row. Reported as a warning.
 */
static int
repair_pending(struct engine *e, struct catalog *cat, const char *engine,
    const char *name, struct strv *warnings, struct keep_error **err)
{
	struct catalog_pendings p = { 0 };
	int rc = 0;

	if (catalog_pending_list(cat, engine, name, &p, err) < 0)
		return -1;
	for (size_t i = 0; i < p.n && rc == 0; i++) {
		long seq;
		cleanup_free char *msg = NULL;

		if (catalog_snapshot_head(cat, engine, p.v[i].name, &seq, NULL,
		    NULL, NULL, err) < 0) {
			rc = -1;
			break;
		}
		if (seq < p.v[i].seq) {
			cleanup_free char *orphan = NULL;

			if (orphan_image(e, &p.v[i], &orphan, err) < 0 ||
			    (orphan &&
			    engine_image_remove(e, orphan, 1, err) < 0)) {
				rc = keep_error_wrap(err,
				    "remove '%s' left by an interrupted save",
				    p.v[i].image);
				break;
			}
			if (orphan) {
				msg = xasprintf("removed '%s', left over by an "
				    "interrupted save", p.v[i].image);
				strv_push(warnings, msg);
			}
		}
		if (catalog_begin(cat, err) < 0 ||
		    catalog_pending_remove(cat, p.v[i].id, err) < 0 ||
		    catalog_commit(cat, err) < 0) {
			catalog_rollback(cat);
			rc = -1;
		}
	}
	catalog_pendings_release(&p);
	return rc;
}

/*
 * The filesystems the analyzers read: the container's layers where the
 * change list came from them (the engine's archive API, one request per
 * read, only for what they cannot merge), else the archive API.
 */
struct save_fs {
	struct pkg_fs cur, base;		/* what the analyzers read */
	struct pkg_fs engine_cur, engine_base;	/* the archive API */
	int layered;
};

static void
save_fs_open(struct save_fs *f, struct engine *e, const struct snapshot *s,
    int from_layer)
{
	struct keep_error *err = NULL;

	memset(f, 0, sizeof(*f));
	engine_fs_container(&f->engine_cur, e, s->config.id);
	engine_fs_image(&f->engine_base, e, s->config.image_id);
	if (from_layer &&
	    layer_fs_open(&f->cur, &s->config, 1, &f->engine_cur, &err) == 0) {
		if (layer_fs_open(&f->base, &s->config, 0, &f->engine_base,
		    &err) == 0) {
			f->layered = 1;
			return;
		}
		pkg_fs_release(&f->cur);
	}
	/* Layers that went away since the walk: ask the engine. */
	keep_error_free(err);
}

/* The container's files: its layers when readable, else the engine. */
static const struct pkg_fs *
save_fs_cur(const struct save_fs *f)
{
	return f->layered ? &f->cur : &f->engine_cur;
}

static void
save_fs_release(struct save_fs *f)
{
	if (f->layered) {
		pkg_fs_release(&f->cur);
		pkg_fs_release(&f->base);
	}
	pkg_fs_release(&f->engine_cur);
	pkg_fs_release(&f->engine_base);
}

/*
 * The apt sources the recipe's pins need: none without a dpkg install or
 * upgrade; the previous snapshot's when it recorded every pin already
 * (the sources those versions came from, and no read of the container:
 * each costs the engine a mount); else read from the container.
 */
static int
read_apt_sources(struct engine *e, struct catalog *cat, struct snapshot *s,
    int from_layer, struct keep_error **err)
{
	struct save_fs fs;
	int pins = 0, rc;

	for (size_t i = 0; i < s->packages.n && !pins; i++)
		pins = s->packages.v[i].change != PKG_REMOVED &&
		    strcmp(s->packages.v[i].pkg.manager, "dpkg") == 0;
	if (!pins)
		return 0;
	if ((rc = catalog_apt_sources_inherit(cat, s, err)) != 0)
		return rc < 0 ? -1 : 0;
	save_fs_open(&fs, e, s, from_layer);
	rc = apt_sources_scan(save_fs_cur(&fs), &s->apt_sources, err);
	save_fs_release(&fs);
	if (rc < 0)
		return keep_error_wrap(err, "read the apt sources of '%s'",
		    s->config.name);
	return 0;
}

/*
 * Move the scan's findings into the snapshot (its change list is read);
 * what the analyzers keep is charged to budget, with the change list.
 */
static int
analyze(struct engine *e, struct catalog *cat, struct snapshot *s,
    int from_layer, struct budget *budget, struct pkg_set *base_to_cache,
    int *base_cached, struct strv *warnings, struct keep_error **err)
{
	struct save_fs fs;
	struct pkg_set cached = { 0 };
	struct pkg_scan scan = { 0 };
	struct strv dests = { 0 };
	int rc;

	/*
	 * Databases the container left alone are the base's, so there is no
	 * package change to find: the base's set (a thousand rows on a big
	 * image) is loaded only when they changed, or to cache it once.
	 */
	if (catalog_base_packages_get(cat, s->config.image_id,
	    pkg_dbs_changed(&s->changes) ? &cached : NULL, err) == 0)
		*base_cached = 1;
	else if (keep_error_not_found(err))
		*base_cached = 0;
	else
		return -1;
	save_fs_open(&fs, e, s, from_layer);
	fs.cur.budget = fs.base.budget = budget;
	fs.engine_cur.budget = fs.engine_base.budget = budget;
	rc = pkg_scan(save_fs_cur(&fs),
	    fs.layered ? &fs.base : &fs.engine_base,
	    *base_cached ? &cached : NULL, &s->changes, &scan, err);
	pkg_set_release(&cached);
	if (rc < 0) {
		save_fs_release(&fs);
		return keep_error_wrap(err, "read the packages of '%s'",
		    s->config.name);
	}
	for (size_t i = 0; i < s->config.n_mounts; i++)
		strv_push(&dests, s->config.mounts[i].destination);
	pkg_loose_files(&s->changes, &scan.explained, &dests, &s->loose);
	strv_release(&dests);
	rc = pkg_loose_find_secrets(save_fs_cur(&fs), &s->loose, err);
	save_fs_release(&fs);
	if (rc < 0) {
		pkg_scan_release(&scan);
		return keep_error_wrap(err, "read the installer settings of '%s'",
		    s->config.name);
	}
	s->packages = scan.changes;
	scan.changes = (struct pkg_changes){ 0 };
	pkg_changes_sort(&s->packages);
	*base_to_cache = scan.base;
	scan.base = (struct pkg_set){ 0 };
	for (size_t i = 0; i < scan.warnings.n; i++)
		strv_push(warnings, scan.warnings.v[i]);
	pkg_scan_release(&scan);
	return 0;
}

/*
 * Tell the user at save time what the recipe will leave out because it came
 * from the container in a form no Dockerfile line can hold safely (env
 * values with newlines, hostile file names ...): the renderer's refusals;
 * and which installer settings it mounts as build secrets, which the
 * recipe committed now needs to build. Its other warnings (secrets left
 * out of env, proxies) belong to to-dockerfile.
 */
static void
warn_refusals(const struct snapshot *s, struct strv *warnings)
{
	struct buf text = BUF_INIT;
	struct strv w = { 0 };
	struct keep_error *e2 = NULL;

	if (recipe_dockerfile(s, NULL, 0, &text, &w, &e2) == 0)
		for (size_t i = 0; i < w.n; i++)
			if (strncmp(w.v[i], "refused ", 8) == 0 ||
			    strncmp(w.v[i], "skipped ", 8) == 0 ||
			    strstr(w.v[i], "' holds credentials: ") != NULL)
				strv_push(warnings, w.v[i]);
	keep_error_free(e2);
	strv_release(&w);
	buf_release(&text);
}

/*
 * Tell the user about the loose files of s of large_min bytes or more: a
 * commit copies the container's whole layer, so each snapshot holds them
 * again. Their sizes come from the layer walk (walked), else from the
 * stamps the engine gave (cache: "SIZE MODE MTIME" by path).
 */
static void
warn_large(const struct snapshot *s, const struct fs_changes *walked,
    const struct engine_stamps *cache, long long large_min,
    struct strv *warnings)
{
	for (size_t i = 0; large_min > 0 && i < s->loose.n; i++) {
		const char *path = s->loose.v[i].path;
		long long size = -1;
		unsigned mode = 0;
		char human[32], *shown;

		if (s->loose.v[i].kind == FS_DELETED)
			continue;
		if (walked != NULL) {
			struct fs_change key = { .path = (char *)path };
			const struct fs_change *c = bsearch(&key, walked->v,
			    walked->n, sizeof(*walked->v), cmp_fs_change);

			if (c != NULL) {
				size = c->stamp.size;
				mode = c->stamp.mode;
			}
		} else {
			const char *st = kvv_get(&cache->head, path);

			if (st == NULL)
				st = stamp_dir_get(cache, path);

			if (st == NULL || sscanf(st, "%lld %o", &size, &mode) != 2)
				size = -1;
		}
		if (!S_ISREG(mode) || size < large_min)
			continue;
		disk_size_str(size, human, sizeof(human));
		shown = text_printable_dup(path);
		strv_pushf(warnings, "'%s' is %s, in the container's own layer: "
		    "every snapshot holds a copy of it; model weights and "
		    "datasets belong in a volume or a bind mount (docker run "
		    "-v), which keep records and resume brings back",
		    shown, human);
		free(shown);
	}
}

/* Record s and its base (when newly read) in one transaction. */
static int
record(struct catalog *cat, struct snapshot *s, const struct pkg_set *base,
    int base_cached, long pending, struct keep_error **err)
{
	if (catalog_begin(cat, err) < 0)
		return -1;
	if (catalog_base_put(cat, &s->base, base_cached ? NULL : base, err) < 0 ||
	    catalog_snapshot_insert(cat, s, err) < 0 ||
	    catalog_pending_remove(cat, pending, err) < 0 ||
	    catalog_commit(cat, err) < 0) {
		catalog_rollback(cat);
		return -1;
	}
	return 0;
}

/*
 * Commit the recipe of a snapshot an earlier save recorded without one.
 * A failure here is the recipe's, not this save's: it is kept for the
 * caller as recipe_error and the save goes on.
 */
static void
repair_recipe(struct catalog *cat, const char *recipes_dir,
    const char *engine, const char *name, struct save_result *out)
{
	int repaired = 0;

	if (history_repair(cat, recipes_dir, engine, name, &repaired,
	    &out->recipe_error) == 0 && repaired)
		strv_pushf(&out->warnings, "committed the recipe of '%s' that an "
		    "earlier save could not", name);
}

/* The snapshot before s, when there is one: 1 loaded, 0 none, -1 error. */
static int
load_prev(struct catalog *cat, const struct snapshot *s, struct snapshot *prev,
    struct keep_error **err)
{
	if (s->seq <= 1)
		return 0;
	return catalog_snapshot_load(cat, s->engine, s->config.name, s->seq - 1,
	    prev, err) < 0 ? -1 : 1;
}

/*
 * Render s's recipe and store its files while the engine commits; 0 when
 * *prep is ready. A failure only means commit_recipe does it all later.
 */
static int
prepare_recipe(struct catalog *cat, const char *recipes_dir,
    const struct snapshot *s, struct history_prep *prep)
{
	struct snapshot prev = { 0 };
	struct keep_error *err = NULL;
	int have_prev, rc = -1;

	if ((have_prev = load_prev(cat, s, &prev, &err)) >= 0)
		rc = history_prepare(cat, recipes_dir, s,
		    have_prev ? &prev : NULL, prep, &err);
	keep_error_free(err);
	if (have_prev > 0)
		snapshot_release(&prev);
	return rc;
}

/*
 * Commit the new snapshot's recipe (prepared by prepare_recipe, or NULL); a
 * failure becomes out->recipe_error.
 */
static void
commit_recipe(struct catalog *cat, const char *recipes_dir,
    struct snapshot *s, struct history_prep *prep,
    struct save_result *out)
{
	struct snapshot prev = { 0 };
	int have_prev;

	keep_error_free(out->recipe_error);
	out->recipe_error = NULL;
	if (prep) {
		history_commit(cat, recipes_dir, s, prep, &s->recipe_commit,
		    &out->recipe_error);
		return;
	}
	if ((have_prev = load_prev(cat, s, &prev, &out->recipe_error)) < 0)
		return;
	history_record(cat, recipes_dir, s, have_prev ? &prev : NULL,
	    &s->recipe_commit, &out->recipe_error);
	if (have_prev)
		snapshot_release(&prev);
}

/* The work a save does beside the engine commit. */
struct commit_job {
	struct catalog *cat;
	const char *recipes_dir;
	const char *engine;
	const struct snapshot *s;
	int base_cached;
	struct save_result *out;
	struct history_prep prep;	/* out */
	int prepared;			/* out: prep is ready */
};

static void *
commit_helper(void *arg)
{
	struct commit_job *j = arg;

	/* First: it syncs the pending row (see keep_save). */
	catalog_checkpoint(j->cat);
	if (j->recipes_dir) {
		repair_recipe(j->cat, j->recipes_dir, j->engine,
		    j->s->config.name, j->out);
		/* A first save's base packages reach the catalog only with
		 * its record: keep.lock needs them. */
		j->prepared = j->base_cached && prepare_recipe(j->cat,
		    j->recipes_dir, j->s, &j->prep) == 0;
	}
	return NULL;
}

/*
 * Nothing changed since snapshot #head_seq: out says so. A recipe the
 * catalog has no commit for is made now. Whether a recorded commit is
 * still in the history takes libgit2 (its start costs more than the rest
 * of this save): the next save that commits checks that, beside its
 * engine commit. s->state replaces the snapshot's when it differs
 * (old_state: the recorded one), so that the next save in this state is
 * told at once.
 */
static int
save_unchanged(struct catalog *cat, struct snapshot *s, long head_seq,
    char **head_image, const char *head_commit, const char *old_state,
    const struct save_opts *opts, struct save_result *out,
    struct keep_error **err)
{
	struct keep_error *e2 = NULL;

	if (opts && opts->recipes_dir && head_commit == NULL)
		repair_recipe(cat, opts->recipes_dir, s->engine, s->config.name,
		    out);
	/* A lost state only costs the next save its shortcut. */
	if (s->state != NULL &&
	    (old_state == NULL || strcmp(old_state, s->state) != 0)) {
		if (catalog_begin_lazy(cat, &e2) == 0 &&
		    catalog_snapshot_state_set(cat, s->engine, s->config.name,
		    head_seq, s->state, &e2) == 0)
			catalog_commit(cat, &e2);
		catalog_rollback(cat);
		keep_error_free(e2);
	}
	out->unchanged = 1;
	if (opts && opts->unchanged_snapshot) {
		struct snapshot rec = { 0 };

		if (catalog_snapshot_load(cat, s->engine, s->config.name,
		    head_seq, &rec, err) < 0)
			return -1;
		snapshot_release(s);
		*s = rec;
		return 0;
	}
	s->seq = head_seq;
	s->image = *head_image;
	*head_image = NULL;
	return 0;
}

void
save_plan_release(struct save_plan *p)
{
	snapshot_release(&p->snap);
	pkg_set_release(&p->base_set);
	kvv_release(&p->stamps.head);
	kvv_release(&p->stamps.dir);
	kvv_release(&p->stamps.fine);
	free(p->head_image);
	free(p->head_commit);
	free(p->head_state);
	memset(p, 0, sizeof(*p));
}

int
save_plan(struct engine *e, struct catalog *cat, struct container *config,
    const char *message, struct save_plan *out, struct strv *warnings,
    struct keep_error **err)
{
	const char *engine_host = engine_endpoint(e)->host;
	struct snapshot *s = &out->snap;
	cleanup_free char *head_fp = NULL;
	struct fs_changes head_loose = { 0 };
	struct buf stamps = BUF_INIT, fine = BUF_INIT;
	struct budget budget;
	int fine_ok, rc = -1;

	memset(out, 0, sizeof(*out));
	s->config = *config;
	memset(config, 0, sizeof(*config));
	if (engine_image_inspect(e, s->config.image_id, &s->base, err) < 0) {
		keep_error_wrap(err, "inspect the base image of '%s'",
		    s->config.name);
		goto done;
	}
	{
		const char *d = image_repo_digest(&s->base, s->config.image_ref);

		s->base_digest = d ? xstrdup(d) : NULL;
	}
	/*
	 * What the container changes from here on has a ctime from here on:
	 * the next save's incremental layer starts at it (snapshot_write.h).
	 * Two ticks back (20 ms): the kernel stamps ctimes from a coarse
	 * clock, which lags this one by up to a tick (1 to 10 ms). An
	 * earlier start only puts a file changed just before it in the
	 * next layer too, so no further back: a save right after a big
	 * change would put it in two layers.
	 */
	{
		struct timespec now;

		clock_gettime(CLOCK_REALTIME, &now);
		s->walk_started = (long long)now.tv_sec * 1000000000LL +
		    now.tv_nsec - 20000000LL;
	}
	/* One budget for all the save reads of the container and its base. */
	if (budget_init(&budget, err) < 0 ||
	    read_changes(e, s, &budget, &out->from_layer, err) < 0)
		goto done;
	if (!out->from_layer)
		s->walk_started = 0;
	/*
	 * The engine lists changes in a different order on every call (a Go
	 * map): sort them, or the state of an unchanged container would
	 * differ from save to save.
	 */
	if (s->changes.n > 1)
		qsort(s->changes.v, s->changes.n, sizeof(*s->changes.v),
		    cmp_fs_change);
	s->engine = xstrdup(engine_host);
	s->message = xstrdup(message ? message : "");
	if (catalog_snapshot_head(cat, engine_host, s->config.name,
	    &out->head_seq, &head_fp, &out->head_image, &out->head_commit,
	    err) < 0)
		goto done;
	/*
	 * Unchanged when the container is in the state the latest snapshot
	 * recorded: decided before any package database is read.
	 */
	if (out->head_seq > 0 && catalog_snapshot_state(cat, engine_host,
	    s->config.name, out->head_seq, &out->head_state, out->from_layer ?
	    NULL : &head_loose, err) < 0)
		goto done;
	if (out->head_state != NULL) {
		s->state = save_state(e, s, out->from_layer, &head_loose,
		    &out->stamps);
		if (strcmp(out->head_state, s->state) == 0) {
			out->unchanged = 1;
			rc = 0;
			goto done;
		}
	}
	if (analyze(e, cat, s, out->from_layer, &budget, &out->base_set,
	    &out->base_cached, warnings, err) < 0)
		goto done;
	fine_ok = stamp_loose(e, &s->config, &s->loose, out->from_layer ?
	    &s->changes : NULL, &out->stamps, &stamps, &fine) == 0;
	s->fingerprint = fingerprint(s, &stamps, fine_ok ? &fine : NULL,
	    out->from_layer && stamps_racy(&s->loose, &s->changes,
	    s->walk_started / 1000000000LL));
	if (s->state == NULL || !out->from_layer) {
		/* With this snapshot's loose files, as the next save will
		 * compute it (their stamps are known by now). */
		free(s->state);
		s->state = save_state(e, s, out->from_layer, &s->loose,
		    &out->stamps);
	}
	out->unchanged = out->head_seq > 0 &&
	    fingerprint_equal(head_fp, s->fingerprint);
	rc = 0;
done:
	fs_changes_release(&head_loose);
	buf_release(&stamps);
	buf_release(&fine);
	if (rc < 0)
		save_plan_release(out);
	return rc;
}

int
keep_save(struct engine *e, struct catalog *cat, const char *home,
    const char *id, const struct save_opts *opts, struct save_result *out,
    struct keep_error **err)
{
	const char *engine_host = engine_endpoint(e)->host;
	struct container config = { 0 };
	struct save_plan plan;
	struct snapshot s = { 0 };
	struct pkg_set base_set = { 0 };
	cleanup_free char *head_image = NULL, *head_commit = NULL,
	    *head_state = NULL, *repo = NULL, *tag = NULL, *token = NULL,
	    *seq_label = NULL;
	struct kvv labels = { 0 };
	struct engine_stamps stamps = { 0 };
	long head_seq, pending = 0;
	struct history_prep prep;
	struct snapshot_base_layer prev_layer = { 0 };
	struct snapshot_prev prev;
	int lock = -1, base_cached = 0, from_layer = 0, prepared = 0,
	    have_prev = 0, rc = -1;

	memset(out, 0, sizeof(*out));
	if (opts && opts->inspected && opts->inspected->id &&
	    strcmp(opts->inspected->id, id) == 0) {
		config = *opts->inspected;
		memset(opts->inspected, 0, sizeof(*opts->inspected));
	} else if (engine_container_inspect(e, id, &config, err) < 0) {
		return -1;
	}
	if ((lock = lock_container(home, engine_host, config.name, 1, err)) < 0)
		goto out;
	if (repair_pending(e, cat, engine_host, config.name, &out->warnings,
	    err) < 0)
		goto out;
	if (save_plan(e, cat, &config, opts ? opts->message : NULL, &plan,
	    &out->warnings, err) < 0)
		goto out;
	/* The plan's parts are this save's from here on. */
	s = plan.snap;
	base_set = plan.base_set;
	base_cached = plan.base_cached;
	from_layer = plan.from_layer;
	head_seq = plan.head_seq;
	head_image = plan.head_image;
	head_commit = plan.head_commit;
	head_state = plan.head_state;
	stamps = plan.stamps;
	if (plan.unchanged) {
		rc = save_unchanged(cat, &s, head_seq, &head_image, head_commit,
		    head_state, opts, out, err);
		goto out;
	}

	s.seq = head_seq + 1;
	if (catalog_snapshot_stamp(cat, &s, err) < 0 ||
	    read_apt_sources(e, cat, &s, from_layer, err) < 0)
		goto out;
	warn_refusals(&s, &out->warnings);
	warn_large(&s, from_layer ? &s.changes : NULL, &stamps,
	    opts ? opts->large_min : 0, &out->warnings);
	repo = save_image_repo(s.config.name);
	token = save_token();
	if (free_tag(e, &s, repo, token, &tag, &out->warnings, err) < 0)
		goto out;
	s.image = xasprintf("%s:%s", repo, tag);
	/*
	 * The pending row need not wait for the disk: if keep dies, it is in
	 * the log all the same, and the helper syncs the log (its
	 * checkpoint) while the engine is still at the commit, long before
	 * the engine has written the image that a power loss could orphan.
	 */
	if (catalog_begin_lazy(cat, err) < 0)
		goto out;
	if (catalog_pending_add(cat, engine_host, s.config.name, s.seq, s.image,
	    token, &pending, err) < 0 || catalog_commit(cat, err) < 0) {
		catalog_rollback(cat);
		goto out;
	}

	kvv_push(&labels, "io.keep.container", s.config.name);
	seq_label = xasprintf("%ld", s.seq);
	kvv_push(&labels, "io.keep.seq", seq_label);
	kvv_push(&labels, "io.keep.base", s.config.image_id);
	kvv_push(&labels, SAVE_TOKEN_LABEL, token);
	/* Where the layers can be read, the save can be incremental. */
	if (from_layer && head_seq > 0) {
		if (catalog_snapshot_base_layer(cat, engine_host, s.config.name,
		    head_seq, &prev_layer, err) < 0)
			goto out;
		prev = (struct snapshot_prev){ prev_layer.image_id,
		    prev_layer.container_id, prev_layer.walk_started,
		    prev_layer.image_history };
		have_prev = 1;
	}
	if (opts && opts->progress)
		opts->progress(opts->progress_ctx, 1, "committing");
	{
		struct commit_job job = { .cat = cat, .recipes_dir = opts ?
		    opts->recipes_dir : NULL, .engine = engine_host, .s = &s,
		    .base_cached = base_cached, .out = out };
		char *image_id = NULL;
		enum snapshot_write_how how;
		pthread_t t;
		int threaded = 0;

		/*
		 * The engine takes a while over the commit: meanwhile a
		 * helper repairs the recipe history (it must come before this
		 * snapshot's recipe anyway), stages this snapshot's recipe
		 * commit, and checkpoints the catalog (what earlier commands
		 * wrote, which each open would read again). It does not touch
		 * e; the commit is made here, at once, not from a thread still
		 * to be scheduled.
		 */
		if (!(threaded = pthread_create(&t, NULL, commit_helper,
		    &job) == 0))
			commit_helper(&job);
		/* While the helper works. */
		if (!from_layer)
			wait_out_racy(&stamps);
		rc = snapshot_write(e, &s.config, s.base.n_layers, repo, tag,
		    s.message[0] ? s.message : NULL, &labels,
		    !(opts && opts->no_pause), have_prev ? &prev : NULL,
		    &out->warnings, &image_id, &s.image_history, &how, err);
		if (threaded)
			pthread_join(t, NULL);
		s.image_id = image_id;
		if (rc == 0 && how == SNAPSHOT_FLATTENED)
			out->flattened_from = s.base.n_layers;
		s.incremental = rc == 0 && how == SNAPSHOT_INCREMENTAL;
		prep = job.prep;
		prepared = job.prepared;
	}
	if (opts && opts->progress)
		opts->progress(opts->progress_ctx, 0, "committing");
	if (rc < 0) {
		/* Nothing was made: the pending row only needs to go. */
		struct keep_error *e2 = NULL;

		if (catalog_begin(cat, &e2) == 0 &&
		    catalog_pending_remove(cat, pending, &e2) == 0)
			catalog_commit(cat, &e2);
		catalog_rollback(cat);
		keep_error_free(e2);
		goto out;
	}
	rc = record(cat, &s, &base_set, base_cached, pending, err);
	if (rc < 0) {
		/* The image has no snapshot: take it back. If that fails too,
		 * the pending row makes the next save do it. */
		struct keep_error *e2 = NULL;

		engine_image_remove(e, s.image_id ? s.image_id : s.image, 1,
		    &e2);
		keep_error_free(e2);
		goto out;
	}
	if (opts && opts->recipes_dir)
		commit_recipe(cat, opts->recipes_dir, &s,
		    prepared ? &prep : NULL, out);
out:
	if (lock >= 0)
		close(lock);
	kvv_release(&labels);
	kvv_release(&stamps.head);
	kvv_release(&stamps.dir);
	kvv_release(&stamps.fine);
	snapshot_base_layer_release(&prev_layer);
	container_release(&config);
	if (prepared)
		history_prep_release(&prep);
	pkg_set_release(&base_set);
	if (rc == 0)
		out->snap = s;
	else
		snapshot_release(&s);
	return rc;
}

int
save_repair(struct engine *e, struct catalog *cat, const char *home,
    struct strv *warnings, struct keep_error **err)
{
	const char *engine_host = engine_endpoint(e)->host;
	struct catalog_pendings p = { 0 };
	struct strv names = { 0 };
	int rc = 0;

	if (catalog_pending_list(cat, engine_host, NULL, &p, err) < 0)
		return -1;
	for (size_t i = 0; i < p.n; i++)
		if (strv_find(&names, p.v[i].name) < 0)
			strv_push(&names, p.v[i].name);
	catalog_pendings_release(&p);
	for (size_t i = 0; i < names.n && rc == 0; i++) {
		struct keep_error *busy = NULL;
		int lock = lock_container(home, engine_host, names.v[i], 0, &busy);

		if (lock < 0) {
			/* A save running now owns its pending row. */
			keep_error_free(busy);
			continue;
		}
		rc = repair_pending(e, cat, engine_host, names.v[i], warnings, err);
		close(lock);
	}
	strv_release(&names);
	return rc;
}
