# SPDX-License-Identifier: Apache-2.0
# Helpers shared by the engine tests (ctr, cri, podman): daemons, leftovers, cgroups in
# containerd's full view.
# Load after helpers: `load engine_lib`.


# dead PID: the opposite of alive, as a command that fails (`! alive` would not fail a
# bats test: errexit ignores negated commands).
dead() {
	if alive "$1"; then
		echo "process $1 still runs: $(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline")" >&2
		return 1
	fi
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
		elif [[ -n $text ]] && tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF -- "$text"; then
			why="names $text"
		fi
		[[ -n $why ]] || continue
		alive "$p" || continue
		echo "left running ($why): $p $(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline")"
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

# engine_start_containerd DIR SOCK: starts containerd with DIR/config.toml (whose gRPC
# address is SOCK), logging to DIR/containerd.log, in a private mount namespace with every
# cgroup v1 hierarchy mounted (tests/tools/with-full-cgroup-v1 says why); its pid goes to
# DIR/containerd.pid. Waits until it answers. Sets ENGINE_PID and ENGINE_MNTNS.
engine_start_containerd() {
	local dir=$1 sock=$2 n=300
	unshare -m --propagation private -- "$REPO/tests/tools/with-full-cgroup-v1" \
		containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 </dev/null 3>&- &
	ENGINE_PID=$!
	echo "$ENGINE_PID" >"$dir/containerd.pid"
	until ctr --address "$sock" version >/dev/null 2>&1; do
		if ! kill -0 "$ENGINE_PID" 2>/dev/null || ((n-- == 0)); then
			echo "containerd did not come up; its log:" >&2
			tail -n 30 "$dir/containerd.log" >&2
			return 1
		fi
		sleep 0.1
	done
	ENGINE_MNTNS=$(readlink "/proc/$ENGINE_PID/ns/mnt")
}

# engine_stop_containerd DIR: stops the containerd that engine_start_containerd DIR started
# (the recorded pid, if it still runs DIR/config.toml) and waits for it to be gone.
engine_stop_containerd() {
	local dir=$1 pid n=300
	pid=$(cat "$dir/containerd.pid" 2>/dev/null) || return 0
	[[ $pid =~ ^[0-9]+$ ]] || return 0
	tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$dir/config.toml" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	while alive "$pid"; do
		if ((n-- == 0)); then
			echo "containerd $pid did not stop on SIGTERM: SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
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

# in_full_cgroups CMD...: CMD where every cgroup v1 hierarchy is mounted (containerd's view:
# it has hierarchies, such as net_cls, that the host does not mount).
in_full_cgroups() {
	unshare -m --propagation private -- "$REPO/tests/tools/with-full-cgroup-v1" "$@"
}

# engine_cgroups NAME: the top-level cgroup directories called NAME, in the full view.
engine_cgroups() {
	in_full_cgroups sh -c 'for d in /sys/fs/cgroup/*/"$1"; do [ -d "$d" ] && echo "$d"; done' \
		sh "$1"
}

# engine_remove_cgroups NAME: kills what runs in the cgroups called NAME (top level, full
# view) and removes them, deepest first.
engine_remove_cgroups() {
	in_full_cgroups bash -c '
		for d in /sys/fs/cgroup/*/"$1"; do
			[ -d "$d" ] || continue
			find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -KILL 2>/dev/null
			for _ in 1 2 3 4 5 6 7 8 9 10; do
				find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
				[ -d "$d" ] || break
				sleep 0.1
			done
		done' bash "$1"
}
