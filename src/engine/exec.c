/*
 * exec create / start / resize / inspect. The start call hijacks its
 * connection: after "101 UPGRADED" the socket carries our input one way
 * and the process's output the other, raw with a TTY, else multiplexed.
 */
#include "engine/exec.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/demux.h"
#include "engine/http.h"
#include "engine/json.h"
#include "util/xalloc.h"

/* Seconds to wait for the engine's answer to exec start. */
#define EXEC_START_TIMEOUT 60L

int
engine_exec_create(struct engine *e, const char *container_id,
    const struct exec_opts *opts, char **exec_id_out,
    struct keep_error **err)
{
	cleanup_json json_t *req = NULL, *resp = NULL;
	cleanup_buf struct buf path = BUF_INIT, body = BUF_INIT;
	cleanup_free char *text = NULL;
	json_t *cmd;
	const char *id;

	*exec_id_out = NULL;
	cmd = json_array();
	for (size_t i = 0; i < opts->cmd->n; i++)
		json_array_append_new(cmd, json_string(opts->cmd->v[i]));
	req = json_pack("{s:b, s:b, s:b, s:b, s:o}",
	    "AttachStdin", opts->attach_stdin,
	    "AttachStdout", 1,
	    "AttachStderr", 1,
	    "Tty", opts->tty,
	    "Cmd", cmd);
	if (req == NULL)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot describe the command to run");
	if (opts->user && *opts->user)
		json_object_set_new(req, "User", json_string(opts->user));
	if (opts->workdir && *opts->workdir)
		json_object_set_new(req, "WorkingDir",
		    json_string(opts->workdir));
	text = json_dumps(req, JSON_COMPACT);
	buf_addstr(&path, "/containers/");
	engine_urlencode(&path, container_id);
	buf_addstr(&path, "/exec");
	if (engine_call(e, "POST", buf_cstr(&path), text, strlen(text), NULL,
	    NULL, &body, err) < 0)
		return -1;
	if (ejson_parse(body.ptr, body.len, "POST /containers/{id}/exec",
	    &resp, err) < 0)
		return -1;
	if ((id = ejson_str(resp, "Id")) == NULL || *id == '\0')
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the engine created an exec instance but gave no id");
	*exec_id_out = xstrdup(id);
	return 0;
}

int
engine_exec_resize(struct engine *e, const char *exec_id, unsigned rows,
    unsigned cols, struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT;

	buf_addstr(&path, "/exec/");
	engine_urlencode(&path, exec_id);
	buf_printf(&path, "/resize?h=%u&w=%u", rows, cols);
	return engine_call(e, "POST", buf_cstr(&path), NULL, 0, NULL, NULL,
	    NULL, err);
}

int
engine_exec_inspect(struct engine *e, const char *exec_id, int *running,
    int *exit_code, struct keep_error **err)
{
	cleanup_buf struct buf path = BUF_INIT, body = BUF_INIT;
	cleanup_json json_t *j = NULL;
	int run;

	buf_addstr(&path, "/exec/");
	engine_urlencode(&path, exec_id);
	buf_addstr(&path, "/json");
	if (engine_call(e, "GET", buf_cstr(&path), NULL, 0, NULL, NULL, &body,
	    err) < 0)
		return -1;
	if (ejson_parse(body.ptr, body.len, "GET /exec/{id}/json", &j, err) < 0)
		return -1;
	run = ejson_bool(j, "Running", 0);
	if (running)
		*running = run;
	if (exit_code)
		*exit_code = run ? -1 : (int)ejson_int(j, "ExitCode", -1);
	return 0;
}

