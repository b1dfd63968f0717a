/* apt's sources: both formats, and which snapshot archive keeps each one. */
#include <stdlib.h>
#include <string.h>

#include "pkg/pkg.h"
#include "tap.h"
#include "test_pkg_helpers.h"

static const char one_line[] =
    "# the main archive\n"
    "deb http://deb.debian.org/debian bookworm main contrib # trailing\n"
    "deb-src http://deb.debian.org/debian bookworm main\n"
    "deb [arch=amd64 signed-by=/usr/share/keyrings/ros.gpg] http://packages.ros.org/ros2/ubuntu jammy main\n"
    "deb [ trusted=yes ] https://user:hunter2@apt.example.com/repo ./\n"
    "deb http://deb.debian.org/debian bookworm main contrib\n"
    "deb http://deb.debian.org/debian\n"
    "deb http://deb.debian.org/debian bookworm-updates\n"
    "deb [signed-by=/k.gpg http://broken bookworm main\n"
    "\n";

static const char deb822[] =
    "Types: deb deb-src\n"
    "URIs: http://deb.debian.org/debian\n"
    "Suites: bookworm bookworm-updates\n"
    "Components: main\n"
    "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n"
    "\n"
    "# security\n"
    "Types: deb\n"
    "URIs: http://deb.debian.org/debian-security\n"
    "Suites: bookworm-security\n"
    "Components: main\n"
    "Signed-By:\n"
    " -----BEGIN PGP PUBLIC KEY BLOCK-----\n"
    " .\n"
    " mQINBGPL0BUBEADmW5NdOOHwPIJlgPu6JDcKw/NZJPR8lsD3K87ZM18gzyQZJD+w\n"
    " -----END PGP PUBLIC KEY BLOCK-----\n"
    "\n"
    "Types: deb\n"
    "URIs: https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/\n"
    "Suites: /\n"
    "\n"
    "Types: deb\n"
    "URIs: http://archive.ubuntu.com/ubuntu\n"
    "Suites: noble\n"
    "Components: main\n"
    "Enabled: no\n";

static int
has(const struct apt_sources *as, const char *uri, const char *suite,
    const char *components, const char *signed_by)
{
	for (size_t i = 0; i < as->n; i++)
		if (strcmp(as->v[i].uri, uri) == 0 &&
		    strcmp(as->v[i].suite, suite) == 0 &&
		    strcmp(as->v[i].components, components) == 0 &&
		    strcmp(as->v[i].signed_by, signed_by) == 0)
			return 1;
	return 0;
}

static void
test_one_line(void)
{
	struct apt_sources as = { 0 };

	apt_sources_parse(one_line, strlen(one_line), 0, &as);
	is_int(as.n, 3, "three deb entries: deb-src, repeats and broken lines are not");
	ok(has(&as, "http://deb.debian.org/debian", "bookworm", "main contrib", ""),
	    "a plain line, its comment cut off");
	ok(has(&as, "http://packages.ros.org/ros2/ubuntu", "jammy", "main",
	    "/usr/share/keyrings/ros.gpg"), "signed-by from the options");
	ok(has(&as, "https://***@apt.example.com/repo", "./", "", ""),
	    "a flat repository, its credentials gone");
	apt_sources_release(&as);
}

static void
test_bound(void)
{
	struct apt_sources as = { 0 };
	struct buf b = BUF_INIT;

	for (int i = 0; i < 20000; i++)
		buf_printf(&b, "deb http://mirror%d.example/debian bookworm main\n", i);
	apt_sources_parse(b.ptr, b.len, 0, &as);
	is_int(as.n, 256, "a hostile file of 20000 lines keeps 256 entries");
	apt_sources_release(&as);
	buf_release(&b);
}

static void
test_deb822(void)
{
	struct apt_sources as = { 0 };

	apt_sources_parse(deb822, strlen(deb822), 1, &as);
	is_int(as.n, 4, "one entry per URI and suite, disabled stanzas left out");
	ok(has(&as, "http://deb.debian.org/debian", "bookworm", "main",
	    "/usr/share/keyrings/debian-archive-keyring.gpg"), "first suite");
	ok(has(&as, "http://deb.debian.org/debian", "bookworm-updates", "main",
	    "/usr/share/keyrings/debian-archive-keyring.gpg"), "second suite");
	ok(has(&as, "http://deb.debian.org/debian-security", "bookworm-security",
	    "main", ""), "an inline key is no keyring file");
	ok(has(&as, "https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2204/x86_64/",
	    "/", "", ""), "a flat deb822 repository");
	apt_sources_release(&as);
}

