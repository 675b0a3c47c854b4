#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Resources and confinement through real containers: limits read back from the cgroup files
# and observed (OOM kill, fork refused), update, pause/resume, events, the v2 path in a
# private pure-cgroup2 mount namespace, Docker's default seccomp profile, listenerPath.

load helpers

# cgv1 CONTROLLER FILE ID: the value of a v1 cgroup file of a container with cgroupsPath /ID
cgv1() {
	cat "/sys/fs/cgroup/$1/$3/$2"
}

@test "memory, pids and cpu limits are written to the cgroup and read back" {
	setup_bundle sleep 1000
	id=$(new_id)
	cfg_set .linux.cgroupsPath "\"/$id\""
	cfg_set .linux.resources '{"memory": {"limit": 67108864, "reservation": 33554432},
		"pids": {"limit": 42}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}}'
	ward_cmd run -d -b "$BUNDLE" "$id"
	[ "$(cgv1 memory memory.limit_in_bytes "$id")" = 67108864 ]
	[ "$(cgv1 memory memory.soft_limit_in_bytes "$id")" = 33554432 ]
	[ "$(cgv1 pids pids.max "$id")" = 42 ]
	[ "$(cgv1 cpu cpu.shares "$id")" = 512 ]
	[ "$(cgv1 cpu cpu.cfs_quota_us "$id")" = 50000 ]
	pid=$(state_field "$id" pid)
	grep -q "^[0-9]*:memory:/$id\$" "/proc/$pid/cgroup"
	# the hybrid host's cgroup2 tree tracks the container too
	grep -q "^0::/$id\$" "/proc/$pid/cgroup"
	ward_cmd delete --force "$id"
	[ ! -e "/sys/fs/cgroup/memory/$id" ]
	[ ! -e "/sys/fs/cgroup/unified/$id" ]
}

@test "a memory limit OOM-kills the container" {
	setup_bundle sh -c 'x=$(head -c 200000000 /dev/zero | tr "\0" a); echo survived ${#x}'
	cfg_set .linux.resources.memory '{"limit": 33554432, "swap": 33554432}'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" != *survived* ]]
}

@test "a pids limit refuses fork inside the container" {
	setup_bundle sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 100 & done 2>&1; wait'
	cfg_set .linux.resources.pids '{"limit": 4}'
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[[ "$output" == *"can't fork"* || "$output" == *"Resource temporarily unavailable"* ]]
}

@test "update changes limits of a running container; a bad value is refused" {
	setup_bundle sleep 1000
	id=$(new_id)
	cfg_set .linux.cgroupsPath "\"/$id\""
	ward_cmd run -d -b "$BUNDLE" "$id"
	run ward_cmd update --memory 100m --pids-limit 77 --cpu-share 300 "$id"
	[ "$status" -eq 0 ]
	[ "$(cgv1 memory memory.limit_in_bytes "$id")" = 104857600 ]
	[ "$(cgv1 pids pids.max "$id")" = 77 ]
	[ "$(cgv1 cpu cpu.shares "$id")" = 300 ]
	echo '{"pids": {"limit": 99}, "memory": {"limit": 209715200}}' >"$WARD_TEST_DIR/res.json"
	run ward_cmd update --resources "$WARD_TEST_DIR/res.json" "$id"
	[ "$status" -eq 0 ]
	[ "$(cgv1 pids pids.max "$id")" = 99 ]
	[ "$(cgv1 memory memory.limit_in_bytes "$id")" = 209715200 ]
	echo '{"pids": {"limit": "many"}}' >"$WARD_TEST_DIR/bad.json"
	run ward_cmd update --resources "$WARD_TEST_DIR/bad.json" "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"pids.limit: expected an integer"* ]]
	[ "$(cgv1 pids pids.max "$id")" = 99 ]
}

@test "pause and resume freeze the container; events --stats reports its cgroup" {
	setup_bundle sleep 1000
	id=$(new_id)
	cfg_set .linux.cgroupsPath "\"/$id\""
	ward_cmd run -d -b "$BUNDLE" "$id"
	run ward_cmd pause "$id"
	[ "$status" -eq 0 ]
	[ "$(state_field "$id" status)" = paused ]
	[ "$(cgv1 freezer freezer.state "$id")" = FROZEN ]
	run ward_cmd pause "$id"
	[ "$status" -eq 1 ]
	run ward_cmd resume "$id"
	[ "$status" -eq 0 ]
	[ "$(state_field "$id" status)" = running ]
	[ "$(cgv1 freezer freezer.state "$id")" = THAWED ]
	run ward_cmd events --stats "$id"
	[ "$status" -eq 0 ]
	echo "$output" | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
assert d["type"] == "stats" and d["id"] == "'"$id"'", d
assert d["data"]["pids"]["current"] == 1, d["data"]["pids"]
assert d["data"]["memory"]["usage"]["usage"] > 0
'
}

