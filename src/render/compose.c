#include "render/compose.h"

#include <stdlib.h>
#include <string.h>

#include "model/run.h"
#include "model/secrets.h"
#include "render/quote.h"
#include "util/xalloc.h"

/*
 * "  - <scalar>\n" at the given indent, or a warning naming what: a value
 * that is not writable as YAML, or holds a secret, is left out.
 */
static void
item(struct buf *out, int indent, const char *value, const char *what,
    struct strv *warnings)
{
	size_t mark = out->len;

	buf_printf(out, "%*s- ", indent, "");
	if (secrets_value_has_credentials(value) || quote_json(out, value) < 0) {
		cleanup_free char *redacted = secrets_redact(value);
		cleanup_free char *shown = text_printable_dup(redacted);

		buf_truncate(out, mark);
		strv_pushf(warnings, "compose snippet: left out %s '%s': %s",
		    what, shown, strcmp(redacted, value) ? "it holds a secret" :
		    "not writable as YAML");
		return;
	}
	buf_addch(out, '\n');
}

/* The service name: the compose service, else the container name. */
static const char *
service_name(const struct container *c)
{
	return c->compose_service && c->compose_service[0] ? c->compose_service
	    : c->name;
}

static void
volumes(const struct container *c, struct buf *out, struct strv *warnings)
{
	int any = 0;

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct mount *m = &c->mounts[i];
		cleanup_free char *v = NULL;

		if (strcmp(m->type, "tmpfs") == 0)
			continue;
		if (!any++)
			buf_addstr(out, "    volumes:\n");
		v = xasprintf("%s:%s%s", m->source, m->destination,
		    m->rw ? "" : ":ro");
		item(out, 6, v, "mount", warnings);
	}
	any = 0;
	for (size_t i = 0; i < c->n_mounts; i++) {
		if (strcmp(c->mounts[i].type, "tmpfs") != 0)
			continue;
		if (!any++)
			buf_addstr(out, "    tmpfs:\n");
		item(out, 6, c->mounts[i].destination, "tmpfs mount", warnings);
	}
}

static void
ports(const struct container *c, struct buf *out, struct strv *warnings)
{
	for (size_t i = 0; i < c->n_ports; i++) {
		const struct port_binding *p = &c->ports[i];
		cleanup_free char *v = NULL;

		if (i == 0)
			buf_addstr(out, "    ports:\n");
		if (p->host_ip[0] && p->host_port[0])
			v = xasprintf("%s:%s:%s", p->host_ip, p->host_port,
			    p->container_port);
		else if (p->host_port[0])
			v = xasprintf("%s:%s", p->host_port, p->container_port);
		else
			v = xstrdup(p->container_port);
		item(out, 6, v, "port", warnings);
	}
}

/* A scalar as YAML reads it: strings as JSON strings, numbers, booleans. */
static int
scalar(struct buf *out, const struct value *v)
{
	switch (v->type) {
	case VALUE_STRING:
		return quote_json(out, v->s);
	case VALUE_INT:
		buf_printf(out, "%lld", v->i);
		return 0;
	case VALUE_REAL:
		buf_printf(out, "%.17g", v->r);
		return 0;
	case VALUE_BOOL:
		buf_addstr(out, v->i ? "true" : "false");
		return 0;
	default:
		return -1;
	}
}

/*
 * "KEY: SCALAR" at indent, KEY as it is (compose's own) or quoted (one
 * from the container); -1 (nothing written) when v is no scalar.
 */
static int
member(struct buf *out, int indent, const char *key, int quote,
    const struct value *v)
{
	size_t mark = out->len;

	buf_printf(out, "%*s", indent, "");
	if (!quote)
		buf_addstr(out, key);
	else if (quote_json(out, key) < 0)
		goto bad;
	buf_addstr(out, ": ");
	if (scalar(out, v) < 0)
		goto bad;
	buf_addch(out, '\n');
	return 0;
bad:
	buf_truncate(out, mark);
	return -1;
}

static int
key_scalar(struct buf *out, int indent, const char *key, const struct value *v)
{
	return member(out, indent, key, 0, v);
}

