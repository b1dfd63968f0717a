/*
 * The SBOM renderer (render/sbom.h): package URLs by the purl spec's
 * rules, and golden files of whole documents,
 * $KEEP_FIXTURES/sbom/<case>.cdx.json and <case>.spdx.json.
 * KEEP_UPDATE_GOLDEN=1 rewrites them; review with git diff. The ctest
 * lint/sbom-schemas validates the golden files against the CycloneDX 1.5
 * and SPDX 2.3 schemas in tests/schemas/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "pkg/pkg.h"
#include "render/sbom.h"
#include "tap.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/xalloc.h"

static void
purl(const char *manager, const char *name, const char *version,
    const char *arch, const char *os_id, const char *os_version,
    const char *want)
{
	struct pkg p = { 0 };
	char *got;

	pkg_init_fields(&p);
	free(p.manager);
	free(p.name);
	free(p.version);
	free(p.arch);
	p.manager = xstrdup(manager);
	p.name = xstrdup(name);
	p.version = xstrdup(version);
	p.arch = xstrdup(arch);
	got = sbom_purl(&p, os_id, os_version);
	if (want == NULL)
		ok(got == NULL, "%s has no purl type", manager);
	else
		is_str(got, want, "purl of %s %s %s", manager, name, version);
	free(got);
	pkg_release(&p);
}

static void
test_purls(void)
{
	/* The issue's own example, and the spec's deb examples. */
	purl("dpkg", "jq", "1.6-2.1+deb12u2", "amd64", NULL, NULL,
	    "pkg:deb/debian/jq@1.6-2.1%2Bdeb12u2?arch=amd64");
	purl("dpkg", "attr", "1:2.4.47-2+b1", "amd64", "debian", NULL,
	    "pkg:deb/debian/attr@1:2.4.47-2%2Bb1?arch=amd64");
	purl("dpkg", "jq", "1.6-2.1+deb12u2", "amd64", "debian", "12",
	    "pkg:deb/debian/jq@1.6-2.1%2Bdeb12u2?arch=amd64&distro=debian-12");
	purl("dpkg", "g++", "4:12.2.0-3", "amd64", "ubuntu", "22.04",
	    "pkg:deb/ubuntu/g%2B%2B@4:12.2.0-3?arch=amd64&distro=ubuntu-22.04");
	purl("dpkg", "libc6", "2.36-9~rc1", "", "debian", NULL,
	    "pkg:deb/debian/libc6@2.36-9~rc1");
	purl("apk", "curl", "8.5.0-r0", "x86_64", "alpine", "3.19.1",
	    "pkg:apk/alpine/curl@8.5.0-r0?arch=x86_64&distro=alpine-3.19.1");
	purl("apk", "musl", "1.2.4-r2", "x86_64", NULL, NULL,
	    "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64");
	/* pypi: lower case, '_' as '-', no namespace, no distro. */
	purl("pip", "Typing_Extensions", "4.12.2", "", "debian", "12",
	    "pkg:pypi/typing-extensions@4.12.2");
	purl("pip", "zope.interface", "6.0+local.1", "", NULL, NULL,
	    "pkg:pypi/zope.interface@6.0%2Blocal.1");
	/* npm: the scope is the namespace, its '@' encoded; case kept. */
	purl("npm", "@types/semver", "7.5.8", "", NULL, NULL,
	    "pkg:npm/%40types/semver@7.5.8");
	purl("npm", "JSONStream", "1.3.5", "", NULL, NULL,
	    "pkg:npm/JSONStream@1.3.5");
	purl("npm", "typescript", "5.0.0-beta+build.1", "", "debian", "12",
	    "pkg:npm/typescript@5.0.0-beta%2Bbuild.1");
	/* Whatever the bytes, nothing but the allowed set stays plain. */
	purl("dpkg", "x", "1 2/3?#@&=\xc3\xa9", "amd 64", NULL, NULL,
	    "pkg:deb/debian/x@1%202%2F3%3F%23%40%26%3D%C3%A9?arch=amd%2064");
	purl("rpm", "bash", "5.1", "x86_64", NULL, NULL, NULL);
}

