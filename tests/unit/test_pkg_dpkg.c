/*
 * dpkg/apt analyzer over real Debian bookworm databases: debian-base is the
 * minbase image keep-test/bookworm:probe, debian-jq the same after
 * `apt-get install --no-install-recommends jq && apt-get purge tzdata`, and
 * debian-jq.changes is `docker diff` of that container.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "test_pkg_helpers.h"

static void
test_parse_real_status(void)
{
	cleanup_free char *path = fixture("debian-base/var/lib/dpkg/status");
	struct pkg_set set = { 0 };
	struct strv warnings = { 0 };
	const struct pkg *p;
	FILE *f = fopen(path, "rb");
	char *data = xmalloc(1 << 20);
	size_t len = fread(data, 1, 1 << 20, f);

	fclose(f);
	dpkg_parse_status(data, len, 1, &set, &warnings);
	is_int(set.n, 88, "bookworm minbase has 88 installed packages");
	is_int(warnings.n, 0, "no warnings on a real status file");
	p = find_pkg(&set, "dpkg", "apt");
	ok(p != NULL, "apt is there");
	if (p) {
		is_str(p->arch, "amd64", "apt arch");
		ok(pkg_valid_deb_version(p->version), "apt version '%s' valid",
		    p->version);
	}
	p = find_pkg(&set, "dpkg", "tzdata");
	ok(p && strcmp(p->arch, "all") == 0, "Architecture: all kept");
	p = find_pkg(&set, "dpkg", "libc6");
	is_str(p ? p->version : NULL, "2.36-9+deb12u14", "libc6 version");
	free(data);
	pkg_set_release(&set);
	strv_release(&warnings);
}

static void
test_collect_jq(void)
{
	struct pkg_fs fs;
	struct pkg_set set = { 0 };
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;
	const struct pkg *p;

	fixture_fs(&fs, "debian-jq");
	ok(dpkg_collect(&fs, &set, &warnings, &err) == 0, "collect debian-jq");
	is_int(set.n, 90, "88 - tzdata + jq, libjq1, libonig5");
	p = find_pkg(&set, "dpkg", "jq");
	ok(p && strcmp(p->version, "1.6-2.1+deb12u2") == 0 && !p->automatic,
	    "jq 1.6-2.1+deb12u2 manual");
	p = find_pkg(&set, "dpkg", "libjq1");
	ok(p && p->automatic, "libjq1 automatic");
	p = find_pkg(&set, "dpkg", "libonig5");
	ok(p && p->automatic && strcmp(p->version, "6.9.8-1") == 0,
	    "libonig5 6.9.8-1 automatic");
	p = find_pkg(&set, "dpkg", "apt");
	ok(p && !p->automatic, "no extended_states entry: manual");
	ok(find_pkg(&set, "dpkg", "tzdata") == NULL, "purged tzdata gone");
	pkg_set_release(&set);
	strv_release(&warnings);
	pkg_fs_release(&fs);
}

static void
test_scan_jq(void)
{
	struct pkg_fs cur, base;
	struct fs_changes changes = { 0 }, loose = { 0 };
	struct strv mounts = { 0 };
	struct pkg_scan s, s2;
	struct keep_error *err = NULL;
	const struct pkg_change *c;

	fixture_fs(&cur, "debian-jq");
	fixture_fs(&base, "debian-base");
	load_changes("debian-jq.changes", &changes);
	ok(pkg_scan(&cur, &base, NULL, &changes, &s, &err) == 0, "scan");
	is_int(s.base.n, 88, "base set read for caching");
	is_int(s.changes.n, 4, "three added, one removed");
	c = find_change(&s.changes, "dpkg", "jq");
	ok(c && c->change == PKG_ADDED && !c->pkg.automatic &&
	    strcmp(c->pkg.version, "1.6-2.1+deb12u2") == 0,
	    "jq added, manual, exact version");
	c = find_change(&s.changes, "dpkg", "libjq1");
	ok(c && c->change == PKG_ADDED && c->pkg.automatic,
	    "libjq1 added automatic");
	c = find_change(&s.changes, "dpkg", "libonig5");
	ok(c && c->change == PKG_ADDED && c->pkg.automatic,
	    "libonig5 added automatic");
	c = find_change(&s.changes, "dpkg", "tzdata");
	ok(c && c->change == PKG_REMOVED &&
	    strcmp(c->pkg.version, "2026b-0+deb12u1") == 0,
	    "tzdata removed with its old version");
	is_str(s.changes.v[0].pkg.name, "jq", "sorted: jq first");
	is_str(s.changes.v[3].pkg.name, "tzdata", "sorted: tzdata last");
	ok(strv_find(&s.explained, "/usr/bin/jq") >= 0, "jq.list explains /usr/bin/jq");
	ok(strv_find(&s.explained, "/usr/lib/x86_64-linux-gnu/libonig.so.5") >= 0,
	    "libonig5:amd64.list read (Multi-Arch: same)");
	ok(strv_find(&s.explained, "/usr/share/doc/tzdata") >= 0,
	    "removed tzdata explained by the base's list");
	is_int(s.warnings.n, 0, "no warnings");

	strv_push(&mounts, "/work");
	pkg_loose_files(&changes, &s.explained, &mounts, &loose);
	ok(has_change_path(&loose, "/opt/tool.conf"), "/opt/tool.conf is loose");
	ok(!has_change_path(&loose, "/opt"), "modified parent /opt dropped");
	ok(!has_change_path(&loose, "/usr/bin/jq"), "package file dropped");
	ok(!has_change_path(&loose, "/usr/share/doc/jq"),
	    "package dir dropped");
	ok(!has_change_path(&loose, "/var/cache/apt/pkgcache.bin"),
	    "cache dropped");
	ok(!has_change_path(&loose, "/etc/ld.so.cache"), "ld.so.cache dropped");
	ok(!has_change_path(&loose, "/var/lib/dpkg/info/jq.list"),
	    "dpkg bookkeeping dropped");
	ok(!has_change_path(&loose, "/usr/share/zoneinfo/UTC"),
	    "files of the purged package dropped");
	/*
	 * tzdata's postinst made /etc/localtime and /etc/timezone; no list
	 * names them, so their deletion stays visible.
	 */
	is_int(loose.n, 3, "loose: /opt/tool.conf, /etc/localtime, /etc/timezone");
	for (size_t i = 0; i < loose.n; i++)
		printf("# loose %d %s\n", loose.v[i].kind, loose.v[i].path);

	/* The same again from the cached base set, without a base fs. */
	ok(pkg_scan(&cur, NULL, &s.base, &changes, &s2, &err) == 0,
	    "scan with a cached base");
	is_int(s2.changes.n, 4, "same four changes from the cache");
	c = find_change(&s2.changes, "dpkg", "tzdata");
	ok(c && c->change == PKG_REMOVED, "tzdata still removed");

	pkg_scan_release(&s2);
	fs_changes_release(&loose);
	strv_release(&mounts);
	pkg_scan_release(&s);
	fs_changes_release(&changes);
	pkg_fs_release(&cur);
	pkg_fs_release(&base);
}

