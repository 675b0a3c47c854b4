# SPDX-License-Identifier: Apache-2.0
"""Bundles, data and policy files the benchmark runs with.

Every runtime runs the very same bundles. Two edits to what scripts/mkbundle makes apply
to all of them, because one runtime needs them and the comparison must stay fair:
  - ociVersion 1.0.2: crun 1.8.1 (Debian 12) rejects 1.2.0 ("unknown version specified");
  - no linux.resources.devices rule: on cgroup2 a device rule is an eBPF program, and crun
    cannot load one under this host's 8 MiB RLIMIT_MEMLOCK (it tries to raise it and
    fails with EPERM: no CAP_SYS_RESOURCE here).
"""

import io
import json
import os
import shutil
import subprocess
import tarfile


def make_bundle(repo, ward_bin, dest, args, probe=None, net_admin=False, scratch=False, data=None):
    env = dict(os.environ, WARD=ward_bin)
    subprocess.run([os.path.join(repo, "scripts", "mkbundle"), dest, "--args"] + list(args),
                   env=env, check=True, stdout=subprocess.DEVNULL)
    path = os.path.join(dest, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg["ociVersion"] = "1.0.2"
    cfg.setdefault("linux", {}).pop("resources", None)
    rootfs = os.path.join(dest, "rootfs")
    if probe:
        shutil.copy(probe, os.path.join(rootfs, "bin", "probe"))
    if net_admin:
        # the probe brings loopback up in the container's empty network namespace
        caps = cfg["process"].setdefault("capabilities", {})
        for k in ("bounding", "effective", "permitted"):
            lst = caps.setdefault(k, [])
            if "CAP_NET_ADMIN" not in lst:
                lst.append("CAP_NET_ADMIN")
    if scratch:
        # a writable volume; bound from inside the rootfs so that a chroot on the host
        # (the native baseline) sees the same directory at the same path
        src = os.path.join(os.path.abspath(rootfs), "scratch")
        os.makedirs(src, exist_ok=True)
        cfg.setdefault("mounts", []).append(
            {"destination": "/scratch", "type": "bind", "source": src, "options": ["rbind", "rw"]})
        # the workload's workdir: writable under every policy (agent's "$cwd")
        cfg["process"]["cwd"] = "/scratch"
    if data:
        d = os.path.join(rootfs, "data")
        os.makedirs(d, exist_ok=True)
        for name, blob in data.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(blob)
    with open(path, "w") as f:
        json.dump(cfg, f, indent="\t")
    return dest


def tree_tar(dirs, files_per_dir, size=2048):
    """A tar of dirs x files_per_dir small text files; every 7th file holds 'needle'."""
    buf = io.BytesIO()
    line = b"the quick brown fox jumps over the lazy dog 0123456789\n"
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        n = 0
        for d in range(dirs):
            di = tarfile.TarInfo("tree/d%03d" % d)
            di.type = tarfile.DIRTYPE
            di.mode = 0o755
            tar.addfile(di)
            for i in range(files_per_dir):
                body = (line * (size // len(line) + 1))[:size]
                if n % 7 == 0:
                    body = body[:-7] + b"needle\n"
                fi = tarfile.TarInfo("tree/d%03d/f%04d.txt" % (d, i))
                fi.size = len(body)
                fi.mode = 0o644
                tar.addfile(fi, io.BytesIO(body))
                n += 1
    return buf.getvalue()


def write_policy(path, rules):
    """A ward policy with `rules` egress rules, the only match being the last one
    (loopback), so every connect walks the whole list. egressDefault deny makes every
    connect emulated by the supervisor (never CONTINUE); audit is off so the numbers
    are the mediation's, not the log's."""
    egress = []
    for i in range(rules - 1):
        # 10.x.y.z/32: never the loopback destination the probe uses
        egress.append({"action": "deny", "cidr": "10.%d.%d.%d/32" % ((i >> 16) & 255, (i >> 8) & 255, i & 255)})
    egress.append({"action": "allow", "loopback": True})
    pol = {
        "version": 1,
        "name": "bench-%d" % rules,
        "description": "bench/run: %d egress rules, the last one matching" % rules,
        "process": {"deny": ["all"]},
        "network": {"egressDefault": "deny", "egress": egress},
        "audit": {"network": False, "exec": False},
    }
    with open(path, "w") as f:
        json.dump(pol, f, separators=(",", ":"))
    return path
