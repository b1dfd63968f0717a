-- The apt sources of a container, recorded with each snapshot whose dpkg
-- packages were installed or upgraded. A recipe pins every package; the day
-- a point release drops a pinned version from the mirror, the pin still
-- builds from the distribution's snapshot archive, dated by the save that
-- first recorded the version. Only Debian's and Ubuntu's archives (and
-- their mirrors) have one: archive names it, '' where none is known (CUDA,
-- ROS and other third-party repositories), which recipes and verify say.
CREATE TABLE apt_sources (
	snapshot INTEGER NOT NULL REFERENCES snapshots(id) ON DELETE CASCADE,
	idx INTEGER NOT NULL,
	uri TEXT NOT NULL,		-- credentials removed
	suite TEXT NOT NULL,
	components TEXT NOT NULL,	-- space-separated, '' for a flat repository
	signed_by TEXT NOT NULL,	-- keyring file, or ''
	archive TEXT NOT NULL,		-- 'debian', 'debian-security', 'ubuntu' or ''
	PRIMARY KEY (snapshot, idx)
) STRICT, WITHOUT ROWID;
