/*
 * The build context of a snapshot's recipe: the Dockerfile, a .dockerignore
 * and the snapshot's loose files under files/<path>, read through the
 * archive API from the snapshot's committed image. `to-dockerfile
 * --context DIR` writes it to a directory; `verify` sends the same thing to
 * the engine as a tar.
 */
#ifndef KEEP_CORE_BUILD_CONTEXT_H
#define KEEP_CORE_BUILD_CONTEXT_H

#include <stddef.h>

#include "model/model.h"
#include "engine/engine.h"
#include "render/dockerfile.h"
#include "util/buf.h"

/* One file or directory of files/, as read from the image. */
struct build_context_entry {
	char *path;		/* absolute path in the container */
	int is_dir;
	unsigned int mode;	/* permission bits */
	unsigned int uid;
	unsigned int gid;
	struct buf data;	/* a regular file's bytes */
	int secret;		/* installer configuration, its credentials made *** */
};

struct build_context {
	struct build_context_entry *v;	/* sorted by path */
	size_t n;
	/* The same entries as the renderer wants them; paths point into v. */
	struct context_file *files;
	struct buf dockerfile;
	/*
	 * Regular files left out for their size (see large_min below), as
	 * "PATH (SIZE)" in printable form, by path.
	 */
	struct strv large;
};

/* Who builds a context, which decides what its files may hold. */
enum build_for {
	/*
	 * The user, with a Dockerfile that may land in a repository:
	 * credentials in installer configuration become "***", and the
	 * installs mount the real files as BuildKit secrets.
	 */
	BUILD_FOR_USER,
	/*
	 * keep itself, through the engine that holds the snapshot image
	 * (verify, resume): the classic builder, no mounts; the context
	 * holds the files' bytes as the snapshot image does (credentials
	 * too), only ever in memory.
	 */
	BUILD_FOR_KEEP,
};

/*
 * Read the loose files of s (its added and changed paths) from image (the
 * snapshot's committed image, keep/NAME:N) through a reader container,
 * and render the Dockerfile that COPYs them into out->dockerfile, for
 * whom builds it. Paths that are neither a regular file nor a directory
 * (symlinks, devices) are left out with a warning, and the Dockerfile
 * lists them. Regular files of large_min bytes or more (0: none) are left
 * out too, listed in out->large and in a comment that says why. image
 * NULL: there is none (the snapshot was pruned), no file is read and the
 * Dockerfile lists them all. Renderer warnings are appended to warnings.
 * Release out with build_context_release.
 */
int build_context_collect(struct engine *e, const struct snapshot *s,
    const char *image, enum build_for whom, long long large_min,
    struct build_context *out, struct strv *warnings, struct keep_error **err);
void build_context_release(struct build_context *bc);

/*
 * Files this big or bigger in a container's own layer are what the seed
 * notes say belongs in a mount (model weights, datasets): save warns about
 * them, to-dockerfile leaves them out of its build context.
 */
#define BUILD_CONTEXT_LARGE_FILE 100000000LL

/*
 * The size from which a loose file counts as large: KEEP_LARGE_FILE (bytes,
 * or with a unit k, M, G, T, powers of 1000 as docker shows sizes; 0: no
 * file is), else BUILD_CONTEXT_LARGE_FILE. Anything else is a usage error.
 */
int build_context_large_min(long long *out, struct keep_error **err);

/* The .dockerignore keep writes: only Dockerfile and files/ are sent. */
extern const char build_context_dockerignore[];

/*
 * Write bc to the directory dir: dir/Dockerfile, dir/.dockerignore and
 * dir/files/<path>, owned by the user running keep: files 0644 (0755 when
 * the recorded mode has an execute bit), directories 0700. The recorded
 * owners and modes are the Dockerfile's to apply in the image, never set
 * on this host. dir must be missing, empty, or a context keep wrote before
 * (its files/ is then replaced).
 */
int build_context_write_dir(const struct build_context *bc, const char *dir,
    struct keep_error **err);

/*
 * Append bc as an uncompressed tar archive to out, for POST /build: each
 * entry with the mode build_context_write_dir gives it and owner 0:0, as
 * the docker CLI sends a context it wrote (the Dockerfile's COPY --chown
 * and chmod set the recorded ones), so that the classic builder's cache
 * serves keep's builds and a docker build of the written context alike.
 */
int build_context_tar(const struct build_context *bc, struct buf *out,
    struct keep_error **err);

#endif
