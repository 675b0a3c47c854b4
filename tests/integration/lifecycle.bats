#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The lifecycle commands against real containers: create/start/run/state/kill/delete/list/exec/ps.

load helpers

# proc_gone PID: the process has exited (a zombie waiting for its reaper counts as gone)
proc_gone() {
	[ ! -e "/proc/$1" ] || grep -q '^State:.*Z' "/proc/$1/status"
}

@test "run: /bin/true exits 0 and leaves no state behind" {
	setup_bundle /bin/true
	id=$(new_id)
	run ward_cmd run -b "$BUNDLE" "$id"
	[ "$status" -eq 0 ]
	[ ! -e "$WARD_ROOT/$id" ]
}

@test "run: relays the exit status and death by signal like runc" {
	setup_bundle sh -c 'exit 3'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	[ "$status" -eq 3 ]
	# pid 1 of a pid namespace cannot be killed from inside: kill it from outside
	cfg_set .process.args '["sleep","1000"]'
	id=$(new_id)
	ward_cmd run -b "$BUNDLE" "$id" >/dev/null 2>&1 &
	runpid=$!
	wait_for_status "$id" running
	ward_cmd kill "$id" KILL
	rc=0
	wait "$runpid" || rc=$?
	[ "$rc" -eq 137 ]
	[ ! -e "$WARD_ROOT/$id" ]
}

@test "run: the process is pid 1 in its own pid namespace with the configured hostname" {
	setup_bundle sh -c 'echo pid=$$ host=$(hostname)'
	cfg_set .hostname '"box1"'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"pid=1 host=box1"* ]]
}

@test "run: env, cwd and args reach the process" {
	setup_bundle sh -c 'echo "$FOO $(pwd) $0"'
	cfg_append .process.env '"FOO=bar baz"'
	cfg_set .process.cwd '"/tmp"'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"bar baz /tmp sh"* ]]
}

@test "create/start/state/kill/delete: statuses follow the real process" {
	setup_bundle sleep 1000
	id=$(new_id)
	# the container inherits stdio: capture it in a file, not in `run`'s pipe
	ward_cmd create -b "$BUNDLE" --pid-file "$WARD_TEST_DIR/pid" "$id" >"$WARD_TEST_DIR/out" 2>&1
	[ "$(state_field "$id" status)" = created ]
	pid=$(state_field "$id" pid)
	[ "$pid" -gt 0 ]
	[ "$(cat "$WARD_TEST_DIR/pid")" = "$pid" ]
	[ "$(state_field "$id" id)" = "$id" ]
	[ "$(state_field "$id" bundle)" = "$BUNDLE" ]
	kill -0 "$pid"
	run ward_cmd start "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(state_field "$id" status)" = running ]
	run ward_cmd start "$id"
	[ "$status" -ne 0 ]
	run ward_cmd kill "$id" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$id" stopped
	[ "$(state_field "$id" pid)" = 0 ]
	run ward_cmd delete "$id"
	[ "$status" -eq 0 ]
	[ ! -e "$WARD_ROOT/$id" ]
	run ward_cmd state "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container does not exist"* ]]
}

@test "create: an id in use is refused and the first container is untouched" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd create -b "$BUNDLE" "$id"
	run ward_cmd create -b "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"container with id exists"* ]]
	[ "$(state_field "$id" status)" = created ]
}

@test "create: invalid ids are refused" {
	setup_bundle /bin/true
	for bad in '../x' 'a/b' '..' 'x y'; do
		run ward_cmd create -b "$BUNDLE" "$bad"
		[ "$status" -eq 1 ]
		[[ "$output" == *"invalid container id"* ]]
	done
}

