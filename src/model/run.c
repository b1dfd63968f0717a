#include "model/run.h"

#include <stdlib.h>
#include <string.h>

#include "model/secrets.h"
#include "util/strv.h"
#include "util/xalloc.h"

void
run_settings_release(struct run_settings *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].path);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

/*
 * Members keep show lists in its own sections (or that say how the docker
 * CLI attached to the container, not what the container is).
 */
static const char *const shown_elsewhere[] = {
	"Config.Image", "Config.Env", "Config.Cmd", "Config.Entrypoint",
	"Config.User", "Config.WorkingDir", "Config.Labels",
	"Config.ExposedPorts", "Config.Tty", "Config.OpenStdin",
	"Config.Volumes", "Config.AttachStdin", "Config.AttachStdout",
	"Config.AttachStderr", "Config.StdinOnce", "Config.ArgsEscaped",
	"HostConfig.Binds", "HostConfig.Mounts", "HostConfig.Tmpfs",
	"HostConfig.PortBindings", "HostConfig.NetworkMode",
	"HostConfig.RestartPolicy",
	/* The engine's own lists, unless --privileged or systempaths=
	 * unconfined empties them: SecurityOpt and Privileged say that. */
	"HostConfig.MaskedPaths", "HostConfig.ReadonlyPaths",
	NULL,
};

/*
 * Values the engine writes for a container that set nothing (Docker
 * 20.10 and later): JSON text of the value. CgroupnsMode is "host" on
 * cgroup v1 hosts and "private" on v2, both what the engine chose.
 */
static const struct {
	const char *path;
	const char *json;
} defaults[] = {
	{ "HostConfig.ShmSize", "67108864" },
	{ "HostConfig.IpcMode", "\"private\"" },
	{ "HostConfig.CgroupnsMode", "\"host\"" },
	{ "HostConfig.CgroupnsMode", "\"private\"" },
	{ "HostConfig.Runtime", "\"runc\"" },
	{ "HostConfig.ConsoleSize", "[0,0]" },
	{ "HostConfig.LogConfig", "{\"Type\":\"json-file\",\"Config\":{}}" },
	{ "HostConfig.LogConfig", "{\"Type\":\"json-file\",\"Config\":null}" },
	{ "HostConfig.LogConfig", "{\"Type\":\"\",\"Config\":{}}" },
	{ "HostConfig.LogConfig", "{\"Type\":\"\",\"Config\":null}" },
};

static int
is_default(const char *path, const struct value *v)
{
	cleanup_free char *text = NULL;

	if (value_is_empty(v))
		return 1;
	for (size_t i = 0; shown_elsewhere[i]; i++)
		if (strcmp(shown_elsewhere[i], path) == 0)
			return 1;
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (strcmp(defaults[i].path, path) != 0)
			continue;
		if (text == NULL)
			text = value_json_dup(v);
		if (strcmp(text, defaults[i].json) == 0)
			return 1;
	}
	return 0;
}

static void
push(struct run_settings *out, char *path, const struct value *v)
{
	out->v = vec_grow(out->v, out->n, &out->cap, sizeof(*out->v));
	out->v[out->n].path = path;
	out->v[out->n].v = v;
	out->n++;
}

/* The members of object obj under prefix, those a user chose. */
static void
members(const struct value *obj, const char *prefix, struct run_settings *out)
{
	for (size_t i = 0; obj && obj->type == VALUE_OBJECT && i < obj->n; i++) {
		char *path = xasprintf("%s.%s", prefix, obj->v[i].key);

		if (is_default(path, &obj->v[i]))
			free(path);
		else
			push(out, path, &obj->v[i]);
	}
}

void
run_settings(const struct value *run, struct run_settings *out)
{
	for (size_t i = 0; run && run->type == VALUE_OBJECT && i < run->n; i++) {
		const struct value *section = &run->v[i];

		if (strcmp(section->key, RUN_NETWORKS) != 0) {
			members(section, section->key, out);
			continue;
		}
		/* Networks.NAME.Member: a network joined with nothing set
		 * shows under its name alone. */
		for (size_t k = 0; section->type == VALUE_OBJECT &&
		    k < section->n; k++) {
			const struct value *net = &section->v[k];
			cleanup_free char *prefix = xasprintf("%s.%s",
			    RUN_NETWORKS, net->key);
			size_t before = out->n;

			members(net, prefix, out);
			if (out->n == before)
				push(out, xstrdup(prefix), net);
		}
	}
}

const struct value *
run_settings_get(const struct run_settings *s, const char *path)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].path, path) == 0)
			return s->v[i].v;
	return NULL;
}

#define REDACTED "<redacted>"

/* Redact v in place; env says it is Config.Env ("K=V" strings). */
static void
redact(struct value *v, int env)
{
	switch (v->type) {
	case VALUE_STRING:
		if (env) {
			char *eq = strchr(v->s, '=');
			cleanup_free char *name = eq ? xstrndup(v->s,
			    (size_t)(eq - v->s)) : xstrdup(v->s);
			cleanup_free char *shown = secrets_redact_env(name,
			    eq ? eq + 1 : "");
			cleanup_free char *kv = eq ? xasprintf("%s=%s", name,
			    shown) : NULL;

			if (kv)
				value_set_string(v, kv);
		} else if (v->key && secrets_name_is_secret(v->key)) {
			value_set_string(v, REDACTED);
		} else if (secrets_value_has_credentials(v->s)) {
			cleanup_free char *s = secrets_redact(v->s);

			value_set_string(v, s);
		}
		return;
	case VALUE_ARRAY:
	case VALUE_OBJECT:
		for (size_t i = 0; i < v->n; i++)
			redact(&v->v[i], env);
		return;
	default:
		return;
	}
}

/*
 * An argument vector (Config.Cmd, Entrypoint, Healthcheck.Test) of
 * strings: a secret option's value ("--password VALUE") goes too, as
 * secrets_redact_argv hides it.
 */
static void
redact_argv(struct value *v)
{
	struct strv argv = { 0 }, shown = { 0 };

	for (size_t i = 0; v && v->type == VALUE_ARRAY && i < v->n; i++) {
		if (v->v[i].type != VALUE_STRING)
			goto out;
		strv_push(&argv, v->v[i].s);
	}
	secrets_redact_argv(&argv, &shown);
	for (size_t i = 0; i < shown.n && i < argv.n; i++)
		if (strcmp(shown.v[i], argv.v[i]) != 0)
			value_set_string(&v->v[i], shown.v[i]);
out:
	strv_release(&argv);
	strv_release(&shown);
}

void
run_redact(const struct value *run, struct value *out)
{
	value_copy(out, run);
	for (size_t i = 0; i < out->n; i++) {
		struct value *section = &out->v[i];

		if (strcmp(section->key, RUN_CONFIG) != 0 ||
		    section->type != VALUE_OBJECT) {
			redact(section, 0);
			continue;
		}
		redact_argv(value_get(section, "Cmd"));
		redact_argv(value_get(section, "Entrypoint"));
		redact_argv(value_get(value_get(section, "Healthcheck"),
		    "Test"));
		/* Config.Env holds "K=V" strings: the env rule, by K. */
		for (size_t k = 0; k < section->n; k++)
			redact(&section->v[k],
			    strcmp(section->v[k].key, "Env") == 0);
	}
}
