#include "core/build_context.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/disk.h"
#include "core/paths.h"
#include "core/recipe.h"
#include "engine/lifecycle.h"
#include "model/installer_config.h"
#include "model/secrets.h"
#include "render/quote.h"
#include "util/fs.h"
#include "util/tar.h"
#include "util/text.h"
#include "util/xalloc.h"

/*
 * What one loose file may be. All of them together count against the
 * snapshot's budget (util/budget.h), and the archive of each fetch may not
 * be larger than its limit: a context holds at most the limit, and reads
 * at most that much more at once.
 */
#define CONTEXT_MAX_FILE ((size_t)512 << 20)

int
build_context_large_min(long long *out, struct keep_error **err)
{
	static const struct {
		char unit;
		long long bytes;
	} units[] = { { 'k', 1000LL }, { 'M', 1000000LL },
	    { 'G', 1000000000LL }, { 'T', 1000000000000LL } };
	const char *s = getenv("KEEP_LARGE_FILE");
	char *end;
	long long v;

	*out = BUILD_CONTEXT_LARGE_FILE;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || v < 0)
		goto bad;
	if (*end == '\0') {
		*out = v;
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (end[0] == units[i].unit && (end[1] == '\0' ||
		    (end[1] == 'B' && end[2] == '\0'))) {
			if (v > LLONG_MAX / units[i].bytes)
				goto bad;
			*out = v * units[i].bytes;
			return 0;
		}
bad:
	return keep_error_set(err, KEEP_ERR_USAGE, "KEEP_LARGE_FILE='%s': give "
	    "a size in bytes, or with k, M, G or T (100M); 0 turns it off", s);
}

/* The first line marks a directory keep wrote, so it may be rewritten. */
const char build_context_dockerignore[] =
    "# keep build context: only the Dockerfile and files/ belong in it\n"
    "*\n"
    "!Dockerfile\n"
    "!files\n";

struct collect {
	enum build_for whom;
	const char *parent;	/* parent of the fetched path, "" for "/" */
	char **wanted;		/* sorted loose paths */
	size_t n_wanted;
	struct build_context *bc;
	size_t cap;		/* of bc->v */
	struct budget budget;	/* what the files kept and read may take */
	struct strv *warnings;
	long long large_min;	/* leave regular files this big out; 0: none */
};

/*
 * Whether a proper ancestor of path is in the sorted array v of n paths:
 * one binary search per ancestor, not a scan per path.
 */
static int
ancestor_in(char *const *v, size_t n, const char *path)
{
	cleanup_free char *up = xstrdup(path);

	for (char *slash = strrchr(up, '/'); slash && slash > up;
	    slash = strrchr(up, '/')) {
		const char *key = up;

		*slash = '\0';
		if (bsearch(&key, v, n, sizeof(*v), strv_cmp) != NULL)
			return 1;
	}
	return 0;
}

/* Note path, of size bytes, as left out of the context for its size. */
static void
note_large(struct build_context *bc, const char *path, long long size)
{
	struct buf b = BUF_INIT;
	char human[32];

	disk_size_str(size, human, sizeof(human));
	text_printable(&b, path, 0);
	buf_printf(&b, " (%s)", human);
	strv_push(&bc->large, buf_cstr(&b));
	buf_release(&b);
}

/*
 * A file's bytes for the context: installer configuration that may hold
 * credentials goes to a user with them as "***" (the recipe mounts the
 * real file as a build secret instead).
 */
static void
set_data(const struct collect *c, struct build_context_entry *be,
    const struct tar_entry *ent)
{
	struct installer_config ic;

	if (c->whom == BUILD_FOR_USER && installer_config_match(be->path, &ic) &&
	    ic.secrets)
		be->secret = secrets_redact_config(ent->data, ent->data_len,
		    &be->data) > 0;
	else
		buf_add(&be->data, ent->data, ent->data_len);
}

