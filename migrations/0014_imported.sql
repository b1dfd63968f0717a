-- Snapshots imported from a recipe repository (issue 21: keep pull and
-- keep clone on another machine). imported_at is when this catalog read
-- the snapshot from the repository's history, NULL for one saved here.
-- An imported snapshot has no image on this engine (unless it is pulled
-- from a registry) and no container here: its row holds what the recipe
-- repository holds, and an import never replaces a snapshot saved here.
ALTER TABLE snapshots ADD COLUMN imported_at TEXT;
-- The names of the secret env variables the recipe names without their
-- values (container.json never holds one), space-separated: a recreate
-- here goes without them and says so. NULL: none, or saved here.
ALTER TABLE snapshots ADD COLUMN secrets_left_out TEXT;