@test "cgroup v2: pause/resume and the eBPF device filter in a pure cgroup2 mount namespace" {
	setup_bundle sh -c 'echo x > /dev/null && echo null-ok; head -c1 /dev/kmsg >/dev/null 2>&1 || echo kmsg-denied; sleep 1000'
	id=$(new_id)
	cfg_set .linux.cgroupsPath "\"/$id\""
	# /dev/kmsg (1:11) is not in the default allow list: the config's deny rule decides
	cfg_set .linux.devices '[{"path": "/dev/kmsg", "type": "c", "major": 1, "minor": 11}]'
	cfg_set .linux.resources.devices '[{"allow": false, "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 11, "access": "rwm"}]'
	# everything v2 happens inside one private mount namespace whose /sys/fs/cgroup is cgroup2
	run cgroup2_ns '
		W="'"$WARD"' --root '"$WARD_ROOT"'"
		$W run -d -b "'"$BUNDLE"'" '"$id"' >"'"$WARD_TEST_DIR"'/out" 2>&1
		sleep 0.5
		cat "'"$WARD_TEST_DIR"'/out"
		$W pause '"$id"'
		echo "frozen: $(grep frozen /sys/fs/cgroup/'"$id"'/cgroup.events)"
		$W state '"$id"' | grep -q "\"paused\""
		$W resume '"$id"'
		echo "thawed: $(grep frozen /sys/fs/cgroup/'"$id"'/cgroup.events)"
		$W delete --force '"$id"'
		test ! -e /sys/fs/cgroup/'"$id"'
		echo done-v2'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *null-ok* ]]
	[[ "$output" == *kmsg-denied* ]]
	[[ "$output" == *"frozen: frozen 1"* ]]
	[[ "$output" == *"thawed: frozen 0"* ]]
	[[ "$output" == *done-v2* ]]
}

# init is cloned straight into its cgroup there (CLONE_INTO_CGROUP), except with a cgroup
# namespace, whose root must be the container's cgroup (made before the child is moved)
@test "cgroup v2: init starts inside its cgroup, with and without a cgroup namespace" {
	setup_bundle sh -c 'cat /proc/self/cgroup; sleep 1000'
	id=$(new_id)
	cfg_set .linux.cgroupsPath "\"/$id\""
	"$PY" - "$BUNDLE/config.json" <<-'PY'
	import json, sys
	c = json.load(open(sys.argv[1]))
	c["linux"]["namespaces"].append({"type": "cgroup"})
	json.dump(c, open(sys.argv[1] + ".cgns", "w"))
	PY
	run cgroup2_ns '
		W="'"$WARD"' --root '"$WARD_ROOT"'"
		for v in plain cgns; do
			[ $v = cgns ] && cp "'"$BUNDLE"'/config.json.cgns" "'"$BUNDLE"'/config.json"
			$W run -d -b "'"$BUNDLE"'" '"$id"'-$v >"'"$WARD_TEST_DIR"'/out-$v" 2>&1
			pid=$($W state '"$id"'-$v | sed -n "s/.*\"pid\": *\([0-9]*\).*/\1/p")
			sleep 0.3
			echo "$v inside: $(grep "^0::" "'"$WARD_TEST_DIR"'/out-$v")"
			grep -qx "$pid" /sys/fs/cgroup/'"$id"'/cgroup.procs && echo "$v: init in its cgroup"
			$W delete --force '"$id"'-$v
		done'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"plain inside: 0::/$id"* ]]
	[[ "$output" == *"plain: init in its cgroup"* ]]
	[[ "$output" == *"cgns inside: 0::/"* && "$output" != *"cgns inside: 0::/$id"* ]]
	[[ "$output" == *"cgns: init in its cgroup"* ]]
}

@test "Docker's default seccomp profile loads unchanged and refuses with its errno" {
	setup_bundle probe syscall acct 0
	"$PY" - "$REPO/tests/data/configs/valid/docker-20.10.json" "$BUNDLE/config.json" <<-'PY'
	import json, sys
	docker, mine = sys.argv[1], sys.argv[2]
	c = json.load(open(mine))
	c["linux"]["seccomp"] = json.load(open(docker))["linux"]["seccomp"]
	json.dump(c, open(mine, "w"))
	PY
	run ward_cmd --policy none run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"errname=EPERM"* ]]
	# and an allowed call still works under the same profile
	cfg_set .process.args '["probe", "syscall", "getppid"]'
	run ward_cmd --policy none run -b "$BUNDLE" "$(new_id)"
	[[ "$output" == *"errno=0"* ]]
}

@test "linux.seccomp.listenerPath: the agent receives the state and a working listener fd" {
	setup_bundle sh -c 'mkdir /tmp/agent-test 2>&1; echo mkdir=$?'
	cfg_set .root.readonly false
	cfg_set .linux.seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\",
		\"listenerPath\": \"$WARD_TEST_DIR/agent.sock\", \"listenerMetadata\": \"meta-42\",
		\"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
	"$PY" "$REPO/tests/tools/seccomp_agent.py" "$WARD_TEST_DIR/agent.sock" >"$WARD_TEST_DIR/agent.out" 2>&1 &
	agent=$!
	for _ in $(seq 50); do [ -S "$WARD_TEST_DIR/agent.sock" ] && break; sleep 0.1; done
	id=$(new_id)
	run ward_cmd --policy none run -b "$BUNDLE" "$id"
	wait "$agent" || true
	echo "$output"
	cat "$WARD_TEST_DIR/agent.out"
	# the agent answered the container's mkdir with EROFS through the fd it was given
	[[ "$output" == *"Read-only file system"* ]]
	grep -q "metadata=meta-42" "$WARD_TEST_DIR/agent.out"
	grep -q "id=$id" "$WARD_TEST_DIR/agent.out"
	grep -q "answered=mkdir" "$WARD_TEST_DIR/agent.out"
}
