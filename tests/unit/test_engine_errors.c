/*
 * How the engine client fails: an unreachable socket, HTTP errors, broken
 * and hostile answers from a fake engine on a unix socket, and, when a real
 * engine answers on /var/run/docker.sock, a round trip against it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "tap.h"
#include "util/xalloc.h"

enum scenario {
	S_NO_VERSION,	/* /_ping without API-Version */
	S_V1_40,
	S_V1_9,
	S_V1_50,
	S_PODMAN,
	S_BAD_VERSION,
	S_PING_500,
};

static char dir[] = "/tmp/keep-test-engine-XXXXXX";

static void
send_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static void
reply(int fd, const char *status, const char *extra, const char *body)
{
	char *head = xasprintf("HTTP/1.1 %s\r\nContent-Length: %zu\r\n"
	    "Connection: close\r\n%s\r\n", status, strlen(body), extra);

	send_all(fd, head, strlen(head));
	send_all(fd, body, strlen(body));
	free(head);
}

/* Answer one request of the fake engine according to sc and the path. */
static void
serve(int fd, enum scenario sc, const char *path, const char *body)
{
	static const char *pings[] = {
		[S_NO_VERSION] = "",
		[S_V1_40] = "API-Version: 1.40\r\n",
		[S_V1_9] = "Api-Version: 1.9\r\n",
		[S_V1_50] = "API-Version: 1.50\r\n",
		[S_PODMAN] = "API-Version: 1.41\r\nLibpod-API-Version: 4.3.1\r\n",
		[S_BAD_VERSION] = "API-Version: banana\r\n",
	};

	if (strcmp(path, "/_ping") == 0) {
		if (sc == S_PING_500)
			reply(fd, "500 Internal Server Error", "",
			    "{\"message\":\"daemon is shutting down\"}");
		else
			reply(fd, "200 OK", pings[sc], "OK");
	} else if (strstr(path, "/containers/missing/json")) {
		reply(fd, "404 Not Found", "", "{\"message\":\"No such container: missing\"}");
	} else if (strstr(path, "/containers/busy/json")) {
		reply(fd, "409 Conflict", "", "{\"message\":\"container is paused\"}");
	} else if (strstr(path, "/containers/garbage/json")) {
		reply(fd, "200 OK", "", "{\"Id\": \"abc\", \"Name\": [1, 2");
	} else if (strstr(path, "/containers/array/json")) {
		reply(fd, "200 OK", "", "[1, 2]");
	} else if (strstr(path, "/containers/weird/json")) {
		reply(fd, "200 OK", "", "{\"Id\":\"abc\",\"Name\":5,\"Config\":\"s\","
		    "\"Mounts\":{\"a\":1},\"HostConfig\":{\"PortBindings\":"
		    "{\"80/tcp\":\"x\",\"81/tcp\":[7,{\"HostPort\":9}]},\"Tmpfs\":[]},"
		    "\"State\":null}");
	} else if (strstr(path, "/containers/html/json")) {
		reply(fd, "502 Bad Gateway", "", "Bad Gateway\x1b[31m\nsecond line");
	} else if (strstr(path, "/containers/c1/json")) {
		reply(fd, "500 Internal Server Error", "",
		    "{\"message\":\"no such \\u009b31mthing \\u00e9t\\u00e9\"}");
	} else if (strstr(path, "/containers/raw8/json")) {
		reply(fd, "500 Internal Server Error", "", "bad \x9b" "31m gateway");
	} else if (strstr(path, "/containers/cut/json")) {
		const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\":";

		send_all(fd, head, strlen(head));
	} else if (strstr(path, "/containers/huge/json")) {
		size_t total = ((size_t)64 << 20) + 1;
		char *head = xasprintf("HTTP/1.1 200 OK\r\nContent-Length: %zu\r\n\r\n", total);
		static char zeros[1 << 16];

		send_all(fd, head, strlen(head));
		free(head);
		for (size_t sent = 0; sent < total; sent += sizeof(zeros))
			send_all(fd, zeros, total - sent < sizeof(zeros) ?
			    total - sent : sizeof(zeros));
	} else if (strstr(path, "/changes")) {
		reply(fd, "200 OK", "", "[{\"Path\":\"/a\",\"Kind\":1},{\"Path\":\"/b\",\"Kind\":7}]");
	} else if (strstr(path, "/commit?")) {
		/* Podman's needs: a {} body and an explicit pause. */
		if (strcmp(body, "{}") == 0 && strstr(path, "pause=1") &&
		    strstr(path, "changes=LABEL%20keep.seq%3D%227%22"))
			reply(fd, "201 Created", "", "{\"Id\":\"0123abcd\"}");
		else
			reply(fd, "400 Bad Request", "", "{\"message\":\"bad commit request\"}");
	} else {
		reply(fd, "404 Not Found", "", "{\"message\":\"page not found\"}");
	}
}

