/*
 * The Dockerfile renderer: a snapshot description in, Dockerfile text out.
 * Pure: no I/O, no clock, no environment; the same input always renders
 * byte for byte the same text (everything is sorted), which is what the
 * golden-file tests rely on.
 *
 * Conventions the caller must follow:
 *
 *  - pkgs holds the cumulative changes of the container against its base
 *    image (struct pkg_changes, PKG_ADDED / PKG_REMOVED / PKG_UPGRADED).
 *    pkg.manager is "dpkg", "apk", "pip" (uv-installed packages too, with
 *    pkg.installer "uv") or "npm". Other managers are listed in a comment
 *    and warned about.
 *  - pkg.origin "" means "from an index": the renderer reinstalls it pinned.
 *    Any other origin means no index can reinstall it: for pip the
 *    direct_url.json URL or file:// path; for dpkg and apk the analyzer
 *    writes "local" (a .deb/.apk installed from a file, or a version no
 *    configured source offers). Such packages are never dropped silently:
 *    each is named in a comment (origin shown with URL credentials
 *    stripped) and gets a warning.
 *  - pkg.location (pip) is the site-packages directory; the interpreter that
 *    owns it is derived from it: "<venv>/lib/pythonX.Y/site-packages" ->
 *    "<venv>/bin/python -m pip", "/usr[/local]/lib/python3*" ->
 *    "python3 -m pip", "/root/.local/..." -> "python3 -m pip install --user".
 *  - files holds the loose files (changes no package explains, noise
 *    already removed). Without a build context they are only listed in
 *    comments. With use_context, each added or changed path that
 *    context_files covers is copied from "files/<path>" in the build
 *    context (the caller writes those bytes into the tar), chowned to the
 *    recorded uid:gid and chmod-ed to the recorded mode, and deleted paths
 *    are removed with RUN rm. Installer configuration
 *    (model/installer_config.h: sources, keys, CA certificates, npmrc,
 *    pip.conf, uv.toml, apt.conf.d ...) comes first, before the installs
 *    that read it; copied CA certificates are followed by
 *    update-ca-certificates unless ca-certificates is among the installs
 *    (its scripts run it).
 *  - Installer configuration holding credentials (fs_change.secret, as
 *    save found it, or context_file.secret) is a BuildKit build secret:
 *    every install RUN of a manager that reads it mounts it
 *    (RUN --mount=type=secret,id=ID,target=PATH), the header says how to
 *    build, and a warning names it. Not with classic_builder.
 *  - Environment: variables the base image lacks or sets differently become
 *    ENV; names the base image sets but the container lacks are listed in a
 *    comment (a Dockerfile cannot unset an inherited variable). Proxy
 *    variables become ARG lines without a value, secrets are named in a
 *    comment only (see model/secrets.h).
 *
 * Everything from inside the container is untrusted. Package names and
 * versions are checked against the manager's own syntax (model/validate.h),
 * env values and paths are quoted or refused; every refusal appends a
 * warning naming the item (in printable form) and a comment in the
 * Dockerfile.
 */
#ifndef KEEP_RENDER_DOCKERFILE_H
#define KEEP_RENDER_DOCKERFILE_H

#include <stddef.h>

#include "model/model.h"
#include "util/buf.h"
#include "util/error.h"

/* One file or directory the build context holds under files/<path>. */
struct context_file {
	const char *path;	/* absolute path in the container */
	unsigned int uid;
	unsigned int gid;
	unsigned int mode;	/* permission bits, 07777 */
	int is_dir;		/* a directory: COPY brings its whole tree */
	int secret;		/* installer configuration whose credentials are *** here */
};

/* How the apt install uses the distribution's snapshot archive. */
enum render_apt_snapshot {
	RENDER_APT_SNAPSHOT_FALLBACK = 0,	/* only when a pinned version left the mirror */
	RENDER_APT_SNAPSHOT_ALWAYS,		/* a source from the start */
	RENDER_APT_SNAPSHOT_NEVER,
};

struct recipe_input {
	const struct container *container;	/* required */
	const struct image *base;	/* the base image as inspected; required */
	const char *base_ref;	/* the image as given ("debian:bookworm"), or NULL */
	/*
	 * The repo digest of base matching base_ref ("debian@sha256:..."; see
	 * image_repo_digest), or NULL to pin by image ID.
	 */
	const char *base_digest;
	long snapshot_seq;	/* N of keep/NAME:N (struct snapshot.seq); 0 when none yet */
	const struct pkg_changes *pkgs;	/* may be NULL: no package changes */
	const struct fs_changes *files;	/* may be NULL: no loose files */
	int use_context;	/* loose files are in the build context under files/ */
	const struct context_file *context_files;
	size_t n_context_files;
	/*
	 * For the classic builder (keep's own builds): no RUN --mount, so
	 * configuration holding credentials is no build secret; the context
	 * then holds such files as they are.
	 */
	int classic_builder;
	/*
	 * apt pins. The container's sources (NULL or empty: not recorded,
	 * no archive is used); for those with a snapshot archive, the
	 * install can take a pinned version from the archive as it was at
	 * the pin's first_saved (apt_snapshot says when), at
	 * apt_snapshot_url/<archive>/<YYYYMMDDTHHMMSSZ>. apt_snapshot_url
	 * NULL means each distribution's own: http://snapshot.debian.org/archive,
	 * http://snapshot.ubuntu.com. Sources without an archive are named in
	 * a comment and a warning.
	 */
	const struct apt_sources *apt_sources;
	enum render_apt_snapshot apt_snapshot;
	const char *apt_snapshot_url;
	/*
	 * Secret env variables known by name only (struct
	 * snapshot.secrets_left_out), or NULL: left out with those the
	 * container's env holds.
	 */
	const struct strv *secrets_left_out;
};

/* A USER value that means root: "", "root", "0", "0:0", "root:root" (NULL too). */
int render_user_is_root(const char *u);

/*
 * A base URL apt_snapshot_url may be: http:// or https://, no credentials,
 * nothing a shell or a sources line would read differently.
 */
int render_apt_snapshot_url_valid(const char *url);

/*
 * The snapshot archive's name for the time t ("2026-12-05T13:02:11Z" ->
 * "20261205T130211Z"), or NULL when t is not of that form. Caller frees.
 */
char *render_apt_snapshot_time(const char *t);

/*
 * Render the Dockerfile for in into out (appended). Each item left out or
 * needing the user's attention adds one message to warnings (lowercase, no
 * full stop, subjects quoted and in printable form). Returns 0, or -1 with
 * *err set when no Dockerfile can be written at all (missing container or
 * base, a base image ID that is no "sha256:<64 hex>"); out is then left as
 * it was.
 */
int render_dockerfile(const struct recipe_input *in, struct buf *out,
    struct strv *warnings, struct keep_error **err);

#endif
