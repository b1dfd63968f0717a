/*
 * Errors travel up as an out-parameter, `struct keep_error **err`, always the
 * last argument. A failing function sets it and returns a negative number (or
 * NULL); each caller may wrap it with context. Only main prints it.
 *
 * "Not there" (no such container, image, file, cached row) is said one way:
 * the function fails with KEEP_ERR_NOT_FOUND. A caller for which absence is
 * an answer turns it back into one with keep_error_not_found.
 */
#ifndef KEEP_UTIL_ERROR_H
#define KEEP_UTIL_ERROR_H

enum keep_error_kind {
	KEEP_ERR_FAILED = 1,	/* exit status 1 */
	KEEP_ERR_USAGE = 2,	/* exit status 2: bad command line */
	KEEP_ERR_NOT_FOUND,	/* exit status 1; see keep_error_not_found */
	KEEP_ERR_CONFLICT,	/* exit status 1 */
};

struct keep_error {
	enum keep_error_kind kind;
	char *message;	/* lowercase, no full stop, subjects quoted '%s' */
};

/*
 * Set *err (when err is not NULL) to a new error. Returns -1 so that callers
 * can write `return keep_error_set(err, ...)`. If *err is already set it is
 * replaced.
 */
int keep_error_set(struct keep_error **err, enum keep_error_kind kind,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Prefix the message of *err with context and ": ". Returns -1. Does nothing
 * to the kind. With no error set, sets a generic one with the context.
 */
int keep_error_wrap(struct keep_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * For a call that failed, where absence is an answer rather than a failure:
 * when *err is a KEEP_ERR_NOT_FOUND it is freed, *err is cleared, and 1 is
 * returned. Any other error (or none, or err NULL) stays as it is: 0. So
 * `if (f(..., err) < 0 && !keep_error_not_found(err)) return -1;`.
 */
int keep_error_not_found(struct keep_error **err);

/* Free an error; NULL is fine. */
void keep_error_free(struct keep_error *err);

/* The exit status an error maps to: 2 for usage errors, 1 otherwise. */
int keep_error_exit_code(const struct keep_error *err);

#endif
