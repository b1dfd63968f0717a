# The CLI test library, sourced by tests/cli/tNNNN-*.sh (git's t/ style).
#
#   . "$(dirname "$0")/lib.sh"
#   need_engine
#   test_expect_success 'what a user relies on' '
#       keep save dev1 &&
#       ...
#   '
#   test_done
#
# Every test runs the real keep binary ($KEEP_BIN) with a fresh KEEP_HOME in
# a temporary folder, against the real engine. Containers, images and volumes
# made through the helpers below are removed at the end.
#
# A file cannot pass on nothing (tests/README.md): it fails when it runs no
# test, ends before test_done, leaves a process of its own running, or when
# a sanitizer reported anything, even from a command whose exit status it
# ignored. A skip (skip_all, test_skip) says why; under CI=true it is a
# failure.

set -u

KEEP_SOURCE_DIR=${KEEP_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
KEEP_BIN=${KEEP_BIN:-$KEEP_SOURCE_DIR/build/keep}
. "$KEEP_SOURCE_DIR/tests/harness/engine.sh"

TEST_NAME=$(basename "$0" .sh)
TEST_DIR=$(mktemp -d "${TMPDIR:-/tmp}/keep-$TEST_NAME.XXXXXX")
export KEEP_HOME="$TEST_DIR/home"
export HOME="$TEST_DIR/user"
mkdir -p "$HOME"
# Test bodies write scratch files (out, err ...) into the current folder.
cd "$TEST_DIR" || exit 1
# Each test file's engine objects carry this prefix, so they never collide.
PREFIX="kt$$"
test_count=0
test_failed=0
test_skipped=0
# Set by test_done and skip_all: a file that ends without either stopped
# early, whatever its exit status.
test_finished=
# What to remove at the end, one "kind name" per line. A file, not an array:
# run_container is called in $(...) and test bodies run in subshells.
CLEANUP_LIST="$TEST_DIR/.cleanup"
: >"$CLEANUP_LIST"

# Under the sanitizer build, LSan would add a banner to stderr on exit.
export LSAN_OPTIONS=${LSAN_OPTIONS:-print_suppressions=0}
# Sanitizer reports go to files the harness reads after each test
# (sanitizer_reports), so a report fails the test even from a command whose
# status is not checked. A plain build ignores these variables.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$TEST_DIR/sanitizer"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$TEST_DIR/sanitizer"
# Every program this file starts carries this in its environment: whatever
# still runs with it at the end was left behind (leaked_processes).
export KEEP_TEST_TOKEN="$TEST_DIR"

# KEEP_VALGRIND=1 runs every keep under valgrind: any memory error or
# definite leak makes the command exit 99 (scripts/test.sh does it for
# one file). The valgrind build is the plain one, not the sanitizer build.
if [ "${KEEP_VALGRIND:-}" = 1 ]; then
	keep() {
		valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=definite --show-leak-kinds=definite \
			"$KEEP_BIN" "$@"
	}
else
	keep() { "$KEEP_BIN" "$@"; }
fi

say() { printf '# %s\n' "$*"; }

# quietly CMD...: run a command whose output matters only if it fails (an
# install in a container, a setup save): its output is kept, and shown
# with the command if it fails, so that no failure goes without a word.
quietly() {
	"$@" >"$TEST_DIR/quietly.log" 2>&1 && return
	echo "failed: $*"
	tail -n 20 "$TEST_DIR/quietly.log"
	return 1
}

# keep_commands: the commands keep --help lists, one a line. Fails when
# keep --help fails or lists none, which a loop over $(keep --help ...)
# would not notice.
keep_commands() {
	local help
	help=$(keep --help) || { echo "keep --help failed"; return 1; }
	printf '%s\n' "$help" | sed -n '/^commands:/,/^$/p' | awk 'NR > 1 && NF { print $1 }' | grep .
}

# keep_pid ARGS...: run keep (never under valgrind) as a child whose pid is
# known, for checks on what that one run made (verify's temporary image is
# keep-verify:PID-SEQ): other tests share the engine. Sets KEEP_PID; returns
# keep's status.
keep_pid() {
	"$KEEP_BIN" "$@" &
	KEEP_PID=$!
	wait "$KEEP_PID"
}

cleanup() {
	local kind name ids leaked lib_exit=
	stop_second_engine
	stop_registry
	# Containers first (images and volumes in use cannot go), including any
	# made with the test prefix that nobody registered.
	$DOCKER ps -aq --filter "name=^/$PREFIX-" 2>/dev/null | xargs -r $DOCKER rm -f -v >/dev/null 2>&1
	while read -r kind name; do
		[ "$kind" = container ] && $DOCKER rm -f -v "$name" >/dev/null 2>&1
	done <"$CLEANUP_LIST"
	while read -r kind name; do
		case "$kind" in
		image) $DOCKER rmi -f "$name" >/dev/null 2>&1;;
		volume) $DOCKER volume rm -f "$name" >/dev/null 2>&1;;
		esac
	done <"$CLEANUP_LIST"
	# Images keep committed for this test's containers, and the package
	# rebuilds it left as build cache. (`docker images --format` has no
	# .Labels: one inspect asks all of them, as the engine holds every
	# test's images.)
	for l in io.keep.container io.keep.rebuild; do
		ids=$($DOCKER images -q --filter "label=$l" 2>/dev/null | sort -u)
		[ -z "$ids" ] ||
			$DOCKER image inspect -f "{{.Id}} {{index .Config.Labels \"$l\"}}" $ids 2>/dev/null |
			while read -r id label; do
				case "$label" in "$PREFIX" | "$PREFIX"[!0-9]*) echo "$id";; esac
			done | xargs -r $DOCKER rmi -f >/dev/null 2>&1
	done
	# The file's own verdicts, which the exit status must carry: a trap
	# that calls cleanup has lost the status the file exited with, so
	# these exit 1 themselves.
	leaked=$(leaked_processes)
	if [ -z "$test_finished" ]; then
		echo "Bail out! $TEST_NAME ended before test_done"
		lib_exit=1
	fi
	if [ -n "$leaked" ]; then
		echo "Bail out! $TEST_NAME left processes running (now killed):"
		printf '%s\n' "$leaked" | sed 's/^/#   /'
		lib_exit=1
	fi
	if sanitizer_reports "at the end of $TEST_NAME"; then
		lib_exit=1
	fi
	[ -n "${KEEP_TEST_KEEP_DIR:-}" ] || rm -rf "$TEST_DIR"
	[ -z "$lib_exit" ] || exit "$lib_exit"
}
trap cleanup EXIT

