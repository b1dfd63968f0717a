-- A save puts a token of its own on the image it commits (label
-- io.keep.save) and in its pending row. After a crash, the next save
-- removes the image only when it carries that token: another catalog on
-- the same engine (another KEEP_HOME, or root's through sudo) numbers its
-- snapshots of a container of the same name too, and may have tagged
-- keep/NAME:N since. Rows from before this migration have no token.
ALTER TABLE pending_saves ADD COLUMN token TEXT;
