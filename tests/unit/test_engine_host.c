/*
 * Endpoint resolution, as the docker CLI does it, against a temporary
 * DOCKER_CONFIG; and the SHA-256 that names context directories.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/engine.h"
#include "tap.h"
#include "util/sha256.h"
#include "util/xalloc.h"

static char tmp[] = "/tmp/keep-test-host-XXXXXX";

static void
write_file(const char *path, const char *text)
{
	char *dir = xstrdup(path), *p;
	FILE *f;

	/* mkdir -p the parent */
	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		mkdir(dir, 0700);
		*p = '/';
	}
	free(dir);
	f = fopen(path, "w");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* Write a context the way `docker context create` lays it out. */
static void
make_context(const char *name, const char *host, int skip_verify, int tls_files)
{
	char hash[65], *path, *json;

	sha256_hex(name, strlen(name), hash);
	path = xasprintf("%s/contexts/meta/%s/meta.json", tmp, hash);
	json = xasprintf("{\"Name\":\"%s\",\"Metadata\":{},\"Endpoints\":{\"docker\":"
	    "{\"Host\":\"%s\",\"SkipTLSVerify\":%s}}}", name, host,
	    skip_verify ? "true" : "false");
	write_file(path, json);
	free(path);
	free(json);
	if (tls_files) {
		static const char *files[] = { "ca.pem", "cert.pem", "key.pem" };

		for (int i = 0; i < 3; i++) {
			path = xasprintf("%s/contexts/tls/%s/docker/%s", tmp, hash,
			    files[i]);
			write_file(path, "-----BEGIN CERTIFICATE-----\n");
			free(path);
		}
	}
}

static void
clear_env(void)
{
	unsetenv("DOCKER_HOST");
	unsetenv("DOCKER_CONTEXT");
	unsetenv("DOCKER_TLS_VERIFY");
	unsetenv("DOCKER_CERT_PATH");
	setenv("DOCKER_CONFIG", tmp, 1);
}

static void
test_sha256(void)
{
	char hex[65];
	struct sha256 s;
	unsigned char d[32];
	static const char *million_a =
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";

	/* FIPS 180-4 / NIST CSRC example vectors. */
	sha256_hex("", 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 of the empty string");
	/* An empty struct buf's pointer is NULL: no bytes, no read. */
	sha256_hex(NULL, 0, hex);
	is_str(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	    "sha256 of nothing at a NULL pointer");
	sha256_hex("abc", 3, hex);
	is_str(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
	    "sha256 of 'abc'");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, hex);
	is_str(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
	    "sha256 of the two-block message");
	sha256_init(&s);
	for (int i = 0; i < 1000000; i += 1000) {
		char a[1000];

		memset(a, 'a', sizeof(a));
		sha256_update(&s, a, i % 3000 == 0 ? 1 : sizeof(a));
		if (i % 3000 == 0)
			sha256_update(&s, a, sizeof(a) - 1);
	}
	sha256_final(&s, d);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	is_str(hex, million_a, "sha256 of a million 'a' in odd pieces");
}

