#!/usr/bin/env bash
# keep save beyond dpkg: pip into a venv (from a wheel built here, no index
# reachable) and an apk database (a fixture image made with docker import).
. "$(dirname "$0")/lib.sh"
need_base_image
ensure_python_image || { echo "Bail out! cannot build keep-test/python"; exit 1; }

# A wheel written by hand with zipfile: the test needs no index and no
# build backend.
cat >"$TEST_DIR/mkwheel.py" <<'PY'
import base64, hashlib, sys, zipfile
name, version, out = sys.argv[1], sys.argv[2], sys.argv[3]
di = f"{name}-{version}.dist-info"
files = {
    f"{name}.py": f"VERSION = {version!r}\n",
    f"{di}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
    f"{di}/WHEEL": "Wheel-Version: 1.0\nGenerator: keep-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
def rec(data):
    h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={h},{len(data)}"
record = "".join(f"{p},{rec(d.encode())}\n" for p, d in files.items()) + f"{di}/RECORD,,\n"
with zipfile.ZipFile(out, "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
    z.writestr(f"{di}/RECORD", record)
PY

test_expect_success 'setup: a venv with a wheel installed by pip, offline' '
	c=$(run_container py --network none -v "$TEST_DIR/mkwheel.py:/mkwheel.py:ro" keep-test/python:latest sleep infinity) &&
	$DOCKER exec "$c" python3 -m venv /opt/venv &&
	$DOCKER exec "$c" python3 /mkwheel.py hello_keep 1.2.3 /tmp/hello_keep-1.2.3-py3-none-any.whl &&
	$DOCKER exec "$c" /opt/venv/bin/pip install -q --no-index /tmp/hello_keep-1.2.3-py3-none-any.whl &&
	$DOCKER exec "$c" /opt/venv/bin/python -c "import hello_keep; assert hello_keep.VERSION == \"1.2.3\""
'

test_expect_success 'save records the pip package with its venv, installer and local origin' '
	keep save "$PREFIX-py" >out &&
	keep show --json "$PREFIX-py" >show.json &&
	jq -e ".packages[] | select(.manager==\"pip\" and .name==\"hello_keep\")" show.json >p.json &&
	test "$(jq -r .version p.json)" = 1.2.3 &&
	test "$(jq -r .change p.json)" = added &&
	test "$(jq -r .installer p.json)" = pip &&
	test "$(jq -r .auto p.json)" = false &&
	jq -r .location p.json | grep -q "^/opt/venv/lib/python3[.0-9]*/site-packages$" &&
	jq -r .origin p.json | grep -q "^file:///tmp/hello_keep-1.2.3-py3-none-any.whl$"
'

test_expect_success 'the files the wheel installed are explained, not loose' '
	keep show --json "$PREFIX-py" >show.json &&
	test "$(jq -r "[.files[].path | select(test(\"hello_keep\"))] | length" show.json)" = 0 &&
	test "$(jq -r "[.files[].path | select(test(\"__pycache__\"))] | length" show.json)" = 0
'

# An Alpine-like image: only an apk database, imported from a tarball.
mk_apk_db() {
	# $1: dir; then "name version arch" triples
	local dir=$1; shift
	mkdir -p "$dir/lib/apk/db"
	: >"$dir/lib/apk/db/installed"
	while [ $# -gt 0 ]; do
		printf 'C:Q1abc=\nP:%s\nV:%s\nA:%s\nT:%s fixture\n' "$1" "$2" "$3" "$1" >>"$dir/lib/apk/db/installed"
		if [ "$1" = curl ]; then printf 'F:usr/bin\nR:curl\n' >>"$dir/lib/apk/db/installed"; fi
		printf '\n' >>"$dir/lib/apk/db/installed"
		shift 3
	done
}

test_expect_success 'setup: an apk fixture image and a never-started container changed through the archive API' '
	mkdir -p base/etc/apk base/usr/bin &&
	mk_apk_db base musl 1.2.4-r2 x86_64 busybox 1.36.1-r15 x86_64 &&
	echo busybox >base/etc/apk/world &&
	tar -C base -cf base.tar . &&
	$DOCKER import base.tar "keep-test/apk-$PREFIX:1" >/dev/null &&
	track_image "keep-test/apk-$PREFIX:1" &&
	mkdir -p new/etc/apk new/usr/bin &&
	mk_apk_db new musl 1.2.4-r2 x86_64 busybox 1.36.1-r15 x86_64 curl 8.5.0-r0 x86_64 libcurl 8.5.0-r0 x86_64 &&
	printf "busybox\ncurl\n" >new/etc/apk/world &&
	echo "#!/bin/true" >new/usr/bin/curl &&
	echo "welcome" >new/etc/motd &&
	$DOCKER create --name "$PREFIX-apk" --network none "keep-test/apk-$PREFIX:1" /bin/sh >/dev/null &&
	track_container "$PREFIX-apk" &&
	$DOCKER cp new/lib/apk/db/installed "$PREFIX-apk:/lib/apk/db/installed" &&
	$DOCKER cp new/etc/apk/world "$PREFIX-apk:/etc/apk/world" &&
	$DOCKER cp new/usr/bin/curl "$PREFIX-apk:/usr/bin/curl" &&
	$DOCKER cp new/etc/motd "$PREFIX-apk:/etc/motd"
'

test_expect_success 'save records apk packages: world entries manual, the rest automatic' '
	keep save "$PREFIX-apk" >out &&
	keep show --json "$PREFIX-apk" >show.json &&
	test "$(jq -r ".packages[] | select(.name==\"curl\") | [.manager,.version,.arch,.change,.auto] | join(\" \")" show.json)" = "apk 8.5.0-r0 x86_64 added false" &&
	test "$(jq -r ".packages[] | select(.name==\"libcurl\") | .auto" show.json)" = true &&
	test "$(jq -r "[.packages[] | select(.name==\"busybox\")] | length" show.json)" = 0 &&
	test "$(jq -r "[.files[].path] | join(\" \")" show.json)" = /etc/motd
'

test_done
