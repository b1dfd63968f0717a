#!/usr/bin/env bash
# keep to-dockerfile and keep verify on the scenario people actually hit:
# apt installs with dependencies and recommends, a purged and an upgraded
# base package, env with PATH, a proxy at 127.0.0.1 and a token, loose files
# with owners and modes. It ends with `docker build` of the printed
# Dockerfile reproducing the container and `keep verify` exiting 0. (A base
# image whose user is not root: t0018, which ctest runs beside this one.)
. "$(dirname "$0")/lib.sh"
need_base_image
export DOCKER_BUILDKIT=0

DEV_PATH=/opt/tools/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# apt inside the container must not use the (unreachable) proxy of its env.
ex() { $DOCKER exec "$C" env -u HTTP_PROXY "$@"; }

test_expect_success 'setup: jq (automatic deps), wget (recommends), tzdata purged, liblzma5 upgraded, loose files' '
	c=$(run_container dev --network host -e PATH=$DEV_PATH \
	    -e HTTP_PROXY=http://127.0.0.1:7897 -e API_TOKEN=s3cr3t-value \
	    "$KEEP_TEST_BASE" sleep infinity) &&
	C=$c &&
	ex sh -c "echo deb http://deb.debian.org/debian-security bookworm-security main >/etc/apt/sources.list.d/security.list" &&
	quietly ex sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq && apt-get install -y -qq wget && apt-get purge -y -qq tzdata && apt-get install -y -qq --only-upgrade liblzma5" &&
	ex dpkg-query -W -f="\${Version}" liblzma5 >lzma.version &&
	test "$(cat lzma.version)" != "$($DOCKER run --rm --network none "$KEEP_TEST_BASE" dpkg-query -W -f="\${Version}" liblzma5)" &&
	ex dpkg-query -W ca-certificates &&
	ex sh -c "mkdir -p /opt/tools/bin && printf \"#!/bin/sh\necho hello\n\" >/opt/tools/bin/hello && chown 1234:2345 /opt/tools/bin/hello && chmod 0750 /opt/tools/bin/hello && printf \"key=1\n\" >/etc/tool.conf && chmod 0600 /etc/tool.conf" &&
	keep save "$C" >out && expect_grep "^saved $C #1" out
'
C=$PREFIX-dev

test_expect_success 'to-dockerfile: pinned apt lines, purge, auto marks, upgraded base package' '
	keep to-dockerfile "$C" >Dockerfile 2>err &&
	expect_grep "^		jq=" Dockerfile &&
	expect_grep "^		wget=" Dockerfile &&
	expect_grep "^		ca-certificates=" Dockerfile &&
	expect_grep "^		liblzma5=$(cat lzma.version) " Dockerfile &&
	expect_grep "apt-get purge" Dockerfile &&
	expect_grep "tzdata" Dockerfile &&
	expect_grep "apt-mark auto" Dockerfile &&
	expect_grep "rm -rf /var/lib/apt/lists/\*" Dockerfile &&
	expect_grep "no-install-recommends" Dockerfile &&
	expect_no_grep "apt-get upgrade" Dockerfile
'

test_expect_success 'to-dockerfile: PATH as ENV, proxy in a comment (no ARG) with the 127.0.0.1 note, the token absent' '
	expect_grep "^ENV PATH=" Dockerfile &&
	expect_grep "/opt/tools/bin" Dockerfile &&
	expect_grep "^# HTTP_PROXY was .http://127.0.0.1:7897" Dockerfile &&
	expect_no_grep "^ARG HTTP_PROXY" Dockerfile &&
	expect_no_grep "^ENV HTTP_PROXY" Dockerfile &&
	expect_grep "127.0.0.1" Dockerfile &&
	expect_grep "network" Dockerfile &&
	expect_no_grep "s3cr3t-value" Dockerfile &&
	expect_no_grep "s3cr3t-value" err &&
	expect_no_grep "^ENV API_TOKEN" Dockerfile &&
	expect_no_grep "bashrc" Dockerfile
'

