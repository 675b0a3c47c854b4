#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# containerd (Debian's 1.6) driving ward through its runc shim (io.containerd.runc.v2 with
# `ctr run --runc-binary`), every scenario also run with Debian's runc as the control.
#
# setup_file starts a private containerd: its own config, root, state, gRPC/ttrpc sockets
# under a temp dir, the CRI plugin disabled, in a private mount namespace that has every
# cgroup v1 hierarchy mounted (tests/tools/with-full-cgroup-v1 says why: without that,
# `ctr task metrics` fails on this machine for runc too). Each runtime gets its own
# containerd namespace and its own --runc-root, so ward's and runc's state never mix.
# The last test stops containerd and checks that nothing is left running, mounted or in a
# cgroup; teardown_file makes sure of it again when a run stops early.
#
# Needs: containerd (apt-get install containerd, or scripts/install-deps --engines), runc.
# Without containerd every test is skipped with that reason, unless WARD_DEPS_ENGINES=1
# (the engine target) makes it a failure.

load helpers
load engine_lib

setup_file() {
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		# a plain `make check` machine may lack the engines; the engine target must not
		if [[ ${WARD_DEPS_ENGINES:-0} == 1 ]]; then
			echo "containerd is not installed: scripts/install-deps --engines" >&2
			return 1
		fi
		# (bats 1.8 cannot skip from setup_file: setup does it for every test)
		export CTR_SKIP="containerd is not installed (scripts/install-deps --engines)"
		return 0
	fi
	# a short path: unix socket paths are limited to 107 bytes
	CTR_DIR=$(mktemp -d /tmp/ward-ctr.XXXXXX)
	export CTR_DIR
	export CTR_SOCK=$CTR_DIR/containerd.sock
	export CTR_LOG=$CTR_DIR/containerd.log
	export CTR_NS_WARD=wardtest-$$-ward CTR_NS_RUNC=wardtest-$$-runc
	export RUNC_BIN
	RUNC_BIN=$(command -v runc)
	export CTR_ROOTFS=$CTR_DIR/bundle/rootfs
	"$MKBUNDLE" "$CTR_DIR/bundle" --rootfs-only
	mkdir -p "$CTR_DIR/fifo"

	cat >"$CTR_DIR/config.toml" <<-EOF
		version = 2
		root = "$CTR_DIR/root"
		state = "$CTR_DIR/state"
		disabled_plugins = [
		  "io.containerd.grpc.v1.cri",
		  "io.containerd.internal.v1.opt",
		  "io.containerd.snapshotter.v1.aufs",
		  "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.tracing.processor.v1.otlp",
		  "io.containerd.internal.v1.tracing",
		]
		[grpc]
		  address = "$CTR_SOCK"
		[ttrpc]
		  address = "$CTR_SOCK.ttrpc"
		[debug]
		  level = "debug"
		[metrics]
		  address = ""
		[plugins."io.containerd.gc.v1.scheduler"]
		  startup_delay = "100ms"
	EOF

	unshare -m --propagation private -- "$REPO/tests/tools/with-full-cgroup-v1" \
		containerd --config "$CTR_DIR/config.toml" >"$CTR_LOG" 2>&1 </dev/null 3>&- &
	export CTR_PID=$!
	echo "$CTR_PID" >"$CTR_DIR/containerd.pid"
	local n=300
	until ctr --address "$CTR_SOCK" version >/dev/null 2>&1; do
		if ! kill -0 "$CTR_PID" 2>/dev/null || ((n-- == 0)); then
			echo "containerd did not come up; its log:" >&2
			tail -n 30 "$CTR_LOG" >&2
			return 1
		fi
		sleep 0.1
	done
	export CTR_MNTNS
	CTR_MNTNS=$(readlink "/proc/$CTR_PID/ns/mnt")
}

