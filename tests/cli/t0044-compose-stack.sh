#!/usr/bin/env bash
# A compose project as a unit: saved, brought back and rebuilt by its
# service names, also after its containers are gone (docker-compose rm,
# down). Debian's docker-compose (v1, project_service_N) runs a two-service
# project with network_mode none; a v2-style project (project-service-N, with
# the depends_on label v2 records) is made with docker run and its labels.
. "$(dirname "$0")/lib.sh"
need_base_image

need_tool docker-compose
need_tool python3

STACK="$TEST_DIR/${PREFIX}kbc"
P="${PREFIX}kbc"
P2="${PREFIX}v2"
mkdir -p "$STACK/data" "$TEST_DIR/elsewhere"

compose() { (cd "$STACK" && docker-compose "$@"); }
compose_down() {
	compose -f docker-compose.yml -f compose.keep.yml down -v --remove-orphans >/dev/null 2>&1 ||
		compose down -v --remove-orphans >/dev/null 2>&1
	cleanup
}
trap compose_down EXIT
# Also removed by name if compose down fails.
track_container "${P}_api_1"
track_container "${P}_db_1"
track_volume "${P}_dbdata"
track_container "${P2}-web-1"
track_container "${P2}-zdb-1"
track_image "keep/${P}_db_1:recipe"
track_image "keep/${P}_api_1:recipe"

# db's password comes from the shell, as people keep secrets out of the file.
cat >"$STACK/docker-compose.yml" <<EOT
version: "2.4"
services:
  api:
    image: $KEEP_TEST_BASE
    command: sleep infinity
    network_mode: none
    depends_on: [db]
    volumes:
      - ./data:/data
    labels:
      tier: front
  db:
    image: $KEEP_TEST_BASE
    command: sleep infinity
    network_mode: none
    environment:
      DB_PASSWORD: \${DB_PASSWORD}
    volumes:
      - dbdata:/var/lib/db
volumes:
  dbdata:
EOT
export DB_PASSWORD=hunter2-not-in-files

test_expect_success 'setup: docker-compose up, each service changed by hand' '
	compose up -d >out 2>&1 || { cat out; exit 1; } &&
	$DOCKER exec "${P}_api_1" sh -c "echo v1 >/etc/api.conf" &&
	$DOCKER exec "${P}_db_1" sh -c "echo rows >/var/lib/db/table && echo tuned >/etc/db.conf"
'

test_expect_success 'save -p PROJECT saves every service, one line each; unchanged ones say so' '
	(cd "$TEST_DIR/elsewhere" && keep save -p "$P") >out &&
	test "$(wc -l <out)" = 2 &&
	expect_grep "^saved ${P}_api_1 #1 " out &&
	expect_grep "^saved ${P}_db_1 #1 " out &&
	(cd "$STACK" && keep save -p "$P" --json) >save.json &&
	test "$(jq length save.json)" = 2 &&
	test "$(jq -r "[.[] | select(.unchanged)] | length" save.json)" = 2 &&
	(cd "$STACK" && keep save -p "$P") >out &&
	expect_grep "^${P}_api_1: unchanged since #1" out &&
	expect_grep "^${P}_db_1: unchanged since #1" out
'

# An engine that fails db's commit (tests/fault/fault_engine.py before the
# real one), with a catalog of its own: the engine is another address.
test_expect_success 'save -p: a service that cannot be saved is named, the others still save, exit 1' '
	$DOCKER exec "${P}_api_1" sh -c "echo v2 >/etc/api.conf" &&
	$DOCKER exec "${P}_db_1" sh -c "echo v2 >/etc/db.conf" &&
	db_id=$($DOCKER inspect -f "{{.Id}}" "${P}_db_1") || exit 1
	python3 "$KEEP_SOURCE_DIR/tests/fault/fault_engine.py" "$TEST_DIR/fault.sock" error \
		"^POST .*/commit\?container=($db_id|${P}_db_1)" 2>fault.log &
	fault=$!
	for _ in $(seq 1 200); do [ -S "$TEST_DIR/fault.sock" ] && break; sleep 0.1; done &&
	(cd "$STACK" && KEEP_HOME="$TEST_DIR/home2" expect_code 1 keep -H "unix://$TEST_DIR/fault.sock" save -p "$P") >out 2>err
	rc=$?
	kill $fault && wait $fault 2>/dev/null
	test $rc = 0 &&
	expect_grep "^saved ${P}_api_1 #1 " out &&
	test "$(grep -c "^keep: save .${P}_db_1.: commit .*fault injected" err)" = 1 &&
	expect_grep "^keep: 1 of 2 containers of compose project .$P. not saved" err &&
	(cd "$STACK" && keep save -p "$P") >out &&
	expect_grep "^saved ${P}_api_1 #2 " out &&
	expect_grep "^saved ${P}_db_1 #2 " out
