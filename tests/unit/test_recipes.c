/*
 * The recipe repository against real repositories in a temporary directory,
 * checked with the real git binary. HOME points into the temporary
 * directory so that the user's git configuration stays out.
 */
#include "recipes/recipes.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"
#include "util/buf.h"
#include "util/xalloc.h"

static char *root;	/* the temporary directory */

/* Run a shell command and return its stdout without trailing newlines. */
static char *
sh(int *status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *
sh(int *status, const char *fmt, ...)
{
	struct buf out = BUF_INIT;
	char chunk[4096], *cmd;
	va_list ap;
	size_t n;
	FILE *p;
	int st;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
	p = popen(cmd, "r");
	free(cmd);
	if (p == NULL) {
		if (status)
			*status = -1;
		return xstrdup("");
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		buf_add(&out, chunk, n);
	st = pclose(p);
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	while (out.len > 0 && out.ptr[out.len - 1] == '\n')
		buf_truncate(&out, out.len - 1);
	if (out.ptr == NULL)
		return xstrdup("");
	return buf_detach(&out, NULL);
}

/* Run a shell command quietly; its exit status. */
static int
run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
run(const char *fmt, ...)
{
	char *cmd, *full;
	va_list ap;
	int st;

	va_start(ap, fmt);
	cmd = xvasprintf(fmt, ap);
	va_end(ap);
	full = xasprintf("( %s ) >/dev/null 2>&1", cmd);
	fflush(stdout);
	st = system(full);
	free(cmd);
	free(full);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static char *
read_text(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return b.ptr ? buf_detach(&b, NULL) : xstrdup("");
}

/* write_text of dir/rel. */
static void
put(const char *dir, const char *rel, const char *text)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, rel);

	write_text(path, text);
}

/* read_text of dir/rel; the caller frees. */
static char *
get(const char *dir, const char *rel)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, rel);

	return read_text(path);
}

static int
is_hex40(const char *s)
{
	if (s == NULL || strlen(s) != 40)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return 0;
	return 1;
}

/* Commit {Dockerfile, keep.lock} (keep.lock left out when lock is NULL). */
static int
commit2(struct recipes *r, const char *name, const char *dockerfile,
    const char *lock, const char *msg, char **id, struct keep_error **err)
{
	struct recipe_file files[2] = {
		{ "Dockerfile", dockerfile, strlen(dockerfile) },
		{ "keep.lock", lock, lock ? strlen(lock) : 0 },
	};

	return recipes_commit(r, name, files, lock ? 2 : 1, msg, id, err);
}

