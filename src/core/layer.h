/*
 * A container's change list read from its overlay upper layer on this
 * host, instead of asking the engine for it.
 *
 * Docker 20.10 answers GET /containers/{id}/changes by walking the whole
 * merged tree against the whole image (its naive diff): the cost grows with
 * the image, and on a small container it already costs twice a commit. The
 * upper layer holds exactly what the container changed, so walking it costs
 * what the change costs. This works only where keep can read the engine's
 * storage: a unix-socket engine on this host, an overlay storage driver,
 * root. Anywhere else save asks the engine, as before.
 */
#ifndef KEEP_CORE_LAYER_H
#define KEEP_CORE_LAYER_H

#include "model/model.h"
#include "pkg/pkg.h"
#include "util/budget.h"
#include "util/tar.h"
#include "util/error.h"

/*
 * The change list of c, as the engine's GET /changes gives it: every path
 * the container added (A), modified (C) or deleted (D), with every
 * directory that has a change inside listed as modified. Unsorted. Each
 * path that is in the upper layer carries its lstat there as its stamp.
 * path is charged to budget (may be NULL).
 *
 * Returns 0 with *out filled; 1 when the layer cannot be read from here,
 * with *why (caller frees) saying why, so the caller asks the engine; -1
 * with *err when the list itself is refused (more than ENGINE_MAX_CHANGES
 * paths, as the engine path refuses it, or past the budget).
 */
int layer_changes(const struct container *c, struct fs_changes *out,
    struct budget *budget, char **why, struct keep_error **err);

/*
 * A struct pkg_fs over c's layers, merged as the kernel merges them: the
 * container's files (its upper directory and the layers below) when
 * with_upper, else the image's (the layers below: the image's, and the
 * engine's init layer, which holds only its mount points). Paths resolve
 * inside that tree, symlinks included, never onto this host. A read that
 * meets what only the kernel can merge (a renamed directory, a file whose
 * data is in another layer) goes to fallback (borrowed; NULL: an error).
 * Call only where layer_changes could read c's layers. Returns 0, or -1
 * with *err when a layer cannot be opened. Release with pkg_fs_release.
 */
int layer_fs_open(struct pkg_fs *out, const struct container *c,
    int with_upper, const struct pkg_fs *fallback, struct keep_error **err);

/*
 * Whether this process can read layers of an engine with storage driver
 * driver whose directory dir (a container's upper directory, or the
 * engine's root) is on the engine's host: an overlay driver, dir present
 * here, and root (opaque directories are marked with trusted.* attributes
 * only root can read). 1 yes; 0 no, with *why (caller frees).
 */
int layer_usable(const char *driver, const char *dir, char **why);

/*
 * Write to w the layer that turns the files of an image (its overlay
 * directories: upper_dir its top layer, lower_dirs the rest) into c's
 * files now, where that image is a snapshot of c (or c was created from
 * it) and since (ns since the epoch) is no later than when that snapshot
 * began to read c's layers. Whatever c changed after since has a ctime
 * from then on (a ctime cannot be set): each such entry goes in, with its
 * content, owner, mode, mtime, and security.capability (the one attribute
 * a docker commit keeps), hard links as links; its parent directories go
 * in as they are now. For each directory among them, a name the image has
 * and c no longer has becomes a whiteout (.wh.NAME), and a name c has and
 * the image has not goes in with all it holds (a renamed directory's
 * files keep their ctimes). c should be paused meanwhile.
 *
 * Returns 0; 1 when the layers cannot be read that way (a renamed
 * directory, a metacopy file, an overlay marker), with *why (caller
 * frees); -1 with *err.
 */
int layer_diff_write(const struct container *c, const char *upper_dir,
    const char *lower_dirs, long long since, struct tar_writer *w,
    char **why, struct keep_error **err);

#endif
