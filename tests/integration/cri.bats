#!/usr/bin/env bats
# SPDX-License-Identifier: Apache-2.0
# Kubernetes' path to ward: containerd's CRI plugin (Debian's containerd 1.6) with the
# runtime handler `ward` taken from contrib/containerd/config.toml (BinaryName and Root
# pointed at this build and a temp dir), and a `runc` handler as the control, driven the
# way the kubelet drives it: RunPodSandbox, CreateContainer, StartContainer, ExecSync,
# StopContainer, RemoveContainer, StopPodSandbox, RemovePodSandbox.
#
# The client is tests/tools/cri_client.py (python3-grpcio): Debian has no crictl and no
# CRI .proto, so it takes the CRI API descriptor from the containerd binary itself.
# No CNI exists here, so pods use the node's network namespace (NamespaceMode NODE, as
# hostNetwork pods do; like the kubelet for those, we set no hostname). The sandbox
# ("pause") image and the container image are the busybox rootfs of scripts/mkbundle,
# packed as an OCI image layout by tests/tools/mkociimage.py and imported with
# `ctr -n k8s.io image import` (native snapshotter).
#
# containerd runs as in ctr.bats: own config, root, state and sockets under a temp dir, in a
# private mount namespace with every cgroup v1 hierarchy mounted. Machine facts shape the
# config: restrict_oom_score_adj (no CAP_SYS_RESOURCE: the sandbox's -998 cannot be set,
# by runc either). Pods get linux.cgroup_parent /wardtest-cri-<pid>, so teardown finds and
# removes exactly the cgroups this file made (also in net_cls,net_prio, which only the
# private namespace mounts). The last test stops containerd and checks nothing is left.
#
# Needs: containerd, runc, python3-grpcio (and python3-protobuf, its dependency). Without
# them every test is skipped with the reason, unless WARD_DEPS_ENGINES=1 makes it a failure.

load helpers
load engine_lib

IMAGE=localhost/wardtest/busybox:1

setup_file() {
	local missing=
	if ! command -v containerd >/dev/null || ! command -v ctr >/dev/null; then
		missing="containerd is not installed"
	elif ! "$PY" -c 'import grpc, google.protobuf' 2>/dev/null; then
		missing="python3-grpcio is not installed (the CRI client needs it)"
	fi
	if [[ -n $missing ]]; then
		engine_missing "$missing"
		return
	fi
	# a short path: unix socket paths are limited to 107 bytes
	CRI_DIR=$(mktemp -d /tmp/ward-cri.XXXXXX)
	export CRI_DIR
	export CRI_SOCK=$CRI_DIR/containerd.sock
	export CRI_LOG=$CRI_DIR/containerd.log
	export CRI_CG=wardtest-cri-$$
	export RUNC_BIN
	RUNC_BIN=$(command -v runc)
	mkdir -p "$CRI_DIR/cni/bin" "$CRI_DIR/cni/conf" "$CRI_DIR/logs"

	"$MKBUNDLE" "$CRI_DIR/bundle" --rootfs-only
	# the image's command is the sandbox's "pause" process: a shell that waits forever and
	# exits 0 on SIGTERM
	"$PY" "$REPO/tests/tools/mkociimage.py" "$CRI_DIR/bundle/rootfs" "$CRI_DIR/image.tar" \
		"$IMAGE" sh -c 'trap "exit 0" TERM; while :; do sleep 3600 & wait; done'

	# the `ward` handler as a user gets it from contrib/, with this build and a private Root
	local snippet=$CRI_DIR/ward-handler.toml
	sed -n '/^\[plugins\./,$p' "$REPO/contrib/containerd/config.toml" |
		sed -e "s#\"/usr/local/bin/ward\"#\"$WARD\"#" \
			-e "s#\"/run/containerd/ward\"#\"$CRI_DIR/rt-ward\"#" >"$snippet"
	grep -qF "BinaryName = \"$WARD\"" "$snippet" && grep -qF "Root = \"$CRI_DIR/rt-ward\"" "$snippet" || {
		echo "contrib/containerd/config.toml has no ward handler with BinaryName and Root" >&2
		return 1
	}

	engine_containerd_config "$CRI_DIR" "$CRI_SOCK" >"$CRI_DIR/config.toml"
	cat >>"$CRI_DIR/config.toml" <<-EOF
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$IMAGE"
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  enable_selinux = false
		  disable_apparmor = true
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "native"
		    default_runtime_name = "runc"
		  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		    runtime_type = "io.containerd.runc.v2"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		      BinaryName = "$RUNC_BIN"
		      Root = "$CRI_DIR/rt-runc"
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$CRI_DIR/cni/bin"
		    conf_dir = "$CRI_DIR/cni/conf"
	EOF
	cat "$snippet" >>"$CRI_DIR/config.toml"

	engine_start_containerd "$CRI_DIR" "$CRI_SOCK"
	export CRI_PID=$ENGINE_PID CRI_MNTNS=$ENGINE_MNTNS
	timeout 60 ctr --address "$CRI_SOCK" -n k8s.io image import --snapshotter native \
		"$CRI_DIR/image.tar" >/dev/null
	# the CRI service answers (and the client caches the API descriptor)
	cri Version | grep -q '"runtime_api_version": "v1"'
}

