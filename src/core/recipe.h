/*
 * A snapshot's recipe: the Dockerfile that rebuilds it, as to-dockerfile
 * prints it and as the recipe repository records it. Pure: no I/O.
 */
#ifndef KEEP_CORE_RECIPE_H
#define KEEP_CORE_RECIPE_H

#include "model/model.h"
#include "render/dockerfile.h"
#include "util/buf.h"

/*
 * The renderer's input for s, without a build context; points into s. The
 * apt pins use the snapshot archive as for recipe_dockerfile (a bad
 * KEEP_APT_SNAPSHOT or KEEP_APT_SNAPSHOT_URL is an error).
 */
int recipe_input_of(const struct snapshot *s, struct recipe_input *in,
    struct keep_error **err);

/*
 * Render the Dockerfile of s into out (appended). files, when not NULL, are
 * the loose files present in a build context under files/ (to-dockerfile
 * --context, verify); else loose files are listed in comments. Warnings
 * (refused packages, left-out secrets, unreinstallable packages) are
 * appended to warnings when it is not NULL. The apt pins use the snapshot
 * archive as recipe_apt_snapshot_set chose, else as KEEP_APT_SNAPSHOT and
 * KEEP_APT_SNAPSHOT_URL say; a bad value there is an error.
 */
int recipe_dockerfile(const struct snapshot *s,
    const struct context_file *files, size_t n_files, struct buf *out,
    struct strv *warnings, struct keep_error **err);

/*
 * For every recipe this process renders from now on: when the apt install
 * uses the snapshot archive ("fallback", "always" or "never"; NULL: from
 * KEEP_APT_SNAPSHOT, default "fallback") and the archive's base URL (NULL:
 * from KEEP_APT_SNAPSHOT_URL, default each distribution's own). A
 * command's options call it once, before any rendering. A value that is
 * none of those, or a URL render_apt_snapshot_url_valid refuses, is a
 * KEEP_ERR_USAGE error naming where it came from.
 */
int recipe_apt_snapshot_set(const char *when, const char *url,
    struct keep_error **err);

/*
 * What recipes rendered now use: as recipe_apt_snapshot_set chose, else
 * the environment's (a bad value there is an error). *url may be NULL
 * (each distribution's own); it stays valid until the next set.
 */
int recipe_apt_snapshot_get(enum render_apt_snapshot *when, const char **url,
    struct keep_error **err);

#endif
