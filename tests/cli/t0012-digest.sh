#!/usr/bin/env bash
# Digest pinning for real: the base image is pushed to a registry on
# 127.0.0.1 (Debian's docker-registry; the engine trusts loopback
# registries without TLS), so it has a repo digest, and the recipe's FROM
# must be that digest and build.
. "$(dirname "$0")/lib.sh"
need_base_image
need_tool docker-registry

# A registry without a password (lib.sh's start_registry has one): on a
# free loopback port, the registry says when it cannot bind, try another.
# Sets PORT; the cleanup list has it stopped (stop_registry in lib.sh).
# Not to be called in $(...), whose subshell would lose PORT.
start_open_registry() {
	local port pid
	for _ in 1 2 3 4 5; do
		port=$((20000 + RANDOM % 20000))
		cat >"$TEST_DIR/registry.yml" <<-EOF2
		version: 0.1
		storage:
		  filesystem:
		    rootdirectory: $TEST_DIR/registry
		http:
		  addr: 127.0.0.1:$port
		EOF2
		docker-registry serve "$TEST_DIR/registry.yml" >"$TEST_DIR/registry.log" 2>&1 &
		pid=$!
		for _ in $(seq 1 50); do
			if grep -q "listening on" "$TEST_DIR/registry.log"; then
				PORT=$port
				echo "registry $pid $TEST_DIR/registry" >>"$CLEANUP_LIST"
				return 0
			fi
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill "$pid" 2>/dev/null
	done
	return 1
}

start_open_registry || { echo "Bail out! docker-registry did not start"; cat "$TEST_DIR/registry.log"; exit 1; }
REF="127.0.0.1:$PORT/keep-test/bookworm"

test_expect_success 'setup: the base pushed to the loopback registry has a repo digest' '
	$DOCKER tag "$KEEP_TEST_BASE" "$REF:pinned" &&
	track_image "$REF:pinned" &&
	$DOCKER push -q "$REF:pinned" >/dev/null &&
	$DOCKER image inspect -f "{{json .RepoDigests}}" "$REF:pinned" | grep -q "$REF@sha256:"
'

test_expect_success 'a container from it: the recipe is FROM the registry digest, and builds' '
	c=$(run_container pinned --network host "$REF:pinned" sleep infinity) &&
	$DOCKER exec "$c" sh -c "echo pinned >/etc/pinned.conf" &&
	keep save "$c" >/dev/null &&
	digest=$($DOCKER image inspect -f "{{range .RepoDigests}}{{println .}}{{end}}" "$REF:pinned" | grep -x "$REF@sha256:[0-9a-f]*") &&
	keep to-dockerfile "$c" >Dockerfile 2>err &&
	test "$(grep "^FROM " Dockerfile)" = "FROM $digest" &&
	expect_no_grep "pinned by image ID" Dockerfile &&
	keep show --json "$c" >show.json &&
	test "$(jq -r .base.digest show.json)" = "$digest" &&
	track_image "$PREFIX-rebuilt:1" &&
	{ DOCKER_BUILDKIT=0 $DOCKER build --network host -t "$PREFIX-rebuilt:1" . >build.out 2>&1 ||
		{ cat build.out; false; }; }
'

test_done
