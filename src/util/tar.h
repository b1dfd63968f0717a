/*
 * Tar streams, the Engine API's file format: `GET /containers/{id}/archive`
 * answers with one, and `POST /build` takes one as its build context.
 *
 * This is the only module that includes libarchive. Readers hand every entry
 * to a callback; the content of a regular file is read into memory only up
 * to a limit the caller gives, and a larger file is an error rather than a
 * silent truncation or an unbounded allocation.
 */
#ifndef KEEP_UTIL_TAR_H
#define KEEP_UTIL_TAR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/budget.h"
#include "util/buf.h"
#include "util/error.h"

enum tar_type {
	TAR_FILE,
	TAR_DIR,
	TAR_SYMLINK,
	TAR_HARDLINK,	/* a regular file stored as a link to an earlier entry */
	TAR_CHAR,
	TAR_BLOCK,
	TAR_FIFO,
	TAR_SOCKET,
	TAR_OTHER,
};

/* "a regular file", "a directory", "a symbolic link" ... for messages. */
const char *tar_type_name(enum tar_type t);

/*
 * One entry, valid only during the callback: every pointer belongs to the
 * reader. Strings are never NULL ("" when absent).
 */
struct tar_entry {
	const char *path;	/* as stored, minus any trailing slash: "status", "info/x" */
	enum tar_type type;
	unsigned mode;		/* permission bits, 07777 */
	int64_t uid;
	int64_t gid;
	const char *uname;
	const char *gname;
	int64_t size;		/* size in the header (0 for most non-files) */
	int64_t mtime;		/* seconds since the epoch (the engine's
				 * archives carry no fraction) */
	const char *link;	/* symlink or hardlink target */
	/*
	 * TAR_FILE with content reading on: the bytes, NUL-terminated one past
	 * data_len (the content may itself hold NULs). NULL otherwise.
	 */
	const char *data;
	size_t data_len;
};

/*
 * Called once per entry. Return 0 to go on, 1 to stop reading early (not an
 * error), or -1 with *err set to stop with that error.
 */
typedef int (*tar_entry_fn)(void *ctx, const struct tar_entry *ent,
    struct keep_error **err);

/*
 * A pull source for tar_read_stream: point *data at the next chunk and
 * return its length, 0 at the end, or -1 with *err set.
 */
typedef ssize_t (*tar_source_fn)(void *ctx, const void **data,
    struct keep_error **err);

struct tar_read_opts {
	int read_content;	/* fill data/data_len for regular files */
	size_t max_file;	/* a regular file larger than this is an error */
	/*
	 * Regular files of this size or more come without content (data
	 * NULL), and are no error; 0: none.
	 */
	int64_t skip_from;
};

/*
 * Read the tar archive in data[0..len) and call fn for each entry. Returns 0
 * (also when fn stopped early) or -1 with *err set: a damaged archive, a
 * regular file larger than opts->max_file while reading content, or fn's own
 * error. opts NULL means metadata only.
 */
int tar_read_mem(const void *data, size_t len, const struct tar_read_opts *opts,
    tar_entry_fn fn, void *ctx, struct keep_error **err);

/* As tar_read_mem, pulling the archive from src as it arrives. */
int tar_read_stream(tar_source_fn src, void *src_ctx,
    const struct tar_read_opts *opts, tar_entry_fn fn, void *ctx,
    struct keep_error **err);

/*
 * The first entry of an archive, as `GET /containers/{id}/archive?path=FILE`
 * answers for one file: a regular file's content is appended to out (at
 * most max bytes, else an error); *type_out gets its type and, for a link,
 * *link_out (caller frees, may be NULL) its target, so the caller can
 * follow it. Returns 0, 1 for an archive with no entries, or -1.
 */
int tar_read_single(const void *data, size_t len, size_t max,
    struct buf *out, enum tar_type *type_out, char **link_out,
    struct keep_error **err);

/*
 * Collects a pushed stream (the engine gives the archive to a sink callback)
 * in memory, up to max_total bytes, for tar_read_mem afterwards. libarchive
 * only pulls, so pushed data has to be held; the bound keeps a huge answer
 * from taking all memory.
 */
