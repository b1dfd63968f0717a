#include "engine/image_load.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/json.h"
#include "util/sha256.h"
#include "util/tar.h"
#include "util/xalloc.h"

/* The engine's answer to a load: a few lines of progress, or an error. */
#define LOAD_MAX_ANSWER ((size_t)1 << 20)

void
image_stack_release(struct image_stack *s)
{
	free(s->id);
	free(s->driver);
	free(s->upper_dir);
	free(s->lower_dirs);
	free(s->architecture);
	free(s->os);
	free(s->variant);
	strv_release(&s->diff_ids);
	memset(s, 0, sizeof(*s));
}

/* GET path as a JSON value of type want. */
static int
get(struct engine *e, const char *kind, const char *ref, const char *what,
    json_type want, json_t **out, struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT;
	cleanup_buf struct buf body = BUF_INIT;

	*out = NULL;
	buf_printf(&path, "/%s/", kind);
	engine_urlencode(&path, ref);
	buf_addstr(&path, what);
	if (engine_call_timeout(e, ENGINE_TIMEOUT_SHORT, "GET", path.ptr, NULL,
	    0, NULL, NULL, &body, err) < 0 ||
	    ejson_parse(body.ptr, body.len, path.ptr, out, err) < 0)
		return -1;
	if (json_typeof(*out) != want) {
		json_decref(*out);
		*out = NULL;
		return keep_error_set(err, KEEP_ERR_FAILED, "the engine's answer "
		    "to GET %s is not what the API documents", path.ptr);
	}
	return 0;
}

int
engine_image_stack(struct engine *e, const char *ref, struct image_stack *out,
    struct keep_error **err)
{
	cleanup_json json_t *j = NULL;
	json_t *data, *d;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (get(e, "images", ref, "/json", JSON_OBJECT, &j, err) < 0)
		return keep_error_wrap(err, "inspect image '%s'", ref);
	data = ejson_path(j, "GraphDriver", "Data", NULL);
	out->id = ejson_strdup(j, "Id", "");
	out->driver = ejson_strdup(ejson_get(j, "GraphDriver"), "Name", "");
	out->upper_dir = ejson_strdup(data, "UpperDir", "");
	out->lower_dirs = ejson_strdup(data, "LowerDir", "");
	out->architecture = ejson_strdup(j, "Architecture", "");
	out->os = ejson_strdup(j, "Os", "");
	out->variant = ejson_strdup(j, "Variant", "");
	json_array_foreach(ejson_path(j, "RootFS", "Layers", NULL), i, d)
		if (json_is_string(d))
			strv_push(&out->diff_ids, json_string_value(d));
	return 0;
}

/* t (seconds, nanoseconds) as the image config writes times. */
static json_t *
rfc3339(time_t sec, long nsec)
{
	char s[64];
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	if (nsec > 0)
		snprintf(s + n, sizeof(s) - n, ".%09ldZ", nsec);
	else
		snprintf(s + n, sizeof(s) - n, "Z");
	return json_string(s);
}

/*
 * The parent's history, oldest first, as an image config holds it. The
 * API gives no empty_layer: an entry of no size stands for one (the
 * engine checks only that no more entries have a layer than there are
 * layers).
 */
static json_t *
history_of(const json_t *answer)
{
	json_t *out = json_array();

	for (size_t i = json_array_size(answer); i-- > 0;) {
		const json_t *h = json_array_get(answer, i);
		json_t *o = json_object();
		const char *s;

		json_object_set_new(o, "created", rfc3339((time_t)ejson_int(h,
		    "Created", 0), 0));
		if ((s = ejson_str(h, "CreatedBy")) && *s)
			json_object_set_new(o, "created_by", json_string(s));
		if ((s = ejson_str(h, "Comment")) && *s)
			json_object_set_new(o, "comment", json_string(s));
		if (ejson_int(h, "Size", 0) == 0)
			json_object_set_new(o, "empty_layer", json_true());
		json_array_append_new(out, o);
	}
	return out;
}

/*
 * The new image's config, as a commit of the container would make it;
 * *history_out (caller frees) its history as JSON.
 */
