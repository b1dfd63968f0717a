#!/usr/bin/env bash
# Recipe history: every save is a commit in a normal git repository, and
# keep log / diff / push read and share it.
. "$(dirname "$0")/lib.sh"
need_base_image

R="$KEEP_HOME/recipes"
git config --global user.name "Test User"
git config --global user.email "test@example.invalid"

test_expect_success 'setup: a container with a secret in its env' '
	run_container hist --network host -e API_TOKEN=tok-9f8e7d6c -e HTTPS_PROXY=http://u:pw-5a4b3c@127.0.0.1:3128 "$KEEP_TEST_BASE" sleep infinity >/dev/null
'
C=$PREFIX-hist

test_expect_success 'the first save creates the repository and commits NAME/' '
	keep save "$C" >out &&
	test -d "$R/.git" &&
	test "$(git -C "$R" log --format=%s)" = "keep: save $C #1" &&
	for f in Dockerfile keep.lock container.json .dockerignore; do
		git -C "$R" cat-file -e "HEAD:$C/$f" || exit 1
	done &&
	test -z "$(git -C "$R" status --porcelain)" &&
	test "$(git -C "$R" log -1 --format=%an)" = "Test User"
'

test_expect_success 'keep.lock lists every package of the snapshot, sorted' '
	git -C "$R" show "HEAD:$C/keep.lock" >lock &&
	expect_grep "^dpkg bash [^ ]* amd64 manual$" lock &&
	test "$(grep -vc "^#" lock)" -ge 80 &&
	grep -v "^#" lock >body && sort -c body
'

test_expect_success 'a package installed between two saves: second commit names it' '
	quietly $DOCKER exec "$C" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	keep save -m "add jq" "$C" >out &&
	test "$(git -C "$R" rev-list --count HEAD -- "$C")" = 2 &&
	git -C "$R" log -1 --format=%B >msg &&
	expect_grep "^keep: save $C #2$" msg &&
	expect_grep "^add jq$" msg &&
	expect_grep "^+dpkg jq 1\.6" msg &&
	expect_grep "^+dpkg libjq1 " msg &&
	git -C "$R" show "HEAD:$C/keep.lock" | grep -q "^dpkg jq .* manual$" &&
	git -C "$R" show "HEAD:$C/keep.lock" | grep -q "^dpkg libjq1 .* auto$" &&
	test -z "$(git -C "$R" status --porcelain)"
'

test_expect_success 'the commit id is stored with the snapshot' '
	keep show --json "$C" >show.json &&
	test "$(jq -r .recipe_commit show.json)" = "$(git -C "$R" rev-parse HEAD)"
'

test_expect_success 'the Dockerfile in the repository is what to-dockerfile prints' '
	keep to-dockerfile "$C" >df 2>/dev/null &&
	git -C "$R" show "HEAD:$C/Dockerfile" >committed &&
	expect_grep "^FROM " df &&
	cmp df committed
'

test_expect_success 'no secret value ever reaches the recipe history' '
	git -C "$R" log -p --all >history &&
	expect_grep "API_TOKEN" history &&
	expect_no_grep "tok-9f8e7d6c" history &&
	expect_no_grep "pw-5a4b3c" history
'

test_expect_success 'keep log lists the snapshots newest first, with commit ids' '
	keep log "$C" >out &&
	test "$(wc -l <out)" = 2 &&
	head -1 out | grep -q "^#2 .*$(git -C "$R" rev-parse --short=10 HEAD).*+3 dpkg.*add jq" &&
	keep log --json "$C" >log.json &&
	test "$(jq -r ".[0].seq" log.json)" = 2 &&
	test "$(jq -r ".[1].commit" log.json)" = "$(git -C "$R" rev-parse HEAD~1)"
'

