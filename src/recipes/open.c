/* Opening (or creating) the recipe repository, and closing it. */
#include "recipes/recipes_internal.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/xalloc.h"

/*
 * Whether dir already holds a repository that libgit2 would not open: 0
 * when there is none (create one), 1 when there is, 2 when it is there and
 * owned by another user. Never create a repository over an existing one.
 */
static int
repo_exists(const char *dir)
{
	cleanup_free char *dotgit = xasprintf("%s/.git", dir);
	cleanup_free char *head = xasprintf("%s/HEAD", dir);
	struct stat st;

	if (lstat(dotgit, &st) < 0 && lstat(head, &st) < 0)
		return 0;
	return st.st_uid != geteuid() ? 2 : 1;
}

int
recipes_open(const char *dir, struct recipes **out, struct keep_error **err)
{
	git_repository_init_options opts = GIT_REPOSITORY_INIT_OPTIONS_INIT;
	git_repository *repo = NULL;
	struct recipes *r;
	const char *wd;
	size_t len;
	int rc, existing;

	*out = NULL;
	if (recipes_lib_init(err) < 0)
		return keep_error_wrap(err, "open recipe repository '%s'", dir);

	rc = lg.git_repository_open_ext(&repo, dir, GIT_REPOSITORY_OPEN_NO_SEARCH,
	    NULL);
	existing = rc == GIT_ENOTFOUND ? repo_exists(dir) : 0;
	if (rc == GIT_EOWNER || existing == 2) {
		/*
		 * libgit2 1.5.1 says GIT_ENOTFOUND rather than GIT_EOWNER
		 * when no safe.directory is configured at all.
		 */
		lg.git_error_clear();
		keep_error_set(err, KEEP_ERR_FAILED,
		    "open recipe repository '%s': it is owned by another user; "
		    "if you trust it, run: git config --global --add "
		    "safe.directory '%s'", dir, dir);
		goto fail;
	} else if (rc == GIT_ENOTFOUND && !existing) {
		lg.git_error_clear();
		opts.flags = GIT_REPOSITORY_INIT_MKPATH;
		rc = lg.git_repository_init_ext(&repo, dir, &opts);
		if (rc < 0) {
			recipes_fail(err, rc,
			    "create recipe repository '%s'", dir);
			goto fail;
		}
	} else if (rc < 0) {
		recipes_fail(err, rc, "open recipe repository '%s'", dir);
		goto fail;
	}

	wd = lg.git_repository_workdir(repo);
	if (lg.git_repository_is_bare(repo) || wd == NULL) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "open recipe repository '%s': it is a bare repository "
		    "and keep needs a work tree", dir);
		goto fail;
	}

	r = xcalloc(1, sizeof(*r));
	r->repo = repo;
	r->workdir = xstrdup(wd);
	len = strlen(r->workdir);
	while (len > 1 && r->workdir[len - 1] == '/')
		r->workdir[--len] = '\0';
	r->gitdir = xstrdup(lg.git_repository_path(repo));
	len = strlen(r->gitdir);
	while (len > 1 && r->gitdir[len - 1] == '/')
		r->gitdir[--len] = '\0';
	*out = r;
	return 0;

fail:
	lg.git_repository_free(repo);
	return -1;
}

void
recipes_close(struct recipes *r)
{
	if (r == NULL)
		return;
	lg.git_repository_free(r->repo);
	free(r->workdir);
	free(r->gitdir);
	free(r);
}

const char *
recipes_workdir(const struct recipes *r)
{
	return r->workdir;
}