teardown_file() {
	engine_teardown_file "${CRI_DIR:-}" cri_stop_all cri_leftovers cri_remove_cgroups
}

setup() {
	engine_setup "${CRI_LOG:-}"
}

teardown() {
	engine_show_log containerd "${CRI_LOG:-}" 'failed to load cni'
	# whatever a failed test left
	if [[ -n ${POD:-} ]]; then
		cri_remove_pods >/dev/null 2>&1 || true
	fi
	ward_common_teardown
}

# cri METHOD [JSON]: one CRI call; prints the response as JSON.
cri() {
	timeout 90 "$PY" "$REPO/tests/tools/cri_client.py" --address "$CRI_SOCK" \
		--descriptor "$CRI_DIR/cri-api.desc" --timeout 60 "$@"
}

# use_rt ward|runc: the CRI runtime handler of this test, and its runtime.
use_rt() {
	engine_use_rt "$1" || return 1
	# the shim passes --root <Root>/<containerd namespace>
	RT_ROOT=$CRI_DIR/rt-$RT/k8s.io
}

# rt_ ARG...: the runtime itself on the state the shim made.
rt_() {
	"$RT_BIN" --root "$RT_ROOT" "$@"
}

# pod_config NAME: a PodSandboxConfig (JSON) for the node's network, with the policy
# annotation and one that the handler must not pass on.
pod_config() {
	mkdir -p "$CRI_DIR/logs/$1"
	cat <<-EOF
		{"metadata": {"name": "$1", "uid": "uid-$1-$$", "namespace": "wardtest", "attempt": 0},
		 "log_directory": "$CRI_DIR/logs/$1",
		 "annotations": {"dev.ward.policy": "agent", "example.com/not-for-the-runtime": "x"},
		 "labels": {"test": "ward"},
		 "linux": {"cgroup_parent": "/$CRI_CG",
		           "security_context": {"namespace_options": {"network": "NODE"}}}}
	EOF
}

# run_pod NAME: RunPodSandbox with this test's handler; sets POD and POD_CONFIG.
run_pod() {
	POD_CONFIG=$(pod_config "$1")
	local out
	out=$(cri RunPodSandbox "{\"config\": $POD_CONFIG, \"runtime_handler\": \"$RT\"}")
	POD=$(json_get .pod_sandbox_id <<<"$out")
	engine_record_shim "$CRI_DIR/ids" k8s.io "$POD"
}

# create_ctr NAME ARG...: CreateContainer in $POD running ARG...; prints the id.
create_ctr() {
	local name=$1 args out
	shift
	args=$("$PY" -c 'import json, sys; print(json.dumps(sys.argv[1:]))' "$@")
	out=$(cri CreateContainer "{\"pod_sandbox_id\": \"$POD\", \"sandbox_config\": $POD_CONFIG,
		\"config\": {\"metadata\": {\"name\": \"$name\"}, \"image\": {\"image\": \"$IMAGE\"},
		\"command\": $args, \"log_path\": \"$name.log\",
		\"annotations\": {\"dev.ward.note\": \"$name\"}}}")
	json_get .container_id <<<"$out"
}

