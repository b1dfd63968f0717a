/*
 * Recipe history: every save that is not unchanged writes the snapshot's
 * recipe (NAME/Dockerfile, keep.lock, container.json, .dockerignore) into the
 * recipe repository and commits it; the commit id is stored with the
 * snapshot. The catalog is the source of truth: a snapshot whose commit is
 * missing is committed again by history_repair.
 */
#ifndef KEEP_CORE_HISTORY_H
#define KEEP_CORE_HISTORY_H

#include "catalog/catalog.h"
#include "model/model.h"
#include "util/buf.h"

/*
 * What changed in the packages from prev (NULL: the base image) to cur, one
 * line each, sorted: "+dpkg jq 1.6-2.1", "-dpkg nano",
 * "~dpkg curl 7.88.1-10 → 7.88.1-10+deb12u5". Appended to lines.
 */
void history_package_delta(const struct snapshot *prev,
    const struct snapshot *cur, struct strv *lines);

/*
 * Every package of snapshot s, appended to out sorted: its base image's
 * cached set with the snapshot's changes applied (pkg_set_apply). A base
 * whose packages were never read contributes none.
 */
int history_packages(struct catalog *cat, const struct snapshot *s,
    struct pkg_set *out, struct keep_error **err);

/*
 * NAME/keep.lock: every package of the snapshot (its base image's cached
 * set with the snapshot's changes applied), sorted, one per line.
 */
int history_lock_file(struct catalog *cat, const struct snapshot *s,
    struct buf *out, struct keep_error **err);

/*
 * Commit the recipe of snapshot s (prev: the snapshot before it, or NULL)
 * to the repository at recipes_dir, creating it on first use, and record
 * the commit id in the catalog. *commit_out (caller frees; may be NULL).
 */
int history_record(struct catalog *cat, const char *recipes_dir,
    const struct snapshot *s, const struct snapshot *prev, char **commit_out,
    struct keep_error **err);

/*
 * A recipe made ahead of its commit. history_prepare renders s's recipe
 * and stages its commit (recipes_stage: nothing a reader of the branch
 * sees); save does it while the engine commits. history_commit then
 * publishes it, or commits it afresh when the branch moved meanwhile, as
 * history_record would, once s is recorded (s->id set). Release with
 * history_prep_release.
 */
struct recipes;
struct recipes_staged;
struct history_prep {
	struct buf dockerfile, lock, config, msg, images;
	struct recipes *repo;		/* NULL: not staged */
	struct recipes_staged *staged;
};
int history_prepare(struct catalog *cat, const char *recipes_dir,
    const struct snapshot *s, const struct snapshot *prev,
    struct history_prep *p, struct keep_error **err);
int history_commit(struct catalog *cat, const char *recipes_dir,
    const struct snapshot *s, struct history_prep *p, char **commit_out,
    struct keep_error **err);
void history_prep_release(struct history_prep *p);

/*
 * NAME/images of the recipe repository: "#SEQ REPOSITORY@sha256:..." for
 * each snapshot of (engine, name) whose image keep push --images put in a
 * registry (registry_ref), by seq, appended to out; nothing when none was.
 * Every recipe commit of name carries it.
 */
int history_images_file(struct catalog *cat, const char *engine,
    const char *name, struct buf *out, struct keep_error **err);

/*
 * After keep push --images recorded the registry_ref of snapshots seqs of
 * (engine, name): commit NAME/images and the latest snapshot's recipe
 * (its container.json names its image's "registry") as one commit,
 * "keep: push images NAME #a,#b", under the lock saves take. Nothing to
 * change makes no commit. *commit_out (caller frees) is HEAD afterwards.
 */
int history_images_record(struct catalog *cat, const char *recipes_dir,
    const char *engine, const char *name, const long *seqs, size_t n_seqs,
    char **commit_out, struct keep_error **err);

/*
 * Make the catalog and the repository agree for (engine, name): when the
 * latest snapshot has no commit, or one the repository's branch does not
 * contain, commit its recipe now. *repaired is set when it did.
 */
int history_repair(struct catalog *cat, const char *recipes_dir,
    const char *engine, const char *name, int *repaired,
    struct keep_error **err);

/*
 * Take the lock under which the recipe repository's branch moves (saves
 * commit under it, keep pull merges under it), waiting for it. Returns
 * the fd to close to release it, or -1.
 */
int history_lock(const char *recipes_dir, struct keep_error **err);

/* What changed from one snapshot to another (keep diff). */
struct snapshot_diff {
	struct strv packages;		/* history_package_delta lines */
	struct strv env_added;		/* names only: values may be secret */
	struct strv env_removed;
	struct strv env_changed;
	struct strv mounts_added;	/* "bind /src -> /dst (ro)" */
	struct strv mounts_removed;
	struct strv files_added;	/* loose files of b that a lacks */
	struct strv files_removed;	/* loose files of a that b lacks */
	/*
	 * How the container was run (model/run.h), secrets redacted, when
	 * both snapshots record it: "PATH VALUE" set in b only, unset in b,
	 * and "PATH OLD -> NEW".
	 */
	struct strv settings_added;
	struct strv settings_removed;
	struct strv settings_changed;
	struct buf dockerfile;		/* unified diff of the two recipes */
};

/* Compare a (older) with b; out is released with snapshot_diff_release. */
int history_diff(const struct snapshot *a, const struct snapshot *b,
    struct snapshot_diff *out, struct keep_error **err);

/*
 * history_diff without the Dockerfiles' diff (out->dockerfile stays
 * empty), which needs neither a renderer nor libgit2: keep status.
 */
void history_changes(const struct snapshot *a, const struct snapshot *b,
    struct snapshot_diff *out);
void snapshot_diff_release(struct snapshot_diff *d);

#endif
