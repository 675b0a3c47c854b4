#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# CVE-2019-16884 and CVE-2025-52881: the runtime's writes to /proc (LSM labels,
# oom_score_adj, sysctls) redirected by a fake /proc of the image or by mounts the
# container makes over /proc files.
#
# Outcomes (recorded with ESCAPE_RUNTIME=/usr/sbin/runc, Debian's runc 1.1.5+ds1-1+deb12u1):
#   image /proc a fake directory, no proc mount, oomScoreAdj: runc writes nothing into the
#     fake file (it sets oom_score_adj from the host side before the pivot).
#   image /proc a fake directory, no proc mount, sysctl: runc FALLS - it writes the sysctl
#     value into the image's fake /proc/sys file (and the real sysctl is not set).
#   racing binds over /proc/PID files during exec: runc does not fall here (it applies
#     oom_score_adj from the host side).
#   ward: does not fall - every /proc write starts at a procfs root it verified (fstatfs,
#     inode 1), resolves with RESOLVE_NO_XDEV|RESOLVE_NO_MAGICLINKS (mount ids compared
#     without openat2), and sysctls go through a procfs instance of ward's own.

load helpers
load escape_common

setup() {
	ward_common_setup
	esc_setup
}

teardown() {
	ward_common_teardown
}

# fake_proc ROOTFS: replaces the image's /proc by a directory of look-alike files
fake_proc() {
	local p=$1/proc
	rm -rf "$p"
	mkdir -p "$p/self/attr" "$p/sys/kernel" "$p/1/attr"
	for f in self/oom_score_adj self/attr/exec self/attr/current 1/oom_score_adj \
		sys/kernel/domainname sys/kernel/hostname; do
		echo FAKE >"$p/$f"
	done
	ln -s self "$p/thread-self"
}

# drop_proc_mount: removes the config's /proc mount (the image's /proc stays visible)
drop_proc_mount() {
	"$PY" - "$BUNDLE/config.json" <<-'PY'
	import json, sys
	p = sys.argv[1]
	c = json.load(open(p))
	c["mounts"] = [m for m in c["mounts"] if m["destination"] != "/proc"]
	c["linux"]["maskedPaths"] = []
	c["linux"]["readonlyPaths"] = []
	json.dump(c, open(p, "w"))
	PY
}

fake_sum() {
	esc_tree_sum "$BUNDLE/rootfs/proc"
}

@test "CVE-2019-16884: a fake /proc of the image does not receive oom_score_adj" {
	setup_bundle /bin/true
	fake_proc "$BUNDLE/rootfs"
	drop_proc_mount
	cfg_set .process.oomScoreAdj 500
	before=$(fake_sum)
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$status $output"
	[ "$(fake_sum)" = "$before" ]
	if esc_is_ward; then
		# refused: /proc is not a procfs
		[ "$status" -ne 0 ]
		[[ $output == *"procfs"* ]]
	fi
	esc_assert_host_unchanged
}

@test "CVE-2025-52881: a fake /proc of the image does not receive sysctl writes" {
	setup_bundle sleep 1000
	fake_proc "$BUNDLE/rootfs"
	drop_proc_mount
	cfg_set .linux.sysctl '{"kernel.domainname": "escape-test"}'
	# a writable image, so that a runtime writing through the fake /proc can do so
	cfg_set .root.readonly false
	before=$(fake_sum)
	id=$(new_id)
	rc=0
	ward_cmd run -d -b "$BUNDLE" "$id" >"$WARD_TEST_DIR/run.out" 2>&1 || rc=$?
	echo "$rc $(cat "$WARD_TEST_DIR/run.out")"
	echo "fake file: $(cat "$BUNDLE/rootfs/proc/sys/kernel/domainname")"
	[ "$(fake_sum)" = "$before" ]
	# the real sysctl of the container's UTS namespace is what was set
	[ "$rc" -eq 0 ]
	pid=$(state_field "$id" pid)
	[ "$(nsenter --uts -t "$pid" cat /proc/sys/kernel/domainname)" = escape-test ]
	esc_assert_host_unchanged
}

@test "CVE-2025-52881: binds over /proc/PID files raced during exec do not redirect writes" {
	# A container that may mount (CAP_SYS_ADMIN in its own user namespace) binds a file
	# of its own over the oom_score_adj and attr files of every new process, while
	# `exec` processes that set oomScoreAdj come and go.
	setup_bundle /bin/attack_procfs race /tmp/fake 120 /tmp/stop
	cfg_set .root.readonly false
	cfg_append .linux.namespaces '{"type": "user"}'
	cfg_set .linux.uidMappings '[{"containerID": 0, "hostID": 0, "size": 65536}]'
	cfg_set .linux.gidMappings '[{"containerID": 0, "hostID": 0, "size": 65536}]'
	for set in bounding effective permitted; do
		cfg_append ".process.capabilities.$set" CAP_SYS_ADMIN
	done
	# ward's default policy refuses mount(2) in the container: this attack needs it allowed
	esc_policy_none
	echo FAKE >"$BUNDLE/rootfs/tmp/fake"
	id=$(new_id)
	out=$WARD_TEST_DIR/race.out
	ward_cmd run -d -b "$BUNDLE" "$id" >"$out" 2>&1
	esc_wait_file "$out" '^ready=1'
	cat >"$WARD_TEST_DIR/process.json" <<-'EOF'
	{"args": ["/bin/true"], "cwd": "/", "user": {"uid": 0, "gid": 0},
	 "env": ["PATH=/bin"], "oomScoreAdj": 500}
	EOF
	ok=0 refused=0
	for i in $(seq 1 40); do
		if ward_cmd exec -p "$WARD_TEST_DIR/process.json" "$id" >"$WARD_TEST_DIR/exec.out" 2>&1; then
			ok=$((ok + 1))
		else
			refused=$((refused + 1))
			((refused > 1)) || echo "exec $i: $(cat "$WARD_TEST_DIR/exec.out")"
		fi
	done
	touch "$BUNDLE/rootfs/tmp/stop"
	esc_wait_file "$out" '^done=1' 20
	cat "$out"
	echo "ok=$ok refused=$refused"
	[ "$(cat "$BUNDLE/rootfs/tmp/fake")" = FAKE ]
	esc_assert_host_unchanged
}
