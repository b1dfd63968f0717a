#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/paths.h"
#include "engine/engine.h"
#include "util/buf.h"
#include "util/xalloc.h"

int
cli_engine(struct cli_ctx *ctx, struct engine **out, struct keep_error **err)
{
	struct engine_endpoint ep = { 0 };
	int rc;

	if (ctx->engine == NULL) {
		if (engine_endpoint_resolve(ctx->host_flag, ctx->context_flag,
		    &ep, err) < 0)
			return -1;
		rc = engine_open(&ep, &ctx->engine, err);
		engine_endpoint_release(&ep);
		if (rc < 0)
			return -1;
	}
	*out = ctx->engine;
	return 0;
}

int
cli_catalog(struct cli_ctx *ctx, struct catalog **out, struct keep_error **err)
{
	if (ctx->catalog == NULL) {
		if (ctx->home == NULL && (ctx->home = keep_home_dir(err)) == NULL)
			return -1;
		if (catalog_open(ctx->home, &ctx->catalog, err) < 0)
			return -1;
	}
	*out = ctx->catalog;
	return 0;
}

struct catalog_job {
	struct cli_ctx *ctx;
	struct keep_error *err;
	int rc;
};

static void *
catalog_thread(void *arg)
{
	struct catalog_job *j = arg;

	j->rc = catalog_open(j->ctx->home, &j->ctx->catalog, &j->err);
	return NULL;
}

int
cli_engine_catalog(struct cli_ctx *ctx, struct engine **e,
    struct catalog **cat, struct keep_error **err)
{
	struct catalog_job job = { ctx, NULL, 0 };
	pthread_t t;
	int threaded = 0, rc;

	if (ctx->catalog == NULL && ctx->engine == NULL) {
		if (ctx->home == NULL && (ctx->home = keep_home_dir(err)) == NULL)
			return -1;
		threaded = pthread_create(&t, NULL, catalog_thread, &job) == 0;
	}
	rc = cli_engine(ctx, e, err);
	if (threaded) {
		pthread_join(t, NULL);
		if (job.rc < 0 && rc == 0) {
			*err = job.err;
			return -1;
		}
		keep_error_free(job.err);
	}
	return rc < 0 ? -1 : cli_catalog(ctx, cat, err);
}

