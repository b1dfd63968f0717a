/*
 * The snapshot model: plain C structs that every module shares. The engine
 * fills them from the Engine API, the analyzers add packages, the catalog
 * stores and loads them, and the renderer turns them into a Dockerfile.
 *
 * Every string is owned by the struct that holds it and freed by the
 * matching *_release function. Arrays are (pointer, count) pairs.
 */
#ifndef KEEP_MODEL_MODEL_H
#define KEEP_MODEL_MODEL_H

#include <stddef.h>

#include "model/value.h"
#include "util/strv.h"

struct mount {
	char *type;		/* "bind", "volume", "tmpfs" */
	char *source;		/* host path for bind, volume name for volume, "" for tmpfs */
	char *destination;	/* path inside the container */
	char *mode;		/* engine's Mode ("z", "ro" ...) or "" */
	int rw;
	char *driver;		/* a volume's driver ("local" ...), else "" */
};

struct port_binding {
	char *container_port;	/* "8080/tcp" */
	char *host_ip;		/* "" for all */
	char *host_port;	/* "" for an ephemeral port */
};

/* What `GET /containers/{id}/json` says, as keep needs it. */
struct container {
	char *id;		/* full 64-hex id */
	char *name;		/* without the leading '/' */
	char *image_ref;	/* Config.Image: the name as given */
	char *image_id;		/* Image: sha256:... */
	char *status;		/* State.Status: running, exited, paused, created ... */
	char *created;		/* RFC 3339 */
	char *user;
	char *workdir;
	char *hostname;
	struct kvv env;		/* Config.Env split at the first '=' */
	struct strv cmd;
	struct strv entrypoint;
	int has_entrypoint;	/* Entrypoint was set (even to []) */
	struct strv exposed_ports;	/* "80/tcp" */
	struct port_binding *ports;
	size_t n_ports;
	struct kvv labels;
	char *network_mode;
	char *restart_policy;	/* "", "no", "always", "unless-stopped", "on-failure" */
	int restart_max;
	int tty;
	int open_stdin;
	struct mount *mounts;
	size_t n_mounts;
	char *compose_project;	/* from labels, or NULL */
	char *compose_service;
	int compose_number;
	/*
	 * Everything the container was run with, for a recreate (see
	 * model/run.h). Null in snapshots saved before keep recorded it:
	 * those are recreated from the fields above.
	 */
	struct value run;
	/*
	 * GraphDriver: where the engine keeps the container's filesystem.
	 * Paths on the engine's host; read by core/layer.c, never stored.
	 */
	char *storage_driver;	/* "overlay2", "overlay", "vfs" ... or "" */
	char *upper_dir;	/* overlay: the container's own layer, or "" */
	char *lower_dirs;	/* overlay: the layers below, ':'-separated, top first */
};

void container_release(struct container *c);

/* What `GET /images/{name}/json` says. */
struct image {
	char *id;		/* sha256:... */
	struct strv repo_tags;
	struct strv repo_digests;	/* "name@sha256:..." */
	char *user;
	char *workdir;
	struct kvv env;
	struct strv cmd;
	struct strv entrypoint;
	struct strv exposed_ports;	/* "80/tcp"; filled by inspect, not stored */
	struct kvv labels;
	char *created;
	size_t n_layers;	/* RootFS.Layers: how deep the image is */
};

void image_release(struct image *img);

/*
 * The entry of img->repo_digests whose repository matches ref ("debian",
 * "docker.io/library/debian:bookworm" and "debian@sha256:..." all match
 * "debian@sha256:..."), or NULL. A ref that is itself name@digest matches
 * only that digest. The result points into img; don't free it.
 */
const char *image_repo_digest(const struct image *img, const char *ref);

/*
 * Whether the image reference ref ("debian:bookworm",
 * "docker.io/library/debian@sha256:...") names what query does: the same
 * repository, normalised as above, and when query has a tag or a digest,
 * that one ("debian" matches both; "debian:bookworm" the first, and also
 * "debian" matches ref "debian:latest" as "debian:latest" does "debian").
 */
