/*
 * The Docker Engine API client. libcurl lives in engine/http.c and jansson
 * inside src/engine/ only; nothing outside src/engine/ includes either header.
 *
 * Usage: resolve an endpoint, open it (which pings and negotiates the API
 * version), make calls, close. One `struct engine` reuses one connection.
 */
#ifndef KEEP_ENGINE_ENGINE_H
#define KEEP_ENGINE_ENGINE_H

#include <stddef.h>
#include <sys/types.h>

#include "model/model.h"
#include "util/buf.h"
#include "util/error.h"

/* Where the engine is and how it was chosen. */
struct engine_endpoint {
	char *host;		/* "unix:///var/run/docker.sock" or "tcp://h:2376" */
	char *source;		/* "-H", "DOCKER_HOST", "context 'name'", "default" */
	char *context;		/* the docker context used, or NULL */
	char *socket_path;	/* unix sockets: the path; else NULL */
	char *base_url;		/* "http://localhost" (unix), "http(s)://h:p" (tcp) */
	int tls;		/* https */
	int tls_verify;		/* verify the server against ca */
	char *ca;		/* PEM paths or NULL */
	char *cert;
	char *key;
};

/*
 * Find the engine as the docker CLI does: host_flag (-H) > context_flag
 * (--context) > DOCKER_HOST > DOCKER_CONTEXT > currentContext in
 * $DOCKER_CONFIG/config.json (default ~/.docker) > unix:///var/run/docker.sock.
 * Both flags may be NULL. TLS for tcp:// from DOCKER_TLS_VERIFY /
 * DOCKER_CERT_PATH (default ~/.docker), or the context's TLS material.
 * The caller releases *out with engine_endpoint_release.
 */
int engine_endpoint_resolve(const char *host_flag, const char *context_flag,
    struct engine_endpoint *out, struct keep_error **err);
void engine_endpoint_release(struct engine_endpoint *ep);
/* Deep-copy src into dst (released with engine_endpoint_release). */
void engine_endpoint_copy(struct engine_endpoint *dst,
    const struct engine_endpoint *src);

struct engine;

/*
 * Connect to ep (copied) and negotiate the API version with GET /_ping:
 * min(1.41, the daemon's API-Version), 1.24 when the header is missing. An
 * unreachable engine fails with one line naming the socket or address and
 * suggesting to start dockerd. The caller frees *out with engine_close.
 */
int engine_open(const struct engine_endpoint *ep, struct engine **out,
    struct keep_error **err);
void engine_close(struct engine *e);

const struct engine_endpoint *engine_endpoint(const struct engine *e);
/* The negotiated version, "1.41". */
const char *engine_api_version(const struct engine *e);
/* Nonzero when /_ping answered with Libpod-API-Version. */
int engine_is_podman(const struct engine *e);

struct engine_version {
	char *version;		/* server version */
	char *api_version;	/* server's max API version */
	char *min_api_version;
	char *os;
	char *arch;
	char *kernel;
	char *product;		/* "Docker Engine" / "Podman Engine" ... */
};
/* GET /version. The caller releases *out. */
int engine_get_version(struct engine *e, struct engine_version *out,
    struct keep_error **err);

/*
 * From GET /info: the storage driver ("overlay2" ...) and the engine's root
 * directory on its host (caller frees both; "" when not said).
 */
int engine_get_storage(struct engine *e, char **driver, char **root_dir,
    struct keep_error **err);
void engine_version_release(struct engine_version *v);

/*
 * Low-level call: METHOD /v{api}{path} (path starts with '/', query already
 * URL-encoded) with an optional body, sent as content_type (NULL means
 * application/json when there is a body). On 2xx/304 returns 0 with the HTTP
 * status in *status (may be NULL) and the body in *resp (may be NULL). Any
 * other status fails with the engine's own message ({"message": ...}) and
 * error kind KEEP_ERR_NOT_FOUND for 404, KEEP_ERR_CONFLICT for 409.
 */
int engine_call(struct engine *e, const char *method, const char *path,
    const void *body, size_t body_len, const char *content_type,
    long *status, struct buf *resp, struct keep_error **err);

/*
 * engine_call bounds the whole call by ENGINE_TIMEOUT_SHORT seconds and
 * refuses answers over ENGINE_MAX_BODY bytes. Calls that legitimately take
 * long (POST /commit, /containers/{id}/wait, /stop with a large t) use
 * engine_call_timeout with a timeout in seconds, 0 for none. Connecting is
 * always bounded.
 */
#define ENGINE_TIMEOUT_SHORT 120L
#define ENGINE_MAX_BODY ((size_t)64 << 20)
/*
 * engine_container_changes refuses a change list longer than this: a
 * container that changed more paths than that is no development container
 * a recipe can describe, and a hostile engine could send a huge list.
 */
#define ENGINE_MAX_CHANGES ((size_t)500000)
int engine_call_timeout(struct engine *e, long timeout, const char *method,
    const char *path, const void *body, size_t body_len,
    const char *content_type, long *status, struct buf *resp,
    struct keep_error **err);

/*
 * Streaming variant: every chunk of a 2xx body goes to sink as it arrives
 * (return nonzero from sink to abort with the error it set); a non-2xx body
 * is collected and turned into an error as engine_call does. body_reader,
 * when not NULL, supplies the request body as a stream (for POST /build),
 * sent chunked. The call may take as long as it takes (a build); with
 * stall > 0 it fails when the engine sends nothing for that many seconds.
 */
