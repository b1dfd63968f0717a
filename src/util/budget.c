#include "util/budget.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

int
budget_init(struct budget *b, struct keep_error **err)
{
	const char *s = getenv("KEEP_MEMORY_LIMIT");
	unsigned long long mib = BUDGET_DEFAULT_MIB;
	char *end;

	b->used = 0;
	if (s != NULL && *s != '\0') {
		errno = 0;
		mib = strtoull(s, &end, 10);
		if (!isdigit((unsigned char)*s) || *end != '\0' || errno != 0 ||
		    mib == 0 || mib > SIZE_MAX >> 20)
			return keep_error_set(err, KEEP_ERR_USAGE,
			    "KEEP_MEMORY_LIMIT='%.32s': use a number of MiB "
			    "above 0", s);
	}
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
