/*
 * verify's comparisons of files and config, and its summary: what makes a
 * rebuild "identical", and what each difference says.
 */
#include <stdlib.h>
#include <string.h>

#include "core/verify.h"
#include "tap.h"
#include "util/xalloc.h"

static void
snapshot_init(struct snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->config.user = xstrdup("");
	s->config.workdir = xstrdup("");
	s->base.user = xstrdup("");
	kvv_push(&s->config.env, "PATH", "/opt/bin:/usr/bin:/bin");
	kvv_push(&s->config.env, "API_TOKEN", "s3cr3t-value");
	kvv_push(&s->config.env, "HTTP_PROXY", "http://u:p@127.0.0.1:3128");
	kvv_push(&s->config.env, "LANG", "C.UTF-8");
	kvv_push(&s->base.env, "PATH", "/usr/bin:/bin");
	kvv_push(&s->base.env, "DEBUG", "1");
	strv_push(&s->config.cmd, "sleep");
	strv_push(&s->config.cmd, "infinity");
	strv_push(&s->config.exposed_ports, "8080/tcp");
	kvv_push(&s->config.labels, "com.docker.compose.service", "dev");
	kvv_push(&s->config.labels, "io.keep.seq", "3");
	kvv_push(&s->config.labels, "org.example.team", "robots");
}

/* The image the recipe of s should build. */
static void
rebuilt_init(struct image *img)
{
	memset(img, 0, sizeof(*img));
	img->user = xstrdup("root");
	img->workdir = xstrdup("/");
	kvv_push(&img->env, "PATH", "/opt/bin:/usr/bin:/bin");
	kvv_push(&img->env, "LANG", "C.UTF-8");
	strv_push(&img->cmd, "sleep");
	strv_push(&img->cmd, "infinity");
	strv_push(&img->exposed_ports, "8080/tcp");
	kvv_push(&img->labels, "org.example.team", "robots");
}

static const struct verify_item *
find_item(const struct verify_items *items, const char *what)
{
	for (size_t i = 0; i < items->n; i++)
		if (strcmp(items->v[i].what, what) == 0)
			return &items->v[i];
	return NULL;
}

static int
has_secret(const struct verify_result *r, const char *needle)
{
	const struct verify_items *all[] = { &r->config, &r->files };

	for (size_t k = 0; k < 2; k++)
		for (size_t i = 0; i < all[k]->n; i++)
			if (strstr(all[k]->v[i].want, needle) ||
			    strstr(all[k]->v[i].got, needle))
				return 1;
	for (size_t i = 0; i < r->left_out.n; i++)
		if (strstr(r->left_out.v[i], needle))
			return 1;
	return 0;
}

static void
test_config(void)
{
	struct snapshot s;
	struct image img;
	struct verify_result r = { 0 };
	const struct verify_item *it;

	snapshot_init(&s);
	rebuilt_init(&img);
	verify_config(&s, &img, &r);
	verify_summarize(&r);
	is_int(r.config.n, 0, "a faithful rebuild: no config difference");
	is_str(r.status, "identical", "so identical");
	is_int(r.left_out.n, 2, "the secret and the proxy are left out, not compared");
	ok(!has_secret(&r, "s3cr3t") && !has_secret(&r, "u:p@"), "and their values never shown");
	ok(strstr(r.detail, "left out on purpose") != NULL, "the summary says so: %s", r.detail);
	verify_result_release(&r);

	/* What a recipe cannot carry, or carried wrong. */
	kvv_push(&s.config.labels, "org.example.owner", "ana");
	kvv_push(&img.env, "DEBUG", "1");
	free(img.user);
	img.user = xstrdup("dev");
	strv_release(&img.exposed_ports);
	free(img.env.v[1].value);
	img.env.v[1].value = xstrdup("POSIX");
	verify_config(&s, &img, &r);
	verify_summarize(&r);
	is_str(r.status, "different", "a differing config is different");
	it = find_item(&r.config, "label org.example.owner");
	ok(it && strcmp(it->kind, "missing") == 0 && strstr(it->why, "run time"),
	    "a run-time label is missing, and why");
	ok(find_item(&r.config, "label com.docker.compose.service") == NULL,
	    "compose's labels are not the image's");
	it = find_item(&r.config, "env DEBUG");
	ok(it && strcmp(it->kind, "extra") == 0 && strstr(it->why, "cannot unset"),
	    "an inherited variable the container lacks: extra, and why");
	it = find_item(&r.config, "env LANG");
	ok(it && strcmp(it->want, "C.UTF-8") == 0 && strcmp(it->got, "POSIX") == 0,
	    "a different value shows both");
	ok(find_item(&r.config, "user") != NULL, "user dev is not root");
	it = find_item(&r.config, "exposed ports");
	ok(it && strcmp(it->want, "8080/tcp") == 0, "a lost port");
	is_int(r.config.n, 5, "five differences");
	ok(strstr(r.detail, "config: 5 of") != NULL, "summary: %s", r.detail);
	verify_result_release(&r);

	image_release(&img);
	snapshot_release(&s);
}