teardown_file() {
	[[ -n ${CTR_DIR:-} && -d $CTR_DIR ]] || return 0
	ctr_stop_all >/dev/null 2>&1 || true
	ctr_leftovers --kill >&2 || true
	# cgroups our namespaces' containers were in (the shims leave the /NS parents)
	local ns
	for ns in "$CTR_NS_WARD" "$CTR_NS_RUNC"; do
		_ward_remove_cgroups_named "$ns" || true
		# and in the hierarchies only containerd's view has (net_cls, ...)
		engine_remove_cgroups "$ns" || true
	done
	_ward_umount_under "$CTR_DIR" || true
	rm -rf "$CTR_DIR"
}

setup() {
	[[ -z ${CTR_SKIP:-} ]] || skip "$CTR_SKIP"
	ward_common_setup
	CTR_LOG_START=$(stat -c %s "$CTR_LOG" 2>/dev/null || echo 0)
}

teardown() {
	if [[ -z ${BATS_TEST_COMPLETED:-} && -f $CTR_LOG ]]; then
		echo "# containerd log (warnings and errors) during this test:" >&2
		tail -c +$((CTR_LOG_START + 1)) "$CTR_LOG" | grep -E 'level=(warning|error|fatal)' |
			tail -n 25 >&2 || true
	fi
	# whatever a failed test left in its namespace
	if [[ -n ${CTR_NS:-} ]]; then
		ctr_clean_ns "$CTR_NS" >/dev/null 2>&1 || true
	fi
	ward_common_teardown
}

# use_rt ward|runc: the runtime this test drives through containerd.
use_rt() {
	case $1 in
	ward)
		[[ -x $WARD ]] || {
			echo "ward is not built: $WARD" >&2
			return 1
		}
		RT=ward RT_BIN=$WARD CTR_NS=$CTR_NS_WARD
		;;
	runc)
		RT=runc RT_BIN=$RUNC_BIN CTR_NS=$CTR_NS_RUNC
		;;
	esac
	RT_ROOT=$CTR_DIR/runtime-root-$RT
	RUN_OPTS=(--runc-binary "$RT_BIN" --runc-root "$RT_ROOT" --fifo-dir "$CTR_DIR/fifo"
		--env PATH=/bin:/sbin:/usr/bin:/usr/sbin)
}

# ctr_ ARG...: ctr on our containerd, in this runtime's namespace (60 s at most).
ctr_() {
	timeout 60 ctr --address "$CTR_SOCK" --namespace "$CTR_NS" "$@"
}

