/*
 * core/layer.c on layers made by hand in a temporary folder: whiteouts in
 * the upper and in a lower layer, an opaque directory, a lower symlink an
 * upper directory covers (never followed onto this host), a copied-up
 * directory, and the cases that hand the job back to the engine. Needs
 * root: whiteouts are device nodes and opaque marks trusted.* attributes.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "core/layer.h"
#include "pkg/pkg.h"
#include "tap.h"
#include "util/buf.h"
#include "util/xalloc.h"

static char root[] = "/tmp/keep-test-layer.XXXXXX";

static void
mk(const char *layer, const char *path, const char *what)
{
	char *p = xasprintf("%s/%s/%s", root, layer, path);
	char *cmd = xasprintf("mkdir -p \"$(dirname '%s')\"", p);

	if (system(cmd) != 0)
		abort();
	if (strcmp(what, "dir") == 0)
		mkdir(p, 0755);
	else if (strcmp(what, "whiteout") == 0)
		mknod(p, S_IFCHR | 0000, makedev(0, 0));
	else if (strncmp(what, "->", 2) == 0)
		symlink(what + 2, p);
	else {
		int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd >= 0) {
			if (write(fd, what, strlen(what)) < 0)
				abort();
			close(fd);
		}
	}
	free(cmd);
	free(p);
}

static void
opaque(const char *layer, const char *path)
{
	char *p = xasprintf("%s/%s/%s", root, layer, path);

	setxattr(p, "trusted.overlay.opaque", "y", 1, 0);
	free(p);
}

/* The list as sorted "K /path" lines, K the letter docker diff prints. */
static char *
listing(const struct fs_changes *fc)
{
	struct strv lines = { 0 };
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < fc->n; i++) {
		char *l = xasprintf("%c %s", "CAD"[fc->v[i].kind], fc->v[i].path);

		strv_push(&lines, l);
		free(l);
	}
	strv_sort(&lines);
	for (size_t i = 0; i < lines.n; i++)
		buf_printf(&b, "%s\n", lines.v[i]);
	strv_release(&lines);
	return buf_detach(&b, NULL);
}

static struct container
container_of(void)
{
	struct container c = { 0 };

	c.name = xstrdup("layered");
	c.storage_driver = xstrdup("overlay2");
	c.upper_dir = xasprintf("%s/upper", root);
	c.lower_dirs = xasprintf("%s/lower1:%s/lower2", root, root);
	return c;
}

static const struct fs_change *
change_at(const struct fs_changes *fc, const char *path)
{
	for (size_t i = 0; i < fc->n; i++)
		if (strcmp(fc->v[i].path, path) == 0)
			return &fc->v[i];
	return NULL;
}

/* Each path of the list carries its lstat in the upper layer. */
static void
test_stamps(const struct container *c)
{
	struct fs_changes fc;
	struct keep_error *err = NULL;
	const struct fs_change *ch;
	char *why = NULL;

	ok(layer_changes(c, &fc, NULL, &why, &err) == 0, "the layers are read again");
	ch = change_at(&fc, "/etc/motd");
	ok(ch && S_ISREG(ch->stamp.mode) && ch->stamp.size == 8 &&
	    ch->stamp.mtime_sec > 0, "a file in the upper layer is stamped there");
	ch = change_at(&fc, "/etc/issue");
	ok(ch && ch->stamp.mode == 0, "a whiteout has no stamp");
	ch = change_at(&fc, "/lnk/etc/passwd");
	ok(ch && ch->stamp.size == 4,
	    "a path under an upper directory is stamped there");
	ch = change_at(&fc, "/new/dir");
	ok(ch && S_ISDIR(ch->stamp.mode), "a directory is stamped");
	fs_changes_release(&fc);
}

/* read path of fs: its content, or "!" and the error kind. */
static char *
read_of(const struct pkg_fs *fs, const char *path, size_t max)
{
	struct buf b = BUF_INIT;
	struct keep_error *err = NULL;
	char *r;

	if (fs->read_file(fs->ctx, path, max, &b, &err) < 0) {
		r = xasprintf("!%s", err->kind == KEEP_ERR_NOT_FOUND ?
		    "not found" : "failed");
		keep_error_free(err);
	} else {
		r = xstrdup(buf_cstr(&b));
	}
	buf_release(&b);
	return r;
}