@test "kill: signal names with and without SIG, numbers, and unknown names" {
	# pid 1 only gets signals it handles
	setup_bundle sh -c 'trap "exit 0" TERM INT; while :; do sleep 0.1; done'

	for sig in TERM SIGKILL 9 sigint; do
		id=$(new_id)
		ward_cmd run -d -b "$BUNDLE" "$id"
		run ward_cmd kill "$id" "$sig"
		[ "$status" -eq 0 ]
		wait_for_status "$id" stopped
		ward_cmd delete "$id"
	done
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id"
	run ward_cmd kill "$id" NOSUCHSIG
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown signal"* ]]
	[ "$(state_field "$id" status)" = running ]
}

@test "kill --all signals every process of the container" {
	setup_bundle sh -c 'sleep 1000 & sleep 1000 & wait'
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id"
	run ward_cmd ps --format json "$id"
	[ "$status" -eq 0 ]
	n=$(echo "$output" | "$PY" -c 'import json,sys; print(len(json.load(sys.stdin)))')
	[ "$n" -eq 3 ]
	run ward_cmd kill --all "$id" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$id" stopped
}

@test "delete: a running container needs --force; --force of a missing one succeeds" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id"
	pid=$(state_field "$id" pid)
	run ward_cmd delete "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"not stopped"* ]]
	run ward_cmd delete --force "$id"
	[ "$status" -eq 0 ]
	[ ! -e "$WARD_ROOT/$id" ]
	proc_gone "$pid"
	run ward_cmd delete --force "$id"
	[ "$status" -eq 0 ]
	run ward_cmd delete "$id"
	[ "$status" -eq 1 ]
}

@test "delete: a created container is deleted without --force" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd create -b "$BUNDLE" "$id"
	pid=$(state_field "$id" pid)
	run ward_cmd delete "$id"
	[ "$status" -eq 0 ]
	proc_gone "$pid"
}

@test "list: table, json and quiet" {
	setup_bundle sleep 1000
	a=$(new_id a)
	b=$(new_id b)
	ward_cmd create -b "$BUNDLE" "$a"
	ward_cmd run -d -b "$BUNDLE" "$b"
	run ward_cmd list -q
	[ "$status" -eq 0 ]
	[[ "$output" == *"$a"* && "$output" == *"$b"* ]]
	run ward_cmd list
	[[ "${lines[0]}" == ID* ]]
	[[ "$output" == *"$a"*created* ]]
	[[ "$output" == *"$b"*running* ]]
	run ward_cmd list --format json
	echo "$output" | "$PY" -c '
import json, sys
l = {c["id"]: c for c in json.load(sys.stdin)}
assert l["'"$a"'"]["status"] == "created", l
assert l["'"$b"'"]["status"] == "running", l
assert l["'"$b"'"]["pid"] > 0
'
}

@test "exec: runs in the container's namespaces and relays status, env, cwd and user" {
	setup_bundle sleep 1000
	cfg_set .hostname '"inside"'
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id"
	run ward_cmd exec "$id" hostname
	[ "$status" -eq 0 ]
	[ "$output" = inside ]
	run ward_cmd exec "$id" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run ward_cmd exec --env A=1 --cwd /tmp --user 1000:1000 "$id" sh -c 'echo $A $(pwd) $(id -u):$(id -g)'
	[ "$status" -eq 0 ]
	[ "$output" = "1 /tmp 1000:1000" ]
	# the exec'd process sees the container's pid 1
	run ward_cmd exec "$id" sh -c 'cat /proc/1/cmdline | tr "\0" " "'
	[[ "$output" == "sleep 1000"* ]]
}

@test "exec --process: a process.json runs as given; exec into a stopped container fails" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id"
	cat >"$WARD_TEST_DIR/process.json" <<-'JSON'
	{"cwd": "/", "args": ["sh", "-c", "echo from-process-json $X"], "env": ["X=42"],
	 "user": {"uid": 0, "gid": 0}}
	JSON
	run ward_cmd exec --process "$WARD_TEST_DIR/process.json" "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "from-process-json 42" ]
	ward_cmd kill "$id" KILL
	wait_for_status "$id" stopped
	run ward_cmd exec "$id" true
	[ "$status" -eq 1 ]
	[[ "$output" == *"stopped"* ]]
}

