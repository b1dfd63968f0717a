#!/usr/bin/env bash
# pip into a venv from a package index served on 127.0.0.1 in the test: the
# recipe installs from the same index (PIP_INDEX_URL as a build argument)
# and keep verify rebuilds the venv package for package.
. "$(dirname "$0")/lib.sh"
need_base_image
ensure_python_image || { echo "Bail out! cannot build keep-test/python"; exit 1; }
export DOCKER_BUILDKIT=0

INDEX_PID=
stop_index() {
	[ -n "$INDEX_PID" ] && kill "$INDEX_PID" 2>/dev/null
	cleanup
}
trap stop_index EXIT

# The wheel, written with zipfile (see t0004).
python3 - "$TEST_DIR/hello_keep-2.0.1-py3-none-any.whl" <<'PY'
import base64, hashlib, sys, zipfile
di = "hello_keep-2.0.1.dist-info"
files = {"hello_keep.py": "VERSION = '2.0.1'\n",
         f"{di}/METADATA": "Metadata-Version: 2.1\nName: hello_keep\nVersion: 2.0.1\n",
         f"{di}/WHEEL": "Wheel-Version: 1.0\nGenerator: keep-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
rec = lambda d: "sha256=%s,%d" % (base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), len(d))
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for p, d in files.items():
        z.writestr(p, d)
    z.writestr(f"{di}/RECORD", "".join(f"{p},{rec(d.encode())}\n" for p, d in files.items()) + f"{di}/RECORD,,\n")
PY

# A PEP 503 "simple" index: one folder per normalised project name; the
# server's folder listing is the page of links pip reads.
mkdir -p index/simple/hello-keep index/simple/pip index/simple/setuptools
mv "$TEST_DIR"/hello_keep-2.0.1-py3-none-any.whl index/simple/hello-keep/
id=$($DOCKER create --network none keep-test/python:latest true) &&
	$DOCKER cp "$id:/usr/share/python-wheels/." wheels >/dev/null &&
	$DOCKER rm "$id" >/dev/null
cp wheels/pip-*.whl index/simple/pip/ && cp wheels/setuptools-*.whl index/simple/setuptools/

for _ in 1 2 3 4 5; do
	PORT=$((20000 + RANDOM % 20000))
	python3 -m http.server --bind 127.0.0.1 --directory index "$PORT" >index.log 2>&1 &
	INDEX_PID=$!
	sleep 0.5
	kill -0 "$INDEX_PID" 2>/dev/null && break
done
URL="http://127.0.0.1:$PORT/simple"

test_expect_success 'setup: a venv with a package from the loopback index' '
	c=$(run_container pyidx --network host -e PIP_INDEX_URL="$URL" keep-test/python:latest sleep infinity) &&
	$DOCKER exec "$c" python3 -m venv /opt/venv &&
	$DOCKER exec "$c" /opt/venv/bin/pip install -q hello_keep &&
	$DOCKER exec "$c" /opt/venv/bin/python -c "import hello_keep; assert hello_keep.VERSION == \"2.0.1\""
'
C=$PREFIX-pyidx

test_expect_success 'the recipe installs from that index with ==, no cache, in the venv' '
	keep save "$C" >/dev/null &&
	keep to-dockerfile "$C" >df 2>/dev/null &&
	expect_grep "^ARG PIP_INDEX_URL=\"$URL\"" df &&
	expect_grep "/opt/venv/bin/python -m pip install" df &&
	expect_grep "no-cache-dir" df &&
	expect_grep "hello_keep==2.0.1" df &&
	test "$(grep -n "^ARG PIP_INDEX_URL" df | cut -d: -f1)" -lt "$(grep -n "hello_keep==" df | cut -d: -f1)"
'

test_expect_success 'keep verify rebuilds the venv from the index: identical' '
	keep verify "$C" >out 2>err &&
	expect_grep "identical" out &&
	keep show --json "$C" >show.json &&
	test "$(jq -r .verify.status show.json)" = identical
'

test_done