static void
test_new_repo(void)
{
	cleanup_free char *dir = xasprintf("%s/a/b/recipes", root);
	char *id1 = NULL, *id2 = NULL, *id3 = NULL, *s;
	struct keep_error *err = NULL;
	struct recipes *r = NULL;
	char host[256];
	int rc;

	rc = recipes_open(dir, &r, &err);
	ok(rc == 0 && r != NULL, "open creates a missing repository, parents too");
	if (rc < 0) {
		printf("# %s\n", err->message);
		keep_error_free(err);
		return;
	}
	ok(run("test -d %s/.git", dir) == 0, "it is a non-bare repository");

	rc = commit2(r, "dev1", "FROM debian\n", "dpkg curl 7.88\n",
	    "save dev1 #1", &id1, &err);
	ok(rc == 0 && is_hex40(id1), "first commit returns a commit id");
	if (rc < 0) {
		printf("# %s\n", err->message);
		keep_error_free(err);
		err = NULL;
	}
	s = sh(NULL, "git -C %s rev-parse HEAD", dir);
	is_str(s, id1, "HEAD is the new commit");
	free(s);
	s = sh(NULL, "git -C %s log --format=%%s", dir);
	is_str(s, "save dev1 #1", "one commit, with the message");
	free(s);
	s = sh(NULL, "git -C %s status --porcelain", dir);
	is_str(s, "", "git status is clean after the first commit");
	free(s);
	s = sh(NULL, "git -C %s ls-tree -r --name-only HEAD", dir);
	is_str(s, "dev1/Dockerfile\ndev1/keep.lock", "the tree holds the files");
	free(s);

	gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	s = sh(NULL, "git -C %s log -1 --format='%%an <%%ae>|%%cn <%%ce>'", dir);
	{
		cleanup_free char *want = xasprintf("keep <keep@%s>|keep <keep@%s>",
		    host, host);
		is_str(s, want, "without user.name the author is keep@HOSTNAME");
	}
	free(s);

	s = sh(NULL, "git -C %s show HEAD:dev1/Dockerfile", dir);
	is_str(s, "FROM debian", "with the committed content");
	free(s);

	rc = commit2(r, "dev1", "FROM debian:bookworm\n", "dpkg curl 7.88\n",
	    "save dev1 #2", &id2, &err);
	ok(rc == 0 && is_hex40(id2) && strcmp(id1, id2) != 0,
	    "second commit returns a new id");
	s = sh(NULL, "git -C %s rev-parse HEAD^", dir);
	is_str(s, id1, "its parent is the first commit");
	free(s);
	s = sh(NULL, "git -C %s rev-list --count HEAD", dir);
	is_str(s, "2", "two commits");
	free(s);

	rc = commit2(r, "dev1", "FROM debian:bookworm\n", "dpkg curl 7.88\n",
	    "save dev1 #3", &id3, &err);
	ok(rc == 0 && id3 && strcmp(id3, id2) == 0,
	    "unchanged files make no commit and return HEAD");
	free(id3);
	id3 = NULL;
	s = sh(NULL, "git -C %s rev-list --count HEAD", dir);
	is_str(s, "2", "still two commits");
	free(s);

	rc = commit2(r, "dev1", "FROM debian:bookworm\n", NULL,
	    "save dev1 #4", &id3, &err);
	ok(rc == 0, "commit without keep.lock");
	s = sh(NULL, "git -C %s ls-tree -r --name-only HEAD", dir);
	is_str(s, "dev1/Dockerfile", "a file left out of the set leaves the tree");
	free(s);
	ok(run("test -e %s/dev1/keep.lock", dir) != 0,
	    "and the work tree");
	s = sh(NULL, "git -C %s status --porcelain", dir);
	is_str(s, "", "git status is clean after removing a file");
	free(s);

	ok(recipes_commit_exists(r, id1) == 1, "commit_exists: first commit");
	ok(recipes_commit_exists(r, id3) == 1, "commit_exists: HEAD");
	ok(recipes_commit_exists(r,
	    "0123456789012345678901234567890123456789") == 0,
	    "commit_exists: unknown id");
	ok(recipes_commit_exists(r, "not hex") == 0, "commit_exists: garbage");

	rc = recipes_commit(r, "../evil", NULL, 0, "x", NULL, &err);
	ok(rc < 0 && err != NULL, "an invalid recipe name is refused");
	keep_error_free(err);
	err = NULL;
	{
		struct recipe_file bad = { "../x", "x", 1 };

		rc = recipes_commit(r, "dev1", &bad, 1, "x", NULL, &err);
		ok(rc < 0 && err != NULL, "a file path with '..' is refused");
		keep_error_free(err);
		err = NULL;
	}

	free(id1);
	free(id2);
	free(id3);
	recipes_close(r);
}

