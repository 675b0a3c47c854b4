#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Podman (Debian's 4.3) driving ward with `podman --runtime $WARD`, every scenario also run
# with Debian's runc as the control.
#
# Nothing touches the host's podman state:
# - each runtime has its own podman store (--root, --runroot, --tmpdir, vfs driver) under a
#   temp dir, with private containers.conf / storage.conf / registries.conf given through
#   CONTAINERS_CONF, CONTAINERS_STORAGE_CONF and CONTAINERS_REGISTRIES_CONF; file locks
#   (lock_type "file") instead of the shared /dev/shm/libpod_lock segment;
# - every podman command runs in one private mount namespace (a holder process keeps it)
#   that has a fresh tmpfs on /run and on /var/lib/containers: the runtimes' default state
#   roots (/run/ward, /run/runc) and podman's blob-info cache are private to the test.
#   Runtime roots cannot be set with --runtime-flag root=...: podman 4.3 leaves the runtime
#   flags out of the `podman container cleanup` command conmon runs when a container exits,
#   so that cleanup would look for the container in the default root;
# - every container gets --cgroup-parent=/wardtest-pm-<pid>-<runtime> (conmon's cgroup is
#   made under it too), so teardown finds and removes exactly the cgroups this file made;
# - --network=none: no bridge, no netavark, no iptables.
# Unlike containerd (ctr.bats), podman needs no complete cgroup v1 layout here: its
# cgroupfs code, stats and pause work with the net_cls,net_prio hierarchy left unmounted.
# The last test checks that nothing is left; teardown_file makes sure of it again when a
# run stops early: podman rm -af, kill what runs in the holder's mount namespace or in our
# cgroups (conmon, containers), remove our cgroups, unmount and remove the temp dir.
#
# The image is the busybox rootfs of scripts/mkbundle, imported with `podman import`.
#
# Needs: podman, conmon (apt-get install podman), runc. Without podman every test is
# skipped with that reason, unless WARD_DEPS_ENGINES=1 (the engine target) makes it a failure.

load helpers
load engine_lib

IMAGE=localhost/wardtest-busybox:latest

setup_file() {
	if ! command -v podman >/dev/null || ! command -v conmon >/dev/null; then
		engine_missing "podman is not installed"
		return
	fi
	PM_DIR=$(mktemp -d /tmp/ward-podman.XXXXXX)
	export PM_DIR
	export PM_CG_WARD=wardtest-pm-$$-ward PM_CG_RUNC=wardtest-pm-$$-runc
	export RUNC_BIN
	RUNC_BIN=$(command -v runc)
	"$MKBUNDLE" "$PM_DIR/bundle" --rootfs-only
	tar -C "$PM_DIR/bundle/rootfs" -cf "$PM_DIR/rootfs.tar" .

	# podman's default RLIMIT_NOFILE and RLIMIT_NPROC for root containers (1048576) are above
	# this machine's hard limits, which no one can raise here (no CAP_SYS_RESOURCE): runc
	# fails the same. The containers get our own hard limit of open files, and a modest
	# process limit (podman lowers its own RLIMIT_NPROC to 32768, below ours).
	local nofile nproc
	nofile=$(ulimit -Hn)
	nproc=$(ulimit -Hu)
	[[ $nproc == unlimited ]] || ((nproc > 4096)) && nproc=4096
	cat >"$PM_DIR/containers.conf" <<-EOF
		[containers]
		netns = "none"
		default_ulimits = ["nofile=1024:$nofile", "nproc=$nproc:$nproc"]
		[network]
		network_config_dir = "$PM_DIR/networks"
		[engine]
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$PM_DIR/events.log"
		lock_type = "file"
	EOF
	cat >"$PM_DIR/storage.conf" <<-EOF
		[storage]
		driver = "vfs"
		runroot = "$PM_DIR/none/runroot"
		graphroot = "$PM_DIR/none/root"
	EOF
	echo 'unqualified-search-registries = []' >"$PM_DIR/registries.conf"

	# the holder of the private mount namespace every podman command enters
	unshare -m --propagation private -- /bin/sh -c '
		set -e
		mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
		if [ -d /var/lib/containers ]; then
			mount -t tmpfs -o mode=0700 tmpfs /var/lib/containers
		else
			mount -t tmpfs -o mode=0755 tmpfs /var/lib
			mkdir -m 0700 /var/lib/containers
		fi
		touch "$1/ns-ready"
		exec sleep infinity' holder "$PM_DIR" </dev/null >"$PM_DIR/holder.log" 2>&1 3>&- &
	export PM_HOLDER=$!
	echo "$PM_HOLDER" >"$PM_DIR/holder.pid"
	local n=100
	until [[ -e $PM_DIR/ns-ready ]]; do
		if ! kill -0 "$PM_HOLDER" 2>/dev/null || ((n-- == 0)); then
			echo "the namespace holder did not come up: $(cat "$PM_DIR/holder.log")" >&2
			return 1
		fi
		sleep 0.1
	done
	export PM_MNTNS
	PM_MNTNS=$(readlink "/proc/$PM_HOLDER/ns/mnt")

	local rt
	for rt in ward runc; do
		use_rt "$rt"
		pm import "$PM_DIR/rootfs.tar" "$IMAGE" >/dev/null
	done
}

