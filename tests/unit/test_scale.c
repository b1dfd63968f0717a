/*
 * Everything keep reads from a container, at the sizes a hostile one can
 * reach: a million names in /etc/apk/world, a million stanzas of a dpkg
 * status, a million lines of apt's history, a million changed paths under
 * dist-info and node_modules directories, a million loose files for the
 * renderer, the history and the build context. Each finishes, because each
 * is O(n log n): the quadratic loops they replaced ran for hours at these
 * sizes, well past this test's timeout (CMakeLists.txt). No time is
 * asserted here; bench/scale prints the times, and their ratio between n
 * and 2n.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "core/build_context.h"
#include "core/history.h"
#include "pkg/pkg.h"
#include "render/dockerfile.h"
#include "tap.h"
#include "util/buf.h"
#include "util/xalloc.h"

/*
 * Entries per case: a million; under the sanitizers (ten times slower
 * and more) a fifth of that, still far past where quadratic code hangs.
 */
#ifdef KEEP_SCALE_ENTRIES
#define MILLION KEEP_SCALE_ENTRIES
#else
#define MILLION 1000000
#endif
#define SITE "/usr/lib/python3/dist-packages"
#define BASE_ID "sha256:4b3d7aefbea1784463b727fdea2e633bcf77fce0e02fb5a13985d23c08cc94cc"

/* A site-packages path as long as a venv's can be. */
#define LONG_SITE "/home/someone/projects/a-rather-long-project-name/with/" \
    "nested/folders/and/more/nested/folders/.venv-for-the-experiment/" \
    "lib/python3.11/site-packages"

/*
 * A filesystem in memory: files by path. METADATA of a dist-info directory
 * and package.json of a node_modules package are made up from their path
 * ("p7-2.0.dist-info" is p7 at 2.0), so a million packages need no files.
 */
struct mem_fs {
	const char *paths[4];
	const struct buf *data[4];
};

static int
mem_read(void *ctx, const char *path, size_t max, struct buf *out,
    struct keep_error **err)
{
	struct mem_fs *m = ctx;
	size_t n = strlen(path);
	const char *slash;

	for (size_t i = 0; i < 4 && m->paths[i]; i++)
		if (strcmp(m->paths[i], path) == 0) {
			if (m->data[i]->len > max)
				return keep_error_set(err, KEEP_ERR_FAILED, "too big");
			buf_add(out, m->data[i]->ptr, m->data[i]->len);
			return 0;
		}
	if (n > 9 && strcmp(path + n - 9, "/METADATA") == 0) {
		const char *dir = path;
		const char *base, *dash;

		for (slash = path; (slash = strchr(slash, '/')) &&
		    slash < path + n - 9; dir = ++slash)
			;
		base = dir;
		dash = strchr(base, '-');
		buf_printf(out, "Name: %.*s\nVersion: %.*s\n", (int)(dash - base),
		    base, (int)(path + n - 9 - 10 - dash - 1), dash + 1);
		return 0;
	}
	if (n > 13 && strcmp(path + n - 13, "/package.json") == 0) {
		for (slash = path + n - 13; slash > path && slash[-1] != '/'; slash--)
			;
		buf_printf(out, "{\"name\": \"%.*s\", \"version\": \"1.0.0\"}",
		    (int)(path + n - 13 - slash), slash);
		return 0;
	}
	return keep_error_set(err, KEEP_ERR_NOT_FOUND, "no %s", path);
}

static int
mem_list(void *ctx, const char *path, struct strv *out, struct keep_error **err)
{
	(void)ctx;
	(void)out;
	return keep_error_set(err, KEEP_ERR_NOT_FOUND, "no %s", path);
}

static struct pkg_fs
mem_fs(struct mem_fs *m)
{
	return (struct pkg_fs){ m, mem_read, mem_list, NULL };
}