static void
test_env(void)
{
	struct engine_endpoint ep;
	struct keep_error *err = NULL;
	char *certs, *ca;

	clear_env();
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "resolve with nothing set");
	is_str(ep.host, "unix:///var/run/docker.sock", "default host");
	is_str(ep.source, "default", "default source");
	is_str(ep.socket_path, "/var/run/docker.sock", "default socket path");
	is_str(ep.base_url, "http://localhost", "unix base url");
	ok(ep.context == NULL, "no context");
	engine_endpoint_release(&ep);

	setenv("DOCKER_HOST", "unix:///run/user/1000/docker.sock", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "DOCKER_HOST unix");
	is_str(ep.socket_path, "/run/user/1000/docker.sock", "DOCKER_HOST socket path");
	is_str(ep.source, "DOCKER_HOST", "source DOCKER_HOST");
	engine_endpoint_release(&ep);

	setenv("DOCKER_HOST", "tcp://10.0.0.5:2375", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "DOCKER_HOST tcp");
	is_str(ep.base_url, "http://10.0.0.5:2375", "tcp base url is http");
	ok(ep.socket_path == NULL && !ep.tls, "tcp without TLS");
	engine_endpoint_release(&ep);

	certs = xasprintf("%s/certs", tmp);
	ca = xasprintf("%s/ca.pem", certs);
	write_file(ca, "x");
	free(ca);
	ca = xasprintf("%s/cert.pem", certs);
	write_file(ca, "x");
	setenv("DOCKER_TLS_VERIFY", "1", 1);
	setenv("DOCKER_CERT_PATH", certs, 1);
	setenv("DOCKER_HOST", "tcp://docker.example", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) < 0 && err &&
	    strstr(err->message, "no key.pem"), "cert.pem without key.pem is an error");
	keep_error_free(err);
	err = NULL;
	free(ca);
	ca = xasprintf("%s/key.pem", certs);
	write_file(ca, "x");
	free(ca);
	ca = xasprintf("%s/cert.pem", certs);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "DOCKER_HOST tcp with TLS");
	is_str(ep.base_url, "https://docker.example:2376", "TLS: https and port 2376");
	is_str(ep.host, "tcp://docker.example:2376", "TLS: host names the port");
	ok(ep.tls && ep.tls_verify, "TLS verified");
	is_str(ep.cert, ca, "cert from DOCKER_CERT_PATH");
	ok(ep.key && strstr(ep.key, "/certs/key.pem"), "key from DOCKER_CERT_PATH");
	engine_endpoint_release(&ep);
	free(ca);
	ca = xasprintf("%s/cert.pem", certs);
	unlink(ca);
	free(ca);
	ca = xasprintf("%s/key.pem", certs);
	unlink(ca);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0 && ep.cert == NULL &&
	    ep.key == NULL, "no client certificate at all is fine");
	engine_endpoint_release(&ep);
	free(ca);
	ca = xasprintf("%s/ca.pem", certs);
	unlink(ca);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) < 0 && err &&
	    strstr(err->message, ca), "a missing ca.pem is an error naming it");
	keep_error_free(err);
	err = NULL;
	free(ca);
	free(certs);

	setenv("DOCKER_HOST", "unix:///from/env.sock", 1);
	ok(engine_endpoint_resolve("unix:///from/flag.sock", "remote", &ep, &err) == 0,
	    "-H given");
	is_str(ep.socket_path, "/from/flag.sock", "-H beats --context and DOCKER_HOST");
	is_str(ep.source, "-H", "source -H");
	engine_endpoint_release(&ep);

	ok(engine_endpoint_resolve("ssh://me@host", NULL, &ep, &err) < 0, "ssh:// refused");
	ok(err && err->kind == KEEP_ERR_USAGE, "ssh:// is a usage error");
	ok(err && strstr(err->message, "'ssh://me@host'") && strstr(err->message, "-H"),
	    "message names the address and its source: %s", err ? err->message : "");
	keep_error_free(err);
	err = NULL;

	setenv("DOCKER_HOST", "unix://relative.sock", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) < 0 && err &&
	    err->kind == KEEP_ERR_USAGE && strstr(err->message, "DOCKER_HOST"),
	    "relative unix path refused: %s", err ? err->message : "");
	keep_error_free(err);
	err = NULL;
}

