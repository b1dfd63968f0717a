"""mkwheel.py NAME VERSION OUT: a pure-Python wheel written by hand with
zipfile, for tests that install into a venv with no index reachable and no
build backend."""
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
