/*
 * The JSON form of a snapshot, for `show --json`, `save --json` and the
 * recipe repository's container.json. Secret env values never appear:
 * model/secrets.h decides, and a secret variable is listed by name only;
 * every other string passes its redactor on the way out.
 */
#include "core/snapshot_json.h"

#include <stdlib.h>
#include <string.h>

#include "model/run.h"
#include "model/secrets.h"
#include "util/xalloc.h"

/* v as JSON output. */
static struct jout *
value_jout(const struct value *v)
{
	struct jout *o;

	switch (v->type) {
	case VALUE_BOOL:
		return jout_bool((int)v->i);
	case VALUE_INT:
		return jout_int(v->i);
	case VALUE_REAL:
		return jout_real(v->r);
	case VALUE_STRING:
		return jout_str(v->s);
	case VALUE_ARRAY:
		o = jout_array();
		for (size_t i = 0; i < v->n; i++)
			jout_push(o, value_jout(&v->v[i]));
		return o;
	case VALUE_OBJECT:
		o = jout_object();
		for (size_t i = 0; i < v->n; i++)
			jout_set(o, v->v[i].key, value_jout(&v->v[i]));
		return o;
	case VALUE_NULL:
	default:
		return jout_null();
	}
}

/*
 * "settings": how the container was run where that differs from the
 * engine's defaults, by path, secrets redacted; null when the snapshot
 * predates keep recording it.
 */
static void
settings_json(struct jout *o, const struct container *c)
{
	struct value run;
	struct run_settings set = { 0 };
	struct jout *j;

	if (c->run.type == VALUE_NULL) {
		jout_set_null(o, "settings");
		return;
	}
	run_redact(&c->run, &run);
	run_settings(&run, &set);
	j = jout_object();
	for (size_t i = 0; i < set.n; i++)
		jout_set(j, set.v[i].path, value_jout(set.v[i].v));
	jout_set(o, "settings", j);
	run_settings_release(&set);
	value_release(&run);
}

/* An argument vector, "--password VALUE" hidden as a pair. */
static struct jout *
argv_json(const struct strv *argv)
{
	struct strv shown = { 0 };
	struct jout *a;

	secrets_redact_argv(argv, &shown);
	a = jout_strv(&shown);
	strv_release(&shown);
	return a;
}

/* The container's config and mounts; secret env values are left out. */
static void
config_json(struct jout *o, const struct container *c)
{
	struct jout *a;

	jout_set_str(o, "user", c->user);
	jout_set_str(o, "workdir", c->workdir);
	jout_set(o, "cmd", argv_json(&c->cmd));
	jout_set(o, "entrypoint", argv_json(&c->entrypoint));

	a = jout_array();
	for (size_t i = 0; i < c->env.n; i++) {
		const struct kv *kv = &c->env.v[i];
		enum secret_class sc = secrets_classify_env(kv->key, kv->value);
		struct jout *e = jout_object();

		jout_set_str(e, "name", kv->key);
		if (sc == SECRET_NAME || sc == SECRET_VALUE) {
			jout_set_null(e, "value");
			jout_set_bool(e, "secret", 1);
		} else {
			cleanup_free char *v = secrets_redact_env(kv->key, kv->value);

			jout_set_str(e, "value", v);
			jout_set_bool(e, "secret", 0);
		}
		jout_push(a, e);
	}
	jout_set(o, "env", a);

	jout_set(o, "exposed_ports", jout_strv(&c->exposed_ports));
	a = jout_array();
	for (size_t i = 0; i < c->n_ports; i++) {
		struct jout *p = jout_object();

		jout_set_str(p, "container_port", c->ports[i].container_port);
		jout_set_str(p, "host_ip", c->ports[i].host_ip);
		jout_set_str(p, "host_port", c->ports[i].host_port);
		jout_push(a, p);
	}
	jout_set(o, "ports", a);
	/* Label keys are keys of this object: redact_member looks at them. */
	a = jout_object();
	for (size_t i = 0; i < c->labels.n; i++)
		jout_set_str(a, c->labels.v[i].key, c->labels.v[i].value);
	jout_set(o, "labels", a);
	jout_set_str(o, "network_mode", c->network_mode);
	jout_set_str(o, "restart_policy", c->restart_policy);
	jout_set_bool(o, "tty", c->tty);
	jout_set_bool(o, "open_stdin", c->open_stdin);
	a = jout_array();
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount *m = &c->mounts[i];
		struct jout *j = jout_object();

		jout_set_str(j, "type", m->type);
		jout_set_str(j, "source", m->source);
		jout_set_str(j, "destination", m->destination);
		jout_set_bool(j, "rw", m->rw);
		jout_set_str(j, "mode", m->mode);
		jout_set_str(j, "driver", m->driver);
		jout_push(a, j);
	}
	jout_set(o, "mounts", a);
	settings_json(o, c);
}

static const char *
kind_name(enum fs_change_kind k)
{
	return k == FS_ADDED ? "added" : k == FS_DELETED ? "deleted" : "modified";
}

