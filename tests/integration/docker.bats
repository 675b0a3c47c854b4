#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Docker (Debian's docker.io, dockerd 20.10) driving ward through containerd's runc v2 shim,
# every scenario also run with Debian's runc (dockerd's built-in `runc`) as the control.
#
# setup_file starts a private dockerd: its own --data-root, --exec-root, --pidfile and API
# socket under a temp dir, no iptables, no bridge, no IP forwarding or masquerading, cgroupfs
# with a cgroup parent of its own, and the containerd that dockerd starts and stops itself
# (root and socket under those dirs). Its --config-file is made from
# contrib/docker/daemon.json: the same runtime entries (`ward`, `ward-agent` with
# --policy=agent) with `path` pointing at the binary under test. dockerd runs in a private
# mount namespace with every cgroup v1 hierarchy mounted (tests/tools/with-full-cgroup-v1:
# without it `docker stats` fails on this machine for runc too), so its mounts (image
# layers, container root filesystems, network namespaces) vanish with it.
#
# The image is a `docker import` of scripts/mkbundle's busybox rootfs (with the static test
# helpers): no registry is needed. The docker CLI gets a config dir of its own.
#
# The last test stops dockerd and checks that nothing is left running, mounted or in a
# cgroup; teardown_file makes sure of it again when a run stops early.
#
# Needs: docker.io (apt-get install docker.io, or scripts/install-deps --engines), runc.
# Without dockerd every test is skipped with that reason, unless WARD_DEPS_ENGINES=1 (the
# engine target) makes it a failure.

load helpers
load engine_lib

IMAGE=ward-busybox:test

setup_file() {
	local cli=
	if [[ -x /usr/bin/docker ]]; then
		# Debian's client, the one matching dockerd 20.10 (another may be first on PATH)
		cli=/usr/bin/docker
	else
		cli=$(command -v docker || true)
	fi
	if ! command -v dockerd >/dev/null || [[ -z $cli ]]; then
		engine_missing "docker.io is not installed"
		return
	fi
	export DKR_CLI=$cli
	# a short path: unix socket paths (containerd's under the exec root) are limited to 107 bytes
	DKR_DIR=$(mktemp -d /tmp/ward-dkr.XXXXXX)
	export DKR_DIR
	export DKR_SOCK=$DKR_DIR/docker.sock DKR_LOG=$DKR_DIR/dockerd.log
	export DKR_DATA=$DKR_DIR/data DKR_EXEC=$DKR_DIR/exec
	# every container's cgroup is below this one, in every hierarchy
	export DKR_CG=ward-dockertest-$$
	export DOCKER_CONFIG=$DKR_DIR/cli
	mkdir -p "$DOCKER_CONFIG" "$DKR_DIR/cids"

	local driver rc=1
	for driver in ${WARD_DOCKER_STORAGE:-overlay2 vfs}; do
		dkr_write_config "$driver"
		dkr_start_daemon && rc=0 && break
		echo "(that was with storage driver $driver)" >&2
		dkr_stop_daemon
		_ward_umount_under "$DKR_DIR" || true
		rm -rf "$DKR_DATA" "$DKR_EXEC"
	done
	((rc == 0)) || return 1

	"$MKBUNDLE" "$DKR_DIR/image" --rootfs-only --helpers "$WARD_HELPERS_DIR"
	tar -C "$DKR_DIR/image/rootfs" -c . | dkr import - "$IMAGE" >/dev/null
	rm -rf "$DKR_DIR/image"
}

# dkr_write_config DRIVER: $DKR_DIR/daemon.json: contrib/docker/daemon.json (its runtimes with
# their path replaced by $WARD, its cgroupfs driver) plus this test daemon's settings.
dkr_write_config() {
	"$PY" - "$REPO/contrib/docker/daemon.json" "$WARD" "$1" "/$DKR_CG" >"$DKR_DIR/daemon.json" <<'PY'
import json, sys
contrib, ward, driver, cgparent = sys.argv[1:5]
cfg = json.load(open(contrib))
runtimes = cfg["runtimes"]
for name in ("ward", "ward-agent"):
    if name not in runtimes:
        sys.exit("%s: no runtime %r" % (contrib, name))
for rt in runtimes.values():
    rt["path"] = ward
# the test daemon's own settings on top of contrib's (which keeps its other keys)
cfg.update({
    "storage-driver": driver,
    "cgroup-parent": cgparent,
    "log-driver": "json-file",
    "userland-proxy": False,
})
print(json.dumps(cfg, indent="\t"))
PY
}

