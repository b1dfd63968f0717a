#include "util/env.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

int
env_number(const char *name, long long min, long long max, long long dflt,
    long long *out, const char **raw)
{
	const char *s = getenv(name);
	char *end;
	long long v;

	*out = dflt;
	if (raw != NULL)
		*raw = s;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || errno != 0 ||
	    v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
