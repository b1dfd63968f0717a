#include "model/value.h"

#include <stdlib.h>
#include <string.h>

#include "util/strv.h"
#include "util/xalloc.h"

/* Free what v holds but its key: what a member keeps when it is replaced. */
static void
value_clear(struct value *v)
{
	char *key = v->key;

	free(v->s);
	for (size_t i = 0; i < v->n; i++)
		value_release(&v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
	v->key = key;
}

void
value_release(struct value *v)
{
	value_clear(v);
	free(v->key);
	v->key = NULL;
}

void
value_copy(struct value *dst, const struct value *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->type = src->type;
	dst->i = src->i;
	dst->r = src->r;
	dst->s = src->s ? xstrdup(src->s) : NULL;
	dst->key = src->key ? xstrdup(src->key) : NULL;
	if (src->n == 0)
		return;
	dst->v = xcalloc(src->n, sizeof(*dst->v));
	dst->n = dst->cap = src->n;
	for (size_t i = 0; i < src->n; i++)
		value_copy(&dst->v[i], &src->v[i]);
}

void
value_set_null(struct value *v)
{
	value_clear(v);
}

void
value_set_array(struct value *v)
{
	value_clear(v);
	v->type = VALUE_ARRAY;
}

void
value_set_object(struct value *v)
{
	value_clear(v);
	v->type = VALUE_OBJECT;
}

void
value_set_string(struct value *v, const char *s)
{
	value_clear(v);
	v->type = VALUE_STRING;
	v->s = xstrdup(s);
}

void
value_set_int(struct value *v, long long i)
{
	value_clear(v);
	v->type = VALUE_INT;
	v->i = i;
}

void
value_set_bool(struct value *v, int b)
{
	value_clear(v);
	v->type = VALUE_BOOL;
	v->i = b != 0;
}

struct value *
value_add(struct value *v, const char *key)
{
	struct value *child;

	if (key != NULL && (child = value_get(v, key)) != NULL) {
		value_clear(child);
		return child;
	}
	v->v = vec_grow(v->v, v->n, &v->cap, sizeof(*v->v));
	child = &v->v[v->n++];
	memset(child, 0, sizeof(*child));
	child->key = key ? xstrdup(key) : NULL;
	return child;
}

struct value *
value_get(const struct value *v, const char *key)
{
	if (v == NULL || v->type != VALUE_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (v->v[i].key && strcmp(v->v[i].key, key) == 0)
			return &v->v[i];
	return NULL;
}

const char *
value_str(const struct value *v, const char *key)
{
	const struct value *m = value_get(v, key);

	return m && m->type == VALUE_STRING ? m->s : NULL;
}

void
value_remove_at(struct value *v, size_t i)
{
	if (i >= v->n)
		return;
	value_release(&v->v[i]);
	memmove(&v->v[i], &v->v[i + 1], (v->n - i - 1) * sizeof(*v->v));
	v->n--;
}

void
value_remove(struct value *v, const char *key)
{
	const struct value *m = value_get(v, key);

	if (m != NULL)
		value_remove_at(v, (size_t)(m - v->v));
}

int
value_equal(const struct value *a, const struct value *b)
{
	if (a->type != b->type || a->n != b->n)
		return 0;
	switch (a->type) {
	case VALUE_NULL:
		return 1;
	case VALUE_BOOL:
	case VALUE_INT:
		return a->i == b->i;
	case VALUE_REAL:
		return a->r == b->r;
	case VALUE_STRING:
		return strcmp(a->s, b->s) == 0;
	case VALUE_ARRAY:
	case VALUE_OBJECT:
		for (size_t i = 0; i < a->n; i++) {
			const char *ka = a->v[i].key, *kb = b->v[i].key;

			if ((ka == NULL) != (kb == NULL) ||
			    (ka && strcmp(ka, kb) != 0) ||
			    !value_equal(&a->v[i], &b->v[i]))
				return 0;
		}
		return 1;
	}
	return 0;
}

int
value_is_empty(const struct value *v)
{
	switch (v->type) {
	case VALUE_NULL:
		return 1;
	case VALUE_BOOL:
	case VALUE_INT:
		return v->i == 0;
	case VALUE_REAL:
		return v->r == 0;
	case VALUE_STRING:
		return v->s[0] == '\0';
	case VALUE_ARRAY:
	case VALUE_OBJECT:
		return v->n == 0;
	}
	return 0;
}

static void
json_string(struct buf *out, const char *s)
{
	buf_addch(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(out, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(out, "\\u%04x", *p);
		else
			buf_addch(out, (char)*p);
	}
	buf_addch(out, '"');
}

void
value_json(const struct value *v, struct buf *out)
{
	switch (v->type) {
	case VALUE_NULL:
		buf_addstr(out, "null");
		return;
	case VALUE_BOOL:
		buf_addstr(out, v->i ? "true" : "false");
		return;
	case VALUE_INT:
		buf_printf(out, "%lld", v->i);
		return;
	case VALUE_REAL:
		buf_printf(out, "%.17g", v->r);
		return;
	case VALUE_STRING:
		json_string(out, v->s);
		return;
	case VALUE_ARRAY:
	case VALUE_OBJECT:
		buf_addch(out, v->type == VALUE_ARRAY ? '[' : '{');
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				buf_addch(out, ',');
			if (v->type == VALUE_OBJECT) {
				json_string(out, v->v[i].key ? v->v[i].key : "");
				buf_addch(out, ':');
			}
			value_json(&v->v[i], out);
		}
		buf_addch(out, v->type == VALUE_ARRAY ? ']' : '}');
		return;
	}
}

char *
value_json_dup(const struct value *v)
{
	struct buf b = BUF_INIT;

	value_json(v, &b);
	return buf_detach(&b, NULL);
}
