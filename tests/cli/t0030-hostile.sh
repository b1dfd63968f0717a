#!/usr/bin/env bash
# Everything keep reads from a container is hostile: package databases, env
# values, file names. A save of such a container succeeds, names what it
# refused, and nothing it writes (output, recipe repo, Dockerfile) carries an
# injected instruction or a secret value.
. "$(dirname "$0")/lib.sh"
need_base_image

NL='
'
# Secret values: each must stay in the catalog only.
TOKEN=tok-8f3a9c1e77d2
PASSWORD=pw-b7e4419a0c55
PROXYPASS=px-55c0ffee2b9d
URLPASS=up-a1b2c3d4e5f6
HOSTPASS=hp-9d8c7b6a5f4e
# Secrets outside a URL's user information or a secret-named variable.
BAREPASS=bp-0f1e2d3c4b5a
DSNPASS=dp-6a7b8c9d0e1f
CMDPASS=cp-1234fedcba98
PAIRPASS=pp-abcdef012345
LABELPASS=lp-5566778899aa
LABELKEY=lk-bbccddeeff00
NAMEPASS=np-0a1b2c3d4e5f
SECRETS="$TOKEN|$PASSWORD|$PROXYPASS|$URLPASS|$HOSTPASS|$BAREPASS|$DSNPASS|$CMDPASS|$PAIRPASS|$LABELPASS|$LABELKEY|$NAMEPASS"

test_expect_success 'setup: a container with a hostile dpkg stanza, env and file names' '
	c=$(run_container evil --network none \
		-e "API_TOKEN=$TOKEN" \
		-e "DB_PASSWORD=$PASSWORD" \
		-e "HTTPS_PROXY=http://alice:$PROXYPASS@127.0.0.1:3128" \
		-e "PIP_INDEX_URL=https://bob:$URLPASS@pypi.example.invalid/simple" \
		-e "INNOCENT=one${NL}RUN touch /pwned" \
		-e "QUOTED=a\"b\\c\$(touch /pwned)\`id\`" \
		-e "http_proxy=carol:$BAREPASS@proxy.example.invalid:3128" \
		-e "DSN=app:$DSNPASS@tcp(db:3306)/shop" \
		-e "DB_PASS=$NAMEPASS" -e "MYSQL_PWD=$NAMEPASS" -e "OPENAI_APIKEY=$NAMEPASS" \
		-e "JAVA_OPTS=-Xmx1g -Djavax.net.ssl.keyStorePassword=$NAMEPASS" \
		--label "db.url=mysql://root:$LABELPASS@db/x" --label "com.example.api-key=$LABELKEY" \
		"$KEEP_TEST_BASE" sh -c "sleep infinity" "postgres://admin:$CMDPASS@db/x" --password "$PAIRPASS") &&
	$DOCKER exec "$c" sh -c "printf \"\\nPackage: evil;touch\\\${IFS}/pwned\\nStatus: install ok installed\\nPriority: optional\\nArchitecture: amd64\\nVersion: 1.0 && touch /pwned\\nDescription: evil\\n\" >>/var/lib/dpkg/status" &&
	$DOCKER exec "$c" grep -q "^Package: evil;touch\${IFS}/pwned$" /var/lib/dpkg/status &&
	$DOCKER exec "$c" mkdir -p /opt/h &&
	$DOCKER exec "$c" touch "/opt/h/new${NL}RUN touch pwned" "/opt/h/\$(touch pwned)" \
		"/opt/h/\`touch pwned\`" "/opt/h/tab\there" /opt/h/plain.txt &&
	test "$($DOCKER exec "$c" ls /opt/h | wc -l)" -ge 3
'
C=$PREFIX-evil

# Does FILE hold a line that starts a Dockerfile instruction keep does not
# write, or a line running /pwned?
no_injection() {
	expect_no_grep "^RUN touch" "$1" &&
	expect_no_grep "^[[:space:]]*RUN touch /pwned" "$1"
}

no_secret() {
	if grep -E -q -e "$SECRETS" "$1"; then
		echo "secret value leaked into $1:"
		grep -n -E -e "$SECRETS" "$1" | sed 's/^/  | /'
		return 1
	fi
}

test_expect_success 'save succeeds and warns about the refused package, env value and file names' '
	keep save "$C" >out 2>err &&
	expect_grep "^saved $C #1" out &&
	expect_grep "refused dpkg package .evil;touch" err &&
	expect_grep "refused environment variable .INNOCENT" err &&
	expect_grep "skipped file ./opt/h/new" err &&
	no_secret out && no_secret err &&
	keep save --json "$C" >out.json 2>err.json &&
	no_secret out.json && no_secret err.json