static void
test_contexts(void)
{
	struct engine_endpoint ep;
	struct keep_error *err = NULL;
	char *path, hash[65];

	clear_env();
	make_context("remote", "tcp://remote.example:2376", 0, 1);
	make_context("insecure", "tcp://insecure.example:2376", 1, 0);
	make_context("rootless", "unix:///run/user/1000/docker.sock", 0, 0);

	setenv("DOCKER_CONTEXT", "remote", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "DOCKER_CONTEXT remote: %s",
	    err ? err->message : "ok");
	is_str(ep.host, "tcp://remote.example:2376", "context host");
	is_str(ep.base_url, "https://remote.example:2376", "context TLS files mean https");
	is_str(ep.source, "context 'remote'", "source names the context");
	is_str(ep.context, "remote", "context recorded");
	ok(ep.tls && ep.tls_verify, "context TLS verified");
	sha256_hex("remote", 6, hash);
	path = xasprintf("%s/contexts/tls/%s/docker/key.pem", tmp, hash);
	is_str(ep.key, path, "context key from its tls directory");
	free(path);
	engine_endpoint_release(&ep);

	setenv("DOCKER_CONTEXT", "insecure", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "DOCKER_CONTEXT insecure");
	ok(ep.tls && !ep.tls_verify && ep.ca == NULL, "SkipTLSVerify: TLS without verification");
	engine_endpoint_release(&ep);

	/* The environment's TLS settings do not leak into a context. */
	setenv("DOCKER_TLS_VERIFY", "1", 1);
	ok(engine_endpoint_resolve(NULL, "rootless", &ep, &err) == 0, "--context rootless");
	is_str(ep.socket_path, "/run/user/1000/docker.sock", "--context beats DOCKER_CONTEXT");
	ok(!ep.tls, "unix context has no TLS");
	engine_endpoint_release(&ep);
	unsetenv("DOCKER_TLS_VERIFY");

	setenv("DOCKER_HOST", "unix:///env.sock", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "DOCKER_HOST and DOCKER_CONTEXT");
	is_str(ep.socket_path, "/env.sock", "DOCKER_HOST beats DOCKER_CONTEXT");
	engine_endpoint_release(&ep);
	ok(engine_endpoint_resolve(NULL, "remote", &ep, &err) == 0, "--context and DOCKER_HOST");
	is_str(ep.context, "remote", "--context beats DOCKER_HOST");
	engine_endpoint_release(&ep);
	unsetenv("DOCKER_HOST");
	unsetenv("DOCKER_CONTEXT");

	path = xasprintf("%s/config.json", tmp);
	write_file(path, "{\"auths\":{},\"currentContext\":\"rootless\"}");
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "currentContext");
	is_str(ep.context, "rootless", "currentContext from config.json");
	engine_endpoint_release(&ep);

	setenv("DOCKER_CONTEXT", "remote", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "DOCKER_CONTEXT and currentContext");
	is_str(ep.context, "remote", "DOCKER_CONTEXT beats currentContext");
	engine_endpoint_release(&ep);
	unsetenv("DOCKER_CONTEXT");

	write_file(path, "{\"currentContext\":\"default\"}");
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) == 0, "currentContext default");
	is_str(ep.host, "unix:///var/run/docker.sock", "context 'default' is the default socket");
	engine_endpoint_release(&ep);

	write_file(path, "{\"currentContext\": ");
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) < 0 && err &&
	    strstr(err->message, "config.json"),
	    "broken config.json is a clear error: %s", err ? err->message : "");
	keep_error_free(err);
	err = NULL;
	unlink(path);
	free(path);

	setenv("DOCKER_CONTEXT", "nope", 1);
	ok(engine_endpoint_resolve(NULL, NULL, &ep, &err) < 0, "unknown context fails");
	sha256_hex("nope", 4, hash);
	path = xasprintf("context 'nope' not found: no %s/contexts/meta/%s/meta.json", tmp, hash);
	is_str(err ? err->message : NULL, path, "unknown context message");
	ok(err && err->kind == KEEP_ERR_USAGE, "unknown context is a usage error");
	free(path);
	keep_error_free(err);
	err = NULL;
	unsetenv("DOCKER_CONTEXT");
}

static void
test_copy_and_encode(void)
{
	struct engine_endpoint ep, copy;
	struct keep_error *err = NULL;
	struct buf b = BUF_INIT;

	clear_env();
	ok(engine_endpoint_resolve("tcp://h:1", NULL, &ep, &err) == 0, "resolve for copy");
	engine_endpoint_copy(&copy, &ep);
	engine_endpoint_release(&ep);
	is_str(copy.base_url, "http://h:1", "copy survives the original");
	engine_endpoint_release(&copy);

	engine_urlencode(&b, "LABEL k=\"a b/ü\"~._-");
	is_str(buf_cstr(&b), "LABEL%20k%3D%22a%20b%2F%C3%BC%22~._-", "urlencode");
	buf_release(&b);
}

static void
remove_tree(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmp);

	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", tmp);
	free(cmd);
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_sha256();
	test_env();
	test_contexts();
	test_copy_and_encode();
	remove_tree();
	return done_testing();
}
