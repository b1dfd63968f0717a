#!/usr/bin/env bash
# keep verify tells the whole truth: packages, loose files (content, mode,
# owner, type) and the config a Dockerfile carries, each compared and
# reported; identical only when all match, exit 1 naming what differs and
# why. The README demo's container first: jq from the mirror, a file in
# /etc and a token in its env.
. "$(dirname "$0")/lib.sh"
need_base_image
export DOCKER_BUILDKIT=0

test_expect_success 'setup: the demo container (jq, /etc/demo.conf, a token)' '
	c=$(run_container demo --network host -e API_TOKEN=not-for-recipes \
	    "$KEEP_TEST_BASE" sleep infinity) &&
	quietly $DOCKER exec "$c" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$c" sh -c "echo level=3 >/etc/demo.conf" &&
	keep save "$c" >/dev/null
'
C=$PREFIX-demo

test_expect_success 'verify builds with the context: every category identical, the token left out' '
	{ keep -q verify "$C" >out 2>err || { cat out err; false; }; } &&
	expect_grep "^verify $C #1: identical (.* packages, 1 file and .* config items identical" out &&
	expect_grep "^  packages  identical, [0-9]* compared" out &&
	expect_grep "^  files     identical, 1 compared" out &&
	expect_grep "^  config    identical, [0-9]* compared" out &&
	expect_grep "^  left out  env API_TOKEN (a secret" out &&
	expect_no_grep "not-for-recipes" out &&
	expect_no_grep "not-for-recipes" err
'

test_expect_success 'the recipe without its context lacks /etc/demo.conf: different, exit 1, and why' '
	expect_code 1 keep_pid -q verify --no-context "$C" >out 2>err &&
	expect_grep "^verify $C #1: different (files: 1 of 1 not reproduced (rendered without --context))" out &&
	expect_grep "^  packages  identical" out &&
	expect_grep "^  files     1 of 1 differ" out &&
	expect_grep "^    missing   /etc/demo.conf: regular file 0644 0:0 sha256:[0-9a-f]* (rendered without --context)" out &&
	expect_grep "not reproduced by its recipe" err &&
	test -z "$($DOCKER images -q "keep-verify:$KEEP_PID-1")" &&
	keep show "$C" >show.out &&
	expect_grep "^verify: *different at .*rendered without --context" show.out
'

test_expect_success 'verify --json carries each category' '
	expect_code 1 keep -q verify --json --no-context "$C" >out.json 2>/dev/null &&
	test "$(jq -r .status out.json)" = different &&
	test "$(jq -r .packages.status out.json)" = identical &&
	test "$(jq -r .config.status out.json)" = identical &&
	test "$(jq -r .files.status out.json)" = different &&
	test "$(jq -r .files.context out.json)" = false &&
	test "$(jq -r ".files.differences[0].path" out.json)" = /etc/demo.conf &&
	test "$(jq -r ".files.differences[0].kind" out.json)" = missing &&
	test "$(jq -r ".files.differences[0].why" out.json)" = "rendered without --context" &&
	jq -e ".left_out[] | select(startswith(\"env API_TOKEN\"))" out.json >/dev/null &&
	jq -e ".apt.snapshot_times | length == 1" out.json >/dev/null
'

# A container without packages, so its builds are quick: what a recipe
# reproduces (a script with its owner and mode, a deleted file, env,
# workdir, a port) and what it cannot (a symlink, a run-time label).
test_expect_success 'setup: files and config, a symlink and a label' '
	c=$(run_container cfg --network none --label org.example.team=robots \
	    -e LANG=C.UTF-8 -w /srv --expose 8080 "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "printf \"#!/bin/sh\necho tool\n\" >/opt/tool.sh && chown 1234:2345 /opt/tool.sh && chmod 0750 /opt/tool.sh && ln -s /opt/tool.sh /usr/local/bin/tool && rm /etc/issue.net" &&
	keep save "$c" >/dev/null
'
C2=$PREFIX-cfg

test_expect_success 'verify: the symlink and the label are not reproduced, the rest is' '
	expect_code 1 keep -q verify "$C2" >out 2>err &&
	expect_grep "^verify $C2 #1: different (files: 1 of 3 not reproduced (a symbolic link: not copied into the build context); config: 1 of .* differ)" out &&
	expect_grep "^    missing   /usr/local/bin/tool: symbolic link 0:0 -> /opt/tool.sh (a symbolic link: not copied into the build context)" out &&
	expect_grep "^    missing   label org.example.team: robots (set at run time" out &&
	expect_no_grep "/opt/tool.sh:" out &&
	expect_no_grep "issue.net" out &&
	expect_no_grep "env LANG" out &&
	expect_no_grep "workdir" out &&
	expect_no_grep "exposed ports" out
'

test_expect_success 'verify --no-context: the script is missing, the deleted file is back' '
	expect_code 1 keep -q verify --json --no-context "$C2" >out.json 2>/dev/null &&
	test "$(jq -r ".files.differences[] | select(.path == \"/opt/tool.sh\") | .kind" out.json)" = missing &&
	test "$(jq -r ".files.differences[] | select(.path == \"/opt/tool.sh\") | .snapshot" out.json | cut -d" " -f1-4)" = "regular file 0750 1234:2345" &&
	test "$(jq -r ".files.differences[] | select(.path == \"/etc/issue.net\") | .kind" out.json)" = extra &&
	test "$(jq -r ".files.differences[] | select(.path == \"/etc/issue.net\") | .why" out.json)" = "rendered without --context" &&
	test "$(jq -r ".config.differences[] | select(.item == \"label org.example.team\") | .kind" out.json)" = missing
'

test_done
