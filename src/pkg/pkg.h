/*
 * Package analyzers: read the package databases of a container and of its
 * base image, and say what was installed, removed or upgraded, and which
 * changed paths those packages explain.
 *
 * The analyzers never touch the engine directly: they read files through a
 * struct pkg_fs, which the engine's archive API implements for containers
 * and images, and pkg_dir_fs_open for a plain directory (tests, exported
 * root filesystems).
 *
 * One file per manager (dpkg.c, apk.c, pip.c, npm.c), each with a pure
 * parser (bytes in, packages out) that the unit tests call directly. Adding
 * rpm or conda is adding a file and a call in scan.c.
 *
 * Everything read here came from inside a container and is untrusted:
 * parsers never crash on it and never read past the size limits below; the
 * names and versions they return are raw and must pass pkg_validate
 * (model/validate.h) before anything emits them (pkg_scan does that and
 * turns refusals into warnings).
 *
 * JSON (pip's direct_url.json, npm's package.json) is read with jansson;
 * this directory may include it, as engine/ does.
 *
 * Ownership: every struct filled through an out-parameter belongs to the
 * caller, who releases it with the matching *_release (strv_release,
 * pkg_set_release ... from core/model.h).
 */
#ifndef KEEP_PKG_PKG_H
#define KEEP_PKG_PKG_H

#include <stddef.h>

#include "model/model.h"
#include "model/validate.h"
#include "util/budget.h"
#include "util/buf.h"
#include "util/error.h"

/* Size limits on what is read from a container. */
#define PKG_MAX_DB	((size_t)64 << 20)	/* dpkg status, apk installed */
#define PKG_MAX_LIST	((size_t)16 << 20)	/* dpkg .list, pip RECORD, extended_states */
#define PKG_MAX_META	((size_t)4 << 20)	/* METADATA, package.json */
#define PKG_MAX_SMALL	((size_t)64 << 10)	/* INSTALLER, direct_url.json, world */

/*
 * Read-only access to one filesystem tree (a container or an image). Both
 * reads return 0, or -1 with *err set. Nothing of the kind asked for at the
 * path is KEEP_ERR_NOT_FOUND, which the analyzers take back with
 * keep_error_not_found: most package files are optional.
 */
struct pkg_fs {
	void *ctx;
	/*
	 * Append the content of the regular file at the absolute path to out.
	 * No such path, or anything but a regular file there (a directory, a
	 * FIFO ...): KEEP_ERR_NOT_FOUND. A file larger than max bytes is an
	 * error with a clear message (never a truncated read).
	 */
	int (*read_file)(void *ctx, const char *path, size_t max,
	    struct buf *out, struct keep_error **err);
	/*
	 * Append the names of the entries directly inside the directory at the
	 * absolute path to out, sorted, without "." and "..". No directory
	 * there: KEEP_ERR_NOT_FOUND.
	 */
	int (*list_dir)(void *ctx, const char *path, struct strv *out,
	    struct keep_error **err);
	/*
	 * Append name and content of every regular file directly inside the
	 * directory at the absolute path to out, sorted by name, at most max
	 * bytes in all (more is an error). Files holding a NUL byte are left
	 * out: this reads text databases. No directory there:
	 * KEEP_ERR_NOT_FOUND.
	 */
	int (*read_dir)(void *ctx, const char *path, size_t max,
	    struct kvv *out, struct keep_error **err);
	/*
	 * Set *target (caller frees) to the absolute path that the symlink at
	 * the absolute path resolves to, every link on the way followed, as
	 * inside the container ("/lib" gives "/usr/lib"). Anything but a
	 * symlink at path: KEEP_ERR_NOT_FOUND.
	 */
	int (*resolve_link)(void *ctx, const char *path, char **target,
	    struct keep_error **err);
	/*
	 * May be NULL. The analyzer is about to read the files at paths
	 * (absolute, each directly inside the directory dir). Where every
	 * read is a round trip (the engine's archive API), this reads dir in
	 * one and answers those reads from memory. Nothing is reported: on a
	 * failure the reads go one by one.
	 */
	void (*prefetch)(void *ctx, const char *dir, const struct strv *paths);
	/* Free ctx; may be NULL. */
	void (*release)(void *ctx);
	/*
	 * What the analyzers may keep of this tree's data (util/budget.h):
	 * every file they read and the paths they make from it are charged
	 * here, and passing its limit fails the scan. NULL: no limit.
	 */
	struct budget *budget;
};

