/*
 * Snapshots from a recipe repository saved on other machines (keep pull,
 * keep clone): each "keep: save NAME #N" commit behind HEAD becomes
 * snapshot #N of NAME in this catalog, filed under this machine's engine,
 * from what the repository holds at that commit (NAME/container.json:
 * config, run settings, mounts, package changes, loose files, base image;
 * NAME/keep.lock: every package, which gives the base image's packages)
 * and at HEAD (NAME/images: where keep push --images put each snapshot's
 * image). An imported snapshot has no image here and no secret values.
 */
#ifndef KEEP_CORE_IMPORT_H
#define KEEP_CORE_IMPORT_H

#include "catalog/catalog.h"
#include "util/strv.h"

struct import_result {
	struct strv imported;	/* "dev1 #2", in order */
	size_t already;		/* snapshots this catalog had from the same commit */
	/*
	 * One line per container whose snapshots were left out because this
	 * catalog holds another snapshot of a number the repository has
	 * (the same container saved here too).
	 */
	struct strv kept;
	struct strv warnings;	/* one line each */
};

void import_result_release(struct import_result *r);

/*
 * Import into cat, under the engine host `engine`, every save the recipe
 * repository at recipes_dir holds behind HEAD that cat lacks. A snapshot
 * cat already holds from the same commit is left as it is (an import
 * twice is one); one of the same number from elsewhere (saved here) is
 * never replaced: that container's later saves are not imported either,
 * and out->kept says so. Fills *out (caller releases). Returns 0 or -1.
 */
int import_recipes(struct catalog *cat, const char *recipes_dir,
    const char *engine, struct import_result *out, struct keep_error **err);

#endif