'

test_expect_success 'ls -p PROJECT lists the stack, only it' '
	(cd "$TEST_DIR/elsewhere" && keep ls -p "$P") >out &&
	test "$(wc -l <out)" = 3 &&
	expect_grep "^${P}_api_1 .* $P/api " out &&
	expect_grep "^${P}_db_1 .* $P/db " out &&
	keep ls -p "$P" --json >ls.json &&
	test "$(jq length ls.json)" = 2 &&
	keep ls -p "${PREFIX}none" 2>err >out &&
	test ! -s out && expect_grep "no containers of compose project" err
'

test_expect_success 'after docker-compose rm, the service name still means its snapshots in every command' '
	compose rm -sf api >/dev/null 2>&1 &&
	test -z "$($DOCKER ps -aq --filter "name=^${P}_api_1\$")" &&
	cd "$TEST_DIR/elsewhere" &&
	keep show -p "$P" api >out && expect_grep "^${P}_api_1 #2 " out &&
	keep log -p "$P" api >out && expect_grep "#1" out && expect_grep "#2" out &&
	keep diff -p "$P" api >out && expect_grep "^${P}_api_1 #1 → #2" out &&
	keep to-dockerfile -p "$P" api >Dockerfile && expect_grep "snapshot #2" Dockerfile &&
	expect_grep "added /etc/api.conf" Dockerfile &&
	keep status -p "$P" api >out && expect_grep "^${P}_api_1: gone" out &&
	COMPOSE_PROJECT_NAME=$P keep show api >out && expect_grep "^${P}_api_1 #2 " out &&
	(cd "$STACK" && keep show api) >out && expect_grep "^${P}_api_1 #2 " out &&
	expect_code 1 keep show -p "$P" nosuch 2>err &&
	expect_grep "nosuch" err
'

test_expect_success 'resume SERVICE -p brings it back with its mounts and labels; compose then leaves it alone' '
	(cd "$TEST_DIR/elsewhere" && keep resume api -p "$P" -d) 2>err &&
	expect_grep "recreated ${P}_api_1" err &&
	test "$($DOCKER exec "${P}_api_1" cat /etc/api.conf)" = v2 &&
	$DOCKER inspect "${P}_api_1" >api.json &&
	test "$(jq -r ".[0].Config.Labels.tier" api.json)" = front &&
	test "$(jq -r ".[0].Config.Labels[\"com.docker.compose.service\"]" api.json)" = api &&
	test "$(jq -r ".[0].Mounts[] | select(.Destination==\"/data\") | .Source" api.json)" = "$STACK/data" &&
	id=$(jq -r ".[0].Id" api.json) &&
	compose up -d >out 2>&1 &&
	expect_grep "${P}_api_1 is up-to-date" out &&
	test "$($DOCKER inspect -f "{{.Id}}" "${P}_api_1")" = "$id"
'

test_expect_success 'docker-compose down, then resume -p PROJECT brings the whole stack back' '
	compose down >out 2>&1 &&
	test -z "$($DOCKER ps -aq --filter "label=com.docker.compose.project=$P")" &&
	(cd "$TEST_DIR/elsewhere" && keep resume -p "$P") 2>err &&
	expect_grep "recreated ${P}_api_1" err &&
	expect_grep "recreated ${P}_db_1" err &&
	test "$($DOCKER exec "${P}_db_1" cat /etc/db.conf)" = v2 &&
	test "$($DOCKER exec "${P}_db_1" cat /var/lib/db/table)" = rows &&
	test "$($DOCKER exec "${P}_db_1" printenv DB_PASSWORD)" = "$DB_PASSWORD" &&
	test "$($DOCKER exec "${P}_api_1" cat /etc/api.conf)" = v2 &&
	ids=$($DOCKER ps -q --no-trunc --filter "label=com.docker.compose.project=$P" | sort) &&
	test "$(echo "$ids" | wc -l)" = 2 &&
	compose up -d >out 2>&1 &&
	expect_grep "${P}_db_1 is up-to-date" out &&
	expect_grep "${P}_api_1 is up-to-date" out &&
	test "$($DOCKER ps -q --no-trunc --filter "label=com.docker.compose.project=$P" | sort)" = "$ids" &&
	(cd "$STACK" && keep resume -p "$P") 2>err &&
	expect_grep "${P}_api_1 is running" err
