/*
 * A minimal TAP producer for unit tests: ok(), is_str(), is_int(), skip(),
 * then done_testing() as the return value of main (or skip_all() when the
 * whole program cannot run here).
 *
 * Nothing passes on nothing: done_testing() fails when no test ran, and
 * under CI=true (the suite's runner sets it) every skip is a failure.
 */
#ifndef KEEP_TESTS_TAP_H
#define KEEP_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed, tap_skipped;

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static inline int
tap_ok(int pass, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%s %d - ", pass ? "ok" : "not ok", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	return pass;
}

#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__)) \
		printf("#   got:  '%s'\n#   want: '%s'\n", g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
} while (0)

#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!ok(g_ == w_, __VA_ARGS__)) \
		printf("#   got:  %lld\n#   want: %lld\n", g_, w_); \
} while (0)

static inline int
tap_under_ci(void)
{
	const char *ci = getenv("CI");

	return ci && strcmp(ci, "true") == 0;
}

/* One line per skip for the suite's closing count (scripts/test.sh). */
static inline void
tap_skip_note(const char *file, const char *why)
{
	const char *path = getenv("KEEP_SKIP_LOG");
	FILE *f;

	if (path == NULL || *path == '\0' || (f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "%s: %s\n", file, why);
	fclose(f);
}

/*
 * skip("why", ...): a check that cannot run here, "ok N # SKIP why"; under
 * CI=true "not ok": there nothing may skip.
 */
#define skip(...) tap_skip(__FILE__, __LINE__, __VA_ARGS__)

static inline void
tap_skip(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static inline void
tap_skip(const char *file, int line, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	tap_count++;
	tap_skip_note(file, why);
	if (tap_under_ci()) {
		tap_failed++;
		printf("not ok %d # SKIP %s (under CI=true a skip is a failure)\n",
		    tap_count, why);
		printf("#   at %s:%d\n", file, line);
	} else {
		tap_skipped++;
		printf("ok %d # SKIP %s\n", tap_count, why);
	}
}

/*
 * return skip_all("why", ...) from main: the whole program cannot run here.
 * 77 is ctest's SKIP_RETURN_CODE; under CI=true it fails instead.
 */
#define skip_all(...) tap_skip_all(__FILE__, __VA_ARGS__)

static inline int
tap_skip_all(const char *file, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline int
tap_skip_all(const char *file, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	tap_skip_note(file, why);
	if (tap_under_ci()) {
		printf("Bail out! %s (under CI=true a skip is a failure)\n", why);
		return 1;
	}
	printf("1..0 # SKIP %s\n", why);
	return 77;
}

static inline int
done_testing(void)
{
	printf("1..%d\n", tap_count);
	printf("# %d tests: %d passed, %d failed, %d skipped\n", tap_count,
	    tap_count - tap_failed - tap_skipped, tap_failed, tap_skipped);
	if (tap_count == 0) {
		printf("Bail out! no test ran\n");
		return 1;
	}
	return tap_failed ? 1 : 0;
}

#endif
