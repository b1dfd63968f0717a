/*
 * Helpers shared by the analyzers in src/pkg; not for use elsewhere.
 */
#ifndef KEEP_PKG_INTERNAL_H
#define KEEP_PKG_INTERNAL_H

#include <stddef.h>

#include "pkg/pkg.h"

/*
 * Step through data line by line: sets *line and *line_len (without the
 * "\n" and a "\r" before it) and returns 1, or 0 at the end.
 */
int pkgi_next_line(const char *data, size_t len, size_t *pos,
    const char **line, size_t *line_len);

/* s with control, quote, backslash and non-ASCII bytes as \xNN. Caller frees. */
char *pkgi_escape(const char *s, size_t len);

/*
 * fs->read_file with the path added to the error message (which may be
 * KEEP_ERR_NOT_FOUND), the bytes read charged to fs->budget.
 */
int pkgi_read(const struct pkg_fs *fs, const char *path, size_t max,
    struct buf *out, struct keep_error **err);

/* fs->prefetch, when fs has one and paths is not empty. */
void pkgi_prefetch(const struct pkg_fs *fs, const char *dir,
    const struct strv *paths);

/*
 * The file lists dpkg may keep for p, in the order dpkg_owned_paths tries
 * them: /var/lib/dpkg/info/NAME:ARCH.list, then NAME.list. Appended to out.
 */
void dpkgi_list_paths(const struct pkg *p, struct strv *out);

/* The directories holding the changed pip (npm) packages of changes. */
void pipi_state_dirs(const struct fs_changes *changes, struct strv *out);
void npmi_state_dirs(const struct fs_changes *changes, struct strv *out);

/* 1 when path is dir or below it ("/a/b" is under "/a", "/ab" is not). */
int pkgi_path_under(const char *path, const char *dir);

/*
 * Resolve "." and ".." and repeated slashes in the absolute path p (a
 * relative one is taken from "/"). NULL when ".." climbs above "/".
 * Caller frees.
 */
char *pkgi_path_clean(const char *p);

/* The directory part of an absolute path ("/a/b" → "/a", "/a" → "/"). */
char *pkgi_dirname(const char *p);

/* Case-sensitive test that s[0..len) equals the NUL-terminated key. */
int pkgi_eq(const char *s, size_t len, const char *key);

/* Trim spaces and tabs on both sides of s[0..*len): returns the new start. */
const char *pkgi_trim(const char *s, size_t *len);

/*
 * Charge what the strings a parser made from path's data cost (its return
 * value with out NULL) to fs->budget: 0, or -1 with *err.
 */
int pkgi_charge(const struct pkg_fs *fs, size_t cost, const char *path,
    struct keep_error **err);

/* Append a formatted line to warnings. */
void pkgi_warn(struct strv *warnings, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* 1 when s[0..len) is empty or only spaces and tabs. */
int pkgi_blank(const char *s, size_t len);

#endif
