#!/usr/bin/env bash
# Engines other than the default socket: a TLS endpoint on 127.0.0.1 (socat
# with certificates made here, in front of the same engine), docker
# contexts, and a catalog that keeps snapshots apart per engine endpoint.
. "$(dirname "$0")/lib.sh"
need_base_image

need_tool openssl socat

SOCKET=/var/run/docker.sock
case "${DOCKER_HOST:-}" in unix://*) SOCKET=${DOCKER_HOST#unix://};; esac
CERTS="$TEST_DIR/certs"
mkdir -p "$CERTS"/{good,wrongca,wrongclient,nocert,noca}
SOCAT_PID=

stop_proxy() {
	[ -n "$SOCAT_PID" ] && kill "$SOCAT_PID" 2>/dev/null
	cleanup
}
trap stop_proxy EXIT

# make_ca DIR CN: a self-signed CA as DIR/ca.pem + DIR/ca-key.pem.
make_ca() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
		-keyout "$1/ca-key.pem" -out "$1/ca.pem" 2>/dev/null
}
# make_cert CADIR OUT_PREFIX CN EXT: a certificate signed by CADIR's CA.
make_cert() {
	local ext="$TEST_DIR/ext.$$"
	printf '%s\n' "$4" >"$ext"
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$3" \
		-keyout "$2-key.pem" -out "$2.csr" 2>/dev/null &&
	openssl x509 -req -days 2 -in "$2.csr" -CA "$1/ca.pem" -CAkey "$1/ca-key.pem" \
		-CAcreateserial -extfile "$ext" -out "$2-cert.pem" 2>/dev/null
}

# The keep client's DOCKER_CERT_PATH folders: ca.pem, cert.pem, key.pem.
setup_certs() {
	make_ca "$CERTS" "keep test CA" &&
	make_cert "$CERTS" "$CERTS/server" 127.0.0.1 \
		"subjectAltName=IP:127.0.0.1,DNS:localhost
extendedKeyUsage=serverAuth" &&
	make_cert "$CERTS" "$CERTS/client" client "extendedKeyUsage=clientAuth" &&
	cp "$CERTS/ca.pem" "$CERTS/good/ca.pem" &&
	cp "$CERTS/client-cert.pem" "$CERTS/good/cert.pem" &&
	cp "$CERTS/client-key.pem" "$CERTS/good/key.pem" &&
	make_ca "$CERTS/wrongca" "another CA" &&
	cp "$CERTS/good/cert.pem" "$CERTS/good/key.pem" "$CERTS/wrongca/" &&
	make_cert "$CERTS/wrongca" "$CERTS/wrongca/client" client "extendedKeyUsage=clientAuth" &&
	cp "$CERTS/ca.pem" "$CERTS/wrongclient/ca.pem" &&
	cp "$CERTS/wrongca/client-cert.pem" "$CERTS/wrongclient/cert.pem" &&
	cp "$CERTS/wrongca/client-key.pem" "$CERTS/wrongclient/key.pem" &&
	cp "$CERTS/ca.pem" "$CERTS/nocert/ca.pem" &&
	cp "$CERTS/good/cert.pem" "$CERTS/good/key.pem" "$CERTS/noca/"
}

# A TLS endpoint on a free 127.0.0.1 port that demands a client certificate
# from our CA and forwards to the engine's socket. Sets PORT and SOCAT_PID.
start_proxy() {
	local try
	for try in 1 2 3 4 5 6 7 8; do
		PORT=$((20000 + RANDOM % 30000))
		socat "OPENSSL-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork,cert=$CERTS/server-cert.pem,key=$CERTS/server-key.pem,cafile=$CERTS/ca.pem,verify=1" \
			"UNIX-CONNECT:$SOCKET" 2>"$TEST_DIR/socat.log" &
		SOCAT_PID=$!
		for _ in $(seq 1 20); do
			kill -0 "$SOCAT_PID" 2>/dev/null || break
			if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
				return 0
			fi
			sleep 0.1
		done
		kill "$SOCAT_PID" 2>/dev/null
		SOCAT_PID=
	done
	echo "could not start socat on a free port:"
	cat "$TEST_DIR/socat.log"
	return 1
}

if ! setup_certs || ! start_proxy; then
	echo "Bail out! cannot set up the TLS endpoint"
	exit 1
fi
TLS_HOST="tcp://127.0.0.1:$PORT"
DEFAULT_HOST="unix://$SOCKET"
# keep through the TLS endpoint with the certificates of folder $1.
ktls() {
	local dir=$1; shift
	DOCKER_HOST=$TLS_HOST DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$CERTS/$dir" "$KEEP_BIN" "$@"
}

C=$(run_container one --network none "$KEEP_TEST_BASE" sleep infinity)
$DOCKER exec "$C" sh -c "echo tls > /etc/tls.conf"

