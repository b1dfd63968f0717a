#include "core/recipe.h"

#include <string.h>

void
recipe_input_of(const struct snapshot *s, struct recipe_input *in)
{
	memset(in, 0, sizeof(*in));
	in->container = &s->config;
	in->base = &s->base;
	in->base_ref = s->config.image_ref;
	in->base_digest = s->base_digest;
	in->snapshot_seq = s->seq;
	in->pkgs = &s->packages;
	in->files = &s->loose;
}

int
recipe_dockerfile(const struct snapshot *s, const struct context_file *files,
    size_t n_files, struct buf *out, struct strv *warnings,
    struct keep_error **err)
{
	struct recipe_input in;

	recipe_input_of(s, &in);
	in.use_context = files != NULL;
	in.context_files = files;
	in.n_context_files = n_files;
	return render_dockerfile(&in, out, warnings, err);
}
