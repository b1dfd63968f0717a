/*
 * Endpoint resolution: where the engine is, chosen as the docker CLI does,
 * so that keep talks to the same engine as `docker` in the same shell.
 */
#include "engine/engine.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/config_int.h"
#include "engine/json.h"
#include "util/sha256.h"
#include "util/xalloc.h"

#define DEFAULT_SOCKET "/var/run/docker.sock"
/* Bigger than any sane config.json or meta.json. */
#define MAX_CONFIG_SIZE (4 << 20)

/* The environment variable name, or NULL when unset or empty. */
static const char *
env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static const char *
home_dir(void)
{
	const char *home = env_nonempty("HOME");
	struct passwd *pw;

	if (home)
		return home;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir ? pw->pw_dir : "/";
}

char *
engine_docker_config_dir(void)
{
	const char *d = env_nonempty("DOCKER_CONFIG");

	return d ? xstrdup(d) : xasprintf("%s/.docker", home_dir());
}

/* path (taken over) when it names an existing file; else it is freed and NULL. */
static char *
existing_file(char *path)
{
	struct stat st;

	if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
		return path;
	free(path);
	return NULL;
}

int
engine_read_config_file(const char *path, struct buf *out,
    struct keep_error **err)
{
	FILE *f = fopen(path, "r");
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return keep_error_set(err, errno == ENOENT ? KEEP_ERR_NOT_FOUND :
		    KEEP_ERR_FAILED, "cannot read '%s': %s", path,
		    strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->len + n > MAX_CONFIG_SIZE) {
			fclose(f);
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "'%s' is too large", path);
		}
		buf_add(out, chunk, n);
	}
	if (ferror(f)) {
		fclose(f);
		return keep_error_set(err, KEEP_ERR_FAILED, "cannot read '%s': %s",
		    path, strerror(errno));
	}
	fclose(f);
	return 0;
}

/*
 * Fill the address part of ep from a docker host string. source names
 * where it came from, for the error message; tls says whether a tcp://
 * address speaks https (it also picks docker's default port).
 */
static int
parse_host(const char *host, const char *source, int tls,
    struct engine_endpoint *ep, struct keep_error **err)
{
	if (strncmp(host, "unix://", 7) == 0) {
		const char *path = host + 7;

		if (path[0] != '/')
			return keep_error_set(err, KEEP_ERR_USAGE,
			    "invalid engine address '%s' from %s: a unix socket "
			    "needs an absolute path (unix:///path/to/docker.sock)",
			    host, source);
		ep->host = xstrdup(host);
		ep->socket_path = xstrdup(path);
		ep->base_url = xstrdup("http://localhost");
		return 0;
	}
	if (strncmp(host, "tcp://", 6) == 0) {
		const char *addr = host + 6, *slash, *port;
		size_t len;

		slash = strchr(addr, '/');
		len = slash ? (size_t)(slash - addr) : strlen(addr);
		if (len == 0 || (slash && slash[1] != '\0'))
			return keep_error_set(err, KEEP_ERR_USAGE,
			    "invalid engine address '%s' from %s: expected "
			    "tcp://HOST:PORT", host, source);
		for (size_t i = 0; i < len; i++)
			if (addr[i] <= ' ' || addr[i] == '@' || addr[i] == '?' ||
			    addr[i] == '#' || addr[i] == 0x7f)
				return keep_error_set(err, KEEP_ERR_USAGE,
				    "invalid engine address '%s' from %s: "
				    "expected tcp://HOST:PORT", host, source);
		/* A port follows the last ':' unless that is inside [v6]. */
		port = memrchr(addr, ':', len);
		if (port && memchr(port, ']', len - (size_t)(port - addr)))
			port = NULL;
		ep->tls = tls;
		if (port && port + 1 < addr + len) {
			ep->host = xasprintf("tcp://%.*s", (int)len, addr);
			ep->base_url = xasprintf("%s://%.*s",
			    ep->tls ? "https" : "http", (int)len, addr);
		} else {
			/* docker's defaults: 2376 with TLS, 2375 without. */
			int plen = port ? (int)(port - addr) : (int)len;
			const char *dport = ep->tls ? "2376" : "2375";

			ep->host = xasprintf("tcp://%.*s:%s", plen, addr, dport);
			ep->base_url = xasprintf("%s://%.*s:%s",
			    ep->tls ? "https" : "http", plen, addr, dport);
		}
		return 0;
	}
	return keep_error_set(err, KEEP_ERR_USAGE,
	    "unsupported engine address '%s' from %s: keep speaks to "
	    "unix:// and tcp:// addresses only", host, source);
}