static int
collect_entry(void *ctx, const struct tar_entry *ent, struct keep_error **err)
{
	struct collect *c = ctx;
	cleanup_free char *abs = xasprintf("%s/%s", c->parent, ent->path);
	cleanup_free char *what = NULL;
	const char *key = abs;
	struct build_context_entry *be;

	if (bsearch(&key, c->wanted, c->n_wanted, sizeof(*c->wanted), strv_cmp) == NULL)
		return 0;
	if (ent->type != TAR_FILE && ent->type != TAR_DIR) {
		strv_pushf(c->warnings, "'%s' is %s: not copied into the build "
		    "context", abs, tar_type_name(ent->type));
		return 0;
	}
	if (ent->uid < 0 || ent->gid < 0 || ent->uid > 0x7fffffff ||
	    ent->gid > 0x7fffffff)
		return 0;
	if (ent->type == TAR_FILE && c->large_min > 0 &&
	    ent->size >= c->large_min) {
		note_large(c->bc, abs, ent->size);
		return 0;
	}
	what = xasprintf("the build context's '%s'", abs);
	if (budget_charge(&c->budget, BUDGET_STRING(strlen(abs)) +
	    (ent->type == TAR_FILE ? ent->data_len : 0), what, err) < 0)
		return -1;
	c->bc->v = vec_grow(c->bc->v, c->bc->n, &c->cap, sizeof(*c->bc->v));
	be = &c->bc->v[c->bc->n++];
	memset(be, 0, sizeof(*be));
	be->path = xstrdup(abs);
	be->is_dir = ent->type == TAR_DIR;
	be->mode = ent->mode & 07777;
	be->uid = (unsigned int)ent->uid;
	be->gid = (unsigned int)ent->gid;
	if (ent->type == TAR_FILE && ent->data)
		set_data(c, be, ent);
	return 0;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct build_context_entry *)a)->path,
	    ((const struct build_context_entry *)b)->path);
}

/* Fetch one top-most loose path (and the loose paths under it). */
static int
fetch_path(struct engine *e, const char *reader, const char *path,
    struct collect *c, struct keep_error **err)
{
	struct tar_collector tc;
	struct tar_read_opts ropts = { 1, CONTEXT_MAX_FILE, c->large_min };
	cleanup_free char *parent = xstrdup(path);
	cleanup_free char *what = xasprintf("the archive of '%s'", path);
	char *slash = strrchr(parent, '/');
	struct engine_path_stat st;
	int rc;

	*slash = '\0';
	/* A large file on its own is not even read. */
	if (c->large_min > 0 &&
	    engine_container_stat(e, reader, path, &st, err) == 0) {
		int large = S_ISREG(st.mode) && st.size >= c->large_min;

		if (large)
			note_large(c->bc, path, st.size);
		engine_path_stat_release(&st);
		if (large)
			return 0;
	} else if (c->large_min > 0 && !keep_error_not_found(err)) {
		return keep_error_wrap(err, "read '%s'", path);
	}
	c->parent = parent;
	tar_collector_init(&tc, SIZE_MAX);
	tc.budget = &c->budget;
	tc.what = what;
	rc = engine_container_archive(e, reader, path, tar_collector_sink, &tc, err);
	if (rc < 0 && keep_error_not_found(err)) {
		/* Listed as a change but gone from the image: nothing to copy. */
		tar_collector_release(&tc);
		return 0;
	}
	if (rc == 0)
		rc = tar_read_mem(tc.data.ptr, tc.data.len, &ropts, collect_entry, c, err);
	tar_collector_release(&tc);
	if (rc < 0)
		return keep_error_wrap(err, "read '%s'", path);
	return 0;
}

/*
 * Say in the Dockerfile which files the context left out for their size,
 * and what to do instead.
 */
static void
comment_large(struct build_context *bc, long long large_min)
{
	char human[32];

	if (bc->large.n == 0)
		return;
	disk_size_str(large_min, human, sizeof(human));
	buf_printf(&bc->dockerfile, "\n# Left out of the build "
	    "context: %zu file%s of %s or more. Model weights and\n"
	    "# datasets belong in a volume or a bind mount (docker run -v), "
	    "not in an image;\n# 'keep to-dockerfile --include-large' copies "
	    "them all the same.\n", bc->large.n, bc->large.n == 1 ? "" : "s",
	    human);
	for (size_t i = 0; i < bc->large.n; i++)
		buf_printf(&bc->dockerfile, "#   %s\n", bc->large.v[i]);
}

