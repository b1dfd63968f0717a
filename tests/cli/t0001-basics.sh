#!/usr/bin/env bash
# The binary's manners: help, version, exit codes, doctor, the catalog.
. "$(dirname "$0")/lib.sh"

test_expect_success 'keep --help lists the commands and exits 0' '
	keep --help >out &&
	expect_grep "^usage: keep" out &&
	expect_grep "^  doctor " out &&
	expect_grep "^  help " out
'

test_expect_success 'every command has --help, and keep help CMD says the same' '
	keep_commands >cmds &&
	expect_grep "^to-dockerfile$" cmds &&
	for cmd in $(cat cmds); do
		keep "$cmd" --help >a || { echo "$cmd --help failed"; exit 1; }
		keep help "$cmd" >b || { echo "help $cmd failed"; exit 1; }
		cmp a b || { echo "$cmd: help differs"; exit 1; }
		expect_grep "^usage: keep $cmd" a || exit 1
	done
'

test_expect_success 'the man page renders without a warning' '
	command -v groff >/dev/null || test_skip "groff is not installed (scripts/setup.sh installs groff-base)"
	groff -man -Tutf8 -ww -z "$KEEP_SOURCE_DIR/docs/keep.1" 2>warn &&
	test ! -s warn
'

test_expect_success 'the man page documents every command and option; its synopses are the usage lines' '
	man=$KEEP_SOURCE_DIR/docs/keep.1 &&
	sed -e "s/\\\\-/-/g" -e "s/\\\\f[BIRP]//g" "$man" >man.txt &&
	keep_commands >cmds &&
	for cmd in $(cat cmds); do
		awk -v c="$cmd" "/^\\.SS /{ sec = (\$2 == \"keep\" && \$3 == c) } sec" man.txt >sec.txt &&
		test -s sec.txt || { echo "man page lacks command $cmd"; exit 1; }
		keep "$cmd" --help >help.txt || { echo "$cmd --help failed"; exit 1; }
		usage=$(sed "/^\$/q" help.txt | tr -s " \n" "  " | sed -e "s/^usage: //" -e "s/ \$//") &&
		grep -qxF ".SS $usage" man.txt || { echo "man page: the synopsis of $cmd is not: $usage"; exit 1; }
		for opt in $(sed -n "/^options:/,\$p" help.txt | grep -o -- "--[a-z][a-z-]*" | grep -vx -- --help); do
			grep -q -- "$opt" sec.txt || { echo "man page: $cmd lacks $opt"; exit 1; }
		done
	done
'

test_expect_success 'keep --version prints the version' '
	keep --version >out &&
	expect_grep "^keep [0-9][0-9.]*$" out
'

test_expect_success 'an unknown command exits 2 with one line' '
	expect_code 2 keep frobnicate 2>err &&
	expect_grep "frobnicate" err &&
	test "$(wc -l <err)" -eq 1
'

test_expect_success 'an unknown option exits 2, globally and per command' '
	expect_code 2 keep --frob doctor 2>err &&
	expect_grep "unknown option" err &&
	expect_code 2 keep doctor --frob 2>err &&
	expect_grep "doctor --help" err
'

test_expect_success 'no command is a usage error' '
	expect_code 2 keep 2>err &&
	expect_grep "no command" err
'

test_expect_success 'keep help, CMD --help and usage errors create no catalog; doctor does (0700 folder, 0600 file)' '
	rm -rf "$KEEP_HOME" &&
	keep help >/dev/null &&
	keep save --help >/dev/null &&
	keep ls --help >/dev/null &&
	expect_code 2 "$KEEP_BIN" save 2>/dev/null &&
	expect_code 2 "$KEEP_BIN" show --at x dev1 2>/dev/null &&
	test ! -e "$KEEP_HOME" &&
	DOCKER_HOST=unix:///nonexistent/docker.sock expect_code 1 keep doctor >doctor.out 2>&1 &&
	test -f "$KEEP_HOME/catalog.db" &&
	test "$(stat -c %a "$KEEP_HOME")" = 700 &&
	test "$(stat -c %a "$KEEP_HOME/catalog.db")" = 600 &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "PRAGMA user_version")" -ge 1
'

test_expect_success 'the catalog defaults to XDG_DATA_HOME/keep, then ~/.local/share/keep' '
	(unset KEEP_HOME; XDG_DATA_HOME="$TEST_DIR/xdg" DOCKER_HOST=unix:///nonexistent/docker.sock expect_code 1 keep doctor >out 2>/dev/null &&
	 expect_grep "catalog: *$TEST_DIR/xdg/keep/catalog.db" out) &&
	(unset KEEP_HOME XDG_DATA_HOME; DOCKER_HOST=unix:///nonexistent/docker.sock expect_code 1 keep doctor >out 2>/dev/null &&
	 expect_grep "catalog: *$HOME/.local/share/keep/catalog.db" out)
'

test_expect_success 'an unreachable socket: exit 1, a few lines naming it' '
	expect_code 1 env DOCKER_HOST=unix:///nonexistent/docker.sock "$KEEP_BIN" doctor >out 2>err &&
	expect_grep "/nonexistent/docker.sock" err &&
	expect_grep "dockerd" err &&
	test "$(wc -l <err)" -le 3
'

test_expect_success 'a catalog newer than keep is refused, not touched' '
	home="$TEST_DIR/newer" &&
	KEEP_HOME="$home" DOCKER_HOST=unix:///nonexistent/docker.sock expect_code 1 keep doctor >doctor.out 2>&1 &&
	sqlite3 "$home/catalog.db" "PRAGMA user_version = 999" &&
	expect_code 1 env KEEP_HOME="$home" "$KEEP_BIN" doctor >out 2>err &&
	expect_grep "schema version 999" err &&
	expect_grep "upgrade keep" err &&
	test "$(sqlite3 "$home/catalog.db" "PRAGMA user_version")" = 999
'

need_engine

test_expect_success 'doctor against the real engine shows endpoint, versions and catalog' '
	keep doctor >out &&
	expect_grep "^engine: .*(" out &&
	expect_grep "^server: .*API 1\.[0-9]" out &&
	expect_grep "^podman: *no" out &&
	expect_grep "^schema: *[1-9]" out &&
	expect_grep "^quick_check: *ok" out &&
	expect_grep "^recipes: *$KEEP_HOME/recipes" out
'

test_expect_success 'doctor --json is one object a script can read' '
	keep doctor --json >out &&
	test "$(jq -r .engine.reachable out)" = true &&
	test "$(jq -r .engine.podman out)" = false &&
	test "$(jq -r .catalog.quick_check out)" = ok &&
	test "$(jq -r .catalog.schema_version out)" -ge 1 &&
	jq -e ".engine.api_version | test(\"^1\\\\.[0-9]+$\")" out >/dev/null
'

test_expect_success 'DOCKER_HOST naming the real socket is used and reported' '
	DOCKER_HOST=unix:///var/run/docker.sock keep doctor >out &&
	expect_grep "^engine: *unix:///var/run/docker.sock (DOCKER_HOST)" out
'

test_expect_success '-H wins over DOCKER_HOST' '
	DOCKER_HOST=unix:///nonexistent/docker.sock keep -H unix:///var/run/docker.sock doctor >out &&
	expect_grep "(-H)" out
'

test_done
