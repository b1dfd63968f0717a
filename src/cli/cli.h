/*
 * The command-line front end. Each command lives in src/cli/cmd_<verb>.c,
 * declares its options in one table (which drives parsing, the usage line,
 * --help and the completion script), parses, calls the core library and
 * prints. Only main prints errors.
 */
#ifndef KEEP_CLI_CLI_H
#define KEEP_CLI_CLI_H

#include <stdio.h>

#include "util/error.h"
#include "util/strv.h"

struct catalog;
struct engine;

/* Global state shared by commands; resources are opened on first use. */
struct cli_ctx {
	const char *host_flag;		/* -H/--host */
	const char *context_flag;	/* --context */
	const char *recipes_flag;	/* --recipes */
	int quiet;			/* -q */
	char *home;			/* keep's data directory */
	struct catalog *catalog;
	struct engine *engine;
	int exit_status;		/* a command's own status (resume: the shell's) */
};

/* Open the engine on first use (resolving -H/--context/env). */
int cli_engine(struct cli_ctx *ctx, struct engine **out, struct keep_error **err);
/*
 * The engine host snapshots are filed under (engine_endpoint's host),
 * without connecting; NULL when -H/--context/the environment name none
 * that resolves. Caller frees.
 */
char *cli_engine_host(struct cli_ctx *ctx);
/* Open (creating) the catalog on first use. */
int cli_catalog(struct cli_ctx *ctx, struct catalog **out, struct keep_error **err);
/*
 * Both, side by side: the catalog opens (SQLite's start, the migration
 * check) while the engine answers its ping. The engine's error first.
 */
int cli_engine_catalog(struct cli_ctx *ctx, struct engine **e,
    struct catalog **cat, struct keep_error **err);

/*
 * The proxy variables of keep's own environment that are set, appended to
 * out: build args for the builds keep makes (Docker's predefined ones,
 * never baked into the image).
 */
void cli_proxy_build_args(struct kvv *out);

/*
 * One option of a command, an entry of the command's table. Its kind says
 * what the value is and where it goes; the same table parses argv, prints
 * the usage line and `keep CMD --help`, and feeds the completion script.
 * Write entries with the CLI_FLAG ... macros below. The tables are static
 * (help and completion read every command's), so what they point at is
 * too: one file-scope struct per command, as git's builtins do.
 */
enum cli_option_kind {
	CLI_OPT_END = 0,	/* ends the table */
	CLI_OPT_FLAG,		/* sets *flag to 1 */
	CLI_OPT_STRING,		/* sets *string to its value */
	CLI_OPT_NUMBER,		/* sets *number to its value, a positive int */
	CLI_OPT_LIST,		/* appends its value to *list; repeatable */
	CLI_OPT_REST,		/* sets *rest to the words after "--" */
};

/*
 * How an entry shows in the usage line: HIDDEN not at all (it is still in
 * the option list), OR_NEXT as one choice with the next entry, as in
 * "[-o FILE | --context DIR]".
 */
enum {
	CLI_USAGE_HIDDEN = 1 << 0,
	CLI_USAGE_OR_NEXT = 1 << 1,
};

/* Words of argv: the operands, or what follows "--". */
struct cli_words {
	char **v;
	int n;
};

struct cli_option {
	enum cli_option_kind kind;
	int short_name;		/* its letter, or 0 */
	const char *long_name;	/* without "--"; NULL for CLI_OPT_REST */
	const char *arg;	/* the value's name in help ("N"); NULL: a flag */
	const char *help;
	union {
		int *flag;
		const char **string;
		int *number;
		struct strv *list;
		struct cli_words *rest;
	} to;
	unsigned usage;		/* CLI_USAGE_* */
	/*
	 * CLI_OPT_STRING: the values it takes, space separated ("cyclonedx
	 * spdx"), or NULL for any. Another value is a usage error; the
	 * completion script offers these.
	 */
	const char *choices;
};

#define CLI_FLAG(s, l, var, h) \
	{ .kind = CLI_OPT_FLAG, .short_name = (s), .long_name = (l), \
	  .help = (h), .to.flag = (var) }
#define CLI_STRING(s, l, a, var, h) \
	{ .kind = CLI_OPT_STRING, .short_name = (s), .long_name = (l), \
	  .arg = (a), .help = (h), .to.string = (var) }
/* A string option that takes one of choices (see struct cli_option). */
#define CLI_CHOICE(s, l, a, choices_, var, h) \
	{ .kind = CLI_OPT_STRING, .short_name = (s), .long_name = (l), \
	  .arg = (a), .help = (h), .to.string = (var), .choices = (choices_) }
#define CLI_NUMBER(s, l, a, var, h) \
	{ .kind = CLI_OPT_NUMBER, .short_name = (s), .long_name = (l), \
	  .arg = (a), .help = (h), .to.number = (var) }
#define CLI_LIST(s, l, a, var, h) \
	{ .kind = CLI_OPT_LIST, .short_name = (s), .long_name = (l), \
	  .arg = (a), .help = (h), .to.list = (var) }
