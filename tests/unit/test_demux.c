/* The exec stream demultiplexer: frames cut anywhere still come out whole and in order. */
#include <stdlib.h>
#include <string.h>

#include "engine/demux.h"
#include "tap.h"
#include "util/buf.h"

struct sink {
	struct buf out, err;
	int calls;
	int stop_after;		/* fail on this call (1-based); 0 never */
};

static int
collect(void *ctx, int stream, const void *data, size_t len,
    struct keep_error **err)
{
	struct sink *s = ctx;

	if (++s->calls == s->stop_after)
		return keep_error_set(err, KEEP_ERR_FAILED, "stop");
	buf_add(stream == DEMUX_STDERR ? &s->err : &s->out, data, len);
	return 0;
}

/* Append a frame for stream with payload text. */
static void
frame(struct buf *b, int stream, const char *text)
{
	size_t n = strlen(text);
	unsigned char hdr[8] = { (unsigned char)stream, 0, 0, 0,
	    (unsigned char)(n >> 24), (unsigned char)(n >> 16),
	    (unsigned char)(n >> 8), (unsigned char)n };

	buf_add(b, hdr, sizeof(hdr));
	buf_add(b, text, n);
}

static void
sink_release(struct sink *s)
{
	buf_release(&s->out);
	buf_release(&s->err);
}

int
main(void)
{
	struct buf in = BUF_INIT;
	struct keep_error *err = NULL;
	int all_ok = 1;

	frame(&in, 1, "hello ");
	frame(&in, 2, "oops\n");
	frame(&in, 1, "world\n");
	frame(&in, 1, "");
	frame(&in, 2, "x");

	{
		struct demux d = DEMUX_INIT;
		struct sink s = { BUF_INIT, BUF_INIT, 0, 0 };

		ok(demux_feed(&d, in.ptr, in.len, collect, &s, &err) == 0,
		    "one call with five frames");
		is_str(buf_cstr(&s.out), "hello world\n", "stdout in order");
		is_str(buf_cstr(&s.err), "oops\nx", "stderr apart");
		ok(!demux_partial(&d), "nothing left over");
		sink_release(&s);
	}

	/* Every split point, and byte by byte. */
	for (size_t cut = 0; cut <= in.len; cut++) {
		struct demux d = DEMUX_INIT;
		struct sink s = { BUF_INIT, BUF_INIT, 0, 0 };

		if (demux_feed(&d, in.ptr, cut, collect, &s, &err) < 0 ||
		    demux_feed(&d, in.ptr + cut, in.len - cut, collect, &s,
		    &err) < 0 ||
		    strcmp(buf_cstr(&s.out), "hello world\n") != 0 ||
		    strcmp(buf_cstr(&s.err), "oops\nx") != 0 ||
		    demux_partial(&d))
			all_ok = 0;
		sink_release(&s);
	}
	ok(all_ok, "the same output for a split at every offset");
	{
		struct demux d = DEMUX_INIT;
		struct sink s = { BUF_INIT, BUF_INIT, 0, 0 };
		int rc = 0;

		for (size_t i = 0; i < in.len && rc == 0; i++)
			rc = demux_feed(&d, in.ptr + i, 1, collect, &s, &err);
		ok(rc == 0, "byte by byte");
		is_str(buf_cstr(&s.out), "hello world\n", "byte by byte: stdout");
		is_str(buf_cstr(&s.err), "oops\nx", "byte by byte: stderr");
		sink_release(&s);
	}
	{
		struct demux d = DEMUX_INIT;
		struct sink s = { BUF_INIT, BUF_INIT, 0, 0 };

		ok(demux_feed(&d, in.ptr, 11, collect, &s, &err) == 0 &&
		    demux_partial(&d), "a stream cut inside a frame is partial");
		sink_release(&s);
	}
	{
		struct demux d = DEMUX_INIT;
		struct sink s = { BUF_INIT, BUF_INIT, 0, 0 };
		const char *raw = "root@host:/# ls\r\n";

		ok(demux_feed(&d, raw, strlen(raw), collect, &s, &err) < 0 &&
		    err && strstr(err->message, "not multiplexed"),
		    "raw TTY bytes are refused, not misread");
		keep_error_free(err);
		err = NULL;
		sink_release(&s);
	}
	{
		struct demux d = DEMUX_INIT;
		struct sink s = { BUF_INIT, BUF_INIT, 0, 2 };

		ok(demux_feed(&d, in.ptr, in.len, collect, &s, &err) < 0 &&
		    err && strcmp(err->message, "stop") == 0,
		    "a failing sink stops the feed with its error");
		is_str(buf_cstr(&s.out), "hello ", "nothing after the failure");
		keep_error_free(err);
		err = NULL;
		sink_release(&s);
	}
	{
		struct demux d = DEMUX_INIT;
		struct sink s = { BUF_INIT, BUF_INIT, 0, 0 };
		struct buf big = BUF_INIT;
		char *text = malloc(70001);

		memset(text, 'a', 70000);
		text[70000] = '\0';
		frame(&big, 1, text);
		ok(demux_feed(&d, big.ptr, big.len, collect, &s, &err) == 0 &&
		    s.out.len == 70000, "a frame longer than 64 KiB");
		free(text);
		buf_release(&big);
		sink_release(&s);
	}
	buf_release(&in);
	return done_testing();
}