# pod_state / ctr_state ID: SANDBOX_READY..., CONTAINER_RUNNING...
pod_state() {
	cri PodSandboxStatus "{\"pod_sandbox_id\": \"$1\"}" | json_get .status.state
}
ctr_state() {
	cri ContainerStatus "{\"container_id\": \"$1\"}" | json_get .status.state
}

# cri_remove_pods: stops and removes every pod (and with it its containers).
cri_remove_pods() {
	local p
	for p in $(cri ListPodSandbox | json_get .items | "$PY" -c \
		'import json, sys; print(" ".join(i["id"] for i in json.load(sys.stdin)))'); do
		cri StopPodSandbox "{\"pod_sandbox_id\": \"$p\"}" >/dev/null || true
		cri RemovePodSandbox "{\"pod_sandbox_id\": \"$p\"}" >/dev/null || true
	done
}

# cri_stop_all: removes every pod, then stops our containerd.
cri_stop_all() {
	if [[ -S ${CRI_SOCK:-} ]]; then
		cri_remove_pods
	fi
	engine_stop_containerd "$CRI_DIR"
}

# our_cgroups: the /wardtest-cri-<pid> cgroup directories, in containerd's view.
our_cgroups() {
	engine_cgroups "$CRI_CG"
}

# cri_remove_cgroups: kills what runs in our cgroups and removes them, deepest first.
cri_remove_cgroups() {
	engine_remove_cgroups "$CRI_CG"
}

