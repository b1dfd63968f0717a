/*
 * The commit engine: recipes_stage writes what no reader of the branch
 * sees (objects, the commit, the files waiting in the git directory),
 * recipes_publish moves the files into NAME/, stages them and moves the
 * branch.
 */
#include "recipes/recipes_internal.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fs.h"
#include "util/xalloc.h"

int
recipes_valid_name(const char *name)
{
	const unsigned char *p;

	if (name == NULL || name[0] == '\0' || name[0] == '.')
		return 0;
	for (p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || strchr("/\\*?[]:", *p) != NULL)
			return 0;
	return 1;
}

/* A relative, normalised path without ".", ".." or ".git" components. */
static int
valid_relpath(const char *path)
{
	const char *p = path, *end;
	size_t len;

	if (path == NULL || path[0] == '\0' || path[0] == '/')
		return 0;
	for (;;) {
		end = strchr(p, '/');
		len = end ? (size_t)(end - p) : strlen(p);
		if (len == 0 || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.') ||
		    (len == 4 && strncasecmp(p, ".git", 4) == 0))
			return 0;
		for (size_t i = 0; i < len; i++)
			if ((unsigned char)p[i] < 0x20 || p[i] == '\\' ||
			    p[i] == 0x7f)
				return 0;
		if (end == NULL)
			return 1;
		p = end + 1;
	}
}

/* What the commit will make of one path under NAME/. */
struct target {
	char *path;		/* NAME/relpath */
	git_oid id;
	const struct recipe_file *file;
	int in_status;		/* git status lists it: write it whatever it holds */
	int write;		/* the work tree file gets the new content */
	char *tmp;		/* that content, written and synced, waiting to
				 * be renamed; NULL: not (yet) written */
};

/* A file under NAME/ in HEAD. */
struct old_entry {
	char *path;
	git_oid id;
};

struct old_list {
	struct old_entry *v;
	size_t n, cap;
	const char *name;
};

struct commit_state {
	struct recipes *r;
	const char *name;
	struct target *targets;
	size_t n_targets;
	struct old_list old;
	git_reference *head_ref;	/* NULL when the branch is unborn */
	git_commit *head_commit;
	git_tree *head_tree;		/* HEAD's tree, or the empty tree */
	git_index *index;
	git_oid tree_id;
	int unchanged;			/* NAME/ in HEAD already is the targets */
	git_oid commit_id;		/* the new commit, or HEAD's if unchanged */
	char *reflog;			/* the branch's reflog message */
};

static struct target *
find_target(struct commit_state *cs, const char *path)
{
	for (size_t i = 0; i < cs->n_targets; i++)
		if (strcmp(cs->targets[i].path, path) == 0)
			return &cs->targets[i];
	return NULL;
}

static int
collect_old(const char *root, const git_tree_entry *e, void *payload)
{
	struct old_list *ol = payload;

	if (lg.git_tree_entry_type(e) == GIT_OBJECT_TREE)
		return 0;
	if (ol->n == ol->cap) {
		ol->cap = ol->cap ? ol->cap * 2 : 8;
		ol->v = xrealloc(ol->v, ol->cap * sizeof(*ol->v));
	}
	ol->v[ol->n].path = xasprintf("%s/%s%s", ol->name, root,
	    lg.git_tree_entry_name(e));
	lg.git_oid_cpy(&ol->v[ol->n].id, lg.git_tree_entry_id(e));
	ol->n++;
	return 0;
}

