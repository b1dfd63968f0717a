#!/usr/bin/env bash
# keep find: which containers and snapshots hold a package (compared in its
# manager's own version order, base image packages included), a file, an
# env name, a mount source, a base image; from the catalog alone.
. "$(dirname "$0")/lib.sh"
need_base_image
ensure_python_image || { echo "Bail out! cannot build keep-test/python"; exit 1; }

mkdir -p "$TEST_DIR/models"
A=$PREFIX-dev B=$PREFIX-plain P=$PREFIX-py K=$PREFIX-apk N=$PREFIX-node

# apk's database, as Alpine writes it (no Alpine image can be pulled).
mk_apk_db() {
	local dir=$1; shift
	mkdir -p "$dir/lib/apk/db" "$dir/etc/apk"
	: >"$dir/lib/apk/db/installed"
	while [ $# -gt 0 ]; do
		printf 'C:Q1abc=\nP:%s\nV:%s\nA:%s\nT:%s fixture\n\n' "$1" "$2" "$3" "$1" >>"$dir/lib/apk/db/installed"
		shift 3
	done
}

test_expect_success 'setup: jq installed by hand, a file, a token, a read-only bind mount' '
	run_container dev --network host -e API_TOKEN=s3cr3t-value -e MODE=dev \
	    -v "$TEST_DIR/models:/models:ro" "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	quietly $DOCKER exec "$A" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$A" sh -c "echo key=1 >/opt/tool.conf" &&
	$DOCKER exec "$A" dpkg-query -W -f="\${Version}" jq >jq.version &&
	$DOCKER exec "$A" dpkg-query -W -f="\${Version}" libc6 >libc6.version &&
	test -s jq.version && test -s libc6.version &&
	keep save "$A" >/dev/null
'

test_expect_success 'setup: an untouched container on the same base, with a volume' '
	track_volume "$PREFIX-vol" &&
	run_container plain --network none -v "$PREFIX-vol:/data" "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	keep save "$B" >/dev/null
'

test_expect_success 'setup: a pip release candidate in a venv' '
	run_container py --network none -v "$KEEP_SOURCE_DIR/tests/cli/mkwheel.py:/mkwheel.py:ro" keep-test/python:latest sleep infinity >/dev/null &&
	$DOCKER exec "$P" python3 -m venv /opt/venv &&
	$DOCKER exec "$P" python3 /mkwheel.py hello_keep 1.2.3rc1 /tmp/hello_keep-1.2.3rc1-py3-none-any.whl &&
	$DOCKER exec "$P" /opt/venv/bin/pip install -q --no-index /tmp/hello_keep-1.2.3rc1-py3-none-any.whl &&
	keep save "$P" >/dev/null
'

test_expect_success 'setup: an apk image whose container added curl' '
	mk_apk_db base musl 1.2.4-r2 x86_64 busybox 1.36.1-r15 x86_64 &&
	echo busybox >base/etc/apk/world &&
	tar -C base -cf base.tar . &&
	$DOCKER import base.tar "keep-test/apk-$PREFIX:1" >/dev/null &&
	track_image "keep-test/apk-$PREFIX:1" &&
	mk_apk_db new musl 1.2.4-r2 x86_64 busybox 1.36.1-r15 x86_64 curl 8.5.0-r0 x86_64 &&
	printf "busybox\ncurl\n" >new/etc/apk/world &&
	$DOCKER create --name "$K" --network none "keep-test/apk-$PREFIX:1" /bin/sh >/dev/null &&
	track_container "$K" &&
	$DOCKER cp new/lib/apk/db/installed "$K:/lib/apk/db/installed" &&
	$DOCKER cp new/etc/apk/world "$K:/etc/apk/world" &&
	keep save "$K" >/dev/null
'

# No registry is reachable from the containers here: the global tree is
# written as npm install -g lays it out.
test_expect_success 'setup: npm global packages, one a pre-release, one scoped' '
	run_container node --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER exec "$N" sh -c "
	    mkdir -p /usr/local/lib/node_modules/semver /usr/local/lib/node_modules/@types/semver &&
	    echo {\\\"name\\\":\\\"semver\\\",\\\"version\\\":\\\"2.0.0-beta\\\"} >/usr/local/lib/node_modules/semver/package.json &&
	    echo {\\\"name\\\":\\\"@types/semver\\\",\\\"version\\\":\\\"7.5.8\\\"} >/usr/local/lib/node_modules/@types/semver/package.json" &&
	keep save "$N" >/dev/null &&
	keep show --json "$N" >show.json &&
	test "$(jq -r "[.packages[] | select(.manager == \"npm\")] | length" show.json)" = 2
'

test_expect_success 'a package installed by hand: the container, the snapshot, its version' '
	keep find jq >out &&
	test "$(wc -l <out)" = 1 &&
	expect_grep "^$A  *#1 (latest)  *dpkg jq $(cat jq.version) \[amd64\] (installed)$" out
'

test_expect_success 'a package that came with the base image counts for every container on it' '
	keep find libc6 >out &&
	expect_grep "^$A  *#1 (latest)  *dpkg libc6 $(cat libc6.version) \[amd64\] (base image)$" out &&
	expect_grep "^$B  *#1 (latest)  *dpkg libc6 $(cat libc6.version) \[amd64\] (base image)$" out &&
	keep find --json libc6 >out.json &&
	test "$(jq -r "[.[] | select(.name == \"$A\")][0].source" out.json)" = base-image &&
	test "$(jq -r "[.[] | select(.name == \"$A\")][0].snapshots | join(\",\")" out.json)" = 1
'

test_expect_success 'versions compare in dpkg order: 1.6 is before 1.10, ~ before the end' '
	keep find "jq<1.10" >out &&
	expect_grep "^$A " out &&
	expect_code 1 keep find "jq>1.10" >out 2>err &&
	test ! -s out &&
	expect_grep "no snapshot holds" err &&
	keep find "jq>=$(cat jq.version)~" >out && expect_grep "^$A " out &&
	keep find "libc6<=$(cat libc6.version)" >out && expect_grep "^$B " out &&
	expect_code 1 keep find "libc6<$(cat libc6.version)" >out
'

test_expect_success 'pip versions compare as PEP 440 (rc before the release), names as pip does' '
	keep find "hello-keep<1.2.3" >out &&
	expect_grep "^$P  *#1 (latest)  *pip hello_keep 1.2.3rc1 in /opt/venv/lib/python3[.0-9]*/site-packages (installed)$" out &&
	keep find Hello.Keep >out && expect_grep "^$P " out &&
	expect_code 1 keep find "hello_keep>=1.2.3"
'

test_expect_success 'apk versions compare in apk order; --manager narrows' '
	keep find "curl<8.5.0-r1" >out && expect_grep "^$K  *#1 (latest)  *apk curl 8.5.0-r0 \[x86_64\] (installed)$" out &&
	keep find "curl>8.5.0_rc1" >out && expect_grep "^$K " out &&
	keep find --manager apk musl >out &&
	expect_grep "^$K  *#1 (latest)  *apk musl 1.2.4-r2 \[x86_64\] (base image)$" out &&
	expect_code 1 keep find --manager dpkg musl
'

test_expect_success 'npm versions compare as semver: a pre-release before its release' '
	keep find "semver<2.0.0" >out &&
	expect_grep "^$N  *#1 (latest)  *npm semver 2.0.0-beta in /usr/local/lib/node_modules (installed)$" out &&
	keep find "@types/semver>=7.5" >out && expect_grep "^$N .* npm @types/semver 7.5.8 " out &&
	expect_code 1 keep find "semver>=2.0.0"
'

test_expect_success 'a package removed later: found in the snapshot before, not in the latest' '
	quietly $DOCKER exec "$A" sh -c "apt-get purge -y -qq tzdata" &&
	keep save "$A" >/dev/null &&
	keep find tzdata >out &&
	expect_grep "^$A  *#1  *dpkg tzdata" out &&
	expect_grep "^$B  *#1 (latest)  *" out &&
	keep find --latest tzdata >out &&
	expect_no_grep "^$A " out &&
	expect_grep "^$B " out &&
	keep find jq >out &&
	expect_grep "^$A  *#1-2 (latest)  *dpkg jq " out
'

test_expect_success 'files, env names (never values), mount sources, base images' '
	keep find --file /opt/tool.conf >out &&
	expect_grep "^$A  *#1-2 (latest)  *added /opt/tool.conf (loose file)$" out &&
	keep find --file "/usr/local/lib/node_modules/*/package.json" >out &&
	expect_grep "^$N " out &&
	keep find --env API_TOKEN >out &&
	expect_grep "^$A  *#1-2 (latest)  *env API_TOKEN$" out &&
	keep find --json --env "API_*" >out.json &&
	expect_no_grep s3cr3t out && expect_no_grep s3cr3t out.json &&
	expect_code 1 keep find --env s3cr3t-value &&
	keep find --mount "$TEST_DIR/models" >out &&
	expect_grep "^$A  *#1-2 (latest)  *bind $TEST_DIR/models -> /models (read-only)$" out &&
	keep find --mount "$PREFIX-vol" >out &&
	expect_grep "^$B  *#1 (latest)  *volume $PREFIX-vol -> /data$" out &&
	keep find --base "${KEEP_TEST_BASE%:*}" >out &&
	expect_grep "^$A " out && expect_grep "^$B " out && expect_grep "^$N " out &&
	expect_no_grep "^$P " out && expect_no_grep "^$K " out &&
	id=$($DOCKER image inspect -f "{{.Id}}" "$KEEP_TEST_BASE") &&
	keep find --base "${id:7:12}" >out2 &&
	cmp out out2
'

test_expect_success 'find needs no engine: the catalog answers' '
	DOCKER_HOST=unix:///nonexistent/docker.sock keep find --latest jq >out &&
	expect_grep "^$A " out
'

test_expect_success 'usage errors exit 2' '
	expect_code 2 keep find 2>err &&
	expect_code 2 keep find "<3" 2>err && expect_grep "no package query" err &&
	expect_code 2 keep find --file --env x 2>err &&
	expect_code 2 keep find --manager rpm x 2>err && expect_grep "dpkg apk pip npm" err &&
	expect_code 2 keep find --env --manager dpkg x 2>err
'

test_done
