/*
 * What packages make beyond their file lists: paths through a merged /usr,
 * update-alternatives' links, and the installer settings that hold
 * credentials among the loose files.
 */
#include "tap.h"
#include "test_pkg_helpers.h"

/* Scan the fixture tree against an empty base, then keep the loose files. */
static void
scan_tree(const char *tree, struct fs_changes *loose)
{
	struct pkg_fs fs;
	struct fs_changes changes = { 0 };
	struct pkg_scan s;
	struct keep_error *err = NULL;

	fixture_fs(&fs, tree);
	load_changes("debian-usrmerge.changes", &changes);
	ok(pkg_scan(&fs, NULL, NULL, &changes, &s, &err) == 0, "%s: scan%s%s",
	    tree, err ? ": " : "", err ? err->message : "");
	pkg_loose_files(&changes, &s.explained, NULL, loose);
	ok(pkg_loose_find_secrets(&fs, loose, &err) == 0, "%s: settings read", tree);
	for (size_t i = 0; i < loose->n; i++)
		printf("# %s loose: %s%s\n", tree, loose->v[i].path,
		    loose->v[i].secret ? " (secret)" : "");
	pkg_scan_release(&s);
	fs_changes_release(&changes);
	pkg_fs_release(&fs);
}

static int
secret_of(const struct fs_changes *fc, const char *path)
{
	for (size_t i = 0; i < fc->n; i++)
		if (strcmp(fc->v[i].path, path) == 0)
			return fc->v[i].secret;
	return -1;
}

static void
test_usrmerge(void)
{
	struct fs_changes loose = { 0 };

	scan_tree("debian-usrmerge", &loose);
	ok(!has_change_path(&loose, "/usr/lib/x86_64-linux-gnu/libexpat.so.1.8.10"),
	    "/lib/x86_64-linux-gnu/... of the list is /usr/lib/... through /lib -> usr/lib");
	ok(!has_change_path(&loose, "/usr/lib/x86_64-linux-gnu/libexpat.so.1"),
	    "its link too");
	ok(!has_change_path(&loose, "/usr/bin/nano"), "/bin/nano through /bin -> usr/bin");
	ok(!has_change_path(&loose, "/usr/bin/js") && !has_change_path(&loose, "/etc/alternatives/js") &&
	    !has_change_path(&loose, "/etc/alternatives/js.1.gz") &&
	    !has_change_path(&loose, "/usr/share/man/man1/js.1.gz"),
	    "an auto alternative: its links and choices are update-alternatives'");
	ok(!has_change_path(&loose, "/usr/bin/editor"), "a manual alternative's link is its too");
	ok(has_change_path(&loose, "/etc/alternatives/editor") &&
	    has_change_path(&loose, "/etc/alternatives/editor.1.gz"),
	    "a manual alternative's choice is the user's");
	ok(!has_change_path(&loose, "/etc/machine-id") &&
	    !has_change_path(&loose, "/var/lib/dbus/machine-id") &&
	    !has_change_path(&loose, "/var/lib/dbus"), "machine ids are noise");
	is_int(secret_of(&loose, "/etc/npmrc"), 1, "/etc/npmrc holds a token");
	is_int(secret_of(&loose, "/etc/pip.conf"), 1, "/etc/pip.conf holds a password");
	is_int(secret_of(&loose, "/root/.npmrc"), 0, "/root/.npmrc holds none");
	is_int(secret_of(&loose, "/opt/tool.conf"), 0, "other files are not read");
	is_int(loose.n, 7, "loose: the alternatives dir and the manual choice, three settings, /opt/tool.conf");
	fs_changes_release(&loose);
}

/* The same lists on an image whose /lib and /bin are directories: no alias. */
static void
test_split(void)
{
	struct fs_changes loose = { 0 };

	scan_tree("debian-split", &loose);
	ok(has_change_path(&loose, "/usr/lib/x86_64-linux-gnu/libexpat.so.1.8.10"),
	    "with a real /lib, /usr/lib/... is no package's file");
	ok(has_change_path(&loose, "/usr/bin/nano"), "nor is /usr/bin/nano");
	fs_changes_release(&loose);
}

static void
test_parse_alternative(void)
{
	struct strv out = { 0 };
	static const char hostile[] = "auto\n/usr/bin/x\n../../etc/passwd\n/usr/bin/y\n\n";

	dpkg_parse_alternative("x", hostile, sizeof(hostile) - 1, &out);
	ok(strv_find(&out, "/usr/bin/x") >= 0 && strv_find(&out, "/usr/bin/y") >= 0 &&
	    strv_find(&out, "/etc/alternatives/x") >= 0, "links and the choice");
	ok(strv_find(&out, "/etc/alternatives/../../etc/passwd") < 0,
	    "a slave name with a slash names nothing");
	strv_release(&out);
	dpkg_parse_alternative("../x", "auto\n/usr/bin/x\n\n", 16, &out);
	is_int(out.n, 0, "a master name with a slash names nothing");
	strv_release(&out);
}

int
main(void)
{
	test_usrmerge();
	test_split();
	test_parse_alternative();
	return done_testing();
}