/* Whether -H and DOCKER_HOST tcp:// addresses speak TLS, as docker decides. */
static int
tls_env(void)
{
	return env_nonempty("DOCKER_TLS_VERIFY") != NULL;
}

/*
 * TLS material for a tcp:// host named by -H or DOCKER_HOST. As docker
 * does, a missing cert.pem and key.pem pair means "no client certificate",
 * but a missing ca.pem is an error: without it the server cannot be
 * verified. Half a pair is an error too, rather than a puzzling one later.
 */
static int
tls_from_env(struct engine_endpoint *ep, struct keep_error **err)
{
	cleanup_free char *dir = NULL, *ca = NULL;
	const char *d;

	if (!ep->tls)
		return 0;
	d = env_nonempty("DOCKER_CERT_PATH");
	dir = d ? xstrdup(d) : xasprintf("%s/.docker", home_dir());
	ep->tls_verify = 1;
	ca = xasprintf("%s/ca.pem", dir);
	if ((ep->ca = existing_file(xstrdup(ca))) == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "DOCKER_TLS_VERIFY is set but there is no CA certificate "
		    "'%s' (%s names the folder of ca.pem, cert.pem and key.pem)",
		    ca, d ? "DOCKER_CERT_PATH" : "without DOCKER_CERT_PATH, ~/.docker");
	ep->cert = existing_file(xasprintf("%s/cert.pem", dir));
	ep->key = existing_file(xasprintf("%s/key.pem", dir));
	if (!ep->cert != !ep->key)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "'%s' has %s but no %s: a client certificate needs both",
		    dir, ep->cert ? "cert.pem" : "key.pem",
		    ep->cert ? "key.pem" : "cert.pem");
	return 0;
}

static int
endpoint_default(struct engine_endpoint *ep, const char *source,
    struct keep_error **err)
{
	if (parse_host("unix://" DEFAULT_SOCKET, source, 0, ep, err) < 0)
		return -1;
	ep->source = xstrdup(source);
	return 0;
}

/* Resolve a named context from its metadata under the docker config dir. */
static int
endpoint_context(const char *name, struct engine_endpoint *ep,
    struct keep_error **err)
{
	cleanup_free char *dir = NULL, *meta = NULL, *source = NULL;
	cleanup_free char *tlsdir = NULL;
	cleanup_json json_t *j = NULL;
	cleanup_buf struct buf data = BUF_INIT;
	char hash[2 * SHA256_DIGEST_SIZE + 1];
	json_t *docker;
	const char *host;
	struct stat st;