teardown_file() {
	engine_teardown_file "${PM_DIR:-}" pm_stop_all pm_leftovers pm_remove_cgroups
}

setup() {
	engine_setup
}

teardown() {
	# whatever a failed test left running in its store
	if [[ -n ${RT:-} && -z ${BATS_TEST_COMPLETED:-} ]]; then
		pm rm -af -t 0 >/dev/null 2>&1 || true
	fi
	ward_common_teardown
}

# use_rt ward|runc: the runtime (and its podman store) this test drives.
use_rt() {
	engine_use_rt "$1" || return 1
	[[ $RT == ward ]] && PM_CG=$PM_CG_WARD || PM_CG=$PM_CG_RUNC
	RT_DIR=$PM_DIR/$RT
	PM_ARGS=(--root "$RT_DIR/root" --runroot "$RT_DIR/runroot" --tmpdir "$RT_DIR/tmp"
		--storage-driver vfs --cgroup-manager cgroupfs --runtime "$RT_BIN")
}

# in_ns CMD...: CMD in the private mount namespace.
in_ns() {
	nsenter -t "$PM_HOLDER" -m -- "$@"
}

# pm_env: the environment every podman command gets (private configuration files).
pm_env=()
pm_set_env() {
	pm_env=(CONTAINERS_CONF="$PM_DIR/containers.conf"
		CONTAINERS_STORAGE_CONF="$PM_DIR/storage.conf"
		CONTAINERS_REGISTRIES_CONF="$PM_DIR/registries.conf")
}

# pm ARG...: podman with this runtime's store, in the private namespace (60 s at most).
pm() {
	pm_set_env
	env "${pm_env[@]}" timeout 60 nsenter -t "$PM_HOLDER" -m -- podman "${PM_ARGS[@]}" "$@"
}

# pm_run [OPTION...] -- ARG...: podman run of our image (no network, our cgroup parent).
pm_run() {
	local opts args
	engine_split_opts "$@"
	pm run --network=none --cgroup-parent="/$PM_CG" "${opts[@]}" "$IMAGE" "${args[@]}"
}

# pm_state NAME: podman's status of a container (running, exited, paused, ...).
pm_state() {
	pm inspect --format '{{.State.Status}}' "$1"
}

pm_pid() {
	pm inspect --format '{{.State.Pid}}' "$1"
}

pm_exit_code() {
	pm inspect --format '{{.State.ExitCode}}' "$1"
}

wait_pm_state() {
	engine_wait_for "container $1: status" "$2" pm_state "$1"
}

# rt_state_ids: the container ids in the runtime's own state root (its default root, as
# podman uses it, inside the private namespace).
rt_state_ids() {
	in_ns sh -c "ls -A /run/$RT 2>/dev/null" || true
}

# pm_stop_all: removes every container of both stores, then stops the namespace holder
# (the pid we started, after checking it still holds our namespace).
pm_stop_all() {
	local rt pid
	if [[ -n ${PM_HOLDER:-} ]] && alive "$PM_HOLDER"; then
		for rt in ward runc; do
			use_rt "$rt" 2>/dev/null || continue
			pm rm -af -t 0 || true
		done
	fi
	pid=$(cat "$PM_DIR/holder.pid" 2>/dev/null) || return 0
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	[[ $(readlink "/proc/$pid/ns/mnt" 2>/dev/null) == "$PM_MNTNS" ]] || return 0
	kill -KILL "$pid" 2>/dev/null || true
	local n=100
	while alive "$pid" && ((n-- > 0)); do
		sleep 0.1
	done
}

