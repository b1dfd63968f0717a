# Shared by scripts/ and tests/: make sure a Docker engine answers, and that
# the test base images exist. Source it, then call the functions.
#
# Network rule: dockerd is started with --bridge=none --iptables=false, so no
# bridge network with private addresses is ever created; containers use
# --network none, or --network host when they must reach the package mirror.

KEEP_TEST_BASE=${KEEP_TEST_BASE:-keep-test/bookworm:latest}
KEEP_TEST_CACHE=${KEEP_TEST_CACHE:-/var/cache/keep-test}
KEEP_TEST_MIRROR=${KEEP_TEST_MIRROR:-http://deb.debian.org/debian}

# Debian's CLI; /usr/local/bin/docker may be a newer one, both work.
DOCKER=${DOCKER:-docker}

engine_log() { printf '%s\n' "$*" >&2; }

engine_up() {
	$DOCKER version --format '{{.Server.Version}}' >/dev/null 2>&1
}

# Start dockerd when no engine answers (only for the default socket: with
# DOCKER_HOST set, the user chose an engine and we do not start another).
ensure_engine() {
	engine_up && return 0
	if [ -n "${DOCKER_HOST:-}" ]; then
		engine_log "engine at DOCKER_HOST=$DOCKER_HOST does not answer"
		return 1
	fi
	if ! command -v dockerd >/dev/null; then
		engine_log "dockerd is not installed (apt-get install docker.io)"
		return 1
	fi
	engine_log "starting dockerd (--bridge=none --iptables=false)"
	mkdir -p /var/log
	nohup dockerd --bridge=none --iptables=false --ip6tables=false \
		>/var/log/keep-test-dockerd.log 2>&1 </dev/null &
	for _ in $(seq 1 60); do
		engine_up && return 0
		sleep 0.5
	done
	engine_log "dockerd did not come up; its log:"
	tail -n 20 /var/log/keep-test-dockerd.log >&2
	return 1
}

# The Debian base image: debootstrap --variant=minbase bookworm piped into
# docker import. The rootfs tarball is cached, so a rerun (or an engine whose
# images were wiped) takes seconds.
#
# Like Docker's official Debian images, it tells dpkg not to fsync each
# file it unpacks (/etc/dpkg/dpkg.cfg.d/docker-apt-speedup): an apt-get
# install in a container, or in a recipe's build, takes a third of the
# time. The image's comment carries KEEP_TEST_BASE_VERSION (not a label:
# containers would inherit it): an older image is replaced.
KEEP_TEST_BASE_VERSION=2
ensure_base_image() {
	local tar="$KEEP_TEST_CACHE/bookworm-minbase-$KEEP_TEST_BASE_VERSION.tar" root
	if [ "$($DOCKER image inspect -f '{{.Comment}}' "$KEEP_TEST_BASE" 2>/dev/null)" = \
		"keep test base $KEEP_TEST_BASE_VERSION" ]; then
		return 0
	fi
	if [ ! -s "$tar" ]; then
		command -v debootstrap >/dev/null || {
			engine_log "debootstrap is not installed (apt-get install debootstrap)"
			return 1
		}
		mkdir -p "$KEEP_TEST_CACHE"
		root=$(mktemp -d "$KEEP_TEST_CACHE/rootfs.XXXXXX")
		engine_log "building the test base image with debootstrap (about a minute)"
		if ! debootstrap --variant=minbase bookworm "$root" "$KEEP_TEST_MIRROR" \
			>"$KEEP_TEST_CACHE/debootstrap.log" 2>&1; then
			tail -n 20 "$KEEP_TEST_CACHE/debootstrap.log" >&2
			rm -rf "$root"
			return 1
		fi
		echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
		tar -C "$root" --numeric-owner -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
		rm -rf "$root"
	fi
	$DOCKER import \
		--change 'CMD ["/bin/bash"]' \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		--message "keep test base $KEEP_TEST_BASE_VERSION" \
		"$tar" "$KEEP_TEST_BASE" >/dev/null
}

# A test image derived from the base by a Dockerfile build (never a commit:
# a committed image carries an empty resolv.conf and cannot reach the
# mirror in later builds). Built once, then reused by its tag.
#   ensure_derived_image TAG <<'EOF' ... Dockerfile ... EOF
ensure_derived_image() {
	local tag=$1 dockerfile
	dockerfile=$(cat)
	if $DOCKER image inspect "$tag" >/dev/null 2>&1; then
		return 0
	fi
	engine_log "building test image $tag"
	printf '%s\n' "$dockerfile" |
		DOCKER_BUILDKIT=0 $DOCKER build -q --network host -t "$tag" - >/dev/null
}

# Python 3 with venv, for pip analyzer tests.
ensure_python_image() {
	ensure_base_image || return 1
	ensure_derived_image keep-test/python:latest <<-EOF2
	FROM $KEEP_TEST_BASE
	RUN apt-get update && apt-get install -y --no-install-recommends python3 python3-venv \
	    && rm -rf /var/lib/apt/lists/*
	EOF2
}
