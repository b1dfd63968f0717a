#include "core/recipe.h"

#include <stdlib.h>
#include <string.h>

#include "model/secrets.h"
#include "util/xalloc.h"

/* What recipe_apt_snapshot_set chose; unset: the environment's, each time. */
static struct {
	int set;
	enum render_apt_snapshot when;
	char *url;
} apt_setting;

/* Parse when and url (either may be NULL: the environment's, else the default). */
static int
apt_snapshot_parse(const char *when, const char *url,
    enum render_apt_snapshot *when_out, const char **url_out,
    struct keep_error **err)
{
	const char *when_from = "--apt-snapshot", *url_from = "--apt-snapshot-url";

	if (when == NULL && (when = getenv("KEEP_APT_SNAPSHOT")) != NULL)
		when_from = "KEEP_APT_SNAPSHOT";
	if (url == NULL && (url = getenv("KEEP_APT_SNAPSHOT_URL")) != NULL)
		url_from = "KEEP_APT_SNAPSHOT_URL";
	if (when == NULL || when[0] == '\0' || strcmp(when, "fallback") == 0)
		*when_out = RENDER_APT_SNAPSHOT_FALLBACK;
	else if (strcmp(when, "always") == 0)
		*when_out = RENDER_APT_SNAPSHOT_ALWAYS;
	else if (strcmp(when, "never") == 0)
		*when_out = RENDER_APT_SNAPSHOT_NEVER;
	else
		return keep_error_set(err, KEEP_ERR_USAGE,
		    "%s: '%s' is not fallback, always or never", when_from, when);
	if (url != NULL && url[0] == '\0')
		url = NULL;
	if (url != NULL && !render_apt_snapshot_url_valid(url)) {
		cleanup_free char *shown = secrets_redact(url);

		return keep_error_set(err, KEEP_ERR_USAGE,
		    "%s: '%s' is no http:// or https:// URL keep can write into a "
		    "recipe (no credentials, no trailing slash)", url_from, shown);
	}
	*url_out = url;
	return 0;
}

int
recipe_apt_snapshot_set(const char *when, const char *url,
    struct keep_error **err)
{
	enum render_apt_snapshot w = RENDER_APT_SNAPSHOT_FALLBACK;
	const char *u;

	if (apt_snapshot_parse(when, url, &w, &u, err) < 0)
		return -1;
	free(apt_setting.url);
	apt_setting.url = u ? xstrdup(u) : NULL;
	apt_setting.when = w;
	apt_setting.set = 1;
	return 0;
}

int
recipe_apt_snapshot_get(enum render_apt_snapshot *when, const char **url,
    struct keep_error **err)
{
	/* Read each time: save renders in two threads, and reads are safe. */
	if (!apt_setting.set)
		return apt_snapshot_parse(NULL, NULL, when, url, err);
	*when = apt_setting.when;
	*url = apt_setting.url;
	return 0;
}

int
recipe_input_of(const struct snapshot *s, struct recipe_input *in,
    struct keep_error **err)
{
	memset(in, 0, sizeof(*in));
	in->container = &s->config;
	in->base = &s->base;
	in->base_ref = s->config.image_ref;
	in->base_digest = s->base_digest;
	in->snapshot_seq = s->seq;
	in->pkgs = &s->packages;
	in->files = &s->loose;
	in->apt_sources = &s->apt_sources;
	in->secrets_left_out = &s->secrets_left_out;
	if (recipe_apt_snapshot_get(&in->apt_snapshot, &in->apt_snapshot_url,
	    err) < 0)
		return -1;
	return 0;
}

int
recipe_dockerfile(const struct snapshot *s, const struct context_file *files,
    size_t n_files, struct buf *out, struct strv *warnings,
    struct keep_error **err)
{
	struct recipe_input in;

	if (recipe_input_of(s, &in, err) < 0)
		return -1;
	in.use_context = files != NULL;
	in.context_files = files;
	in.n_context_files = n_files;
	return render_dockerfile(&in, out, warnings, err);
}
