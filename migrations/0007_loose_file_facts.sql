-- What keep learns about a snapshot's loose files beyond the change list.
-- secret: installer configuration (npmrc, pip.conf, apt.conf.d ...) that
-- holds credentials, found by save; recipes mount it as a build secret and
-- never carry its text. reproduced: a rebuild of the snapshot's packages
-- (to-dockerfile --context, verify) made the file identically, so it is
-- no loose file after all: maintainer scripts' and triggers' products.
ALTER TABLE fs_changes ADD COLUMN secret INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fs_changes ADD COLUMN reproduced INTEGER NOT NULL DEFAULT 0;
