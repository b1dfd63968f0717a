#include "util/budget.h"

#include <stdint.h>

#include "util/env.h"

int
budget_init(struct budget *b, struct keep_error **err)
{
	const char *s;
	long long mib;

	b->used = 0;
	if (env_number("KEEP_MEMORY_LIMIT", 1, (long long)(SIZE_MAX >> 20),
	    BUDGET_DEFAULT_MIB, &mib, &s) < 0)
		return keep_error_set(err, KEEP_ERR_USAGE,
		    "KEEP_MEMORY_LIMIT='%.32s': use a number of MiB above 0", s);
	b->max = (size_t)mib << 20;
	return 0;
}

static int
over(const struct budget *b, const char *what, struct keep_error **err)
{
	return keep_error_set(err, KEEP_ERR_FAILED, "keeping %s takes more "
	    "than %zu MiB of the container's data in memory (a snapshot's "
	    "limit: KEEP_MEMORY_LIMIT=%zu)", what, b->max >> 20, b->max >> 20);
}

int
budget_charge(struct budget *b, size_t bytes, const char *what,
    struct keep_error **err)
{
	if (b == NULL)
		return 0;
	if (bytes > b->max - b->used)
		return over(b, what, err);
	b->used += bytes;
	return 0;
}

int
budget_fits(const struct budget *b, size_t bytes, const char *what,
    struct keep_error **err)
{
	return b == NULL || bytes <= b->max ? 0 : over(b, what, err);
}
