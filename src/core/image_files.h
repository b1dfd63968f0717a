/*
 * The state of chosen paths in an image, as verify compares a snapshot's
 * loose files with the rebuilt image's: type, mode, owner, and a regular
 * file's SHA-256 or a link's target. Read through a never-started reader
 * container and the archive API, one call per top-most path.
 */
#ifndef KEEP_CORE_IMAGE_FILES_H
#define KEEP_CORE_IMAGE_FILES_H

#include <stddef.h>

#include "engine/engine.h"
#include "util/strv.h"
#include "util/tar.h"

struct image_file {
	char *path;		/* absolute */
	int present;		/* 0: no such path in the image (the rest unset) */
	enum tar_type type;
	unsigned int mode;	/* permission bits, 07777 */
	long long uid;
	long long gid;
	char sha256[65];	/* TAR_FILE: hex digest of the content; else "" */
	char *link;		/* TAR_SYMLINK, TAR_HARDLINK: the target; else "" */
};

struct image_files {
	struct image_file *v;	/* sorted by path, one per path asked for */
	size_t n;
};

/*
 * Read the paths (absolute, any order, no repeats) of image into *out.
 * A path the image lacks is there with present 0. Files are hashed as the
 * archive streams in, up to the build context's bounds on size. Release
 * *out with image_files_release.
 */
int image_files_read(struct engine *e, const char *image,
    const struct strv *paths, struct image_files *out,
    struct keep_error **err);

/* The entry for path in files, or NULL. */
const struct image_file *image_files_find(const struct image_files *files,
    const char *path);

void image_files_release(struct image_files *files);

#endif
