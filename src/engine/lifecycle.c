#include "engine/lifecycle.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/json.h"
#include "engine/run_int.h"
#include "model/run.h"
#include "util/xalloc.h"

int
engine_container_create_reader(struct engine *e, const char *image,
    char **id_out, struct keep_error **err)
{
	cleanup_json json_t *req = NULL, *resp = NULL;
	cleanup_buf struct buf body = BUF_INIT;
	cleanup_free char *text = NULL;
	const char *id;

	/* The command is never run; it only has to be set for images that
	 * have none (docker import makes such images). */
	req = json_pack("{s:s, s:[s], s:[s], s:b, s:{s:s}, s:{s:s}}",
	    "Image", image,
	    "Entrypoint", "/keep-never-started",
	    "Cmd", "",
	    "NetworkDisabled", 1,
	    "Labels", "io.keep.temporary", "1",
	    "HostConfig", "NetworkMode", "none");
	if (req == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot describe a container for image '%s'", image);
	text = json_dumps(req, JSON_COMPACT);
	if (engine_call(e, "POST", "/containers/create", text, strlen(text),
	    "application/json", NULL, &body, err) < 0)
		return keep_error_wrap(err, "create a container to read image '%s'",
		    image);
	if (ejson_parse(body.ptr, body.len, "POST /containers/create", &resp,
	    err) < 0)
		return -1;
	if ((id = ejson_str(resp, "Id")) == NULL || id[0] == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine created a container for '%s' but gave no id", image);
	*id_out = xstrdup(id);
	return 0;
}

int
engine_container_create_config(struct engine *e, const char *image,
    const struct value *config, const struct kvv *labels, char **id_out,
    struct keep_error **err)
{
	cleanup_json json_t *req = NULL, *resp = NULL;
	cleanup_buf struct buf body = BUF_INIT;
	cleanup_free char *text = NULL;
	json_t *l;
	const char *id;

	*id_out = NULL;
	req = config && config->type == VALUE_OBJECT ? ejson_from_value(config)
	    : json_object();
	json_object_set_new(req, "Image", json_string(image));
	json_object_set_new(req, "HostConfig", json_pack("{s:s}",
	    "NetworkMode", "none"));
	/* A MAC address cannot go with network mode none. */
	json_object_del(req, "MacAddress");
	l = json_object_get(req, "Labels");
	if (!json_is_object(l)) {
		l = json_object();
		json_object_set_new(req, "Labels", l);
	}
	for (size_t i = 0; labels && i < labels->n; i++)
		json_object_set_new(l, labels->v[i].key,
		    json_string(labels->v[i].value));
	text = json_dumps(req, JSON_COMPACT);
	if (text == NULL || engine_call(e, "POST", "/containers/create", text,
	    strlen(text), NULL, NULL, &body, err) < 0)
		return keep_error_wrap(err, "create a container from '%s'",
		    image);
	if (ejson_parse(body.ptr, body.len, "POST /containers/create", &resp,
	    err) < 0)
		return -1;
	if ((id = ejson_str(resp, "Id")) == NULL || id[0] == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine created a container from '%s' but gave no id",
		    image);
	*id_out = xstrdup(id);
	return 0;
}

int
engine_container_remove(struct engine *e, const char *id, int force,
    struct keep_error **err)
{
	struct buf path = BUF_INIT;
	int rc;

	buf_addstr(&path, "/containers/");
	engine_urlencode(&path, id);
	buf_printf(&path, "?force=%d&v=1", force ? 1 : 0);
	rc = engine_call(e, "DELETE", buf_cstr(&path), NULL, 0, NULL, NULL, NULL,
	    err);
	buf_release(&path);
	if (rc == 0 || keep_error_not_found(err))
		return 0;
	return keep_error_wrap(err, "remove container '%s'", id);
}

/* "/containers/ID" + suffix, with ID URL-encoded. Caller frees. */
static char *
container_path(const char *id, const char *suffix)
{
	struct buf b = BUF_INIT;

	buf_addstr(&b, "/containers/");
	engine_urlencode(&b, id);
	buf_addstr(&b, suffix);
	return buf_detach(&b, NULL);
}

/* The engine made this hostname up from the id: not the user's choice. */
static int
hostname_generated(const struct container *c)
{
	return c->id && strlen(c->hostname) == 12 &&
	    strncmp(c->id, c->hostname, 12) == 0;
}

static json_t *
strv_json(const struct strv *sv)
{
	json_t *a = json_array();

	for (size_t i = 0; i < sv->n; i++)
		json_array_append_new(a, json_string(sv->v[i]));
	return a;
}

/* The HostConfig part of a create request. */
static json_t *
host_config_json(const struct container *c)
{
	json_t *host = json_object(), *binds = json_array();
	json_t *tmpfs = json_object(), *ports = json_object();

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount *m = &c->mounts[i];
		cleanup_free char *opts = run_bind_options(m);

		if (strcmp(m->type, "tmpfs") == 0) {
			/* Tmpfs options are the mode as recorded, e.g. size=64m. */
			cleanup_free char *t = m->rw ? xstrdup(m->mode) :
			    xasprintf("%s%sro", m->mode, *m->mode ? "," : "");

			json_object_set_new(tmpfs, m->destination, json_string(t));
		} else if (strcmp(m->type, "bind") == 0 ||
		    strcmp(m->type, "volume") == 0) {
			cleanup_free char *b = xasprintf("%s:%s%s%s", m->source,
			    m->destination, *opts ? ":" : "", opts);

			json_array_append_new(binds, json_string(b));
		}
	}
	for (size_t i = 0; i < c->n_ports; i++) {
		const struct port_binding *p = &c->ports[i];
		json_t *list = json_object_get(ports, p->container_port);

		if (list == NULL) {
			list = json_array();
			json_object_set_new(ports, p->container_port, list);
		}
		json_array_append_new(list, json_pack("{s:s, s:s}",
		    "HostIp", p->host_ip, "HostPort", p->host_port));
	}
	json_object_set_new(host, "Binds", binds);
	json_object_set_new(host, "Tmpfs", tmpfs);
	json_object_set_new(host, "PortBindings", ports);
	if (c->network_mode && *c->network_mode)
		json_object_set_new(host, "NetworkMode",
		    json_string(c->network_mode));
	if (c->restart_policy && *c->restart_policy)
		json_object_set_new(host, "RestartPolicy", json_pack("{s:s, s:i}",
		    "Name", c->restart_policy,
		    "MaximumRetryCount", c->restart_max));
	return host;
}

/* The create request from the fields of c: snapshots without c->run. */
static json_t *
fields_create_request(const struct container *c, const char *image,
    const struct kvv *extra_labels)
{
	json_t *req, *env = json_array(), *labels = json_object();
	json_t *exposed = json_object();

	for (size_t i = 0; i < c->env.n; i++) {
		cleanup_free char *kv = xasprintf("%s=%s", c->env.v[i].key,
		    c->env.v[i].value);

		json_array_append_new(env, json_string(kv));
	}
	for (size_t i = 0; i < c->labels.n; i++)
		json_object_set_new(labels, c->labels.v[i].key,
		    json_string(c->labels.v[i].value));
	for (size_t i = 0; extra_labels && i < extra_labels->n; i++)
		json_object_set_new(labels, extra_labels->v[i].key,
		    json_string(extra_labels->v[i].value));
	for (size_t i = 0; i < c->exposed_ports.n; i++)
		json_object_set_new(exposed, c->exposed_ports.v[i],
		    json_object());
	req = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:b, s:o}",
	    "Image", image,
	    "User", c->user ? c->user : "",
	    "WorkingDir", c->workdir ? c->workdir : "",
	    "Env", env,
	    "Cmd", strv_json(&c->cmd),
	    "Labels", labels,
	    "ExposedPorts", exposed,
	    "Tty", c->tty,
	    "OpenStdin", c->open_stdin,
	    "HostConfig", host_config_json(c));
	if (req == NULL)
		return NULL;
	/* Entrypoint only when it was set: absent means the image's. */
	if (c->has_entrypoint)
		json_object_set_new(req, "Entrypoint", strv_json(&c->entrypoint));
	/* A hostname cannot go with another container's network, and the
	 * host's own is no choice; one the engine made up from the old id
	 * would only mislead. */
	if (c->hostname && *c->hostname && !hostname_generated(c) &&
	    c->network_mode && strcmp(c->network_mode, "host") != 0 &&
	    strncmp(c->network_mode, "container:", 10) != 0)
		json_object_set_new(req, "Hostname", json_string(c->hostname));
	return req;
}