/* Call fs->release and clear *fs. */
void pkg_fs_release(struct pkg_fs *fs);

/*
 * A pkg_fs over the directory root: "/var/lib/dpkg/status" reads
 * ROOT/var/lib/dpkg/status. Symlinks inside the tree resolve as they would
 * inside the container (absolute targets stay under root); ".." never
 * escapes root. Release with pkg_fs_release.
 */
int pkg_dir_fs_open(struct pkg_fs *out, const char *root,
    struct keep_error **err);

/* --- dpkg / apt ---------------------------------------------------------- */

/*
 * Parse a dpkg status file (or one status.d entry) into out (appended).
 * Only stanzas with "Status: install ok installed" are kept, unless
 * require_status is 0 (distroless status.d entries carry no Status).
 * Stanzas without Package or Version, or with a NUL byte, are skipped with a
 * warning appended to warnings. Manager "dpkg"; automatic is 0. Never fails.
 */
void dpkg_parse_status(const char *data, size_t len, int require_status,
    struct pkg_set *out, struct strv *warnings);

/*
 * Parse apt's extended_states: append "name:arch" (or "name" when the stanza
 * has no Architecture) to auto_out for each "Auto-Installed: 1" stanza.
 */
void dpkg_parse_extended_states(const char *data, size_t len,
    struct strv *auto_out);

/* Set automatic on the dpkg packages of set that auto_keys names. */
void dpkg_apply_auto(struct pkg_set *set, const struct strv *auto_keys);

/*
 * Read the dpkg packages of fs: /var/lib/dpkg/status, else the distroless
 * /var/lib/dpkg/status.d/ (each file not ending in .md5sums), with the marks
 * of /var/lib/apt/extended_states. No database at all is no packages, not an
 * error. A database over PKG_MAX_DB is an error.
 */
int dpkg_collect(const struct pkg_fs *fs, struct pkg_set *out,
    struct strv *warnings, struct keep_error **err);

/*
 * Append the paths that dpkg package p owns (its
 * /var/lib/dpkg/info/NAME:ARCH.list, else NAME.list) to out. A missing list
 * adds nothing. p must have passed pkg_validate (its name becomes a path).
 */
int dpkg_owned_paths(const struct pkg_fs *fs, const struct pkg *p,
    struct strv *out, struct keep_error **err);

/*
 * Append the lines of a dpkg .list file (absolute paths; "/." skipped) to
 * out. Returns what they cost (BUDGET_STRING each); with out NULL only
 * counts, so a caller can charge before it keeps them.
 */
size_t dpkg_parse_list(const char *data, size_t len, struct strv *out);

/*
 * apt's /var/log/apt/history.log: append "name\nversion" for every package
 * apt installed, upgraded, downgraded or reinstalled from an index (not
 * from a .deb file named on its command line) to known.
 */
void apt_history_parse(const char *data, size_t len, struct strv *known);

/*
 * Set origin "local" on the dpkg changes (added or upgraded) that apt's
 * history of fs does not show apt installing at that version: a `dpkg -i`
 * or a local .deb, which no index can reinstall. No history log means apt
 * never ran, so all of them are marked - unless the change list fsc shows
 * the log deleted, when nothing can be told and nothing is marked.
 */
int apt_history_mark_local(const struct pkg_fs *fs, struct pkg_changes *changes,
    const struct fs_changes *fsc, struct keep_error **err);

/*
 * Append to explained what the alternatives database file of the master
 * name (its content data) says update-alternatives made: the master and
 * slave links, and in auto mode /etc/alternatives/NAME for the master and
 * each slave (in manual mode those are the user's choice).
 */
