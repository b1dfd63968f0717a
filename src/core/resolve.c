#include "core/resolve.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/snapshots.h"
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

/* Compose and .env files are small; anything bigger is not one. */
#define MAX_PROJECT_FILE (1 << 20)

/* The whole of a small text file (caller frees), or NULL when unreadable. */
static char *
read_text(const char *path)
{
	struct buf b = BUF_INIT;
	char chunk[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 &&
	    b.len + n <= MAX_PROJECT_FILE)
		buf_add(&b, chunk, n);
	if (ferror(f) || n > 0) {
		fclose(f);
		buf_release(&b);
		return NULL;
	}
	fclose(f);
	return buf_detach(&b, NULL);
}

/*
 * The value part of a `KEY=value` or `key: value` line, v..end: blanks
 * trimmed, one pair of matching quotes removed, and an unquoted value cut
 * at " #" (a comment). Caller frees.
 */
static char *
line_value(const char *v, const char *end)
{
	const char *hash;

	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	if (end - v >= 2 && (*v == '"' || *v == '\'')) {
		const char *close = memchr(v + 1, *v, (size_t)(end - v - 1));

		if (close)
			return xstrndup(v + 1, (size_t)(close - v - 1));
	}
	for (hash = v; hash < end; hash++)
		if (*hash == '#' && (hash == v || hash[-1] == ' ' ||
		    hash[-1] == '\t'))
			break;
	end = hash;
	while (end > v && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(v, (size_t)(end - v));
}

/*
 * Find the first line of text that starts (in column 0) with key followed
 * by sep and return its value (caller frees), or NULL.
 */
static char *
find_key(const char *text, const char *key, char sep)
{
	size_t klen = strlen(key);

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n');
		const char *end = eol ? eol : line + strlen(line);
		const char *k = line;

		/* .env lines may say `export KEY=value`. */
		if (sep == '=' && strncmp(k, "export ", 7) == 0)
			k += 7;
		if ((size_t)(end - k) > klen && strncmp(k, key, klen) == 0) {
			const char *p = k + klen;

			while (sep == ':' && p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && *p == sep)
				return line_value(p + 1, end);
		}
		line = eol ? eol + 1 : NULL;
	}
	return NULL;
}

/* The compose file of dir (caller frees), or NULL when there is none. */
static char *
compose_file(const char *dir)
{
	static const char *const names[] = {
		"compose.yaml", "compose.yml", "docker-compose.yaml",
		"docker-compose.yml",
	};
	const char *env = getenv("COMPOSE_FILE");
	const char *sep = getenv("COMPOSE_PATH_SEPARATOR");
	struct stat st;

	if (env && env[0]) {
		size_t len = strcspn(env, sep && sep[0] ? sep : ":");

		if (env[0] == '/')
			return xstrndup(env, len);
		return xasprintf("%s/%.*s", dir, (int)len, env);
	}
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);

		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return path;
		free(path);
	}
	return NULL;
}

/* name normalised, or NULL when it is empty or uses ${interpolation}. */
static char *
usable_name(const char *name)
{
	if (name == NULL || name[0] == '\0' || strchr(name, '$'))
		return NULL;
	return resolve_normalize_project(name);
}

char *
resolve_compose_project(const char *dir)
{
	const char *env = getenv("COMPOSE_PROJECT_NAME");
	cleanup_free char *cwd = NULL, *text = NULL, *value = NULL;
	cleanup_free char *file = NULL, *folder = NULL, *envfile = NULL;
	cleanup_free char *real = NULL;
	const char *path, *base;
	char *name, *slash;

	if (env && env[0])
		return resolve_normalize_project(env);
	if (dir == NULL) {
		cwd = xmalloc(PATH_MAX);
		if (getcwd(cwd, PATH_MAX) == NULL)
			return NULL;
		dir = cwd;
	}
	envfile = xasprintf("%s/.env", dir);
	if ((text = read_text(envfile)) != NULL &&
	    (value = find_key(text, "COMPOSE_PROJECT_NAME", '=')) != NULL &&
	    (name = usable_name(value)) != NULL)
		return name;
	free(text);
	free(value);
	text = value = NULL;
	if ((file = compose_file(dir)) != NULL) {
		if ((text = read_text(file)) != NULL &&
		    (value = find_key(text, "name", ':')) != NULL &&
		    (name = usable_name(value)) != NULL)
			return name;
		folder = xstrdup(file);
		slash = strrchr(folder, '/');
		*slash = '\0';
		dir = folder[0] ? folder : "/";
	}
	/* The folder's own name: realpath so "." and ".." name something. */
	real = realpath(dir, NULL);
	path = real ? real : dir;
	base = strrchr(path, '/');
	return resolve_normalize_project(base ? base + 1 : path);
}

