#include "core/recipe.h"

int
recipe_dockerfile(const struct snapshot *s, const struct context_file *files,
    size_t n_files, struct buf *out, struct strv *warnings,
    struct keep_error **err)
{
	struct recipe_input in = {
		.container = &s->config,
		.base = &s->base,
		.base_ref = s->config.image_ref,
		.base_digest = s->base_digest,
		.snapshot_seq = s->seq,
		.pkgs = &s->packages,
		.files = &s->loose,
		.use_context = files != NULL,
		.context_files = files,
		.n_context_files = n_files,
	};

	return render_dockerfile(&in, out, warnings, err);
}
