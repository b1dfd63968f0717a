#!/usr/bin/env bash
# A developer behind a TLS-inspecting proxy: apt installs nodejs and npm,
# adds the company CA (update-ca-certificates), points npm at the CA list
# (npm config set -g cafile: /etc/npmrc) and installs typescript and
# semver from the real npm registry. The recipe keep writes must copy the
# CA and /etc/npmrc before the installs, so that it builds; and of the
# files the container changed, only those two are loose: not the files a
# merged /usr, update-alternatives, update-ca-certificates or the other
# packages' scripts made.
#
# The registry is reachable only through this machine's TLS-inspecting
# proxy, whose CA is in the host's bundle: the test copies that bundle in
# as the "company CA", exactly as the developer would.
. "$(dirname "$0")/lib.sh"
need_base_image
export DOCKER_BUILDKIT=0

HOST_CA=/etc/ssl/certs/ca-certificates.crt
CA=/usr/local/share/ca-certificates/company.crt

test_expect_success 'setup: apt, the company CA, npm config, npm install -g from the registry' '
	test -s "$HOST_CA" &&
	c=$(run_container dev --network host "$KEEP_TEST_BASE" sleep infinity) &&
	quietly $DOCKER exec "$c" sh -c "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ca-certificates nodejs npm" &&
	$DOCKER cp "$HOST_CA" "$c:$CA" &&
	quietly $DOCKER exec "$c" sh -c "chown root:root $CA && chmod 644 $CA && update-ca-certificates" &&
	$DOCKER exec "$c" npm config set -g cafile /etc/ssl/certs/ca-certificates.crt &&
	quietly $DOCKER exec "$c" npm install -g typescript@5.3.3 semver@7.6.0 &&
	test "$($DOCKER exec "$c" tsc --version)" = "Version 5.3.3" &&
	keep save "$c" >out 2>err &&
	expect_grep "^saved $c #1" out
'
C=$PREFIX-dev

test_expect_success 'save: the merged /usr and update-alternatives made no loose file' '
	keep show --json "$C" >show.json &&
	jq -r ".files[].path" show.json >loose.txt &&
	! grep -E "^/usr/(lib|bin|sbin)/" loose.txt &&
	! grep "^/etc/alternatives/" loose.txt &&
	expect_grep "^$CA\$" loose.txt &&
	expect_grep "^/etc/npmrc\$" loose.txt
'

test_expect_success 'to-dockerfile: the CA and /etc/npmrc come before apt and npm install' '
	keep to-dockerfile "$C" >Dockerfile 2>err &&
	ca=$(grep -n "$CA" Dockerfile | head -n 1 | cut -d: -f1) &&
	npmrc=$(grep -n "/etc/npmrc" Dockerfile | head -n 1 | cut -d: -f1) &&
	apt=$(grep -n "apt-get install" Dockerfile | head -n 1 | cut -d: -f1) &&
	npm=$(grep -n "npm install -g" Dockerfile | cut -d: -f1) &&
	test "$ca" -lt "$apt" && test "$npmrc" -lt "$apt" && test "$apt" -lt "$npm"
'

test_expect_success 'to-dockerfile --context: the packages rebuilt, only the CA and /etc/npmrc copied' '
	keep to-dockerfile "$C" --context ctx >out 2>err || { cat out err; false; } &&
	expect_grep "loose files are made by the packages" err &&
	(cd ctx/files && find . ! -type d | sed "s/^\.//" | sort) >copied.txt &&
	printf "/etc/npmrc\n$CA\n" >want.txt &&
	diff -u want.txt copied.txt &&
	! grep "^COPY" ctx/Dockerfile | grep -v -e "files/etc/npmrc\"" -e "files/usr/local/share/ca-certificates" &&
	cmp ctx/files/etc/npmrc <($DOCKER exec "$C" cat /etc/npmrc) &&
	: "ca-certificates is among the installs: its scripts add the CA" &&
	expect_no_grep "update-ca-certificates" ctx/Dockerfile
'

test_expect_success 'the rebuild is recorded: show and the plain Dockerfile list only those two' '
	keep show --json "$C" >show2.json &&
	jq -r ".files[] | select(.kind != \"modified\") | .path" show2.json | sort >loose2.txt &&
	printf "/etc/npmrc\n/usr/local/share/ca-certificates\n$CA\n" >want2.txt &&
	diff -u want2.txt loose2.txt &&
	keep to-dockerfile "$C" >plain.Dockerfile 2>/dev/null &&
	test "$(grep -c "^#   added" plain.Dockerfile)" -le 3
'

# The package rebuild of to-dockerfile --context is the build cache: the
# apt and npm installs are not run a second time.
test_expect_success 'docker build of the context installs typescript and semver from the registry' '
	$DOCKER build --network host -t "$PREFIX-rebuilt:1" ctx >build.out 2>&1 ||
		{ tail -n 30 build.out; false; } &&
	track_image "$PREFIX-rebuilt:1" &&
	grep -A1 "^Step [0-9/]* : RUN npm install -g" build.out >npm-step.out &&
	expect_grep "Using cache" npm-step.out &&
	$DOCKER run --rm --network none "$PREFIX-rebuilt:1" sh -c "tsc --version; ls /usr/local/lib/node_modules; cat /etc/npmrc" >run.out &&
	expect_grep "^Version 5.3.3$" run.out &&
	expect_grep "^semver$" run.out &&
	expect_grep "^cafile=/etc/ssl/certs/ca-certificates.crt$" run.out
'

test_done