/* A repository the user made, with history and uncommitted work. */
static void
test_shared_repo(void)
{
	cleanup_free char *dir = xasprintf("%s/shared", root);
	char *c1 = NULL, *c2 = NULL, *c3 = NULL, *c4 = NULL, *s, *t;
	struct keep_error *err = NULL;
	struct recipes *r = NULL;
	int rc;

	ok(run("git init -q %s && mkdir %s/other && echo hello > %s/other/README"
	    " && git -C %s add other && git -C %s -c user.name=U"
	    " -c user.email=u@x commit -q -m 'user commit'",
	    dir, dir, dir, dir, dir) == 0, "set up a repository with a commit");
	put(dir, "notes.txt", "mine\n");
	put(dir, "other/README", "changed\n");
	put(dir, "staged.txt", "staged\n");
	run("git -C %s add staged.txt", dir);
	t = sh(NULL, "git -C %s status --porcelain", dir);

	rc = recipes_open(dir, &r, &err);
	ok(rc == 0, "open an existing repository");
	if (rc < 0) {
		printf("# %s\n", err->message);
		keep_error_free(err);
		free(t);
		return;
	}
	rc = commit2(r, "dev1", "FROM a\n", "l1\n", "save dev1", &c1, &err);
	ok(rc == 0, "commit into a repository with history");
	s = sh(NULL, "git -C %s rev-list --count HEAD", dir);
	is_str(s, "2", "on top of the user's commit");
	free(s);
	s = sh(NULL, "git -C %s diff-tree --no-commit-id --name-only -r HEAD",
	    dir);
	is_str(s, "dev1/Dockerfile\ndev1/keep.lock",
	    "the commit holds only the recipe, not the user's staged file");
	free(s);
	s = sh(NULL, "git -C %s status --porcelain", dir);
	is_str(s, t, "the user's uncommitted and staged files stay as they were");
	free(s);
	free(t);
	s = get(dir, "other/README");
	is_str(s, "changed\n", "the user's edit is untouched");
	free(s);

	/* Uncommitted edits under dev1/ are refused, and left alone. */
	put(dir, "dev1/Dockerfile", "FROM mine\n");
	rc = commit2(r, "dev1", "FROM b\n", "l1\n", "save dev1", &c2, &err);
	ok(rc < 0 && err && err->kind == KEEP_ERR_CONFLICT,
	    "a modified file under dev1/ is a conflict");
	ok(err && strstr(err->message, "commit recipe 'dev1': ") == err->message &&
	    strstr(err->message, "uncommitted"), "with a clear message");
	if (err)
		printf("# %s\n", err->message);
	keep_error_free(err);
	err = NULL;
	s = get(dir, "dev1/Dockerfile");
	is_str(s, "FROM mine\n", "the user's edit survives the refusal");
	free(s);
	run("git -C %s checkout -- dev1", dir);

	put(dir, "dev1/extra", "x\n");
	rc = commit2(r, "dev1", "FROM b\n", "l1\n", "save dev1", &c2, &err);
	ok(rc < 0 && err && err->kind == KEEP_ERR_CONFLICT,
	    "an untracked file under dev1/ is a conflict");
	keep_error_free(err);
	err = NULL;
	{ cleanup_free char *x_ = xasprintf("%s/dev1/extra", dir); unlink(x_); };

	put(dir, "dev1/keep.lock", "staged\n");
	run("git -C %s add dev1/keep.lock && git -C %s checkout -- dev1", dir,
	    dir);
	rc = commit2(r, "dev1", "FROM b\n", "l1\n", "save dev1", &c2, &err);
	ok(rc < 0 && err && err->kind == KEEP_ERR_CONFLICT,
	    "a staged change under dev1/ is a conflict");
	keep_error_free(err);
	err = NULL;
	run("git -C %s reset -q -- dev1 && git -C %s checkout -- dev1", dir,
	    dir);

	/* What an interrupted run left (same content) is completed. */
	put(dir, "dev1/Dockerfile", "FROM b\n");
	rc = commit2(r, "dev1", "FROM b\n", "l1\n", "save dev1 again", &c2,
	    &err);
	ok(rc == 0, "a leftover with the new content is not a conflict");
	if (rc < 0) {
		printf("# %s\n", err->message);
		keep_error_free(err);
		err = NULL;
	}
	s = sh(NULL, "git -C %s status --porcelain dev1", dir);
	is_str(s, "", "dev1/ is clean");
	free(s);

	rc = commit2(r, "dev2", "FROM c\n", "l2\n", "save dev2", &c3, &err);
	ok(rc == 0, "commit another recipe");
	run("git -C %s add other && git -C %s -c user.name=U -c user.email=u@x"
	    " commit -q -m 'user edit'", dir, dir);
	rc = commit2(r, "dev1", "FROM d\n", "l1\n", "save dev1 #3", &c4, &err);
	ok(rc == 0, "commit after a user's commit");

	s = sh(NULL, "git -C %s log --format=%%H -- dev1", dir);
	t = xasprintf("%s\n%s\n%s", c4, c2, c1);
	is_str(s, t, "git log -- dev1 lists the commits made for dev1, newest "
	    "first");
	free(s);
	free(t);
	s = sh(NULL, "git -C %s log --format=%%H -- dev2/Dockerfile", dir);
	is_str(s, c3, "and git log of one file the one for it");
	free(s);

	/* A commit object that no branch reaches is not "in the repository". */
	s = sh(NULL, "git -C %s -c user.name=U -c user.email=u@x commit-tree"
	    " -m dangling HEAD^{tree}", dir);
	ok(is_hex40(s) && recipes_commit_exists(r, s) == 0,
	    "commit_exists: an unreachable commit does not count");
	free(s);

	rc = recipes_commit(r, "dev2", NULL, 0, "forget dev2", NULL, &err);
	ok(rc == 0, "commit an empty file set");
	s = sh(NULL, "git -C %s ls-tree --name-only HEAD", dir);
	/* staged.txt went in with the user's own commit above */
	is_str(s, "dev1\nother\nstaged.txt",
	    "the recipe directory is gone from the tree");
	free(s);
	ok(run("test -e %s/dev2", dir) != 0, "and from the work tree");

	free(c1);
	free(c2);
	free(c3);
	free(c4);
	recipes_close(r);
}

/* Files waiting in .git/ for their rename: none once a stage is done. */
static char *
leftovers(const char *dir)
{
	return sh(NULL, "ls -a %s/.git | grep -c keep-write", dir);
}

/*
 * recipes_stage makes nothing a reader of the branch sees; recipes_publish
 * then shows exactly what recipes_commit would have made, unless the
 * branch moved since, when it changes nothing and says so.
 */
