#include "engine/lifecycle.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "engine/json.h"
#include "util/xalloc.h"

int
engine_container_create_reader(struct engine *e, const char *image,
    char **id_out, struct keep_error **err)
{
	cleanup_json json_t *req = NULL, *resp = NULL;
	cleanup_buf struct buf body = BUF_INIT;
	cleanup_free char *text = NULL;
	const char *id;

	/* The command is never run; it only has to be set for images that
	 * have none (docker import makes such images). */
	req = json_pack("{s:s, s:[s], s:[s], s:b, s:{s:s}, s:{s:s}}",
	    "Image", image,
	    "Entrypoint", "/keep-never-started",
	    "Cmd", "",
	    "NetworkDisabled", 1,
	    "Labels", "io.keep.temporary", "1",
	    "HostConfig", "NetworkMode", "none");
	if (req == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot describe a container for image '%s'", image);
	text = json_dumps(req, JSON_COMPACT);
	if (engine_call(e, "POST", "/containers/create", text, strlen(text),
	    "application/json", NULL, &body, err) < 0)
		return keep_error_wrap(err, "create a container to read image '%s'",
		    image);
	if (ejson_parse(body.ptr, body.len, "POST /containers/create", &resp,
	    err) < 0)
		return -1;
	if ((id = ejson_str(resp, "Id")) == NULL || id[0] == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine created a container for '%s' but gave no id", image);
	*id_out = xstrdup(id);
	return 0;
}

int
engine_container_remove(struct engine *e, const char *id, int force,
    int missing_ok, struct keep_error **err)
{
	struct buf path = BUF_INIT;
	int rc;

	buf_addstr(&path, "/containers/");
	engine_urlencode(&path, id);
	buf_printf(&path, "?force=%d&v=1", force ? 1 : 0);
	rc = engine_call(e, "DELETE", buf_cstr(&path), NULL, 0, NULL, NULL, NULL,
	    err);
	buf_release(&path);
	if (rc < 0 && missing_ok && *err && (*err)->kind == KEEP_ERR_NOT_FOUND) {
		keep_error_free(*err);
		*err = NULL;
		return 0;
	}
	return rc < 0 ? keep_error_wrap(err, "remove container '%s'", id) : 0;
}
