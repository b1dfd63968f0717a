/*
 * Containers and images: the Engine API calls keep makes, and the mapping
 * of their JSON onto the snapshot model. Every field is type-checked; a
 * member of the wrong type counts as missing.
 */
#include "engine/engine.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "engine/json.h"
#include "engine/run_int.h"
#include "util/base64.h"
#include "util/xalloc.h"

#define LABEL_PROJECT "com.docker.compose.project"
#define LABEL_SERVICE "com.docker.compose.service"
#define LABEL_NUMBER "com.docker.compose.container-number"
#define LABEL_ONEOFF "com.docker.compose.oneoff"
/* Walking a large container's upper layer can take a while. */
#define CHANGES_TIMEOUT 600L
/* Deleting a large image from a slow disk too. */
#define REMOVE_TIMEOUT 600L

/* "/containers/ID/what" with ID URL-encoded into a new string. */
static char *
object_path(const char *kind, const char *id, const char *what)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "/%s/", kind);
	engine_urlencode(&b, id);
	buf_addstr(&b, what);
	return buf_detach(&b, NULL);
}

/* A decimal int, or 0 when s is not one (compose numbers are small). */
static int
parse_int(const char *s)
{
	char *end;
	long v;

	if (s == NULL || !isdigit((unsigned char)*s))
		return 0;
	v = strtol(s, &end, 10);
	return *end == '\0' && v <= INT_MAX ? (int)v : 0;
}

/* A JSON object or array answer to what (GET ...), parsed into *out. */
static int
get_json(struct engine *e, long timeout, const char *path, json_type want,
    json_t **out, struct keep_error **err)
{
	cleanup_buf struct buf body = BUF_INIT;
	cleanup_free char *what = xasprintf("GET %s", path);

	*out = NULL;
	if (engine_call_timeout(e, timeout, "GET", path, NULL, 0, NULL, NULL,
	    &body, err) < 0)
		return -1;
	if (ejson_parse(body.ptr, body.len, what, out, err) < 0)
		return -1;
	/* "null" stands for an empty list in some engine answers. */
	if (want == JSON_ARRAY && json_is_null(*out))
		return 0;
	if (json_typeof(*out) != want) {
		json_decref(*out);
		*out = NULL;
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine's answer to %s is not a JSON %s", what,
		    want == JSON_ARRAY ? "array" : "object");
	}
	return 0;
}

void
container_list_release(struct container_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		struct container_summary *s = &l->v[i];

		free(s->id);
		free(s->name);
		free(s->image);
		free(s->image_id);
		free(s->state);
		free(s->compose_project);
		free(s->compose_service);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* The container's own name from Names[]: the one without a link path. */
static char *
summary_name(const json_t *names)
{
	const char *first = NULL;
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL)
			continue;
		if (*s == '/')
			s++;
		if (first == NULL)
			first = s;
		if (strchr(s, '/') == NULL)
			return xstrdup(s);
	}
	return xstrdup(first ? first : "");
}

