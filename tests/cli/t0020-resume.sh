#!/usr/bin/env bash
# keep resume against the real engine: a user gets back into the same
# container, or, when it was removed, into a recreated one with everything
# it had: packages, env, workdir, bind mounts and named volumes.
. "$(dirname "$0")/lib.sh"
need_base_image

mkdir -p "$TEST_DIR/bind"
echo "hello from the host" >"$TEST_DIR/bind/hello"
VOL="$PREFIX-data"
track_volume "$VOL"

test_expect_success 'a stopped container restarts in place: same id, running' '
	c=$(run_container stopped --network none "$KEEP_TEST_BASE" sleep infinity) &&
	id=$($DOCKER inspect -f "{{.Id}}" "$c") &&
	$DOCKER stop -t 0 "$c" >/dev/null &&
	keep resume -d "$c" 2>err &&
	test "$(cat err)" = "restarted $c" &&
	test "$($DOCKER inspect -f "{{.Id}} {{.State.Status}}" "$c")" = "$id running" &&
	keep resume -d "$c" 2>err &&
	test "$(cat err)" = "$c is running" &&
	keep -q resume -d "$c" 2>err &&
	test ! -s err
'

test_expect_success 'a paused container is unpaused' '
	c=$PREFIX-stopped &&
	$DOCKER pause "$c" >/dev/null &&
	keep resume -d "$c" 2>err &&
	test "$(cat err)" = "unpaused $c" &&
	test "$($DOCKER inspect -f "{{.State.Status}}" "$c")" = running
'

test_expect_success 'setup: a container with a bind mount, a named volume, env, workdir and jq' '
	c=$(run_container dev --network host -v "$TEST_DIR/bind:/work" -v "$VOL:/data" \
		-w /work -e MODE=dev -e API_TOKEN=s3cr3t --tmpfs /scratch:size=8m \
		-l com.example.team=ml --restart unless-stopped \
		"$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "echo in-volume >/data/v.txt" &&
	quietly $DOCKER exec "$c" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$c" jq --version &&
	keep save "$c" >out &&
	expect_grep "^saved $c #1 " out
'
C=$PREFIX-dev

test_expect_success 'a removed container comes back running with all of it' '
	old=$($DOCKER inspect -f "{{.Id}}" "$C") &&
	$DOCKER rm -f "$C" >/dev/null &&
	keep resume -d "$C" 2>err &&
	test "$(cat err)" = "recreated $C from keep/$C:1" &&
	test "$($DOCKER inspect -f "{{.State.Status}}" "$C")" = running &&
	test "$($DOCKER inspect -f "{{.Id}}" "$C")" != "$old" &&
	test "$($DOCKER inspect -f "{{.Config.Image}}" "$C")" = "keep/$C:1" &&
	$DOCKER exec "$C" jq --version &&
	test "$($DOCKER exec "$C" cat /work/hello)" = "hello from the host" &&
	test "$($DOCKER exec "$C" cat /data/v.txt)" = in-volume &&
	test "$($DOCKER exec "$C" pwd)" = /work &&
	test "$($DOCKER exec "$C" sh -c "echo \$MODE \$API_TOKEN")" = "dev s3cr3t" &&
	$DOCKER exec "$C" sh -c "mount | grep -q \" /scratch type tmpfs\"" &&
	test "$($DOCKER inspect -f "{{index .Config.Labels \"com.example.team\"}}" "$C")" = ml &&
	test "$($DOCKER inspect -f "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.NetworkMode}}" "$C")" = "unless-stopped host"
'

test_expect_success 'the recreated container is resumed in place the next time' '
	id=$($DOCKER inspect -f "{{.Id}}" "$C") &&
	$DOCKER stop -t 0 "$C" >/dev/null &&
	keep resume -d "$C" 2>err &&
	test "$(cat err)" = "restarted $C" &&
	test "$($DOCKER inspect -f "{{.Id}}" "$C")" = "$id"
'

test_expect_success 'resume NAME -- CMD: output, exit code, stdout and stderr apart, stdin passed' '
	expect_code 7 keep resume "$C" -- sh -c "cat /work/hello; echo to-stderr >&2; exit 7" >out 2>err </dev/null &&
	test "$(cat out)" = "hello from the host" &&
	expect_grep "^to-stderr$" err &&
	expect_no_grep "to-stderr" out &&
	expect_no_grep "hello from the host" err &&
	printf "line1\nline2\n" | keep -q resume "$C" -- sh -c "wc -l; cat >/dev/null" >out &&
	test "$(cat out)" = 2 &&
	head -c 100000 /dev/urandom >blob &&
	keep -q resume "$C" -- cat <blob >blob.out &&
	cmp blob blob.out
'

test_expect_success 'the command runs as the configured user in the workdir' '
	c=$(run_container user --network none -u 1000:1000 -w /tmp "$KEEP_TEST_BASE" sleep infinity) &&
	test "$(keep -q resume "$c" -- sh -c "id -u; pwd" </dev/null | tr "\n" " ")" = "1000 /tmp "
