#!/usr/bin/env bash
# keep push --images: snapshot images to a registry (Debian's
# docker-registry on 127.0.0.1, htpasswd auth) with the docker CLI's
# credentials (auths, a credential helper); the digest in the catalog and
# the recipe repository; failures that record nothing; and keep resume
# pulling a snapshot's image by digest once the engine lost it.
. "$(dirname "$0")/lib.sh"
need_base_image
need_tool docker-registry htpasswd curl jq git python3 sqlite3

C="$PREFIX-dev"
start_registry || { echo "Bail out! no registry"; exit 1; }
PASS=$REG_PASS
REPO=$REG/team/keep

# The docker CLI's credentials: auths (right and wrong password), and a
# credential helper on PATH that logs which server it was asked about.
docker_config() { # DIR JSON
	mkdir -p "$1" && printf '%s\n' "$2" >"$1/config.json"
}
auth_of() { printf '%s' "$1" | base64 -w0; }
docker_config "$TEST_DIR/dc-good" "{\"auths\":{\"$REG\":{\"auth\":\"$(auth_of "keeper:$PASS")\"}}}"
docker_config "$TEST_DIR/dc-wrong" "{\"auths\":{\"http://$REG\":{\"auth\":\"$(auth_of keeper:not-it)\"}}}"
docker_config "$TEST_DIR/dc-helper" "{\"auths\":{\"$REG\":{\"auth\":\"$(auth_of keeper:not-it)\"}},\"credHelpers\":{\"$REG\":\"keeptest\"}}"
mkdir -p "$TEST_DIR/bin"
cat >"$TEST_DIR/bin/docker-credential-keeptest" <<EOF
#!/bin/sh
read -r server
echo "\$1 \$server" >>"$TEST_DIR/helper.log"
[ "\$1" = get ] && [ "\$server" = "$REG" ] || { echo "credentials not found in native keychain"; exit 1; }
printf '{"ServerURL":"%s","Username":"keeper","Secret":"%s"}\n' "\$server" "$PASS"
EOF
chmod +x "$TEST_DIR/bin/docker-credential-keeptest"
export DOCKER_CONFIG=$TEST_DIR/dc-good

# reg_get PATH: the registry API with the password (a manifest as docker
# pushes it, schema 2).
reg_get() {
	curl -sf -u "keeper:$PASS" \
		-H "Accept: application/vnd.docker.distribution.manifest.v2+json" \
		"http://$REG/v2/$1"
}
# registry_of N: the catalog's registry_ref of snapshot N of $C.
registry_of() { keep show --json --at "$1" "$C" | jq -r .registry; }
image_id_of() { keep show --json --at "$1" "$C" | jq -r .image_id; }
recipes() { git -C "$KEEP_HOME/recipes" "$@"; }
change() { $DOCKER exec "$C" sh -c "echo '$2' >'/root/$1'"; }

test_expect_success 'setup: a registry with a password, a container saved twice, a recipe remote' '
	for _ in $(seq 1 100); do
		code=$(curl -s -o /dev/null -w "%{http_code}" "http://$REG/v2/") || code=
		[ "$code" = 401 ] && break
		sleep 0.1
	done &&
	test "$code" = 401 &&
	run_container dev --network none "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	change notes.txt "first notes" && keep -q save "$C" &&
	change more.txt "second" && keep -q save "$C" &&
	git init -q --bare remote.git &&
	recipes remote add origin "$TEST_DIR/remote.git"
'

