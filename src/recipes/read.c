/* Reading: whether a commit is in the history, and the diff of two texts. */
#include "recipes/recipes_internal.h"

#include <string.h>

int
recipes_commit_exists(struct recipes *r, const char *id)
{
	git_object *obj = NULL;
	git_oid oid, head;
	size_t len = id ? strlen(id) : 0;
	int found = 0;

	if (len < 4 || len > GIT_OID_HEXSZ ||
	    lg.git_oid_fromstrn(&oid, id, len) < 0 ||
	    lg.git_object_lookup_prefix(&obj, r->repo, &oid, len,
	    GIT_OBJECT_COMMIT) < 0 ||
	    lg.git_reference_name_to_id(&head, r->repo, "HEAD") < 0)
		goto done;
	if (lg.git_oid_equal(&head, lg.git_object_id(obj)) ||
	    lg.git_graph_descendant_of(r->repo, &head, lg.git_object_id(obj)) == 1)
		found = 1;

done:
	lg.git_error_clear();
	lg.git_object_free(obj);
	return found;
}

int
recipes_diff_text(const char *old_text, const char *new_text,
    const char *path, struct buf *out, struct keep_error **err)
{
	git_patch *patch = NULL;
	git_buf text = { 0 };
	int rc;

	if (recipes_lib_init(err) < 0)
		return keep_error_wrap(err, "diff '%s'", path);
	rc = lg.git_patch_from_buffers(&patch, old_text, strlen(old_text), path,
	    new_text, strlen(new_text), path, NULL);
	if (rc == 0)
		rc = lg.git_patch_to_buf(&text, patch);
	if (rc < 0)
		recipes_fail(err, rc, "diff '%s'", path);
	else
		buf_add(out, text.ptr, text.size);
	lg.git_buf_dispose(&text);
	lg.git_patch_free(patch);
	return rc < 0 ? -1 : 0;
}