/* Write all of len bytes to fd. */
static int
write_all(int fd, const void *data, size_t len, struct keep_error **err)
{
	const char *p = data;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return keep_error_set(err, KEEP_ERR_FAILED,
			    "write the command's output: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

struct pump {
	const struct exec_io *io;
	int tty;
	struct demux demux;
};

/* The process's output to io->out_buf (bounded) or io->out_fd. */
static int
pump_stdout(const struct exec_io *io, const void *data, size_t len,
    struct keep_error **err)
{
	if (io->out_buf == NULL)
		return write_all(io->out_fd, data, len, err);
	if (len > io->out_max - io->out_buf->len)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the command wrote more than %zu bytes", io->out_max);
	buf_add(io->out_buf, data, len);
	return 0;
}

static int
pump_out(void *ctx, int stream, const void *data, size_t len,
    struct keep_error **err)
{
	struct pump *p = ctx;

	/* Frames for stdin never come from the engine; ignore them. */
	if (stream == DEMUX_STDOUT)
		return pump_stdout(p->io, data, len, err);
	if (stream == DEMUX_STDERR && p->io->err_fd >= 0)
		return write_all(p->io->err_fd, data, len, err);
	return 0;
}

/* Hand bytes of the engine's stream to the right descriptor. */
static int
pump_deliver(struct pump *p, const void *data, size_t len,
    struct keep_error **err)
{
	if (p->tty)
		return pump_stdout(p->io, data, len, err);
	return demux_feed(&p->demux, data, len, pump_out, p, err);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/*
 * Send the window size. The process may not exist yet just after the start
 * answer, so the first resize retries briefly; a size that cannot be set
 * is not worth failing the command for.
 */
static void
send_size(struct engine *e, const char *exec_id, const struct exec_io *io,
    int attempts)
{
	unsigned rows, cols;

	if (io->winsize == NULL || io->winsize(io->winsize_ctx, &rows, &cols))
		return;
	for (int i = 0; i < attempts; i++) {
		struct keep_error *rerr = NULL;

		if (engine_exec_resize(e, exec_id, rows, cols, &rerr) == 0)
			return;
		keep_error_free(rerr);
		sleep_ms(20L * (i + 1));
	}
}

/* The error for a refused exec start, from the engine's {"message"}. */
static int
start_error(const char *exec_id, long status, const struct buf *body,
    struct keep_error **err)
{
	cleanup_json json_t *j = NULL;
	const char *msg = NULL;

	if (body->len > 0) {
		j = json_loadb(body->ptr, body->len, 0, NULL);
		msg = ejson_str(j, "message");
	}
	return keep_error_set(err, status == 404 ? KEEP_ERR_NOT_FOUND :
	    status == 409 ? KEEP_ERR_CONFLICT : KEEP_ERR_FAILED,
	    "start exec '%.12s': %s", exec_id, msg && *msg ? msg :
	    status ? "the engine refused it" : "no answer");
}

/* Copy until the process's output ends. */
static int
pump_run(struct engine *e, const char *exec_id, struct http_hijack *h,
    struct pump *p, struct keep_error **err)
{
	const struct exec_io *io = p->io;
	int in_open = io->in_fd >= 0;
	long long deadline = io->timeout_ms > 0 ? now_ms() + io->timeout_ms : 0;
	char buf[32768];
	ssize_t n;

	for (;;) {
		struct pollfd fds[3];
		nfds_t nfds = 0;
		int in_slot = -1, winch_slot = -1, wait = -1, ready;

		/* Drain first: TLS may hold bytes the socket no longer shows. */
		while ((n = http_hijack_recv(h, buf, sizeof(buf), err)) > 0)
			if (pump_deliver(p, buf, (size_t)n, err) < 0)
				return -1;
		if (n == 0)
			return 0;
		if (n != HTTP_AGAIN)
			return -1;

		fds[nfds++] = (struct pollfd){ http_hijack_fd(h), POLLIN, 0 };
		if (in_open) {
			in_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ io->in_fd, POLLIN, 0 };
		}
		if (io->winch_fd >= 0) {
			winch_slot = (int)nfds;
			fds[nfds++] = (struct pollfd){ io->winch_fd, POLLIN, 0 };
		}
		if (deadline) {
			long long left = deadline - now_ms();

			wait = left > 0 ? (int)left : 0;
		}
		if ((ready = poll(fds, nfds, wait)) < 0) {
			if (errno == EINTR)
				continue;
			return keep_error_set(err, KEEP_ERR_FAILED, "poll: %s",
			    strerror(errno));
		}
		if (ready == 0)
			return keep_error_set(err, KEEP_ERR_FAILED, "the command "
			    "ran past %ld s", io->timeout_ms / 1000);
		if (in_slot >= 0 && fds[in_slot].revents) {
			n = read(io->in_fd, buf, sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n > 0) {
				if (http_hijack_send(h, buf, (size_t)n, err) < 0)
					return -1;
			} else {
				/* End of input (or a hung-up terminal). */
				in_open = 0;
				http_hijack_close_write(h);
			}
		}
		if (winch_slot >= 0 && fds[winch_slot].revents) {
			while (read(io->winch_fd, buf, sizeof(buf)) > 0)
				;
			send_size(e, exec_id, io, 1);
		}
	}
}

int
engine_exec_run(struct engine *e, const char *exec_id, int tty,
    const struct exec_io *io, int *exit_code, struct keep_error **err)
{
	struct http_hijack *h = NULL;
	cleanup_buf struct buf path = BUF_INIT, errbody = BUF_INIT;
	struct pump p = { io, tty, DEMUX_INIT };
	const char *body = tty ? "{\"Detach\":false,\"Tty\":true}" :
	    "{\"Detach\":false,\"Tty\":false}";
	long status = 0;
	int rc, running = 1;

	*exit_code = -1;
	buf_printf(&path, "/v%s/exec/", engine_api_version(e));
	engine_urlencode(&path, exec_id);
	buf_addstr(&path, "/start");
	if (http_hijack_open(engine_endpoint(e), "POST", buf_cstr(&path), body,
	    strlen(body), EXEC_START_TIMEOUT, &status, &errbody, &h, err) < 0)
		return -1;
	if (h == NULL)
		return start_error(exec_id, status, &errbody, err);
	if (tty)
		send_size(e, exec_id, io, 10);
	rc = pump_run(e, exec_id, h, &p, err);
	http_hijack_close(h);
	if (rc < 0)
		return -1;
	/* The output ends as the process does; its state may lag a little. */
	for (int i = 0; i < 100 && running; i++) {
		if (engine_exec_inspect(e, exec_id, &running, exit_code, err) < 0)
			return -1;
		if (running)
			sleep_ms(50);
	}
	if (running)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "the command's output ended but it is still running");
	return 0;
}
