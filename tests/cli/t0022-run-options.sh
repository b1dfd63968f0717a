#!/usr/bin/env bash
# keep resume recreates the same container: every `docker run` option this
# machine can start, user networks with aliases and static addresses,
# containers whose namespaces it shared. Each container is saved, removed
# and resumed, and `docker inspect` before and after must agree field by
# field. What this machine cannot start (GPUs, a missing device, block IO
# throttles, real-time CPU) is checked on the request keep sends to the
# engine, and keep must refuse, in one line, to drop any of it silently.
#
# The networks are --internal and only there for their settings: no
# traffic goes over them.
. "$(dirname "$0")/lib.sh"
need_base_image

# Debian's CLI speaks the engine's API version (--mac-address needs it);
# a newer one on PATH asks for 1.44 for that option.
RUN_CLI=$DOCKER
[ -x /usr/bin/docker ] && RUN_CLI=/usr/bin/docker

NET="$PREFIX-net"
NET2="$PREFIX-net2"
SUB=10.231.$(($$ % 250)).0/24
IP=10.231.$(($$ % 250)).77
VOL="$PREFIX-vol"
track_volume "$VOL"
networks_down() {
	cleanup
	$DOCKER network rm "$NET" "$NET2" >/dev/null 2>&1
}
trap networks_down EXIT

# inspect_norm NAME: what docker inspect says the container was made with,
# as "path value" lines: Config, HostConfig, mounts and each network's
# endpoint, less what the engine makes anew for every container (ids,
# generated aliases, the image, keep's own labels).
inspect_norm() {
	$DOCKER inspect "$1" | jq -r '.[0] | {
		Config: (.Config | del(.Image)
		    | .Labels |= with_entries(select(.key | startswith("io.keep.") | not))),
		HostConfig,
		Mounts: (.Mounts | sort_by(.Destination)),
		Networks: (.NetworkSettings.Networks | map_values(del(.EndpointID)
		    | .Aliases |= (if . then map(select(test("^[0-9a-f]{12}$") | not)) else . end)))
	} | tostream | select(length == 2) | "\(.[0] | map(tostring) | join(".")) \(.[1] | tojson)"' |
		sort
}

# same_as_before NAME BEFORE: inspect NAME now and list every field that
# differs from the file BEFORE; fail when one does.
same_as_before() {
	inspect_norm "$1" >after.$1
	comm -3 "$2" after.$1 | sed 's/^[[:space:]]*//; s/ .*//' | sort -u >differ.$1
	if [ -s differ.$1 ]; then
		echo "fields that differ after the recreate of $1:"
		sed 's/^/  /' differ.$1
		diff "$2" after.$1 | head -40
		return 1
	fi
}

# create_body FILE: the JSON body of the last POST /containers/create in a
# raw dump of what keep sent.
create_body() {
	python3 - "$1" <<-'EOF'
	import sys
	raw = open(sys.argv[1], 'rb').read()
	at = raw.rfind(b'POST /v1.')
	while at >= 0 and b'/containers/create?name=' not in raw[at:at + 200]:
	    at = raw.rfind(b'POST /v1.', 0, at)
	head, _, rest = raw[at:].partition(b'\r\n\r\n')
	length = int([l.split(b':')[1] for l in head.split(b'\r\n')
	    if l.lower().startswith(b'content-length:')][0])
	sys.stdout.write(rest[:length].decode())
	EOF
}

# through_socat FILE CMD...: run CMD with keep talking to the engine through
# socat, which writes every byte keep sends to FILE.
through_socat() {
	local out=$1 sock="$TEST_DIR/trace.sock" pid rc=0
	shift
	rm -f "$sock" "$out"
	socat -r "$out" UNIX-LISTEN:"$sock",fork UNIX-CONNECT:/var/run/docker.sock &
	pid=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	DOCKER_HOST="unix://$sock" "$@" || rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return $rc
}

# set_latest_runtime NAME RUNTIME: make NAME's latest snapshot one saved on
# an engine that has RUNTIME (the nvidia runtime cannot run here).
set_latest_runtime() {
	sqlite3 "$KEEP_HOME/catalog.db" "UPDATE run_config SET value = '$2'
	    WHERE key = 'Runtime' AND snapshot = (SELECT s.id FROM snapshots s
	    JOIN containers c ON c.id = s.container WHERE c.name = '$1'
	    ORDER BY s.seq DESC LIMIT 1)"
}