/* "KEY:" and the scalars of array v as a list. */
static int
key_list(struct buf *out, int indent, const char *key, const struct value *v)
{
	size_t mark = out->len;

	if (v->type != VALUE_ARRAY)
		return -1;
	buf_printf(out, "%*s%s:\n", indent, "", key);
	for (size_t i = 0; i < v->n; i++) {
		buf_printf(out, "%*s- ", indent + 2, "");
		if (scalar(out, &v->v[i]) < 0) {
			buf_truncate(out, mark);
			return -1;
		}
		buf_addch(out, '\n');
	}
	return 0;
}

/* "KEY:" and the scalar members of object v as a map. */
static int
key_map(struct buf *out, int indent, const char *key, const struct value *v)
{
	size_t mark = out->len;

	if (v->type != VALUE_OBJECT)
		return -1;
	buf_printf(out, "%*s%s:\n", indent, "", key);
	for (size_t i = 0; i < v->n; i++)
		if (member(out, indent + 2, v->v[i].key, 1, &v->v[i]) < 0) {
			buf_truncate(out, mark);
			return -1;
		}
	return 0;
}

/* A duration in nanoseconds as compose writes one: "30s", "1500ms". */
static void
duration(struct buf *out, long long ns)
{
	if (ns % 1000000000LL == 0)
		buf_printf(out, "\"%llds\"", ns / 1000000000LL);
	else if (ns % 1000000LL == 0)
		buf_printf(out, "\"%lldms\"", ns / 1000000LL);
	else
		buf_printf(out, "\"%lldus\"", ns / 1000LL);
}

/* A byte count as compose writes one: "512m", else "123b". */
static void
bytes(struct buf *out, long long n)
{
	static const char units[] = "gmk";

	for (int i = 0; i < 3; i++) {
		long long u = 1LL << (10 * (3 - i));

		if (n >= u && n % u == 0) {
			buf_printf(out, "\"%lld%c\"", n / u, units[i]);
			return;
		}
	}
	buf_printf(out, "\"%lldb\"", n);
}

static int
healthcheck(struct buf *out, const struct value *v)
{
	const struct value *test = value_get(v, "Test");
	static const char *const times[][2] = {
		{ "Interval", "interval" }, { "Timeout", "timeout" },
		{ "StartPeriod", "start_period" },
	};
	size_t mark = out->len;

	buf_addstr(out, "    healthcheck:\n");
	if (test && test->n == 1 && test->v[0].type == VALUE_STRING &&
	    strcmp(test->v[0].s, "NONE") == 0) {
		buf_addstr(out, "      disable: true\n");
		return 0;
	}
	if (test && key_list(out, 6, "test", test) < 0) {
		buf_truncate(out, mark);
		return -1;
	}
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		const struct value *t = value_get(v, times[i][0]);

		if (t && t->type == VALUE_INT && t->i > 0) {
			buf_printf(out, "      %s: ", times[i][1]);
			duration(out, t->i);
			buf_addch(out, '\n');
		}
	}
	if (value_get(v, "Retries") && !value_is_empty(value_get(v, "Retries")))
		key_scalar(out, 6, "retries", value_get(v, "Retries"));
	return 0;
}

static int
ulimits(struct buf *out, const struct value *v)
{
	size_t mark = out->len;

	buf_addstr(out, "    ulimits:\n");
	for (size_t i = 0; i < v->n; i++) {
		const struct value *u = &v->v[i];
		const char *name = value_str(u, "Name");
		const struct value *soft = value_get(u, "Soft"),
		    *hard = value_get(u, "Hard");

		if (name == NULL || soft == NULL || hard == NULL)
			goto bad;
		buf_addstr(out, "      ");
		if (quote_json(out, name) < 0)
			goto bad;
		buf_addstr(out, ":\n");
		if (key_scalar(out, 8, "soft", soft) < 0 ||
		    key_scalar(out, 8, "hard", hard) < 0)
			goto bad;
	}
	return 0;
bad:
	buf_truncate(out, mark);
	return -1;
}

