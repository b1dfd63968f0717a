#!/usr/bin/env bash
# Set everything up (scripts/setup.sh) and run the whole test suite: the unit
# tests on the normal build, t0002 with that keep under valgrind, each fuzz
# target for KEEP_FUZZ_SECONDS (default 5), and last every test - unit and
# CLI tests against the real engine - on a build with AddressSanitizer +
# UndefinedBehaviorSanitizer, so that ctest's summary closes the output.
# The CLI tests run once, on the sanitizer build, where a memory error in a
# real command's path fails them; they mostly wait on the engine, so they
# run more at a time than there are cores.
set -euo pipefail
cd "$(dirname "$0")/.."

# Warnings are errors in every build of the suite (never in a user's build).
export KEEP_WERROR=ON
bash scripts/setup.sh

# The builds a packager and a clang user make: Release with gcc, and clang.
# Each must compile without a warning; the tests run on the others.
echo "== Release build with gcc, and a clang build (no warnings)" >&2
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DKEEP_WERROR=ON >/dev/null
cmake --build build-release -j"$(nproc)" >/dev/null
CC=clang cmake -S . -B build-clang -DCMAKE_BUILD_TYPE=Release -DKEEP_WERROR=ON >/dev/null
cmake --build build-clang -j"$(nproc)" >/dev/null

jobs=$(nproc)
echo "== unit tests (build/)" >&2
ctest --test-dir build --output-on-failure -j"$jobs" -L unit

echo "== t0002 with keep under valgrind" >&2
KEEP_VALGRIND=1 KEEP_BIN="$PWD/build/keep" KEEP_SOURCE_DIR="$PWD" \
	bash tests/cli/t0002-save.sh

echo "== fuzz targets (build-fuzz/, ${KEEP_FUZZ_SECONDS:-5} s each)" >&2
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DKEEP_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug -DKEEP_WERROR=ON >/dev/null
cmake --build build-fuzz --target fuzz -j"$jobs" >/dev/null
for corpus in tests/fuzz/corpus/*/; do
	t=$(basename "$corpus")
	# New inputs go to a scratch folder: the committed corpus stays as is.
	scratch=$(mktemp -d)
	if ! ./build-fuzz/fuzz_"$t" -max_total_time="${KEEP_FUZZ_SECONDS:-5}" \
		-rss_limit_mb=2048 -artifact_prefix=build-fuzz/ "$scratch" "$corpus" \
		>build-fuzz/fuzz_"$t".log 2>&1; then
		tail -n 40 build-fuzz/fuzz_"$t".log >&2
		echo "fuzz target $t failed: reproduce with ./build-fuzz/fuzz_$t build-fuzz/crash-*" >&2
		rm -rf "$scratch"
		exit 1
	fi
	rm -rf "$scratch"
	echo "fuzz_$t: $(grep -o 'Done [0-9]* runs' build-fuzz/fuzz_"$t".log)" >&2
done

echo "== all tests under ASan + UBSan (build-sanitize/)" >&2
cmake -S . -B build-sanitize -DKEEP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DKEEP_WERROR=ON >/dev/null
cmake --build build-sanitize -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=print_suppressions=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-sanitize --output-on-failure -j"$((jobs * 2))"