static char *
list_of(const struct pkg_fs *fs, const char *path)
{
	struct strv names = { 0 };
	struct keep_error *err = NULL;
	struct buf b = BUF_INIT;

	if (fs->list_dir(fs->ctx, path, &names, &err) < 0) {
		keep_error_free(err);
		return xstrdup("!");
	}
	for (size_t i = 0; i < names.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", names.v[i]);
	strv_release(&names);
	return b.ptr ? buf_detach(&b, NULL) : xstrdup("");
}

/* "name=value name=value", or "!" on an error. */
static char *
dir_of(const struct pkg_fs *fs, const char *path)
{
	struct kvv kv = { 0 };
	struct keep_error *err = NULL;
	struct buf b = BUF_INIT;

	if (fs->read_dir(fs->ctx, path, 1024, &kv, &err) < 0) {
		keep_error_free(err);
		return xstrdup("!");
	}
	for (size_t i = 0; i < kv.n; i++)
		buf_printf(&b, "%s%s=%s", i ? " " : "", kv.v[i].key,
		    kv.v[i].value);
	kvv_release(&kv);
	return b.ptr ? buf_detach(&b, NULL) : xstrdup("");
}

/* Where the link at path ends, or "!" when it is none. */
static char *
link_of(const struct pkg_fs *fs, const char *path)
{
	struct keep_error *err = NULL;
	char *target = NULL;

	if (fs->resolve_link(fs->ctx, path, &target, &err) < 0) {
		keep_error_free(err);
		return xstrdup("!");
	}
	return target;
}

#define IS_READ(fs, path, want, what) do { \
	char *got_ = read_of((fs), (path), 1024); \
	is_str(got_, (want), (what)); \
	free(got_); \
} while (0)

#define IS_LIST(fs, path, want, what) do { \
	char *got_ = list_of((fs), (path)); \
	is_str(got_, (want), (what)); \
	free(got_); \
} while (0)

#define IS_OF(of, fs, path, want, what) do { \
	char *got_ = of((fs), (path)); \
	is_str(got_, (want), (what)); \
	free(got_); \
} while (0)

/* The files of the layers as the container and as the image see them. */
static void
test_layer_fs(const struct container *c)
{
	struct pkg_fs cur, img, fallback;
	struct keep_error *err = NULL;
	char *p, *got;

	mk("lower2", "etc/esc", "->../../../../../etc/hostname");
	mk("lower2", "etc/loop", "->loop");
	mk("lower2", "etc/rel", "->issue");
	mk("lower2", "usr/lib/os-release", "ID=keep");
	mk("lower2", "lib", "->usr/lib");
	p = xasprintf("%s/upper/etc/fifo", root);
	ok(mkfifo(p, 0644) == 0, "a FIFO in the upper layer");
	free(p);

	ok(layer_fs_open(&cur, c, 1, NULL, &err) == 0, "open the container's "
	    "files");
	IS_READ(&cur, "/etc/motd", "new motd", "the upper layer's file");
	IS_READ(&cur, "/etc/issue", "!not found", "a whiteout deletes");
	IS_READ(&cur, "/usr/doc/x", "!not found", "a deleted directory hides "
	    "what was in it");
	IS_READ(&cur, "/var/lists/l1", "!not found", "an opaque directory "
	    "hides the layers below");
	IS_READ(&cur, "/var/lists/l3", "3", "and shows its own");
	IS_LIST(&cur, "/var/lists", "l3", "its listing is its own");
	IS_READ(&cur, "/lnk/etc/passwd", "mine", "an upper directory covers a "
	    "lower symlink");
	IS_READ(&cur, "/new/dir/f", "f", "an added directory");
	IS_READ(&cur, "/lib/os-release", "ID=keep", "a relative symlink to a "
	    "directory is followed inside the tree");
	IS_READ(&cur, "/etc/./../etc/rel", "!not found", "a symlink to a "
	    "deleted file is not there");
	IS_READ(&cur, "/etc/esc", "!not found", "'..' stops at the tree's root,"
	    " never reading this host's /etc/hostname");
	IS_READ(&cur, "/etc/loop", "!not found", "a symlink loop ends");
	IS_READ(&cur, "/etc/fifo", "!not found", "a FIFO is no file, and "
	    "does not hang the read");
	IS_READ(&cur, "/etc", "!not found", "a directory is no file");
	IS_LIST(&cur, "/etc", "esc fifo loop motd rel", "the merged listing "
	    "leaves out what a layer deleted");
	/* What the usrmerge and alternatives checks ask (pkg/products.c). */
	IS_OF(link_of, &cur, "/lib", "/usr/lib", "/lib resolves to /usr/lib");
	IS_OF(link_of, &cur, "/etc/rel", "!", "a link to a deleted file ends "
	    "nowhere");
	IS_OF(link_of, &cur, "/lnk/etc", "!", "a directory under a link is "
	    "no link");
	IS_OF(link_of, &cur, "/etc/motd", "!", "a file is no link");
	IS_OF(dir_of, &cur, "/etc", "motd=new motd", "a directory's files: "
	    "not the links, the FIFO, nor what a layer deleted");
	IS_OF(dir_of, &cur, "/var/lists", "l3=3", "an opaque directory's own");
	IS_OF(dir_of, &cur, "/lib", "os-release=ID=keep", "through a link");
	IS_OF(dir_of, &cur, "/etc/motd", "!", "a file is no directory");
	got = read_of(&cur, "/etc/motd", 3);
	is_str(got, "!failed", "a file over the limit is an error, not a part");
	free(got);

	ok(layer_fs_open(&img, c, 0, NULL, &err) == 0, "open the image's files");
	IS_READ(&img, "/etc/motd", "!not found", "the image deleted its motd");
	IS_READ(&img, "/etc/issue", "Debian", "the image's issue");
	IS_READ(&img, "/etc/rel", "Debian", "a relative symlink");
	IS_READ(&img, "/lnk/etc/issue", "Debian", "a symlink to / is the tree's "
	    "root");
	IS_LIST(&img, "/var/lists", "l1 l4", "two layers merged, a deletion "
	    "of the upper one applied");
	IS_READ(&img, "/var/lists/l2", "!not found", "a lower whiteout deletes");

	/* What only the kernel can merge goes to the fallback. */
	mk("upper", "moved/y", "y");
	mk("fallback", "moved/y", "from the engine");
	p = xasprintf("%s/upper/moved", root);
	setxattr(p, "trusted.overlay.redirect", "/a/longer/path/than/eight", 25,
	    0);
	free(p);
	IS_READ(&cur, "/moved/y", "!failed", "a renamed directory, no fallback: "
	    "an error");
	pkg_fs_release(&cur);
	p = xasprintf("%s/fallback", root);
	ok(pkg_dir_fs_open(&fallback, p, &err) == 0, "a fallback");
	free(p);
	ok(layer_fs_open(&cur, c, 1, &fallback, &err) == 0, "open with it");
	IS_READ(&cur, "/moved/y", "from the engine", "a renamed directory is "
	    "read through the fallback");
	pkg_fs_release(&cur);
	pkg_fs_release(&img);
	pkg_fs_release(&fallback);
	p = xasprintf("rm -rf '%s/upper/moved' '%s/upper/etc/fifo'", root, root);
	ok(system(p) == 0, "clean up");
	free(p);
	ok(err == NULL, "no error on the way");
}