static int
make_config(struct engine *e, const struct layer_load *l, struct buf *out,
    char **history_out, struct keep_error **err)
{
	const struct image_stack *p = l->parent;
	cleanup_json json_t *conf = NULL, *hist = NULL;
	json_t *config, *labels, *diff_ids, *history, *entry, *rootfs;
	struct timespec now;
	char *text;

	/* keep wrote the history of an image it loaded: no need to ask. */
	history = l->parent_history ? json_loads(l->parent_history, 0, NULL) :
	    NULL;
	if (!json_is_array(history)) {
		json_decref(history);
		if (get(e, "images", p->id, "/history", JSON_ARRAY, &hist,
		    err) < 0)
			return -1;
		history = history_of(hist);
	}
	clock_gettime(CLOCK_REALTIME, &now);
	conf = json_object();
	json_object_set_new(conf, "architecture", json_string(
	    *p->architecture ? p->architecture : "amd64"));
	json_object_set_new(conf, "os", json_string(*p->os ? p->os : "linux"));
	if (*p->variant)
		json_object_set_new(conf, "variant", json_string(p->variant));
	config = l->config ? ejson_from_value(l->config) : NULL;
	if (!json_is_object(config)) {
		json_decref(config);
		config = json_object();
	}
	json_object_set_new(conf, "container_config", json_deep_copy(config));
	labels = ejson_get(config, "Labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(config, "Labels", labels);
	}
	for (size_t i = 0; l->labels && i < l->labels->n; i++)
		json_object_set_new(labels, l->labels->v[i].key,
		    json_string(l->labels->v[i].value));
	json_object_set_new(conf, "config", config);
	json_object_set_new(conf, "container", json_string(l->container_id));
	json_object_set_new(conf, "created", rfc3339(now.tv_sec, now.tv_nsec));
	if (l->comment && *l->comment)
		json_object_set_new(conf, "comment", json_string(l->comment));
	entry = json_object();
	json_object_set_new(entry, "created", rfc3339(now.tv_sec, now.tv_nsec));
	json_object_set_new(entry, "created_by", json_string("keep save "
	    "(what changed since the parent image)"));
	if (l->comment && *l->comment)
		json_object_set_new(entry, "comment", json_string(l->comment));
	json_array_append_new(history, entry);
	json_object_set_new(conf, "history", history);
	diff_ids = json_array();
	for (size_t i = 0; i < p->diff_ids.n; i++)
		json_array_append_new(diff_ids, json_string(p->diff_ids.v[i]));
	{
		char *id = xasprintf("sha256:%s", l->layer_digest);

		json_array_append_new(diff_ids, json_string(id));
		free(id);
	}
	rootfs = json_object();
	json_object_set_new(rootfs, "type", json_string("layers"));
	json_object_set_new(rootfs, "diff_ids", diff_ids);
	json_object_set_new(conf, "rootfs", rootfs);
	text = json_dumps(conf, JSON_COMPACT);
	if (text == NULL)
		abort();
	buf_addstr(out, text);
	free(text);
	if ((*history_out = json_dumps(history, JSON_COMPACT)) == NULL)
		abort();
	return 0;
}

/* The archive, streamed: head (small files, the layer's header), the
 * layer from its fd, then tail (padding, the end). */
struct body {
	struct buf head, tail;
	size_t at;		/* in head, then in tail */
	int fd;
	long long left;		/* of the layer */
	int phase;		/* 0 head, 1 layer, 2 tail */
};

static ssize_t
body_read(void *ctx, void *out, size_t cap)
{
	struct body *b = ctx;
	ssize_t n;

	for (;;) {
		if (b->phase == 0 || b->phase == 2) {
			struct buf *src = b->phase == 0 ? &b->head : &b->tail;

			if (b->at < src->len) {
				n = (ssize_t)(src->len - b->at < cap ?
				    src->len - b->at : cap);
				memcpy(out, src->ptr + b->at, (size_t)n);
				b->at += (size_t)n;
				return n;
			}
			if (b->phase == 2)
				return 0;
			b->phase = 1;
			b->at = 0;
		}
		if (b->left == 0) {
			b->phase = 2;
			continue;
		}
		do
			n = read(b->fd, out, (long long)cap < b->left ? cap :
			    (size_t)b->left);
		while (n < 0 && errno == EINTR);
		if (n <= 0)
			return -1;	/* the file is ours: it cannot shrink */
		b->left -= n;
		return n;
	}
}

