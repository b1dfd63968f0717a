/*
 * libFuzzer target for Dockerfile quoting: the input is split at NUL bytes
 * into the untrusted fields of a snapshot (env names and values, user,
 * workdir, cmd, a package, loose file paths, a label, a mount, a port, an
 * apt source with the pin's time and the snapshot archive's URL), the
 * snapshot is rendered, and the output must hold no injected instruction:
 * every logical line is blank, a comment, or starts with an instruction
 * keep writes, and no instruction line starts with the marker "kpwn" that
 * the seeds put after newlines ("\nRUN kpwn").
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model.h"
#include "render/dockerfile.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define BASE_ID "sha256:4b3d7aefbea1784463b727fdea2e633bcf77fce0e02fb5a13985d23c08cc94cc"

static const char *const keywords[] = {
	"FROM", "ARG", "ENV", "RUN", "COPY", "USER", "WORKDIR", "CMD",
	"ENTRYPOINT", "EXPOSE", "LABEL", "VOLUME", "STOPSIGNAL", "HEALTHCHECK",
	"SHELL",
};

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

static int
starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static int
starts_keyword(const char *line, size_t len)
{
	for (size_t i = 0; i < sizeof(keywords) / sizeof(*keywords); i++) {
		size_t k = strlen(keywords[i]);

		if (len > k && strncmp(line, keywords[i], k) == 0 &&
		    (line[k] == ' ' || line[k] == '\t'))
			return 1;
	}
	return 0;
}

/*
 * Report the offending line (and, with FUZZ_RENDER_DUMP set, the whole
 * Dockerfile) before failing, so a crash file explains itself.
 */
static void
fail(const char *text, const char *line, size_t len, const char *why)
{
	fprintf(stderr, "fuzz_render: %s: line '%.*s'\n", why, (int)len, line);
	if (getenv("FUZZ_RENDER_DUMP"))
		fputs(text, stderr);
	abort();
}

/* abort() when text holds a line that is not keep's own. */
static void
check_dockerfile(const char *text)
{
	int continued = 0;

	for (const char *l = text; *l; ) {
		const char *nl = strchr(l, '\n');
		size_t len = nl ? (size_t)(nl - l) : strlen(l);
		const char *t = l;
		size_t tl = len;

		while (tl && (*t == ' ' || *t == '\t')) {
			t++;
			tl--;
		}
		/* (A continuation line may hold a validated package name.) */
		if (!continued && tl >= 4 && strncasecmp(t, "kpwn", 4) == 0)
			fail(text, l, len, "an input field starts a line");
		if (tl && *t != '#') {
			if (!continued && !starts_keyword(t, tl))
				fail(text, l, len, "a line that is no instruction");
			/*
			 * keep's own RUN, COPY, CMD ... lines start with fixed
			 * text; ENV, USER, LABEL ... may legitimately start
			 * with a name taken from the input.
			 */
			if (!continued && (starts_with(t, "RUN ") ||
			    starts_with(t, "FROM ") || starts_with(t, "COPY ") ||
			    starts_with(t, "CMD ") || starts_with(t, "ENTRYPOINT ") ||
			    starts_with(t, "SHELL ") || starts_with(t, "VOLUME "))) {
				const char *sp = t;

				while (*sp != ' ' && *sp != '\t')
					sp++;
				while (*sp == ' ' || *sp == '\t')
					sp++;
				if (strncasecmp(sp, "kpwn", 4) == 0)
					fail(text, l, len, "an injected instruction");
			}
			continued = len > 0 && l[len - 1] == '\\';
		}
		if (!nl)
			break;
		l = nl + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const managers[] = { "dpkg", "apk", "pip", "npm" };
	char *buf = xmalloc(size + 1), *p = buf, *end = buf + size;
	struct container c = { 0 };
	struct image base = { 0 };
	struct pkg_changes pkgs = { 0 };
	struct fs_changes files = { 0 };
	struct apt_sources apt = { 0 };
	struct recipe_input in = { 0 };
	struct buf out = BUF_INIT;
	struct strv warnings = { 0 };
	struct keep_error *err = NULL;
	struct pkg_change *pc;
	const char *k, *v;

	memcpy(buf, data, size);
	buf[size] = '\0';

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

	/* env: three pairs, the first value of a proxy name */
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

	for (int i = 0; i < 3; i++) {
		const char *path = field(&p, end);

		if (*path)
			fs_changes_push(&files, path, (enum fs_change_kind)(i % 3));
	}

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
	in.snapshot_seq = 1;
	in.pkgs = &pkgs;
	in.files = &files;
	if (render_dockerfile(&in, &out, &warnings, &err) == 0)
		check_dockerfile(buf_cstr(&out));
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
