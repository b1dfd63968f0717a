#!/usr/bin/env bash
# keep to-dockerfile and keep verify on a base image whose user is not
# root: packages installed as root, a file the user wrote. The Dockerfile
# switches to root around the installs and back to the user at the end;
# `docker build` of it and `keep verify` both reproduce the container.
. "$(dirname "$0")/lib.sh"
need_base_image
export DOCKER_BUILDKIT=0

NONROOT=keep-test/nonroot:latest
ensure_derived_image "$NONROOT" <<EOF2
FROM $KEEP_TEST_BASE
RUN useradd -m -u 1000 dev
USER dev
WORKDIR /home/dev
EOF2

test_expect_success 'non-root base: root installs, USER root around them, USER dev at the end' '
	c=$(run_container nr --network host "$NONROOT" sleep infinity) &&
	quietly $DOCKER exec -u root "$c" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$c" sh -c "echo note >/home/dev/notes.txt" &&
	keep save "$c" >/dev/null &&
	keep to-dockerfile "$c" >nr.Dockerfile 2>/dev/null &&
	expect_grep "^USER root" nr.Dockerfile &&
	test "$(grep "^USER" nr.Dockerfile | tail -n 1)" = "USER dev" &&
	mkdir nr && cp nr.Dockerfile nr/Dockerfile &&
	$DOCKER build -q --network host -t "$PREFIX-nr:1" nr >/dev/null &&
	track_image "$PREFIX-nr:1" &&
	test "$($DOCKER image inspect -f "{{.Config.User}}" "$PREFIX-nr:1")" = dev &&
	test "$($DOCKER run --rm --network none "$PREFIX-nr:1" id -un)" = dev &&
	{ keep verify --keep-image "$PREFIX-nrv:1" "$c" >out 2>err || { cat out err; false; }; } &&
	track_image "$PREFIX-nrv:1" &&
	expect_grep "identical" out &&
	test "$($DOCKER run --rm --network none "$PREFIX-nrv:1" sh -c "id -un; cat /home/dev/notes.txt; stat -c %U /home/dev/notes.txt")" = "$(printf "dev\nnote\ndev")"
'

test_done