static int
devices(struct buf *out, const struct value *v)
{
	size_t mark = out->len;

	buf_addstr(out, "    devices:\n");
	for (size_t i = 0; i < v->n; i++) {
		const char *host = value_str(&v->v[i], "PathOnHost");
		const char *in = value_str(&v->v[i], "PathInContainer");
		const char *perm = value_str(&v->v[i], "CgroupPermissions");
		cleanup_free char *spec = NULL;

		if (host == NULL)
			goto bad;
		spec = xasprintf("%s:%s%s%s", host, in && *in ? in : host,
		    perm && *perm ? ":" : "", perm && *perm ? perm : "");
		buf_addstr(out, "      - ");
		if (quote_json(out, spec) < 0)
			goto bad;
		buf_addch(out, '\n');
	}
	return 0;
bad:
	buf_truncate(out, mark);
	return -1;
}

static int
logging(struct buf *out, const struct value *v)
{
	const struct value *type = value_get(v, "Type"), *opts = value_get(v,
	    "Config");
	size_t mark = out->len;

	buf_addstr(out, "    logging:\n");
	if (type && key_scalar(out, 6, "driver", type) < 0)
		goto bad;
	if (opts && opts->n && key_map(out, 6, "options", opts) < 0)
		goto bad;
	return 0;
bad:
	buf_truncate(out, mark);
	return -1;
}

/* "container:NAME[:MODE]" for each VolumesFrom entry. */
static int
volumes_from(struct buf *out, const struct value *v)
{
	size_t mark = out->len;

	buf_addstr(out, "    volumes_from:\n");
	for (size_t i = 0; i < v->n; i++) {
		cleanup_free char *spec = NULL;

		if (v->v[i].type != VALUE_STRING)
			goto bad;
		spec = xasprintf("container:%s", v->v[i].s);
		buf_addstr(out, "      - ");
		if (quote_json(out, spec) < 0)
			goto bad;
		buf_addch(out, '\n');
	}
	return 0;
bad:
	buf_truncate(out, mark);
	return -1;
}

static int
stop_grace(struct buf *out, const struct value *v)
{
	if (v->type != VALUE_INT)
		return -1;
	buf_addstr(out, "    stop_grace_period: ");
	duration(out, v->i * 1000000000LL);
	buf_addch(out, '\n');
	return 0;
}

/*
 * How run settings are written in compose syntax: straight as a scalar,
 * list or map under a key, or by a function of their own. The deploy
 * block and networks gather several and are written apart.
 */
enum how { SCALAR, LIST, MAP, FN, DEPLOY, SKIP };

