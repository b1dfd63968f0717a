/*
 * POST /build. The engine answers 200 at once and then streams one JSON
 * object per line while it builds; a failed step arrives as an "error"
 * line inside that 200, so every line has to be read, and a line can be
 * split across the chunks libcurl hands over.
 */
#include "engine/build.h"

#include <stdlib.h>
#include <string.h>

#include "engine/json.h"
#include "util/xalloc.h"

/* A builder line longer than this is cut: it only ever carries text. */
#define BUILD_MAX_LINE ((size_t)1 << 20)

struct build_source {
	const char *data;
	size_t len;
	size_t off;
};

static ssize_t
build_source_read(void *ctx, void *out, size_t cap)
{
	struct build_source *src = ctx;
	size_t n = src->len - src->off;

	if (n > cap)
		n = cap;
	memcpy(out, src->data + src->off, n);
	src->off += n;
	return (ssize_t)n;
}

struct build_state {
	const struct engine_build_opts *opts;
	struct buf line;	/* the incomplete line so far */
	int overlong;		/* line was cut; drop until its newline */
	char *step;		/* "Step 3/7 : RUN ..." the builder is on */
	char *image_id;		/* from aux.ID */
	char *error;		/* from error / errorDetail.message */
};

static void
emit(struct build_state *st, const char *text)
{
	if (st->opts->output && text[0])
		st->opts->output(st->opts->output_ctx, text);
}

/* Remember the last "Step N/M : INSTRUCTION" line the builder printed. */
static void
track_step(struct build_state *st, const char *text)
{
	const char *p = text;

	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (strncmp(p, "Step ", 5) == 0) {
			free(st->step);
			st->step = xstrndup(p, n);
		}
		p = eol ? eol + 1 : NULL;
	}
}

static void
build_line(struct build_state *st, const char *data, size_t len)
{
	cleanup_json json_t *j = NULL;
	struct keep_error *perr = NULL;
	const char *s;
	json_t *aux;

	while (len > 0 && (data[len - 1] == '\r' || data[len - 1] == ' '))
		len--;
	if (len == 0)
		return;
	if (ejson_parse(data, len, "POST /build", &j, &perr) < 0) {
		/* Not JSON: show it rather than lose it. */
		keep_error_free(perr);
		return;
	}
	if ((s = ejson_str(j, "stream")) != NULL) {
		track_step(st, s);
		emit(st, s);
	}
	if ((aux = ejson_get(j, "aux")) != NULL && (s = ejson_str(aux, "ID")) != NULL) {
		free(st->image_id);
		st->image_id = xstrdup(s);
	}
	s = ejson_str(ejson_get(j, "errorDetail"), "message");
	if (s == NULL)
		s = ejson_str(j, "error");
	if (s != NULL && st->error == NULL) {
		st->error = xstrdup(s);
		emit(st, s);
		emit(st, "\n");
	}
}

static int
build_sink(void *ctx, const void *data, size_t len, struct keep_error **err)
{
	struct build_state *st = ctx;
	const char *p = data, *end = p + len;

	(void)err;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!st->overlong) {
			size_t room = BUILD_MAX_LINE - st->line.len;

			buf_add(&st->line, p, n < room ? n : room);
			if (n >= room && !nl)
				st->overlong = 1;
		}
		if (!nl)
			break;
		build_line(st, st->line.ptr ? st->line.ptr : "", st->line.len);
		buf_truncate(&st->line, 0);
		st->overlong = 0;
		p = nl + 1;
	}
	return 0;
}

static void
append_query(struct buf *path, const char *key, const char *value)
{
	buf_printf(path, "&%s=", key);
	engine_urlencode(path, value);
}

static char *
kvv_json(const struct kvv *args)
{
	cleanup_json json_t *o = json_object();
	char *s;

	for (size_t i = 0; args && i < args->n; i++)
		json_object_set_new(o, args->v[i].key, json_string(args->v[i].value));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (s == NULL)
		abort();
	return s;
}

int
engine_build(struct engine *e, const void *context, size_t len,
    const struct engine_build_opts *opts, char **image_id_out,
    struct keep_error **err)
{
	static const struct engine_build_opts none = { 0 };
	struct build_source src = { context, len, 0 };
	struct build_state st = { 0 };
	cleanup_buf struct buf path = BUF_INIT;
	cleanup_free char *args = NULL, *labels = NULL;
	int rc = -1;

	*image_id_out = NULL;
	if (opts == NULL)
		opts = &none;
	st.opts = opts;
	buf_addstr(&path, "/build?rm=1&forcerm=1");
	append_query(&path, "dockerfile", opts->dockerfile ? opts->dockerfile : "Dockerfile");
	append_query(&path, "networkmode", opts->network_mode ? opts->network_mode : "host");
	if (opts->tag)
		append_query(&path, "t", opts->tag);
	if (opts->build_args && opts->build_args->n > 0) {
		args = kvv_json(opts->build_args);
		append_query(&path, "buildargs", args);
	}
	if (opts->labels && opts->labels->n > 0) {
		labels = kvv_json(opts->labels);
		append_query(&path, "labels", labels);
	}
	if (engine_call_stream(e, "POST", buf_cstr(&path), build_source_read, &src,
	    "application/x-tar", build_sink, &st, 0, NULL, err) < 0)
		goto out;
	/* The last line may lack its newline. */
	if (st.line.len > 0)
		build_line(&st, st.line.ptr, st.line.len);
	if (st.error) {
		if (st.step)
			keep_error_set(err, KEEP_ERR_FAILED, "build failed at %s: %s",
			    st.step, st.error);
		else
			keep_error_set(err, KEEP_ERR_FAILED, "build failed: %s", st.error);
		goto out;
	}
	if (st.image_id == NULL) {
		keep_error_set(err, KEEP_ERR_FAILED,
		    "build finished without naming the image it built");
		goto out;
	}
	*image_id_out = st.image_id;
	st.image_id = NULL;
	rc = 0;
out:
	buf_release(&st.line);
	free(st.step);
	free(st.image_id);
	free(st.error);
	return rc;
}
