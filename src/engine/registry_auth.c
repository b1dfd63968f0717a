/*
 * Registry credentials as the docker CLI keeps them (docker/cli's
 * configfile and credentials packages): config.json's credHelpers and
 * credsStore name programs that hold them, auths holds them inline.
 * Secrets are read into memory, put into X-Registry-Auth and wiped; no
 * message here quotes config.json or a helper's answer, because either
 * may hold one.
 */
#include "engine/registry.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/config_int.h"
#include "engine/json.h"
#include "util/base64.h"
#include "util/xalloc.h"

extern char **environ;

/* A helper's answer is a few hundred bytes; more is not one. */
#define HELPER_MAX_ANSWER ((size_t)64 << 10)
/* Docker Hub's credentials are filed under this key, whatever the host. */
#define HUB_SERVER "https://index.docker.io/v1/"

/* Zero and free a string that may hold a secret. */
static void
secret_free(char *s)
{
	if (s) {
		explicit_bzero(s, strlen(s));
		free(s);
	}
}

static void
secret_buf_release(struct buf *b)
{
	if (b->ptr)
		explicit_bzero(b->ptr, b->len);
	buf_release(b);
}

void
registry_auth_release(struct registry_auth *a)
{
	secret_free(a->header);
	free(a->source);
	memset(a, 0, sizeof(*a));
}

int
registry_repository_check(const char *repo, char **host_out,
    struct keep_error **err)
{
	const char *slash = strchr(repo, '/'), *p;
	size_t hlen;

	*host_out = NULL;
	if (slash == NULL || slash == repo || slash[1] == '\0')
		goto bad;
	hlen = (size_t)(slash - repo);
	for (p = repo; p < slash; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-:[]", *p))
			goto bad;
	/* Path components: [a-z0-9]+ joined by '.', '_', '__' or '-'. */
	for (p = slash + 1; *p; p++) {
		int sep = *p == '.' || *p == '_' || *p == '-';

		if (*p == '/' || sep) {
			if (p[-1] == '/' || p[1] == '\0' || p[1] == '/')
				goto bad;
		} else if (!islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p)) {
			goto bad;
		}
	}
	if (strlen(repo) > 255)
		goto bad;
	*host_out = xstrndup(repo, hlen);
	return 0;
bad:
	return keep_error_set(err, KEEP_ERR_USAGE, "'%s' is not a registry "
	    "repository: give HOST[:PORT]/PATH (127.0.0.1:5000/team/keep), "
	    "with no tag or digest and a lowercase path", repo);
}

/* "https://host:5000/v1/" and "host:5000" both name host:5000. */
static int
same_server(const char *key, const char *host)
{
	size_t n;

	if (strncmp(key, "https://", 8) == 0)
		key += 8;
	else if (strncmp(key, "http://", 7) == 0)
		key += 7;
	n = strcspn(key, "/");
	return strlen(host) == n && strncmp(key, host, n) == 0;
}

static int
is_hub(const char *host)
{
	return strcmp(host, "docker.io") == 0 ||
	    strcmp(host, "index.docker.io") == 0 ||
	    strcmp(host, "registry-1.docker.io") == 0;
}

/* The header for these credentials (any may be NULL); caller frees. */
static char *
encode(const char *user, const char *password, const char *token,
    const char *server)
{
	cleanup_json json_t *o = json_object();
	struct buf out = BUF_INIT;
	char *text;

	if (token && *token) {
		json_object_set_new(o, "identitytoken", json_string(token));
	} else if (user || password) {
		json_object_set_new(o, "username", json_string(user ? user : ""));
		json_object_set_new(o, "password",
		    json_string(password ? password : ""));
	}
	if (json_object_size(o) > 0)
		json_object_set_new(o, "serveraddress", json_string(server));
	if ((text = json_dumps(o, JSON_COMPACT)) == NULL)
		abort();
	base64_encode(text, strlen(text), BASE64_URL, &out);
	secret_free(text);
	/* Whatever the JSON strings held was copied by jansson: wipe it. */
	{
		const char *k;
		json_t *v;

		json_object_foreach(o, k, v)
			if (json_is_string(v))
				explicit_bzero((char *)json_string_value(v),
				    json_string_length(v));
	}
	return buf_detach(&out, NULL);
}

