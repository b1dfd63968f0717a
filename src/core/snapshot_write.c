#include "core/snapshot_write.h"

#include <limits.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/image_io.h"
#include "engine/lifecycle.h"
#include "model/run.h"
#include "util/env.h"
#include "util/xalloc.h"

int
snapshot_max_layers(long *out, struct keep_error **err)
{
	const char *s;
	long long v;
	/* Flattening makes two layers: a limit below that would flatten
	 * every save. */
	int rc = env_number("KEEP_MAX_LAYERS", 2, LONG_MAX, SNAPSHOT_MAX_LAYERS,
	    &v, &s);

	*out = (long)v;
	if (rc < 0)
		return keep_error_set(err, KEEP_ERR_USAGE, "KEEP_MAX_LAYERS="
		    "'%.32s': give a whole number of layers from 2 up", s);
	return 0;
}

/* The export half of a flatten: its own connection, its own thread. */
struct export_job {
	const struct engine_endpoint *ep;
	const char *id;
	int fd;			/* the socket the tar stream goes into */
	int rc;
	struct keep_error *err;
};

static int
to_socket(void *ctx, const void *data, size_t len, struct keep_error **err)
{
	struct export_job *j = ctx;
	const char *p = data;

	while (len > 0) {
		/* MSG_NOSIGNAL: an import that gave up is an error, not SIGPIPE. */
		ssize_t n = send(j->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "the import stopped reading: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *
export_thread(void *arg)
{
	struct export_job *j = arg;
	struct engine *e;

	j->rc = engine_open(j->ep, &e, &j->err);
	if (j->rc == 0) {
		j->rc = engine_container_export(e, j->id, to_socket, j, &j->err);
		engine_close(e);
	}
	/* The end of the stream, or of a stream cut short: the import
	 * sees it either way. */
	close(j->fd);
	return NULL;
}

static ssize_t
from_socket(void *ctx, void *buf, size_t cap)
{
	int fd = *(int *)ctx;
	ssize_t n;

	do
		n = read(fd, buf, cap);
	while (n < 0 && errno == EINTR);
	return n;
}

/* Container id's filesystem as a new untagged one-layer image. */
static int
export_import(struct engine *e, const char *id, char **image_id,
    struct keep_error **err)
{
	struct export_job job = { engine_endpoint(e), id, -1, 0, NULL };
	pthread_t t;
	int fds[2], rc;

	*image_id = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "flatten '%s': socketpair: %s", id, strerror(errno));
	job.fd = fds[1];
	if ((errno = pthread_create(&t, NULL, export_thread, &job)) != 0) {
		close(fds[0]);
		close(fds[1]);
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "flatten '%s': cannot start a thread: %s", id,
		    strerror(errno));
	}
	rc = engine_image_import(e, from_socket, &fds[0], image_id, err);
	/* An import that stopped early makes the export's next send fail. */
	close(fds[0]);
	pthread_join(t, NULL);
	if (job.rc < 0) {
		/* The export's failure is the cause of the import's. */
		keep_error_free(*err);
		*err = job.err;
		if (*image_id) {
			struct keep_error *e2 = NULL;

			engine_image_remove(e, *image_id, 1, &e2);
			keep_error_free(e2);
			free(*image_id);
			*image_id = NULL;
		}
		return -1;
	}
	return rc;
}

/*
 * The whole filesystem of c as repo:tag: exported and imported as one
 * layer, then committed from a never-started container with c's config,
 * so the image carries the config and labels a commit of c would.
 */
static int
flatten(struct engine *e, const struct container *c, const char *repo,
    const char *tag, const char *comment, const struct kvv *labels,
    int pause, char **image_id_out, struct keep_error **err)
{
	cleanup_free char *imported = NULL, *holder = NULL;
	struct container_state st = { 0 };
	struct keep_error *e2 = NULL;
	int paused = 0, rc;

	if (pause) {
		if (engine_container_state(e, c->id, &st, err) < 0)
			return -1;
		paused = st.running && !st.paused && !st.restarting;
		container_state_release(&st);
		if (paused && engine_container_pause(e, c->id, err) < 0)
			return -1;
	}
	rc = export_import(e, c->id, &imported, err);
	if (paused && engine_container_unpause(e, c->id, &e2) < 0 && rc == 0) {
		*err = e2;
		e2 = NULL;
		rc = -1;
	}
	keep_error_free(e2);
	e2 = NULL;
	if (rc < 0)
		return keep_error_wrap(err, "flatten '%s'", c->name);
	rc = engine_container_create_config(e, imported,
	    value_get(&c->run, RUN_CONFIG), NULL, &holder, err);
	if (rc == 0)
		rc = engine_commit(e, holder, repo, tag, comment, labels, 0,
		    image_id_out, err);
	if (holder)
		engine_container_remove(e, holder, 1, &e2);
	keep_error_free(e2);
	e2 = NULL;
	if (rc < 0) {
		/* Nothing stands on it: no snapshot will. */
		engine_image_remove(e, imported, 1, &e2);
		keep_error_free(e2);
		return keep_error_wrap(err, "flatten '%s'", c->name);
	}
	return 0;
}

int
snapshot_write(struct engine *e, const struct container *c,
    size_t image_layers, const char *repo, const char *tag,
    const char *comment, const struct kvv *labels, int pause,
    char **image_id_out, enum snapshot_write_how *how,
    struct keep_error **err)
{
	long max;

	*image_id_out = NULL;
	*how = SNAPSHOT_COMMITTED;
	if (snapshot_max_layers(&max, err) < 0)
		return -1;
	/* A commit adds one layer: flatten when that would pass the limit. */
	if ((long)image_layers + 1 <= max)
		return engine_commit(e, c->id, repo, tag, comment, labels, pause,
		    image_id_out, err);
	*how = SNAPSHOT_FLATTENED;
	return flatten(e, c, repo, tag, comment, labels, pause, image_id_out,
	    err);
}
