# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the engine tests (ctr, cri, docker, podman): skipping when an engine is
# missing, per-test setup and the daemon's log of a failed test, the runtime under test,
# private daemons, waiting for a status, terminal scenarios, leftover checks, cgroups in
# containerd's full view.
# Load after helpers: `load engine_lib`.

# --- setup and teardown -------------------------------------------------------------------

# engine_missing REASON: setup_file found the engine (or a package it needs) missing. The
# engine target (WARD_DEPS_ENGINES=1) must not run without it: prints REASON and fails. A
# plain `make check` machine may lack the engines: exports ENGINE_SKIP, and engine_setup
# skips every test with that reason (bats 1.8 cannot skip from setup_file).
engine_missing() {
	if [[ ${WARD_DEPS_ENGINES:-0} == 1 ]]; then
		echo "$1: scripts/install-deps --engines" >&2
		return 1
	fi
	export ENGINE_SKIP="$1 (scripts/install-deps --engines)"
}

# engine_setup [LOG]: setup of an engine test: skips it when the engine is missing, then
# ward's common setup; remembers how long the daemon's LOG is now (for engine_show_log).
engine_setup() {
	[[ -z ${ENGINE_SKIP:-} ]] || skip "$ENGINE_SKIP"
	ward_common_setup
	ENGINE_LOG_START=$(stat -c %s "${1:-/nonexistent}" 2>/dev/null || echo 0)
}

# engine_show_log NAME LOG [IGNORE_ERE]: in the teardown of a failed test, prints the
# warnings and errors the daemon NAME wrote to LOG during the test (the last 25; lines
# matching IGNORE_ERE left out).
engine_show_log() {
	local name=$1 log=$2 ignore=${3:-}
	[[ -z ${BATS_TEST_COMPLETED:-} && -f $log ]] || return 0
	echo "# $name log (warnings and errors) during this test:" >&2
	tail -c +$((${ENGINE_LOG_START:-0} + 1)) "$log" | grep -E 'level=(warning|error|fatal)' |
		if [[ -n $ignore ]]; then grep -vE -- "$ignore"; else cat; fi | tail -n 25 >&2 || true
}

# engine_teardown_file DIR STOP LEFTOVERS REMOVE_CGROUPS: teardown_file of an engine test,
# which must clean up even after a run stopped early: STOP (empties the engine, stops its
# daemon), `LEFTOVERS --kill` (prints and kills what is left), REMOVE_CGROUPS, then unmounts
# and removes the temp dir DIR. Each step may fail without stopping the others.
engine_teardown_file() {
	local dir=$1 stop=$2 leftovers=$3 remove_cgroups=$4
	[[ -n $dir && -d $dir ]] || return 0
	"$stop" >/dev/null 2>&1 || true
	"$leftovers" --kill >&2 || true
	"$remove_cgroups" || true
	_ward_umount_under "$dir" || true
	rm -rf "$dir"
}

# engine_use_rt ward|runc: sets RT and RT_BIN, the runtime a test drives: ward (which must be
# built) or runc, the control ($RUNC_BIN).
engine_use_rt() {
	case $1 in
	ward)
		[[ -x $WARD ]] || {
			echo "ward is not built: $WARD" >&2
			return 1
		}
		RT_BIN=$WARD
		;;
	runc) RT_BIN=${RUNC_BIN:-$(command -v runc)} ;;
	*)
		echo "unknown runtime: $1" >&2
		return 1
		;;
	esac
	RT=$1
}

