/*
 * The file helpers every module uses: one atomic write, one mkdir -p.
 */
#ifndef KEEP_UTIL_FS_H
#define KEEP_UTIL_FS_H

#include <stddef.h>

#include "util/buf.h"
#include "util/error.h"

/*
 * Create dir and its missing parents; the ones created get mode, an
 * existing directory is left as it is. When below is not NULL it is a
 * prefix of dir naming a directory that must exist: the components after
 * it are never followed if they are symbolic links (one there is an error:
 * it could lead out of the tree), the ones up to it are. Returns 0 or -1
 * with *err set.
 */
int fs_mkdir_p(const char *dir, unsigned mode, const char *below,
    struct keep_error **err);

/*
 * Write data to a new file made from the mkstemp(3) template *tmp (which
 * ends in XXXXXX and is rewritten to the name chosen), with mode, synced to
 * the disk. Returns 0; or -1 with errno set, the file gone and *tmp freed
 * and set to NULL.
 */
int fs_write_temp(char **tmp, const void *data, size_t len, unsigned mode);

/*
 * Replace path with a file holding data, atomically: written beside it
 * under a new name (O_EXCL), synced, then renamed over it. A reader sees
 * the old file or the new one, never a part. Returns 0 or -1 with *err set.
 */
int fs_write_file_atomic(const char *path, const void *data, size_t len,
    unsigned mode, struct keep_error **err);

/*
 * Append the content of the file open at fd to out. Anything but a regular
 * file is KEEP_ERR_NOT_FOUND ("not a regular file"); a file of more than
 * max bytes is an error, never a truncated read. fd stays open. Returns 0
 * or -1 with *err set (the message without the path: callers add it).
 */
int fs_read_fd(int fd, size_t max, struct buf *out, struct keep_error **err);

#endif