static void
test_upgrade(void)
{
	struct pkg_fs cur, base;
	struct fs_changes none = { 0 };
	struct pkg_scan s;
	struct keep_error *err = NULL;

	fixture_fs(&cur, "debian-upgraded");
	fixture_fs(&base, "debian-base");
	/* An empty change list would say the databases are the base's. */
	fs_changes_push(&none, "/var/lib/dpkg/status", FS_MODIFIED);
	ok(pkg_scan(&cur, &base, NULL, &none, &s, &err) == 0, "scan upgrade");
	is_int(s.changes.n, 1, "one change");
	if (s.changes.n == 1) {
		is_int(s.changes.v[0].change, PKG_UPGRADED, "upgraded");
		is_str(s.changes.v[0].pkg.name, "tzdata", "tzdata");
		is_str(s.changes.v[0].old_version, "2026b-0+deb12u1", "old version");
		is_str(s.changes.v[0].pkg.version, "2026c-0+deb12u1", "new version");
	}
	pkg_scan_release(&s);
	pkg_fs_release(&cur);
	pkg_fs_release(&base);
	fs_changes_release(&none);

	/*
	 * A change list that leaves every database alone: the container's
	 * sets are the cached base's, and its own files are not read.
	 */
	{
		struct fs_changes other = { 0 }, empty = { 0 };
		struct pkg_scan s0, s1;

		fixture_fs(&base, "debian-base");
		ok(pkg_scan(&base, NULL, NULL, &empty, &s0, &err) == 0,
		    "scan the base alone");
		fixture_fs(&cur, "debian-upgraded");
		fs_changes_push(&other, "/opt/tool.conf", FS_ADDED);
		ok(pkg_scan(&cur, NULL, &s0.packages, &other, &s1, &err) == 0,
		    "scan with untouched databases");
		is_int(s1.changes.n, 0, "untouched databases: no package change");
		is_int(s1.packages.n, s0.packages.n, "the base's packages stand");
		pkg_scan_release(&s1);
		pkg_scan_release(&s0);
		pkg_fs_release(&cur);
		pkg_fs_release(&base);
		fs_changes_release(&other);
	}
}

