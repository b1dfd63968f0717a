#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util/tar.h"
#include "util/xalloc.h"

struct seen {
	int n;
	char paths[8][64];
	enum tar_type types[8];
	unsigned modes[8];
	long long uids[8], gids[8];
	char links[8][64];
	char data[8][64];
	size_t data_len[8];
	int stop_after;
};

static int
collect(void *ctx, const struct tar_entry *e, struct keep_error **err)
{
	struct seen *s = ctx;
	int i = s->n;

	(void)err;
	if (i >= 8)
		return keep_error_set(err, KEEP_ERR_FAILED, "too many");
	snprintf(s->paths[i], sizeof(s->paths[i]), "%s", e->path);
	s->types[i] = e->type;
	s->modes[i] = e->mode;
	s->uids[i] = e->uid;
	s->gids[i] = e->gid;
	snprintf(s->links[i], sizeof(s->links[i]), "%s", e->link);
	if (e->data != NULL && e->data_len < sizeof(s->data[i])) {
		memcpy(s->data[i], e->data, e->data_len);
		s->data_len[i] = e->data_len;
	} else {
		s->data_len[i] = (size_t)-1;
	}
	s->n++;
	if (s->stop_after && s->n == s->stop_after)
		return 1;
	return 0;
}

static void
make_archive(struct buf *out)
{
	struct keep_error *err = NULL;
	struct tar_writer *w = tar_writer_new(out);

	ok(tar_writer_add_dir(w, "etc", 0755, 0, 0, &err) == 0, "add dir");
	ok(tar_writer_add_file(w, "etc/tool.conf", "x=1\n", 4, 0640, 1000,
	    100, &err) == 0, "add file");
	ok(tar_writer_add_file(w, "etc/bin\0ary", "a\0b", 3, 0600, 0, 0,
	    &err) == 0, "add file with NUL content");
	ok(tar_writer_add_symlink(w, "etc/link", "tool.conf", 0, 0, &err) == 0,
	    "add symlink");
	ok(tar_writer_add_file(w, "empty", "", 0, 0644, 0, 0, &err) == 0,
	    "add empty file");
	ok(tar_writer_finish(w, &err) == 0, "finish");
	ok(tar_writer_add_file(w, "late", "", 0, 0644, 0, 0, &err) < 0 &&
	    err != NULL, "adding after finish is an error");
	keep_error_free(err);
	tar_writer_free(w);
}

/* A source that hands the archive out 7 bytes at a time. */
struct chunker {
	const char *p;
	size_t left;
	int fail;
};

static ssize_t
chunk_src(void *ctx, const void **data, struct keep_error **err)
{
	struct chunker *c = ctx;
	size_t n = c->left < 7 ? c->left : 7;

	if (c->fail && c->left < 600)
		return keep_error_set(err, KEEP_ERR_FAILED, "connection reset");
	*data = c->p;
	c->p += n;
	c->left -= n;
	return (ssize_t)n;
}

static void
check_seen(const struct seen *s, const char *what)
{
	is_int(s->n, 5, "%s: five entries", what);
	is_str(s->paths[0], "etc", "%s: dir path", what);
	is_int(s->types[0], TAR_DIR, "%s: dir type", what);
	is_int(s->modes[0], 0755, "%s: dir mode", what);
	is_str(s->paths[1], "etc/tool.conf", "%s: file path", what);
	is_int(s->types[1], TAR_FILE, "%s: file type", what);
	is_int(s->modes[1], 0640, "%s: file mode", what);
	is_int(s->uids[1], 1000, "%s: uid", what);
	is_int(s->gids[1], 100, "%s: gid", what);
	ok(s->data_len[1] == 4 && memcmp(s->data[1], "x=1\n", 4) == 0,
	    "%s: file content", what);
	/* The writer takes a C string path: "etc/bin\0ary" is "etc/bin". */
	is_str(s->paths[2], "etc/bin", "%s: path cut at NUL", what);
	ok(s->data_len[2] == 3 && memcmp(s->data[2], "a\0b", 3) == 0,
	    "%s: content with NUL kept whole", what);
	is_int(s->types[3], TAR_SYMLINK, "%s: symlink type", what);
	is_str(s->links[3], "tool.conf", "%s: symlink target", what);
	ok(s->data_len[4] == 0, "%s: empty file read as empty", what);
}

