/*
 * Bytes no other run of keep has: save tokens, SBOM serial numbers. They
 * tell things apart and guard no secret: without getrandom(2), the clock
 * and the pid will do.
 */
#ifndef KEEP_UTIL_RANDOM_H
#define KEEP_UTIL_RANDOM_H

#include <stddef.h>

void random_bytes(void *out, size_t n);

/* A random (version 4) UUID, "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
void random_uuid(char out[37]);

#endif