/* Append file name of content data to the archive in b. */
static void
add_small(struct buf *b, const char *name, const struct buf *data)
{
	tar_header(b, name, data->len);
	buf_add(b, data->ptr, data->len);
	tar_pad(b, data->len);
}

static int
collect(void *ctx, const void *data, size_t len, struct keep_error **err)
{
	struct buf *b = ctx;

	if (b->len + len > LOAD_MAX_ANSWER)
		return keep_error_set(err, KEEP_ERR_FAILED, "the engine's answer "
		    "to a load is over %zu bytes", LOAD_MAX_ANSWER);
	buf_add(b, data, len);
	return 0;
}

int
engine_image_load_layer(struct engine *e, const struct layer_load *l,
    char **image_id_out, char **history_out, struct keep_error **err)
{
	struct body b = { BUF_INIT, BUF_INIT, 0, l->layer_fd, l->layer_size, 0 };
	cleanup_buf struct buf config = BUF_INIT, manifest = BUF_INIT,
	    answer = BUF_INIT;
	cleanup_json json_t *m = NULL;
	cleanup_free char *ref = xasprintf("%s:%s", l->repo, l->tag);
	cleanup_free char *history = NULL;
	char hex[2 * SHA256_DIGEST_SIZE + 1], name[100];
	json_t *layers;
	char *text;
	int rc = -1;

	*image_id_out = NULL;
	*history_out = NULL;
	if (make_config(e, l, &config, &history, err) < 0)
		goto out;
	sha256_hex(config.ptr, config.len, hex);
	/* Every layer by a path of its own; only the last is in the archive. */
	layers = json_array();
	for (size_t i = 0; i <= l->parent->diff_ids.n; i++) {
		const char *d = i < l->parent->diff_ids.n ?
		    l->parent->diff_ids.v[i] : l->layer_digest;
		const char *colon = strchr(d, ':');
		char *p = xasprintf("%s/layer.tar", colon ? colon + 1 : d);

		json_array_append_new(layers, json_string(p));
		free(p);
	}
	m = json_array();
	{
		json_t *o = json_object(), *tags = json_array();
		char *cfg = xasprintf("%s.json", hex);

		json_object_set_new(o, "Config", json_string(cfg));
		free(cfg);
		json_array_append_new(tags, json_string(ref));
		json_object_set_new(o, "RepoTags", tags);
		json_object_set_new(o, "Layers", layers);
		json_array_append_new(m, o);
	}
	text = json_dumps(m, JSON_COMPACT);
	if (text == NULL)
		abort();
	buf_addstr(&manifest, text);
	free(text);
	add_small(&b.head, "manifest.json", &manifest);
	snprintf(name, sizeof(name), "%s.json", hex);
	add_small(&b.head, name, &config);
	snprintf(name, sizeof(name), "%s/layer.tar", l->layer_digest);
	if (tar_header(&b.head, name, (uint64_t)l->layer_size) < 0) {
		keep_error_set(err, KEEP_ERR_FAILED, "a layer of %lld bytes is "
		    "more than a load archive holds", l->layer_size);
		goto out;
	}
	tar_pad(&b.tail, (uint64_t)l->layer_size);
	{
		static const char end[1024];

		buf_add(&b.tail, end, sizeof(end));
	}
	if (lseek(l->layer_fd, 0, SEEK_SET) < 0) {
		keep_error_set(err, KEEP_ERR_FAILED, "rewind the layer: %s",
		    strerror(errno));
		goto out;
	}
	if (engine_call_stream(e, "POST", "/images/load?quiet=1", body_read, &b,
	    "application/x-tar", collect, &answer, 0, NULL, err) < 0 ||
	    ejson_lines(answer.ptr, answer.len, NULL, NULL, NULL, err) < 0)
		goto out;
	*image_id_out = xasprintf("sha256:%s", hex);
	*history_out = history;
	history = NULL;
	rc = 0;
out:
	buf_release(&b.head);
	buf_release(&b.tail);
	return rc < 0 ? keep_error_wrap(err, "load the image '%s'", ref) : 0;
}
