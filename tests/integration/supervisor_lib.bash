# SPDX-License-Identifier: Apache-2.0
# Helpers of the supervisor tests (supervisor*.bats): a private network namespace for the
# container, witnesses (servers outside the container, in that namespace) that count what
# really arrived, and the container's supervisor process. Load after `load helpers`.
#
# The network namespace is held by a sleeping process (not an `ip netns` bind mount, which
# a concurrent cleanup of leaked mounts could take away): NETNS=/proc/<pid>/ns/net.
# Its lo is up and carries two extra addresses that are local but not loopback:
#   DENIED4=10.99.0.1   DENIED6=fd00:99::1
# so a connection the policy refuses would otherwise succeed, and the witness bound there
# would count it.

SUP_NET=$WARD_HELPERS_DIR/sup_net
DENIED4=10.99.0.1
DENIED6=fd00:99::1

sup_setup() {
	ward_common_setup
	[[ -x $SUP_NET && -x $WARD_HELPERS_DIR/probe ]] || skip "static helpers missing: make helpers"
	: >"$WARD_TEST_DIR/sup_pids"
}

sup_teardown() {
	ward_common_teardown
	# the processes this test started (witnesses, the namespace holder), by pid
	local pid
	if [[ -f ${WARD_TEST_DIR:-/nonexistent}/sup_pids ]]; then
		while read -r pid; do
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		done <"$WARD_TEST_DIR/sup_pids"
	fi
	return 0
}

setup() {
	sup_setup
}

teardown() {
	sup_teardown
}

# sup_netns: makes the network namespace (sets NETNS and NETNS_PID).
sup_netns() {
	unshare --net sleep 100000 &
	NETNS_PID=$!
	echo "$NETNS_PID" >>"$WARD_TEST_DIR/sup_pids"
	local mine n=0
	mine=$(readlink /proc/self/ns/net)
	# unshare has run once the holder's namespace differs from ours
	while [[ $(readlink "/proc/$NETNS_PID/ns/net" 2>/dev/null) == "$mine" ]]; do
		((n++ < 200)) || return 1
		sleep 0.05
	done
	NETNS=/proc/$NETNS_PID/ns/net
	nsenter --net="$NETNS" ip link set lo up
	nsenter --net="$NETNS" ip addr add "$DENIED4/32" dev lo
	nsenter --net="$NETNS" ip addr add "$DENIED6/128" dev lo nodad
}

# sup_bundle_netns: the bundle's container joins NETNS instead of a new namespace.
sup_bundle_netns() {
	"$PY" - "$BUNDLE/config.json" "$NETNS" <<'PY'
import json, sys
path, ns = sys.argv[1:3]
doc = json.load(open(path))
nss = doc["linux"].setdefault("namespaces", [])
for n in nss:
    if n["type"] == "network":
        n["path"] = ns
        break
else:
    nss.append({"type": "network", "path": ns})
json.dump(doc, open(path, "w"), indent="\t")
PY
}

# sup_serve PROTO ADDR PORT: starts a witness in NETNS; it appends a line to
# $WARD_TEST_DIR/w-PROTO-ADDR-PORT for each connection or datagram.
sup_serve() {
	local log=$WARD_TEST_DIR/w-$1-$2-$3
	rm -f "$log" "$log.ready"
	nsenter --net="$NETNS" "$SUP_NET" serve "$1" "$2" "$3" "$log" &
	local pid=$!
	echo "$pid" >>"$WARD_TEST_DIR/sup_pids"
	echo "$pid" >>"$WARD_TEST_DIR/witness_pids"
	local n=0
	while [[ ! -e $log.ready ]]; do
		if ((n++ > 200)) || ! kill -0 "$pid" 2>/dev/null; then
			echo "witness $1 $2 $3 did not start" >&2
			return 1
		fi
		sleep 0.05
	done
}

# sup_serve_unix NAME: a unix witness at $WARD_TEST_DIR/NAME (host side), log w-unix-NAME
sup_serve_unix() {
	local log=$WARD_TEST_DIR/w-unix-$1
	"$SUP_NET" serve unix "$WARD_TEST_DIR/$1" 0 "$log" &
	local pid=$!
	echo "$pid" >>"$WARD_TEST_DIR/sup_pids"
	echo "$pid" >>"$WARD_TEST_DIR/witness_pids"
	local n=0
	until [[ -e $log.ready ]]; do
		((n++ < 200)) && kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.05
	done
}

# sup_witnesses PORT: a TCP and a UDP witness on each of 127.0.0.1, ::1, DENIED4, DENIED6.
sup_witnesses() {
	local a p
	for a in 127.0.0.1 ::1 "$DENIED4" "$DENIED6"; do
		for p in tcp udp; do
			sup_serve "$p" "$a" "$1" || return 1
		done
	done
}

# sup_witnesses_stop: stops every witness; each drains what is queued before it exits.
sup_witnesses_stop() {
	local pid
	[[ -f $WARD_TEST_DIR/witness_pids ]] || return 0
	while read -r pid; do
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done <"$WARD_TEST_DIR/witness_pids"
	rm -f "$WARD_TEST_DIR/witness_pids"
}

# sup_seen PROTO ADDR PORT: how many connections/datagrams that witness counted.
sup_seen() {
	local log=$WARD_TEST_DIR/w-$1-$2-$3
	if [[ -f $log ]]; then wc -l <"$log"; else echo 0; fi
}

# sup_pid ID: the pid of the container's supervisor (`ward __supervise --state-dir
# $WARD_ROOT/ID ...`), found by its command line; empty when none runs.
sup_pid() {
	local dir=$WARD_ROOT/$1 p cmd
	for p in /proc/[0-9]*; do
		cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		if [[ $cmd == *" __supervise --state-dir $dir "* ]]; then
			echo "${p#/proc/}"
			return 0
		fi
	done
	return 0
}

# sup_audit_check ID: every line of `ward audit ID` is a JSON object; every syscall line
# has the documented fields. Prints the lines as JSON for further checks (python).
sup_audit_fields_ok() {
	ward_cmd audit "$1" | "$PY" -c '
import json, sys
need = ["time", "container", "pid", "comm", "syscall", "decision", "errno", "latency_us"]
bad = 0
for n, line in enumerate(sys.stdin, 1):
    ev = json.loads(line)
    if "syscall" not in ev:
        continue
    miss = [k for k in need if k not in ev]
    if miss or ev["container"] != sys.argv[1]:
        print("line %d lacks %s: %s" % (n, miss, line.strip()))
        bad += 1
sys.exit(1 if bad else 0)
' "$1"
}

# sup_audit_count ID FILTER: how many audit lines match a python expression on `e`, e.g.
#   sup_audit_count c1 'e.get("syscall") == "connect" and e["decision"] == "deny"'
sup_audit_count() {
	ward_cmd audit "$1" | "$PY" -c '
import json, sys
expr = compile(sys.argv[1], "filter", "eval")
n = 0
for line in sys.stdin:
    e = json.loads(line)
    try:
        if eval(expr, {}, {"e": e}):
            n += 1
    except (KeyError, TypeError):
        pass
print(n)
' "$2"
}

# sup_comment TEXT: a TAP comment in the test output (bats fd 3).
sup_comment() {
	echo "# $*" >&3
}