int
main(void)
{
	cleanup_buf struct buf ar = BUF_INIT;
	struct tar_read_opts opts = { .read_content = 1, .max_file = 16 };
	struct keep_error *err = NULL;
	struct seen s;

	make_archive(&ar);
	ok(ar.len % 512 == 0 && ar.len >= 512 * 7, "archive is whole blocks");

	memset(&s, 0, sizeof(s));
	ok(tar_read_mem(ar.ptr, ar.len, &opts, collect, &s, &err) == 0,
	    "read from memory");
	check_seen(&s, "mem");

	memset(&s, 0, sizeof(s));
	{
		struct chunker c = { ar.ptr, ar.len, 0 };

		ok(tar_read_stream(chunk_src, &c, &opts, collect, &s, &err) == 0,
		    "read from a stream of 7-byte chunks");
		check_seen(&s, "stream");
	}

	/* A source failing midway: its own error comes back, wrapped. */
	memset(&s, 0, sizeof(s));
	{
		struct chunker c = { ar.ptr, ar.len, 1 };

		ok(tar_read_stream(chunk_src, &c, &opts, collect, &s, &err) < 0,
		    "failing source fails the read");
		ok(err && strstr(err->message, "connection reset"),
		    "source error kept: %s", err ? err->message : "");
		keep_error_free(err);
		err = NULL;
	}

	/* Metadata only: no content even for files. */
	memset(&s, 0, sizeof(s));
	ok(tar_read_mem(ar.ptr, ar.len, NULL, collect, &s, &err) == 0,
	    "metadata-only read");
	ok(s.data_len[1] == (size_t)-1, "no content without read_content");

	/* Stopping early is not an error. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	ok(tar_read_mem(ar.ptr, ar.len, &opts, collect, &s, &err) == 0 &&
	    s.n == 2, "callback stops early");

	/* A file over the limit is a clear error, not a truncation. */
	memset(&s, 0, sizeof(s));
	opts.max_file = 3;
	ok(tar_read_mem(ar.ptr, ar.len, &opts, collect, &s, &err) < 0,
	    "file over max_file fails");
	ok(err && strstr(err->message, "etc/tool.conf") &&
	    strstr(err->message, "limit"), "error names the entry: %s",
	    err ? err->message : "");
	keep_error_free(err);
	err = NULL;

	/* Garbage and truncation are errors, never crashes. */
	{
		char junk[1024];

		memset(junk, 'A', sizeof(junk));
		memset(&s, 0, sizeof(s));
		ok(tar_read_mem(junk, sizeof(junk), &opts, collect, &s, &err) < 0,
		    "garbage is an error");
		keep_error_free(err);
		err = NULL;
		memset(&s, 0, sizeof(s));
		opts.max_file = 16;
		ok(tar_read_mem(ar.ptr, 700, &opts, collect, &s, &err) < 0,
		    "truncated archive is an error");
		keep_error_free(err);
		err = NULL;
	}

	/* An empty stream is an empty archive. */
	memset(&s, 0, sizeof(s));
	ok(tar_read_mem("", 0, &opts, collect, &s, &err) == 0 && s.n == 0,
	    "empty input has no entries");
	keep_error_free(err);
	err = NULL;

	/* The first entry only, as the archive API answers for one path. */
	{
		cleanup_buf struct buf one = BUF_INIT;
		cleanup_buf struct buf content = BUF_INIT;
		struct tar_writer *w = tar_writer_new(&one);
		enum tar_type t;
		char *link = NULL;

		tar_writer_add_file(w, "status", "Package: x\n", 11, 0644, 0, 0,
		    &err);
		tar_writer_add_file(w, "other", "y", 1, 0644, 0, 0, &err);
		tar_writer_finish(w, &err);
		tar_writer_free(w);
		ok(tar_read_single(one.ptr, one.len, 64, &content, &t, &link,
		    &err) == 0 && t == TAR_FILE && link == NULL,
		    "single: first entry is a file");
		is_str(buf_cstr(&content), "Package: x\n", "single: its content");
		ok(tar_read_single(one.ptr, one.len, 4, &content, &t, &link,
		    &err) < 0, "single: over the limit fails");
		keep_error_free(err);
		err = NULL;
		ok(tar_read_single("", 0, 4, &content, &t, &link, &err) == 1,
		    "single: empty archive says so");
		buf_release(&one);
		w = tar_writer_new(&one);
		tar_writer_add_symlink(w, "sh", "/bin/dash", 0, 0, &err);
		tar_writer_finish(w, &err);
		tar_writer_free(w);
		ok(tar_read_single(one.ptr, one.len, 4, &content, &t, &link,
		    &err) == 0 && t == TAR_SYMLINK && link &&
		    strcmp(link, "/bin/dash") == 0, "single: symlink target given");
		free(link);
	}

	/* The collector takes pushed chunks up to its bound. */
	{
		struct tar_collector c;

		tar_collector_init(&c, ar.len);
		ok(tar_collector_sink(&c, ar.ptr, 100, &err) == 0 &&
		    tar_collector_sink(&c, ar.ptr + 100, ar.len - 100, &err) == 0,
		    "collector takes the whole archive");
		memset(&s, 0, sizeof(s));
		ok(tar_read_mem(c.data.ptr, c.data.len, &opts, collect, &s,
		    &err) == 0 && s.n == 5, "collected archive reads back");
		ok(tar_collector_sink(&c, "x", 1, &err) < 0 && err != NULL,
		    "collector refuses more than its bound");
		keep_error_free(err);
		err = NULL;
		tar_collector_release(&c);
	}
	return done_testing();
}
