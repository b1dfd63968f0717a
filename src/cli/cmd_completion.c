/*
 * keep completion bash|zsh: a shell completion script generated from the
 * command table and the commands' option tables, so it never falls behind
 * them. Tracked names come from `keep completion --names` at completion
 * time (one per line, from the catalog), so the script needs no jq.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/snapshots.h"
#include "cli/cli.h"
#include "core/paths.h"
#include "util/xalloc.h"

static int names;		/* --names */

const struct cli_option completion_options[] = {
	{ .kind = CLI_OPT_FLAG, .long_name = "names", .to.flag = &names,
	  .usage = CLI_USAGE_HIDDEN,	/* the scripts' own, no shell */
	  .help = "print the tracked names, one per line (used by the scripts)" },
	CLI_END,
};

/*
 * keep's global options (main.c parses them). Those with a value are
 * listed apart, so the script does not complete a command in their place.
 */
static const char global_flags[] = "-q --quiet --no-color --version -h --help";
static const char global_valued[] = "-H --host --context --recipes";

/* Every option of cmd, space separated; valued ones only when valued. */
static void
print_options(const struct cli_command *cmd, int valued)
{
	const char *sep = "";

	for (const struct cli_option *o = cmd->options; o->kind; o++) {
		if (o->kind == CLI_OPT_REST || (valued && o->arg == NULL))
			continue;
		if (o->short_name) {
			printf("%s-%c", sep, o->short_name);
			sep = " ";
		}
		printf("%s--%s", sep, o->long_name);
		sep = " ";
	}
	if (!valued)
		printf("%s-h --help", sep);
}

/*
 * After an option that takes one of a few values (--format), those
 * values: a case on "COMMAND OPTION".
 */
static void
print_choices(void)
{
	int any = 0;

	for (const struct cli_command *c = cli_commands; c->name; c++)
		for (const struct cli_option *o = c->options; o->kind; o++) {
			if (o->choices == NULL)
				continue;
			if (!any)
				printf("\tcase \"$cmd $prev\" in\n");
			any = 1;
			printf("\t\"%s --%s\"", c->name, o->long_name);
			if (o->short_name)
				printf(" | \"%s -%c\"", c->name, o->short_name);
			printf(")\n\t\tCOMPREPLY=($(compgen -W \"%s\" -- "
			    "\"$cur\"))\n\t\treturn 0;;\n", o->choices);
		}
	if (any)
		printf("\tesac\n");
}

/* Whether cmd's arguments are tracked names. */
static int
takes_name(const struct cli_command *cmd)
{
	return strstr(cmd->operands, "NAME") != NULL;
}

/*
 * The bash function. zsh runs it too, through bashcompinit: one script
 * body for both shells, so they complete the same.
 */
