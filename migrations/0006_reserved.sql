-- Reserved: wave 2 numbered its branches' migrations in advance and they
-- are applied without gaps. This number belongs to another branch; the
-- file holds it until that branch lands, then gives way to its migration.
SELECT 1;
