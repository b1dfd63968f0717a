/*
 * How much of a container's data one snapshot may hold in memory: the
 * bytes read from the container (package databases, file lists, the
 * change list, the build context's files) and the strings made from them,
 * counted as they are read and made. A buffer only passed through (an
 * archive, unpacked and dropped) is not counted, but may not be larger
 * than the limit itself (budget_fits). One budget per save or per build
 * context; past its limit the work stops with one clear line, where it
 * used to grow with whatever the container held (four 16 MiB pip RECORD
 * files took 2.9 GB).
 *
 * The limit is KEEP_MEMORY_LIMIT, in MiB; BUDGET_DEFAULT_MIB when unset.
 */
#ifndef KEEP_UTIL_BUDGET_H
#define KEEP_UTIL_BUDGET_H

#include <stddef.h>

#include "util/error.h"

#define BUDGET_DEFAULT_MIB 1024

struct budget {
	size_t used;
	size_t max;	/* bytes */
};

/* A budget with the limit of KEEP_MEMORY_LIMIT; 0, or a usage error. */
int budget_init(struct budget *b, struct keep_error **err);

/*
 * Count bytes more, kept for what ("'/usr/lib/x/RECORD'", "the change
 * list"). 0; or -1 with *err when that passes the limit: "keeping
 * WHAT takes more than N MiB of the container's data in memory (a
 * snapshot's limit: KEEP_MEMORY_LIMIT=N)". b may be NULL: no limit.
 */
int budget_charge(struct budget *b, size_t bytes, const char *what,
    struct keep_error **err);

/*
 * Whether a passing buffer of bytes fits the limit (uncounted): 0, or -1
 * with *err as budget_charge words it. b may be NULL: no limit.
 */
int budget_fits(const struct budget *b, size_t bytes, const char *what,
    struct keep_error **err);

/*
 * What a string of len bytes costs kept in a vector: its bytes and NUL,
 * the pointer to it and the allocator's header.
 */
#define BUDGET_STRING(len) ((len) + 1 + 3 * sizeof(void *))

#endif
