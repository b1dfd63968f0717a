#include "engine/json.h"
#include "engine/json_value.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/*
 * A copy of data with every escaped NUL ("\u0000") written as U+FFFD
 * ("\ufffd", as long), or NULL when it has none. jansson refuses a NUL in
 * a key even with JSON_ALLOW_NUL, and a C string ends at one in a value,
 * while the engine takes either in a label or env value from whoever can
 * create a container: one such container made every list of containers
 * fail. "\u0000" is an escape where an even number of backslashes comes
 * before it ("\\u0000" is a backslash and "u0000").
 */
static char *
nul_escapes_replaced(const char *data, size_t len)
{
	static const char esc[] = "\\u0000";
	const char *p = data;
	char *copy = NULL;

	while ((p = memmem(p, len - (size_t)(p - data), esc, 6)) != NULL) {
		size_t at = (size_t)(p - data), k = 0;

		while (k < at && data[at - k - 1] == '\\')
			k++;
		if (k % 2 == 0) {
			if (copy == NULL)
				memcpy(copy = xmalloc(len), data, len);
			memcpy(copy + at, "\\ufffd", 6);
		}
		p += 6;
	}
	return copy;
}

int
ejson_parse(const char *data, size_t len, const char *what, json_t **out,
    struct keep_error **err)
{
	cleanup_free char *copy = NULL;
	json_error_t jerr;
	json_t *j;

	*out = NULL;
	if (len == 0)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine sent an empty answer to %s", what);
	copy = nul_escapes_replaced(data, len);
	j = json_loadb(copy ? copy : data, len, JSON_DECODE_ANY, &jerr);
	if (j == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine sent invalid JSON for %s: %s at byte %d", what,
		    jerr.text, jerr.position);
	*out = j;
	return 0;
}

/* Skip JSON whitespace from *pos. */
static void
skip_ws(const char *data, size_t len, size_t *pos)
{
	while (*pos < len && data[*pos] != '\0' && strchr(" \t\r\n", data[*pos]))
		(*pos)++;
}

int
ejson_array_each(const char *data, size_t len, const char *what,
    ejson_each_fn fn, void *ctx, struct keep_error **err)
{
	cleanup_free char *copy = nul_escapes_replaced(data, len);
	size_t pos = 0, index = 0;

	if (copy != NULL)
		data = copy;
	skip_ws(data, len, &pos);
	if (len - pos >= 4 && memcmp(data + pos, "null", 4) == 0) {
		pos += 4;
		skip_ws(data, len, &pos);
		if (pos == len)
			return 0;
		goto bad;
	}
	if (pos == len || data[pos] != '[')
		goto bad;
	pos++;
	skip_ws(data, len, &pos);
	if (pos < len && data[pos] == ']')
		goto end;
	for (;;) {
		json_error_t jerr;
		json_t *elem;
		int rc;

		/* Without the EOF check jansson stops after one object and
		 * reports how many bytes it took in jerr.position. */
		elem = json_loadb(data + pos, len - pos, JSON_DISABLE_EOF_CHECK,
		    &jerr);
		if (elem == NULL)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "the engine sent invalid JSON for %s: %s at byte %zu",
			    what, jerr.text, pos + (size_t)jerr.position);
		pos += (size_t)jerr.position;
		rc = fn(ctx, index++, elem, err);
		json_decref(elem);
		if (rc < 0)
			return -1;
		skip_ws(data, len, &pos);
		if (pos < len && data[pos] == ',') {
			pos++;
			skip_ws(data, len, &pos);
			continue;
		}
		if (pos < len && data[pos] == ']')
			break;
		goto bad;
	}
end:
	pos++;
	skip_ws(data, len, &pos);
	if (pos == len)
		return 0;
bad:
	return keep_error_set(err, KEEP_ERR_FAILED,
	    "the engine's answer to %s is not a JSON array (byte %zu)", what,
	    pos);
}

json_t *
ejson_get(const json_t *obj, const char *key)
{
	if (!json_is_object(obj))
		return NULL;
	return json_object_get(obj, key);
}

