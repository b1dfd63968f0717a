/*
 * libFuzzer target for the Dockerfile renderer: the input is split at NUL
 * bytes into the untrusted fields of a snapshot - env names and values,
 * user, workdir, cmd, a label, a port, a package (name, version, location,
 * old version, origin), loose file paths, two mounts, an apt source with
 * the pin's time and the snapshot archive's URL - and whether a build
 * context carries the files (with owners and modes from the input). Planted
 * secrets ride along: a token (API_TOKEN), a proxy with a password
 * (HTTP_PROXY, at a loopback address or not), a URL with a password in a
 * plain variable and in the package's origin. The snapshot is rendered and
 * fuzz_check.h's properties must hold: every Dockerfile line blank, a
 * comment, a known instruction or a RUN's continuation; no instruction
 * taking the seeds' marker "kpwn" (put after newlines: "\nRUN kpwn"); no
 * control byte; warnings one printable line each; no planted secret in the
 * Dockerfile or any warning. FUZZ_DUMP=1 prints the Dockerfile of a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "model/model.h"
#include "render/dockerfile.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define BASE_ID "sha256:4b3d7aefbea1784463b727fdea2e633bcf77fce0e02fb5a13985d23c08cc94cc"

/* The next NUL-separated field of the input, or "" when it is used up. */
static const char *
field(char **p, char *end)
{
	char *s = *p;

	if (s >= end)
		return "";
	*p = s + strlen(s) + 1;
	return s;
}

/*
 * s with each byte mapped to one a URL's user information may hold as is,
 * so that a password built from it stays one.
 */
