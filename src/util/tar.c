#include "util/tar.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/dl.h"
#include "util/sha256.h"
#include "util/xalloc.h"

/*
 * libarchive is loaded when keep first reads or writes a tar, not when keep
 * starts. With libxml2, ICU and libstdc++ under it, linking it made every
 * keep command ~2.5 ms slower to start (measured with an empty program
 * linked with and without it), and most commands never touch a tar: for a
 * keep save that is a tenth of what it adds to the commit it makes. The
 * calls below go through la, filled from KEEP_LIBARCHIVE_SONAME (the
 * library pkg-config found, named by CMake) with libarchive.h's own types.
 */
#define LA_SYMBOLS(X) \
	X(archive_entry_filetype) X(archive_entry_free) X(archive_entry_gid) \
	X(archive_entry_gname) X(archive_entry_hardlink) X(archive_entry_new) \
	X(archive_entry_pathname) X(archive_entry_perm) X(archive_entry_set_filetype) \
	X(archive_entry_set_gid) X(archive_entry_set_mtime) X(archive_entry_set_pathname) \
	X(archive_entry_set_perm) X(archive_entry_set_size) X(archive_entry_set_symlink) \
	X(archive_entry_set_uid) X(archive_entry_size) X(archive_entry_symlink) \
	X(archive_entry_uid) X(archive_entry_uname) X(archive_error_string) \
	X(archive_read_data) X(archive_read_free) X(archive_read_new) \
	X(archive_read_next_header) X(archive_read_open) X(archive_read_open_memory) \
	X(archive_read_support_filter_none) X(archive_read_support_format_tar) X(archive_set_error) \
	X(archive_write_add_filter_none) X(archive_write_close) X(archive_write_data) \
	X(archive_write_free) X(archive_write_header) X(archive_write_new) \
	X(archive_write_open) X(archive_write_set_bytes_in_last_block) X(archive_write_set_format_pax_restricted) \
	X(archive_entry_set_hardlink) X(archive_entry_set_rdevmajor) X(archive_entry_set_rdevminor) \
	X(archive_entry_xattr_add_entry) X(archive_entry_mtime)

static struct {
#define LA_POINTER(name) __typeof__(name) *name;
	LA_SYMBOLS(LA_POINTER)
#undef LA_POINTER
} la;
static pthread_once_t la_once = PTHREAD_ONCE_INIT;
static char la_error[512];

static const char *const la_names[] = {
#define LA_NAME(name) #name,
	LA_SYMBOLS(LA_NAME)
#undef LA_NAME
};

static void
la_load_once(void)
{
	void *syms[sizeof(la_names) / sizeof(*la_names)];
	size_t i = 0;

	if (dl_load(KEEP_LIBARCHIVE_SONAME, la_names,
	    sizeof(la_names) / sizeof(*la_names), syms, la_error,
	    sizeof(la_error)) < 0)
		return;
#define LA_SET(name) la.name = (__typeof__(la.name))syms[i++];
	LA_SYMBOLS(LA_SET)
#undef LA_SET
}

/* Load libarchive once; a failure is every tar operation's error. */
static int
la_load(struct keep_error **err)
{
	pthread_once(&la_once, la_load_once);
	if (la_error[0] != '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot load libarchive: %s", la_error);
	return 0;
}

/* State shared by the read paths. */
struct reader {
	const struct tar_read_opts *opts;
	tar_entry_fn fn;
	void *ctx;
	/* tar_read_stream only */
	tar_source_fn src;
	void *src_ctx;
	struct keep_error *src_err;	/* the source's own error, if it failed */
};

static const char *
nz(const char *s)
{
	return s ? s : "";
}

static enum tar_type
entry_type(struct archive_entry *ae)
{
	if (la.archive_entry_hardlink(ae) != NULL)
		return TAR_HARDLINK;
	switch (la.archive_entry_filetype(ae)) {
	case AE_IFREG:
		return TAR_FILE;
	case AE_IFDIR:
		return TAR_DIR;
	case AE_IFLNK:
		return TAR_SYMLINK;
	case AE_IFCHR:
		return TAR_CHAR;
	case AE_IFBLK:
		return TAR_BLOCK;
	case AE_IFIFO:
		return TAR_FIFO;
	case AE_IFSOCK:
		return TAR_SOCKET;
	default:
		return TAR_OTHER;
	}
}

/*
 * Read the content of the current entry into b, refusing more than max
 * bytes. The header's size is checked first so a huge file is refused
 * before anything is read; the loop checks again because sparse entries
 * can expand.
 */
static int
read_content(struct archive *a, const char *path, int64_t size, size_t max,
    struct buf *b, struct keep_error **err)
{
	char chunk[65536];

	if (size < 0 || (uint64_t)size > max)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "tar entry '%s' is %lld bytes, more than the limit of %zu",
		    path, (long long)size, max);
	for (;;) {
		la_ssize_t n = la.archive_read_data(a, chunk, sizeof(chunk));

		if (n == 0)
			break;
		if (n < 0)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "read tar entry '%s': %s", path,
			    nz(la.archive_error_string(a)));
		if (b->len + (size_t)n > max)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "tar entry '%s' is more than the limit of %zu bytes",
			    path, max);
		buf_add(b, chunk, (size_t)n);
	}
	return 0;
}