json_t *
ejson_path(const json_t *obj, ...)
{
	va_list ap;
	const char *key;
	json_t *cur = (json_t *)obj;

	va_start(ap, obj);
	while (cur && (key = va_arg(ap, const char *)) != NULL)
		cur = ejson_get(cur, key);
	va_end(ap);
	return cur;
}

const char *
ejson_str(const json_t *obj, const char *key)
{
	json_t *v = ejson_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

char *
ejson_strdup(const json_t *obj, const char *key, const char *def)
{
	const char *s = ejson_str(obj, key);

	if (s == NULL)
		s = def;
	return s ? xstrdup(s) : NULL;
}

long long
ejson_int(const json_t *obj, const char *key, long long def)
{
	json_t *v = ejson_get(obj, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

int
ejson_bool(const json_t *obj, const char *key, int def)
{
	json_t *v = ejson_get(obj, key);

	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	return def;
}

void
ejson_strv(const json_t *arr, struct strv *sv)
{
	size_t i;
	json_t *v;

	if (json_is_string(arr)) {
		strv_push(sv, json_string_value(arr));
		return;
	}
	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, v)
		if (json_is_string(v))
			strv_push(sv, json_string_value(v));
}

/* The keys of obj sorted, in a new array of borrowed pointers (caller frees). */
static const char **
sorted_keys(const json_t *obj, size_t *n_out)
{
	const char **keys, *key;
	size_t n = 0;
	json_t *v;

	*n_out = 0;
	if (!json_is_object(obj))
		return NULL;
	keys = xcalloc(json_object_size(obj) + 1, sizeof(*keys));
	json_object_foreach((json_t *)obj, key, v) {
		(void)v;
		keys[n++] = key;
	}
	qsort(keys, n, sizeof(*keys), strv_cmp);
	*n_out = n;
	return keys;
}

void
ejson_kvv(const json_t *obj, struct kvv *kv)
{
	size_t n;
	const char **keys = sorted_keys(obj, &n);

	for (size_t i = 0; i < n; i++) {
		const char *s = ejson_str(obj, keys[i]);

		if (s)
			kvv_push(kv, keys[i], s);
	}
	free(keys);
}

void
ejson_keys(const json_t *obj, struct strv *sv)
{
	size_t n;
	const char **keys = sorted_keys(obj, &n);

	for (size_t i = 0; i < n; i++)
		strv_push(sv, keys[i]);
	free(keys);
}

void
ejson_env(const json_t *arr, struct kvv *kv)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return;
	json_array_foreach(arr, i, v) {
		const char *s, *eq;
		char *key;

		if (!json_is_string(v))
			continue;
		s = json_string_value(v);
		eq = strchr(s, '=');
		/* "NAME" without '=' unsets nothing useful: keep it with "". */
		key = eq ? xstrndup(s, (size_t)(eq - s)) : xstrdup(s);
		kvv_push(kv, key, eq ? eq + 1 : "");
		free(key);
	}
}

void
ejson_to_value(const json_t *j, struct value *out)
{
	const char *key;
	size_t i;
	json_t *m;

	memset(out, 0, sizeof(*out));
	switch (j ? json_typeof(j) : JSON_NULL) {
	case JSON_TRUE:
	case JSON_FALSE:
		value_set_bool(out, json_is_true(j));
		return;
	case JSON_INTEGER:
		value_set_int(out, (long long)json_integer_value(j));
		return;
	case JSON_REAL:
		out->type = VALUE_REAL;
		out->r = json_real_value(j);
		return;
	case JSON_STRING:
		value_set_string(out, json_string_value(j));
		return;
	case JSON_ARRAY:
		value_set_array(out);
		json_array_foreach(j, i, m)
			ejson_to_value(m, value_add(out, NULL));
		return;
	case JSON_OBJECT:
		value_set_object(out);
		json_object_foreach((json_t *)j, key, m) {
			struct value *child = value_add(out, key);
			char *name = child->key;

			ejson_to_value(m, child);
			child->key = name;
		}
		return;
	case JSON_NULL:
	default:
		return;
	}
}

json_t *
ejson_from_value(const struct value *v)
{
	json_t *j;

	switch (v->type) {
	case VALUE_BOOL:
		return json_boolean(v->i);
	case VALUE_INT:
		return json_integer((json_int_t)v->i);
	case VALUE_REAL:
		return json_real(v->r);
	case VALUE_STRING:
		/* Strings came from the engine, so they are valid UTF-8; a
		 * catalog edited by hand may not hold that promise. */
		if ((j = json_string(v->s)) == NULL)
			j = json_stringn_nocheck(v->s, strlen(v->s));
		return j;
	case VALUE_ARRAY:
		j = json_array();
		for (size_t i = 0; i < v->n; i++)
			json_array_append_new(j, ejson_from_value(&v->v[i]));
		return j;
	case VALUE_OBJECT:
		j = json_object();
		for (size_t i = 0; i < v->n; i++)
			json_object_set_new_nocheck(j, v->v[i].key,
			    ejson_from_value(&v->v[i]));
		return j;
	case VALUE_NULL:
	default:
		return json_null();
	}
}

void
ejson_decrefp(json_t **j)
{
	if (*j)
		json_decref(*j);
}

int
ejson_lines(const char *data, size_t len, const char *what,
    void (*fn)(void *ctx, json_t *obj), void *ctx, struct keep_error **err)
{
	cleanup_free char *copy = xstrndup(data ? data : "", len);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\r\n", &save); line;
	    line = strtok_r(NULL, "\r\n", &save)) {
		cleanup_json json_t *j = NULL;
		struct keep_error *e2 = NULL;
		const char *s;

		if (ejson_parse(line, strlen(line), "a streamed answer", &j,
		    &e2) < 0) {
			keep_error_free(e2);
			continue;
		}
		if ((s = ejson_str(ejson_get(j, "errorDetail"), "message")) ||
		    (s = ejson_str(j, "error")))
			return what ? keep_error_set(err, KEEP_ERR_FAILED,
			    "%s: %s", what, s) :
			    keep_error_set(err, KEEP_ERR_FAILED, "%s", s);
		if (fn)
			fn(ctx, j);
	}
	return 0;
}