# ctr_run ID [ctr run OPTION...] -- ARG...: ctr run of our rootfs with this test's runtime.
ctr_run() {
	local id=$1
	local opts=()
	shift
	while (($# > 0)) && [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	ctr_record_id "$id"
	ctr_ run "${RUN_OPTS[@]}" "${opts[@]}" --rootfs "$CTR_ROOTFS" "$id" "$@"
}

# ctr_record_id ID: remembers a container id of this runtime's namespace (to recognise its
# shim socket among others in /run/containerd/s).
ctr_record_id() {
	echo "$CTR_NS $1" >>"$CTR_DIR/ids"
}

# task_status ID: RUNNING, STOPPED, PAUSED, ... or nothing when there is no task.
task_status() {
	ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

task_pid() {
	ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'
}

wait_task_status() {
	local id=$1 want=$2 n=300 got=
	while ((n-- > 0)); do
		got=$(task_status "$id")
		[[ $got == "$want" ]] && return 0
		sleep 0.1
	done
	echo "task $id: status '$got', wanted '$want'" >&2
	return 1
}

# ctr_clean_ns NS: kills and deletes every task and container in NS.
ctr_clean_ns() {
	local ns=$1 id
	# shorter than ctr_'s limit: a runtime that hangs must not make cleanup take hours
	local c=(timeout 20 ctr --address "$CTR_SOCK" --namespace "$ns")
	for id in $("${c[@]}" task ls -q 2>/dev/null); do
		"${c[@]}" task kill -a -s SIGKILL "$id" 2>/dev/null || true
	done
	for id in $("${c[@]}" task ls -q 2>/dev/null); do
		"${c[@]}" task delete -f "$id" 2>/dev/null || true
	done
	for id in $("${c[@]}" container ls -q 2>/dev/null); do
		"${c[@]}" container delete "$id" 2>/dev/null || true
	done
}


# ctr_stop_all: empties our namespaces, then stops containerd (the pid we started, after
# checking it is still our containerd) and waits for it to be gone.
ctr_stop_all() {
	local ns pid
	if [[ -n ${CTR_SOCK:-} && -S $CTR_SOCK ]]; then
		for ns in "$CTR_NS_WARD" "$CTR_NS_RUNC"; do
			ctr_clean_ns "$ns"
			timeout 20 ctr --address "$CTR_SOCK" namespaces remove "$ns" >/dev/null 2>&1 || true
		done
	fi
	pid=$(cat "$CTR_DIR/containerd.pid" 2>/dev/null) || return 0
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$CTR_DIR/config.toml" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	local n=300
	while alive "$pid"; do
		if ((n-- == 0)); then
			echo "containerd $pid did not stop on SIGTERM: SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
}

# ctr_leftovers [--kill]: prints what our containerd left behind and fails if anything:
# processes in its mount namespace (shims) or in our namespaces' cgroups (containers),
# shim sockets, mounts under our dir, container cgroups, runtime state.
ctr_leftovers() {
	local kill=0 bad=0 p ns d
	[[ ${1:-} == --kill ]] && kill=1
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ $p == "$$" || $p == "$BASHPID" ]] && continue
		local why=
		if [[ -n ${CTR_MNTNS:-} && $(readlink "/proc/$p/ns/mnt" 2>/dev/null) == "$CTR_MNTNS" ]]; then
			why="in containerd's mount namespace"
		elif grep -qE ":/($CTR_NS_WARD|$CTR_NS_RUNC)(/|$)" "/proc/$p/cgroup" 2>/dev/null; then
			why="in a container cgroup"
		elif tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "$CTR_SOCK"; then
			why="names our containerd socket"
		fi
		[[ -n $why ]] || continue
		alive "$p" || continue
		echo "left running ($why): $p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"
		bad=1
		((kill)) && kill -KILL "$p" 2>/dev/null
	done
	if grep -qF " $CTR_DIR" /proc/self/mountinfo; then
		echo "left mounted:"
		grep -F " $CTR_DIR" /proc/self/mountinfo
		bad=1
	fi
	for ns in "$CTR_NS_WARD" "$CTR_NS_RUNC"; do
		while IFS= read -r d; do
			echo "left cgroup: $d"
			bad=1
		done < <(in_full_cgroups find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d \
			-path "*/$ns/*" 2>/dev/null)
	done
	for d in "$CTR_DIR"/runtime-root-*/*/*; do
		[[ -e $d ]] || continue
		echo "left runtime state: $d"
		bad=1
	done
	# containerd names a shim's socket sha256("<address>/<namespace>/<id>")
	if [[ -d /run/containerd/s && -f $CTR_DIR/ids ]]; then
		local cns cid h
		while read -r cns cid; do
			h=$(printf '%s' "$CTR_SOCK/$cns/$cid" | sha256sum | cut -d' ' -f1)
			if [[ -e /run/containerd/s/$h ]]; then
				echo "left shim socket: /run/containerd/s/$h ($cns/$cid)"
				bad=1
				((kill)) && rm -f "/run/containerd/s/$h"
			fi
		done < <(sort -u "$CTR_DIR/ids")
	fi
	((bad == 0))
}

# --- scenarios, each run with ward and with runc -----------------------------------------

sc_run_output_exit() {
	local id=run-$RANDOM
	run ctr_run "$id" --rm -- sh -c 'echo "hello from $(cat /proc/1/comm)"; exit 3' </dev/null
	echo "status $status: $output"
	[[ $status == 3 ]]
	[[ $output == *"hello from sh"* ]]
	# --rm removed the container, the task and the runtime's state
	[[ -z $(ctr_ container ls -q) ]]
	[[ -z $(ls -A "$RT_ROOT/$CTR_NS" 2>/dev/null) ]]
}

sc_run_stdin() {
	local id=stdin-$RANDOM
	run ctr_run "$id" --rm -- sh -c 'read x; echo "got:$x"' <<<"through-the-fifo"
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output == *"got:through-the-fifo"* ]]
}

sc_run_error_cause() {
	local id=err-$RANDOM
	run ctr_run "$id" --rm -- /no/such/program </dev/null
	echo "status $status: $output"
	[[ $status != 0 ]]
	# the runtime's own cause reaches the user through the shim (log.json), not just
	# "exit status 1"
	[[ $output == */no/such/program* ]]
	[[ $output =~ [Nn]o\ such\ file|not\ found ]]
	ctr_ container delete "$id" 2>/dev/null || true
}