char *
resolve_project(const struct resolve_opts *opts)
{
	return opts && opts->project ? resolve_normalize_project(opts->project)
	    : resolve_compose_project(NULL);
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

/*
 * 1 when the engine has a container named exactly name (not one whose ID
 * starts with it, which it would also answer for). Any failure is left to
 * the list that follows.
 */
static int
exact_name(struct engine *e, const char *name, char **id_out, char **name_out,
    struct container *inspected)
{
	struct container c;
	struct keep_error *err = NULL;
	int exact = 0;

	if (engine_container_inspect(e, name, &c, &err) < 0) {
		keep_error_free(err);
		return 0;
	}
	if (strcmp(c.name, name) == 0) {
		*id_out = xstrdup(c.id);
		*name_out = xstrdup(c.name);
		exact = 1;
		if (inspected) {
			*inspected = c;
			return exact;
		}
	}
	container_release(&c);
	return exact;
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
	int rc = -1, any_compose = 0;

	if (name[0] == '\0')
		return keep_error_set(err, KEEP_ERR_USAGE, "empty container name");
	/*
	 * 1. An exact name always wins, as with docker. Asked for directly
	 * first: listing every container costs more the more there are.
	 */
	if (exact_name(e, name, id_out, name_out,
	    opts ? opts->inspected : NULL))
		return 0;
	if (engine_container_list(e, NULL, &l, err) < 0)
		return -1;
	match = xcalloc(l.n + 1, sizeof(*match));
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.v[i].name, name) == 0) {
			rc = pick(&l, i, id_out, name_out);
			goto out;
		}

	/* 2. A compose service of the project. Labels, never name parsing. */
	project = resolve_project(opts);
	if (project) {
		for (size_t i = 0; i < l.n; i++) {
			const struct container_summary *s = &l.v[i];

			any_compose |= s->compose_project != NULL;
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
	/*
	 * 3. A unique ID prefix. After the services: "db" or "cafe" typed in
	 * a compose folder means the service, not whichever container's ID
	 * happens to start with those letters.
	 */
	if (is_hex(name)) {
		memset(match, 0, (l.n + 1) * sizeof(*match));
		n = 0;
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

	if (opts && opts->project)
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no container or compose service '%s' in project '%s'", name,
		    project ? project : opts->project);
	else if (project && any_compose)
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no such container: '%s' (nor a service of compose project "
		    "'%s'; -p PROJECT names another)", name, project);
	else
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no such container: '%s'", name);
out:
	container_list_release(&l);
	return rc;
}

static int
by_service(const void *a, const void *b)
{
	const struct container_summary *x = a, *y = b;
	int c = strcmp(x->compose_service ? x->compose_service : "",
	    y->compose_service ? y->compose_service : "");

	if (c)
		return c;
	if (x->compose_number != y->compose_number)
		return x->compose_number < y->compose_number ? -1 : 1;
	return strcmp(x->name, y->name);
}

int
resolve_project_containers(struct engine *e, const char *project,
    struct strv *out, struct keep_error **err)
{
	struct container_list l = { 0 };
	cleanup_free char *label = xasprintf("com.docker.compose.project=%s",
	    project);

	if (engine_container_list(e, label, &l, err) < 0)
		return -1;
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), by_service);
	for (size_t i = 0; i < l.n; i++)
		if (!l.v[i].compose_oneoff && l.v[i].compose_service)
			strv_push(out, l.v[i].name);
	container_list_release(&l);
	return 0;
}

int
resolve_recorded_service(struct catalog *cat, const char *engine,
    const char *name, const struct resolve_opts *opts, char **name_out,
    char **engine_out, struct keep_error **err)
{
	struct catalog_entries l = { 0 };
	cleanup_free char *project = resolve_project(opts);
	int index = opts ? opts->index : 0, rc = -1;

	if (project == NULL)
		return keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no compose project to look '%s' up in", name);
	if (catalog_compose_list(cat, engine, project, name, index, &l,
	    err) < 0)
		return -1;
	if (l.n == 0 && engine &&
	    catalog_compose_list(cat, NULL, project, name, index, &l, err) < 0)
		goto out;
	if (l.n == 0) {
		rc = keep_error_set(err, KEEP_ERR_NOT_FOUND,
		    "no snapshot of compose service '%s' in project '%s'", name,
		    project);
	} else if (l.n > 1) {
		struct buf b = BUF_INIT;

		for (size_t i = 0; i < l.n; i++)
			buf_printf(&b, "%s%s", i ? ", " : "", l.v[i].name);
		rc = keep_error_set(err, KEEP_ERR_CONFLICT, "'%s' is a scaled "
		    "compose service: choose a replica with --index N: %s", name,
		    buf_cstr(&b));
		buf_release(&b);
	} else {
		*name_out = xstrdup(l.v[0].name);
		*engine_out = xstrdup(l.v[0].engine);
		rc = 0;
	}
out:
	catalog_entries_release(&l);
	return rc;
}
