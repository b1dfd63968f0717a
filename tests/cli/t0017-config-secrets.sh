#!/usr/bin/env bash
# Credentials in installer configuration: an npm token in /etc/npmrc, a
# password in pip.conf's index URL and apt's auth.conf.d never reach the
# recipe repository (any commit), to-dockerfile's output, a context's
# files or --json; the recipe mounts the file as a BuildKit build secret
# for the installs that read it, and keep warns.
. "$(dirname "$0")/lib.sh"
need_base_image
export DOCKER_BUILDKIT=0

TOKEN=npm_T0kenFAKE0123456789abcdef
PIPPW=s3cr3t-pip-pw
APTPW=s3cr3t-apt-pw
# Every secret of this test, for one grep.
SECRETS="$TOKEN|$PIPPW|$APTPW"

# BuildKit's client: Debian's docker 20.10 has it built in; a newer CLI
# needs the buildx plugin.
BK_DOCKER=$DOCKER
[ -x /usr/bin/docker ] && BK_DOCKER=/usr/bin/docker

test_expect_success 'setup: jq from the mirror, then a token, a pip password, an apt password' '
	c=$(run_container dev --network host "$KEEP_TEST_BASE" sleep infinity) &&
	quietly $DOCKER exec "$c" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends jq" &&
	$DOCKER exec "$c" sh -c "printf \"cafile=/etc/ssl/certs/ca-certificates.crt\n//npm.example.com/:_authToken=$TOKEN\n\" >/etc/npmrc &&
		printf \"[global]\nindex-url = https://alice:$PIPPW@pypi.example.com/simple\n\" >/etc/pip.conf &&
		mkdir -p /etc/apt/auth.conf.d &&
		printf \"machine deb.example.com login bob password $APTPW\n\" >/etc/apt/auth.conf.d/corp.conf &&
		chmod 600 /etc/apt/auth.conf.d/corp.conf" &&
	keep save "$c" >out 2>err &&
	expect_grep "^saved $c #1" out
'
C=$PREFIX-dev

test_expect_success 'save warns about each file that holds credentials, and prints none' '
	expect_grep "^keep: warning: .*/etc/npmrc. holds credentials" err &&
	expect_grep "^keep: warning: .*/etc/pip.conf. holds credentials" err &&
	expect_grep "^keep: warning: .*/etc/apt/auth.conf.d/corp.conf. holds credentials" err &&
	! grep -E "$SECRETS" out err
'

test_expect_success 'the recipe repository never holds them, in any commit' '
	git -C "$KEEP_HOME/recipes" log --all -p >history.txt &&
	test -s history.txt &&
	! grep -E "$SECRETS" history.txt &&
	! git -C "$KEEP_HOME/recipes" grep -E "$SECRETS" $(git -C "$KEEP_HOME/recipes" rev-list --all)
'

test_expect_success 'the committed recipe mounts apt auth as a build secret for apt' '
	df="$KEEP_HOME/recipes/$C/Dockerfile" &&
	expect_grep "^RUN --mount=type=secret,id=etc_apt_auth.conf.d_corp.conf,target=/etc/apt/auth.conf.d/corp.conf" "$df" &&
	expect_grep "DOCKER_BUILDKIT=1 docker build .*--secret id=etc_apt_auth.conf.d_corp.conf,src=FILE" "$df"
'

test_expect_success 'to-dockerfile, show --json and save --json carry no secret' '
	keep to-dockerfile "$C" >Dockerfile 2>err &&
	expect_grep "holds credentials" err &&
	keep show --json "$C" >show.json &&
	keep show "$C" >show.out &&
	keep save --json "$C" >save.json 2>/dev/null &&
	! grep -E "$SECRETS" Dockerfile err show.json show.out save.json &&
	test "$(jq -r ".files[] | select(.credentials) | .path" show.json | sort | tr "\n" " ")" = \
	    "/etc/apt/auth.conf.d/corp.conf /etc/npmrc /etc/pip.conf " &&
	expect_grep "/etc/npmrc  (holds credentials" show.out
'

test_expect_success 'to-dockerfile --context: the files hold *** where the credentials were' '
	keep to-dockerfile "$C" --context ctx >out 2>err &&
	! grep -rE "$SECRETS" ctx out err &&
	expect_grep "build with: DOCKER_BUILDKIT=1 docker build .*--secret" out &&
	expect_grep "^//npm.example.com/:_authToken=\*\*\*$" ctx/files/etc/npmrc &&
	expect_grep "^cafile=/etc/ssl/certs/ca-certificates.crt$" ctx/files/etc/npmrc &&
	expect_grep "^index-url = https://\*\*\*@pypi.example.com/simple$" ctx/files/etc/pip.conf &&
	expect_grep "password \*\*\*$" ctx/files/etc/apt/auth.conf.d/corp.conf &&
	expect_grep "^RUN --mount=type=secret,id=etc_apt_auth.conf.d_corp.conf" ctx/Dockerfile
'

test_expect_success 'BuildKit builds the context with the real file as the secret; the image has ***' '
	$DOCKER exec "$C" cat /etc/apt/auth.conf.d/corp.conf >corp.conf.real &&
	DOCKER_BUILDKIT=1 $BK_DOCKER build -q --network host \
	    --secret id=etc_apt_auth.conf.d_corp.conf,src=corp.conf.real \
	    -t "$PREFIX-bk:1" ctx >build.out 2>&1 || { cat build.out; false; } &&
	track_image "$PREFIX-bk:1" &&
	$DOCKER run --rm --network none "$PREFIX-bk:1" sh -c "jq --version; cat /etc/npmrc /etc/apt/auth.conf.d/corp.conf" >run.out &&
	expect_grep "^jq-1" run.out &&
	! grep -E "$SECRETS" run.out &&
	$DOCKER history --no-trunc "$PREFIX-bk:1" >history.out &&
	! grep -E "$SECRETS" history.out
'

test_expect_success 'verify builds through the engine (no mounts) and prints no secret' '
	{ keep verify "$C" >out 2>err || { cat out err; false; }; } &&
	expect_grep "identical" out &&
	! grep -E "$SECRETS" out err
'

test_done
