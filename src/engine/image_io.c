#include "engine/image_io.h"

#include <stdlib.h>
#include <string.h>

#include "engine/json.h"
#include "util/xalloc.h"

/* The import's answer is a few short JSON lines; more is no answer of it. */
#define IMPORT_MAX_ANSWER ((size_t)1 << 20)

int
engine_container_export(struct engine *e, const char *id,
    engine_sink_fn sink, void *ctx, struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT;
	long stall;

	if (engine_stall_timeout(&stall, err) < 0)
		return -1;
	buf_addstr(&path, "/containers/");
	engine_urlencode(&path, id);
	buf_addstr(&path, "/export");
	if (engine_call_stream(e, "GET", buf_cstr(&path), NULL, NULL, NULL,
	    sink, ctx, stall, NULL, err) < 0)
		return keep_error_wrap(err, "export container '%s'", id);
	return 0;
}

static int
collect(void *ctx, const void *data, size_t len, struct keep_error **err)
{
	struct buf *b = ctx;

	if (b->len + len > IMPORT_MAX_ANSWER)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine's answer to an import is over %zu bytes",
		    IMPORT_MAX_ANSWER);
	buf_add(b, data, len);
	return 0;
}

/* The image a {"status":"sha256:..."} line of an import names. */
static void
import_id(void *ctx, json_t *obj)
{
	char **id = ctx;
	const char *s = ejson_str(obj, "status");

	if (s != NULL && strncmp(s, "sha256:", 7) == 0) {
		free(*id);
		*id = xstrdup(s);
	}
}

int
engine_image_import(struct engine *e, engine_source_fn source, void *ctx,
    char **image_id_out, struct keep_error **err)
{
	cleanup_buf struct buf answer = BUF_INIT;
	cleanup_free char *id = NULL;

	*image_id_out = NULL;
	if (engine_call_stream(e, "POST", "/images/create?fromSrc=-", source,
	    ctx, "application/x-tar", collect, &answer, 0, NULL, err) < 0)
		return keep_error_wrap(err, "import an image");
	/* {"status":"sha256:..."} lines; ejson_lines stops at an error. */
	if (ejson_lines(answer.ptr, answer.len, "import an image", import_id,
	    &id, err) < 0)
		return -1;
	if (id == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "import an image: the engine's answer names no image");
	*image_id_out = id;
	id = NULL;
	return 0;
}
