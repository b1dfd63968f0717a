#!/usr/bin/env bash
# The SBOM golden files (tests/fixtures/sbom) against the CycloneDX 1.5 and
# SPDX 2.3 JSON schemas vendored in tests/schemas, with Debian's
# python3-jsonschema (scripts/setup.sh installs it).
#
#   tests/lint/sbom-schemas.sh              check the golden files
#   tests/lint/sbom-schemas.sh --self-test  prove the check refuses a document
#                                           that lacks a required field
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
schemas=$root/tests/schemas
fixtures=$root/tests/fixtures/sbom

validate() {
	local schema=$1
	shift
	python3 "$schemas/validate.py" "$schemas/$schema" "$@"
}

if [ "${1:-}" = --self-test ]; then
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	# A CycloneDX document without its bomFormat, an SPDX one without its
	# SPDXID: each schema requires them.
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["bomFormat"]; json.dump(d, open(sys.argv[2], "w"))' \
		"$fixtures/debian.cdx.json" "$tmp/bad.cdx.json" || exit 2
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); del d["SPDXID"]; json.dump(d, open(sys.argv[2], "w"))' \
		"$fixtures/debian.spdx.json" "$tmp/bad.spdx.json" || exit 2
	# Refused means exit 1; 2 is a validator that cannot run.
	validate bom-1.5.schema.json "$tmp/bad.cdx.json" >/dev/null 2>&1
	[ $? -eq 1 ] || { echo "sbom-schemas: a CycloneDX document without bomFormat was not refused" >&2; exit 1; }
	validate spdx-2.3.schema.json "$tmp/bad.spdx.json" >/dev/null 2>&1
	[ $? -eq 1 ] || { echo "sbom-schemas: an SPDX document without SPDXID was not refused" >&2; exit 1; }
	echo "sbom-schemas: self-test ok"
	exit 0
fi

validate bom-1.5.schema.json "$fixtures"/*.cdx.json &&
	validate spdx-2.3.schema.json "$fixtures"/*.spdx.json