# leaked_processes: "PID command line" of each process still running that
# this file started (its environment holds KEEP_TEST_TOKEN), after a
# moment for those just sent a signal; each is killed. The shell and its
# subshells were not started with the token, and grep runs without it.
leaked_processes() {
	local files f pid i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		files=$(env -u KEEP_TEST_TOKEN grep -lzx "KEEP_TEST_TOKEN=$KEEP_TEST_TOKEN" \
			/proc/[0-9]*/environ 2>/dev/null)
		[ -z "$files" ] && return 0
		sleep 0.2
	done
	for f in $files; do
		pid=${f#/proc/}
		pid=${pid%/environ}
		printf '%s %s\n' "$pid" "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)"
		kill -9 "$pid" 2>/dev/null
	done
}

# sanitizer_reports WHERE: print and set aside the sanitizer reports
# written since the last call; 0 when there were any.
sanitizer_reports() {
	local f found=1
	for f in "$TEST_DIR"/sanitizer.*; do
		[ -e "$f" ] || continue
		echo "# sanitizer report${1:+ $1}: ${f##*/}"
		sed 's/^/#   /' "$f"
		mv "$f" "$TEST_DIR/seen-${f##*/}"
		found=0
	done
	return $found
}

# The CI runner (.ci/run) sets CI=true: there, nothing may skip.
under_ci() { [ "${CI:-}" = true ]; }

# skip_all REASON: the whole file cannot run here. TAP's "1..0 # SKIP" and
# exit 77 (ctest's SKIP_RETURN_CODE); under CI=true a failure instead.
skip_all() {
	test_finished=1
	skip_note "$TEST_NAME: $*"
	if under_ci; then
		echo "Bail out! $* (under CI=true a skip is a failure)"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 77
}

# test_skip REASON, inside a test body: this test cannot run here; it ends
# the body. Reported "ok N # SKIP", and under CI=true "not ok".
test_skip() {
	printf '%s\n' "$*" >"$TEST_DIR/skip.$test_count"
	exit 0
}

# skip_note TEXT: one line for the suite's closing count (scripts/test.sh).
skip_note() {
	[ -z "${KEEP_SKIP_LOG:-}" ] || printf '%s\n' "$*" >>"$KEEP_SKIP_LOG"
}

# Skip the whole file when no engine answers (a failure under CI=true).
need_engine() {
	engine_up || skip_all "no Docker engine reachable"
}

need_base_image() {
	need_engine
	$DOCKER image inspect "$KEEP_TEST_BASE" >/dev/null 2>&1 ||
		skip_all "base image $KEEP_TEST_BASE missing (scripts/setup.sh builds it)"
}

# need_tool NAME...: skip the file unless each program is installed
# (scripts/setup.sh installs them all).
need_tool() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			skip_all "$t is not installed (scripts/setup.sh installs it)"
	done
}

