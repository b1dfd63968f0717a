#!/usr/bin/env bash
# Big files in a container's own layer: every commit copies them again, and
# the seed notes' advice is that model weights and datasets belong in a
# mount. keep save says which and how big; to-dockerfile --context lists
# them in a comment instead of copying them, unless --include-large.
. "$(dirname "$0")/lib.sh"
need_base_image

C="$PREFIX-ml"

test_expect_success 'setup: a container with a 101 MB file, a directory with a 6 MB one, small files' '
	run_container ml --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER exec "$C" sh -c "mkdir -p /data /models /etc/app &&
		head -c 101000000 /dev/zero >/data/weights.bin &&
		head -c 6000000 /dev/zero >/models/a.bin &&
		echo notes >/models/b.txt &&
		head -c 6000000 /dev/zero >\"/data/x
RUN touch pwned\" &&
		echo key=1 >/etc/app/app.conf"
'

test_expect_success 'save names the file of 100 MB or more, its size, and suggests a volume' '
	keep save "$C" >out 2>err &&
	expect_grep "warning: ./data/weights.bin. is 101 MB, in the container.s own layer" err &&
	expect_grep "belong in a volume or a bind mount" err &&
	expect_no_grep "/models/a\.bin\|b\.txt\|app\.conf" err &&
	test "$(grep -c "own layer" err)" = 1
'

test_expect_success 'KEEP_LARGE_FILE sets the size; the engine'"'"'s change list gives sizes too' '
	echo 2 >>f && $DOCKER cp f "$C:/f2" &&
	KEEP_LARGE_FILE=5M KEEP_CHANGES=engine keep save "$C" >out 2>err &&
	expect_grep "./models/a.bin. is 6.0 MB" err &&
	expect_grep "./data/x\\\\nRUN touch pwned. is 6.0 MB" err &&
	expect_grep "./data/weights.bin. is 101 MB" err &&
	expect_no_grep "b.txt\|app.conf" err &&
	echo 3 >>f && $DOCKER cp f "$C:/f3" &&
	KEEP_LARGE_FILE=0 keep save "$C" >out 2>err &&
	expect_no_grep "own layer" err &&
	echo 4 >>f && $DOCKER cp f "$C:/f4" &&
	KEEP_LARGE_FILE=lots expect_code 2 keep save "$C" 2>err &&
	expect_grep "KEEP_LARGE_FILE" err
'

test_expect_success 'to-dockerfile --context leaves it out and lists it in a comment' '
	keep to-dockerfile --context ctx "$C" >out 2>err &&
	test ! -e ctx/files/data/weights.bin &&
	test -s ctx/files/etc/app/app.conf &&
	test -s ctx/files/models/a.bin &&
	expect_grep "^# Left out of the build context: 1 file of 100 MB or more" ctx/Dockerfile &&
	expect_grep "^#   /data/weights.bin (101 MB)$" ctx/Dockerfile &&
	expect_grep "left /data/weights.bin (101 MB) out of the build context" err &&
	$DOCKER build -q --network none -t "keep-test/large-$PREFIX" ctx >build.out &&
	track_image "keep-test/large-$PREFIX" &&
	$DOCKER run --rm --network none "keep-test/large-$PREFIX" cat /etc/app/app.conf >got &&
	test "$(cat got)" = key=1 &&
	expect_code 1 $DOCKER run --rm --network none "keep-test/large-$PREFIX" test -e /data/weights.bin
'

test_expect_success 'inside a copied directory too; a hostile name stays in its comment' '
	KEEP_LARGE_FILE=5M keep to-dockerfile --context ctx2 "$C" >out 2>err &&
	test -s ctx2/files/models/b.txt &&
	test ! -e ctx2/files/models/a.bin &&
	expect_grep "^#   /models/a.bin (6.0 MB)$" ctx2/Dockerfile &&
	expect_grep "^#   /data/x\\\\nRUN touch pwned (6.0 MB)$" ctx2/Dockerfile &&
	expect_no_grep "^RUN touch" ctx2/Dockerfile
'

test_expect_success '--include-large copies them all the same' '
	keep to-dockerfile --include-large --context ctx3 "$C" >out 2>err &&
	test "$(stat -c %s ctx3/files/data/weights.bin)" = 101000000 &&
	expect_no_grep "Left out of the build context" ctx3/Dockerfile &&
	expect_no_grep "out of the build context" err
'

test_done
