#!/usr/bin/env bash
# Podman's Docker-compatible socket (Debian's podman, `podman system service`)
# with storage of the test's own. On these machines Podman can create
# containers, take files through the archive API, diff and commit, but
# cannot start them (setting the rlimits it asks for is denied), so the
# container here is created and never started.
. "$(dirname "$0")/lib.sh"
need_base_image

need_tool podman curl

PM="$TEST_DIR/pm"
SOCK="$PM/podman.sock"
PODMAN_HOST="unix://$SOCK"
mkdir -p "$PM"
podman_() { podman --root "$PM/root" --runroot "$PM/run" "$@"; }
SERVICE_PID=

stop_podman() {
	if [ -n "$SERVICE_PID" ]; then
		kill "$SERVICE_PID" 2>/dev/null
		wait "$SERVICE_PID" 2>/dev/null
	fi
	podman_ rm -fa >/dev/null 2>&1
	podman_ rmi -fa >/dev/null 2>&1
	podman_ system reset -f >/dev/null 2>&1
	cleanup
}
trap stop_podman EXIT

# skip_podman WHY: Podman itself cannot work here; the Docker tests cover
# the rest. Say exactly what failed (under CI=true this fails).
skip_podman() { skip_all "podman cannot run here: $*"; }

podman_ info >"$PM/info.log" 2>&1 || skip_podman "podman info failed: $(tail -n 1 "$PM/info.log")"
# podman itself in the background, not the podman_ function (a subshell
# whose podman child a kill of $! would leave running).
podman --root "$PM/root" --runroot "$PM/run" system service --time=0 \
	"$PODMAN_HOST" >"$PM/service.log" 2>&1 &
SERVICE_PID=$!
for _ in $(seq 1 50); do
	[ -S "$SOCK" ] && curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 && break
	kill -0 "$SERVICE_PID" 2>/dev/null || break
	sleep 0.2
done
curl -sf --unix-socket "$SOCK" http://d/_ping >/dev/null 2>&1 ||
	skip_podman "podman system service did not answer on $SOCK: $(tail -n 1 "$PM/service.log")"

# The archive API of Podman's socket, as any Docker client would use it.
api() { curl -sS -f --unix-socket "$SOCK" "$@"; }
kp() { DOCKER_HOST=$PODMAN_HOST "$KEEP_BIN" "$@"; }

C="$PREFIX-pod"
test_expect_success 'setup: the base image loaded into podman, a created container, files put in through the archive API' '
	$DOCKER save "$KEEP_TEST_BASE" | podman_ load >load.log 2>&1 || { cat load.log; exit 1; }
	podman_ create --name "$C" --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	mkdir -p put/etc put/dpkg &&
	echo "pod=1" >put/etc/pod.conf &&
	tar -C put/etc -cf etc.tar pod.conf &&
	api -X PUT -H "Content-Type: application/x-tar" --data-binary @etc.tar \
		"http://d/v1.41/containers/$C/archive?path=/etc" &&
	api -o status.tar "http://d/v1.41/containers/$C/archive?path=/var/lib/dpkg/status" &&
	tar -C put/dpkg -xf status.tar &&
	printf "%s\n" "" "Package: hello" "Status: install ok installed" "Priority: optional" \
		"Section: devel" "Installed-Size: 280" "Maintainer: Santiago Vila <sanvila@debian.org>" \
		"Architecture: amd64" "Version: 2.10-3" "Depends: libc6 (>= 2.34)" \
		"Description: example package based on GNU hello" >>put/dpkg/status &&
	sed -i "/^\$/N;/^\n\$/D" put/dpkg/status &&
	tar -C put/dpkg -cf dpkg.tar status &&
	api -X PUT -H "Content-Type: application/x-tar" --data-binary @dpkg.tar \
		"http://d/v1.41/containers/$C/archive?path=/var/lib/dpkg" &&
	mkdir -p put/log/apt &&
	printf "%s\n" "" "Start-Date: 2026-11-28  10:00:00" "Commandline: apt-get install hello" \
		"Install: hello:amd64 (2.10-3)" "End-Date: 2026-11-28  10:00:05" >put/log/apt/history.log &&
	tar -C put/log -cf log.tar apt &&
	api -X PUT -H "Content-Type: application/x-tar" --data-binary @log.tar \
		"http://d/v1.41/containers/$C/archive?path=/var/log" &&
	podman_ diff "$C" >diff.out &&
	expect_grep "/etc/pod.conf" diff.out &&
	expect_grep "/var/lib/dpkg/status" diff.out