int
engine_container_list(struct engine *e, const char *label,
    struct container_list *out, struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT;
	cleanup_json json_t *j = NULL;
	size_t i;
	json_t *c;

	memset(out, 0, sizeof(*out));
	buf_addstr(&path, "/containers/json?all=1");
	if (label) {
		cleanup_json json_t *f = json_pack("{s:[s]}", "label", label);
		cleanup_free char *fs = NULL;

		if (f == NULL || (fs = json_dumps(f, JSON_COMPACT)) == NULL)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "label filter '%s' is not valid UTF-8", label);
		buf_addstr(&path, "&filters=");
		engine_urlencode(&path, fs);
	}
	if (get_json(e, ENGINE_TIMEOUT_SHORT, path.ptr, JSON_ARRAY, &j,
	    err) < 0)
		return keep_error_wrap(err, "list containers");
	out->v = xcalloc(json_array_size(j) + 1, sizeof(*out->v));
	json_array_foreach(j, i, c) {
		struct container_summary *s;
		json_t *labels = ejson_get(c, "Labels");
		const char *id = ejson_str(c, "Id");

		if (id == NULL)
			continue;
		s = &out->v[out->n++];
		s->id = xstrdup(id);
		s->name = summary_name(ejson_get(c, "Names"));
		s->image = ejson_strdup(c, "Image", "");
		s->image_id = ejson_strdup(c, "ImageID", "");
		s->state = ejson_strdup(c, "State", "");
		s->compose_project = ejson_strdup(labels, LABEL_PROJECT, NULL);
		s->compose_service = ejson_strdup(labels, LABEL_SERVICE, NULL);
		s->compose_number = parse_int(ejson_str(labels, LABEL_NUMBER));
		s->compose_oneoff = ejson_str(labels, LABEL_ONEOFF) &&
		    strcasecmp(ejson_str(labels, LABEL_ONEOFF), "true") == 0;
	}
	return 0;
}

static void
push_mount(struct container *c, const char *type, const char *source,
    const char *destination, const char *mode, int rw, const char *driver)
{
	struct mount *m;

	c->mounts = xrealloc(c->mounts, (c->n_mounts + 1) * sizeof(*c->mounts));
	m = &c->mounts[c->n_mounts++];
	m->type = xstrdup(type);
	m->source = xstrdup(source);
	m->destination = xstrdup(destination);
	m->mode = xstrdup(mode);
	m->rw = rw;
	m->driver = xstrdup(driver ? driver : "");
}

static int
has_mount(const struct container *c, const char *destination)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (strcmp(c->mounts[i].destination, destination) == 0)
			return 1;
	return 0;
}

static int
cmp_mount(const void *a, const void *b)
{
	return strcmp(((const struct mount *)a)->destination,
	    ((const struct mount *)b)->destination);
}

static void
fill_mounts(struct container *c, const json_t *j)
{
	struct strv tmpfs = { 0 };
	json_t *m, *tmpfs_obj;
	size_t i;

	json_array_foreach(ejson_get(j, "Mounts"), i, m) {
		const char *type = ejson_str(m, "Type");
		const char *dest = ejson_str(m, "Destination");
		const char *source;

		if (type == NULL || dest == NULL)
			continue;
		/* A volume is known by its name; a bind by its host path. */
		if (strcmp(type, "volume") == 0)
			source = ejson_str(m, "Name");
		else if (strcmp(type, "tmpfs") == 0)
			source = "";
		else
			source = ejson_str(m, "Source");
		push_mount(c, type, source ? source : "", dest,
		    ejson_str(m, "Mode") ? ejson_str(m, "Mode") : "",
		    ejson_bool(m, "RW", 1), strcmp(type, "volume") == 0 ?
		    ejson_str(m, "Driver") : NULL);
	}
	/* --tmpfs mounts show only in HostConfig.Tmpfs, with their options. */
	tmpfs_obj = ejson_path(j, "HostConfig", "Tmpfs", NULL);
	ejson_keys(tmpfs_obj, &tmpfs);
	for (i = 0; i < tmpfs.n; i++) {
		const char *opts = ejson_str(tmpfs_obj, tmpfs.v[i]);

		if (!has_mount(c, tmpfs.v[i]))
			push_mount(c, "tmpfs", "", tmpfs.v[i], opts ? opts : "", 1,
			    NULL);
	}
	strv_release(&tmpfs);
	/*
	 * The engine lists Mounts from a Go map, in a new order on every
	 * inspect: a container with two mounts was "changed" at random.
	 */
	if (c->n_mounts > 1)
		qsort(c->mounts, c->n_mounts, sizeof(*c->mounts), cmp_mount);
}

