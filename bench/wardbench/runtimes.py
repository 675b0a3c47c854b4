# SPDX-License-Identifier: Apache-2.0
"""The runtimes under test: how to call each, where its state lives, what it leaves running."""

import json
import os
import shutil
import subprocess

from . import proc

WARD_POLICIES = ("default", "agent", "none")
OTHERS = ("runc", "crun", "runsc")


class Runtime:
    """One runtime configuration (a ward policy counts as its own runtime).

    kind   ward | runc | crun | runsc
    ns     the mount namespace it runs in: "v2" (private, pure cgroup2) or "host"
    """

    def __init__(self, name, kind, binary, root, ns, global_args=()):
        self.name = name
        self.kind = kind
        self.binary = binary
        self.root = root
        self.ns = ns
        self.global_args = list(global_args)
        self.ids = set()  # containers that may exist (for cleanup)
        self.counter = 0
        self.errors = {}  # section -> [failure messages]
        self.disabled = set()  # sections this runtime no longer runs in (too many failures)
        self.warnings = {}  # warning line (logfmt msg) a successful command printed -> count

    def __repr__(self):
        return self.name

    def argv(self, *args):
        return [self.binary, "--root", self.root] + self.global_args + list(args)

    def new_id(self, tag):
        # short: runsc and the kernel put ids into socket paths and cgroup names
        self.counter += 1
        cid = "wb%d-%s-%s%d" % (os.getpid(), self.name, tag, self.counter)
        self.ids.add(cid)
        return cid

    def run(self, bundle, cid):
        return self.argv("run", "--bundle", bundle, cid)

    def create(self, bundle, cid):
        return self.argv("create", "--bundle", bundle, cid)

    def start(self, cid):
        return self.argv("start", cid)

    def delete(self, cid, force=False):
        return self.argv("delete", "--force", cid) if force else self.argv("delete", cid)

    def exec(self, cid, *args):
        return self.argv("exec", cid, *args)

    def state(self, cid):
        return self.argv("state", cid)

    def helper_pids(self):
        """Processes this runtime keeps running beside the containers' own: ward's
        supervisors, runsc's sandboxes and gofers (which hold the containers too)."""
        out = []
        for pid, argv in proc.processes():
            if self.kind == "ward":
                if "__supervise" in argv[1:2] and _arg_after(argv, "--state-dir", "").startswith(self.root + "/"):
                    out.append(pid)
            elif self.kind == "runsc":
                if os.path.basename(argv[0]).startswith("runsc-") and ("--root=" + self.root) in argv:
                    out.append(pid)
        return out

    def everything_pids(self):
        """Every process of ours this runtime may have left: helpers and anything whose
        command line names its state root (container processes are found through state)."""
        out = set(self.helper_pids())
        for pid, argv in proc.processes():
            if pid != os.getpid() and any(self.root in a for a in argv):
                out.add(pid)
        return sorted(out)


def _arg_after(argv, flag, default):
    for i, a in enumerate(argv[:-1]):
        if a == flag:
            return argv[i + 1]
    return default


def version_of(binary, kind):
    try:
        out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    first = out.strip().splitlines()[0] if out.strip() else "?"
    return first


def make_runtimes(names, ward_bin, state_top, cgroups):
    """Builds the requested runtimes. Returns (runtimes, missing) where missing maps a
    name to why it cannot be used here."""
    rts, missing = [], {}
    for name in names:
        root = os.path.join(state_top, name)
        if name.startswith("ward-"):
            pol = name[len("ward-"):]
            if not os.access(ward_bin, os.X_OK):
                missing[name] = "%s not built (make)" % ward_bin
                continue
            rts.append(Runtime(name, "ward", ward_bin, root, "v2" if cgroups == "v2" else "host",
                               ["--policy", pol]))
            continue
        binary = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
        if not binary:
            missing[name] = "not installed (apt-get install %s)" % name
            continue
        if name == "runc":
            rts.append(Runtime(name, "runc", binary, root, "v2" if cgroups == "v2" else "host"))
        elif name == "crun":
            # crun refuses hybrid cgroups: always in the private cgroup2 namespace
            rts.append(Runtime(name, "crun", binary, root, "v2"))
        elif name == "runsc":
            # --network=none: a sandbox with loopback only (the others get an empty netns).
            # In the cgroup2 namespace runsc demands controllers this host's v2 hierarchy
            # does not have (cpuset, memory), so it runs without cgroups there.
            extra = ["--network=none"]
            if cgroups == "v2":
                extra.append("--ignore-cgroups")
            rts.append(Runtime(name, "runsc", binary, root, "v2" if cgroups == "v2" else "host", extra))
        else:
            missing[name] = "unknown runtime"
    for rt in rts:
        os.makedirs(rt.root, exist_ok=True)
    return rts, missing


def policy_runtime(ward_rt, label, policy_path, state_top):
    """ward (like ward_rt) with a policy file, with its own state root."""
    rt = Runtime(label, "ward", ward_rt.binary, os.path.join(state_top, label), ward_rt.ns,
                 ["--policy", policy_path])
    os.makedirs(rt.root, exist_ok=True)
    return rt


def parse_state(text):
    try:
        return json.loads(text)
    except ValueError:
        return {}