# engine_split_opts ARG...: splits "OPTION... -- ARG..." into the arrays opts and args, which
# the caller declares local (bash's dynamic scope lets this function fill them).
engine_split_opts() {
	opts=() args=()
	while (($# > 0)) && [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	(($# > 0)) && shift
	args=("$@")
}

# --- processes and daemons ----------------------------------------------------------------

# cmdline PID: the command line of PID, its arguments separated by spaces (nothing if gone).
cmdline() {
	tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline"
}

# dead PID: the opposite of alive, as a command that fails (`! alive` would not fail a
# bats test: errexit ignores negated commands).
dead() {
	if alive "$1"; then
		echo "process $1 still runs: $(cmdline "$1")" >&2
		return 1
	fi
}

# engine_start_daemon DIR NAME SECONDS PROBE... -- CMD...: starts the daemon CMD in a private
# mount namespace with every cgroup v1 hierarchy mounted (tests/tools/with-full-cgroup-v1
# says why; its mounts vanish with it), logging to DIR/NAME.log, its pid in DIR/NAME.pid
# (unshare and with-full-cgroup-v1 exec: that is the daemon's pid). Waits up to SECONDS
# until the command PROBE... succeeds; if the daemon exits or does not answer, prints its
# log's tail and fails. Sets ENGINE_PID and ENGINE_MNTNS.
engine_start_daemon() {
	local dir=$1 name=$2 n=$(($3 * 10)) probe=()
	shift 3
	while (($# > 0)) && [[ $1 != -- ]]; do
		probe+=("$1")
		shift
	done
	shift
	unshare -m --propagation private -- "$REPO/tests/tools/with-full-cgroup-v1" \
		"$@" >"$dir/$name.log" 2>&1 </dev/null 3>&- &
	ENGINE_PID=$!
	echo "$ENGINE_PID" >"$dir/$name.pid"
	until "${probe[@]}" >/dev/null 2>&1; do
		if ! kill -0 "$ENGINE_PID" 2>/dev/null || ((n-- == 0)); then
			echo "$name did not come up; its log:" >&2
			tail -n 30 "$dir/$name.log" >&2
			return 1
		fi
		sleep 0.1
	done
	ENGINE_MNTNS=$(readlink "/proc/$ENGINE_PID/ns/mnt")
}

# engine_stop_daemon DIR NAME TEXT: stops the daemon that engine_start_daemon DIR NAME
# started: the recorded pid, only if its command line still contains TEXT (a reused pid is
# not ours); SIGTERM, then SIGKILL after 30 s. Waits for it to be gone.
engine_stop_daemon() {
	local dir=$1 name=$2 text=$3 pid n=300
	pid=$(cat "$dir/$name.pid" 2>/dev/null) || return 0
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	cmdline "$pid" | grep -qF -- "$text" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	while alive "$pid"; do
		if ((n-- == 0)); then
			echo "$name $pid did not stop on SIGTERM: SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
}

# engine_containerd_config DIR SOCK [PLUGIN...]: prints the base of a private containerd's
# config.toml: root and state under DIR, gRPC at SOCK (ttrpc at SOCK.ttrpc), debug log, no
# metrics, a fast garbage collector, and plugins this machine cannot use disabled (also
# each PLUGIN). Callers append their plugin sections.
engine_containerd_config() {
	local dir=$1 sock=$2 p
	shift 2
	echo "version = 2"
	echo "root = \"$dir/root\""
	echo "state = \"$dir/state\""
	echo "disabled_plugins = ["
	for p in "$@" io.containerd.internal.v1.opt io.containerd.snapshotter.v1.aufs \
		io.containerd.snapshotter.v1.btrfs io.containerd.snapshotter.v1.devmapper \
		io.containerd.snapshotter.v1.zfs io.containerd.tracing.processor.v1.otlp \
		io.containerd.internal.v1.tracing; do
		echo "  \"$p\","
	done
	cat <<-EOF
		]
		[grpc]
		  address = "$sock"
		[ttrpc]
		  address = "$sock.ttrpc"
		[debug]
		  level = "debug"
		[metrics]
		  address = ""
		[plugins."io.containerd.gc.v1.scheduler"]
		  startup_delay = "100ms"
	EOF
}

# engine_start_containerd DIR SOCK: starts containerd with DIR/config.toml (whose gRPC
# address is SOCK) as engine_start_daemon DIR containerd does; waits until it answers.
engine_start_containerd() {
	engine_start_daemon "$1" containerd 30 ctr --address "$2" version -- \
		containerd --config "$1/config.toml"
}

# engine_stop_containerd DIR: stops the containerd that engine_start_containerd DIR started.
engine_stop_containerd() {
	engine_stop_daemon "$1" containerd "$1/config.toml"
}

# --- waiting ------------------------------------------------------------------------------

# wait_until CMD...: reruns CMD until it succeeds (30 s at most).
wait_until() {
	local n=300
	until "$@"; do
		((n-- > 0)) || return 1
		sleep 0.1
	done
}

# engine_wait_for WHAT WANT CMD...: reruns CMD until it prints WANT (30 s at most); else
# prints "WHAT is 'GOT', wanted 'WANT'" and fails. CMD's errors count as printing nothing.
engine_wait_for() {
	local what=$1 want=$2 got=
	shift 2
	wait_until _engine_prints "$want" "$@" && return 0
	echo "$what is '$got', wanted '$want'" >&2
	return 1
}

# _engine_prints WANT CMD...: CMD prints WANT; what it printed goes to the caller's `got`.
_engine_prints() {
	local want=$1
	shift
	got=$("$@" 2>/dev/null) || got=
	[[ $got == "$want" ]]
}

# --- exec -------------------------------------------------------------------------------

# engine_check_exec ID EXEC...: the exec checks every engine passes, in the running
# container ID whose init is `sh -c 'trap ...; sleep 1000 & wait'`: `EXEC... ID CMD...`
# returns CMD's output and exit code, and runs in the container's pid namespace (its init
# is pid 1, its sleep is seen); `EXEC... -i ID CMD...` passes stdin to CMD.
engine_check_exec() {
	local id=$1
	shift
	run "$@" "$id" sh -c 'echo in-exec; ps -o pid,args; exit 5' </dev/null
	echo "status $status: $output"
	[[ $status == 5 ]]
	[[ $output == *in-exec* ]]
	[[ $output =~ [[:space:]]1\ +sh\ -c\ trap ]]
	[[ $output == *"sleep 1000"* ]]
	run "$@" -i "$id" sh -c 'read x; echo "exec-got:$x"' <<<"piped-in"
	echo "status $status: $output"
	[[ $status == 0 && $output == *"exec-got:piped-in"* ]]
}

# --- terminals ----------------------------------------------------------------------------

# engine_tty_run TTY_ERE CMD...: `CMD... sh -c PROGRAM` (an engine's run -t) on a fresh
# 30x90 terminal: the container's terminal is named like TTY_ERE, has the size the client's
# terminal has, can be opened as /dev/tty (it is the controlling terminal), reads a typed
# line; and the client returns the container's exit code (4).
engine_tty_run() {
	local tty_ere=$1
	shift
	ptyrun --size 30x90 --wait ready --input $'typed-in\n' -- "$@" \
		sh -c "tty; $WAIT_SIZE; : </dev/tty && echo ctty-open; echo ready; read x; echo got:\$x; exit 4"
	[[ $status == 4 ]]
	grep -qE "^($tty_ere)\$" <<<"$output"
	grep -qx '30 90' <<<"$output"
	grep -qx ctty-open <<<"$output"
	grep -qx 'got:typed-in' <<<"$output"
}

# engine_tty_exec CMD...: `CMD... sh -c PROGRAM` (an engine's exec -t) on a fresh 25x70
# terminal: the process gets a pseudo-terminal of that size, reads a typed line, and the
# client returns its exit code (6).
engine_tty_exec() {
	ptyrun --size 25x70 --wait ready --input $'exec-typed\n' -- "$@" \
		sh -c "tty; $WAIT_SIZE; echo ready; read x; echo got:\$x; exit 6"
	[[ $status == 6 ]]
	grep -qE '^/dev/pts/[0-9]+$' <<<"$output"
	grep -qx '25 70' <<<"$output"
	grep -qx 'got:exec-typed' <<<"$output"
}

# --- leftovers ----------------------------------------------------------------------------

# engine_left_lines WHAT: prints "left WHAT: LINE" for each line on stdin and fails if there
# was any.
engine_left_lines() {
	local line bad=0
	while IFS= read -r line; do
		echo "left $1: $line"
		bad=1
	done
	((bad == 0))
}

# engine_left_paths WHAT PATH...: engine_left_lines WHAT for the PATHs that exist (a glob
# that matched nothing names no path that exists).
engine_left_paths() {
	local what=$1 p
	shift
	for p in "$@"; do
		[[ -e $p ]] && echo "$p"
	done | engine_left_lines "$what"
}

# engine_left_procs KILL MNTNS CGROUP_ERE [TEXT]: prints each live process that an engine
# test left (one in the mount namespace MNTNS, or in a cgroup whose path matches
# ":/CGROUP_ERE(/|$)", or whose command line contains TEXT) and fails if there is any;
# KILL=1 also SIGKILLs them. Empty criteria match nothing.
engine_left_procs() {
	local kill=$1 mntns=$2 cg=$3 text=${4:-} bad=0 p why
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		[[ $p == "$$" || $p == "$BASHPID" ]] && continue
		why=
		if [[ -n $mntns && $(readlink "/proc/$p/ns/mnt" 2>/dev/null) == "$mntns" ]]; then
			why="in the engine's mount namespace"
		elif [[ -n $cg ]] && grep -qE ":/$cg(/|$)" "/proc/$p/cgroup" 2>/dev/null; then
			why="in a container cgroup"
		elif [[ -n $text ]] && cmdline "$p" | grep -qF -- "$text"; then
			why="names $text"
		fi
		[[ -n $why ]] || continue
		alive "$p" || continue
		echo "left running ($why): $p $(cmdline "$p")"
		bad=1
		((kill)) && kill -KILL "$p" 2>/dev/null
	done
	((bad == 0))
}

# engine_left_mounts DIR: prints the mounts under DIR and fails if there is any.
engine_left_mounts() {
	if grep -qF " $1" /proc/self/mountinfo; then
		echo "left mounted:"
		grep -F " $1" /proc/self/mountinfo
		return 1
	fi
}

# engine_record_shim IDS NAMESPACE ID: notes in the file IDS a container (or sandbox) that a
# containerd shim serves, for engine_left_shim_sockets.
engine_record_shim() {
	echo "$2 $3" >>"$1"
}

# engine_left_shim_sockets KILL SOCK IDS: prints the containerd shim sockets left for the
# "<namespace> <id>" lines of the file IDS (containerd at SOCK names them
# /run/containerd/s/sha256("<SOCK>/<namespace>/<id>")) and fails if any; KILL=1 removes them.
engine_left_shim_sockets() {
	local kill=$1 sock=$2 ids=$3 bad=0 ns id h
	[[ -d /run/containerd/s && -f $ids ]] || return 0
	while read -r ns id; do
		h=$(printf '%s' "$sock/$ns/$id" | sha256sum | cut -d' ' -f1)
		if [[ -e /run/containerd/s/$h ]]; then
			echo "left shim socket: /run/containerd/s/$h ($ns/$id)"
			bad=1
			((kill)) && rm -f "/run/containerd/s/$h"
		fi
	done < <(sort -u "$ids")
	((bad == 0))
}

# --- cgroups ------------------------------------------------------------------------------

# in_full_cgroups CMD...: CMD where every cgroup v1 hierarchy is mounted (containerd's view:
# it has hierarchies, such as net_cls, that the host does not mount).
in_full_cgroups() {
	unshare -m --propagation private -- "$REPO/tests/tools/with-full-cgroup-v1" "$@"
}

# engine_cgroups_here NAME...: the top-level cgroup directories called NAME, in every
# hierarchy this mount namespace mounts.
engine_cgroups_here() {
	local name
	for name in "$@"; do
		find /sys/fs/cgroup -mindepth 2 -maxdepth 2 -type d -name "$name" 2>/dev/null
	done
}

# engine_cgroups NAME...: engine_cgroups_here in the full view.
engine_cgroups() {
	in_full_cgroups bash -c "$(declare -f engine_cgroups_here)"'
		engine_cgroups_here "$@"' bash "$@"
}

# engine_remove_cgroups NAME: kills what runs in the cgroups called NAME (top level, full
# view) and removes them, deepest first (_ward_remove_cgroup).
engine_remove_cgroups() {
	[[ -n $1 ]] || return 0
	in_full_cgroups bash -c "$(declare -f _ward_remove_cgroup)"'
		for d in /sys/fs/cgroup/*/"$1"; do
			# a hierarchy mounted under two names (cpu and cpu,cpuacct) once
			[[ -d $d && ! -L ${d%/*} ]] && _ward_remove_cgroup "$d"
		done
		true' bash "$1"
}
