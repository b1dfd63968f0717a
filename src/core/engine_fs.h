/*
 * A struct pkg_fs over the Engine API's archive endpoint: the analyzers read
 * a container's (or an image's) files without exec, so stopped containers
 * work too.
 */
#ifndef KEEP_CORE_ENGINE_FS_H
#define KEEP_CORE_ENGINE_FS_H

#include "engine/engine.h"
#include "pkg/pkg.h"

/*
 * Files of container id. The engine must outlive fs. Release with
 * pkg_fs_release.
 */
void engine_fs_container(struct pkg_fs *fs, struct engine *e, const char *id);

/*
 * Files of image: on the first read, a never-started container is created
 * from the image (see engine_container_create_reader) and it is removed on
 * release, so an image whose files are never needed costs nothing.
 */
void engine_fs_image(struct pkg_fs *fs, struct engine *e, const char *image);

#endif
