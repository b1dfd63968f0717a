#!/usr/bin/env bash
# Two keep catalogs on one engine (keep run with another KEEP_HOME, or as
# root through sudo): each numbers its snapshots of a container of a given
# name from 1, and a snapshot's image is tagged keep/NAME:N. A save never
# takes a tag another catalog's snapshot holds (that image would lose its
# only name and go with the next 'docker image prune'); and if a tag is
# moved anyway (by hand, or by an older keep), each catalog's snapshots
# still mean their own images: resume, to-dockerfile --context and verify
# use the image id the save recorded, and say why.
. "$(dirname "$0")/lib.sh"
need_base_image

OTHER="$TEST_DIR/other-home"
a_image() { sqlite3 "$KEEP_HOME/catalog.db" "SELECT image_id FROM snapshots WHERE seq = ${1:-1}"; }
b_image() { sqlite3 "$OTHER/catalog.db" "SELECT image_id FROM snapshots WHERE seq = ${1:-1}"; }

test_expect_success 'catalog B saving the container catalog A saved leaves A its tag' '
	c=$(run_container two --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "echo a >/etc/only-in-a" &&
	keep save "$c" >out && expect_grep "^saved $c #1 . keep/$c:1:" out &&
	track_image "$(a_image)" &&
	$DOCKER exec "$c" sh -c "rm /etc/only-in-a; echo b >/etc/only-in-b" &&
	KEEP_HOME="$OTHER" keep save "$c" >out 2>err &&
	expect_grep "^saved $c #1 . keep/$c:1-[0-9a-f]\{8\}:" out &&
	expect_grep "keep/$c:1. names an image that another keep catalog" err &&
	track_image "$(b_image)" &&
	test "$($DOCKER image inspect -f "{{.Id}}" "keep/$c:1")" = "$(a_image)" &&
	test "$($DOCKER image inspect -f "{{index .Config.Labels \"io.keep.seq\"}}" "$(b_image)")" = 1
'
C=$PREFIX-two

test_expect_success 'with the tag moved by hand, resume from catalog A recreates from its own image, and says so' '
	$DOCKER tag "$(b_image)" "keep/$C:1" &&
	$DOCKER rm -f "$C" >/dev/null &&
	keep resume -d "$C" 2>err &&
	expect_grep "keep/$C:1. no longer names the image of snapshot #1" err &&
	expect_grep "^recreated $C" err &&
	$DOCKER exec "$C" test -f /etc/only-in-a &&
	! $DOCKER exec "$C" test -e /etc/only-in-b
'

test_expect_success 'to-dockerfile --context from catalog A copies its own files; B is not warned' '
	keep to-dockerfile --context ctx-a "$C" 2>err &&
	expect_grep "no longer names" err &&
	test -f ctx-a/files/etc/only-in-a && test ! -e ctx-a/files/etc/only-in-b &&
	KEEP_HOME="$OTHER" keep to-dockerfile --context ctx-b "$C" 2>err &&
	expect_no_grep "no longer names" err &&
	test -f ctx-b/files/etc/only-in-b
'

test_expect_success 'verify from catalog A compares against its own image' '
	keep verify "$C" >out 2>err &&
	expect_grep "no longer names" err
'

test_expect_success 'once the image itself is gone too: exit 1, one line naming both' '
	$DOCKER rm -f "$C" >/dev/null &&
	$DOCKER rmi -f "$(a_image)" >/dev/null &&
	expect_code 1 "$KEEP_BIN" resume -d "$C" 2>err &&
	test "$(wc -l <err)" = 1 &&
	expect_grep "image of snapshot #1 of .$C. is gone: .keep/$C:1. no longer names it" err
'

test_expect_success 'a save after a crash removes only its own leftover, not the image another catalog tagged since' '
	c=$(run_container two --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "echo x >/etc/after-crash" &&
	KEEP_HOME="$OTHER" keep save "$c" >out && expect_grep "^saved $c #2 . keep/$c:2:" out &&
	track_image "$(b_image 2)" &&
	engine=$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT engine FROM containers LIMIT 1") &&
	sqlite3 "$KEEP_HOME/catalog.db" "INSERT INTO pending_saves (engine, name, seq, image, started_at, token) VALUES (\"$engine\", \"$c\", 2, \"keep/$c:2\", \"2026-01-01T00:00:00Z\", \"0123456789abcdef0123456789abcdef\")" &&
	keep save "$c" >out 2>err &&
	expect_grep "^saved $c #2 . keep/$c:2-" out &&
	track_image "$(a_image 2)" &&
	expect_no_grep "removed" err &&
	test "$($DOCKER image inspect -f "{{.Id}}" "keep/$c:2")" = "$(b_image 2)" &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM pending_saves")" = 0 &&
	KEEP_HOME="$OTHER" keep to-dockerfile --context ctx-b2 "$c" 2>err &&
	expect_no_grep "no longer names" err &&
	test -f ctx-b2/files/etc/after-crash
'

test_done