# pm_leftovers [--kill]: prints what the podman runs left behind and fails if anything:
# processes in the private mount namespace (the holder, conmon) or in our cgroups
# (containers), our cgroups, mounts under our dir.
pm_leftovers() {
	local kill=0 bad=0
	[[ ${1:-} == --kill ]] && kill=1
	engine_left_procs "$kill" "${PM_MNTNS:-}" "($PM_CG_WARD|$PM_CG_RUNC)" || bad=1
	engine_left_mounts "$PM_DIR" || bad=1
	pm_cgroups | engine_left_lines cgroup || bad=1
	((bad == 0))
}

# pm_cgroups: the cgroup parents podman made for our containers, in the host's hierarchies
# (podman works in the host's view).
pm_cgroups() {
	engine_cgroups_here "$PM_CG_WARD" "$PM_CG_RUNC"
}

# pm_remove_cgroups: kills what runs in our cgroups and removes them.
pm_remove_cgroups() {
	local cg
	for cg in "$PM_CG_WARD" "$PM_CG_RUNC"; do
		_ward_remove_cgroups_named "$cg" || true
	done
}

# --- scenarios, each run with ward and with runc -----------------------------------------

sc_run_exit_code() {
	run pm_run --rm -- sh -c 'echo "hello from $(cat /proc/1/comm)"; exit 3'
	echo "status $status: $output"
	[[ $status == 3 ]]
	[[ $output == *"hello from sh"* ]]
	run pm_run --rm -- true
	[[ $status == 0 ]]
	# --rm removed the container and the runtime's state
	[[ -z $(pm ps -aq) ]]
	[[ -z $(rt_state_ids) ]]
}

sc_error_cause() {
	run pm_run --rm -- /no/such/program
	echo "status $status: $output"
	# podman's code for "command not found", with the runtime's own message
	[[ $status == 127 ]]
	[[ $output == *"$RT_BIN"* ]]
	[[ $output == */no/such/program* ]]
	[[ $output =~ [Nn]o\ such\ file ]]
	[[ -z $(pm ps -aq) ]]
}


sc_tty_run() {
	pm_set_env
	engine_tty_run '/dev/(pts/[0-9]+|console)' \
		env "${pm_env[@]}" timeout 60 nsenter -t "$PM_HOLDER" -m -- \
		podman "${PM_ARGS[@]}" run -it --rm --network=none --cgroup-parent="/$PM_CG" "$IMAGE"
	[[ -z $(pm ps -aq) ]]
}

# start_detached NAME [run OPTION...]: a shell that exits 0 on SIGTERM, with a background
# sleep, running detached.
start_detached() {
	local name=$1
	shift
	pm_run -d --name "$name" "$@" -- sh -c 'trap "exit 0" TERM; sleep 1000 & wait' >/dev/null
	wait_pm_state "$name" running
}

sc_exec() {
	local c=$RT-exec
	start_detached "$c"
	# output, exit code, the same pid namespace as the container's init; stdin through -i
	engine_check_exec "$c" pm exec
	# a missing program: the runtime's cause, podman's 127
	run pm exec "$c" /no/such/program
	echo "status $status: $output"
	[[ $status == 127 ]]
	[[ $output == */no/such/program* ]]
	# exec -it on a terminal
	pm_set_env
	engine_tty_exec env "${pm_env[@]}" timeout 60 nsenter -t "$PM_HOLDER" -m -- \
		podman "${PM_ARGS[@]}" exec -it "$c"
	pm rm -f -t 0 "$c" >/dev/null
}

sc_stop() {
	local c=$RT-stop pid
	start_detached "$c"
	pid=$(pm_pid "$c")
	alive "$pid"
	# SIGTERM: the shell's trap exits 0
	pm stop -t 30 "$c"
	[[ $(pm_state "$c") == exited ]]
	[[ $(pm_exit_code "$c") == 0 ]]
	dead "$pid"
	pm rm "$c" >/dev/null

	# a process that ignores SIGTERM (pid 1 without a handler: the kernel shields it) is
	# killed with SIGKILL once the timeout is over
	c=$RT-stop-kill
	pm_run -d --name "$c" -- sleep 1000 >/dev/null
	wait_pm_state "$c" running
	pid=$(pm_pid "$c")
	run pm stop -t 1 "$c"
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output == *SIGKILL* ]]
	[[ $(pm_state "$c") == exited ]]
	[[ $(pm_exit_code "$c") == 137 ]]
	dead "$pid"
	pm rm "$c" >/dev/null
	[[ -z $(pm ps -aq) ]]
	[[ -z $(rt_state_ids) ]]
}

