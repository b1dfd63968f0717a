# How scripts/test.sh runs and counts the suite, so that it cannot pass on
# nothing. Source it; tests/lint/suite.sh --self-test proves each check
# fails when it should.
#
#   suite_expected ROOT unit|cli|all   how many ctest tests ROOT's files make
#   suite_ctest BUILD_DIR EXPECTED [CTEST_ARGS...]
#   suite_note PHASE RAN PASSED FAILED SKIPPED   count a run made without ctest
#   suite_summary                      the closing line
#
# Under CI=true (.ci/run) nothing may skip: a skipped test fails the run.
# Unit and CLI tests append one line per skip to $KEEP_SKIP_LOG (tap.h,
# tests/cli/lib.sh); suite_summary counts them.

SUITE_RAN=0
SUITE_PASSED=0
SUITE_FAILED=0
SUITE_SKIPPED=0

suite_ci() { [ "${CI:-}" = true ]; }

suite_log() { printf 'suite: %s\n' "$*" >&2; }

# suite_expected ROOT KIND: the tests CMakeLists.txt must register, counted
# from the files themselves: one per tests/unit/test_*.c, two (the check
# and its self-test) per tests/lint/*.sh, one per tests/cli/tNNNN-*.sh.
suite_expected() {
	local root=$1 unit lint cli
	unit=$(find "$root/tests/unit" -maxdepth 1 -name 'test_*.c' | wc -l)
	lint=$(find "$root/tests/lint" -maxdepth 1 -name '*.sh' | wc -l)
	cli=$(find "$root/tests/cli" -maxdepth 1 -name 't[0-9]*.sh' | wc -l)
	case $2 in
	unit) echo $((unit + 2 * lint));;
	cli) echo "$cli";;
	all) echo $((unit + 2 * lint + cli));;
	*) suite_log "suite_expected: unknown kind '$2'"; return 2;;
	esac
}

# junit_attr FILE NAME: an attribute of ctest's JUnit <testsuite>.
junit_attr() {
	sed -n "s/^[[:space:]]*$2=\"\([0-9]*\)\".*/\1/p" "$1" | head -n 1
}

# suite_ctest BUILD_DIR EXPECTED [CTEST_ARGS...]: run ctest; fail when it
# fails, when it ran another number of tests than EXPECTED, or when a test
# skipped under CI=true. Adds to the suite's count.
suite_ctest() {
	local dir=$1 want=$2 junit rc=0 ran failed skipped
	shift 2
	junit=$(mktemp)
	ctest --test-dir "$dir" --no-tests=error --output-on-failure \
		--output-junit "$junit" "$@" || rc=1
	ran=$(junit_attr "$junit" tests)
	failed=$(junit_attr "$junit" failures)
	skipped=$(junit_attr "$junit" skipped)
	if [ -z "$ran" ] || [ -z "$failed" ] || [ -z "$skipped" ]; then
		suite_log "ctest in $dir wrote no count of its tests"
		rm -f "$junit"
		SUITE_FAILED=$((SUITE_FAILED + 1))
		return 1
	fi
	suite_note "ctest $* in ${dir##*/}" "$ran" $((ran - failed - skipped)) "$failed" "$skipped"
	if [ "$ran" != "$want" ]; then
		suite_log "ctest in $dir ran $ran tests where the files in tests/ make $want"
		rc=1
	fi
	if [ "$skipped" != 0 ] && suite_ci; then
		suite_log "$skipped tests skipped under CI=true, where a skip is a failure:"
		grep -B1 '<skipped' "$junit" | sed -n 's/.*testcase name="\([^"]*\)".*/  \1/p' >&2
		rc=1
	fi
	rm -f "$junit"
	return $rc
}

# suite_note PHASE RAN PASSED FAILED SKIPPED: count a phase's tests.
suite_note() {
	SUITE_RAN=$((SUITE_RAN + $2))
	SUITE_PASSED=$((SUITE_PASSED + $3))
	SUITE_FAILED=$((SUITE_FAILED + $4))
	SUITE_SKIPPED=$((SUITE_SKIPPED + $5))
	suite_log "$1: $2 ran, $3 passed, $4 failed, $5 skipped"
}

# suite_summary: the closing line, and the skips one by one.
suite_summary() {
	local inner=0
	if [ -n "${KEEP_SKIP_LOG:-}" ] && [ -s "$KEEP_SKIP_LOG" ]; then
		inner=$(wc -l <"$KEEP_SKIP_LOG")
		suite_log "skipped, and why:"
		sed 's/^/  /' "$KEEP_SKIP_LOG" >&2
	fi
	printf 'suite: %d tests ran: %d passed, %d failed, %d skipped (%d skips noted inside tests)%s\n' \
		"$SUITE_RAN" "$SUITE_PASSED" "$SUITE_FAILED" "$SUITE_SKIPPED" "$inner" \
		"$(suite_ci && echo ', CI=true: a skip is a failure')"
}
