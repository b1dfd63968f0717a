#include "core/run_check.h"

#include <stdlib.h>
#include <string.h>

#include "engine/lifecycle.h"
#include "model/run.h"
#include "util/xalloc.h"

/* SETTING kinds: bare words, and those that name what they drop. */
static const char *const bare[] = { "runtime", "gpus", "log-driver", NULL };
static const char *const named[] = {
	"device:", "network:", "volume-driver:", "container:", NULL,
};

int
run_setting_valid(const char *s)
{
	for (size_t i = 0; bare[i]; i++)
		if (strcmp(s, bare[i]) == 0)
			return 1;
	for (size_t i = 0; named[i]; i++)
		if (strncmp(s, named[i], strlen(named[i])) == 0 &&
		    s[strlen(named[i])] != '\0')
			return 1;
	return 0;
}

static struct value *
host_of(const struct value *run)
{
	return value_get(run, RUN_HOST);
}

/* 1 when name is a network every engine has, which needs no check. */
static int
builtin_network(const char *name)
{
	return strcmp(name, "none") == 0 || strcmp(name, "host") == 0;
}

/* The container a "container:NAME" mode names, or NULL. */
static const char *
mode_container(const char *mode)
{
	return mode && strncmp(mode, "container:", 10) == 0 ? mode + 10 : NULL;
}

/* The container name of a link "NAME:ALIAS" or a VolumesFrom "NAME:ro" (caller frees). */
static char *
ref_name(const char *spec)
{
	return xstrndup(spec, strcspn(spec, ":"));
}

static void
missing(struct strv *settings, struct strv *whats, char *setting, char *what)
{
	if (strv_find(settings, setting) < 0) {
		strv_push_nodup(settings, setting);
		strv_push_nodup(whats, what);
		return;
	}
	free(setting);
	free(what);
}

/* Every container run refers to: by network, IPC or PID mode, links, VolumesFrom. */
static void
referenced_containers(const struct value *run, struct strv *out)
{
	const struct value *host = host_of(run), *nets = value_get(run,
	    RUN_NETWORKS), *list;
	static const char *const modes[] = { "NetworkMode", "IpcMode",
	    "PidMode", NULL };

	for (size_t i = 0; modes[i]; i++) {
		const char *c = mode_container(value_str(host, modes[i]));

		if (c && strv_find(out, c) < 0)
			strv_push(out, c);
	}
	for (int k = 0; k < 2; k++) {
		list = value_get(host, k ? "Links" : "VolumesFrom");
		for (size_t i = 0; list && i < list->n; i++) {
			cleanup_free char *name = NULL;

			if (list->v[i].type != VALUE_STRING)
				continue;
			name = ref_name(list->v[i].s);
			if (strv_find(out, name) < 0)
				strv_push(out, name);
		}
	}
	for (size_t n = 0; nets && n < nets->n; n++) {
		list = value_get(&nets->v[n], "Links");
		for (size_t i = 0; list && i < list->n; i++) {
			cleanup_free char *name = NULL;

			if (list->v[i].type != VALUE_STRING)
				continue;
			name = ref_name(list->v[i].s);
			if (strv_find(out, name) < 0)
				strv_push(out, name);
		}
	}
}

/* The volume drivers run names: --volume-driver and --mount's. */
static void
volume_drivers(const struct value *run, struct strv *out)
{
	const struct value *host = host_of(run), *mounts;
	const char *d = value_str(host, "VolumeDriver");

	if (d && *d)
		strv_push(out, d);
	mounts = value_get(host, "Mounts");
	for (size_t i = 0; mounts && i < mounts->n; i++) {
		d = value_str(value_get(value_get(&mounts->v[i],
		    "VolumeOptions"), "DriverConfig"), "Name");
		if (d && *d && strv_find(out, d) < 0)
			strv_push(out, d);
	}
}

int
run_check_volume_driver(struct engine *e, const char *driver, char **setting,
    struct keep_error **err)
{
	struct engine_plugins p;
	int have;

	*setting = NULL;
	if (driver == NULL || *driver == '\0' || strcmp(driver, "local") == 0)
		return 0;
	if (engine_plugins_get(e, &p, err) < 0)
		return -1;
	have = strv_find(&p.volume_drivers, driver) >= 0;
	engine_plugins_release(&p);
	if (have)
		return 0;
	*setting = xasprintf("volume-driver:%s", driver);
	return 1;
}