static int
read_all(struct archive *a, struct reader *r, struct keep_error **err)
{
	struct archive_entry *ae;
	cleanup_free char *trimmed = NULL;
	const char *path;
	size_t plen;
	int rc;

	for (;;) {
		struct tar_entry ent;
		cleanup_buf struct buf content = BUF_INIT;
		int frc;

		rc = la.archive_read_next_header(a, &ae);
		if (rc == ARCHIVE_EOF)
			return 0;
		if (rc == ARCHIVE_RETRY)
			continue;
		if (rc < ARCHIVE_WARN) {
			if (r->src_err != NULL) {
				*err = r->src_err;
				r->src_err = NULL;
				return keep_error_wrap(err, "read tar stream");
			}
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "read tar stream: %s", nz(la.archive_error_string(a)));
		}
		memset(&ent, 0, sizeof(ent));
		/* Directories come as "etc/": give every path one spelling. */
		path = nz(la.archive_entry_pathname(ae));
		plen = strlen(path);
		while (plen > 1 && path[plen - 1] == '/')
			plen--;
		free(trimmed);
		trimmed = xstrndup(path, plen);
		ent.path = trimmed;
		ent.type = entry_type(ae);
		ent.mode = (unsigned)la.archive_entry_perm(ae) & 07777;
		ent.uid = la.archive_entry_uid(ae);
		ent.gid = la.archive_entry_gid(ae);
		ent.uname = nz(la.archive_entry_uname(ae));
		ent.gname = nz(la.archive_entry_gname(ae));
		ent.size = la.archive_entry_size(ae);
		ent.mtime = (int64_t)la.archive_entry_mtime(ae);
		if (ent.type == TAR_HARDLINK)
			ent.link = nz(la.archive_entry_hardlink(ae));
		else if (ent.type == TAR_SYMLINK)
			ent.link = nz(la.archive_entry_symlink(ae));
		else
			ent.link = "";
		if (ent.type == TAR_FILE && r->opts != NULL &&
		    r->opts->read_content && !(r->opts->skip_from > 0 &&
		    ent.size >= r->opts->skip_from)) {
			if (read_content(a, ent.path, ent.size,
			    r->opts->max_file, &content, err) < 0) {
				if (r->src_err != NULL) {
					keep_error_free(*err);
					*err = r->src_err;
					r->src_err = NULL;
				}
				return -1;
			}
			ent.data = buf_cstr(&content);
			ent.data_len = content.len;
		}
		frc = r->fn(r->ctx, &ent, err);
		if (frc < 0)
			return -1;
		if (frc > 0)
			return 0;
	}
}

static struct archive *
reader_new(void)
{
	struct archive *a = la.archive_read_new();

	if (a == NULL)
		abort();	/* libarchive's only failure here is ENOMEM */
	la.archive_read_support_format_tar(a);
	la.archive_read_support_filter_none(a);
	return a;
}

int
tar_read_mem(const void *data, size_t len, const struct tar_read_opts *opts,
    tar_entry_fn fn, void *ctx, struct keep_error **err)
{
	struct reader r = { .opts = opts, .fn = fn, .ctx = ctx };
	struct archive *a;
	int rc;

	if (la_load(err) < 0)
		return -1;
	a = reader_new();
	/* No bytes at all is an archive with no entries, not a damaged one. */
	if (len == 0) {
		la.archive_read_free(a);
		return 0;
	}
	if (la.archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
		rc = keep_error_set(err, KEEP_ERR_FAILED, "read tar archive: %s",
		    nz(la.archive_error_string(a)));
		la.archive_read_free(a);
		return rc;
	}
	rc = read_all(a, &r, err);
	la.archive_read_free(a);
	return rc;
}

struct single {
	struct buf *out;
	enum tar_type type;
	char *link;
	int seen;
};

