#include "cli/progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

struct progress {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
	char *label;
	char *detail;		/* progress_detail's, or NULL */
	struct timespec start;
};

static double
elapsed(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) +
	    (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void *
spin(void *arg)
{
	static const char frames[] = "|/-\\";
	struct progress *p = arg;
	unsigned i = 0;

	pthread_mutex_lock(&p->lock);
	while (!p->done) {
		struct timespec until;

		fprintf(stderr, "\r%c %s %.0fs %s\033[K", frames[i++ % 4],
		    p->label, elapsed(&p->start), p->detail ? p->detail : "");
		fflush(stderr);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 150 * 1000 * 1000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&p->cond, &p->lock, &until);
	}
	/* Erase the line so the result line starts clean. */
	fprintf(stderr, "\r\033[K");
	fflush(stderr);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct progress *
progress_start(int quiet, const char *what, const char *name)
{
	struct progress *p;

	if (quiet || !isatty(STDERR_FILENO))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->label = xasprintf("%s %s", what, name);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	if (pthread_create(&p->thread, NULL, spin, p) != 0) {
		free(p->label);
		free(p);
		return NULL; /* no spinner is no failure */
	}
	return p;
}

void
progress_stop(struct progress *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->done = 1;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p->label);
	free(p->detail);
	free(p);
}

void
progress_callback(void *slot, int begin, const char *what)
{
	struct cli_progress_slot *s = slot;

	if (begin) {
		s->p = progress_start(s->quiet, what, s->name);
	} else {
		progress_stop(s->p);
		s->p = NULL;
	}
}

void
progress_detail(struct progress *p, const char *detail)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	free(p->detail);
	p->detail = detail ? xstrdup(detail) : NULL;
	pthread_mutex_unlock(&p->lock);
}