static void
test_staged(void)
{
	cleanup_free char *dir = xasprintf("%s/staged", root);
	struct recipe_file v1[2] = {
		{ "Dockerfile", "FROM a\n", 7 }, { "keep.lock", "l1\n", 3 },
	};
	struct recipe_file v2[1] = { { "Dockerfile", "FROM b\n", 7 } };
	struct recipes_staged *st = NULL;
	struct keep_error *err = NULL;
	struct recipes *r = NULL;
	char *id = NULL, *s, *before;
	int rc;

	ok(run("git init -q -b trunk %s", dir) == 0, "an empty repository on "
	    "branch trunk");
	if (recipes_open(dir, &r, &err) < 0) {
		printf("# %s\n", err->message);
		keep_error_free(err);
		return;
	}
	rc = recipes_stage(r, "dev1", v1, 2, "save dev1 #1", &st, &err);
	ok(rc == 0 && st != NULL, "stage the first commit of an unborn branch");
	s = sh(NULL, "git -C %s rev-parse -q --verify trunk || echo unborn", dir);
	is_str(s, "unborn", "staging made no commit on the branch");
	free(s);
	s = sh(NULL, "git -C %s status --porcelain --ignored", dir);
	is_str(s, "", "nor anything in the work tree");
	free(s);
	rc = recipes_publish(st, &id, &err);
	ok(rc == 0 && is_hex40(id), "publish it");
	s = sh(NULL, "git -C %s rev-parse trunk", dir);
	is_str(s, id, "the branch HEAD names is at the published commit");
	free(s);
	s = sh(NULL, "git -C %s status --porcelain --ignored; cat %s/dev1/Dockerfile",
	    dir, dir);
	is_str(s, "FROM a", "the files are in place and git status is clean");
	free(s);
	s = sh(NULL, "git -C %s reflog -1 --format=%%gs", dir);
	is_str(s, "commit (initial): save dev1 #1", "the reflog says what git's "
	    "would");
	free(s);
	recipes_staged_free(st);
	free(id);
	id = NULL;

	/* A second commit staged, then the branch moves under it. */
	rc = recipes_stage(r, "dev1", v2, 1, "save dev1 #2", &st, &err);
	ok(rc == 0, "stage a second commit");
	before = leftovers(dir);
	is_str(before, "1", "its changed file waits, synced, in .git/");
	free(before);
	ok(run("cd %s && echo x > other && git add other && git -c user.name=U"
	    " -c user.email=u@x commit -q -m other", dir) == 0,
	    "someone else commits meanwhile");
	before = sh(NULL, "git -C %s rev-parse HEAD", dir);
	rc = recipes_publish(st, &id, &err);
	ok(rc == 1 && id == NULL, "publish says the branch moved");
	s = sh(NULL, "git -C %s rev-parse HEAD; git -C %s status --porcelain;"
	    " cat %s/dev1/Dockerfile", dir, dir, dir);
	{
		cleanup_free char *want = xasprintf("%s\nFROM a", before);

		is_str(s, want, "and left the branch and the work tree alone");
	}
	free(s);
	free(before);
	recipes_staged_free(st);
	s = leftovers(dir);
	is_str(s, "0", "freeing the stage removes its waiting file");
	free(s);
	rc = recipes_commit(r, "dev1", v2, 1, "save dev1 #2", &id, &err);
	ok(rc == 0, "a commit afresh goes through");
	s = sh(NULL, "git -C %s log --format=%%s | head -2; git -C %s ls-tree "
	    "-r --name-only HEAD dev1; git -C %s status --porcelain", dir, dir,
	    dir);
	is_str(s, "save dev1 #2\nother\ndev1/Dockerfile", "on top of the other "
	    "commit, keep.lock gone, status clean");
	free(s);
	free(id);
	id = NULL;

	/* A killed keep's waiting file goes; a live one's stays. */
	{
		pid_t dead = fork();

		if (dead == 0)
			_exit(0);
		waitpid(dead, NULL, 0);
		s = xasprintf("%s/.git/keep-write-%ld-dead", dir, (long)dead);
		write_text(s, "x");
		free(s);
		s = xasprintf("%s/.git/keep-write-%ld-live", dir, (long)getpid());
		write_text(s, "x");
		free(s);
	}

	/* Staged and dropped: as if never made. */
	rc = recipes_stage(r, "dev1", v1, 2, "save dev1 #3", &st, &err);
	ok(rc == 0, "stage a third commit");
	recipes_staged_free(st);
	s = sh(NULL, "git -C %s log -1 --format=%%s; git -C %s status "
	    "--porcelain; ls -a %s/.git | grep -c keep-write", dir, dir, dir);
	is_str(s, "save dev1 #2\n1", "dropping a stage leaves no commit, no "
	    "change, no file of its own");
	free(s);
	s = sh(NULL, "ls -a %s/.git | grep keep-write | sed 's/.*-//'", dir);
	is_str(s, "live", "staging swept the file of a keep that is gone, not "
	    "a live one's");
	free(s);
	ok(run("git -C %s fsck --no-dangling", dir) == 0, "git fsck is happy");
	recipes_close(r);
	r = NULL;

	/* A worktree: its .git is a file, its git directory elsewhere. */
	{
		cleanup_free char *wt = xasprintf("%s/wt", root);
		cleanup_free char *wtgit = xasprintf("%s/.git/worktrees/wt", dir);

		ok(run("git -C %s worktree add -q -b side %s", dir, wt) == 0,
		    "a worktree of it on branch side");
		if (recipes_open(wt, &r, &err) == 0 &&
		    recipes_stage(r, "dev2", v2, 1, "save dev2 #1", &st,
		    &err) == 0) {
			s = sh(NULL, "ls -a %s | grep -c keep-write; ls -a %s |"
			    " grep -c keep-write", wtgit, wt);
			is_str(s, "1\n0", "the file waits in the worktree's git "
			    "directory, not in its work tree");
			free(s);
			rc = recipes_publish(st, &id, &err);
			ok(rc == 0, "publish in the worktree");
			s = sh(NULL, "git -C %s log -1 --format=%%s side; git -C %s"
			    " status --porcelain; cat %s/dev2/Dockerfile; ls -a %s"
			    " | grep -c keep-write", dir, wt, wt, wtgit);
			is_str(s, "save dev2 #1\nFROM b\n0", "on its branch, "
			    "clean, the file in place, nothing left waiting");
			free(s);
			free(id);
			id = NULL;
			recipes_staged_free(st);
		} else {
			ok(0, "stage in the worktree");
		}
	}
	if (err != NULL) {
		printf("# %s\n", err->message);
		keep_error_free(err);
	}
	recipes_close(r);
}

