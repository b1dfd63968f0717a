-- keep prune removes the images of old snapshots and keeps their rows:
-- their recipes, packages and config stay (show, log, diff and
-- to-dockerfile read only these), only the image is gone. pruned_at is
-- when it went; NULL while the snapshot has its image.
ALTER TABLE snapshots ADD COLUMN pruned_at TEXT;
