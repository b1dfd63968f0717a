-- keep find searches the whole catalog for what snapshots hold: a package,
-- a changed path, an env name, a mount source, a base image. Without these
-- each search reads every row of its table (at 10,000 snapshots, 1.5
-- million change rows). Package names are indexed as find compares them
-- first: lower case, '_' and '.' as '-' (pip's names compare so); each hit
-- is then checked by its own manager's rule.
CREATE INDEX package_changes_by_key ON package_changes
    (replace(replace(lower(name), '_', '-'), '.', '-'));
CREATE INDEX base_packages_by_key ON base_packages
    (replace(replace(lower(name), '_', '-'), '.', '-'));
-- A base image's packages are in every snapshot made on it.
CREATE INDEX snapshots_by_base ON snapshots (base_image_id);
CREATE INDEX fs_changes_by_path ON fs_changes (path);
CREATE INDEX env_by_name ON env (name);
CREATE INDEX mounts_by_source ON mounts (source);
