#!/usr/bin/env bash
# keep status: what changed since the last save, without saving: packages,
# loose files, env names, run settings, the image, as save would see them.
. "$(dirname "$0")/lib.sh"
need_base_image
ensure_python_image || { echo "Bail out! cannot build keep-test/python"; exit 1; }

C=$PREFIX-dev
IMG=keep-test/status-$PREFIX:1

snapshots() { keep log --json "$C" | jq length; }
images() { $DOCKER images -q "keep/$C" | wc -l; }

test_expect_success 'setup: a container from a tag of the base image, saved' '
	$DOCKER tag "$KEEP_TEST_BASE" "$IMG" && track_image "$IMG" &&
	run_container dev --network host -e MODE=dev -e API_TOKEN=s3cr3t-value \
	    "$IMG" sleep infinity >/dev/null &&
	keep save "$C" >/dev/null
'

test_expect_success 'nothing changed: unchanged since #1, exit 0, one line' '
	keep status "$C" >out &&
	test "$(cat out)" = "$C: unchanged since #1 (just now)" &&
	keep status >out &&
	expect_grep "^$C: unchanged since #1 (just now)$" out
'

test_expect_success 'setup: jq installed by hand, a file written, one deleted, memory limited' '
	quietly $DOCKER exec "$C" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$C" dpkg-query -W -f="\${Version}" jq >jq.version &&
	$DOCKER exec "$C" sh -c "echo key=1 >/opt/tool.conf && rm /etc/issue" &&
	$DOCKER update --memory 512m --memory-swap 1g "$C" >/dev/null
'

test_expect_success 'status names each change, short: packages, files, settings' '
	keep status "$C" >out &&
	expect_grep "^$C: changed since #1 (" out &&
	expect_grep "^A  dpkg jq $(cat jq.version)$" out &&
	expect_grep "^A  dpkg libjq1 " out &&
	expect_grep "^A  /opt/tool.conf$" out &&
	expect_grep "^D  /etc/issue$" out &&
	expect_grep "^A  run HostConfig.Memory 536870912$" out &&
	expect_no_grep "apt/lists" out &&
	keep status --json "$C" >out.json &&
	test "$(jq -r .status out.json)" = changed &&
	test "$(jq -r .seq out.json)" = 1 &&
	jq -e ".packages | index(\"+dpkg jq $(cat jq.version)\")" out.json >/dev/null &&
	jq -e ".files.added | index(\"/opt/tool.conf\")" out.json >/dev/null
'

test_expect_success 'without NAME: one line per tracked container with counts' '
	keep status >out &&
	n=$(grep -c "^[AM]  dpkg " <(keep status "$C")) &&
	expect_grep "^$C: $n packages, 2 files, 2 settings since #1 (" out
'

test_expect_success 'status saved nothing: no snapshot, no image' '
	test "$(snapshots)" = 1 &&
	test "$(images)" = 1
'

test_expect_success 'it agrees with save: save makes #2, then both say unchanged' '
	keep save "$C" >out &&
	expect_grep "^saved $C #2 " out &&
	keep status "$C" >out &&
	test "$(head -n 1 out)" = "$C: unchanged since #2 (just now)" &&
	test "$(wc -l <out)" = 1 &&
	keep save "$C" >out &&
	test "$(cat out)" = "$C: unchanged since #2"
'

test_expect_success 'a loose file edited again: status says changed, and save agrees' '
	sleep 1 &&
	$DOCKER exec "$C" sh -c "echo key=2 >/opt/tool.conf" &&
	keep status "$C" >out &&
	expect_grep "^$C: changed since #2 " out &&
	expect_grep "^M  changed otherwise: loose files edited again" out &&
	keep save "$C" >out &&
	expect_grep "^saved $C #3 " out
'

test_expect_success 'the image name moved (a build or pull since): said, and no change' '
	$DOCKER tag keep-test/python:latest "$IMG" &&
	keep status "$C" >out &&
	expect_grep "^$C: unchanged since #3 " out &&
	expect_grep "^!  image $IMG names [0-9a-f]\{12\} now, the container runs [0-9a-f]\{12\}$" out &&
	keep status >out &&
	expect_grep "^$C: unchanged since #3 (.*); $IMG moved$" out &&
	keep status --json "$C" >out.json &&
	test "$(jq -r .image.moved out.json)" = true &&
	test "$(jq -r .image.recreated out.json)" = false
