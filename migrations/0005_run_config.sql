-- What a container was run with, whole (model/run.h): its Config,
-- HostConfig and network endpoints as the engine describes them, so that a
-- recreate passes every option back, including ones the engine adds in a
-- later version. Stored as the nodes of a JSON tree, one row each, in
-- document order: SQLite needs no JSON parser for it, and no member is
-- known by name here. Snapshots from before have no rows; they are
-- recreated from the columns of snapshots as before.
CREATE TABLE run_config (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	node INTEGER NOT NULL,		-- 0 is the root; parents come first
	parent INTEGER,			-- NULL for the root
	key TEXT,			-- the member's name in an object; NULL in an array
	type TEXT NOT NULL CHECK (type IN
	    ('null', 'bool', 'int', 'real', 'string', 'array', 'object')),
	value TEXT,			-- bool 0/1, int and real as text, string; else NULL
	PRIMARY KEY (snapshot, node)
) STRICT, WITHOUT ROWID;

-- A named volume's driver, to make it again where the engine lost it
-- ("" for binds, tmpfs and rows from before).
ALTER TABLE mounts ADD COLUMN driver TEXT NOT NULL DEFAULT '';
