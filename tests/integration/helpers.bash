# SPDX-License-Identifier: Apache-2.0
# Shared helpers for ward's bats integration tests. Load with `load helpers`.
#
# Every test gets a private state root ($WARD_ROOT, never /run/ward) under its own temp
# dir, so tests cannot see or break each other's containers, and teardown can remove
# everything a test left behind: containers (via `ward delete --force`, then by killing the
# pids found in the state files), mounts under the temp dir, and cgroups named after the
# test's containers.
#
# Variables:
#   REPO         the repository top
#   WARD         the binary under test (env WARD overrides; default $REPO/build/ward)
#   WARD_ROOT    this test's --root
#   BUNDLE       the bundle made by setup_bundle
#   PY           Debian's python3 (the first python3 on PATH may be another build)
#
# A file that needs its own setup/teardown defines them after `load helpers` and calls
# ward_common_setup / ward_common_teardown from them.

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WARD=${WARD:-$REPO/build/ward}
PY=/usr/bin/python3
MKBUNDLE=$REPO/scripts/mkbundle
WARD_HELPERS_DIR=${WARD_HELPERS_DIR:-$REPO/build/helpers}

ward_common_setup() {
	WARD_TEST_DIR=$BATS_TEST_TMPDIR
	WARD_ROOT=$WARD_TEST_DIR/root
	case $WARD_ROOT in
	/run/ward | /run/ward/*)
		echo "refusing to use the system state root $WARD_ROOT" >&2
		return 1
		;;
	esac
	mkdir -p "$WARD_ROOT"
	BUNDLE=$WARD_TEST_DIR/bundle
	: >"$WARD_TEST_DIR/ids"
}

ward_common_teardown() {
	[[ -n ${WARD_TEST_DIR:-} && -d $WARD_TEST_DIR ]] || return 0
	local ids id
	mapfile -t ids < <(_ward_known_ids all)

	# 1. the runtime's own cleanup
	if [[ -x $WARD ]]; then
		for id in "${ids[@]}"; do
			timeout 30 "$WARD" --root "$WARD_ROOT" delete --force "$id" >/dev/null 2>&1 || true
		done
	fi
	# 2. processes the runtime did not clean up: pids recorded in the state files
	_ward_kill_recorded_pids || true
	# 3. cgroups named after this test's containers (and any cgroupsPath of its bundle)
	# (only ids that are surely containers: a stray directory name under the root must
	# not make us remove a host cgroup of the same name)
	mapfile -t ids < <(_ward_known_ids sure)
	for id in "${ids[@]}"; do
		_ward_remove_cgroups_named "$id" || true
	done
	_ward_remove_bundle_cgroup || true
	# 4. mounts left under the temp dir, deepest first
	_ward_umount_under "$WARD_TEST_DIR" || true
	return 0
}

setup() {
	ward_common_setup
}

teardown() {
	ward_common_teardown
}

# ward_cmd ARGS...: runs ward with this test's private --root.
ward_cmd() {
	"$WARD" --root "$WARD_ROOT" "$@"
}

# new_id [PREFIX]: prints a fresh container id and remembers it for teardown.
new_id() {
	local id
	id=${1:-wt}-$$-${BATS_TEST_NUMBER:-0}-$RANDOM
	echo "$id" >>"$WARD_TEST_DIR/ids"
	echo "$id"
}

# setup_bundle [ARG...]: makes $BUNDLE (busybox rootfs + config.json); ARGs become
# process.args. Static helpers from build/helpers are copied into rootfs/bin when built.
setup_bundle() {
	local extra=()
	[[ -d $WARD_HELPERS_DIR ]] && extra=(--helpers "$WARD_HELPERS_DIR")
	if (($# > 0)); then
		"$MKBUNDLE" "$BUNDLE" "${extra[@]}" --args "$@"
	else
		"$MKBUNDLE" "$BUNDLE" "${extra[@]}"
	fi
}

# cfg_set PATH VALUE [FILE]: sets a field of config.json. PATH is a jq-like expression
# (.process.args, .linux.namespaces[0].type, .annotations["dev.ward.policy"]); missing
# objects on the way are created. VALUE is JSON when it parses as JSON, else a string.
cfg_set() {
	_ward_cfg set "${3:-$BUNDLE/config.json}" "$1" "$2"
}

# cfg_append PATH VALUE [FILE]: appends VALUE to the array at PATH (created if missing).
cfg_append() {
	_ward_cfg append "${3:-$BUNDLE/config.json}" "$1" "$2"
}

# cfg_del PATH [FILE]: removes the field at PATH (no error if it is absent).
cfg_del() {
	_ward_cfg del "${2:-$BUNDLE/config.json}" "$1" ""
}

# cfg_get PATH [FILE]: prints the field at PATH as JSON (strings without quotes).
cfg_get() {
	_ward_cfg get "${2:-$BUNDLE/config.json}" "$1" ""
}

# json_get PATH: reads JSON on stdin and prints the field at PATH like cfg_get.
json_get() {
	_ward_cfg get - "$1" ""
}

# state_field ID FIELD: prints one field of `ward state ID`.
state_field() {
	ward_cmd state "$1" | json_get ".$2"
}

# wait_for_status ID STATUS [SECONDS]: polls `ward state` until STATUS (default 10 s).
wait_for_status() {
	local id=$1 want=$2 n=$((${3:-10} * 10)) got=
	while ((n-- > 0)); do
		got=$(state_field "$id" status 2>/dev/null) || got=
		[[ $got == "$want" ]] && return 0
		sleep 0.1
	done
	echo "container $id: status '$got', wanted '$want'" >&2
	return 1
}

# _ward_cfg OP FILE PATH VALUE: the one JSON editor behind cfg_* (Debian's python3).
# The program is passed with -c so that stdin stays free for json_get.
_ward_cfg() {
	"$PY" -c "$_WARD_CFG_PY" "$@"
}
read -r -d '' _WARD_CFG_PY <<'PY' || true
import json, os, re, sys

op, path, expr, value = sys.argv[1:5]
if path == "-" and op != "get":
    sys.exit("cfg: only get reads stdin")

def parse_path(expr):
    """'.a.b[0]["c.d"]' -> ['a', 'b', 0, 'c.d']"""
    toks, i = [], 0
    tok = re.compile(r'\.([A-Za-z_][A-Za-z0-9_-]*)|\[(-?\d+)\]|\["((?:[^"\\]|\\.)*)"\]')
    while i < len(expr):
        m = tok.match(expr, i)
        if not m:
            sys.exit("cfg: bad path %r at %r" % (expr, expr[i:]))
        if m.group(1) is not None:
            toks.append(m.group(1))
        elif m.group(2) is not None:
            toks.append(int(m.group(2)))
        else:
            toks.append(json.loads('"%s"' % m.group(3)))
        i = m.end()
    return toks

def walk(doc, keys, create):
    cur = doc
    for k, nxt in zip(keys, keys[1:]):
        if isinstance(k, int):
            cur = cur[k]
            continue
        if k not in cur or cur[k] is None:
            if not create:
                raise KeyError(k)
            cur[k] = [] if isinstance(nxt, int) else {}
        cur = cur[k]
    return cur

keys = parse_path(expr)
doc = json.load(sys.stdin if path == "-" else open(path))
if op == "get":
    try:
        v = walk(doc, keys, False)[keys[-1]] if keys else doc
    except (KeyError, IndexError, TypeError):
        sys.exit("cfg: %s: no such field" % expr)
    print(v if isinstance(v, str) else json.dumps(v))
    sys.exit(0)
try:
    v = json.loads(value)
except ValueError:
    v = value
parent = walk(doc, keys, True)
last = keys[-1]
if op == "set":
    parent[last] = v
elif op == "append":
    if isinstance(last, str) and last not in parent:
        parent[last] = []
    parent[last].append(v)
elif op == "del":
    try:
        del parent[last]
    except (KeyError, IndexError):
        pass
tmp = path + ".tmp"
with open(tmp, "w") as f:
    json.dump(doc, f, indent="\t")
    f.write("\n")
os.replace(tmp, path)
PY

# _ward_known_ids all|sure: container ids this test may have created: what ward lists and
# what new_id handed out ("sure"), plus the directories under the private root ("all").
_ward_known_ids() {
	{
		# (each step may fail: bats runs this under errexit)
		if [[ -x $WARD ]]; then
			timeout 10 "$WARD" --root "$WARD_ROOT" list -q 2>/dev/null || true
		fi
		cat "$WARD_TEST_DIR/ids" 2>/dev/null || true
		local d
		if [[ $1 == all ]]; then
			for d in "$WARD_ROOT"/*/; do
				if [[ -d $d ]]; then basename "$d"; fi
			done
		fi
	} | grep -v '^$' | sort -u || true
}

