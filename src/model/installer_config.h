/*
 * Package-manager configuration: the files an installer reads before it
 * installs anything. Sources and their keys, CA certificates, registry and
 * index settings, proxies, credentials. A recipe copies them before the
 * installs that read them (render/dockerfile.c); the credentials in them
 * become build secrets, never text in a recipe (model/secrets.h,
 * core/build_context.c).
 */
#ifndef KEEP_MODEL_INSTALLER_CONFIG_H
#define KEEP_MODEL_INSTALLER_CONFIG_H

/* Who reads a configuration file. */
enum installer {
	INSTALLER_APT = 1 << 0,
	INSTALLER_APK = 1 << 1,
	INSTALLER_PIP = 1 << 2,	/* pip and uv */
	INSTALLER_NPM = 1 << 3,
	INSTALLER_CONDA = 1 << 4,
	INSTALLER_ANY = (1 << 5) - 1,
};

struct installer_config {
	unsigned readers;	/* enum installer bits */
	int ca;			/* a CA certificate: update-ca-certificates reads it */
	int secrets;		/* settings that may carry credentials (not keys or certificates) */
};

/*
 * Whether the absolute path is installer configuration, itself or inside
 * a configuration directory ("/etc/apt/apt.conf.d/90proxy"): 1 with *out
 * filled (out may be NULL), else 0. Home directories count for root
 * ("/root/.npmrc") and every user under /home.
 */
int installer_config_match(const char *path, struct installer_config *out);

#endif
