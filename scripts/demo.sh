#!/usr/bin/env bash
# Set everything up (scripts/setup.sh), then run keep's main job end to end
# on a throwaway container: work inside it, save it, print the Dockerfile
# that rebuilds it, prove the recipe, remove the container, and resume it.
# Uses its own KEEP_HOME in a temporary folder, so your catalog is untouched.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
. tests/harness/engine.sh

keep=$PWD/build/keep
demo=keep-demo
export KEEP_HOME
KEEP_HOME=$(mktemp -d /tmp/keep-demo.XXXXXX)
step() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }
cleanup() {
	$DOCKER rm -f "$demo" >/dev/null 2>&1 || true
	$DOCKER images -q "keep/$demo" | xargs -r $DOCKER rmi -f >/dev/null 2>&1 || true
	rm -rf "$KEEP_HOME"
}
trap cleanup EXIT
cleanup
mkdir -p "$KEEP_HOME/work"
echo "my notes" >"$KEEP_HOME/work/notes.txt"

step "docker run -d --name $demo --network host -v \$KEEP_HOME/work:/work $KEEP_TEST_BASE sleep infinity"
$DOCKER run -d --name "$demo" --network host -v "$KEEP_HOME/work:/work" \
	-e API_TOKEN=not-for-recipes "$KEEP_TEST_BASE" sleep infinity >/dev/null
step "docker exec $demo sh -c 'apt-get update && apt-get install -y --no-install-recommends jq; echo level=3 >/etc/demo.conf'"
$DOCKER exec "$demo" sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends jq >/dev/null 2>&1; echo level=3 >/etc/demo.conf'

step "keep doctor"
$keep doctor
step "keep save -m 'jq for the logs' $demo"
$keep save -m "jq for the logs" "$demo"
step "keep show $demo"
$keep show "$demo"
step "keep to-dockerfile $demo"
$keep to-dockerfile "$demo"
step "keep verify $demo"
$keep verify "$demo"
step "keep verify --no-context $demo   # the recipe as the repository holds it lacks /etc/demo.conf"
$keep verify --no-context "$demo" || true
step "docker rm -f $demo   # the container is gone..."
$DOCKER rm -f "$demo" >/dev/null
step "keep resume $demo -- sh -c 'jq --version; cat /etc/demo.conf /work/notes.txt'   # ...and back"
$keep resume "$demo" -- sh -c 'jq --version; cat /etc/demo.conf /work/notes.txt'
step "keep log $demo"
$keep log "$demo"
step "git -C \$KEEP_HOME/recipes log --stat"
git -C "$KEEP_HOME/recipes" --no-pager log --stat