/*
 * Join container id to the networks of run other than the one it was
 * created with, each with its recorded endpoint settings.
 */
static int
connect_networks(struct engine *e, const char *id, const struct value *run,
    struct keep_error **err)
{
	const struct value *nets = value_get(run, RUN_NETWORKS);
	const char *primary = run_primary_network(run);
	const char *mode = value_str(value_get(run, RUN_HOST), "NetworkMode");

	/* host, none and container: modes join no other network. */
	if (mode && (strcmp(mode, "host") == 0 || strcmp(mode, "none") == 0 ||
	    strncmp(mode, "container:", 10) == 0))
		return 0;
	for (size_t i = 0; nets && nets->type == VALUE_OBJECT && i < nets->n;
	    i++) {
		const struct value *ep = &nets->v[i];
		cleanup_json json_t *req = NULL;
		cleanup_free char *text = NULL;
		cleanup_buf struct buf path = BUF_INIT;

		if (primary && strcmp(ep->key, primary) == 0)
			continue;
		req = json_pack("{s:s, s:o}", "Container", id, "EndpointConfig",
		    ejson_from_value(ep));
		text = json_dumps(req, JSON_COMPACT);
		buf_addstr(&path, "/networks/");
		engine_urlencode(&path, ep->key);
		buf_addstr(&path, "/connect");
		if (engine_call(e, "POST", buf_cstr(&path), text, strlen(text),
		    NULL, NULL, NULL, err) < 0)
			return keep_error_wrap(err, "connect to network '%s'",
			    ep->key);
	}
	return 0;
}

