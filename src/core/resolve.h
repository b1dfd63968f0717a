/*
 * Resolving the NAME a user types into one container: an exact container
 * name, a compose service of a project, or a unique ID prefix, in that
 * order (a service named "db" beats an ID starting "db"). Shared by
 * every command that takes a NAME.
 */
#ifndef KEEP_CORE_RESOLVE_H
#define KEEP_CORE_RESOLVE_H

#include "catalog/catalog.h"
#include "engine/engine.h"

struct resolve_opts {
	const char *project;	/* -p: compose project, or NULL to find it */
	int index;		/* --index: replica of a scaled service, 0 = ask */
	/*
	 * Out, may be NULL: when NAME was an exact name, the container's
	 * inspection made on the way (its id set; else left zeroed). The
	 * caller releases it.
	 */
	struct container *inspected;
};

/*
 * The compose project name for directory dir (NULL: the current directory)
 * as compose finds it: COMPOSE_PROJECT_NAME from the environment, else from
 * dir/.env, else the top-level `name:` of the compose file (COMPOSE_FILE's
 * first entry, else compose.yaml, compose.yml, docker-compose.yaml,
 * docker-compose.yml), else the name of the compose file's folder (dir).
 * Normalised to lowercase [a-z0-9_-] with leading '_' and '-' trimmed.
 * Caller frees; NULL when no name can be formed.
 */
char *resolve_compose_project(const char *dir);

/* Normalise a compose project name as compose does. Caller frees. */
char *resolve_normalize_project(const char *name);

/*
 * The compose project opts mean: -p normalised, else the one of the
 * current directory (resolve_compose_project). Caller frees; NULL when
 * no name can be formed.
 */
char *resolve_project(const struct resolve_opts *opts);

/*
 * The names of the live containers of compose project on e (one-off `run`
 * containers left out), by service then replica, appended to out.
 */
int resolve_project_containers(struct engine *e, const char *project,
    struct strv *out, struct keep_error **err);

/*
 * The tracked container whose snapshots the compose service NAME of the
 * project (opts) means in cat, for when no live container has it: one
 * saved on engine, else on any engine. The replica opts->index, or the only
 * one (see catalog_compose_list for one saved under two names). *name_out and *engine_out (caller frees) key
 * its snapshots. None: KEEP_ERR_NOT_FOUND; several replicas and no index:
 * KEEP_ERR_CONFLICT listing them.
 */
int resolve_recorded_service(struct catalog *cat, const char *engine,
    const char *name, const struct resolve_opts *opts, char **name_out,
    char **engine_out, struct keep_error **err);

/*
 * Find the container NAME means on e. *id_out and *name_out (caller frees)
 * are its full id and its name. No match: KEEP_ERR_NOT_FOUND naming NAME;
 * more than one: KEEP_ERR_CONFLICT listing the candidates.
 */
int resolve_container(struct engine *e, const char *name,
    const struct resolve_opts *opts, char **id_out, char **name_out,
    struct keep_error **err);

#endif