void dpkg_parse_alternative(const char *name, const char *data, size_t len,
    struct strv *out);

/*
 * When changes add or change something under /etc/alternatives, read fs's
 * alternatives database (one read of /var/lib/dpkg/alternatives) and
 * append what it made to explained. No database is nothing to add.
 */
int pkg_explain_alternatives(const struct pkg_fs *fs,
    const struct fs_changes *changes, struct strv *explained,
    struct keep_error **err);

/*
 * usrmerge: for each of /bin, /sbin, /lib, /lib32, /lib64, /libx32 that
 * some explained path lies under and that fs resolves as a symlink to
 * another directory ("/lib" to "/usr/lib"), append each such path as seen
 * through the link ("/lib/x" as "/usr/lib/x"). The links are asked of fs,
 * never assumed.
 */
int pkg_explain_aliases(const struct pkg_fs *fs, struct strv *explained,
    struct keep_error **err);

/* --- apt sources ---------------------------------------------------------- */

/*
 * Parse one apt sources file into out (appended): the one-line format of
 * sources.list and *.list, or deb822 (*.sources) when deb822 is 1. Only
 * "deb" entries, one per URI and suite; disabled stanzas, deb-src and
 * entries apt would refuse are skipped, a repeated entry is kept once,
 * and out holds at most 256 entries (more are left out).
 * URIs lose their credentials; archive is left "" (apt_archive_of).
 */
void apt_sources_parse(const char *data, size_t len, int deb822,
    struct apt_sources *out);

/*
 * The snapshot archive that keeps the old versions of the repository at
 * uri (struct apt_source.archive): the Debian and Ubuntu archive hosts by
 * name, any other host (a mirror) by the Origin and Label of its Release
 * file (NULL when not known). "" when no snapshot archive is known.
 */
const char *apt_archive_of(const char *uri, const char *origin,
    const char *label);

/* Origin: and Label: of a Release or InRelease file (caller frees; NULL when absent). */
void apt_release_parse(const char *data, size_t len, char **origin,
    char **label);

/*
 * The name under /var/lib/apt/lists of file ("InRelease", "Release") of
 * uri and suite, as apt makes it: "deb.debian.org_debian_dists_bookworm_InRelease".
 * Caller frees.
 */
char *apt_lists_name(const char *uri, const char *suite, const char *file);

/*
 * The apt sources of fs: /etc/apt/sources.list, then /etc/apt/sources.list.d/
 * *.list and *.sources in name order, as apt reads them, appended to out
 * with their archive; for a repository on no known host, read from the
 * Release file apt keeps of it in /var/lib/apt/lists.
 */
int apt_sources_scan(const struct pkg_fs *fs, struct apt_sources *out,
    struct keep_error **err);

/* --- apk ----------------------------------------------------------------- */

/*
 * Parse /lib/apk/db/installed into out (appended): P: name, V: version,
 * A: arch, manager "apk". Entries without P or V are skipped with a warning.
 */
void apk_parse_installed(const char *data, size_t len, struct pkg_set *out,
    struct strv *warnings);

/*
 * Append the files that the packages of names (sorted) own according to an
 * installed database (F: directory lines, R: file lines) to out as
 * absolute paths: one pass over the database, however many names. Returns
 * what they cost (BUDGET_STRING each); with out NULL only counts.
 */
size_t apk_parse_owned(const char *data, size_t len, const struct strv *names,
    struct strv *out);

/*
 * Parse /etc/apk/world: append the package names (constraints such as
 * "=1.2", ">1", "@edge" and "!" negations stripped or skipped) to out,
 * sorted, each once.
 */
void apk_parse_world(const char *data, size_t len, struct strv *out);

/*
 * Read the apk packages of fs; packages not in the world file are
 * automatic. No database is no packages. If db_out is not NULL it receives
 * the raw installed database (for apk_parse_owned).
 */
int apk_collect(const struct pkg_fs *fs, struct pkg_set *out,
    struct buf *db_out, struct strv *warnings, struct keep_error **err);