struct fixture {
	struct snapshot s;
	struct pkg_set set;
};

static void
add(struct fixture *f, enum pkg_change_kind change, const char *manager,
    const char *name, const char *version, const char *old,
    const char *arch, int automatic, const char *location,
    const char *installer)
{
	struct pkg p = { 0 };

	p.manager = (char *)manager;
	p.name = (char *)name;
	p.version = (char *)version;
	p.arch = (char *)arch;
	p.automatic = automatic;
	p.location = (char *)location;
	p.installer = (char *)installer;
	p.origin = "";
	if (change != PKG_REMOVED)
		pkg_set_push(&f->set, &p);
	if (old != NULL)
		pkg_changes_push(&f->s.packages, change, &p, old);
}

/* A snapshot of name, with no packages yet. */
static void
fixture_init(struct fixture *f, const char *name, const char *ref,
    const char *digest)
{
	memset(f, 0, sizeof(*f));
	f->s.seq = 3;
	f->s.engine = xstrdup("unix:///var/run/docker.sock");
	f->s.created_at = xstrdup("2026-12-01T10:00:00Z");
	f->s.message = xstrdup("");
	f->s.image = xasprintf("keep/%s:3", name);
	f->s.image_id = xstrdup("sha256:5555555555555555555555555555555555555555555555555555555555555555");
	f->s.config.name = xstrdup(name);
	f->s.config.image_ref = xstrdup(ref);
	f->s.config.image_id = xstrdup("sha256:4b3d7aefbea1784463b727fdea2e633bcf77fce0e02fb5a13985d23c08cc94cc");
	f->s.base_digest = digest ? xstrdup(digest) : NULL;
	/* Secrets must not leak into the document: no env goes in. */
	kvv_push(&f->s.config.env, "HF_TOKEN", "hf_do_not_print_me");
}

static void
fixture_release(struct fixture *f)
{
	snapshot_release(&f->s);
	pkg_set_release(&f->set);
}

static char *
golden_path(const char *name, const char *ext)
{
	const char *dir = getenv("KEEP_FIXTURES");

	return xasprintf("%s/sbom/%s.%s", dir ? dir : "tests/fixtures", name,
	    ext);
}

static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return b.ptr ? buf_detach(&b, NULL) : xstrdup("");
}

static void
check_golden(const char *name, const char *ext, const char *got)
{
	cleanup_free char *path = golden_path(name, ext);
	cleanup_free char *want = NULL;
	struct keep_error *err = NULL;

	if (getenv("KEEP_UPDATE_GOLDEN") &&
	    strcmp(getenv("KEEP_UPDATE_GOLDEN"), "1") == 0) {
		ok(fs_write_file_atomic(path, got, strlen(got), 0644, &err) == 0,
		    "%s.%s rewritten", name, ext);
		keep_error_free(err);
		return;
	}
	want = slurp(path);
	if (!ok(want && strcmp(got, want) == 0, "%s.%s matches %s", name, ext,
	    path)) {
		cleanup_free char *tmp = xasprintf("%s.got", path);

		if (fs_write_file_atomic(tmp, got, strlen(got), 0644, &err) == 0)
			printf("#   diff -u %s %s (KEEP_UPDATE_GOLDEN=1 rewrites "
			    "it)\n", path, tmp);
		keep_error_free(err);
	}
}