test_expect_success 'setup: an internal network, a volume, and containers to share with' '
	$DOCKER network create --internal --subnet "$SUB" "$NET" >/dev/null &&
	$DOCKER network create --internal "$NET2" >/dev/null &&
	$DOCKER volume create "$VOL" >/dev/null &&
	run_container peer --network none --ipc shareable "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	run_container buddy --network "$NET" "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	printf "FROM_FILE=1\n" >env.list && printf "from.file=yes\n" >labels.list &&
	mkdir -p bind && echo hi >bind/hello
'

test_expect_success 'setup: a container with every docker run option this machine can start' '
	track_container "$PREFIX-every" &&
	$RUN_CLI run -d --name "$PREFIX-every" \
		--network "$NET" --network-alias db --network-alias "$PREFIX-db" \
		--ip "$IP" --link-local-ip 169.254.7.7 --link "$PREFIX-buddy:pal" \
		--mac-address 02:42:0a:e7:00:77 \
		--add-host host.docker.internal:host-gateway --add-host mirror:10.1.2.3 \
		--cap-add SYS_PTRACE --cap-drop MKNOD --cgroup-parent "/$PREFIX" \
		--cgroupns private --cidfile "$TEST_DIR/cid" \
		--cpu-period 100000 --cpu-quota 50000 --cpu-shares 512 \
		--cpuset-cpus 0 --cpuset-mems 0 --blkio-weight 300 \
		--device /dev/null:/dev/keepnull:rw --device-cgroup-rule "c 1:3 rmw" \
		--dns 10.0.0.2 --dns-option ndots:2 --dns-search example.org \
		--domainname example.org --entrypoint /bin/sh \
		-e MODE=dev -e API_TOKEN=s3cr3t --env-file env.list --expose 8080 \
		-p 127.0.0.1::8080 -P --group-add video \
		--health-cmd "true" --health-interval 30s --health-retries 3 \
		--health-start-period 5s --health-timeout 2s \
		-h devbox --init -i -t --ipc shareable --isolation default \
		--kernel-memory 64m -l team=ml --label-file labels.list \
		--log-driver json-file --log-opt max-size=10m --log-opt max-file=2 \
		-m 512m --memory-reservation 256m --memory-swap 1g --memory-swappiness 10 \
		--mount type=tmpfs,destination=/mt,tmpfs-size=1m \
		--mount "type=bind,source=$TEST_DIR/bind,target=/bound,readonly" \
		--oom-kill-disable --oom-score-adj 100 --pids-limit 200 --read-only \
		--restart unless-stopped --runtime runc \
		--security-opt seccomp=unconfined --security-opt no-new-privileges \
		--shm-size 256m --stop-signal SIGINT --stop-timeout 7 \
		--sysctl net.ipv4.ip_unprivileged_port_start=0 --tmpfs /scratch:size=8m \
		--ulimit nofile=1024:2048 --ulimit nproc=500 --ulimit memlock=1024 \
		-u 0:0 -v "$VOL:/data" -v "$TEST_DIR:/hosttmp:ro" \
		--volume-driver local --volumes-from "$PREFIX-peer" -w /tmp \
		"$KEEP_TEST_BASE" -c "sleep infinity" >/dev/null &&
	$DOCKER network connect --alias second --alias "$PREFIX-second" "$NET2" "$PREFIX-every" &&
	inspect_norm "$PREFIX-every" >before.every &&
	grep -q "^HostConfig.ShmSize 268435456$" before.every &&
	grep -q "^Networks.$NET.Aliases.0 \"db\"$" before.every
'

test_expect_success 'save, docker rm, keep resume: every field of docker inspect comes back' '
	keep save "$PREFIX-every" >out &&
	$DOCKER rm -f "$PREFIX-every" >/dev/null && rm -f "$TEST_DIR/cid" &&
	keep resume -d "$PREFIX-every" 2>err &&
	expect_grep "^recreated $PREFIX-every from keep/$PREFIX-every:1$" err &&
	same_as_before "$PREFIX-every" before.every &&
	test "$($DOCKER inspect -f "{{.State.Status}}" "$PREFIX-every")" = running
'

test_expect_success 'keep show lists the settings apart from the defaults, secrets hidden' '
	keep show "$PREFIX-every" >out &&
	expect_grep "^run with" out &&
	expect_grep "HostConfig.ShmSize  *268435456$" out &&
	expect_grep "HostConfig.CapAdd  *\[\"\(CAP_\)\?SYS_PTRACE\"\]$" out &&
	expect_grep "Networks.$NET.Aliases  *\[\"db\",\"$PREFIX-db\"\]$" out &&
	expect_no_grep "HostConfig.Runtime" out &&
	expect_no_grep "HostConfig.MaskedPaths" out &&
	expect_no_grep "s3cr3t" out &&
	keep show --json "$PREFIX-every" >out.json &&
	test "$(jq ".settings[\"HostConfig.ShmSize\"]" out.json)" = 268435456 &&
	expect_no_grep "s3cr3t" out.json