static void
test_push(void)
{
	cleanup_free char *dir = xasprintf("%s/pushsrc", root);
	cleanup_free char *bare = xasprintf("%s/bare.git", root);
	cleanup_free char *other = xasprintf("%s/other", root);
	char *id = NULL, *s, *t, *branch;
	struct keep_error *err = NULL;
	struct recipes *r = NULL;
	int rc;

	if (recipes_open(dir, &r, &err) < 0) {
		ok(0, "open for push: %s", err->message);
		keep_error_free(err);
		return;
	}
	rc = recipes_push(r, NULL, &err);
	ok(rc < 0 && err && err->kind == KEEP_ERR_NOT_FOUND &&
	    strstr(err->message, "'origin'"),
	    "push without a remote: a clear error");
	if (err)
		printf("# %s\n", err->message);
	keep_error_free(err);
	err = NULL;

	commit2(r, "dev1", "FROM a\n", "l\n", "one", &id, &err);
	free(id);
	commit2(r, "dev1", "FROM b\n", "l\n", "two", &id, &err);
	free(id);
	id = NULL;
	branch = sh(NULL, "git -C %s symbolic-ref --short HEAD", dir);
	ok(run("git init -q --bare %s && git -C %s remote add origin %s"
	    " && git -C %s remote add mirror file://%s",
	    bare, dir, bare, dir, bare) == 0, "make a bare remote");

	rc = recipes_push(r, NULL, &err);
	ok(rc == 0, "push to a local bare repository");
	if (rc < 0) {
		printf("# %s\n", err->message);
		keep_error_free(err);
		err = NULL;
	}
	s = sh(NULL, "git --git-dir=%s log --format=%%H %s", bare, branch);
	t = sh(NULL, "git -C %s log --format=%%H", dir);
	ok(strlen(t) > 0, "there are commits");
	is_str(s, t, "the remote has the same commits");
	free(s);
	free(t);

	rc = recipes_push(r, "nosuch", &err);
	ok(rc < 0 && err && err->kind == KEEP_ERR_NOT_FOUND &&
	    strstr(err->message, "no remote 'nosuch'"),
	    "push to a missing remote: a clear error");
	keep_error_free(err);
	err = NULL;

	/* libgit2 quotes a URL it cannot parse (here the port). */
	run("git -C %s remote add leaky https://s3crettoken@127.0.0.1:99999/x.git",
	    dir);
	rc = recipes_push(r, "leaky", &err);
	ok(rc < 0 && err && strstr(err->message, "s3crettoken") == NULL &&
	    strstr(err->message, "'https://***@127.0.0.1:99999/x.git'"),
	    "a failing push never shows the token of the URL");
	if (err)
		printf("# %s\n", err->message);
	keep_error_free(err);
	err = NULL;

	/* Someone else pushes first. */
	ok(run("git clone -q %s %s && cd %s && echo x > x && git add x &&"
	    " git -c user.name=O -c user.email=o@x commit -q -m other &&"
	    " git push -q origin HEAD", bare, other, other) == 0,
	    "another clone pushes a different commit");
	t = sh(NULL, "git --git-dir=%s rev-parse %s", bare, branch);
	rc = commit2(r, "dev1", "FROM c\n", "l\n", "three", &id, &err);
	ok(rc == 0, "commit locally");
	rc = recipes_push(r, NULL, &err);
	ok(rc < 0 && err && err->kind == KEEP_ERR_CONFLICT &&
	    (strstr(err->message, "non-fast-forward") ||
	    strstr(err->message, "rejected")),
	    "a non-fast-forward push is rejected");
	if (err)
		printf("# %s\n", err->message);
	keep_error_free(err);
	err = NULL;
	s = sh(NULL, "git --git-dir=%s rev-parse %s", bare, branch);
	is_str(s, t, "the remote branch did not move");
	free(s);
	free(t);

	/* After fetching and merging by hand, pushing works again. */
	run("cd %s && git pull -q --no-rebase --no-edit -c user.name=U"
	    " -c user.email=u@x origin %s", dir, branch);
	run("cd %s && git -c user.name=U -c user.email=u@x pull -q --no-rebase"
	    " --no-edit origin %s", dir, branch);
	rc = recipes_push(r, "mirror", &err);
	ok(rc == 0, "push through a file:// URL after merging");
	if (rc < 0) {
		printf("# %s\n", err->message);
		keep_error_free(err);
		err = NULL;
	}
	s = sh(NULL, "git --git-dir=%s rev-parse %s", bare, branch);
	t = sh(NULL, "git -C %s rev-parse HEAD", dir);
	is_str(s, t, "the remote has the merge");
	free(s);
	free(t);

	free(branch);
	free(id);
	recipes_close(r);
}