/* One complete line to r->fn, when it is JSON. */
static void
reader_line(struct ejson_reader *r, const char *data, size_t len)
{
	cleanup_json json_t *j = NULL;
	struct keep_error *e = NULL;

	while (len > 0 && strchr(" \t\r", data[len - 1]))
		len--;
	if (len == 0)
		return;
	if (ejson_parse(data, len, "a streamed answer", &j, &e) < 0) {
		keep_error_free(e);
		return;
	}
	r->fn(r->ctx, j);
}

void
ejson_reader_feed(struct ejson_reader *r, const void *data, size_t len)
{
	const char *p = data, *end = p + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (!r->overlong && r->line.len + n > EJSON_MAX_LINE) {
			r->overlong = 1;
			buf_truncate(&r->line, 0);
		}
		if (!r->overlong)
			buf_add(&r->line, p, n);
		if (nl == NULL)
			break;
		if (!r->overlong && r->line.len > 0)
			reader_line(r, r->line.ptr, r->line.len);
		buf_truncate(&r->line, 0);
		r->overlong = 0;
		p = nl + 1;
	}
}

void
ejson_reader_finish(struct ejson_reader *r)
{
	if (!r->overlong && r->line.len > 0)
		reader_line(r, r->line.ptr, r->line.len);
	buf_release(&r->line);
	r->overlong = 0;
}

int
engine_json_value(const char *data, size_t len, const char *what,
    struct value *out, struct keep_error **err)
{
	cleanup_json json_t *j = NULL;

	memset(out, 0, sizeof(*out));
	if (ejson_parse(data, len, what, &j, err) < 0)
		return -1;
	ejson_to_value(j, out);
	return 0;
}
