#include "render/compose.h"

#include <stdlib.h>
#include <string.h>

#include "model/secrets.h"
#include "render/quote.h"
#include "util/xalloc.h"

/* "  - <scalar>\n" at the given indent, or a warning naming what. */
static void
item(struct buf *out, int indent, const char *value, const char *what,
    struct strv *warnings)
{
	size_t mark = out->len;

	buf_printf(out, "%*s- ", indent, "");
	if (quote_json(out, value) < 0) {
		cleanup_free char *shown = quote_printable_dup(value);

		buf_truncate(out, mark);
		strv_pushf(warnings, "compose snippet: left out %s '%s': not "
		    "writable as YAML", what, shown);
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

void
render_compose(const struct snapshot *s, struct buf *out,
    struct strv *warnings)
{
	const struct container *c = &s->config;
	cleanup_free char *image = xasprintf("keep/%s:recipe", c->name);
	int proxies = 0, secrets = 0;

	buf_printf(out, "# compose service for '%s' #%ld, built from the "
	    "Dockerfile beside this file.\n", c->name, s->seq);
	buf_addstr(out, "services:\n  ");
	if (quote_json(out, service_name(c)) < 0)
		buf_addstr(out, "\"service\"");
	buf_addstr(out, ":\n    build:\n      context: .\n"
	    "      dockerfile: Dockerfile\n      network: host\n");
	for (size_t i = 0; i < c->env.n; i++)
		if (secrets_name_is_proxy(c->env.v[i].key)) {
			if (!proxies++)
				buf_addstr(out, "      args:\n");
			/* A bare name: compose passes the shell's value. */
			item(out, 8, c->env.v[i].key, "build argument", warnings);
		}
	buf_addstr(out, "    image: ");
	quote_json(out, image);
	buf_addch(out, '\n');
	if (c->network_mode[0] && strcmp(c->network_mode, "default") != 0 &&
	    strcmp(c->network_mode, "bridge") != 0) {
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
	{
		int any = 0;

		for (size_t i = 0; i < c->n_mounts; i++) {
			if (strcmp(c->mounts[i].type, "volume") != 0)
				continue;
			if (!any++)
				buf_addstr(out, "volumes:\n");
			buf_addstr(out, "  ");
			if (quote_json(out, c->mounts[i].source) < 0)
				buf_addstr(out, "\"volume\"");
			buf_addstr(out, ":\n    external: true\n");
		}
	}
}