/* libgit2 1.5 refuses a repository another user owns: say how to trust it. */
static void
test_owner(void)
{
	cleanup_free char *dir = xasprintf("%s/foreign", root);
	struct keep_error *err = NULL;
	struct recipes *r = NULL;
	int rc;

	if (geteuid() != 0) {
		skip("ownership test needs root to chown");
		return;
	}
	run("git init -q %s && chown -R 12345:12345 %s", dir, dir);
	rc = recipes_open(dir, &r, &err);
	ok(rc < 0 && err && strstr(err->message, "owned by another user") &&
	    strstr(err->message, "safe.directory"),
	    "a repository owned by another user: a clear error");
	if (err)
		printf("# %s\n", err->message);
	keep_error_free(err);
	err = NULL;
	recipes_close(r);
	r = NULL;

	run("git config --global --add safe.directory %s", dir);
	rc = recipes_open(dir, &r, &err);
	ok(rc == 0, "opens once listed in safe.directory");
	if (rc < 0) {
		printf("# %s\n", err->message);
		keep_error_free(err);
	}
	recipes_close(r);
	run("git config --global --unset-all safe.directory");
}

/*
 * A remote that refuses the update itself (a pre-receive hook behind
 * git daemon): the per-ref status must become an error.
 */
static void
test_push_declined(void)
{
	cleanup_free char *dir = xasprintf("%s/declsrc", root);
	cleanup_free char *srv = xasprintf("%s/srv", root);
	cleanup_free char *pidfile = xasprintf("%s/daemon.pid", root);
	struct keep_error *err = NULL;
	struct recipes *r = NULL;
	char *id = NULL, *pid;
	int port = 20000 + (int)(getpid() % 20000), up = 0, i, rc;

	if (run("test -x \"$(git --exec-path)/git-daemon\"") != 0) {
		skip("git daemon is not installed");
		return;
	}
	run("mkdir -p %s && git init -q --bare %s/hooked.git &&"
	    " printf '#!/bin/sh\\necho keep-test-decline >&2\\nexit 1\\n'"
	    " > %s/hooked.git/hooks/pre-receive &&"
	    " chmod +x %s/hooked.git/hooks/pre-receive", srv, srv, srv, srv);
	if (run("git daemon --detach --pid-file=%s --reuseaddr"
	    " --listen=127.0.0.1 --port=%d --base-path=%s --export-all"
	    " --enable=receive-pack %s", pidfile, port, srv, srv) != 0) {
		skip("git daemon does not start");
		return;
	}
	for (i = 0; i < 50 && !up; i++) {
		up = run("git ls-remote git://127.0.0.1:%d/hooked.git", port) == 0;
		if (!up)
			usleep(100000);
	}
	if (recipes_open(dir, &r, &err) == 0 &&
	    commit2(r, "dev1", "FROM a\n", "l\n", "one", &id, &err) == 0) {
		run("git -C %s remote add origin git://127.0.0.1:%d/hooked.git",
		    dir, port);
		rc = recipes_push(r, NULL, &err);
		ok(up && rc < 0 && err && err->kind == KEEP_ERR_CONFLICT &&
		    strstr(err->message, "rejected") &&
		    strstr(err->message, "declined"),
		    "a ref the remote declines is an error");
		if (err)
			printf("# %s\n", err->message);
		run("git -C %s remote set-url origin"
		    " https://keepuser:s3cretpw@127.0.0.1:1/x.git", dir);
		keep_error_free(err);
		err = NULL;
		rc = recipes_push(r, NULL, &err);
		ok(rc < 0 && err && strstr(err->message, "s3cretpw") == NULL,
		    "a failing push never shows the password of the URL");
		if (err)
			printf("# %s\n", err->message);
	} else {
		ok(0, "set up the push source: %s", err ? err->message : "?");
	}
	keep_error_free(err);
	free(id);
	recipes_close(r);
	pid = sh(NULL, "cat %s", pidfile);
	if (atoi(pid) > 0)
		kill((pid_t)atoi(pid), SIGTERM);
	free(pid);
}