/* Read one request head and its Content-Length body; 0 at EOF. */
static int
read_request(int fd, char *req, size_t cap, char **body)
{
	size_t len = 0, want;
	char *end = NULL, *cl;

	while (end == NULL) {
		ssize_t n = read(fd, req + len, cap - 1 - len);

		if (n <= 0)
			return 0;
		len += (size_t)n;
		req[len] = '\0';
		end = strstr(req, "\r\n\r\n");
	}
	*body = end + 4;
	cl = strcasestr(req, "\r\nContent-Length:");
	want = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
	while ((size_t)(req + len - *body) < want && len < cap - 1) {
		ssize_t n = read(fd, req + len, cap - 1 - len);

		if (n <= 0)
			break;
		len += (size_t)n;
		req[len] = '\0';
	}
	return 1;
}

/* Fork a fake engine on dir/sc.sock; returns its pid. */
static pid_t
fake_engine(enum scenario sc, char **host_out)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lfd;
	pid_t pid;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%d.sock", dir, (int)sc);
	*host_out = xasprintf("unix://%s", sa.sun_path);
	lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(lfd, 8) < 0) {
		perror("fake engine");
		exit(1);
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid > 0) {
		close(lfd);
		return pid;
	}
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		static char req[1 << 16];
		char *body, *sp, *path;
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			_exit(0);
		if (read_request(fd, req, sizeof(req), &body)) {
			/* "GET /path HTTP/1.1" */
			sp = strchr(req, ' ');
			path = sp ? sp + 1 : req;
			sp = strchr(path, ' ');
			if (sp)
				*sp = '\0';
			serve(fd, sc, path, body);
		}
		close(fd);
	}
}

static void
stop_engine(pid_t pid, char *host)
{
	int status;

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	unlink(host + 7);
	free(host);
}

/* Open the fake engine for sc; NULL (with *err) when that fails. */
static struct engine *
open_fake(const char *host, struct keep_error **err)
{
	struct engine_endpoint ep;
	struct engine *e = NULL;

	if (engine_endpoint_resolve(host, NULL, &ep, err) < 0)
		return NULL;
	engine_open(&ep, &e, err);
	engine_endpoint_release(&ep);
	return e;
}

static void
test_unreachable(void)
{
	struct engine_endpoint ep;
	struct engine *e = NULL;
	struct keep_error *err = NULL;

	ok(engine_endpoint_resolve("unix:///nonexistent/docker.sock", NULL, &ep, &err) == 0,
	    "resolve a missing socket");
	ok(engine_open(&ep, &e, &err) < 0 && e == NULL, "opening it fails");
	ok(err && strstr(err->message, "unix:///nonexistent/docker.sock") &&
	    strstr(err->message, "No such file or directory") &&
	    strstr(err->message, "dockerd") && !strchr(err->message, '\n'),
	    "one line naming the socket: %s", err ? err->message : "(none)");
	keep_error_free(err);
	engine_endpoint_release(&ep);
}