static void
test_apk(void)
{
	struct buf world = BUF_INIT, db = BUF_INIT;
	struct strv names = { 0 }, warnings = { 0 };
	struct pkg_set set = { 0 };
	struct mem_fs m = { { "/lib/apk/db/installed", "/etc/apk/world" },
	    { &db, &world } };
	struct pkg_fs fs = mem_fs(&m);
	struct fs_changes changes = { 0 };
	struct pkg_scan s;
	struct keep_error *err = NULL;
	size_t autos = 0;

	/* Every name twice: the second of each is a duplicate. */
	for (int i = 0; i < MILLION; i++)
		buf_printf(&world, "p%d\n", i % (MILLION / 2));
	apk_parse_world(world.ptr, world.len, &names);
	is_int(names.n, MILLION / 2, "apk world: 1M names, 500k distinct, each once");
	strv_release(&names);

	buf_truncate(&world, 0);
	for (int i = 0; i < MILLION; i += 2)
		buf_printf(&world, "p%d\n", i);
	for (int i = 0; i < MILLION / 2; i++)
		buf_printf(&db, "P:p%d\nV:1.0-r0\n\n", i);
	ok(apk_collect(&fs, &set, NULL, &warnings, &err) == 0,
	    "apk: 500k installed packages against a 500k-name world");
	for (size_t i = 0; i < set.n; i++)
		autos += set.v[i].automatic != 0;
	is_int(set.n, MILLION / 2, "apk: every package read");
	is_int(autos, MILLION / 4, "apk: the half not in world is automatic");
	pkg_set_release(&set);

	/* Each package owns a file: their paths come from one pass. */
	buf_truncate(&db, 0);
	for (int i = 0; i < MILLION / 2; i++)
		buf_printf(&db, "P:p%d\nV:1.0-r0\nF:usr/bin\nR:p%d\n\n", i, i);
	fs_changes_push(&changes, "/lib/apk/db/installed", FS_MODIFIED);
	ok(pkg_scan(&fs, NULL, NULL, &changes, &s, &err) == 0,
	    "apk: a scan of 500k added packages");
	ok(s.explained.n == MILLION / 2 + 1 &&
	    strv_sorted_has(&s.explained, "/usr/bin/p4711"),
	    "apk: the files of 500k packages explained (%zu paths)", s.explained.n);
	pkg_scan_release(&s);
	fs_changes_release(&changes);
	strv_release(&warnings);
	buf_release(&world);
	buf_release(&db);
}

static void
test_dpkg(void)
{
	struct buf status = BUF_INIT;
	struct mem_fs m = { { "/var/lib/dpkg/status" }, { &status } };
	struct pkg_fs fs = mem_fs(&m);
	struct fs_changes changes = { 0 };
	struct pkg_set set = { 0 };
	struct strv keys = { 0 }, warnings = { 0 };
	struct pkg_scan s;
	struct keep_error *err = NULL;
	size_t autos = 0;

	/* A million stanzas without a Version: a million warnings to unique. */
	for (int i = 0; i < MILLION; i++)
		buf_printf(&status, "Package: p%d\nStatus: install ok installed\n\n", i);
	fs_changes_push(&changes, "/var/lib/dpkg/status", FS_MODIFIED);
	ok(pkg_scan(&fs, NULL, NULL, &changes, &s, &err) == 0,
	    "dpkg: a status of 1M stanzas without Version is scanned");
	is_int(s.warnings.n, MILLION, "dpkg: one warning each, duplicates dropped in order");
	pkg_scan_release(&s);

	for (int i = 0; i < MILLION; i++) {
		char *name = xasprintf("p%d", i);

		pkg_set_add(&set, "dpkg", name, "1.0", "amd64");
		free(name);
		if (i % 2 == 0)
			strv_pushf(&keys, i % 4 ? "p%d:amd64" : "p%d", i);
	}
	dpkg_apply_auto(&set, &keys);
	for (size_t i = 0; i < set.n; i++)
		autos += set.v[i].automatic != 0;
	is_int(autos, MILLION / 2, "dpkg: 500k automatic marks applied to 1M packages");
	pkg_set_release(&set);
	strv_release(&keys);
	strv_release(&warnings);
	fs_changes_release(&changes);
	buf_release(&status);
}

