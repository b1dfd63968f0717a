/*
 * Images to and from a registry through the engine (engine/registry.c),
 * with the credentials the docker CLI has (engine/registry_auth.c): the
 * engine talks to the registry, keep only hands it X-Registry-Auth.
 * Credentials never leave these files except inside that header: no
 * error message, return value or log line carries one.
 */
#ifndef KEEP_ENGINE_REGISTRY_H
#define KEEP_ENGINE_REGISTRY_H

#include "engine/engine.h"

/*
 * Check a repository as `keep push --images --registry` takes it,
 * HOST[:PORT]/PATH (lowercase path components of [a-z0-9._-], no tag or
 * digest), and put a copy of HOST[:PORT] in *host_out (caller frees).
 * Anything else is a usage error naming it.
 */
int registry_repository_check(const char *repo, char **host_out,
    struct keep_error **err);

/* Credentials for one registry, ready for the engine. */
struct registry_auth {
	char *header;	/* X-Registry-Auth: base64url JSON; "e30=" ({}) for none */
	char *source;	/* where they came from, for messages; no secret */
	int anonymous;	/* none were found */
};

/*
 * The docker CLI's credentials for registry host (HOST[:PORT]) from
 * $DOCKER_CONFIG/config.json (default ~/.docker), chosen as docker does:
 * credHelpers[host], else credsStore, runs `docker-credential-NAME get`
 * with the server on stdin (Username "<token>" means Secret is an identity
 * token; "credentials not found" is no credentials); without a helper,
 * the auths entry whose key is host (or a URL of host): its "auth"
 * (base64 user:password), or "username"/"password", and "identitytoken".
 * No config.json, or no entry, is anonymous. The caller releases *out.
 */
int registry_auth_get(const char *host, struct registry_auth *out,
    struct keep_error **err);

/*
 * registry_auth_get from the text of a config.json (path names it in
 * errors), for the tests.
 */
int registry_auth_parse(const char *text, size_t len, const char *path,
    const char *host, struct registry_auth *out, struct keep_error **err);

/* Wipe and free; a zeroed *a is fine. */
void registry_auth_release(struct registry_auth *a);

/*
 * What a push or pull is doing, as the engine streams it: called with a
 * short line ("3 of 5 layers, 12.5 of 40.1 MB"), for a terminal.
 */
typedef void (*registry_progress_fn)(void *ctx, const char *text);

/* POST /images/{image}/tag: repo:tag names image too. */
int engine_image_tag(struct engine *e, const char *image, const char *repo,
    const char *tag, struct keep_error **err);

/*
 * POST /images/{repo}/push?tag=tag with auth. The push's aux line gives
 * the digest of what the registry now holds: *digest_out ("sha256:...",
 * caller frees). A failure is one line naming the registry: refused
 * credentials (saying where they came from), a registry that cannot be
 * reached, or the engine's own message.
 */
int engine_image_push(struct engine *e, const char *repo, const char *tag,
    const struct registry_auth *auth, registry_progress_fn progress,
    void *progress_ctx, char **digest_out, struct keep_error **err);

/*
 * POST /images/create: pull repo@digest with auth; failures as for a
 * push. The pulled image is named by "repo@digest".
 */
int engine_image_pull(struct engine *e, const char *repo, const char *digest,
    const struct registry_auth *auth, registry_progress_fn progress,
    void *progress_ctx, struct keep_error **err);

#endif