static void
fill_ports(struct container *c, const json_t *bindings)
{
	struct strv keys = { 0 };

	ejson_keys(bindings, &keys);
	for (size_t i = 0; i < keys.n; i++) {
		json_t *list = ejson_get(bindings, keys.v[i]), *b;
		size_t k;

		json_array_foreach(list, k, b) {
			struct port_binding *p;

			if (!json_is_object(b))
				continue;
			c->ports = xrealloc(c->ports,
			    (c->n_ports + 1) * sizeof(*c->ports));
			p = &c->ports[c->n_ports++];
			p->container_port = xstrdup(keys.v[i]);
			p->host_ip = ejson_strdup(b, "HostIp", "");
			p->host_port = ejson_strdup(b, "HostPort", "");
		}
	}
	strv_release(&keys);
}

/*
 * Podman writes its defaults into every container's Config.Env:
 * container=podman, HOSTNAME (the container's), HOME and TERM=xterm (from
 * containers.conf). Docker keeps them out of the config, and a recipe must
 * not bake them in as ENV, so on Podman they are dropped unless the image
 * sets them itself. (A user's own -e HOME=... on Podman is lost with them.)
 */
static void
podman_env_drop(struct engine *e, struct container *c)
{
	struct image img = { 0 };
	struct kvv kept = { 0 };
	struct keep_error *err = NULL;

	/* An image that cannot be inspected (removed since) sets nothing:
	 * the defaults are dropped, the container is still inspected. */
	if (engine_image_inspect(e, c->image_id, &img, &err) < 0)
		keep_error_free(err);
	for (size_t i = 0; i < c->env.n; i++) {
		const char *k = c->env.v[i].key, *v = c->env.v[i].value;
		int injected = (strcmp(k, "container") == 0 &&
		    strcmp(v, "podman") == 0) ||
		    (strcmp(k, "HOSTNAME") == 0 && strcmp(v, c->hostname) == 0) ||
		    (strcmp(k, "TERM") == 0 && strcmp(v, "xterm") == 0) ||
		    strcmp(k, "HOME") == 0;

		if (!injected || kvv_get(&img.env, k) != NULL)
			kvv_push(&kept, k, v);
	}
	kvv_release(&c->env);
	c->env = kept;
	image_release(&img);
}

int
engine_get_storage(struct engine *e, char **driver, char **root_dir,
    struct keep_error **err)
{
	cleanup_json json_t *j = NULL;

	*driver = *root_dir = NULL;
	if (get_json(e, ENGINE_TIMEOUT_SHORT, "/info", JSON_OBJECT, &j, err) < 0)
		return keep_error_wrap(err, "engine info");
	*driver = ejson_strdup(j, "Driver", "");
	*root_dir = ejson_strdup(j, "DockerRootDir", "");
	return 0;
}

int
engine_container_inspect(struct engine *e, const char *id,
    struct container *out, struct keep_error **err)
{
	cleanup_free char *path = object_path("containers", id, "/json");
	cleanup_json json_t *j = NULL;
	json_t *config, *host, *restart, *entry, *graph;
	const char *name, *id_s;

	memset(out, 0, sizeof(*out));
	if (get_json(e, ENGINE_TIMEOUT_SHORT, path, JSON_OBJECT, &j, err) < 0)
		return keep_error_wrap(err, "inspect container '%s'", id);
	id_s = ejson_str(j, "Id");
	if (id_s == NULL || *id_s == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "inspect container '%s': the engine's answer has no Id", id);
	config = ejson_get(j, "Config");
	host = ejson_get(j, "HostConfig");

