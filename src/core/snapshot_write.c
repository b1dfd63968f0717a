#include "core/snapshot_write.h"

#include <limits.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/layer.h"
#include "engine/image_io.h"
#include "engine/image_load.h"
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

/*
 * A file for the new layer that nothing else can open and that goes when
 * closed: it may take gigabytes, so not memory. -1 with *err.
 */
static int
layer_file(struct keep_error **err)
{
	const char *dir = getenv("TMPDIR");
	cleanup_free char *tmpl = NULL;
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/var/tmp";
	if ((fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) >= 0)
		return fd;
	tmpl = xasprintf("%s/keep-layer-XXXXXX", dir);
	if ((fd = mkostemp(tmpl, O_CLOEXEC)) < 0)
		return keep_error_set(err, KEEP_ERR_FAILED, "create a file in "
		    "%s for the layer: %s", dir, strerror(errno));
	unlink(tmpl);
	return fd;
}

/*
 * The layer of what c changed since prev, into fd. c is not paused: a
 * pause is the client's to undo, and a keep killed in between (t0031 kills
 * saves at random points) would leave the container frozen, where a
 * commit's pause is the engine's. A file written while the layer is read
 * is taken as it is then, and again by the next save (its ctime is after
 * this walk's start).
 */
static int
write_layer(const struct container *c, const struct snapshot_prev *prev,
    const struct image_stack *st, int fd, char hex[65], long long *size,
    char **why, struct keep_error **err)
{
	struct tar_writer *w = tar_writer_new_fd(fd);
	int rc = layer_diff_write(c, st->upper_dir, st->lower_dirs,
	    prev->walk_started, w, why, err);

	if (rc == 0 && tar_writer_finish(w, err) < 0)
		rc = -1;
	if (rc == 0)
		*size = tar_writer_digest(w, hex);
	tar_writer_free(w);
	return rc;
}

/*
 * Snapshot N+1 as snapshot N's image plus the layer of what changed. 0
 * done; 1 when it does not apply (*why, caller frees, says why); -1 with
 * *err when it failed.
 */
static int
incremental(struct engine *e, const struct container *c,
    const struct snapshot_prev *prev, long max, const char *repo,
    const char *tag, const char *comment, const struct kvv *labels,
    char **image_id_out, char **history_out, char **why,
    struct keep_error **err)
{
	struct image_stack st;
	struct keep_error *e2 = NULL;
	char hex[65];
	long long size = 0;
	int fd = -1, rc;

	*why = NULL;
	if (prev->image_id == NULL || prev->walk_started <= 0) {
		*why = xstrdup("no previous image to stack on");
		return 1;
	}
	if (engine_image_stack(e, prev->image_id, &st, &e2) < 0) {
		if (!keep_error_not_found(&e2)) {
			*err = e2;
			return -1;
		}
		keep_error_free(e2);
		*why = xstrdup("the previous snapshot's image is gone");
		return 1;
	}
	/*
	 * The previous image must be this container's files as they were
	 * at walk_started: saved from it, or what it was created from.
	 */
	if (strcmp(st.driver, c->storage_driver ? c->storage_driver : "") != 0 ||
	    st.upper_dir[0] == '\0')
		*why = xstrdup("the previous image is not in overlay layers");
	else if ((prev->container_id == NULL ||
	    strcmp(prev->container_id, c->id) != 0) &&
	    strcmp(st.id, c->image_id ? c->image_id : "") != 0)
		*why = xstrdup("the previous snapshot is of another container");
	else if ((long)st.diff_ids.n + 1 > max)
		*why = xstrdup("one more layer would pass the depth limit");
	if (*why != NULL) {
		image_stack_release(&st);
		return 1;
	}
	if ((fd = layer_file(err)) < 0) {
		image_stack_release(&st);
		return -1;
	}
	rc = write_layer(c, prev, &st, fd, hex, &size, why, err);
	if (rc == 0) {
		struct layer_load l = { .container_id = c->id,
		    .config = value_get(&c->run, RUN_CONFIG), .parent = &st,
		    .parent_history = prev->history, .repo = repo, .tag = tag,
		    .comment = comment, .labels = labels, .layer_fd = fd,
		    .layer_size = size, .layer_digest = hex };

		rc = engine_image_load_layer(e, &l, image_id_out, history_out,
		    err);
	}
	close(fd);
	image_stack_release(&st);
	return rc;
}

int
snapshot_write(struct engine *e, const struct container *c,
    size_t image_layers, const char *repo, const char *tag,
    const char *comment, const struct kvv *labels, int pause,
    const struct snapshot_prev *prev, struct strv *warnings,
    char **image_id_out, char **history_out, enum snapshot_write_how *how,
    struct keep_error **err)
{
	long max;

	*image_id_out = NULL;
	*history_out = NULL;
	*how = SNAPSHOT_COMMITTED;
	if (snapshot_max_layers(&max, err) < 0)
		return -1;
	if (prev != NULL) {
		struct keep_error *e2 = NULL;
		cleanup_free char *why = NULL;
		int rc = incremental(e, c, prev, max, repo, tag, comment, labels,
		    image_id_out, history_out, &why, &e2);

		if (rc == 0) {
			*how = SNAPSHOT_INCREMENTAL;
			return 0;
		}
		/* Not the user's doing: a commit does it as before. */
		if (rc < 0)
			strv_pushf(warnings, "an incremental save of '%s' failed, "
			    "so this is a full commit: %s", c->name, e2->message);
		keep_error_free(e2);
	}
	/* A commit adds one layer: flatten when that would pass the limit. */
	if ((long)image_layers + 1 <= max)
		return engine_commit(e, c->id, repo, tag, comment, labels, pause,
		    image_id_out, err);
	*how = SNAPSHOT_FLATTENED;
	return flatten(e, c, repo, tag, comment, labels, pause, image_id_out,
	    err);
}
