/*
 * Growable vectors of owned strings (struct strv) and of owned key/value
 * pairs (struct kvv). A zeroed struct is an empty vector; *_release frees
 * every element and leaves the vector empty again. Both grow by doubling
 * their capacity, and abort (through xalloc) if the size would overflow.
 */
#ifndef KEEP_UTIL_STRV_H
#define KEEP_UTIL_STRV_H

#include <stddef.h>

struct strv {
	char **v;
	size_t n;
	size_t cap;
};

void strv_push(struct strv *sv, const char *s);	/* copies s */
/* Append s itself: sv takes ownership of it (s was allocated with xalloc). */
void strv_push_nodup(struct strv *sv, char *s);
/* Append a new string made by printf. */
void strv_pushf(struct strv *sv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void strv_release(struct strv *sv);
/*
 * Index of s in sv, or -1: a linear scan, for short vectors keep made
 * itself. Never in a loop over what came from a container (that is
 * quadratic: sort once and use strv_sorted_has).
 */
long strv_find(const struct strv *sv, const char *s);
/* strcmp for qsort/bsearch over arrays of char *. */
int strv_cmp(const void *a, const void *b);
/* Sort sv bytewise (strcmp order). */
void strv_sort(struct strv *sv);
/* 1 when sorted sv holds s (binary search), else 0. */
int strv_sorted_has(const struct strv *sv, const char *s);

/* The strings of sv joined by sep, as a new string (caller frees). */
char *strv_join(const struct strv *sv, const char *sep);
/* Append the non-empty fields of s (NULL: none) split at sep. */
void strv_split(struct strv *sv, const char *s, char sep);

/* 1 when a and b hold the same strings in the same order. */
int strv_equal(const struct strv *a, const struct strv *b);
/* Sort sv and drop repeated strings. O(n log n). */
void strv_sort_unique(struct strv *sv);
/* Drop repeated strings, keeping the first of each where it stood. O(n log n). */
void strv_unique_stable(struct strv *sv);

struct kv {
	char *key;
	char *value;
};

struct kvv {
	struct kv *v;
	size_t n;
	size_t cap;
};

void kvv_push(struct kvv *kv, const char *key, const char *value);	/* copies both */
void kvv_release(struct kvv *kv);
/* The value for key, or NULL. */
const char *kvv_get(const struct kvv *kv, const char *key);

/*
 * Make room for one more element in an array of n elements of size bytes
 * with capacity *cap: returns the (possibly moved) array. Doubles the
 * capacity; aborts when the size would overflow. For the vectors above and
 * any other (pointer, count, capacity) array.
 */
void *vec_grow(void *v, size_t n, size_t *cap, size_t size);

#endif