const struct cli_command *
cli_command_find(const char *name)
{
	for (const struct cli_command *c = cli_commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void
cli_print_command_help(FILE *f, const struct cli_command *cmd)
{
	fprintf(f, "usage: keep %s%s%s\n\n%s\n", cmd->name,
	    cmd->synopsis[0] ? " " : "", cmd->synopsis, cmd->summary);
	if (cmd->description)
		fprintf(f, "\n%s\n", cmd->description);
	fprintf(f, "\noptions:\n");
	for (const struct cli_option *o = cmd->options; o && o->long_name; o++) {
		struct buf b = BUF_INIT;

		if (o->id > 0 && o->id < 256)
			buf_printf(&b, "-%c, ", o->id);
		else
			buf_addstr(&b, "    ");
		buf_printf(&b, "--%s", o->long_name);
		if (o->arg)
			buf_printf(&b, " %s", o->arg);
		fprintf(f, "  %-24s %s\n", buf_cstr(&b), o->help);
		buf_release(&b);
	}
	fprintf(f, "  %-24s %s\n", "-h, --help", "show this help");
}

struct parser_state {
	struct option *longopts;
	char *shortopts;
};

void
cli_parser_init(struct cli_parser *p, const struct cli_command *cmd,
    int argc, char **argv)
{
	struct parser_state *st = xcalloc(1, sizeof(*st));
	struct buf shorts = BUF_INIT;
	size_t n = 0, i = 0;

	for (const struct cli_option *o = cmd->options; o && o->long_name; o++)
		n++;
	st->longopts = xcalloc(n + 2, sizeof(*st->longopts));
	/* Options may follow NAME, as with git; "--" ends them, so
	 * `resume NAME -- CMD -x` leaves -x to CMD. ':' reports a missing
	 * argument distinctly. */
	buf_addstr(&shorts, ":h");
	for (const struct cli_option *o = cmd->options; o && o->long_name; o++) {
		st->longopts[i].name = o->long_name;
		st->longopts[i].has_arg = o->arg ? required_argument : no_argument;
		st->longopts[i].val = o->id;
		i++;
		if (o->id > 0 && o->id < 256) {
			buf_addch(&shorts, (char)o->id);
			if (o->arg)
				buf_addch(&shorts, ':');
		}
	}
	st->longopts[i].name = "help";
	st->longopts[i].val = 'h';
	st->shortopts = buf_detach(&shorts, NULL);
	p->cmd = cmd;
	p->argc = argc;
	p->argv = argv;
	p->optind = 1;
	p->help = 0;
	p->state = st;
	optind = 0; /* full reinitialisation of getopt */
	opterr = 0;
}

int
cli_next(struct cli_parser *p, const char **arg, struct keep_error **err)
{
	struct parser_state *st = p->state;
	int c;

	c = getopt_long(p->argc, p->argv, st->shortopts, st->longopts, NULL);
	p->optind = optind;
	*arg = optarg;
	switch (c) {
	case -1:
		return 0;
	case 'h':
		cli_print_command_help(stdout, p->cmd);
		p->help = 1;
		return 0;
	case ':':
		return cli_usage_error(err, p->cmd, "option '%s' needs a value",
		    p->argv[optind - 1]);
	case '?':
		if (optopt > 0 && optopt < 256)
			return cli_usage_error(err, p->cmd,
			    "unknown option '-%c'", optopt);
		return cli_usage_error(err, p->cmd, "unknown option '%s'",
		    p->argv[optind - 1]);
	default:
		return c;
	}
}

void
cli_parser_release(struct cli_parser *p)
{
	struct parser_state *st = p->state;

	if (st == NULL)
		return;
	free(st->longopts);
	free(st->shortopts);
	free(st);
	p->state = NULL;
}

int
cli_usage_error(struct keep_error **err, const struct cli_command *cmd,
    const char *fmt, ...)
{
	va_list ap;
	cleanup_free char *why = NULL;

	va_start(ap, fmt);
	why = xvasprintf(fmt, ap);
	va_end(ap);
	if (cmd == NULL)
		return keep_error_set(err, KEEP_ERR_USAGE,
		    "%s; see 'keep --help'", why);
	return keep_error_set(err, KEEP_ERR_USAGE,
	    "%s: %s; see 'keep %s --help'", cmd->name, why, cmd->name);
}

int
cli_parse_uint(const struct cli_command *cmd, const char *opt,
    const char *arg, long *out, struct keep_error **err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || v <= 0)
		return cli_usage_error(err, cmd,
		    "%s wants a positive number, not '%s'", opt, arg);
	*out = v;
	return 0;
}

int
cli_flush_stdout(struct keep_error **err)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		/* A reader that went away (keep ls | head) is not our failure. */
		if (errno == EPIPE)
			return 0;
		return keep_error_set(err, KEEP_ERR_FAILED,
		    "cannot write to standard output: %s", strerror(errno));
	}
	return 0;
}

int
cli_shared_option(const struct cli_command *cmd, int opt, const char *arg,
    struct cli_shared *sh, struct keep_error **err)
{
	long v;

	switch (opt) {
	case CLI_OPT_AT:
		return cli_parse_uint(cmd, "--at", arg, &sh->at, err) < 0 ? -1 : 1;
	case CLI_OPT_INDEX:
		if (cli_parse_uint(cmd, "--index", arg, &v, err) < 0)
			return -1;
		sh->ropts.index = (int)v;
		return 1;
	case CLI_OPT_JSON:
		sh->json = 1;
		return 1;
	case 'p':
		sh->ropts.project = arg;
		return 1;
	default:
		return 0;
	}
}

const char *
cli_one_name(const struct cli_command *cmd, const struct cli_parser *p,
    struct keep_error **err)
{
	if (p->argc - p->optind == 1)
		return p->argv[p->optind];
	cli_usage_error(err, cmd, p->argc - p->optind ? "too many arguments" :
	    "which container? give its NAME");
	return NULL;
}

int
cli_parse_shared(const struct cli_command *cmd, int argc, char **argv,
    struct cli_shared *sh, struct cli_parser *p, struct keep_error **err)
{
	const char *arg;
	int opt;

	cli_parser_init(p, cmd, argc, argv);
	while ((opt = cli_next(p, &arg, err)) > 0)
		if (cli_shared_option(cmd, opt, arg, sh, err) <= 0) {
			/* An option in the table that is not a shared one is
			 * a programming error: report it as unknown. */
			if (*err == NULL)
				cli_usage_error(err, cmd, "unhandled option");
			opt = -1;
			break;
		}
	cli_parser_release(p);
	if (opt < 0)
		return -1;
	return p->help ? 1 : 0;
}
