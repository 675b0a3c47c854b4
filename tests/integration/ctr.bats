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
		engine_missing "containerd is not installed"
		return
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

	engine_containerd_config "$CTR_DIR" "$CTR_SOCK" io.containerd.grpc.v1.cri \
		>"$CTR_DIR/config.toml"
	engine_start_containerd "$CTR_DIR" "$CTR_SOCK"
	export CTR_PID=$ENGINE_PID CTR_MNTNS=$ENGINE_MNTNS
}

teardown_file() {
	engine_teardown_file "${CTR_DIR:-}" ctr_stop_all ctr_leftovers ctr_remove_cgroups
}

setup() {
	engine_setup "${CTR_LOG:-}"
}

teardown() {
	engine_show_log containerd "${CTR_LOG:-}"
	# whatever a failed test left in its namespace
	if [[ -n ${CTR_NS:-} ]]; then
		ctr_clean_ns "$CTR_NS" >/dev/null 2>&1 || true
	fi
	ward_common_teardown
}

# use_rt ward|runc: the runtime this test drives through containerd.
use_rt() {
	engine_use_rt "$1" || return 1
	[[ $RT == ward ]] && CTR_NS=$CTR_NS_WARD || CTR_NS=$CTR_NS_RUNC
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
	local id=$1 opts args
	shift
	engine_split_opts "$@"
	ctr_record_id "$id"
	ctr_ run "${RUN_OPTS[@]}" "${opts[@]}" --rootfs "$CTR_ROOTFS" "$id" "${args[@]}"
}

# ctr_record_id ID: remembers a container id of this runtime's namespace (to recognise its
# shim socket among others in /run/containerd/s).
ctr_record_id() {
	engine_record_shim "$CTR_DIR/ids" "$CTR_NS" "$1"
}

# ctr_exec [-i] ID CMD...: ctr task exec, exec id e1 (with -i: e2, the exec that reads stdin;
# ctr always passes stdin on).
ctr_exec() {
	local eid=e1
	if [[ $1 == -i ]]; then
		eid=e2
		shift
	fi
	ctr_ task exec --exec-id "$eid" "$@"
}

# task_status ID: RUNNING, STOPPED, PAUSED, ... or nothing when there is no task.
task_status() {
	ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }'
}

task_pid() {
	ctr_ task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $2 }'
}

wait_task_status() {
	engine_wait_for "task $1: status" "$2" task_status "$1"
}

# task_nprocs ID: how many processes `ctr task ps` lists for the task.
task_nprocs() {
	ctr_ task ps "$1" | grep -cE '^[0-9]+'
}

# task_has_procs ID N: the task has at least N processes.
task_has_procs() {
	(($(task_nprocs "$1") >= $2))
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

# ctr_stop_all: empties our namespaces, then stops containerd.
ctr_stop_all() {
	local ns
	if [[ -n ${CTR_SOCK:-} && -S $CTR_SOCK ]]; then
		for ns in "$CTR_NS_WARD" "$CTR_NS_RUNC"; do
			ctr_clean_ns "$ns"
			timeout 20 ctr --address "$CTR_SOCK" namespaces remove "$ns" >/dev/null 2>&1 || true
		done
	fi
	engine_stop_containerd "$CTR_DIR"
}

# ctr_remove_cgroups: the cgroups our namespaces' containers were in (the shims leave the
# /NS parents), in the host's hierarchies and in those only containerd's view has (net_cls...).
ctr_remove_cgroups() {
	local ns
	for ns in "$CTR_NS_WARD" "$CTR_NS_RUNC"; do
		_ward_remove_cgroups_named "$ns" || true
		engine_remove_cgroups "$ns" || true
	done
}

# ctr_leftovers [--kill]: prints what our containerd left behind and fails if anything:
# processes in its mount namespace (shims) or in our namespaces' cgroups (containers),
# shim sockets, mounts under our dir, container cgroups, runtime state.
ctr_leftovers() {
	local kill=0 bad=0 ns
	[[ ${1:-} == --kill ]] && kill=1
	engine_left_procs "$kill" "${CTR_MNTNS:-}" "($CTR_NS_WARD|$CTR_NS_RUNC)" "$CTR_SOCK" || bad=1
	engine_left_mounts "$CTR_DIR" || bad=1
	for ns in "$CTR_NS_WARD" "$CTR_NS_RUNC"; do
		in_full_cgroups find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d \
			-path "*/$ns/*" 2>/dev/null | engine_left_lines cgroup || bad=1
	done
	engine_left_paths "runtime state" "$CTR_DIR"/runtime-root-*/*/* || bad=1
	engine_left_shim_sockets "$kill" "$CTR_SOCK" "$CTR_DIR/ids" || bad=1
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
	# exec: output, exit code, same pid namespace as the task; with stdin
	engine_check_exec "$id" ctr_exec
	# ps lists the task's processes
	run ctr_ task ps "$id"
	echo "status $status: $output"
	[[ $(grep -cE '^[0-9]+' <<<"$output") -ge 2 ]]
	# SIGTERM (ctr's default): the shell's trap exits 0
	ctr_ task kill "$id"
	wait_task_status "$id" STOPPED
	# the task's init is gone once STOPPED
	dead "$pid"
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
	wait_until task_has_procs "$id" 3
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
	local id=met-$RANDOM
	ctr_run "$id" -d --memory-limit 67108864 -- sh -c 'sleep 1000 & sleep 1001 & wait' </dev/null
	wait_task_status "$id" RUNNING
	engine_wait_for "task $id: processes" 3 task_nprocs "$id"
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
	engine_tty_run '/dev/(pts/[0-9]+|console)' \
		timeout 60 ctr --address "$CTR_SOCK" --namespace "$CTR_NS" run -t --rm \
		"${RUN_OPTS[@]}" --rootfs "$CTR_ROOTFS" "$id"
	[[ -z $(ctr_ container ls -q) ]]
}

sc_tty_exec() {
	local id=ttyx-$RANDOM
	start_detached "$id"
	engine_tty_exec timeout 60 ctr --address "$CTR_SOCK" --namespace "$CTR_NS" \
		task exec -t --exec-id tx --fifo-dir "$CTR_DIR/fifo" "$id"
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
	dead "$CTR_PID"
	run ctr_leftovers
	echo "status $status: $output"
	[[ $status == 0 ]]
}