# Kills every pid named in a state file under $WARD_ROOT (keys "pid"/"*_pid" in JSON files,
# or files named pid / *.pid), but only processes that belong to a container or to ward:
# in another pid namespace than ours, or running ward itself. Guards against reused pids.
_ward_kill_recorded_pids() {
	[[ -d $WARD_ROOT ]] || return 0
	local pid mypidns
	mypidns=$(readlink /proc/self/ns/pid)
	while read -r pid; do
		[[ $pid =~ ^[0-9]+$ ]] && ((pid > 1)) || continue
		[[ -d /proc/$pid ]] || continue
		if [[ $(readlink "/proc/$pid/ns/pid" 2>/dev/null) != "$mypidns" ]] ||
			tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q ward; then
			kill -KILL "$pid" 2>/dev/null || true
		fi
	done < <("$PY" - "$WARD_ROOT" <<'PY'
import json, os, sys
def pids(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, int) and (k == "pid" or k.endswith("_pid") or k.endswith("Pid")):
                yield x
            else:
                yield from pids(x)
    elif isinstance(v, list):
        for x in v:
            yield from pids(x)
for top, dirs, files in os.walk(sys.argv[1]):
    for name in files:
        p = os.path.join(top, name)
        try:
            data = open(p, "rb").read(1 << 20).decode("utf-8", "replace")
        except OSError:
            continue
        if name == "pid" or name.endswith(".pid"):
            if data.strip().isdigit():
                print(data.strip())
        elif name.endswith(".json"):
            try:
                for x in pids(json.loads(data)):
                    print(x)
            except ValueError:
                pass
PY
	)
}

