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

static void
test_ref_matches(void)
{
	ok(image_ref_matches("debian", "debian:bookworm"), "a repository, any tag");
	ok(image_ref_matches("debian", "docker.io/library/debian@sha256:aa"),
	    "any digest, docker.io/library/ the default");
	ok(image_ref_matches("debian:latest", "debian"), "no tag is latest");
	ok(image_ref_matches("debian:bookworm", "debian:bookworm@sha256:aa"),
	    "a tag beside a digest");
	ok(!image_ref_matches("debian:bookworm", "debian:bullseye"),
	    "another tag");
	ok(!image_ref_matches("debian:bookworm", "debian@sha256:aa"),
	    "a digest has no tag to match");
	ok(image_ref_matches("debian@sha256:aa", "debian@sha256:aa") &&
	    !image_ref_matches("debian@sha256:aa", "debian@sha256:bb"),
	    "a digest, exactly");
	ok(!image_ref_matches("debian", "nvcr.io/debian"), "another registry");
	ok(image_ref_matches("localhost:5000/img", "localhost:5000/img:2"),
	    "a registry's port is no tag");
	ok(image_ref_matches("index.docker.io/library/debian", "debian:bookworm"),
	    "index.docker.io/library/ is the default too");
}

/* The packages of a snapshot from its base's and its changes. */
static void
test_set_apply(void)
{
	struct pkg_set set = { 0 };
	struct pkg_changes pc = { 0 };
	struct pkg p = { 0 };

	pkg_set_add(&set, "dpkg", "libssl3", "3.0.11-1", "amd64");
	pkg_set_add(&set, "dpkg", "tzdata", "2024a-0", "all");
	pkg_set_add(&set, "dpkg", "libc6", "2.36-9", "amd64");
	pkg_set_add(&set, "dpkg", "libc6", "2.36-9", "i386");
	p.manager = "dpkg";
	p.arch = "amd64";
	p.location = "";
	p.name = "libssl3";
	p.version = "3.0.15-1";
	pkg_changes_push(&pc, PKG_UPGRADED, &p, "3.0.11-1");
	p.name = "jq";
	p.version = "1.6-2.1";
	pkg_changes_push(&pc, PKG_ADDED, &p, NULL);
	p.name = "tzdata";
	p.arch = "all";
	p.version = "2024a-0";
	pkg_changes_push(&pc, PKG_REMOVED, &p, NULL);
	pkg_set_apply(&set, &pc);
	is_int(set.n, 4, "libc6 twice, libssl3, jq");
	for (size_t i = 0; i < set.n; i++) {
		if (strcmp(set.v[i].name, "libssl3") == 0)
			is_str(set.v[i].version, "3.0.15-1", "the upgrade's version");
		ok(strcmp(set.v[i].name, "tzdata") != 0, "%s is not the removed one",
		    set.v[i].name);
	}
	ok(pkg_changes_find(&pc, &set.v[0]) == NULL, "an untouched package has no change");
	p.name = "libc6";
	p.arch = "i386";
	ok(pkg_changes_find(&pc, &p) == NULL, "nor libc6 of another arch");
	p.name = "jq";
	p.arch = "amd64";
	ok(pkg_changes_find(&pc, &p) == &pc.v[1], "jq's is found");
	pkg_set_release(&set);
	pkg_changes_release(&pc);
}

int
main(void)
{
	test_repo_digest();
	test_installer_config();
	test_ref_matches();
	test_set_apply();
	return done_testing();
}