static void
test_apt_history(void)
{
	struct buf log = BUF_INIT;
	struct mem_fs m = { { "/var/log/apt/history.log" }, { &log } };
	struct pkg_fs fs = mem_fs(&m);
	struct strv known = { 0 };
	struct pkg_changes changes = { 0 };
	struct keep_error *err = NULL;
	size_t local = 0;

	/* One run naming a million local .debs, and a million installs. */
	buf_addstr(&log, "Commandline: apt-get install");
	for (int i = 0; i < MILLION; i++)
		buf_printf(&log, " ./d%d_1_all.deb", i);
	buf_addstr(&log, "\nInstall: ");
	for (int i = 0; i < MILLION; i++)
		buf_printf(&log, "%sp%d:amd64 (1)", i ? ", " : "", i);
	buf_addstr(&log, "\n");
	apt_history_parse(log.ptr, log.len, &known);
	is_int(known.n, MILLION, "apt history: 1M installs beside 1M local .debs");
	strv_release(&known);

	/* Within the 16 MiB a history log may have: 500k of each. */
	buf_truncate(&log, 0);
	buf_addstr(&log, "Install: ");
	for (int i = 0; i < MILLION / 2; i++)
		buf_printf(&log, "%sp%d (1)", i ? ", " : "", i);
	buf_addstr(&log, "\n");
	for (int i = 0; i < MILLION / 2; i++) {
		struct pkg p = { "dpkg", NULL, i % 2 ? "1" : "2", "amd64", 0, "",
		    "", "" };

		p.name = xasprintf("p%d", i);
		pkg_changes_push(&changes, PKG_ADDED, &p, NULL);
		free(p.name);
	}
	ok(apt_history_mark_local(&fs, &changes, NULL, &err) == 0,
	    "apt history: 500k dpkg changes against 500k logged installs");
	for (size_t i = 0; i < changes.n; i++)
		local += strcmp(changes.v[i].pkg.origin, "local") == 0;
	is_int(local, MILLION / 4, "apt history: the versions apt never installed are local");
	pkg_changes_release(&changes);
	buf_release(&log);
}

static void
test_loose(void)
{
	struct fs_changes changes = { 0 }, loose = { 0 };
	struct strv explained = { 0 };
	struct buf dir = BUF_INIT;

	/*
	 * A million changes: a chain of 100 nested directories with 200,000
	 * explained files at the bottom (each directory used to look at
	 * every path below it), and 800,000 files of a cache beside them.
	 */
	for (int d = 0; d < 100; d++) {
		buf_addstr(&dir, "/d");
		fs_changes_push(&changes, buf_cstr(&dir), FS_ADDED);
	}
	for (int i = 0; i < MILLION / 5; i++) {
		char *p = xasprintf("%s/f%d", buf_cstr(&dir), i);

		fs_changes_push(&changes, p, FS_ADDED);
		strv_push_nodup(&explained, p);
	}
	for (int i = 0; i < MILLION - MILLION / 5 - 101; i++) {
		char *p = xasprintf("/root/.cache/c%d/f%d", i % 1000, i);

		fs_changes_push(&changes, p, FS_ADDED);
		free(p);
	}
	fs_changes_push(&changes, "/etc/kept", FS_ADDED);
	is_int(changes.n, MILLION, "loose files: a million changes");
	pkg_loose_files(&changes, &explained, NULL, &loose);
	is_int(loose.n, 1, "loose files: explained files and a cache leave one");
	fs_changes_release(&loose);
	fs_changes_release(&changes);
	strv_release(&explained);
	buf_release(&dir);
}