sc_kill() {
	local c=$RT-kill pid
	start_detached "$c"
	pid=$(pm_pid "$c")
	# a signal the shell handles: its exit code
	pm kill -s TERM "$c" >/dev/null
	wait_pm_state "$c" exited
	[[ $(pm_exit_code "$c") == 0 ]]
	dead "$pid"
	pm rm "$c" >/dev/null
	# the default, SIGKILL
	c=$RT-kill9
	pm_run -d --name "$c" -- sleep 1000 >/dev/null
	wait_pm_state "$c" running
	pid=$(pm_pid "$c")
	pm kill "$c" >/dev/null
	wait_pm_state "$c" exited
	[[ $(pm_exit_code "$c") == 137 ]]
	dead "$pid"
	pm rm "$c" >/dev/null
}

sc_logs() {
	local c=$RT-logs
	pm_run --name "$c" -- sh -c 'echo to-stdout; echo to-stderr >&2; exit 2' >/dev/null 2>&1 || true
	[[ $(pm_exit_code "$c") == 2 ]]
	run pm logs "$c"
	echo "status $status: $output"
	[[ $status == 0 ]]
	grep -qx to-stdout <<<"$output"
	grep -qx to-stderr <<<"$output"
	pm rm "$c" >/dev/null
}

sc_read_only() {
	run pm_run --rm --read-only -- sh -c \
		'touch /newfile && echo wrote-root; touch /tmp/x && echo wrote-tmp; grep " / " /proc/self/mounts'
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $output != *wrote-root* ]]
	# podman's --read-only keeps tmpfs on /tmp, /run and /var/tmp
	[[ $output == *wrote-tmp* ]]
	[[ $output =~ \ /\ [a-z0-9]+\ ro[,\ ] ]]
}

sc_memory_pids() {
	local c=$RT-res pid
	pm_run -d --name "$c" --memory 64m --pids-limit 20 -- sleep 1000 >/dev/null
	wait_pm_state "$c" running
	pid=$(pm_pid "$c")
	# the kernel's view of the container's cgroups
	[[ $(cat "$(cgroup_file "$pid" memory memory.limit_in_bytes)") == 67108864 ]]
	[[ $(cat "$(cgroup_file "$pid" pids pids.max)") == 20 ]]
	# podman reads the limit back through its stats
	run pm stats --no-stream --format '{{.MemUsage}}' "$c"
	echo "status $status: $output"
	[[ $status == 0 && $output == *"/ 67.11MB"* ]]
	# the pids limit is enforced: 30 more processes do not fit
	run pm exec "$c" sh -c 'for i in $(seq 30); do sleep 100 & done 2>&1; wait'
	echo "status $status: $output"
	[[ $output =~ can\'t\ fork|[Rr]esource\ temporarily\ unavailable ]]
	pm rm -f -t 0 "$c" >/dev/null
}

sc_user() {
	run pm_run --rm --user 1000:1001 -- sh -c 'id -u; id -g; touch /root/x 2>/dev/null || echo denied'
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ ${lines[0]} == 1000 && ${lines[1]} == 1001 ]]
	[[ $output == *denied* ]]
}

sc_pause() {
	local c=$RT-pause pid fz
	start_detached "$c"
	pid=$(pm_pid "$c")
	fz=$(cgroup_file "$pid" freezer freezer.state)
	pm pause "$c" >/dev/null
	[[ $(pm_state "$c") == paused ]]
	[[ $(cat "$fz") == FROZEN ]]
	pm unpause "$c" >/dev/null
	[[ $(pm_state "$c") == running ]]
	[[ $(cat "$fz") == THAWED ]]
	run pm exec "$c" echo alive-after-unpause
	[[ $status == 0 && $output == *alive-after-unpause* ]]
	pm rm -f -t 0 "$c" >/dev/null
}

sc_top() {
	local c=$RT-top
	start_detached "$c"
	run pm top "$c"
	echo "status $status: $output"
	[[ $status == 0 ]]
	grep -qE '^root +1 +0 .*sh -c trap' <<<"$output"
	grep -qE 'sleep 1000' <<<"$output"
	pm rm -f -t 0 "$c" >/dev/null
}

