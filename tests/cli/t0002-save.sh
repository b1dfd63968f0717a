#!/usr/bin/env bash
# keep save / show / ls against the real engine: what a user relies on is
# that the snapshot names exactly what changed in the container.
. "$(dirname "$0")/lib.sh"
need_base_image

mkdir -p "$TEST_DIR/bind"
echo "data" >"$TEST_DIR/bind/model.bin"

test_expect_success 'setup: a container that installed jq, wrote a file, has a bind mount' '
	c=$(run_container dev --network host -v "$TEST_DIR/bind:/work" "$KEEP_TEST_BASE" sleep infinity) &&
	quietly $DOCKER exec "$c" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$c" sh -c "echo key=1 >/opt/tool.conf" &&
	$DOCKER exec "$c" dpkg-query -W -f="\${Version}" jq >"$TEST_DIR/jq.version" &&
	test -s "$TEST_DIR/jq.version"
'
C=$PREFIX-dev

test_expect_success 'save records jq as manual with the exact version, its libraries as automatic' '
	keep save "$C" >out &&
	expect_grep "^saved $C #1 .* keep/$C:1: +[0-9]* dpkg, 1 file$" out &&
	keep show --json "$C" >show.json &&
	test "$(jq -r ".packages[] | select(.name==\"jq\") | .version" show.json)" = "$(cat "$TEST_DIR/jq.version")" &&
	test "$(jq -r ".packages[] | select(.name==\"jq\") | .auto" show.json)" = false &&
	test "$(jq -r ".packages[] | select(.name==\"jq\") | .change" show.json)" = added &&
	test "$(jq -r ".packages[] | select(.name==\"libjq1\") | .auto" show.json)" = true &&
	test "$(jq -r ".packages[] | select(.name==\"libonig5\") | .auto" show.json)" = true
'

test_expect_success 'the mount and the loose file are recorded; apt lists and logs are not files' '
	keep show --json "$C" >show.json &&
	test "$(jq -r ".mounts[0].destination" show.json)" = /work &&
	test "$(jq -r ".mounts[0].source" show.json)" = "$TEST_DIR/bind" &&
	test "$(jq -r ".mounts[0].type" show.json)" = bind &&
	test "$(jq -r ".mounts[0].rw" show.json)" = true &&
	test "$(jq -r "[.files[].path] | join(\" \")" show.json)" = /opt/tool.conf &&
	test "$(jq -r ".seq" show.json)" = 1 &&
	test "$(jq -r ".base.ref" show.json)" = "$KEEP_TEST_BASE" &&
	test "$(jq -r ".base.digest" show.json)" = null
'

test_expect_success 'the image keep/NAME:1 exists and is labelled' '
	$DOCKER image inspect "keep/$C:1" --format "{{index .Config.Labels \"io.keep.container\"}} {{index .Config.Labels \"io.keep.seq\"}}" >out &&
	test "$(cat out)" = "$C 1"
'

test_expect_success 'a second save with no change reports unchanged and makes no image' '
	before=$($DOCKER images -q "keep/$C" | wc -l) &&
	keep save "$C" >out &&
	test "$(cat out)" = "$C: unchanged since #1" &&
	test "$($DOCKER images -q "keep/$C" | wc -l)" = "$before" &&
	keep save --json "$C" >out.json &&
	test "$(jq -r .unchanged out.json)" = true
'