/* The package changes and loose files. */
static void
content_json(struct jout *o, const struct snapshot *s)
{
	struct jout *a;

	a = jout_array();
	for (size_t i = 0; i < s->packages.n; i++) {
		const struct pkg_change *pc = &s->packages.v[i];
		struct jout *p = jout_object();

		jout_set_str(p, "manager", pc->pkg.manager);
		jout_set_str(p, "name", pc->pkg.name);
		jout_set_str(p, "version", pc->pkg.version);
		if (pc->change == PKG_UPGRADED)
			jout_set_str(p, "old_version", pc->old_version);
		else
			jout_set_null(p, "old_version");
		jout_set_str(p, "arch", pc->pkg.arch);
		jout_set_str(p, "change", pkg_change_name(pc->change));
		jout_set_bool(p, "auto", pc->pkg.automatic);
		if (pc->pkg.location[0])
			jout_set_str(p, "location", pc->pkg.location);
		if (pc->pkg.installer[0])
			jout_set_str(p, "installer", pc->pkg.installer);
		if (pc->pkg.origin[0])
			jout_set_str(p, "origin", pc->pkg.origin);
		jout_push(a, p);
	}
	jout_set(o, "packages", a);

	a = jout_array();
	for (size_t i = 0; i < s->loose.n; i++) {
		struct jout *j = jout_object();

		jout_set_str(j, "path", s->loose.v[i].path);
		jout_set_str(j, "kind", kind_name(s->loose.v[i].kind));
		if (s->loose.v[i].secret)
			jout_set_bool(j, "credentials", 1);
		jout_push(a, j);
	}
	jout_set(o, "files", a);
	jout_set_int(o, "changed_paths", (long long)s->changes.n);
}

/*
 * The rest of what an import needs (SNAPSHOT_JSON_RECIPE). Secret values
 * are redacted here as everywhere: an imported snapshot names them only.
 */
static void
recipe_json(struct jout *o, const struct snapshot *s)
{
	const struct container *c = &s->config;
	const struct image *b = &s->base;
	struct jout *base = jout_object(), *a;
	struct value run;

	jout_set_str(o, "created", s->created_at);
	jout_set_str(o, "message", s->message);
	jout_set_str(o, "hostname", c->hostname);
	jout_set_bool(o, "has_entrypoint", c->has_entrypoint);
	jout_set_int(o, "restart_max", c->restart_max);
	jout_set_int(o, "compose_number", c->compose_number);
	jout_set_str(base, "user", b->user);
	jout_set_str(base, "workdir", b->workdir);
	a = jout_array();
	for (size_t i = 0; i < b->env.n; i++) {
		cleanup_free char *kv = xasprintf("%s=%s", b->env.v[i].key,
		    b->env.v[i].value);

		jout_push_str(a, kv);
	}
	jout_set(base, "env", a);
	jout_set(base, "cmd", argv_json(&b->cmd));
	jout_set(base, "entrypoint", argv_json(&b->entrypoint));
	jout_set(o, "base_config", base);
	if (c->run.type == VALUE_NULL) {
		jout_set_null(o, "run");
	} else {
		run_redact(&c->run, &run);
		jout_set(o, "run", value_jout(&run));
		value_release(&run);
	}
	a = jout_array();
	for (size_t i = 0; i < s->apt_sources.n; i++) {
		const struct apt_source *src = &s->apt_sources.v[i];
		struct jout *j = jout_object();

		jout_set_str(j, "uri", src->uri);
		jout_set_str(j, "suite", src->suite);
		jout_set_str(j, "components", src->components);
		jout_set_str(j, "signed_by", src->signed_by);
		jout_set_str(j, "archive", src->archive);
		jout_push(a, j);
	}
	jout_set(o, "apt_sources", a);
}

static struct jout *
snapshot_json_raw(const struct snapshot *s, unsigned parts)
{
	const struct container *c = &s->config;
	struct jout *o = jout_object(), *base = jout_object();

	jout_set_str(o, "name", c->name);
	jout_set_int(o, "seq", s->seq);
	jout_set_str(o, "image", s->image);
	if (parts & SNAPSHOT_JSON_META) {
		jout_set_str(o, "image_id", s->image_id);
		if (s->pruned_at)
			jout_set_str(o, "pruned_at", s->pruned_at);
		else
			jout_set_null(o, "pruned_at");
		jout_set_bool(o, "incremental", s->incremental);
		jout_set_str(o, "created", s->created_at);
		jout_set_str(o, "message", s->message);
		jout_set_str(o, "engine", s->engine);
		jout_set_str(o, "container_id", c->id);
	}
	jout_set_str(base, "ref", c->image_ref);
	jout_set_str(base, "id", c->image_id);
	jout_set_str(base, "digest", s->base_digest);
	jout_set(o, "base", base);
	if (s->registry_ref)
		jout_set_str(o, "registry", s->registry_ref);
	else
		jout_set_null(o, "registry");
	jout_set_str(o, "compose_project", c->compose_project);
	jout_set_str(o, "compose_service", c->compose_service);
	if (parts & SNAPSHOT_JSON_CONFIG)
		config_json(o, c);
	if (parts & SNAPSHOT_JSON_CONTENT)
		content_json(o, s);
	if (parts & SNAPSHOT_JSON_RECIPE)
		recipe_json(o, s);
	if (!(parts & SNAPSHOT_JSON_META))
		return o;
	jout_set_str(o, "recipe_commit", s->recipe_commit);
	if (s->verify_status) {
		struct jout *v = jout_object();

		jout_set_str(v, "status", s->verify_status);
		jout_set_str(v, "at", s->verify_at);
		jout_set_str(v, "detail", s->verify_detail);
		jout_set(o, "verify", v);
	} else {
		jout_set_null(o, "verify");
	}
	return o;
}

/*
 * Every string of the document, on its way out: a member whose key is a
 * secret name (a label "db-password") is hidden whole, anything else goes
 * through the redactor. The document's own keys name no secret.
 */
static char *
redact_member(const char *key, const char *s)
{
	char *r;

	if (key != NULL && secrets_name_is_secret(key))
		return xstrdup("<redacted>");
	r = secrets_redact(s);
	if (strcmp(r, s) == 0) {
		free(r);
		return NULL;
	}
	return r;
}

struct jout *
snapshot_json(const struct snapshot *s, unsigned parts)
{
	struct jout *o = snapshot_json_raw(s, parts);

	jout_map_strings(o, redact_member);
	return o;
}
