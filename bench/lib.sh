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

# Where bench_hand_container caches its downloads (kept between runs).
BENCH_CACHE=${BENCH_CACHE:-/var/cache/keep-bench}
# The host's CA bundle: the npm registry is reached through a proxy that
# inspects TLS with a CA of its own, which this bundle holds.
BENCH_HOST_CA=${BENCH_HOST_CA:-/etc/ssl/certs/ca-certificates.crt}

# bench_hand_container NAME APT NPM: a container from keep-test/bookworm
# (--network host, for the mirror and the npm registry) in which the
# packages are installed by hand, with docker exec, into its own layer:
# apt-get install APT (recommends left out), npm install -g NPM (may be
# empty; nodejs and npm among APT), and a venv in /opt/venv with a local
# package installed by its pip (python3-venv among APT), as a user who
# works on their own code does. apt's archives and npm's cache are mounted
# from $BENCH_CACHE, so only the first run downloads.
bench_hand_container() {
	local c=$1 apt=$2 npm=$3
	mkdir -p "$BENCH_CACHE/apt/partial" "$BENCH_CACHE/npm" || return 1
	$DOCKER run -d --network host --name "$c" --label io.keep.bench=1 \
	    -v "$BENCH_CACHE/apt:/var/cache/apt/archives" \
	    -v "$BENCH_CACHE/npm:/root/.npm" \
	    -v "$BENCH_HOST_CA:/usr/local/share/kbench-host-ca.crt:ro" \
	    keep-test/bookworm:latest sleep infinity >/dev/null || return 1
	$DOCKER exec -e DEBIAN_FRONTEND=noninteractive "$c" sh -c \
	    "apt-get update -qq && apt-get install -y -qq --no-install-recommends $apt" \
	    >"$BENCH_TMP/apt.log" 2>&1 || {
		echo "bench: apt-get install in $c failed:" >&2
		tail -n 20 "$BENCH_TMP/apt.log" >&2
		return 1
	}
	if [ -n "$npm" ]; then
		$DOCKER exec "$c" npm install -g --no-fund --no-audit \
		    --cafile=/usr/local/share/kbench-host-ca.crt $npm \
		    >"$BENCH_TMP/npm.log" 2>&1 || {
			echo "bench: npm install -g in $c failed:" >&2
			tail -n 20 "$BENCH_TMP/npm.log" >&2
			return 1
		}
	fi
	case " $apt " in
	*" python3-venv "*)
		$DOCKER exec "$c" sh -c 'mkdir -p /srv/kbench_tool/kbench_tool &&
		    echo "VERSION = \"0.1\"" >/srv/kbench_tool/kbench_tool/__init__.py &&
		    printf "from setuptools import setup\nsetup(name=\"kbench-tool\", version=\"0.1\", packages=[\"kbench_tool\"])\n" \
		        >/srv/kbench_tool/setup.py &&
		    python3 -m venv /opt/venv &&
		    /opt/venv/bin/pip install -q --no-index --no-build-isolation /srv/kbench_tool' \
		    >"$BENCH_TMP/pip.log" 2>&1 || {
			echo "bench: the venv in $c failed:" >&2
			tail -n 20 "$BENCH_TMP/pip.log" >&2
			return 1
		}
		;;
	esac
}
