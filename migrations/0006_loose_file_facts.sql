-- What keep learns about a snapshot's loose files beyond the change list.
-- secret: installer configuration (npmrc, pip.conf, apt.conf.d ...) that
-- holds credentials, found by save; recipes mount it as a build secret and
-- never carry its text. reproduced: 0 until a rebuild of the snapshot's
-- packages (to-dockerfile --context) is compared with the file, then 1
-- when the rebuild made it identically, so it is no loose file after all
-- (a maintainer script's or trigger's product), 2 when it did not.
ALTER TABLE fs_changes ADD COLUMN secret INTEGER NOT NULL DEFAULT 0;
ALTER TABLE fs_changes ADD COLUMN reproduced INTEGER NOT NULL DEFAULT 0;
