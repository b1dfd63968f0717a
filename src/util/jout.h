/*
 * The JSON output helper for --json: build a document, print it. A thin
 * wrapper so that jansson stays out of the commands. Values added to a
 * container are owned by it; free only the root.
 */
#ifndef KEEP_UTIL_JOUT_H
#define KEEP_UTIL_JOUT_H

#include <stdio.h>

#include "util/strv.h"

struct jout;

struct jout *jout_object(void);
struct jout *jout_array(void);
/* Single values, for jout_set and jout_push (s may be NULL for null). */
struct jout *jout_str(const char *s);
struct jout *jout_int(long long v);
struct jout *jout_real(double v);
struct jout *jout_bool(int v);
struct jout *jout_null(void);
void jout_free(struct jout *j);

/* Set key of an object; s may be NULL for null. Steals child. */
void jout_set_str(struct jout *obj, const char *key, const char *s);
void jout_set_int(struct jout *obj, const char *key, long long v);
void jout_set_bool(struct jout *obj, const char *key, int v);
void jout_set_null(struct jout *obj, const char *key);
void jout_set(struct jout *obj, const char *key, struct jout *child);

/* Append to an array; steals child. */
void jout_push(struct jout *arr, struct jout *child);
void jout_push_str(struct jout *arr, const char *s);

/* A new array of the strings of sv, in order. */
struct jout *jout_strv(const struct strv *sv);

/*
 * Pass every string value in j through fn, depth first: fn gets the key
 * of the object member that holds the string (NULL in an array) and
 * returns a new string to put in its place (jout frees it), or NULL to
 * keep it. For what must be rewritten wherever it stands (redaction).
 */
void jout_map_strings(struct jout *j,
    char *(*fn)(const char *key, const char *s));

/* Append j (indented, keys in insertion order, final newline) to out. */
struct buf;
void jout_dump(const struct jout *j, struct buf *out);

/* Print j (indented, with a final newline) to f. Returns 0 or -1. */
int jout_print(const struct jout *j, FILE *f);

#endif