/* What GET /info answers for: runtime, log driver, volume drivers. */
static int
check_plugins(struct engine *e, const struct value *run, struct strv *settings,
    struct strv *whats, struct keep_error **err)
{
	const struct value *host = host_of(run);
	const char *runtime = value_str(host, "Runtime");
	const char *log = value_str(value_get(host, "LogConfig"), "Type");
	struct strv drivers = { 0 };
	struct engine_plugins p;

	volume_drivers(run, &drivers);
	for (size_t i = 0; i < drivers.n;)
		if (strcmp(drivers.v[i], "local") == 0) {
			free(drivers.v[i]);
			memmove(&drivers.v[i], &drivers.v[i + 1],
			    (drivers.n - i - 1) * sizeof(*drivers.v));
			drivers.n--;
		} else {
			i++;
		}
	/* The defaults every engine has ask for no /info, which is slow. */
	if ((runtime == NULL || *runtime == '\0' ||
	    strcmp(runtime, "runc") == 0) && (log == NULL || *log == '\0' ||
	    strcmp(log, "json-file") == 0) && drivers.n == 0) {
		strv_release(&drivers);
		return 0;
	}
	if (engine_plugins_get(e, &p, err) < 0) {
		strv_release(&drivers);
		return -1;
	}
	if (runtime && *runtime && strv_find(&p.runtimes, runtime) < 0)
		missing(settings, whats, xstrdup("runtime"),
		    xasprintf("runtime '%s' (HostConfig.Runtime)", runtime));
	if (log && *log && strv_find(&p.log_drivers, log) < 0)
		missing(settings, whats, xstrdup("log-driver"),
		    xasprintf("log driver '%s' (HostConfig.LogConfig)", log));
	for (size_t i = 0; i < drivers.n; i++)
		if (strv_find(&p.volume_drivers, drivers.v[i]) < 0)
			missing(settings, whats, xasprintf("volume-driver:%s",
			    drivers.v[i]), xasprintf("volume driver '%s'",
			    drivers.v[i]));
	engine_plugins_release(&p);
	strv_release(&drivers);
	return 0;
}

int
run_check(struct engine *e, const struct value *run, struct strv *settings,
    struct strv *whats, struct keep_error **err)
{
	const struct value *nets = value_get(run, RUN_NETWORKS);
	struct strv refs = { 0 };
	int rc = 0;

	if (check_plugins(e, run, settings, whats, err) < 0)
		return -1;
	for (size_t i = 0; nets && i < nets->n; i++) {
		const char *name = nets->v[i].key;

		if (builtin_network(name))
			continue;
		if (engine_network_inspect(e, name, err) == 0)
			continue;
		if (!keep_error_not_found(err))
			return -1;
		missing(settings, whats, xasprintf("network:%s", name),
		    xasprintf("network '%s'", name));
	}
	referenced_containers(run, &refs);
	for (size_t i = 0; i < refs.n; i++) {
		struct container_state st;

		if (engine_container_state(e, refs.v[i], &st, err) == 0) {
			container_state_release(&st);
			continue;
		}
		if (!keep_error_not_found(err)) {
			rc = -1;
			break;
		}
		missing(settings, whats, xasprintf("container:%s", refs.v[i]),
		    xasprintf("container '%s' (whose network, IPC, PID, volumes "
		    "or name it used)", refs.v[i]));
	}
	strv_release(&refs);
	return rc;
}

/* Remove the string entries of array arr for which drop(entry, arg) holds. */
static void
remove_entries(struct value *arr, int (*drop)(const struct value *,
    const char *), const char *arg)
{
	for (size_t i = 0; arr && arr->type == VALUE_ARRAY && i < arr->n;)
		if (drop(&arr->v[i], arg))
			value_remove_at(arr, i);
		else
			i++;
}

static int
is_device(const struct value *d, const char *path)
{
	const char *p = value_str(d, "PathOnHost");

	return p && strcmp(p, path) == 0;
}