sc_read_only() {
	local id=ro-$RANDOM
	run ctr_run "$id" --rm --read-only -- sh -c \
		'touch /newfile && echo wrote-root; touch /tmp/x 2>/dev/null; grep " / " /proc/self/mounts' </dev/null
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output != *wrote-root* ]]
	[[ $output =~ \ /\ [a-z0-9]+\ ro[,\ ] ]]
	[[ ! -e $CTR_ROOTFS/newfile ]]
}

# detached: a shell that exits 0 on SIGTERM, with a background sleep
start_detached() {
	ctr_run "$1" -d -- sh -c 'trap "exit 0" TERM; sleep 1000 & wait' </dev/null
	wait_task_status "$1" RUNNING
}

sc_detached_exec_kill_delete() {
	local id=det-$RANDOM pid
	start_detached "$id"
	pid=$(task_pid "$id")
	[[ -d /proc/$pid ]]
	# exec: output, exit code, same pid namespace as the task
	run ctr_ task exec --exec-id e1 "$id" sh -c 'echo in-exec; ps -o pid,args; exit 5' </dev/null
	echo "status $status: $output"
	[[ $status == 5 ]]
	[[ $output == *in-exec* ]]
	[[ $output =~ [[:space:]]1\ +sh\ -c\ trap ]]
	[[ $output == *"sleep 1000"* ]]
	# exec with stdin
	run ctr_ task exec --exec-id e2 "$id" sh -c 'read x; echo "exec-got:$x"' <<<"piped-in"
	echo "status $status: $output"
	[[ $status == 0 && $output == *"exec-got:piped-in"* ]]
	# ps lists the task's processes
	run ctr_ task ps "$id"
	echo "status $status: $output"
	[[ $(grep -cE '^[0-9]+' <<<"$output") -ge 2 ]]
	# SIGTERM (ctr's default): the shell's trap exits 0
	ctr_ task kill "$id"
	wait_task_status "$id" STOPPED
	if alive "$pid"; then
		echo "the task's init $pid still runs after STOPPED" >&2
		false
	fi
	run ctr_ task delete "$id"
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output != *"non-zero exit"* ]]
	[[ -z $(task_status "$id") ]]
	ctr_ container delete "$id"
	[[ -z $(ctr_ container ls -q) ]]
	[[ -z $(ls -A "$RT_ROOT/$CTR_NS" 2>/dev/null) ]]
}

sc_kill_sigkill_status() {
	local id=kill-$RANDOM
	# a pid-1 sleep: the kernel shields it from SIGTERM, not from SIGKILL
	ctr_run "$id" -d -- sleep 1000 </dev/null
	wait_task_status "$id" RUNNING
	ctr_ task kill -s SIGKILL "$id"
	wait_task_status "$id" STOPPED
	run ctr_ task delete "$id"
	echo "status $status: $output"
	[[ $output == *"exit code 137"* ]]
	ctr_ container delete "$id"
}

