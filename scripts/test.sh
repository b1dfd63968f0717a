#!/usr/bin/env bash
# Set everything up (scripts/setup.sh) and run the whole test suite: the unit
# tests on the normal build, t0002 with that keep under valgrind, each fuzz
# target for KEEP_FUZZ_SECONDS (default 5), and last every test - unit and
# CLI tests against the real engine - on a build with AddressSanitizer +
# UndefinedBehaviorSanitizer. The CLI tests run once, on the sanitizer
# build, where a memory error in a real command's path fails them; they
# mostly wait on the engine, so they run more at a time than there are
# cores.
#
# Nothing passes on nothing (tests/harness/suite.sh): each ctest run must
# run as many tests as the files in tests/ make, every fuzz target runs
# with its corpus, and under CI=true (.ci/run) a skip is a failure. The
# last line counts the tests that ran, passed, failed and skipped.
#
#   scripts/test.sh [PHASE...]   phases: builds unit valgrind fuzz sanitize
#                                (default: all, in that order)
set -euo pipefail
cd "$(dirname "$0")/.."
. tests/harness/suite.sh

phases=${*:-builds unit valgrind fuzz sanitize}
KEEP_SKIP_LOG=$(mktemp)
export KEEP_SKIP_LOG
finish() {
	local rc=$?
	suite_summary
	rm -f "$KEEP_SKIP_LOG"
	[ "$rc" = 0 ] || suite_log "FAILED"
}
trap finish EXIT

# Warnings are errors in every build of the suite (never in a user's build).
export KEEP_WERROR=ON
bash scripts/setup.sh
suite_log "setup: $SECONDS s"
jobs=$(nproc)

for phase in $phases; do
	started=$SECONDS
	case $phase in
	builds)
		# The builds a packager and a clang user make: Release with gcc,
		# and clang. Each must compile without a warning; the tests run
		# on the others.
		echo "== Release build with gcc, and a clang build (no warnings)" >&2
		cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DKEEP_WERROR=ON >/dev/null
		cmake --build build-release -j"$jobs" >/dev/null
		CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release -DKEEP_WERROR=ON >/dev/null
		cmake --build build-clang -j"$jobs" >/dev/null
		;;
	unit)
		echo "== unit tests (build/)" >&2
		suite_ctest build "$(suite_expected . unit)" -j"$jobs" -L unit
		;;
	valgrind)
		echo "== t0002 with keep under valgrind" >&2
		rc=0
		KEEP_VALGRIND=1 KEEP_BIN="$PWD/build/keep" KEEP_SOURCE_DIR="$PWD" \
			bash tests/cli/t0002-save.sh || rc=$?
		case $rc in
		0) suite_note "t0002 under valgrind" 1 1 0 0;;
		77) suite_note "t0002 under valgrind" 1 0 0 1
		    if suite_ci; then exit 1; fi;;
		*) suite_note "t0002 under valgrind" 1 0 1 0; exit 1;;
		esac
		;;
	fuzz)
		secs=${KEEP_FUZZ_SECONDS:-5}
		echo "== fuzz targets (build-fuzz/, $secs s each)" >&2
		cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKEEP_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug -DKEEP_WERROR=ON >/dev/null
		cmake --build build-fuzz --target fuzz -j"$jobs" >/dev/null
		# Every target CMake builds runs, each with its seeds; a seed
		# folder without a target, or a target the README does not
		# describe, is an error too.
		n=0
		fuzz_fail() {
			suite_log "$*"
			suite_note "fuzz targets" $((n + 1)) "$n" 1 0
			exit 1
		}
		targets=$(cat build-fuzz/fuzz_targets.txt)
		[ -n "$targets" ] || fuzz_fail "build-fuzz/fuzz_targets.txt lists no target"
		for corpus in tests/fuzz/corpus/*/; do
			t=fuzz_$(basename "$corpus")
			printf '%s\n' "$targets" | grep -qx "$t" ||
				fuzz_fail "seeds in $corpus, but no fuzz target $t"
		done
		# fuzz_run TARGET CORPUS: one target for $secs seconds; its exit
		# status goes to build-fuzz/TARGET.rc. New inputs go to a scratch
		# folder: the committed corpus stays as is.
		fuzz_run() {
			local scratch rc=0
			scratch=$(mktemp -d)
			./build-fuzz/"$1" -max_total_time="$secs" -rss_limit_mb=2048 \
				-artifact_prefix=build-fuzz/ "$scratch" "$2" \
				>build-fuzz/"$1".log 2>&1 || rc=$?
			rm -rf "$scratch"
			echo "$rc" >build-fuzz/"$1".rc
		}
		# One target per core at a time.
		for t in $targets; do
			corpus=tests/fuzz/corpus/${t#fuzz_}
			[ -n "$(ls -A "$corpus" 2>/dev/null)" ] ||
				fuzz_fail "fuzz target $t has no seeds in $corpus/"
			grep -q "^| \`$t\` |" tests/fuzz/README.md ||
				fuzz_fail "tests/fuzz/README.md does not describe $t"
			rm -f build-fuzz/"$t".rc
			fuzz_run "$t" "$corpus" &
			while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || :; done
		done
		wait
		for t in $targets; do
			if [ "$(cat build-fuzz/"$t".rc 2>/dev/null)" != 0 ]; then
				tail -n 40 build-fuzz/"$t".log >&2
				fuzz_fail "fuzz target $t failed: reproduce with ./build-fuzz/$t build-fuzz/crash-*"
			fi
			runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' build-fuzz/"$t".log)
			[ "${runs:-0}" -gt 0 ] || fuzz_fail "fuzz target $t ran no input"
			echo "$t: $runs runs" >&2
			n=$((n + 1))
		done
		suite_note "fuzz targets" "$n" "$n" 0 0
		;;
	sanitize)
		echo "== all tests under ASan + UBSan (build-sanitize/)" >&2
		cmake -S . -B build-sanitize -DKEEP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DKEEP_WERROR=ON >/dev/null
		cmake --build build-sanitize -j"$jobs" >/dev/null
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		LSAN_OPTIONS=print_suppressions=0 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
			suite_ctest build-sanitize "$(suite_expected . all)" -j"$((jobs * 2))"
		;;
	*)
		suite_log "unknown phase '$phase' (builds unit valgrind fuzz sanitize)"
		exit 2
		;;
	esac
	# Where CI's minutes go (the whole suite must stay well under 15).
	suite_log "$phase: $((SECONDS - started)) s"
done