static void
test_pip_npm(void)
{
	struct mem_fs m = { { NULL } };
	struct pkg_fs fs = mem_fs(&m);
	struct fs_changes changes = { 0 };
	struct pkg_set found = { 0 };
	struct pkg_changes out = { 0 };
	struct strv explained = { 0 }, warnings = { 0 };
	struct keep_error *err = NULL;
	size_t upgraded = 0;

	/* 100k upgrades: the old dist-info deleted, the new one added with a file. */
	for (int i = 0; i < MILLION / 10; i++) {
		char *a = xasprintf(SITE "/p%d-2.0.dist-info", i);
		char *r = xasprintf("%s/RECORD", a);
		char *d = xasprintf(SITE "/p%d-1.0.dist-info", i);

		fs_changes_push(&changes, a, FS_ADDED);
		fs_changes_push(&changes, r, FS_ADDED);
		fs_changes_push(&changes, d, FS_DELETED);
		free(a);
		free(r);
		free(d);
	}
	/* And 700k files changed in one more: a million changes in all. */
	for (int i = 0; i < MILLION - 3 * MILLION / 10; i++) {
		char *f = xasprintf(SITE "/z-1.0.dist-info/f%d", i);

		fs_changes_push(&changes, f, FS_ADDED);
		free(f);
	}
	ok(pip_scan(&fs, &fs, &changes, &found, &out, &explained, &warnings,
	    &err) == 0, "pip: 1M changes under dist-info directories");
	for (size_t i = 0; i < out.n; i++)
		upgraded += out.v[i].change == PKG_UPGRADED;
	is_int(upgraded, MILLION / 10, "pip: 100k deletions paired with their additions");
	pkg_changes_release(&out);
	pkg_set_release(&found);
	strv_release(&explained);
	strv_release(&warnings);
	fs_changes_release(&changes);

	for (int i = 0; i < MILLION / 5; i++) {
		char *p = xasprintf("/usr/local/lib/node_modules/p%d%s", i / 2,
		    i % 2 ? "/package.json" : "");

		fs_changes_push(&changes, p, FS_ADDED);
		free(p);
	}
	ok(npm_scan(&fs, NULL, &changes, &found, &out, &explained, &warnings,
	    &err) == 0, "npm: 200k changes of 100k global packages");
	is_int(out.n, MILLION / 10, "npm: each package once");
	pkg_changes_release(&out);
	pkg_set_release(&found);
	strv_release(&explained);
	strv_release(&warnings);
	fs_changes_release(&changes);
}

/* The loose files of a container that wrote n files, per_dir in each directory. */
static void
loose_tree(struct fs_changes *fc, int n, int per_dir)
{
	for (int i = 0; i < n / per_dir; i++) {
		char *d = xasprintf("/srv/d%d", i);

		fs_changes_push(fc, d, FS_MODIFIED);
		free(d);
	}
	for (int i = 0; i < n; i++) {
		char *p = xasprintf("/srv/d%d/f%d", i % (n / per_dir), i);

		fs_changes_push(fc, p, FS_ADDED);
		free(p);
	}
}

static void
test_render(void)
{
	struct container c = { 0 };
	struct image base = { 0 };
	struct fs_changes files = { 0 };
	struct context_file *cf;
	struct recipe_input in = { 0 };
	struct buf out = BUF_INIT;
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;
	int n = MILLION / 5;

	c.name = xstrdup("scale");
	base.id = xstrdup(BASE_ID);
	loose_tree(&files, n, 100);
	cf = xcalloc(files.n, sizeof(*cf));
	for (size_t i = 0; i < files.n; i++)
		cf[i] = (struct context_file){ files.v[i].path, 0, 0, 0644, 0 };
	in = (struct recipe_input){ .container = &c, .base = &base,
	    .files = &files, .use_context = 1, .context_files = cf,
	    .n_context_files = files.n / 2 };
	ok(render_dockerfile(&in, &out, &warnings, &err) == 0,
	    "render: 200k loose files, half of them in the build context");
	ok(strstr(buf_cstr(&out), "COPY --chown=0:0 [\"files/srv/d0/f0\"") != NULL,
	    "render: the context's files are copied");
	free(cf);
	buf_release(&out);
	strv_release(&warnings);
	fs_changes_release(&files);
	container_release(&c);
	image_release(&base);
}