@test "exec --detach with --pid-file: the process joins the container" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id"
	ward_cmd exec -d --pid-file "$WARD_TEST_DIR/exec.pid" "$id" sleep 999 >/dev/null 2>&1
	epid=$(cat "$WARD_TEST_DIR/exec.pid")
	kill -0 "$epid"
	run ward_cmd ps --format json "$id"
	[[ "$output" == *"$epid"* ]]
	[ "$(readlink /proc/$epid/ns/pid)" = "$(readlink /proc/$(state_field "$id" pid)/ns/pid)" ]
}

@test "ps: the table keeps the header and only the container's processes" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id"
	pid=$(state_field "$id" pid)
	run ward_cmd ps "$id"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" == *" $pid "* ]]
}

@test "create: a missing executable fails at create and leaves nothing behind" {
	setup_bundle /no/such/binary
	id=$(new_id)
	run ward_cmd create -b "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"/no/such/binary"* ]]
	[ ! -e "$WARD_ROOT/$id" ]
	run grep -qs "$id" /proc/self/mountinfo
	[ "$status" -eq 1 ]
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -name "$id" 2>/dev/null)" ]
}

@test "create: a malformed config names the JSON path and leaves nothing behind" {
	setup_bundle /bin/true
	id=$(new_id)
	cfg_set .process.user.uid '"root"'
	run ward_cmd create -b "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"config.json: process.user.uid: expected an integer"* ]]
	[ ! -e "$WARD_ROOT/$id" ]
}

@test "--log-format json: a failing command writes one JSON error line" {
	run "$WARD" --root "$WARD_ROOT" --log "$WARD_TEST_DIR/log.json" --log-format json state nosuch
	[ "$status" -eq 1 ]
	"$PY" -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
d = json.loads(lines[0])
assert d["level"] == "error" and d["msg"] == "container does not exist" and "time" in d, d
' "$WARD_TEST_DIR/log.json"
}

@test "hooks: all six kinds run in order with the state on stdin" {
	setup_bundle true
	cfg_set .root.readonly false
	# startContainer runs inside the container, after pivot_root: there the log is /hooks.log
	log=$BUNDLE/rootfs/hooks.log
	for kind in prestart createRuntime createContainer startContainer poststart poststop; do
		path=$log
		[ "$kind" = startContainer ] && path=/hooks.log
		cfg_append ".hooks.$kind" "{\"path\": \"/bin/sh\", \"args\": [\"sh\", \"-c\", \"read s; echo $kind \\\"\$s\\\" >> $path\"]}"
	done
	id=$(new_id)
	run ward_cmd run -b "$BUNDLE" "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	run cut -d' ' -f1 "$log"
	[ "$output" = "$(printf 'prestart\ncreateRuntime\ncreateContainer\nstartContainer\npoststart\npoststop')" ]
	# every hook got the state of this container
	while read -r kind st; do
		echo "$st" | "$PY" -c 'import json,sys; d=json.load(sys.stdin); assert d["id"]=="'"$id"'" and d["bundle"]=="'"$BUNDLE"'", d'
	done <"$log"
	grep -q '^poststop .*"status":"stopped"' "$log"
	grep -q '^createRuntime .*"status":"creating"' "$log"
}

@test "hooks: a failing createRuntime hook fails create and cleans up; env and timeout apply" {
	setup_bundle sleep 1000
	cfg_append .hooks.createRuntime '{"path": "/bin/sh", "args": ["sh", "-c", "echo hook-said-$V >&2; exit 2"], "env": ["V=x"]}'
	id=$(new_id)
	run ward_cmd create -b "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"createRuntime hook 0"*"status 2"*"hook-said-x"* ]]
	[ ! -e "$WARD_ROOT/$id" ]
	cfg_del .hooks.createRuntime
	cfg_append .hooks.prestart '{"path": "/bin/sleep", "args": ["sleep", "100"], "timeout": 1}'
	run ward_cmd create -b "$BUNDLE" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"timed out"* ]]
	[ ! -e "$WARD_ROOT/$id" ]
}

