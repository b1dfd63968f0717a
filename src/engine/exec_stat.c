/*
 * Stamps of many paths from one `stat` run inside the container: a save
 * through the engine needs the size, mode and mtime of each loose file
 * and database it compares, and HEAD /archive tells one path a request.
 * The answer is checked line by line; anything else is a failure and the
 * caller asks path by path.
 */
#include "engine/exec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/xalloc.h"

/*
 * One line per path: "SIZE RAWMODE-HEX MTIME", and "MTIME.NS CTIME.NS"
 * after it where stat tells times to the nanosecond (GNU stat; busybox's
 * does not); "-" when there is no such path, "?" when there is one stat
 * could not read. One stat for them all when it reads every one (the
 * lines then match the paths), else one each. Exit 97: no stat.
 */
#define NS9 "[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]"
static const char script[] =
    "command -v stat >/dev/null 2>&1 || exit 97\n"
    "f='%s %f %Y'\n"
    "case $(stat -c '%.9Y %.9Z' / 2>/dev/null) in\n"
    "[0-9]*." NS9 "' '[0-9]*." NS9 ") f='%s %f %Y %.9Y %.9Z';;\n"
    "esac\n"
    "if out=$(stat -c \"$f\" -- \"$@\" 2>/dev/null); then\n"
    "\tprintf '%s\\n' \"$out\"\n"
    "\texit 0\n"
    "fi\n"
    "for p do\n"
    "\tstat -c \"$f\" -- \"$p\" 2>/dev/null ||\n"
    "\tif [ -e \"$p\" ] || [ -L \"$p\" ]; then echo '?'; else echo -; fi\n"
    "done\n"
    "exit 0\n";
#undef NS9

/*
 * The script above runs under `timeout -s KILL SECS` where the container
 * has one that takes that (coreutils, with stat; busybox since 1.30): a
 * stat that hangs is killed there when keep gives up waiting, not left
 * running in the user's container.
 */
static const char bounded[] =
    "s=$1 t=$2\n"
    "shift 2\n"
    "timeout -s KILL 9 true >/dev/null 2>&1 &&\n"
    "\texec timeout -s KILL \"$t\" sh -c \"$s\" keep-stat \"$@\"\n"
    "exec sh -c \"$s\" keep-stat \"$@\"\n";

/* Arguments past this many bytes: ask path by path instead. */
#define EXEC_STAT_ARGS_MAX ((size_t)256 << 10)
/* Bytes of one answer line at most: five fields of up to 31. */
#define EXEC_STAT_LINE_MAX 160

/*
 * " SEC.NANOSECONDS" at *p, the nanoseconds in nine digits: parsed into
 * *sec and *nsec, *p moved past it; -1: not that.
 */
static int
parse_time(const char **p, long long *sec, long *nsec)
{
	const char *s = *p;
	char *end;

	if (*s++ != ' ' || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	*sec = strtoll(s, &end, 10);
	if (errno || end == s || *end != '.')
		return -1;
	s = end + 1;
	*nsec = 0;
	for (int i = 0; i < 9; i++, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		*nsec = *nsec * 10 + (*s - '0');
	}
	*p = s;
	return 0;
}

/* Parse line (NUL-terminated, no newline) into *out; -1: not stat's. */
static int
parse_line(const char *line, struct exec_stat *out)
{
	long long size, mtime, msec = 0, csec = 0;
	long mnsec = 0, cnsec = 0;
	unsigned mode;
	const char *rest;
	int n = -1, fine = 0;

	if (strcmp(line, "-") == 0) {
		out->state = EXEC_STAT_GONE;
		return 0;
	}
	if (strcmp(line, "?") == 0) {
		out->state = EXEC_STAT_UNKNOWN;
		return 0;
	}
	if (sscanf(line, "%lld %x %lld%n", &size, &mode, &mtime, &n) != 3 ||
	    n < 0 || size < 0 || (mode & ~0177777u) != 0)
		return -1;
	rest = line + n;
	if (*rest != '\0') {
		/* The finer mtime must be the same second. */
		if (parse_time(&rest, &msec, &mnsec) < 0 ||
		    parse_time(&rest, &csec, &cnsec) < 0 || *rest != '\0' ||
		    msec != mtime)
			return -1;
		fine = 1;
	}
	switch (mode & S_IFMT) {
	case S_IFREG: case S_IFDIR: case S_IFLNK: case S_IFCHR: case S_IFBLK:
	case S_IFIFO: case S_IFSOCK:
		break;
	default:
		return -1;
	}
	*out = (struct exec_stat){ EXEC_STAT_OK, size, mode, mtime, fine,
	    mnsec, csec, cnsec };
	return 0;
}

/* Split the answer into n results; -1 unless it is exactly n lines. */
static int
parse_answer(struct buf *answer, size_t n, struct exec_stat *out)
{
	char *p = answer->ptr, *nl;
	size_t i;

	if (answer->len == 0)
		return n == 0 ? 0 : -1;
	/* A NUL in it is no stat's. */
	if (strlen(p) != answer->len)
		return -1;
	for (i = 0; i < n; i++, p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			return -1;
		*nl = '\0';
		if (parse_line(p, &out[i]) < 0)
			return -1;
	}
	return *p == '\0' ? 0 : -1;
}

int
engine_exec_stat(struct engine *e, const char *id, const struct strv *paths,
    struct exec_stat *out, struct keep_error **err)
{
	struct strv cmd = { 0 };
	struct exec_opts xo = { .cmd = &cmd, .user = "0" };
	struct exec_io io = { .in_fd = -1, .out_fd = -1, .err_fd = -1,
	    .winch_fd = -1, .timeout_ms = 5000 + 5 * (long)paths->n };
	cleanup_buf struct buf answer = BUF_INIT;
	cleanup_free char *exec_id = NULL;
	size_t bytes = 0;
	int rc = -1, code;

	for (size_t i = 0; i < paths->n; i++)
		bytes += strlen(paths->v[i]) + 1;
	if (bytes > EXEC_STAT_ARGS_MAX)
		return keep_error_set(err, KEEP_ERR_FAILED, "%zu paths are too "
		    "many to stat in one run", paths->n);
	strv_push(&cmd, "sh");
	strv_push(&cmd, "-c");
	strv_push(&cmd, bounded);
	strv_push(&cmd, "keep-stat");
	strv_push(&cmd, script);
	strv_pushf(&cmd, "%ld", io.timeout_ms / 1000 + 1);
	for (size_t i = 0; i < paths->n; i++)
		strv_push(&cmd, paths->v[i]);
	io.out_buf = &answer;
	io.out_max = paths->n * EXEC_STAT_LINE_MAX;
	if (engine_exec_create(e, id, &xo, &exec_id, err) < 0 ||
	    engine_exec_run(e, exec_id, 0, &io, &code, err) < 0)
		goto out;
	if (code != 0) {
		if (code == 97 || code == 126 || code == 127)
			keep_error_set(err, KEEP_ERR_FAILED, "the container "
			    "has no %s", code == 97 ? "stat" : "sh");
		else
			keep_error_set(err, KEEP_ERR_FAILED, "stat in the "
			    "container exited with %d", code);
		goto out;
	}
	if (parse_answer(&answer, paths->n, out) < 0) {
		keep_error_set(err, KEEP_ERR_FAILED, "stat in the container "
		    "answered with something other than stamps");
		goto out;
	}
	rc = 0;
out:
	strv_release(&cmd);
	return rc;
}