static int
single_entry(void *ctx, const struct tar_entry *ent, struct keep_error **err)
{
	struct single *s = ctx;

	(void)err;
	s->seen = 1;
	s->type = ent->type;
	if (ent->type == TAR_FILE)
		buf_add(s->out, ent->data, ent->data_len);
	else if (ent->type == TAR_SYMLINK || ent->type == TAR_HARDLINK)
		s->link = xstrdup(ent->link);
	return 1;	/* the first entry is all we want */
}

int
tar_read_single(const void *data, size_t len, size_t max, struct buf *out,
    enum tar_type *type_out, char **link_out, struct keep_error **err)
{
	struct tar_read_opts opts = { .read_content = 1, .max_file = max };
	struct single s = { .out = out };

	if (tar_read_mem(data, len, &opts, single_entry, &s, err) < 0)
		return -1;
	if (!s.seen) {
		free(s.link);
		return 1;
	}
	*type_out = s.type;
	if (link_out != NULL)
		*link_out = s.link;
	else
		free(s.link);
	return 0;
}

static la_ssize_t
stream_read_cb(struct archive *a, void *client, const void **buffer)
{
	struct reader *r = client;
	ssize_t n;

	n = r->src(r->src_ctx, buffer, &r->src_err);
	if (n < 0) {
		la.archive_set_error(a, EIO, "source failed");
		return -1;
	}
	return n;
}

int
tar_read_stream(tar_source_fn src, void *src_ctx,
    const struct tar_read_opts *opts, tar_entry_fn fn, void *ctx,
    struct keep_error **err)
{
	struct reader r = {
		.opts = opts, .fn = fn, .ctx = ctx, .src = src, .src_ctx = src_ctx,
	};
	struct archive *a;
	int rc;

	if (la_load(err) < 0)
		return -1;
	a = reader_new();
	if (la.archive_read_open(a, &r, NULL, stream_read_cb, NULL) != ARCHIVE_OK) {
		if (r.src_err != NULL) {
			*err = r.src_err;
			r.src_err = NULL;
			rc = keep_error_wrap(err, "read tar stream");
		} else {
			rc = keep_error_set(err, KEEP_ERR_FAILED,
			    "read tar stream: %s", nz(la.archive_error_string(a)));
		}
		la.archive_read_free(a);
		return rc;
	}
	rc = read_all(a, &r, err);
	la.archive_read_free(a);
	keep_error_free(r.src_err);
	return rc;
}

void
tar_collector_init(struct tar_collector *c, size_t max_total)
{
	buf_init(&c->data);
	c->max_total = max_total;
	c->budget = NULL;
	c->what = NULL;
}

int
tar_collector_sink(void *collector, const void *data, size_t len,
    struct keep_error **err)
{
	struct tar_collector *c = collector;

	if (len > c->max_total || c->data.len > c->max_total - len)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "tar stream is more than the limit of %zu bytes",
		    c->max_total);
	if (budget_fits(c->budget, c->data.len + len, c->what, err) < 0)
		return -1;
	buf_add(&c->data, data, len);
	return 0;
}

void
tar_collector_release(struct tar_collector *c)
{
	buf_release(&c->data);
}

struct tar_writer {
	struct archive *a;	/* NULL when libarchive could not be loaded */
	struct buf *out;	/* the archive goes here, or */
	int fd;			/* into this file, hashed */
	struct sha256 hash;
	int64_t written;
	int write_errno;	/* what a write to fd failed with */
	int finished;
};

static la_ssize_t
writer_write_cb(struct archive *a, void *client, const void *data, size_t len)
{
	struct tar_writer *w = client;
	const char *p = data;

	if (w->out != NULL) {
		buf_add(w->out, data, len);
		return (la_ssize_t)len;
	}
	for (size_t left = len; left > 0;) {
		ssize_t n = write(w->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->write_errno = errno;
			la.archive_set_error(a, errno, "%s", strerror(errno));
			return -1;
		}
		p += n;
		left -= (size_t)n;
	}
	sha256_update(&w->hash, data, len);
	w->written += (int64_t)len;
	return (la_ssize_t)len;
}

static struct tar_writer *
writer_new(struct buf *out, int fd)
{
	struct tar_writer *w = xcalloc(1, sizeof(*w));
	struct keep_error *err = NULL;

	w->out = out;
	w->fd = fd;
	sha256_init(&w->hash);
	/* Adding an entry reports a libarchive that cannot be loaded. */
	if (la_load(&err) < 0) {
		keep_error_free(err);
		return w;
	}
	w->a = la.archive_write_new();
	if (w->a == NULL)
		abort();
	la.archive_write_set_format_pax_restricted(w->a);
	la.archive_write_add_filter_none(w->a);
	/* No padding to a 10 KiB record: the engine does not need it. */
	la.archive_write_set_bytes_in_last_block(w->a, 1);
	if (la.archive_write_open(w->a, w, NULL, writer_write_cb, NULL) !=
	    ARCHIVE_OK)
		abort();	/* only fails on allocation */
	return w;
}

