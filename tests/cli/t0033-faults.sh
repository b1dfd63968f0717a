#!/usr/bin/env bash
# A faulty engine (tests/fault/fault_engine.py on a unix socket in the test
# folder) answers with errors, truncated bodies, garbage JSON, slow answers,
# hang-ups, or disappears mid-command. Every command exits 1 with one clear
# line, or does its job; none changes the catalog or leaves a pending save.
. "$(dirname "$0")/lib.sh"
need_base_image
need_tool python3

FAULT=$KEEP_SOURCE_DIR/tests/fault/fault_engine.py
SOCK=$TEST_DIR/fault.sock
# The server is started inside test bodies, which are subshells: its pid
# lives in a file, so that the next start_fault and the end of the file
# find it.
FAULT_PID=$TEST_DIR/fault.pid
FAULT_LOG=$TEST_DIR/fault.log

# start_fault MODE [PATTERN]: serve the fault on $SOCK; other requests reach
# the real engine. $FAULT_LOG holds what this server saw (see fired).
start_fault() {
	stop_fault
	rm -f "$SOCK"
	python3 "$FAULT" "$SOCK" "$@" 2>"$FAULT_LOG" &
	echo $! >"$FAULT_PID"
	for _ in $(seq 1 50); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	echo "fault server did not start"; return 1
}

stop_fault() {
	local pid
	[ -s "$FAULT_PID" ] || return 0
	pid=$(cat "$FAULT_PID")
	rm -f "$FAULT_PID"
	kill "$pid" 2>/dev/null
	# wait reaps it when this shell started it; else it is init's.
	wait "$pid" 2>/dev/null
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "fault server $pid does not stop"; return 1
}
trap 'stop_fault; cleanup' EXIT

# fired MODE [STAGE]: the server answered a request (of STAGE, an extended
# regular expression over "METHOD PATH") with the fault MODE: a failure
# that never reached the fault proves nothing about it.
fired() {
	sed -n "s/^fault: $1 //p" "$FAULT_LOG" | grep -Eq -- "${2:-.}" && return 0
	echo "no '$1' fault fired${2:+ at '$2'}; the fault server saw:"
	sed 's/^/  | /' "$FAULT_LOG"
	return 1
}

# passed STAGE: a request of STAGE went through to the real engine.
passed() {
	sed -n "s/^pass: //p" "$FAULT_LOG" | grep -Eq -- "$1" && return 0
	echo "no request of '$1' went through; the fault server saw:"
	sed 's/^/  | /' "$FAULT_LOG"
	return 1
}

# fkeep ARGS: keep against the fault server, bounded in time.
fkeep() { timeout 60 env DOCKER_HOST="unix://$SOCK" "$KEEP_BIN" "$@"; }

catalog_state() {
	sqlite3 "$KEEP_HOME/catalog.db" .dump | sha256sum
	git -C "$KEEP_HOME/recipes" rev-parse HEAD
}

# one_line_failure CMD...: exit 1, exactly one line on stderr, starting
# with "keep: ", and the catalog and recipe repository are unchanged.
one_line_failure() {
	catalog_state >state.before
	got=0
	"$@" >out 2>err || got=$?
	catalog_state >state.after
	if [ "$got" != 1 ] || [ "$(wc -l <err)" != 1 ] || ! grep -q "^keep: " err; then
		echo "expected exit 1 and one 'keep:' line from: $*; got exit $got:"
		sed 's/^/  | /' err
		return 1
	fi
	if ! cmp -s state.before state.after; then
		echo "the catalog changed under: $*"; return 1
	fi
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM pending_saves")" = 0
}

test_expect_success 'setup: a container with one snapshot, and a new change' '
	c=$(run_container f --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" touch /etc/one &&
	keep save "$c" >/dev/null &&
	$DOCKER exec "$c" touch /etc/two
'
C=$PREFIX-f
docker_id() { $DOCKER inspect -f '{{.Id}}' "$1" | cut -c1-12; }

# Where a save talks to the engine. The container is named by an
# ID prefix, so that it is looked for in the list of containers (an exact
# name is asked for directly), and KEEP_CHANGES=engine: the fault socket is
# local, so keep would read the change list from the container's layer and
# never ask for /changes.
STAGES='_ping|GET /v[0-9.]*/containers/json|/containers/[^/]*/json|/images/[^/]*/json|/changes|POST /v[0-9.]*/commit'

# Every fault at every stage is 42 saves: KEEP_TEST_FAULTS_ALL=1 runs them
# all; by default each stage gets two faults, rotating, to keep CI short.
# Each test checks that the fault fired at its stage, and past _ping that
# the calls before it went through (else all would fail at _ping).
MODES=(error truncated garbage badjson hangup die)
IFS="|" read -r -a STAGE_LIST <<<"$STAGES"
for i in "${!STAGE_LIST[@]}"; do
	stage=${STAGE_LIST[$i]}
	before=true
	[ "$i" = 0 ] || before="passed _ping"
	if [ "${KEEP_TEST_FAULTS_ALL:-}" = 1 ]; then
		modes=("${MODES[@]}")
	else
		modes=("${MODES[$((i % 6))]}" "${MODES[$(((i + 3) % 6))]}")
	fi
	for mode in "${modes[@]}"; do
		# /_ping has no JSON body: only its headers count.
		case $mode/$stage in garbage/_ping|badjson/_ping) continue;; esac
		test_expect_success "engine fault '$mode' at '$stage': save fails in one line, changes nothing" '
			start_fault '"$mode"' "'"$stage"'" &&
			export KEEP_CHANGES=engine &&
			one_line_failure fkeep save "$(docker_id "$C")" &&
			'"$before"' &&
			fired '"$mode"' "'"$stage"'"
		'
	done
