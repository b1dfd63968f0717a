#!/usr/bin/env bash
# keep prune: the images of old snapshots go, their recipes and catalog
# rows stay; never the latest, never one a container was created from;
# KEEP_RETAIN prunes after each save. And how much disk snapshots hold
# (keep ls, keep show), shared layers counted once.
. "$(dirname "$0")/lib.sh"
need_base_image

C="$PREFIX-dev"
MB=1000000
# change N: a new 4 MB file in the container. The first save is a commit
# of the container's layer (4 MB); each save after it is incremental
# (t0028): one more layer of what changed, the 4 MB file, on the image
# before it. So four snapshots hold 16 MB, where four full commits would
# hold 4 + 8 + 12 + 16 = 40 MB, and pruning the older ones of such a
# chain frees nothing: the snapshots kept stand on their layers.
change() {
	head -c 4000000 /dev/urandom >blob &&
	$DOCKER cp blob "$C:/data-$1.bin"
}

image_there() { $DOCKER image inspect "$1" >/dev/null 2>&1; }

test_expect_success 'setup: four snapshots, each 4 MB more than the one before' '
	run_container dev --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	for i in 1 2 3 4; do
		change $i && keep -q save -m "save $i" "$C" || exit 1
	done &&
	for i in 1 2 3 4; do image_there "keep/$C:$i" || exit 1; done &&
	keep to-dockerfile --at 1 "$C" >before.1
'

# held NAME: the disk_bytes keep ls --json gives NAME.
held() { keep ls --json | jq ".[] | select(.name == \"$1\") | .disk_bytes"; }

test_expect_success 'keep ls and show say how much disk the snapshots hold, without the base' '
	keep ls >ls.out &&
	expect_grep "^NAME *SAVES *DISK" ls.out &&
	grep "^$C " ls.out >row &&
	expect_grep " 1[67] MB" row &&
	bytes=$(held "$C") &&
	echo "held: $bytes" &&
	test "$bytes" -ge $((16 * MB)) && test "$bytes" -lt $((18 * MB)) &&
	keep show "$C" >show.out &&
	expect_grep "^disk: .* in 4 snapshot images of $C" show.out &&
	test "$(keep show --json "$C" | jq .disk.bytes)" = "$bytes"
'

test_expect_success 'a container whose label holds a NUL hides neither disk use nor what prune needs' '
	# what a hostile image can carry; the docker CLI cannot pass it
	track_container "$PREFIX-nul" &&
	curl -sf --unix-socket /var/run/docker.sock -H "Content-Type: application/json" \
		-d "{\"Image\": \"$KEEP_TEST_BASE\", \"Cmd\": [\"true\"], \"Labels\": {\"x\": \"a\\u0000b\"}}" \
		"http://localhost/containers/create?name=$PREFIX-nul" >/dev/null &&
	keep ls >ls.out 2>ls.err &&
	expect_no_grep "unknown" ls.err &&
	grep "^$C " ls.out >row &&
	expect_grep " 1[67] MB .* running " row &&
	keep prune --dry-run --keep 3 "$C" >out &&
	expect_grep "^would remove #1 " out
'

test_expect_success 'prune wants a bound, and a real age' '
	expect_code 2 keep prune "$C" 2>err &&
	expect_grep "say which" err &&
	expect_code 2 keep prune --older-than soon "$C" 2>err &&
	expect_grep "older-than" err &&
	expect_code 2 keep prune --all --keep 2 "$C" 2>err
'

test_expect_success 'prune --dry-run says what would go and what it frees, and removes nothing' '
	keep prune --dry-run --keep 2 "$C" >out &&
	expect_grep "^would remove #1 keep/$C:1 .*: frees next to nothing, a snapshot kept stands on its layers" out &&
	expect_grep "^would remove #2 keep/$C:2 .*: frees next to nothing" out &&
	expect_no_grep "#3\|#4" out &&
	expect_grep "would prune 2 snapshot images, would free 0 B" out &&
	for i in 1 2 3 4; do image_there "keep/$C:$i" || exit 1; done
'