static const struct {
	const char *path;
	enum how how;
	const char *key;
	int (*fn)(struct buf *out, const struct value *v);
} compose_keys[] = {
	{ "Config.Hostname", SCALAR, "hostname", NULL },
	{ "Config.Domainname", SCALAR, "domainname", NULL },
	{ "Config.MacAddress", SCALAR, "mac_address", NULL },
	{ "Config.StopSignal", SCALAR, "stop_signal", NULL },
	{ "Config.StopTimeout", FN, NULL, stop_grace },
	{ "Config.Healthcheck", FN, NULL, healthcheck },
	{ "HostConfig.ShmSize", SCALAR, "shm_size", NULL },
	{ "HostConfig.IpcMode", SCALAR, "ipc", NULL },
	{ "HostConfig.PidMode", SCALAR, "pid", NULL },
	{ "HostConfig.UsernsMode", SCALAR, "userns_mode", NULL },
	{ "HostConfig.Runtime", SCALAR, "runtime", NULL },
	{ "HostConfig.Isolation", SCALAR, "isolation", NULL },
	{ "HostConfig.CgroupParent", SCALAR, "cgroup_parent", NULL },
	{ "HostConfig.Init", SCALAR, "init", NULL },
	{ "HostConfig.Privileged", SCALAR, "privileged", NULL },
	{ "HostConfig.ReadonlyRootfs", SCALAR, "read_only", NULL },
	{ "HostConfig.OomScoreAdj", SCALAR, "oom_score_adj", NULL },
	{ "HostConfig.OomKillDisable", SCALAR, "oom_kill_disable", NULL },
	{ "HostConfig.PidsLimit", SCALAR, "pids_limit", NULL },
	{ "HostConfig.CpuShares", SCALAR, "cpu_shares", NULL },
	{ "HostConfig.CpuQuota", SCALAR, "cpu_quota", NULL },
	{ "HostConfig.CpuPeriod", SCALAR, "cpu_period", NULL },
	{ "HostConfig.CpuRealtimeRuntime", SCALAR, "cpu_rt_runtime", NULL },
	{ "HostConfig.CpuRealtimePeriod", SCALAR, "cpu_rt_period", NULL },
	{ "HostConfig.CpusetCpus", SCALAR, "cpuset", NULL },
	{ "HostConfig.MemorySwap", SCALAR, "memswap_limit", NULL },
	{ "HostConfig.MemorySwappiness", SCALAR, "mem_swappiness", NULL },
	{ "HostConfig.CapAdd", LIST, "cap_add", NULL },
	{ "HostConfig.CapDrop", LIST, "cap_drop", NULL },
	{ "HostConfig.SecurityOpt", LIST, "security_opt", NULL },
	{ "HostConfig.ExtraHosts", LIST, "extra_hosts", NULL },
	{ "HostConfig.Dns", LIST, "dns", NULL },
	{ "HostConfig.DnsSearch", LIST, "dns_search", NULL },
	{ "HostConfig.DnsOptions", LIST, "dns_opt", NULL },
	{ "HostConfig.GroupAdd", LIST, "group_add", NULL },
	{ "HostConfig.DeviceCgroupRules", LIST, "device_cgroup_rules", NULL },
	{ "HostConfig.Links", LIST, "external_links", NULL },
	{ "HostConfig.Sysctls", MAP, "sysctls", NULL },
	{ "HostConfig.StorageOpt", MAP, "storage_opt", NULL },
	{ "HostConfig.Ulimits", FN, NULL, ulimits },
	{ "HostConfig.Devices", FN, NULL, devices },
	{ "HostConfig.LogConfig", FN, NULL, logging },
	{ "HostConfig.VolumesFrom", FN, NULL, volumes_from },
	{ "HostConfig.Memory", DEPLOY, NULL, NULL },
	{ "HostConfig.NanoCpus", DEPLOY, NULL, NULL },
	{ "HostConfig.MemoryReservation", DEPLOY, NULL, NULL },
	{ "HostConfig.DeviceRequests", DEPLOY, NULL, NULL },
	/* The ports, volumes and restart lines say these already. */
	{ "HostConfig.PublishAllPorts", SKIP, NULL, NULL },
};

