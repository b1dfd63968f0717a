#include "util/term.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* What term_restore puts back; only touched with signals blocked or in them. */
static struct termios saved;
static int saved_fd = -1;
static volatile sig_atomic_t raw_on;
static int atexit_done;
static struct sigaction old_int, old_term, old_hup;

static int winch_pipe[2] = { -1, -1 };

void
term_restore(void)
{
	if (!raw_on)
		return;
	raw_on = 0;
	/* TCSADRAIN: what the container already printed still comes out. */
	tcsetattr(saved_fd, TCSADRAIN, &saved);
}

static void
term_on_signal(int sig)
{
	int saved_errno = errno;

	term_restore();
	/* Then die as the signal would have killed us. */
	signal(sig, SIG_DFL);
	raise(sig);
	errno = saved_errno;
}

static void
catch(int sig, struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, old);
}

int
term_raw(int fd, struct keep_error **err)
{
	struct termios t;

	if (raw_on)
		return 0;
	if (tcgetattr(fd, &saved) < 0)
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "read the terminal's settings: %s", strerror(errno));
	saved_fd = fd;
	if (!atexit_done) {
		atexit(term_restore);
		catch(SIGINT, &old_int);
		catch(SIGTERM, &old_term);
		catch(SIGHUP, &old_hup);
		atexit_done = 1;
	}
	t = saved;
	cfmakeraw(&t);
	raw_on = 1;
	if (tcsetattr(fd, TCSADRAIN, &t) < 0) {
		int e = errno;

		raw_on = 0;
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "put the terminal in raw mode: %s", strerror(e));
	}
	return 0;
}

int
term_size(int fd, unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row == 0 || ws.ws_col == 0)
		return -1;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return 0;
}

static void
term_on_winch(int sig)
{
	int saved_errno = errno;
	char c = 0;
	ssize_t n;

	(void)sig;
	n = write(winch_pipe[1], &c, 1);	/* a full pipe already says it */
	(void)n;
	errno = saved_errno;
}

int
term_winch_fd(void)
{
	struct sigaction sa;

	if (winch_pipe[0] >= 0)
		return winch_pipe[0];
	if (pipe2(winch_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		winch_pipe[0] = winch_pipe[1] = -1;
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_on_winch;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	return winch_pipe[0];
}
