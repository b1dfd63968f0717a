/*
 * One growable byte buffer for HTTP bodies, SQL and Dockerfile text. The
 * contents are always NUL-terminated, so `ptr` can be read as a string when
 * the data holds no NUL of its own.
 */
#ifndef KEEP_UTIL_BUF_H
#define KEEP_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *ptr;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
/* Free the storage and reset to empty. */
void buf_release(struct buf *b);
/* Make room for at least `extra` more bytes. */
void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addstr(struct buf *b, const char *s);
void buf_addch(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
void buf_truncate(struct buf *b, size_t len);
/* Hand the string over to the caller (who frees it) and reset the buffer. */
char *buf_detach(struct buf *b, size_t *len_out);
/* The contents as a string; "" for a buffer never written to. */
const char *buf_cstr(const struct buf *b);

void buf_releasep(struct buf *b);
#define cleanup_buf __attribute__((cleanup(buf_releasep)))

#endif
