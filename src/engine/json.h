/*
 * Private jansson helpers for src/engine/. Everything the engine sends is
 * untrusted: these getters check types and treat a wrong type like a
 * missing member, so a strange answer can never crash keep.
 */
#ifndef KEEP_ENGINE_JSON_H
#define KEEP_ENGINE_JSON_H

#include <jansson.h>
#include <stddef.h>

#include "model/value.h"
#include "util/buf.h"
#include "util/strv.h"
#include "util/error.h"

/*
 * Parse len bytes of JSON; what names the answer for the error message
 * ("GET /version"). The caller owns *out (json_decref). An escaped NUL in
 * a key or string ("\u0000", which a label or env value can hold) reads
 * as U+FFFD, here and in ejson_array_each.
 */
int ejson_parse(const char *data, size_t len, const char *what,
    json_t **out, struct keep_error **err);

/*
 * Called by ejson_array_each with one element (borrowed: it is freed after
 * the call). Return 0 to go on, or -1 with *err set to stop.
 */
typedef int (*ejson_each_fn)(void *ctx, size_t index, json_t *elem,
    struct keep_error **err);

/*
 * Parse len bytes holding a JSON array of objects (or "null", an empty
 * list) one element at a time, calling fn for each: only one element is
 * ever a tree in memory, so a list of 100,000 entries costs its bytes, not
 * a document of them. jansson decodes every element; only the brackets and
 * commas between them are read here. what names the answer for errors.
 */
int ejson_array_each(const char *data, size_t len, const char *what,
    ejson_each_fn fn, void *ctx, struct keep_error **err);

/* Member key of obj when obj is an object, else NULL. */
/*
 * The JSON lines of a streamed answer (an image import or load), each
 * object to fn (may be NULL); lines that are not JSON are skipped. An
 * error line, {"errorDetail":{"message"},"error"} inside the 200, ends it:
 * -1 with KEEP_ERR_FAILED "what: message" (what NULL: the message alone).
 */
int ejson_lines(const char *data, size_t len, const char *what,
    void (*fn)(void *ctx, json_t *obj), void *ctx, struct keep_error **err);

/*
 * The JSON lines of a streamed answer read as they arrive (a push, a
 * pull): feed each chunk, a line may span chunks; fn gets each line that
 * is a JSON value (others are skipped), borrowed for the call. A line
 * longer than EJSON_MAX_LINE is dropped: progress lines are short.
 * ejson_reader_finish reads a last line that lacks its newline and
 * releases the reader.
 */
#define EJSON_MAX_LINE ((size_t)1 << 20)
struct ejson_reader {
	void (*fn)(void *ctx, json_t *obj);
	void *ctx;
	struct buf line;	/* the incomplete line so far */
	int overlong;		/* drop until the next newline */
};
void ejson_reader_feed(struct ejson_reader *r, const void *data, size_t len);
void ejson_reader_finish(struct ejson_reader *r);

json_t *ejson_get(const json_t *obj, const char *key);
/* Follow a NULL-terminated path of object keys. */
json_t *ejson_path(const json_t *obj, ...) __attribute__((sentinel));
/* String member, or NULL when missing or not a string. */
const char *ejson_str(const json_t *obj, const char *key);
/* A copy of the string member (caller frees), or a copy of def; NULL when def is. */
char *ejson_strdup(const json_t *obj, const char *key, const char *def);
/* Integer member, or def when missing or not an integer. */
long long ejson_int(const json_t *obj, const char *key, long long def);
/* Boolean member (true/false or nonzero integer), or def. */
int ejson_bool(const json_t *obj, const char *key, int def);

/* Append the strings of an array (others skipped) to sv; a lone string counts as one. */
void ejson_strv(const json_t *arr, struct strv *sv);
/* Append the members of an object whose values are strings, sorted by key. */
void ejson_kvv(const json_t *obj, struct kvv *kv);
/* Append "K=V" strings of an array to kv, split at the first '='. */
void ejson_env(const json_t *arr, struct kvv *kv);
/* Append the keys of an object to sv, sorted. */
void ejson_keys(const json_t *obj, struct strv *sv);

/*
 * j as a model value into *out (overwritten; NULL gives null). Members keep
 * their order; a number with a fraction or exponent is a real.
 */
void ejson_to_value(const json_t *j, struct value *out);
/* v as a new JSON value (caller decrefs). */
json_t *ejson_from_value(const struct value *v);

void ejson_decrefp(json_t **j);
#define cleanup_json __attribute__((cleanup(ejson_decrefp)))

#endif