# cri_leftovers [--kill]: prints what our containerd left behind and fails if anything:
# processes in its mount namespace (shims) or in our cgroups (containers), mounts under our
# dir, runtime state, shim sockets.
cri_leftovers() {
	local kill=0 bad=0
	[[ ${1:-} == --kill ]] && kill=1
	engine_left_procs "$kill" "${CRI_MNTNS:-}" "$CRI_CG" "$CRI_SOCK" || bad=1
	engine_left_mounts "$CRI_DIR" || bad=1
	engine_left_paths "runtime state" "$CRI_DIR"/rt-*/*/* || bad=1
	engine_left_shim_sockets "$kill" "$CRI_SOCK" "$CRI_DIR/ids" || bad=1
	((bad == 0))
}

# --- scenarios, each run with ward and with runc -----------------------------------------

sc_pod_lifecycle() {
	run_pod "life-$RT"
	[[ $(pod_state "$POD") == SANDBOX_READY ]]
	run cri PodSandboxStatus "{\"pod_sandbox_id\": \"$POD\"}"
	[[ $(json_get .status.runtime_handler <<<"$output") == "$RT" ]]
	# the handler's runtime made the sandbox: its state, under the handler's Root
	run rt_ state "$POD"
	echo "$output"
	[[ $status == 0 ]]
	[[ $(json_get .status <<<"$output") == running ]]
	local sandbox_pid
	sandbox_pid=$(json_get .pid <<<"$output")
	alive "$sandbox_pid"
	if [[ $RT == ward ]]; then
		# the pod's policy annotation reached ward (pod_annotations = ["dev.ward.*"]) and
		# selected the policy; other annotations were not passed on
		[[ $(json_get .policy <<<"$output") == agent ]]
		[[ $(json_get '.annotations["dev.ward.policy"]' <<<"$output") == agent ]]
		[[ $output != *example.com/not-for-the-runtime* ]]
	fi

	local cid
	cid=$(create_ctr main sh -c 'echo started; trap "echo got-term; exit 0" TERM; sleep 1000 & wait')
	engine_record_shim "$CRI_DIR/ids" k8s.io "$cid"
	[[ $(ctr_state "$cid") == CONTAINER_CREATED ]]
	cri StartContainer "{\"container_id\": \"$cid\"}" >/dev/null
	[[ $(ctr_state "$cid") == CONTAINER_RUNNING ]]
	run rt_ state "$cid"
	echo "$output"
	[[ $(json_get .status <<<"$output") == running ]]
	local main_pid
	main_pid=$(json_get .pid <<<"$output")
	if [[ $RT == ward ]]; then
		[[ $(json_get .policy <<<"$output") == agent ]]
		[[ $(json_get '.annotations["dev.ward.note"]' <<<"$output") == main ]]
	fi
	# the container is in the pod's cgroup parent
	grep -qE ":/$CRI_CG/" "/proc/$main_pid/cgroup"

	# ExecSync: output, error output, exit code; the pod's shared pid namespace (the
	# sandbox's shell is pid 1)
	run cri ExecSync "{\"container_id\": \"$cid\", \"timeout\": 30,
		\"cmd\": [\"sh\", \"-c\", \"echo to-out; echo to-err >&2; ps -o pid,args; exit 3\"]}"
	echo "status $status: $output"
	[[ $status == 0 ]]
	[[ $(json_get .exit_code <<<"$output") == 3 ]]
	[[ $(json_get .stdout <<<"$output") == *to-out* ]]
	[[ $(json_get .stdout <<<"$output") =~ [[:space:]]1\ +sh\ -c\ trap\ \"exit\ 0\"\ TERM\;\ while ]]
	[[ $(json_get .stderr <<<"$output") == to-err* ]]

	# StopContainer: SIGTERM, the trap exits 0
	cri StopContainer "{\"container_id\": \"$cid\", \"timeout\": 30}" >/dev/null
	run cri ContainerStatus "{\"container_id\": \"$cid\"}"
	[[ $(json_get .status.state <<<"$output") == CONTAINER_EXITED ]]
	[[ $(json_get .status.exit_code <<<"$output") == 0 ]]
	dead "$main_pid"
	grep -q 'stdout F started' "$CRI_DIR/logs/life-$RT/main.log"
	grep -q 'stdout F got-term' "$CRI_DIR/logs/life-$RT/main.log"

	cri RemoveContainer "{\"container_id\": \"$cid\"}" >/dev/null
	run cri ListContainers
	[[ $(json_get .containers <<<"$output") == "[]" ]]
	[[ ! -e $RT_ROOT/$cid ]]

	cri StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}" >/dev/null
	[[ $(pod_state "$POD") == SANDBOX_NOTREADY ]]
	dead "$sandbox_pid"
	cri RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}" >/dev/null
	run cri ListPodSandbox
	[[ $(json_get .items <<<"$output") == "[]" ]]
	[[ -z $(ls -A "$RT_ROOT" 2>/dev/null) ]]
	POD=
}

sc_start_error_cause() {
	run_pod "err-$RT"
	local cid
	cid=$(create_ctr bad /no/such/program)
	engine_record_shim "$CRI_DIR/ids" k8s.io "$cid"
	run cri StartContainer "{\"container_id\": \"$cid\"}"
	echo "status $status: $output"
	[[ $status == 1 ]]
	# the runtime's own cause, through the shim and the CRI plugin
	[[ $output == *"rpc error: code = UNKNOWN"* ]]
	[[ $output == */no/such/program* ]]
	[[ $output =~ [Nn]o\ such\ file ]]
	cri RemoveContainer "{\"container_id\": \"$cid\"}" >/dev/null
	cri StopPodSandbox "{\"pod_sandbox_id\": \"$POD\"}" >/dev/null
	cri RemovePodSandbox "{\"pod_sandbox_id\": \"$POD\"}" >/dev/null
	[[ -z $(ls -A "$RT_ROOT" 2>/dev/null) ]]
	POD=
}

# --- the tests ----------------------------------------------------------------------------

@test "ward: CRI pod with runtime_handler ward: sandbox, container, ExecSync, stop, remove; dev.ward.policy reaches ward" {
	use_rt ward
	sc_pod_lifecycle
}
@test "runc: CRI pod with runtime_handler runc: sandbox, container, ExecSync, stop, remove" {
	use_rt runc
	sc_pod_lifecycle
}

@test "ward: CRI StartContainer of a missing program shows the runtime's real cause" {
	use_rt ward
	sc_start_error_cause
}
@test "runc: CRI StartContainer of a missing program shows the runtime's real cause" {
	use_rt runc
	sc_start_error_cause
}

@test "containerd stops and nothing is left running, mounted, in a cgroup or in state" {
	cri_stop_all
	dead "$CRI_PID"
	run cri_leftovers
	echo "status $status: $output"
	[[ $status == 0 ]]
	# the pods' cgroup parent is left by the runtimes (runc too): ours to remove, and it
	# must be empty
	cri_remove_cgroups
	run our_cgroups
	echo "left cgroups: $output"
	[[ -z $output ]]
}