typedef int (*engine_sink_fn)(void *ctx, const void *data, size_t len,
    struct keep_error **err);
typedef ssize_t (*engine_source_fn)(void *ctx, void *buf, size_t cap);
int engine_call_stream(struct engine *e, const char *method, const char *path,
    engine_source_fn body_reader, void *body_ctx, const char *content_type,
    engine_sink_fn sink, void *sink_ctx, long stall, long *status,
    struct keep_error **err);

/*
 * engine_call_stream of a call without a body that sends more request
 * headers ("X-Registry-Auth" -> value): a push or a pull. No error
 * message carries a header's value.
 */
int engine_call_stream_headers(struct engine *e, const char *method,
    const char *path, const struct kvv *headers, engine_sink_fn sink,
    void *sink_ctx, long stall, struct keep_error **err);

/*
 * How long a read from a container (GET /archive) may go without a byte:
 * KEEP_STALL_TIMEOUT seconds, else 60. The engine mounts the container's
 * filesystem before the first byte, which a busy engine can take seconds
 * over; a minute of nothing is an engine that is stuck. A value that is
 * not a number of seconds above 0 is a usage error.
 */
int engine_stall_timeout(long *out, struct keep_error **err);

/*
 * HEAD /v{api}{path}: on a 2xx answer, *value_out gets a copy of the
 * response header named header (caller frees), or NULL when there is none.
 * Other statuses fail as engine_call does.
 */
int engine_head(struct engine *e, const char *path, const char *header,
    char **value_out, struct keep_error **err);

/* URL-encode s for a query string into out (appends). */
void engine_urlencode(struct buf *out, const char *s);

/* --- containers and images (engine/containers.c) --- */

/* A container as the list call shows it. */
struct container_summary {
	char *id;
	char *name;		/* without leading '/' */
	char *image;
	char *image_id;		/* ImageID: what it was created from, sha256:... */
	char *state;		/* running, exited ... */
	char *compose_project;	/* labels, or NULL */
	char *compose_service;
	int compose_number;
	int compose_oneoff;
};

struct container_list {
	struct container_summary *v;
	size_t n;
};
void container_list_release(struct container_list *l);

/*
 * GET /containers/json?all=1, optionally filtered by one label "k=v" (label
 * may be NULL). The caller releases *out.
 */
int engine_container_list(struct engine *e, const char *label,
    struct container_list *out, struct keep_error **err);

/*
 * GET /containers/{id}/json into *out (caller releases). A missing
 * container is KEEP_ERR_NOT_FOUND, with *out empty.
 */
int engine_container_inspect(struct engine *e, const char *id,
    struct container *out, struct keep_error **err);

/*
 * GET /images/{name}/json into *out (caller releases). A missing image is
 * KEEP_ERR_NOT_FOUND, with *out empty.
 */
int engine_image_inspect(struct engine *e, const char *name,
    struct image *out, struct keep_error **err);

/* GET /containers/{id}/changes into *out (caller releases). */
int engine_container_changes(struct engine *e, const char *id,
    struct fs_changes *out, struct keep_error **err);

/*
 * GET /containers/{id}/archive?path=PATH: the tar stream goes to sink. A
 * missing path is KEEP_ERR_NOT_FOUND.
 */
int engine_container_archive(struct engine *e, const char *id,
    const char *path, engine_sink_fn sink, void *ctx,
    struct keep_error **err);

/* What HEAD /containers/{id}/archive tells of one path. */
struct engine_path_stat {
	long long size;
	unsigned mode;		/* as st_mode: S_IF* type, permission bits */
	long long mtime_sec;	/* since the epoch; -1 when the engine sent none */
	long mtime_nsec;
	char *link_target;	/* "" unless a symlink */
};
void engine_path_stat_release(struct engine_path_stat *st);

/*
 * Stat path inside container id without reading it (works on stopped
 * containers). A missing path is KEEP_ERR_NOT_FOUND. The caller releases
 * *out.
 */
int engine_container_stat(struct engine *e, const char *id, const char *path,
    struct engine_path_stat *out, struct keep_error **err);

/*
 * POST /commit. labels are "k=v" pairs set with LABEL changes; pause as
 * docker commit does. *image_id_out (caller frees) gets the new image id.
 */
int engine_commit(struct engine *e, const char *container_id,
    const char *repo, const char *tag, const char *comment,
    const struct kvv *labels, int pause, char **image_id_out,
    struct keep_error **err);

/* An image as GET /images/json?all=1 lists it. */
struct image_summary {
	char *id;		/* sha256:... */
	char *parent;		/* ParentId: the image it was made on, or "" */
	char *keep_base;	/* label io.keep.base: the image of the
				 * container a snapshot was saved from, or "" */
	char *keep_rebuild;	/* label io.keep.rebuild: the container whose
				 * package rebuild this is (REPRODUCE_LABEL), or "" */
	long long created;	/* Created: seconds since the epoch */
	long long size;		/* Size: its layers and its parents' */
	struct strv tags;	/* RepoTags, without "<none>:<none>" */
};

struct image_list {
	struct image_summary *v;
	size_t n;
};
void image_list_release(struct image_list *l);

/*
 * GET /images/json?all=1: every image, intermediate ones too, into *out
 * (caller releases).
 */
int engine_image_list(struct engine *e, struct image_list *out,
    struct keep_error **err);

/*
 * DELETE /images/{name}?force=... An image that is already gone is not an
 * error: every caller wants it gone, none needs to know it was.
 */
int engine_image_remove(struct engine *e, const char *name, int force,
    struct keep_error **err);

#endif