/* The words after "--", shown as "[-- a]" at the end of the usage line. */
#define CLI_REST(a, var) \
	{ .kind = CLI_OPT_REST, .arg = (a), .to.rest = (var) }
#define CLI_END { .kind = CLI_OPT_END }

/* Options several commands share, so that each means the same everywhere. */
#define CLI_OPTION_AT(var, h) CLI_NUMBER(0, "at", "N", var, h)
#define CLI_OPTION_JSON(var, h) CLI_FLAG(0, "json", var, h)
#define CLI_OPTION_PROJECT(var) \
	CLI_STRING('p', "project", "PROJECT", var, \
	    "compose project NAME is a service of")
#define CLI_OPTION_INDEX(var) \
	CLI_NUMBER(0, "index", "N", var, "replica of a scaled compose service")
#define CLI_OPTION_APT_SNAPSHOT(var) \
	CLI_STRING(0, "apt-snapshot", "WHEN", var, \
	    "apt pins use the snapshot archive: fallback (default), always, never")
#define CLI_OPTION_APT_SNAPSHOT_URL(var) \
	CLI_STRING(0, "apt-snapshot-url", "URL", var, \
	    "the snapshot archive's base URL (default each distribution's own)")

struct cli_command {
	const char *name;
	/* self is this entry of the command table. */
	int (*run)(struct cli_ctx *ctx, const struct cli_command *self,
	    int argc, char **argv, struct keep_error **err);
	const char *summary;		/* one line for `keep help` */
	const char *operands;		/* ends the usage line: "NAME [A [B]]" */
	const struct cli_option *options;	/* ends with CLI_END */
	const char *description;	/* a paragraph for `keep CMD --help`, or NULL */
};

/* The command table (main.c). */
extern const struct cli_command cli_commands[];
const struct cli_command *cli_command_find(const char *name);

/* Print `keep CMD --help` to f. */
void cli_print_command_help(FILE *f, const struct cli_command *cmd);

/*
 * Parse argv (argv[0] is the command's name) by cmd's option table,
 * storing each option given through its entry. Options may follow the
 * operands, as with git; "--" ends them, and when the table has a
 * CLI_OPT_REST entry, the words after "--" are its. -h/--help prints the
 * command's help. Returns 0 with the operands in *operands (pointing into
 * argv), 1 when help was printed (the command is done), -1 with a usage
 * error for an unknown option or a bad value.
 */
int cli_parse(const struct cli_command *cmd, int argc, char **argv,
    struct cli_words *operands, struct keep_error **err);

/*
 * The single NAME operand of a command that takes exactly one, or NULL
 * with a usage error.
 */
const char *cli_one_name(const struct cli_command *cmd,
    const struct cli_words *operands, struct keep_error **err);

/* A usage error for cmd: "CMD: <why>; see 'keep CMD --help'". */
int cli_usage_error(struct keep_error **err, const struct cli_command *cmd,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Parse a positive decimal number that fits an int: what is its name in
 * the error ("--at", "A"). Returns 0 or a usage error.
 */
int cli_parse_number(const struct cli_command *cmd, const char *what,
    const char *arg, int *out, struct keep_error **err);

/*
 * Everything keep prints that it did not write itself goes through these:
 * secrets hidden (model/secrets.h), then control characters (C1 ones too)
 * and invalid UTF-8 escaped (util/text.h), so that neither a token nor a
 * terminal escape from inside a container reaches the screen.
 */
void cli_put(FILE *f, const char *s);
/* One line of printf text through cli_put as a whole, then a newline. */
void cli_line(FILE *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* "keep: warning: MSG" on stderr, MSG through cli_put. */
void cli_warn(const char *msg);
/* "keep: MSG" on stderr, MSG through cli_put: how main reports an error. */
void cli_error(const char *msg);
/* Print a JSON document to stdout, its strings through the redactor. */
struct jout;
void cli_print_json(struct jout *j);

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

struct prune_result;
/*
 * What keep prune did (or would do, dry_run) to the snapshots of name, a
 * line each and the disk freed; shared by prune and save (KEEP_RETAIN).
 */
void cli_prune_report(FILE *f, const char *name,
    const struct prune_result *r, int dry_run);

/* keep push's options; --images goes on in cli_push_images. */
struct push_cli_opts {
	int images;
	const char *registry;
	int json;
};
extern struct push_cli_opts push_opt;
/* keep push --images [NAME...]: args are the NAMEs (cmd_push_images.c). */
int cli_push_images(struct cli_ctx *ctx, const struct cli_command *self,
    const struct cli_words *args, struct keep_error **err);

/* Commands. */
int cmd_completion(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_doctor(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_save(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_log(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_diff(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_prune(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_find(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_push(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_pull(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_clone(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_ls(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_sbom(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_show(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_status(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_to_dockerfile(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_verify(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_resume(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_help(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);
int cmd_version(struct cli_ctx *ctx, const struct cli_command *self,
    int argc, char **argv, struct keep_error **err);

#endif
