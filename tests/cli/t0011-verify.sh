#!/usr/bin/env bash
# keep verify when the recipe cannot reproduce the snapshot: a locally built
# .deb installed with dpkg -i (apt never installed it: not in its history)
# is named by to-dockerfile (comment and
# warning) and verify exits 1 naming it; --json carries the differences.
. "$(dirname "$0")/lib.sh"
need_base_image
export DOCKER_BUILDKIT=0

test_expect_success 'setup: a .deb built in the container with dpkg-deb and installed with dpkg -i' '
	c=$(run_container deb --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "mkdir -p /tmp/h/DEBIAN /tmp/h/usr/local/bin &&
	    printf \"Package: keep-hello\nVersion: 1.0-1\nArchitecture: all\nMaintainer: t <t@example.com>\nDescription: test package\n\" >/tmp/h/DEBIAN/control &&
	    printf \"#!/bin/sh\necho hi\n\" >/tmp/h/usr/local/bin/keep-hello && chmod 0755 /tmp/h/usr/local/bin/keep-hello &&
	    dpkg-deb --build /tmp/h /tmp/keep-hello.deb && dpkg -i /tmp/keep-hello.deb && rm -rf /tmp/h /tmp/keep-hello.deb" >/dev/null &&
	keep save "$c" >/dev/null
'
C=$PREFIX-deb

test_expect_success 'to-dockerfile names the local package and does not try to install it' '
	keep to-dockerfile "$C" >df 2>err &&
	expect_grep "keep-hello" err &&
	expect_grep "^#.*keep-hello" df &&
	expect_no_grep "keep-hello=" df &&
	keep show --json "$C" >show.json &&
	test "$(jq -r ".packages[] | select(.name==\"keep-hello\") | .origin" show.json)" = local
'

test_expect_success 'verify exits 1, names the package as missing, and records it' '
	expect_code 1 keep_pid verify "$C" >out 2>err &&
	cat out err >all &&
	expect_grep "keep-hello" all &&
	keep show "$C" >show.out &&
	expect_grep "^verify: *different at " show.out &&
	test -z "$($DOCKER images -q "keep-verify:$KEEP_PID-1")"
'

test_expect_success 'verify --json gives the result as an object' '
	expect_code 1 keep verify --json "$C" >out.json 2>/dev/null &&
	test "$(jq -r .status out.json)" = different &&
	jq -e ".differences[] | select(.name == \"keep-hello\")" out.json >/dev/null
'

test_expect_success 'verify of a snapshot whose base image is gone says so before building' '
	$DOCKER build -q --network host -t "$PREFIX-gone:1" - >/dev/null <<-EOF2 &&
	FROM $KEEP_TEST_BASE
	LABEL keep-test-gone=$PREFIX
	EOF2
	c=$(run_container gone --network none "$PREFIX-gone:1" sleep infinity) &&
	$DOCKER exec "$c" sh -c "echo x >/etc/gone.conf" &&
	keep save "$c" >/dev/null &&
	$DOCKER rm -f "$c" >/dev/null && $DOCKER rmi "keep/$c:1" "$PREFIX-gone:1" >/dev/null &&
	expect_code 1 keep verify "$c" >out 2>err &&
	expect_grep "not present locally" err
'

test_done