test_expect_success 'prune --older-than leaves younger snapshots alone' '
	keep prune --older-than 1d "$C" >out &&
	expect_grep "nothing to prune" out &&
	sleep 1 &&
	keep prune --dry-run --older-than 1s --keep 3 "$C" >out &&
	expect_grep "^would remove #1 " out &&
	expect_no_grep "#2\|#3\|#4" out &&
	for i in 1 2 3 4; do image_there "keep/$C:$i" || exit 1; done
'

# Their layers stay under #3: the disk held is the same, counted once,
# though the images the label-less chain stood on are gone.
test_expect_success 'prune --keep 2 removes the images of #1 and #2; #3 keeps their layers' '
	held "$C" >held.before &&
	keep prune --keep 2 "$C" >out &&
	expect_grep "^removed #1 keep/$C:1 .*: frees next to nothing" out &&
	expect_grep "^removed #2 keep/$C:2 .*: frees next to nothing" out &&
	expect_grep "pruned 2 snapshot images, freed 0 B" out &&
	! image_there "keep/$C:1" && ! image_there "keep/$C:2" &&
	image_there "keep/$C:3" && image_there "keep/$C:4" &&
	after=$(held "$C") &&
	test "$after" = "$(cat held.before)"
'

test_expect_success 'show, log, diff and to-dockerfile still work on pruned snapshots' '
	keep log "$C" >log.out &&
	expect_grep "^#1 .*(image pruned)" log.out &&
	expect_grep "^#2 .*(image pruned)" log.out &&
	expect_no_grep "^#3 .*pruned" log.out &&
	keep show --at 1 "$C" >show.out &&
	expect_grep "pruned at" show.out &&
	test "$(keep show --json --at 1 "$C" | jq -r .pruned_at)" != null &&
	test "$(keep show --json --at 3 "$C" | jq -r .pruned_at)" = null &&
	keep to-dockerfile --at 1 "$C" >after.1 &&
	diff -u before.1 after.1 &&
	keep diff "$C" 1 2 >diff.out &&
	expect_grep "data-2.bin" diff.out &&
	expect_code 1 keep to-dockerfile --at 1 --context ctx "$C" 2>err &&
	expect_grep "keep prune removed" err
'

test_expect_success 'resume --at a pruned snapshot says to rebuild it from its recipe' '
	$DOCKER rm -f "$C" >/dev/null &&
	expect_code 1 keep resume -d --at 2 "$C" 2>err &&
	expect_grep "snapshot #2 of .$C. has no image (pruned at" err &&
	expect_grep "keep resume $C --at 2 --from-recipe" err &&
	track_image "keep/$C:2-recipe" &&
	keep resume -d --at 2 --from-recipe "$C" >out 2>err &&
	expect_grep "the image of .$C. #2 was pruned: its files are not in the rebuilt container" err &&
	test "$($DOCKER inspect -f "{{.State.Running}}" "$C")" = true &&
	$DOCKER rm -f "$C" >/dev/null
'

test_expect_success 'never an image a container was created from, never the latest' '
	keep -q resume -d --at 3 "$C" &&
	test "$($DOCKER inspect -f "{{.Config.Image}}" "$C")" = "keep/$C:3" &&
	change 5 && keep -q save "$C" &&
	keep prune --all "$C" >out &&
	expect_grep "^kept #3 keep/$C:3: container .$C. was created from it" out &&
	expect_grep "^removed #4 keep/$C:4" out &&
	expect_no_grep "#5" out &&
	image_there "keep/$C:3" && image_there "keep/$C:5" && ! image_there "keep/$C:4" &&
	keep prune --all "$C" >out &&
	expect_grep "^kept #3" out &&
	expect_grep "nothing to prune" out &&
	image_there "keep/$C:5"
'

