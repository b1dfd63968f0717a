/*
 * One rule of what a package read from a container may be called: each
 * check follows the package manager's own syntax (Debian policy, PEP 508
 * and PEP 440, npm's names and semver, apk's versions), and every byte any
 * of them accepts is inert in /bin/sh and in a Dockerfile. The analyzers
 * (pkg/) refuse what fails them before a package is recorded; the renderer
 * checks again before it writes a name or version, as its input may come
 * from elsewhere (an older catalog, a test).
 *
 * Each check takes a NUL-terminated string and returns 1 when it is valid,
 * else 0.
 */
#ifndef KEEP_MODEL_VALIDATE_H
#define KEEP_MODEL_VALIDATE_H

#include "model/model.h"

int pkg_valid_deb_name(const char *s);
int pkg_valid_deb_version(const char *s);
int pkg_valid_deb_arch(const char *s);
int pkg_valid_pep508_name(const char *s);
int pkg_valid_pep440_version(const char *s);
int pkg_valid_npm_name(const char *s);
int pkg_valid_npm_version(const char *s);
int pkg_valid_apk_name(const char *s);
int pkg_valid_apk_version(const char *s);
int pkg_valid_apk_arch(const char *s);
/* An absolute path of safe characters only ([A-Za-z0-9._+@/-]). */
int pkg_valid_location(const char *s);

/*
 * The check of manager's names (resp. versions): "dpkg", "apk", "pip" or
 * "npm". An unknown manager has no valid name or version.
 */
int pkg_valid_name(const char *manager, const char *name);
int pkg_valid_version(const char *manager, const char *version);

/*
 * Check every field of p that a Dockerfile or lock file would carry. 0 when
 * valid; else -1 and *why (when why is not NULL; caller frees) says which
 * field is wrong, e.g. "invalid name". An unknown manager is invalid.
 */
int pkg_validate(const struct pkg *p, char **why);

#endif
