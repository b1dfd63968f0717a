/*
 * The run configuration (model/run.h) from an inspect answer, and back
 * into a create request. Watchtower and Portainer recreate containers the
 * same way: what inspect says goes back to create, less what the engine
 * made up. Here nothing is listed but what the engine generates, so a
 * member a newer engine adds travels through untouched.
 */
#include "engine/run_int.h"

#include <stdlib.h>
#include <string.h>

#include "model/run.h"
#include "util/xalloc.h"

/* Endpoint members the engine assigns when it connects the container. */
static const char *const endpoint_generated[] = {
	"NetworkID", "EndpointID", "Gateway", "IPAddress", "IPPrefixLen",
	"IPv6Gateway", "GlobalIPv6Address", "GlobalIPv6PrefixLen",
	/* API 1.41 answers with the MAC it gave; a user's own is in
	 * Config.MacAddress. */
	"MacAddress", "DNSNames",
	NULL,
};

/* j as member key of obj. */
static struct value *
add_json(struct value *obj, const char *key, const json_t *j)
{
	struct value *m = value_add(obj, key);
	char *name = m->key;

	ejson_to_value(j, m);
	m->key = name;
	return m;
}

/* The name of the container ref names on e, or NULL (caller frees). */
static char *
container_name(struct engine *e, const char *ref)
{
	cleanup_buf struct buf path = BUF_INIT, body = BUF_INIT;
	cleanup_json json_t *j = NULL;
	struct keep_error *err = NULL;
	const char *name;

	buf_addstr(&path, "/containers/");
	engine_urlencode(&path, ref);
	buf_addstr(&path, "/json");
	if (engine_call(e, "GET", buf_cstr(&path), NULL, 0, NULL, NULL, &body,
	    &err) < 0 || ejson_parse(body.ptr, body.len, "GET /containers",
	    &j, &err) < 0) {
		keep_error_free(err);
		return NULL;
	}
	name = ejson_str(j, "Name");
	if (name == NULL || *name == '\0')
		return NULL;
	return xstrdup(*name == '/' ? name + 1 : name);
}

/*
 * "container:ID" in member key of host becomes "container:NAME": a
 * container keep recreates comes back under its name with another id.
 */
static void
container_mode_by_name(struct engine *e, struct value *host, const char *key)
{
	const char *mode = value_str(host, key);
	cleanup_free char *name = NULL, *by_name = NULL;

	if (mode == NULL || strncmp(mode, "container:", 10) != 0 ||
	    (name = container_name(e, mode + 10)) == NULL)
		return;
	by_name = xasprintf("container:%s", name);
	value_set_string(value_get(host, key), by_name);
}

/* VolumesFrom entries "REF[:MODE]" by name. */
static void
volumes_from_by_name(struct engine *e, struct value *host)
{
	struct value *from = value_get(host, "VolumesFrom");

	for (size_t i = 0; from && from->type == VALUE_ARRAY && i < from->n;
	    i++) {
		struct value *entry = &from->v[i];
		const char *colon;
		cleanup_free char *ref = NULL, *name = NULL, *by_name = NULL;

		if (entry->type != VALUE_STRING)
			continue;
		colon = strchr(entry->s, ':');
		ref = colon ? xstrndup(entry->s, (size_t)(colon - entry->s)) :
		    xstrdup(entry->s);
		if ((name = container_name(e, ref)) == NULL ||
		    strcmp(name, ref) == 0)
			continue;
		by_name = xasprintf("%s%s", name, colon ? colon : "");
		value_set_string(entry, by_name);
	}
}

/*
 * Legacy links as inspect writes them ("/db:/web/alias") into what create
 * takes ("db:alias").
 */