	out->id = xstrdup(id_s);
	name = ejson_str(j, "Name");
	out->name = xstrdup(name ? (*name == '/' ? name + 1 : name) : "");
	out->image_ref = ejson_strdup(config, "Image", "");
	out->image_id = ejson_strdup(j, "Image", "");
	out->status = ejson_strdup(ejson_get(j, "State"), "Status", "");
	out->created = ejson_strdup(j, "Created", "");
	out->user = ejson_strdup(config, "User", "");
	out->workdir = ejson_strdup(config, "WorkingDir", "");
	out->hostname = ejson_strdup(config, "Hostname", "");
	ejson_env(ejson_get(config, "Env"), &out->env);
	ejson_strv(ejson_get(config, "Cmd"), &out->cmd);
	entry = ejson_get(config, "Entrypoint");
	out->has_entrypoint = json_is_array(entry) || json_is_string(entry);
	ejson_strv(entry, &out->entrypoint);
	ejson_keys(ejson_get(config, "ExposedPorts"), &out->exposed_ports);
	fill_ports(out, ejson_get(host, "PortBindings"));
	ejson_kvv(ejson_get(config, "Labels"), &out->labels);
	out->network_mode = ejson_strdup(host, "NetworkMode", "");
	restart = ejson_get(host, "RestartPolicy");
	out->restart_policy = ejson_strdup(restart, "Name", "");
	out->restart_max = (int)ejson_int(restart, "MaximumRetryCount", 0);
	out->tty = ejson_bool(config, "Tty", 0);
	out->open_stdin = ejson_bool(config, "OpenStdin", 0);
	fill_mounts(out, j);
	graph = ejson_get(j, "GraphDriver");
	out->storage_driver = ejson_strdup(graph, "Name", "");
	out->upper_dir = ejson_strdup(ejson_get(graph, "Data"), "UpperDir", "");
	out->lower_dirs = ejson_strdup(ejson_get(graph, "Data"), "LowerDir", "");
	if (kvv_get(&out->labels, LABEL_PROJECT))
		out->compose_project = xstrdup(kvv_get(&out->labels, LABEL_PROJECT));
	if (kvv_get(&out->labels, LABEL_SERVICE))
		out->compose_service = xstrdup(kvv_get(&out->labels, LABEL_SERVICE));
	out->compose_number = parse_int(kvv_get(&out->labels, LABEL_NUMBER));
	run_record(e, j, &out->run);
	if (engine_is_podman(e))
		podman_env_drop(e, out);
	return 0;
}

int
engine_image_inspect(struct engine *e, const char *name, struct image *out,
    struct keep_error **err)
{
	cleanup_free char *path = object_path("images", name, "/json");
	cleanup_json json_t *j = NULL;
	json_t *config;
	const char *id;

	memset(out, 0, sizeof(*out));
	if (get_json(e, ENGINE_TIMEOUT_SHORT, path, JSON_OBJECT, &j, err) < 0)
		return keep_error_wrap(err, "inspect image '%s'", name);
	id = ejson_str(j, "Id");
	if (id == NULL || *id == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "inspect image '%s': the engine's answer has no Id", name);
	config = ejson_get(j, "Config");
	out->id = xstrdup(id);
	ejson_strv(ejson_get(j, "RepoTags"), &out->repo_tags);
	ejson_strv(ejson_get(j, "RepoDigests"), &out->repo_digests);
	/*
	 * Podman gives every stored image a "localhost/name@sha256:..." digest
	 * of its local manifest. No registry serves it: a FROM pinned to it
	 * could never be pulled, so it is no repo digest.
	 */
	if (engine_is_podman(e)) {
		struct strv pullable = { 0 };

		for (size_t i = 0; i < out->repo_digests.n; i++)
			if (strncmp(out->repo_digests.v[i], "localhost/", 10) != 0)
				strv_push(&pullable, out->repo_digests.v[i]);
		strv_release(&out->repo_digests);
		out->repo_digests = pullable;
	}
	out->user = ejson_strdup(config, "User", "");
	out->workdir = ejson_strdup(config, "WorkingDir", "");
	ejson_env(ejson_get(config, "Env"), &out->env);
	ejson_strv(ejson_get(config, "Cmd"), &out->cmd);
	ejson_strv(ejson_get(config, "Entrypoint"), &out->entrypoint);
	ejson_keys(ejson_get(config, "ExposedPorts"), &out->exposed_ports);
	ejson_kvv(ejson_get(config, "Labels"), &out->labels);
	out->created = ejson_strdup(j, "Created", "");
	out->n_layers = json_array_size(ejson_path(j, "RootFS", "Layers", NULL));
	return 0;
}