test_expect_success 'after purging a base package (tzdata), a save by ID prefix is #2 and shows it removed' '
	quietly $DOCKER exec "$C" sh -c "apt-get purge -y -qq tzdata" &&
	id=$($DOCKER inspect -f "{{.Id}}" "$C") &&
	keep save "${id:0:10}" >out &&
	expect_grep "^saved $C #2 " out &&
	keep show --json "$C" >show.json &&
	test "$(jq -r ".packages[] | select(.name==\"tzdata\") | .change" show.json)" = removed &&
	test "$(jq -r ".packages[] | select(.name==\"jq\") | .change" show.json)" = added &&
	keep show --at 1 --json "$C" >show1.json &&
	test "$(jq -r "[.packages[] | select(.name==\"tzdata\")] | length" show1.json)" = 0
'

test_expect_success 'show prints env names but never a secret value' '
	c=$(run_container env --network none -e API_TOKEN=s3cr3t-value -e HTTP_PROXY=http://bob:hunter2@127.0.0.1:7897 -e MODE=dev "$KEEP_TEST_BASE" sleep infinity) &&
	keep save "$c" >/dev/null &&
	keep show "$c" >out &&
	keep show --json "$c" >out.json &&
	expect_grep "API_TOKEN" out &&
	expect_grep "MODE=dev" out &&
	expect_no_grep "s3cr3t-value" out && expect_no_grep "s3cr3t-value" out.json &&
	expect_no_grep "hunter2" out && expect_no_grep "hunter2" out.json &&
	test "$(jq -r ".env[] | select(.name==\"API_TOKEN\") | .secret" out.json)" = true
'

test_expect_success 'a stopped container saves fine' '
	c=$(run_container stopped --network none "$KEEP_TEST_BASE" sh -c "echo x >/etc/stopped.conf") &&
	$DOCKER wait "$c" >/dev/null &&
	keep save "$c" >out &&
	expect_grep "^saved $c #1 .*1 file" out
'

test_expect_success 'a missing container: exit 1, a message naming it, catalog untouched' '
	sum_before=$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM snapshots") &&
	expect_code 1 keep save "$PREFIX-nosuch" 2>err &&
	expect_grep "$PREFIX-nosuch" err &&
	test "$(wc -l <err)" -eq 1 &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM snapshots")" = "$sum_before" &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM pending_saves")" = 0
'

test_expect_success 'save without NAME, or with two, is a usage error' '
	expect_code 2 keep save 2>err &&
	expect_code 2 keep save a b 2>err
'

test_expect_success 'ls lists the tracked containers with counts and status' '
	keep ls >out &&
	expect_grep "^$C  *2 .* running " out &&
	keep ls --json >ls.json &&
	test "$(jq -r ".[] | select(.name==\"$C\") | .snapshots" ls.json)" = 2 &&
	test "$(jq -r ".[] | select(.name==\"$C\") | .last_seq" ls.json)" = 2 &&
	test "$(jq -r ".[] | select(.name==\"$C\") | .status" ls.json)" = running &&
	jq -e ".[0] | has(\"compose_project\") and has(\"compose_service\")" ls.json >/dev/null
'

test_expect_success 'a removed container still resolves from the catalog for show and ls' '
	$DOCKER rm -f "$PREFIX-stopped" >/dev/null &&
	keep show "$PREFIX-stopped" >out &&
	expect_grep "/etc/stopped.conf" out &&
	keep ls --json >ls.json &&
	test "$(jq -r ".[] | select(.name==\"$PREFIX-stopped\") | .status" ls.json)" = gone
'

test_expect_success 'editing the contents of a recorded file again is a change' '
	$DOCKER exec "$C" sh -c "echo key=2 >/opt/tool.conf" &&
	keep save "$C" >out &&
	expect_grep "^saved $C #3 " out &&
	keep save "$C" >out &&
	test "$(cat out)" = "$C: unchanged since #3"
'

test_expect_success 'each save checkpoints the catalog: the log the next command reads stays one save long' '
	for i in 1 2 3 4 5 6; do
		$DOCKER exec "$C" sh -c "echo $i >/opt/wal-$i" &&
		keep save "$C" >/dev/null || exit 1
		if [ "$i" = 2 ]; then two=$(wal_frames "$KEEP_HOME/catalog.db-wal"); fi
	done &&
	six=$(wal_frames "$KEEP_HOME/catalog.db-wal") &&
	say "log frames after two saves: $two, after six: $six" &&
	test "$two" -gt 0 && test "$six" -le $((two * 3 / 2))
'

test_expect_success 'the base image package set is read once per image id' '
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM base_images WHERE read_at IS NOT NULL")" = 1 &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(DISTINCT base) FROM base_packages")" = 1
'

test_expect_success 'a container with several mounts is unchanged save after save (the engine lists them in any order)' '
	mkdir -p "$TEST_DIR/m1" "$TEST_DIR/m2" "$TEST_DIR/m3" &&
	m=$(run_container mounts --network none -v "$TEST_DIR/m1:/m1" \
	    -v "$TEST_DIR/m2:/m2:ro" -v "$TEST_DIR/m3:/srv/m3" \
	    -v "$PREFIX-vol:/data" "$KEEP_TEST_BASE" sleep infinity) &&
	track_volume "$PREFIX-vol" &&
	keep save "$PREFIX-mounts" >out &&
	expect_grep "^saved $PREFIX-mounts #1 " out &&
	for i in 1 2 3 4 5 6; do
		keep save "$PREFIX-mounts" >out &&
		test "$(cat out)" = "$PREFIX-mounts: unchanged since #1" || exit 1
	done
'

test_done
