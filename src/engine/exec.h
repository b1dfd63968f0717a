/*
 * Running a process in a container through the Engine API (engine/exec.c):
 * exec create, then exec start on a hijacked connection that carries the
 * process's input and output, then its exit code. No libcurl here: the
 * connection comes from engine/http.c.
 */
#ifndef KEEP_ENGINE_EXEC_H
#define KEEP_ENGINE_EXEC_H

#include "util/buf.h"
#include "util/strv.h"
#include "engine/engine.h"

struct exec_opts {
	const struct strv *cmd;		/* the command and its arguments */
	const char *user;		/* NULL or "": the container's user */
	const char *workdir;		/* NULL or "": the container's workdir */
	int tty;			/* allocate a pseudo-terminal */
	int attach_stdin;		/* the process reads our input */
};

/*
 * POST /containers/{id}/exec. *exec_id_out (caller frees) names the new
 * exec instance. A stopped or paused container fails here (409).
 */
int engine_exec_create(struct engine *e, const char *container_id,
    const struct exec_opts *opts, char **exec_id_out,
    struct keep_error **err);

/* POST /exec/{id}/resize?h=&w=. */
int engine_exec_resize(struct engine *e, const char *exec_id, unsigned rows,
    unsigned cols, struct keep_error **err);

/*
 * GET /exec/{id}/json: *running and *exit_code (-1 while it runs; either
 * pointer may be NULL).
 */
int engine_exec_inspect(struct engine *e, const char *exec_id, int *running,
    int *exit_code, struct keep_error **err);

/* Where the process's input comes from and its output goes. */
struct exec_io {
	int in_fd;		/* -1: no input (needs attach_stdin otherwise) */
	int out_fd;		/* stdout, or the terminal's whole output */
	int err_fd;		/* stderr; unused with a TTY */
	int winch_fd;		/* readable when the window changed, or -1 */
	/*
	 * The window size, sent at start and whenever winch_fd becomes
	 * readable (its bytes are drained here); NULL for none. Return 0
	 * when the size is known.
	 */
	int (*winsize)(void *ctx, unsigned *rows, unsigned *cols);
	void *winsize_ctx;
	/* Give up after this many milliseconds (the process runs on); 0: none. */
	long timeout_ms;
	/*
	 * Collect stdout here instead of out_fd, failing past out_max bytes
	 * (NULL: write to out_fd). err_fd -1 drops stderr.
	 */
	struct buf *out_buf;
	size_t out_max;
};

/*
 * POST /exec/{id}/start on a hijacked connection, then copy until the
 * process's output ends: in_fd to its stdin (its end half-closes the
 * connection), its output to out_fd, or, without a TTY, the multiplexed
 * stdout and stderr to out_fd and err_fd. *exit_code is the process's exit
 * status once it has ended.
 */
int engine_exec_run(struct engine *e, const char *exec_id, int tty,
    const struct exec_io *io, int *exit_code, struct keep_error **err);

/* What engine_exec_stat found of one path. */
struct exec_stat {
	enum { EXEC_STAT_UNKNOWN, EXEC_STAT_OK, EXEC_STAT_GONE } state;
	long long size;		/* a symlink's: its target's length */
	unsigned mode;		/* st_mode */
	long long mtime_sec;
	/* Where the container's stat tells them (GNU's %.9Y, %.9Z): */
	int fine;		/* 1: the finer stamps below are set */
	long mtime_nsec;
	long long ctime_sec;
	long ctime_nsec;
};

/*
 * lstat each of paths inside running container id with one run of `stat`
 * there (through sh, as root): what HEAD /containers/{id}/archive tells of
 * each, in one exec instead of a request per path. out[i] answers
 * paths->v[i]: OK, GONE (no such path) or UNKNOWN (stat failed on it).
 * Fails (out then holds nothing to use) where the container is not
 * running, lacks sh or stat, answers anything but stat's lines, or takes
 * longer than a stat should (5 s and 5 ms a path: a stat that hangs is
 * killed in the container a second later where its `timeout` takes
 * -s KILL, else runs on, unwaited for); the caller then asks path by path.
 */
int engine_exec_stat(struct engine *e, const char *id,
    const struct strv *paths, struct exec_stat *out, struct keep_error **err);

#endif
