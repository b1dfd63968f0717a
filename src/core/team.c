#include "core/team.h"

#include <string.h>
#include <unistd.h>

#include "core/history.h"

/* How often a push that lost the race to another machine merges again. */
#define PUSH_ROUNDS 3

void
team_result_release(struct team_result *t)
{
	recipes_pull_result_release(&t->pull);
	import_result_release(&t->import);
	memset(t, 0, sizeof(*t));
}

/* recipes_pull under the lock saves take. */
static int
pull_locked(const char *recipes_dir, struct recipes *r, const char *remote,
    struct recipes_pull_result *out, struct keep_error **err)
{
	int fd, rc;

	if ((fd = history_lock(recipes_dir, err)) < 0)
		return -1;
	rc = recipes_pull(r, remote, out, err);
	close(fd);
	return rc;
}

int
team_pull(struct catalog *cat, const char *recipes_dir, const char *engine,
    const char *remote, struct team_result *out, struct keep_error **err)
{
	struct recipes *r = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (recipes_open(recipes_dir, &r, err) < 0)
		return -1;
	rc = pull_locked(recipes_dir, r, remote, &out->pull, err);
	recipes_close(r);
	if (rc == 0)
		rc = import_recipes(cat, recipes_dir, engine, &out->import, err);
	if (rc < 0)
		team_result_release(out);
	return rc;
}

int
team_clone(struct catalog *cat, const char *recipes_dir, const char *engine,
    const char *url, struct team_result *out, struct keep_error **err)
{
	struct recipes *r = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	if (recipes_open(recipes_dir, &r, err) < 0)
		return -1;
	if (recipes_has_commits(r)) {
		recipes_close(r);
		return keep_error_set(err, KEEP_ERR_CONFLICT, "the recipe "
		    "repository '%s' has commits already: 'keep pull' merges "
		    "a remote into it", recipes_dir);
	}
	rc = recipes_remote_set(r, "origin", url, err);
	if (rc == 0)
		rc = pull_locked(recipes_dir, r, "origin", &out->pull, err);
	recipes_close(r);
	if (rc == 0)
		rc = import_recipes(cat, recipes_dir, engine, &out->import, err);
	if (rc < 0) {
		team_result_release(out);
		return keep_error_wrap(err, "clone '%s'", url);
	}
	return 0;
}

int
team_push(const char *recipes_dir, const char *remote,
    struct team_result *out, struct keep_error **err)
{
	struct recipes *r = NULL;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (recipes_open(recipes_dir, &r, err) < 0)
		return -1;
	for (int round = 0; round < PUSH_ROUNDS; round++) {
		if ((rc = recipes_push(r, remote, err)) == 0 ||
		    (*err)->kind != KEEP_ERR_CONFLICT ||
		    round == PUSH_ROUNDS - 1)
			break;
		/* The remote moved on (or HEAD is detached, which the pull
		 * says): merge what it has, then push again. */
		keep_error_free(*err);
		*err = NULL;
		recipes_pull_result_release(&out->pull);
		if ((rc = pull_locked(recipes_dir, r, remote, &out->pull,
		    err)) < 0)
			break;
		out->merged = 1;
	}
	recipes_close(r);
	return rc;
}
