/*
 * Golden-file tests of the Dockerfile renderer: each case builds a snapshot
 * description, renders it and compares the text with
 * $KEEP_FIXTURES/render/<case>.Dockerfile and the warnings with
 * <case>.warnings. KEEP_UPDATE_GOLDEN=1 rewrites the golden files instead;
 * review the change with git diff before committing it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "render/dockerfile.h"
#include "render/quote.h"
#include "tap.h"
#include "util/xalloc.h"

#define BASE_ID "sha256:4b3d7aefbea1784463b727fdea2e633bcf77fce0e02fb5a13985d23c08cc94cc"
#define BASE_DIGEST "debian@sha256:b877a1a3fdf02469440f1768cf69c9771338a875b7add5e80c45b756c92ac20a"
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct fixture {
	struct container c;
	struct image base;
	struct pkg_changes pkgs;
	struct fs_changes files;
	struct recipe_input in;
	struct context_file cf[8];
	size_t n_cf;
	struct apt_sources apt;
};

static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->base.id = xstrdup(BASE_ID);
	f->base.user = xstrdup("");
	f->base.workdir = xstrdup("");
	f->base.created = xstrdup("");
	strv_push(&f->base.repo_tags, "debian:bookworm");
	strv_push(&f->base.repo_digests, BASE_DIGEST);
	kvv_push(&f->base.env, "PATH", DEFAULT_PATH);
	strv_push(&f->base.cmd, "bash");
	f->c.id = xstrdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	f->c.name = xstrdup("dev1");
	f->c.image_ref = xstrdup("debian:bookworm");
	f->c.image_id = xstrdup(BASE_ID);
	f->c.user = xstrdup("");
	f->c.workdir = xstrdup("");
	kvv_push(&f->c.env, "PATH", DEFAULT_PATH);
	strv_push(&f->c.cmd, "bash");
	f->in.container = &f->c;
	f->in.base = &f->base;
	f->in.base_ref = "debian:bookworm";
	f->in.base_digest = image_repo_digest(&f->base, "debian:bookworm");
	f->in.snapshot_seq = 1;
	f->in.pkgs = &f->pkgs;
	f->in.files = &f->files;
	f->in.context_files = f->cf;
	f->in.apt_sources = &f->apt;
}

static void
fixture_release(struct fixture *f)
{
	container_release(&f->c);
	image_release(&f->base);
	pkg_changes_release(&f->pkgs);
	fs_changes_release(&f->files);
	apt_sources_release(&f->apt);
}

static void
set_str(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

static void
set_env(struct kvv *env, const char *key, const char *value)
{
	for (size_t i = 0; i < env->n; i++)
		if (strcmp(env->v[i].key, key) == 0) {
			set_str(&env->v[i].value, value);
			return;
		}
	kvv_push(env, key, value);
}

static struct pkg *
add_pkg(struct fixture *f, enum pkg_change_kind kind, const char *manager,
    const char *name, const char *version, int automatic)
{
	struct pkg_change *c;

	f->pkgs.v = xrealloc(f->pkgs.v, (f->pkgs.n + 1) * sizeof(*f->pkgs.v));
	c = &f->pkgs.v[f->pkgs.n++];
	memset(c, 0, sizeof(*c));
	c->change = kind;
	pkg_init_fields(&c->pkg);
	set_str(&c->pkg.manager, manager);
	set_str(&c->pkg.name, name);
	set_str(&c->pkg.version, version);
	c->pkg.automatic = automatic;
	c->old_version = xstrdup("");
	return &c->pkg;
}

static void
add_mount(struct fixture *f, const char *type, const char *src, const char *dst, int rw)
{
	struct mount *m;

	f->c.mounts = xrealloc(f->c.mounts, (f->c.n_mounts + 1) * sizeof(*f->c.mounts));
	m = &f->c.mounts[f->c.n_mounts++];
	m->type = xstrdup(type);
	m->source = xstrdup(src);
	m->destination = xstrdup(dst);
	m->mode = xstrdup(rw ? "" : "ro");
	m->rw = rw;
	m->driver = xstrdup(strcmp(type, "volume") == 0 ? "local" : "");
}

static void
add_cf(struct fixture *f, const char *path, unsigned uid, unsigned gid, unsigned mode, int dir)
{
	struct context_file *cf = &f->cf[f->n_cf++];

	cf->path = path;
	cf->uid = uid;
	cf->gid = gid;
	cf->mode = mode;
	cf->is_dir = dir;
	f->in.n_context_files = f->n_cf;
}

static char *
read_file(const char *path)
{
	FILE *fp = fopen(path, "rb");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;

	if (fp == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	return buf_detach(&b, NULL);
}

static int
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "wb");

	if (fp == NULL)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}

/* Print where got and want part, and the command that shows all of it. */
static void
diff_hint(const char *golden, const char *got, const char *want)
{
	cleanup_free char *tmp = xasprintf("%s.got", golden);
	int line = 1;
	size_t i = 0;

	while (got[i] && got[i] == want[i]) {
		if (got[i] == '\n')
			line++;
		i++;
	}
	printf("#   first difference at line %d\n", line);
	if (write_file(tmp, got) == 0)
		printf("#   diff -u %s %s\n#   (KEEP_UPDATE_GOLDEN=1 rewrites the golden file)\n",
		    golden, tmp);
}