struct changes_ctx {
	struct fs_changes *out;
	const char *id;
};

static int
change_cb(void *ctx, size_t index, json_t *c, struct keep_error **err)
{
	struct changes_ctx *cc = ctx;
	const char *p = ejson_str(c, "Path");
	long long kind = ejson_int(c, "Kind", -1);

	if (index >= ENGINE_MAX_CHANGES)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "changes of container '%s': more than %zu changed paths, "
		    "too many to snapshot (is a dataset or cache inside the "
		    "container instead of on a mount?)", cc->id,
		    ENGINE_MAX_CHANGES);
	if (p == NULL || kind < FS_MODIFIED || kind > FS_DELETED)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "changes of container '%s': entry %zu of the engine's "
		    "answer is not {Path, Kind 0-2}", cc->id, index);
	fs_changes_push(cc->out, p, (enum fs_change_kind)kind);
	return 0;
}

int
engine_container_changes(struct engine *e, const char *id,
    struct fs_changes *out, struct keep_error **err)
{
	cleanup_free char *path = object_path("containers", id, "/changes");
	cleanup_free char *what = xasprintf("GET %s", path);
	cleanup_buf struct buf body = BUF_INIT;
	struct changes_ctx cc = { out, id };

	/*
	 * Element by element: the list of a container with 100,000 changed
	 * files is a few MB of text, but a whole jansson tree of it took
	 * ten times that.
	 */
	memset(out, 0, sizeof(*out));
	if (engine_call_timeout(e, CHANGES_TIMEOUT, "GET", path, NULL, 0, NULL,
	    NULL, &body, err) < 0)
		return keep_error_wrap(err, "changes of container '%s'", id);
	if (ejson_array_each(body.ptr, body.len, what, change_cb, &cc,
	    err) < 0) {
		fs_changes_release(out);
		return keep_error_wrap(err, "changes of container '%s'", id);
	}
	return 0;
}

/* Go's os.FileMode (what the engine sends) as an st_mode. */
static unsigned
unix_mode(unsigned long go)
{
	unsigned m = (unsigned)(go & 0777);

	if (go & (1UL << 31))
		m |= S_IFDIR;
	else if (go & (1UL << 27))
		m |= S_IFLNK;
	else if (go & (1UL << 21))
		m |= S_IFCHR;
	else if (go & (1UL << 26))
		m |= S_IFBLK;
	else if (go & (1UL << 25))
		m |= S_IFIFO;
	else if (go & (1UL << 24))
		m |= S_IFSOCK;
	else
		m |= S_IFREG;
	if (go & (1UL << 23))
		m |= S_ISUID;
	if (go & (1UL << 22))
		m |= S_ISGID;
	if (go & (1UL << 20))
		m |= S_ISVTX;
	return m;
}

/*
 * An RFC 3339 time as Go writes it ("2026-11-30T12:51:26.048126308Z",
 * "...+01:00") into seconds since the epoch and nanoseconds; -1 when it
 * is not one.
 */
