#!/usr/bin/env bash
# keep in a team (issue 21): recipes through a git remote, on two engines.
# Machine 1 is the main engine with KEEP_HOME $H1; machine 2 a second
# dockerd of this test's own with KEEP_HOME $H2; the remote a bare git
# repository. Machine 1 saves and pushes, machine 2 clones, sees the
# snapshots and resumes a container from its recipe with the same packages
# and settings; pushes of both merge; the same container saved on both is
# a conflict that loses nothing.
. "$(dirname "$0")/lib.sh"
need_base_image
need_tool dockerd git jq

start_second_engine || { echo "Bail out! no second engine"; exit 1; }

REMOTE="$TEST_DIR/remote.git"
H1="$TEST_DIR/h1"
H2="$TEST_DIR/h2"
git init -q --bare "$REMOTE"
# Machine 1's folder, mounted into dev; "on machine 2" it is elsewhere.
mkdir -p "$TEST_DIR/m1src"
echo "from machine 1" >"$TEST_DIR/m1src/note"
VOL="$PREFIX-data"
track_volume "$VOL"
DEV=$PREFIX-dev
WEB=$PREFIX-web

m1() { KEEP_HOME="$H1" keep "$@"; }
m2() { KEEP_HOME="$H2" DOCKER_HOST="$ENGINE2" keep "$@"; }

test_expect_success 'machine 1 saves two containers and pushes their recipes' '
	run_container dev --network host -e MODE=dev -e API_TOKEN=s3cr3t \
		-l com.example.team=ml --restart unless-stopped -w /work \
		-v "$TEST_DIR/m1src:/src:ro" -v "$VOL:/data" \
		--shm-size 128m --cap-add SYS_PTRACE \
		"$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	quietly $DOCKER exec "$DEV" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	run_container web --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER exec "$WEB" sh -c "echo v1 >/etc/web.conf" &&
	m1 save "$DEV" >out && expect_grep "^saved $DEV #1 " out &&
	m1 save "$WEB" >out && expect_grep "^saved $WEB #1 " out &&
	git -C "$H1/recipes" remote add origin "$REMOTE" &&
	m1 push 2>err &&
	git --git-dir="$REMOTE" ls-tree --name-only HEAD >tree &&
	expect_grep "^$DEV\$" tree && expect_grep "^$WEB\$" tree
'

test_expect_success 'machine 2 clones: ls, show, log and to-dockerfile show the snapshots' '
	m2 clone "$REMOTE" >out 2>err &&
	expect_grep "imported .*$DEV #1" out && expect_grep "$WEB #1" out &&
	m2 ls >ls &&
	expect_grep "^$DEV  *1 " ls && expect_grep "^$WEB  *1 " ls &&
	expect_grep "$ENGINE2" ls &&
	m2 show "$DEV" >show &&
	expect_grep "MODE=dev" show &&
	expect_grep "API_TOKEN  (secret: its value is not in the recipe repository)" show &&
	expect_no_grep s3cr3t show &&
	expect_grep "image: *not on this engine: imported" show &&
	expect_grep "jq" show &&
	m1 log "$DEV" | awk "{ print \$1, \$3 }" >log1 &&
	m2 log "$DEV" | awk "{ print \$1, \$3 }" >log2 &&
	diff -u log1 log2 &&
	m1 to-dockerfile "$DEV" >df1 2>/dev/null &&
	m2 to-dockerfile "$DEV" >df2 2>/dev/null &&
	diff -u df1 df2 &&
	expect_grep "jq=" df2 &&
	expect_grep "^#   API_TOKEN" df2
'

test_expect_success 'an import twice is one; clone refuses a repository with commits' '
	m2 pull >out 2>err &&
	expect_grep "^origin/master: nothing new\$" err &&
	expect_grep "^nothing new to import (2 snapshots here already)\$" err &&
	expect_no_grep warning err &&
	m2 ls >ls && expect_grep "^$DEV  *1 " ls &&
	expect_code 1 m2 clone "$REMOTE" 2>err &&
	expect_grep "has commits already" err
'

test_expect_success 'resume on machine 2 names what it lacks: the image, bind sources, volumes' '
	mv "$TEST_DIR/m1src" "$TEST_DIR/m2src" &&
	expect_code 1 m2 resume -d "$DEV" 2>err &&
	expect_grep "saved on another machine .*--from-recipe" err &&
	expect_code 1 m2 resume -d --from-recipe "$DEV" 2>err &&
	expect_grep "bind source .$TEST_DIR/m1src. (-> /src) does not exist here" err &&
	expect_grep "\-\-map OLD=NEW" err &&
	expect_code 1 m2 resume -d --from-recipe --map "$TEST_DIR/m1src=$TEST_DIR/m2src" "$DEV" 2>err &&
	expect_grep "volume .$VOL. of .$DEV. no longer exists; .--create-volumes." err &&
	test -z "$($DOCKER2 ps -aq)"
'

