#!/usr/bin/env bash
# keep save of a container in which packages were installed by hand, with
# apt-get in the running container: the snapshot names exactly what apt
# installed, with apt's marks, and the save asks the engine a fixed number
# of things however many packages there are. Requests are counted as
# bench/save-memory counts them: strace of connect and sendto.
. "$(dirname "$0")/lib.sh"
need_base_image
need_tool strace

db() { sqlite3 "$KEEP_HOME/catalog.db" "$@"; }

# traced ARGS: keep under strace; the request lines go to requests.txt.
traced() {
	# LeakSanitizer cannot run under ptrace: leaks are checked untraced.
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	strace -f -qq --seccomp-bpf -e trace=connect,sendto -e signal=none \
	    -s 300 -o strace.txt "$KEEP_BIN" "$@" >out || return 1
	grep -oE 'sendto\([0-9]+, "(GET|HEAD|POST|DELETE|PUT) [^ ]*' strace.txt |
	    sed 's/^sendto([0-9]*, "//' >requests.txt
	say "$(wc -l <requests.txt) requests: $(tr '\n' ' ' <requests.txt | cut -c1-600)"
}
count() { grep -cE "$1" requests.txt; }
archive_reads() { count '^GET [^ ]*/archive\?'; }

layers_readable() {
	[ "$($DOCKER info -f '{{.Driver}}')" = overlay2 ] && [ "$(id -u)" = 0 ]
}

# The dpkg packages of a container as "name arch version" lines, sorted.
dpkg_set() {
	$DOCKER exec "$1" dpkg-query -W -f '${Package} ${Architecture} ${Version} ${db:Status-Abbrev}\n' |
	    awk '$4 == "ii" { print $1, $2, $3 }' | LC_ALL=C sort
}

# ca-certificates, as most real containers have it: update-ca-certificates
# links ~140 certificates into /etc/ssl/certs, loose files no package lists.
test_expect_success 'setup: git and a python venv installed by hand, one file written' '
	c=$(run_container hand --network host "$KEEP_TEST_BASE" sleep infinity) &&
	quietly $DOCKER exec -e DEBIAN_FRONTEND=noninteractive "$c" sh -c "apt-get update -qq &&
	    apt-get install -y -qq --no-install-recommends git python3-venv ca-certificates" &&
	$DOCKER exec "$c" python3 -m venv /opt/venv &&
	$DOCKER exec "$c" sh -c "echo hand=1 >/etc/hand.conf" &&
	s=$(run_container small --network host "$KEEP_TEST_BASE" sleep infinity) &&
	quietly $DOCKER exec -e DEBIAN_FRONTEND=noninteractive "$s" sh -c "apt-get update -qq &&
	    apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$s" sh -c "echo small=1 >/etc/small.conf" &&
	keep save "$s" >/dev/null
'
C=$PREFIX-hand S=$PREFIX-small