test_expect_success 'keep diff NAME 1 2 shows the package and the Dockerfile change' '
	keep diff "$C" 1 2 >out &&
	expect_grep "^  +dpkg jq " out &&
	expect_grep "^+		jq=" out &&
	keep diff --json "$C" >diff.json &&
	test "$(jq -r ".from, .to" diff.json | tr "\n" " ")" = "1 2 " &&
	jq -e ".packages | index(\"+dpkg jq $($DOCKER exec "$C" dpkg-query -W -f="\${Version}" jq)\")" diff.json >/dev/null &&
	expect_code 1 keep diff "$C" 1 7 2>err &&
	expect_grep "no snapshot #7" err
'

test_expect_success 'keep push to a bare repository: the same commits there' '
	git init -q --bare "$TEST_DIR/shared.git" &&
	git -C "$R" remote add origin "$TEST_DIR/shared.git" &&
	keep push 2>err &&
	test "$(git --git-dir="$TEST_DIR/shared.git" log --format=%H)" = "$(git -C "$R" log --format=%H)" &&
	expect_code 1 keep push nosuch 2>err &&
	expect_grep "nosuch" err
'

test_expect_success 'a repository with the user'"'"'s own commits and edits: keep commits on top, leaves them' '
	echo "# notes" >"$R/NOTES.md" && git -C "$R" add NOTES.md && git -C "$R" commit -qm "my notes" &&
	echo "draft" >"$R/draft.txt" &&
	$DOCKER exec "$C" sh -c "echo 1 >/etc/extra.conf" &&
	keep save "$C" >/dev/null &&
	test "$(git -C "$R" log -2 --format=%s | tail -1)" = "my notes" &&
	test "$(git -C "$R" status --porcelain)" = "?? draft.txt"
'

test_expect_success 'uncommitted edits under NAME/: save is recorded, recipe refused, repaired later' '
	echo "# mine" >>"$R/$C/Dockerfile" &&
	$DOCKER exec "$C" sh -c "echo 2 >/etc/extra2.conf" &&
	expect_code 1 keep save "$C" >out 2>err &&
	expect_grep "#4" err && expect_grep "uncommitted" err &&
	keep show --json "$C" >show.json &&
	test "$(jq -r .seq show.json)" = 4 &&
	test "$(jq -r .recipe_commit show.json)" = null &&
	git -C "$R" checkout -q -- "$C/Dockerfile" &&
	keep save "$C" >out 2>err &&
	expect_grep "unchanged since #4" out &&
	expect_grep "earlier save" err &&
	test "$(git -C "$R" log -1 --format=%s)" = "keep: save $C #4" &&
	keep show --json "$C" >show.json &&
	test "$(jq -r .recipe_commit show.json)" = "$(git -C "$R" rev-parse HEAD)"
'

test_expect_success 'keep doctor commits a recipe a save could not' '
	echo "# mine" >>"$R/$C/Dockerfile" &&
	$DOCKER exec "$C" sh -c "echo 3 >/etc/extra3.conf" &&
	expect_code 1 keep save "$C" >/dev/null 2>&1 &&
	git -C "$R" checkout -q -- "$C/Dockerfile" &&
	keep doctor >out &&
	expect_grep "^repaired: *committed the recipe of .$C. #5" out &&
	test "$(git -C "$R" log -1 --format=%s)" = "keep: save $C #5" &&
	keep doctor >out &&
	expect_no_grep "^repaired:" out
'

test_expect_success '--recipes DIR and KEEP_RECIPES choose another repository' '
	c=$(run_container other --network none "$KEEP_TEST_BASE" sleep infinity) &&
	keep --recipes "$TEST_DIR/project/docker" save "$c" >/dev/null &&
	git -C "$TEST_DIR/project/docker" cat-file -e "HEAD:$c/Dockerfile" &&
	$DOCKER exec "$c" sh -c "echo 1 >/etc/x.conf" &&
	KEEP_RECIPES="$TEST_DIR/env-recipes" keep save "$c" >/dev/null &&
	git -C "$TEST_DIR/env-recipes" cat-file -e "HEAD:$c/Dockerfile"
'

test_done
