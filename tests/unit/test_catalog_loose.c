/*
 * What the catalog keeps about a snapshot's loose files beyond the change
 * list: which installer settings hold credentials, and what a rebuild of
 * the packages made identically (those load as changes, not loose files).
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "catalog/snapshots.h"
#include "tap.h"
#include "util/xalloc.h"

#define ENGINE "unix:///var/run/docker.sock"
#define IMAGE_ID "sha256:4b3d7aefbea1784463b727fdea2e633bcf77fce0e02fb5a13985d23c08cc94cc"

static void
snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->seq = 1;
	s->engine = xstrdup(ENGINE);
	s->message = xstrdup("");
	s->image = xstrdup("keep/dev1:1");
	s->image_id = xstrdup("sha256:01");
	s->fingerprint = xstrdup("f");
	s->config.id = xstrdup("0123456789abcdef");
	s->config.name = xstrdup("dev1");
	s->config.image_ref = xstrdup("debian:bookworm");
	s->config.image_id = xstrdup(IMAGE_ID);
	s->base.id = xstrdup(IMAGE_ID);
	s->base.user = xstrdup("");
	s->base.workdir = xstrdup("");
	fs_changes_push(&s->loose, "/etc/npmrc", FS_ADDED);
	s->loose.v[0].secret = 1;
	fs_changes_push(&s->loose, "/etc/ssl/certs/company.pem", FS_ADDED);
	fs_changes_push(&s->loose, "/opt/tool.conf", FS_ADDED);
	fs_changes_push(&s->loose, "/usr/share/mime/mime.cache", FS_ADDED);
	fs_changes_push(&s->changes, "/usr/bin/jq", FS_ADDED);
}

static int
has_loose(const struct snapshot *s, const char *path, int *secret)
{
	for (size_t i = 0; i < s->loose.n; i++)
		if (strcmp(s->loose.v[i].path, path) == 0) {
			if (secret)
				*secret = s->loose.v[i].secret;
			return 1;
		}
	return 0;
}

/*
 * A container with hundreds of packages installed by hand changes ~40,000
 * paths, and every save records them. Each insert must close its own
 * statement: one left open around them (an INSERT ... RETURNING not
 * stepped to its end) keeps SQLite's statement journal growing with every
 * row, and each later insert walks it (quadratic: minutes a save). The
 * journal lives in memory (temp_store=MEMORY), so SQLite's memory
 * high-water tells it without a clock.
 */
static void
test_record_many_changes(struct catalog *cat)
{
	struct keep_error *err = NULL;
	sqlite3_int64 cur, high, base;
	int rc = 0;

	sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &base, &high, 1);
	for (long seq = 2; seq <= 4 && rc == 0; seq++) {
		struct snapshot s;

		snapshot_init(&s);
		s.seq = seq;
		for (int i = 0; i < 40000; i++) {
			char path[64];

			snprintf(path, sizeof(path), "/usr/lib/node_modules/p%05d/index.js", i);
			fs_changes_push(&s.changes, path, FS_ADDED);
		}
		rc = catalog_begin(cat, &err) == 0 &&
		    catalog_snapshot_insert(cat, &s, &err) == 0 &&
		    catalog_commit(cat, &err) == 0 ? 0 : -1;
		snapshot_release(&s);
	}
	ok(rc == 0, "three snapshots of 40,000 changes recorded%s%s",
	    err ? ": " : "", err ? err->message : "");
	sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &cur, &high, 0);
	printf("# SQLite's memory high-water while recording: %lld KiB\n",
	    (long long)(high - base) / 1024);
	ok(high - base < 16 << 20, "SQLite held under 16 MiB for it (no "
	    "statement journal growing with every row)");
	keep_error_free(err);
}

int
main(void)
{
	char tmpl[] = "/tmp/keep-test-catalog-loose.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct catalog *cat = NULL;
	struct keep_error *err = NULL;
	struct snapshot s, back = { 0 }, again = { 0 };
	struct strv unchecked = { 0 }, compared = { 0 }, same = { 0 };
	int secret = -1;

	ok(catalog_open(dir, &cat, &err) == 0, "open");
	snapshot_init(&s);
	ok(catalog_begin(cat, &err) == 0 && catalog_snapshot_insert(cat, &s, &err) == 0 &&
	    catalog_commit(cat, &err) == 0, "record a snapshot%s%s", err ? ": " : "",
	    err ? err->message : "");
	ok(catalog_snapshot_load(cat, ENGINE, "dev1", 1, &back, &err) == 0, "load it");
	is_int(back.loose.n, 4, "four loose files");
	ok(has_loose(&back, "/etc/npmrc", &secret) && secret == 1,
	    "the npmrc holds credentials");
	ok(has_loose(&back, "/opt/tool.conf", &secret) && secret == 0, "the tool's does not");

	ok(catalog_loose_unchecked(cat, s.id, &unchecked, &err) == 0 && unchecked.n == 4,
	    "no rebuild compared yet: all four unchecked");
	strv_push(&compared, "/etc/ssl/certs/company.pem");
	strv_push(&compared, "/opt/tool.conf");
	strv_push(&compared, "/usr/share/mime/mime.cache");
	strv_push(&same, "/etc/ssl/certs/company.pem");
	strv_push(&same, "/usr/share/mime/mime.cache");
	ok(catalog_loose_compared_set(cat, s.id, &compared, &same, &err) == 0,
	    "record a rebuild");
	strv_release(&unchecked);
	ok(catalog_loose_unchecked(cat, s.id, &unchecked, &err) == 0 && unchecked.n == 1 &&
	    strcmp(unchecked.v[0], "/etc/npmrc") == 0, "only the npmrc is left unchecked");
	ok(catalog_snapshot_load(cat, ENGINE, "dev1", 1, &again, &err) == 0, "load again");
	is_int(again.loose.n, 2, "the files the rebuild made are no loose files");
	ok(has_loose(&again, "/opt/tool.conf", NULL) && has_loose(&again, "/etc/npmrc", &secret) &&
	    secret == 1, "the user's files stay, the secret mark too");
	is_int(again.changes.n, 5, "all five stay in the change list");
	test_record_many_changes(cat);

	strv_release(&unchecked);
	strv_release(&compared);
	strv_release(&same);
	snapshot_release(&s);
	snapshot_release(&back);
	snapshot_release(&again);
	catalog_close(cat);
	keep_error_free(err);
	return done_testing();
}