/* deploy.resources: limits and reservations, GPUs among these. */
static void
deploy(const struct run_settings *set, struct buf *out, struct strv *warnings)
{
	const struct value *mem = run_settings_get(set, "HostConfig.Memory");
	const struct value *cpus = run_settings_get(set, "HostConfig.NanoCpus");
	const struct value *res = run_settings_get(set,
	    "HostConfig.MemoryReservation");
	const struct value *gpus = run_settings_get(set,
	    "HostConfig.DeviceRequests");

	if (!mem && !cpus && !res && !gpus)
		return;
	buf_addstr(out, "    deploy:\n      resources:\n");
	if (mem || cpus) {
		buf_addstr(out, "        limits:\n");
		if (mem && mem->type == VALUE_INT) {
			buf_addstr(out, "          memory: ");
			bytes(out, mem->i);
			buf_addch(out, '\n');
		}
		if (cpus && cpus->type == VALUE_INT)
			buf_printf(out, "          cpus: \"%lld.%09lld\"\n",
			    cpus->i / 1000000000LL, cpus->i % 1000000000LL);
	}
	if (!res && !gpus)
		return;
	buf_addstr(out, "        reservations:\n");
	if (res && res->type == VALUE_INT) {
		buf_addstr(out, "          memory: ");
		bytes(out, res->i);
		buf_addch(out, '\n');
	}
	if (gpus == NULL)
		return;
	buf_addstr(out, "          devices:\n");
	for (size_t i = 0; i < gpus->n; i++) {
		const struct value *r = &gpus->v[i];
		const struct value *count = value_get(r, "Count");
		const struct value *ids = value_get(r, "DeviceIDs");
		const struct value *caps = value_get(r, "Capabilities");
		const struct value *opts = value_get(r, "Options");
		const char *driver = value_str(r, "Driver");
		size_t mark = out->len;
		int bad = 0;

		buf_addstr(out, "            - ");
		/* Every device request needs a first key on the dash's line. */
		buf_addstr(out, "capabilities: [");
		/* Docker ORs the lists; compose takes the first one's words. */
		for (size_t k = 0; caps && caps->n && k < caps->v[0].n; k++) {
			if (k)
				buf_addstr(out, ", ");
			bad |= scalar(out, &caps->v[0].v[k]) < 0;
		}
		buf_addstr(out, "]\n");
		if (driver && *driver) {
			buf_addstr(out, "              driver: ");
			bad |= quote_json(out, driver) < 0;
			buf_addch(out, '\n');
		}
		/* Compose takes device_ids or a count, never both. */
		if (ids && ids->n)
			bad |= key_list(out, 14, "device_ids", ids) < 0;
		else if (count && count->type == VALUE_INT && count->i < 0)
			buf_addstr(out, "              count: all\n");
		else if (count && count->type == VALUE_INT && count->i > 0)
			buf_printf(out, "              count: %lld\n", count->i);
		if (opts && opts->n)
			bad |= key_map(out, 14, "options", opts) < 0;
		if (bad) {
			buf_truncate(out, mark);
			strv_pushf(warnings, "compose snippet: left out a GPU "
			    "request: not writable as YAML");
		}
	}
}

/* A network compose knows by that name without a definition of ours. */
static int
builtin_network_mode(const char *mode)
{
	return *mode == '\0' || strcmp(mode, "default") == 0 ||
	    strcmp(mode, "bridge") == 0 || strcmp(mode, "none") == 0 ||
	    strcmp(mode, "host") == 0 || strncmp(mode, "container:", 10) == 0;
}

/*
 * The user networks of run with their endpoint settings (aliases above
 * all: the service is reachable by them), each also named in nets for the
 * top-level definition.
 */
static void
service_networks(const struct value *run, struct buf *out,
    struct strv *nets, struct strv *warnings)
{
	const struct value *all = value_get(run, RUN_NETWORKS);

	for (size_t i = 0; all && i < all->n; i++) {
		const struct value *ep = &all->v[i];
		const struct value *aliases = value_get(ep, "Aliases");
		const struct value *ipam = value_get(ep, "IPAMConfig");
		size_t mark = out->len;
		int bad = 0;

		if (builtin_network_mode(ep->key))
			continue;
		if (nets->n == 0)
			buf_addstr(out, "    networks:\n");
		buf_addstr(out, "      ");
		bad |= quote_json(out, ep->key) < 0;
		buf_addstr(out, ":");
		if ((aliases == NULL || aliases->n == 0) &&
		    (ipam == NULL || value_is_empty(ipam))) {
			buf_addstr(out, " {}\n");
		} else {
			buf_addch(out, '\n');
			if (aliases && aliases->n)
				bad |= key_list(out, 8, "aliases", aliases) < 0;
			if (value_str(ipam, "IPv4Address") &&
			    *value_str(ipam, "IPv4Address"))
				bad |= key_scalar(out, 8, "ipv4_address",
				    value_get(ipam, "IPv4Address")) < 0;
			if (value_str(ipam, "IPv6Address") &&
			    *value_str(ipam, "IPv6Address"))
				bad |= key_scalar(out, 8, "ipv6_address",
				    value_get(ipam, "IPv6Address")) < 0;
		}
		if (bad) {
			buf_truncate(out, mark);
			strv_pushf(warnings, "compose snippet: left out a network: "
			    "not writable as YAML");
			continue;
		}
		strv_push(nets, ep->key);
	}
}

/*
 * Every run setting that differs from the engine's defaults, in compose
 * syntax; those compose has no key for are named in comments. A setting
 * holding a secret is left out with a warning.
 */