static void
test_hostile(void)
{
	struct pkg_fs fs;
	struct fs_changes none = { 0 };
	struct pkg_set set = { 0 };
	struct strv warnings = { 0 };
	struct pkg_scan s;
	struct keep_error *err = NULL;
	const struct pkg *p;

	fixture_fs(&fs, "debian-hostile");
	ok(dpkg_collect(&fs, &set, &warnings, &err) == 0,
	    "hostile status parses");
	ok(find_pkg(&set, "dpkg", "evil;touch${IFS}/pwned") != NULL,
	    "the parser returns the raw name; validation refuses it");
	p = find_pkg(&set, "dpkg", "crlf-pkg");
	ok(p && strcmp(p->version, "2.0-1") == 0 && strcmp(p->arch, "all") == 0,
	    "CRLF stanza read without the CRs");
	ok(p && p->automatic, "CRLF extended_states applies");
	p = find_pkg(&set, "dpkg", "held");
	ok(p && p->automatic, "hold ok installed kept; bare-name auto mark");
	p = find_pkg(&set, "dpkg", "good-one");
	ok(p && !p->automatic && strcmp(p->version, "1:2.3~rc1-4+b1") == 0,
	    "Auto-Installed: 0 is manual; epoch version");
	ok(find_pkg(&set, "dpkg", "removed-pkg") == NULL, "config-files skipped");
	ok(find_pkg(&set, "dpkg", "half") == NULL, "half-installed skipped");
	ok(find_pkg(&set, "dpkg", "longdesc") != NULL, "200 KB line survives");
	p = find_pkg(&set, "dpkg", "no-newline-at-end");
	is_str(p ? p->version : NULL, "0.1", "last stanza without newline");
	ok(has_warning(&warnings, "NUL byte"), "NUL stanza skipped with warning");
	ok(has_warning(&warnings, "'noversion') has no Version"),
	    "missing Version warned");
	ok(has_warning(&warnings, "has no Package"), "missing Package warned");
	pkg_set_release(&set);
	strv_release(&warnings);

	ok(pkg_scan(&fs, NULL, NULL, &none, &s, &err) == 0, "scan hostile");
	ok(has_warning(&s.warnings,
	    "refused dpkg package 'evil;touch${IFS}/pwned' version '1.0': invalid name"),
	    "evil name refused with a warning naming it");
	ok(has_warning(&s.warnings, "'1.0 && touch /pwned': invalid version"),
	    "evil version refused");
	ok(has_warning(&s.warnings, "'evilarch' version '1.0': invalid architecture"),
	    "evil arch refused");
	ok(has_warning(&s.warnings, "'escape\\x1b[31mred'"),
	    "escape bytes shown escaped in the warning");
	for (size_t i = 0; i < s.changes.n; i++)
		ok(pkg_validate(&s.changes.v[i].pkg, NULL) == 0,
		    "emitted change '%s' is valid", s.changes.v[i].pkg.name);
	ok(find_change(&s.changes, "dpkg", "crlf-pkg") != NULL,
	    "good packages still come through");
	pkg_scan_release(&s);
	pkg_fs_release(&fs);
}

static void
test_distroless(void)
{
	struct pkg_fs fs;
	struct pkg_set set = { 0 };
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;

	fixture_fs(&fs, "debian-distroless");
	ok(dpkg_collect(&fs, &set, &warnings, &err) == 0, "status.d read");
	is_int(set.n, 3, "three packages, md5sums ignored");
	ok(find_pkg(&set, "dpkg", "libc6") != NULL, "libc6 from status.d");
	pkg_set_release(&set);
	strv_release(&warnings);
	pkg_fs_release(&fs);
}

