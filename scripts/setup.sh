#!/usr/bin/env bash
# Install what keep needs on Debian 12 (as root), build it, and make sure a
# Docker engine and the test base image are there. Used by demo.sh and test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(build-essential cmake pkg-config git
	libsqlite3-dev libcurl4-openssl-dev libjansson-dev libgit2-dev libarchive-dev
	docker.io docker-registry debootstrap sqlite3 clang jq
	docker-compose openssl socat podman curl bash-completion zsh
	python3 python3-jsonschema valgrind apt-utils gnupg groff-base strace
	apache2-utils)

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "setup: installing ${missing[*]}" >&2
	SUDO=; [ "$(id -u)" -eq 0 ] || SUDO=sudo
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

BUILD_DIR=${BUILD_DIR:-build}
# KEEP_WERROR=ON (scripts/test.sh sets it) makes warnings errors: for
# developers and CI, not for someone who only wants to run keep.
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DKEEP_WERROR="${KEEP_WERROR:-OFF}" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)" >/dev/null

. tests/harness/engine.sh
ensure_engine
ensure_base_image