# dkr_start_daemon: starts dockerd (log $DKR_LOG, pid in $DKR_DIR/dockerd.pid) and waits
# for its API (60 s at most).
dkr_start_daemon() {
	engine_start_daemon "$DKR_DIR" dockerd 60 dkr version -- \
		dockerd --config-file "$DKR_DIR/daemon.json" --data-root "$DKR_DATA" \
		--exec-root "$DKR_EXEC" --pidfile "$DKR_DIR/dockerd.pid.own" -H "unix://$DKR_SOCK" \
		--iptables=false --ip6tables=false --bridge=none --ip-forward=false --ip-masq=false ||
		return 1
	export DKR_PID=$ENGINE_PID DKR_MNTNS=$ENGINE_MNTNS
}

teardown_file() {
	engine_teardown_file "${DKR_DIR:-}" dkr_stop_all dkr_leftovers dkr_remove_cgroups
}

setup() {
	engine_setup "${DKR_LOG:-}"
	DKR_TEST_CIDS=$WARD_TEST_DIR/cids
	mkdir -p "$DKR_TEST_CIDS"
}

teardown() {
	engine_show_log dockerd "${DKR_LOG:-}"
	# whatever a failed test left behind
	local f ids=()
	for f in "${DKR_TEST_CIDS:-/nonexistent}"/*; do
		[[ -s $f ]] && ids+=("$(cat "$f")")
	done
	if ((${#ids[@]} > 0)); then
		timeout 60 "$DKR_CLI" -H "unix://$DKR_SOCK" rm -f "${ids[@]}" >/dev/null 2>&1 || true
	fi
	ward_common_teardown
}

# dkr ARG...: the docker CLI on our daemon (60 s at most).
dkr() {
	timeout 60 "$DKR_CLI" -H "unix://$DKR_SOCK" "$@"
}

# use_rt ward|runc: the runtime this test asks docker for.
use_rt() {
	engine_use_rt "$1"
}

# cidfile: a fresh --cidfile path (docker writes the container's id there; teardown removes
# every container named in one, and the last test looks for their shims' sockets).
cidfile() {
	local f
	f=$(mktemp -u "$DKR_TEST_CIDS/cid.XXXXXX")
	# the global list: written now, read when docker has filled the file
	echo "$f" >>"$DKR_DIR/cidfiles"
	echo "$f"
}

# drun [docker run OPTION...] -- ARG...: docker run of our image with this test's runtime
# (stdin from /dev/null unless redirected by the caller).
drun() {
	local opts args
	engine_split_opts "$@"
	dkr run --runtime="$RT" --cidfile "$(cidfile)" "${opts[@]}" "$IMAGE" "${args[@]}"
}

# drun_d [docker run OPTION...] -- ARG...: a detached container; prints its id.
drun_d() {
	drun -d "$@" </dev/null
}

# a shell that exits 0 on SIGTERM, with a background sleep
TRAP_SH='trap "exit 0" TERM; echo started; sleep 1000 & wait'

inspect() {
	dkr inspect -f "$2" "$1"
}

# wait_state ID GO-TEMPLATE WANT: polls docker inspect until the template prints WANT (30 s).
wait_state() {
	engine_wait_for "container $1: $2" "$3" inspect "$1" "$2"
}

# top_count ID ERE: how many lines of `docker top ID` match ERE.
top_count() {
	dkr top "$1" | grep -cE -- "$2"
}

# ward_state_root ID: the --root the shim gave ward for container ID (dockerd 20.10 names it
# after runc whatever the runtime).
ward_state_root() {
	local d
	d=$(find "$DKR_EXEC" -mindepth 3 -maxdepth 3 -type d -name "$1" -path '*/runtime-*' | head -n 1)
	[[ -n $d ]] || return 1
	dirname "$d"
}

# start_with_policy POLICY: a detached `sleep 1000` without network, with the runtime entry
# $RT; checks that ward runs it under POLICY. Sets the caller's id and root (ward's --root).
start_with_policy() {
	id=$(drun_d --network=none -- sleep 1000)
	wait_state "$id" '{{.State.Status}}' running
	root=$(ward_state_root "$id")
	[[ $("$WARD" --root "$root" state "$id" | json_get .policy) == "$1" ]]
}

# audit_has ROOT ID REGEX: ward's audit log of the container has a line matching REGEX.
audit_has() {
	"$WARD" --root "$1" audit "$2" | grep -qE "$3"
}

# --- stopping and checking ----------------------------------------------------------------