/* Parse JSON that may hold a secret: errors say where, never what. */
static int
secret_json(const char *text, size_t len, const char *what, json_t **out,
    struct keep_error **err)
{
	json_error_t jerr;

	*out = json_loadb(text, len, 0, &jerr);
	if (*out == NULL || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		return keep_error_set(err, KEEP_ERR_FAILED, "%s is not a JSON "
		    "object (line %d, column %d)", what, jerr.line,
		    jerr.column);
	}
	return 0;
}

/*
 * Run `docker-credential-NAME get` with server on stdin into out
 * (bounded); *status is its exit status (-1: killed).
 */
static int
run_helper(const char *prog, const char *server, struct buf *out, int *status,
    struct keep_error **err)
{
	posix_spawn_file_actions_t fa;
	int in[2] = { -1, -1 }, outp[2] = { -1, -1 }, rc = -1, ws;
	char *argv[] = { (char *)prog, (char *)"get", NULL };
	size_t left = strlen(server);
	const char *w = server;
	pid_t pid = -1;
	int e;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(outp, O_CLOEXEC) < 0) {
		keep_error_set(err, KEEP_ERR_FAILED, "pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(outp[1]);
	in[0] = outp[1] = -1;
	if (e != 0) {
		pid = -1;
		keep_error_set(err, e == ENOENT ? KEEP_ERR_NOT_FOUND :
		    KEEP_ERR_FAILED, "cannot run '%s': %s", prog,
		    e == ENOENT ? "not found in PATH" : strerror(e));
		goto out;
	}
	/* The server name fits a pipe; a helper gone already is EPIPE. */
	while (left > 0) {
		ssize_t n = write(in[1], w, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		w += n;
		left -= (size_t)n;
	}
	close(in[1]);
	in[1] = -1;
	for (;;) {
		char chunk[4096];
		ssize_t n = read(outp[0], chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out->len + (size_t)n > HELPER_MAX_ANSWER) {
			keep_error_set(err, KEEP_ERR_FAILED, "'%s' answered "
			    "with more than %zu bytes", prog, HELPER_MAX_ANSWER);
			goto out;
		}
		buf_add(out, chunk, (size_t)n);
		explicit_bzero(chunk, sizeof(chunk));
	}
	rc = 0;
out:
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (outp[0] >= 0)
		close(outp[0]);
	if (outp[1] >= 0)
		close(outp[1]);
	if (pid > 0) {
		if (rc < 0)
			kill(pid, SIGKILL);
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
		*status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	}
	return rc;
}

/* Credentials from helper NAME for server into out. */
static int
from_helper(const char *name, const char *server, const char *from,
    struct registry_auth *out, struct keep_error **err)
{
	cleanup_free char *prog = NULL;
	cleanup_json json_t *j = NULL;
	struct buf answer = BUF_INIT;
	const char *user, *secret;
	int status = 0, rc = -1;

	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("._-", *p))
			return keep_error_set(err, KEEP_ERR_FAILED, "%s names "
			    "the credential helper '%s': not a helper name",
			    from, name);
	prog = xasprintf("docker-credential-%s", name);
	if (run_helper(prog, server, &answer, &status, err) < 0) {
		keep_error_wrap(err, "%s", from);
		goto out;
	}
	if (status != 0) {
		/* docker's helpers say this on stdout, exiting 1. */
		if (memmem(answer.ptr ? answer.ptr : "", answer.len,
		    "credentials not found", 21) != NULL) {
			out->header = encode(NULL, NULL, NULL, server);
			out->source = xasprintf("%s: none for %s", prog, server);
			out->anonymous = 1;
			rc = 0;
		} else {
			keep_error_set(err, KEEP_ERR_FAILED, "credential helper "
			    "'%s' (%s) failed with exit status %d", prog, from,
			    status);
		}
		goto out;
	}
	if (secret_json(answer.ptr ? answer.ptr : "", answer.len, prog, &j,
	    err) < 0)
		goto out;
	user = ejson_str(j, "Username");
	secret = ejson_str(j, "Secret");
	if (user && strcmp(user, "<token>") == 0)
		out->header = encode(NULL, NULL, secret, server);
	else
		out->header = encode(user, secret, NULL, server);
	out->source = xasprintf("credential helper %s", prog);
	rc = 0;
out:
	if (j && (secret = ejson_str(j, "Secret")) != NULL)
		explicit_bzero((char *)secret, strlen(secret));
	secret_buf_release(&answer);
	return rc;
}

/* The auths entry for server, or NULL. */
static json_t *
auths_entry(const json_t *auths, const char *server)
{
	const char *key;
	json_t *v;

	if ((v = ejson_get(auths, server)) != NULL)
		return v;
	json_object_foreach((json_t *)auths, key, v)
		if (same_server(key, server))
			return v;
	return NULL;
}

/* Credentials from an auths entry into out. */
static int
from_auths(const json_t *entry, const char *server, const char *path,
    struct registry_auth *out, struct keep_error **err)
{
	const char *auth = ejson_str(entry, "auth");
	const char *token = ejson_str(entry, "identitytoken");
	cleanup_free char *user = ejson_strdup(entry, "username", NULL);
	const char *password = ejson_str(entry, "password");
	struct buf plain = BUF_INIT;
	char *colon;

	if (auth && *auth) {
		if (base64_decode(auth, BASE64_STD, &plain) < 0 ||
		    (buf_addch(&plain, '\0'),
		    (colon = strchr(plain.ptr, ':')) == NULL)) {
			secret_buf_release(&plain);
			return keep_error_set(err, KEEP_ERR_FAILED, "'%s': the "
			    "\"auth\" of %s is not base64 of user:password",
			    path, server);
		}
		*colon = '\0';
		free(user);
		user = xstrdup(plain.ptr);
		password = colon + 1;
	}
	out->header = encode(user, password, token, server);
	out->anonymous = !(token && *token) && user == NULL && password == NULL;
	out->source = xasprintf("auths in %s", path);
	secret_buf_release(&plain);
	return 0;
}

int
registry_auth_parse(const char *text, size_t len, const char *path,
    const char *host, struct registry_auth *out, struct keep_error **err)
{
	cleanup_json json_t *j = NULL;
	cleanup_free char *from = NULL;
	const char *server = is_hub(host) ? HUB_SERVER : host;
	const char *helper;
	json_t *entry;
	int rc;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		goto none;
	if (secret_json(text, len, path, &j, err) < 0)
		return -1;
	if ((helper = ejson_str(ejson_get(j, "credHelpers"), host)) != NULL &&
	    *helper) {
		from = xasprintf("credHelpers of %s in %s", host, path);
		rc = from_helper(helper, server, from, out, err);
	} else if ((helper = ejson_str(j, "credsStore")) != NULL && *helper) {
		from = xasprintf("credsStore in %s", path);
		rc = from_helper(helper, server, from, out, err);
	} else if ((entry = auths_entry(ejson_get(j, "auths"), server)) !=
	    NULL) {
		rc = from_auths(entry, server, path, out, err);
	} else {
		goto none;
	}
	/* jansson's copies of the secrets go with j; wipe them first. */
	{
		json_t *auths = ejson_get(j, "auths"), *v;
		const char *k;

		json_object_foreach(auths, k, v) {
			static const char *const keys[] = { "auth", "password",
			    "identitytoken" };

			for (size_t i = 0; i < 3; i++) {
				json_t *s = ejson_get(v, keys[i]);

				if (json_is_string(s))
					explicit_bzero((char *)json_string_value(s),
					    json_string_length(s));
			}
		}
	}
	if (rc < 0)
		registry_auth_release(out);
	return rc;
none:
	out->header = encode(NULL, NULL, NULL, server);
	out->source = xasprintf("none for %s in %s", host, path);
	out->anonymous = 1;
	return 0;
}

int
registry_auth_get(const char *host, struct registry_auth *out,
    struct keep_error **err)
{
	cleanup_free char *dir = engine_docker_config_dir();
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	struct buf text = BUF_INIT;
	int rc;

	memset(out, 0, sizeof(*out));
	if (engine_read_config_file(path, &text, err) < 0) {
		if (!keep_error_not_found(err))
			return keep_error_wrap(err, "registry credentials");
		/* No config.json: no credentials, as for docker. */
		text.len = 0;
	}
	rc = registry_auth_parse(text.ptr ? text.ptr : "", text.len, path,
	    host, out, err);
	secret_buf_release(&text);
	return rc;
}
