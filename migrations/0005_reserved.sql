-- Reserved: wave 2 gave 0005 to another branch (i15) and 0006 to this one.
-- Migrations are numbered without gaps, so this branch holds the number
-- until the other lands; then this file goes and that one takes its place.
SELECT 1;