static void
print_bash_function(void)
{
	printf("_keep_names() {\n"
	    "\t\"${COMP_WORDS[0]}\" completion --names 2>/dev/null\n"
	    "}\n\n");
	printf("_keep() {\n"
	    "\t# bashcompinit gives zsh bash's 0-based COMP_WORDS.\n"
	    "\t[ -n \"${ZSH_VERSION-}\" ] && setopt localoptions ksharrays\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=\n"
	    "\tlocal i=1 cmd= opts= valued= names=\n"
	    "\t[ \"$COMP_CWORD\" -gt 0 ] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tCOMPREPLY=()\n"
	    "\t# The command is the first word that is neither a global option\n"
	    "\t# nor a global option's value.\n"
	    "\twhile [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
	    "\t\tcase \" %s \" in\n"
	    "\t\t*\" ${COMP_WORDS[i]} \"*) i=$((i + 2)); continue;;\n"
	    "\t\tesac\n"
	    "\t\tcase ${COMP_WORDS[i]} in\n"
	    "\t\t-*) i=$((i + 1));;\n"
	    "\t\t*) cmd=${COMP_WORDS[i]}; break;;\n"
	    "\t\tesac\n"
	    "\tdone\n", global_valued);
	printf("\tif [ -z \"$cmd\" ]; then\n"
	    "\t\tcase \" %s \" in *\" $prev \"*) return 0;; esac\n"
	    "\t\tcase $cur in\n"
	    "\t\t-*) COMPREPLY=($(compgen -W \"%s %s\" -- \"$cur\"));;\n"
	    "\t\t*) COMPREPLY=($(compgen -W \"",
	    global_valued, global_flags, global_valued);
	for (const struct cli_command *c = cli_commands; c->name; c++)
		printf("%s%s", c == cli_commands ? "" : " ", c->name);
	printf("\" -- \"$cur\"));;\n"
	    "\t\tesac\n"
	    "\t\treturn 0\n"
	    "\tfi\n"
	    "\t# After \"--\" come the words of a command to run: leave them be.\n"
	    "\tfor ((i = i + 1; i < COMP_CWORD; i++)); do\n"
	    "\t\t[ \"${COMP_WORDS[i]}\" = -- ] && return 0\n"
	    "\tdone\n"
	    "\tcase $cmd in\n");
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		printf("\t%s)\n\t\topts=\"", c->name);
		print_options(c, 0);
		printf("\"\n\t\tvalued=\"");
		print_options(c, 1);
		printf("\"\n");
		if (takes_name(c))
			printf("\t\tnames=1\n");
		printf("\t\t;;\n");
	}
	printf("\t*) return 0;;\n"
	    "\tesac\n");
	print_choices();
	printf("\tcase \" $valued \" in *\" $prev \"*) return 0;; esac\n"
	    "\tif [[ $cur == -* ]]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$opts\" -- \"$cur\"))\n"
	    "\telif [ \"$cmd\" = help ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		printf("%s%s", c == cli_commands ? "" : " ", c->name);
	printf("\" -- \"$cur\"))\n"
	    "\telif [ \"$cmd\" = completion ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"bash zsh\" -- \"$cur\"))\n"
	    "\telif [ -n \"$names\" ]; then\n"
	    "\t\tCOMPREPLY=($(compgen -W \"$(_keep_names)\" -- \"$cur\"))\n"
	    "\tfi\n"
	    "\treturn 0\n"
	    "}\n\n");
}

static void
print_bash(void)
{
	printf("# bash completion for keep. Load it with\n"
	    "#   source <(keep completion bash)\n"
	    "# or save it as /usr/share/bash-completion/completions/keep.\n\n");
	print_bash_function();
	printf("complete -F _keep keep\n");
}

static void
print_zsh(void)
{
	printf("#compdef keep\n"
	    "# zsh completion for keep. Load it with\n"
	    "#   source <(keep completion zsh)\n"
	    "# or save it as _keep in a folder of $fpath.\n\n"
	    "autoload -U +X bashcompinit && bashcompinit\n\n");
	print_bash_function();
	printf("complete -F _keep keep\n");
}

/* Tracked names, each once (two engines may track one name). */
static int
print_names(struct cli_ctx *ctx, struct keep_error **err)
{
	struct catalog_entries ents = { 0 };
	cleanup_free char *db = NULL;
	struct catalog *cat;
	struct stat st;

	/* Completing must not create a catalog where there is none. */
	if (ctx->home == NULL && (ctx->home = keep_home_dir(err)) == NULL)
		return -1;
	db = xasprintf("%s/catalog.db", ctx->home);
	if (stat(db, &st) < 0)
		return 0;
	if (cli_catalog(ctx, &cat, err) < 0 || catalog_list(cat, &ents, err) < 0)
		return -1;
	for (size_t i = 0; i < ents.n; i++) {
		size_t k;

		for (k = 0; k < i; k++)
			if (strcmp(ents.v[k].name, ents.v[i].name) == 0)
				break;
		if (k == i)
			printf("%s\n", ents.v[i].name);
	}
	catalog_entries_release(&ents);
	return 0;
}

int
cmd_completion(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct cli_words args;
	int rc;

	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (names) {
		if (args.n)
			return cli_usage_error(err, self,
			    "--names takes no shell");
		return print_names(ctx, err);
	}
	if (args.n != 1)
		return cli_usage_error(err, self, args.n ?
		    "too many arguments" : "which shell? bash or zsh");
	if (strcmp(args.v[0], "bash") == 0)
		print_bash();
	else if (strcmp(args.v[0], "zsh") == 0)
		print_zsh();
	else
		return cli_usage_error(err, self,
		    "no completion for shell '%s': bash or zsh", args.v[0]);
	return 0;
}