'

test_expect_success 'the catalog keeps the secret values (for resume), mode 0600' '
	test "$(stat -c %a "$KEEP_HOME/catalog.db")" = 600 &&
	sqlite3 "$KEEP_HOME/catalog.db" .dump >dump &&
	grep -q "$TOKEN" dump
'

test_expect_success 'show, log, ls, diff: no injected line, no secret, in text and JSON' '
	keep show "$C" >o1 2>&1 && keep show --json "$C" >o2 2>&1 &&
	keep log "$C" >o3 2>&1 && keep log --json "$C" >o4 2>&1 &&
	keep ls >o5 2>&1 && keep ls --json >o6 2>&1 &&
	for f in o1 o2 o3 o4 o5 o6; do no_injection $f && no_secret $f || exit 1; done &&
	expect_no_grep "^Package: evil" o1 &&
	test "$(jq -r "[.packages[] | select(.name | test(\"evil\"))] | length" o2)" = 0
'

test_expect_success 'the recipe repository: no injected instruction, no secret anywhere in its history' '
	R=$KEEP_HOME/recipes &&
	no_injection "$R/$C/Dockerfile" &&
	git -C "$R" log -p --all >history &&
	no_secret history &&
	cat "$R/$C/keep.lock" "$R/$C/container.json" >files &&
	no_secret files &&
	expect_no_grep "evil;touch" "$R/$C/keep.lock"
'

test_expect_success 'to-dockerfile: no injected line, no secret; the recipe builds and runs nothing injected' '
	keep help to-dockerfile >/dev/null &&
	keep to-dockerfile --context ctx "$C" >tdf.out 2>tdf.err &&
	no_injection ctx/Dockerfile && no_secret ctx/Dockerfile &&
	no_secret tdf.out && no_secret tdf.err &&
	keep to-dockerfile "$C" >Dockerfile.stdout 2>/dev/null &&
	no_injection Dockerfile.stdout &&
	keep to-dockerfile --compose "$C" >compose.out 2>compose.err &&
	no_secret compose.out && no_secret compose.err &&
	expect_grep "^# Left out CMD: it holds a secret" Dockerfile.stdout &&
	expect_no_grep "^CMD" Dockerfile.stdout &&
	for v in DB_PASS MYSQL_PWD OPENAI_APIKEY DSN JAVA_OPTS; do
		expect_no_grep "^ENV $v=" Dockerfile.stdout || exit 1
	done &&
	img=keep-test/$PREFIX-evil-rebuilt && track_image "$img" &&
	if ! DOCKER_BUILDKIT=0 $DOCKER build -q --network host -t "$img" ctx >build.out 2>&1; then
		cat build.out; exit 1
	fi &&
	$DOCKER run --rm --network none "$img" sh -c "test ! -e /pwned && test ! -e /opt/h/pwned && ! find / -xdev -name pwned | grep -q ." &&
	test "$($DOCKER run --rm --network none "$img" printenv QUOTED)" = "a\"b\\c\$(touch /pwned)\`id\`" &&
	test "$($DOCKER run --rm --network none "$img" printenv API_TOKEN)" = ""
'

test_expect_success 'a second snapshot and diff: still nothing leaks' '
	$DOCKER exec "$C" sh -c "echo w >/opt/h/second" &&
	keep save "$C" >out 2>err && no_secret out && no_secret err &&
	keep diff "$C" >d1 2>&1 && keep diff --json "$C" >d2 2>&1 &&
	no_injection d1 && no_secret d1 && no_secret d2
'

test_expect_success 'error messages never echo a secret' '
	expect_code 1 keep show --at 99 "$C" >o 2>e &&
	no_secret o && no_secret e &&
	keep doctor >o 2>e && no_secret o && no_secret e
'

# nothing_in FILE: FILE is empty, else show it.
nothing_in() {
	if test -s "$1"; then
		echo "expected nothing in $1:"
		sed 's/^/  | /' "$1"
		return 1
	fi
}

test_expect_success 'show prints no terminal escape: compose labels, user, workdir, mount paths (C0 and C1)' '
	ESC=$(printf "\033") && CSI=$(printf "\302\233") &&
	mkdir -p "host${ESC}[31m" &&
	c=$PREFIX-esc && track_container "$c" &&
	$DOCKER create --name "$c" --network none -u "0${ESC}[33m" -w "/tmp/w${ESC}[32m" \
		--label "com.docker.compose.project=p${ESC}]0;owned${ESC}\\" \
		--label "com.docker.compose.service=s${CSI}2J" \
		-v "$PWD/host${ESC}[31m:/mnt/d${ESC}[34m" --tmpfs "/t${CSI}1m" \
		"$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	keep save "$c" >save.out 2>save.err &&
	keep show "$c" >show.out 2>show.err &&
	keep ls >ls.out 2>ls.err &&
	for f in save.out save.err show.out show.err ls.out ls.err; do
		if LC_ALL=C grep -q "[$ESC]" $f || LC_ALL=C grep -q "$CSI" $f; then
			echo "terminal escape in $f:"; cat -v $f; exit 1
		fi
	done &&
	expect_grep "compose: *project p.x1b]0;owned.x1b" show.out &&
	expect_grep "user: *0.x1b\[33m" show.out &&
	expect_grep "workdir: */tmp/w.x1b\[32m" show.out &&
	expect_grep "/mnt/d.x1b\[34m" show.out &&
	expect_grep "/t.xc2.x9b1m" show.out
'

test_expect_success 'to-dockerfile --context: no setuid bit, foreign owner or open directory on the host; the image gets them' '
	c=$(run_container suid --network none -e "HTTPS_PROXY=http://alice:$PROXYPASS@127.0.0.1:3128" \
		"$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "mkdir -p /srv/pub /srv/open &&
		cp /bin/sh /srv/rootsh && chmod 6755 /srv/rootsh &&
		cp /bin/true /srv/usersh && chown 1234:2345 /srv/usersh && chmod 4750 /srv/usersh &&
		echo data >/srv/pub/f && chown 1234:2345 /srv/pub/f && chmod 0664 /srv/pub/f &&
		chmod 1777 /srv/pub && chmod 0777 /srv/open && echo o >/srv/open/g" &&
	quietly keep save "$c" &&
	keep to-dockerfile --context sctx "$c" >/dev/null 2>sctx.err &&
	test -x sctx/files/srv/rootsh && test -f sctx/files/srv/pub/f &&
	find sctx -perm /7000 >special && nothing_in special &&
	find sctx ! -user "$(id -u)" >foreign && nothing_in foreign &&
	find sctx ! -group "$(id -g)" >foreign && nothing_in foreign &&
	find sctx/files -perm /022 >writable && nothing_in writable &&
	test "$(stat -c %a sctx/files/srv/rootsh sctx/files/srv/usersh sctx/files/srv/pub/f sctx/files/srv/pub sctx/files/srv/open | tr "\n" " ")" = "755 755 644 700 700 " &&
	img=keep-test/$PREFIX-suid-rebuilt && track_image "$img" &&
	if ! DOCKER_BUILDKIT=0 $DOCKER build -q --network none -t "$img" sctx >build.out 2>&1; then
		cat build.out; exit 1
	fi &&
	$DOCKER run --rm --network none "$img" stat -c "%n %a %u:%g" /srv/rootsh /srv/usersh /srv/pub /srv/pub/f /srv/open /srv/open/g >modes &&
	printf "%s\n" "/srv/rootsh 6755 0:0" "/srv/usersh 4750 1234:2345" "/srv/pub 1777 0:0" \
		"/srv/pub/f 664 1234:2345" "/srv/open 777 0:0" "/srv/open/g 644 0:0" >want &&
	diff -u want modes
'

test_expect_success 'verify --keep-image with proxy credentials on both sides: none in the image or its history' '
	img=keep-test/$PREFIX-suid-verified && track_image "$img" &&
	{ HTTP_PROXY=http://bob:$HOSTPASS@127.0.0.1:9 HTTPS_PROXY=http://bob:$HOSTPASS@127.0.0.1:9 \
	  no_proxy=bob:$HOSTPASS@nowhere.invalid \
	  keep verify --keep-image "$img" "$PREFIX-suid" >out 2>err || { cat out err; false; }; } &&
	expect_grep "identical" out && no_secret out && no_secret err &&
	$DOCKER history --no-trunc --format "{{.CreatedBy}}" "$img" >history &&
	expect_grep "chmod" history &&
	no_secret history && expect_no_grep "PROXY=" history &&
	$DOCKER image inspect "$img" >inspect.json &&
	no_secret inspect.json
'

test_expect_success 'a container that sets overlay markers on its own files (user.overlay.*) deletes nothing' '
	c=$(run_container fakeopq --network host "$KEEP_TEST_BASE" sleep infinity) &&
	quietly $DOCKER exec "$c" sh -c "apt-get update -qq && apt-get install -y -qq --no-install-recommends attr" &&
	$DOCKER exec "$c" sh -c "mkdir -p /srv/moved-a-long-way && setfattr -n user.overlay.opaque -v y /usr &&
		setfattr -n user.overlay.redirect -v /usr/share/doc/elsewhere /srv/moved-a-long-way" &&
	keep save "$c" >/dev/null &&
	keep show --json "$c" >show.opq &&
	test "$(jq -r "[.files[] | select(.kind == \"deleted\") | .path] | join(\" \")" show.opq)" = "" &&
	test "$(jq -r "[.files[].path] | join(\" \")" show.opq)" = "/srv/moved-a-long-way" &&
	keep to-dockerfile "$c" >Dockerfile.opq &&
	expect_grep "attr=" Dockerfile.opq &&
	expect_no_grep "rm -rf -- /usr" Dockerfile.opq
'

# Through the engine, a save stamps scattered loose files with one stat run
# in the container: a stat there that lies or hangs must not hide an edit.
test_expect_success 'a stat in the container that lies or hangs: saves through the engine still see each edit' '
	c=$(run_container liar --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "mkdir -p /opt/a /srv/b /home/u &&
	    echo 1 >/opt/a/x && echo 2 >/srv/b/y && echo 3 >/home/u/z && echo 4 >/root/w &&
	    printf \"#!/bin/sh\necho 0 81a4 0\n\" >/usr/local/bin/stat && chmod 755 /usr/local/bin/stat" &&
	KEEP_CHANGES=engine keep save "$c" >out &&
	expect_grep "^saved $c #1 " out &&
	$DOCKER exec "$c" sh -c "echo 9 >/srv/b/y" &&
	KEEP_CHANGES=engine keep save "$c" >out &&
	expect_grep "^saved $c #2 " out &&
	KEEP_CHANGES=engine keep save "$c" >out &&
	expect_grep "unchanged since #2" out &&
	$DOCKER exec "$c" sh -c "printf \"#!/bin/sh\nexec sleep 600\n\" >/usr/local/bin/stat" &&
	KEEP_CHANGES=engine keep save "$c" >out &&
	expect_grep "^saved $c #3 " out &&
	: "the hanging stat is killed in the container, not left running" &&
	for _ in $(seq 1 30); do
		$DOCKER exec "$c" sh -c "cat /proc/[0-9]*/cmdline | tr \"\\\\0\" \" \"" >ps.out 2>/dev/null
		grep -q "sleep 600" ps.out || break
		sleep 0.2
	done &&
	expect_no_grep "sleep 600" ps.out &&
	$DOCKER exec "$c" sh -c "touch -d 2001-01-01 /opt/a/x" &&
	KEEP_CHANGES=engine keep save "$c" >out &&
	expect_grep "^saved $c #4 " out
'

# busybox's stat takes %.9Y as %Y: the run then tells whole seconds, and
# a save through the engine compares those, as before.
test_expect_success 'a stat without nanoseconds (as busybox): saves through the engine see each edit' '
	c=$(run_container secs --network none "$KEEP_TEST_BASE" sleep infinity) &&
	printf "%s\n" "#!/bin/sh" "case \"\$2\" in *.9*) exec /usr/bin/stat -c \"%Y %Z\" \"\$3\";; esac" \
		"exec /usr/bin/stat \"\$@\"" >busystat &&
	$DOCKER cp busystat "$c:/usr/local/bin/stat" &&
	$DOCKER exec "$c" sh -c "chmod 755 /usr/local/bin/stat && mkdir -p /opt/a /srv/b &&
	    echo 1 >/opt/a/x && echo 2 >/srv/b/y && echo 3 >/root/w" &&
	$DOCKER exec "$c" stat -c "%.9Y %.9Z" / >probe.out &&
	expect_no_grep "\\." probe.out &&
	KEEP_CHANGES=engine keep save "$c" >out &&
	expect_grep "^saved $c #1 " out &&
	KEEP_CHANGES=engine keep save "$c" >out &&
	expect_grep "unchanged since #1" out &&
	$DOCKER exec "$c" sh -c "echo 9 >/srv/b/y" &&
	KEEP_CHANGES=engine keep save "$c" >out &&
	expect_grep "^saved $c #2 " out
'

test_expect_success 'a label with an escaped NUL (API-made container) neither breaks ls nor save' '
	name=$PREFIX-nul && track_container "$name" &&
	curl -sf --unix-socket /var/run/docker.sock -H "Content-Type: application/json" \
		-d "{\"Image\":\"$KEEP_TEST_BASE\",\"Cmd\":[\"sleep\",\"infinity\"],\"Labels\":{\"note\":\"a\\u0000b\",\"k\\u0000\":\"v\"},\"HostConfig\":{\"NetworkMode\":\"none\"}}" \
		"http://localhost/containers/create?name=$name" >/dev/null &&
	$DOCKER start "$name" >/dev/null &&
	keep ls >ls.out 2>&1 &&
	keep save "$name" >/dev/null &&
	keep show --json "$name" >nul.json &&
	test "$(jq -r ".labels.note" nul.json)" = "a$(printf "\357\277\275")b"
'

# The bound is the same code at any KEEP_MEMORY_LIMIT (the 1024 MiB default
# is test_util's): 128 MiB and 2 MB RECORDs, an eighth of the CPU time.
test_expect_success 'four 2 MB pip RECORDs stop save at a 128 MiB bound, in one clear line' '
	c=$(run_container records --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "for i in 1 2 3 4; do
		d=/usr/local/lib/python3.11/site-packages/big\$i-1.0.dist-info && mkdir -p \$d &&
		printf \"Name: big\$i\\nVersion: 1.0\\n\" >\$d/METADATA &&
		yes a | head -c 2000000 >\$d/RECORD || exit 1; done" &&
	quietly keep ls &&
	before=$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM snapshots") &&
	: "ASan holds freed memory back (a 256 MiB quarantine): not keep.s" &&
	KEEP_MEMORY_LIMIT=128 ASAN_OPTIONS="$ASAN_OPTIONS:quarantine_size_mb=0" \
		expect_code 1 /usr/bin/time -f %M -o rss "$KEEP_BIN" save "$c" >out 2>err &&
	test "$(wc -l <err)" = 1 &&
	expect_grep "^keep: .*RECORD.* takes more than 128 MiB .*KEEP_MEMORY_LIMIT=128" err &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM snapshots")" = "$before" &&
	echo "peak RSS $(($(tail -n 1 rss) / 1024)) MiB" &&
	test "$(tail -n 1 rss)" -lt $((160 * 1024)) &&
	KEEP_MEMORY_LIMIT=lots expect_code 2 keep save "$c" 2>err &&
	expect_grep "KEEP_MEMORY_LIMIT=.lots.: use a number of MiB" err
'

test_expect_success 'the build context of a snapshot is bounded as a whole, not per file' '
	c=$(run_container bigfiles --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "mkdir -p /data1 /data2 && head -c 3000000 /dev/zero >/data1/x && head -c 3000000 /dev/zero >/data2/y" &&
	quietly keep save "$c" &&
	KEEP_MEMORY_LIMIT=5 expect_code 1 keep to-dockerfile --context bctx "$c" >out 2>err &&
	test "$(wc -l <err)" = 1 &&
	expect_grep "^keep: .*keeping the build context.s ./data2/y. takes more than 5 MiB .*KEEP_MEMORY_LIMIT=5" err &&
	KEEP_MEMORY_LIMIT=7 keep to-dockerfile --context bctx2 "$c" >/dev/null 2>err &&
	test "$(stat -c %s bctx2/files/data1/x bctx2/files/data2/y | tr "\n" " ")" = "3000000 3000000 "
'

test_expect_success 'a 70 MB dpkg status is refused in one clear line; the catalog is unchanged' '
	c=$(run_container bigdb --network none "$KEEP_TEST_BASE" sleep infinity) &&
	$DOCKER exec "$c" sh -c "yes \" continued description line\" | head -c 70000000 >>/var/lib/dpkg/status" &&
	before=$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM snapshots") &&
	expect_code 1 keep save "$c" >out 2>err &&
	test "$(wc -l <err)" = 1 &&
	expect_grep "^keep: .*/var/lib/dpkg/status" err &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM snapshots")" = "$before" &&
	test "$(sqlite3 "$KEEP_HOME/catalog.db" "SELECT count(*) FROM pending_saves")" = 0
'

test_done