static void
run_options(const struct container *c, struct buf *out, struct strv *nets,
    struct strv *warnings)
{
	struct value redacted;
	struct run_settings set = { 0 }, shown = { 0 };
	struct buf others = BUF_INIT;

	if (c->run.type == VALUE_NULL)
		return;
	run_redact(&c->run, &redacted);
	run_settings(&c->run, &set);
	run_settings(&redacted, &shown);
	for (size_t i = 0; i < set.n; i++) {
		const char *path = set.v[i].path;
		const struct value *v = set.v[i].v;
		const struct value *r = run_settings_get(&shown, path);
		size_t k, n = sizeof(compose_keys) / sizeof(compose_keys[0]);
		int rc = 0;

		if (strncmp(path, RUN_NETWORKS ".", sizeof(RUN_NETWORKS)) == 0)
			continue;
		if (r == NULL || !value_equal(r, v)) {
			strv_pushf(warnings, "compose snippet: left out %s: it "
			    "holds a secret", path);
			continue;
		}
		for (k = 0; k < n && strcmp(compose_keys[k].path, path) != 0; k++)
			;
		if (k == n) {
			cleanup_free char *text = value_json_dup(v);

			buf_addstr(&others, "    #   ");
			text_printable(&others, path, 0);
			buf_addch(&others, ' ');
			text_printable(&others, text, 0);
			buf_addch(&others, '\n');
			continue;
		}
		switch (compose_keys[k].how) {
		case SCALAR:
			rc = key_scalar(out, 4, compose_keys[k].key, v);
			break;
		case LIST:
			rc = key_list(out, 4, compose_keys[k].key, v);
			break;
		case MAP:
			rc = key_map(out, 4, compose_keys[k].key, v);
			break;
		case FN:
			rc = compose_keys[k].fn(out, v);
			break;
		case DEPLOY:
		case SKIP:
			break;
		}
		if (rc < 0)
			strv_pushf(warnings, "compose snippet: left out %s: not "
			    "writable as YAML", path);
	}
	deploy(&set, out, warnings);
	service_networks(&c->run, out, nets, warnings);
	if (others.len) {
		buf_addstr(out, "    # Run with these too, which compose has no "
		    "key for:\n");
		buf_add(out, others.ptr, others.len);
	}
	buf_release(&others);
	run_settings_release(&set);
	run_settings_release(&shown);
	value_release(&redacted);
}

/*
 * One service of s under "services:", getting its image as src says, its
 * user networks and named volumes appended to nets and vols for the
 * top-level definitions. override: secrets named in a comment, not as
 * bare variables (which would replace the base file's values).
 */
static void
service(const struct snapshot *s, const struct compose_source *src,
    int override, struct buf *out, struct strv *nets, struct strv *vols,
    struct strv *warnings)
{
	const struct container *c = &s->config;
	cleanup_free char *image = xasprintf("keep/%s:recipe", c->name);
	int proxies = 0, secrets = 0;

