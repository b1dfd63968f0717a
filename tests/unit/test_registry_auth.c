/*
 * Registry credentials as the docker CLI keeps them, turned into
 * X-Registry-Auth: auths entries, credential helpers (a real script run
 * from PATH), identity tokens; and no secret in any error message.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/registry.h"
#include "tap.h"
#include "util/base64.h"
#include "util/xalloc.h"

#define SECRET "s3cr3t-Pa55"

static char tmp[] = "/tmp/keep-test-regauth-XXXXXX";

/* The JSON an X-Registry-Auth header carries; caller frees. */
static char *
decoded(const char *header)
{
	struct buf b = BUF_INIT;

	if (header == NULL || base64_decode(header, BASE64_URL, &b) < 0)
		return xstrdup("(not base64url)");
	buf_addch(&b, '\0');
	return buf_detach(&b, NULL);
}

/* Parse config for host; *json_out is the header's JSON or NULL. */
static int
parse(const char *config, const char *host, struct registry_auth *a,
    char **json_out, char **errmsg_out)
{
	struct keep_error *err = NULL;
	int rc = registry_auth_parse(config, strlen(config), "config.json",
	    host, a, &err);

	*json_out = rc == 0 ? decoded(a->header) : NULL;
	*errmsg_out = err ? xstrdup(err->message) : NULL;
	keep_error_free(err);
	return rc;
}

static void
write_helper(const char *name, const char *body)
{
	char *path = xasprintf("%s/docker-credential-%s", tmp, name);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(f, "#!/bin/sh\n%s\n", body);
	fclose(f);
	chmod(path, 0755);
	free(path);
}

static void
test_auths(void)
{
	struct registry_auth a;
	char *json, *msg;
	/* "alice:s3cr3t-Pa55" */
	const char *cfg = "{\"auths\":{\"127.0.0.1:5000\":{\"auth\":"
	    "\"YWxpY2U6czNjcjN0LVBhNTU=\"},"
	    "\"https://reg.example:443/v1/\":{\"auth\":\"Ym9iOnB3OmNvbG9u\"},"
	    "\"tok.example\":{\"identitytoken\":\"tok-" SECRET "\"}}}";

	ok(parse(cfg, "127.0.0.1:5000", &a, &json, &msg) == 0, "auths entry");
	is_str(json, "{\"username\":\"alice\",\"password\":\"" SECRET "\","
	    "\"serveraddress\":\"127.0.0.1:5000\"}",
	    "auth is base64 of user:password, into the header's JSON");
	ok(!a.anonymous, "not anonymous");
	ok(strstr(a.source, SECRET) == NULL, "the source names no secret");
	ok(strchr(a.header, '+') == NULL && strchr(a.header, '/') == NULL,
	    "the header is base64url");
	free(json);
	registry_auth_release(&a);

	ok(parse(cfg, "reg.example:443", &a, &json, &msg) == 0, "URL key");
	is_str(json, "{\"username\":\"bob\",\"password\":\"pw:colon\","
	    "\"serveraddress\":\"reg.example:443\"}",
	    "a key written as a URL names its host; the password keeps its ':'");
	free(json);
	registry_auth_release(&a);

	ok(parse(cfg, "tok.example", &a, &json, &msg) == 0, "identity token");
	is_str(json, "{\"identitytoken\":\"tok-" SECRET "\","
	    "\"serveraddress\":\"tok.example\"}", "identitytoken is sent as one");
	free(json);
	registry_auth_release(&a);

	ok(parse(cfg, "127.0.0.1:5001", &a, &json, &msg) == 0, "other port");
	ok(a.anonymous, "another port of the same host has no credentials");
	is_str(a.header, "e30=", "anonymous is {} (e30=)");
	free(json);
	registry_auth_release(&a);

	ok(parse("", "127.0.0.1:5000", &a, &json, &msg) == 0 && a.anonymous,
	    "an empty config.json is no credentials");
	free(json);
	registry_auth_release(&a);

	ok(parse("{\"auths\":{\"h:1\":{\"auth\":\"" SECRET "!\"}}}", "h:1", &a,
	    &json, &msg) < 0, "auth that is not base64 fails");
	ok(msg && strstr(msg, SECRET) == NULL, "without the secret: %s", msg);
	free(msg);

	ok(parse("{\"auths\":{\"h:1\":{\"auth\":\"" SECRET, "h:1", &a, &json,
	    &msg) < 0, "broken JSON fails");
	ok(msg && strstr(msg, "s3cr") == NULL,
	    "without a piece of the secret: %s", msg);
	free(msg);
}