/* Find HEAD, its tree (or an empty one) and the files under NAME/ in it. */
static int
load_head(struct commit_state *cs, struct keep_error **err)
{
	git_repository *repo = cs->r->repo;
	git_treebuilder *tb = NULL;
	git_tree_entry *entry = NULL;
	git_tree *sub = NULL;
	git_oid empty;
	int rc;

	rc = lg.git_repository_head(&cs->head_ref, repo);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		lg.git_error_clear();
		cs->head_ref = NULL;
		if ((rc = lg.git_treebuilder_new(&tb, repo, NULL)) < 0 ||
		    (rc = lg.git_treebuilder_write(&empty, tb)) < 0 ||
		    (rc = lg.git_tree_lookup(&cs->head_tree, repo, &empty)) < 0) {
			recipes_fail(err, rc, "create the empty tree");
			goto cleanup;
		}
		goto cleanup;
	}
	if (rc < 0) {
		recipes_fail(err, rc, "read HEAD");
		goto cleanup;
	}
	if (lg.git_repository_head_detached(repo) == 1) {
		rc = keep_error_set(err, KEEP_ERR_CONFLICT,
		    "HEAD is detached; check out a branch first");
		goto cleanup;
	}
	if ((rc = lg.git_reference_peel((git_object **)&cs->head_commit,
	    cs->head_ref, GIT_OBJECT_COMMIT)) < 0 ||
	    (rc = lg.git_commit_tree(&cs->head_tree, cs->head_commit)) < 0) {
		recipes_fail(err, rc, "read HEAD");
		goto cleanup;
	}

	rc = lg.git_tree_entry_bypath(&entry, cs->head_tree, cs->name);
	if (rc == GIT_ENOTFOUND) {
		lg.git_error_clear();
		rc = 0;
		goto cleanup;
	}
	if (rc < 0) {
		recipes_fail(err, rc, "read '%s' in HEAD", cs->name);
		goto cleanup;
	}
	if (lg.git_tree_entry_type(entry) != GIT_OBJECT_TREE) {
		rc = keep_error_set(err, KEEP_ERR_CONFLICT,
		    "'%s' in the recipe repository is not a directory",
		    cs->name);
		goto cleanup;
	}
	cs->old.name = cs->name;
	if ((rc = lg.git_tree_lookup(&sub, repo, lg.git_tree_entry_id(entry))) < 0 ||
	    (rc = lg.git_tree_walk(sub, GIT_TREEWALK_PRE, collect_old,
	    &cs->old)) < 0) {
		recipes_fail(err, rc, "read '%s' in HEAD", cs->name);
		goto cleanup;
	}

cleanup:
	lg.git_tree_free(sub);
	lg.git_tree_entry_free(entry);
	lg.git_treebuilder_free(tb);
	return rc < 0 ? -1 : 0;
}

/*
 * Whether the work tree file at path (relative to the work tree) holds
 * exactly what t will write, or is absent when t is NULL.
 */