'

test_expect_success 'to-dockerfile -p PROJECT --compose: an override compose accepts, without secrets, that rebuilds' '
	(cd "$STACK" && keep to-dockerfile -p "$P" --compose --no-rebuild) >out &&
	test -s "$STACK/compose.keep.yml" &&
	test -s "$STACK/keep/${P}_db_1/Dockerfile" &&
	expect_grep "wrote $STACK/compose.keep.yml" out &&
	expect_no_grep hunter2 "$STACK/compose.keep.yml" &&
	! grep -r hunter2 "$STACK/keep" &&
	expect_grep "#   DB_PASSWORD" "$STACK/compose.keep.yml" &&
	compose -f docker-compose.yml -f compose.keep.yml config >config.out &&
	expect_grep "context: $STACK/keep/${P}_db_1" config.out &&
	expect_grep "DB_PASSWORD: $DB_PASSWORD" config.out &&
	$DOCKER exec "${P}_db_1" sh -c "echo lost >/etc/db.conf" &&
	(cd "$STACK" && DOCKER_BUILDKIT=0 docker-compose -f docker-compose.yml -f compose.keep.yml up -d --build db) >build.out 2>&1 ||
		{ cat build.out; exit 1; } &&
	test "$($DOCKER inspect -f "{{.Config.Image}}" "${P}_db_1")" = "keep/${P}_db_1:recipe" &&
	test "$($DOCKER exec "${P}_db_1" cat /etc/db.conf)" = v2 &&
	test "$($DOCKER exec "${P}_db_1" cat /var/lib/db/table)" = rows &&
	test "$($DOCKER exec "${P}_db_1" printenv DB_PASSWORD)" = "$DB_PASSWORD"
'

test_expect_success 'to-dockerfile -p PROJECT --compose --image: services run their snapshot images by digest' '
	mkdir -p img &&
	(cd "$STACK" && keep to-dockerfile -p "$P" --compose --image --context "$TEST_DIR/img") >out &&
	api_id=$(keep show -p "$P" api --json | jq -r .image_id) &&
	expect_grep "image: \"$api_id\"" img/compose.keep.yml &&
	expect_no_grep "build:" img/compose.keep.yml &&
	compose -f docker-compose.yml -f "$TEST_DIR/img/compose.keep.yml" config >/dev/null
'

test_expect_success 'setup: a v2-style project whose web depends on zdb, saved, then removed' '
	labels="--label com.docker.compose.project=$P2 --label com.docker.compose.container-number=1 --label com.docker.compose.oneoff=False" &&
	$DOCKER run -d --name "${P2}-zdb-1" --network none $labels \
		--label com.docker.compose.service=zdb \
		--label com.docker.compose.depends_on= \
		"$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER run -d --name "${P2}-web-1" --network none $labels \
		--label com.docker.compose.service=web \
		--label com.docker.compose.depends_on=zdb:service_started:false \
		"$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	keep save -p "$P2" >out &&
	test "$(wc -l <out)" = 2 &&
	$DOCKER rm -f "${P2}-web-1" "${P2}-zdb-1" >/dev/null
'

test_expect_success 'resume -p follows the depends_on compose v2 records, not name order' '
	keep show -p "$P2" web >out && expect_grep "^${P2}-web-1 #1 " out &&
	keep resume -p "$P2" 2>err &&
	test "$(grep -n "recreated ${P2}-zdb-1" err | cut -d: -f1)" -lt \
		"$(grep -n "recreated ${P2}-web-1" err | cut -d: -f1)" &&
	test "$($DOCKER inspect -f "{{.State.Running}}" "${P2}-web-1")" = true
'

test_expect_success 'usage: -p PROJECT alone takes no command, --at or --index; --image needs -p --compose' '
	expect_code 2 keep resume -p "$P" -- true &&
	expect_code 2 keep save -p "$P" --index 2 &&
	expect_code 2 keep to-dockerfile --image api &&
	expect_code 1 keep resume -p "${PREFIX}none" 2>err &&
	expect_grep "no snapshot of compose project" err
'

test_done