# dkr_stop_daemon: stops dockerd (the pid we started, after checking it is still our dockerd;
# it stops its containerd itself) and waits for both to be gone.
dkr_stop_daemon() {
	local ctd n
	ctd=$(cat "$DKR_EXEC/containerd/containerd.pid" 2>/dev/null) || ctd=
	engine_stop_daemon "$DKR_DIR" dockerd "$DKR_DIR/daemon.json"
	# dockerd's containerd (it names our exec root; another containerd would not)
	if [[ $ctd =~ ^[0-9]+$ ]] && cmdline "$ctd" | grep -qF -- "$DKR_EXEC/containerd"; then
		n=100
		while alive "$ctd" && ((n-- > 0)); do sleep 0.1; done
		if alive "$ctd"; then
			echo "dockerd's containerd $ctd outlived it: SIGKILL" >&2
			kill -KILL "$ctd" 2>/dev/null || true
		fi
	fi
}

# dkr_stop_all: removes every container, then stops the daemons.
dkr_stop_all() {
	if [[ -S ${DKR_SOCK:-} ]]; then
		local ids
		ids=$(timeout 30 "$DKR_CLI" -H "unix://$DKR_SOCK" ps -aq 2>/dev/null) || ids=
		if [[ -n $ids ]]; then
			# shellcheck disable=SC2086
			timeout 60 "$DKR_CLI" -H "unix://$DKR_SOCK" rm -f $ids >/dev/null 2>&1 || true
		fi
	fi
	dkr_stop_daemon
}

# dkr_cgroups: our cgroup parent's directories, in every hierarchy (dockerd saw them all,
# net_cls,net_prio too, which the host leaves unmounted).
dkr_cgroups() {
	engine_cgroups "$DKR_CG"
}

# dkr_remove_cgroups: kills what runs in our cgroup parent and removes it, everywhere.
dkr_remove_cgroups() {
	engine_remove_cgroups "${DKR_CG:-}"
}

# dkr_leftovers [--kill]: prints what our dockerd left behind and fails if anything:
# processes in its mount namespace (containerd, shims, supervisors), in our cgroups
# (containers) or naming our dir, mounts under our dir, cgroups, runtime state, shim sockets.
dkr_leftovers() {
	local kill=0 bad=0 f cid
	[[ ${1:-} == --kill ]] && kill=1
	engine_left_procs "$kill" "${DKR_MNTNS:-}" "$DKR_CG" "$DKR_DIR/" || bad=1
	engine_left_mounts "$DKR_DIR" || bad=1
	dkr_cgroups | engine_left_lines cgroup || bad=1
	engine_left_paths "runtime state" "$DKR_EXEC"/runtime-*/*/* || bad=1
	# the shims of the containers docker named in the cidfiles (namespace moby of dockerd's
	# containerd)
	if [[ -f $DKR_DIR/cidfiles ]]; then
		while read -r f; do
			cid=$(cat "$f" 2>/dev/null) && engine_record_shim "$DKR_DIR/ids" moby "$cid"
		done <"$DKR_DIR/cidfiles"
	fi
	engine_left_shim_sockets "$kill" "$DKR_EXEC/containerd/containerd.sock" "$DKR_DIR/ids" || bad=1
	((bad == 0))
}

# --- scenarios, each run with ward and with runc -----------------------------------------

sc_run_exit_codes() {
	run drun --rm -- sh -c 'echo "hello from $(cat /proc/1/comm)"' </dev/null
	echo "status $status: $output"
	[[ $status == 0 && $output == "hello from sh" ]]
	run drun --rm -- sh -c 'echo out; exit 3' </dev/null
	echo "status $status: $output"
	[[ $status == 3 && $output == out ]]
	# --rm removed the container, and the runtime's state with it
	[[ -z $(dkr ps -aq) ]]
	[[ -z $(ls -A "$DKR_EXEC"/runtime-*/moby 2>/dev/null) ]]
	# SIGKILL from docker kill: 137, and the process is gone
	local id pid
	id=$(drun_d -- sleep 1000)
	wait_state "$id" '{{.State.Status}}' running
	pid=$(inspect "$id" '{{.State.Pid}}')
	alive "$pid"
	dkr kill "$id"
	run dkr wait "$id"
	echo "status $status: $output"
	[[ $output == 137 ]]
	[[ $(inspect "$id" '{{.State.ExitCode}}') == 137 ]]
	dead "$pid"
	dkr rm "$id"
}

