#!/usr/bin/env bash
# The test suite's own rules (tests/README.md): no test may pass on nothing.
#
#   tests/lint/suite.sh               check the tests of this source tree
#   tests/lint/suite.sh --self-test   prove that each rule, and each guard of
#                                     tests/cli/lib.sh, tests/unit/tap.h and
#                                     tests/harness/suite.sh, fails when it
#                                     should
#
# What the tree check looks for, in tests/cli/tNNNN-*.sh and tests/unit/*.c:
# a CLI test that does not source lib.sh or does not end with test_done; a
# skip that is not skip_all / test_skip (lib.sh) or skip() / skip_all()
# (tap.h), since only those fail under CI=true; "exit 0" (a body that ends
# early passes); keep's help used as a guard around tests (if help breaks,
# the tests vanish); keep's exit status dropped by "|| :" / "|| true" or in
# the word list of a for loop.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)

# check_tree DIR: the rules above over DIR/tests; prints each breach.
check_tree() {
	local dir=$1 bad=0 f
	for f in "$dir"/tests/cli/t[0-9]*.sh; do
		[ -e "$f" ] || continue
		grep -q '^\. "$(dirname "$0")/lib.sh"' "$f" ||
			{ echo "${f#"$dir"/}: does not source lib.sh"; bad=1; }
		[ "$(grep -v '^[[:space:]]*$' "$f" | tail -n 1)" = test_done ] ||
			{ echo "${f#"$dir"/}: does not end with test_done"; bad=1; }
		awk -v f="${f#"$dir"/}" '
		function breach(why) { print f ":" FNR ": " why ": " $0; bad = 1 }
		/exit 77|# SKIP/ { breach("a skip that passes under CI=true (use skip_all or test_skip)") }
		/(^|[^a-z_])exit 0[[:space:]]*(;|}|[)]|$)/ { breach("exit 0 passes whatever was checked (use test_skip)") }
		/^[[:space:]]*(if|elif|while)[[:space:]].*(keep|KEEP_BIN[}]?"?)[[:space:]]+(help|[^|;&]*--help)/ {
			breach("keep'"'"'s help as a guard: if help breaks, the tests vanish")
		}
		/(keep|KEEP_BIN[}]?"?)[[:space:]]([^|;&]|>&)*\|\|[[:space:]]*(:|true)([^a-z]|$)/ {
			breach("keep'"'"'s exit status dropped (a sanitizer report there fails nothing)")
		}
		/for[[:space:]]+[A-Za-z_]+[[:space:]]+in[[:space:]]+\$\((keep|"\$KEEP_BIN"|\$KEEP_BIN)[[:space:]]/ {
			breach("keep'"'"'s exit status lost in a for list (run it first, check, then loop)")
		}
		END { exit bad }' "$f" || bad=1
	done
	for f in "$dir"/tests/unit/*.c; do
		[ -e "$f" ] || continue
		awk -v f="${f#"$dir"/}" '
		/# SKIP|return 77|exit\(77\)/ {
			print f ":" FNR ": a skip that passes under CI=true (use skip() or skip_all() of tap.h): " $0
			bad = 1
		}
		END { exit bad }' "$f" || bad=1
	done
	return $bad
}

# --- the self-test --------------------------------------------------------

fail=0
st_fail() { echo "self-test: $*"; fail=1; }

# expect_flags FILE CONTENT: check_tree on a scratch tree holding FILE
# must report it.
expect_flags() {
	local t
	t=$(mktemp -d)
	mkdir -p "$t/tests/cli" "$t/tests/unit"
	printf '%s\n' "$2" >"$t/tests/$1"
	check_tree "$t" >"$t/out" && st_fail "the tree check passed $1: $2"
	rm -rf "$t"
}

self_test_rules() {
	local t good
	good='. "$(dirname "$0")/lib.sh"
need_base_image
test_expect_success "x" "keep save c >out && expect_grep saved out"
test_done'
	t=$(mktemp -d)
	mkdir -p "$t/tests/cli" "$t/tests/unit"
	printf '%s\n' "$good" >"$t/tests/cli/t0001-good.sh"
	printf 'int main(void) { skip("no engine"); return done_testing(); }\n' >"$t/tests/unit/test_good.c"
	check_tree "$t" >"$t/out" || { st_fail "a good tree failed:"; cat "$t/out"; }
	rm -rf "$t"
	expect_flags cli/t0001-nolib.sh 'test_expect_success "x" "true"
test_done'
	expect_flags cli/t0001-nodone.sh '. "$(dirname "$0")/lib.sh"
test_expect_success "x" "true"'
	expect_flags cli/t0001-skip.sh "${good/need_base_image/echo \"1..0 # SKIP no podman\"; exit 77}"
	expect_flags cli/t0001-exit0.sh "${good/need_base_image/mount x || { say skipped; exit 0; \}}"
	expect_flags cli/t0001-help.sh "${good/need_base_image/if keep help resume >/dev/null 2>&1; then :; fi}"
	expect_flags cli/t0001-help2.sh "${good/need_base_image/if \"\$KEEP_BIN\" help to-dockerfile; then :; fi}"
	expect_flags cli/t0001-drop.sh "${good/need_base_image/keep doctor >/dev/null 2>&1 || :}"
	expect_flags cli/t0001-for.sh "${good/need_base_image/for cmd in \$(keep --help | awk 1); do :; done}"
	expect_flags unit/test_skip.c 'int main(void) { ok(1, "# SKIP needs root"); return done_testing(); }'
	expect_flags unit/test_77.c 'int main(void) { printf("1..0\n"); return 77; }'
}

# run_cli_file BODY [ENV...]: a scratch CLI test file made of lib.sh and
# BODY, run with ENV; prints its output, returns its status. It uses no
# engine: DOCKER=true makes the cleanup's engine calls find nothing.
run_cli_file() {
	local body=$1 t rc=0
	shift
	t=$(mktemp -d)
	printf '. "%s/tests/cli/lib.sh"\n%s\n' "$ROOT" "$body" >"$t/t9999-scratch.sh"
	env -u CI -u KEEP_SKIP_LOG DOCKER=true "$@" KEEP_SOURCE_DIR="$ROOT" bash "$t/t9999-scratch.sh" >"$t/out" 2>&1 || rc=$?
	cat "$t/out"
	rm -rf "$t"
	return $rc
}

# expect_cli STATUS WHAT BODY [ENV...]: the scratch file exits STATUS.
expect_cli() {
	local want=$1 what=$2 body=$3 got=0 out
	shift 3
	out=$(run_cli_file "$body" "$@") || got=$?
	[ "$got" = "$want" ] || { st_fail "lib.sh: $what: exit $got, not $want:"; printf '%s\n' "$out" | sed 's/^/  | /'; }
}

self_test_lib() {
	expect_cli 0 "a passing test" 'test_expect_success x true
test_done'
	expect_cli 1 "a failing test" 'test_expect_success x false
test_done'
	expect_cli 1 "no test" 'test_done'
	expect_cli 1 "an exit before test_done" 'test_expect_success x true
exit 0'
	expect_cli 77 "skip_all" 'skip_all "no tool"'
	expect_cli 1 "skip_all under CI=true" 'skip_all "no tool"' CI=true
	expect_cli 0 "test_skip" 'test_expect_success x "test_skip no tmpfs"
test_done'
	expect_cli 1 "test_skip under CI=true" 'test_expect_success x "test_skip no tmpfs"
test_done' CI=true
	expect_cli 1 "a process left running" 'test_expect_success x "sleep 600 >/dev/null 2>&1 &"
test_done'
	expect_cli 1 "a process left running by a trap that calls cleanup" 'trap "cleanup" EXIT
(sleep 600 >/dev/null 2>&1 &)
test_expect_success x true
test_done'
	# A sanitizer report where ASan writes it (log_path), from a
	# command whose status the body ignores.
	expect_cli 1 "a sanitizer report" 'test_expect_success x "printf \"ERROR: AddressSanitizer\n\" >\"\${ASAN_OPTIONS##*log_path=}.4242\"; true"
test_done' ASAN_OPTIONS=detect_leaks=1
	expect_cli 1 "a sanitizer report outside any test" 'test_expect_success x true
printf "ERROR: UndefinedBehaviorSanitizer\n" >"${UBSAN_OPTIONS##*log_path=}.4242"
test_done'
}

# expect_tap STATUS WHAT MAIN [ENV...]: a scratch unit test with tap.h.
expect_tap() {
	local want=$1 what=$2 main=$3 t got=0
	shift 3
	t=$(mktemp -d)
	printf '#include "tap.h"\nint main(void) { %s }\n' "$main" >"$t/t.c"
	if ! ${CC:-cc} -Wall -Werror -I "$ROOT/tests/unit" -o "$t/t" "$t/t.c" 2>"$t/cc"; then
		st_fail "tap.h: $what does not compile:"; cat "$t/cc"
	else
		env -u CI -u KEEP_SKIP_LOG "$@" "$t/t" >"$t/out" 2>&1 || got=$?
		[ "$got" = "$want" ] || { st_fail "tap.h: $what: exit $got, not $want:"; sed 's/^/  | /' "$t/out"; }
	fi
	rm -rf "$t"
}

self_test_tap() {
	expect_tap 0 "a passing test" 'ok(1, "x"); return done_testing();'
	expect_tap 1 "a failing test" 'ok(0, "x"); return done_testing();'
	expect_tap 1 "no test" 'return done_testing();'
	expect_tap 0 "skip()" 'ok(1, "x"); skip("no engine"); return done_testing();'
	expect_tap 1 "skip() under CI=true" 'ok(1, "x"); skip("no engine"); return done_testing();' CI=true
	expect_tap 77 "skip_all()" 'return skip_all("needs root");'
	expect_tap 1 "skip_all() under CI=true" 'return skip_all("needs root");' CI=true
}

# expect_runner STATUS WHAT EXPECTED TESTS [ENV...]: suite_ctest on a
# scratch CMake project with TESTS ("name:exit-status" words).
expect_runner() {
	local want=$1 what=$2 expected=$3 tests=$4 t got=0 spec
	shift 4
	t=$(mktemp -d)
	{
		echo 'cmake_minimum_required(VERSION 3.18)'
		echo 'project(scratch NONE)'
		echo 'enable_testing()'
		for spec in $tests; do
			echo "add_test(NAME ${spec%%:*} COMMAND sh -c \"exit ${spec#*:}\")"
			echo "set_tests_properties(${spec%%:*} PROPERTIES SKIP_RETURN_CODE 77)"
		done
	} >"$t/CMakeLists.txt"
	if ! cmake -S "$t" -B "$t/b" >"$t/cmake.log" 2>&1; then
		st_fail "runner: cmake failed on the scratch project:"; cat "$t/cmake.log"
	else
		(
			cd "$t" && env -u CI "$@" bash -c '. "$1/tests/harness/suite.sh" && suite_ctest b "$2"' \
				suite "$ROOT" "$expected"
		) >"$t/out" 2>&1 || got=$?
		[ "$got" = "$want" ] || { st_fail "runner: $what: exit $got, not $want:"; sed 's/^/  | /' "$t/out"; }
	fi
	rm -rf "$t"
}

self_test_runner() {
	expect_runner 0 "all expected tests pass" 2 "a:0 b:0"
	expect_runner 1 "a test fails" 2 "a:0 b:1"
	expect_runner 1 "fewer tests than the files make" 3 "a:0 b:0"
	expect_runner 1 "no test at all (ctest --no-tests=error)" 0 ""
	expect_runner 0 "a skip" 2 "a:0 b:77"
	expect_runner 1 "a skip under CI=true" 2 "a:0 b:77" CI=true
	local t
	t=$(mktemp -d)
	mkdir -p "$t/tests/unit" "$t/tests/lint" "$t/tests/cli"
	touch "$t/tests/unit/test_a.c" "$t/tests/unit/test_b.c" "$t/tests/unit/tap.h" \
		"$t/tests/lint/l.sh" "$t/tests/cli/t0001-a.sh" "$t/tests/cli/lib.sh"
	# shellcheck source=tests/harness/suite.sh
	. "$ROOT/tests/harness/suite.sh"
	[ "$(suite_expected "$t" unit)" = 4 ] && [ "$(suite_expected "$t" cli)" = 1 ] &&
		[ "$(suite_expected "$t" all)" = 5 ] ||
		st_fail "runner: suite_expected counts $(suite_expected "$t" unit) unit, $(suite_expected "$t" cli) cli"
	rm -rf "$t"
}

if [ "${1:-}" = --self-test ]; then
	self_test_rules
	self_test_lib
	self_test_tap
	self_test_runner
	[ $fail = 0 ] && echo "suite: self-test ok"
	exit $fail
fi
if check_tree "$ROOT"; then
	echo "suite: no test in tests/ can pass on nothing that this check knows of"
else
	exit 1
fi