int
build_context_collect(struct engine *e, const struct snapshot *s,
    const char *image, enum build_for whom, long long large_min,
    struct build_context *out, struct strv *warnings, struct keep_error **err)
{
	struct collect c = { 0 };
	struct recipe_input in;
	cleanup_free char *reader = NULL;
	size_t n = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (budget_init(&c.budget, err) < 0)
		return -1;
	c.wanted = xcalloc(s->loose.n + 1, sizeof(*c.wanted));
	for (size_t i = 0; i < s->loose.n; i++)
		if (s->loose.v[i].kind != FS_DELETED && s->loose.v[i].path[0] == '/')
			c.wanted[n++] = s->loose.v[i].path;
	qsort(c.wanted, n, sizeof(*c.wanted), strv_cmp);
	c.n_wanted = n;
	c.whom = whom;
	c.bc = out;
	c.warnings = warnings;
	c.large_min = large_min;
	if (n > 0 && image != NULL) {
		if (engine_container_create_reader(e, image, &reader, err) < 0) {
			keep_error_wrap(err, "read the loose files of '%s'", image);
			goto done;
		}
		/* A path below another wanted one comes with its fetch. */
		for (size_t i = 0; i < n; i++)
			if (!ancestor_in(c.wanted, n, c.wanted[i]) &&
			    fetch_path(e, reader, c.wanted[i], &c, err) < 0)
				goto done;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), entry_cmp);
	out->files = xcalloc(out->n + 1, sizeof(*out->files));
	for (size_t i = 0; i < out->n; i++) {
		out->files[i].path = out->v[i].path;
		out->files[i].uid = out->v[i].uid;
		out->files[i].gid = out->v[i].gid;
		out->files[i].mode = out->v[i].mode;
		out->files[i].is_dir = out->v[i].is_dir;
		out->files[i].secret = out->v[i].secret;
	}
	if (recipe_input_of(s, &in, err) < 0)
		goto done;
	in.use_context = 1;
	in.context_files = out->files;
	in.n_context_files = out->n;
	in.classic_builder = whom == BUILD_FOR_KEEP;
	if (render_dockerfile(&in, &out->dockerfile, warnings, err) < 0)
		goto done;
	strv_sort(&out->large);
	comment_large(out, large_min);
	rc = 0;
done:
	if (reader) {
		struct keep_error *rerr = NULL;

		if (engine_container_remove(e, reader, 1, &rerr) < 0 && rc == 0) {
			keep_error_free(*err);
			*err = rerr;
			rc = -1;
		} else {
			keep_error_free(rerr);
		}
	}
	free(c.wanted);
	if (rc < 0)
		build_context_release(out);
	return rc;
}

void
build_context_release(struct build_context *bc)
{
	for (size_t i = 0; i < bc->n; i++) {
		free(bc->v[i].path);
		buf_release(&bc->v[i].data);
	}
	free(bc->v);
	free(bc->files);
	buf_release(&bc->dockerfile);
	strv_release(&bc->large);
	memset(bc, 0, sizeof(*bc));
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)ftw;
	return (flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 ? -1 : 0;
}

/* Nonzero when dir has no entries besides "." and "..". */
static int
dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int empty = 1;

	if (d == NULL)
		return 0;
	while (empty && (de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, ".."))
			empty = 0;
	closedir(d);
	return empty;
}

/* dir is missing, empty, or an earlier keep context; make it ready. */
static int
prepare_dir(const char *dir, struct keep_error **err)
{
	cleanup_free char *ignore = xasprintf("%s/.dockerignore", dir);
	cleanup_free char *files = xasprintf("%s/files", dir);
	char head[128] = { 0 };
	size_t marker = strcspn(build_context_dockerignore, "\n");
	FILE *f;
	int ours = 0;

	if (fs_mkdir_p(dir, 0755, NULL, err) < 0)
		return -1;
	if ((f = fopen(ignore, "r")) != NULL) {
		ours = fread(head, 1, marker, f) == marker &&
		    memcmp(head, build_context_dockerignore, marker) == 0;
		fclose(f);
	}
	if (!ours) {
		if (!dir_is_empty(dir))
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "'%s' holds files keep did not write; give a new or empty directory",
			    dir);
		return 0;
	}
	/* Our own earlier context: files/ is replaced, never merged. */
	if (nftw(files, rm_entry, 16, FTW_DEPTH | FTW_PHYS) < 0 && errno != ENOENT)
		return keep_error_set(err, KEEP_ERR_FAILED, "remove '%s': %s", files,
		    strerror(errno));
	return 0;
}

/*
 * The mode a context entry gets on this host. The recorded owner and mode
 * belong to the image (the Dockerfile's COPY --chown and RUN chmod set
 * them there); here a root keep would otherwise leave setuid files owned
 * by whoever the container named, or a 1777 directory other users could
 * plant files in. Files are 0644, or 0755 when any execute bit was set;
 * directories 0700. All belong to the user running keep.
 */
