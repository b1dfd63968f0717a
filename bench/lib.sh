# Shared by the bench/ scripts. Source it; it sets KEEP_BIN, a scratch
# folder, and removes every engine object made under the kbench- prefix
# (containers named kbench-*, images kbench/*, keep/kbench-* and the
# docker-commit baselines kbench-commit/*) when the script exits.
#
# Figures are ratios against a baseline measured in the same run, because
# the machines here are shared and noisy: absolute times mean little.

set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KEEP_SOURCE_DIR=${KEEP_SOURCE_DIR:-$(cd "$BENCH_DIR/.." && pwd)}
KEEP_BIN=${KEEP_BIN:-$KEEP_SOURCE_DIR/build-bench/keep}
KEEP_BUILD_DIR=${KEEP_BUILD_DIR:-$(dirname "$KEEP_BIN")}
DOCKER=${DOCKER:-docker}
DOCKER_SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
BENCH_QUICK=${BENCH_QUICK:-0}
BENCH_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kbench.XXXXXX")
# Each script's own prefix, so two runs never collide.
BP="kbench-$$"

if [ ! -x "$KEEP_BIN" ]; then
	echo "bench: no keep binary at $KEEP_BIN (build it, or set KEEP_BIN)" >&2
	exit 1
fi

bench_cleanup() {
	local ids
	ids=$($DOCKER ps -aq --filter "name=^/$BP-" 2>/dev/null)
	[ -n "$ids" ] && $DOCKER rm -f -v $ids >/dev/null 2>&1
	# keep's snapshots of our containers and the bare-commit baselines.
	ids=$($DOCKER images -q --filter "label=io.keep.bench.run=$BP" 2>/dev/null)
	[ -n "$ids" ] && $DOCKER rmi -f $ids >/dev/null 2>&1
	ids=$($DOCKER images --format '{{.Repository}}:{{.Tag}}' 2>/dev/null |
	    grep -E "^(keep/$BP-|$BP-commit)" )
	[ -n "$ids" ] && $DOCKER rmi -f $ids >/dev/null 2>&1
	[ -n "${BENCH_KEEP_TMP:-}" ] && echo "# kept $BENCH_TMP" >&2 || rm -rf "$BENCH_TMP"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# Nanoseconds since the epoch.
now_ns() { date +%s%N; }

# Run a command, discard its output, print its wall time in seconds.
time_cmd() {
	local t0 t1
	t0=$(now_ns)
	"$@" >/dev/null 2>"$BENCH_TMP/last.err" || {
		echo "bench: '$*' failed:" >&2
		cat "$BENCH_TMP/last.err" >&2
		return 1
	}
	t1=$(now_ns)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f\n", (b - a) / 1e9 }'
}

# The median of the numbers given as arguments.
median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
	    END { if (NR % 2) print v[(NR + 1) / 2];
	          else printf "%.4f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio A B: A / B with three decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f\n", a / b }'; }

# report NAME VALUE OP TARGET DETAIL: one line of the bench table, and
# whether the value meets the target ("<=" or ">=").
report() {
	local name=$1 value=$2 op=$3 target=$4 detail=${5:-} ok
	ok=$(awk -v v="$value" -v t="$target" -v op="$op" 'BEGIN {
	    print ((op == "<=" && v <= t) || (op == ">=" && v >= t)) ? "meets" : "MISSES" }')
	printf '%-44s %10s  target %s %-8s %-6s %s\n' "$name" "$value" "$op" \
	    "$target" "$ok" "$detail"
	echo "$name|$value|$op $target|$ok|$detail" >>"${BENCH_RESULTS:-/dev/null}"
}

# A bare `docker commit` through the Engine API with curl over the unix
# socket, as keep makes it (pause=1), tagged for removal.
api_commit() {
	curl -sf --unix-socket "$DOCKER_SOCK" -X POST \
	    "http://localhost/v1.41/commit?container=$1&repo=$BP-commit&tag=$2&pause=1&changes=LABEL%20io.keep.bench.run%3D$BP" \
	    -o /dev/null
}

# `docker commit` as a user types it, labelled for removal.
cli_commit() {
	$DOCKER commit -c "LABEL io.keep.bench.run=$BP" "$1" "$BP-commit:$2" >/dev/null
}

# Build a bench image from bench/images/Dockerfile.NAME once; the tag
# kbench/NAME:1 is the cache (never removed by the scripts).
bench_image() {
	local name=$1
	$DOCKER image inspect "kbench/$name:1" >/dev/null 2>&1 && return 0
	echo "bench: building kbench/$name:1 (once; cached by its tag)" >&2
	DOCKER_BUILDKIT=0 $DOCKER build -q --network host -t "kbench/$name:1" \
	    -f "$BENCH_DIR/images/Dockerfile.$name" "$BENCH_DIR/images" >/dev/null
}

# Start a container NAME from IMAGE (--network none), idle.
bench_container() {
	$DOCKER run -d --network none --name "$1" --label io.keep.bench=1 \
	    "$2" sleep infinity >/dev/null
}
