-- keep's catalog, first schema. Applied migrations are never edited: change
-- the schema with a new migrations/NNNN_name.sql.

-- A tracked container, per engine: the same name on two engines is two rows.
CREATE TABLE containers (
	id INTEGER PRIMARY KEY,
	engine TEXT NOT NULL,		-- endpoint it lives on, e.g. unix:///var/run/docker.sock
	name TEXT NOT NULL,		-- without the leading '/'
	container_id TEXT NOT NULL,	-- engine id last seen
	compose_project TEXT,
	compose_service TEXT,
	compose_number INTEGER,
	created_at TEXT NOT NULL,
	UNIQUE (engine, name)
) STRICT;

-- An immutable base image whose package sets were read once.
CREATE TABLE base_images (
	id INTEGER PRIMARY KEY,
	image_id TEXT NOT NULL UNIQUE,	-- sha256:...
	read_at TEXT,			-- when its package sets were read; NULL: not yet
	user TEXT NOT NULL,
	workdir TEXT NOT NULL
) STRICT;

-- The base image's Env ("K=V"), Cmd and Entrypoint, for the recipe's
-- comparison of the container's config against the base's.
CREATE TABLE base_image_args (
	base INTEGER NOT NULL REFERENCES base_images(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('env', 'cmd', 'entrypoint')),
	idx INTEGER NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (base, kind, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE base_packages (
	base INTEGER NOT NULL REFERENCES base_images(id) ON DELETE CASCADE,
	manager TEXT NOT NULL,
	name TEXT NOT NULL,
	version TEXT NOT NULL,
	arch TEXT NOT NULL,
	automatic INTEGER NOT NULL,
	location TEXT NOT NULL,
	installer TEXT NOT NULL,
	origin TEXT NOT NULL,
	PRIMARY KEY (base, manager, name, arch, location)
) STRICT, WITHOUT ROWID;

-- One save. Rows are written in one transaction after the image commit.
CREATE TABLE snapshots (
	id INTEGER PRIMARY KEY,
	container INTEGER NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
	seq INTEGER NOT NULL,
	created_at TEXT NOT NULL,
	message TEXT NOT NULL,
	image TEXT NOT NULL,		-- keep/NAME:SEQ
	image_id TEXT NOT NULL,
	container_id TEXT NOT NULL,
	fingerprint TEXT NOT NULL,	-- what "unchanged since #N" compares
	image_ref TEXT NOT NULL,	-- Config.Image, as the user gave it
	base_image_id TEXT NOT NULL,
	base_digest TEXT,		-- name@sha256:..., NULL for a local image
	user TEXT NOT NULL,
	workdir TEXT NOT NULL,
	hostname TEXT NOT NULL,
	has_entrypoint INTEGER NOT NULL,
	network_mode TEXT NOT NULL,
	restart_policy TEXT NOT NULL,
	restart_max INTEGER NOT NULL,
	tty INTEGER NOT NULL,
	open_stdin INTEGER NOT NULL,
	verify_status TEXT,		-- NULL, 'identical', 'different', 'failed'
	verify_at TEXT,
	verify_detail TEXT,
	UNIQUE (container, seq)
) STRICT;

-- Cmd, Entrypoint and ExposedPorts, in order.
CREATE TABLE snapshot_args (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('cmd', 'entrypoint', 'expose')),
	idx INTEGER NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (snapshot, kind, idx)
) STRICT, WITHOUT ROWID;

-- The container's env. Values stay here (0600) for resume; output shows
-- secret ones by name only.
CREATE TABLE env (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	name TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (snapshot, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE labels (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	key TEXT NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (snapshot, key)
) STRICT, WITHOUT ROWID;

CREATE TABLE ports (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	container_port TEXT NOT NULL,
	host_ip TEXT NOT NULL,
	host_port TEXT NOT NULL,
	PRIMARY KEY (snapshot, idx)
) STRICT, WITHOUT ROWID;

CREATE TABLE mounts (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	type TEXT NOT NULL,		-- bind, volume, tmpfs
	source TEXT NOT NULL,		-- host path or volume name
	destination TEXT NOT NULL,
	mode TEXT NOT NULL,
	rw INTEGER NOT NULL,
	PRIMARY KEY (snapshot, idx)
) STRICT, WITHOUT ROWID;

-- Package changes, cumulative against the base image. The full package set
-- of a snapshot is its base's packages with these applied.
CREATE TABLE package_changes (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	manager TEXT NOT NULL,
	name TEXT NOT NULL,
	arch TEXT NOT NULL,
	location TEXT NOT NULL,
	change TEXT NOT NULL CHECK (change IN ('added', 'removed', 'upgraded')),
	version TEXT NOT NULL,
	old_version TEXT NOT NULL,
	automatic INTEGER NOT NULL,
	installer TEXT NOT NULL,
	origin TEXT NOT NULL,
	PRIMARY KEY (snapshot, manager, name, arch, location)
) STRICT, WITHOUT ROWID;

-- The engine's change list, and the part of it no package explains.
CREATE TABLE fs_changes (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	path TEXT NOT NULL,
	kind INTEGER NOT NULL CHECK (kind IN (0, 1, 2)),
	loose INTEGER NOT NULL,		-- 1: a loose file, 0: explained or noise
	PRIMARY KEY (snapshot, path)
) STRICT, WITHOUT ROWID;

-- The recipe repository commit made for a snapshot.
CREATE TABLE recipe_commits (
	snapshot INTEGER PRIMARY KEY REFERENCES snapshots(id) ON DELETE CASCADE,
	repo TEXT NOT NULL,
	commit_id TEXT NOT NULL,
	committed_at TEXT NOT NULL
) STRICT;

-- A save in flight: written before the image commit, removed with the
-- snapshot's transaction. What is left after a crash names an image that may
-- exist without a snapshot; the next save adopts or removes it.
CREATE TABLE pending_saves (
	id INTEGER PRIMARY KEY,
	engine TEXT NOT NULL,
	name TEXT NOT NULL,
	seq INTEGER NOT NULL,
	image TEXT NOT NULL,
	started_at TEXT NOT NULL,
	UNIQUE (engine, name, seq)
) STRICT;