static void
render_case(const char *name, struct fixture *f, const char *os_id,
    const char *os_version)
{
	struct sbom_input in = { &f->s, &f->set, os_id, os_version, "0.1.0",
		"2026-12-05T12:00:00Z", "0f8fad5b-d9cb-469f-a165-70867728950e" };
	struct buf cdx = BUF_INIT, spdx = BUF_INIT, again = BUF_INIT;

	pkg_set_sort(&f->set);
	sbom_cyclonedx(&in, &cdx);
	sbom_spdx(&in, &spdx);
	check_golden(name, "cdx.json", buf_cstr(&cdx));
	check_golden(name, "spdx.json", buf_cstr(&spdx));
	sbom_cyclonedx(&in, &again);
	is_str(buf_cstr(&again), buf_cstr(&cdx), "%s: the same input renders "
	    "the same bytes", name);
	ok(strstr(buf_cstr(&cdx), "hf_do_not_print_me") == NULL &&
	    strstr(buf_cstr(&spdx), "hf_do_not_print_me") == NULL &&
	    strstr(buf_cstr(&cdx), "HF_TOKEN") == NULL,
	    "%s: no env in either document", name);
	buf_release(&cdx);
	buf_release(&spdx);
	buf_release(&again);
}

/*
 * A Debian container: base packages, some upgraded, some installed by
 * hand or as dependencies, pip in two places, npm with a scope.
 */
static void
test_debian(void)
{
	struct fixture f;
	const char *venv = "/opt/venv/lib/python3.11/site-packages";
	const char *user = "/root/.local/lib/python3.11/site-packages";

	fixture_init(&f, "dev1", "debian:bookworm",
	    "debian@sha256:b877a1a3fdf02469440f1768cf69c9771338a875b7add5e80c45b756c92ac20a");
	add(&f, PKG_ADDED, "dpkg", "libc6", "2.36-9+deb12u4", NULL, "amd64",
	    0, "", "");
	add(&f, PKG_ADDED, "dpkg", "g++", "4:12.2.0-3", NULL, "amd64", 1, "",
	    "");
	add(&f, PKG_UPGRADED, "dpkg", "libssl3", "3.0.15-1~deb12u1",
	    "3.0.11-1~deb12u2", "amd64", 1, "", "");
	add(&f, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u1", "", "amd64", 0,
	    "", "");
	add(&f, PKG_ADDED, "dpkg", "libjq1", "1.6-2.1+deb12u1", "", "amd64",
	    1, "", "");
	add(&f, PKG_REMOVED, "dpkg", "tzdata", "2024a-0+deb12u1", "", "all",
	    0, "", "");
	add(&f, PKG_ADDED, "pip", "PyYAML", "6.0", NULL, "", 0,
	    "/usr/lib/python3/dist-packages", "debian");
	add(&f, PKG_ADDED, "pip", "typing_extensions", "4.12.2", "", "", 1,
	    venv, "uv");
	add(&f, PKG_ADDED, "pip", "requests", "2.32.3", "", "", 0, venv, "pip");
	add(&f, PKG_ADDED, "pip", "requests", "2.32.3", "", "", 0, user, "pip");
	add(&f, PKG_ADDED, "npm", "@types/semver", "7.5.8", "", "", 0,
	    "/usr/local/lib/node_modules", "");
	add(&f, PKG_ADDED, "npm", "typescript", "5.0.0-beta", "", "", 0,
	    "/usr/local/lib/node_modules", "");
	render_case("debian", &f, "debian", "12");
	fixture_release(&f);
}

/* Alpine, a local base image (no digest), os-release unknown. */
static void
test_alpine(void)
{
	struct fixture f;

	fixture_init(&f, "edge-box", "alpine:3.19", NULL);
	add(&f, PKG_ADDED, "apk", "musl", "1.2.4-r2", NULL, "x86_64", 1, "",
	    "");
	add(&f, PKG_ADDED, "apk", "curl", "8.5.0-r0", "", "x86_64", 0, "", "");
	render_case("alpine-no-os-release", &f, NULL, NULL);
	fixture_release(&f);
}

int
main(void)
{
	test_purls();
	test_debian();
	test_alpine();
	return done_testing();
}
