/* npm analyzer: global packages found through the change list. */
#include "tap.h"
#include "test_pkg_helpers.h"

#define NM "/usr/local/lib/node_modules"

int
main(void)
{
	struct pkg_fs cur, base;
	struct fs_changes changes = { 0 }, loose = { 0 };
	struct strv bins = { 0 };
	struct pkg_scan s;
	struct keep_error *err = NULL;
	const struct pkg_change *c;
	char *name = NULL, *version = NULL;
	static const char pj[] = "{\"name\":\"@s/x\",\"version\":\"1.0.0\",\"bin\":\"cli.js\"}";

	ok(npm_parse_package_json(pj, sizeof(pj) - 1, &name, &version, &bins) == 0,
	    "parse package.json");
	is_str(name, "@s/x", "scoped name");
	ok(bins.n == 1 && strcmp(bins.v[0], "x") == 0, "string bin named after the package");
	free(name);
	free(version);
	strv_release(&bins);
	ok(npm_parse_package_json("{\"name\":1}", 10, &name, &version, NULL) < 0,
	    "non-string name fails");
	ok(npm_parse_package_json("[", 1, &name, &version, NULL) < 0, "bad JSON fails");

	fixture_fs(&cur, "npm-container");
	fixture_fs(&base, "npm-base");
	load_changes("npm.changes", &changes);
	ok(pkg_scan(&cur, &base, NULL, &changes, &s, &err) == 0, "scan");
	c = find_change(&s.changes, "npm", "typescript");
	ok(c && c->change == PKG_ADDED && strcmp(c->pkg.version, "5.4.5") == 0 &&
	    strcmp(c->pkg.location, NM) == 0, "typescript added");
	c = find_change(&s.changes, "npm", "@angular/cli");
	ok(c && c->change == PKG_UPGRADED && strcmp(c->old_version, "16.2.0") == 0 &&
	    strcmp(c->pkg.version, "17.3.7") == 0,
	    "scoped package upgraded, old version from the base");
	c = find_change(&s.changes, "npm", "left-pad");
	ok(c && c->change == PKG_REMOVED && strcmp(c->pkg.version, "1.3.0") == 0,
	    "deleted package removed");
	c = find_change(&s.changes, "npm", "corepack");
	ok(c && c->change == PKG_ADDED &&
	    strcmp(c->pkg.location, "/usr/lib/node_modules") == 0,
	    "/usr/lib/node_modules too");
	ok(find_change(&s.changes, "npm", "inner") == NULL,
	    "nested dependencies are not global packages");
	ok(has_warning(&s.warnings, "refused npm package 'evil`reboot`'"),
	    "hostile name refused");
	ok(has_warning(&s.warnings, "'1.0.0; rm -rf /': invalid version"),
	    "hostile version refused");
	ok(has_warning(&s.warnings, "nulname/package.json' is missing or not valid"),
	    "NUL in a JSON string refused");
	is_int(s.changes.n, 4, "four changes");

	pkg_loose_files(&changes, &s.explained, NULL, &loose);
	for (size_t i = 0; i < loose.n; i++)
		printf("# loose %d %s\n", loose.v[i].kind, loose.v[i].path);
	ok(has_change_path(&loose, "/etc/npmrc"), "npmrc kept");
	ok(!has_change_path(&loose, "/usr/local/bin/tsc"), "bin link explained");
	ok(!has_change_path(&loose, "/usr/bin/corepack"), "string bin explained");
	ok(!has_change_path(&loose, NM "/typescript/bin/tsc"), "package files explained");
	ok(!has_change_path(&loose, "/root/.npm/_cacache"), "npm cache dropped");
	ok(!has_change_path(&loose, NM "/.package-lock.json"), "npm lock dropped");
	ok(has_change_path(&loose, NM "/evil/package.json"),
	    "a refused package explains nothing: its files stay visible");
	fs_changes_release(&loose);
	pkg_scan_release(&s);
	fs_changes_release(&changes);
	pkg_fs_release(&cur);
	pkg_fs_release(&base);
	return done_testing();
}
