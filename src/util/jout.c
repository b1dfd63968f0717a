#include "util/jout.h"

#include <jansson.h>
#include <stdlib.h>

#include "util/buf.h"

/* struct jout is jansson's json_t in disguise. */
#define J(x) ((json_t *)(x))

static void
check(int rc)
{
	if (rc != 0)
		abort(); /* only out of memory or invalid UTF-8 keys get here */
}

static json_t *
str_or_null(const char *s)
{
	json_t *v;

	if (s == NULL)
		return json_null();
	/* Anything read from a container may be invalid UTF-8: keep the bytes
	 * we can rather than fail the whole document. */
	v = json_string(s);
	if (v == NULL)
		v = json_stringn_nocheck(s, 0);
	return v;
}

struct jout *
jout_object(void)
{
	return (struct jout *)json_object();
}

struct jout *
jout_array(void)
{
	return (struct jout *)json_array();
}

struct jout *
jout_str(const char *s)
{
	return (struct jout *)str_or_null(s);
}

struct jout *
jout_int(long long v)
{
	return (struct jout *)json_integer(v);
}

struct jout *
jout_real(double v)
{
	/* NaN and infinities have no JSON form. */
	json_t *j = json_real(v);

	return (struct jout *)(j ? j : json_null());
}

struct jout *
jout_bool(int v)
{
	return (struct jout *)json_boolean(v);
}

struct jout *
jout_null(void)
{
	return (struct jout *)json_null();
}

void
jout_free(struct jout *j)
{
	json_decref(J(j));
}

void
jout_set_str(struct jout *obj, const char *key, const char *s)
{
	check(json_object_set_new(J(obj), key, str_or_null(s)));
}

void
jout_set_int(struct jout *obj, const char *key, long long v)
{
	check(json_object_set_new(J(obj), key, json_integer(v)));
}

void
jout_set_bool(struct jout *obj, const char *key, int v)
{
	check(json_object_set_new(J(obj), key, json_boolean(v)));
}

void
jout_set_null(struct jout *obj, const char *key)
{
	check(json_object_set_new(J(obj), key, json_null()));
}

void
jout_set(struct jout *obj, const char *key, struct jout *child)
{
	check(json_object_set_new(J(obj), key, J(child)));
}

void
jout_push(struct jout *arr, struct jout *child)
{
	check(json_array_append_new(J(arr), J(child)));
}

void
jout_push_str(struct jout *arr, const char *s)
{
	check(json_array_append_new(J(arr), str_or_null(s)));
}

struct jout *
jout_strv(const struct strv *sv)
{
	struct jout *a = jout_array();

	for (size_t i = 0; i < sv->n; i++)
		jout_push_str(a, sv->v[i]);
	return a;
}

/* fn's replacement for the string v, or NULL when v stays. */
static json_t *
mapped(json_t *v, const char *key, char *(*fn)(const char *, const char *))
{
	char *r;
	json_t *n;

	if (!json_is_string(v) || (r = fn(key, json_string_value(v))) == NULL)
		return NULL;
	n = str_or_null(r);
	free(r);
	return n;
}

void
jout_map_strings(struct jout *j, char *(*fn)(const char *key, const char *s))
{
	const char *key;
	json_t *v, *n;
	size_t i;

	if (json_is_object(J(j))) {
		json_object_foreach(J(j), key, v) {
			if ((n = mapped(v, key, fn)) != NULL)
				check(json_object_set_new(J(j), key, n));
			else
				jout_map_strings((struct jout *)v, fn);
		}
	} else if (json_is_array(J(j))) {
		json_array_foreach(J(j), i, v) {
			if ((n = mapped(v, NULL, fn)) != NULL)
				check(json_array_set_new(J(j), i, n));
			else
				jout_map_strings((struct jout *)v, fn);
		}
	}
}

int
jout_print(const struct jout *j, FILE *f)
{
	if (json_dumpf(J(j), f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0)
		return -1;
	return fputc('\n', f) == EOF ? -1 : 0;
}

void
jout_dump(const struct jout *j, struct buf *out)
{
	char *text = json_dumps(J(j), JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	if (text == NULL)
		abort(); /* only out of memory gets here */
	buf_addstr(out, text);
	buf_addch(out, '\n');
	free(text);
}