sc_run_error_cause() {
	# a missing program: the runtime's own message reaches the user, and docker's exit code
	# for "not found" (127), which it derives from that message
	run drun --rm -- /no/such/program </dev/null
	echo "status $status: $output"
	[[ $status == 127 ]]
	[[ $output == *'"/no/such/program"'*"no such file or directory"* ]]
	# a file that is not executable: docker's 126
	run drun --rm -- /etc/passwd </dev/null
	echo "status $status: $output"
	[[ $status == 126 ]]
	[[ $output == *'"/etc/passwd"'*"permission denied"* ]]
	# the message is the runtime's, not a bare "exit status 1"
	[[ $output != *"exit status 1"* ]]
	case $RT in
	ward) [[ $output == *"process.args[0]: exec:"* ]] ;;
	runc) [[ $output == *"runc create failed"* ]] ;;
	esac
	[[ -z $(dkr ps -aq) ]]
}

sc_tty_run() {
	engine_tty_run '/dev/pts/[0-9]+' \
		timeout 60 "$DKR_CLI" -H "unix://$DKR_SOCK" run -it --rm --runtime="$RT" \
		--cidfile "$(cidfile)" "$IMAGE"
	[[ -z $(dkr ps -aq) ]]
}

sc_exec() {
	local id
	id=$(drun_d -- sh -c "$TRAP_SH")
	wait_state "$id" '{{.State.Status}}' running
	# output, exit code, same pid namespace as the container's init; stdin with -i
	engine_check_exec "$id" dkr exec
	# (and nothing but the exec's output)
	[[ $output == "exec-got:piped-in" ]]
	# a missing program: the runtime's message, docker's exec code 126
	run dkr exec "$id" /no/such/program </dev/null
	echo "status $status: $output"
	[[ $status == 126 && $output == *"no such file or directory"* ]]
	# a terminal
	engine_tty_exec timeout 60 "$DKR_CLI" -H "unix://$DKR_SOCK" exec -it "$id"
	dkr rm -f "$id"
}

sc_stop_kill() {
	local id pid
	# docker stop sends SIGTERM: the shell's trap exits 0
	id=$(drun_d -- sh -c "$TRAP_SH")
	wait_state "$id" '{{.State.Status}}' running
	pid=$(inspect "$id" '{{.State.Pid}}')
	dkr stop -t 30 "$id"
	[[ $(inspect "$id" '{{.State.Status}} {{.State.ExitCode}}') == "exited 0" ]]
	dead "$pid"
	# a pid 1 without a handler ignores SIGTERM: stop falls back to SIGKILL
	id=$(drun_d -- sleep 1000)
	wait_state "$id" '{{.State.Status}}' running
	dkr stop -t 1 "$id"
	[[ $(inspect "$id" '{{.State.Status}} {{.State.ExitCode}}') == "exited 137" ]]
	# docker kill -s: the named signal reaches the process
	id=$(drun_d -- sh -c 'trap "exit 42" USR1; sleep 1000 & wait')
	wait_state "$id" '{{.State.Status}}' running
	dkr kill -s USR1 "$id"
	wait_state "$id" '{{.State.Status}} {{.State.ExitCode}}' "exited 42"
	# a stopped container starts again
	dkr start "$id"
	wait_state "$id" '{{.State.Status}}' running
	dkr kill "$id"
	wait_state "$id" '{{.State.Status}} {{.State.ExitCode}}' "exited 137"
	dkr rm -f "$(dkr ps -aq)"
}

sc_restart_policy() {
	local id
	id=$(drun_d --restart=on-failure:2 -- sh -c 'echo run; exit 7')
	# two restarts, then it stays down with the program's code
	wait_state "$id" '{{.RestartCount}} {{.State.Status}}' "2 exited"
	[[ $(inspect "$id" '{{.State.ExitCode}}') == 7 ]]
	run dkr logs "$id"
	echo "status $status: $output"
	[[ $(grep -cx run <<<"$output") == 3 ]]
	dkr rm "$id"
}

sc_logs() {
	local id
	id=$(drun_d -- sh -c 'echo to-stdout; echo to-stderr >&2; echo line2')
	wait_state "$id" '{{.State.Status}}' exited
	run dkr logs "$id"
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output == *to-stdout* && $output == *to-stderr* && $output == *line2* ]]
	# the two streams stay apart
	[[ $(dkr logs "$id" 2>/dev/null) == $'to-stdout\nline2' ]]
	[[ $(dkr logs "$id" 2>&1 >/dev/null) == to-stderr ]]
	dkr rm "$id"
}

