/*
 * Settings from the environment (KEEP_MAX_LAYERS, KEEP_RETAIN ...): one
 * parser, so that each accepts and refuses the same forms.
 */
#ifndef KEEP_UTIL_ENV_H
#define KEEP_UTIL_ENV_H

/*
 * The whole number the environment variable name holds, into *out: dflt
 * when it is unset or empty. A value that is not decimal digits alone
 * (no sign, no space, no unit) or lies outside min..max is refused: -1,
 * *out left as dflt, and *raw (if not NULL) points at the value for the
 * caller's message. 0 otherwise.
 */
int env_number(const char *name, long long min, long long max,
    long long dflt, long long *out, const char **raw);

#endif
