/*
 * keep find's search (catalog/find.h) over a catalog made through the same
 * calls a save makes: base images with their package sets, snapshots with
 * package changes, change lists, env and mounts.
 */
#include <stdlib.h>
#include <string.h>

#include "catalog/find.h"
#include "catalog/snapshots.h"
#include "tap.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define DEBIAN "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define ALPINE "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define DEBIAN_DIGEST "debian@sha256:3333333333333333333333333333333333333333333333333333333333333333"

static struct catalog *cat;

static void
base_put(const char *id, const struct pkg_set *set)
{
	struct image img = { 0 };
	struct keep_error *err = NULL;

	img.id = xstrdup(id);
	img.user = xstrdup("");
	img.workdir = xstrdup("");
	if (catalog_begin(cat, &err) < 0 || catalog_base_put(cat, &img, set,
	    &err) < 0 || catalog_commit(cat, &err) < 0)
		ok(0, "store base %s: %s", id, err->message);
	keep_error_free(err);
	image_release(&img);
}

/* A snapshot of name on base, with what the caller adds, stored. */
static void
snap_begin(struct snapshot *s, const char *engine, const char *name,
    long seq, const char *ref, const char *base, const char *digest)
{
	memset(s, 0, sizeof(*s));
	s->engine = xstrdup(engine);
	s->seq = seq;
	s->message = xstrdup("");
	s->image = xasprintf("keep/%s:%ld", name, seq);
	s->image_id = xasprintf("sha256:%064ld", seq);
	s->fingerprint = xasprintf("%s-%ld", name, seq);
	s->config.id = xstrdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	s->config.name = xstrdup(name);
	s->config.image_ref = xstrdup(ref);
	s->config.image_id = xstrdup(base);
	s->config.user = xstrdup("");
	s->config.workdir = xstrdup("");
	s->base.id = xstrdup(base);
	s->base.user = xstrdup("");
	s->base.workdir = xstrdup("");
	s->base_digest = digest ? xstrdup(digest) : NULL;
}

static void
snap_store(struct snapshot *s)
{
	struct keep_error *err = NULL;

	if (catalog_begin(cat, &err) < 0 ||
	    catalog_snapshot_insert(cat, s, &err) < 0 ||
	    catalog_commit(cat, &err) < 0)
		ok(0, "store %s #%ld: %s", s->config.name, s->seq, err->message);
	keep_error_free(err);
	snapshot_release(s);
}

static void
change(struct snapshot *s, enum pkg_change_kind kind, const char *manager,
    const char *name, const char *version, const char *old,
    const char *arch, const char *location)
{
	struct pkg p = { 0 };

	p.manager = (char *)manager;
	p.name = (char *)name;
	p.version = (char *)version;
	p.arch = (char *)arch;
	p.location = (char *)location;
	pkg_changes_push(&s->packages, kind, &p, old);
}

static void
add_mount(struct snapshot *s, const char *type, const char *source,
    const char *dest, int rw)
{
	struct mount *m;

	s->config.mounts = xrealloc(s->config.mounts,
	    (s->config.n_mounts + 1) * sizeof(*s->config.mounts));
	m = &s->config.mounts[s->config.n_mounts++];
	m->type = xstrdup(type);
	m->source = xstrdup(source);
	m->destination = xstrdup(dest);
	m->mode = xstrdup("");
	m->driver = xstrdup("");
	m->rw = rw;
}

