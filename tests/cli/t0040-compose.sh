#!/usr/bin/env bash
# Compose projects: a user in a compose folder types the service name, as
# with docker-compose itself; from elsewhere -p names the project. Debian's
# docker-compose (v1, project_service_N) brings the project up; a v2-style
# container (project-service-N) is made with plain docker run and its labels.
. "$(dirname "$0")/lib.sh"
need_base_image

need_tool docker-compose

# The folder's name is the project's, normalised: "kt123Stack" -> "kt123stack".
STACK="$TEST_DIR/${PREFIX}Stack"
P="${PREFIX}stack"
P2="${PREFIX}v2"
mkdir -p "$STACK" "$TEST_DIR/elsewhere" "$TEST_DIR/v2" "$TEST_DIR/dotenv"

compose() { (cd "$STACK" && docker-compose "$@"); }
compose_down() {
	compose down -v --remove-orphans >/dev/null 2>&1
	cleanup
}
trap compose_down EXIT
# Also removed by name if compose down fails.
track_container "${P}_app_1"
track_container "${P}_app_2"
track_container "${P}_store_1"

cat >"$STACK/docker-compose.yml" <<EOF
version: "2.4"
services:
  app:
    image: $KEEP_TEST_BASE
    command: sleep infinity
    network_mode: none
  store:
    image: $KEEP_TEST_BASE
    command: sleep infinity
    network_mode: none
EOF

test_expect_success 'setup: docker-compose up with network_mode none creates no network' '
	compose up -d >out 2>&1 || { cat out; exit 1; } &&
	test "$($DOCKER ps -q --filter "label=com.docker.compose.project=$P" | wc -l)" = 2 &&
	test -z "$($DOCKER network ls -q --filter "label=com.docker.compose.project=$P")" &&
	$DOCKER exec "${P}_app_1" sh -c "echo on > /etc/app.conf" &&
	$DOCKER exec "${P}_store_1" sh -c "echo on > /etc/store.conf"
'

test_expect_success 'in the compose folder, keep save SERVICE and keep show SERVICE work' '
	(cd "$STACK" && keep save app) >out &&
	expect_grep "^saved ${P}_app_1 #1 " out &&
	(cd "$STACK" && keep show app) >out &&
	expect_grep "/etc/app.conf" out &&
	expect_grep "compose: *project $P, service app" out
'

test_expect_success 'elsewhere SERVICE alone is not found, and the message names the project tried' '
	(cd "$TEST_DIR/elsewhere" && expect_code 1 keep save store) 2>err &&
	expect_grep "no such container: .store." err &&
	expect_grep "elsewhere" err &&
	test "$(wc -l <err)" -eq 1
'

test_expect_success 'elsewhere, -p PROJECT (any case, as typed for compose) finds the service' '
	(cd "$TEST_DIR/elsewhere" && keep save -p "${PREFIX}Stack" store) >out &&
	expect_grep "^saved ${P}_store_1 #1 " out &&
	(cd "$TEST_DIR/elsewhere" && keep show -p "$P" store) >out &&
	expect_grep "/etc/store.conf" out
'

test_expect_success 'COMPOSE_PROJECT_NAME, in the environment or in .env, names the project' '
	(cd "$TEST_DIR/elsewhere" && COMPOSE_PROJECT_NAME=$P keep show app) >out &&
	expect_grep "/etc/app.conf" out &&
	echo "COMPOSE_PROJECT_NAME=$P" >"$TEST_DIR/dotenv/.env" &&
	(cd "$TEST_DIR/dotenv" && keep show store) >out &&
	expect_grep "/etc/store.conf" out
'

test_expect_success 'ls shows the project and service, --json as compose_project/compose_service' '
	keep ls >out &&
	expect_grep "^${P}_app_1 .* $P/app " out &&
	keep ls --json >ls.json &&
	test "$(jq -r ".[] | select(.name==\"${P}_app_1\") | .compose_project" ls.json)" = "$P" &&
	test "$(jq -r ".[] | select(.name==\"${P}_app_1\") | .compose_service" ls.json)" = app &&
	test "$(jq -r ".[] | select(.name==\"${P}_store_1\") | .compose_service" ls.json)" = store
