#!/usr/bin/env bash
# Incremental snapshots: where keep can read the container's layers, save
# N+1 is snapshot N plus one layer holding only what changed since save N,
# so the disk grows by the change, not by the container. The result must
# be the filesystem a docker commit of the same container gives: compared
# file by file (type, mode, owner, size, mtime, symlink target, content,
# xattrs) with each image's layers mounted read-only on this host.
. "$(dirname "$0")/lib.sh"
need_base_image
need_tool python3 setcap
[ "$(id -u)" = 0 ] || skip_all "reading the engine's layers takes root"
[ "$($DOCKER info -f '{{.Driver}}')" = overlay2 ] || skip_all "the engine's storage driver is not overlay2"

C="$PREFIX-inc"
MNT="$TEST_DIR/mnt"
mkdir -p "$MNT"

# listing IMAGE: every path of IMAGE's filesystem, one line each, sorted:
# what a user would call the same file. The image's layers are mounted
# read-only as an overlay with no upper directory, so nothing of a
# running container (its init layer, its mounts) is in the way.
listing() {
	local upper lower
	upper=$($DOCKER image inspect -f '{{.GraphDriver.Data.UpperDir}}' "$1") &&
	lower=$($DOCKER image inspect -f '{{index .GraphDriver.Data "LowerDir"}}' "$1") &&
	mount -t overlay overlay -o "ro,lowerdir=$upper${lower:+:$lower}" "$MNT" || return 1
	python3 - "$MNT" <<-'EOF'
	import hashlib, os, stat, sys
	root = sys.argv[1]
	out = []
	for d, dirs, files in os.walk(root):
	    for n in dirs + files:
	        p = os.path.join(d, n)
	        st = os.lstat(p)
	        m = st.st_mode
	        line = [os.path.relpath(p, root), "%o" % m, str(st.st_uid), str(st.st_gid),
	                str(int(st.st_mtime))]
	        if stat.S_ISREG(m):
	            h = hashlib.sha256()
	            with open(p, "rb") as f:
	                h.update(f.read())
	            line += [str(st.st_size), h.hexdigest()]
	        elif stat.S_ISLNK(m):
	            line.append("-> " + os.readlink(p))
	        elif stat.S_ISCHR(m) or stat.S_ISBLK(m):
	            line.append("dev %d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)))
	        for k in sorted(os.listxattr(p, follow_symlinks=False)):
	            line.append("%s=%s" % (k, os.getxattr(p, k, follow_symlinks=False).hex()))
	        out.append(" ".join(line))
	print("\n".join(sorted(out)))
	EOF
	local rc=$?
	umount "$MNT"
	return $rc
}

# same_fs A B: the two images hold the same files.
same_fs() {
	listing "$1" >fs.a && listing "$2" >fs.b &&
	test "$(wc -l <fs.a)" -gt 1000 &&
	if ! cmp -s fs.a fs.b; then
		echo "$1 and $2 differ:"
		diff -u fs.a fs.b | head -60
		return 1
	fi
}

# commit_now TAG: what docker commit makes of the container now.
commit_now() {
	$DOCKER commit "$C" "keep-test/inc-$PREFIX:$1" >/dev/null &&
	track_image "keep-test/inc-$PREFIX:$1"
}

# how N: "incremental" or "full", as keep show --json says of #N.
how() { keep show --json --at "$1" "$C" | jq -r 'if .incremental then "incremental" else "full" end'; }

# grown A B: the bytes the engine's disk holds for image B that it did not
# for image A: B's top layer (its UpperDir), which A must not have. Image
# .Size would not tell: a full commit after a 1 KB change is as big as
# the one before it.
grown() {
	local top
	top=$($DOCKER image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$2" | grep . | tail -n 1) &&
	if $DOCKER image inspect -f '{{range .RootFS.Layers}}{{println .}}{{end}}' "$1" | grep -qx "$top"; then
		echo "$2 adds no layer to $1" >&2
		return 1
	fi &&
	du -sb "$($DOCKER image inspect -f '{{.GraphDriver.Data.UpperDir}}' "$2")" | cut -f1
}

merged() { $DOCKER inspect -f '{{.GraphDriver.Data.MergedDir}}' "$C"; }

test_expect_success 'setup: a container with files in its layer; save #1 is a full commit' '
	run_container inc --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER exec "$C" sh -c "
		mkdir -p /app/conf /app/data /old/dir/sub /moved/a/b &&
		head -c 2000000 /dev/urandom >/app/data/blob &&
		echo one >/app/conf/a.conf && echo two >/app/conf/b.conf &&
		echo mode >/app/mode && echo owner >/app/owner &&
		echo gone >/app/gone && echo keep >/old/dir/sub/x &&
		echo y >/old/dir/y && echo z >/old/dir/z &&
		echo deep >/moved/a/b/c && echo same >/app/same &&
		touch -d 2020-01-01 /app/same" &&
	keep save "$C" >out 2>err &&
	test "$(how 1)" = full
'

test_expect_success 'every kind of change: save #2 is incremental and equal to a commit' '
	m=$(merged) &&
	$DOCKER exec "$C" sh -c "
		echo changed >>/app/conf/a.conf &&
		chmod 0600 /app/mode && chown 1234:5678 /app/owner &&
		echo new >/app/new && rm /app/gone && rm /etc/debian_version &&
		rm -rf /usr/share/doc && mkdir -p /usr/share/doc/only &&
		echo one >/usr/share/doc/only/file &&
		rm -rf /old/dir && mkdir /old/dir && echo back >/old/dir/y &&
		mv /moved/a /moved/renamed &&
		ln -s ../app/new /app/link && ln /app/new /app/hard &&
		echo s >/app/suid && chmod 4755 /app/suid &&
		mkfifo /app/fifo && : >/app/empty &&
		echo diff >/app/same && touch -d 2020-01-01 /app/same &&
		echo cap >/app/cap && echo attr >/app/attr" &&
	setcap cap_net_raw+ep "$m/app/cap" &&
	python3 -c "import os, sys; os.setxattr(sys.argv[1], \"user.note\", b\"hello\")" "$m/app/attr" &&
	keep save "$C" >out 2>err &&
	commit_now 2 &&
	test "$(how 2)" = incremental &&
	keep show --at 2 "$C" >show.out &&
	expect_grep "incremental" show.out &&
	same_fs "keep/$C:2" "keep-test/inc-$PREFIX:2" &&
	test "$($DOCKER image inspect -f "{{len .RootFS.Layers}}" "keep/$C:2")" = 3 &&
	$DOCKER run --rm --network none "keep/$C:2" cat /app/conf/a.conf >got &&
	printf "one\nchanged\n" >want && cmp got want
'

test_expect_success 'the image carries the config and labels a commit would' '
	for f in "{{json .Config.Cmd}}" "{{json .Config.Env}}" \
	    "{{index .Config.Labels \"io.keep.seq\"}}" "{{.Os}}" "{{.Architecture}}"; do
		$DOCKER image inspect -f "$f" "keep/$C:2" || exit 1
	done >cfg &&
	expect_grep "^2$" cfg && expect_grep "sleep" cfg &&
	expect_grep "^linux$" cfg
'

test_expect_success 'a third save on top, after a 1 KB change: incremental, small, equal' '
	$DOCKER exec "$C" sh -c "head -c 1000 /dev/urandom >/app/kb && rm /app/new" &&
	keep save "$C" >out 2>err &&
	commit_now 3 &&
	test "$(how 3)" = incremental &&
	same_fs "keep/$C:3" "keep-test/inc-$PREFIX:3" &&
	g=$(grown "keep/$C:2" "keep/$C:3") &&
	echo "grew by $g bytes" &&
	test "$g" -lt 1000000
'

test_expect_success 'keep resume from the incremental snapshot, then save on top of it' '
	$DOCKER rm -f "$C" >/dev/null &&
	keep resume -d "$C" 2>err &&
	$DOCKER exec "$C" cat /app/kb >/dev/null &&
	$DOCKER exec "$C" test ! -e /app/new &&
	$DOCKER exec "$C" sh -c "echo resumed >/app/resumed && rm /app/empty && chmod 0700 /app/conf" &&
	keep save "$C" >out 2>err &&
	commit_now 4 &&
	test "$(how 4)" = incremental &&
	same_fs "keep/$C:4" "keep-test/inc-$PREFIX:4"
'

test_expect_success 'keep prune of older snapshots leaves the latest whole' '
	keep prune "$C" --keep 1 >out 2>err;
	cat out err &&
	! $DOCKER image inspect "keep/$C:1" >/dev/null 2>&1 &&
	! $DOCKER image inspect "keep/$C:2" >/dev/null 2>&1 &&
	same_fs "keep/$C:4" "keep-test/inc-$PREFIX:4"
'

test_expect_success 'when the previous image is gone, the save is a full commit' '
	$DOCKER rmi "keep/$C:4" >/dev/null &&
	$DOCKER exec "$C" sh -c "echo after-rmi >/app/p" &&
	keep save "$C" >out 2>err &&
	test "$(how 5)" = full &&
	$DOCKER exec "$C" sh -c "echo again >>/app/p" &&
	keep save "$C" >out 2>err &&
	test "$(how 6)" = incremental &&
	commit_now 6 &&
	same_fs "keep/$C:6" "keep-test/inc-$PREFIX:6"
'

test_expect_success 'KEEP_CHANGES=engine: keep reads no layer, the save is a full commit' '
	$DOCKER exec "$C" sh -c "echo engine >/app/e" &&
	KEEP_CHANGES=engine keep save "$C" >out 2>err &&
	test "$(how 7)" = full
'

test_expect_success 'a 1 KB change on a container with a 20 MB layer grows the disk by < 1 MB' '
	$DOCKER exec "$C" sh -c "head -c 20000000 /dev/urandom >/app/data/big" &&
	# A file changed in the last tenth of a second before a save goes in
	# the next layer too (see core/save.c): this one was not.
	sleep 1 &&
	keep save "$C" >out 2>err &&
	test "$(how 8)" = full &&
	$DOCKER exec "$C" sh -c "head -c 1000 /dev/urandom >/app/kb2" &&
	keep save "$C" >out 2>err &&
	test "$(how 9)" = incremental &&
	g=$(grown "keep/$C:8" "keep/$C:9") &&
	echo "grew by $g bytes" &&
	test "$g" -lt 1000000
'

test_done