static int
parse_rfc3339(const char *s, long long *sec, long *nsec)
{
	struct tm tm = { 0 };
	int n = 0, zh = 0, zm = 0;
	long frac = 0;

	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 || n != 19)
		return -1;
	s += n;
	if (*s == '.') {
		int digits = 0;

		for (s++; isdigit((unsigned char)*s); s++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*s - '0');
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (*s == '+' || *s == '-') {
		if (sscanf(s + 1, "%2d:%2d%n", &zh, &zm, &n) != 2 || n != 5 ||
		    s[1 + n] != '\0')
			return -1;
		if (*s == '-')
			zh = -zh, zm = -zm;
	} else if (strcmp(s, "Z") != 0) {
		return -1;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*sec = (long long)timegm(&tm) - (zh * 3600LL + zm * 60LL);
	*nsec = frac;
	return 0;
}

void
engine_path_stat_release(struct engine_path_stat *st)
{
	free(st->link_target);
	memset(st, 0, sizeof(*st));
}

int
engine_container_stat(struct engine *e, const char *id, const char *path,
    struct engine_path_stat *out, struct keep_error **err)
{
	cleanup_buf struct buf q = BUF_INIT;
	cleanup_buf struct buf raw = BUF_INIT;
	cleanup_free char *header = NULL;
	cleanup_json json_t *j = NULL;

	memset(out, 0, sizeof(*out));
	buf_addstr(&q, "/containers/");
	engine_urlencode(&q, id);
	buf_addstr(&q, "/archive?path=");
	engine_urlencode(&q, path);
	if (engine_head(e, q.ptr, "X-Docker-Container-Path-Stat", &header,
	    err) < 0)
		return keep_error_wrap(err, "stat '%s'", path);
	if (header == NULL || base64_decode(header, BASE64_STD, &raw) < 0 ||
	    ejson_parse(raw.ptr, raw.len, "X-Docker-Container-Path-Stat", &j,
	    err) < 0 || !json_is_object(j))
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "stat '%s': the engine's answer carries no readable stat", path);
	out->size = ejson_int(j, "size", -1);
	out->mode = unix_mode((unsigned long)ejson_int(j, "mode", 0));
	if (parse_rfc3339(ejson_str(j, "mtime") ? ejson_str(j, "mtime") : "",
	    &out->mtime_sec, &out->mtime_nsec) < 0)
		out->mtime_sec = -1, out->mtime_nsec = 0;
	out->link_target = ejson_strdup(j, "linkTarget", "");
	return 0;
}

int
engine_container_archive(struct engine *e, const char *id, const char *path,
    engine_sink_fn sink, void *ctx, struct keep_error **err)
{
	cleanup_free char *url = object_path("containers", id, "/archive?path=");
	cleanup_buf struct buf p = BUF_INIT;
	long stall;

	if (engine_stall_timeout(&stall, err) < 0)
		return -1;
	buf_addstr(&p, url);
	engine_urlencode(&p, path);
	if (engine_call_stream(e, "GET", p.ptr, NULL, NULL, NULL, sink, ctx,
	    stall, NULL, err) < 0)
		return keep_error_wrap(err, "read '%s' from container '%s'",
		    path, id);
	return 0;
}

/*
 * A LABEL instruction for commit's changes. The engine parses it as a
 * Dockerfile line: within double quotes a backslash escapes '"', '$' and
 * '\', and '$' would otherwise expand. A newline would start a new
 * instruction, so control characters are refused outright, as are keys
 * that the parser would split.
 */
static int
label_change(struct buf *out, const char *key, const char *value,
    struct keep_error **err)
{
	if (*key == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED, "empty label name");
	for (const char *k = key; *k; k++)
		if (!isalnum((unsigned char)*k) && !strchr("._-/:", *k))
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "label name '%s' has a character commit cannot take",
			    key);
	for (const unsigned char *v = (const unsigned char *)value; *v; v++)
		if (*v < ' ' || *v == 0x7f)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "label '%s' has a control character in its value",
			    key);
	buf_printf(out, "LABEL %s=\"", key);
	for (const char *v = value; *v; v++) {
		if (*v == '"' || *v == '$' || *v == '\\')
			buf_addch(out, '\\');
		buf_addch(out, *v);
	}
	buf_addch(out, '"');
	return 0;
}

static void
add_param(struct buf *b, const char *name, const char *value)
{
	buf_printf(b, "&%s=", name);
	engine_urlencode(b, value);
}

