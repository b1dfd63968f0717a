/*
 * The recipe repository: a normal, non-bare git repository holding one
 * directory per container (NAME/Dockerfile, NAME/keep.lock,
 * NAME/container.json) and one commit per save, the way etckeeper records
 * /etc. This module is the only place that includes libgit2; its errors are
 * converted here, once, into struct keep_error with context.
 *
 * The repository may be shared with a person who edits and commits in it by
 * hand. keep therefore never rewrites history, never touches files outside
 * the NAME/ directory it commits, never commits what the user staged
 * elsewhere, and refuses to overwrite uncommitted edits under NAME/.
 *
 * A struct recipes is not thread-safe: use one per thread.
 */
#ifndef KEEP_RECIPES_RECIPES_H
#define KEEP_RECIPES_RECIPES_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

struct recipes;

/* One file of a recipe; the caller owns every pointer. */
struct recipe_file {
	const char *path;	/* relative to NAME/, '/'-separated: "Dockerfile" */
	const char *data;	/* content; may hold NUL bytes */
	size_t len;
};

/*
 * Open the git repository whose work tree is exactly `dir` (no search of
 * parent directories), or create it there, parent directories included,
 * when `dir` holds no repository. Creating with a private mode (0700) is
 * the caller's business: create `dir` first. A bare repository is refused;
 * one owned by another user is refused with the safe.directory hint.
 *
 * On success *out is a new handle that the caller frees with recipes_close.
 * Returns 0, or -1 with *err set.
 */
int
recipes_open(const char *dir, struct recipes **out, struct keep_error **err);


/* Free a handle from recipes_open; NULL is fine. */
void
recipes_close(struct recipes *r);

/* The work tree directory of the repository; owned by r. */
const char *
recipes_workdir(const struct recipes *r);

/*
 * Make NAME/ hold exactly `files` and commit that on top of HEAD of the
 * current branch (the first commit of an unborn branch is fine), with
 * `message` as the commit message. The files are written to the work tree
 * and the index too, files under NAME/ that are not in the set are removed,
 * and afterwards `git status` shows nothing under NAME/. Nothing outside
 * NAME/ is read, written, staged or committed.
 *
 * Author and committer come from the git configuration (the repository's,
 * the user's ~/.gitconfig, the system's), else "keep <keep@HOSTNAME>".
 *
 * Refuses with KEEP_ERR_CONFLICT when NAME/ has uncommitted changes
 * (modified, staged, deleted or untracked files differing from HEAD),
 * when HEAD is detached, or when HEAD moved while committing. A leftover
 * of an interrupted earlier run, that is work tree and index content equal
 * to what this call writes, is not a conflict: the call completes it.
 *
 * When NAME/ in HEAD already holds exactly these files no commit is made
 * and HEAD's id is returned.
 *
 * `name` is one path component (no '/', not "." or "..", no leading '.');
 * paths of files may not contain "." or ".." components or ".git".
 *
 * On success *commit_id_out (when commit_id_out is not NULL) is the new
 * 40-hex commit id, which the caller frees. Returns 0, or -1 with *err set.
 */
int
recipes_commit(struct recipes *r, const char *name,
    const struct recipe_file *files, size_t n, const char *message,
    char **commit_id_out, struct keep_error **err);

/*
 * recipes_commit in two steps, for a caller that can do the first while it
 * waits for something else. recipes_stage checks and writes all that a
 * reader of the branch does not see: the objects, the new commit on top of
 * HEAD as it is now, and the files, synced, in the git directory (refusing
 * as recipes_commit does). recipes_publish, under the caller's lock, moves the
 * files into NAME/, stages them and moves the branch to the commit; it
 * returns 1, having changed nothing a commit afresh would not do, when the
 * branch moved since the stage (then commit afresh with recipes_commit).
 * The files must stay valid until the stage is freed (what the git
 * directory could not take is written when published);
 * recipes_staged_free removes what was not published. A stage belongs to
 * r: free it before closing r, and use the two from one thread at a time.
 */
struct recipes_staged;

int
recipes_stage(struct recipes *r, const char *name,
    const struct recipe_file *files, size_t n, const char *message,
    struct recipes_staged **out, struct keep_error **err);

int
recipes_publish(struct recipes_staged *st, char **commit_id_out,
    struct keep_error **err);

void
recipes_staged_free(struct recipes_staged *st);

