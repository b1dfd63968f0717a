/*
 * Creating and removing containers (engine/lifecycle.c). Declared apart from
 * engine.h so that the two files can grow independently.
 */
#ifndef KEEP_ENGINE_LIFECYCLE_H
#define KEEP_ENGINE_LIFECYCLE_H

#include "engine/engine.h"

/*
 * Create a container from image that is never started, only read through
 * the archive API (an image's files cannot be read directly). It has no
 * network and carries the label io.keep.temporary=1, so a leftover one can
 * be recognised. *id_out (caller frees) is its id; remove it with
 * engine_container_remove.
 */
int engine_container_create_reader(struct engine *e, const char *image,
    char **id_out, struct keep_error **err);

/*
 * Create a container from image that is never started, only committed:
 * it has config (a container's Config, as model/run.h records it; NULL
 * for none) with labels set over it, and no network. (No temporary label:
 * the commit would hand it on.) *id_out (caller frees) is its id; remove
 * it with engine_container_remove.
 */
int engine_container_create_config(struct engine *e, const char *image,
    const struct value *config, const struct kvv *labels, char **id_out,
    struct keep_error **err);

/*
 * DELETE /containers/{id}?force=&v=: remove a container (v: and its
 * anonymous volumes). A container that is already gone is not an error:
 * every caller wants it gone, none needs to know it was.
 */
int engine_container_remove(struct engine *e, const char *id, int force,
    struct keep_error **err);

/*
 * POST /containers/create?name=: a container named config->name from
 * image. With config->run (model/run.h) it is made with all of it: the
 * recorded Config and HostConfig, the endpoint of its network mode's
 * network, then every other network joined with its endpoint settings
 * (aliases, static addresses ...), and its anonymous volumes attached by
 * name. A snapshot without run gives what the fields record: env, cmd,
 * entrypoint (when it was set), user, workdir, a hostname the user chose,
 * exposed ports, labels, tty and stdin; and in HostConfig the bind and
 * volume mounts (read-only ones stay read-only), tmpfs mounts, port
 * bindings, network mode and restart policy. Volumes must exist: the
 * engine would otherwise make them empty. extra_labels (may be NULL) are
 * set over the recorded ones. A taken name is KEEP_ERR_CONFLICT. *id_out
 * (caller frees) is the new id; a container the engine made but could not
 * join to a network is removed again.
 */
int engine_container_create(struct engine *e, const struct container *config,
    const char *image, const struct kvv *extra_labels, char **id_out,
    struct keep_error **err);

/* POST /containers/{id}/start; one already running is fine. */
int engine_container_start(struct engine *e, const char *id,
    struct keep_error **err);

/* POST /containers/{id}/unpause. */
int engine_container_unpause(struct engine *e, const char *id,
    struct keep_error **err);

/* A container's State, as far as keep needs it. */
struct container_state {
	char *status;		/* created, running, paused, restarting, exited ... */
	int running;
	int paused;
	int restarting;
	int exit_code;
	char *error;		/* the engine's State.Error, or "" */
};
void container_state_release(struct container_state *st);

/* GET /containers/{id}/json: its State. 404: KEEP_ERR_NOT_FOUND. */
int engine_container_state(struct engine *e, const char *id,
    struct container_state *out, struct keep_error **err);

/*
 * Wait up to timeout seconds until container id runs (and is not
 * restarting). One that stops meanwhile fails with its exit code.
 */
int engine_container_wait_running(struct engine *e, const char *id,
    long timeout, struct keep_error **err);

/*
 * GET /volumes/{name}: 0 when the volume is there. A missing one is
 * KEEP_ERR_NOT_FOUND.
 */
int engine_volume_inspect(struct engine *e, const char *name,
    struct keep_error **err);

/*
 * POST /volumes/create: an empty volume called name, made by driver (NULL
 * or "" for the engine's "local").
 */
int engine_volume_create(struct engine *e, const char *name,
    const char *driver, struct keep_error **err);

/* GET /networks/{name}: 0 when it is there; a missing one is KEEP_ERR_NOT_FOUND. */
int engine_network_inspect(struct engine *e, const char *name,
    struct keep_error **err);

/* What GET /info says the engine can run containers with. */
struct engine_plugins {
	struct strv runtimes;		/* "runc", "nvidia" ... */
	struct strv log_drivers;	/* "json-file", "journald" ... */
	struct strv volume_drivers;	/* "local" ... */
};
void engine_plugins_release(struct engine_plugins *p);

/* GET /info into *out (caller releases). */
int engine_plugins_get(struct engine *e, struct engine_plugins *out,
    struct keep_error **err);

/* POST /containers/{id}/pause. */
int engine_container_pause(struct engine *e, const char *id,
    struct keep_error **err);

/*
 * HEAD /containers/{id}/archive?path=: 0 when path is there (the container
 * need not run). A missing path is KEEP_ERR_NOT_FOUND.
 */
int engine_container_path_check(struct engine *e, const char *id,
    const char *path, struct keep_error **err);

#endif
