#!/usr/bin/env bash
# Layer depth: every save -> docker rm -> keep resume cycle commits on top
# of the last snapshot's image, one layer deeper each time, and overlay2
# refuses past about 125 ("max depth exceeded"). keep flattens the image
# once it is KEEP_MAX_LAYERS deep, so save and resume go on working.
#
# The suite runs the cycle with a low KEEP_MAX_LAYERS on a tiny image;
# KEEP_TEST_LONG=1 runs the real thing: 130 cycles at the default depth.
. "$(dirname "$0")/lib.sh"
need_engine

if [ "${KEEP_TEST_LONG:-}" = 1 ]; then
	CYCLES=130
	unset KEEP_MAX_LAYERS
	FLAT_AT=100
else
	CYCLES=9
	export KEEP_MAX_LAYERS=4
	FLAT_AT=4
fi
TINY="keep-test/tiny-$PREFIX:latest"
track_image "$TINY"
C="$PREFIX-deep"

# depth NAME: how many layers the image of container NAME has.
depth() {
	$DOCKER image inspect -f '{{len .RootFS.Layers}}' \
		"$($DOCKER inspect -f '{{.Image}}' "$1")"
}

test_expect_success 'setup: a tiny image (sleep and its libraries) and a container on it' '
	mkdir -p tiny/bin &&
	cp -L "$(command -v sleep)" tiny/bin/ &&
	for lib in $(ldd "$(command -v sleep)" | grep -o "/[^ ]*"); do
		mkdir -p "tiny$(dirname "$lib")" && cp -L "$lib" "tiny$lib" || exit 1
	done &&
	tar -C tiny -cf - . | $DOCKER import -c "CMD [\"/bin/sleep\", \"infinity\"]" - "$TINY" >/dev/null &&
	run_container deep --network none "$TINY" >/dev/null &&
	test "$(depth "$C")" = 1
'

test_expect_success "$CYCLES cycles of change, save, docker rm, resume: the image stays under the limit" '
	for i in $(seq "$CYCLES"); do
		echo "$i" >cycle &&
		$DOCKER cp cycle "$C:/cycle" &&
		keep save -m "cycle $i" "$C" >save.out 2>save.err || { cat save.out save.err; exit 1; }
		d=$(depth "$C")
		if [ "$d" -ge "$FLAT_AT" ]; then
			expect_grep "ran on an image $d layers deep: #$i holds its whole filesystem" save.err || exit 1
		else
			test ! -s save.err || { cat save.err; exit 1; }
		fi
		$DOCKER rm -f "$C" >/dev/null &&
		keep -q resume -d "$C" || exit 1
		d=$(depth "$C")
		echo "cycle $i: depth $d"
		test "$d" -le "$FLAT_AT" || { echo "depth $d past $FLAT_AT"; exit 1; }
	done &&
	$DOCKER cp "$C:/cycle" - | tar -xO >got &&
	test "$(cat got)" = "$CYCLES"
'

test_expect_success 'the flattened snapshot keeps the config and labels a commit gives' '
	img=$($DOCKER inspect -f "{{.Config.Image}}" "$C") &&
	test "$($DOCKER image inspect -f "{{json .Config.Cmd}}" "$img")" = "[\"/bin/sleep\",\"infinity\"]" &&
	test "$($DOCKER image inspect -f "{{index .Config.Labels \"io.keep.container\"}}" "$img")" = "$C" &&
	keep log "$C" >out &&
	test "$(grep -c "cycle " out)" = "$CYCLES"
'

test_expect_success 'KEEP_MAX_LAYERS must be a number of layers from 2 up' '
	echo x >cycle && $DOCKER cp cycle "$C:/cycle" &&
	KEEP_MAX_LAYERS=1 expect_code 2 keep save "$C" 2>err &&
	expect_grep "KEEP_MAX_LAYERS" err
'

test_done