/*
 * 1 when `id` (full or abbreviated hex) names a commit that is HEAD or one
 * of its ancestors, 0 otherwise: a commit object written by a run that
 * crashed before moving the branch does not count. Never fails.
 */
int
recipes_commit_exists(struct recipes *r, const char *id);

/*
 * A unified diff of two texts of one file (for `keep diff`, which compares
 * the recipes of two snapshots rendered anew): appended to out, nothing
 * when they are equal. Needs no repository.
 */
int
recipes_diff_text(const char *old_text, const char *new_text,
    const char *path, struct buf *out, struct keep_error **err);

/*
 * Push the current branch to the branch of the same name on `remote` (NULL
 * means "origin"), never forcing. Local paths and file:// URLs work, as do
 * the https and ssh transports libgit2 was built with; credentials are
 * tried once from the ssh agent or the system defaults, and there is no
 * prompt. Each error is one line: no such remote (KEEP_ERR_NOT_FOUND),
 * authentication failed, or rejected because the remote has commits this
 * repository lacks (KEEP_ERR_CONFLICT: fetch and merge first). Returns 0
 * or -1.
 */
int
recipes_push(struct recipes *r, const char *remote, struct keep_error **err);

/*
 * A container both sides of a merge saved since they parted: its folder
 * changed on both. ours and theirs are the numbers of its last save on
 * each side (0 when no save commit names it).
 */
struct recipes_conflict {
	char *name;
	long ours;
	long theirs;
};

enum recipes_sync {
	RECIPES_UP_TO_DATE,	/* the remote had nothing this branch lacks */
	RECIPES_FAST_FORWARD,	/* the branch moved up to the remote's */
	RECIPES_MERGED,		/* a merge commit with both as parents */
};

struct recipes_pull_result {
	enum recipes_sync how;
	char *branch;		/* what was merged: "origin/main" */
	char commit[41];	/* HEAD afterwards; "" when it has none */
	struct recipes_conflict *conflicts;
	size_t n_conflicts;
};

void recipes_pull_result_release(struct recipes_pull_result *p);

/*
 * Fetch `remote` (NULL: "origin") and merge its branch of the current
 * branch's name into HEAD, never forcing; a branch with no commit yet
 * takes the remote's default branch (and its name). When the histories
 * diverged, a merge commit has HEAD and the remote's branch as parents,
 * folder by folder: a folder one side changed is taken from it; one both
 * changed (the same container saved on two machines) keeps this side's
 * content and is listed in out->conflicts, the other side's history stays
 * reachable through the second parent. The work tree follows, never
 * overwriting an uncommitted edit (KEEP_ERR_CONFLICT, nothing moved).
 * The caller holds the lock that saves take. Credentials as for
 * recipes_push. *out is released by the caller. Returns 0 or -1.
 */
int
recipes_pull(struct recipes *r, const char *remote,
    struct recipes_pull_result *out, struct keep_error **err);

/* 1 when HEAD has a commit, else 0. */
int
recipes_has_commits(struct recipes *r);

/* Make remote `name` point at url, creating it when missing. */
int
recipes_remote_set(struct recipes *r, const char *name, const char *url,
    struct keep_error **err);

/*
 * One save of the history (a commit whose message begins "keep: save
 * NAME #N"), with NAME/container.json and NAME/keep.lock at that commit
 * (empty when missing).
 */
struct recipes_save {
	char *name;
	long seq;
	char commit[41];
	struct buf config;
	struct buf lock;
};

struct recipes_saves {
	struct recipes_save *v;
	size_t n, cap;
};

void recipes_saves_release(struct recipes_saves *s);

/*
 * The saves behind HEAD, by name then number: for each container, the
 * line of saves that made the NAME/ folder HEAD holds (the newest save
 * of NAME reached first along first parents, and the saves it descends
 * from). A container saved on two machines and merged contributes this
 * side's line; a save committed twice, its newest commit.
 */
int
recipes_saves(struct recipes *r, struct recipes_saves *out,
    struct keep_error **err);

/*
 * 1 with *name_out (caller frees) and *seq_out when message is a save's
 * ("keep: save NAME #N" on its first line, NAME a valid recipe name),
 * else 0.
 */
int
recipes_parse_save(const char *message, char **name_out, long *seq_out);

/* The bytes of path at HEAD appended to out; KEEP_ERR_NOT_FOUND when missing. */
int
recipes_read_head(struct recipes *r, const char *path, struct buf *out,
    struct keep_error **err);

#endif
