#!/usr/bin/env bash
# keep sbom: every package of the snapshot (the base image's it kept, the
# ones installed in the container), with package URLs, the hand-installed
# ones marked; valid CycloneDX 1.5 and SPDX 2.3 by the official schemas.
. "$(dirname "$0")/lib.sh"
need_base_image
ensure_python_image || { echo "Bail out! cannot build keep-test/python"; exit 1; }

SCHEMAS=$KEEP_SOURCE_DIR/tests/schemas
validate() { python3 "$SCHEMAS/validate.py" "$@"; }
python3 -c "import jsonschema" 2>/dev/null ||
	{ echo "Bail out! python3-jsonschema is missing (scripts/setup.sh installs it)"; exit 1; }

A=$PREFIX-dev P=$PREFIX-py

# A Debian version as a package URL writes it: percent-encoded, ':' kept.
purl_version() { jq -rn --arg v "$1" '$v | @uri | gsub("%3A"; ":")'; }

test_expect_success 'setup: jq installed by hand with apt-get, a token in the env, npm globals' '
	run_container dev --network host -e API_TOKEN=s3cr3t-value "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	quietly $DOCKER exec "$A" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$A" sh -c "
	    mkdir -p /usr/local/lib/node_modules/@types/semver &&
	    echo {\\\"name\\\":\\\"@types/semver\\\",\\\"version\\\":\\\"7.5.8\\\"} >/usr/local/lib/node_modules/@types/semver/package.json" &&
	$DOCKER exec "$A" dpkg-query -W -f="\${Package} \${Version} \${Architecture}\n" | sort >dpkg.list &&
	test "$(wc -l <dpkg.list)" -gt 50 &&
	keep save "$A" >/dev/null
'

test_expect_success 'CycloneDX (the default) validates against the CycloneDX 1.5 schema' '
	keep sbom "$A" >a.cdx.json &&
	validate "$SCHEMAS/bom-1.5.schema.json" a.cdx.json &&
	test "$(jq -r .specVersion a.cdx.json)" = 1.5 &&
	jq -r .serialNumber a.cdx.json | grep -q "^urn:uuid:[0-9a-f-]\{36\}$"
'

test_expect_success 'the schema check is live: a broken document fails it' '
	jq "del(.bomFormat) | .components[0].type = \"bogus\"" a.cdx.json >bad.json &&
	expect_code 1 validate "$SCHEMAS/bom-1.5.schema.json" bad.json >out &&
	expect_grep bomFormat out && expect_grep bogus out
'

test_expect_success 'every dpkg package of the container is there, with its exact version and arch' '
	jq -r ".components[] | select(.properties[] | .name == \"keep:manager\" and .value == \"dpkg\")
	    | \"\(.name) \(.version) \(.properties[] | select(.name == \"keep:arch\") | .value)\"" a.cdx.json |
	    sort >sbom.list &&
	diff -u dpkg.list sbom.list
'

test_expect_success 'package URLs: the distro from the image os-release, the version encoded' '
	v=$(awk "\$1 == \"jq\" { print \$2 }" dpkg.list) &&
	test "$(jq -r ".components[] | select(.name == \"jq\") | .purl" a.cdx.json)" = \
	    "pkg:deb/debian/jq@$(purl_version "$v")?arch=amd64&distro=debian-12" &&
	test "$(jq -r ".components[] | select(.name == \"@types/semver\") | .purl" a.cdx.json)" = \
	    "pkg:npm/%40types/semver@7.5.8" &&
	test "$(jq "[.components[] | select(.purl | startswith(\"pkg:\") | not)] | length" a.cdx.json)" = 0
'

prop() { jq -r ".components[] | select(.name == \"$1\") | .properties[] | select(.name == \"$2\") | .value" a.cdx.json; }
test_expect_success 'what was installed after the image was built is marked; by hand or as a dependency' '
	test "$(prop jq keep:source)" = container &&
	test "$(prop jq keep:requested)" = true &&
	test "$(prop libjq1 keep:source)" = container &&
	test "$(prop libjq1 keep:requested)" = false &&
	test "$(prop libc6 keep:source)" = base-image &&
	test "$(prop @types/semver keep:source)" = container &&
	test "$(jq "[.components[] | select(.properties[] | .name == \"keep:source\" and .value == \"container\")] | length" a.cdx.json)" -ge 3 &&
	test "$(jq -r .metadata.component.name a.cdx.json)" = "$A" &&
	test "$(jq -r ".metadata.component.pedigree.ancestors[0].name" a.cdx.json)" = "$KEEP_TEST_BASE"
'

test_expect_success 'SPDX 2.3 validates, names every package, annotates the hand-installed ones' '
	keep sbom --format spdx "$A" >a.spdx.json &&
	validate "$SCHEMAS/spdx-2.3.schema.json" a.spdx.json &&
	test "$(jq -r .spdxVersion a.spdx.json)" = SPDX-2.3 &&
	test "$(jq "[.packages[] | select(.externalRefs[0].referenceType == \"purl\")] | length" a.spdx.json)" = \
	    "$(jq ".components | length" a.cdx.json)" &&
	jq -e ".packages[] | select(.name == \"jq\") | .annotations[0].comment | startswith(\"keep:source=container\")" a.spdx.json >/dev/null &&
	jq -e "[.packages[] | select(.name == \"libc6\") | .annotations] == [null]" a.spdx.json >/dev/null
'

test_expect_success 'SPDX rules the schema leaves out: ids, references, DESCRIBES, namespace' '
	jq -e "[.packages[].SPDXID | test(\"^SPDXRef-[A-Za-z0-9.-]+$\")] | all" a.spdx.json >/dev/null &&
	jq -e "[.packages[].SPDXID] | length == (unique | length)" a.spdx.json >/dev/null &&
	jq -e "([.packages[].SPDXID] + [\"SPDXRef-DOCUMENT\"]) as \$ids |
	    [.relationships[] | (.spdxElementId, .relatedSpdxElement) | IN(\$ids[])] | all" a.spdx.json >/dev/null &&
	test "$(jq "[.relationships[] | select(.relationshipType == \"DESCRIBES\")] | length" a.spdx.json)" = 1 &&
	jq -r .documentNamespace a.spdx.json | grep -q "^https://[^#]*$" &&
	libc6=$(jq -r ".packages[] | select(.name == \"libc6\") | .SPDXID" a.spdx.json) &&
	jq -e --arg id "$libc6" "any(.relationships[]; .spdxElementId == \"SPDXRef-BaseImage\" and .relatedSpdxElement == \$id)" a.spdx.json >/dev/null
'

test_expect_success 'no env, no secret in either document' '
	expect_no_grep s3cr3t a.cdx.json && expect_no_grep s3cr3t a.spdx.json &&
	expect_no_grep API_TOKEN a.cdx.json && expect_no_grep API_TOKEN a.spdx.json
'

test_expect_success 'a pip package in a venv: pkg:pypi, name normalised' '
	run_container py --network none -v "$KEEP_SOURCE_DIR/tests/cli/mkwheel.py:/mkwheel.py:ro" keep-test/python:latest sleep infinity >/dev/null &&
	$DOCKER exec "$P" python3 -m venv /opt/venv &&
	$DOCKER exec "$P" python3 /mkwheel.py Hello_Keep 1.2.3 /tmp/Hello_Keep-1.2.3-py3-none-any.whl &&
	$DOCKER exec "$P" /opt/venv/bin/pip install -q --no-index /tmp/Hello_Keep-1.2.3-py3-none-any.whl &&
	keep save "$P" >/dev/null &&
	keep sbom "$P" >p.cdx.json &&
	validate "$SCHEMAS/bom-1.5.schema.json" p.cdx.json &&
	test "$(jq -r ".components[] | select(.name == \"Hello_Keep\") | .purl" p.cdx.json)" = "pkg:pypi/hello-keep@1.2.3" &&
	jq -r ".components[] | select(.name == \"Hello_Keep\") | .properties[] | select(.name == \"keep:location\") | .value" p.cdx.json |
	    grep -q "^/opt/venv/lib/python3[.0-9]*/site-packages$"
'

test_expect_success '--at N: the snapshot before a purge still has the package' '
	quietly $DOCKER exec "$A" sh -c "apt-get purge -y -qq tzdata" &&
	keep save "$A" >/dev/null &&
	keep sbom "$A" >latest.json &&
	keep sbom --at 1 "$A" >first.json &&
	test "$(jq "[.components[] | select(.name == \"tzdata\")] | length" latest.json)" = 0 &&
	test "$(jq "[.components[] | select(.name == \"tzdata\")] | length" first.json)" = 1 &&
	test "$(jq -r .metadata.component.version first.json)" = 1
'

test_expect_success 'without an engine: from the catalog, valid, the distro left out and said' '
	DOCKER_HOST=unix:///nonexistent/docker.sock keep sbom "$A" >noengine.json 2>err &&
	validate "$SCHEMAS/bom-1.5.schema.json" noengine.json &&
	expect_grep "distribution of .* is unknown" err &&
	test "$(jq -r ".components[] | select(.name == \"jq\") | .purl" noengine.json)" = \
	    "pkg:deb/debian/jq@$(purl_version "$(awk "\$1 == \"jq\" { print \$2 }" dpkg.list)")?arch=amd64" &&
	test "$(jq ".components | length" noengine.json)" = "$(jq ".components | length" latest.json)"
'

test_expect_success 'usage errors exit 2' '
	expect_code 2 keep sbom --format xml "$A" 2>err && expect_grep "cyclonedx spdx" err &&
	expect_code 2 keep sbom 2>err &&
	expect_code 1 keep sbom "$PREFIX-nosuch" 2>err
'

test_done