static int
worktree_matches(struct commit_state *cs, const char *path,
    const struct target *t)
{
	cleanup_free char *full = xasprintf("%s/%s", cs->r->workdir, path);
	struct stat st;
	FILE *f;
	char chunk[8192];
	size_t off = 0, got;
	int same = 1;

	if (lstat(full, &st) < 0)
		return (errno == ENOENT || errno == ENOTDIR) && t == NULL;
	if (t == NULL || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size != t->file->len)
		return 0;
	if ((f = fopen(full, "rb")) == NULL)
		return 0;
	while (same && (got = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (got > t->file->len - off ||
		    memcmp(chunk, t->file->data + off, got) != 0)
			same = 0;
		off += got;
	}
	if (ferror(f) || off != t->file->len)
		same = 0;
	fclose(f);
	return same;
}

/* t's content is what HEAD has at its path. */
static int
unchanged_in_head(const struct commit_state *cs, const struct target *t)
{
	for (size_t i = 0; i < cs->old.n; i++)
		if (strcmp(cs->old.v[i].path, t->path) == 0)
			return lg.git_oid_equal(&cs->old.v[i].id, &t->id);
	return 0;
}

/*
 * Refuse when NAME/ has uncommitted changes. A path whose work tree
 * content already is the new content, and whose index entry is HEAD's or
 * the new one, is what an interrupted earlier commit left: not a conflict.
 */
static int
check_clean(struct commit_state *cs, struct keep_error **err)
{
	git_status_options so = GIT_STATUS_OPTIONS_INIT;
	git_status_list *list = NULL;
	char *spec = (char *)cs->name;
	size_t prefix = strlen(cs->name), count, i;
	const git_status_entry *se;
	const git_index_entry *ie;
	struct target *t;
	const char *path = NULL;
	int rc, dirty = 0;

	so.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
	so.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED |
	    GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS |
	    GIT_STATUS_OPT_INCLUDE_IGNORED |
	    GIT_STATUS_OPT_RECURSE_IGNORED_DIRS |
	    GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH |
	    GIT_STATUS_OPT_EXCLUDE_SUBMODULES;
	so.pathspec.strings = &spec;
	so.pathspec.count = 1;
	if ((rc = lg.git_status_list_new(&list, cs->r->repo, &so)) < 0)
		return recipes_fail(err, rc, "read the status of '%s'",
		    cs->name);

	count = lg.git_status_list_entrycount(list);
	for (i = 0; i < count && !dirty; i++) {
		se = lg.git_status_byindex(list, i);
		if (se->head_to_index != NULL)
			path = se->head_to_index->new_file.path;
		else if (se->index_to_workdir != NULL)
			path = se->index_to_workdir->new_file.path;
		else
			continue;
		if (strncmp(path, cs->name, prefix) != 0 || path[prefix] != '/')
			continue;
		t = find_target(cs, path);
		if (t != NULL)
			t->in_status = 1;
		if (se->status == GIT_STATUS_IGNORED && t == NULL)
			continue;	/* not ours, and left alone */
		if ((se->status & GIT_STATUS_CONFLICTED) ||
		    !worktree_matches(cs, path, t)) {
			dirty = 1;
			break;
		}
		if (se->status & (GIT_STATUS_INDEX_NEW |
		    GIT_STATUS_INDEX_MODIFIED | GIT_STATUS_INDEX_DELETED |
		    GIT_STATUS_INDEX_RENAMED | GIT_STATUS_INDEX_TYPECHANGE)) {
			ie = lg.git_index_get_bypath(cs->index, path, 0);
			if (t != NULL ? ie == NULL ||
			    !lg.git_oid_equal(&ie->id, &t->id) : ie != NULL)
				dirty = 1;
		}
	}
	if (dirty)
		keep_error_set(err, KEEP_ERR_CONFLICT,
		    "'%s' has uncommitted changes in the recipe repository "
		    "(see git -C '%s' status -- '%s'); commit or discard them "
		    "first", path, cs->r->workdir, cs->name);
	lg.git_status_list_free(list);
	return dirty ? -1 : 0;
}

/* The new tree: HEAD's with NAME/ replaced by the targets. */
static int
build_tree(struct commit_state *cs, struct keep_error **err)
{
	git_tree_update *up;
	size_t n = 0, i;
	int rc;

	up = xcalloc(cs->n_targets + cs->old.n + 1, sizeof(*up));
	for (i = 0; i < cs->n_targets; i++) {
		up[n].action = GIT_TREE_UPDATE_UPSERT;
		lg.git_oid_cpy(&up[n].id, &cs->targets[i].id);
		up[n].filemode = GIT_FILEMODE_BLOB;
		up[n].path = cs->targets[i].path;
		n++;
	}
	for (i = 0; i < cs->old.n; i++) {
		if (find_target(cs, cs->old.v[i].path) != NULL)
			continue;
		up[n].action = GIT_TREE_UPDATE_REMOVE;
		up[n].path = cs->old.v[i].path;
		n++;
	}
	rc = lg.git_tree_create_updated(&cs->tree_id, cs->r->repo, cs->head_tree,
	    n, up);
	free(up);
	if (rc < 0)
		return recipes_fail(err, rc, "build the tree");
	return 0;
}

/* A staged file: WAITING_PREFIX, the pid of the keep that wrote it, '-'. */
#define WAITING_PREFIX "keep-write-"

/*
 * Remove the staged files of keeps that are gone (killed during their
 * engine commit). A live one's, or one we cannot tell, stays.
 */
static void
sweep_waiting(const char *gitdir)
{
	const size_t plen = strlen(WAITING_PREFIX);
	struct dirent *de;
	DIR *d;

	if ((d = opendir(gitdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		char *end;
		long pid;

		if (strncmp(de->d_name, WAITING_PREFIX, plen) != 0)
			continue;
		pid = strtol(de->d_name + plen, &end, 10);
		if (end == de->d_name + plen || *end != '-' || pid <= 0 ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		unlinkat(dirfd(d), de->d_name, 0);
	}
	closedir(d);
}

/*
 * Write a target's content ahead of its rename, in the git directory: a
 * file left by a save killed before the rename must not show up as an
 * uncommitted change under NAME/ and block every later commit (and the
 * next stage sweeps it away). Where the git directory takes no file, the
 * target stays unstaged and is written when published.
 */
static void
stage_file(const char *gitdir, struct target *t)
{
	t->tmp = xasprintf("%s/" WAITING_PREFIX "%ld-XXXXXX", gitdir,
	    (long)getpid());
	fs_write_temp(&t->tmp, t->file->data, t->file->len, 0644);
}

/*
 * Put t's content at its path: rename its staged file over it, or (none,
 * or on another filesystem) write it beside it and rename that.
 */
static int
place_file(const char *workdir, struct target *t, struct stat *st_out,
    struct keep_error **err)
{
	cleanup_free char *full = xasprintf("%s/%s", workdir, t->path);
	cleanup_free char *parent = xstrndup(full, (size_t)(strrchr(full, '/') - full));

	if (fs_mkdir_p(parent, 0777, workdir, err) < 0)
		return -1;
	if (t->tmp != NULL && rename(t->tmp, full) < 0) {
		unlink(t->tmp);
		free(t->tmp);
		t->tmp = NULL;
	}
	if (t->tmp == NULL) {
		t->tmp = xasprintf("%s.keep-XXXXXX", full);
		if (fs_write_temp(&t->tmp, t->file->data, t->file->len, 0644) < 0 ||
		    rename(t->tmp, full) < 0)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "write '%s': %s", full, strerror(errno));
	}
	free(t->tmp);
	t->tmp = NULL;
	if (lstat(full, st_out) < 0)
		return keep_error_set(err, KEEP_ERR_FAILED, "stat '%s': %s",
		    full, strerror(errno));
	return 0;
}

/* Remove a file and then its parent directories up to NAME/ as they empty. */
static int
remove_file(const char *workdir, const char *path, struct keep_error **err)
{
	cleanup_free char *full = xasprintf("%s/%s", workdir, path);
	size_t stop = strlen(workdir);
	char *slash;

	if (unlink(full) < 0 && errno != ENOENT && errno != ENOTDIR)
		return keep_error_set(err, KEEP_ERR_FAILED, "remove '%s': %s",
		    full, strerror(errno));
	while ((slash = strrchr(full, '/')) != NULL &&
	    (size_t)(slash - full) > stop) {
		*slash = '\0';
		if (rmdir(full) < 0)
			break;	/* not empty, or already gone: done */
	}
	return 0;
}

static void
fill_index_entry(git_index_entry *ie, const struct stat *st,
    const struct target *t)
{
	memset(ie, 0, sizeof(*ie));
	ie->ctime.seconds = (int32_t)st->st_ctim.tv_sec;
	ie->ctime.nanoseconds = (uint32_t)st->st_ctim.tv_nsec;
	ie->mtime.seconds = (int32_t)st->st_mtim.tv_sec;
	ie->mtime.nanoseconds = (uint32_t)st->st_mtim.tv_nsec;
	ie->dev = (uint32_t)st->st_dev;
	ie->ino = (uint32_t)st->st_ino;
	ie->mode = GIT_FILEMODE_BLOB;
	ie->uid = (uint32_t)st->st_uid;
	ie->gid = (uint32_t)st->st_gid;
	ie->file_size = (uint32_t)st->st_size;
	lg.git_oid_cpy(&ie->id, &t->id);
	ie->path = t->path;
}

/*
 * Bring the work tree and the index in line with the new tree, for NAME/
 * only. Done before the branch moves, so that a crash leaves the state
 * that check_clean accepts as a leftover. The index is read again first:
 * another save may have written it since the commit was staged.
 */
static int
update_worktree_and_index(struct commit_state *cs, struct keep_error **err)
{
	const char *wd = cs->r->workdir;
	git_index_entry ie;
	struct stat st;
	size_t i;
	int rc;

	if ((rc = lg.git_index_read(cs->index, 1)) < 0)
		return recipes_fail(err, rc, "read the index");
	for (i = 0; i < cs->old.n; i++) {
		if (find_target(cs, cs->old.v[i].path) != NULL)
			continue;
		if (remove_file(wd, cs->old.v[i].path, err) < 0)
			return -1;
		rc = lg.git_index_remove(cs->index, cs->old.v[i].path, 0);
		if (rc < 0 && rc != GIT_ENOTFOUND)
			return recipes_fail(err, rc, "unstage '%s'",
			    cs->old.v[i].path);
		lg.git_error_clear();
	}
	for (i = 0; i < cs->n_targets; i++) {
		struct target *t = &cs->targets[i];

		if (!t->write)
			continue;	/* the file already holds it */
		if (place_file(wd, t, &st, err) < 0)
			return -1;
		fill_index_entry(&ie, &st, t);
		if ((rc = lg.git_index_add(cs->index, &ie)) < 0)
			return recipes_fail(err, rc, "stage '%s'", t->path);
	}
	if ((rc = lg.git_index_write(cs->index)) < 0)
		return recipes_fail(err, rc, "write the index");
	return 0;
}

int
recipes_signature(git_repository *repo, git_signature **out,
    struct keep_error **err)
{
	git_config *cfg = NULL;
	const char *v;
	char host[256];
	cleanup_free char *name = NULL, *email = NULL;
	int rc;

	if (lg.git_signature_default(out, repo) == 0)
		return 0;
	lg.git_error_clear();
	if (lg.git_repository_config_snapshot(&cfg, repo) == 0) {
		if (lg.git_config_get_string(&v, cfg, "user.name") == 0 && *v)
			name = xstrdup(v);
		if (lg.git_config_get_string(&v, cfg, "user.email") == 0 && *v)
			email = xstrdup(v);
		lg.git_config_free(cfg);
	}
	lg.git_error_clear();
	if (name == NULL)
		name = xstrdup("keep");
	if (email == NULL) {
		if (gethostname(host, sizeof(host)) < 0 || host[0] == '\0')
			strcpy(host, "localhost");
		host[sizeof(host) - 1] = '\0';
		email = xasprintf("keep@%s", host);
	}
	if ((rc = lg.git_signature_now(out, name, email)) < 0)
		return recipes_fail(err, rc, "make the commit signature");
	return 0;
}

static void
commit_state_release(struct commit_state *cs)
{
	size_t i;

	for (i = 0; i < cs->n_targets; i++) {
		free(cs->targets[i].path);
		if (cs->targets[i].tmp != NULL) {
			unlink(cs->targets[i].tmp);
			free(cs->targets[i].tmp);
		}
	}
	free(cs->targets);
	for (i = 0; i < cs->old.n; i++)
		free(cs->old.v[i].path);
	free(cs->old.v);
	free(cs->reflog);
	lg.git_index_free(cs->index);
	lg.git_tree_free(cs->head_tree);
	lg.git_commit_free(cs->head_commit);
	lg.git_reference_free(cs->head_ref);
}

/*
 * All of a commit that a reader of the branch does not see: the objects,
 * the new commit (its parent HEAD as it is now) and the files to write,
 * synced in .git/. publish_commit then shows it.
 */
static int
stage_commit(struct commit_state *cs, const struct recipe_file *files,
    size_t n, const char *message, struct keep_error **err)
{
	git_repository *repo = cs->r->repo;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	const git_commit *parents[1];
	cleanup_free char *msg = NULL;
	size_t i, j, mlen;
	int rc = -1;

	for (i = 0; i < n; i++) {
		if (!valid_relpath(files[i].path))
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "invalid file name '%s'", files[i].path);
		for (j = 0; j < i; j++)
			if (strcmp(files[i].path, files[j].path) == 0)
				return keep_error_set(err, KEEP_ERR_FAILED,
				    "file '%s' given twice", files[i].path);
	}
	cs->targets = xcalloc(n ? n : 1, sizeof(*cs->targets));
	for (i = 0; i < n; i++) {
		struct target *t = &cs->targets[cs->n_targets++];

		t->path = xasprintf("%s/%s", cs->name, files[i].path);
		t->file = &files[i];
		if ((rc = lg.git_blob_create_from_buffer(&t->id, repo,
		    files[i].data, files[i].len)) < 0)
			return recipes_fail(err, rc, "store '%s'", t->path);
	}

	if (load_head(cs, err) < 0)
		return -1;
	if ((rc = lg.git_repository_index(&cs->index, repo)) < 0 ||
	    (rc = lg.git_index_read(cs->index, 1)) < 0)
		return recipes_fail(err, rc, "read the index");
	if (check_clean(cs, err) < 0 || build_tree(cs, err) < 0)
		return -1;

	if (cs->head_commit != NULL &&
	    lg.git_oid_equal(&cs->tree_id, lg.git_tree_id(cs->head_tree))) {
		/* Nothing changed: no empty commit. */
		cs->unchanged = 1;
		lg.git_oid_cpy(&cs->commit_id, lg.git_commit_id(cs->head_commit));
		return 0;
	}

	for (i = 0; i < cs->n_targets; i++) {
		struct target *t = &cs->targets[i];

		/* Clean and the same as in HEAD: the file already holds it. */
		if (!t->in_status && unchanged_in_head(cs, t))
			continue;
		t->write = 1;
		stage_file(cs->r->gitdir, t);
	}

	mlen = strlen(message);
	msg = mlen > 0 && message[mlen - 1] == '\n' ? xstrdup(message) :
	    xasprintf("%s\n", message);
	/* As git writes it: "commit: " and the subject. */
	cs->reflog = xasprintf("commit%s: %.*s", cs->head_commit ? "" :
	    " (initial)", (int)strcspn(msg, "\n"), msg);
	if (recipes_signature(repo, &sig, err) < 0)
		goto cleanup;
	if ((rc = lg.git_tree_lookup(&tree, repo, &cs->tree_id)) < 0) {
		recipes_fail(err, rc, "read the new tree");
		goto cleanup;
	}
	parents[0] = cs->head_commit;
	rc = lg.git_commit_create(&cs->commit_id, repo, NULL, sig, sig, NULL,
	    msg, tree, cs->head_commit != NULL ? 1 : 0, parents);
	if (rc < 0)
		recipes_fail(err, rc, "create the commit");

cleanup:
	lg.git_tree_free(tree);
	lg.git_signature_free(sig);
	return rc < 0 ? -1 : 0;
}

/* HEAD's branch (NULL: unborn) is still what stage_commit found. */
static int
head_unmoved(struct commit_state *cs, struct keep_error **err)
{
	git_reference *head = NULL;
	int rc, same;

	rc = lg.git_repository_head(&head, cs->r->repo);
	if (rc == GIT_EUNBORNBRANCH || rc == GIT_ENOTFOUND) {
		lg.git_error_clear();
		return cs->head_ref == NULL;
	}
	if (rc < 0)
		return recipes_fail(err, rc, "read HEAD");
	same = cs->head_ref != NULL && lg.git_reference_target(head) != NULL &&
	    strcmp(lg.git_reference_name(head),
	    lg.git_reference_name(cs->head_ref)) == 0 &&
	    lg.git_oid_equal(lg.git_reference_target(head),
	    lg.git_commit_id(cs->head_commit));
	lg.git_reference_free(head);
	return same;
}

/* Move HEAD's branch from the staged parent to the staged commit. */
static int
move_branch(struct commit_state *cs, struct keep_error **err)
{
	git_repository *repo = cs->r->repo;
	git_reference *head = NULL, *moved = NULL;
	int rc;

	if (cs->head_ref != NULL) {
		rc = lg.git_reference_create_matching(&moved, repo,
		    lg.git_reference_name(cs->head_ref), &cs->commit_id, 1,
		    lg.git_commit_id(cs->head_commit), cs->reflog);
	} else if ((rc = lg.git_reference_lookup(&head, repo, "HEAD")) == 0) {
		const char *branch = lg.git_reference_symbolic_target(head);

		rc = branch == NULL ? GIT_EMODIFIED :
		    lg.git_reference_create(&moved, repo, branch,
		    &cs->commit_id, 0, cs->reflog);
	}
	lg.git_reference_free(head);
	lg.git_reference_free(moved);
	if (rc == GIT_EMODIFIED || rc == GIT_EEXISTS) {
		lg.git_error_clear();
		return 1;
	}
	if (rc < 0)
		return recipes_fail(err, rc, "move the branch");
	return 0;
}

/* 0 shown, 1 the branch moved since the commit was staged, -1 error. */
static int
publish_commit(struct commit_state *cs, char **commit_id_out,
    struct keep_error **err)
{
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	if ((rc = head_unmoved(cs, err)) <= 0)
		return rc < 0 ? -1 : 1;
	if (!cs->unchanged) {
		if (update_worktree_and_index(cs, err) < 0)
			return -1;
		if ((rc = move_branch(cs, err)) != 0)
			return rc;
	}
	if (commit_id_out != NULL) {
		lg.git_oid_tostr(hex, sizeof(hex), &cs->commit_id);
		*commit_id_out = xstrdup(hex);
	}
	return 0;
}

struct recipes_staged {
	struct commit_state cs;
	char *name;
};

void
recipes_staged_free(struct recipes_staged *st)
{
	if (st == NULL)
		return;
	commit_state_release(&st->cs);
	free(st->name);
	free(st);
}

int
recipes_stage(struct recipes *r, const char *name,
    const struct recipe_file *files, size_t n, const char *message,
    struct recipes_staged **out, struct keep_error **err)
{
	struct recipes_staged *st;

	assert(message != NULL);
	*out = NULL;
	if (!recipes_valid_name(name))
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "commit recipe: invalid recipe name '%s'",
		    name ? name : "");
	sweep_waiting(r->gitdir);
	st = xcalloc(1, sizeof(*st));
	st->name = xstrdup(name);
	st->cs.r = r;
	st->cs.name = st->name;
	if (stage_commit(&st->cs, files, n, message, err) < 0) {
		recipes_staged_free(st);
		return keep_error_wrap(err, "commit recipe '%s'", name);
	}
	*out = st;
	return 0;
}

int
recipes_publish(struct recipes_staged *st, char **commit_id_out,
    struct keep_error **err)
{
	int rc;

	if (commit_id_out != NULL)
		*commit_id_out = NULL;
	if ((rc = publish_commit(&st->cs, commit_id_out, err)) < 0)
		return keep_error_wrap(err, "commit recipe '%s'", st->name);
	return rc;
}

int
recipes_commit(struct recipes *r, const char *name,
    const struct recipe_file *files, size_t n, const char *message,
    char **commit_id_out, struct keep_error **err)
{
	struct recipes_staged *st;
	int rc;

	if (commit_id_out != NULL)
		*commit_id_out = NULL;
	if (recipes_stage(r, name, files, n, message, &st, err) < 0)
		return -1;
	rc = recipes_publish(st, commit_id_out, err);
	recipes_staged_free(st);
	if (rc == 1)
		return keep_error_set(err, KEEP_ERR_CONFLICT, "commit recipe "
		    "'%s': the branch moved while committing; try again", name);
	return rc;
}
