/*
 * Base64 (RFC 4648), both alphabets: the standard one the engine and the
 * docker CLI's config.json use, and the URL-safe one of X-Registry-Auth.
 */
#ifndef KEEP_UTIL_BASE64_H
#define KEEP_UTIL_BASE64_H

#include <stddef.h>

#include "util/buf.h"

/* Which alphabet: '+' '/' (standard) or '-' '_' (URL-safe). */
enum base64_alphabet {
	BASE64_STD,
	BASE64_URL,
};

/* Append data[0..len) encoded, with '=' padding, to out. */
void base64_encode(const void *data, size_t len, enum base64_alphabet a,
    struct buf *out);

/*
 * Append the bytes in (NUL-terminated, padding optional) stands for to
 * out. Returns 0, or -1 on a byte outside the alphabet a.
 */
int base64_decode(const char *in, enum base64_alphabet a, struct buf *out);

#endif