# container NAME [docker run options...] -- start a container kept alive with
# sleep; name gets the test prefix. Prints the full name.
run_container() {
	local name="$PREFIX-$1"; shift
	track_container "$name"
	$DOCKER run -d --name "$name" "$@" >/dev/null || return 1
	echo "$name"
}

track_container() { echo "container $1" >>"$CLEANUP_LIST"; }
track_image() { echo "image $1" >>"$CLEANUP_LIST"; }
track_volume() { echo "volume $1" >>"$CLEANUP_LIST"; }

test_expect_success() {
	local title=$1 body=$2 out skip= rc=0 start=$SECONDS
	test_count=$((test_count + 1))
	out="$TEST_DIR/out.$test_count"
	(eval "$body") >"$out" 2>&1 || rc=1
	sanitizer_reports >>"$out" && rc=1
	if [ $rc = 0 ]; then
		if [ -e "$TEST_DIR/skip.$test_count" ]; then
			skip=$(cat "$TEST_DIR/skip.$test_count")
			skip_note "$TEST_NAME $test_count: $skip"
		fi
		if [ -z "$skip" ]; then
			echo "ok $test_count - $title"
		elif under_ci; then
			test_failed=$((test_failed + 1))
			echo "not ok $test_count - $title # SKIP $skip (under CI=true a skip is a failure)"
		else
			test_skipped=$((test_skipped + 1))
			echo "ok $test_count - $title # SKIP $skip"
		fi
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $title"
		sed 's/^/#   /' "$out"
	fi
	# Where a slow file spends its time, for the suite's time budget.
	[ $((SECONDS - start)) -lt 20 ] || echo "#   took $((SECONDS - start)) s"
}

# Assert helpers, for use inside test bodies.
expect_code() {
	local want=$1; shift
	local got=0
	"$@" || got=$?
	if [ "$got" != "$want" ]; then
		echo "expected exit $want, got $got from: $*"
		return 1
	fi
}

# wal_frames FILE: the frames an SQLite write-ahead log holds, which the
# next connection to open the database reads through: those after the
# header that carry the header's salt (a restarted log keeps stale frames
# of the old salt behind the new ones).
wal_frames() {
	local wal=$1 size psize salt off n=0
	[ -s "$wal" ] || { echo 0; return; }
	size=$(stat -c %s "$wal")
	psize=$(od -An -tu1 -j8 -N4 "$wal" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }')
	salt=$(od -An -tx1 -j16 -N8 "$wal" | tr -d ' \n')
	off=32
	while [ $((off + 24 + psize)) -le "$size" ] &&
	    [ "$(od -An -tx1 -j$((off + 8)) -N8 "$wal" | tr -d ' \n')" = "$salt" ]; do
		n=$((n + 1))
		off=$((off + 24 + psize))
	done
	echo "$n"
}

expect_grep() {
	if ! grep -q -e "$1" "$2"; then
		echo "expected '$1' in $2:"
		sed 's/^/  | /' "$2"
		return 1
	fi
}

expect_no_grep() {
	if grep -q -e "$1" "$2"; then
		echo "did not expect '$1' in $2:"
		grep -n -e "$1" "$2" | sed 's/^/  | /'
		return 1
	fi
}

# test_done: the plan and the count; fails when a test failed or none ran.
test_done() {
	test_finished=1
	echo "1..$test_count"
	echo "# $test_count tests: $((test_count - test_failed - test_skipped)) passed, $test_failed failed, $test_skipped skipped"
	if [ "$test_count" -eq 0 ]; then
		echo "Bail out! $TEST_NAME ran no test"
		return 1
	fi
	[ "$test_failed" -eq 0 ]
}

