#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# A smoke run of the benchmark harness (bench/run --smoke: tiny N, every section) so that
# it cannot rot: it must run every section for ward, write its outputs, and leave no
# container, process, cgroup, mount or directory behind. No timing is asserted.

load helpers

setup() {
	ward_common_setup
	[[ -x $WARD ]] || skip "build/ward not built"
	command -v gcc >/dev/null || skip "gcc not installed"
}

@test "bench/run --smoke measures every section and cleans up" {
	out=$WARD_TEST_DIR/bench
	run timeout 1200 "$REPO/bench/run" --smoke --ward "$WARD" --out "$out"
	echo "$output" | tail -n 40
	[ "$status" -eq 0 ]
	[ -s "$out/raw.csv" ]
	[ -s "$out/results.json" ]
	[ -s "$out/report.md" ]
	grep -q '^| run /bin/true | default |' "$out/report.md"
	grep -q '^## Targets' "$out/report.md"

	# every section produced numbers for each ward policy, and ward reported no failure
	"$PY" - "$out/results.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
want = {
    "lifecycle": ["run", "create", "start", "delete", "exec"],
    "syscalls": ["getppid", "openat", "connect", "meminfo"],
    "memory": ["create_maxrss", "helper_rss", "helper_pss", "container_rss"],
    "policy": ["connect"],
    "workloads": ["files", "procs", "net"],
    "density": ["create", "start_all", "helper_pss_per_ctr"],
}
have = {(s["section"], s["metric"], s["runtime"]) for s in doc["samples"]}
bad = []
for w in ("ward-default", "ward-agent", "ward-none"):
    if doc["runtimes"][w]["errors"]:
        bad.append("%s errors: %s" % (w, doc["runtimes"][w]["errors"]))
    for sec, metrics in want.items():
        for m in metrics:
            if (sec, m, w) not in have:
                bad.append("no %s/%s for %s" % (sec, m, w))
for rules in ("10", "100"):
    if not any(s["section"] == "policy" and str(s["param"]) == rules for s in doc["samples"]):
        bad.append("no policy-size sample for %s rules" % rules)
# the seccomp floor: the host probe's getppid without and with an allow-all filter
for m in ("getppid_nofilter", "getppid_floor"):
    if ("syscalls", m, "host") not in have:
        bad.append("no syscalls/%s for the host" % m)
if not (doc.get("seccomp_floor") or {}).get("host_floor_ns_p50"):
    bad.append("no seccomp_floor in results.json")
if not any("seccomp floor" in t["target"] for t in doc["targets"]):
    bad.append("no seccomp-floor target verdict")
# the supervisor is what ward leaves running under a supervising policy, nothing under none
mem = doc["summary"]["memory"]
if not mem["helper_rss"]["ward-default"][""]["p50"] > 0:
    bad.append("no supervisor found for ward-default")
if mem["helper_rss"]["ward-none"][""]["p50"] != 0:
    bad.append("something left running under policy none")
print("\n".join(bad))
sys.exit(1 if bad else 0)
PY

	# nothing of the run is left: state and work dirs, processes, cgroups, mounts
	prefix=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["id_prefix"])' "$out/results.json")
	state=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["state_dir"])' "$out/results.json")
	work=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["work_dir"])' "$out/results.json")
	[[ $prefix == wb[0-9]*- && $state == /run/ward-bench.* && $work == /tmp/ward-bench.* ]]
	[ ! -e "$state" ]
	[ ! -e "$work" ]
	! pgrep -f -- "$prefix" >/dev/null
	! pgrep -f -- "$state" >/dev/null
	[ -z "$(find /sys/fs/cgroup -maxdepth 6 -type d -name "$prefix*" 2>/dev/null)" ]
	! grep -qE " ($state|$work)[ /]" /proc/self/mountinfo
}