static void
links_for_create(struct value *host)
{
	struct value *links = value_get(host, "Links");

	for (size_t i = 0; links && links->type == VALUE_ARRAY && i < links->n;
	    i++) {
		struct value *l = &links->v[i];
		const char *colon, *alias;
		cleanup_free char *target = NULL, *spec = NULL;

		if (l->type != VALUE_STRING || l->s[0] != '/' ||
		    (colon = strchr(l->s, ':')) == NULL)
			continue;
		target = xstrndup(l->s + 1, (size_t)(colon - l->s - 1));
		alias = strrchr(colon, '/');
		spec = xasprintf("%s:%s", target, alias ? alias + 1 : colon + 1);
		value_set_string(l, spec);
	}
}

/* The network mode by name when it was given as a network's id. */
static void
network_mode_by_name(struct value *host, const json_t *nets)
{
	const char *mode = value_str(host, "NetworkMode"), *name;
	json_t *ep;

	if (mode == NULL || strlen(mode) < 12 || ejson_get(nets, mode))
		return;
	json_object_foreach((json_t *)nets, name, ep) {
		const char *nid = ejson_str(ep, "NetworkID");

		if (nid && strncmp(nid, mode, strlen(mode)) == 0) {
			value_set_string(value_get(host, "NetworkMode"), name);
			return;
		}
	}
}

/*
 * One endpoint as the user set it: the engine's assignments left out, and
 * the aliases it adds itself (the short id, the hostname) too.
 */
static void
endpoint_record(struct value *ep, const char *short_id, const char *hostname)
{
	struct value *aliases;

	for (size_t i = 0; endpoint_generated[i]; i++)
		value_remove(ep, endpoint_generated[i]);
	aliases = value_get(ep, "Aliases");
	for (size_t i = 0; aliases && aliases->type == VALUE_ARRAY &&
	    i < aliases->n;) {
		const char *a = aliases->v[i].s;

		if (aliases->v[i].type == VALUE_STRING &&
		    (strcmp(a, short_id) == 0 ||
		    (hostname && strcmp(a, hostname) == 0)))
			value_remove_at(aliases, i);
		else
			i++;
	}
	if (aliases && aliases->n == 0)
		value_set_null(aliases);
}

void
run_record(struct engine *e, const json_t *j, struct value *out)
{
	const char *id = ejson_str(j, "Id");
	json_t *nets = ejson_path(j, "NetworkSettings", "Networks", NULL);
	const json_t *ep;
	const char *name, *mode, *hostname;
	cleanup_free char *short_id = xstrndup(id ? id : "", 12);
	struct value *config, *host, *networks;

	memset(out, 0, sizeof(*out));
	value_set_object(out);
	config = add_json(out, RUN_CONFIG, ejson_get(j, "Config"));
	host = add_json(out, RUN_HOST, ejson_get(j, "HostConfig"));
	networks = value_add(out, RUN_NETWORKS);
	value_set_object(networks);

	hostname = ejson_str(ejson_get(j, "Config"), "Hostname");
	mode = value_str(host, "NetworkMode");
	/* A hostname made from the id, the host's own, or that of the
	 * container whose network this one shares is no choice of the user. */
	if (hostname && (strcmp(hostname, short_id) == 0 || (mode &&
	    (strcmp(mode, "host") == 0 || strncmp(mode, "container:", 10) == 0))))
		value_remove(config, "Hostname");
	network_mode_by_name(host, nets);
	container_mode_by_name(e, host, "NetworkMode");
	container_mode_by_name(e, host, "IpcMode");
	container_mode_by_name(e, host, "PidMode");
	volumes_from_by_name(e, host);
	links_for_create(host);
	json_object_foreach(nets, name, ep)
		endpoint_record(add_json(networks, name, ep), short_id, hostname);
}

char *
run_bind_options(const struct mount *m)
{
	struct buf b = BUF_INIT;
	const char *p = m->mode, *end;
	size_t n;

	while (*p) {
		end = strchr(p, ',');
		n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0 && !(n == 2 && (strncmp(p, "rw", 2) == 0 ||
		    strncmp(p, "ro", 2) == 0))) {
			if (b.len)
				buf_addch(&b, ',');
			buf_add(&b, p, n);
		}
		p += n;
		if (*p == ',')
			p++;
	}
	if (!m->rw) {
		if (b.len)
			buf_addch(&b, ',');
		buf_addstr(&b, "ro");
	}
	return buf_detach(&b, NULL);
}

