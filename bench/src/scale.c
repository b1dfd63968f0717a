/*
 * bench/scale: how the analyzers' time grows with what a container holds.
 *
 *   scale CASE N [ROUNDS]
 *
 * Builds the input of CASE at N and at 2N entries, times the analyzer on
 * each (best of ROUNDS, default 3; the input's making is not timed) and
 * prints "SECONDS_N SECONDS_2N RATIO". O(n log n) work doubles, a bit
 * more; quadratic work quadruples. The cases are the inputs of issue 18:
 *
 *   apk-world      /etc/apk/world of N names, and the N installed packages
 *                  apk_collect marks against it
 *   dpkg-stanzas   a dpkg status of N stanzas without a Version (N warnings)
 *   apt-history    apt's history naming N local .debs and N installs
 *   pip-dists      N/2 pip upgrades (a dist-info deleted, one added)
 *   render-loose   a Dockerfile for N loose files, half in the build context
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/pkg.h"
#include "render/dockerfile.h"
#include "util/buf.h"
#include "util/xalloc.h"

#define SITE "/usr/lib/python3/dist-packages"
#define BASE_ID "sha256:4b3d7aefbea1784463b727fdea2e633bcf77fce0e02fb5a13985d23c08cc94cc"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Files in memory; a dist-info's METADATA is made up from its name. */
struct mem_fs {
	const char *path;
	const struct buf *data;
	const char *path2;
	const struct buf *data2;
};

static int
mem_read(void *ctx, const char *path, size_t max, struct buf *out,
    struct keep_error **err)
{
	struct mem_fs *m = ctx;
	size_t n = strlen(path);

	(void)max;
	if (m->path && strcmp(path, m->path) == 0) {
		buf_add(out, m->data->ptr, m->data->len);
		return 0;
	}
	if (m->path2 && strcmp(path, m->path2) == 0) {
		buf_add(out, m->data2->ptr, m->data2->len);
		return 0;
	}
	if (n > 9 && strcmp(path + n - 9, "/METADATA") == 0) {
		const char *base = strrchr(path, '\0') - 9;
		const char *dash;

		while (base > path && base[-1] != '/')
			base--;
		dash = strchr(base, '-');
		buf_printf(out, "Name: %.*s\nVersion: %.*s\n", (int)(dash - base),
		    base, (int)(path + n - 9 - 10 - dash - 1), dash + 1);
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

/* One timed run of CASE at n; returns its seconds. */
static double
run(const char *what, long n)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct mem_fs m = { 0 };
	struct pkg_fs fs = { &m, mem_read, mem_list, NULL };
	struct fs_changes changes = { 0 };
	struct keep_error *err = NULL;
	double t0 = 0, t = -1;

	if (strcmp(what, "apk-world") == 0) {
		struct pkg_set set = { 0 };
		struct strv w = { 0 };

		for (long i = 0; i < n; i++) {
			buf_printf(&a, "P:p%ld\nV:1.0-r0\n\n", i);
			buf_printf(&b, "p%ld\n", i);
		}
		m = (struct mem_fs){ "/lib/apk/db/installed", &a, "/etc/apk/world", &b };
		t0 = now();
		if (apk_collect(&fs, &set, NULL, &w, &err) == 0)
			t = now() - t0;
		pkg_set_release(&set);
		strv_release(&w);
	} else if (strcmp(what, "dpkg-stanzas") == 0) {
		struct pkg_scan s;

		for (long i = 0; i < n; i++)
			buf_printf(&a, "Package: p%ld\nStatus: install ok installed\n\n", i);
		m = (struct mem_fs){ "/var/lib/dpkg/status", &a, NULL, NULL };
		fs_changes_push(&changes, "/var/lib/dpkg/status", FS_MODIFIED);
		t0 = now();
		if (pkg_scan(&fs, NULL, NULL, &changes, &s, &err) == 0) {
			t = now() - t0;
			pkg_scan_release(&s);
		}
	} else if (strcmp(what, "apt-history") == 0) {
		struct strv known = { 0 };

		buf_addstr(&a, "Commandline: apt-get install");
		for (long i = 0; i < n; i++)
			buf_printf(&a, " ./d%ld_1_all.deb", i);
		buf_addstr(&a, "\nInstall: ");
		for (long i = 0; i < n; i++)
			buf_printf(&a, "%sp%ld:amd64 (1)", i ? ", " : "", i);
		buf_addch(&a, '\n');
		t0 = now();
		apt_history_parse(a.ptr, a.len, &known);
		t = now() - t0;
		strv_release(&known);
	} else if (strcmp(what, "pip-dists") == 0) {
		struct pkg_set found = { 0 };
		struct pkg_changes out = { 0 };
		struct strv explained = { 0 }, warnings = { 0 };

		for (long i = 0; i < n / 2; i++) {
			char *add = xasprintf(SITE "/p%ld-2.0.dist-info", i);
			char *del = xasprintf(SITE "/p%ld-1.0.dist-info", i);

			fs_changes_push(&changes, add, FS_ADDED);
			fs_changes_push(&changes, del, FS_DELETED);
			free(add);
			free(del);
		}
		t0 = now();
		if (pip_scan(&fs, &fs, &changes, &found, &out, &explained,
		    &warnings, &err) == 0)
			t = now() - t0;
		pkg_set_release(&found);
		pkg_changes_release(&out);
		strv_release(&explained);
		strv_release(&warnings);
	} else if (strcmp(what, "render-loose") == 0) {
		struct container c = { 0 };
		struct image base = { 0 };
		struct context_file *cf;
		struct recipe_input in;
		struct strv warnings = { 0 };

		for (long i = 0; i < n; i++) {
			char *p = xasprintf("/srv/d%ld/f%ld", i % (n / 100 + 1), i);

			fs_changes_push(&changes, p, FS_ADDED);
			free(p);
		}
		cf = xcalloc(changes.n + 1, sizeof(*cf));
		for (size_t i = 0; i < changes.n; i++)
			cf[i] = (struct context_file){ changes.v[i].path, 0, 0, 0644, 0 };
		c.name = xstrdup("bench");
		base.id = xstrdup(BASE_ID);
		in = (struct recipe_input){ .container = &c, .base = &base,
		    .files = &changes, .use_context = 1, .context_files = cf,
		    .n_context_files = changes.n / 2 };
		t0 = now();
		if (render_dockerfile(&in, &b, &warnings, &err) == 0)
			t = now() - t0;
		free(cf);
		strv_release(&warnings);
		container_release(&c);
		image_release(&base);
	} else {
		fprintf(stderr, "scale: no case '%s'\n", what);
		exit(2);
	}
	if (t < 0) {
		fprintf(stderr, "scale: %s at %ld failed: %s\n", what, n,
		    err ? err->message : "?");
		exit(1);
	}
	fs_changes_release(&changes);
	buf_release(&a);
	buf_release(&b);
	return t;
}

static double
best_of(const char *what, long n, int rounds)
{
	double best = 0;

	for (int r = 0; r < rounds; r++) {
		double t = run(what, n);

		if (r == 0 || t < best)
			best = t;
	}
	return best;
}

int
main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 0;
	int rounds = argc > 3 ? atoi(argv[3]) : 3;
	double t1, t2;

	if (argc < 3 || n < 100 || rounds <= 0) {
		fprintf(stderr, "usage: scale CASE N [ROUNDS]\n");
		return 2;
	}
	t1 = best_of(argv[1], n, rounds);
	t2 = best_of(argv[1], 2 * n, rounds);
	printf("%.4f %.4f %.2f\n", t1, t2, t2 / t1);
	return 0;
}