sc_rm_force() {
	local c=$RT-rmf pid
	pm_run -d --name "$c" -- sleep 1000 >/dev/null
	wait_pm_state "$c" running
	pid=$(pm_pid "$c")
	local id
	id=$(pm inspect --format '{{.Id}}' "$c")
	[[ $(rt_state_ids) == *"$id"* ]]
	run pm rm -f -t 0 "$c"
	echo "status $status: $output"
	[[ $status == 0 ]]
	dead "$pid"
	[[ -z $(pm ps -aq) ]]
	# the runtime deleted its state and the container's cgroup
	[[ $(rt_state_ids) != *"$id"* ]]
	[[ -z $(find /sys/fs/cgroup -mindepth 3 -maxdepth 3 -type d -path "*/$PM_CG/libpod-$id" 2>/dev/null) ]]
}

# --- the tests ----------------------------------------------------------------------------

@test "ward: podman run prints the output and returns the exit code; --rm removes all" {
	use_rt ward
	sc_run_exit_code
}
@test "runc: podman run prints the output and returns the exit code; --rm removes all" {
	use_rt runc
	sc_run_exit_code
}

@test "ward: podman run of a missing program shows the runtime's real cause" {
	use_rt ward
	sc_error_cause
}
@test "runc: podman run of a missing program shows the runtime's real cause" {
	use_rt runc
	sc_error_cause
}

@test "ward: podman run -it (tty through the console socket)" {
	use_rt ward
	sc_tty_run
}
@test "runc: podman run -it (tty through the console socket)" {
	use_rt runc
	sc_tty_run
}

@test "ward: podman exec (exit code, -i, missing program, -it)" {
	use_rt ward
	sc_exec
}
@test "runc: podman exec (exit code, -i, missing program, -it)" {
	use_rt runc
	sc_exec
}

@test "ward: podman stop (SIGTERM; SIGKILL after the timeout)" {
	use_rt ward
	sc_stop
}
@test "runc: podman stop (SIGTERM; SIGKILL after the timeout)" {
	use_rt runc
	sc_stop
}

@test "ward: podman kill" {
	use_rt ward
	sc_kill
}
@test "runc: podman kill" {
	use_rt runc
	sc_kill
}

@test "ward: podman logs" {
	use_rt ward
	sc_logs
}
@test "runc: podman logs" {
	use_rt runc
	sc_logs
}

@test "ward: podman run --read-only" {
	use_rt ward
	sc_read_only
}
@test "runc: podman run --read-only" {
	use_rt runc
	sc_read_only
}

@test "ward: podman run --memory --pids-limit (cgroups, stats, enforcement)" {
	use_rt ward
	sc_memory_pids
}
@test "runc: podman run --memory --pids-limit (cgroups, stats, enforcement)" {
	use_rt runc
	sc_memory_pids
}

@test "ward: podman run --user" {
	use_rt ward
	sc_user
}
@test "runc: podman run --user" {
	use_rt runc
	sc_user
}

@test "ward: podman pause / unpause" {
	use_rt ward
	sc_pause
}
@test "runc: podman pause / unpause" {
	use_rt runc
	sc_pause
}

@test "ward: podman top" {
	use_rt ward
	sc_top
}
@test "runc: podman top" {
	use_rt runc
	sc_top
}

@test "ward: podman rm -f of a running container" {
	use_rt ward
	sc_rm_force
}
@test "runc: podman rm -f of a running container" {
	use_rt runc
	sc_rm_force
}

@test "podman stores are emptied and nothing is left running, mounted or in a cgroup" {
	pm_stop_all
	# the namespace holder
	dead "$PM_HOLDER"
	# podman leaves the cgroup parent it made (with conmon's empty cgroup in it): ours to
	# remove, and it must be removable (empty). conmon's exited middle child may still be
	# a zombie in it for a moment, until init reaps it: a few tries.
	local d n
	while IFS= read -r d; do
		n=50
		until find "$d" -depth -type d -exec rmdir {} + 2>/dev/null; do
			if ((n-- == 0)); then
				echo "cgroup $d is not empty:" >&2
				find "$d" -name cgroup.procs -exec grep -H . {} + >&2
				false
			fi
			sleep 0.1
		done
	done < <(pm_cgroups)
	run pm_leftovers
	echo "status $status: $output"
	[[ $status == 0 ]]
}
