-- Incremental snapshots (issue 19): a save that can read the container's
-- layers writes snapshot N+1 as snapshot N plus one layer of what changed
-- since save N. walk_started is when save N began to read the container's
-- layers, in nanoseconds since the epoch: whatever changed in the
-- container after it has a ctime from then on (no user can set a ctime).
-- NULL: a save that read no layer, whose next save is a full commit.
-- incremental is 1 when the snapshot's image is such a layer on the
-- previous one, 0 when it is a commit of the whole container layer.
ALTER TABLE snapshots ADD COLUMN walk_started INTEGER;
ALTER TABLE snapshots ADD COLUMN incremental INTEGER NOT NULL DEFAULT 0;
-- image_history: an incremental image's config history (JSON), which keep
-- wrote, so that the next layer on it need not ask the engine for it.
ALTER TABLE snapshots ADD COLUMN image_history TEXT;
