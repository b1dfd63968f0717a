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

int
main(void)
{
	struct container c;
	struct fs_changes fc;
	struct keep_error *err = NULL;
	struct layer_upper u;
	struct stat st;
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
	ok(layer_changes(&c, &fc, &why, &err) == 0, "the layers are read");
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

	ok(layer_upper_open(&c, &u) == 0, "the upper directory opens");
	ok(layer_stat(&u, "/etc/motd", &st) == 0 && st.st_size == 8,
	    "a file in the upper layer is stat-ed there");
	is_int(layer_stat(&u, "/etc/issue", &st), 1, "a whiteout is not there");
	is_int(layer_stat(&u, "/etc/hostname", &st), 1,
	    "a file only below is not in the upper layer");
	is_int(layer_stat(&u, "/lnk/etc/passwd", &st), 0,
	    "a path under an upper directory is found there");
	layer_upper_close(&u);

	/* A renamed directory (redirect_dir) shows another's content. */
	mk("upper", "moved/y", "y");
	cmd = xasprintf("%s/upper/moved", root);
	setxattr(cmd, "trusted.overlay.redirect", "/usr/doc", 8, 0);
	free(cmd);
	rc = layer_changes(&c, &fc, &why, &err);
	ok(rc == 1 && why && strstr(why, "renamed directory") != NULL,
	    "a redirect hands the list back to the engine: %s", why ? why : "");
	free(why);
	why = NULL;

	cmd = xasprintf("%s/upper/moved", root);
	removexattr(cmd, "trusted.overlay.redirect");
	free(cmd);
	{
		struct buf deep = BUF_INIT;

		buf_addstr(&deep, "deep");
		for (int i = 0; i < 300; i++)
			buf_addstr(&deep, "/d");
		mk("upper", buf_cstr(&deep), "dir");
		buf_release(&deep);
	}
	rc = layer_changes(&c, &fc, &why, &err);
	ok(rc == 1 && why &&
	    strstr(why, "more than 256 directories deep") != NULL,
	    "a tree deeper than the walk goes is the engine's: %s",
	    why ? why : "");
	free(why);
	why = NULL;

	free(c.storage_driver);
	c.storage_driver = xstrdup("vfs");
	rc = layer_changes(&c, &fc, &why, &err);
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
