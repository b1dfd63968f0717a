/*
 * The compose project name as compose finds it, from files in a temporary
 * folder: COMPOSE_PROJECT_NAME (environment, then .env), the compose file's
 * top-level name:, then the folder's name; all normalised.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/resolve.h"
#include "tap.h"
#include "util/xalloc.h"

static char tmp[] = "/tmp/keep-test-resolve-XXXXXX";

static void
write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	free(path);
}

static void
remove_file(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);

	unlink(path);
	free(path);
}

/* A fresh folder tmp/name; the caller frees the path. */
static char *
folder(const char *name)
{
	char *dir = xasprintf("%s/%s", tmp, name);

	if (mkdir(dir, 0700) < 0) {
		perror(dir);
		exit(1);
	}
	return dir;
}

static void
is_project(const char *dir, const char *want, const char *what)
{
	char *got = resolve_compose_project(dir);

	if (want == NULL)
		ok(got == NULL, "%s: no name (got '%s')", what, got ? got : "");
	else
		is_str(got, want, "%s", what);
	free(got);
}

static void
test_normalize(void)
{
	char *n;

	n = resolve_normalize_project("My.Project-1_x");
	is_str(n, "myproject-1_x", "normalise: lowercase, invalid characters dropped");
	free(n);
	n = resolve_normalize_project("__-Dev");
	is_str(n, "dev", "normalise: leading '_' and '-' trimmed");
	free(n);
	n = resolve_normalize_project("...");
	ok(n == NULL, "normalise: nothing left is no name");
	free(n);
}

static void
test_sources(void)
{
	char *dir = folder("My_Folder");

	is_project(dir, "my_folder", "folder name without any compose file");

	write_file(dir, "docker-compose.yml",
	    "version: '3'\nservices:\n  app:\n    image: x\n    name: inner\n");
	is_project(dir, "my_folder", "an indented name: is not the project's");

	write_file(dir, "docker-compose.yml",
	    "# top\nname: \"Web-Stack\"  # comment\nservices:\n  app: {}\n");
	is_project(dir, "web-stack", "top-level name: of docker-compose.yml, quoted");

	write_file(dir, "compose.yaml", "name: first # wins\nservices: {}\n");
	is_project(dir, "first", "compose.yaml comes before docker-compose.yml");
	remove_file(dir, "compose.yaml");

	write_file(dir, "docker-compose.yml", "name: ${PROJECT:-x}\n");
	is_project(dir, "my_folder", "an interpolated name: falls back to the folder");

	write_file(dir, ".env", "# settings\nFOO=1\nCOMPOSE_PROJECT_NAME='From.Env'\n");
	is_project(dir, "fromenv", ".env COMPOSE_PROJECT_NAME beats name:");

	write_file(dir, ".env", "export COMPOSE_PROJECT_NAME=exported\n");
	is_project(dir, "exported", ".env with export");

	write_file(dir, ".env", "COMPOSE_PROJECT_NAME=\n");
	is_project(dir, "my_folder", "an empty .env value is not a name");

	setenv("COMPOSE_PROJECT_NAME", "Env_Wins", 1);
	is_project(dir, "env_wins", "the environment beats .env");
	unsetenv("COMPOSE_PROJECT_NAME");

	remove_file(dir, ".env");
	remove_file(dir, "docker-compose.yml");
	free(dir);
}

static void
test_compose_file_env(void)
{
	char *dir = folder("caller"), *other = folder("Other-Dir");
	char *file = xasprintf("%s/stack.yml", other);

	write_file(other, "stack.yml", "services: {}\n");
	setenv("COMPOSE_FILE", file, 1);
	is_project(dir, "other-dir", "COMPOSE_FILE's folder names the project");
	write_file(other, "stack.yml", "name: named\nservices: {}\n");
	is_project(dir, "named", "COMPOSE_FILE's top-level name:");
	unsetenv("COMPOSE_FILE");
	is_project(dir, "caller", "without COMPOSE_FILE the folder again");
	remove_file(other, "stack.yml");
	free(file);
	free(dir);
	free(other);
}

int
main(void)
{
	char *cmd;

	unsetenv("COMPOSE_PROJECT_NAME");
	unsetenv("COMPOSE_FILE");
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_normalize();
	test_sources();
	test_compose_file_env();
	cmd = xasprintf("rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", tmp);
	free(cmd);
	return done_testing();
}
