/*
 * A JSON-shaped value that the modules pass around without a JSON library:
 * the engine turns what it reads (a container's Config, HostConfig and
 * network endpoints) into this tree and back, the catalog stores it node by
 * node, the renderers and `keep show` walk it. Whatever member the engine
 * adds in a later version travels through keep unchanged, because nothing
 * here lists the members.
 *
 * A zeroed struct value is null. Every string and child is owned by the
 * value that holds it; value_release frees them and leaves null.
 */
#ifndef KEEP_MODEL_VALUE_H
#define KEEP_MODEL_VALUE_H

#include <stddef.h>

#include "util/buf.h"

enum value_type {
	VALUE_NULL = 0,
	VALUE_BOOL,
	VALUE_INT,
	VALUE_REAL,
	VALUE_STRING,
	VALUE_ARRAY,
	VALUE_OBJECT,
};

struct value {
	enum value_type type;
	long long i;		/* BOOL (0 or 1) and INT */
	double r;		/* REAL */
	char *s;		/* STRING */
	char *key;		/* a member of an OBJECT: its name; else NULL */
	struct value *v;	/* ARRAY elements, OBJECT members, in order */
	size_t n;
	size_t cap;
};

void value_release(struct value *v);
/* A deep copy of src into dst (dst is overwritten, not released). */
void value_copy(struct value *dst, const struct value *src);

/* Turn v into an empty array or object, or a scalar (releasing what it held). */
void value_set_null(struct value *v);
void value_set_array(struct value *v);
void value_set_object(struct value *v);
void value_set_string(struct value *v, const char *s);
void value_set_int(struct value *v, long long i);
void value_set_bool(struct value *v, int b);

/*
 * Append a null child to array or object v and return it for the caller
 * to fill; key names an object's member (copied) and is NULL for an array.
 * An object member of the same name is replaced in place. The pointer is
 * good until v grows again.
 */
struct value *value_add(struct value *v, const char *key);

/* The member key of object v, or NULL (also when v is no object). */
struct value *value_get(const struct value *v, const char *key);
/* The string member key of object v, or NULL when missing or no string. */
const char *value_str(const struct value *v, const char *key);
/* Remove member key from object v (nothing when it has none). */
void value_remove(struct value *v, const char *key);
/* Remove element i of array or object v. */
void value_remove_at(struct value *v, size_t i);

/* 1 when a and b hold the same (members in the same order). */
int value_equal(const struct value *a, const struct value *b);

/* 1 for what carries no setting: null, false, 0, "", [] and {}. */
int value_is_empty(const struct value *v);

/*
 * Append v as compact JSON: members in their order, strings with '"', '\'
 * and control characters escaped, other bytes as they are. The text is
 * canonical (equal values, equal text), which the save's fingerprint and
 * keep diff rely on.
 */
void value_json(const struct value *v, struct buf *out);
/* value_json into a new string; the caller frees it. */
char *value_json_dup(const struct value *v);

#endif