struct tar_writer *
tar_writer_new(struct buf *out)
{
	return writer_new(out, -1);
}

struct tar_writer *
tar_writer_new_fd(int fd)
{
	return writer_new(NULL, fd);
}

/* Copy size bytes of fd into the archive: a file that shrank meanwhile
 * is padded with zeros, one that grew is cut, as the header said. */
static int
writer_copy(struct tar_writer *w, const char *path, int fd, int64_t size,
    struct keep_error **err)
{
	static char zeros[65536];
	char chunk[65536];

	while (size > 0) {
		size_t want = size < (int64_t)sizeof(chunk) ? (size_t)size :
		    sizeof(chunk);
		ssize_t n = read(fd, chunk, want);
		const char *data = chunk;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return keep_error_set(err, KEEP_ERR_FAILED, "read '%s': %s",
			    path, strerror(errno));
		if (n == 0) {
			data = zeros;
			n = (ssize_t)want;
		}
		if (la.archive_write_data(w->a, data, (size_t)n) != n)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "add '%s' to tar archive: %s", path, w->write_errno ?
			    strerror(w->write_errno) :
			    nz(la.archive_error_string(w->a)));
		size -= n;
	}
	return 0;
}

int
tar_writer_add_entry(struct tar_writer *w, const struct tar_out *e,
    int content_fd, struct keep_error **err)
{
	static const unsigned types[] = {
		[TAR_FILE] = AE_IFREG, [TAR_DIR] = AE_IFDIR,
		[TAR_SYMLINK] = AE_IFLNK, [TAR_HARDLINK] = AE_IFREG,
		[TAR_CHAR] = AE_IFCHR, [TAR_BLOCK] = AE_IFBLK,
		[TAR_FIFO] = AE_IFIFO,
	};
	struct archive_entry *ae;
	int64_t size = e->type == TAR_FILE ? e->size : 0;
	int rc = 0;

	if (w->a == NULL)
		return la_load(err);
	if (e->type >= sizeof(types) / sizeof(*types) || types[e->type] == 0)
		return keep_error_set(err, KEEP_ERR_FAILED, "add '%s' to tar "
		    "archive: not a kind of file a layer holds", e->path);
	ae = la.archive_entry_new();
	if (ae == NULL)
		abort();
	la.archive_entry_set_pathname(ae, e->path);
	la.archive_entry_set_filetype(ae, types[e->type]);
	la.archive_entry_set_perm(ae, e->mode & 07777);
	la.archive_entry_set_uid(ae, e->uid);
	la.archive_entry_set_gid(ae, e->gid);
	la.archive_entry_set_mtime(ae, e->mtime, 0);
	la.archive_entry_set_size(ae, size);
	if (e->type == TAR_SYMLINK)
		la.archive_entry_set_symlink(ae, e->link);
	if (e->type == TAR_HARDLINK)
		la.archive_entry_set_hardlink(ae, e->link);
	if (e->type == TAR_CHAR || e->type == TAR_BLOCK) {
		la.archive_entry_set_rdevmajor(ae, e->rdev_major);
		la.archive_entry_set_rdevminor(ae, e->rdev_minor);
	}
	for (size_t i = 0; i < e->n_xattrs; i++)
		la.archive_entry_xattr_add_entry(ae, e->xattrs[i].name,
		    e->xattrs[i].value, e->xattrs[i].len);
	if (la.archive_write_header(w->a, ae) < ARCHIVE_WARN)
		rc = keep_error_set(err, KEEP_ERR_FAILED,
		    "add '%s' to tar archive: %s", e->path, w->write_errno ?
		    strerror(w->write_errno) : nz(la.archive_error_string(w->a)));
	else if (size > 0)
		rc = writer_copy(w, e->path, content_fd, size, err);
	la.archive_entry_free(ae);
	return rc;
}