static char *
unreserved(const char *s)
{
	static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789._~-";
	char *out = xstrdup(s);

	for (char *q = out; *q; q++)
		*q = set[(unsigned char)*q % (sizeof(set) - 1)];
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const managers[] = { "dpkg", "apk", "pip", "npm" };
	static const char *const mount_types[] = { "bind", "volume", "tmpfs" };
	char *buf = xmalloc(size + 1), *p = buf, *end = buf + size;
	struct container c = { 0 };
	struct image base = { 0 };
	struct pkg_changes pkgs = { 0 };
	struct fs_changes files = { 0 };
	struct apt_sources apt = { 0 };
	struct context_file cf[3];
	struct recipe_input in = { 0 };
	struct buf out = BUF_INIT;
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;
	struct pkg_change *pc;
	const char *k, *v;
	char *planted;

	memcpy(buf, data, size);
	buf[size] = '\0';
	fuzz_unmark(buf, size);

	base.id = xstrdup(BASE_ID);
	base.user = xstrdup("");
	base.workdir = xstrdup("");
	base.created = xstrdup("");
	kvv_push(&base.env, "PATH", "/usr/bin:/bin");
	strv_push(&base.cmd, "bash");
	c.id = xstrdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	c.name = xstrdup("fuzz");
	c.image_ref = xstrdup("debian:bookworm");
	c.image_id = xstrdup(BASE_ID);

	/* env: three pairs */
	for (int i = 0; i < 3; i++) {
		k = field(&p, end);
		v = field(&p, end);
		if (*k)
			kvv_push(&c.env, k, v);
	}
	c.user = xstrdup(field(&p, end));
	c.workdir = xstrdup(field(&p, end));
	for (int i = 0; i < 2; i++)
		strv_push(&c.cmd, field(&p, end));
	k = field(&p, end);
	v = field(&p, end);
	kvv_push(&c.labels, *k ? k : "x", v);
	strv_push(&c.exposed_ports, field(&p, end));

	pkgs.v = xcalloc(1, sizeof(*pkgs.v));
	pkgs.n = 1;
	pc = &pkgs.v[0];
	pc->change = size % 3 == 0 ? PKG_ADDED : size % 3 == 1 ? PKG_REMOVED : PKG_UPGRADED;
	pkg_init_fields(&pc->pkg);
	free(pc->pkg.manager);
	pc->pkg.manager = xstrdup(managers[size % 4]);
	free(pc->pkg.name);
	pc->pkg.name = xstrdup(field(&p, end));
	free(pc->pkg.version);
	pc->pkg.version = xstrdup(field(&p, end));
	free(pc->pkg.location);
	pc->pkg.location = xstrdup(field(&p, end));
	pc->old_version = xstrdup(field(&p, end));

	/* loose files, and the build context's copies of them */
	in.use_context = (size >> 1) & 1;
	for (int i = 0; i < 3; i++) {
		const char *path = field(&p, end);
		unsigned char b = (unsigned char)path[0];

		if (*path == '\0')
			continue;
		fs_changes_push(&files, path, (enum fs_change_kind)(i % 3));
		cf[in.n_context_files].path = files.v[files.n - 1].path;
		cf[in.n_context_files].uid = b % 3 == 0 ? 0 : 1000u + b;
		cf[in.n_context_files].gid = b % 5 == 0 ? 0 : 2000u + b;
		cf[in.n_context_files].mode = ((unsigned)b * 37u) & 07777;
		cf[in.n_context_files].is_dir = b & 1;
		in.n_context_files++;
	}
	in.context_files = cf;

	/* two mounts: a known type or the input's, source, destination, mode */
	c.mounts = xcalloc(2, sizeof(*c.mounts));
	for (int i = 0; i < 2; i++) {
		struct mount *m = &c.mounts[c.n_mounts];
		const char *type = field(&p, end);

		m->type = xstrdup(*type && (unsigned char)*type % 4 == 3 ? type :
		    mount_types[(unsigned char)*type % 3]);
		m->source = xstrdup(field(&p, end));
		m->destination = xstrdup(field(&p, end));
		m->mode = xstrdup(field(&p, end));
		m->rw = (size >> (2 + i)) & 1;
		c.n_mounts++;
	}

	/* the package's origin: the input's, or a URL with a password */
	v = field(&p, end);
	free(pc->pkg.origin);
	if ((size >> 4) & 1) {
		pc->pkg.origin = xstrdup(v);
	} else {
		planted = unreserved(v);
		pc->pkg.origin = xasprintf("git+https://u:" FUZZ_SECRET
		    "%s@example.org/r.git", planted);
		free(planted);
	}

	/* planted secrets; the proxy at 127.0.0.1 is warned about */
	planted = xasprintf(FUZZ_SECRET "%s", field(&p, end));
	kvv_push(&c.env, "API_TOKEN", planted);
	free(planted);
	v = field(&p, end);
	planted = xasprintf("http://u:" FUZZ_SECRET "@%s:3128",
	    (size >> 5) & 1 ? "127.0.0.1" : "proxy.example");
	kvv_push(&c.env, (size >> 6) & 1 ? "HTTP_PROXY" : "https_proxy", planted);
	free(planted);
	planted = xasprintf("postgres://app:" FUZZ_SECRET "@db/%s", v);
	kvv_push(&c.env, "DATABASE_URL", planted);
	free(planted);

	/* An apt source, the pin's time and the archive URL (render warns,
	 * never writes, what a sources line or a shell would read otherwise). */
	pc->first_saved = xstrdup(field(&p, end));
	{
		const char *uri = field(&p, end), *suite = field(&p, end);
		const char *comps = field(&p, end), *key = field(&p, end);

		apt_sources_push(&apt, uri, suite, comps, key,
		    *field(&p, end) ? "ubuntu" : "debian");
		in.apt_snapshot_url = field(&p, end);
		if (!*in.apt_snapshot_url)
			in.apt_snapshot_url = NULL;
		in.apt_snapshot = (enum render_apt_snapshot)(size % 2);
	}
	in.apt_sources = &apt;
	in.container = &c;
	in.base = &base;
	in.base_ref = "debian:bookworm";
	in.base_digest = (size >> 7) & 1 ? NULL :
	    "debian@sha256:b877a1a3fdf02469440f1768cf69c9771338a875b7add5e80c45b756c92ac20a";
	in.snapshot_seq = 1;
	in.pkgs = &pkgs;
	in.files = &files;
	if (render_dockerfile(&in, &out, &warnings, &err) == 0) {
		fuzz_check_dockerfile(buf_cstr(&out));
		fuzz_check_absent(buf_cstr(&out), "the Dockerfile");
	}
	fuzz_check_warnings(&warnings);
	keep_error_free(err);

	buf_release(&out);
	strv_release(&warnings);
	pkg_changes_release(&pkgs);
	fs_changes_release(&files);
	apt_sources_release(&apt);
	container_release(&c);
	image_release(&base);
	free(buf);
	return 0;
}
