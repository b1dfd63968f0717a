/*
 * keep sbom: a snapshot's Software Bill of Materials (render/sbom.h) from
 * the catalog, with the distribution read from the snapshot's image.
 */
#ifndef KEEP_CORE_SBOM_H
#define KEEP_CORE_SBOM_H

#include "catalog/catalog.h"
#include "engine/engine.h"
#include "model/model.h"
#include "util/buf.h"

enum sbom_format {
	SBOM_CYCLONEDX,
	SBOM_SPDX,
};

/*
 * The SBOM of snapshot s in format, appended to out: every package from
 * the catalog, the time now and a new serial number. e (NULL when no
 * engine answers) reads the os-release of the snapshot's image, else of
 * its base image; when neither can be read the package URLs name no
 * distro (and "debian" or "alpine" as the vendor), and warnings says why.
 */
int sbom_write(struct engine *e, struct catalog *cat, const struct snapshot *s,
    enum sbom_format format, struct buf *out, struct strv *warnings,
    struct keep_error **err);

#endif