# to-dockerfile --context and verify leave the package rebuild as build
# cache, labelled io.keep.rebuild=NAME (t0010, t0016 make real ones): the
# newest serves the latest recipe, older ones only hold disk.
# One like it, untagged, made without a build: a one-file image, its
# errors shown (a classic build here, its stderr dropped, failed once in
# CI without a word).
rebuild_image() {
	rm -rf rb && mkdir rb && echo "$2" >rb/rebuilt &&
	tar -C rb -cf - rebuilt |
		$DOCKER import -c "LABEL io.keep.rebuild=$1" -
}
test_expect_success 'prune removes the package rebuilds but the newest, of this container only' '
	r0=$(rebuild_image "$C" 0) && $DOCKER tag "$r0" "$PREFIX-mine:0" &&
	track_image "$PREFIX-mine:0" &&
	r1=$(rebuild_image "$C" 1) && sleep 1.1 &&
	r2=$(rebuild_image "$C" 2) && sleep 1.1 &&
	r3=$(rebuild_image "$C" 3) &&
	o1=$(rebuild_image "$C-other" 1) &&
	for i in $r1 $r2 $r3 $o1; do track_image "$i"; done &&
	keep prune --all --dry-run "$C" >out &&
	expect_grep "^would remove 2 older package rebuilds of $C " out &&
	expect_grep "^$C: would free [0-9.]* [kMG]*B\$" out &&
	image_there "$r1" && image_there "$r2" &&
	keep prune --all "$C" >out &&
	expect_grep "^removed 2 older package rebuilds of $C " out &&
	expect_grep "^$C: freed " out &&
	! image_there "$r1" && ! image_there "$r2" &&
	image_there "$r3" && image_there "$o1" &&
	: "one the user tagged is theirs" &&
	image_there "$PREFIX-mine:0" &&
	keep prune --all "$C" >out &&
	expect_grep "nothing to prune" out
'

test_expect_success 'a snapshot on top of another shares its layers: counted once' '
	# #5 was saved from a container made from #3 (12 MB): its own layer
	# is the 4 MB change, the rest is #3 below it
	bytes=$(held "$C") &&
	echo "held: $bytes" &&
	test "$bytes" -ge $((16 * MB)) && test "$bytes" -lt $((18 * MB)) &&
	keep show "$C" >show.out &&
	expect_grep "^disk: .* in 2 snapshot images" show.out
'

D="$PREFIX-retain"
test_expect_success 'KEEP_RETAIN=2 prunes after each save' '
	run_container retain --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	# seq: each /f of another size. docker cp keeps whole-second mtimes,
	# and a file of the same size and mtime is unchanged for a save.
	for i in 1 2 3; do
		seq "$i" >f && $DOCKER cp f "$D:/f" &&
		KEEP_RETAIN=2 keep save "$D" >out.$i 2>err.$i || exit 1
	done &&
	expect_no_grep "removed" err.2 &&
	expect_grep "removed #1 keep/$D:1" err.3 &&
	! image_there "keep/$D:1" && image_there "keep/$D:2" && image_there "keep/$D:3" &&
	keep log "$D" >log.out &&
	expect_grep "^#1 .*(image pruned)" log.out &&
	echo 4 >f && $DOCKER cp f "$D:/f" &&
	KEEP_RETAIN=none expect_code 2 keep save "$D" 2>err &&
	expect_grep "KEEP_RETAIN" err
'

test_expect_success 'keep doctor names keep/ images the catalog does not know, and snapshots whose image is gone' '
	O=$(run_container other --network none "$KEEP_TEST_BASE" sleep infinity) &&
	echo x >f && $DOCKER cp f "$O:/f" &&
	KEEP_HOME="$TEST_DIR/other-home" keep -q save "$O" &&
	keep doctor >out &&
	expect_grep "^  unknown: *keep/$O:1\$" out &&
	expect_no_grep "unknown: *keep/$C:" out &&
	expect_no_grep "^missing:" out &&
	$DOCKER rmi "keep/$D:2" >/dev/null &&
	keep doctor >out &&
	expect_grep "^missing: *the image of $D #2 (keep/$D:2) is gone" out &&
	keep doctor --json >out.json &&
	jq -e ".images.unknown | index(\"keep/$O:1\")" out.json &&
	jq -e ".images.missing | length >= 1" out.json
'

test_done