int
engine_commit(struct engine *e, const char *container_id, const char *repo,
    const char *tag, const char *comment, const struct kvv *labels,
    int pause, char **image_id_out, struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT;
	cleanup_buf struct buf body = BUF_INIT;
	cleanup_json json_t *j = NULL;
	const char *id;
	int podman = engine_is_podman(e);

	*image_id_out = NULL;
	buf_addstr(&path, "/commit?container=");
	engine_urlencode(&path, container_id);
	if (repo && *repo)
		add_param(&path, "repo", repo);
	if (tag && *tag)
		add_param(&path, "tag", tag);
	if (comment && *comment)
		add_param(&path, "comment", comment);
	/* Always explicit: Podman's default differs from Docker's. */
	buf_addstr(&path, pause ? "&pause=1" : "&pause=0");
	for (size_t i = 0; labels && i < labels->n; i++) {
		cleanup_buf struct buf change = BUF_INIT;

		if (label_change(&change, labels->v[i].key, labels->v[i].value,
		    err) < 0)
			return keep_error_wrap(err, "commit container '%s'",
			    container_id);
		add_param(&path, "changes", change.ptr);
	}
	/* Docker reads no body as "no config"; Podman insists on an object. */
	if (engine_call_timeout(e, 0, "POST", path.ptr, podman ? "{}" : NULL,
	    podman ? 2 : 0, podman ? "application/json" : NULL, NULL, &body,
	    err) < 0)
		return keep_error_wrap(err, "commit container '%s'", container_id);
	if (ejson_parse(body.ptr, body.len, "POST /commit", &j, err) < 0)
		return keep_error_wrap(err, "commit container '%s'", container_id);
	id = ejson_str(j, "Id");
	if (id == NULL || *id == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "commit container '%s': the engine's answer has no Id",
		    container_id);
	/* Podman may leave out the algorithm; the model always has it. */
	*image_id_out = strchr(id, ':') ? xstrdup(id) :
	    xasprintf("sha256:%s", id);
	return 0;
}

void
image_list_release(struct image_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].parent);
		free(l->v[i].keep_base);
		free(l->v[i].keep_rebuild);
		strv_release(&l->v[i].tags);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
engine_image_list(struct engine *e, struct image_list *out,
    struct keep_error **err)
{
	cleanup_json json_t *j = NULL;
	size_t i, k;
	json_t *im, *t;

	memset(out, 0, sizeof(*out));
	if (get_json(e, ENGINE_TIMEOUT_SHORT, "/images/json?all=1", JSON_ARRAY,
	    &j, err) < 0)
		return keep_error_wrap(err, "list images");
	out->v = xcalloc(json_array_size(j) + 1, sizeof(*out->v));
	json_array_foreach(j, i, im) {
		struct image_summary *s;
		const char *id = ejson_str(im, "Id");

		if (id == NULL)
			continue;
		s = &out->v[out->n++];
		s->id = xstrdup(id);
		s->parent = ejson_strdup(im, "ParentId", "");
		s->keep_base = ejson_strdup(ejson_get(im, "Labels"),
		    "io.keep.base", "");
		s->keep_rebuild = ejson_strdup(ejson_get(im, "Labels"),
		    "io.keep.rebuild", "");
		s->created = ejson_int(im, "Created", 0);
		s->size = ejson_int(im, "Size", 0);
		json_array_foreach(ejson_get(im, "RepoTags"), k, t)
			if (json_is_string(t) &&
			    strcmp(json_string_value(t), "<none>:<none>") != 0)
				strv_push(&s->tags, json_string_value(t));
	}
	return 0;
}

int
engine_image_remove(struct engine *e, const char *name, int force,
    struct keep_error **err)
{
	cleanup_free char *path = object_path("images", name,
	    force ? "?force=1" : "?force=0");

	if (engine_call_timeout(e, REMOVE_TIMEOUT, "DELETE", path, NULL, 0,
	    NULL, NULL, NULL, err) == 0 || keep_error_not_found(err))
		return 0;
	return keep_error_wrap(err, "remove image '%s'", name);
}
