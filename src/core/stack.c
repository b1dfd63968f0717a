#include "core/stack.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/snapshots.h"
#include "util/xalloc.h"

#define LABEL_DEPENDS_ON "com.docker.compose.depends_on"

void
stack_release(struct stack *s)
{
	for (size_t i = 0; i < s->n; i++)
		snapshot_release(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

void
stack_depends_on(const struct snapshot *s, struct strv *out)
{
	const char *v = kvv_get(&s->config.labels, LABEL_DEPENDS_ON);

	while (v && *v) {
		size_t len = strcspn(v, ",");
		size_t name = strcspn(v, ":,");

		if (name)
			strv_push_nodup(out, xstrndup(v, name));
		v += len + (v[len] == ',');
	}
}

static const char *
service_of(const struct snapshot *s)
{
	return s->config.compose_service ? s->config.compose_service : "";
}

static int
by_service(const void *a, const void *b)
{
	const struct snapshot *x = a, *y = b;
	int c = strcmp(service_of(x), service_of(y));

	if (c)
		return c;
	return (x->config.compose_number > y->config.compose_number) -
	    (x->config.compose_number < y->config.compose_number);
}

/* 1 when every service s depends on is among placed (or not in the stack). */
static int
ready(const struct stack *st, const struct snapshot *s, const char *placed)
{
	struct strv deps = { 0 };
	int ok = 1;

	stack_depends_on(s, &deps);
	for (size_t d = 0; d < deps.n && ok; d++)
		for (size_t k = 0; k < st->n; k++)
			if (!placed[k] &&
			    strcmp(service_of(&st->v[k]), deps.v[d]) == 0 &&
			    strcmp(service_of(&st->v[k]), service_of(s)) != 0) {
				ok = 0;
				break;
			}
	strv_release(&deps);
	return ok;
}

void
stack_order(struct stack *s)
{
	struct snapshot *out;
	char *placed;
	size_t n = 0;

	if (s->n < 2)
		return;
	qsort(s->v, s->n, sizeof(*s->v), by_service);
	out = xcalloc(s->n, sizeof(*out));
	placed = xcalloc(s->n, 1);
	/*
	 * Kahn's order, picking the first ready service by name each round;
	 * when none is ready (a cycle), the first one left. A project has a
	 * handful of services: quadratic is fine.
	 */
	while (n < s->n) {
		size_t pick = s->n;

		for (size_t i = 0; i < s->n && pick == s->n; i++)
			if (!placed[i] && ready(s, &s->v[i], placed))
				pick = i;
		for (size_t i = 0; i < s->n && pick == s->n; i++)
			if (!placed[i])
				pick = i;
		/* The whole service, every replica, at once. */
		for (size_t i = pick; i < s->n; i++)
			if (!placed[i] && strcmp(service_of(&s->v[i]),
			    service_of(&s->v[pick])) == 0) {
				out[n++] = s->v[i];
				placed[i] = 1;
			}
	}
	free(s->v);
	free(placed);
	s->v = out;
}

int
stack_load(struct catalog *cat, const char *engine, const char *project,
    struct stack *out, struct keep_error **err)
{
	struct catalog_entries l = { 0 };
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (catalog_compose_list(cat, engine, project, NULL, 0, &l, err) < 0)
		return -1;
	if (l.n == 0 && engine &&
	    catalog_compose_list(cat, NULL, project, NULL, 0, &l, err) < 0)
		goto out;
	if (l.n == 0) {
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no snapshot of compose project '%s' (keep save -p %s saves "
		    "its containers)", project, project);
		goto out;
	}
	out->v = xcalloc(l.n, sizeof(*out->v));
	for (size_t i = 0; i < l.n; i++) {
		if (catalog_snapshot_load(cat, l.v[i].engine, l.v[i].name, 0,
		    &out->v[i], err) < 0) {
			stack_release(out);
			goto out;
		}
		out->n++;
	}
	stack_order(out);
	rc = 0;
out:
	catalog_entries_release(&l);
	return rc;
}