	source = xasprintf("context '%s'", name);
	if (strcmp(name, "default") == 0) {
		if (endpoint_default(ep, source, err) < 0)
			return -1;
		ep->context = xstrdup(name);
		return 0;
	}
	dir = engine_docker_config_dir();
	sha256_hex(name, strlen(name), hash);
	meta = xasprintf("%s/contexts/meta/%s/meta.json", dir, hash);
	if (stat(meta, &st) < 0)
		return keep_error_set(err, KEEP_ERR_USAGE,
		    "context '%s' not found: no %s", name, meta);
	if (engine_read_config_file(meta, &data, err) < 0 ||
	    ejson_parse(data.ptr, data.len, meta, &j, err) < 0)
		return keep_error_wrap(err, "context '%s'", name);
	docker = ejson_path(j, "Endpoints", "docker", NULL);
	host = ejson_str(docker, "Host");
	if (host == NULL || *host == '\0')
		return keep_error_set(err, KEEP_ERR_USAGE,
		    "context '%s' has no docker endpoint in %s", name, meta);
	/* A context's TLS comes from its own files, never the environment. */
	if (strncmp(host, "tcp://", 6) == 0) {
		int skip = ejson_bool(docker, "SkipTLSVerify", 0);

		tlsdir = xasprintf("%s/contexts/tls/%s/docker", dir, hash);
		ep->ca = existing_file(xasprintf("%s/ca.pem", tlsdir));
		ep->cert = existing_file(xasprintf("%s/cert.pem", tlsdir));
		ep->key = existing_file(xasprintf("%s/key.pem", tlsdir));
		if (ep->ca || ep->cert || ep->key || skip) {
			ep->tls = 1;
			ep->tls_verify = !skip;
		}
	}
	if (parse_host(host, source, ep->tls, ep, err) < 0)
		return -1;
	ep->source = xstrdup(source);
	ep->context = xstrdup(name);
	return 0;
}

/* currentContext from config.json into *out (caller frees), or NULL. */
static int
current_context(char **out, struct keep_error **err)
{
	cleanup_free char *dir = NULL, *path = NULL;
	cleanup_json json_t *j = NULL;
	cleanup_buf struct buf data = BUF_INIT;
	const char *name;

	*out = NULL;
	dir = engine_docker_config_dir();
	path = xasprintf("%s/config.json", dir);
	/* No config.json is no current context. */
	if (engine_read_config_file(path, &data, err) < 0)
		return keep_error_not_found(err) ? 0 : -1;
	if (data.len == 0)
		return 0;
	if (ejson_parse(data.ptr, data.len, path, &j, err) < 0)
		return keep_error_wrap(err, "docker config");
	name = ejson_str(j, "currentContext");
	if (name && *name)
		*out = xstrdup(name);
	return 0;
}

int
engine_endpoint_resolve(const char *host_flag, const char *context_flag,
    struct engine_endpoint *out, struct keep_error **err)
{
	cleanup_free char *current = NULL;
	const char *v;
	int rc;

	memset(out, 0, sizeof(*out));
	if (host_flag && *host_flag) {
		rc = parse_host(host_flag, "-H", tls_env(), out, err);
		if (rc == 0) {
			out->source = xstrdup("-H");
			rc = tls_from_env(out, err);
		}
	} else if (context_flag && *context_flag) {
		rc = endpoint_context(context_flag, out, err);
	} else if ((v = env_nonempty("DOCKER_HOST")) != NULL) {
		rc = parse_host(v, "DOCKER_HOST", tls_env(), out, err);
		if (rc == 0) {
			out->source = xstrdup("DOCKER_HOST");
			rc = tls_from_env(out, err);
		}
	} else if ((v = env_nonempty("DOCKER_CONTEXT")) != NULL) {
		rc = endpoint_context(v, out, err);
	} else if ((rc = current_context(&current, err)) == 0 && current) {
		rc = endpoint_context(current, out, err);
	} else if (rc == 0) {
		rc = endpoint_default(out, "default", err);
	}
	if (rc < 0)
		engine_endpoint_release(out);
	return rc;
}

void
engine_endpoint_copy(struct engine_endpoint *dst,
    const struct engine_endpoint *src)
{
#define DUP(f) (src->f ? xstrdup(src->f) : NULL)
	dst->host = DUP(host);
	dst->source = DUP(source);
	dst->context = DUP(context);
	dst->socket_path = DUP(socket_path);
	dst->base_url = DUP(base_url);
	dst->tls = src->tls;
	dst->tls_verify = src->tls_verify;
	dst->ca = DUP(ca);
	dst->cert = DUP(cert);
	dst->key = DUP(key);
#undef DUP
}

void
engine_endpoint_release(struct engine_endpoint *ep)
{
	free(ep->host);
	free(ep->source);
	free(ep->context);
	free(ep->socket_path);
	free(ep->base_url);
	free(ep->ca);
	free(ep->cert);
	free(ep->key);
	memset(ep, 0, sizeof(*ep));
}