sc_read_only() {
	run drun --rm --read-only -- sh -c \
		'touch /newfile && echo wrote-root; touch /tmp/x && echo wrote-tmp; grep " / " /proc/self/mounts' </dev/null
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output != *wrote-root* && $output != *wrote-tmp* ]]
	[[ $output == *"Read-only file system"* ]]
	[[ $output =~ \ /\ [a-z0-9]+\ ro[,\ ] ]]
}

# capability bit numbers
CAP_NET_BIND_SERVICE=10 CAP_NET_RAW=13 CAP_SYS_ADMIN=21

sc_caps() {
	run drun --rm --cap-drop ALL --cap-add NET_BIND_SERVICE -- grep ^Cap /proc/self/status </dev/null
	echo "status $status: $output"
	[[ $status == 0 ]]
	local want
	want=$(printf '%016x' $((1 << CAP_NET_BIND_SERVICE)))
	grep -qx "CapEff:	$want" <<<"$output"
	grep -qx "CapPrm:	$want" <<<"$output"
	grep -qx "CapBnd:	$want" <<<"$output"
	grep -qx "CapInh:	0000000000000000" <<<"$output"
	# docker's default set: NET_RAW among them, SYS_ADMIN not
	local eff
	eff=$(drun --rm -- awk '/^CapEff/ { print $2 }' /proc/self/status </dev/null)
	(((0x$eff >> CAP_NET_RAW) & 1))
	((((0x$eff >> CAP_SYS_ADMIN) & 1) == 0))
	# and the kernel honours it: port 80 can be bound with NET_BIND_SERVICE, not without
	# (dockerd opens every port to everyone in a container's network namespace, through
	# ip_unprivileged_port_start=0: put the kernel's default back for this check)
	local lowports=--sysctl=net.ipv4.ip_unprivileged_port_start=1024
	run drun --rm "$lowports" --cap-drop ALL --cap-add NET_BIND_SERVICE -- sh -c "$BIND80" </dev/null
	echo "status $status: $output"
	[[ $output == *bound-80* ]]
	run drun --rm "$lowports" --cap-drop ALL -- sh -c "$BIND80" </dev/null
	echo "status $status: $output"
	[[ $output == *"Permission denied"* && $output != *bound-80* ]]
}

# BIND80: listens on port 80 with busybox nc; "bound-80" once it listens, or nc's error
BIND80='nc -l -p 80 & p=$!
	while :; do
		if netstat -ltn | grep -q ":80 "; then echo bound-80; kill $p; break; fi
		kill -0 $p 2>/dev/null || { wait $p; echo "nc exited $?"; break; }
		usleep 20000
	done'

sc_memory() {
	local id pid f
	id=$(drun_d --memory 64m -- sh -c 'cat /sys/fs/cgroup/memory/memory.limit_in_bytes; sleep 1000')
	wait_state "$id" '{{.State.Status}}' running
	pid=$(inspect "$id" '{{.State.Pid}}')
	f=$(cgroup_file "$pid" memory memory.limit_in_bytes)
	[[ $f == */$DKR_CG/$id/memory.limit_in_bytes ]]
	[[ $(cat "$f") == 67108864 ]]
	# the container's own view of its cgroup says the same
	wait_until dkr logs "$id" | grep -q .
	[[ $(dkr logs "$id") == 67108864 ]]
	# docker update changes it in place
	dkr update --memory 128m --memory-swap 256m "$id"
	[[ $(cat "$f") == 134217728 ]]
	[[ $(cat "${f%/*}/memory.memsw.limit_in_bytes" 2>/dev/null || echo 268435456) == 268435456 ]]
	[[ $(inspect "$id" '{{.HostConfig.Memory}}') == 134217728 ]]
	dkr rm -f "$id"
}

sc_pids_limit() {
	local id pid f
	id=$(drun_d --pids-limit 8 -- sh -c "$TRAP_SH")
	wait_state "$id" '{{.State.Status}}' running
	pid=$(inspect "$id" '{{.State.Pid}}')
	f=$(cgroup_file "$pid" pids pids.max)
	[[ $(cat "$f") == 8 ]]
	# the kernel refuses the ninth process
	run dkr exec "$id" sh -c 'i=0; while [ $i -lt 12 ]; do sleep 100 & i=$((i + 1)); done; wait' </dev/null
	echo "status $status: $output"
	[[ $output == *"can't fork"* || $output == *"Resource temporarily unavailable"* ]]
	[[ $(cat "${f%/*}/pids.current") -le 8 ]]
	# docker update raises it
	dkr update --pids-limit 50 "$id"
	[[ $(cat "$f") == 50 ]]
	dkr rm -f "$id"
}

