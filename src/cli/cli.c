#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "core/paths.h"
#include "engine/engine.h"
#include "model/secrets.h"
#include "util/buf.h"
#include "util/jout.h"
#include "util/text.h"
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

/* The usage line wraps before a word that would pass this column. */
enum { USAGE_WIDTH = 80 };

struct usage_line {
	FILE *f;
	size_t col;
	size_t indent;		/* where continuation lines start */
};

static void
usage_word(struct usage_line *u, const char *word)
{
	size_t n = strlen(word);

	if (u->col > u->indent && u->col + 1 + n > USAGE_WIDTH) {
		fprintf(u->f, "\n%*s", (int)u->indent, "");
		u->col = u->indent;
	}
	fprintf(u->f, " %s", word);
	u->col += 1 + n;
}

/*
 * "usage: keep CMD [-x ARG]... OPERANDS [-- REST]": the options in table
 * order, the short name where there is one, as the man page's synopsis.
 */
static void
print_usage(FILE *f, const struct cli_command *cmd)
{
	struct usage_line u = { f, 0, 0 };
	cleanup_buf struct buf word = BUF_INIT;
	const struct cli_option *o;

	fprintf(f, "usage: keep %s", cmd->name);
	u.col = u.indent = strlen("usage: keep ") + strlen(cmd->name);
	for (o = cmd->options; o->kind; o++) {
		if (o->kind == CLI_OPT_REST || (o->usage & CLI_USAGE_HIDDEN))
			continue;
		buf_addstr(&word, word.len ? " | " : "[");
		if (o->short_name)
			buf_printf(&word, "-%c", o->short_name);
		else
			buf_printf(&word, "--%s", o->long_name);
		if (o->arg)
			buf_printf(&word, " %s", o->arg);
		if (o->usage & CLI_USAGE_OR_NEXT)
			continue;
		buf_addstr(&word, o->kind == CLI_OPT_LIST ? "]..." : "]");
		usage_word(&u, buf_cstr(&word));
		buf_truncate(&word, 0);
	}
	if (cmd->operands[0])
		usage_word(&u, cmd->operands);
	for (o = cmd->options; o->kind; o++)
		if (o->kind == CLI_OPT_REST) {
			buf_truncate(&word, 0);
			buf_printf(&word, "[-- %s]", o->arg);
			usage_word(&u, buf_cstr(&word));
		}
	fputc('\n', f);
}