'

test_expect_success 'keep diff shows a docker update and a new alias' '
	c=$PREFIX-every &&
	$DOCKER update --memory 768m --memory-swap 2g "$c" >/dev/null &&
	keep save "$c" >/dev/null &&
	keep diff "$c" >out &&
	expect_grep "~HostConfig.Memory 536870912 -> 805306368" out &&
	$DOCKER network disconnect "$NET2" "$c" &&
	$DOCKER network connect --alias third "$NET2" "$c" &&
	keep save "$c" >/dev/null &&
	keep diff --json "$c" >out.json &&
	jq -r ".settings.changed[]" out.json |
		grep -q "^Networks.$NET2.Aliases \[\"second\",\"$PREFIX-second\"\] -> \[\"third\"\]$"
'

test_expect_success 'to-dockerfile --compose writes them in compose syntax that docker-compose accepts' '
	mkdir -p compose &&
	keep to-dockerfile --compose -o compose/Dockerfile "$PREFIX-every" >compose/docker-compose.yml 2>err &&
	for key in shm_size ipc devices cap_add security_opt ulimits extra_hosts init \
		healthcheck logging deploy sysctls group_add dns; do
		grep -q "^    $key:" compose/docker-compose.yml || { echo "no $key"; exit 1; }
	done &&
	grep -q "^          memory: \"768m\"" compose/docker-compose.yml &&
	expect_no_grep "s3cr3t" compose/docker-compose.yml &&
	(cd compose && docker-compose config) >config.out 2>&1 || { cat config.out; exit 1; }
	grep -q "ipv4_address: $IP" config.out &&
	grep -A3 "^      $NET:" config.out | grep -q -- "- db" &&
	grep -q "shm_size: 268435456" config.out &&
	grep -q "security_opt:" config.out
'

test_expect_success 'namespaces shared with other containers come back by their names' '
	run_container shared --network "container:$PREFIX-peer" --ipc "container:$PREFIX-peer" \
		--pid "container:$PREFIX-peer" --uts host --userns host \
		--cpus 0.5 --memory 300m --memory-swap -1 "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	inspect_norm "$PREFIX-shared" >before.shared &&
	keep save "$PREFIX-shared" >/dev/null &&
	$DOCKER rm -f "$PREFIX-shared" >/dev/null &&
	keep resume -d "$PREFIX-shared" 2>err &&
	same_as_before "$PREFIX-shared" before.shared
'

test_expect_success 'a container it shared with is gone: one line, exit 1, unless --ignore-missing' '
	keep save "$PREFIX-shared" >/dev/null 2>&1;
	$DOCKER rm -f "$PREFIX-shared" "$PREFIX-peer" >/dev/null &&
	expect_code 1 keep resume -d "$PREFIX-shared" 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "container .$PREFIX-peer." err &&
	expect_grep "ignore-missing container:$PREFIX-peer" err &&
	test -z "$($DOCKER ps -aq --filter "name=^/$PREFIX-shared\$")" &&
	keep resume -d --ignore-missing "container:$PREFIX-peer" "$PREFIX-shared" 2>err &&
	expect_grep "without container .$PREFIX-peer." err &&
	test "$($DOCKER inspect -f "{{.HostConfig.NetworkMode}} {{.HostConfig.IpcMode}}" "$PREFIX-shared")" = "none private" &&
	test "$($DOCKER inspect -f "{{.HostConfig.NanoCpus}} {{.HostConfig.UTSMode}}" "$PREFIX-shared")" = "500000000 host" &&
	run_container peer --network none --ipc shareable "$KEEP_TEST_BASE" sleep infinity >/dev/null
'

test_expect_success 'GPUs: the create request carries them; without GPUs here, one line and nothing left behind' '
	track_container "$PREFIX-gpu" &&
	$DOCKER create --name "$PREFIX-gpu" --network none --gpus device=1 \
		--gpus all --shm-size 1g "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER inspect -f "{{json .HostConfig.DeviceRequests}}" "$PREFIX-gpu" >gpus.before &&
	grep -q "\"gpu\"" gpus.before &&
	keep save "$PREFIX-gpu" >/dev/null &&
	$DOCKER rm "$PREFIX-gpu" >/dev/null &&
	! through_socat trace.raw "$KEEP_BIN" resume -d "$PREFIX-gpu" 2>err &&
	create_body trace.raw | jq -c .HostConfig.DeviceRequests >gpus.sent &&
	test "$(cat gpus.sent)" = "$(cat gpus.before)" &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "GPUs (HostConfig.DeviceRequests)" err &&
	expect_grep "ignore-missing gpus" err &&
	test -z "$($DOCKER ps -aq --filter "name=^/$PREFIX-gpu\$")" &&
	keep resume -d --ignore-missing gpus "$PREFIX-gpu" 2>err &&
	expect_grep "without its GPUs" err &&
	test "$($DOCKER inspect -f "{{json .HostConfig.DeviceRequests}} {{.HostConfig.ShmSize}}" "$PREFIX-gpu")" = "null 1073741824"