static void
test_versions(void)
{
	static const struct {
		enum scenario sc;
		const char *want;
		int podman;
	} cases[] = {
		{ S_NO_VERSION, "1.24", 0 },
		{ S_V1_40, "1.40", 0 },
		{ S_V1_9, "1.9", 0 },
		{ S_V1_50, "1.41", 0 },
		{ S_PODMAN, "1.41", 1 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keep_error *err = NULL;
		char *host;
		pid_t pid = fake_engine(cases[i].sc, &host);
		struct engine *e = open_fake(host, &err);

		ok(e != NULL, "open fake engine %zu: %s", i, err ? err->message : "ok");
		if (e) {
			is_str(engine_api_version(e), cases[i].want, "negotiated %s", cases[i].want);
			is_int(engine_is_podman(e), cases[i].podman, "podman detection %zu", i);
		}
		engine_close(e);
		keep_error_free(err);
		stop_engine(pid, host);
	}
}

static void
test_bad_ping(void)
{
	struct keep_error *err = NULL;
	char *host;
	pid_t pid = fake_engine(S_BAD_VERSION, &host);
	struct engine *e = open_fake(host, &err);

	ok(e == NULL && err && strstr(err->message, "invalid API-Version 'banana'"),
	    "bad API-Version: %s", err ? err->message : "(none)");
	keep_error_free(err);
	err = NULL;
	stop_engine(pid, host);

	pid = fake_engine(S_PING_500, &host);
	e = open_fake(host, &err);
	ok(e == NULL && err && strstr(err->message, "daemon is shutting down"),
	    "ping 500 carries the engine's message: %s", err ? err->message : "(none)");
	keep_error_free(err);
	stop_engine(pid, host);
}

/* Inspect id on e; returns the error (caller frees) or NULL. */
static struct keep_error *
inspect_err(struct engine *e, const char *id)
{
	struct keep_error *err = NULL;
	struct container c;

	if (engine_container_inspect(e, id, &c, &err) == 0)
		container_release(&c);
	return err;
}

static void
test_http_errors(void)
{
	struct keep_error *err = NULL;
	char *host, *image_id = NULL;
	pid_t pid = fake_engine(S_PODMAN, &host);
	struct engine *e = open_fake(host, &err);
	struct container c;
	struct fs_changes fc;
	struct kvv labels = { 0 };
	int rc;

	if (!ok(e != NULL, "open fake engine: %s", err ? err->message : "ok")) {
		stop_engine(pid, host);
		return;
	}

	err = inspect_err(e, "missing");
	ok(err && err->kind == KEEP_ERR_NOT_FOUND, "404 is KEEP_ERR_NOT_FOUND");
	ok(err && strstr(err->message, "No such container: missing"),
	    "404 carries the engine's message: %s", err ? err->message : "(none)");
	keep_error_free(err);

	err = inspect_err(e, "busy");
	ok(err && err->kind == KEEP_ERR_CONFLICT && strstr(err->message, "container is paused"),
	    "409 is KEEP_ERR_CONFLICT: %s", err ? err->message : "(none)");
	keep_error_free(err);

	err = inspect_err(e, "garbage");
	ok(err && err->kind == KEEP_ERR_FAILED && strstr(err->message, "invalid JSON"),
	    "truncated JSON is a clear error: %s", err ? err->message : "(none)");
	keep_error_free(err);

	err = inspect_err(e, "array");
	ok(err && strstr(err->message, "not a JSON object"),
	    "wrong JSON type is a clear error: %s", err ? err->message : "(none)");
	keep_error_free(err);

	err = NULL;
	rc = engine_container_inspect(e, "weird", &c, &err);
	ok(rc == 0, "members of the wrong type count as missing: %s",
	    err ? err->message : "ok");
	if (rc == 0) {
		is_str(c.name, "", "numeric Name ignored");
		is_int(c.n_mounts, 0, "object Mounts ignored");
		is_int(c.n_ports, 1, "malformed PortBindings skipped");
		is_str(c.ports[0].host_port, "", "numeric HostPort counts as missing");
		is_str(c.status, "", "null State ignored");
		container_release(&c);
	}
	keep_error_free(err);

	err = inspect_err(e, "html");
	is_str(err ? err->message : NULL, "inspect container 'html': Bad Gateway?[31m",
	    "a non-JSON error body gives its first line, control characters masked");
	keep_error_free(err);

	err = inspect_err(e, "c1");
	is_str(err ? err->message : NULL,
	    "inspect container 'c1': no such ?31mthing \xc3\xa9t\xc3\xa9",
	    "a C1 control (U+009B, CSI) in the engine's message is masked, other UTF-8 kept");
	keep_error_free(err);

	err = inspect_err(e, "raw8");
	is_str(err ? err->message : NULL, "inspect container 'raw8': bad ?31m gateway",
	    "a raw 0x9b byte (CSI on an 8-bit terminal) is masked");
	keep_error_free(err);

	err = inspect_err(e, "cut");
	ok(err && strstr(err->message, "broke") && strstr(err->message, host),
	    "a cut-off answer is a clear error: %s", err ? err->message : "(none)");
	keep_error_free(err);

	err = inspect_err(e, "huge");
	ok(err && strstr(err->message, "larger than 64 MiB"),
	    "an oversized answer is refused: %s", err ? err->message : "(none)");
	keep_error_free(err);

	err = NULL;
	rc = engine_container_changes(e, "x", &fc, &err);
	ok(rc < 0 && err && strstr(err->message, "entry 1"),
	    "a bad change kind is refused: %s", err ? err->message : "(none)");
	keep_error_free(err);

	err = NULL;
	kvv_push(&labels, "keep.seq", "7");
	rc = engine_commit(e, "c1", "keep/x", "7", NULL, &labels, 1, &image_id, &err);
	ok(rc == 0, "podman commit sends {} and pause: %s", err ? err->message : "ok");
	is_str(image_id, "sha256:0123abcd", "a bare podman id gains sha256:");
	free(image_id);
	keep_error_free(err);

	err = NULL;
	kvv_push(&labels, "keep.evil", "x\nRUN rm -rf /");
	ok(engine_commit(e, "c1", "keep/x", "8", NULL, &labels, 1, &image_id, &err) < 0 &&
	    err && strstr(err->message, "control character"),
	    "a newline in a label cannot inject an instruction");
	keep_error_free(err);
	kvv_release(&labels);

	engine_close(e);
	stop_engine(pid, host);
}

static void
test_real_engine(void)
{
	struct engine_endpoint ep;
	struct engine *e = NULL;
	struct keep_error *err = NULL;
	struct engine_version v;
	struct container_list list;
	char *name;

	engine_endpoint_resolve("unix:///var/run/docker.sock", NULL, &ep, &err);
	if (engine_open(&ep, &e, &err) < 0) {
		skip("no engine at /var/run/docker.sock: %s", err->message);
		keep_error_free(err);
		engine_endpoint_release(&ep);
		return;
	}
	engine_endpoint_release(&ep);
	ok(1, "opened the real engine");
	if (engine_get_version(e, &v, &err) == 0) {
		ok(*v.version && *v.api_version, "version %s, API %s", v.version,
		    v.api_version);
		/* Ours or the daemon's, whichever is older. */
		ok(strcmp(engine_api_version(e), "1.41") == 0 ||
		    strcmp(engine_api_version(e), v.api_version) == 0,
		    "negotiated %s", engine_api_version(e));
		engine_version_release(&v);
	} else {
		ok(0, "version: %s", err->message);
	}
	keep_error_free(err);
	err = NULL;

	ok(engine_container_list(e, "keep.test.none=1", &list, &err) == 0 && list.n == 0,
	    "list with a label filter");
	container_list_release(&list);
	keep_error_free(err);

	name = xasprintf("keep-test-missing-%d", (int)getpid());
	err = inspect_err(e, name);
	ok(err && err->kind == KEEP_ERR_NOT_FOUND, "missing container is KEEP_ERR_NOT_FOUND");
	ok(err && strstr(err->message, "No such container") && strstr(err->message, name),
	    "the engine's message: %s", err ? err->message : "(none)");
	keep_error_free(err);
	free(name);

	/* The same connection still serves a call after an error. */
	err = NULL;
	ok(engine_get_version(e, &v, &err) == 0, "a call after an error works");
	if (err == NULL)
		engine_version_release(&v);
	keep_error_free(err);
	engine_close(e);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_unreachable();
	test_versions();
	test_bad_ping();
	test_http_errors();
	test_real_engine();
	rmdir(dir);
	return done_testing();
}