/* --- os-release ------------------------------------------------------------ */

/*
 * ID ("debian", "alpine") and VERSION_ID ("12") of an os-release file;
 * each NULL when missing or not in the characters os-release(5) allows.
 * Caller frees both.
 */
void os_release_parse(const char *data, size_t len, char **id,
    char **version_id);

/*
 * Read /etc/os-release, else /usr/lib/os-release, of fs and parse it.
 * Neither there: KEEP_ERR_NOT_FOUND.
 */
int os_release_read(const struct pkg_fs *fs, char **id, char **version_id,
    struct keep_error **err);

/* --- pip / uv ------------------------------------------------------------ */

/*
 * Read Name: and Version: from a METADATA (or PKG-INFO) file's headers.
 * Returns 0 and sets *name and *version (caller frees), or -1 when either
 * is missing.
 */
int pip_parse_metadata(const char *data, size_t len, char **name,
    char **version);

/*
 * Append the absolute paths a RECORD file lists to out; site is the
 * site-packages directory they are relative to ("../../../bin/x" resolves
 * against it). Paths that would climb above "/" are skipped. Returns what
 * they cost (BUDGET_STRING each); with out NULL only counts (a RECORD's
 * short lines become long paths: a caller charges before it keeps them).
 */
size_t pip_parse_record(const char *data, size_t len, const char *site,
    struct strv *out);

/*
 * Read a direct_url.json (PEP 610) into *origin (caller frees): the URL,
 * with "VCS+" before it and "@commit" after it for a VCS install. -1 when
 * the JSON is broken or has no url.
 */
int pip_parse_direct_url(const char *data, size_t len, char **origin);

/*
 * Find pip/uv packages through the change list: every added *.dist-info
 * directory of the container is read (METADATA, INSTALLER, REQUESTED,
 * direct_url.json, RECORD); a deleted one is a removal, and a deletion and
 * an addition of the same normalised name in the same directory is an
 * upgrade. Appends the container's found packages to found, the changes to
 * out, the paths they explain to explained and problems to warnings. base
 * may be NULL (then removed packages are known only from the directory
 * name, and their files are not read).
 */
int pip_scan(const struct pkg_fs *container, const struct pkg_fs *base,
    const struct fs_changes *changes, struct pkg_set *found,
    struct pkg_changes *out, struct strv *explained, struct strv *warnings,
    struct keep_error **err);

/* --- npm (global packages) ----------------------------------------------- */

/*
 * Read name and version from a package.json (caller frees). bins_out, if not
 * NULL, receives the command names of its "bin" field. -1 when the JSON is
 * broken or lacks a string name or version.
 */
int npm_parse_package_json(const char *data, size_t len, char **name,
    char **version, struct strv *bins_out);

/*
 * Find global npm packages (/usr/local/lib/node_modules and
 * /usr/lib/node_modules, scoped too) through the change list: added or
 * modified package.json at package depth, deleted package directories.
 * The old version of a modified one is read from base (may be NULL). Output
 * as for pip_scan; location is the node_modules directory.
 */
int npm_scan(const struct pkg_fs *container, const struct pkg_fs *base,
    const struct fs_changes *changes, struct pkg_set *found,
    struct pkg_changes *out, struct strv *explained, struct strv *warnings,
    struct keep_error **err);

/* --- diff, validation, scan ---------------------------------------------- */

/*
 * The changes from base to cur, keyed by (manager, location, name, arch),
 * pip names compared normalised. Appended to out in pkg_changes_sort order.
 */
void pkg_diff(const struct pkg_set *base, const struct pkg_set *cur,
    struct pkg_changes *out);

/* Sort by manager, name, arch, location: a deterministic order. */
void pkg_changes_sort(struct pkg_changes *pc);
void pkg_set_sort(struct pkg_set *s);

/*
 * The warning line for a refused package, its untrusted bytes escaped
 * (control and non-ASCII bytes as \xNN): "refused dpkg package
 * 'evil;touch${IFS}/pwned': invalid name". Caller frees.
 */
