#!/usr/bin/env bash
# keep save reads a local overlay2 container's change list from its upper
# layer instead of GET /changes: the list must be the engine's, path for
# path, and "unchanged" must mean the same whichever way it was read.
. "$(dirname "$0")/lib.sh"
need_base_image

db() { sqlite3 "$KEEP_HOME/catalog.db" "$@"; }

# changes_of NAME SEQ: the recorded change list as "KIND PATH" lines, sorted,
# with KIND the letter docker diff prints.
changes_of() {
	db "SELECT CASE f.kind WHEN 0 THEN 'C' WHEN 1 THEN 'A' ELSE 'D' END || ' ' || f.path
	    FROM fs_changes f JOIN snapshots s ON s.id = f.snapshot
	    JOIN containers c ON c.id = s.container
	    WHERE c.name = '$1' AND s.seq = $2" | LC_ALL=C sort
}

# same_as_engine NAME SEQ: that list is what docker diff says now.
same_as_engine() {
	$DOCKER diff "$1" | LC_ALL=C sort >engine.list &&
	changes_of "$1" "$2" >keep.list &&
	test -s engine.list &&
	diff -u engine.list keep.list
}

if [ "$($DOCKER info -f '{{.Driver}}')" != overlay2 ] || [ "$(id -u)" != 0 ]; then
	skip_all "needs root and an overlay2 engine"
fi

test_expect_success 'setup: every kind of change overlay can hold' '
	c=$(run_container layer --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "
		echo new >/root/new.txt && ln /root/new.txt /root/hard &&
		echo more >>/etc/motd && rm /etc/issue && rm -rf /usr/share/doc/bash &&
		mkdir -p /opt/a/b/c && echo x >/opt/a/b/c/f && ln -s /etc/passwd /opt/link &&
		chmod 700 /etc/default && touch -d 2001-01-01 /etc/ld.so.conf &&
		mkfifo /tmp/fifo && chown nobody /etc/shells &&
		rm -rf /etc/apt/apt.conf.d && mkdir /etc/apt/apt.conf.d &&
		echo k >/etc/apt/apt.conf.d/keep &&
		rm -rf /var/lib/apt/lists && mkdir /var/lib/apt/lists"
'
C=$PREFIX-layer

test_expect_success 'the upper layer gives the engine'"'"'s change list, opaque directories included' '
	KEEP_CHANGES=layer keep save "$C" >out &&
	expect_grep "^saved $C #1" out &&
	same_as_engine "$C" 1 &&
	expect_grep "^D /etc/apt/apt.conf.d/70debconf$" keep.list &&
	expect_grep "^A /etc/apt/apt.conf.d/keep$" keep.list &&
	expect_grep "^D /usr/share/doc/bash$" keep.list
'

test_expect_success 'a save through the engine then one from the layer: unchanged' '
	$DOCKER exec "$C" sh -c "echo two >/opt/two" &&
	KEEP_CHANGES=engine keep save "$C" >out &&
	expect_grep "#2" out &&
	KEEP_CHANGES=layer keep save "$C" >out &&
	expect_grep "unchanged since #2" out &&
	KEEP_CHANGES=engine keep save "$C" >out &&
	expect_grep "unchanged since #2" out
'

# /opt/two was written in the second of #2 (on a fast machine): #2,
# through the engine, waited that second out before it committed, so this
# edit has a later mtime (and the container's stat told its ctime too).
test_expect_success 'an edit that keeps the size is a change' '
	$DOCKER exec "$C" sh -c "echo TWO >/opt/two" &&
	keep save "$C" >out &&
	expect_grep "^saved $C #3" out &&
	same_as_engine "$C" 3
'

test_expect_success 'a stopped container is read from its layer too' '
	$DOCKER stop -t 0 "$C" >/dev/null &&
	$DOCKER start "$C" >/dev/null &&
	$DOCKER exec "$C" sh -c "rm /root/hard && mkdir -p /srv/x && touch /srv/x/y" &&
	$DOCKER stop -t 0 "$C" >/dev/null &&
	KEEP_CHANGES=layer keep save "$C" >out &&
	expect_grep "^saved $C #4" out &&
	same_as_engine "$C" 4
'

# A file written in the second a save from the layer stamped it (an mtime
# ahead stands for that second) stamps the same, to the whole second,
# after an edit of the same size: such a save marks its stamps racy, and
# a save with whole seconds only (through the engine, of a paused
# container) does not take them as unchanged.
test_expect_success 'an edit in the second of a save from the layer is a change to one with whole seconds' '
	r=$(run_container racy --network none "$KEEP_TEST_BASE" sleep infinity) &&
	ahead=$(( $(date +%s) + 3600 )) &&
	$DOCKER exec "$r" sh -c "echo abc >/opt/racy && touch -d @$ahead /opt/racy" &&
	keep save "$r" >out &&
	expect_grep "^saved $r #1" out &&
	$DOCKER exec "$r" sh -c "echo ABC >/opt/racy && touch -d @$ahead /opt/racy" &&
	$DOCKER pause "$r" >/dev/null &&
	{ KEEP_CHANGES=engine keep save "$r" >out; rc=$?; $DOCKER unpause "$r" >/dev/null; test $rc = 0; } &&
	expect_grep "^saved $r #2" out &&
	test "$($DOCKER run --rm --network none "keep/$r:2" cat /opt/racy)" = ABC &&
	: "from the layer, the finer stamps tell: unchanged" &&
	keep save "$r" >out &&
	expect_grep "unchanged since #2" out
'

test_expect_success 'a tree deeper than the walk goes: the engine makes the list' '
	d=$(run_container deep --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$d" sh -c "cd /opt && for i in \$(seq 300); do mkdir d && cd d; done && touch f" &&
	expect_code 1 env KEEP_CHANGES=layer "$KEEP_BIN" save "$d" 2>err &&
	expect_grep "KEEP_CHANGES=layer: cannot read the layer of .$d.: more than 256 directories deep" err &&
	test "$(wc -l <err)" = 1 &&
	keep save "$d" >out &&
	expect_grep "^saved $d #1" out &&
	same_as_engine "$d" 1
'

test_expect_success 'keep doctor says saves read the layers' '
	keep doctor >out &&
	expect_grep "^changes: *read from the containers. overlay layers$" out &&
	keep doctor --json >doctor.json &&
	test "$(jq -r .engine.changes doctor.json)" = layer
'

test_expect_success 'KEEP_CHANGES takes engine or layer' '
	expect_code 2 env KEEP_CHANGES=both "$KEEP_BIN" save "$C" 2>err &&
	expect_grep "KEEP_CHANGES=.both.: use .engine. or .layer." err
'

test_done
