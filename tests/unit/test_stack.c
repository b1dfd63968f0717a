/*
 * The order keep resume -p brings a compose project back in: each service
 * after those its com.docker.compose.depends_on label names (v2), else by
 * service name (v1 records none); replicas together; a cycle broken.
 */
#include <stdlib.h>
#include <string.h>

#include "core/stack.h"
#include "tap.h"
#include "util/xalloc.h"

/* A stack of n containers, "service/number/depends_on" each. */
static void
make(struct stack *st, const char *const *spec, size_t n)
{
	st->v = xcalloc(n, sizeof(*st->v));
	st->n = n;
	for (size_t i = 0; i < n; i++) {
		char *copy = xstrdup(spec[i]);
		char *number = strchr(copy, '/'), *deps;
		struct container *c = &st->v[i].config;

		*number++ = '\0';
		deps = strchr(number, '/');
		*deps++ = '\0';
		c->compose_service = xstrdup(copy);
		c->compose_number = atoi(number);
		c->name = xasprintf("p-%s-%s", copy, number);
		if (*deps)
			kvv_push(&c->labels, "com.docker.compose.depends_on", deps);
		free(copy);
	}
}

/* The names in order, space separated (caller frees). */
static char *
order(const char *const *spec, size_t n)
{
	struct stack st = { 0 };
	struct buf b = BUF_INIT;

	make(&st, spec, n);
	stack_order(&st);
	for (size_t i = 0; i < st.n; i++)
		buf_printf(&b, "%s%s", i ? " " : "", st.v[i].config.name);
	stack_release(&st);
	return buf_detach(&b, NULL);
}

static void
is(const char *const *spec, size_t n, const char *want, const char *what)
{
	char *got = order(spec, n);

	ok(strcmp(got, want) == 0, "%s: got '%s', want '%s'", what, got, want);
	free(got);
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

int
main(void)
{
	static const char *const v1[] = { "web/1/", "db/1/", "cache/1/" };
	static const char *const v2[] = {
		"web/1/db:service_started:false,cache:service_healthy:true",
		"db/1/", "cache/1/db:service_started:false",
	};
	static const char *const scaled[] = {
		"web/2/zdb:service_started", "zdb/1/", "web/1/zdb:service_started",
	};
	static const char *const cycle[] = { "a/1/b", "b/1/a", "c/1/" };
	static const char *const gone[] = { "web/1/proxy:service_started", "db/1/" };
	struct snapshot s = { 0 };
	struct strv deps = { 0 };

	is(v1, N(v1), "p-cache-1 p-db-1 p-web-1", "no depends_on: by name");
	is(v2, N(v2), "p-db-1 p-cache-1 p-web-1", "depends_on first");
	is(scaled, N(scaled), "p-zdb-1 p-web-1 p-web-2", "replicas together, by number");
	is(cycle, N(cycle), "p-c-1 p-a-1 p-b-1",
	    "what is ready first, then a cycle broken in name order");
	is(gone, N(gone), "p-db-1 p-web-1", "a dependency not in the stack does not hold it back");

	kvv_push(&s.config.labels, "com.docker.compose.depends_on",
	    "db:service_started:false,,cache:service_healthy:true");
	stack_depends_on(&s, &deps);
	ok(deps.n == 2 && strcmp(deps.v[0], "db") == 0 &&
	    strcmp(deps.v[1], "cache") == 0, "depends_on label parsed");
	strv_release(&deps);
	snapshot_release(&s);
	return done_testing();
}
