#!/usr/bin/env bash
# keep save killed with SIGKILL at any moment, a full disk, a locked recipe
# repository: the catalog stays consistent (integrity ok, no snapshot
# without its image, no image keep/NAME:* without a snapshot once the next
# save ran) and the next save works.
. "$(dirname "$0")/lib.sh"
need_base_image

db() { sqlite3 "$KEEP_HOME/catalog.db" "$@"; }

# consistent NAME: the checks every fault must leave true.
consistent() {
	test "$(db "PRAGMA integrity_check")" = ok || { echo "integrity_check failed"; return 1; }
	db "SELECT s.image FROM snapshots s JOIN containers c ON c.id = s.container WHERE c.name = '$1'" >recorded
	while read -r img; do
		$DOCKER image inspect "$img" >/dev/null 2>&1 || { echo "snapshot image $img is missing"; return 1; }
	done <recorded
}

# unpaused NAME: wait until the engine has finished a commit it paused NAME
# for (a killed save's commit goes on in the engine).
unpaused() {
	for _ in $(seq 1 100); do
		[ "$($DOCKER inspect -f "{{.State.Paused}}" "$1")" = false ] && return 0
		sleep 0.1
	done
	echo "$1 stays paused"; return 1
}

# no_orphans NAME: every image keep/NAME:* is a recorded snapshot.
no_orphans() {
	$DOCKER images --format '{{.Repository}}:{{.Tag}}' "keep/$1" | sort >images
	sort recorded >recorded.sorted
	if [ -n "$(comm -23 images recorded.sorted)" ]; then
		echo "images without a snapshot:"; comm -23 images recorded.sorted
		return 1
	fi
	test "$(db "SELECT count(*) FROM pending_saves")" = 0
}

# The second save is timed: the first also makes the catalog and the
# recipe repository and reads the base image, and takes twice as long as
# the saves the kills below interrupt.
test_expect_success 'setup: a container with 30 MB to commit, saved twice' '
	c=$(run_container crash --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "head -c 30000000 /dev/urandom >/opt/blob" &&
	keep save "$c" >out &&
	expect_grep "^saved $c #1" out &&
	$DOCKER exec "$c" touch /opt/second &&
	start=$(date +%s%N) &&
	keep save "$c" >out &&
	echo $(( ($(date +%s%N) - start) / 1000000 )) >"$TEST_DIR/save.ms" &&
	expect_grep "^saved $c #2" out
'
C=$PREFIX-crash

# Kill i lands at a random point of the i-th twelfth of a save's time, so
# the kills spread over the whole save. A kill counts when keep died of it
# (exit 137) rather than having finished; one that leaves a pending save
# gives the next save something to repair. Saves get quicker as the
# engine's caches warm: a save that finished before its kill took less
# than that, and the kills after it aim within that time.
test_expect_success 'twelve SIGKILLs at random points of a save leave a consistent catalog' '
	span=$(cat "$TEST_DIR/save.ms") &&
	landed=0 && pending=0 &&
	for i in $(seq 1 12); do
		unpaused "$C" &&
		$DOCKER exec "$C" touch "/opt/kill-$i" || exit 1
		"$KEEP_BIN" save -m "kill $i" "$C" >/dev/null 2>&1 &
		pid=$!
		slot=$(( span / 12 + 1 ))
		ms=$(( (i - 1) * slot + (RANDOM * 32768 + RANDOM) % slot ))
		sleep "$(printf "%d.%03d" $((ms / 1000)) $((ms % 1000)))"
		kill -9 $pid 2>/dev/null
		st=0 && wait $pid 2>/dev/null || st=$?
		if [ "$st" = 0 ]; then span=$ms; fi
		left=$(db "SELECT count(*) FROM pending_saves") &&
		say "kill $i at ${ms} ms: keep exit $st, $left pending" &&
		if [ "$st" = 137 ]; then landed=$((landed + 1)); fi &&
		if [ "$left" -gt 0 ]; then pending=$((pending + 1)); fi &&
		consistent "$C" || exit 1
	done &&
	say "$landed of 12 kills landed during a save; $pending left a pending save" &&
	test "$landed" -ge 6 && test "$pending" -ge 1
'

test_expect_success 'the next save repairs what was left and works; no image without a snapshot' '
	unpaused "$C" &&
	$DOCKER exec "$C" touch /opt/after-kills &&
	keep save "$C" >out 2>err &&
	expect_grep "^saved $C #" out &&
	consistent "$C" && no_orphans "$C" &&
	test "$(db "SELECT count(*) FROM snapshots WHERE id NOT IN (SELECT snapshot FROM recipe_commits)")" = 0 &&
	quietly git -C "$KEEP_HOME/recipes" fsck --no-progress &&
	test -z "$(git -C "$KEEP_HOME/recipes" status --porcelain)" &&
	! ls -a "$KEEP_HOME/recipes/.git" | grep keep-write &&
	keep show "$C" >out && expect_grep "/opt/after-kills" out
'

test_expect_success 'a locked recipe repository: exit 1, one clear line; the next save commits the recipe' '
	touch "$KEEP_HOME/recipes/.git/index.lock" &&
	unpaused "$C" &&
	$DOCKER exec "$C" touch /opt/locked &&
	expect_code 1 keep save "$C" >out 2>err &&
	test "$(wc -l <err)" = 1 &&
	expect_grep "^keep: saved .*recipe was not committed.*index is locked" err &&
	consistent "$C" && no_orphans "$C" &&
	rm "$KEEP_HOME/recipes/.git/index.lock" &&
	keep save "$C" >out 2>err &&
	expect_grep "unchanged since" out &&
	expect_grep "committed the recipe" err &&
	test "$(db "SELECT count(*) FROM snapshots WHERE id NOT IN (SELECT snapshot FROM recipe_commits)")" = 0
'

test_expect_success 'a full disk under KEEP_HOME: exit 1, one clear line, catalog consistent; then it works (snapshot and recipe)' '
	mnt="$TEST_DIR/small" && mkdir -p "$mnt" &&
	mount -t tmpfs -o size=3m tmpfs "$mnt" 2>mount.err || test_skip "cannot mount a tmpfs: $(cat mount.err)"
	trap "umount -l \"$mnt\" 2>/dev/null" EXIT
	KEEP_HOME="$mnt/home" &&
	c=$(run_container full --network none "$KEEP_TEST_BASE" sleep infinity) &&
	keep save "$c" >out &&
	expect_grep "^saved $c #1" out &&
	{ head -c 8000000 /dev/zero >"$mnt/filler" 2>/dev/null || test -s "$mnt/filler"; } &&
	sync && test "$(df --output=avail "$mnt" | tail -n 1)" -eq 0 &&
	$DOCKER exec "$c" sh -c "for i in \$(seq 1 400); do echo \$i >/opt/full-\$i-with-a-long-name-to-take-space-in-the-catalog; done" &&
	expect_code 1 keep save "$c" >out 2>err &&
	test "$(wc -l <err)" = 1 && cat err &&
	expect_grep "^keep: " err &&
	rm -f "$mnt/filler" &&
	consistent "$c" &&
	keep save "$c" >out 2>err &&
	cat out err &&
	consistent "$c" && no_orphans "$c" &&
	test "$(db "SELECT count(*) FROM snapshots WHERE id NOT IN (SELECT snapshot FROM recipe_commits)")" = 0 &&
	keep show "$c" >out && expect_grep "/opt/full-400-with" out
'

test_done
