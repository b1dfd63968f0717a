/*
 * Push and pull through the engine. Both answer 200 at once and stream
 * JSON lines: per-layer progress ({"status","id","progressDetail"}), the
 * pushed digest ({"aux":{"Tag","Digest","Size"}}), and a failure as an
 * {"error"} line inside the 200.
 */
#include "engine/registry.h"

#include <stdlib.h>
#include <string.h>

#include "engine/json.h"
#include "util/xalloc.h"

/* One layer as the stream reports it. */
struct layer {
	char *id;
	long long current, total;
	int done;
};

struct stream {
	struct layer *layers;
	size_t n, cap;
	registry_progress_fn progress;
	void *progress_ctx;
	char *error;		/* the first error line's message */
	char *digest;		/* from aux.Digest */
	struct ejson_reader reader;
};

static struct layer *
layer_of(struct stream *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->layers[i].id, id) == 0)
			return &s->layers[i];
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 8;
		s->layers = xrealloc(s->layers, s->cap * sizeof(*s->layers));
	}
	s->layers[s->n] = (struct layer){ xstrdup(id), 0, 0, 0 };
	return &s->layers[s->n++];
}

/* "3 of 5 layers, 12.5 of 40.1 MB" to the progress callback. */
static void
report(struct stream *s)
{
	long long cur = 0, tot = 0;
	size_t done = 0;
	char *text;

	if (s->progress == NULL)
		return;
	for (size_t i = 0; i < s->n; i++) {
		done += s->layers[i].done != 0;
		cur += s->layers[i].done && s->layers[i].total ?
		    s->layers[i].total : s->layers[i].current;
		tot += s->layers[i].total;
	}
	if (tot > 0)
		text = xasprintf("%zu of %zu layers, %.1f of %.1f MB", done,
		    s->n, (double)cur / 1e6, (double)tot / 1e6);
	else
		text = xasprintf("%zu of %zu layers", done, s->n);
	s->progress(s->progress_ctx, text);
	free(text);
}

static void
on_line(void *ctx, json_t *j)
{
	struct stream *s = ctx;
	const char *status = ejson_str(j, "status"), *id = ejson_str(j, "id");
	const char *msg, *digest;
	json_t *detail = ejson_get(j, "progressDetail");

	if ((msg = ejson_str(ejson_get(j, "errorDetail"), "message")) ||
	    (msg = ejson_str(j, "error"))) {
		if (s->error == NULL)
			s->error = xstrdup(msg);
		return;
	}
	if ((digest = ejson_str(ejson_get(j, "aux"), "Digest")) != NULL) {
		free(s->digest);
		s->digest = xstrdup(digest);
	}
	if (status == NULL || id == NULL || strchr(id, ' ') != NULL)
		return;
	{
		struct layer *l = layer_of(s, id);

		if (ejson_int(detail, "total", 0) > 0) {
			l->total = ejson_int(detail, "total", 0);
			l->current = ejson_int(detail, "current", 0);
		}
		if (strcmp(status, "Pushed") == 0 ||
		    strcmp(status, "Layer already exists") == 0 ||
		    strncmp(status, "Mounted from", 12) == 0 ||
		    strcmp(status, "Pull complete") == 0 ||
		    strcmp(status, "Already exists") == 0)
			l->done = 1;
	}
	report(s);
}

static int
sink(void *ctx, const void *data, size_t len, struct keep_error **err)
{
	struct stream *s = ctx;

	(void)err;
	ejson_reader_feed(&s->reader, data, len);
	return 0;
}

static void
stream_release(struct stream *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->layers[i].id);
	free(s->layers);
	free(s->error);
	free(s->digest);
	buf_release(&s->reader.line);
}

/*
 * The one line for a failed push or pull: what the engine said, put in
 * words that name the registry and, for refused credentials, where they
 * came from.
 */
static int
registry_fail(const char *verb, const char *ref, const char *host,
    const struct registry_auth *auth, const char *msg, struct keep_error **err)
{
	static const char *const auth_words[] = { "unauthorized",
	    "authentication required", "denied", "no basic auth credentials",
	    "incorrect username or password", NULL };
	static const char *const net_words[] = { "dial tcp", "connection "
	    "refused", "no such host", "i/o timeout", "no route to host",
	    "server gave HTTP response to HTTPS client", "x509:", "tls:",
	    "network is unreachable", "connection reset", "EOF", NULL };

	for (size_t i = 0; auth_words[i]; i++)
		if (strstr(msg, auth_words[i]))
			return keep_error_set(err, KEEP_ERR_FAILED, "%s '%s': "
			    "registry %s refused the credentials (%s%s): %s",
			    verb, ref, host, auth->anonymous ? "none: " : "",
			    auth->source, msg);
	for (size_t i = 0; net_words[i]; i++)
		if (strstr(msg, net_words[i]))
			return keep_error_set(err, KEEP_ERR_FAILED, "%s '%s': "
			    "cannot reach registry %s: %s", verb, ref, host,
			    msg);
	return keep_error_set(err, KEEP_ERR_FAILED, "%s '%s' (registry %s): "
	    "%s", verb, ref, host, msg);
}

