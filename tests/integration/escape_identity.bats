#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Who the container's processes are: inheritable capabilities (CVE-2022-29162, crun
# CVE-2022-27650), `exec --user` parsing (crun CVE-2026-30892: "-u 1" ran as uid 0), and a
# writable cgroupfs without a cgroup namespace (CVE-2023-25809).
#
# Outcomes (recorded with ESCAPE_RUNTIME=/usr/sbin/runc, Debian's runc 1.1.5+ds1-1+deb12u1):
#   exec --cap: runc does not fall (1.1.2+ never adds --cap to inheritable).
#   config inheritable + a file with inheritable file capabilities, run as uid 1000: runc
#     FALLS - it sets the config's inheritable set, and the uid 1000 process gains
#     CAP_NET_RAW in its permitted set by executing the file.
#   exec --user 1 / 1000 / 1000:1000: runc does not fall (exact uid, no extra groups).
#   rw cgroup mount without a cgroup namespace: runc (as root) mounts it read-write when the
#     config asks: the container made cgroups and wrote cgroup.procs (below its own cgroup;
#     runc's CVE-2023-25809 fix covers rootless containers only).
#   ward before the fix: fell to the config-inheritable case like runc.
#   ward now: inheritable capabilities only for ambient ones; the rest as runc.

load helpers
load escape_common

setup() {
	ward_common_setup
	esc_setup
}

teardown() {
	# cgroups an attack might have made (by this test's name only), before the
	# container's own cgroup is removed
	find /sys/fs/cgroup -maxdepth 4 -type d -name "esc-canary-$$-*" -exec rmdir {} + 2>/dev/null || true
	ward_common_teardown
}

# caps_line OUTPUT KEY: the hex value of a `probe caps` line
caps_line() {
	sed -n "s/^$2=//p" <<<"$1"
}

# fcap_bundle: an image whose /bin/fcap is the probe with inheritable+effective file
# capability CAP_NET_RAW (what an image can ship), NNP off so file capabilities apply
fcap_bundle() {
	setup_bundle sleep 1000
	cp "$BUNDLE/rootfs/bin/probe" "$BUNDLE/rootfs/bin/fcap"
	setcap cap_net_raw+ei "$BUNDLE/rootfs/bin/fcap"
	getcap "$BUNDLE/rootfs/bin/fcap" | grep -q cap_net_raw
	cfg_set .process.noNewPrivileges false
}

NET_RAW_BIT=$((1 << 13))

@test "CVE-2022-29162: exec --cap gives no inheritable capability" {
	fcap_bundle
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id" >/dev/null 2>&1
	run ward_cmd exec --cap CAP_NET_RAW "$id" /bin/probe caps
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(caps_line "$output" cap_inh)" = 0000000000000000 ]
	[ "$(caps_line "$output" cap_amb)" = 0000000000000000 ]
	# and as a non-root user, a file with inheritable file capabilities gains nothing
	run ward_cmd exec --cap CAP_NET_RAW --user 1000:1000 "$id" /bin/fcap caps
	echo "$output"
	[ "$status" -eq 0 ]
	prm=$((16#$(caps_line "$output" cap_prm)))
	[ $((prm & NET_RAW_BIT)) -eq 0 ]
	esc_assert_host_unchanged
}

@test "CVE-2022-27650: config inheritable capabilities do not reach a non-root process's files" {
	fcap_bundle
	cfg_set .process.args '["/bin/fcap", "caps"]'
	cfg_set .process.user '{"uid": 1000, "gid": 1000}'
	for set in bounding effective permitted inheritable; do
		cfg_append ".process.capabilities.$set" CAP_NET_RAW
	done
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	prm=$((16#$(caps_line "$output" cap_prm)))
	eff=$((16#$(caps_line "$output" cap_eff)))
	[ $((prm & NET_RAW_BIT)) -eq 0 ]
	[ $((eff & NET_RAW_BIT)) -eq 0 ]
	esc_assert_host_unchanged
}

@test "crun CVE-2026-30892 class: exec --user runs as exactly that user, with no extra groups" {
	setup_bundle sleep 1000
	# the image lists uid 1000 as a member of root and wheel: nothing may add those
	cat >>"$BUNDLE/rootfs/etc/passwd" <<-'EOF'
	u1:x:1:1:u1:/:/bin/sh
	u1000:x:1000:1000:u1000:/:/bin/sh
	EOF
	cat >"$BUNDLE/rootfs/etc/group" <<-'EOF'
	root:x:0:u1000,u1
	wheel:x:10:u1000,u1
	u1000:x:1000:
	EOF
	id=$(new_id)
	ward_cmd run -d -b "$BUNDLE" "$id" >/dev/null 2>&1
	check_ids() { # USER UID GID
		run ward_cmd exec --user "$1" "$id" /bin/probe ids
		echo "--user $1: $output"
		[ "$status" -eq 0 ]
		for k in uid euid suid; do
			[ "$(sed -n "s/^$k=//p" <<<"$output")" = "$2" ]
		done
		for k in gid egid sgid; do
			[ "$(sed -n "s/^$k=//p" <<<"$output")" = "$3" ]
		done
		[ "$(sed -n 's/^groups=//p' <<<"$output")" = "" ]
		run ward_cmd exec --user "$1" "$id" /bin/probe caps
		[ "$(caps_line "$output" cap_eff)" = 0000000000000000 ]
		[ "$(caps_line "$output" cap_prm)" = 0000000000000000 ]
	}
	# the container's process user is 0:0: a uid alone keeps its gid, as runc does
	check_ids 1 1 0
	check_ids 1000 1000 0
	check_ids 1000:1000 1000 1000
	check_ids 1:1 1 1
	esc_assert_host_unchanged
}

@test "CVE-2023-25809: /sys/fs/cgroup is read-only without a cgroup namespace, even if asked rw" {
	setup_bundle sh -c 'for d in /sys/fs/cgroup /sys/fs/cgroup/*/; do mkdir "$d/esc-canary-'$$'-$$" 2>/dev/null && echo "made=$d"; done; echo $$ >/sys/fs/cgroup/pids/cgroup.procs 2>/dev/null && echo moved=1; awk "\$5 ~ /^\/sys\/fs\/cgroup/ { print \"mount=\" \$5 \" \" \$6 }" /proc/self/mountinfo; true'
	"$PY" - "$BUNDLE/config.json" <<-'PY'
	import json, sys
	p = sys.argv[1]
	c = json.load(open(p))
	for m in c["mounts"]:
	    if m["destination"] == "/sys/fs/cgroup":
	        m["options"] = [o for o in m.get("options", []) if o != "ro"] + ["rw"]
	c["linux"]["namespaces"] = [n for n in c["linux"]["namespaces"] if n["type"] != "cgroup"]
	json.dump(c, open(p, "w"))
	PY
	run ward_cmd run -b "$BUNDLE" "$(new_id)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *made=* ]]
	[[ $output != *moved=1* ]]
	grep -q '^mount=' <<<"$output"
	# every cgroup mount the container sees is read-only
	while read -r line; do
		[[ $line == *" ro,"* || $line == *" ro" ]]
	done < <(grep '^mount=' <<<"$output")
	[ -z "$(find /sys/fs/cgroup -maxdepth 4 -type d -name "esc-canary-$$-*" 2>/dev/null)" ]
	esc_assert_host_unchanged
}
