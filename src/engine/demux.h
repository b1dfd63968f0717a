/*
 * The Engine API's multiplexed stream (attach and exec without a TTY): each
 * frame is an 8-byte header {stream, 0, 0, 0, big-endian uint32 length}
 * followed by length bytes for stdin (0), stdout (1) or stderr (2). Frames
 * are cut anywhere by the transport, so the demultiplexer keeps its place
 * between calls. Pure: no I/O of its own, tested on its own.
 */
#ifndef KEEP_ENGINE_DEMUX_H
#define KEEP_ENGINE_DEMUX_H

#include <stddef.h>

#include "util/error.h"

enum {
	DEMUX_STDIN = 0,
	DEMUX_STDOUT = 1,
	DEMUX_STDERR = 2,
};

struct demux {
	unsigned char hdr[8];
	size_t hdr_len;		/* header bytes seen of the current frame */
	size_t left;		/* payload bytes still due for it */
	int stream;
};

#define DEMUX_INIT { { 0 }, 0, 0, 0 }

/*
 * Receives payload bytes of one stream; return nonzero (with *err set) to
 * stop.
 */
typedef int (*demux_out_fn)(void *ctx, int stream, const void *data,
    size_t len, struct keep_error **err);

/*
 * Feed len bytes of the stream. Payload goes to out as it completes, in
 * order; a frame may arrive in many calls and one call may hold many
 * frames. A header naming a stream other than 0, 1, 2 fails: the stream
 * is not multiplexed (a TTY stream was read as if it were).
 */
int demux_feed(struct demux *d, const void *data, size_t len,
    demux_out_fn out, void *ctx, struct keep_error **err);

/* Nonzero when the stream stopped in the middle of a frame. */
int demux_partial(const struct demux *d);

#endif
