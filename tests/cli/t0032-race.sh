#!/usr/bin/env bash
# Saves race: saves of one container serialise (the second waits, then
# records its own snapshot or reports it unchanged), saves of different
# containers run in parallel and share the catalog and the recipe
# repository. Nobody ever sees 'database is locked'.
. "$(dirname "$0")/lib.sh"
need_base_image

test_expect_success 'setup: three containers with a change each' '
	for n in a b c; do
		c=$(run_container race-$n --network none "$KEEP_TEST_BASE" sleep infinity) &&
		$DOCKER exec "$c" sh -c "echo $n >/etc/race-$n.conf" || exit 1
	done
'

# race ROUND: two saves of each container at once; all must succeed.
race() {
	local pids=() i n rc=0
	for i in 1 2; do
		for n in a b c; do
			keep save -m "round $1 save $i" "$PREFIX-race-$n" >"out.$1.$n.$i" 2>"err.$1.$n.$i" &
			pids+=($!)
		done
	done
	for i in "${pids[@]}"; do
		wait "$i" || rc=1
	done
	if [ $rc -ne 0 ] || grep -l . err.$1.* >/dev/null 2>&1; then
		for f in err.$1.*; do [ -s "$f" ] && { echo "$f:"; cat "$f"; }; done
	fi
	! grep -qi "locked" err.$1.* &&
	return $rc
}

test_expect_success 'six saves over three containers: all succeed, nothing locked' '
	race 1
'

# dense NAME: the sequence numbers of NAME are exactly 1, 2 ... N.
dense() {
	sqlite3 "$KEEP_HOME/catalog.db" "SELECT s.seq FROM snapshots s JOIN containers c ON c.id = s.container WHERE c.name = '$1' ORDER BY s.seq" >seq.$1 &&
	test -s seq.$1 &&
	seq 1 "$(wc -l <seq.$1)" | cmp -s - seq.$1 ||
	{ echo "$1: sequence numbers not 1..N:"; cat seq.$1; return 1; }
}

# count_of NAME: how many snapshots NAME has.
count_of() { sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM snapshots s JOIN containers c ON c.id = s.container WHERE c.name = '$1'"; }

test_expect_success 'sequence numbers are unique and dense; every snapshot has its image and recipe commit' '
	sqlite3 "$KEEP_HOME/catalog.db" "SELECT c.name, s.seq FROM snapshots s JOIN containers c ON c.id = s.container" | sort >seqs &&
	test "$(uniq -d seqs | wc -l)" = 0 &&
	for n in a b c; do
		dense "$PREFIX-race-$n" || exit 1
	done &&
	sqlite3 "$KEEP_HOME/catalog.db" "SELECT image FROM snapshots" >images &&
	while read -r img; do $DOCKER image inspect "$img" >/dev/null || exit 1; done <images &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM snapshots WHERE id NOT IN (SELECT snapshot FROM recipe_commits)")" = 0 &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM pending_saves")" = 0 &&
	test "$(git -C "$KEEP_HOME/recipes" rev-list --count HEAD)" = "$(wc -l <seqs)" &&
	quietly git -C "$KEEP_HOME/recipes" fsck --no-progress &&
	sqlite3 "$KEEP_HOME/catalog.db" "SELECT commit_id FROM recipe_commits" >commits &&
	while read -r id; do
		git -C "$KEEP_HOME/recipes" merge-base --is-ancestor "$id" HEAD ||
		{ echo "recorded recipe commit $id is not on the branch"; exit 1; }
	done <commits &&
	test -z "$(git -C "$KEEP_HOME/recipes" status --porcelain)" &&
	! ls -a "$KEEP_HOME/recipes/.git" | grep keep-write
'

test_expect_success 'with new changes, a second round makes one new snapshot per container' '
	for n in a b c; do
		$DOCKER exec "$PREFIX-race-$n" sh -c "echo 2 >/etc/race-$n.2.conf" &&
		count_of "$PREFIX-race-$n" >before.$n || exit 1
	done &&
	race 2 &&
	for n in a b c; do
		c=$PREFIX-race-$n &&
		test "$(count_of "$c")" = $(($(cat before.$n) + 1)) &&
		dense "$c" &&
		cat out.2.$n.1 out.2.$n.2 >out.2.$n &&
		test "$(grep -c "^saved $c #" out.2.$n)" = 1 &&
		test "$(grep -c "^$c: unchanged since" out.2.$n)" = 1 ||
		{ echo "$c: not one new snapshot and one unchanged:"; cat out.2.$n.1 out.2.$n.2; exit 1; }
	done
'

test_done