static void
test_configured_identity(void)
{
	cleanup_free char *dir = xasprintf("%s/ident", root);
	char *id = NULL, *s;
	struct keep_error *err = NULL;
	struct recipes *r = NULL;
	int rc;

	put(root, "home/.gitconfig",
	    "[user]\n\tname = Ada Lovelace\n\temail = ada@example.org\n");
	rc = recipes_open(dir, &r, &err);
	ok(rc == 0, "open with a user configuration");
	if (rc < 0) {
		keep_error_free(err);
		return;
	}
	rc = commit2(r, "dev1", "FROM a\n", "l\n", "save", &id, &err);
	ok(rc == 0, "commit");
	s = sh(NULL, "git -C %s log -1 --format='%%an <%%ae>'", dir);
	is_str(s, "Ada Lovelace <ada@example.org>",
	    "the author comes from ~/.gitconfig");
	free(s);
	free(id);
	recipes_close(r);
}

static void
test_bare_refused(void)
{
	cleanup_free char *dir = xasprintf("%s/refuse.git", root);
	struct keep_error *err = NULL;
	struct recipes *r = NULL;

	run("git init -q --bare %s", dir);
	ok(recipes_open(dir, &r, &err) < 0 && err &&
	    strstr(err->message, "bare"), "a bare repository is refused");
	keep_error_free(err);
	recipes_close(r);
}


/* Open dir (creating it) for the pull tests; NULL after a failed ok(). */
static struct recipes *
open_or_fail(const char *dir)
{
	struct keep_error *err = NULL;
	struct recipes *r = NULL;

	if (recipes_open(dir, &r, &err) < 0) {
		ok(0, "open '%s': %s", dir, err->message);
		keep_error_free(err);
		return NULL;
	}
	return r;
}

static void
test_parse_save(void)
{
	char *name = NULL;
	long seq = 0;

	ok(recipes_parse_save("keep: save dev1 #12\n\nnote\n", &name, &seq) &&
	    strcmp(name, "dev1") == 0 && seq == 12,
	    "a save's first line gives its name and number");
	free(name);
	ok(!recipes_parse_save("keep: save dev1 #1x\n", &name, &seq) &&
	    !recipes_parse_save("keep: save a b #1\n", &name, &seq) &&
	    !recipes_parse_save("keep: save #1\n", &name, &seq) &&
	    !recipes_parse_save("keep: push images dev1 #1\n", &name, &seq) &&
	    !recipes_parse_save("keep: save dev1 #0", &name, &seq) &&
	    !recipes_parse_save("keep: save ../x #1", &name, &seq) &&
	    !recipes_parse_save("keep: save .git #1", &name, &seq) &&
	    !recipes_parse_save(NULL, &name, &seq) && name == NULL,
	    "anything else is no save");
}

/*
 * Two machines share a bare remote: a clone fast-forwards, different
 * folders merge, the same folder changed on both sides keeps this side's
 * with the other as second parent, and the saves behind HEAD follow this
 * side's line.
 */
