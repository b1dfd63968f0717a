/*
 * A snapshot's recipe: the Dockerfile that rebuilds it, as to-dockerfile
 * prints it and as the recipe repository records it. Pure: no I/O.
 */
#ifndef KEEP_CORE_RECIPE_H
#define KEEP_CORE_RECIPE_H

#include "model/model.h"
#include "render/dockerfile.h"
#include "util/buf.h"

/* The renderer's input for s, without a build context; points into s. */
void recipe_input_of(const struct snapshot *s, struct recipe_input *in);

/*
 * Render the Dockerfile of s into out (appended). files, when not NULL, are
 * the loose files present in a build context under files/ (to-dockerfile
 * --context, verify); else loose files are listed in comments. Warnings
 * (refused packages, left-out secrets, unreinstallable packages) are
 * appended to warnings when it is not NULL.
 */
int recipe_dockerfile(const struct snapshot *s,
    const struct context_file *files, size_t n_files, struct buf *out,
    struct strv *warnings, struct keep_error **err);

#endif