/* 1 when host's Binds, Mounts or Tmpfs mount something at dest. */
static int
host_mounts(const json_t *host, const char *dest)
{
	size_t i;
	json_t *m;

	json_array_foreach(ejson_get(host, "Binds"), i, m) {
		const char *spec = json_string_value(m), *colon;
		size_t n;

		if (spec == NULL || (colon = strchr(spec, ':')) == NULL)
			continue;
		n = strcspn(colon + 1, ":");
		if (strlen(dest) == n && strncmp(colon + 1, dest, n) == 0)
			return 1;
	}
	json_array_foreach(ejson_get(host, "Mounts"), i, m) {
		const char *target = ejson_str(m, "Target");

		if (target && strcmp(target, dest) == 0)
			return 1;
	}
	return ejson_get(ejson_get(host, "Tmpfs"), dest) != NULL;
}

const char *
run_primary_network(const struct value *run)
{
	const char *mode = value_str(value_get(run, RUN_HOST), "NetworkMode");
	const struct value *nets = value_get(run, RUN_NETWORKS);

	if (mode == NULL || *mode == '\0' || strcmp(mode, "default") == 0)
		mode = "bridge";
	return value_get(nets, mode) ? mode : NULL;
}

json_t *
run_create_request(const struct container *c, const char *image,
    const struct kvv *extra_labels)
{
	const struct value *config = value_get(&c->run, RUN_CONFIG);
	const struct value *hostv = value_get(&c->run, RUN_HOST);
	const char *mode = value_str(hostv, "NetworkMode"), *primary;
	json_t *req, *labels, *host, *binds;

	req = config && config->type == VALUE_OBJECT ?
	    ejson_from_value(config) : json_object();
	json_object_set_new(req, "Image", json_string(image));
	labels = json_object_get(req, "Labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(req, "Labels", labels);
	}
	for (size_t i = 0; extra_labels && i < extra_labels->n; i++)
		json_object_set_new(labels, extra_labels->v[i].key,
		    json_string(extra_labels->v[i].value));
	/* The engine refuses these beside another container's network; the
	 * image's own EXPOSE is still in the snapshot's image. */
	if (mode && strncmp(mode, "container:", 10) == 0) {
		json_object_del(req, "Hostname");
		json_object_del(req, "ExposedPorts");
		json_object_del(req, "MacAddress");
	}

	host = hostv && hostv->type == VALUE_OBJECT ? ejson_from_value(hostv) :
	    json_object();
	/*
	 * Anonymous volumes (an image's VOLUME, `-v /path`) are attached
	 * again by their names, so their data comes back too: the engine
	 * would otherwise make new, empty ones.
	 */
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount *m = &c->mounts[i];
		cleanup_free char *opts = NULL, *spec = NULL;

		if (strcmp(m->type, "volume") != 0 || *m->source == '\0' ||
		    host_mounts(host, m->destination))
			continue;
		if (!json_is_array(binds = json_object_get(host, "Binds"))) {
			binds = json_array();
			json_object_set_new(host, "Binds", binds);
		}
		opts = run_bind_options(m);
		spec = xasprintf("%s:%s%s%s", m->source, m->destination,
		    *opts ? ":" : "", opts);
		json_array_append_new(binds, json_string(spec));
	}
	json_object_set_new(req, "HostConfig", host);

	if ((primary = run_primary_network(&c->run)) != NULL)
		json_object_set_new(req, "NetworkingConfig", json_pack("{s:{s:o}}",
		    "EndpointsConfig", primary, ejson_from_value(value_get(
		    value_get(&c->run, RUN_NETWORKS), primary))));
	return req;
}