static void
test_history(void)
{
	struct snapshot a = { 0 }, b = { 0 };
	struct strv lines = { 0 };

	for (int i = 0; i < MILLION / 5; i++) {
		struct pkg p = { "pip", NULL, "1.0", "", 0, SITE, "pip", "" };

		p.name = xasprintf("p%d", i);
		pkg_changes_push(&a.packages, PKG_ADDED, &p, NULL);
		p.version = "2.0";
		pkg_changes_push(&b.packages, PKG_ADDED, &p, NULL);
		free(p.name);
	}
	history_package_delta(&a, &b, &lines);
	is_int(lines.n, MILLION / 5, "history: 200k packages changed between two snapshots");
	strv_release(&lines);
	snapshot_release(&a);
	snapshot_release(&b);
}

static void
test_build_context(void)
{
	struct build_context bc = { 0 };
	struct fs_changes files = { 0 };
	struct buf tar = BUF_INIT;
	struct keep_error *err = NULL;

	loose_tree(&files, MILLION / 5, 10);
	bc.v = xcalloc(files.n, sizeof(*bc.v));
	for (size_t i = 0; i < files.n; i++) {
		bc.v[i].path = xstrdup(files.v[i].path);
		bc.v[i].mode = files.v[i].kind == FS_MODIFIED ? 0755 : 0644;
		bc.v[i].is_dir = files.v[i].kind == FS_MODIFIED;
	}
	bc.n = files.n;
	qsort(bc.v, bc.n, sizeof(*bc.v), strv_cmp);	/* path is the first member */
	ok(build_context_tar(&bc, &tar, &err) == 0,
	    "build context: a tar of 200k files in 20,000 directories");
	build_context_release(&bc);
	fs_changes_release(&files);
	buf_release(&tar);
}

/*
 * The memory bound: a 2 MiB RECORD of one-letter lines in a long site
 * would make a million paths of 150 bytes (175 MB kept). The paths are
 * counted before they are made, so the scan stops at a 64 MiB budget
 * with one line, having kept nothing. Run first: the process's peak RSS
 * is still this test's.
 */
static void
test_budget(void)
{
	struct buf rec = BUF_INIT;
	struct mem_fs m = { { LONG_SITE "/big-1.0.dist-info/RECORD" }, { &rec } };
	struct pkg_fs fs = mem_fs(&m);
	struct budget b = { 0, (size_t)64 << 20 };
	struct fs_changes changes = { 0 };
	struct pkg_set found = { 0 };
	struct pkg_changes out = { 0 };
	struct strv explained = { 0 }, warnings = { 0 };
	struct keep_error *err = NULL;
	struct rusage ru;
	int rc;

	for (int i = 0; i < 1000000; i++)
		buf_addstr(&rec, "a\n");
	fs.budget = &b;
	fs_changes_push(&changes, LONG_SITE "/big-1.0.dist-info", FS_ADDED);
	rc = pip_scan(&fs, NULL, &changes, &found, &out, &explained, &warnings,
	    &err);
	ok(rc < 0 && err && strstr(err->message, "KEEP_MEMORY_LIMIT=64") &&
	    strstr(err->message, "RECORD"),
	    "budget: a RECORD whose paths pass the limit stops the scan: %s",
	    err ? err->message : "(no error)");
	ok(b.used <= b.max && explained.n == 0, "budget: nothing was made past it");
	getrusage(RUSAGE_SELF, &ru);
	ok(ru.ru_maxrss < 1024 * 1024, "budget: peak RSS %ld MiB (the paths: 175 MB)",
	    ru.ru_maxrss / 1024);
	keep_error_free(err);
	pkg_set_release(&found);
	pkg_changes_release(&out);
	strv_release(&explained);
	strv_release(&warnings);
	fs_changes_release(&changes);
	buf_release(&rec);
}

int
main(void)
{
	test_budget();
	test_apk();
	test_dpkg();
	test_apt_history();
	test_loose();
	test_pip_npm();
	test_render();
	test_history();
	test_build_context();
	return done_testing();
}