int
engine_container_create(struct engine *e, const struct container *config,
    const char *image, const struct kvv *extra_labels, char **id_out,
    struct keep_error **err)
{
	const struct container *c = config;
	int from_run = value_get(&c->run, RUN_CONFIG) != NULL;
	cleanup_json json_t *req = NULL, *resp = NULL;
	cleanup_buf struct buf body = BUF_INIT, path = BUF_INIT;
	cleanup_free char *text = NULL;
	const char *id;

	*id_out = NULL;
	req = from_run ? run_create_request(c, image, extra_labels) :
	    fields_create_request(c, image, extra_labels);
	if (req == NULL || (text = json_dumps(req, JSON_COMPACT)) == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot describe container '%s'", c->name);
	buf_addstr(&path, "/containers/create?name=");
	engine_urlencode(&path, c->name);
	if (engine_call(e, "POST", buf_cstr(&path), text, strlen(text), NULL,
	    NULL, &body, err) < 0)
		return keep_error_wrap(err, "create container '%s' from '%s'",
		    c->name, image);
	if (ejson_parse(body.ptr, body.len, "POST /containers/create", &resp,
	    err) < 0)
		return -1;
	if ((id = ejson_str(resp, "Id")) == NULL || id[0] == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine created container '%s' but gave no id", c->name);
	if (from_run && connect_networks(e, id, &c->run, err) < 0) {
		struct keep_error *e2 = NULL;

		engine_container_remove(e, id, 1, &e2);
		keep_error_free(e2);
		return keep_error_wrap(err, "create container '%s'", c->name);
	}
	*id_out = xstrdup(id);
	return 0;
}

int
engine_container_start(struct engine *e, const char *id,
    struct keep_error **err)
{
	cleanup_free char *path = container_path(id, "/start");

	if (engine_call(e, "POST", path, NULL, 0, NULL, NULL, NULL, err) < 0)
		return keep_error_wrap(err, "start container '%s'", id);
	return 0;
}

int
engine_container_pause(struct engine *e, const char *id,
    struct keep_error **err)
{
	cleanup_free char *path = container_path(id, "/pause");

	if (engine_call(e, "POST", path, NULL, 0, NULL, NULL, NULL, err) < 0)
		return keep_error_wrap(err, "pause container '%s'", id);
	return 0;
}

int
engine_container_unpause(struct engine *e, const char *id,
    struct keep_error **err)
{
	cleanup_free char *path = container_path(id, "/unpause");

	if (engine_call(e, "POST", path, NULL, 0, NULL, NULL, NULL, err) < 0)
		return keep_error_wrap(err, "unpause container '%s'", id);
	return 0;
}

void
container_state_release(struct container_state *st)
{
	free(st->status);
	free(st->error);
	memset(st, 0, sizeof(*st));
}

int
engine_container_state(struct engine *e, const char *id,
    struct container_state *out, struct keep_error **err)
{
	cleanup_free char *path = container_path(id, "/json");
	cleanup_buf struct buf body = BUF_INIT;
	cleanup_json json_t *j = NULL;
	json_t *state;

	memset(out, 0, sizeof(*out));
	if (engine_call(e, "GET", path, NULL, 0, NULL, NULL, &body, err) < 0)
		return keep_error_wrap(err, "inspect container '%s'", id);
	if (ejson_parse(body.ptr, body.len, "GET /containers/{id}/json", &j,
	    err) < 0)
		return -1;
	state = ejson_get(j, "State");
	out->status = ejson_strdup(state, "Status", "");
	out->running = ejson_bool(state, "Running", 0);
	out->paused = ejson_bool(state, "Paused", 0);
	out->restarting = ejson_bool(state, "Restarting", 0);
	out->exit_code = (int)ejson_int(state, "ExitCode", 0);
	out->error = ejson_strdup(state, "Error", "");
	return 0;
}

int
engine_container_wait_running(struct engine *e, const char *id, long timeout,
    struct keep_error **err)
{
	struct timespec pause = { 0, 100 * 1000000L };
	long rounds = timeout * 10;

	for (long i = 0; i <= rounds; i++) {
		struct container_state st;
		int rc = 0;

		if (engine_container_state(e, id, &st, err) < 0)
			return -1;
		if (st.running && !st.restarting) {
			container_state_release(&st);
			return 0;
		}
		if (!st.running && !st.restarting &&
		    (strcmp(st.status, "exited") == 0 ||
		    strcmp(st.status, "dead") == 0))
			rc = keep_error_set(err, KEEP_ERR_FAILED,
			    "container '%s' stopped right after it started "
			    "(exit code %d%s%s)", id, st.exit_code,
			    *st.error ? ": " : "", st.error);
		container_state_release(&st);
		if (rc < 0)
			return -1;
		nanosleep(&pause, NULL);
	}
	return keep_error_set(err, KEEP_ERR_FAILED,
	    "container '%s' did not come up within %ld seconds", id, timeout);
}

int
engine_volume_inspect(struct engine *e, const char *name,
    struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT;

	buf_addstr(&path, "/volumes/");
	engine_urlencode(&path, name);
	if (engine_call(e, "GET", buf_cstr(&path), NULL, 0, NULL, NULL, NULL,
	    err) < 0)
		return keep_error_wrap(err, "inspect volume '%s'", name);
	return 0;
}

int
engine_volume_create(struct engine *e, const char *name, const char *driver,
    struct keep_error **err)
{
	cleanup_json json_t *req = json_pack("{s:s, s:s}", "Name", name,
	    "Driver", driver && *driver ? driver : "local");
	cleanup_free char *text = json_dumps(req, JSON_COMPACT);

	if (engine_call(e, "POST", "/volumes/create", text, strlen(text), NULL,
	    NULL, NULL, err) < 0)
		return keep_error_wrap(err, "create volume '%s'", name);
	return 0;
}

int
engine_container_path_check(struct engine *e, const char *id,
    const char *path, struct keep_error **err)
{
	struct buf b = BUF_INIT;
	cleanup_free char *p = NULL;

	buf_addstr(&b, "/containers/");
	engine_urlencode(&b, id);
	buf_addstr(&b, "/archive?path=");
	engine_urlencode(&b, path);
	p = buf_detach(&b, NULL);
	if (engine_call(e, "HEAD", p, NULL, 0, NULL, NULL, NULL, err) < 0)
		return keep_error_wrap(err, "look for '%s' in container '%s'",
		    path, id);
	return 0;
}

int
engine_network_inspect(struct engine *e, const char *name,
    struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT;

	buf_addstr(&path, "/networks/");
	engine_urlencode(&path, name);
	if (engine_call(e, "GET", buf_cstr(&path), NULL, 0, NULL, NULL, NULL,
	    err) < 0)
		return keep_error_wrap(err, "inspect network '%s'", name);
	return 0;
}

void
engine_plugins_release(struct engine_plugins *p)
{
	strv_release(&p->runtimes);
	strv_release(&p->log_drivers);
	strv_release(&p->volume_drivers);
}

int
engine_plugins_get(struct engine *e, struct engine_plugins *out,
    struct keep_error **err)
{
	cleanup_buf struct buf body = BUF_INIT;
	cleanup_json json_t *j = NULL;
	json_t *plugins;

	memset(out, 0, sizeof(*out));
	if (engine_call(e, "GET", "/info", NULL, 0, NULL, NULL, &body, err) < 0 ||
	    ejson_parse(body.ptr, body.len, "GET /info", &j, err) < 0)
		return keep_error_wrap(err, "engine info");
	ejson_keys(ejson_get(j, "Runtimes"), &out->runtimes);
	plugins = ejson_get(j, "Plugins");
	ejson_strv(ejson_get(plugins, "Log"), &out->log_drivers);
	ejson_strv(ejson_get(plugins, "Volume"), &out->volume_drivers);
	return 0;
}