static void
test_archive(void)
{
	is_str(apt_archive_of("http://deb.debian.org/debian/", NULL, NULL), "debian",
	    "deb.debian.org/debian");
	is_str(apt_archive_of("https://deb.debian.org/debian-security", NULL, NULL),
	    "debian-security", "deb.debian.org/debian-security");
	is_str(apt_archive_of("http://security.debian.org", NULL, NULL),
	    "debian-security", "security.debian.org of old");
	is_str(apt_archive_of("http://ftp.de.debian.org/debian", NULL, NULL),
	    "debian", "a country mirror");
	is_str(apt_archive_of("http://de.archive.ubuntu.com/ubuntu", NULL, NULL),
	    "ubuntu", "an Ubuntu country mirror");
	is_str(apt_archive_of("http://security.ubuntu.com/ubuntu/", NULL, NULL),
	    "ubuntu", "Ubuntu's security pocket is in its one archive");
	is_str(apt_archive_of("http://ports.ubuntu.com/ubuntu-ports", NULL, NULL),
	    "", "no archive known for ports");
	is_str(apt_archive_of("http://packages.ros.org/ros2/ubuntu", NULL, NULL),
	    "", "ROS has none, /ubuntu in its path or not");
	is_str(apt_archive_of("https://download.docker.com/linux/debian", "Docker", "Docker CE"),
	    "", "a vendor's Release says it is no Debian mirror");
	is_str(apt_archive_of("http://evil.debian.org.example.com/debian", NULL, NULL),
	    "", "a look-alike host is not Debian's");
	is_str(apt_archive_of("https://mirrors.aliyun.com/debian", "Debian", "Debian"),
	    "debian", "a mirror by the Origin of its Release file");
	is_str(apt_archive_of("https://mirrors.aliyun.com/debian-security", "Debian",
	    "Debian-Security"), "debian-security", "a security mirror by its Label");
	is_str(apt_archive_of("http://mirror.example/ubuntu", "Ubuntu", "Ubuntu"),
	    "ubuntu", "an Ubuntu mirror");
}

static void
test_release_and_lists(void)
{
	static const char rel[] =
	    "-----BEGIN PGP SIGNED MESSAGE-----\n"
	    "Hash: SHA512\n"
	    "\n"
	    "Origin: Debian\n"
	    "Label: Debian-Security\n"
	    "Suite: stable-security\n"
	    "MD5Sum:\n"
	    " 0123 12 Origin: fake\n";
	char *origin, *label, *name;

	apt_release_parse(rel, strlen(rel), &origin, &label);
	is_str(origin, "Debian", "Origin of an InRelease file");
	is_str(label, "Debian-Security", "Label");
	free(origin);
	free(label);
	apt_release_parse("", 0, &origin, &label);
	ok(origin == NULL && label == NULL, "nothing in an empty file");

	name = apt_lists_name("http://deb.debian.org/debian/", "bookworm", "InRelease");
	is_str(name, "deb.debian.org_debian_dists_bookworm_InRelease", "apt's name of a Release file");
	free(name);
	name = apt_lists_name("http://u:p@127.0.0.1:8080/my_repo", "stable", "Release");
	is_str(name, "127.0.0.1:8080_my%5frepo_dists_stable_Release",
	    "credentials dropped, port kept, '_' quoted");
	free(name);
}

static void
test_scan(void)
{
	struct pkg_fs fs;
	struct apt_sources as = { 0 };
	struct keep_error *err = NULL;

	fixture_fs(&fs, "apt-sources");
	ok(apt_sources_scan(&fs, &as, &err) == 0, "scan");
	is_int(as.n, 4, "sources.list, then the .list and .sources files in order");
	if (as.n == 4) {
		is_str(as.v[0].archive, "debian", "deb.debian.org by host");
		is_str(as.v[1].uri, "http://127.0.0.1:8080/mirror", "the mirror of a.list");
		is_str(as.v[1].archive, "debian", "a mirror by the Release file apt keeps");
		is_str(as.v[2].uri, "http://127.0.0.1:8080/vendor", "the vendor of b.sources");
		is_str(as.v[2].archive, "", "a vendor has no snapshot archive");
		is_str(as.v[3].archive, "", "no Release file kept: none known");
	}
	apt_sources_release(&as);
	pkg_fs_release(&fs);
}

int
main(void)
{
	test_one_line();
	test_bound();
	test_deb822();
	test_archive();
	test_release_and_lists();
	test_scan();
	return done_testing();
}