'

test_expect_success 'a missing named volume is an error unless --create-volumes' '
	$DOCKER rm -f "$C" >/dev/null &&
	$DOCKER volume rm "$VOL" >/dev/null &&
	expect_code 1 keep resume -d "$C" 2>err &&
	expect_grep "volume .$VOL. of .$C. no longer exists" err &&
	expect_grep "create-volumes" err &&
	test -z "$($DOCKER ps -aq --filter "name=^/$C\$")" &&
	keep resume --create-volumes -d "$C" 2>err &&
	expect_grep "^created empty volume $VOL$" err &&
	expect_grep "^recreated $C from keep/$C:1$" err &&
	test "$($DOCKER exec "$C" sh -c "ls -A /data | wc -l")" = 0
'

test_expect_success 'a name taken by another container is refused' '
	$DOCKER rm -f "$C" >/dev/null &&
	$DOCKER run -d --name "$C" --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	other=$($DOCKER inspect -f "{{.Id}}" "$C") &&
	expect_code 1 keep resume -d "$C" 2>err &&
	expect_grep "name .$C. is taken by another container" err &&
	test "$($DOCKER inspect -f "{{.Id}}" "$C")" = "$other" &&
	$DOCKER rm -f "$C" >/dev/null
'

test_expect_success '--at N recreates from an older snapshot' '
	c=$(run_container at --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "echo one >/etc/marker" && keep save "$c" >/dev/null &&
	$DOCKER exec "$c" sh -c "echo two >/etc/marker2" && keep save "$c" >out &&
	expect_grep "^saved $c #2 " out &&
	$DOCKER rm -f "$c" >/dev/null &&
	keep resume --at 1 -d "$c" 2>err &&
	test "$(cat err)" = "recreated $c from keep/$c:1" &&
	test "$($DOCKER exec "$c" cat /etc/marker)" = one &&
	$DOCKER exec "$c" test ! -e /etc/marker2
'

test_expect_success '--from-recipe recreates from a build of the recipe' '
	c=$PREFIX-at &&
	track_image "keep/$c:2-recipe" &&
	$DOCKER rm -f "$c" >/dev/null &&
	keep resume --from-recipe -d "$c" 2>err &&
	expect_grep "^recreated $c from keep/$c:2-recipe$" err &&
	test "$($DOCKER exec "$c" cat /etc/marker2)" = two &&
	keep resume -d "$c" 2>err &&
	test "$(cat err)" = "$c is running"
'

test_expect_success 'under a terminal: a shell runs typed input, its status is keep'"'"'s, the terminal is restored' '
	command -v script >/dev/null &&
	c=$PREFIX-stopped &&
	$DOCKER stop -t 0 "$c" >/dev/null &&
	cat >session.sh <<-EOF &&
	stty -g >"$TEST_DIR/stty.before"
	"$KEEP_BIN" resume "$c"
	echo "\$?" >"$TEST_DIR/status"
	stty -g >"$TEST_DIR/stty.after"
	EOF
	{ sleep 2; printf "echo typed-\$((6*7)) \$(tty)\nexit 5\n"; sleep 1; } |
		script -qfec "sh session.sh" /dev/null >pty.out 2>&1 &&
	test "$(cat "$TEST_DIR/status")" = 5 &&
	expect_grep "restarted $c" pty.out &&
	expect_grep "typed-42 /dev/pts/" pty.out &&
	test -s "$TEST_DIR/stty.before" &&
	test "$(cat "$TEST_DIR/stty.before")" = "$(cat "$TEST_DIR/stty.after")"
'

test_expect_success 'under a terminal: -- CMD gets a TTY; --shell chooses the shell' '
	c=$PREFIX-stopped &&
	script -qfec "\"$KEEP_BIN\" -q resume $c -- sh -c \"test -t 0 && test -t 1 && echo has-tty\"" /dev/null >pty.out 2>&1 &&
	expect_grep "has-tty" pty.out &&
	{ sleep 2; printf "echo \$0\nexit 3\n"; sleep 1; } |
		script -qfec "\"$KEEP_BIN\" -q resume --shell sh $c" /dev/null >pty.out 2>&1
	test $? = 3 &&
	expect_grep "^sh" pty.out
'

test_expect_success 'no container and no snapshot: one clear line, exit 1; bad usage exits 2' '
	expect_code 1 keep resume -d "$PREFIX-nosuch" 2>err &&
	expect_grep "$PREFIX-nosuch" err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_code 2 keep resume 2>err &&
	expect_code 2 keep resume "$C" extra 2>err &&
	expect_grep "after .--." err &&
	expect_code 2 keep resume "$C" -- 2>err &&
	expect_code 2 keep resume -d "$C" -- true 2>err
'

test_done