'

test_expect_success 'a scaled service: save asks for --index N listing both replicas; --index 2 saves that one' '
	compose up -d --scale app=2 >out 2>&1 || { cat out; exit 1; } &&
	(cd "$STACK" && expect_code 1 keep save app) 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "${P}_app_1" err &&
	expect_grep "${P}_app_2" err &&
	expect_grep "index N" err &&
	(cd "$STACK" && keep save --index 2 app) >out &&
	expect_grep "^saved ${P}_app_2 #1 " out &&
	(cd "$STACK" && expect_code 1 keep save --index 3 app) 2>err &&
	expect_grep "no such container" err
'

test_expect_success 'in the compose folder, keep to-dockerfile SERVICE renders its recipe' '
	(cd "$STACK" && keep to-dockerfile store) >Dockerfile &&
	expect_grep "^FROM " Dockerfile
'

test_expect_success 'to-dockerfile --compose: a compose service that compose accepts and builds' '
	compose exec -T store sh -c "echo tuned >/etc/store.conf" &&
	(cd "$STACK" && keep save store) >/dev/null &&
	mkdir -p rebuilt &&
	(cd "$STACK" && keep to-dockerfile --compose --context "$TEST_DIR/rebuilt" store) >/dev/null &&
	test -s rebuilt/compose.yaml &&
	expect_grep "^  .store.:$" rebuilt/compose.yaml &&
	expect_grep "network_mode: \"none\"" rebuilt/compose.yaml &&
	(cd rebuilt && docker-compose -p "${PREFIX}rebuilt" config) >config.out &&
	(cd rebuilt && DOCKER_BUILDKIT=0 docker-compose -p "${PREFIX}rebuilt" build -q) >build.out 2>&1 &&
	track_image "keep/$P""_store_1:recipe" &&
	test "$($DOCKER run --rm --network none "keep/$P""_store_1:recipe" cat /etc/store.conf)" = tuned
'

test_expect_success 'to-dockerfile --compose -o FILE: the Dockerfile in FILE, the service on stdout' '
	(cd "$STACK" && keep to-dockerfile --compose -o "$TEST_DIR/Dockerfile.o" store) >snippet.yaml &&
	expect_grep "^FROM " Dockerfile.o &&
	expect_no_grep "^services:" Dockerfile.o &&
	expect_grep "^services:" snippet.yaml &&
	expect_no_grep "^FROM " snippet.yaml
'

test_expect_success 'setup: compose v2-style containers (project-service-N), one of them a one-off run' '
	track_container "${P2}-web-1" && track_container "${P2}-web-run-1a2b" &&
	labels="--label com.docker.compose.project=$P2 --label com.docker.compose.service=web" &&
	$DOCKER run -d --name "${P2}-web-1" --network none $labels \
		--label com.docker.compose.container-number=1 \
		--label com.docker.compose.oneoff=False \
		"$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER run -d --name "${P2}-web-run-1a2b" --network none $labels \
		--label com.docker.compose.container-number=1 \
		--label com.docker.compose.oneoff=True \
		"$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER exec "${P2}-web-1" sh -c "echo v2 > /etc/web.conf"
'
# The cleanup list of a test body is lost with its subshell.
track_container "${P2}-web-1"
track_container "${P2}-web-run-1a2b"

test_expect_success 'a v2 project named by the top-level name: of compose.yaml resolves by labels, not names' '
	printf "name: %s\nservices:\n  web:\n    image: x\n" "$P2" >"$TEST_DIR/v2/compose.yaml" &&
	(cd "$TEST_DIR/v2" && keep save web) >out &&
	expect_grep "^saved ${P2}-web-1 #1 " out &&
	(cd "$TEST_DIR/elsewhere" && keep save -p "$P2" web) >out &&
	expect_grep "^${P2}-web-1: unchanged since #1" out &&
	keep ls --json >ls.json &&
	test "$(jq -r ".[] | select(.name==\"${P2}-web-1\") | .compose_project" ls.json)" = "$P2"
'

test_done
