-- What a save saw of the container before it read any package database:
-- a hash of the container's config and of its change list, with the size,
-- mode and mtime of what changed (read from the container's layer), or,
-- where the engine made the list, with those of the package databases the
-- list touches and of the snapshot's loose files. A save that sees the
-- state of the latest snapshot records nothing ("unchanged since #N")
-- without reading packages: on a container with hundreds of packages
-- installed by hand that read was most of the save. NULL: not known
-- (snapshots saved before this column).
ALTER TABLE snapshots ADD COLUMN state TEXT;
