#include "model/installer_config.h"

#include <fnmatch.h>
#include <stddef.h>

/*
 * pattern (fnmatch, '*' within one path component) names a file, or with
 * tree a directory and everything below it.
 */
static const struct rule {
	const char *pattern;
	int tree;
	struct installer_config what;
} rules[] = {
	/* apt: sources may hold credentials in their URLs, keys never do. */
	{ "/etc/apt/sources.list", 0, { INSTALLER_APT, 0, 1 } },
	{ "/etc/apt/sources.list.d", 1, { INSTALLER_APT, 0, 1 } },
	{ "/etc/apt/keyrings", 1, { INSTALLER_APT, 0, 0 } },
	{ "/usr/share/keyrings", 1, { INSTALLER_APT, 0, 0 } },
	{ "/etc/apt/trusted.gpg", 0, { INSTALLER_APT, 0, 0 } },
	{ "/etc/apt/trusted.gpg.d", 1, { INSTALLER_APT, 0, 0 } },
	{ "/etc/apt/apt.conf", 0, { INSTALLER_APT, 0, 1 } },
	{ "/etc/apt/apt.conf.d", 1, { INSTALLER_APT, 0, 1 } },
	{ "/etc/apt/preferences", 0, { INSTALLER_APT, 0, 0 } },
	{ "/etc/apt/preferences.d", 1, { INSTALLER_APT, 0, 0 } },
	{ "/etc/apt/auth.conf", 0, { INSTALLER_APT, 0, 1 } },
	{ "/etc/apt/auth.conf.d", 1, { INSTALLER_APT, 0, 1 } },
	{ "/etc/apk/repositories", 0, { INSTALLER_APK, 0, 1 } },
	{ "/etc/apk/keys", 1, { INSTALLER_APK, 0, 0 } },
	/* Every installer that speaks TLS trusts the system's CA list. */
	{ "/usr/local/share/ca-certificates", 1, { INSTALLER_ANY, 1, 0 } },
	/* npm: the global config of Debian's, NodeSource's and node's own npm. */
	{ "/etc/npmrc", 0, { INSTALLER_NPM, 0, 1 } },
	{ "/usr/etc/npmrc", 0, { INSTALLER_NPM, 0, 1 } },
	{ "/usr/local/etc/npmrc", 0, { INSTALLER_NPM, 0, 1 } },
	{ "/root/.npmrc", 0, { INSTALLER_NPM, 0, 1 } },
	{ "/home/*/.npmrc", 0, { INSTALLER_NPM, 0, 1 } },
	/* pip and uv, and the netrc both read for an index's password. */
	{ "/etc/pip.conf", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/etc/xdg/pip/pip.conf", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/root/.config/pip/pip.conf", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/root/.pip/pip.conf", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/home/*/.config/pip/pip.conf", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/home/*/.pip/pip.conf", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/etc/uv/uv.toml", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/etc/xdg/uv/uv.toml", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/root/.config/uv/uv.toml", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/home/*/.config/uv/uv.toml", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/root/.netrc", 0, { INSTALLER_PIP, 0, 1 } },
	{ "/home/*/.netrc", 0, { INSTALLER_PIP, 0, 1 } },
	/* conda: its search path (conda's own root under /opt). */
	{ "/etc/conda/.condarc", 0, { INSTALLER_CONDA, 0, 1 } },
	{ "/etc/conda/condarc", 0, { INSTALLER_CONDA, 0, 1 } },
	{ "/etc/conda/condarc.d", 1, { INSTALLER_CONDA, 0, 1 } },
	{ "/opt/*/.condarc", 0, { INSTALLER_CONDA, 0, 1 } },
	{ "/root/.condarc", 0, { INSTALLER_CONDA, 0, 1 } },
	{ "/home/*/.condarc", 0, { INSTALLER_CONDA, 0, 1 } },
};

int
installer_config_match(const char *path, struct installer_config *out)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		/* FNM_LEADING_DIR: "/a/b" matches "/a/b/c" too. */
		int flags = FNM_PATHNAME | FNM_PERIOD |
		    (rules[i].tree ? FNM_LEADING_DIR : 0);

		if (fnmatch(rules[i].pattern, path, flags) != 0)
			continue;
		if (out != NULL)
			*out = rules[i].what;
		return 1;
	}
	return 0;
}