# A second Docker engine on this machine, for what happens on "another
# machine" (t0061-team): start_second_engine starts a dockerd of its
# own beside the main one, with its own data and exec roots, pidfile and
# socket, no bridge and no iptables rules. Its containerd: where no
# system containerd runs (/run/containerd), dockerd starts one of its own
# whose socket and state go under that exec root; where one runs, dockerd
# uses it, and its own containerd namespaces keep its containers apart
# from the main engine's ("moby"). It waits until it answers, loads the
# test base image into it, and sets ENGINE2 (unix://SOCKET, for DOCKER_HOST or keep -H)
# and DOCKER2 (the docker command for it). The test's exit trap
# (stop_second_engine, run by cleanup) stops it and removes its data.
# Socket paths are limited to 107 bytes: the exec root and the socket live
# under a short folder of their own, whatever TMPDIR is.
ENGINE2=
DOCKER2=
start_second_engine() {
	local i ENGINE2_DIR ENGINE2_PID
	ENGINE2_DIR=$(mktemp -d /tmp/ke.XXXXXX) || return 1
	mkdir -p "$TEST_DIR/engine2"
	ENGINE2="unix://$ENGINE2_DIR/sock"
	DOCKER2="$DOCKER -H $ENGINE2"
	# Its own process group, so that stopping it reaches what it started.
	setsid dockerd --data-root "$TEST_DIR/engine2/data" \
		--exec-root "$ENGINE2_DIR/x" --pidfile "$ENGINE2_DIR/pid" \
		-H "$ENGINE2" --bridge=none --iptables=false --ip6tables=false \
		--ip-forward=false --ip-masq=false --userland-proxy=false \
		--storage-driver overlay2 --containerd-namespace "$PREFIX" \
		--containerd-plugins-namespace "$PREFIX-plugins" \
		>"$TEST_DIR/engine2/log" 2>&1 </dev/null &
	echo "engine2 $! $ENGINE2_DIR" >>"$CLEANUP_LIST"
	ENGINE2_PID=$!
	for i in $(seq 1 120); do
		$DOCKER2 version --format '{{.Server.Version}}' >/dev/null 2>&1 && break
		if ! kill -0 "$ENGINE2_PID" 2>/dev/null || [ "$i" = 120 ]; then
			echo "the second dockerd did not come up; its log:"
			tail -n 20 "$TEST_DIR/engine2/log"
			return 1
		fi
		sleep 0.5
	done
	$DOCKER save "$KEEP_TEST_BASE" | $DOCKER2 load >/dev/null
}

# stop_second_engine: remove its containers, stop it (and its containerd)
# and remove its data; a no-op when none was started. It reads what to stop
# from the cleanup list, so a start from a test body's subshell is stopped
# too.
stop_second_engine() {
	local kind pid dir data i mnt
	while read -r kind pid dir; do
		[ "$kind" = engine2 ] || continue
		data="$TEST_DIR/engine2"
		$DOCKER -H "unix://$dir/sock" ps -aq 2>/dev/null |
			xargs -r $DOCKER -H "unix://$dir/sock" rm -f -v >/dev/null 2>&1
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		# What did not stop in 20 s: its whole process group.
		kill -KILL -- "-$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		# A killed dockerd leaves its mounts behind.
		for mnt in $(awk -v d="$data/" -v x="$dir/" \
			'index($2, d) == 1 || index($2, x) == 1 { print $2 }' \
			/proc/mounts | sort -r); do
			umount -l "$mnt" 2>/dev/null
		done
		rm -rf "$data" "$dir"
	done <"$CLEANUP_LIST"
	sed -i '/^engine2 /d' "$CLEANUP_LIST"
}

# free_port: a port on 127.0.0.1 nothing listens on now (one asked for
# and closed again stays free for that moment).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A registry of the test's own, as a team runs one: Debian's
# docker-registry on 127.0.0.1 at a free port, with htpasswd auth (user
# keeper, password $REG_PASS) and its storage under $TEST_DIR. Sets REG
# (127.0.0.1:PORT) and REG_PASS; the engine speaks plain HTTP to a
# registry on 127.0.0.0/8. The test's exit trap stops it (stop_registry,
# run by cleanup). Call it outside a test body: the variables must stay.
REG=
REG_PASS=
start_registry() {
	local dir="$TEST_DIR/registry" port i
	port=$(free_port) || return 1
	REG=127.0.0.1:$port
	REG_PASS="pw-$$-$RANDOM$RANDOM"
	mkdir -p "$dir/data"
	htpasswd -Bbn keeper "$REG_PASS" >"$dir/htpasswd" || return 1
	cat >"$dir/config.yml" <<REGEOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: $REG
auth:
  htpasswd:
    realm: keep-test
    path: $dir/htpasswd
REGEOF
	docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
	echo "registry $! $dir" >>"$CLEANUP_LIST"
	for i in $(seq 1 100); do
		# 401 without the password: it answers.
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/")" = 401 ] && return 0
		sleep 0.1
	done
	echo "the registry did not come up; its log:"
	tail -n 20 "$dir/log"
	return 1
}

# stop_registry: stop what start_registry started (a no-op when nothing).
stop_registry() {
	local kind pid dir i
	while read -r kind pid dir; do
		[ "$kind" = registry ] || continue
		kill "$pid" 2>/dev/null
		for i in $(seq 1 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
	done <"$CLEANUP_LIST"
	sed -i '/^registry /d' "$CLEANUP_LIST"
}