sc_cpus() {
	local id pid d
	id=$(drun_d --cpus 0.5 -- sleep 1000)
	wait_state "$id" '{{.State.Status}}' running
	pid=$(inspect "$id" '{{.State.Pid}}')
	d=$(dirname "$(cgroup_file "$pid" cpu cpu.cfs_quota_us)")
	[[ $(cat "$d/cpu.cfs_period_us") == 100000 ]]
	[[ $(cat "$d/cpu.cfs_quota_us") == 50000 ]]
	dkr update --cpus 0.25 "$id"
	[[ $(cat "$d/cpu.cfs_quota_us") == 25000 ]]
	dkr rm -f "$id"
}

sc_user() {
	mkdir -p "$WARD_TEST_DIR/u"
	chmod 0777 "$WARD_TEST_DIR/u"
	run drun --rm --user 1000:1000 -v "$WARD_TEST_DIR/u:/u" -- \
		sh -c 'id; grep ^CapEff /proc/self/status; touch /u/made' </dev/null
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output == *"uid=1000 gid=1000"* ]]
	# a non-root user keeps no effective capability
	grep -qx "CapEff:	0000000000000000" <<<"$output"
	[[ $(stat -c %u:%g "$WARD_TEST_DIR/u/made") == 1000:1000 ]]
}

sc_tmpfs() {
	run drun --rm --read-only --tmpfs /x -- \
		sh -c 'grep " /x " /proc/self/mounts; echo data >/x/f && cat /x/f' </dev/null
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output =~ ^tmpfs\ /x\ tmpfs\ rw ]]
	[[ $output == *$'\ndata' ]]
}

sc_bind() {
	local hd=$WARD_TEST_DIR/host
	mkdir -p "$hd"
	echo from-host >"$hd/in"
	run drun --rm -v "$hd:/data" -- sh -c 'cat /data/in; echo from-container >/data/out' </dev/null
	echo "status $status: $output"
	[[ $status == 0 && $output == from-host ]]
	[[ $(cat "$hd/out") == from-container ]]
	# :ro binds refuse writes
	run drun --rm -v "$hd:/data:ro" -- sh -c 'cat /data/in; echo x >/data/out2' </dev/null
	echo "status $status: $output"
	[[ $status != 0 && $output == *"Read-only file system"* ]]
	[[ ! -e $hd/out2 ]]
}

# PROBE_SECCOMP: the personality(ADDR_NO_RANDOMIZE) call Docker's default profile refuses
# (its rule allows only a few personas), an unprivileged new user namespace, the filters
PROBE_SECCOMP='probe syscall personality 0x40000 | grep ^errname=; unshare -U true && echo userns-ok; grep ^Seccomp /proc/self/status'

sc_seccomp() {
	run drun --rm -- sh -c "$PROBE_SECCOMP" </dev/null
	echo "status $status: $output"
	local def=$output
	# Docker's profile is loaded: the call is refused with EPERM, so is the namespace
	grep -qx 'errname=EPERM' <<<"$def"
	[[ $def != *userns-ok* ]]
	grep -qx 'Seccomp:	2' <<<"$def"
	run drun --rm --security-opt seccomp=unconfined -- sh -c "$PROBE_SECCOMP" </dev/null
	echo "status $status: $output"
	local unc=$output
	grep -qx 'errname=0' <<<"$unc"
	# one filter fewer: exactly Docker's is gone
	local nd nu
	nd=$(awk '/^Seccomp_filters/ { print $2 }' <<<"$def")
	nu=$(awk '/^Seccomp_filters/ { print $2 }' <<<"$unc")
	[[ $nu == $((nd - 1)) ]]
	case $RT in
	# nothing filters runc's container any more
	runc) [[ $nu == 0 && $unc == *userns-ok* ]] ;;
	# ward's own filter stays (its default policy refuses new user namespaces by design)
	ward) [[ $nu == 1 && $unc != *userns-ok* ]] ;;
	esac
}

