/* Showing snapshots: summary line, readable form, JSON. */
#ifndef KEEP_CLI_SNAPSHOT_OUT_H
#define KEEP_CLI_SNAPSHOT_OUT_H

#include <stdio.h>

#include "model/model.h"
#include "util/buf.h"
#include "core/snapshot_json.h"

/* "+4 dpkg, −1 dpkg, +2 pip, 12 files", appended to out. */
void snapshot_summary(const struct snapshot *s, struct buf *out);

/* The readable form of `keep show`. */
void snapshot_print(FILE *f, const struct snapshot *s);

/*
 * The lists of d in obj, as keep diff --json and keep status --json show
 * them: "packages", then "env", "mounts", "files" and "settings" objects
 * of "added", "removed" (and "changed") arrays.
 */
struct snapshot_diff;
struct jout;
void snapshot_diff_json(struct jout *obj, const struct snapshot_diff *d);

#endif
