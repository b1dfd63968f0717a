/*
 * keep resume: get a user back into a container. An existing container is
 * started (the same container, same id) or unpaused; a removed one is
 * recreated from a snapshot with the same name, config and mounts. The
 * shell or command then runs through engine/exec.h; the CLI owns the
 * terminal.
 */
#ifndef KEEP_CORE_RESUME_H
#define KEEP_CORE_RESUME_H

#include "model/model.h"
#include "core/resolve.h"
#include "engine/build.h"
#include "engine/engine.h"

struct resume_opts {
	int create_volumes;	/* make missing named volumes, empty */
	/*
	 * "/old=/new" each, or NULL: a recreate mounts bind sources at or
	 * under /old from /new instead (the folder is elsewhere on this
	 * machine). A snapshot imported from another machine's recipes
	 * whose bind sources (mapped) do not exist here is refused, naming
	 * them.
	 */
	const struct strv *maps;
	/*
	 * Settings (core/run_check.h) to go without when this engine lacks
	 * them, or NULL: without, a recreate that cannot give the container
	 * all it was run with stops, naming what is missing.
	 */
	const struct strv *ignore_missing;
	/*
	 * Called only when the container must be recreated, for the image to
	 * recreate it from instead of the snapshot's commit (a recipe build);
	 * NULL for the commit. *image_out is the caller's to free.
	 */
	int (*image_fn)(void *ctx, const struct snapshot *snap,
	    char **image_out, struct keep_error **err);
	void *image_ctx;
	/*
	 * Around a pull of the snapshot's image (not on the engine, but
	 * pushed by keep push --images): begin 1 then 0. May be NULL.
	 */
	void (*progress)(void *ctx, int begin, const char *what);
	void *progress_ctx;
};

enum resume_action {
	RESUME_WAS_RUNNING,	/* nothing to do */
	RESUME_STARTED,		/* it was stopped: started in place */
	RESUME_UNPAUSED,
	RESUME_RECREATED,	/* it was gone: made again from an image */
};

struct resume_result {
	enum resume_action action;
	char *id;		/* the running container */
	char *name;
	char *image;		/* RESUME_RECREATED: the image used, else NULL */
	char *pulled;		/* REPO@sha256:... it was pulled from, or NULL */
	char *user;		/* its configured user and workdir, for exec */
	char *workdir;
	struct strv created_volumes;	/* volumes made by create_volumes */
	struct strv warnings;		/* for stderr */
};

void resume_result_release(struct resume_result *r);

/*
 * Make sure the container NAME means is running on e. snap (may be NULL
 * when NAME was never saved) is the snapshot to recreate from: its
 * container, found by id, else by name, is started or unpaused when it
 * exists. A container of that name that did not come from this snapshot
 * line (another id, not made from a keep/NAME image) is refused with
 * KEEP_ERR_CONFLICT. Without snap, NAME resolves on the engine alone
 * (ropts as for save). Missing named volumes fail, naming them, unless
 * opts->create_volumes. A recreate gives the container everything its
 * snapshot records it was run with; what this engine lacks (a runtime,
 * a network, GPUs ...) fails, naming it, unless opts->ignore_missing
 * lets it go (then out->warnings say so). A snapshot image that is not
 * on the engine (pruned, removed, saved on another machine) but that keep
 * push --images put in a registry is pulled by its digest first
 * (snapshot_image_pull; out->pulled). A recreated container the
 * engine would not start is removed again. Fills *out (caller releases).
 */
int keep_resume(struct engine *e, const char *name,
    const struct snapshot *snap, const struct resolve_opts *ropts,
    const struct resume_opts *opts, struct resume_result *out,
    struct keep_error **err);

/*
 * The interactive shell to run in container id: shell split at blanks when
 * given, else bash when /bin/bash or /usr/bin/bash is there, else sh.
 * Appends to *out (caller releases).
 */
int keep_resume_shell(struct engine *e, const char *id, const char *shell,
    struct strv *out, struct keep_error **err);

/*
 * Build the recipe of snap as keep verify does (its loose files as the
 * context, host networking, build_args such as proxies, may be NULL) into
 * the image keep/NAME:SEQ-recipe, to recreate the container from (see
 * resume_opts.image_fn). output (may be NULL) gets the builder's text; renderer
 * warnings are appended to warnings. *tag_out (caller frees) is the tag.
 */
int keep_resume_build_recipe(struct engine *e, const struct snapshot *snap,
    const struct kvv *build_args, engine_build_output_fn output,
    void *output_ctx, char **tag_out, struct strv *warnings,
    struct keep_error **err);

/* One line for the user: "restarted dev1", "dev1 is running" ... Caller frees. */
char *resume_describe(const struct resume_result *r);

#endif
