/*
 * A Software Bill of Materials of a snapshot: CycloneDX 1.5 or SPDX 2.3,
 * JSON. Every package of the snapshot (its base image's that it kept, and
 * those installed or upgraded in the container) with its manager, version,
 * architecture and package URL, and a mark on the ones the container got
 * after its image was built: image scanners, which read only the image's
 * layers as built, miss those.
 *
 * Pure, as the Dockerfile renderer: no I/O, no clock, no randomness; the
 * caller passes the time and the serial number, so the same input renders
 * byte for byte the same document (the golden-file tests rely on it).
 * Nothing secret is in it: no env, no command line, no pip origin URLs.
 */
#ifndef KEEP_RENDER_SBOM_H
#define KEEP_RENDER_SBOM_H

#include "model/model.h"
#include "util/buf.h"

struct sbom_input {
	const struct snapshot *snap;	/* name, seq, images; its changes */
	const struct pkg_set *packages;	/* every package of snap, in order */
	/*
	 * The distribution, from the image's os-release: ID ("debian") is
	 * the vendor in deb and apk package URLs, ID-VERSION_ID their distro
	 * qualifier. NULL when unknown: "debian" (deb) or "alpine" (apk) and
	 * no distro.
	 */
	const char *os_id;
	const char *os_version;
	const char *tool_version;	/* keep's */
	const char *timestamp;		/* when made, RFC 3339 UTC */
	const char *uuid;		/* the document's: 8-4-4-4-12 lower hex */
};

/* Append the CycloneDX 1.5 JSON document of in to out. */
void sbom_cyclonedx(const struct sbom_input *in, struct buf *out);

/* Append the SPDX 2.3 JSON document of in to out. */
void sbom_spdx(const struct sbom_input *in, struct buf *out);

/*
 * The package URL of p (package-url/purl-spec): pkg:deb/VENDOR/name@version
 * ?arch=A&distro=D, pkg:apk/VENDOR/..., pkg:pypi/name@version (the name
 * lower case, '_' as '-'), pkg:npm/[%40scope/]name@version. Components are
 * percent-encoded but for [A-Za-z0-9.-_~:]. vendor and distro as in struct
 * sbom_input. NULL for a manager without a purl type. Caller frees.
 */
char *sbom_purl(const struct pkg *p, const char *os_id,
    const char *os_version);

#endif