/* The registry host of repo, for messages. */
static char *
host_of(const char *repo)
{
	const char *slash = strchr(repo, '/');

	return slash ? xstrndup(repo, (size_t)(slash - repo)) : xstrdup(repo);
}

/* POST path with auth, the stream read into s. */
static int
call(struct engine *e, const char *path, const struct registry_auth *auth,
    struct stream *s, struct keep_error **err)
{
	struct kvv headers = { 0 };
	int rc;

	s->reader.fn = on_line;
	s->reader.ctx = s;
	kvv_push(&headers, "X-Registry-Auth", auth->header);
	rc = engine_call_stream_headers(e, "POST", path, &headers, sink, s, 0,
	    err);
	kvv_release(&headers);
	ejson_reader_finish(&s->reader);
	return rc;
}

int
engine_image_tag(struct engine *e, const char *image, const char *repo,
    const char *tag, struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT;

	buf_addstr(&path, "/images/");
	engine_urlencode(&path, image);
	buf_addstr(&path, "/tag?repo=");
	engine_urlencode(&path, repo);
	buf_addstr(&path, "&tag=");
	engine_urlencode(&path, tag);
	if (engine_call(e, "POST", path.ptr, NULL, 0, NULL, NULL, NULL,
	    err) < 0)
		return keep_error_wrap(err, "tag '%s' as '%s:%s'", image, repo,
		    tag);
	return 0;
}

int
engine_image_push(struct engine *e, const char *repo, const char *tag,
    const struct registry_auth *auth, registry_progress_fn progress,
    void *progress_ctx, char **digest_out, struct keep_error **err)
{
	struct stream s = { .progress = progress,
	    .progress_ctx = progress_ctx };
	cleanup_buf struct buf path = BUF_INIT;
	cleanup_free char *ref = xasprintf("%s:%s", repo, tag);
	cleanup_free char *host = host_of(repo);
	int rc = -1;

	*digest_out = NULL;
	/* The name is a path of the route: docker sends it unencoded. */
	buf_printf(&path, "/images/%s/push?tag=", repo);
	engine_urlencode(&path, tag);
	if (call(e, path.ptr, auth, &s, err) < 0) {
		keep_error_wrap(err, "push '%s'", ref);
		goto out;
	}
	if (s.error) {
		registry_fail("push", ref, host, auth, s.error, err);
		goto out;
	}
	if (s.digest == NULL || strncmp(s.digest, "sha256:", 7) != 0 ||
	    strlen(s.digest) != 71 ||
	    strspn(s.digest + 7, "0123456789abcdef") != 64) {
		keep_error_set(err, KEEP_ERR_FAILED, "push '%s': the engine "
		    "did not say which digest the registry holds", ref);
		goto out;
	}
	*digest_out = s.digest;
	s.digest = NULL;
	rc = 0;
out:
	stream_release(&s);
	return rc;
}

int
engine_image_pull(struct engine *e, const char *repo, const char *digest,
    const struct registry_auth *auth, registry_progress_fn progress,
    void *progress_ctx, struct keep_error **err)
{
	struct stream s = { .progress = progress,
	    .progress_ctx = progress_ctx };
	cleanup_buf struct buf path = BUF_INIT;
	cleanup_free char *ref = xasprintf("%s@%s", repo, digest);
	cleanup_free char *host = host_of(repo);
	int rc = -1;

	/* As the docker CLI asks: the digest goes where a tag would. */
	buf_addstr(&path, "/images/create?fromImage=");
	engine_urlencode(&path, repo);
	buf_addstr(&path, "&tag=");
	engine_urlencode(&path, digest);
	if (call(e, path.ptr, auth, &s, err) < 0) {
		/* An error before the stream: the engine's own words. */
		struct keep_error *inner = err ? *err : NULL;

		if (inner) {
			*err = NULL;
			registry_fail("pull", ref, host, auth, inner->message,
			    err);
			keep_error_free(inner);
		}
		goto out;
	}
	if (s.error) {
		registry_fail("pull", ref, host, auth, s.error, err);
		goto out;
	}
	rc = 0;
out:
	stream_release(&s);
	return rc;
}