static void
test_pull(void)
{
	cleanup_free char *bare = xasprintf("%s/team.git", root);
	cleanup_free char *one = xasprintf("%s/one", root);
	cleanup_free char *two = xasprintf("%s/two", root);
	struct recipes_pull_result res = { 0 };
	struct recipes_saves saves = { 0 };
	struct keep_error *err = NULL;
	struct recipes *a, *b;
	char *id = NULL, *s, *theirs = NULL;
	int rc;

	ok(run("git init -q --bare %s", bare) == 0, "a bare remote");
	if ((a = open_or_fail(one)) == NULL || (b = open_or_fail(two)) == NULL)
		return;
	commit2(a, "dev1", "FROM a\n", "l1\n", "keep: save dev1 #1", &id, &err);
	free(id);
	ok(recipes_remote_set(a, "origin", bare, &err) == 0 &&
	    recipes_push(a, NULL, &err) == 0, "machine one pushes");

	ok(!recipes_has_commits(b), "machine two starts empty");
	rc = recipes_remote_set(b, "origin", bare, &err);
	rc = rc ? rc : recipes_pull(b, NULL, &res, &err);
	ok(rc == 0 && res.how == RECIPES_FAST_FORWARD && recipes_has_commits(b),
	    "a pull into an empty repository fast-forwards");
	s = sh(NULL, "cat %s/dev1/Dockerfile", two);
	ok(strcmp(s, "FROM a") == 0, "and checks the files out");
	free(s);
	recipes_pull_result_release(&res);

	/* Different containers on each side: merged, no conflict. */
	commit2(a, "web", "FROM w\n", "l\n", "keep: save web #1", &id, &err);
	free(id);
	ok(recipes_push(a, NULL, &err) == 0, "machine one pushes web");
	commit2(b, "box", "FROM x\n", "l\n", "keep: save box #1", &id, &err);
	free(id);
	rc = recipes_push(b, NULL, &err);
	ok(rc < 0 && err->kind == KEEP_ERR_CONFLICT,
	    "machine two's push is rejected: non-fast-forward");
	keep_error_free(err);
	err = NULL;
	rc = recipes_pull(b, NULL, &res, &err);
	ok(rc == 0 && res.how == RECIPES_MERGED && res.n_conflicts == 0,
	    "different folders merge without a conflict");
	s = sh(NULL, "git -C %s log -1 --format=%%P HEAD | wc -w; ls %s", two, two);
	ok(strcmp(s, "2\nbox\ndev1\nweb") == 0,
	    "a merge commit with two parents, every folder there");
	free(s);
	recipes_pull_result_release(&res);
	ok(recipes_push(b, NULL, &err) == 0, "then the push goes");

	/* The same container saved on both sides. */
	ok(recipes_pull(a, NULL, &res, &err) == 0 &&
	    res.how == RECIPES_FAST_FORWARD, "machine one catches up");
	recipes_pull_result_release(&res);
	commit2(a, "dev1", "FROM a2\n", "l\n", "keep: save dev1 #2", &theirs,
	    &err);
	ok(recipes_push(a, NULL, &err) == 0, "machine one pushes dev1 #2");
	commit2(b, "dev1", "FROM b2\n", "l\n", "keep: save dev1 #2", &id, &err);
	free(id);
	commit2(b, "dev1", "FROM b3\n", "l\n", "keep: save dev1 #3", &id, &err);
	free(id);
	rc = recipes_pull(b, NULL, &res, &err);
	ok(rc == 0 && res.how == RECIPES_MERGED && res.n_conflicts == 1 &&
	    strcmp(res.conflicts[0].name, "dev1") == 0 &&
	    res.conflicts[0].ours == 3 && res.conflicts[0].theirs == 2,
	    "the same folder on both sides is a conflict: #3 here, #2 there");
	recipes_pull_result_release(&res);
	s = sh(NULL, "cat %s/dev1/Dockerfile; git -C %s merge-base "
	    "--is-ancestor %s HEAD && echo kept", two, two, theirs);
	ok(strcmp(s, "FROM b3\nkept") == 0,
	    "this side's folder stays, the other's commit is in the history");
	free(s);
	ok(recipes_saves(b, &saves, &err) == 0 && saves.n == 5, "five saves");
	for (size_t i = 0; i < saves.n; i++)
		if (strcmp(saves.v[i].name, "dev1") == 0 && saves.v[i].seq == 2)
			ok(strcmp(saves.v[i].commit, theirs) != 0,
			    "dev1 #2 behind HEAD is this side's, not theirs");
	recipes_saves_release(&saves);
	free(theirs);
	recipes_close(a);
	recipes_close(b);
	keep_error_free(err);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char *home;

	root = xasprintf("%s/keep-recipes-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(root) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	home = xasprintf("%s/home", root);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	setenv("XDG_CONFIG_HOME", home, 1);
	setenv("GIT_CONFIG_NOSYSTEM", "1", 1);
	unsetenv("GIT_DIR");
	unsetenv("GIT_WORK_TREE");
	unsetenv("GIT_INDEX_FILE");
	unsetenv("GIT_AUTHOR_NAME");
	unsetenv("GIT_AUTHOR_EMAIL");
	unsetenv("GIT_COMMITTER_NAME");
	unsetenv("GIT_COMMITTER_EMAIL");

	test_new_repo();
	test_shared_repo();
	test_staged();
	test_push();
	test_push_declined();
	test_bare_refused();
	test_owner();
	test_configured_identity();
	test_parse_save();
	test_pull();

	if (tap_failed == 0)
		run("rm -rf %s", root);
	else
		printf("# left %s for inspection\n", root);
	free(home);
	free(root);
	return done_testing();
}
