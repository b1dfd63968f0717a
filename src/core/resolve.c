#include "core/resolve.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xalloc.h"

char *
resolve_normalize_project(const char *name)
{
	struct buf b = BUF_INIT;

	for (const char *p = name; *p; p++) {
		char c = (char)tolower((unsigned char)*p);

		if (!(isalnum((unsigned char)c) || c == '_' || c == '-'))
			continue;
		if (b.len == 0 && (c == '_' || c == '-'))
			continue;
		buf_addch(&b, c);
	}
	if (b.len == 0) {
		buf_release(&b);
		return NULL;
	}
	return buf_detach(&b, NULL);
}

char *
resolve_compose_project(void)
{
	const char *env = getenv("COMPOSE_PROJECT_NAME");
	char cwd[PATH_MAX];
	const char *base;

	if (env && env[0])
		return resolve_normalize_project(env);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	base = strrchr(cwd, '/');
	return resolve_normalize_project(base ? base + 1 : cwd);
}

static int
is_hex(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) || isupper((unsigned char)*s))
			return 0;
	return 1;
}

static int
ambiguous(struct keep_error **err, const char *name, const char *what,
    const struct container_list *l, const int *match)
{
	struct buf b = BUF_INIT;
	int rc;

	for (size_t i = 0; i < l->n; i++)
		if (match[i])
			buf_printf(&b, "%s%s (%.12s)", b.len ? ", " : "",
			    l->v[i].name, l->v[i].id);
	rc = keep_error_set(err, KEEP_ERR_CONFLICT, "'%s' %s: %s", name, what,
	    buf_cstr(&b));
	buf_release(&b);
	return rc;
}

static int
pick(const struct container_list *l, size_t i, char **id_out, char **name_out)
{
	*id_out = xstrdup(l->v[i].id);
	*name_out = xstrdup(l->v[i].name);
	return 0;
}

int
resolve_container(struct engine *e, const char *name,
    const struct resolve_opts *opts, char **id_out, char **name_out,
    struct keep_error **err)
{
	struct container_list l = { 0 };
	cleanup_free int *match = NULL;
	cleanup_free char *project = NULL;
	size_t n = 0, last = 0;
	int rc = -1;

	if (name[0] == '\0')
		return keep_error_set(err, KEEP_ERR_USAGE, "empty container name");
	if (engine_container_list(e, NULL, &l, err) < 0)
		return -1;
	match = xcalloc(l.n + 1, sizeof(*match));

	/* 1. An exact name always wins, as with docker. */
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.v[i].name, name) == 0) {
			rc = pick(&l, i, id_out, name_out);
			goto out;
		}

	/* 2. A unique ID prefix. */
	if (is_hex(name)) {
		for (size_t i = 0; i < l.n; i++)
			if (strncmp(l.v[i].id, name, strlen(name)) == 0)
				match[i] = 1, n++, last = i;
		if (n == 1) {
			rc = pick(&l, last, id_out, name_out);
			goto out;
		}
		if (n > 1) {
			rc = ambiguous(err, name, "matches several container IDs",
			    &l, match);
			goto out;
		}
	}

	/* 3. A compose service of the project. Labels, never name parsing. */
	project = opts && opts->project ? resolve_normalize_project(opts->project)
	    : resolve_compose_project();
	if (project) {
		for (size_t i = 0; i < l.n; i++) {
			const struct container_summary *s = &l.v[i];

			if (s->compose_project && s->compose_service &&
			    !s->compose_oneoff &&
			    strcmp(s->compose_project, project) == 0 &&
			    strcmp(s->compose_service, name) == 0 &&
			    (!opts || opts->index == 0 ||
			    s->compose_number == opts->index))
				match[i] = 1, n++, last = i;
		}
		if (n == 1) {
			rc = pick(&l, last, id_out, name_out);
			goto out;
		}
		if (n > 1) {
			rc = ambiguous(err, name,
			    "is a scaled compose service: choose a replica with --index N",
			    &l, match);
			goto out;
		}
	}
	if (opts && opts->project)
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no container or compose service '%s' in project '%s'", name,
		    project ? project : opts->project);
	else
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no such container: '%s'", name);
out:
	container_list_release(&l);
	return rc;
}