static void
fill(void)
{
	struct pkg_set debian = { 0 }, alpine = { 0 };
	struct snapshot s;
	struct pkg p = { 0 };

	pkg_set_add(&debian, "dpkg", "libssl3", "3.0.11-1~deb12u2", "amd64");
	pkg_set_add(&debian, "dpkg", "libc6", "2.36-9+deb12u4", "amd64");
	pkg_set_add(&debian, "dpkg", "openssl", "3.0.11-1~deb12u2", "amd64");
	p.manager = "pip";
	p.name = "PyYAML";
	p.version = "6.0";
	p.location = "/usr/lib/python3/dist-packages";
	pkg_set_push(&debian, &p);
	base_put(DEBIAN, &debian);
	pkg_set_add(&alpine, "apk", "musl", "1.2.4-r2", "x86_64");
	base_put(ALPINE, &alpine);

	/* dev1 #1: as the image came. */
	snap_begin(&s, "unix:///e1", "dev1", 1, "debian:bookworm", DEBIAN,
	    DEBIAN_DIGEST);
	snap_store(&s);
	/* dev1 #2: libssl3 upgraded, jq installed, a token, a mount, a file. */
	snap_begin(&s, "unix:///e1", "dev1", 2, "debian:bookworm", DEBIAN,
	    DEBIAN_DIGEST);
	change(&s, PKG_UPGRADED, "dpkg", "libssl3", "3.0.15-1~deb12u1",
	    "3.0.11-1~deb12u2", "amd64", "");
	change(&s, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u2", NULL, "amd64", "");
	kvv_push(&s.config.env, "HF_TOKEN", "hf_secretvalue");
	kvv_push(&s.config.env, "PATH", "/usr/bin");
	add_mount(&s, "bind", "/data/models", "/models", 0);
	fs_changes_push(&s.loose, "/etc/app.conf", FS_ADDED);
	fs_changes_push(&s.changes, "/usr/bin/jq", FS_ADDED);
	snap_store(&s);
	/* dev1 #3: libc6 removed as well. */
	snap_begin(&s, "unix:///e1", "dev1", 3, "debian:bookworm", DEBIAN,
	    DEBIAN_DIGEST);
	change(&s, PKG_UPGRADED, "dpkg", "libssl3", "3.0.15-1~deb12u1",
	    "3.0.11-1~deb12u2", "amd64", "");
	change(&s, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u2", NULL, "amd64", "");
	change(&s, PKG_REMOVED, "dpkg", "libc6", "2.36-9+deb12u4", NULL,
	    "amd64", "");
	fs_changes_push(&s.loose, "/etc/app.conf", FS_MODIFIED);
	snap_store(&s);
	/* dev2: npm and pip packages, on another engine. */
	snap_begin(&s, "unix:///e2", "dev2", 1, "docker.io/library/debian",
	    DEBIAN, NULL);
	change(&s, PKG_ADDED, "npm", "typescript", "5.0.0-beta.2", NULL, "",
	    "/usr/local/lib/node_modules");
	change(&s, PKG_ADDED, "pip", "requests", "2.31.0", NULL, "",
	    "/opt/venv/lib/python3.11/site-packages");
	change(&s, PKG_ADDED, "pip", "typing_extensions", "4.12.2", NULL, "",
	    "/opt/venv/lib/python3.11/site-packages");
	add_mount(&s, "volume", "models", "/models", 1);
	snap_store(&s);
	/* dev3: alpine. */
	snap_begin(&s, "unix:///e1", "dev3", 1, "alpine:3.19", ALPINE, NULL);
	change(&s, PKG_ADDED, "apk", "openssl", "3.1.4-r5", NULL, "x86_64", "");
	snap_store(&s);
	pkg_set_release(&debian);
	pkg_set_release(&alpine);
}

/*
 * Run q; the hits as "name#seq" words, with what matched after a colon
 * when what is set ("dev1#2:3.0.15-1~deb12u1").
 */
static char *
run(struct find_query *q, const char *(*what)(const struct find_hit *))
{
	struct find_hits h = { 0 };
	struct keep_error *err = NULL;
	struct buf b = BUF_INIT;

	if (catalog_find(cat, q, &h, &err) < 0) {
		buf_printf(&b, "error: %s", err->message);
		keep_error_free(err);
	}
	for (size_t i = 0; i < h.n; i++) {
		buf_printf(&b, "%s%s#%ld", i ? " " : "", h.v[i].name, h.v[i].seq);
		if (what)
			buf_printf(&b, ":%s", what(&h.v[i]));
	}
	find_hits_release(&h);
	return buf_detach(&b, NULL);
}

static const char *
version_of(const struct find_hit *h)
{
	return h->pkg.version;
}

static const char *
source_of(const struct find_hit *h)
{
	return h->from_base ? "base" : pkg_change_name(h->change);
}

static void
package(const char *query, const char *manager, int latest,
    const char *(*what)(const struct find_hit *), const char *want)
{
	struct find_query q = { FIND_PACKAGE, NULL, manager, VERSION_ANY,
		NULL, latest };
	char *name = NULL, *version = NULL;
	char *got;

	if (version_query_split(query, &name, &q.op, &version) < 0) {
		ok(0, "query %s", query);
		return;
	}
	q.pattern = name;
	q.version = version;
	got = run(&q, what);
	is_str(got, want, "find %s%s%s%s", query, manager ? " --manager " : "",
	    manager ? manager : "", latest ? " --latest" : "");
	free(got);
	free(name);
	free(version);
}

static void
other(enum find_kind kind, const char *pattern, int latest, const char *want)
{
	struct find_query q = { kind, pattern, NULL, VERSION_ANY, NULL, latest };
	char *got = run(&q, NULL);

	is_str(got, want, "find kind %d %s%s", kind, pattern,
	    latest ? " --latest" : "");
	free(got);
}

static void
test_packages(void)
{
	package("libssl3", NULL, 0, version_of,
	    "dev1#1:3.0.11-1~deb12u2 dev1#2:3.0.15-1~deb12u1 "
	    "dev1#3:3.0.15-1~deb12u1 dev2#1:3.0.11-1~deb12u2");
	package("libssl3", NULL, 0, source_of,
	    "dev1#1:base dev1#2:upgraded dev1#3:upgraded dev2#1:base");
	package("libssl3<3.0.15", NULL, 0, NULL, "dev1#1 dev2#1");
	package("libssl3<3.0.15-1", NULL, 0, NULL,
	    "dev1#1 dev1#2 dev1#3 dev2#1");	/* ~deb12u1 comes before */
	package("libssl3>=3.0.15~", NULL, 0, NULL, "dev1#2 dev1#3");
	package("libssl3<3.0.15", NULL, 1, NULL, "dev2#1");
	package("libssl3", NULL, 1, NULL, "dev1#3 dev2#1");
	package("libc6", NULL, 0, NULL, "dev1#1 dev1#2 dev2#1");
	package("jq", NULL, 0, source_of, "dev1#2:added dev1#3:added");
	package("jq=1.6-2.1+deb12u2", NULL, 0, NULL, "dev1#2 dev1#3");
	package("jq!=1.6-2.1+deb12u2", NULL, 0, NULL, "");
	package("openssl", NULL, 0, version_of,
	    "dev1#1:3.0.11-1~deb12u2 dev1#2:3.0.11-1~deb12u2 "
	    "dev1#3:3.0.11-1~deb12u2 dev2#1:3.0.11-1~deb12u2 dev3#1:3.1.4-r5");
	package("openssl", "apk", 0, NULL, "dev3#1");
	package("openssl<3.1.4-r10", NULL, 0, NULL,
	    "dev1#1 dev1#2 dev1#3 dev2#1 dev3#1");	/* apk: r5 < r10 */
	package("musl>1.2.4", NULL, 0, NULL, "dev3#1");	/* -r2 is newer */
	/* Names as the manager compares them. */
	package("pyyaml", NULL, 0, NULL, "dev1#1 dev1#2 dev1#3 dev2#1");
	package("PyYAML>=6.0.0", "pip", 1, NULL, "dev1#3 dev2#1");
	package("typing-extensions", NULL, 0, NULL, "dev2#1");
	package("Typing.Extensions<4.13", NULL, 0, NULL, "dev2#1");
	package("LIBSSL3", NULL, 0, NULL, "");	/* dpkg's are exact */
	package("libssl", NULL, 0, NULL, "");	/* a whole name, not a part */
	/* Each in its manager's order. */
	package("requests<2.31.1", NULL, 0, NULL, "dev2#1");
	package("requests>2.31.0rc1", NULL, 0, NULL, "dev2#1");
	package("typescript<5.0.0", NULL, 0, NULL, "dev2#1");	/* semver */
	package("typescript<5.0.0-beta.10", NULL, 0, NULL, "dev2#1");
	package("typescript>5.0.0-beta.10", NULL, 0, NULL, "");
	/* Globs. */
	package("lib*", "dpkg", 1, NULL, "dev1#3 dev2#1 dev2#1");
	package("*ssl*<3.0.12", NULL, 0, NULL,
	    "dev1#1 dev1#1 dev1#2 dev1#3 dev2#1 dev2#1");
	package("j?", NULL, 0, NULL, "dev1#2 dev1#3");
}

static void
test_others(void)
{
	other(FIND_FILE, "/etc/app.conf", 0, "dev1#2 dev1#3");
	other(FIND_FILE, "/etc/app.conf", 1, "dev1#3");
	other(FIND_FILE, "/usr/bin/*", 0, "dev1#2");
	other(FIND_FILE, "*.conf", 0, "dev1#2 dev1#3");
	other(FIND_FILE, "/etc/app", 0, "");
	other(FIND_ENV, "HF_TOKEN", 0, "dev1#2");
	other(FIND_ENV, "HF_*", 0, "dev1#2");
	other(FIND_ENV, "hf_secretvalue", 0, "");	/* values are not searched */
	other(FIND_ENV, "*secret*", 0, "");
	other(FIND_MOUNT, "/data/models", 0, "dev1#2");
	other(FIND_MOUNT, "/data/*", 0, "dev1#2");
	other(FIND_MOUNT, "models", 0, "dev2#1");
	other(FIND_MOUNT, "/models", 0, "");	/* a destination is no source */
	other(FIND_BASE, "debian", 0, "dev1#1 dev1#2 dev1#3 dev2#1");
	other(FIND_BASE, "debian:bookworm", 0, "dev1#1 dev1#2 dev1#3");
	other(FIND_BASE, "debian:latest", 0, "dev2#1");
	other(FIND_BASE, "docker.io/library/debian:bookworm", 1, "dev1#3");
	other(FIND_BASE, DEBIAN_DIGEST, 1, "dev1#3");
	other(FIND_BASE, "sha256:2222", 0, "dev3#1");
	other(FIND_BASE, "222222222222", 0, "dev3#1");
	other(FIND_BASE, "alpine*", 0, "dev3#1");
	other(FIND_BASE, "ubuntu", 0, "");
}

static void
test_base_matches(void)
{
	ok(find_base_matches("debian", "debian:bookworm", DEBIAN, NULL),
	    "a repository matches its tags");
	ok(!find_base_matches("debian:bullseye", "debian:bookworm", DEBIAN, NULL),
	    "another tag does not");
	ok(find_base_matches("debian", "docker.io/library/debian", DEBIAN, NULL),
	    "docker.io/library/ is the default");
	ok(!find_base_matches("debian", "myregistry:5000/debian", DEBIAN, NULL),
	    "another registry's is another image");
	ok(find_base_matches("registry.example:5000/team/img:1",
	    "registry.example:5000/team/img:1", DEBIAN, NULL),
	    "a registry with a port");
	ok(!find_base_matches("1111", "debian", DEBIAN, NULL),
	    "a few hex digits are no id");
}

int
main(void)
{
	char tmpl[] = "/tmp/keep-test-find.XXXXXX";
	char *dir = mkdtemp(tmpl);
	struct keep_error *err = NULL;
	char *cmd;

	if (!ok(catalog_open(dir, &cat, &err) == 0, "open a catalog"))
		return done_testing();
	fill();
	test_packages();
	test_others();
	test_base_matches();
	catalog_close(cat);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (system(cmd) != 0)
		ok(0, "remove %s", dir);
	free(cmd);
	return done_testing();
}