'

test_expect_success 'what the kernel here cannot start goes in the create request as it was' '
	track_container "$PREFIX-throttled" &&
	$RUN_CLI create --name "$PREFIX-throttled" --network none \
		--device-read-bps /dev/null:1mb --device-write-bps /dev/null:2mb \
		--device-read-iops /dev/null:100 --device-write-iops /dev/null:200 \
		--cpu-rt-period 1000000 --cpu-rt-runtime 1000 --ulimit memlock=-1 \
		"$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	$DOCKER inspect "$PREFIX-throttled" | jq -S .[0].HostConfig >host.before &&
	keep save "$PREFIX-throttled" >/dev/null &&
	$DOCKER rm "$PREFIX-throttled" >/dev/null &&
	! through_socat trace.raw "$KEEP_BIN" resume -d "$PREFIX-throttled" 2>err &&
	create_body trace.raw | jq -S .HostConfig >host.sent &&
	diff host.before host.sent &&
	test -z "$($DOCKER ps -aq --filter "name=^/$PREFIX-throttled\$")"
'

test_expect_success 'a device missing here: named, exit 1; --ignore-missing device:PATH goes without it' '
	track_container "$PREFIX-dev" &&
	$DOCKER create --name "$PREFIX-dev" --network none --device /dev/null:/dev/keepnull \
		--device "/dev/$PREFIX-missing:/dev/gone" "$KEEP_TEST_BASE" sleep infinity >/dev/null &&
	keep save "$PREFIX-dev" >/dev/null &&
	$DOCKER rm "$PREFIX-dev" >/dev/null &&
	expect_code 1 keep resume -d "$PREFIX-dev" 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "device ./dev/$PREFIX-missing." err &&
	keep resume -d --ignore-missing "device:/dev/$PREFIX-missing" "$PREFIX-dev" 2>err &&
	test "$($DOCKER inspect -f "{{len .HostConfig.Devices}} {{(index .HostConfig.Devices 0).PathInContainer}}" "$PREFIX-dev")" = "1 /dev/keepnull"
'

test_expect_success 'a runtime or network this engine lacks: named together, exit 1; --ignore-missing each' '
	c=$PREFIX-every &&
	set_latest_runtime "$c" nvidia &&
	$DOCKER rm -f "$c" >/dev/null &&
	$DOCKER network rm "$NET2" >/dev/null &&
	expect_code 1 keep resume -d "$c" 2>err &&
	test "$(wc -l <err)" -eq 1 &&
	expect_grep "runtime .nvidia. (HostConfig.Runtime)" err &&
	expect_grep "network .$NET2." err &&
	expect_grep "ignore-missing runtime --ignore-missing network:$NET2" err &&
	test -z "$($DOCKER ps -aq --filter "name=^/$c\$")" &&
	expect_code 1 keep resume -d --ignore-missing runtime "$c" 2>err &&
	expect_no_grep "nvidia" err &&
	keep resume -d --ignore-missing runtime --ignore-missing "network:$NET2" "$c" 2>err &&
	test "$(grep -c "warning: recreated" err)" = 2 &&
	test "$($DOCKER inspect -f "{{.HostConfig.Runtime}} {{len .NetworkSettings.Networks}}" "$c")" = "runc 1"
'

test_expect_success '--ignore-missing takes only settings it knows (usage error, exit 2)' '
	expect_code 2 keep resume -d --ignore-missing everything "$PREFIX-every" 2>err &&
	expect_grep "not a setting" err
'

test_expect_success 'to-dockerfile --compose: GPUs under deploy.resources.reservations' '
	mkdir -p gcompose &&
	keep to-dockerfile --compose -o gcompose/Dockerfile "$PREFIX-gpu" >gcompose/docker-compose.yml &&
	(cd gcompose && docker-compose config) >config.out 2>&1 || { cat config.out; exit 1; }
	sed -n "/reservations:/,/^    [a-z]/p" config.out >gpus.yml &&
	grep -q "count: all" gpus.yml &&
	grep -q -- "- gpu" gpus.yml &&
	grep -A1 "device_ids:" gpus.yml | grep -q -- "- .1.$"
'

test_done
