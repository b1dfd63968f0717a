/*
 * SHA-256 (FIPS 180-4). keep needs it to find docker context directories,
 * which are named by the hex digest of the context name; a small local
 * implementation keeps OpenSSL's headers out of everything but http.c.
 */
#ifndef KEEP_UTIL_SHA256_H
#define KEEP_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32

struct sha256 {
	uint32_t h[8];
	uint64_t total;		/* bytes hashed so far */
	unsigned char block[64];
	size_t fill;		/* bytes waiting in block */
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
/* Write the digest to out; s must be initialised again before reuse. */
void sha256_final(struct sha256 *s, unsigned char out[SHA256_DIGEST_SIZE]);

/* The lowercase hex digest of data into out (64 characters and a NUL). */
void sha256_hex(const void *data, size_t len, char out[2 * SHA256_DIGEST_SIZE + 1]);

#endif