static unsigned int
host_mode(const struct build_context_entry *be)
{
	if (be->is_dir)
		return 0700;
	return be->mode & 0111 ? 0755 : 0644;
}

int
build_context_write_dir(const struct build_context *bc, const char *dir,
    struct keep_error **err)
{
	cleanup_free char *files = xasprintf("%s/files", dir);
	cleanup_free char *df = xasprintf("%s/Dockerfile", dir);
	cleanup_free char *ignore = xasprintf("%s/.dockerignore", dir);

	if (prepare_dir(dir, err) < 0)
		return -1;
	if (fs_mkdir_p(files, 0755, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < bc->n; i++) {
		const struct build_context_entry *be = &bc->v[i];
		cleanup_free char *p = xasprintf("%s%s", files, be->path);
		cleanup_free char *parent = xstrdup(p);

		*strrchr(parent, '/') = '\0';
		if (fs_mkdir_p(parent, 0755, files, err) < 0)
			return -1;
		if (be->is_dir) {
			if (mkdir(p, host_mode(be)) < 0 && errno != EEXIST)
				return keep_error_set(err, KEEP_ERR_FAILED,
				    "create '%s': %s", p, strerror(errno));
		} else if (fs_write_file_atomic(p, be->data.ptr ? be->data.ptr : "",
		    be->data.len, host_mode(be), err) < 0) {
			return -1;
		}
	}
	if (fs_write_file_atomic(ignore, build_context_dockerignore,
	    strlen(build_context_dockerignore), 0644, err) < 0)
		return -1;
	return fs_write_file_atomic(df, buf_cstr(&bc->dockerfile),
	    bc->dockerfile.len, 0644, err);
}

/*
 * Add the directories between files/ and entry i that the archive does not
 * hold yet. The entries are sorted, so everything below a directory D
 * stands together: D was made for an earlier entry exactly when D is an
 * entry itself or the entry before i is below D too. No set of made
 * directories to search.
 */
static int
add_parents(struct tar_writer *w, const struct build_context *bc, size_t i,
    char *const *paths, struct keep_error **err)
{
	const char *path = bc->v[i].path;
	const char *prev = i > 0 ? bc->v[i - 1].path : "";
	cleanup_free char *p = xstrdup(path);

	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		const char *key = p;
		size_t len = (size_t)(s - p);
		cleanup_free char *name = NULL;

		*s = '\0';
		if ((strncmp(prev, p, len) == 0 && prev[len] == '/') ||
		    bsearch(&key, paths, bc->n, sizeof(*paths), strv_cmp) != NULL) {
			*s = '/';
			continue;
		}
		name = xasprintf("files%s", p);
		*s = '/';
		if (tar_writer_add_dir(w, name, 0755, 0, 0, err) < 0)
			return -1;
	}
	return 0;
}

int
build_context_tar(const struct build_context *bc, struct buf *out,
    struct keep_error **err)
{
	struct tar_writer *w = tar_writer_new(out);
	char **paths = xcalloc(bc->n + 1, sizeof(*paths));
	int rc = -1;

	for (size_t i = 0; i < bc->n; i++)
		paths[i] = bc->v[i].path;	/* sorted like bc->v */
	if (tar_writer_add_file(w, "Dockerfile", buf_cstr(&bc->dockerfile),
	    bc->dockerfile.len, 0644, 0, 0, err) < 0 ||
	    tar_writer_add_file(w, ".dockerignore", build_context_dockerignore,
	    strlen(build_context_dockerignore), 0644, 0, 0, err) < 0 ||
	    tar_writer_add_dir(w, "files", 0755, 0, 0, err) < 0)
		goto out;
	for (size_t i = 0; i < bc->n; i++) {
		const struct build_context_entry *be = &bc->v[i];
		cleanup_free char *p = xasprintf("files%s", be->path);

		if (add_parents(w, bc, i, paths, err) < 0)
			goto out;
		if (be->is_dir) {
			if (i > 0 && strcmp(bc->v[i - 1].path, be->path) == 0)
				continue;
			if (tar_writer_add_dir(w, p, host_mode(be), 0, 0, err) < 0)
				goto out;
		} else if (tar_writer_add_file(w, p, be->data.ptr ? be->data.ptr : "",
		    be->data.len, host_mode(be), 0, 0, err) < 0) {
			goto out;
		}
	}
	rc = tar_writer_finish(w, err);
out:
	tar_writer_free(w);
	free(paths);
	return rc;
}