struct tar_collector {
	struct buf data;
	size_t max_total;
	/*
	 * When set (after init), the data may not pass budget's limit
	 * either (budget_fits, for what); it is not charged.
	 */
	const struct budget *budget;
	const char *what;
};

void tar_collector_init(struct tar_collector *c, size_t max_total);
/*
 * Append a chunk; matches engine_sink_fn, so pass it with &collector as the
 * context. Going past max_total is an error.
 */
int tar_collector_sink(void *collector, const void *data, size_t len,
    struct keep_error **err);
void tar_collector_release(struct tar_collector *c);

/*
 * A writer of an uncompressed POSIX (pax) tar archive into a struct buf,
 * for build contexts. Create with tar_writer_new, add entries, then
 * tar_writer_finish (which writes the end-of-archive blocks) and
 * tar_writer_free. The buf belongs to the caller and must outlive the writer.
 */
struct tar_writer;

struct tar_writer *tar_writer_new(struct buf *out);
/*
 * Add a regular file with the given content (len bytes), permission bits,
 * owner and mtime 0 (so the same input gives the same bytes). path is
 * relative, like "Dockerfile" or "files/opt/tool.conf".
 */
int tar_writer_add_file(struct tar_writer *w, const char *path,
    const void *data, size_t len, unsigned mode, int64_t uid, int64_t gid,
    struct keep_error **err);
/* Add a directory entry. */
int tar_writer_add_dir(struct tar_writer *w, const char *path, unsigned mode,
    int64_t uid, int64_t gid, struct keep_error **err);
/* Add a symbolic link to target. */
int tar_writer_add_symlink(struct tar_writer *w, const char *path,
    const char *target, int64_t uid, int64_t gid, struct keep_error **err);
/*
 * A writer into the file descriptor fd (left open), which hashes what it
 * writes: tar_writer_digest says what, after tar_writer_finish.
 */
struct tar_writer *tar_writer_new_fd(int fd);

/* One extended attribute of an entry to write. */
struct tar_xattr {
	const char *name;
	const void *value;
	size_t len;
};

/* An entry to write with all its metadata, as a layer of an image holds it. */
struct tar_out {
	const char *path;	/* relative: "etc/app.conf" */
	enum tar_type type;	/* TAR_FILE ... TAR_FIFO; not TAR_SOCKET */
	unsigned mode;		/* permission bits, 07777 */
	int64_t uid, gid;
	int64_t mtime;		/* seconds */
	int64_t size;		/* TAR_FILE: the bytes read from the content fd */
	const char *link;	/* TAR_SYMLINK's target, TAR_HARDLINK's entry */
	unsigned rdev_major, rdev_minor;	/* TAR_CHAR, TAR_BLOCK */
	const struct tar_xattr *xattrs;
	size_t n_xattrs;
};

/*
 * Add e; a TAR_FILE's size bytes are read from content_fd (a file that
 * shrank meanwhile is padded with zeros: the header said how many).
 */
int tar_writer_add_entry(struct tar_writer *w, const struct tar_out *e,
    int content_fd, struct keep_error **err);

/*
 * A tar_writer_new_fd writer's bytes so far: the lowercase hex SHA-256 of
 * them into hex, their count returned. Once, after tar_writer_finish.
 */
int64_t tar_writer_digest(struct tar_writer *w, char hex[65]);

/*
 * The ustar header of a regular file path (under 100 bytes) of size bytes
 * (under 8 GiB), appended to out; -1 for a path or size it cannot hold.
 * For an archive streamed by hand: the content follows, then tar_pad, and
 * at the end two blocks of zeros.
 */
int tar_header(struct buf *out, const char *path, uint64_t size);

/* The zeros that end an entry of size bytes at a 512-byte block. */
void tar_pad(struct buf *out, uint64_t size);

/* Write the end of the archive; nothing may be added afterwards. */
int tar_writer_finish(struct tar_writer *w, struct keep_error **err);
/* Free the writer (NULL is fine); the buf keeps what was written. */
void tar_writer_free(struct tar_writer *w);

#endif
