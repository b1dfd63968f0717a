#!/usr/bin/env bash
# Set everything up (scripts/setup.sh) and run the whole test suite: the unit
# tests on the normal build, then every test - unit and CLI tests against
# the real engine - on a build with AddressSanitizer + UndefinedBehaviorSanitizer.
# The CLI tests run once, on the sanitizer build, where a memory error in a
# real command's path fails them; they mostly wait on the engine, so they
# run more at a time than there are cores.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh

jobs=$(nproc)
echo "== unit tests (build/)" >&2
ctest --test-dir build --output-on-failure -j"$jobs" -L unit

echo "== all tests under ASan + UBSan (build-sanitize/)" >&2
cmake -S . -B build-sanitize -DKEEP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-sanitize -j"$jobs" >/dev/null
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
LSAN_OPTIONS=print_suppressions=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	ctest --test-dir build-sanitize --output-on-failure -j"$((jobs * 2))"