test_expect_success 'push --images: each snapshot in the registry, its digest in the catalog and the recipes' '
	keep push --images --registry "$REPO" >out 2>err &&
	cat out err &&
	expect_grep "^pushed $C #1 $REPO@sha256:[0-9a-f]\{64\}$" out &&
	expect_grep "^pushed $C #2 $REPO@sha256:[0-9a-f]\{64\}$" out &&
	: >want.images &&
	for n in 1 2; do
		ref=$(registry_of $n) &&
		case "$ref" in "$REPO@sha256:"*) ;; *) echo "catalog: #$n $ref"; exit 1;; esac &&
		grep -qx "pushed $C #$n $ref" out &&
		digest=${ref#*@} &&
		# the registry holds that digest under the tag, and it is this snapshot image
		reg_get "team/keep/manifests/$digest" >manifest.$n &&
		test "$(jq -r .config.digest manifest.$n)" = "$(image_id_of $n)" &&
		reg_get "team/keep/manifests/$C-$n" >bytag.$n &&
		cmp manifest.$n bytag.$n &&
		echo "#$n $ref" >>want.images || exit 1
	done &&
	recipes show "HEAD:$C/images" >got.images &&
	diff -u want.images got.images &&
	test "$(recipes show "HEAD:$C/container.json" | jq -r .registry)" = "$(registry_of 2)" &&
	keep show "$C" >show.out &&
	expect_grep "^  registry:   $(registry_of 2)$" show.out &&
	test "$(recipes log -1 --format=%s)" = "keep: push images $C #1,#2" &&
	recipes status --porcelain >st && test ! -s st &&
	# the recipes went to the remote too
	test "$(git -C remote.git log -1 --format=%s)" = "keep: push images $C #1,#2" &&
	expect_grep "^pushed .* to origin" err
'

test_expect_success 'the password is nowhere: not in the catalog, the recipes, or the output' '
	! grep -rqa -e "$PASS" "$KEEP_HOME" &&
	! grep -qa -e "$PASS" out err &&
	! git -C remote.git log -p --all | grep -q -e "$PASS"
'

test_expect_success 'a second push pushes nothing again; --json says what is there' '
	commits=$(recipes rev-list --count HEAD) &&
	keep push --images --json --registry "$REPO" >out.json &&
	test "$(jq -r .registry out.json)" = "$REPO" &&
	test "$(jq "[.images[] | select(.pushed)] | length" out.json)" = 0 &&
	test "$(jq -r ".images[] | select(.seq == 2) | .ref" out.json)" = "$(registry_of 2)" &&
	test "$(jq -r .git_push out.json)" = pushed &&
	test "$(recipes rev-list --count HEAD)" = "$commits"
'

test_expect_success 'a save keeps NAME/images; KEEP_REGISTRY pushes only the new snapshot' '
	change third.txt three && keep -q save "$C" &&
	recipes show "HEAD:$C/images" >after-save &&
	diff -u want.images after-save &&
	test "$(recipes show "HEAD:$C/container.json" | jq -r .registry)" = null &&
	KEEP_REGISTRY=$REPO keep push --images "$C" >out 2>err &&
	test "$(grep -c "^pushed $C #" out)" = 1 &&
	expect_grep "^pushed $C #3 $(registry_of 3)$" out &&
	test "$(recipes show "HEAD:$C/container.json" | jq -r .registry)" = "$(registry_of 3)" &&
	test "$(recipes log -1 --format=%s)" = "keep: push images $C #3"
'

# nothing_recorded N: snapshot N has no registry_ref, the recipes do not
# name it, and the registry has no tag for it.
nothing_recorded() {
	test "$(registry_of "$1")" = null &&
	! recipes show "HEAD:$C/images" | grep -q "^#$1 " &&
	test "$(recipes show "HEAD:$C/container.json" | jq -r .registry)" = null &&
	reg_get team/keep/tags/list >tags &&
	! jq -r ".tags[]" tags | grep -qx "$C-$1"
}

test_expect_success 'a wrong password: one line naming the registry, exit 1, nothing recorded' '
	change fourth.txt four && keep -q save "$C" &&
	head=$(recipes rev-parse HEAD) &&
	DOCKER_CONFIG=$TEST_DIR/dc-wrong expect_code 1 keep push --images --registry "$REPO" >out 2>err &&
	cat err &&
	test "$(wc -l <err)" = 1 &&
	expect_grep "^keep: .*registry $REG refused the credentials (auths in $TEST_DIR/dc-wrong/config.json)" err &&
	expect_no_grep "not-it" err &&
	nothing_recorded 4 &&
	test "$(recipes rev-parse HEAD)" = "$head"
'

test_expect_success 'an unreachable registry: one line naming it, exit 1, nothing recorded' '
	dead=127.0.0.1:$(free_port) &&
	head=$(recipes rev-parse HEAD) &&
	expect_code 1 keep push --images --registry "$dead/team/keep" >out 2>err &&
	cat err &&
	test "$(wc -l <err)" = 1 &&
	expect_grep "^keep: .*cannot reach registry $dead" err &&
	nothing_recorded 4 &&
	test "$(registry_of 1)" != null &&
	test "$(recipes rev-parse HEAD)" = "$head"
'

test_expect_success 'credHelpers: docker-credential-NAME from PATH, asked for the registry, wins over auths' '
	: >"$TEST_DIR/helper.log" &&
	PATH=$TEST_DIR/bin:$PATH DOCKER_CONFIG=$TEST_DIR/dc-helper \
		keep push --images --registry "$REPO" "$C" >out 2>err &&
	cat out err &&
	expect_grep "^pushed $C #4 $REPO@sha256:" out &&
	test "$(cat "$TEST_DIR/helper.log")" = "get $REG" &&
	ref=$(registry_of 4) && reg_get "team/keep/manifests/${ref#*@}" >/dev/null
'

test_expect_success 'usage: --images needs a registry; a repository that is none' '
	expect_code 2 env -u KEEP_REGISTRY "$KEEP_BIN" push --images 2>err &&
	expect_grep "registry" err &&
	expect_code 2 keep push --images --registry "$REG/Team:tag" 2>err &&
	expect_grep "is not a registry repository" err &&
	expect_code 2 keep push --registry "$REPO" 2>err
'

test_expect_success 'the image gone from the engine: keep resume pulls it by digest and recreates the container' '
	id=$(image_id_of 4) && ref=$(registry_of 4) &&
	$DOCKER rm -f "$C" >/dev/null &&
	# the push left no other name on it: removing the tag removes the image
	$DOCKER rmi "keep/$C:4" >/dev/null &&
	! $DOCKER image inspect "$id" >/dev/null 2>&1 &&
	keep resume -d "$C" >out 2>err &&
	cat err &&
	expect_grep "^recreated $C from keep/$C:4, pulled from $ref$" err &&
	test "$($DOCKER image inspect -f "{{.Id}}" "keep/$C:4")" = "$id" &&
	$DOCKER image inspect -f "{{json .RepoDigests}}" "$id" | grep -qF "\"$ref\"" &&
	test "$($DOCKER exec "$C" cat /root/notes.txt /root/fourth.txt)" = "first notes
four"
'

test_expect_success 'resume with refused credentials: one line naming the registry' '
	id=$(image_id_of 4) &&
	$DOCKER rm -f "$C" >/dev/null &&
	$DOCKER rmi -f "$id" >/dev/null &&
	DOCKER_CONFIG=$TEST_DIR/dc-wrong expect_code 1 keep resume -d "$C" >out 2>err &&
	cat err &&
	test "$(wc -l <err)" = 1 &&
	expect_grep "registry $REG refused the credentials" err &&
	! $DOCKER image inspect "$id" >/dev/null 2>&1
'

test_expect_success 'resume refuses a pulled image that is not the snapshot'"'"'s' '
	id=$(image_id_of 4) &&
	other=sha256:$(printf %064d 7) &&
	# the catalog says another image: what the registry sends must not pass
	sqlite3 "$KEEP_HOME/catalog.db" "UPDATE snapshots SET image_id = '"'"'$other'"'"'
		WHERE seq = 4 AND container = (SELECT id FROM containers WHERE name = '"'"'$C'"'"')" &&
	expect_code 1 keep resume -d "$C" >out 2>err &&
	cat err &&
	expect_grep "is image ${id:7:12}, not 000000000000, the image of snapshot #4" err &&
	! $DOCKER container inspect "$C" >/dev/null 2>&1
'

test_done