	buf_addstr(out, "  ");
	if (quote_json(out, service_name(c)) < 0)
		buf_addstr(out, "\"service\"");
	buf_addstr(out, ":\n");
	if (src->context) {
		buf_addstr(out, "    build:\n      context: ");
		if (quote_json(out, src->context) < 0)
			buf_addstr(out, "\".\"");
		buf_addstr(out, "\n      dockerfile: Dockerfile\n"
		    "      network: host\n");
		for (size_t i = 0; i < c->env.n; i++)
			if (secrets_name_is_proxy(c->env.v[i].key)) {
				if (!proxies++)
					buf_addstr(out, "      args:\n");
				/* A bare name: compose passes the shell's value. */
				item(out, 8, c->env.v[i].key, "build argument",
				    warnings);
			}
	} else {
		free(image);
		image = xstrdup(src->image);
	}
	buf_addstr(out, "    image: ");
	quote_json(out, image);
	buf_addch(out, '\n');
	/* A user network is joined through networks: below, with its aliases. */
	if (c->network_mode[0] && strcmp(c->network_mode, "default") != 0 &&
	    strcmp(c->network_mode, "bridge") != 0 &&
	    (c->run.type == VALUE_NULL ||
	    builtin_network_mode(c->network_mode))) {
		buf_addstr(out, "    network_mode: ");
		if (quote_json(out, c->network_mode) < 0)
			buf_addstr(out, "\"none\"");
		buf_addch(out, '\n');
	}
	volumes(c, out, warnings);
	ports(c, out, warnings);
	for (size_t i = 0; i < c->env.n; i++) {
		enum secret_class k = secrets_classify_env(c->env.v[i].key,
		    c->env.v[i].value);

		if (k != SECRET_NAME && k != SECRET_VALUE)
			continue;
		if (override) {
			if (!secrets++)
				buf_addstr(out, "    # Secrets, kept as your compose "
				    "file gives them (keep never writes their\n"
				    "    # values; an env_file: holds them best):\n");
			buf_addstr(out, "    #   ");
			text_printable(out, c->env.v[i].key, 0);
			buf_addch(out, '\n');
			continue;
		}
		if (!secrets++)
			buf_addstr(out, "    # Secrets: set them in the shell or an "
			    "env_file; keep never writes their values.\n"
			    "    environment:\n");
		item(out, 6, c->env.v[i].key, "variable", warnings);
	}
	if (c->restart_policy[0] && strcmp(c->restart_policy, "no") != 0) {
		buf_addstr(out, "    restart: ");
		quote_json(out, c->restart_policy);
		buf_addch(out, '\n');
	}
	if (c->tty)
		buf_addstr(out, "    tty: true\n");
	if (c->open_stdin)
		buf_addstr(out, "    stdin_open: true\n");
	run_options(c, out, nets, warnings);
	for (size_t i = 0; i < c->n_mounts; i++)
		if (strcmp(c->mounts[i].type, "volume") == 0)
			strv_push(vols, c->mounts[i].source);
}

/*
 * The top-level volumes and networks: they exist on the engine already,
 * and compose must not make its own, project-named ones.
 */
static void
externals(const char *what, struct strv *names, struct buf *out)
{
	strv_unique_stable(names);
	for (size_t i = 0; i < names->n; i++) {
		if (i == 0)
			buf_printf(out, "%s:\n", what);
		buf_addstr(out, "  ");
		if (quote_json(out, names->v[i]) < 0)
			buf_printf(out, "\"%s\"", what);
		buf_addstr(out, ":\n    external: true\n");
	}
}

void
render_compose(const struct snapshot *s, struct buf *out,
    struct strv *warnings)
{
	const struct compose_source src = { ".", NULL };
	struct strv nets = { 0 }, vols = { 0 };

	buf_printf(out, "# compose service for '%s' #%ld, built from the "
	    "Dockerfile beside this file.\n", s->config.name, s->seq);
	buf_addstr(out, "services:\n");
	service(s, &src, 0, out, &nets, &vols, warnings);
	externals("volumes", &vols, out);
	externals("networks", &nets, out);
	strv_release(&nets);
	strv_release(&vols);
}

void
render_compose_override(const char *project, const struct snapshot *v,
    const struct compose_source *src, size_t n, struct buf *out,
    struct strv *warnings)
{
	struct strv nets = { 0 }, vols = { 0 };

	buf_addstr(out, "# compose override for project ");
	text_printable(out, project, 0);
	buf_addstr(out, ", written by keep from its snapshots:\n#   "
	    "docker compose -f compose.yml -f compose.keep.yml up -d "
	    "--build\nservices:\n");
	for (size_t i = 0; i < n; i++) {
		/* Replicas of one service share its entry: the first's. */
		if (i > 0 && strcmp(service_name(&v[i - 1].config),
		    service_name(&v[i].config)) == 0)
			continue;
		buf_addstr(out, "  # ");
		text_printable(out, v[i].config.name, 0);
		buf_printf(out, " #%ld\n", v[i].seq);
		service(&v[i], &src[i], 1, out, &nets, &vols, warnings);
	}
	externals("volumes", &vols, out);
	externals("networks", &nets, out);
	strv_release(&nets);
	strv_release(&vols);
}
