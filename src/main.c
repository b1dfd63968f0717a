/*
 * keep: make work done inside Docker containers durable and reproducible.
 *
 * This file holds the command table and the global options; each command is
 * src/cli/cmd_<verb>.c. Errors are printed here and only here, as
 * "keep: <message>", and mapped to exit codes: 0 ok, 1 failure, 2 usage.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "engine/engine.h"
#include "util/error.h"

extern const struct cli_option clone_options[];
extern const struct cli_option completion_options[];
extern const struct cli_option doctor_options[];
extern const struct cli_option help_options[];
extern const struct cli_option diff_options[];
extern const struct cli_option find_options[];
extern const struct cli_option log_options[];
extern const struct cli_option ls_options[];
extern const struct cli_option prune_options[];
extern const struct cli_option pull_options[];
extern const struct cli_option push_options[];
extern const struct cli_option resume_options[];
extern const struct cli_option save_options[];
extern const struct cli_option sbom_options[];
extern const struct cli_option show_options[];
extern const struct cli_option status_options[];
extern const struct cli_option to_dockerfile_options[];
extern const struct cli_option verify_options[];
extern const struct cli_option version_options[];

const struct cli_command cli_commands[] = {
	{ "save", cmd_save,
	  "snapshot a container: image, catalog entry, package diff",
	  "[NAME]",
	  save_options,
	  "NAME is a container name, a unique ID prefix, or a compose service of "
	  "the project\nin the current directory (or -p PROJECT); -p PROJECT "
	  "without NAME saves every\nservice container of the project, a line "
	  "each (exit 1 if any failed). keep commits the "
	  "container to the image\nkeep/NAME:SEQ (pausing it, as docker commit "
	  "does), records its config, mounts,\nand the packages and files it "
	  "changed against its base image. When nothing\nchanged since the last "
	  "snapshot, no image is made: 'NAME: unchanged since #N'. If\nanother "
	  "keep catalog's snapshot holds that tag, the image is "
	  "keep/NAME:SEQ-TOKEN\n(with a warning)." },
	{ "status", cmd_status,
	  "show what changed since the last save, without saving",
	  "[NAME]", status_options,
	  "Reads NAME as 'keep save' would (the same analysis: it costs about "
	  "what an\n"
	  "unchanged save does) and compares it with its latest snapshot: one "
	  "line per\n"
	  "change, A added, D removed, M changed: packages (by manager), loose "
	  "files,\n"
	  "env names, mounts, run settings, and '! image' when the name of its "
	  "image now\n"
	  "names another image. Without NAME, one line per tracked container of "
	  "the\n"
	  "engine: 'dev1: 3 packages, 12 files since #7 (2 days ago)'. Exits 0 "
	  "whatever\n"
	  "changed." },
	{ "ls", cmd_ls,
	  "list the tracked containers",
	  "", ls_options, NULL },
	{ "show", cmd_show,
	  "show one snapshot: config, mounts, packages and files",
	  "NAME", show_options,
	  "Shows the latest snapshot of NAME, or #N with --at. Values of secret "
	  "variables\n(tokens, passwords, credentials in URLs) are never shown." },
	{ "to-dockerfile", cmd_to_dockerfile,
	  "print the Dockerfile that rebuilds a snapshot",
	  "[NAME]",
	  to_dockerfile_options,
	  "Prints the recipe of the latest snapshot of NAME (or #N with --at): FROM its\n"
	  "base image pinned by digest, then its package-manager configuration (sources,\n"
	  "keys, CA certificates, npmrc, pip.conf ...), packages, files and config.\n"
	  "Credentials in that configuration become BuildKit build secrets of the\n"
	  "installs, never recipe text. Warnings (packages no index can reinstall,\n"
	  "secrets left out) go to stderr. With --context DIR, the loose files are read\n"
	  "from the snapshot's image into DIR/files/ and the Dockerfile copies them with\n"
	  "their owners and modes; first, once per snapshot, the packages are rebuilt\n"
	  "and the files their scripts make identically are left out (--no-rebuild\n"
	  "skips that). A pinned apt version the mirror has dropped is installed from\n"
	  "the distribution's snapshot archive as of the save that first recorded it\n"
	  "(--apt-snapshot WHEN: fallback, always, never). -p PROJECT --compose without\n"
	  "NAME writes DIR/compose.keep.yml (DIR: --context, else the current folder),\n"
	  "a compose override whose services build from DIR/keep/CONTAINER (or, with\n"
	  "--image, run their snapshot's image): docker compose -f compose.yml\n"
	  "-f compose.keep.yml up -d --build rebuilds the project." },
	{ "sbom", cmd_sbom,
	  "print a snapshot's software bill of materials",
	  "NAME", sbom_options,
	  "Prints the SBOM of the latest snapshot of NAME (or #N with --at) as "
	  "CycloneDX 1.5\n"
	  "or SPDX 2.3 JSON: every package of the base image that the snapshot "
	  "kept and\n"
	  "every one installed or upgraded in the container, with its manager, "
	  "version,\n"
	  "architecture and package URL (pkg:deb/debian/jq@1.6-2.1%2Bdeb12u2?"
	  "arch=amd64 ...).\n"
	  "Those the container got after its image was built, which image "
	  "scanners miss,\n"
	  "are marked: the property keep:source=container (CycloneDX), an "
	  "annotation\n"
	  "(SPDX). The distribution in the package URLs comes from the image's\n"
	  "/etc/os-release, read through the engine (without one, the URLs name "
	  "none).\n"
	  "No env or other setting of the container is in the document." },
	{ "verify", cmd_verify,
	  "rebuild a snapshot from its recipe and compare it",
	  "NAME", verify_options,
	  "Builds the recipe (with its build context, unless --no-context) through\n"
	  "the engine with host networking and the proxy variables of your\n"
	  "environment as build args, then compares the rebuilt image with the\n"
	  "snapshot's image: every package (exact version and architecture), every\n"
	  "loose file (content, mode, owner) and the config a Dockerfile carries\n"
	  "(user, workdir, env, entrypoint, cmd, exposed ports, labels). Secret and\n"
	  "proxy variables are left out on purpose and listed as such. Exits 0 only\n"
	  "when all are identical; else lists each difference with its cause and\n"
	  "exits 1. The result is recorded and 'keep show' displays it. The rebuilt\n"
	  "image is removed unless --keep-image TAG." },
	{ "log", cmd_log,
	  "list the snapshots of a container, newest first",
	  "NAME", log_options,
	  "One line per snapshot: number, date, recipe commit, what changed, note." },
	{ "diff", cmd_diff,
	  "show what changed between two snapshots",
	  "NAME [A [B]]", diff_options,
	  "Compares snapshots A and B of NAME (default: the last two; with only A,\n"
	  "A and the latest): packages added, removed and upgraded, env names,\n"
	  "mounts, loose files, and the diff of their Dockerfiles." },
	{ "prune", cmd_prune,
	  "remove the images of old snapshots; their recipes stay",
	  "NAME", prune_options,
	  "Removes the images (keep/NAME:N) of the snapshots of NAME that the "
	  "options select:\n"
	  "--keep N keeps the newest N, --older-than AGE takes only those saved "
	  "longer ago\n"
	  "(both: what both select), --all takes every one. The latest "
	  "snapshot is never\n"
	  "pruned, nor one a container was created from (the engine "
	  "refuses). A pruned\n"
	  "snapshot stays in the catalog and the recipe history: show, log, "
	  "diff and\n"
	  "to-dockerfile work as before; 'resume --at N --from-recipe' "
	  "rebuilds it. The\n"
	  "package rebuilds to-dockerfile --context and verify leave as build "
	  "cache go too,\n"
	  "all but the newest. With KEEP_RETAIN=N set, each save prunes to the "
	  "newest N." },
	{ "find", cmd_find,
	  "search every snapshot for a package, file, env name, mount or image",
	  "QUERY", find_options,
	  "Searches the whole catalog, every container and snapshot, without "
	  "the engine.\n"
	  "QUERY is a package name, or a name, a comparison (<, <=, =, !=, >=, "
	  ">) and a\n"
	  "version, compared in the package manager's own order: dpkg's for "
	  "dpkg,\n"
	  "PEP 440 for pip, semver for npm, apk's for apk ('libssl3<3.0.15'; "
	  "quote it\n"
	  "for the shell). A snapshot holds the packages of its base image "
	  "that it did\n"
	  "not remove or change, and those it installed. With --file, --env, "
	  "--mount or\n"
	  "--base, QUERY is a path in the snapshots' changes, an env "
	  "variable's name,\n"
	  "a mount's source, or a base image. Names and paths may be globs "
	  "(*, ?, [...]).\n"
	  "One line per container and what it holds, with the snapshots that "
	  "hold it.\n"
	  "Exits 1 when nothing matches, as grep does." },
	{ "push", cmd_push,
	  "push the recipe repository to a git remote (and images to a registry)",
	  "[REMOTE | NAME...]", push_options,
	  "Pushes the current branch of the recipe repository ($KEEP_HOME/recipes,\n"
	  "--recipes DIR or KEEP_RECIPES) to REMOTE (default origin), never forcing.\n"
	  "When another machine pushed first (non-fast-forward), fetches and merges\n"
	  "what it pushed, then pushes again: each container owns its folder, so\n"
	  "different containers merge cleanly. A container saved on both machines\n"
	  "keeps both histories (a merge commit whose second parent is theirs, this\n"
	  "machine's recipe in its folder) and is reported in one line; exit 1.\n"
	  "\n"
	  "With --images, first pushes the image of each snapshot of NAME... (default\n"
	  "every container saved on this engine) that still has one and is not in the\n"
	  "repository yet to --registry HOST[:PORT]/REPO (default $KEEP_REGISTRY),\n"
	  "tagged REPO:NAME-SEQ, with the credentials the docker CLI has\n"
	  "($DOCKER_CONFIG/config.json: auths, credHelpers, credsStore). Each digest\n"
	  "is recorded once its push succeeded: in the catalog, and in the recipe\n"
	  "repository as NAME/images (\"#SEQ REPO@sha256:...\") and container.json's\n"
	  "\"registry\", one commit per container; keep resume pulls it from there\n"
	  "when the image is not on the engine. Then the branch goes to origin; a\n"
	  "repository with no origin is said and skipped." },
	{ "pull", cmd_pull,
	  "merge the recipe remote, import the snapshots saved elsewhere",
	  "[REMOTE]", pull_options,
	  "Fetches REMOTE (default origin) into the recipe repository and merges it\n"
	  "as keep push does (never forcing; a container saved on both sides is\n"
	  "reported, exit 1), then imports every snapshot its history holds that\n"
	  "this catalog lacks: each 'keep: save NAME #N' commit becomes NAME #N here,\n"
	  "filed under this engine, from that commit's container.json and keep.lock\n"
	  "(and NAME/images for registry digests). ls, show, log, diff,\n"
	  "to-dockerfile, verify and status then work on them. An imported snapshot\n"
	  "has no image on this engine and no secret values: 'keep resume NAME\n"
	  "--from-recipe' builds its recipe. Importing twice changes nothing; a\n"
	  "snapshot saved here is never replaced." },
	{ "clone", cmd_clone,
	  "start the recipe repository from a remote, import its snapshots",
	  "URL", clone_options,
	  "Makes the recipe repository ($KEEP_HOME/recipes, --recipes DIR or\n"
	  "KEEP_RECIPES) a copy of the git repository at URL (its remote origin),\n"
	  "then imports its snapshots as keep pull does. Refused when the recipe\n"
	  "repository has commits already: 'keep pull' merges into it." },
	{ "resume", cmd_resume,
	  "start a container and open a shell; recreate it if it is gone",
	  "[NAME]", resume_options,
	  "Starts NAME if it is stopped (the same container), unpauses it if it is\n"
	  "paused, then opens a shell in it as its user in its workdir (bash if\n"
	  "there, else sh); the shell's exit status is keep's. If the container\n"
	  "is gone, it is recreated from its latest snapshot (or #N with --at)\n"
	  "with the same name, mounts and everything else it was run with: every\n"
	  "docker run option (GPUs, runtime, devices, limits ...), and its\n"
	  "networks with their aliases and addresses. When this engine lacks\n"
	  "one (a runtime, network, device, GPUs, a log or volume driver, a\n"
	  "container it shared a namespace with), resume names it and stops;\n"
	  "--ignore-missing SETTING (runtime, gpus, log-driver, device:PATH,\n"
	  "network:NAME, volume-driver:NAME, container:NAME) recreates it\n"
	  "without that, saying so.\n"
	  "With -- CMD ARG..., runs that command instead: with a TTY only when\n"
	  "stdin and stdout are terminals, else stdout and stderr stay apart.\n"
	  "A snapshot saved on another machine (keep pull) comes back with\n"
	  "--from-recipe: its bind sources missing here are named (--map OLD=NEW\n"
	  "mounts another folder), its secret variables too.\n"
	  "-p PROJECT without NAME brings back every saved service of the compose\n"
	  "project, each from its latest snapshot, in the order compose starts\n"
	  "them (depends_on, as compose v2 records it; else by name); no shell." },
	{ "doctor", cmd_doctor,
	  "check the engine, the catalog and the recipe repository",
	  "", doctor_options,
	  "Shows which engine keep talks to and how it was chosen, the server "
	  "and API versions,\nwhether it is Podman, the catalog's path, schema "
	  "version and integrity, and the\nrecipe repository. Exits 1 when "
	  "any of them is not usable." },
	{ "completion", cmd_completion,
	  "print a bash or zsh completion script",
	  "bash|zsh", completion_options,
	  "Completes commands, options and tracked names. Load it with\n"
	  "'source <(keep completion bash)', or save it as\n"
	  "/usr/share/bash-completion/completions/keep." },
	{ "help", cmd_help,
	  "show the commands, or one command's help",
	  "[COMMAND]", help_options, NULL },
	{ "version", cmd_version,
	  "show keep's version",
	  "", version_options, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

enum {
	OPT_CONTEXT = 256,
	OPT_RECIPES,
	OPT_NO_COLOR,
	OPT_VERSION,
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: keep [-H HOST] [--context NAME] [--recipes DIR] [-q] [--no-color]\n"
	    "            COMMAND [ARGS]\n"
	    "\n"
	    "keep snapshots Docker containers into a catalog and a git history of\n"
	    "Dockerfile recipes that rebuild them.\n"
	    "\n"
	    "commands:\n");
	for (const struct cli_command *c = cli_commands; c->name; c++)
		fprintf(f, "  %-14s %s\n", c->name, c->summary);
	fprintf(f,
	    "\n"
	    "global options:\n"
	    "  -H, --host HOST         engine to use (unix:///path or tcp://host:port)\n"
	    "      --context NAME      docker context to use\n"
	    "      --recipes DIR       recipe repository (default $KEEP_HOME/recipes)\n"
	    "  -q, --quiet             print only results and errors\n"
	    "      --no-color          accepted; keep never prints colour\n"
	    "      --version           show keep's version\n"
	    "  -h, --help              show this help\n"
	    "\n"
	    "'keep help COMMAND' or 'keep COMMAND --help' shows a command's options.\n");
}

int
cmd_help(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	const struct cli_command *cmd;
	struct cli_words args;
	int rc;

	(void)ctx;
	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (args.n == 0) {
		usage(stdout);
		return 0;
	}
	if (args.n > 1)
		return cli_usage_error(err, self, "too many arguments");
	if ((cmd = cli_command_find(args.v[0])) == NULL)
		return cli_usage_error(err, NULL, "'%s' is not a keep command",
		    args.v[0]);
	cli_print_command_help(stdout, cmd);
	return 0;
}

int
cmd_version(struct cli_ctx *ctx, const struct cli_command *self, int argc,
    char **argv, struct keep_error **err)
{
	struct cli_words args;
	int rc;

	(void)ctx;
	if ((rc = cli_parse(self, argc, argv, &args, err)) != 0)
		return rc < 0 ? -1 : 0;
	if (args.n)
		return cli_usage_error(err, self, "unexpected argument '%s'",
		    args.v[0]);
	printf("keep %s\n", KEEP_VERSION);
	return 0;
}

const struct cli_option help_options[] = { CLI_END };
const struct cli_option version_options[] = { CLI_END };

static int
run(struct cli_ctx *ctx, int argc, char **argv, struct keep_error **err)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "context", required_argument, NULL, OPT_CONTEXT },
		{ "recipes", required_argument, NULL, OPT_RECIPES },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_command *cmd;
	long stall;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:H:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'H':
			ctx->host_flag = optarg;
			break;
		case OPT_CONTEXT:
			ctx->context_flag = optarg;
			break;
		case OPT_RECIPES:
			ctx->recipes_flag = optarg;
			break;
		case 'q':
			ctx->quiet = 1;
			break;
		case OPT_NO_COLOR:
			break;	/* keep prints no colour: accepted for scripts */
		case OPT_VERSION:
			printf("keep %s\n", KEEP_VERSION);
			return cli_flush_stdout(err);
		case 'h':
			usage(stdout);
			return cli_flush_stdout(err);
		case ':':
			return cli_usage_error(err, NULL,
			    "option '%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(err, NULL, "unknown option '%s'",
			    argv[optind - 1]);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return keep_error_set(err, KEEP_ERR_USAGE, "no command given");
	}
	if ((cmd = cli_command_find(argv[optind])) == NULL)
		return cli_usage_error(err, NULL, "'%s' is not a keep command",
		    argv[optind]);
	/* A bad value is said at once, not when a command first reads a file. */
	if (engine_stall_timeout(&stall, err) < 0)
		return -1;
	if (cmd->run(ctx, cmd, argc - optind, argv + optind, err) < 0)
		return -1;
	return cli_flush_stdout(err);
}

int
main(int argc, char **argv)
{
	struct cli_ctx ctx = { 0 };
	struct keep_error *err = NULL;
	int status;

	/* A closed pipe is reported by write errors, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	run(&ctx, argc, argv, &err);
	status = err ? keep_error_exit_code(err) : ctx.exit_status;
	if (err) {
		fflush(stdout);
		cli_error(err->message);
		keep_error_free(err);
	}
	if (ctx.engine)
		engine_close(ctx.engine);
	catalog_close(ctx.catalog);
	free(ctx.home);
	return status;
}
