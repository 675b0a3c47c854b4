#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# The supervisor's file side on real containers: the virtualized /proc (policy
# proc.virtualize: meminfo, cpuinfo, stat, uptime, loadavg, cpu/online, nproc's
# sched_getaffinity, free's sysinfo) on cgroup v1 and on a private pure cgroup2 mount, and
# the file audit (audit.files) in order.

load helpers
load supervisor_lib

MIB256=268435456

# run_in POLICY SCRIPT: runs `sh -c SCRIPT` in a fresh container of $BUNDLE under POLICY
run_in() {
	cfg_set .process.args "$(printf '%s' "$2" | "$PY" -c 'import json,sys; print(json.dumps(["sh", "-c", sys.stdin.read()]))')"
	run ward_cmd --policy "$1" run -b "$BUNDLE" "$(new_id)"
	echo "$output"
}

# field NAME: the value of NAME=... in $output
field() {
	echo "$output" | sed -n "s/^$1=//p" | head -1
}

# run_kept POLICY ID: create + start, wait until it stopped (kept for `ward audit`)
run_kept() {
	ward_cmd --policy "$1" create -b "$BUNDLE" "$2" >"$WARD_TEST_DIR/out-$2" 2>&1
	ward_cmd start "$2"
	wait_for_status "$2" stopped 30
	cat "$WARD_TEST_DIR/out-$2"
	grep -q done "$WARD_TEST_DIR/out-$2"
}

host_memtotal() {
	awk '/^MemTotal:/ { print $2 }' /proc/meminfo
}

@test "free -m, /proc/meminfo and the host's file under a 256 MiB limit" {
	setup_bundle
	cfg_set .linux.resources.memory.limit $MIB256
	before=$(host_memtotal)
	run_in default 'free -m | awk "/^Mem:/ { print \"total=\" \$2 }"; awk "/^MemTotal:/ { print \"memtotal=\" \$2 }" /proc/meminfo; awk "/^MemFree:/ { print \"memfree=\" \$2 }" /proc/meminfo'
	[ "$status" -eq 0 ]
	[ "$(field total)" = 256 ]
	[ "$(field memtotal)" = 262144 ]
	memfree=$(field memfree)
	((memfree > 0 && memfree <= 262144))
	# the host's file is the kernel's, untouched
	[ "$(host_memtotal)" = "$before" ]
	((before > 262144))
}

@test "nproc, cpuinfo, stat and cpu/online with cpuset 0" {
	(($(nproc) >= 2)) || skip "needs at least 2 CPUs"
	setup_bundle
	cfg_set .linux.resources.cpu.cpus '"0"'
	run_in default 'echo nproc=$(nproc); echo procs=$(grep -c ^processor /proc/cpuinfo); echo cpulines=$(grep -c "^cpu[0-9]" /proc/stat); echo online=$(cat /sys/devices/system/cpu/online)'
	[ "$status" -eq 0 ]
	[ "$(field nproc)" = 1 ]
	[ "$(field procs)" = 1 ]
	[ "$(field cpulines)" = 1 ]
	[ "$(field online)" = 0 ]
}

@test "nproc, cpuinfo and stat under a CPU quota of one CPU (cpuset of all)" {
	(($(nproc) >= 2)) || skip "needs at least 2 CPUs"
	setup_bundle
	cfg_set .linux.resources.cpu.quota 100000
	cfg_set .linux.resources.cpu.period 100000
	run_in default 'echo nproc=$(nproc); echo procs=$(grep -c ^processor /proc/cpuinfo); echo cpulines=$(grep -c "^cpu[0-9]" /proc/stat); vproc_probe affinity'
	[ "$status" -eq 0 ]
	[ "$(field nproc)" = 1 ]
	[ "$(field procs)" = 1 ]
	[ "$(field cpulines)" = 1 ]
	[ "$(field affinity_cpus)" = 1 ]
	# the kernel's byte count is kept (a whole mask of longs)
	ret=$(field affinity_ret)
	((ret > 0 && ret % 8 == 0))
}

@test "/proc/uptime counts from the container's start; loadavg is the container's" {
	setup_bundle
	run_in default 'read up idle </proc/uptime; echo up=${up%.*}; echo loadavg=$(cat /proc/loadavg)'
	[ "$status" -eq 0 ]
	up=$(field up)
	host=$(cut -d. -f1 /proc/uptime)
	# started just now: far less than the host's uptime
	((up < 30 && up < host))
	# the shell and its command substitution's cat: a handful of threads, not the host's
	[[ $(field loadavg) =~ ^[0-9]+\.00\ [0-9]+\.00\ [0-9]+\.00\ [0-9]+/[0-9]+\ [0-9]+$ ]]
	threads=$(field loadavg | awk '{ split($4, a, "/"); print a[2] }')
	((threads >= 1 && threads < 10))
}

@test "policy none and proc.virtualize false show the host's values" {
	(($(nproc) >= 2)) || skip "needs at least 2 CPUs"
	setup_bundle
	cfg_set .linux.resources.memory.limit $MIB256
	cfg_set .linux.resources.cpu.quota 100000
	cfg_set .linux.resources.cpu.period 100000
	host=$(host_memtotal)
	script='awk "/^MemTotal:/ { print \"memtotal=\" \$2 }" /proc/meminfo; echo nproc=$(nproc); echo procs=$(grep -c ^processor /proc/cpuinfo)'
	run_in none "$script"
	[ "$status" -eq 0 ]
	[ "$(field memtotal)" = "$host" ]
	[ "$(field nproc)" = "$(nproc)" ]
	[ "$(field procs)" = "$(nproc)" ]
	echo '{"proc": {"virtualize": false}, "audit": {"exec": true}}' >"$WARD_TEST_DIR/novirt.json"
	run_in "$WARD_TEST_DIR/novirt.json" "$script"
	[ "$status" -eq 0 ]
	[ "$(field memtotal)" = "$host" ]
	[ "$(field nproc)" = "$(nproc)" ]
	# and the same container under default sees its own
	run_in default "$script"
	[ "$(field memtotal)" = 262144 ]
	[ "$(field nproc)" = 1 ]
}

