/*
 * The command-line front end. Each command lives in src/cli/cmd_<verb>.c,
 * declares its options in one table (which drives both parsing and --help),
 * parses, calls the core library and prints. Only main prints errors.
 */
#ifndef KEEP_CLI_CLI_H
#define KEEP_CLI_CLI_H

#include <stdio.h>

#include "core/resolve.h"
#include "util/error.h"

struct catalog;
struct engine;

/* Global state shared by commands; resources are opened on first use. */
struct cli_ctx {
	const char *host_flag;		/* -H/--host */
	const char *context_flag;	/* --context */
	const char *recipes_flag;	/* --recipes */
	int quiet;			/* -q */
	int no_color;			/* --no-color or NO_COLOR */
	char *home;			/* keep's data directory */
	struct catalog *catalog;
	struct engine *engine;
	int exit_status;		/* a command's own status (resume: the shell's) */
};

/* Open the engine on first use (resolving -H/--context/env). */
int cli_engine(struct cli_ctx *ctx, struct engine **out, struct keep_error **err);
/* Open (creating) the catalog on first use. */
int cli_catalog(struct cli_ctx *ctx, struct catalog **out, struct keep_error **err);
/*
 * Both, side by side: the catalog opens (SQLite's start, the migration
 * check) while the engine answers its ping. The engine's error first.
 */
int cli_engine_catalog(struct cli_ctx *ctx, struct engine **e,
    struct catalog **cat, struct keep_error **err);

struct cli_option {
	int id;			/* short option letter, or a value > 255 for long-only */
	const char *long_name;
	const char *arg;	/* argument name for help, NULL for a flag */
	const char *help;
};

struct cli_command {
	const char *name;
	int (*run)(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
	const char *summary;		/* one line for `keep help` */
	const char *synopsis;		/* "NAME [--at N]" */
	const struct cli_option *options;	/* terminated by { 0 } */
	const char *description;	/* a paragraph for `keep CMD --help`, or NULL */
};

/* The command table (main.c). */
extern const struct cli_command cli_commands[];
const struct cli_command *cli_command_find(const char *name);

/* Print `keep CMD --help` to f. */
void cli_print_command_help(FILE *f, const struct cli_command *cmd);

/*
 * Option parsing driven by the command's table. Usage:
 *	struct cli_parser p;
 *	cli_parser_init(&p, cmd, argc, argv);
 *	while ((opt = cli_next(&p, &arg, err)) > 0) switch (opt) ...
 *	if (opt < 0) return -1;		(a usage error is set)
 *	if (p.help) return 0;		(help was printed)
 *	positional arguments: argv[p.optind .. argc-1]
 * -h/--help is handled here for every command.
 */
struct cli_parser {
	const struct cli_command *cmd;
	int argc;
	char **argv;
	int optind;
	int help;
	void *state;
};

void cli_parser_init(struct cli_parser *p, const struct cli_command *cmd,
    int argc, char **argv);
int cli_next(struct cli_parser *p, const char **arg, struct keep_error **err);
void cli_parser_release(struct cli_parser *p);

/*
 * Options several commands share: put the entries in a command's option
 * table and let cli_shared_option parse them, so that each means the same
 * everywhere.
 */
enum {
	CLI_OPT_AT = 0x1000,
	CLI_OPT_INDEX,
	CLI_OPT_JSON,
};
#define CLI_OPTION_PROJECT \
	{ 'p', "project", "PROJECT", "compose project NAME is a service of" }
#define CLI_OPTION_INDEX \
	{ CLI_OPT_INDEX, "index", "N", "replica of a scaled compose service" }

struct cli_shared {
	long at;			/* --at N; 0: the latest snapshot */
	int json;			/* --json */
	struct resolve_opts ropts;	/* -p PROJECT, --index N */
};

/*
 * Store opt in sh when it is one of the shared options. Returns 1 when it
 * was, 0 when it is the command's own, -1 with a usage error for a bad
 * value.
 */
int cli_shared_option(const struct cli_command *cmd, int opt, const char *arg,
    struct cli_shared *sh, struct keep_error **err);

/*
 * Parse argv for a command whose options are all shared ones: -1 with a
 * usage error, 1 when --help was printed (the command is done), 0 to go on
 * with the positional arguments from p->optind.
 */
int cli_parse_shared(const struct cli_command *cmd, int argc, char **argv,
    struct cli_shared *sh, struct cli_parser *p, struct keep_error **err);

/*
 * The single NAME argument of a command that takes exactly one, or NULL
 * with a usage error.
 */
const char *cli_one_name(const struct cli_command *cmd,
    const struct cli_parser *p, struct keep_error **err);

/* A usage error for cmd: "'keep CMD': <why>; see 'keep CMD --help'". */
int cli_usage_error(struct keep_error **err, const struct cli_command *cmd,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Parse a positive decimal integer option argument ("--at 3"). Returns 0 or
 * a usage error naming the option.
 */
int cli_parse_uint(const struct cli_command *cmd, const char *opt,
    const char *arg, long *out, struct keep_error **err);

/* Flush stdout and report a write error (e.g. a closed pipe) as a failure. */
int cli_flush_stdout(struct keep_error **err);

struct resolve_opts;
struct snapshot;
/*
 * Load snapshot seq (0: latest) of NAME for a command that reads the
 * catalog: NAME as recorded (also when its container is gone), else what
 * the engine resolves it to. *out is released by the caller.
 */
int cli_snapshot_load(struct cli_ctx *ctx, const char *name,
    const struct resolve_opts *ropts, long seq, struct snapshot *out,
    struct keep_error **err);

/* Commands. */
int cmd_completion(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_doctor(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_save(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_log(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_diff(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_push(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_ls(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_show(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_to_dockerfile(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_verify(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_resume(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_help(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);
int cmd_version(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err);

#endif