static int
names_container(const struct value *spec, const char *name)
{
	cleanup_free char *n = NULL;

	if (spec->type != VALUE_STRING)
		return 0;
	n = ref_name(spec->s);
	return strcmp(n, name) == 0;
}

/* Network mode none, with its endpoint. */
static void
network_none(struct value *run)
{
	struct value *nets = value_get(run, RUN_NETWORKS);

	value_set_string(value_get(host_of(run), "NetworkMode"), "none");
	if (nets == NULL) {
		nets = value_add(run, RUN_NETWORKS);
		value_set_object(nets);
	}
	value_set_object(value_add(nets, "none"));
}

/* The network mode when its network is dropped: another one, else none. */
static void
network_fallback(struct value *run, const char *dropped)
{
	struct value *host = host_of(run), *nets = value_get(run, RUN_NETWORKS);
	const char *mode = value_str(host, "NetworkMode");

	if (mode == NULL || strcmp(mode, dropped) != 0)
		return;
	if (nets && nets->n)
		value_set_string(value_get(host, "NetworkMode"), nets->v[0].key);
	else
		network_none(run);
}

void
run_drop(struct value *run, const char *setting)
{
	struct value *host = host_of(run), *nets = value_get(run, RUN_NETWORKS);
	const char *arg = strchr(setting, ':') ? strchr(setting, ':') + 1 : "";

	if (strcmp(setting, "runtime") == 0) {
		value_remove(host, "Runtime");
	} else if (strcmp(setting, "gpus") == 0) {
		value_remove(host, "DeviceRequests");
	} else if (strcmp(setting, "log-driver") == 0) {
		value_remove(host, "LogConfig");
	} else if (strncmp(setting, "device:", 7) == 0) {
		remove_entries(value_get(host, "Devices"), is_device, arg);
	} else if (strncmp(setting, "network:", 8) == 0) {
		value_remove(nets, arg);
		network_fallback(run, arg);
	} else if (strncmp(setting, "volume-driver:", 14) == 0) {
		struct value *mounts = value_get(host, "Mounts");
		const char *vd = value_str(host, "VolumeDriver");

		if (vd && strcmp(vd, arg) == 0)
			value_remove(host, "VolumeDriver");
		for (size_t i = 0; mounts && i < mounts->n; i++) {
			struct value *opts = value_get(&mounts->v[i],
			    "VolumeOptions");
			const char *d = value_str(value_get(opts,
			    "DriverConfig"), "Name");

			if (d && strcmp(d, arg) == 0)
				value_remove(opts, "DriverConfig");
		}
	} else if (strncmp(setting, "container:", 10) == 0) {
		static const char *const modes[] = { "IpcMode", "PidMode",
		    "NetworkMode", NULL };

		for (size_t i = 0; modes[i]; i++) {
			const char *c = mode_container(value_str(host, modes[i]));

			if (c == NULL || strcmp(c, arg) != 0)
				continue;
			if (strcmp(modes[i], "NetworkMode") == 0) {
				network_none(run);
				/* It may have added Networks, moving both. */
				host = host_of(run);
				nets = value_get(run, RUN_NETWORKS);
			} else {
				value_remove(host, modes[i]);
			}
		}
		remove_entries(value_get(host, "VolumesFrom"), names_container,
		    arg);
		remove_entries(value_get(host, "Links"), names_container, arg);
		for (size_t i = 0; nets && i < nets->n; i++)
			remove_entries(value_get(&nets->v[i], "Links"),
			    names_container, arg);
	}
}

char *
run_start_refusal(const char *message, char **what)
{
	/* Docker's words, from daemon/devices.go and its runc spec code. */
	static const char gpus[] = "could not select device driver";
	static const char device[] = "custom device \"";
	const char *p;

	*what = NULL;
	if (strstr(message, gpus) != NULL) {
		*what = xstrdup("GPUs (HostConfig.DeviceRequests)");
		return xstrdup("gpus");
	}
	if ((p = strstr(message, device)) != NULL) {
		cleanup_free char *path = NULL;

		p += strlen(device);
		path = xstrndup(p, strcspn(p, "\""));
		*what = xasprintf("device '%s' (HostConfig.Devices)", path);
		return xasprintf("device:%s", path);
	}
	return NULL;
}