int image_ref_matches(const char *query, const char *ref);

enum fs_change_kind {
	FS_MODIFIED = 0,
	FS_ADDED = 1,
	FS_DELETED = 2,
};

/*
 * What lstat says of a changed path, where keep read the change list from
 * the container's layer itself (the engine's list carries none).
 */
struct fs_stamp {
	long long size;
	unsigned mode;		/* st_mode; 0: no stamp */
	long long mtime_sec;
	long mtime_nsec;
	/*
	 * No user sets a ctime: it tells an edit that kept the size and put
	 * the mtime back (cp -p, tar x, touch -r) from no edit.
	 */
	long long ctime_sec;
	long ctime_nsec;
};

struct fs_change {
	char *path;
	enum fs_change_kind kind;
	/* A loose installer configuration file holding credentials (save reads them). */
	int secret;
	struct fs_stamp stamp;
};

struct fs_changes {
	struct fs_change *v;
	size_t n, cap;	/* cap: room in v (vec_grow) */
};

/* Append a copy of path with no stamp. */
void fs_changes_push(struct fs_changes *fc, const char *path, enum fs_change_kind kind);
/* Append a copy of path with its stamp (st may be NULL: none). */
void fs_changes_push_stamped(struct fs_changes *fc, const char *path,
    enum fs_change_kind kind, const struct fs_stamp *st);
void fs_changes_release(struct fs_changes *fc);

/* One installed package as a package database describes it. */
struct pkg {
	char *manager;		/* "dpkg", "apk", "pip", "npm" */
	char *name;
	char *version;
	char *arch;		/* "" where the manager has none */
	int automatic;		/* installed as a dependency */
	char *location;		/* pip: the site-packages dir; npm: the node_modules dir; else "" */
	char *installer;	/* pip: "pip", "uv" ...; else "" */
	char *origin;		/* pip: URL or file:// of a direct install; dpkg: "" (index) */
};

struct pkg_set {
	struct pkg *v;
	size_t n, cap;	/* cap: room in v (vec_grow) */
};

void pkg_init_fields(struct pkg *p);	/* all strings "" (allocated) */
void pkg_release(struct pkg *p);
void pkg_copy(struct pkg *dst, const struct pkg *src);
void pkg_set_push(struct pkg_set *s, const struct pkg *p);	/* copies */
/* Append a package with these fields (arch may be NULL for ""); copies. */
void pkg_set_add(struct pkg_set *s, const char *manager, const char *name,
    const char *version, const char *arch);
void pkg_set_release(struct pkg_set *s);

/*
 * A pip name as pip compares it (PEP 503): lowercase, runs of "-_." become
 * "-". Caller frees.
 */
char *pip_normalize_name(const char *name);

enum pkg_change_kind {
	PKG_ADDED,
	PKG_REMOVED,
	PKG_UPGRADED,	/* any version change, up or down */
};

struct pkg_change {
	enum pkg_change_kind change;
	struct pkg pkg;		/* the new state; for PKG_REMOVED the old one */
	char *old_version;	/* PKG_UPGRADED: the base image's version; else "" */
	/*
	 * created_at (RFC 3339) of the first snapshot of this container that
	 * recorded this version: the distribution's snapshot archive had it
	 * then. NULL when not known (a snapshot not recorded yet).
	 */
	char *first_saved;
};

struct pkg_changes {
	struct pkg_change *v;
	size_t n, cap;	/* cap: room in v (vec_grow) */
};

/* Append a change of p (copied); old_version may be NULL for "". */
void pkg_changes_push(struct pkg_changes *pc, enum pkg_change_kind kind,
    const struct pkg *p, const char *old_version);

/*
 * The change of pc (or NULL) to the package p is: the same manager, name,
 * arch and location, the key a package is known by across snapshots.
 */