test_expect_success 'resume --from-recipe on machine 2: the same packages and settings' '
	m2 resume -d --from-recipe --create-volumes \
		--map "$TEST_DIR/m1src=$TEST_DIR/m2src" "$DEV" >out 2>err ||
		{ cat err; false; } &&
	expect_grep "recreated $DEV from keep/$DEV:1-recipe" err &&
	expect_grep "runs without its secret variables API_TOKEN" err &&
	test "$($DOCKER2 inspect -f "{{.State.Status}}" "$DEV")" = running &&
	$DOCKER exec "$DEV" dpkg-query -W >pk1 &&
	$DOCKER2 exec "$DEV" dpkg-query -W >pk2 &&
	diff -u pk1 pk2 &&
	f="{{.HostConfig.NetworkMode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.ShmSize}} {{.HostConfig.CapAdd}} {{index .Config.Labels \"com.example.team\"}} {{.Config.WorkingDir}}" &&
	test "$($DOCKER2 inspect -f "$f" "$DEV")" = "$($DOCKER inspect -f "$f" "$DEV")" &&
	$DOCKER2 inspect -f "{{range .Config.Env}}{{println .}}{{end}}" "$DEV" >env2 &&
	expect_grep "^MODE=dev\$" env2 && expect_no_grep API_TOKEN env2 &&
	$DOCKER2 inspect -f "{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.RW}}{{println}}{{end}}" "$DEV" >mounts &&
	expect_grep "^bind $TEST_DIR/m2src /src false\$" mounts &&
	expect_grep "^volume .* /data true\$" mounts &&
	test "$($DOCKER2 exec "$DEV" cat /src/note)" = "from machine 1" &&
	$DOCKER2 volume inspect "$VOL" >/dev/null
'

test_expect_success 'status and verify on machine 2 work from what the repository holds' '
	m2 status "$DEV" >st &&
	expect_grep "^$DEV: " st &&
	m2 status >st 2>err &&
	expect_grep "^$WEB: gone" st && expect_no_grep warning err &&
	{ m2 verify "$DEV" >out 2>err; test $? -le 1; } &&
	expect_grep "packages  identical" out &&
	expect_grep "saved on another machine: its image is not here, its loose files are not compared" err
'

test_expect_success 'different containers saved on two machines: the second push merges, both folders at the remote' '
	$DOCKER2 run -d --name "$PREFIX-box" --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	m2 save "$PREFIX-box" >out && expect_grep "^saved $PREFIX-box #1 " out &&
	m2 push 2>err &&
	$DOCKER exec "$WEB" sh -c "echo v2 >/etc/web2.conf" &&
	m1 save "$WEB" >out && expect_grep "^saved $WEB #2 " out &&
	m1 push 2>err ||
		{ cat err; false; } &&
	expect_grep "origin/master: merged" err &&
	expect_grep "^pushed " err &&
	git --git-dir="$REMOTE" ls-tree --name-only HEAD >tree &&
	expect_grep "^$PREFIX-box\$" tree && expect_grep "^$WEB\$" tree &&
	expect_grep "^$DEV\$" tree &&
	test "$(git --git-dir="$REMOTE" log -1 --format=%P HEAD | wc -w)" = 2 &&
	git --git-dir="$REMOTE" show HEAD:$WEB/container.json | grep -q "\"seq\": 2" &&
	m2 pull --json >pull.json 2>err &&
	test "$(jq -c .imported pull.json)" = "[{\"name\":\"$WEB\",\"seq\":2}]" &&
	test "$(jq -r .sync pull.json)" = fast-forward &&
	test "$(jq -c .conflicts pull.json)" = "[]" &&
	m2 diff "$WEB" >diff &&
	expect_grep "/etc/web2.conf" diff
'

test_expect_success 'the same container saved on both machines: conflict reported, both histories kept' '
	$DOCKER exec "$DEV" sh -c "echo one >/etc/m1" &&
	m1 save "$DEV" >out && expect_grep "^saved $DEV #2 " out &&
	m1 push 2>err &&
	m1_commit=$(git -C "$H1/recipes" rev-parse HEAD) &&
	$DOCKER2 exec "$DEV" sh -c "echo two >/etc/m2" &&
	m2 save "$DEV" >out && expect_grep "^saved $DEV #2 " out &&
	m2_commit=$(git -C "$H2/recipes" rev-parse HEAD) &&
	expect_code 1 m2 push 2>err &&
	expect_grep "conflict: .$DEV. was saved on both sides, #2 here and #2 in origin/master" err &&
	expect_grep "^pushed " err &&
	head=$(git --git-dir="$REMOTE" rev-parse HEAD) &&
	git --git-dir="$REMOTE" merge-base --is-ancestor "$m1_commit" "$head" &&
	git --git-dir="$REMOTE" merge-base --is-ancestor "$m2_commit" "$head" &&
	test "$(git --git-dir="$REMOTE" log --format=%s "$head" | grep -c "^keep: save $DEV #2\$")" = 2 &&
	git --git-dir="$REMOTE" show "$head:$DEV/container.json" | grep -q "/etc/m2" &&
	m1 pull >out 2>err &&
	expect_grep "warning: $DEV: this catalog.s #2 is not the repository.s #2" err &&
	m1 show "$DEV" >show && expect_grep "/etc/m1" show
'

test_done