test_expect_success 'the snapshot holds exactly the packages apt installed, at their versions' '
	dpkg_set "$C" >now.txt &&
	$DOCKER run --rm --network none "$KEEP_TEST_BASE" dpkg-query -W \
	    -f "\${Package} \${Architecture} \${Version}\n" | LC_ALL=C sort >base.txt &&
	LC_ALL=C comm -13 base.txt now.txt >want.txt &&
	say "apt installed $(wc -l <want.txt) packages" &&
	test "$(wc -l <want.txt)" -ge 30 &&
	keep save "$C" >/dev/null &&
	keep show --json "$C" >show.json &&
	jq -r ".packages[] | select(.manager==\"dpkg\" and .change==\"added\") |
	    \"\(.name) \(.arch) \(.version)\"" show.json | LC_ALL=C sort >got.txt &&
	diff -u want.txt got.txt &&
	test "$(jq "[.packages[] | select(.manager==\"dpkg\" and .change!=\"added\")] | length" show.json)" = 0
'

test_expect_success 'apt'"'"'s marks: what it pulled in is automatic, arch:all packages too' '
	$DOCKER exec "$C" apt-mark showauto | LC_ALL=C sort >auto.txt &&
	jq -r ".packages[] | select(.manager==\"dpkg\" and .auto) | .name" show.json |
	    LC_ALL=C sort >got-auto.txt &&
	diff -u auto.txt got-auto.txt &&
	jq -r ".packages[] | select(.manager==\"dpkg\" and (.auto | not)) | .name" show.json |
	    LC_ALL=C sort >got-manual.txt &&
	printf "ca-certificates\ngit\npython3-venv\n" >want-manual.txt &&
	diff -u want-manual.txt got-manual.txt &&
	test "$(jq -r ".packages[] | select(.name==\"git-man\") | .arch + \" \" + (.auto | tostring)" show.json)" = "all true"
'

test_expect_success 'the venv'"'"'s pip packages and the loose file are recorded' '
	test "$(jq -r "[.packages[] | select(.manager==\"pip\" and (.location | test(\"^/opt/venv/lib/python3[.0-9]*/site-packages$\"))) | .name] | sort | join(\" \")" show.json)" = "pip setuptools" &&
	jq -r ".files[].path" show.json >files.txt &&
	expect_grep "^/etc/hand.conf$" files.txt
'

# Both saves below are a second one, so both are incremental where the
# layers can be read (an incremental layer on #1, snapshot_write.h): like
# is compared with like. Issue 15's bound: at most 10 requests.
test_expect_success 'a changed save asks the engine the same few things with 40 packages as with 3' '
	layers_readable || test_skip "needs root and overlay2"
	$DOCKER exec "$C" sh -c "echo 2 >/etc/hand-2.conf" &&
	traced save "$C" &&
	expect_grep "^saved $C #2 " out &&
	many=$(wc -l <requests.txt) &&
	test "$(archive_reads)" = 0 &&
	test "$many" -le 10 &&
	test "$(keep show --json "$C" | jq .incremental)" = true &&
	$DOCKER exec "$S" sh -c "echo small=2 >/etc/small.conf" &&
	traced save "$S" &&
	expect_grep "^saved $S #2 " out &&
	test "$(archive_reads)" = 0 &&
	test "$(wc -l <requests.txt)" = "$many" &&
	test "$(keep show --json "$S" | jq .incremental)" = true
'

test_expect_success 'an unchanged save reads no package database and makes no image' '
	layers_readable || test_skip "needs root and overlay2"
	traced save "$C" &&
	test "$(cat out)" = "$C: unchanged since #2" &&
	test "$(archive_reads)" = 0 &&
	test "$(count "^POST ")" = 0 &&
	test "$(wc -l <requests.txt)" -le 4
'

# Package databases: under /var/lib/dpkg, /var/lib/apt, site-packages ...
pkg_db_reads() {
	count "^GET [^ ]*/archive\?path=(%2Fvar%2Flib%2F(dpkg|apt)|[^ ]*(site-packages|dist-packages|dist-info|node_modules))"
}

test_expect_success 'through the engine: package databases in whole directories, never file by file' '
	$DOCKER exec "$C" sh -c "echo 3 >/etc/hand-3.conf" &&
	KEEP_CHANGES=engine traced save "$C" &&
	expect_grep "^saved $C #" out &&
	test "$(count "^GET [^ ]*/changes")" = 1 &&
	test "$(count "^GET [^ ]*/archive\?path=%2Fvar%2Flib%2Fdpkg%2Finfo%2F[a-z0-9]")" = 0 &&
	test "$(count "^GET [^ ]*/archive\?path=%2Fvar%2Flib%2Fdpkg%2Finfo%2F\.$")" = 1 &&
	test "$(count "^GET [^ ]*/archive\?path=[^ ]*dist-info%2F[A-Za-z]")" = 0 &&
	test "$(pkg_db_reads)" -le 8 &&
	keep show --json "$C" >engine.json &&
	jq -c ".packages" show.json >layer.pkgs &&
	jq -c ".packages" engine.json >engine.pkgs &&
	diff -u layer.pkgs engine.pkgs
'

test_expect_success 'through the engine: unchanged is decided before any package database is read' '
	KEEP_CHANGES=engine traced save "$C" &&
	expect_grep "unchanged since #" out &&
	test "$(pkg_db_reads)" = 0 &&
	test "$(count "^POST [^ ]*/(commit|images|build)")" = 0
'

# Issue 15: the loose files are stamped by one stat run in the container,
# or, where it cannot run one (paused), a directory at a time where they
# crowd one (the certificate links); never with a request each.
test_expect_success 'through the engine: /etc/ssl/certs is stamped in one go, not per file' '
	loose_certs=$(jq "[.files[].path | select(startswith(\"/etc/ssl/certs/\"))] | length" show.json) &&
	say "$loose_certs loose files in /etc/ssl/certs" &&
	test "$loose_certs" -ge 100 &&
	KEEP_CHANGES=engine traced save "$C" &&
	expect_grep "unchanged since #" out &&
	test "$(count "^(HEAD|GET) [^ ]*/archive\?path=%2Fetc%2Fssl%2Fcerts")" = 0 &&
	test "$(count "^POST [^ ]*/exec$")" = 1 &&
	test "$(wc -l <requests.txt)" -le 12 &&
	$DOCKER pause "$C" >/dev/null &&
	{ KEEP_CHANGES=engine traced save "$C"; rc=$?; $DOCKER unpause "$C" >/dev/null; test $rc = 0; } &&
	expect_grep "unchanged since #" out &&
	test "$(count "^(HEAD|GET) [^ ]*/archive\?path=%2Fetc%2Fssl%2Fcerts%2F")" = 0 &&
	test "$(count "^GET [^ ]*/archive\?path=%2Fetc%2Fssl%2Fcerts$")" = 1 &&
	test "$(wc -l <requests.txt)" -le 40 &&
	$DOCKER exec "$C" sh -c "touch -d 2001-01-01 /etc/ssl/certs/ca-certificates.crt" &&
	KEEP_CHANGES=engine keep save "$C" >out &&
	expect_grep "^saved $C #" out &&
	KEEP_CHANGES=engine keep save "$C" >out &&
	expect_grep "unchanged since #" out
'

test_expect_success 'an edit of a loose file after that is a change, both ways' '
	$DOCKER exec "$C" sh -c "echo hand=2 >/etc/hand.conf" &&
	KEEP_CHANGES=engine keep save "$C" >out &&
	expect_grep "^saved $C #" out &&
	$DOCKER exec "$C" sh -c "echo hand=3 >/etc/hand.conf" &&
	keep save "$C" >out &&
	expect_grep "^saved $C #" out &&
	keep save "$C" >out &&
	expect_grep "unchanged since #" out
'

# cp -p, tar x and touch -r put an mtime back; no user sets a ctime.
test_expect_success 'an edit that keeps the size and puts the mtime back is a change where the layers are read' '
	layers_readable || test_skip "needs root and overlay2"
	$DOCKER exec "$C" sh -c "m=\$(stat -c %y /etc/hand.conf) && echo hand=4 >/etc/hand.conf && touch -d \"\$m\" /etc/hand.conf" &&
	keep save "$C" >out &&
	expect_grep "^saved $C #" out &&
	img=$(keep show --json "$C" | jq -r .image) &&
	test "$($DOCKER run --rm --network none "$img" cat /etc/hand.conf)" = hand=4
'

# Where the running container's stat is GNU's, its one run tells mtimes to
# the nanosecond and ctimes too: a save through the engine compares them
# as one from the layers does, and both stamp a file the same.
test_expect_success 'an edit that keeps the size and puts the mtime back is a change through the engine too, in a running container' '
	$DOCKER exec "$C" sh -c "m=\$(stat -c %y /etc/hand.conf) && echo hand=5 >/etc/hand.conf && touch -d \"\$m\" /etc/hand.conf" &&
	KEEP_CHANGES=engine keep save "$C" >out &&
	expect_grep "^saved $C #" out &&
	img=$(keep show --json "$C" | jq -r .image) &&
	test "$($DOCKER run --rm --network none "$img" cat /etc/hand.conf)" = hand=5 &&
	KEEP_CHANGES=engine keep save "$C" >out &&
	expect_grep "unchanged since #" out &&
	keep save "$C" >out &&
	expect_grep "unchanged since #" out
'

# Issue 15: loose files alone in their directories (a dotfile in /root, a
# config under /opt, a link in /usr/local/bin) are stamped by one stat run
# in the running container, not a HEAD each; a paused container takes the
# HEADs, and they stamp the same.
test_expect_success 'through the engine: scattered loose files stamped by one stat in the container' '
	x=$(run_container scattered --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$x" sh -c "mkdir -p /opt/a /srv/b /home/u &&
	    echo 1 >/opt/a/x && echo 2 >/srv/b/y && echo 3 >/home/u/.npmrc &&
	    echo 4 >/root/.inputrc && ln -s /nowhere /usr/local/bin/dangling" &&
	KEEP_CHANGES=engine keep save "$x" >out &&
	expect_grep "^saved $x #1 " out &&
	KEEP_CHANGES=engine traced save "$x" &&
	expect_grep "unchanged since #1" out &&
	test "$(count "^POST [^ ]*/exec$")" = 1 &&
	test "$(count "^HEAD ")" -le 1 &&
	test "$(wc -l <requests.txt)" -le 9 &&
	$DOCKER pause "$x" >/dev/null &&
	{ KEEP_CHANGES=engine traced save "$x"; rc=$?; $DOCKER unpause "$x" >/dev/null; test $rc = 0; } &&
	expect_grep "unchanged since #1" out &&
	test "$(count "^POST [^ ]*/exec$")" = 0 &&
	test "$(count "^HEAD ")" -ge 8 &&
	$DOCKER exec "$x" sh -c "echo 9 >/srv/b/y" &&
	KEEP_CHANGES=engine keep save "$x" >out &&
	expect_grep "^saved $x #2 " out &&
	$DOCKER exec "$x" sh -c "touch -d 2001-01-01 /home/u/.npmrc" &&
	KEEP_CHANGES=engine keep save "$x" >out &&
	expect_grep "^saved $x #3 " out &&
	KEEP_CHANGES=engine keep save "$x" >out &&
	expect_grep "unchanged since #3" out &&
	keep save "$x" >out &&
	expect_grep "unchanged since #3" out
'

test_expect_success 'apt-mark manual, with no package installed, is a change' '
	$DOCKER exec "$C" apt-mark manual git-man >/dev/null &&
	keep save "$C" >out &&
	expect_grep "^saved $C #" out &&
	keep show --json "$C" >show.json &&
	test "$(jq -r ".packages[] | select(.name==\"git-man\") | .auto" show.json)" = false
'

test_expect_success 'the state of each snapshot is recorded' '
	test "$(db "SELECT count(*) FROM snapshots WHERE state IS NULL")" = 0
'

test_done
