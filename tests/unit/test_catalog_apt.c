/*
 * What a snapshot's apt pins need from the catalog: the sources stored and
 * read back, each pinned version's first save (the same at save and at
 * every load), and a save taking the previous snapshot's sources when it
 * pins nothing new.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "catalog/snapshots.h"
#include "tap.h"
#include "util/xalloc.h"

static void
add_dpkg(struct snapshot *s, const char *name, const char *version)
{
	struct pkg p;

	pkg_init_fields(&p);
	free(p.manager);
	p.manager = xstrdup("dpkg");
	free(p.name);
	p.name = xstrdup(name);
	free(p.version);
	p.version = xstrdup(version);
	free(p.arch);
	p.arch = xstrdup("amd64");
	pkg_changes_push(&s->packages, PKG_ADDED, &p, NULL);
	pkg_release(&p);
}

/* Snapshot seq of container "dev1", not recorded yet. */
static void
snapshot_new(struct snapshot *s, long seq)
{
	memset(s, 0, sizeof(*s));
	s->seq = seq;
	s->engine = xstrdup("unix:///var/run/docker.sock");
	s->message = xstrdup("");
	s->image = xasprintf("keep/dev1:%ld", seq);
	s->image_id = xstrdup("sha256:feed");
	s->fingerprint = xasprintf("fp%ld", seq);
	s->config.id = xstrdup("c0ffee");
	s->config.name = xstrdup("dev1");
	s->config.image_ref = xstrdup("debian:bookworm");
	s->config.image_id = xstrdup("sha256:base");
	s->base.id = xstrdup("sha256:base");
	s->base.user = xstrdup("");
	s->base.workdir = xstrdup("");
}

static const struct pkg_change *
change(const struct snapshot *s, const char *name)
{
	for (size_t i = 0; i < s->packages.n; i++)
		if (strcmp(s->packages.v[i].pkg.name, name) == 0)
			return &s->packages.v[i];
	return NULL;
}

static int
record(struct catalog *cat, struct snapshot *s)
{
	struct keep_error *err = NULL;
	int rc = catalog_begin(cat, &err) == 0 &&
	    catalog_snapshot_insert(cat, s, &err) == 0 &&
	    catalog_commit(cat, &err) == 0;

	if (!rc)
		printf("# %s\n", err ? err->message : "?");
	keep_error_free(err);
	return rc;
}

int
main(void)
{
	char tmpl[] = "/tmp/keep-test-catalog-apt.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct catalog *cat = NULL;
	struct keep_error *err = NULL;
	struct snapshot s1, s2, s3, got = { 0 };
	cleanup_free char *t1 = NULL;

	if (!ok(catalog_open(dir, &cat, &err) == 0, "open a catalog"))
		return done_testing();

	snapshot_new(&s1, 1);
	add_dpkg(&s1, "jq", "1.6-2.1+deb12u2");
	ok(catalog_snapshot_stamp(cat, &s1, &err) == 0, "stamp the first save");
	ok(s1.created_at != NULL, "it has its time before it is recorded");
	is_str(change(&s1, "jq")->first_saved, s1.created_at,
	    "a version no earlier save recorded: first saved now");
	t1 = xstrdup(s1.created_at);
	apt_sources_push(&s1.apt_sources, "http://deb.debian.org/debian", "bookworm",
	    "main", "", "debian");
	apt_sources_push(&s1.apt_sources, "http://packages.ros.org/ros2/ubuntu", "jammy",
	    "main", "/usr/share/keyrings/ros.gpg", "");
	ok(catalog_apt_sources_inherit(cat, &s1, &err) == 0,
	    "a save with a version of its own reads its own sources");
	ok(record(cat, &s1), "record it");

	/* The clock moves on: the next save is a later second. */
	sleep(1);
	snapshot_new(&s2, 2);
	add_dpkg(&s2, "jq", "1.6-2.1+deb12u2");
	add_dpkg(&s2, "curl", "7.88.1-10+deb12u12");
	ok(catalog_snapshot_stamp(cat, &s2, &err) == 0, "stamp the second save");
	is_str(change(&s2, "jq")->first_saved, t1, "jq keeps the first save's time");
	is_str(change(&s2, "curl")->first_saved, s2.created_at, "curl is new: now");
	ok(strcmp(s2.created_at, t1) > 0, "a later time");
	is_int(catalog_apt_sources_inherit(cat, &s2, &err), 0,
	    "a new version: no sources taken, the container is read");
	ok(record(cat, &s2), "record it (with no sources)");

	ok(catalog_snapshot_load(cat, NULL, "dev1", 1, &got, &err) == 0, "load #1");
	is_int(got.apt_sources.n, 2, "its sources come back");
	is_str(got.apt_sources.v[1].signed_by, "/usr/share/keyrings/ros.gpg", "with their keyring");
	is_str(got.apt_sources.v[1].archive, "", "and their archive");
	is_str(change(&got, "jq")->first_saved, t1, "the load gives the same first save");
	snapshot_release(&got);
	ok(catalog_snapshot_load(cat, NULL, "dev1", 2, &got, &err) == 0, "load #2");
	is_str(change(&got, "jq")->first_saved, t1, "jq: #1's time, as at its save");
	is_str(change(&got, "curl")->first_saved, s2.created_at, "curl: #2's");
	snapshot_release(&got);

	/* Nothing new pinned: a save takes the sources of the one before it. */
	snapshot_new(&s3, 3);
	add_dpkg(&s3, "jq", "1.6-2.1+deb12u2");
	ok(catalog_snapshot_stamp(cat, &s3, &err) == 0, "stamp a third save, jq only");
	is_int(catalog_apt_sources_inherit(cat, &s3, &err), 0,
	    "the snapshot before recorded no sources: the container is read");
	apt_sources_push(&s3.apt_sources, "http://deb.debian.org/debian", "bookworm",
	    "main contrib", "", "debian");
	ok(record(cat, &s3), "record it with what the read found");
	snapshot_new(&got, 4);
	add_dpkg(&got, "jq", "1.6-2.1+deb12u2");
	ok(catalog_snapshot_stamp(cat, &got, &err) == 0, "stamp a fourth save, jq only");
	is_int(catalog_apt_sources_inherit(cat, &got, &err), 1,
	    "nothing new pinned: the sources of #3 are taken");
	ok(got.apt_sources.n == 1 &&
	    strcmp(got.apt_sources.v[0].components, "main contrib") == 0, "those sources");
	snapshot_release(&got);
	snapshot_release(&s3);

	snapshot_release(&s1);
	snapshot_release(&s2);
	catalog_close(cat);
	return done_testing();
}
