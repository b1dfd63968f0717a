-- Snapshots in a registry (issue 21): registry_ref is where keep push
-- --images put the snapshot's image, as REPOSITORY@sha256:DIGEST, so that
-- another machine can pull exactly that image. NULL: never pushed.
ALTER TABLE snapshots ADD COLUMN registry_ref TEXT;
