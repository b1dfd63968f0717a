/*
 * What core/layer.c (the change list) and core/layer_fs.c (reading files)
 * share about overlay layers; not for use elsewhere.
 */
#ifndef KEEP_CORE_LAYER_INT_H
#define KEEP_CORE_LAYER_INT_H

#include <sys/stat.h>

#include "util/strv.h"

/* A character device 0:0: the layer deleted the name. */
int layeri_is_whiteout(const struct stat *st);

/* What overlay's attributes say of a directory or file in a layer. */
enum {
	LAYERI_OPAQUE = 1,	/* hides what the layers below hold there */
	LAYERI_REDIRECT = 2,	/* a renamed directory: shows another's content */
	LAYERI_METACOPY = 4,	/* a file whose data is in another layer */
	/*
	 * A user.overlay.* marker: real only on a rootless engine's
	 * userxattr mounts, and on a rootful one set by the container itself
	 * (setfattr needs no privilege). Never believed: what carries one is
	 * left to the engine, which knows.
	 */
	LAYERI_USER_MARKER = 8,
};

/*
 * The overlay attributes set on fd, as LAYERI_* bits: trusted.overlay.*,
 * which a rootful engine's overlay2 keeps and no process in a container
 * can set, and whether any user.overlay.* is there. One flistxattr for
 * the common case of none.
 */
unsigned layeri_attrs(int fd);

/*
 * The names in the directory fd (which stays open and is not read again),
 * without "." and "..", sorted, appended to out. 0, or -1 with errno.
 */
int layeri_names(int fd, struct strv *out);

/* openat a directory, never through a symlink: its fd or -1. */
int layeri_open_dir(int at, const char *name);

#endif
