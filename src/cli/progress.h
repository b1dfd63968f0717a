/*
 * A spinner with elapsed time on stderr for long steps (commit, build),
 * shown only when stderr is a terminal and not under -q, so pipes and logs
 * stay quiet.
 */
#ifndef KEEP_CLI_PROGRESS_H
#define KEEP_CLI_PROGRESS_H

struct progress;

/* Start showing "what name ... 3s" until progress_stop; NULL when hidden. */
struct progress *progress_start(int quiet, const char *what, const char *name);
/*
 * Show detail after the time ("3 of 5 layers, 12.0 of 40.1 MB"), in place
 * of the last; NULL is fine for both.
 */
void progress_detail(struct progress *p, const char *detail);
/* Stop and erase the line; NULL is fine. */
void progress_stop(struct progress *p);

/* Matches save_opts.progress: ctx is a struct cli_progress_slot. */
struct cli_progress_slot {
	int quiet;
	const char *name;
	struct progress *p;
};
void progress_callback(void *slot, int begin, const char *what);

#endif