@test "a virtual file is a sealed read-only fd at offset 0; O_CLOEXEC is honoured" {
	setup_bundle
	cfg_set .linux.resources.memory.limit $MIB256
	run_in default 'vproc_probe open /proc/meminfo cloexec; echo ---; cd /proc && vproc_probe open meminfo'
	[ "$status" -eq 0 ]
	first=${output%%---*}
	second=${output#*---}
	[[ $first == *cloexec=1* ]]
	[[ $first == *accmode=0* ]]
	[[ $first == *offset=0* ]]
	[[ $first == *"write=Bad file descriptor"* ]]
	[[ $first == *"line=MemTotal:         262144 kB"* ]]
	# relative to the cwd, without O_CLOEXEC
	[[ $second == *cloexec=0* ]]
	[[ $second == *"line=MemTotal:         262144 kB"* ]]
}

@test "a thread racing the path only ever gets the virtual file, the host's, or ENOENT" {
	setup_bundle
	cfg_set .linux.resources.memory.limit $MIB256
	run_in default 'vproc_probe race 400'
	[ "$status" -eq 0 ]
	[ "$(field race_other)" = 0 ]
	total=$(($(field race_virtual) + $(field race_host) + $(field race_enoent)))
	[ "$total" = 400 ]
	# the test can tell the cases apart: virtual answers happen
	(($(field race_virtual) > 0))
}

@test "pure cgroup v2 (private mount namespace): uptime, stat and cpu/online from cgroup2 files" {
	setup_bundle
	id=$(new_id)
	cfg_set .linux.cgroupsPath "\"/$id\""
	cfg_set .process.args '["sh", "-c", "read up idle </proc/uptime; echo up=${up%.*}; echo cpulines=$(grep -c \"^cpu[0-9]\" /proc/stat); grep \"^cpu \" /proc/stat; echo online=$(cat /sys/devices/system/cpu/online)"]'
	run cgroup2_ns '
		"'"$WARD"'" --root "'"$WARD_ROOT"'" --policy default run -b "'"$BUNDLE"'" '"$id"'
		test ! -e /sys/fs/cgroup/'"$id"' || rmdir /sys/fs/cgroup/'"$id"' || true'
	echo "$output"
	[ "$status" -eq 0 ]
	up=$(field up)
	host=$(cut -d. -f1 /proc/uptime)
	((up < 30 && up < host))
	# no cpuset controller on this host's cgroup2: every online CPU, renumbered
	[ "$(field cpulines)" = "$(nproc)" ]
	# the "cpu" line is computed (nice, iowait, irq ... are 0), not the host's
	[[ $output =~ cpu\ \ [0-9]+\ 0\ [0-9]+\ [0-9]+\ 0\ 0\ 0\ 0\ 0\ 0 ]]
}

@test "file audit: touch, mv, rm are logged in order with decoded flags and paths" {
	setup_bundle
	id=$(new_id)
	cfg_set .process.args '["sh", "-c", "touch /tmp/a; mv /tmp/a /tmp/b; rm /tmp/b; echo done"]'
	cfg_set .root.readonly false
	run_kept agent "$id"
	sup_audit_fields_ok "$id"
	ward_cmd audit "$id" | "$PY" -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
evs = [e for e in evs if "syscall" in e]
def find(start, pred, what):
    for i in range(start, len(evs)):
        if pred(evs[i]):
            return i
    sys.exit("no %s after line %d" % (what, start))
paths = lambda e: [e.get(k) for k in ("path", "oldpath", "newpath")]
i = find(0, lambda e: e["syscall"] in ("open", "openat", "creat") and e.get("path") == "/tmp/a"
         and "O_CREAT" in e.get("flags", ""), "open(O_CREAT) of /tmp/a")
j = find(i + 1, lambda e: e["syscall"].startswith("rename") and e.get("oldpath") == "/tmp/a"
         and e.get("newpath") == "/tmp/b", "rename /tmp/a /tmp/b")
k = find(j + 1, lambda e: e["syscall"] in ("unlink", "unlinkat") and e.get("path") == "/tmp/b",
         "unlink /tmp/b")
for n in (i, j, k):
    e = evs[n]
    assert e["reported"] == "caller" and e["decision"] == "allow" and e["errno"] == 0, e
    assert e["comm"] in ("touch", "mv", "rm", "sh", "busybox"), e
print("open", evs[i]["flags"], evs[i].get("mode"))
print("rename", evs[j]["syscall"], "unlink", evs[k]["syscall"])
'
}

@test "file audit off under default: opens are not logged, the virtual files work" {
	setup_bundle
	id=$(new_id)
	cfg_set .process.args '["sh", "-c", "touch /tmp/x; cat /proc/meminfo >/dev/null; echo done"]'
	cfg_set .root.readonly false
	run_kept default "$id"
	[ "$(sup_audit_count "$id" 'e.get("syscall") in ("open", "openat", "creat")')" = 0 ]
}