'

test_expect_success 'keep doctor through the Podman socket says podman: yes' '
	kp doctor >out &&
	expect_grep "^engine: *$PODMAN_HOST (DOCKER_HOST)$" out &&
	expect_grep "^server: *Podman Engine " out &&
	expect_grep "^podman: *yes$" out
'

test_expect_success 'keep save on Podman: the never-started container, its package and its file' '
	kp save "$C" >out &&
	expect_grep "^saved $C #1 .*keep/$C:1: +1 dpkg, 1 file$" out &&
	podman_ image exists "keep/$C:1" &&
	test "$(podman_ image inspect -f "{{index .Labels \"io.keep.container\"}}" "keep/$C:1")" = "$C"
'

test_expect_success 'keep show lists the file and the package; Podman-injected env is not the container'"'"'s' '
	kp show "$C" >out &&
	expect_grep "/etc/pod.conf" out &&
	expect_grep "hello" out &&
	kp show --json "$C" >show.json &&
	test "$(jq -r ".packages[] | select(.name==\"hello\") | .version" show.json)" = 2.10-3 &&
	test "$(jq -r ".packages[] | select(.name==\"hello\") | .change" show.json)" = added &&
	test "$(jq -r "[.files[].path] | join(\" \")" show.json)" = /etc/pod.conf &&
	test "$(jq -r "[.env[].name] | map(select(. == \"container\" or . == \"HOSTNAME\" or . == \"HOME\" or . == \"TERM\")) | length" show.json)" = 0 &&
	test "$(jq -r ".engine" show.json)" = "$PODMAN_HOST"
'

test_expect_success 'a second save with nothing changed is unchanged' '
	kp save "$C" >out &&
	test "$(cat out)" = "$C: unchanged since #1"
'

test_expect_success 'the same name on Docker is another catalog row, with its own engine' '
	c=$(run_container pod --network none "$KEEP_TEST_BASE" sleep infinity) &&
	keep save "$c" >out &&
	expect_grep "^saved $c #1 " out &&
	keep ls --json >ls.json &&
	test "$(jq "[.[] | select(.name==\"$C\")] | length" ls.json)" = 2 &&
	test "$(jq -r ".[] | select(.name==\"$C\" and .engine==\"$PODMAN_HOST\") | .last_seq" ls.json)" = 1 &&
	kp show "$C" >out && expect_grep "/etc/pod.conf" out &&
	keep show "$C" >out && expect_no_grep "/etc/pod.conf" out
'
track_container "$C"

test_expect_success 'keep to-dockerfile on Podman: pinned by image ID (no localhost/ digest), the package, no Podman env' '
	kp to-dockerfile "$C" >Dockerfile &&
	expect_grep "^FROM sha256:" Dockerfile &&
	expect_no_grep "localhost/.*@sha256" Dockerfile &&
	expect_grep "hello=2.10-3" Dockerfile &&
	expect_no_grep "^ENV \(container\|HOSTNAME\|HOME\|TERM\)=" Dockerfile
'

# Whether Podman can start containers here decides what resume must do.
podman_ create --name "$PREFIX-probe" --network none "$KEEP_TEST_BASE" true >/dev/null 2>&1
if podman_ start "$PREFIX-probe" >/dev/null 2>"$PM/start.err"; then
	test_expect_success 'keep resume -d on Podman starts the container' '
		kp resume -d "$C" >out 2>err &&
		test "$(podman_ inspect -f "{{.State.Running}}" "$C")" = true
	'
else
	# Podman's own words, e.g. "... setting rlimit type 7: operation
	# not permitted: OCI permission denied": keep must carry them.
	REASON=$(sed -n "s/^Error: //p" "$PM/start.err" | tail -n 1 | awk -F": " "{print \$NF}")
	test_expect_success "keep resume -d on Podman fails with one line carrying Podman's reason ($REASON)" '
		test -n "$REASON" &&
		expect_code 1 kp resume -d "$C" >out 2>err &&
		test "$(wc -l <err)" -eq 1 &&
		expect_grep "^keep: " err &&
		expect_grep "$REASON" err
	'
fi

test_done
