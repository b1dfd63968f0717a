/* Loose files: what is left of the change list once packages and noise are out. */
#include "tap.h"
#include "test_pkg_helpers.h"

int
main(void)
{
	struct fs_changes in = { 0 }, out = { 0 };
	struct strv explained = { 0 }, mounts = { 0 };
	static const struct { const char *path; int kind; } ch[] = {
		{ "/tmp", 0 }, { "/tmp/x", 1 },
		{ "/var", 0 }, { "/var/log", 0 }, { "/var/log/apt/history.log", 0 },
		{ "/var/lib", 0 }, { "/var/lib/apt/lists/deb.debian.org_x", 1 },
		{ "/root", 0 }, { "/root/.cache", 1 }, { "/root/.cache/pip", 1 },
		{ "/root/.bashrc", 0 },
		{ "/home/dev/.cache/uv/x", 1 },
		{ "/opt", 0 }, { "/opt/tool.conf", 1 },
		{ "/opt/app", 1 }, { "/opt/app/__pycache__", 1 },
		{ "/opt/app/__pycache__/m.cpython-311.pyc", 1 },
		{ "/opt/app/main.py", 1 },
		{ "/opt/empty", 1 },
		{ "/opt/gen", 1 }, { "/opt/gen/x.pyc", 1 },
		{ "/data", 0 }, { "/data/model.bin", 1 }, { "/datax", 1 },
		{ "/usr", 0 }, { "/usr/bin", 0 }, { "/usr/bin/jq", 1 },
		{ "/usr/share/doc/jq", 1 }, { "/usr/share/doc/jq/README", 1 },
		{ "/usr/lib/node_modules/x", 1 }, { "/usr/lib/node_modules/x/a.js", 1 },
		{ "/etc", 0 }, { "/etc/ld.so.cache", 0 }, { "/etc/hosts.allow", 2 },
		{ "/etc/a-b", 1 }, { "/etc/a", 0 }, { "/etc/a/c", 1 },
	};
	static const char *const want[] = {
		"/root/.bashrc", "/opt/tool.conf", "/opt/app", "/opt/app/main.py",
		"/opt/empty", "/datax", "/etc/hosts.allow", "/etc/a-b", "/etc/a/c",
	};

	for (size_t i = 0; i < sizeof(ch) / sizeof(ch[0]); i++)
		fs_changes_push(&in, ch[i].path, (enum fs_change_kind)ch[i].kind);
	strv_push(&explained, "/usr/bin/jq");
	strv_push(&explained, "/usr/share/doc/jq");
	strv_push(&explained, "/usr/share/doc/jq/README");
	strv_push(&explained, "/usr/lib/node_modules/x/");
	strv_push(&mounts, "/data");

	ok(pkg_path_is_noise("/var/cache/apt/pkgcache.bin"), "cache is noise");
	ok(pkg_path_is_noise("/usr/lib/python3/dist-packages/x/__pycache__"),
	    "__pycache__ is noise");
	ok(!pkg_path_is_noise("/tmpfoo"), "/tmpfoo is not /tmp");
	ok(!pkg_path_is_noise("/etc/apk/repositories"),
	    "apk sources are not noise");

	pkg_loose_files(&in, &explained, &mounts, &out);
	for (size_t i = 0; i < out.n; i++)
		printf("# %d %s\n", out.v[i].kind, out.v[i].path);
	is_int(out.n, sizeof(want) / sizeof(want[0]), "exactly the expected paths");
	for (size_t i = 0; i < out.n && i < sizeof(want) / sizeof(want[0]); i++)
		is_str(out.v[i].path, want[i], "loose[%zu] in input order", i);
	ok(!has_change_path(&out, "/opt/gen"),
	    "an added dir whose only content is noise is dropped");
	ok(!has_change_path(&out, "/usr/lib/node_modules/x"),
	    "a \"dir/\" entry explains below, and its dir empties");
	fs_changes_release(&out);

	/* No explained list and no mounts is fine. */
	pkg_loose_files(&in, NULL, NULL, &out);
	ok(has_change_path(&out, "/data/model.bin") &&
	    has_change_path(&out, "/usr/bin/jq"), "nothing explained, no mounts");
	fs_changes_release(&out);

	fs_changes_release(&in);
	strv_release(&explained);
	strv_release(&mounts);
	return done_testing();
}