done

for mode in error truncated garbage hangup die; do
	test_expect_success "engine fault '$mode' on every call: doctor, save, show, log, ls fail in one line or work from the catalog" '
		start_fault '"$mode"' &&
		one_line_failure fkeep doctor && fired '"$mode"' &&
		start_fault '"$mode"' && one_line_failure fkeep save "$C" && fired '"$mode"' &&
		for cmd in "show $C" "log $C" "ls"; do
			start_fault '"$mode"' &&
			got=0 && { fkeep $cmd >out 2>err || got=$?; } &&
			if [ $got = 0 ]; then
				test -s out && test "$(wc -l <err)" -le 1
			else
				test $got = 1 && test "$(wc -l <err)" = 1 && grep -q "^keep: " err
			fi || { echo "$cmd: exit $got"; cat err; exit 1; }
		done
	'
done

# The catalog keys containers by engine address, so a save through the
# fault socket is another engine's: use a container never saved otherwise.
for mode in error garbage; do
	test_expect_success "a loose file the engine cannot stat ('$mode' at HEAD /archive): the save goes on" '
		a=$(run_container arch-'"$mode"' --network none "$KEEP_TEST_BASE" sleep infinity) &&
		$DOCKER exec "$a" touch /etc/arch &&
		start_fault '"$mode"' "/archive" &&
		KEEP_CHANGES=engine fkeep save "$a" >out 2>err &&
		expect_grep "^saved $a #1" out &&
		fired '"$mode"' "^HEAD .*/archive"
	'
done

test_expect_success 'a slow engine (3 s per call on inspect and commit) is waited for: the save works' '
	c=$(run_container slow --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" touch /etc/slow &&
	FAULT_DELAY=3 start_fault slow "/containers/[^/]*/json|POST /v[0-9.]*/commit" &&
	start=$(date +%s) &&
	fkeep save "$c" >out 2>err &&
	took=$(( $(date +%s) - start )) &&
	expect_grep "^saved $c #1" out &&
	fired slow "/containers/[^/]*/json" && fired slow "^POST /v[0-9.]*/commit" &&
	say "the save took $took s" && test "$took" -ge 6
'

test_expect_success 'an engine that stalls reading a file from the container: the save gives up after KEEP_STALL_TIMEOUT seconds, in one line' '
	s=$(run_container stall --network none "$KEEP_TEST_BASE" sleep infinity) &&
	quietly $DOCKER exec "$s" sh -c "apt-get purge -y -qq tzdata" &&
	start_fault stall "GET /v[0-9.]*/containers/[^/]*/archive" &&
	start=$(date +%s) &&
	# Through the layers the save reads no file through the engine.
	KEEP_CHANGES=engine KEEP_STALL_TIMEOUT=2 one_line_failure fkeep save "$s" &&
	test $(( $(date +%s) - start )) -lt 30 &&
	fired stall "/archive" &&
	expect_grep "sent nothing for 2 seconds on GET .*archive" err &&
	expect_grep "KEEP_STALL_TIMEOUT" err
'

test_expect_success 'KEEP_STALL_TIMEOUT that is not a number of seconds: exit 2, one line' '
	expect_code 2 env KEEP_STALL_TIMEOUT=soon "$KEEP_BIN" ls 2>err &&
	test "$(wc -l <err)" = 1 && expect_grep "KEEP_STALL_TIMEOUT=.soon." err
'

test_expect_success 'after every fault, the real engine saves fine and nothing was left over' '
	stop_fault &&
	keep save "$C" >out 2>err &&
	expect_grep "^saved $C #2" out &&
	expect_no_grep "left over" err &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "PRAGMA integrity_check")" = ok &&
	test "$($DOCKER images -q "keep/$C" | sort -u | wc -l)" = 2
'

test_done
