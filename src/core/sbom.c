#include "core/sbom.h"

#include <stdlib.h>
#include <time.h>

#include "core/engine_fs.h"
#include "core/history.h"
#include "pkg/pkg.h"
#include "render/sbom.h"
#include "util/random.h"
#include "util/xalloc.h"

/*
 * ID and VERSION_ID of image's os-release: 0, or -1 with *err. The image
 * is read through a container made from it and removed at once.
 */
static int
os_release_of(struct engine *e, const char *image, char **id,
    char **version, struct keep_error **err)
{
	struct pkg_fs fs;
	int rc;

	engine_fs_image(&fs, e, image);
	rc = os_release_read(&fs, id, version, err);
	pkg_fs_release(&fs);
	return rc;
}

/* The distribution of s: its own image's, else its base image's. */
static void
distro_of(struct engine *e, const struct snapshot *s, char **id,
    char **version, struct strv *warnings)
{
	const char *images[] = { s->image_id, s->config.image_id };
	struct keep_error *err = NULL;

	for (size_t i = 0; e && i < sizeof(images) / sizeof(*images); i++) {
		keep_error_free(err);
		err = NULL;
		if (images[i] && images[i][0] &&
		    os_release_of(e, images[i], id, version, &err) == 0)
			break;
	}
	if (err || e == NULL)
		strv_pushf(warnings, "the distribution of '%s' #%ld is unknown "
		    "(%s): its deb and apk package URLs name no distro",
		    s->config.name, s->seq, err ? err->message :
		    "no engine to read its image");
	else if (*id == NULL)
		strv_pushf(warnings, "the os-release of '%s' #%ld names no "
		    "distribution: its deb and apk package URLs name none",
		    s->config.name, s->seq);
	keep_error_free(err);
}

int
sbom_write(struct engine *e, struct catalog *cat, const struct snapshot *s,
    enum sbom_format format, struct buf *out, struct strv *warnings,
    struct keep_error **err)
{
	struct pkg_set set = { 0 };
	cleanup_free char *os_id = NULL, *os_version = NULL;
	char uuid[37], now[32];
	struct tm tm;
	time_t t = time(NULL);
	struct sbom_input in;

	if (history_packages(cat, s, &set, err) < 0)
		return -1;
	distro_of(e, s, &os_id, &os_version, warnings);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	random_uuid(uuid);
	in = (struct sbom_input){ s, &set, os_id, os_version, KEEP_VERSION,
		now, uuid };
	if (format == SBOM_SPDX)
		sbom_spdx(&in, out);
	else
		sbom_cyclonedx(&in, out);
	pkg_set_release(&set);
	return 0;
}