char *pkg_refusal(const struct pkg *p, const char *why);

/*
 * Drop the packages of set (resp. changes) that fail pkg_validate, adding
 * a pkg_refusal warning for each. Returns how many were dropped.
 */
size_t pkg_set_filter_valid(struct pkg_set *set, struct strv *warnings);
size_t pkg_changes_filter_valid(struct pkg_changes *pc, struct strv *warnings);

struct pkg_scan {
	/*
	 * The container's packages: the full dpkg and apk sets, plus the pip
	 * and npm packages found through the change list.
	 */
	struct pkg_set packages;
	/* The base image's dpkg and apk sets: what to cache by image id. */
	struct pkg_set base;
	/* Container vs base, all managers, in pkg_changes_sort order. */
	struct pkg_changes changes;
	/*
	 * Changed paths that packages explain, for pkg_loose_files. An entry
	 * ending in "/" explains that directory and everything below it.
	 */
	struct strv explained;
	/* Refused packages and unreadable entries, one line each. */
	struct strv warnings;
};

void pkg_scan_release(struct pkg_scan *s);

/*
 * Analyze a container against its base image. container is required. The
 * base's dpkg/apk sets come from base_cached when not NULL, else are read
 * from base; with neither, the base has no packages. base (may be NULL)
 * also supplies the file lists of removed packages and pip/npm old
 * versions. changes is the container's change list; when
 * it shows no package database touched, the databases are not read: the
 * container's sets are base_cached, or are read once from container and
 * stand for the base's too. Packages failing
 * pkg_validate are left out of every output, with a warning. Returns 0 and
 * fills *out (caller releases), or -1 with *err set (an unreadable or
 * oversized database).
 */
int pkg_scan(const struct pkg_fs *container, const struct pkg_fs *base,
    const struct pkg_set *base_cached, const struct fs_changes *changes,
    struct pkg_scan *out, struct keep_error **err);

/*
 * Whether changes touch a dpkg or apk database (a path pkg_scan reads, or
 * an ancestor added or deleted). When not, the container's databases are
 * its base image's.
 */
int pkg_dbs_changed(const struct fs_changes *changes);

/*
 * Is a change at path one that no analyzer reads and that can never be a
 * loose file: noise (pkg_path_is_noise) that is no package database,
 * apt's history, dpkg's file lists or a pip dist-info? A save whose other
 * changes are the last save's records the same snapshot.
 */
int pkg_path_is_inert(const char *path);

/*
 * The paths whose size, mode and mtime stand for what pkg_scan would read
 * of changes, for a caller that must tell "the same as last time" without
 * reading it: the package databases the change list touches, apt's
 * history, and the directories that hold the changed pip and npm packages
 * (pip and npm replace a package's directory when they install it again,
 * which touches the directory that holds it). Appended to out, sorted.
 */
void pkg_state_paths(const struct fs_changes *changes, struct strv *out);

/*
 * Is path noise that a recipe never carries: temporary files, caches, apt
 * lists, logs, byte code, and package-manager bookkeeping?
 */
int pkg_path_is_noise(const char *path);

/*
 * The "loose files": the changes that no package explains (see
 * pkg_scan.explained), minus noise, minus the mount destinations and
 * everything under them, minus directories reported as modified only because
 * something below them changed, and minus directories all of whose changed
 * descendants were dropped. explained and mount_destinations may be NULL.
 * Appends to out (caller releases), keeping the input order.
 */
int pkg_loose_files(const struct fs_changes *changes,
    const struct strv *explained, const struct strv *mount_destinations,
    struct fs_changes *out);

/*
 * Set secret on each loose file of fs (added or changed) that is installer
 * configuration able to hold credentials (model/installer_config.h) and
 * holds some (model/secrets.h). Reads only those files; one that cannot be
 * read (larger than PKG_MAX_META ...) counts as holding some. Returns 0.
 */
int pkg_loose_find_secrets(const struct pkg_fs *fs, struct fs_changes *loose,
    struct keep_error **err);

#endif