int
main(void)
{
	struct container c;
	struct fs_changes fc;
	struct keep_error *err = NULL;
	char *why = NULL, *got, *cmd;
	int rc;

	if (geteuid() != 0)
		return skip_all("needs root (whiteouts, trusted.* attributes)");
	if (mkdtemp(root) == NULL)
		abort();
	/* The image: lower2 at the bottom, lower1 above it. */
	mk("lower2", "etc/issue", "Debian");
	mk("lower2", "etc/motd", "hello");
	mk("lower2", "usr/doc/x", "x");
	mk("lower2", "var/lists/l1", "1");
	mk("lower2", "var/lists/l2", "2");
	mk("lower2", "lnk", "->/");
	mk("lower1", "etc/motd", "whiteout");	/* the image deleted it */
	mk("lower1", "var/lists/l2", "whiteout");	/* and this */
	mk("lower1", "var/lists/l4", "4");
	/* The container. */
	mk("upper", "etc/motd", "new motd");	/* added: the image has none */
	mk("upper", "etc/issue", "whiteout");
	mk("upper", "var/lists/l3", "3");
	opaque("upper", "var/lists");
	mk("upper", "new/dir/f", "f");
	mk("upper", "usr/doc", "whiteout");
	mk("upper", "lnk/etc/passwd", "mine");	/* over the symlink to / */

	c = container_of();
	ok(layer_changes(&c, &fc, NULL, &why, &err) == 0, "the layers are read");
	got = listing(&fc);
	is_str(got,
	    "A /etc/motd\n"
	    "A /lnk/etc\n"
	    "A /lnk/etc/passwd\n"
	    "A /new\n"
	    "A /new/dir\n"
	    "A /new/dir/f\n"
	    "A /var/lists/l3\n"
	    "C /etc\n"
	    "C /lnk\n"
	    "C /usr\n"
	    "C /var\n"
	    "C /var/lists\n"
	    "D /etc/issue\n"
	    "D /usr/doc\n"
	    "D /var/lists/l1\n"
	    "D /var/lists/l4\n",
	    "whiteouts, an opaque directory over two layers (what the image "
	    "deleted is not deleted again), the image's own deletion, and a "
	    "symlink to / covered, not followed");
	free(got);
	fs_changes_release(&fc);

	test_stamps(&c);
	test_layer_fs(&c);

	/* A renamed directory (redirect_dir) shows another's content. */
	mk("upper", "moved/y", "y");
	cmd = xasprintf("%s/upper/moved", root);
	setxattr(cmd, "trusted.overlay.redirect", "/usr/doc", 8, 0);
	free(cmd);
	rc = layer_changes(&c, &fc, NULL, &why, &err);
	ok(rc == 1 && why && strstr(why, "renamed directory") != NULL,
	    "a redirect hands the list back to the engine: %s", why ? why : "");
	free(why);
	why = NULL;

	/* Any length: the path of a renamed directory is rarely 8 bytes. */
	cmd = xasprintf("%s/upper/moved", root);
	setxattr(cmd, "trusted.overlay.redirect", "/usr/share/doc/old", 18, 0);
	free(cmd);
	rc = layer_changes(&c, &fc, NULL, &why, &err);
	ok(rc == 1 && why && strstr(why, "renamed directory") != NULL,
	    "a redirect longer than 8 bytes is seen: %s", why ? why : "");
	free(why);
	why = NULL;

	cmd = xasprintf("%s/upper/moved", root);
	removexattr(cmd, "trusted.overlay.redirect");
	/*
	 * What a process in the container can set on its own files: a faked
	 * opaque /usr (the image's /usr/doc would become deleted) or redirect.
	 */
	mk("upper", "usr/bin/tool", "t");
	free(cmd);
	cmd = xasprintf("%s/upper/usr", root);
	ok(setxattr(cmd, "user.overlay.opaque", "y", 1, 0) == 0,
	    "user.overlay.opaque is set as a container process would");
	rc = layer_changes(&c, &fc, NULL, &why, &err);
	ok(rc == 1 && why && strstr(why, "user.overlay") &&
	    strstr(why, "'/usr'"),
	    "a user.overlay.opaque is not believed; the engine lists: %s",
	    why ? why : "");
	free(why);
	why = NULL;
	removexattr(cmd, "user.overlay.opaque");
	setxattr(cmd, "user.overlay.redirect", "/elsewhere/long/path", 20, 0);
	rc = layer_changes(&c, &fc, NULL, &why, &err);
	ok(rc == 1 && why && strstr(why, "user.overlay"),
	    "nor a user.overlay.redirect: %s", why ? why : "");
	free(why);
	why = NULL;
	removexattr(cmd, "user.overlay.redirect");
	free(cmd);
	cmd = xasprintf("%s/lower1/usr", root);
	mk("lower1", "usr/lib/x", "x");
	setxattr(cmd, "user.overlay.opaque", "y", 1, 0);
	rc = layer_changes(&c, &fc, NULL, &why, &err);
	ok(rc == 1 && why && strstr(why, "user.overlay") &&
	    strstr(why, "below"),
	    "nor one in a layer below: %s", why ? why : "");
	free(why);
	why = NULL;
	removexattr(cmd, "user.overlay.opaque");
	free(cmd);
	rc = layer_changes(&c, &fc, NULL, &why, &err);
	got = rc == 0 ? listing(&fc) : xstrdup(why ? why : "");
	ok(rc == 0 && strstr(got, "A /usr/bin/tool\n") &&
	    strstr(got, "D /usr/doc\n") && !strstr(got, "/usr/lib"),
	    "without them the layers are read as before");
	free(got);
	fs_changes_release(&fc);
	{
		struct buf deep = BUF_INIT;

		buf_addstr(&deep, "deep");
		for (int i = 0; i < 300; i++)
			buf_addstr(&deep, "/d");
		mk("upper", buf_cstr(&deep), "dir");
		buf_release(&deep);
	}
	rc = layer_changes(&c, &fc, NULL, &why, &err);
	ok(rc == 1 && why &&
	    strstr(why, "more than 256 directories deep") != NULL,
	    "a tree deeper than the walk goes is the engine's: %s",
	    why ? why : "");
	free(why);
	why = NULL;

	free(c.storage_driver);
	c.storage_driver = xstrdup("vfs");
	rc = layer_changes(&c, &fc, NULL, &why, &err);
	ok(rc == 1 && why && strstr(why, "'vfs'") != NULL,
	    "another storage driver: %s", why ? why : "");
	free(why);
	ok(err == NULL, "none of this is an error");
	container_release(&c);

	cmd = xasprintf("rm -rf '%s'", root);
	if (system(cmd) != 0)
		abort();
	free(cmd);
	return done_testing();
}