static void
file_set(struct image_files *fs, const char *path, enum tar_type t,
    unsigned mode, int uid, const char *data)
{
	struct image_file *f;

	fs->v = xrealloc(fs->v, (fs->n + 1) * sizeof(*fs->v));
	f = &fs->v[fs->n++];
	memset(f, 0, sizeof(*f));
	f->path = xstrdup(path);
	f->link = xstrdup(t == TAR_SYMLINK ? data : "");
	f->present = 1;
	f->type = t;
	f->mode = mode;
	f->uid = uid;
	f->gid = uid;
	if (t == TAR_FILE)
		memcpy(f->sha256, data, strlen(data) + 1);
}

static void
test_files(void)
{
	struct snapshot s = { 0 };
	struct image_files snap = { 0 }, got = { 0 };
	struct strv ctx = { 0 };
	struct verify_result r = { 0 };
	const struct verify_item *it;

	fs_changes_push(&s.loose, "/etc/app.conf", FS_ADDED);
	fs_changes_push(&s.loose, "/etc/motd", FS_MODIFIED);
	fs_changes_push(&s.loose, "/opt/tool", FS_ADDED);
	fs_changes_push(&s.loose, "/usr/local/bin/t", FS_ADDED);
	fs_changes_push(&s.loose, "/etc/old.conf", FS_DELETED);
	/* Sorted by path, as image_files_read leaves them. */
	file_set(&snap, "/etc/app.conf", TAR_FILE, 0600, 0, "aaaa");
	file_set(&snap, "/etc/motd", TAR_FILE, 0644, 0, "bbbb");
	file_set(&snap, "/opt/tool", TAR_DIR, 0755, 1000, "");
	file_set(&snap, "/usr/local/bin/t", TAR_SYMLINK, 0777, 0, "/opt/tool/t");
	strv_push(&ctx, "/etc/app.conf");
	strv_push(&ctx, "/etc/motd");
	strv_push(&ctx, "/opt/tool");

	/* With a context: the link could not go in, the rest came back. */
	file_set(&got, "/etc/app.conf", TAR_FILE, 0600, 0, "aaaa");
	file_set(&got, "/etc/motd", TAR_FILE, 0644, 0, "bbbb");
	file_set(&got, "/opt/tool", TAR_DIR, 0755, 1000, "");
	verify_files(&s, &snap, &got, &ctx, &r);
	is_int(r.files.compared, 5, "every loose path compared, the deleted one too");
	is_int(r.files.n, 1, "one difference");
	it = find_item(&r.files, "/usr/local/bin/t");
	ok(it && strcmp(it->kind, "missing") == 0 &&
	    strstr(it->why, "a symbolic link: not copied into the build context"),
	    "the symlink is missing, and why: %s", it ? it->why : "");
	verify_result_release(&r);

	/* Content, mode and owner each tell; a deleted file that came back. */
	image_files_release(&got);
	file_set(&got, "/etc/app.conf", TAR_FILE, 0644, 0, "aaaa");
	file_set(&got, "/etc/motd", TAR_FILE, 0644, 0, "cccc");
	file_set(&got, "/etc/old.conf", TAR_FILE, 0644, 0, "dddd");
	file_set(&got, "/opt/tool", TAR_DIR, 0755, 0, "");
	got.v[3].gid = 1000;
	file_set(&got, "/usr/local/bin/t", TAR_SYMLINK, 0777, 0, "/opt/tool/t");
	verify_files(&s, &snap, &got, &ctx, &r);
	it = find_item(&r.files, "/etc/app.conf");
	ok(it && strcmp(it->why, "mode differs") == 0, "mode: %s", it ? it->why : "");
	ok(it && strstr(it->want, "0600") && strstr(it->got, "0644"), "both modes shown");
	it = find_item(&r.files, "/etc/motd");
	ok(it && strcmp(it->why, "content differs") == 0, "content: %s", it ? it->why : "");
	it = find_item(&r.files, "/opt/tool");
	ok(it && strcmp(it->why, "owner differs") == 0, "owner: %s", it ? it->why : "");
	it = find_item(&r.files, "/etc/old.conf");
	ok(it && strcmp(it->kind, "extra") == 0, "a deleted file present again is extra");
	is_int(r.files.n, 4, "four differences");
	verify_result_release(&r);

	/* Without a context, everything the files carry is not reproduced. */
	image_files_release(&got);
	verify_files(&s, &snap, &got, NULL, &r);
	verify_summarize(&r);
	is_int(r.files.n, 4, "all four files are missing");
	ok(r.context == 0, "and the result says there was no context");
	is_str(r.detail, "files: 4 of 5 not reproduced (rendered without --context)",
	    "the summary says why");
	verify_result_release(&r);

	image_files_release(&snap);
	strv_release(&ctx);
	snapshot_release(&s);
}

static void
test_summary(void)
{
	struct verify_result r = { 0 };

	r.compared = 91;
	r.files.compared = 1;
	r.config.compared = 6;
	verify_summarize(&r);
	is_str(r.status, "identical", "nothing differs: identical");
	is_str(r.detail, "91 packages, 1 file and 6 config items identical", "in one line");
	verify_result_release(&r);
}

int
main(void)
{
	test_config();
	test_files();
	test_summary();
	return done_testing();
}