test_expect_success 'through the TLS endpoint, keep doctor works and names it' '
	ktls good doctor >out &&
	expect_grep "^engine: *$TLS_HOST (DOCKER_HOST)$" out &&
	expect_grep "^server: *Docker Engine" out &&
	expect_grep "^podman: *no" out &&
	expect_grep "^changes: *asked of the engine (the engine is not on a unix socket here)$" out
'

test_expect_success 'through the TLS endpoint, keep save works and files the snapshot under it' '
	ktls good save "$C" >out &&
	expect_grep "^saved $C #1 .*1 file" out &&
	ktls good show "$C" >out &&
	expect_grep "/etc/tls.conf" out &&
	expect_grep "^  engine: *$TLS_HOST$" out
'

test_expect_success '-H tcp://... with DOCKER_TLS_VERIFY works like DOCKER_HOST' '
	DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH="$CERTS/good" keep -H "$TLS_HOST" doctor >out &&
	expect_grep "^engine: *$TLS_HOST (-H)$" out
'

test_expect_success 'a server certificate from the wrong CA: exit 1 and one clear line' '
	expect_code 1 ktls wrongca doctor >out 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "^keep: TLS error .*$TLS_HOST.*certificate" err &&
	expect_code 1 ktls wrongca save "$C" 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "^keep: TLS error .*certificate" err
'

test_expect_success 'a client certificate the engine does not trust, or none: exit 1, one line saying so' '
	expect_code 1 ktls wrongclient save "$C" 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "refused keep.s client certificate" err &&
	expect_code 1 ktls nocert save "$C" 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "client certificate\|cert.pem" err
'

test_expect_success 'DOCKER_TLS_VERIFY without ca.pem: exit 1 naming the missing file' '
	expect_code 1 ktls noca save "$C" 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "$CERTS/noca/ca.pem" err
'

test_expect_success 'plain HTTP to the TLS port: exit 1, suggesting DOCKER_TLS_VERIFY' '
	DOCKER_HOST=$TLS_HOST expect_code 1 "$KEEP_BIN" save "$C" 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "DOCKER_TLS_VERIFY" err
'

test_expect_success 'the same container saved through two endpoints: two catalog rows, one per engine' '
	$DOCKER exec "$C" sh -c "echo more > /etc/more.conf" &&
	keep save "$C" >out &&
	expect_grep "^saved $C #1 " out &&
	keep ls --json >ls.json &&
	test "$(jq "[.[] | select(.name==\"$C\")] | length" ls.json)" = 2 &&
	test "$(jq -r "[.[] | select(.name==\"$C\") | .engine] | sort | join(\" \")" ls.json)" = "$TLS_HOST $DEFAULT_HOST" &&
	keep ls >out &&
	expect_grep "^$C .* $TLS_HOST$" out &&
	expect_grep "^$C .* $DEFAULT_HOST$" out
'

test_expect_success 'each engine shows its own snapshot of that name' '
	keep show "$C" >out &&
	expect_grep "/etc/more.conf" out &&
	ktls good show "$C" >out &&
	expect_no_grep "/etc/more.conf" out &&
	expect_grep "/etc/tls.conf" out
'

# Contexts live in a docker config folder of the test's own.
CFG="$TEST_DIR/dockercfg"
dctx() { DOCKER_CONFIG=$CFG $DOCKER context "$@" >/dev/null; }

test_expect_success 'a docker context: DOCKER_CONTEXT and --context show its endpoint and work' '
	dctx create kctx --docker "host=$DEFAULT_HOST" &&
	DOCKER_CONFIG=$CFG DOCKER_CONTEXT=kctx keep doctor >out &&
	expect_grep "^engine: *$DEFAULT_HOST (context .kctx.)$" out &&
	DOCKER_CONFIG=$CFG keep --context kctx doctor >out &&
	expect_grep "^engine: *$DEFAULT_HOST (context .kctx.)$" out &&
	DOCKER_CONFIG=$CFG keep --context kctx show "$C" >out &&
	expect_grep "/etc/more.conf" out
'

test_expect_success 'the current context of config.json (docker context use) is used' '
	dctx create ktls --docker "host=$TLS_HOST,ca=$CERTS/good/ca.pem,cert=$CERTS/good/cert.pem,key=$CERTS/good/key.pem" &&
	dctx use ktls &&
	DOCKER_CONFIG=$CFG keep doctor >out &&
	expect_grep "^engine: *$TLS_HOST (context .ktls.)$" out &&
	DOCKER_CONFIG=$CFG keep save "$C" >out &&
	expect_grep "^saved $C #2 " out &&
	DOCKER_CONFIG=$CFG DOCKER_HOST=$DEFAULT_HOST keep doctor >out &&
	expect_grep "^engine: *$DEFAULT_HOST (DOCKER_HOST)$" out
'

test_expect_success 'an unknown context is a one-line error' '
	DOCKER_CONFIG=$CFG expect_code 2 "$KEEP_BIN" --context nosuch doctor >out 2>err &&
	expect_grep "context .nosuch. not found" err
'

test_done
