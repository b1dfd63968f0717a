#!/usr/bin/env bash
# Pins that survive the mirror moving on. A local "mirror" (a signed apt
# repository served from 127.0.0.1, whose Release says Origin: Debian as
# every Debian mirror's does) offers keep-pin-test 1.0; a container
# installs it, keep saves. Then the mirror drops 1.0 for 1.1, as a point
# release does: the pinned install fails, and the recipe still builds
# because it falls back to the dated snapshot archive (served here too,
# with --apt-snapshot-url), which has 1.0. A vendor repository (Origin:
# not Debian) has no snapshot archive, and the recipe and verify say so.
. "$(dirname "$0")/lib.sh"
need_base_image
export DOCKER_BUILDKIT=0

need_tool dpkg-deb apt-ftparchive gpg python3

WWW=$TEST_DIR/www
GPGDIR=$TEST_DIR/gnupg
mkdir -p "$WWW" "$TEST_DIR/deb" && mkdir -m 700 "$GPGDIR"
gpg_() { gpg --homedir "$GPGDIR" --batch --quiet --yes "$@"; }

stop_server() {
	[ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null
	gpgconf --homedir "$GPGDIR" --kill gpg-agent 2>/dev/null
	cleanup
}
trap stop_server EXIT

# make_deb NAME VERSION: a small .deb in $TEST_DIR/deb.
make_deb() {
	local root=$TEST_DIR/deb/$1-$2
	mkdir -p "$root/DEBIAN" "$root/usr/share/$1"
	printf 'Package: %s\nVersion: %s\nArchitecture: all\nMaintainer: keep tests <keep-test@example.invalid>\nDescription: a package of keep'"'"'s tests\n' \
		"$1" "$2" >"$root/DEBIAN/control"
	echo "$1 $2" >"$root/usr/share/$1/version"
	dpkg-deb --root-owner-group --build "$root" "$TEST_DIR/deb/$1_$2_all.deb" >/dev/null
}

# make_repo DIR ORIGIN DEB...: a signed repository, suite bookworm, component main.
make_repo() {
	local dir=$1 origin=$2 f
	shift 2
	rm -rf "$dir" && mkdir -p "$dir/pool" "$dir/dists/bookworm/main/binary-amd64" &&
	cp "$@" "$dir/pool/" &&
	(cd "$dir" && apt-ftparchive packages pool >dists/bookworm/main/binary-amd64/Packages) &&
	f=APT::FTPArchive::Release &&
	apt-ftparchive -o "$f::Origin=$origin" -o "$f::Label=$origin" -o "$f::Suite=bookworm" \
		-o "$f::Codename=bookworm" -o "$f::Architectures=amd64" -o "$f::Components=main" \
		release "$dir/dists/bookworm" >"$TEST_DIR/Release" &&
	mv "$TEST_DIR/Release" "$dir/dists/bookworm/Release" &&
	gpg_ --clearsign -o "$dir/dists/bookworm/InRelease" "$dir/dists/bookworm/Release" &&
	gpg_ -abs -o "$dir/dists/bookworm/Release.gpg" "$dir/dists/bookworm/Release"
}

# Everything the tests below share: the key, the packages, the repositories
# and the server (test bodies run in subshells: set up here, at the top).
gpg_ --passphrase '' --quick-gen-key 'keep test archive <keep-test@example.invalid>' rsa2048 sign never &&
	gpg_ --export >"$TEST_DIR/keep-test.gpg" &&
	make_deb keep-pin-test 1.0 && make_deb keep-pin-test 1.1 && make_deb keep-vendor-test 2.0 &&
	make_repo "$WWW/mirror" Debian "$TEST_DIR/deb/keep-pin-test_1.0_all.deb" &&
	make_repo "$WWW/vendor" "Keep Test Vendor" "$TEST_DIR/deb/keep-vendor-test_2.0_all.deb" ||
	{ echo "Bail out! could not make the test repositories"; exit 1; }
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$WWW" >"$TEST_DIR/server.out" 2>"$TEST_DIR/server.log" &
SERVER_PID=$!
for _ in $(seq 1 100); do
	PORT=$(sed -n 's/.* port \([0-9][0-9]*\) .*/\1/p' "$TEST_DIR/server.out")
	[ -n "$PORT" ] && break
	sleep 0.1
done
[ -n "$PORT" ] || { echo "Bail out! the test archive server did not start"; exit 1; }
URL=http://127.0.0.1:$PORT
SNAP=$URL/snap

# The test base image, trusting the test key (a Dockerfile build: see engine.sh).
KEY_IMAGE=keep-test/apt-key:$PREFIX
track_image "$KEY_IMAGE"
printf 'FROM %s\nRUN echo %s | base64 -d >/etc/apt/trusted.gpg.d/keep-test.gpg\n' \
	"$KEEP_TEST_BASE" "$(base64 -w0 "$TEST_DIR/keep-test.gpg")" |
	$DOCKER build -q --network host -t "$KEY_IMAGE" - >/dev/null 2>"$TEST_DIR/key-image.log" ||
	{ echo "Bail out! could not build $KEY_IMAGE"; exit 1; }

# The RUN instruction that installs the apt packages, from a Dockerfile.
apt_run() { awk '/^RUN .*DEBIAN_FRONTEND/{p=1} p{print} p && !/\\$/{exit}' "$1"; }

test_expect_success 'setup: keep-pin-test 1.0 from the mirror, keep-vendor-test from a vendor' '
	c=$(run_container pins --network host "$KEY_IMAGE" sleep infinity) &&
	quietly $DOCKER exec "$c" sh -c "echo deb $URL/mirror bookworm main >/etc/apt/sources.list.d/keep-test.list && echo deb $URL/vendor bookworm main >/etc/apt/sources.list.d/vendor.list && apt-get update && apt-get install -y --no-install-recommends keep-pin-test keep-vendor-test" &&
	test "$($DOCKER exec "$c" dpkg-query -W -f="\${Version}" keep-pin-test)" = 1.0 &&
	keep save "$c" >/dev/null
'
C=$PREFIX-pins

test_expect_success 'the recipe carries the save time as the snapshot-archive timestamp' '
	keep show --json "$C" >show.json &&
	ts=$(jq -r .created show.json | tr -d ":-") &&
	echo "$ts" | grep -qx "[0-9]\{8\}T[0-9]\{6\}Z" &&
	keep to-dockerfile "$C" >Dockerfile 2>err &&
	cmp Dockerfile "$KEEP_HOME/recipes/$C/Dockerfile" &&
	expect_grep "^		keep-pin-test=1.0 \\\\$" Dockerfile &&
	expect_grep "'"'"'deb \[check-valid-until=no\] http://snapshot.debian.org/archive/debian/$ts bookworm main'"'"'" Dockerfile &&
	expect_grep "^#   $URL/vendor bookworm$" Dockerfile &&
	expect_no_grep "snapshot.*vendor" Dockerfile &&
	expect_grep "^keep: warning: 1 apt source(s) have no snapshot archive ($URL/vendor bookworm)" err
'

test_expect_success 'while the mirror has the pinned version, the archive is not asked' '
	{ keep -q verify --apt-snapshot-url "$SNAP" "$C" >out 2>err || { cat out err; false; }; } &&
	expect_grep "^verify $C #1: identical" out &&
	expect_no_grep "GET /snap/" "$TEST_DIR/server.log"
'

test_expect_success 'the mirror moves on to 1.1: the pinned install alone no longer builds' '
	make_repo "$WWW/mirror" Debian "$TEST_DIR/deb/keep-pin-test_1.1_all.deb" &&
	ts=$(keep show --json "$C" | jq -r .created | tr -d ":-") &&
	make_repo "$WWW/snap/debian/$ts" Debian "$TEST_DIR/deb/keep-pin-test_1.0_all.deb" &&
	expect_code 1 keep verify --apt-snapshot never "$C" >out 2>err &&
	expect_grep "Version .1\.0. for .keep-pin-test. was not found" err
'

test_expect_success 'the recipe still builds: 1.0 comes from the dated archive' '
	ts=$(keep show --json "$C" | jq -r .created | tr -d ":-") &&
	{ keep -q verify --apt-snapshot-url "$SNAP" --keep-image "$PREFIX-rebuilt:1" "$C" >out 2>err ||
	    { cat out err; false; }; } &&
	track_image "$PREFIX-rebuilt:1" &&
	expect_grep "^verify $C #1: identical" out &&
	expect_grep "GET /snap/debian/$ts/dists/bookworm/InRelease" "$TEST_DIR/server.log" &&
	test "$($DOCKER run --rm --network none "$PREFIX-rebuilt:1" dpkg-query -W -f="\${Version}" keep-pin-test)" = 1.0 &&
	$DOCKER run --rm --network none "$PREFIX-rebuilt:1" sh -c "! test -e /etc/apt/sources.list.d/keep-snapshot.list && ! ls /var/lib/apt/lists | grep -q snap" &&
	expect_grep "^  apt pins  fall back to the snapshot archive of $ts$" out &&
	expect_grep "^  apt pins  no snapshot archive for $URL/vendor bookworm" out
'

test_expect_success 'so does the build context by hand (docker build)' '
	quietly keep to-dockerfile --apt-snapshot-url "$SNAP" --context ctx "$C" &&
	$DOCKER build -q --network host -t "$PREFIX-byhand:1" ctx >/dev/null &&
	track_image "$PREFIX-byhand:1" &&
	test "$($DOCKER run --rm --network none "$PREFIX-byhand:1" dpkg-query -W -f="\${Version}" keep-pin-test)" = 1.0
'

test_expect_success '--apt-snapshot always: the archive is a source from the start' '
	keep to-dockerfile --apt-snapshot always --apt-snapshot-url "$SNAP" "$C" >always.Dockerfile 2>/dev/null &&
	apt_run always.Dockerfile >run.txt &&
	test "$(grep -n "keep-snapshot.list" run.txt | head -n 1 | cut -d: -f1)" -lt "$(grep -n "apt-get update" run.txt | cut -d: -f1)" &&
	expect_no_grep "set --" run.txt &&
	{ KEEP_APT_SNAPSHOT=always keep -q verify --apt-snapshot-url "$SNAP" "$C" >out 2>err || { cat out err; false; }; } &&
	expect_grep "^verify $C #1: identical" out
'

test_expect_success 'a later save keeps each pin'"'"'s time: the apt layer reads the same' '
	$DOCKER exec "$C" sh -c "echo later >/etc/later.conf" &&
	keep save "$C" >/dev/null &&
	keep to-dockerfile --at 1 "$C" >one.Dockerfile 2>/dev/null &&
	keep to-dockerfile "$C" >two.Dockerfile 2>/dev/null &&
	expect_grep "later.conf" two.Dockerfile &&
	apt_run one.Dockerfile >one.run && apt_run two.Dockerfile >two.run &&
	expect_grep "keep-snapshot.list" one.run && cmp one.run two.run
'

test_expect_success 'a bad --apt-snapshot or archive URL is a usage error' '
	expect_code 2 keep to-dockerfile --apt-snapshot sometimes "$C" 2>err &&
	expect_grep "not fallback, always or never" err &&
	KEEP_APT_SNAPSHOT_URL="http://user:pw@127.0.0.1/snap" expect_code 2 keep to-dockerfile "$C" 2>err &&
	expect_grep "KEEP_APT_SNAPSHOT_URL" err &&
	expect_no_grep "pw@" err
'

test_done
