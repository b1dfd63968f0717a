/*
 * The controlling terminal for interactive sessions: raw mode that is
 * always undone (by term_restore, at exit, and on SIGINT, SIGTERM and
 * SIGHUP), the window size, and SIGWINCH as a readable descriptor.
 */
#ifndef KEEP_UTIL_TERM_H
#define KEEP_UTIL_TERM_H

#include "util/error.h"

/*
 * Put terminal fd in raw mode: no echo, no line editing, no signals from
 * keys (^C goes to the container), no output processing. The previous
 * settings come back with term_restore, at exit, or on SIGINT, SIGTERM or
 * SIGHUP (after which the signal does what it would have done).
 */
int term_raw(int fd, struct keep_error **err);

/* Undo term_raw; does nothing when raw mode is not on. Signal safe. */
void term_restore(void);

/* The window size of terminal fd; -1 when it has none. */
int term_size(int fd, unsigned *rows, unsigned *cols);

/*
 * A descriptor that becomes readable after each SIGWINCH (read it empty),
 * or -1 when none could be made. Valid until exit.
 */
int term_winch_fd(void);

#endif
