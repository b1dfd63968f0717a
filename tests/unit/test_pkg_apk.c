/* apk analyzer over hand-written Alpine databases. */
#include "tap.h"
#include "test_pkg_helpers.h"

int
main(void)
{
	struct pkg_fs cur, base;
	struct fs_changes changes = { 0 }, loose = { 0 };
	struct pkg_set set = { 0 };
	struct strv warnings = { 0 }, world = { 0 }, owned = { 0 }, names = { 0 };
	struct pkg_scan s;
	struct keep_error *err = NULL;
	const struct pkg *p;
	const struct pkg_change *c;
	static const char w[] = "curl=8.5.0-r0 busybox>=1.36\nmusl@edge\r\n!ssl_client\nvim~9\n\ncurl\n";
	static const char db[] = "P:foo\nV:1.0-r0\nF:usr/bin\nR:foo\nR:../../../etc/passwd\n\nP:bar\nV:2\nF:usr\nR:bar\n";

	apk_parse_world(w, sizeof(w) - 1, &world);
	is_int(world.n, 4, "world: four names, negation skipped, no duplicates");
	ok(strv_find(&world, "curl") >= 0 && strv_find(&world, "busybox") >= 0 &&
	    strv_find(&world, "musl") >= 0 && strv_find(&world, "vim") >= 0,
	    "constraints and tags stripped");
	strv_release(&world);

	strv_push(&names, "foo");
	apk_parse_owned(db, sizeof(db) - 1, &names, &owned);
	ok(strv_find(&owned, "/usr/bin/foo") >= 0, "R: under F:");
	ok(strv_find(&owned, "/usr/bin") >= 0, "F: itself");
	ok(strv_find(&owned, "/etc/passwd") < 0 && owned.n == 2,
	    "a path climbing above / is dropped");
	ok(strv_find(&owned, "/usr/bar") < 0, "another package's files are not");
	strv_release(&owned);
	strv_push(&names, "bar");
	strv_sort(&names);
	apk_parse_owned(db, sizeof(db) - 1, &names, &owned);
	is_int(owned.n, 4, "two packages' files in one pass");
	strv_release(&owned);
	strv_release(&names);

	fixture_fs(&cur, "apk-curl");
	fixture_fs(&base, "apk-base");
	ok(apk_collect(&cur, &set, NULL, &warnings, &err) == 0, "collect");
	p = find_pkg(&set, "apk", "curl");
	ok(p && strcmp(p->version, "8.5.0-r0") == 0 && !p->automatic &&
	    strcmp(p->arch, "x86_64") == 0, "curl 8.5.0-r0 explicit");
	p = find_pkg(&set, "apk", "libcurl");
	ok(p && p->automatic, "libcurl automatic (not in world)");
	ok(has_warning(&warnings, "has no V:"), "entry without V: warned");
	pkg_set_release(&set);
	strv_release(&warnings);

	load_changes("apk-curl.changes", &changes);
	ok(pkg_scan(&cur, &base, NULL, &changes, &s, &err) == 0, "scan");
	is_int(s.base.n, 3, "base: three packages");
	c = find_change(&s.changes, "apk", "curl");
	ok(c && c->change == PKG_ADDED, "curl added");
	c = find_change(&s.changes, "apk", "libcurl");
	ok(c && c->change == PKG_ADDED && c->pkg.automatic, "libcurl added auto");
	c = find_change(&s.changes, "apk", "busybox");
	ok(c && c->change == PKG_UPGRADED &&
	    strcmp(c->old_version, "1.36.1-r15") == 0 &&
	    strcmp(c->pkg.version, "1.36.1-r16") == 0, "busybox upgraded r15 -> r16");
	is_int(s.changes.n, 3, "three changes");
	ok(has_warning(&s.warnings, "refused apk package 'evil$(reboot)'"),
	    "hostile apk name refused");
	ok(strv_find(&s.explained, "/usr/lib/libcurl.so.4.8.0") >= 0,
	    "libcurl files explained");
	pkg_loose_files(&changes, &s.explained, NULL, &loose);
	is_int(loose.n, 1, "one loose file");
	ok(has_change_path(&loose, "/etc/motd.local"), "/etc/motd.local kept");
	fs_changes_release(&loose);
	pkg_scan_release(&s);
	fs_changes_release(&changes);
	pkg_fs_release(&cur);
	pkg_fs_release(&base);
	return done_testing();
}