void
cli_print_command_help(FILE *f, const struct cli_command *cmd)
{
	print_usage(f, cmd);
	fprintf(f, "\n%s\n", cmd->summary);
	if (cmd->description)
		fprintf(f, "\n%s\n", cmd->description);
	fprintf(f, "\noptions:\n");
	for (const struct cli_option *o = cmd->options; o->kind; o++) {
		struct buf b = BUF_INIT;

		if (o->kind == CLI_OPT_REST)
			continue;
		if (o->short_name)
			buf_printf(&b, "-%c, ", o->short_name);
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

/* Whether arg is one of the space-separated words of choices. */
static int
cli_choice_valid(const char *choices, const char *arg)
{
	size_t n = strlen(arg);

	for (const char *p = choices; *p; ) {
		size_t w = strcspn(p, " ");

		if (w == n && n > 0 && strncmp(p, arg, n) == 0)
			return 1;
		p += w;
		p += strspn(p, " ");
	}
	return 0;
}

/* Store an option's value where its entry points. */
static int
store_option(const struct cli_command *cmd, const struct cli_option *o,
    const char *arg, struct keep_error **err)
{
	cleanup_free char *what = NULL;

	switch (o->kind) {
	case CLI_OPT_FLAG:
		*o->to.flag = 1;
		return 0;
	case CLI_OPT_STRING:
		if (o->choices && !cli_choice_valid(o->choices, arg))
			return cli_usage_error(err, cmd, "--%s takes one of: %s; "
			    "not '%s'", o->long_name, o->choices, arg);
		*o->to.string = arg;
		return 0;
	case CLI_OPT_NUMBER:
		what = xasprintf("--%s", o->long_name);
		return cli_parse_number(cmd, what, arg, o->to.number, err);
	case CLI_OPT_LIST:
		strv_push(o->to.list, arg);
		return 0;
	default:
		/* getopt_long never answers with the others. */
		return 0;
	}
}

int
cli_parse(const struct cli_command *cmd, int argc, char **argv,
    struct cli_words *operands, struct keep_error **err)
{
	const struct cli_option *opts = cmd->options, *o, *rest = NULL;
	cleanup_free struct option *longopts = NULL;
	cleanup_free char **given = NULL;
	cleanup_buf struct buf shorts = BUF_INIT;
	const char *value = NULL;
	size_t n = 0, nlong = 0;
	int c;

	for (o = opts; o->kind; o++)
		n++;
	longopts = xcalloc(n + 2, sizeof(*longopts));
	/* ':' reports a missing value apart from an unknown option. */
	buf_addstr(&shorts, ":h");
	for (size_t i = 0; i < n; i++) {
		o = &opts[i];
		if (o->kind == CLI_OPT_REST) {
			rest = o;
			continue;
		}
		/* A long option answers 256 + its entry's index. */
		longopts[nlong].name = o->long_name;
		longopts[nlong].has_arg = o->arg ? required_argument :
		    no_argument;
		longopts[nlong].val = 256 + (int)i;
		nlong++;
		if (o->short_name) {
			buf_addch(&shorts, (char)o->short_name);
			if (o->arg)
				buf_addch(&shorts, ':');
		}
	}
	longopts[nlong].name = "help";
	longopts[nlong].val = 'h';
	/* getopt_long reorders argv; where "--" stood tells the rest apart. */
	given = xcalloc((size_t)argc, sizeof(*given));
	memcpy(given, argv, (size_t)argc * sizeof(*given));

	optind = 0; /* full reinitialisation of getopt */
	opterr = 0;
	while ((c = getopt_long(argc, argv, buf_cstr(&shorts), longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'h':
			cli_print_command_help(stdout, cmd);
			return 1;
		case ':':
			return cli_usage_error(err, cmd,
			    "option '%s' needs a value", argv[optind - 1]);
		case '?':
			if (optopt > 0 && optopt < 256)
				return cli_usage_error(err, cmd,
				    "unknown option '-%c'", optopt);
			return cli_usage_error(err, cmd, "unknown option '%s'",
			    argv[optind - 1]);
		}
		if (c >= 256)
			o = &opts[c - 256];
		else
			for (o = opts; o->short_name != c; o++)
				;
		if (store_option(cmd, o, optarg, err) < 0)
			return -1;
		value = optarg;
	}
	operands->v = argv + optind;
	operands->n = argc - optind;
	/*
	 * getopt_long leaves a "--" right before the operands, and the words
	 * that followed it at the end, as they were. A "--" there that was
	 * the last option's value is no separator.
	 */
	if (rest && optind > 1 && strcmp(argv[optind - 1], "--") == 0 &&
	    argv[optind - 1] != value) {
		int at = 0;

		while (given[at] != argv[optind - 1])
			at++;
		rest->to.rest->v = argv + at + 1;
		rest->to.rest->n = argc - at - 1;
		operands->n -= rest->to.rest->n;
	}
	return 0;
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
cli_parse_number(const struct cli_command *cmd, const char *what,
    const char *arg, int *out, struct keep_error **err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end != '\0' || v <= 0 || v > INT_MAX)
		return cli_usage_error(err, cmd,
		    "%s wants a positive number, not '%s'", what, arg);
	*out = (int)v;
	return 0;
}

void
cli_put(FILE *f, const char *s)
{
	cleanup_free char *r = secrets_redact(s);
	struct buf b = BUF_INIT;

	/* Messages quote names in their printable form already. */
	text_printable(&b, r, TEXT_KEEP_BACKSLASH);
	fputs(buf_cstr(&b), f);
	buf_release(&b);
}

void
cli_line(FILE *f, const char *fmt, ...)
{
	va_list ap;
	cleanup_free char *text = NULL;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	cli_put(f, text);
	fputc('\n', f);
}

void
cli_warn(const char *msg)
{
	fputs("keep: warning: ", stderr);
	cli_put(stderr, msg);
	fputc('\n', stderr);
}

void
cli_error(const char *msg)
{
	fputs("keep: ", stderr);
	cli_put(stderr, msg);
	fputc('\n', stderr);
}

static char *
redact_string(const char *key, const char *s)
{
	char *r = secrets_redact(s);

	(void)key;
	if (strcmp(r, s) != 0)
		return r;
	free(r);
	return NULL;
}

void
cli_print_json(struct jout *j)
{
	jout_map_strings(j, redact_string);
	jout_print(j, stdout);
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

const char *
cli_one_name(const struct cli_command *cmd, const struct cli_words *operands,
    struct keep_error **err)
{
	if (operands->n == 1)
		return operands->v[0];
	cli_usage_error(err, cmd, operands->n ? "too many arguments" :
	    "which container? give its NAME");
	return NULL;
}

void
cli_proxy_build_args(struct kvv *out)
{
	static const char *const names[] = {
		"HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "FTP_PROXY", "ALL_PROXY",
		"http_proxy", "https_proxy", "no_proxy", "ftp_proxy", "all_proxy",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = getenv(names[i]);

		if (v && v[0])
			kvv_push(out, names[i], v);
	}
}