sc_exec_detached_and_kill_all() {
	local id=all-$RANDOM
	start_detached "$id"
	ctr_ task exec -d --exec-id bg1 "$id" sleep 1001 </dev/null
	local n=100
	until ctr_ task ps "$id" | grep -qE '^[0-9]+' && [[ $(ctr_ task ps "$id" | grep -cE '^[0-9]+') -ge 3 ]]; do
		((n-- > 0)) || false
		sleep 0.1
	done
	# kill --all reaches every process of the container, the exec'd one too
	ctr_ task kill -a -s SIGKILL "$id"
	wait_task_status "$id" STOPPED
	ctr_ task delete -f "$id" || true
	ctr_ container delete "$id"
	[[ -z $(ctr_ container ls -q) ]]
}


sc_pause_resume() {
	if [[ $RT == ward ]] && ! "$WARD" --help 2>&1 | grep -qE '^\s+pause\b'; then
		skip "ward: pause not implemented yet"
	fi
	local id=pause-$RANDOM pid
	start_detached "$id"
	pid=$(task_pid "$id")
	ctr_ task pause "$id"
	wait_task_status "$id" PAUSED
	# the kernel's view: the container's freezer cgroup is frozen
	local fz
	fz=$(cgroup_file "$pid" freezer freezer.state)
	[[ $(cat "$fz") == FROZEN ]]
	ctr_ task resume "$id"
	wait_task_status "$id" RUNNING
	[[ $(cat "$fz") == THAWED ]]
	run ctr_ task exec --exec-id after "$id" echo alive-after-resume </dev/null
	[[ $status == 0 && $output == *alive-after-resume* ]]
	ctr_ task kill -s SIGKILL "$id"
	wait_task_status "$id" STOPPED
	ctr_ task delete "$id" || true
	ctr_ container delete "$id"
}

sc_metrics() {
	local id=met-$RANDOM n=100
	ctr_run "$id" -d --memory-limit 67108864 -- sh -c 'sleep 1000 & sleep 1001 & wait' </dev/null
	wait_task_status "$id" RUNNING
	until [[ $(ctr_ task ps "$id" | grep -cE '^[0-9]+') == 3 ]]; do
		((n-- > 0)) || false
		sleep 0.1
	done
	run ctr_ task metrics --format json "$id"
	echo "status $status: $output"
	[[ $status == 0 ]]
	# the three processes of the container, counted by its pids cgroup
	[[ $(json_get .pids.current <<<"$output") == 3 ]]
	(($(json_get .memory.usage.usage <<<"$output") > 0))
	# the limit containerd asked for, applied by the runtime
	[[ $(json_get .memory.usage.limit <<<"$output") == 67108864 ]]
	(($(json_get .cpu.usage.total <<<"$output") > 0))
	ctr_ task kill -s SIGKILL "$id"
	wait_task_status "$id" STOPPED
	ctr_ task delete "$id" || true
	ctr_ container delete "$id"
}


sc_tty_run() {
	local id=tty-$RANDOM
	ctr_record_id "$id"
	ptyrun --size 30x90 --wait ready --input $'typed-in\n' -- \
		timeout 60 ctr --address "$CTR_SOCK" --namespace "$CTR_NS" run -t --rm \
		"${RUN_OPTS[@]}" --rootfs "$CTR_ROOTFS" "$id" \
		sh -c "tty; $WAIT_SIZE; : </dev/tty && echo ctty-open; echo ready; read x; echo got:\$x; exit 4"
	[[ $status == 4 ]]
	grep -qE '^/dev/(pts/[0-9]+|console)$' <<<"$output"
	grep -qx '30 90' <<<"$output"
	grep -qx ctty-open <<<"$output"
	grep -qx 'got:typed-in' <<<"$output"
	[[ -z $(ctr_ container ls -q) ]]
}