sc_pause() {
	local id pid fz tick
	# a ticker on a bind mount, to see from the host whether the container runs
	mkdir -p "$WARD_TEST_DIR/t"
	id=$(drun_d -v "$WARD_TEST_DIR/t:/t" -- sh -c 'i=0; while :; do i=$((i + 1)); echo $i >/t/n; sleep 0.05; done')
	wait_state "$id" '{{.State.Status}}' running
	wait_until test -s "$WARD_TEST_DIR/t/n"
	pid=$(inspect "$id" '{{.State.Pid}}')
	fz=$(cgroup_file "$pid" freezer freezer.state)
	dkr pause "$id"
	[[ $(inspect "$id" '{{.State.Status}} {{.State.Paused}}') == "paused true" ]]
	[[ $(cat "$fz") == FROZEN ]]
	tick=$(cat "$WARD_TEST_DIR/t/n")
	sleep 0.5
	[[ $(cat "$WARD_TEST_DIR/t/n") == "$tick" ]]
	# docker refuses to exec in a paused container
	run dkr exec "$id" true </dev/null
	echo "status $status: $output"
	[[ $status != 0 && $output == *paused* ]]
	dkr unpause "$id"
	[[ $(inspect "$id" '{{.State.Status}} {{.State.Paused}}') == "running false" ]]
	[[ $(cat "$fz") == THAWED ]]
	wait_until test "$(cat "$WARD_TEST_DIR/t/n")" != "$tick"
	dkr rm -f "$id"
}

sc_stats_top() {
	local id
	id=$(drun_d --memory 64m -- sh -c 'sleep 1000 & sleep 1001 & wait')
	wait_state "$id" '{{.State.Status}}' running
	engine_wait_for "container $id: sleeps in docker top" 2 top_count "$id" ' sleep 100[01]$'
	run dkr top "$id"
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ ${lines[0]} == UID*PID*PPID*CMD ]]
	[[ $output == *"sleep 1000"* && $output == *"sleep 1001"* ]]
	# the host pids docker shows are the container's processes
	local pid
	pid=$(inspect "$id" '{{.State.Pid}}')
	[[ $output =~ [[:space:]]$pid[[:space:]] ]]
	run dkr stats --no-stream --format '{{.ID}} {{.PIDs}} {{.MemUsage}}' "$id"
	echo "status $status: $output"
	[[ $status == 0 ]]
	# three processes, a non-zero usage under the 64 MiB limit
	read -r sid spids smem _ slimit <<<"$output"
	[[ $id == "$sid"* && $spids == 3 && $slimit == 64MiB ]]
	[[ $smem =~ ^[0-9.]+[KM]i?B$ && $smem != 0B ]]
	dkr rm -f "$id"
}