@test "root.readonly: the root filesystem cannot be written" {
	setup_bundle sh -c 'touch /x 2>&1; echo rc=$?'
	cfg_set .root.readonly true
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	[[ "$output" == *"Read-only file system"*"rc=1"* ]]
}

@test "user namespace: uid/gid mappings are written before the process runs" {
	setup_bundle sh -c 'id -u; cat /proc/self/uid_map /proc/self/gid_map'
	cfg_append .linux.namespaces '{"type": "user"}'
	cfg_set .linux.uidMappings '[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	cfg_set .linux.gidMappings '[{"containerID": 0, "hostID": 100000, "size": 65536}]'
	chown -R 100000:100000 "$BUNDLE/rootfs"
	# the container's root (host uid 100000) must be able to reach its rootfs
	d=$BUNDLE
	while [ "$d" != / ]; do
		chmod a+x "$d"
		d=$(dirname "$d")
	done
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" =~ ^\ +0\ +100000\ +65536$ ]]
	[[ "${lines[2]}" =~ ^\ +0\ +100000\ +65536$ ]]
}

# the namespace is removed by teardown, also when the test fails half-way
teardown() {
	if [[ -f ${WARD_TEST_DIR:-}/netns ]]; then
		ip netns del "$(cat "$WARD_TEST_DIR/netns")" 2>/dev/null || true
	fi
	ward_common_teardown
}

@test "namespaces: a network namespace joined by path" {
	ip netns add "wardt$$" || skip "ip netns unavailable"
	echo "wardt$$" >"$WARD_TEST_DIR/netns"
	ip -n "wardt$$" link add dummy-ward type veth peer name dummy-peer
	setup_bundle sh -c 'cat /proc/net/dev'
	"$PY" - "$BUNDLE/config.json" "wardt$$" <<-'PY'
	import json, sys
	p, ns = sys.argv[1], sys.argv[2]
	c = json.load(open(p))
	c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "network"]
	c["linux"]["namespaces"].append({"type": "network", "path": "/run/netns/" + ns})
	json.dump(c, open(p, "w"))
	PY
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	[ "$status" -eq 0 ]
	[[ "$output" == *dummy-ward* ]]
}

@test "--preserve-fds: exactly the passed fds reach the process" {
	setup_bundle sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "; cat <&3'
	echo "passed-through" >"$WARD_TEST_DIR/in"
	run bash -c "exec 3<'$WARD_TEST_DIR/in'; '$WARD' --root '$WARD_ROOT' run --preserve-fds 1 -b '$BUNDLE' '$(new_id)'"
	[ "$status" -eq 0 ]
	# 0-2, 3 (passed) and the fd ls itself used for /proc/self/fd
	[[ "$output" == "0 1 2 3 4 passed-through"* ]]
}

@test "the container gets no fd of ward's beyond stdio" {
	setup_bundle sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "0 1 2 3 " ]
}

@test "state reports the policy and the running supervisor; exec uses the policy saved at create" {
	setup_bundle sleep 1000
	id=$(new_id)
	ward_cmd --policy agent run -d -b "$BUNDLE" "$id"
	[ "$(state_field "$id" policy)" = agent ]
	sup=$(state_field "$id" supervisorPid)
	[ "$sup" -gt 0 ]
	grep -q "__supervise" "/proc/$sup/cmdline"
	[ "$(cfg_get .name "$WARD_ROOT/$id/policy.json")" = agent ]
	run ward_cmd exec "$id" true
	[ "$status" -eq 0 ]
	ward_cmd delete --force "$id"
	proc_gone "$sup"
	id=$(new_id)
	ward_cmd --policy none run -d -b "$BUNDLE" "$id"
	[ "$(state_field "$id" policy)" = none ]
	[ -z "$(state_field "$id" supervisorPid)" ]
}
