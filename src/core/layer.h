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

#include <sys/stat.h>

#include "model/model.h"
#include "util/error.h"

/*
 * The change list of c, as the engine's GET /changes gives it: every path
 * the container added (A), modified (C) or deleted (D), with every
 * directory that has a change inside listed as modified. Unsorted.
 *
 * Returns 0 with *out filled; 1 when the layer cannot be read from here,
 * with *why (caller frees) saying why, so the caller asks the engine; -1
 * with *err when the list itself is refused (more than ENGINE_MAX_CHANGES
 * paths, as the engine path refuses it).
 */
int layer_changes(const struct container *c, struct fs_changes *out,
    char **why, struct keep_error **err);

/*
 * c's upper directory, for layer_stat: paths are looked up one name at a
 * time, never through a symlink, and the last directory is kept open.
 */
struct layer_upper {
	int root;
	char *dir;	/* the directory dir_fd stands for, or NULL */
	int dir_fd;
};
/* 0, or -1 with errno when the upper directory cannot be opened. */
int layer_upper_open(const struct container *c, struct layer_upper *u);
/* lstat path ("/etc/x", inside the container): 0 found, 1 not there. */
int layer_stat(struct layer_upper *u, const char *path, struct stat *st);
void layer_upper_close(struct layer_upper *u);

/*
 * Whether this process can read layers of an engine with storage driver
 * driver whose directory dir (a container's upper directory, or the
 * engine's root) is on the engine's host: an overlay driver, dir present
 * here, and root (opaque directories are marked with trusted.* attributes
 * only root can read). 1 yes; 0 no, with *why (caller frees).
 */
int layer_usable(const char *driver, const char *dir, char **why);

#endif