static void
test_limits(void)
{
	char tmpl[] = "/tmp/keep-pkg-XXXXXX";
	char *dir = mkdtemp(tmpl);
	cleanup_free char *sub = xasprintf("%s/var/lib/dpkg", dir);
	cleanup_free char *status = xasprintf("%s/status", sub);
	cleanup_free char *cmd = NULL;
	struct pkg_fs fs;
	struct pkg_set set = { 0 };
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;
	int fd;

	cmd = xasprintf("mkdir -p '%s'", sub);
	ok(system(cmd) == 0, "make temp tree");
	/* A sparse 65 MiB status file: refused before anything is read. */
	fd = open(status, O_WRONLY | O_CREAT, 0644);
	ok(fd >= 0 && ftruncate(fd, (off_t)65 << 20) == 0, "sparse file");
	close(fd);
	ok(pkg_dir_fs_open(&fs, dir, &err) == 0, "open tree");
	ok(dpkg_collect(&fs, &set, &warnings, &err) < 0, "oversized status fails");
	ok(err && strstr(err->message, "/var/lib/dpkg/status") &&
	    strstr(err->message, "limit"), "clear error: %s",
	    err ? err->message : "");
	ok(err && err->kind == KEEP_ERR_FAILED,
	    "an oversized file is a failure, not a missing file");
	keep_error_free(err);
	err = NULL;
	/* Nothing of the kind asked for is not there, whatever is there. */
	{
		struct buf b = BUF_INIT;
		struct strv names = { 0 };

		ok(fs.read_file(fs.ctx, "/var/lib/none", 64, &b, &err) < 0 &&
		    err && err->kind == KEEP_ERR_NOT_FOUND,
		    "read_file: no such path is KEEP_ERR_NOT_FOUND");
		keep_error_free(err);
		err = NULL;
		ok(fs.read_file(fs.ctx, "/var/lib/dpkg", 64, &b, &err) < 0 &&
		    err && err->kind == KEEP_ERR_NOT_FOUND && b.len == 0,
		    "read_file: a directory is KEEP_ERR_NOT_FOUND");
		keep_error_free(err);
		err = NULL;
		ok(fs.list_dir(fs.ctx, "/var/lib/none", &names, &err) < 0 &&
		    err && err->kind == KEEP_ERR_NOT_FOUND && names.n == 0,
		    "list_dir: no such directory is KEEP_ERR_NOT_FOUND");
		keep_error_free(err);
		err = NULL;
		ok(fs.list_dir(fs.ctx, "/var/lib", &names, &err) == 0 &&
		    names.n == 1 && strcmp(names.v[0], "dpkg") == 0,
		    "list_dir: a directory's entries");
		buf_release(&b);
		strv_release(&names);
	}
	pkg_fs_release(&fs);
	free(cmd);
	cmd = xasprintf("rm -rf '%s'", dir);
	ok(system(cmd) == 0, "clean up");
	pkg_set_release(&set);
	strv_release(&warnings);
}

/* A status file with one installed package, name. */
static void
write_status(const char *path, const char *name)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		printf("Bail out! cannot write %s\n", path);
		exit(1);
	}
	fprintf(f, "Package: %s\nStatus: install ok installed\n"
	    "Architecture: amd64\nVersion: 1.0-1\n\n", name);
	fclose(f);
}

/* collect_via LINK: what dpkg_collect reads when status is a symlink to LINK. */
static const struct pkg *
collect_via(const char *dir, const char *status, const char *link,
    struct pkg_set *set)
{
	struct pkg_fs fs;
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;
	const struct pkg *p = NULL;

	pkg_set_release(set);
	unlink(status);
	if (symlink(link, status) == 0 && pkg_dir_fs_open(&fs, dir, &err) == 0) {
		if (dpkg_collect(&fs, set, &warnings, &err) == 0 && set->n == 1)
			p = &set->v[0];
		pkg_fs_release(&fs);
	}
	keep_error_free(err);
	strv_release(&warnings);
	return p;
}

/*
 * A symlink in the tree resolves inside it, as inside the container: one
 * to a valid status outside the tree (absolute, or climbing with "..")
 * never reads the host's file, while one to a status inside the tree is
 * followed there.
 */