static void
check_golden(const char *name, const char *ext, const char *got)
{
	const char *dir = getenv("KEEP_FIXTURES");
	cleanup_free char *path = xasprintf("%s/render/%s.%s", dir ? dir : "tests/fixtures", name, ext);
	cleanup_free char *want = NULL;

	if (getenv("KEEP_UPDATE_GOLDEN") && strcmp(getenv("KEEP_UPDATE_GOLDEN"), "1") == 0) {
		ok(write_file(path, got) == 0, "%s: golden %s rewritten", name, ext);
		return;
	}
	want = read_file(path);
	if (!ok(want != NULL && strcmp(got, want) == 0, "%s: %s matches %s", name, ext, path) &&
	    want != NULL)
		diff_hint(path, got, want);
	else if (want == NULL)
		printf("#   missing %s (KEEP_UPDATE_GOLDEN=1 writes it)\n", path);
}

/* Render f and compare with the golden files; the caller frees *text_out. */
static void
render_case(const char *name, struct fixture *f, char **text_out)
{
	struct buf out = BUF_INIT, warn = BUF_INIT;
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;
	int rc = render_dockerfile(&f->in, &out, &warnings, &err);

	ok(rc == 0, "%s: rendered%s%s", name, err ? ": " : "", err ? err->message : "");
	for (size_t i = 0; i < warnings.n; i++)
		buf_printf(&warn, "%s\n", warnings.v[i]);
	check_golden(name, "Dockerfile", buf_cstr(&out));
	check_golden(name, "warnings", buf_cstr(&warn));
	{
		/* Deterministic: a second rendering gives the same bytes. */
		struct buf again = BUF_INIT;

		render_dockerfile(&f->in, &again, NULL, NULL);
		is_str(buf_cstr(&again), buf_cstr(&out), "%s: rendering twice gives the same text", name);
		buf_release(&again);
	}
	*text_out = buf_detach(&out, NULL);
	buf_release(&warn);
	strv_release(&warnings);
	keep_error_free(err);
}

static const char *const instructions[] = {
	"FROM ", "ARG ", "RUN ", "COPY ", "ENV ", "WORKDIR ", "USER ", "EXPOSE ",
	"CMD ", "ENTRYPOINT ",
};

/*
 * Walk the text as the builder does: comments, blank lines, continuation
 * lines of a line ending in '\', and instructions. Fails when a line starts
 * no known instruction, or when needle shows up where the shell or the
 * builder would act on it: a RUN line or its continuations, or an unquoted
 * instruction. ENV words and JSON arrays may carry it as escaped data.
 */
static int
structure_ok(const char *name, const char *text, const char *needle)
{
	cleanup_free char *copy = xstrdup(text);
	int continued = 0, good = 1, lineno = 0;

	for (char *line = strtok(copy, "\n"); line; line = strtok(NULL, "\n")) {
		size_t len = strlen(line);
		int known = 0;

		lineno++;
		if (line[0] == '#' && !continued)
			continue;
		if (!continued) {
			for (size_t i = 0; i < sizeof(instructions) / sizeof(instructions[0]); i++)
				known |= strncmp(line, instructions[i], strlen(instructions[i])) == 0;
			if (!known) {
				printf("#   %s: line %d starts no known instruction: %s\n", name, lineno, line);
				good = 0;
			}
		} else if (line[0] != '\t') {
			printf("#   %s: continuation line %d not indented: %s\n", name, lineno, line);
			good = 0;
		}
		if (needle && strstr(line, needle) && (continued ||
		    (strncmp(line, "ENV ", 4) != 0 && strncmp(line, "CMD [", 5) != 0 &&
		    strncmp(line, "ENTRYPOINT [", 12) != 0 && strncmp(line, "COPY ", 5) != 0))) {
			printf("#   %s: line %d carries '%s': %s\n", name, lineno, needle, line);
			good = 0;
		}
		continued = len > 0 && line[len - 1] == '\\';
	}
	return good;
}

