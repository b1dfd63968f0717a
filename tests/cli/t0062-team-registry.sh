#!/usr/bin/env bash
# Issue 21 end to end, as a team works: machine 1 (the main engine) saves
# a container whose packages were installed by hand, pushes its snapshot
# image to the team's registry (a password, the docker CLI's credentials)
# and its recipes to the team's git remote; machine 2 (a second dockerd,
# another KEEP_HOME) clones the recipes and resumes the container by name:
# the image comes from the registry by digest, and the container has the
# packages, files and settings it had on machine 1.
. "$(dirname "$0")/lib.sh"
need_base_image
need_tool dockerd docker-registry htpasswd curl git jq python3

start_registry || { echo "Bail out! no registry"; exit 1; }
start_second_engine || { echo "Bail out! no second engine"; exit 1; }

REMOTE=$TEST_DIR/team.git
H1=$TEST_DIR/h1
H2=$TEST_DIR/h2
REPO=$REG/team/keep
C=$PREFIX-dev
git init -q --bare "$REMOTE"
mkdir -p "$TEST_DIR/dc"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG" \
	"$(printf 'keeper:%s' "$REG_PASS" | base64 -w0)" >"$TEST_DIR/dc/config.json"
export DOCKER_CONFIG=$TEST_DIR/dc

m1() { KEEP_HOME="$H1" keep "$@"; }
m2() { KEEP_HOME="$H2" DOCKER_HOST="$ENGINE2" keep "$@"; }

test_expect_success 'machine 1: packages by hand, a save, images to the registry, recipes to git' '
	run_container dev --network host -e MODE=team -l com.example.team=ml \
		-w /work "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	quietly $DOCKER exec -e DEBIAN_FRONTEND=noninteractive "$C" sh -c \
		"apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$C" sh -c "mkdir -p /work && echo from-machine-1 >/work/notes.txt" &&
	m1 save "$C" >out && expect_grep "^saved $C #1 " out &&
	git -C "$H1/recipes" remote add origin "$REMOTE" &&
	{ m1 push --images --registry "$REPO" "$C" >out 2>err ||
		{ cat out err; false; }; } &&
	ref=$(m1 show --json "$C" | jq -r .registry) &&
	case "$ref" in "$REPO@sha256:"*) ;; *) echo "registry ref: $ref"; false;; esac &&
	git --git-dir="$REMOTE" show "HEAD:$C/images" >images &&
	expect_grep "^#1 $ref\$" images
'

test_expect_success 'machine 2: clone, then resume by name pulls the image by digest' '
	ref=$(m1 show --json "$C" | jq -r .registry) &&
	id1=$(m1 show --json "$C" | jq -r .image_id) &&
	{ m2 clone "$REMOTE" >out 2>err || { cat out err; false; }; } &&
	m2 show "$C" >show &&
	expect_grep "$ref" show &&
	! $DOCKER2 image inspect "$id1" >/dev/null 2>&1 &&
	{ m2 resume -d "$C" >out 2>err || { cat out err; false; }; } &&
	expect_grep "^recreated $C" err &&
	test "$($DOCKER2 image inspect -f "{{.Id}}" "$id1")" = "$id1" &&
	test "$($DOCKER2 inspect -f "{{.Image}}" "$C")" = "$id1"
'

test_expect_success 'machine 2: the container has machine 1'"'"'s packages, files and settings' '
	$DOCKER2 exec "$C" jq --version >jq.out &&
	expect_grep "^jq-" jq.out &&
	test "$($DOCKER2 exec "$C" cat /work/notes.txt)" = from-machine-1 &&
	$DOCKER exec "$C" dpkg-query -W -f "\${Package} \${Version}\n" | sort >pk1 &&
	$DOCKER2 exec "$C" dpkg-query -W -f "\${Package} \${Version}\n" | sort >pk2 &&
	diff -u pk1 pk2 &&
	$DOCKER2 inspect "$C" >i2.json &&
	test "$(jq -r ".[0].Config.Labels[\"com.example.team\"]" i2.json)" = ml &&
	test "$(jq -r ".[0].Config.WorkingDir" i2.json)" = /work &&
	jq -r ".[0].Config.Env[]" i2.json >env2 &&
	expect_grep "^MODE=team\$" env2
'

test_done