static void
test_helpers(void)
{
	struct registry_auth a;
	char *json, *msg, *path;

	path = xasprintf("%s:%s", tmp, getenv("PATH") ? getenv("PATH") : "");
	setenv("PATH", path, 1);
	free(path);
	/* Answers only for the server it is asked about on stdin. */
	write_helper("kt", "read s\n[ \"$1\" = get ] || exit 3\n"
	    "case \"$s\" in\n"
	    "127.0.0.1:5000) echo '{\"ServerURL\":\"127.0.0.1:5000\","
	    "\"Username\":\"carol\",\"Secret\":\"" SECRET "\"}';;\n"
	    "tok:1) echo '{\"ServerURL\":\"tok:1\",\"Username\":\"<token>\","
	    "\"Secret\":\"T-" SECRET "\"}';;\n"
	    "https://index.docker.io/v1/) echo '{\"Username\":\"hub\","
	    "\"Secret\":\"h\"}';;\n"
	    "*) echo 'credentials not found in native keychain'; exit 1;;\n"
	    "esac");
	write_helper("broken", "echo '" SECRET "'; exit 2");

	ok(parse("{\"auths\":{\"127.0.0.1:5000\":{\"auth\":\"eDp5\"}},"
	    "\"credHelpers\":{\"127.0.0.1:5000\":\"kt\"}}", "127.0.0.1:5000",
	    &a, &json, &msg) == 0, "credHelpers");
	is_str(json, "{\"username\":\"carol\",\"password\":\"" SECRET "\","
	    "\"serveraddress\":\"127.0.0.1:5000\"}",
	    "the helper's answer wins over auths, as for docker");
	ok(strstr(a.source, "docker-credential-kt") != NULL, "source: %s",
	    a.source);
	free(json);
	registry_auth_release(&a);

	ok(parse("{\"credsStore\":\"kt\"}", "tok:1", &a, &json, &msg) == 0,
	    "credsStore");
	is_str(json, "{\"identitytoken\":\"T-" SECRET "\","
	    "\"serveraddress\":\"tok:1\"}", "Username <token>: an identity token");
	free(json);
	registry_auth_release(&a);

	ok(parse("{\"credsStore\":\"kt\"}", "docker.io", &a, &json, &msg) == 0,
	    "Docker Hub");
	ok(strstr(json, "\"serveraddress\":\"https://index.docker.io/v1/\"") &&
	    strstr(json, "\"hub\""), "Docker Hub is asked for as docker does");
	free(json);
	registry_auth_release(&a);

	ok(parse("{\"credsStore\":\"kt\"}", "elsewhere:9", &a, &json, &msg) ==
	    0 && a.anonymous, "credentials not found: anonymous");
	free(json);
	registry_auth_release(&a);

	ok(parse("{\"credHelpers\":{\"h:1\":\"broken\"}}", "h:1", &a, &json,
	    &msg) < 0, "a failing helper fails");
	ok(msg && strstr(msg, "docker-credential-broken") &&
	    strstr(msg, SECRET) == NULL, "naming it, not what it said: %s", msg);
	free(msg);

	ok(parse("{\"credHelpers\":{\"h:1\":\"absent\"}}", "h:1", &a, &json,
	    &msg) < 0, "a helper not installed fails");
	ok(msg && strstr(msg, "docker-credential-absent"), "naming it: %s", msg);
	free(msg);

	ok(parse("{\"credHelpers\":{\"h:1\":\"../x\"}}", "h:1", &a, &json,
	    &msg) < 0, "a helper name with a '/' is refused");
	free(msg);
}

static void
test_repository(void)
{
	static const char *const good[] = { "127.0.0.1:5000/team/keep",
	    "reg.example/a", "localhost:5000/a.b/c_d/e-f", NULL };
	static const char *const bad[] = { "keep", "/a", "h:1/", "h:1/Team",
	    "h:1/a:tag", "h:1/a@sha256:00", "h:1/a//b", "h:1/-a", "h:1/a-",
	    "h 1/a", NULL };
	struct keep_error *err = NULL;
	char *host;

	for (size_t i = 0; good[i]; i++) {
		ok(registry_repository_check(good[i], &host, &err) == 0,
		    "'%s' is a repository", good[i]);
		free(host);
	}
	ok(registry_repository_check(good[0], &host, &err) == 0 &&
	    strcmp(host, "127.0.0.1:5000") == 0, "its host is 127.0.0.1:5000");
	free(host);
	for (size_t i = 0; bad[i]; i++) {
		ok(registry_repository_check(bad[i], &host, &err) < 0 && err &&
		    err->kind == KEEP_ERR_USAGE && host == NULL,
		    "'%s' is a usage error", bad[i]);
		keep_error_free(err);
		err = NULL;
	}
}

static void
test_base64(void)
{
	static const char *const text[] = { "", "f", "fo", "foo", "foob",
	    "\xfb\xff", NULL };
	static const char *const std[] = { "", "Zg==", "Zm8=", "Zm9v",
	    "Zm9vYg==", "+/8=", NULL };

	for (size_t i = 0; text[i]; i++) {
		struct buf b = BUF_INIT, d = BUF_INIT;

		base64_encode(text[i], strlen(text[i]), BASE64_STD, &b);
		buf_addch(&b, '\0');
		is_str(b.ptr, std[i], "base64 of '%s'", text[i]);
		ok(base64_decode(b.ptr, BASE64_STD, &d) == 0 &&
		    d.len == strlen(text[i]) &&
		    memcmp(d.ptr ? d.ptr : "", text[i], d.len) == 0,
		    "and back");
		buf_release(&b);
		buf_release(&d);
	}
	{
		struct buf b = BUF_INIT;

		base64_encode("\xfb\xff", 2, BASE64_URL, &b);
		buf_addch(&b, '\0');
		is_str(b.ptr, "-_8=", "the URL alphabet");
		buf_release(&b);
	}
}

int
main(void)
{
	char *cmd;

	/*
	 * As keep's main does: a helper that exits before reading the server
	 * name (the "broken" one) is EPIPE on the write, not the end of us.
	 */
	signal(SIGPIPE, SIG_IGN);
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_base64();
	test_repository();
	test_auths();
	test_helpers();
	cmd = xasprintf("rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmp);
	free(cmd);
	return done_testing();
}