static void
test_apt_plain(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;

	fixture_init(&f);
	add_pkg(&f, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u2", 0);
	add_pkg(&f, PKG_ADDED, "dpkg", "libonig5", "6.9.8-1", 1);
	add_pkg(&f, PKG_ADDED, "dpkg", "libjq1", "1.6-2.1+deb12u2", 1);
	render_case("apt_plain", &f, &text);
	ok(structure_ok("apt_plain", text, NULL), "apt_plain: well formed");
	ok(strstr(text, "FROM " BASE_DIGEST "\n") != NULL, "apt_plain: FROM pinned by digest");
	ok(strstr(text, "upgrade") == NULL, "apt_plain: no apt-get upgrade");
	fixture_release(&f);
}

static void
test_apt_purge_upgrade(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;
	struct pkg *p;

	fixture_init(&f);
	add_pkg(&f, PKG_REMOVED, "dpkg", "nano", "7.2-1", 0);
	p = add_pkg(&f, PKG_UPGRADED, "dpkg", "tzdata", "2025b-0+deb12u1", 0);
	(void)p;
	f.pkgs.v[f.pkgs.n - 1].old_version = (free(f.pkgs.v[f.pkgs.n - 1].old_version), xstrdup("2024a-0+deb12u1"));
	add_pkg(&f, PKG_UPGRADED, "dpkg", "libssl3", "3.0.17-1~deb12u2", 1);
	add_pkg(&f, PKG_ADDED, "dpkg", "curl", "7.88.1-10+deb12u12", 0);
	render_case("apt_purge_upgrade", &f, &text);
	ok(structure_ok("apt_purge_upgrade", text, NULL), "apt_purge_upgrade: well formed");
	fixture_release(&f);
}

/* The last package added was first saved at t. */
static void
saved_at(struct fixture *f, const char *t)
{
	f->pkgs.v[f->pkgs.n - 1].first_saved = xstrdup(t);
}

static void
test_apt_snapshot(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;
	const char *deb = "/usr/share/keyrings/debian-archive-keyring.gpg";
	const char *run, *list, *install;
	struct pkg *p;

	fixture_init(&f);
	apt_sources_push(&f.apt, "http://deb.debian.org/debian", "bookworm", "main", deb, "debian");
	apt_sources_push(&f.apt, "http://deb.debian.org/debian", "bookworm-updates", "main", deb, "debian");
	apt_sources_push(&f.apt, "http://deb.debian.org/debian-security", "bookworm-security", "main",
	    deb, "debian-security");
	/* A mirror of the same archive: merged, components joined, no common key. */
	apt_sources_push(&f.apt, "https://mirrors.example.cn/debian", "bookworm", "main contrib", "",
	    "debian");
	apt_sources_push(&f.apt, "http://packages.ros.org/ros2/ubuntu", "jammy", "main",
	    "/usr/share/keyrings/ros-archive-keyring.gpg", "");
	add_pkg(&f, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u2", 0);
	saved_at(&f, "2026-11-28T21:58:16Z");
	add_pkg(&f, PKG_ADDED, "dpkg", "libjq1", "1.6-2.1+deb12u2", 1);
	saved_at(&f, "2026-11-28T21:58:16Z");
	add_pkg(&f, PKG_UPGRADED, "dpkg", "libssl3", "3.0.17-1~deb12u2", 1);
	saved_at(&f, "2026-12-05T13:02:11Z");
	add_pkg(&f, PKG_REMOVED, "dpkg", "nano", "7.2-1", 0);
	/* A local .deb is no pin: its time dates nothing. */
	p = add_pkg(&f, PKG_ADDED, "dpkg", "keep-hello", "1.0-1", 0);
	set_str(&p->origin, "local");
	saved_at(&f, "2026-10-01T00:00:00Z");
	render_case("apt_snapshot", &f, &text);
	ok(structure_ok("apt_snapshot", text, NULL), "apt_snapshot: well formed");
	run = strstr(text, "RUN ");
	install = strstr(text, "apt-get install -y --no-install-recommends \"$@\"");
	list = strstr(text, ">/etc/apt/sources.list.d/keep-snapshot.list");
	ok(run && install && list && install < list,
	    "apt_snapshot: the archive is added only after the install from the mirror failed");
	ok(strstr(text, "20261001T000000Z") == NULL, "apt_snapshot: a local package dates nothing");
	ok(strstr(text, "rm -rf /var/lib/apt/lists/* /etc/apt/sources.list.d/keep-snapshot.list") != NULL,
	    "apt_snapshot: the archive's list leaves with the lists, in the same RUN");
	ok(strstr(text, "#   http://packages.ros.org/ros2/ubuntu jammy\n") != NULL,
	    "apt_snapshot: ROS named as having no archive");
	fixture_release(&f);

	/* always, at a local archive; hostile values from the container. */
	free(text);
	fixture_init(&f);
	f.in.apt_snapshot = RENDER_APT_SNAPSHOT_ALWAYS;
	f.in.apt_snapshot_url = "http://127.0.0.1:8080/snapshots";
	apt_sources_push(&f.apt, "http://archive.ubuntu.com/ubuntu", "noble", "main universe", "",
	    "ubuntu");
	apt_sources_push(&f.apt, "http://archive.ubuntu.com/ubuntu", "noble-updates';id;'", "main", "",
	    "ubuntu");
	apt_sources_push(&f.apt, "http://archive.ubuntu.com/ubuntu", "noble-security", "main",
	    "/k'ey.gpg", "ubuntu");
	add_pkg(&f, PKG_ADDED, "dpkg", "jq", "1.7.1-3build1", 0);
	saved_at(&f, "2026-11-28T21:58:16Z");
	add_pkg(&f, PKG_ADDED, "dpkg", "curl", "8.5.0-2ubuntu10.6", 0);
	saved_at(&f, "2026-11-28T21:58:16Z;id");
	render_case("apt_snapshot_always", &f, &text);
	ok(structure_ok("apt_snapshot_always", text, ";id"), "apt_snapshot_always: well formed, no injection");
	list = strstr(text, ">/etc/apt/sources.list.d/keep-snapshot.list");
	ok(list && list < strstr(text, "apt-get update"),
	    "apt_snapshot_always: the archive is a source before the update");
	fixture_release(&f);

	/* never: the install as it always was; a bad URL falls back with a warning. */
	fixture_init(&f);
	f.in.apt_snapshot = RENDER_APT_SNAPSHOT_NEVER;
	apt_sources_push(&f.apt, "http://deb.debian.org/debian", "bookworm", "main", "", "debian");
	add_pkg(&f, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u2", 0);
	saved_at(&f, "2026-11-28T21:58:16Z");
	add_pkg(&f, PKG_ADDED, "dpkg", "libjq1", "1.6-2.1+deb12u2", 1);
	add_pkg(&f, PKG_ADDED, "dpkg", "libonig5", "6.9.8-1", 1);
	free(text);
	render_case("apt_plain", &f, &text);
	fixture_release(&f);

	ok(render_apt_snapshot_url_valid("http://snapshot.debian.org/archive"), "url: plain");
	ok(!render_apt_snapshot_url_valid("http://u:p@snapshot.example/archive"), "url: no credentials");
	ok(!render_apt_snapshot_url_valid("http://x/a' b"), "url: nothing a shell reads");
	ok(!render_apt_snapshot_url_valid("ftp://x/a"), "url: http or https");
	ok(!render_apt_snapshot_url_valid("http://x/a/"), "url: no trailing slash");
	free(text);
	text = render_apt_snapshot_time("2026-12-05T13:02:11Z");
	is_str(text, "20261205T130211Z", "time: the archive's form");
	ok(render_apt_snapshot_time("2026-12-05 13:02:11") == NULL, "time: another form is none");
}

static void
test_nonroot(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;
	const char *root, *back;

	fixture_init(&f);
	set_str(&f.base.user, "dev");
	set_str(&f.c.user, "dev");
	add_pkg(&f, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u2", 0);
	render_case("nonroot", &f, &text);
	root = strstr(text, "USER root\n");
	back = strstr(text, "USER dev\n");
	ok(root && back && root < strstr(text, "RUN ") && back > strstr(text, "RUN "),
	    "nonroot: USER root before the install, USER dev after it");
	fixture_release(&f);
}

static void
test_env_proxy(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;

	fixture_init(&f);
	set_env(&f.c.env, "PATH", "/root/.cargo/bin:" DEFAULT_PATH);
	set_env(&f.c.env, "HTTP_PROXY", "http://127.0.0.1:7897");
	set_env(&f.c.env, "https_proxy", "http://user:hunter2@proxy.corp:3128");
	set_env(&f.c.env, "NO_PROXY", "localhost,127.0.0.1");
	set_env(&f.c.env, "API_TOKEN", "s3cr3t-t0ken-value");
	set_env(&f.c.env, "DATABASE_URL", "postgres://app:pa55w0rd@db/app");
	set_env(&f.c.env, "LANG", "C.UTF-8");
	set_env(&f.c.env, "PRICE", "costs $5 \"quoted\" back\\slash");
	render_case("env_proxy", &f, &text);
	ok(structure_ok("env_proxy", text, NULL), "env_proxy: well formed");
	ok(strstr(text, "ENV PATH=\"/root/.cargo/bin:${PATH}\"\n") != NULL, "env_proxy: PATH as ENV");
	ok(strstr(text, "ARG HTTP_PROXY") == NULL && strstr(text, "ARG https_proxy") == NULL &&
	    strstr(text, "ARG NO_PROXY") == NULL,
	    "env_proxy: no ARG line for a predefined proxy argument (it would enter the history)");
	ok(strstr(text, "# HTTP_PROXY was 'http://127.0.0.1:7897'") != NULL,
	    "env_proxy: the proxy named in a comment");
	ok(strstr(text, "ENV HTTP_PROXY") == NULL && strstr(text, "ENV https_proxy") == NULL,
	    "env_proxy: proxies never ENV");
	ok(strstr(text, "--network=host") != NULL, "env_proxy: loopback proxy explained");
	ok(strstr(text, "API_TOKEN") != NULL, "env_proxy: the secret's name is listed");
	ok(strstr(text, "s3cr3t") == NULL, "env_proxy: the token's value appears nowhere");
	ok(strstr(text, "hunter2") == NULL, "env_proxy: proxy credentials appear nowhere");
	ok(strstr(text, "pa55w0rd") == NULL, "env_proxy: URL credentials appear nowhere");
	ok(strstr(text, "ENV PRICE=\"costs \\$5 \\\"quoted\\\" back\\\\slash\"\n") != NULL,
	    "env_proxy: $, quote and backslash escaped");
	fixture_release(&f);
}

static void
test_pip_venv(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;
	struct pkg *p;

	fixture_init(&f);
	p = add_pkg(&f, PKG_ADDED, "pip", "requests", "2.31.0", 0);
	set_str(&p->location, "/opt/venv/lib/python3.11/site-packages");
	p = add_pkg(&f, PKG_ADDED, "pip", "urllib3", "2.2.1", 1);
	set_str(&p->location, "/opt/venv/lib/python3.11/site-packages");
	set_str(&p->installer, "uv");
	p = add_pkg(&f, PKG_ADDED, "pip", "torch", "2.3.0+cu121", 0);
	set_str(&p->location, "/opt/venv/lib/python3.11/site-packages");
	p = add_pkg(&f, PKG_ADDED, "pip", "httpie", "3.2.2", 0);
	set_str(&p->location, "/usr/local/lib/python3.11/dist-packages");
	p = add_pkg(&f, PKG_REMOVED, "pip", "six", "1.16.0", 0);
	set_str(&p->location, "/usr/lib/python3/dist-packages");
	p = add_pkg(&f, PKG_ADDED, "pip", "black", "24.4.2", 0);
	set_str(&p->location, "/root/.local/lib/python3.11/site-packages");
	p = add_pkg(&f, PKG_ADDED, "npm", "@anthropic-ai/claude-code", "1.0.3", 0);
	set_str(&p->location, "/usr/local/lib/node_modules");
	add_pkg(&f, PKG_ADDED, "dpkg", "python3-venv", "3.11.2-1+b1", 0);
	fs_changes_push(&f.files, "/opt/venv", FS_ADDED);
	fs_changes_push(&f.files, "/opt/venv/pyvenv.cfg", FS_ADDED);
	render_case("pip_venv", &f, &text);
	ok(structure_ok("pip_venv", text, NULL), "pip_venv: well formed");
	ok(strstr(text, "/opt/venv/bin/python -m pip install --no-cache-dir") != NULL,
	    "pip_venv: the venv's own interpreter installs");
	ok(strstr(text, "requests==2.31.0") != NULL, "pip_venv: == pins");
	fixture_release(&f);
}

/* apk and npm: one install and one remove command each. */
static void
test_apk_npm(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;
	struct pkg *p;

	fixture_init(&f);
	add_pkg(&f, PKG_ADDED, "apk", "py3-requests", "2.31.0-r1", 0);
	add_pkg(&f, PKG_UPGRADED, "apk", "busybox", "1.36.1-r15", 0);
	add_pkg(&f, PKG_REMOVED, "apk", "nano", "7.2-r1", 0);
	p = add_pkg(&f, PKG_ADDED, "npm", "typescript", "5.4.5", 0);
	set_str(&p->location, "/usr/local/lib/node_modules");
	p = add_pkg(&f, PKG_REMOVED, "npm", "left-pad", "1.3.0", 0);
	set_str(&p->location, "/usr/local/lib/node_modules");
	render_case("apk_npm", &f, &text);
	ok(structure_ok("apk_npm", text, NULL), "apk_npm: well formed");
	ok(strstr(text, "apk add --no-cache") != NULL &&
	    strstr(text, "apk add --no-cache") < strstr(text, "apk del"),
	    "apk_npm: apk installs, then removes");
	ok(strstr(text, "typescript@5.4.5") != NULL, "apk_npm: npm pins with @");
	fixture_release(&f);
}

static void
test_local_flagged(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;
	struct strv w = { 0 };
	struct buf out = BUF_INIT;
	struct pkg *p;
	int named = 0;

	fixture_init(&f);
	p = add_pkg(&f, PKG_ADDED, "dpkg", "vendor-driver", "550.54-1", 0);
	set_str(&p->origin, "local");
	p = add_pkg(&f, PKG_ADDED, "pip", "mylib", "0.1.0", 0);
	set_str(&p->location, "/usr/local/lib/python3.11/dist-packages");
	set_str(&p->origin, "file:///tmp/mylib-0.1.0-py3-none-any.whl");
	p = add_pkg(&f, PKG_ADDED, "pip", "private", "1.2.0", 0);
	set_str(&p->location, "/usr/local/lib/python3.11/dist-packages");
	set_str(&p->origin, "git+https://ghp_SECRETTOKEN@github.com/acme/private.git");
	add_pkg(&f, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u2", 0);
	render_case("local_flagged", &f, &text);
	ok(strstr(text, "vendor-driver") && strstr(text, "mylib") && strstr(text, "private"),
	    "local_flagged: every package is named");
	ok(strstr(text, "ghp_SECRETTOKEN") == NULL, "local_flagged: origin credentials stripped");
	render_dockerfile(&f.in, &out, &w, NULL);
	for (size_t i = 0; i < w.n; i++)
		named += strstr(w.v[i], "'vendor-driver'") || strstr(w.v[i], "'mylib'") ||
		    strstr(w.v[i], "'private'");
	is_int(named, 3, "local_flagged: one warning each");
	buf_release(&out);
	strv_release(&w);
	fixture_release(&f);
}

static void
test_mounts(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;

	fixture_init(&f);
	add_mount(&f, "bind", "/srv/models", "/models", 0);
	add_mount(&f, "bind", "/home/me/src", "/workspace", 1);
	add_mount(&f, "volume", "pipcache", "/root/.cache/pip", 1);
	add_mount(&f, "tmpfs", "", "/scratch", 1);
	render_case("mounts", &f, &text);
	ok(structure_ok("mounts", text, NULL), "mounts: well formed");
	ok(strstr(text, "COPY") == NULL && strstr(text, "VOLUME") == NULL,
	    "mounts: nothing baked in");
	fixture_release(&f);
}

static void
test_no_digest(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;

	fixture_init(&f);
	strv_release(&f.base.repo_digests);
	f.in.base_ref = "keep-test/bookworm:probe";
	f.in.base_digest = image_repo_digest(&f.base, f.in.base_ref);
	set_str(&f.c.workdir, "/work");
	strv_release(&f.c.cmd);
	strv_push(&f.c.cmd, "sleep");
	strv_push(&f.c.cmd, "infinity");
	strv_push(&f.c.entrypoint, "/usr/bin/tini");
	strv_push(&f.c.entrypoint, "--");
	strv_push(&f.c.exposed_ports, "8080/tcp");
	strv_push(&f.c.exposed_ports, "53/udp");
	add_pkg(&f, PKG_ADDED, "dpkg", "jq", "1.6-2.1+deb12u2", 0);
	add_pkg(&f, PKG_ADDED, "dpkg", "libjq1", "1.6-2.1+deb12u2", 1);
	add_pkg(&f, PKG_ADDED, "dpkg", "libonig5", "6.9.8-1", 1);
	render_case("no_digest", &f, &text);
	ok(f.in.base_digest == NULL, "no_digest: no digest found");
	ok(strstr(text, "FROM " BASE_ID "\n") != NULL, "no_digest: FROM pinned by image id");
	ok(structure_ok("no_digest", text, NULL), "no_digest: well formed");
	fixture_release(&f);
}

static void
test_context(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;

	fixture_init(&f);
	f.in.use_context = 1;
	fs_changes_push(&f.files, "/etc/apt/sources.list.d", FS_MODIFIED);
	fs_changes_push(&f.files, "/etc/apt/sources.list.d/vendor.list", FS_ADDED);
	fs_changes_push(&f.files, "/etc/apt/keyrings/vendor.gpg", FS_ADDED);
	fs_changes_push(&f.files, "/etc", FS_MODIFIED);
	fs_changes_push(&f.files, "/etc/myapp.conf", FS_ADDED);
	fs_changes_push(&f.files, "/etc/motd", FS_DELETED);
	fs_changes_push(&f.files, "/opt/tool", FS_ADDED);
	fs_changes_push(&f.files, "/opt/tool/bin/tool", FS_ADDED);
	fs_changes_push(&f.files, "/var/big.bin", FS_ADDED);
	add_cf(&f, "/etc/apt/sources.list.d/vendor.list", 0, 0, 0644, 0);
	add_cf(&f, "/etc/apt/keyrings/vendor.gpg", 0, 0, 0644, 0);
	add_cf(&f, "/etc/myapp.conf", 1000, 1000, 0600, 0);
	add_cf(&f, "/opt/tool", 0, 0, 0755, 1);
	add_pkg(&f, PKG_ADDED, "dpkg", "vendor-tool", "2.0-1", 0);
	render_case("context", &f, &text);
	ok(structure_ok("context", text, NULL), "context: well formed");
	ok(strstr(text, "COPY --chown=1000:1000 [\"files/etc/myapp.conf\", \"/etc/myapp.conf\"]") != NULL,
	    "context: COPY with owner");
	ok(strstr(text, "vendor.list") < strstr(text, "apt-get install"),
	    "context: sources before packages");
	fixture_release(&f);
}

/*
 * The developer behind a TLS-inspecting proxy: a company CA, npm and pip
 * settings (two of them with credentials), an apt proxy, then installs.
 */
static void
installer_fixture(struct fixture *f)
{
	struct pkg *p;

	fixture_init(f);
	fs_changes_push(&f->files, "/usr/local/share/ca-certificates/corp.crt", FS_ADDED);
	fs_changes_push(&f->files, "/etc/npmrc", FS_ADDED);
	fs_changes_push(&f->files, "/etc/pip.conf", FS_ADDED);
	fs_changes_push(&f->files, "/etc/apt/apt.conf.d/90proxy", FS_ADDED);
	fs_changes_push(&f->files, "/etc/myapp.conf", FS_ADDED);
	add_pkg(f, PKG_ADDED, "dpkg", "nodejs", "18.19.0+dfsg-6~deb12u2", 0);
	add_pkg(f, PKG_ADDED, "dpkg", "python3-pip", "23.0.1+dfsg-1", 0);
	p = add_pkg(f, PKG_ADDED, "npm", "typescript", "5.3.3", 0);
	set_str(&p->location, "/usr/local/lib/node_modules");
	p = add_pkg(f, PKG_ADDED, "pip", "requests", "2.31.0", 0);
	set_str(&p->location, "/usr/local/lib/python3.11/dist-packages");
}

static void
test_installer_config(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;
	struct buf out = BUF_INIT;
	const char *npm, *apt, *pip;

	/* With a context: the credentials are *** in the copied files. */
	installer_fixture(&f);
	f.in.use_context = 1;
	add_cf(&f, "/usr/local/share/ca-certificates/corp.crt", 0, 0, 0644, 0);
	add_cf(&f, "/etc/npmrc", 0, 0, 0644, 0);
	f.cf[f.n_cf - 1].secret = 1;
	add_cf(&f, "/etc/pip.conf", 0, 0, 0644, 0);
	f.cf[f.n_cf - 1].secret = 1;
	add_cf(&f, "/etc/apt/apt.conf.d/90proxy", 0, 0, 0644, 0);
	f.cf[f.n_cf - 1].secret = 1;
	add_cf(&f, "/etc/myapp.conf", 0, 0, 0644, 0);
	render_case("installer_config", &f, &text);
	ok(structure_ok("installer_config", text, NULL), "installer_config: well formed");
	npm = strstr(text, "npm install -g");
	apt = strstr(text, "apt-get install");
	pip = strstr(text, "pip install");
	ok(npm && apt && pip, "installer_config: all three install");
	ok(strstr(text, "\"/etc/npmrc\"]") < apt && strstr(text, "\"/etc/pip.conf\"]") < apt &&
	    strstr(text, "corp.crt\"]") < apt, "installer_config: configuration before every install");
	ok(strstr(text, "update-ca-certificates") < apt, "installer_config: the CA list updated before the installs");
	ok(strstr(text, "\"/etc/myapp.conf\"]") > npm, "installer_config: other files after the installs");
	ok(strstr(text, "--mount=type=secret,id=etc_npmrc,target=/etc/npmrc \\\n\tnpm install -g") != NULL,
	    "installer_config: npm mounts the npmrc secret");
	ok(strstr(text, "--mount=type=secret,id=etc_apt_apt.conf.d_90proxy,target=/etc/apt/apt.conf.d/90proxy") < apt,
	    "installer_config: apt mounts its proxy settings");
	{
		/* The dpkg RUN, from its comment to its install. */
		const char *sys = strstr(text, "# System packages");
		cleanup_free char *run = sys && apt > sys ? xstrndup(sys, (size_t)(apt - sys)) : NULL;

		ok(run && strstr(run, "90proxy") && !strstr(run, "etc_npmrc") && !strstr(run, "pip.conf"),
		    "installer_config: apt mounts its own secrets only");
	}
	ok(strstr(text, "--secret id=etc_npmrc,src=FILE") != NULL, "installer_config: the header says how to build");
	fixture_release(&f);
	free(text);
	text = NULL;

	/* ca-certificates among the installs: its scripts update the list. */
	installer_fixture(&f);
	f.in.use_context = 1;
	add_cf(&f, "/usr/local/share/ca-certificates/corp.crt", 0, 0, 0644, 0);
	add_pkg(&f, PKG_ADDED, "dpkg", "ca-certificates", "20230311", 0);
	render_case("installer_config_ca_pkg", &f, &text);
	ok(strstr(text, "update-ca-certificates") == NULL,
	    "installer_config: no update-ca-certificates when the package comes with the installs");
	fixture_release(&f);
	free(text);
	text = NULL;

	/* Without a context: save's finding alone makes the mounts. */
	installer_fixture(&f);
	f.files.v[1].secret = 1;	/* /etc/npmrc */
	render_case("installer_config_nocontext", &f, &text);
	ok(strstr(text, "--mount=type=secret,id=etc_npmrc,target=/etc/npmrc") != NULL,
	    "installer_config: mounts without a context too");
	ok(strstr(text, "update-ca-certificates") == NULL,
	    "installer_config: nothing copied, nothing to update");
	fixture_release(&f);
	free(text);
	text = NULL;

	/* A local base image (no digest): BuildKit needs its tag, not its ID. */
	installer_fixture(&f);
	f.files.v[1].secret = 1;
	f.in.base_digest = NULL;
	f.in.base_ref = "keep-test/bookworm:latest";
	render_case("installer_config_local_base", &f, &text);
	ok(strstr(text, "\nFROM keep-test/bookworm:latest\n") != NULL,
	    "installer_config: a local base goes by its tag when BuildKit must build");
	fixture_release(&f);
	free(text);
	text = NULL;
	installer_fixture(&f);
	f.in.base_digest = NULL;
	f.in.base_ref = "keep-test/bookworm:latest";
	render_dockerfile(&f.in, &out, NULL, NULL);
	ok(strstr(buf_cstr(&out), "\nFROM " BASE_ID "\n") != NULL,
	    "installer_config: without secrets it stays pinned by ID");
	buf_release(&out);
	fixture_release(&f);
	free(text);
	text = NULL;

	/* keep's own builds (classic builder): no mounts, no secret notes. */
	installer_fixture(&f);
	f.in.use_context = 1;
	f.in.classic_builder = 1;
	add_cf(&f, "/etc/npmrc", 0, 0, 0644, 0);
	f.cf[f.n_cf - 1].secret = 1;
	f.files.v[1].secret = 1;
	render_case("installer_config_classic", &f, &text);
	ok(strstr(text, "--mount") == NULL && strstr(text, "BuildKit") == NULL,
	    "installer_config: the classic builder gets no mounts");
	ok(structure_ok("installer_config_classic", text, NULL), "installer_config_classic: well formed");
	fixture_release(&f);
}

static void
test_hostile(void)
{
	struct fixture f;
	cleanup_free char *text = NULL;
	struct pkg *p;

	fixture_init(&f);
	set_str(&f.c.name, "dev1\nRUN touch /pwned-name");
	add_pkg(&f, PKG_ADDED, "dpkg", "evil;touch${IFS}/pwned", "1.0", 0);
	add_pkg(&f, PKG_ADDED, "dpkg", "jq", "1.0 && touch /pwned", 0);
	add_pkg(&f, PKG_REMOVED, "dpkg", "x$(touch /pwned)", "1", 0);
	add_pkg(&f, PKG_ADDED, "apk", "busybox", "1.0\nRUN touch /pwned", 0);
	p = add_pkg(&f, PKG_ADDED, "pip", "ok", "1.0`touch /pwned`", 0);
	set_str(&p->location, "/usr/local/lib/python3.11/site-packages");
	p = add_pkg(&f, PKG_ADDED, "pip", "good", "1.0", 0);
	set_str(&p->location, "/opt/$(touch /pwned)/lib/python3.11/site-packages");
	add_pkg(&f, PKG_ADDED, "npm", "~root", "1.0.0", 0);
	add_pkg(&f, PKG_ADDED, "npm", "left-pad", "1.0.0 || touch /pwned", 0);
	add_pkg(&f, PKG_ADDED, "rpm", "x\nRUN touch /pwned", "1", 0);
	set_env(&f.c.env, "GREETING", "hi\nRUN touch /pwned");
	set_env(&f.c.env, "BAD NAME", "x");
	set_env(&f.c.env, "SUB", "$(touch /pwned) ${HOME} `id`");
	set_str(&f.c.workdir, "/work\nRUN touch /pwned");
	set_str(&f.c.user, "dev\nRUN touch /pwned");
	strv_release(&f.c.cmd);
	strv_push(&f.c.cmd, "sh");
	strv_push(&f.c.cmd, "-c");
	strv_push(&f.c.cmd, "echo hi\nRUN touch /pwned \"]");
	strv_push(&f.c.exposed_ports, "80/tcp\nRUN touch /pwned");
	fs_changes_push(&f.files, "/etc/evil\nRUN touch /pwned", FS_ADDED);
	fs_changes_push(&f.files, "/etc/$(touch /pwned)", FS_ADDED);
	fs_changes_push(&f.files, "/etc/ok.conf", FS_ADDED);
	add_mount(&f, "bind", "/srv\nRUN touch /pwned", "/data", 1);
	render_case("hostile", &f, &text);
	ok(structure_ok("hostile", text, "pwned"),
	    "hostile: no line outside comments carries an injected command");
	ok(strstr(text, "\nRUN touch") == NULL, "hostile: no line starts RUN touch");
	ok(strstr(text, "\nENV SUB=\"\\$(touch /pwned) \\${HOME} `id`\"\n") != NULL,
	    "hostile: $ escaped in ENV, so the builder expands nothing");

	/* The same hostile files, offered through a build context. */
	f.in.use_context = 1;
	add_cf(&f, "/etc/evil\nRUN touch /pwned", 0, 0, 0644, 0);
	add_cf(&f, "/etc/$(touch /pwned)", 0, 0, 0644, 0);
	add_cf(&f, "/etc/ok.conf", 0, 0, 0644, 0);
	free(text);
	text = NULL;
	render_case("hostile_context", &f, &text);
	ok(structure_ok("hostile_context", text, "pwned"),
	    "hostile_context: no line outside comments carries an injected command");
	fixture_release(&f);
}

static void
test_errors(void)
{
	struct fixture f;
	struct buf out = BUF_INIT;
	struct keep_error *err = NULL;

	fixture_init(&f);
	set_str(&f.base.id, "sha256:nothex\nRUN x");
	ok(render_dockerfile(&f.in, &out, NULL, &err) < 0 && err != NULL,
	    "a malformed base image id is an error");
	ok(out.len == 0, "nothing written on error");
	ok(err && strchr(err->message, '\n') == NULL, "the error message is printable");
	keep_error_free(err);
	fixture_release(&f);
}

static void
test_quote(void)
{
	struct buf b = BUF_INIT;

	ok(quote_dockerfile_word(&b, "a\nb") < 0 && b.len == 0, "newline refused, nothing written");
	ok(quote_shell(&b, "it's") == 0, "shell quote");
	is_str(buf_cstr(&b), "'it'\\''s'", "single quote escaped");
	buf_truncate(&b, 0);
	ok(quote_json(&b, "a\"b\\c\n\x01") == 0, "json");
	is_str(buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001\"", "json escapes");
	buf_truncate(&b, 0);
	ok(quote_json(&b, "\xff") < 0, "json refuses invalid UTF-8");
	ok(quote_path_safe("/etc/a b.conf"), "space is fine in a path");
	ok(quote_path_safe("/opt/\xe6\xa8\xa1\xe5\x9e\x8b"), "UTF-8 is fine in a path");
	ok(!quote_path_safe("/etc/$x"), "$ is not");
	ok(!quote_path_safe("/etc/*"), "glob is not");
	ok(!quote_path_safe("/etc/../x"), "dot-dot is not");
	ok(!quote_path_safe("etc/x"), "relative is not");
	ok(!quote_path_safe("/etc/<<EOF"), "heredoc is not");
	buf_truncate(&b, 0);
	ok(quote_json(&b, "csi \xc2\x9b") == 0, "json takes a C1 control");
	is_str(buf_cstr(&b), "\"csi \\u009b\"", "json escapes a C1 control");
	buf_truncate(&b, 0);
	ok(quote_dockerfile_word(&b, "csi \xc2\x9b") < 0, "an ENV word refuses a C1 control");
	buf_release(&b);
}

int
main(void)
{
	test_quote();
	test_apt_plain();
	test_apt_purge_upgrade();
	test_apt_snapshot();
	test_nonroot();
	test_env_proxy();
	test_pip_venv();
	test_apk_npm();
	test_local_flagged();
	test_mounts();
	test_no_digest();
	test_context();
	test_installer_config();
	test_hostile();
	test_errors();
	return done_testing();
}