test_expect_success 'to-dockerfile -o writes the same text to a file' '
	keep to-dockerfile -o out.Dockerfile "$C" 2>/dev/null &&
	cmp Dockerfile out.Dockerfile
'

test_expect_success 'to-dockerfile --context writes Dockerfile, .dockerignore and the files, with plain modes on the host' '
	keep to-dockerfile "$C" --context ctx >out 2>err &&
	test -f ctx/Dockerfile && test -f ctx/.dockerignore &&
	test "$(cat ctx/files/etc/tool.conf)" = key=1 &&
	test "$(stat -c "%a %u" ctx/files/opt/tools/bin/hello ctx/files/etc/tool.conf | tr "\n" " ")" = "755 $(id -u) 644 $(id -u) " &&
	test -f ctx/files/etc/apt/sources.list.d/security.list &&
	expect_grep "COPY --chown=1234:2345 \[\"files/opt/tools/bin/hello\", \"/opt/tools/bin/hello\"\]" ctx/Dockerfile &&
	expect_grep "files/etc/apt/sources.list.d/security.list" ctx/Dockerfile &&
	quietly keep to-dockerfile "$C" --context ctx &&
	mkdir other && echo x >other/mine &&
	expect_code 1 keep to-dockerfile "$C" --context other 2>err &&
	expect_grep "did not write" err
'

# to-dockerfile --context rebuilt the packages (keep's classic build): its
# image is the build cache, so the installs are not run a second time.
test_expect_success 'docker build of the context reproduces files (content, owner, mode), packages and env' '
	$DOCKER build --network host -t "$PREFIX-rebuilt:1" ctx >build.out 2>&1 ||
		{ tail -n 30 build.out; false; } &&
	track_image "$PREFIX-rebuilt:1" &&
	grep -A1 "^Step [0-9/]* : RUN export DEBIAN_FRONTEND" build.out >apt-step.out &&
	expect_grep "Using cache" apt-step.out &&
	: "the cache is the rebuild, labelled for keep prune" &&
	test -n "$($DOCKER images -q --filter "label=io.keep.rebuild=$C")" &&
	$DOCKER run --rm --network none "$PREFIX-rebuilt:1" sh -c "stat -c \"%u:%g %a\" /opt/tools/bin/hello /etc/tool.conf; cat /etc/tool.conf; hello; dpkg-query -W -f=\"\\\${Version}\" liblzma5; echo; dpkg-query -W tzdata 2>/dev/null || echo no-tzdata; echo \$PATH; echo \${API_TOKEN:-no-token}" >run.out &&
	test "$(sed -n 1p run.out)" = "1234:2345 750" &&
	test "$(sed -n 2p run.out)" = "0:0 600" &&
	test "$(sed -n 3p run.out)" = key=1 &&
	test "$(sed -n 4p run.out)" = hello &&
	test "$(sed -n 5p run.out)" = "$(cat lzma.version)" &&
	test "$(sed -n 6p run.out)" = no-tzdata &&
	test "$(sed -n 7p run.out)" = "$DEV_PATH" &&
	test "$(sed -n 8p run.out)" = no-token
'

test_expect_success 'without a context the security source is only listed, and to-dockerfile warns' '
	keep to-dockerfile "$C" 2>err >nocontext.Dockerfile &&
	expect_grep "^#.*/etc/apt/sources.list.d/security.list" nocontext.Dockerfile &&
	expect_no_grep "^[^#].*security.list" nocontext.Dockerfile &&
	expect_grep "^keep: warning: .*package source file" err
'

test_expect_success 'verify: identical, exit 0, the temporary image is gone, show displays it' '
	{ keep_pid verify "$C" >out 2>err || { cat out err; false; }; } &&
	expect_grep "^verify $C #1: identical" out &&
	test -z "$($DOCKER images -q "keep-verify:$KEEP_PID-1")" &&
	keep show "$C" >show.out &&
	expect_grep "^verify: *identical at " show.out &&
	keep show --json "$C" >show.json &&
	test "$(jq -r .verify.status show.json)" = identical
'

test_done