sc_network_none() {
	run drun --rm --network=none -- sh -c \
		'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; nc -w 2 10.0.0.1 80 </dev/null 2>&1' </dev/null
	echo "status $status: $output"
	[[ $status != 0 ]]
	[[ ${lines[0]} == lo && ${#lines[@]} == 2 ]]
	[[ ${lines[1]} == *"Network is unreachable"* ]]
}

# --- the tests ----------------------------------------------------------------------------

@test "dockerd lists contrib/docker/daemon.json's runtimes (pointing at the tested binary)" {
	run dkr info --format '{{json .Runtimes}}'
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $(json_get '.ward.path' <<<"$output") == "$WARD" ]]
	[[ $(json_get '["ward-agent"].path' <<<"$output") == "$WARD" ]]
	[[ $(json_get '["ward-agent"].runtimeArgs' <<<"$output") == '["--policy=agent"]' ]]
	# ward has no systemd cgroup driver: contrib's exec-opts select cgroupfs
	[[ $(dkr info --format '{{.CgroupDriver}}') == cgroupfs ]]
}

@test "ward: docker run: output and exit codes 0, 3 and 137 (docker kill)" {
	use_rt ward
	sc_run_exit_codes
}
@test "runc: docker run: output and exit codes 0, 3 and 137 (docker kill)" {
	use_rt runc
	sc_run_exit_codes
}

@test "ward: docker run of a missing or non-executable program shows the runtime's message (127, 126)" {
	use_rt ward
	sc_run_error_cause
}
@test "runc: docker run of a missing or non-executable program shows the runtime's message (127, 126)" {
	use_rt runc
	sc_run_error_cause
}

@test "ward: docker run -it (tty through the console socket)" {
	use_rt ward
	sc_tty_run
}
@test "runc: docker run -it (tty through the console socket)" {
	use_rt runc
	sc_tty_run
}

@test "ward: docker exec (exit code, stdin, same pid namespace, a missing program, -it)" {
	use_rt ward
	sc_exec
}
@test "runc: docker exec (exit code, stdin, same pid namespace, a missing program, -it)" {
	use_rt runc
	sc_exec
}

@test "ward: docker stop (SIGTERM, then SIGKILL), docker kill -s, docker start again" {
	use_rt ward
	sc_stop_kill
}
@test "runc: docker stop (SIGTERM, then SIGKILL), docker kill -s, docker start again" {
	use_rt runc
	sc_stop_kill
}

@test "ward: --restart=on-failure:2 restarts twice" {
	use_rt ward
	sc_restart_policy
}
@test "runc: --restart=on-failure:2 restarts twice" {
	use_rt runc
	sc_restart_policy
}

@test "ward: docker logs (stdout and stderr apart)" {
	use_rt ward
	sc_logs
}
@test "runc: docker logs (stdout and stderr apart)" {
	use_rt runc
	sc_logs
}

@test "ward: --read-only" {
	use_rt ward
	sc_read_only
}
@test "runc: --read-only" {
	use_rt runc
	sc_read_only
}

@test "ward: --cap-drop ALL --cap-add NET_BIND_SERVICE, and the default set" {
	use_rt ward
	sc_caps
}
@test "runc: --cap-drop ALL --cap-add NET_BIND_SERVICE, and the default set" {
	use_rt runc
	sc_caps
}

@test "ward: --memory in the cgroup (host and container view), docker update --memory" {
	use_rt ward
	sc_memory
}
@test "runc: --memory in the cgroup (host and container view), docker update --memory" {
	use_rt runc
	sc_memory
}

@test "ward: --pids-limit enforced, docker update --pids-limit" {
	use_rt ward
	sc_pids_limit
}
@test "runc: --pids-limit enforced, docker update --pids-limit" {
	use_rt runc
	sc_pids_limit
}

@test "ward: --cpus as a CFS quota, docker update --cpus" {
	use_rt ward
	sc_cpus
}
@test "runc: --cpus as a CFS quota, docker update --cpus" {
	use_rt runc
	sc_cpus
}

@test "ward: --user 1000:1000" {
	use_rt ward
	sc_user
}
@test "runc: --user 1000:1000" {
	use_rt runc
	sc_user
}

@test "ward: --tmpfs /x on a read-only root" {
	use_rt ward
	sc_tmpfs
}
@test "runc: --tmpfs /x on a read-only root" {
	use_rt runc
	sc_tmpfs
}

@test "ward: -v hostdir:/data (rw and ro)" {
	use_rt ward
	sc_bind
}
@test "runc: -v hostdir:/data (rw and ro)" {
	use_rt runc
	sc_bind
}

@test "ward: Docker's default seccomp profile, and --security-opt seccomp=unconfined" {
	use_rt ward
	sc_seccomp
}
@test "runc: Docker's default seccomp profile, and --security-opt seccomp=unconfined" {
	use_rt runc
	sc_seccomp
}

@test "ward: docker pause / unpause (frozen, exec refused, thawed)" {
	use_rt ward
	sc_pause
}
@test "runc: docker pause / unpause (frozen, exec refused, thawed)" {
	use_rt runc
	sc_pause
}

@test "ward: docker top and docker stats --no-stream" {
	use_rt ward
	sc_stats_top
}
@test "runc: docker top and docker stats --no-stream" {
	use_rt runc
	sc_stats_top
}

@test "ward: --network=none" {
	use_rt ward
	sc_network_none
}
@test "runc: --network=none" {
	use_rt runc
	sc_network_none
}

@test "ward-agent: the runtime's runtimeArgs reach ward (policy agent, egress refused)" {
	local id root
	RT=ward
	start_with_policy default
	run dkr exec "$id" nc -w 2 10.0.0.1 80 </dev/null
	echo "status $status: $output"
	[[ $output == *"Network is unreachable"* ]]
	dkr rm -f "$id"

	RT=ward-agent
	start_with_policy agent
	# the agent policy refuses egress before the kernel's routing is asked
	run dkr exec "$id" nc -w 2 10.0.0.1 80 </dev/null
	echo "status $status: $output"
	[[ $status != 0 && $output == *"Permission denied"* ]]
	# and the supervisor's audit log has the refusal (written just after it answered)
	wait_until audit_has "$root" "$id" '"syscall":"connect".*"address":"10.0.0.1".*"decision":"deny"'
	dkr rm -f "$id"
}

@test "dockerd stops and nothing is left running, mounted, in a cgroup or in state" {
	dkr_stop_all
	dead "$DKR_PID"
	# dockerd leaves its (empty) cgroup parent behind, for runc too: that one is ours to remove
	run dkr_cgroups
	echo "cgroups after dockerd stopped: $output"
	dkr_remove_cgroups
	run dkr_leftovers
	echo "status $status: $output"
	[[ $status == 0 ]]
}