const struct pkg_change *pkg_changes_find(const struct pkg_changes *pc,
    const struct pkg *p);

/*
 * Turn set, a base image's packages, into a snapshot's: each package a
 * change of pc names is replaced by the change's new state, or dropped
 * when it was removed; packages the changes add are appended. Unsorted.
 */
void pkg_set_apply(struct pkg_set *set, const struct pkg_changes *pc);
void pkg_changes_release(struct pkg_changes *pc);
const char *pkg_change_name(enum pkg_change_kind k);	/* "added" ... */

/*
 * One apt source of a container: a sources.list line, or one URI and suite
 * of a deb822 stanza ("deb" types only). What the recipe's pins need to
 * find a version the mirror has dropped.
 */
struct apt_source {
	char *uri;		/* as configured, credentials removed */
	char *suite;		/* "bookworm-security"; a flat repository's path */
	char *components;	/* space-separated; "" for a flat repository */
	char *signed_by;	/* the keyring file it is checked with, or "" */
	/*
	 * The snapshot archive that keeps its old versions: "debian",
	 * "debian-security", "ubuntu"; "" when none is known (a third-party
	 * repository such as CUDA's or ROS's).
	 */
	char *archive;
};

struct apt_sources {
	struct apt_source *v;
	size_t n, cap;	/* cap: room in v (vec_grow) */
};

/* Append a source with these fields (copied; NULL is ""). */
void apt_sources_push(struct apt_sources *as, const char *uri,
    const char *suite, const char *components, const char *signed_by,
    const char *archive);
void apt_sources_release(struct apt_sources *as);

/*
 * One snapshot as the catalog records it: the container's config at save
 * time, its base image, the package changes against that base (cumulative),
 * the engine's change list and the loose files in it.
 */
struct snapshot {
	long id;		/* catalog row id; 0 before it is stored */
	long seq;		/* 1, 2, 3 ... per container name */
	char *engine;		/* endpoint host it came from */
	char *created_at;	/* RFC 3339 UTC */
	char *message;		/* -m note, or "" */
	char *image;		/* keep/NAME:SEQ */
	char *image_id;		/* the committed image's id */
	char *fingerprint;	/* equal fingerprints mean "unchanged" */
	char *state;		/* what the save saw before reading packages
				 * (see migration 0008), or NULL */
	struct container config;	/* config.image_id is the base image id */
	struct image base;	/* the base image's config (id, env, user ...) */
	char *base_digest;	/* name@sha256:... matching config.image_ref, or NULL */
	struct pkg_changes packages;
	struct fs_changes changes;	/* the engine's whole change list */
	struct fs_changes loose;	/* the part no package explains, minus noise */
	/*
	 * The apt sources at save time; read only when dpkg packages were
	 * installed (and empty in snapshots saved before keep recorded them).
	 */
	struct apt_sources apt_sources;
	char *recipe_commit;	/* recipe repository commit id, or NULL */
	char *verify_status;	/* NULL, "identical", "different", "failed" */
	char *verify_at;
	char *verify_detail;
	char *pruned_at;	/* keep prune removed its image then; or NULL */
	/*
	 * When the save began to read the container's layers, in ns since
	 * the epoch (migration 0012), or 0: it read none.
	 */
	long long walk_started;
	int incremental;	/* its image is one layer on the previous one */
	char *image_history;	/* an incremental image's config history
				 * (JSON), which keep wrote; or NULL */
	char *registry_ref;	/* REPOSITORY@sha256:... keep push --images
				 * put its image at (migration 0013); or NULL */
	/*
	 * When it was imported from a recipe repository saved on another
	 * machine (keep pull, keep clone), or NULL: saved here. An imported
	 * snapshot has no image on this engine and no container id.
	 */
	char *imported_at;
	/*
	 * An imported snapshot's secret env variables, which the recipe
	 * names without their values (none in a snapshot saved here).
	 */
	struct strv secrets_left_out;
};

void snapshot_release(struct snapshot *s);

#endif
