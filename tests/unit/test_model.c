/* The snapshot model: what it decides beyond holding the records. */
#include <string.h>

#include "model/installer_config.h"
#include "model/model.h"
#include "tap.h"

#define BASE_DIGEST "debian@sha256:b877a1a3fdf02469440f1768cf69c9771338a875b7add5e80c45b756c92ac20a"

static void
test_repo_digest(void)
{
	struct image img;

	memset(&img, 0, sizeof(img));
	strv_push(&img.repo_digests, "nvcr.io/nvidia/isaac-sim@sha256:" "aa");
	strv_push(&img.repo_digests, BASE_DIGEST);
	is_str(image_repo_digest(&img, "debian:bookworm"), BASE_DIGEST, "tag ref matches");
	is_str(image_repo_digest(&img, "docker.io/library/debian"), BASE_DIGEST,
	    "docker.io/library prefix");
	ok(image_repo_digest(&img, "ubuntu:22.04") == NULL, "other repository");
	ok(image_repo_digest(&img, "debian@sha256:0000") == NULL, "other digest");
	ok(image_repo_digest(&img, "nvcr.io/nvidia/isaac-sim:5.1.0") != NULL,
	    "registry with path");
	image_release(&img);
}

static void
test_installer_config(void)
{
	struct installer_config c;

	ok(installer_config_match("/etc/npmrc", &c) && c.readers == INSTALLER_NPM &&
	    c.secrets && !c.ca, "/etc/npmrc: npm's, may hold credentials");
	ok(installer_config_match("/usr/local/share/ca-certificates/corp.crt", &c) &&
	    c.ca && c.readers == INSTALLER_ANY && !c.secrets,
	    "a CA certificate: every installer's");
	ok(installer_config_match("/usr/local/share/ca-certificates", &c) && c.ca,
	    "the CA directory itself");
	ok(installer_config_match("/etc/apt/apt.conf.d/90proxy", &c) &&
	    c.readers == INSTALLER_APT && c.secrets, "apt.conf.d");
	ok(installer_config_match("/etc/apt/keyrings/corp.gpg", &c) && !c.secrets,
	    "a keyring holds no credentials");
	ok(installer_config_match("/etc/apt/preferences.d/pin", &c), "apt pins");
	ok(installer_config_match("/home/dev/.config/pip/pip.conf", &c) &&
	    c.readers == INSTALLER_PIP, "a user's pip.conf");
	ok(installer_config_match("/root/.config/uv/uv.toml", NULL), "uv.toml");
	ok(installer_config_match("/root/.netrc", NULL), "netrc");
	ok(installer_config_match("/opt/conda/.condarc", &c) &&
	    c.readers == INSTALLER_CONDA, "conda's root .condarc");
	ok(!installer_config_match("/etc/apt/sources.listx", NULL), "a longer name");
	ok(!installer_config_match("/etc/npmrc.bak", NULL), "a backup");
	ok(!installer_config_match("/home/a/b/.npmrc", NULL), "not a home directory");
	ok(!installer_config_match("/home/.x/.npmrc", NULL), "'*' matches no leading dot");
	ok(!installer_config_match("/usr/local/share/ca", NULL), "a prefix of a tree");
	ok(!installer_config_match("/etc/tool.conf", NULL), "other files");
}

int
main(void)
{
	test_repo_digest();
	test_installer_config();
	return done_testing();
}
