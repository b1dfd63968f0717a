#include "util/strv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void *
vec_grow(void *v, size_t n, size_t *cap, size_t size)
{
	if (n < *cap)
		return v;
	*cap = *cap < 8 ? 8 : *cap;
	while (*cap <= n) {
		if (*cap > ((size_t)-1) / 2)
			*cap = n + 1;
		else
			*cap *= 2;
	}
	return xreallocarray(v, *cap, size);
}

void
strv_push_nodup(struct strv *sv, char *s)
{
	sv->v = vec_grow(sv->v, sv->n, &sv->cap, sizeof(*sv->v));
	sv->v[sv->n++] = s;
}

void
strv_push(struct strv *sv, const char *s)
{
	strv_push_nodup(sv, xstrdup(s));
}

void
strv_pushf(struct strv *sv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strv_push_nodup(sv, xvasprintf(fmt, ap));
	va_end(ap);
}

void
strv_release(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
	sv->cap = 0;
}

long
strv_find(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return (long)i;
	return -1;
}

int
strv_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
strv_sort(struct strv *sv)
{
	if (sv->n > 1)
		qsort(sv->v, sv->n, sizeof(*sv->v), strv_cmp);
}

int
strv_sorted_has(const struct strv *sv, const char *s)
{
	return sv->n > 0 &&
	    bsearch(&s, sv->v, sv->n, sizeof(*sv->v), strv_cmp) != NULL;
}

void
strv_sort_unique(struct strv *sv)
{
	size_t o = 0;

	strv_sort(sv);
	for (size_t i = 0; i < sv->n; i++) {
		if (o > 0 && strcmp(sv->v[o - 1], sv->v[i]) == 0) {
			free(sv->v[i]);
			continue;
		}
		sv->v[o++] = sv->v[i];
	}
	sv->n = o;
}

/* A string and where it stood, for strv_unique_stable. */
struct placed {
	char *s;
	size_t at;
};

static int
placed_cmp(const void *a, const void *b)
{
	const struct placed *x = a, *y = b;
	int c = strcmp(x->s, y->s);

	if (c != 0)
		return c;
	return x->at < y->at ? -1 : x->at > y->at;
}

void
strv_unique_stable(struct strv *sv)
{
	struct placed *p;
	unsigned char *keep;
	size_t o = 0;

	if (sv->n < 2)
		return;
	p = xcalloc(sv->n, sizeof(*p));
	keep = xcalloc(sv->n, 1);
	for (size_t i = 0; i < sv->n; i++)
		p[i] = (struct placed){ sv->v[i], i };
	/* Equal strings side by side, the first-placed first: it stays. */
	qsort(p, sv->n, sizeof(*p), placed_cmp);
	for (size_t i = 0; i < sv->n; i++)
		keep[p[i].at] = i == 0 || strcmp(p[i - 1].s, p[i].s) != 0;
	for (size_t i = 0; i < sv->n; i++) {
		if (keep[i])
			sv->v[o++] = sv->v[i];
		else
			free(sv->v[i]);
	}
	sv->n = o;
	free(p);
	free(keep);
}

void
kvv_push(struct kvv *kv, const char *key, const char *value)
{
	kv->v = vec_grow(kv->v, kv->n, &kv->cap, sizeof(*kv->v));
	kv->v[kv->n].key = xstrdup(key);
	kv->v[kv->n].value = xstrdup(value);
	kv->n++;
}

void
kvv_release(struct kvv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].value);
	}
	free(kv->v);
	kv->v = NULL;
	kv->n = 0;
	kv->cap = 0;
}

const char *
kvv_get(const struct kvv *kv, const char *key)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, key) == 0)
			return kv->v[i].value;
	return NULL;
}

int
strv_equal(const struct strv *a, const struct strv *b)
{
	if (a->n != b->n)
		return 0;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

char *
strv_join(const struct strv *sv, const char *sep)
{
	size_t len = 1, seplen = strlen(sep), at = 0;
	char *out;

	for (size_t i = 0; i < sv->n; i++)
		len += strlen(sv->v[i]) + (i ? seplen : 0);
	out = xmalloc(len);
	for (size_t i = 0; i < sv->n; i++) {
		size_t n = strlen(sv->v[i]);

		if (i) {
			memcpy(out + at, sep, seplen);
			at += seplen;
		}
		memcpy(out + at, sv->v[i], n);
		at += n;
	}
	out[at] = '\0';
	return out;
}

void
strv_split(struct strv *sv, const char *s, char sep)
{
	while (s && *s) {
		const char *end = strchr(s, sep);
		size_t n = end ? (size_t)(end - s) : strlen(s);

		if (n)
			strv_push_nodup(sv, xstrndup(s, n));
		s = end ? end + 1 : NULL;
	}
}