sc_tty_exec() {
	local id=ttyx-$RANDOM
	start_detached "$id"
	ptyrun --size 25x70 --wait ready --input $'exec-typed\n' -- \
		timeout 60 ctr --address "$CTR_SOCK" --namespace "$CTR_NS" task exec -t --exec-id tx \
		--fifo-dir "$CTR_DIR/fifo" "$id" \
		sh -c "tty; $WAIT_SIZE; echo ready; read x; echo got:\$x; exit 6"
	[[ $status == 6 ]]
	grep -qE '^/dev/pts/[0-9]+$' <<<"$output"
	grep -qx '25 70' <<<"$output"
	grep -qx 'got:exec-typed' <<<"$output"
	ctr_ task kill -s SIGKILL "$id"
	wait_task_status "$id" STOPPED
	ctr_ task delete "$id" || true
	ctr_ container delete "$id"
}

# --- the tests ----------------------------------------------------------------------------

@test "ward: ctr run prints the container's output and returns its exit code" {
	use_rt ward
	sc_run_output_exit
}
@test "runc: ctr run prints the container's output and returns its exit code" {
	use_rt runc
	sc_run_output_exit
}

@test "ward: ctr run passes stdin to the container" {
	use_rt ward
	sc_run_stdin
}
@test "runc: ctr run passes stdin to the container" {
	use_rt runc
	sc_run_stdin
}

@test "ward: ctr run of a missing program shows the runtime's real cause" {
	use_rt ward
	sc_run_error_cause
}
@test "runc: ctr run of a missing program shows the runtime's real cause" {
	use_rt runc
	sc_run_error_cause
}

@test "ward: ctr run --read-only" {
	use_rt ward
	sc_read_only
}
@test "runc: ctr run --read-only" {
	use_rt runc
	sc_read_only
}

@test "ward: ctr run -d, task exec (--exec-id), task ps, task kill, task delete, container delete" {
	use_rt ward
	sc_detached_exec_kill_delete
}
@test "runc: ctr run -d, task exec (--exec-id), task ps, task kill, task delete, container delete" {
	use_rt runc
	sc_detached_exec_kill_delete
}

@test "ward: ctr task kill -s SIGKILL, exit status 137" {
	use_rt ward
	sc_kill_sigkill_status
}
@test "runc: ctr task kill -s SIGKILL, exit status 137" {
	use_rt runc
	sc_kill_sigkill_status
}

@test "ward: ctr task exec -d, then task kill --all" {
	use_rt ward
	sc_exec_detached_and_kill_all
}
@test "runc: ctr task exec -d, then task kill --all" {
	use_rt runc
	sc_exec_detached_and_kill_all
}

@test "ward: ctr task pause / resume" {
	use_rt ward
	sc_pause_resume
}
@test "runc: ctr task pause / resume" {
	use_rt runc
	sc_pause_resume
}

@test "ward: ctr task metrics (and --memory-limit applied)" {
	use_rt ward
	sc_metrics
}
@test "runc: ctr task metrics (and --memory-limit applied)" {
	use_rt runc
	sc_metrics
}

@test "ward: ctr run -t (tty through the console socket)" {
	use_rt ward
	sc_tty_run
}
@test "runc: ctr run -t (tty through the console socket)" {
	use_rt runc
	sc_tty_run
}

@test "ward: ctr task exec -t" {
	use_rt ward
	sc_tty_exec
}
@test "runc: ctr task exec -t" {
	use_rt runc
	sc_tty_exec
}

@test "containerd stops and nothing is left running, mounted, in a cgroup or in state" {
	ctr_stop_all
	if alive "$CTR_PID"; then
		echo "containerd $CTR_PID still runs" >&2
		false
	fi
	run ctr_leftovers
	echo "status $status: $output"
	[[ $status == 0 ]]
}