# _ward_remove_cgroup DIR: kills what runs in a cgroup directory and removes it and its
# children, deepest first.
_ward_remove_cgroup() {
	local d=$1 sub pid
	while IFS= read -r sub; do
		while read -r pid; do
			kill -KILL "$pid" 2>/dev/null || true
		done 2>/dev/null <"$sub/cgroup.procs"
		# freeze state would keep the killed tasks around
		[[ -w $sub/freezer.state ]] && echo THAWED >"$sub/freezer.state" 2>/dev/null
		[[ -w $sub/cgroup.freeze ]] && echo 0 >"$sub/cgroup.freeze" 2>/dev/null
	done < <(find "$d" -depth -type d 2>/dev/null)

	for _ in 1 2 3 4 5 6 7 8 9 10; do
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
		[[ -d $d ]] || return 0
		sleep 0.1
	done
	echo "teardown: could not remove cgroup $d" >&2
}

_ward_remove_cgroups_named() {
	local id=$1 d
	[[ -n $id && $id != */* ]] || return 0
	while IFS= read -r d; do
		_ward_remove_cgroup "$d"
	done < <(find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -name "$id" 2>/dev/null)
}

# The bundle's own linux.cgroupsPath (when a test set a non-default one), in every hierarchy.
_ward_remove_bundle_cgroup() {
	[[ -f $BUNDLE/config.json ]] || return 0
	local cg d
	cg=$(cfg_get .linux.cgroupsPath 2>/dev/null) || return 0
	[[ -n $cg && $cg == /* && $cg != */.. && $cg != */../* && $cg != / ]] || return 0
	for d in /sys/fs/cgroup/*"$cg" /sys/fs/cgroup"$cg"; do
		[[ -d $d && $d != /sys/fs/cgroup ]] && _ward_remove_cgroup "$d"
	done
}

# _ward_umount_under DIR: lazily unmounts every mount point under DIR, deepest first.
_ward_umount_under() {
	local dir=$1 mp
	while IFS= read -r mp; do
		umount -l "$mp" 2>/dev/null || true
	done < <(awk -v d="$dir" '{ p = $5; gsub(/\\040/, " ", p)
			if (p == d || index(p, d "/") == 1) print length(p) "\t" p }' /proc/self/mountinfo |
		sort -rn | cut -f2-)
}

# --- shared by the engine tests (ctr, cri, docker, podman) ----------------------------------

# alive PID: the process exists and is not a zombie.
alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z ]]
}

# cgroup_file PID CONTROLLER FILE: the path of FILE in PID's cgroup of a cgroup v1
# controller, as this mount namespace sees it.
cgroup_file() {
	local path
	path=$(awk -F: -v c="$2" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
		"/proc/$1/cgroup")
	echo "/sys/fs/cgroup/$2$path/$3"
}

# ptyrun ARG...: tests/tools/ptyrun.py (a fresh terminal for an engine's -t/-it client);
# sets status and output (without CRs) like bats' run.
ptyrun() {
	local rc=0
	"$PY" "$REPO/tests/tools/ptyrun.py" --timeout 60 "$@" >"$WARD_TEST_DIR/pty.out" \
		2>"$WARD_TEST_DIR/pty.err" || rc=$?
	status=$rc
	output=$(tr -d '\r' <"$WARD_TEST_DIR/pty.out")
	echo "ptyrun exited $status; stderr: $(cat "$WARD_TEST_DIR/pty.err")"
	echo "output: $output"
}

# A shell snippet for a container on a terminal: engines set the terminal's size just after
# the process starts (it may see 0x0 before, for which busybox's stty fails): wait for a
# non-zero size, then print it.
WAIT_SIZE='until stty size 2>/dev/null | grep -q "^[1-9]"; do sleep 0.1; done; stty size'

# cgroup2_ns SCRIPT: runs the bash SCRIPT (set -e) in a private mount namespace whose
# /sys/fs/cgroup is a pure cgroup2 mount (this host is hybrid)
cgroup2_ns() {
	unshare -m bash -c 'set -e
		mount --make-rprivate /
		umount -l /sys/fs/cgroup
		mount -t cgroup2 none /sys/fs/cgroup
		'"$1"
}