'

test_expect_success 'recreated from the moved name with other env: env and image drift, names only' '
	$DOCKER rm -f "$C" >/dev/null &&
	run_container dev --network none -e MODE=prod -e NEW_VAR=1 "$IMG" sleep infinity >/dev/null &&
	keep status "$C" >out &&
	expect_grep "^M  env MODE$" out &&
	expect_grep "^A  env NEW_VAR$" out &&
	expect_grep "^D  env API_TOKEN$" out &&
	expect_grep "^M  image the container runs [0-9a-f]\{12\}, #3 was made on [0-9a-f]\{12\}$" out &&
	expect_no_grep "^!  image" out &&
	keep status --json "$C" >out.json &&
	expect_no_grep s3cr3t out && expect_no_grep s3cr3t out.json &&
	expect_no_grep prod out && expect_no_grep prod out.json &&
	test "$(jq -r .image.recreated out.json)" = true &&
	keep status >out &&
	expect_grep "^$C: new image, .*3 env" out
'

P=$PREFIX-py
test_expect_success 'setup: two wheels in a venv, saved' '
	run_container py --network none -v "$KEEP_SOURCE_DIR/tests/cli/mkwheel.py:/mkwheel.py:ro" keep-test/python:latest sleep infinity >/dev/null &&
	$DOCKER exec "$P" sh -c "python3 -m venv /opt/venv &&
	    cd /tmp && for w in Hello_Keep:1.0 Hello_Keep:1.1 bye_keep:2.0; do
	        python3 /mkwheel.py \${w%:*} \${w#*:} \${w%:*}-\${w#*:}-py3-none-any.whl || exit 1; done &&
	    /opt/venv/bin/pip install -q --no-index Hello_Keep-1.0-py3-none-any.whl bye_keep-2.0-py3-none-any.whl" &&
	keep save "$P" >/dev/null
'

test_expect_success 'packages upgraded and removed, each by its manager' '
	quietly $DOCKER exec "$P" sh -c "/opt/venv/bin/pip install -q --no-index /tmp/Hello_Keep-1.1-py3-none-any.whl &&
	    /opt/venv/bin/pip uninstall -y -q bye_keep && apt-get purge -y -qq tzdata" &&
	keep status "$P" >out &&
	expect_grep "^M  pip Hello_Keep 1.0 → 1.1$" out &&
	expect_grep "^D  pip bye_keep$" out &&
	expect_grep "^D  dpkg tzdata$" out &&
	expect_no_grep "^[AM]  dpkg " out &&
	keep status --json "$P" >out.json &&
	jq -e ".packages | index(\"~pip Hello_Keep 1.0 → 1.1\")" out.json >/dev/null &&
	jq -e ".packages | index(\"-dpkg tzdata\")" out.json >/dev/null &&
	keep status >out &&
	expect_grep "^$P: 3 packages[, ]" out
'

test_expect_success 'a container never saved: what a save would record' '
	c=$(run_container fresh --network none "$KEEP_TEST_BASE" sh -c "echo x >/opt/new.conf; sleep infinity") &&
	sleep 1 &&
	keep status "$c" >out &&
	expect_grep "^$c: not saved yet; a save would record 1 file$" out &&
	keep status >out &&
	expect_no_grep "^$c:" out
'

test_expect_success 'a tracked container that is gone: said, exit 0' '
	$DOCKER rm -f "$C" >/dev/null &&
	keep status "$C" >out &&
	expect_grep "^$C: gone; last saved #3 (" out &&
	keep status >out &&
	expect_grep "^$C: gone; last saved #3 (" out &&
	keep status --json >out.json &&
	test "$(jq -r ".[] | select(.name == \"$C\") | .status" out.json)" = gone
'

test_expect_success 'errors: no engine, an unknown name, too many names' '
	expect_code 1 env DOCKER_HOST=unix:///nonexistent/docker.sock "$KEEP_BIN" status 2>err &&
	expect_code 1 keep status "$PREFIX-nosuch" 2>err &&
	expect_code 2 keep status a b 2>err
'

test_done