static void
test_symlinks(void)
{
	char tmpl[] = "/tmp/keep-pkg-XXXXXX", otmpl[] = "/tmp/keep-host-XXXXXX";
	char *dir = mkdtemp(tmpl), *outside = mkdtemp(otmpl);
	cleanup_free char *sub = xasprintf("%s/var/lib/dpkg", dir);
	cleanup_free char *status = xasprintf("%s/status", sub);
	cleanup_free char *inside = xasprintf("%s/real-status", sub);
	cleanup_free char *host = xasprintf("%s/status", outside);
	cleanup_free char *climb = xasprintf("../../../../../../../..%s", host);
	cleanup_free char *cmd = xasprintf("mkdir -p '%s'", sub);
	struct pkg_set set = { 0 };
	const struct pkg *p;

	ok(dir && outside && system(cmd) == 0, "make the tree and a folder outside it");
	write_status(host, "host-only");
	write_status(inside, "inside-only");
	p = collect_via(dir, status, "/var/lib/dpkg/real-status", &set);
	ok(p && strcmp(p->name, "inside-only") == 0,
	    "an absolute symlink is followed inside the tree");
	p = collect_via(dir, status, host, &set);
	ok(set.n == 0, "an absolute symlink to a valid status outside the tree reads nothing%s%s",
	    p ? ": read " : "", p ? p->name : "");
	p = collect_via(dir, status, climb, &set);
	ok(set.n == 0, "a symlink climbing out of the tree with .. reads nothing%s%s",
	    p ? ": read " : "", p ? p->name : "");
	free(cmd);
	cmd = xasprintf("rm -rf '%s' '%s'", dir, outside);
	ok(system(cmd) == 0, "clean up");
	pkg_set_release(&set);
}

/*
 * apt keeps the marks of Architecture: all packages under the native
 * architecture: after `apt-get install git` on amd64, extended_states
 * says "Package: git-man / Architecture: amd64 / Auto-Installed: 1".
 */
static void
test_auto_arch_all(void)
{
	static const char status[] =
	    "Package: git-man\nStatus: install ok installed\n"
	    "Architecture: all\nVersion: 1:2.39.5-0+deb12u3\n\n"
	    "Package: git\nStatus: install ok installed\n"
	    "Architecture: amd64\nVersion: 1:2.39.5-0+deb12u3\n\n"
	    "Package: liberror-perl\nStatus: install ok installed\n"
	    "Architecture: all\nVersion: 0.17029-2\n\n"
	    "Package: libcurl3-gnutls\nStatus: install ok installed\n"
	    "Architecture: amd64\nVersion: 7.88.1-10+deb12u15\n";
	static const char ext[] =
	    "Package: git-man\nArchitecture: amd64\nAuto-Installed: 1\n\n"
	    "Package: libcurl3-gnutls\nArchitecture: amd64\n"
	    "Auto-Installed: 1\n\n"
	    "Package: liberror-perl-extra\nArchitecture: amd64\n"
	    "Auto-Installed: 1\n";
	struct pkg_set set = { 0 };
	struct strv warnings = { 0 }, autos = { 0 };
	const struct pkg *p;

	dpkg_parse_status(status, sizeof(status) - 1, 1, &set, &warnings);
	dpkg_parse_extended_states(ext, sizeof(ext) - 1, &autos);
	dpkg_apply_auto(&set, &autos);
	p = find_pkg(&set, "dpkg", "git-man");
	ok(p && p->automatic, "an arch:all package marked under amd64 is auto");
	p = find_pkg(&set, "dpkg", "libcurl3-gnutls");
	ok(p && p->automatic, "an amd64 package marked under amd64 is auto");
	p = find_pkg(&set, "dpkg", "git");
	ok(p && !p->automatic, "git, with no mark, is manual");
	p = find_pkg(&set, "dpkg", "liberror-perl");
	ok(p && !p->automatic, "another package's mark with the same start "
	    "marks nothing");
	pkg_set_release(&set);
	strv_release(&warnings);
	strv_release(&autos);
}

int
main(void)
{
	test_auto_arch_all();
	test_parse_real_status();
	test_collect_jq();
	test_scan_jq();
	test_upgrade();
	test_hostile();
	test_distroless();
	test_limits();
	test_symlinks();
	return done_testing();
}
