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

#endif