int64_t
tar_writer_digest(struct tar_writer *w, char hex[2 * SHA256_DIGEST_SIZE + 1])
{
	unsigned char d[SHA256_DIGEST_SIZE];

	sha256_final(&w->hash, d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return w->written;
}

/* Octal field of width n (its last byte a NUL), as ustar wants it. */
static void
ustar_octal(char *field, size_t n, uint64_t v)
{
	snprintf(field, n, "%0*llo", (int)n - 1, (unsigned long long)v);
}

int
tar_header(struct buf *out, const char *path, uint64_t size)
{
	char h[512];
	unsigned sum = 0;

	if (strlen(path) >= 100 || size >= (uint64_t)1 << 33)
		return -1;
	memset(h, 0, sizeof(h));
	memcpy(h, path, strlen(path));
	ustar_octal(h + 100, 8, 0644);
	ustar_octal(h + 108, 8, 0);
	ustar_octal(h + 116, 8, 0);
	ustar_octal(h + 124, 12, size);
	ustar_octal(h + 136, 12, 0);
	memset(h + 148, ' ', 8);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	for (size_t i = 0; i < sizeof(h); i++)
		sum += (unsigned char)h[i];
	snprintf(h + 148, 8, "%06o", sum);
	buf_add(out, h, sizeof(h));
	return 0;
}

void
tar_pad(struct buf *out, uint64_t size)
{
	static const char zeros[512];

	if (size % 512)
		buf_add(out, zeros, 512 - size % 512);
}

static int
writer_add(struct tar_writer *w, const char *path, unsigned type,
    unsigned mode, int64_t uid, int64_t gid, const char *target,
    const void *data, size_t len, struct keep_error **err)
{
	struct archive_entry *ae;
	int rc = 0;

	if (w->a == NULL)
		return la_load(err);
	if (w->finished)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "add '%s' to tar archive: archive already finished", path);
	if (path == NULL || path[0] == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "add to tar archive: empty path");
	ae = la.archive_entry_new();
	if (ae == NULL)
		abort();
	la.archive_entry_set_pathname(ae, path);
	la.archive_entry_set_filetype(ae, type);
	la.archive_entry_set_perm(ae, mode & 07777);
	la.archive_entry_set_uid(ae, uid);
	la.archive_entry_set_gid(ae, gid);
	la.archive_entry_set_mtime(ae, 0, 0);
	la.archive_entry_set_size(ae, type == AE_IFREG ? (la_int64_t)len : 0);
	if (target != NULL)
		la.archive_entry_set_symlink(ae, target);
	if (la.archive_write_header(w->a, ae) < ARCHIVE_WARN) {
		rc = keep_error_set(err, KEEP_ERR_FAILED,
		    "add '%s' to tar archive: %s", path,
		    nz(la.archive_error_string(w->a)));
		goto out;
	}
	if (type == AE_IFREG && len > 0 &&
	    la.archive_write_data(w->a, data, len) != (la_ssize_t)len) {
		rc = keep_error_set(err, KEEP_ERR_FAILED,
		    "add '%s' to tar archive: %s", path,
		    nz(la.archive_error_string(w->a)));
		goto out;
	}
out:
	la.archive_entry_free(ae);
	return rc;
}

int
tar_writer_add_file(struct tar_writer *w, const char *path,
    const void *data, size_t len, unsigned mode, int64_t uid, int64_t gid,
    struct keep_error **err)
{
	return writer_add(w, path, AE_IFREG, mode, uid, gid, NULL, data, len,
	    err);
}

int
tar_writer_add_dir(struct tar_writer *w, const char *path, unsigned mode,
    int64_t uid, int64_t gid, struct keep_error **err)
{
	return writer_add(w, path, AE_IFDIR, mode, uid, gid, NULL, NULL, 0,
	    err);
}

int
tar_writer_add_symlink(struct tar_writer *w, const char *path,
    const char *target, int64_t uid, int64_t gid, struct keep_error **err)
{
	return writer_add(w, path, AE_IFLNK, 0777, uid, gid, target, NULL, 0,
	    err);
}

int
tar_writer_finish(struct tar_writer *w, struct keep_error **err)
{
	if (w->a == NULL)
		return la_load(err);
	if (w->finished)
		return 0;
	w->finished = 1;
	if (la.archive_write_close(w->a) != ARCHIVE_OK)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "finish tar archive: %s", nz(la.archive_error_string(w->a)));
	return 0;
}

void
tar_writer_free(struct tar_writer *w)
{
	if (w == NULL)
		return;
	if (w->a != NULL)
		la.archive_write_free(w->a);
	free(w);
}

const char *
tar_type_name(enum tar_type t)
{
	switch (t) {
	case TAR_FILE:
		return "a regular file";
	case TAR_DIR:
		return "a directory";
	case TAR_SYMLINK:
		return "a symbolic link";
	case TAR_HARDLINK:
		return "a hard link";
	case TAR_CHAR:
	case TAR_BLOCK:
		return "a device";
	case TAR_FIFO:
		return "a fifo";
	case TAR_SOCKET:
		return "a socket";
	default:
		return "an unknown kind of file";
	}
}
